"""Beam plumbing: a DoFn that rebuilds from the spec text, a CombineFn from its monoid."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import apache_beam as beam
from apache_beam.options.pipeline_options import PipelineOptions

from ..errors import OP_FAILED, ErrInfo
from ..monoids import Monoid
from ..result import Err, Ok, Result
from ._executors import Executed
from ._merge import tree_combine
from ._worker import PartitionResult, PartitionTask, pipeline_for, run_partition

if TYPE_CHECKING:
    from .beam import BeamBackend

__all__ = ["execute"]

_COMBINED = "combined.json"


class RunPartition(beam.DoFn):
    """One element is one partition; the pipeline is rebuilt once per worker in ``setup``."""

    def __init__(self, task: PartitionTask) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.task = task

    def setup(self) -> None:
        pipeline_for(self.task)

    def process(self, element: tuple[int, list[Any]]) -> Iterator[dict[str, Any]]:
        index, items = element
        yield run_partition(self.task, index, items).to_json()


class MonoidCombine(beam.CombineFn):
    """Partials ``(partition, value)`` folded with the Combine op's monoid, rebuilt from the
    spec text; a non-commutative monoid's partials are kept apart and combined in order."""

    def __init__(self, task: PartitionTask) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.task = task
        self.monoid: Monoid[Any] | None = None

    def setup(self) -> None:
        made, _ = pipeline_for(self.task)
        if isinstance(made, Ok):
            plan = made.value.ops[self.task.stop - 1].monoid
            if plan is not None and plan.builtin is not None:
                self.monoid = plan.builtin
            elif plan is not None and plan.entry is not None:
                self.monoid = plan.entry.build(plan.params or {}, _context())

    def _ready(self) -> Monoid[Any]:
        if self.monoid is None:
            self.setup()
        if self.monoid is None:
            raise RuntimeError("the spec's monoid could not be rebuilt on this worker")
        return self.monoid

    def create_accumulator(self) -> list[tuple[int, Any]]:
        return []

    def add_input(self, acc: list[tuple[int, Any]], element: tuple[int, Any]) -> Any:
        return self.merge_accumulators([acc, [element]])

    def merge_accumulators(self, accumulators: Iterable[list[tuple[int, Any]]]) -> Any:
        merged = sorted((pair for acc in accumulators for pair in acc), key=lambda p: p[0])
        monoid = self._ready()
        if monoid.commutative and merged:
            return [(merged[0][0], tree_combine(monoid, [value for _, value in merged]))]
        return merged

    def extract_output(self, acc: list[tuple[int, Any]]) -> Any:
        return tree_combine(self._ready(), [value for _, value in sorted(acc, key=lambda p: p[0])])


def _context() -> Any:
    from ..registry import RunContext

    return RunContext()


def _write(folder: str, name: str, body: Any) -> None:
    temporary = Path(folder, f".{name}.{uuid.uuid4().hex}")
    temporary.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, Path(folder, name))


def _save_result(body: dict[str, Any], folder: str) -> None:
    _write(folder, f"part-{body['index']:06d}.json", body)


def _save_combined(value: Any, folder: str) -> None:
    _write(folder, _COMBINED, [value])


def _partial(body: dict[str, Any]) -> Iterator[tuple[int, Any]]:
    if body["failure"] is None and body["outputs"]:
        yield body["index"], body["outputs"][0]


def _build(
    pipeline: beam.Pipeline, task: PartitionTask, partitions: list[list[Any]], folder: str,
    combine: bool,
) -> None:  # fmt: skip
    # Beam's transforms are untyped; the pipeline is plain wiring.
    create: Any = beam.Create(list(enumerate(partitions)))  # type: ignore[no-untyped-call]
    run: Any = beam.ParDo(RunPartition(task))  # type: ignore[no-untyped-call]
    save: Any = beam.Map(_save_result, folder)  # type: ignore[no-untyped-call]
    results = pipeline | "partitions" >> create | "run" >> run
    _ = results | "save" >> save
    if combine:
        partials: Any = beam.FlatMap(_partial)  # type: ignore[no-untyped-call]
        fold: Any = beam.CombineGlobally(MonoidCombine(task))  # type: ignore[no-untyped-call]
        keep: Any = beam.Map(_save_combined, folder)  # type: ignore[no-untyped-call]
        _ = results | "partials" >> partials | "combine" >> fold | "save combined" >> keep


def execute(
    backend: BeamBackend, task: PartitionTask, partitions: list[list[Any]]
) -> Result[Executed, ErrInfo]:
    """Run the Beam pipeline to the end, then read every partition's result back."""
    parent = Path(task.output_dir) if task.output_dir is not None else None
    if parent is not None:
        parent.mkdir(parents=True, exist_ok=True)
    folder = tempfile.mkdtemp(prefix=".pipespec-beam-", dir=parent)
    made, _ = pipeline_for(task)
    combine = isinstance(made, Ok) and made.value.ops[task.stop - 1].type == "Combine"
    try:
        try:
            with beam.Pipeline(options=PipelineOptions(backend.argv())) as pipeline:
                _build(pipeline, task, partitions, folder, combine)
        except Exception as exc:
            message = f"the beam pipeline failed: {type(exc).__name__}: {exc}"
            return Err(ErrInfo(code=OP_FAILED, message=message))
        results = [
            PartitionResult.from_json(json.loads(path.read_text(encoding="utf-8")))
            for path in sorted(Path(folder).glob("part-*.json"))
        ]
        combined_file = Path(folder, _COMBINED)
        combined = None
        if combine and combined_file.is_file():
            (value,) = json.loads(combined_file.read_text(encoding="utf-8"))
            combined = (value,)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Ok(Executed(results=results, combined=combined))
