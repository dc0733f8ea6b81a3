"""Validate + verify cost of sealed 10, 100 and 1000-op specs, beside a json.loads + SHA-256 floor.

Run with `make bench`. Prints one table; every figure is the best of several repeats
measured in this run, so ratios compare like with like on the same machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import time
from collections.abc import Callable
from typing import Any

from pipespec.digest import seal_data, verify_data
from pipespec.read import read_text
from pipespec.result import Ok
from pipespec.schemas import fast_validator
from pipespec.validate import validate_document

KINDS = ("Map", "FlatMap", "BatchMap", "Sink")


def make_spec(n_ops: int) -> str:
    """A sealed document of ``n_ops`` ops with realistic params, as JSON text."""
    ops: list[dict[str, Any]] = []
    for i in range(n_ops):
        kind = KINDS[i % len(KINDS)]
        op: dict[str, Any] = {
            "type": kind,
            "name": f"op-{i}",
            "error_policy": ("fail_fast", "skip", "collect")[i % 3],
            "in_type": "Chunk",
            "out_type": "Chunk",
            "params": {"size": 800 + i, "overlap": 80, "unit": "chars", "tags": ["a", "b"]},
        }
        if kind == "Sink":
            op.update(sink_id="rag.index.sqlite", sink_version="1.0.0")
            op["sink_contract"] = {"idempotent": True}
        else:
            op.update(func_id=f"rag.op_{i % 7}", func_version="1.0.0")
        if kind == "BatchMap":
            op["max_batch_size"] = 64
        ops.append(op)
    sealed = seal_data({"spec_version": "1", "backend": "local", "ops": ops})
    assert isinstance(sealed, Ok)
    return json.dumps(sealed.value, indent=2)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``repeat`` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def measure(n_ops: int, repeat: int) -> str:
    """One table row for a spec of ``n_ops`` ops."""
    text = make_spec(n_ops)
    raw = text.encode()
    document = read_text(text, format="json")
    assert isinstance(document, Ok) and validate_document(document.value) == []
    data = document.value.data

    def floor() -> None:
        json.loads(raw)
        hashlib.sha256(raw).hexdigest()

    def full() -> None:
        result = read_text(text, format="json")
        assert isinstance(result, Ok)
        assert not validate_document(result.value)

    t_floor = best_of(floor, repeat)
    t_read = best_of(lambda: read_text(text, format="json"), repeat)
    t_schema = best_of(lambda: fast_validator().is_valid(data), repeat)
    t_verify = best_of(lambda: verify_data(data, float_free=True), repeat)
    t_full = best_of(full, repeat)
    return (
        f"{n_ops:>5} {len(raw) / 1024:>6.0f} {t_floor:>9.2f} {t_read:>7.2f} {t_schema:>7.2f}"
        f" {t_verify:>7.2f} {t_full:>7.2f} {t_full / t_floor:>8.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, best of {args.repeat}")
    columns = ("ops", "KiB", "floor ms", "read", "schema", "verify", "total", "x floor")
    widths = (5, 6, 9, 7, 7, 7, 7, 8)
    print(" ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True)))
    for n_ops in (10, 100, 1000):
        print(measure(n_ops, args.repeat))


if __name__ == "__main__":
    main()
