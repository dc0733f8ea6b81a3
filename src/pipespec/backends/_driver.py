"""The driver's side of a partitioned run: split the input, ship a task, merge what comes back."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..errors import BUILD_FAILED, INPUT_FAILED, UNSAFE_SINK, ErrInfo
from ..limits import DEFAULT_LIMITS, Limits
from ..monoids import Monoid
from ..pipeline import OpPlan, Pipeline
from ..registry import RunContext
from ..result import Err, Ok, Result
from ..runtime import Collected, OpStats, RunReport, Tap, run_local
from ._worker import PartitionResult, PartitionTask

__all__ = [
    "DEFAULT_PARTITION_SIZE",
    "Executed",
    "ExecutorFailed",
    "Outcome",
    "PartitionExecutor",
    "Session",
    "StreamingExecutor",
    "TreeFold",
    "merge_receipts",
    "parallel_segment",
    "run_partitioned",
    "split",
    "tree_combine",
    "unsafe_sinks",
]

DEFAULT_PARTITION_SIZE = 1000
"""Items per partition when a streaming executor is not told otherwise."""

_COUNTS = ("received", "succeeded", "skipped", "collected", "failed", "emitted")


@dataclass(frozen=True, slots=True, kw_only=True)
class Executed:
    """Every partition's result, and the Combine's value when the engine folded the partials."""

    results: list[PartitionResult]
    combined: tuple[Any] | None = None


class PartitionExecutor(Protocol):
    """Runs a task over every partition somewhere; results may come back in any order."""

    def partitions(self) -> int: ...

    def execute(
        self, task: PartitionTask, partitions: list[list[Any]], *, exactly_once: bool
    ) -> Result[Executed, ErrInfo]: ...


class ExecutorFailed(Exception):
    """A streaming executor cannot run the task at all (unreachable, refused)."""

    def __init__(self, error: ErrInfo) -> None:
        super().__init__(error.message)
        self.error = error


class Session(Protocol):
    """One run's connection to an engine: partitions go in one at a time, results come out
    in the order they finish. Leaving the context cancels whatever still runs."""

    @property
    def capacity(self) -> int:
        """How many partitions to keep submitted (and waiting to be merged) at once."""

    def submit(self, index: int, items: list[Any]) -> None:
        """Start partition ``index``."""

    def next_result(self) -> PartitionResult:
        """Wait for a submitted partition to finish (a lost one comes back as a failure)."""


@runtime_checkable
class StreamingExecutor(Protocol):
    """An executor fed partitions as the input is read, with a bounded number in flight."""

    def partition_size(self) -> int:
        """Items per partition unless the caller says otherwise."""

    def session(
        self, task: PartitionTask, *, exactly_once: bool
    ) -> AbstractContextManager[Session]:
        """A session for ``task``; raises ``ExecutorFailed`` when it cannot start, and
        UNSAFE_SINK when ``exactly_once`` cannot be promised."""


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
        if plan.op.type in ("Combine", "Sink"):
            return position + 1
    return len(ops)


def unsafe_sinks(ops: Sequence[OpPlan], backend: str, why: str) -> ErrInfo | None:
    """UNSAFE_SINK for the first non-idempotent sink among the ops run per partition."""
    for plan in ops[: parallel_segment(ops)]:
        contract = plan.entry.sink_contract
        if plan.op.type == "Sink" and contract is not None and not contract.idempotent:
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


def tree_combine(monoid: Monoid[Any], values: Sequence[Any]) -> Any:
    """The values combined pairwise, level by level, keeping their order: equal to a left fold
    for any lawful monoid, commutative or not."""
    level = list(values)
    if not level:
        return monoid.identity
    while len(level) > 1:
        pairs = range(0, len(level) - 1, 2)
        merged = [monoid.combine(level[i], level[i + 1]) for i in pairs]
        level = merged + ([level[-1]] if len(level) % 2 else [])
    return level[0]


def merge_receipts(plan: OpPlan, receipts: list[Any]) -> Any:
    """One receipt for the run: the sink's own ``merge_receipts``, else the only receipt, else
    ``{"partitions": [...]}`` holding every partition's in order."""
    if plan.entry.merge_receipts is not None:
        return plan.entry.merge_receipts(list(receipts))
    if len(receipts) == 1:
        return receipts[0]
    return {"partitions": list(receipts)}


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


_POSITION = re.compile(r" input item (\d+)(?=[:,])")


def _global(error: dict[str, Any], offset: int, file: str | None) -> ErrInfo:
    # Workers number items within their partition; the driver knows where each one starts.
    error = dict(error)
    if offset:
        error["message"] = _POSITION.sub(
            lambda m: f" input item {int(m.group(1)) + offset}", error["message"], count=1
        )
    if file is not None and error.get("file") is None:
        error["file"] = file
    return ErrInfo(**error)


def _monoid(plan: OpPlan) -> Monoid[Any]:
    assert plan.monoid is not None
    if plan.monoid.builtin is not None:
        return plan.monoid.builtin
    assert plan.monoid.entry is not None
    made = plan.monoid.entry.build(plan.monoid.params or {}, RunContext())
    if not isinstance(made, Monoid):
        raise TypeError(f"{plan.monoid.entry.id!r} gave {type(made).__name__}, not a Monoid")
    return made


class TreeFold:
    """``tree_combine`` of values given one at a time, holding one partial per level (a
    binary counter): ``add`` each value in order, then ``result()``. The pairs it combines
    are exactly those ``tree_combine`` combines over the whole list."""

    def __init__(self, monoid: Monoid[Any]) -> None:
        self.monoid = monoid
        self.stack: list[tuple[int, Any]] = []  # (how many values, their combination)

    def add(self, value: Any) -> None:
        self.stack.append((1, value))
        while len(self.stack) > 1 and self.stack[-1][0] == self.stack[-2][0]:
            (size, left), (_, right) = self.stack[-2], self.stack[-1]
            self.stack[-2:] = [(2 * size, self.monoid.combine(left, right))]

    def result(self) -> Any:
        if not self.stack:
            return self.monoid.identity
        value = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            value = self.monoid.combine(left, value)
        return value


class _Merger:
    """Partition results merged in partition order as they arrive: results that come early
    wait in ``pending`` until those before them are in. Counts add up, collected items and
    outputs are handed on at once with their position in the whole input, a Combine's
    partials are folded as a tree, a Sink's receipts kept (one small value per partition)."""

    def __init__(
        self,
        segment: Sequence[OpPlan],
        keep: Sequence[int],
        file: str | None,
        emit: Callable[[Collected], None],
        output: Callable[[Any], None],
        kept: Callable[[int, Any], None],
        *,
        fold: bool,
    ) -> None:
        self.segment, self.keep, self.file = segment, keep, file
        self.emit, self.output, self.kept = emit, output, kept
        self.stats: list[dict[str, Any]] = [
            {"index": p.index, "name": p.name, "type": p.op.type, **dict.fromkeys(_COUNTS, 0)}
            for p in segment
        ]
        self.where = {plan.index: k for k, plan in enumerate(segment)}
        self.offsets = [0] * len(segment)
        self.barrier = segment[-1].op.type in ("Combine", "Sink")
        self.fold: TreeFold | None = None
        self.folding = fold and segment[-1].op.type == "Combine"
        self.receipts: list[Any] = []
        self.pending: dict[int, PartitionResult] = {}
        self.next = 0
        self.outputs = 0
        self.failure: ErrInfo | None = None
        self.refused: ErrInfo | None = None
        self.broken: ErrInfo | None = None
        """The barrier's merge raised."""
        self.halted = False
        """A failure has come in (in any partition): submit no more partitions."""

    @property
    def done(self) -> bool:
        """Nothing more can change the outcome: refused, failed in order, or merge broken."""
        return self.refused is not None or self.failure is not None or self.broken is not None

    def add(self, result: PartitionResult) -> None:
        if result.failure is not None and not result.stats:
            # The worker could not rebuild the pipeline: the same error a local run would give.
            self.refused = _global(result.failure, 0, self.file)
        if result.failure is not None:
            self.halted = True
        self.pending[result.index] = result
        while not self.done and self.next in self.pending:
            self._take(self.pending.pop(self.next))
            self.next += 1
        if self.done:
            self.halted = True
            self.pending.clear()

    def _take(self, result: PartitionResult) -> None:
        offsets = self.offsets
        for record in result.collected:
            k = self.where[record["op_index"]]
            self.emit(
                Collected(
                    op_index=record["op_index"],
                    op_name=record["op_name"],
                    position=record["position"] + offsets[k],
                    item=record["item"],
                    error=_global(record["error"], offsets[k], self.file),
                )
            )
        if result.failure is not None:
            failed_op = next(
                (k for k, s in enumerate(result.stats) if s.get("failed")), len(result.stats) - 1
            )
            offset = offsets[failed_op] if 0 <= failed_op < len(offsets) else 0
            self.failure = _global(result.failure, offset, self.file)
        for k, counts in enumerate(result.stats):
            offsets[k] += counts.get("received", 0)
            for name in _COUNTS:
                self.stats[k][name] += counts.get(name, 0)
        if not self.barrier:
            for output in result.outputs:
                self.output(output)
            self.outputs += len(result.outputs)
        if self.failure is not None:
            return
        for op_index in self.keep:
            for item in result.kept.get(op_index, []):
                self.kept(op_index, item)
        if self.barrier:
            self._partial(result.outputs[0])

    def _partial(self, value: Any) -> None:
        plan = self.segment[-1]
        try:
            if plan.op.type == "Sink":
                self.receipts.append(value)
            elif self.folding:
                if self.fold is None:
                    self.fold = TreeFold(_monoid(plan))
                self.fold.add(value)
        except Exception as exc:
            self._broke(exc)

    def _broke(self, exc: Exception) -> None:
        plan = self.segment[-1]
        self.broken = ErrInfo(
            code=BUILD_FAILED,
            message=f"op {plan.name!r} could not merge its partitions: {type(exc).__name__}: {exc}",
            path=f"/ops/{plan.index}",
        )

    def value(self, combined: tuple[Any] | None) -> Any:
        """The barrier's one value: merged receipts, or the folded partials (or the engine's
        own fold, ``combined``); None with ``broken`` set when the merge raised."""
        plan = self.segment[-1]
        try:
            if plan.op.type == "Sink":
                return merge_receipts(plan, self.receipts)
            if combined is not None:
                return combined[0]
            if self.fold is None:
                self.fold = TreeFold(_monoid(plan))
            return self.fold.result()
        except Exception as exc:
            self._broke(exc)
            return None


def _in_flight(session: Session, source: Iterator[list[Any]], merger: _Merger, bound: int) -> None:
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
        return [OpStats(index=p.index, name=p.name, type=p.op.type, **dict.fromkeys(_COUNTS, 0))
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
    contract = [p.entry.sink_contract for p in segment if p.op.type == "Sink"]
    exactly_once = any(c is not None and not c.idempotent for c in contract)
    for op_index in task.keep:
        kept[op_index] = []

    def keep_item(op_index: int, item: Any) -> None:
        kept[op_index].append(item)

    combined: tuple[Any] | None = None
    read_error: ErrInfo | None = None
    if isinstance(executor, StreamingExecutor):
        merger = _Merger(segment, task.keep, file, emit, output, on_kept or keep_item, fold=True)
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
        merger = _Merger(segment, task.keep, file, emit, output, on_kept or keep_item,
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
