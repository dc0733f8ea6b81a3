"""Materialization points: an op's output persisted as JSONL so a later run can resume from it."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..digest import digest
from ..errors import OP_FAILED, ErrInfo
from ..pipeline import Pipeline
from ..result import Ok
from ..runtime import Failed

__all__ = ["Point", "PointWriter", "points"]

ITEMS = "items.jsonl"
COMPLETE = "complete.json"


@dataclass(frozen=True, slots=True)
class Point:
    """Where the output of op ``index`` is kept for this spec prefix and this input."""

    index: int
    name: str
    folder: Path

    def is_complete(self) -> bool:
        return (self.folder / COMPLETE).is_file() and (self.folder / ITEMS).is_file()

    def items(self) -> Iterator[Any]:
        """The persisted items, streamed back in order."""
        with (self.folder / ITEMS).open(encoding="utf-8") as stream:
            for line in stream:
                yield json.loads(line)

    def tap(self, stream: Iterator[Any]) -> Iterator[Any]:
        """Pass ``stream`` through, writing every item; mark the folder complete at its end."""
        writer = self.writer()
        try:
            for item in stream:
                writer.write(item)
                yield item
        finally:
            writer.close()
        writer.complete()

    def writer(self) -> PointWriter:
        """A writer that takes items one at a time (``complete`` marks the folder complete;
        ``close`` alone leaves it incomplete, as a run that failed must)."""
        return PointWriter(self)


class PointWriter:
    """Items written to a point's partial file; renamed into place only by ``complete``."""

    def __init__(self, point: Point) -> None:
        self.point = point
        point.folder.mkdir(parents=True, exist_ok=True)
        self.partial = point.folder / (ITEMS + ".partial")
        self.out = self.partial.open("w", encoding="utf-8")
        self.count = 0

    def write(self, item: Any) -> None:
        """One item as a JSON line; ``Failed`` (OP_FAILED) when it is not JSON."""
        try:
            line = json.dumps(item, ensure_ascii=False, allow_nan=False, sort_keys=True)
        except (TypeError, ValueError) as exc:
            raise Failed(
                ErrInfo(
                    code=OP_FAILED,
                    message=f"materialization point {self.point.name!r} needs JSON items: {exc}",
                    path=f"/ops/{self.point.index}",
                )
            ) from exc
        self.out.write(line + "\n")
        self.count += 1

    def close(self) -> None:
        self.out.close()

    def complete(self) -> None:
        """Close, put the items in place and mark the folder complete."""
        self.close()
        folder = self.point.folder
        os.replace(self.partial, folder / ITEMS)
        (folder / COMPLETE).write_text(json.dumps({"items": self.count}) + "\n", encoding="utf-8")


def points(pipeline: Pipeline, input_digest: str, root: Path) -> list[Point]:
    """The pipeline's materialization points, each in a folder named by the digest of the spec
    prefix up to its op and of the input, so a changed op before it or a changed input means
    a new folder."""
    wanted = set(pipeline.spec.get("materialization_points", ()))
    found = []
    for plan in pipeline.ops:
        if plan.name not in wanted:
            continue
        prefix = [op["version"] for op in pipeline.spec["ops"][: plan.index + 1]]
        # Monoids are defined outside the ops; any of them may shape what the prefix emits.
        monoids = {k: m["version"] for k, m in pipeline.spec.get("monoids", {}).items()}
        key = digest({"ops": prefix, "monoids": monoids, "input": input_digest})
        assert isinstance(key, Ok)
        folder = root / "materialized" / f"{plan.name}-{key.value.removeprefix('sha256:')[:16]}"
        found.append(Point(plan.index, plan.name, folder))
    return found
