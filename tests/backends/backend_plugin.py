"""The registry the backend tests' workers install: the core int ops plus sinks and a slow op.

Workers find it the way a real install is found: a ``*.dist-info`` folder whose
``entry_points.txt`` names ``backend_plugin:worker_registry`` in the ``pipespec.registries``
group (see ``conftest.py``). The driver's registry differs on purpose in two ids.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from core_registry import INT, closed, core_registry, open_distinct, read_ints

from pipespec.registry import Registry, RunContext, map_fn, reader, sink

V = "1.0.0"


def slow(item: int, *, ms: int) -> int:
    """Sleeps ms milliseconds, then passes the item on."""
    time.sleep(ms / 1000)
    return item


class _Keyed:
    """An idempotent sink: one file per item, named by the item, rewritten on a rerun; every
    write is also appended to a log, so a test can see the reruns the files absorb."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.written = 0
        folder.mkdir(parents=True, exist_ok=True)

    def write(self, item: int) -> None:
        temporary = self.folder / f".{item}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(item), encoding="utf-8")
        os.replace(temporary, self.folder / str(item))
        with (self.folder.parent / "writes.log").open("a", encoding="utf-8") as log:
            log.write(f"{item}\n")
        self.written += 1

    def close(self) -> dict[str, Any]:
        return {"written": self.written}


def open_keyed(params: Mapping[str, Any], context: RunContext) -> _Keyed:
    assert context.output_dir is not None
    return _Keyed(context.output_dir / "keyed")


def merge_written(receipts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Receipts of a partitioned run: the writes added up."""
    return {"written": sum(receipt["written"] for receipt in receipts)}


def merge_distinct(receipts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The union of the partitions' distinct values."""
    return {"distinct": sorted({v for receipt in receipts for v in receipt["distinct"]})}


def _own() -> Registry:
    return Registry().with_entries(
        map_fn("bk.slow", slow, version=V, in_type=INT, out_type=INT,
               params_schema=closed(ms={"type": "integer", "minimum": 0, "maximum": 1000})),
        sink("bk.keyed", open_keyed, version=V, in_type=INT, out_type="Receipt",
             idempotent=True, merge_receipts=merge_written),
        sink("bk.distinct", open_distinct, version=V, in_type=INT, out_type="Distinct",
             idempotent=True, merge_receipts=merge_distinct),
        reader("bk.read", read_ints, version=V, out_type=INT),
    )  # fmt: skip


def worker_registry() -> Registry:
    """What a worker has installed: ``bk.versioned`` at 1.0.0, no ``bk.driver_only``."""
    versioned = map_fn("bk.versioned", slow, version="1.0.0", in_type=INT, out_type=INT,
                       params_schema=closed(ms={"type": "integer"}))  # fmt: skip
    return core_registry().merge(_own()).with_entries(versioned)


def driver_registry() -> Registry:
    """What the driver has: ``bk.versioned`` at 2.0.0, and ``bk.driver_only``."""
    return (
        core_registry()
        .merge(_own())
        .with_entries(
            map_fn("bk.versioned", slow, version="2.0.0", in_type=INT, out_type=INT,
                   params_schema=closed(ms={"type": "integer"})),
            map_fn("bk.driver_only", slow, version=V, in_type=INT, out_type=INT,
                   params_schema=closed(ms={"type": "integer"})),
        )
    )  # fmt: skip
