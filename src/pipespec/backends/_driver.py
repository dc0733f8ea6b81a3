"""The driver's side of a partitioned run: split the input, ship a task, merge what comes back."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import INPUT_FAILED, UNSAFE_SINK, ErrInfo
from ..limits import DEFAULT_LIMITS, Limits
from ..pipeline import OpPlan, Pipeline
from ..registry import RunContext
from ..result import Err, Ok, Result
from ..runtime import Collected, OpStats, RunReport, Tap, run_local
from ._executors import (
    ExecutorFailed,
    PartitionExecutor,
    Session,
    StreamingExecutor,
)
from ._merge import COUNTS, Merger
from ._worker import PartitionTask

__all__ = ["Outcome", "parallel_segment", "run_partitioned", "split", "unsafe_sinks"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """A finished partitioned run: its outputs in order, its report, the kept op outputs."""

    outputs: list[Any]
    report: RunReport
    kept: dict[int, list[Any]] = field(default_factory=dict)
    """For each op asked to be kept that ran to the end everywhere: its outputs, in order."""


def parallel_segment(ops: Sequence[OpPlan]) -> int:
    """How many of ``ops`` run per partition: up to and including the first Combine or Sink,
    which emits one value per partition that the driver merges; the rest run on the driver."""
    for position, plan in enumerate(ops):
        if plan.type in ("Combine", "Sink"):
            return position + 1
    return len(ops)


def unsafe_sinks(ops: Sequence[OpPlan], backend: str, why: str) -> ErrInfo | None:
    """UNSAFE_SINK for the first non-idempotent sink among the ops run per partition."""
    for plan in ops[: parallel_segment(ops)]:
        contract = plan.entry.sink_contract
        if plan.type == "Sink" and contract is not None and not contract.idempotent:
            return ErrInfo(
                code=UNSAFE_SINK,
                message=(
                    f"sink {plan.name!r} ({plan.entry.id}) is not idempotent, and the {backend} "
                    f"backend {why}, so a retried task could write its items twice; use an "
                    "idempotent sink, or run it where tasks run once"
                ),
                path=f"/ops/{plan.index}/sink_contract/idempotent",
                expected="an idempotent sink, or a backend that runs each task once",
                found="idempotent: false",
            )
    return None


def split(items: list[Any], count: int) -> list[list[Any]]:
    """``items`` cut into ``count`` contiguous partitions of nearly equal size (at least one)."""
    count = max(1, min(count, len(items)))
    size, extra = divmod(len(items), count)
    parts, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        parts.append(items[start:end])
        start = end
    return parts


class _Input:
    """The input read lazily and cut, as it comes, into partitions of at most ``size`` items;
    a reader that raises ends it, and ``error`` says why (INPUT_FAILED)."""

    def __init__(self, items: Iterable[Any], size: int) -> None:
        self.items = items
        self.size = max(1, size)
        self.read = 0
        self.error: ErrInfo | None = None

    def _failed(self, exc: Exception) -> None:
        message = f"reading input item {self.read} failed: {type(exc).__name__}: {exc}"
        self.error = ErrInfo(code=INPUT_FAILED, message=message)

    def partitions(self) -> Iterator[list[Any]]:
        """The partitions in order; an empty input is one empty partition, as ``split`` gives."""
        try:
            iterator = iter(self.items)
        except Exception as exc:
            self._failed(exc)
            return
        first, done = True, False
        while not done:
            part: list[Any] = []
            try:
                while len(part) < self.size:
                    part.append(next(iterator))
                    self.read += 1
            except StopIteration:
                done = True
            except Exception as exc:
                self._failed(exc)
                return
            if part or first:
                yield part
            first = False


def _read_all(items: Iterable[Any]) -> Result[list[Any], ErrInfo]:
    source = _Input(items, 1 << 62)
    gathered = [item for part in source.partitions() for item in part]
    return Err(source.error) if source.error is not None else Ok(gathered)


def _in_flight(session: Session, source: Iterator[list[Any]], merger: Merger, bound: int) -> None:
    """Keep at most ``bound`` partitions submitted or waiting to be merged; submit the next
    as one completes, stop submitting once a failure comes in, stop waiting once the
    outcome is settled (the session's close then cancels what still runs)."""
    submitted = running = 0
    exhausted = False
    while True:
        while not (exhausted or merger.halted) and running + len(merger.pending) < bound:
            part = next(source, None)
            if part is None:
                exhausted = True
                break
            session.submit(submitted, part)
            submitted += 1
            running += 1
        if running == 0 or merger.done:
            return
        result = session.next_result()
        running -= 1
        merger.add(result)


def run_partitioned(
    executor: PartitionExecutor | StreamingExecutor,
    pipeline: Pipeline,
    items: Iterable[Any],
    *,
    spec_text: str,
    partitions: int | None = None,
    partition_size: int | None = None,
    context: RunContext,
    on_collect: Callable[[Collected], None] | None = None,
    on_output: Callable[[Any], None] | None = None,
    on_kept: Callable[[int, Any], None] | None = None,
    allow: Collection[str] | None = None,
    keep: Collection[int] = (),
    limits: Limits = DEFAULT_LIMITS,
    file: str | None = None,
) -> Outcome:
    """Run ``pipeline`` (possibly a suffix of its spec's ops, when resuming) over ``items``.

    A ``StreamingExecutor`` (Dask) gets the input as it is read, cut into partitions of at
    most ``partition_size`` items (default: the executor's), with a bounded number of them
    submitted at once; any other executor gets the whole input cut into ``partitions``
    contiguous parts (default: the executor's). Each part travels with the spec text and
    runs the ops up to the first Combine or Sink. Results are merged in partition order as
    they come in: counts add up, collected items get their position in the whole stream
    (so the report reads as the local backend's would), a Combine's partials are
    tree-combined with the monoid, a Sink's receipts merged; the ops after that run here on
    the one value. A fail_fast failure stops the submission of further partitions.

    ``on_output`` receives the outputs in order instead of ``Outcome.outputs`` holding them;
    ``on_kept(op_index, item)`` the outputs of the kept ops run per partition, in order,
    instead of ``Outcome.kept`` (the caller keeps them only if the run has no failure).
    """
    started = time.perf_counter()
    ops = pipeline.ops
    cut = parallel_segment(ops)
    segment, rest = ops[:cut], ops[cut:]
    kept: dict[int, list[Any]] = {}
    collected: list[Collected] = []
    outputs: list[Any] = []
    emit = on_collect or collected.append
    output = on_output or outputs.append

    def finish(count: int, stats: list[OpStats], failure: ErrInfo | None) -> Outcome:
        report = RunReport(
            digest=pipeline.digest,
            ops=tuple(stats),
            outputs=count,
            seconds=time.perf_counter() - started,
            failure=failure,
            collected=tuple(collected),
        )
        return Outcome(outputs=outputs, report=report, kept=kept)

    def zero(plans: Sequence[OpPlan]) -> list[OpStats]:
        return [OpStats(index=p.index, name=p.name, type=p.type, **dict.fromkeys(COUNTS, 0))
                for p in plans]  # fmt: skip

    task = PartitionTask(
        spec_text=spec_text,
        digest=pipeline.digest,
        start=segment[0].index,
        stop=segment[-1].index + 1,
        allow=tuple(sorted(allow)) if allow is not None else None,
        keep=tuple(sorted(i for i in keep if i <= segment[-1].index)),
        output_dir=str(context.output_dir) if context.output_dir is not None else None,
        limits=limits,
    )
    contract = [p.entry.sink_contract for p in segment if p.type == "Sink"]
    exactly_once = any(c is not None and not c.idempotent for c in contract)
    for op_index in task.keep:
        kept[op_index] = []

    def keep_item(op_index: int, item: Any) -> None:
        kept[op_index].append(item)

    combined: tuple[Any] | None = None
    read_error: ErrInfo | None = None
    if isinstance(executor, StreamingExecutor):
        merger = Merger(segment, task.keep, file, emit, output, on_kept or keep_item, fold=True)
        source = _Input(items, partition_size or executor.partition_size())
        try:
            with executor.session(task, exactly_once=exactly_once) as session:
                _in_flight(session, source.partitions(), merger, max(1, session.capacity))
        except ExecutorFailed as exc:
            return finish(0, zero(ops), exc.error)
        read_error = source.error
    else:
        read = _read_all(items)
        if isinstance(read, Err):
            return finish(0, zero(ops), read.error)
        count = partitions or executor.partitions()
        executed = executor.execute(task, split(read.value, count), exactly_once=exactly_once)
        if isinstance(executed, Err):
            return finish(0, zero(ops), executed.error)
        combined = executed.value.combined
        merger = Merger(segment, task.keep, file, emit, output, on_kept or keep_item,
                         fold=combined is None)  # fmt: skip
        for result in sorted(executed.value.results, key=lambda r: r.index):
            merger.add(result)
            if merger.done:
                break
    if merger.refused is not None:
        kept.clear()
        return finish(0, zero(ops), merger.refused)
    stats = [OpStats(**s) for s in merger.stats]
    failure = merger.failure or merger.broken or read_error
    if failure is not None:
        kept.clear()
        return finish(merger.outputs, stats + zero(rest), failure)
    if not merger.barrier:
        return finish(merger.outputs, stats, None)
    value = merger.value(combined)
    if merger.broken is not None:
        kept.clear()
        return finish(0, stats + zero(rest), merger.broken)
    stats[-1] = dataclasses.replace(stats[-1], emitted=1)
    if not rest:
        output(value)
        return finish(1, stats, None)
    taps: dict[int, Tap] = {}
    for plan in rest:
        if plan.index in keep:
            kept[plan.index] = []
            taps[plan.index] = _tap_into(kept[plan.index])
    tail = run_local(dataclasses.replace(pipeline, ops=rest), [value], context=context,
                     on_collect=emit, taps=taps)  # fmt: skip
    count = 0
    for item in tail:
        output(item)
        count += 1
    report = tail.report
    if report.failure is not None:
        for index in list(kept):
            if index > segment[-1].index:
                del kept[index]
    return finish(count, stats + list(report.ops), report.failure)


def _tap_into(into: list[Any]) -> Tap:
    def tap(stream: Any) -> Any:
        for item in stream:
            into.append(item)
            yield item

    return tap
