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

__all__ = ["Point", "points"]

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
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / (ITEMS + ".partial")
        count = 0
        with partial.open("w", encoding="utf-8") as out:
            for item in stream:
                try:
                    line = json.dumps(item, ensure_ascii=False, allow_nan=False, sort_keys=True)
                except (TypeError, ValueError) as exc:
                    raise Failed(
                        ErrInfo(
                            code=OP_FAILED,
                            message=f"materialization point {self.name!r} needs JSON items: {exc}",
                            path=f"/ops/{self.index}",
                        )
                    ) from exc
                out.write(line + "\n")
                count += 1
                yield item
        os.replace(partial, self.folder / ITEMS)
        (self.folder / COMPLETE).write_text(json.dumps({"items": count}) + "\n", encoding="utf-8")


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
