"""A job: one run of a sealed spec over an input path, leaving outputs, errors and a run record."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..backends import Backend, run_partitioned
from ..backends._driver import unsafe_sinks
from ..digest import digest
from ..errors import BUILD_FAILED, IO_ERROR, ErrInfo
from ..limits import DEFAULT_LIMITS, Limits
from ..pipeline import Pipeline
from ..read import Document
from ..reconstruction import Source, reconstruct, serialize
from ..registry import Entry, Registry, RunContext
from ..result import Err, Ok, Result
from ..runtime import Collected, Failed, RunReport, Tap, run_local
from ._inputs import input_digest, pick_reader
from ._materialize import Point, PointWriter, points

__all__ = ["ERRORS", "OUTPUTS", "RECORD", "JobRecord", "run_job"]

RECORD = "run-record.json"
OUTPUTS = "outputs.jsonl"
ERRORS = "errors.jsonl"


@dataclass(frozen=True, slots=True, kw_only=True)
class JobRecord:
    """What a job did, so every result traces back to the exact spec and input that made it."""

    spec_digest: str
    input_digest: str
    registry_versions: dict[str, str]
    resumed_from: str | None
    report: RunReport
    run_digest: str
    """Digest of everything above but the timings: equal for a repeated, identical run."""
    output_dir: Path
    backend: str = "local"
    """Where it ran; not covered by ``run_digest``, since every backend gives the same result."""

    def to_json(self) -> dict[str, Any]:
        body = _record_body(self.spec_digest, self.input_digest, self.registry_versions,
                            self.resumed_from, self.report)  # fmt: skip
        return {**body, "run_digest": self.run_digest, "backend": self.backend,
                "seconds": round(self.report.seconds, 6)}  # fmt: skip


def _record_body(
    spec_digest: str,
    input_digest_: str,
    versions: dict[str, str],
    resumed_from: str | None,
    report: RunReport,
) -> dict[str, Any]:
    summary = report.to_json()
    del summary["seconds"]
    return {
        "spec_digest": spec_digest,
        "input_digest": input_digest_,
        "registry_versions": versions,
        "resumed_from": resumed_from,
        "report": summary,
    }


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return repr(value)
    return value


class _ErrorOutput:
    """The error output of a run: one JSON line per collected item."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stream: Any = None

    def __call__(self, record: Collected) -> None:
        if self.stream is None:
            self.stream = self.path.open("w", encoding="utf-8")
        line = {
            "op": record.op_name,
            "op_index": record.op_index,
            "position": record.position,
            "error": record.error.to_report(),
            "item": _jsonable(record.item),
        }
        self.stream.write(json.dumps(line, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()


def _counted(items: Any, progress: Callable[[int], None]) -> Iterator[Any]:
    for count, item in enumerate(items, start=1):
        yield item
        progress(count)


def _versions(
    pipeline: Pipeline, reader_id: str | None, reader_version: str | None
) -> dict[str, str]:
    versions = {plan.entry.id: plan.entry.version for plan in pipeline.ops}
    for plan in pipeline.ops:
        if plan.monoid is not None and plan.monoid.entry is not None:
            versions[plan.monoid.entry.id] = plan.monoid.entry.version
    if reader_id is not None and reader_version is not None:
        versions[reader_id] = reader_version
    return dict(sorted(versions.items()))


def _resume_point(found: list[Point]) -> Point | None:
    complete = [point for point in found if point.is_complete()]
    return complete[-1] if complete else None


def _spec_text(source: Source, pipeline: Pipeline) -> tuple[str, str | None]:
    """The text workers rebuild from, and the file errors name: the user's own text when
    there is one, so a worker's error points at the same line and column."""
    if isinstance(source, Document):
        return source.text, source.source
    if isinstance(source, str):
        return source, None
    return serialize(pipeline), None


def _persist(point: Point, items: list[Any]) -> None:
    for _ in point.tap(iter(items)):
        pass


class _KeptPoints:
    """The materialization points of the ops a backend runs per partition, written as their
    items come back in order; complete only when the whole run succeeded."""

    def __init__(self, found: list[Point]) -> None:
        self.found = found
        self.writers: dict[int, PointWriter] = {}
        self.failed: dict[int, ErrInfo] = {}

    def __call__(self, op_index: int, item: Any) -> None:
        if op_index in self.failed:
            return
        if op_index not in self.writers:
            point = next(point for point in self.found if point.index == op_index)
            self.writers[op_index] = point.writer()
        try:
            self.writers[op_index].write(item)
        except Failed as failed:
            self.failed[op_index] = failed.error

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()

    def complete(self, report: RunReport, kept: dict[int, list[Any]]) -> RunReport:
        """Mark every point complete in order (the ops after the partitions' last one are
        persisted from ``kept``); the first point that fails fails the run."""
        for point in self.found:
            try:
                if point.index in self.failed:
                    raise Failed(self.failed[point.index])
                if point.index in self.writers:
                    self.writers[point.index].complete()
                elif point.index in kept:
                    _persist(point, kept[point.index])
            except Failed as failed:
                return dataclasses.replace(report, failure=failed.error)
        return report


def run_job(
    source: Source,
    registry: Registry,
    *,
    input_path: Path,
    output_dir: Path,
    resume: bool = False,
    allow: Collection[str] | None = None,
    reader_id: str | None = None,
    progress: Callable[[int], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    backend: Backend | None = None,
) -> Result[JobRecord, ErrInfo]:
    """Reconstruct ``source``, read ``input_path`` with the registry's reader, run, and leave
    in ``output_dir`` the outputs (``outputs.jsonl``), the error output (``errors.jsonl``),
    materialized points and the run record (``run-record.json``).

    With ``resume``, the last complete materialization point for this spec prefix and this
    input is read back instead of recomputing the ops up to it.

    ``backend`` None streams on the embedded local backend. Any other backend gets the
    input cut into partitions and the spec text (see ``pipespec.backends``); a sink that is
    not idempotent on a backend that may retry tasks is refused (UNSAFE_SINK) before the
    input is opened. The files left are the same: outputs in partition order, so equal to a
    local run's as a multiset (and in order when the ops keep one output per item).
    """
    match reconstruct(source, registry, allow=allow, limits=limits):
        case Err() as failed:
            return failed
        case Ok(pipeline):
            pass
    if backend is not None and backend.may_retry is not None:
        unsafe = unsafe_sinks(pipeline.ops, backend.name, backend.may_retry)
        if unsafe is not None:
            return Err(unsafe)
    match input_digest(input_path):
        case Err() as failed:
            return failed
        case Ok(in_digest):
            pass
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return Err(ErrInfo(code=IO_ERROR, message=f"cannot create {output_dir}: {exc.strerror}"))
    context = RunContext(output_dir=output_dir)
    found = points(pipeline, in_digest, output_dir)
    start = _resume_point(found) if resume else None
    reader: Entry | None = None
    rest = pipeline.ops[start.index + 1 :] if start is not None else pipeline.ops
    if start is not None:
        items: Any = start.items()
    else:
        match pick_reader(registry, pipeline.ops[0].wire["in_type"], reader_id):
            case Err() as failed:
                return failed
            case Ok(chosen):
                reader = chosen
        try:
            items = reader.build({}, context)(input_path)
        except Exception as exc:
            message = f"reader {reader.id!r} failed to start: {type(exc).__name__}: {exc}"
            return Err(ErrInfo(code=BUILD_FAILED, message=message))
    if progress is not None:
        items = _counted(items, progress)
    taps: dict[int, Tap] = {
        point.index: point.tap for point in found if start is None or point.index > start.index
    }
    errors = _ErrorOutput(output_dir / ERRORS)
    remaining = dataclasses.replace(pipeline, ops=rest)
    try:
        with (output_dir / OUTPUTS).open("w", encoding="utf-8") as out:
            if backend is None:
                run = run_local(remaining, items, context=context, on_collect=errors, taps=taps)
                for output in run:
                    out.write(json.dumps(_jsonable(output), ensure_ascii=False) + "\n")
                report = run.report
            else:
                text, file = _spec_text(source, pipeline)
                kept = _KeptPoints([point for point in found if point.index in taps])

                def write(output: Any) -> None:
                    out.write(json.dumps(_jsonable(output), ensure_ascii=False) + "\n")

                try:
                    outcome = run_partitioned(
                        backend, remaining, items, spec_text=text, context=context,
                        on_collect=errors, on_output=write, on_kept=kept, allow=allow,
                        keep=tuple(taps), limits=limits, file=file,
                    )  # fmt: skip
                finally:
                    kept.close()
                report = outcome.report
                if report.failure is None:
                    report = kept.complete(report, outcome.kept)
    finally:
        errors.close()
    versions = _versions(
        pipeline, reader.id if reader else None, reader.version if reader else None
    )
    resumed = start.name if start is not None else None
    body = _record_body(pipeline.digest, in_digest, versions, resumed, report)
    run_digest = digest(body)
    assert isinstance(run_digest, Ok)
    record = JobRecord(
        spec_digest=pipeline.digest,
        input_digest=in_digest,
        registry_versions=versions,
        resumed_from=resumed,
        report=report,
        run_digest=run_digest.value,
        output_dir=output_dir,
        backend=backend.name if backend is not None else "local",
    )
    (output_dir / RECORD).write_text(
        json.dumps(record.to_json(), indent=2) + "\n", encoding="utf-8"
    )
    return Err(report.failure) if report.failure is not None else Ok(record)
