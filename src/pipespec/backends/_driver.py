"""The driver's side of a partitioned run: split the input, ship a task, merge what comes back."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import BUILD_FAILED, INPUT_FAILED, UNSAFE_SINK, ErrInfo
from ..limits import DEFAULT_LIMITS, Limits
from ..monoids import Monoid
from ..pipeline import OpPlan, Pipeline
from ..registry import RunContext
from ..result import Err, Ok, Result
from ..runtime import Collected, OpStats, RunReport, Tap, run_local
from ._worker import PartitionResult, PartitionTask

__all__ = [
    "Executed",
    "Outcome",
    "PartitionExecutor",
    "merge_receipts",
    "parallel_segment",
    "run_partitioned",
    "split",
    "tree_combine",
    "unsafe_sinks",
]

_COUNTS = ("received", "succeeded", "skipped", "collected", "failed", "emitted")


@dataclass(frozen=True, slots=True, kw_only=True)
class Executed:
    """Every partition's result, and the Combine's value when the engine folded the partials."""

    results: list[PartitionResult]
    combined: tuple[Any] | None = None


class PartitionExecutor(Protocol):
    """Runs a task over every partition somewhere; results may come back in any order."""

    def execute(
        self, task: PartitionTask, partitions: list[list[Any]], *, exactly_once: bool
    ) -> Result[Executed, ErrInfo]: ...


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


def _read_all(items: Iterable[Any]) -> Result[list[Any], ErrInfo]:
    gathered: list[Any] = []
    try:
        for item in items:
            gathered.append(item)
    except Exception as exc:
        message = f"reading input item {len(gathered)} failed: {type(exc).__name__}: {exc}"
        return Err(ErrInfo(code=INPUT_FAILED, message=message))
    return Ok(gathered)


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


@dataclass(slots=True)
class _Merged:
    stats: list[dict[str, Any]]
    collected: list[Collected]
    failure: ErrInfo | None
    failed_at: int | None


def _merge(results: list[PartitionResult], segment: Sequence[OpPlan], file: str | None) -> _Merged:
    stats = [
        {"index": p.index, "name": p.name, "type": p.op.type, **dict.fromkeys(_COUNTS, 0)}
        for p in segment
    ]
    offsets = [0] * len(segment)
    collected: list[Collected] = []
    failure: ErrInfo | None = None
    failed_at: int | None = None
    for result in results:
        where = {plan.index: k for k, plan in enumerate(segment)}
        for record in result.collected:
            k = where[record["op_index"]]
            collected.append(
                Collected(
                    op_index=record["op_index"],
                    op_name=record["op_name"],
                    position=record["position"] + offsets[k],
                    item=record["item"],
                    error=_global(record["error"], offsets[k], file),
                )
            )
        if result.failure is not None and failure is None:
            failed_op = next(
                (k for k, s in enumerate(result.stats) if s.get("failed")), len(result.stats) - 1
            )
            offset = offsets[failed_op] if 0 <= failed_op < len(offsets) else 0
            failure, failed_at = _global(result.failure, offset, file), result.index
        for k, counts in enumerate(result.stats):
            offsets[k] += counts.get("received", 0)
            for name in _COUNTS:
                stats[k][name] += counts.get(name, 0)
    return _Merged(stats, collected, failure, failed_at)


def _monoid(plan: OpPlan) -> Monoid[Any]:
    assert plan.monoid is not None
    if plan.monoid.builtin is not None:
        return plan.monoid.builtin
    assert plan.monoid.entry is not None
    made = plan.monoid.entry.build(plan.monoid.params or {}, RunContext())
    if not isinstance(made, Monoid):
        raise TypeError(f"{plan.monoid.entry.id!r} gave {type(made).__name__}, not a Monoid")
    return made


def _barrier_value(plan: OpPlan, results: list[PartitionResult], executed: Executed) -> Any:
    values = [result.outputs[0] for result in results]
    if plan.op.type == "Sink":
        return merge_receipts(plan, values)
    if executed.combined is not None:
        return executed.combined[0]
    return tree_combine(_monoid(plan), values)


def run_partitioned(
    executor: PartitionExecutor,
    pipeline: Pipeline,
    items: Iterable[Any],
    *,
    spec_text: str,
    partitions: int,
    context: RunContext,
    on_collect: Callable[[Collected], None] | None = None,
    allow: Collection[str] | None = None,
    keep: Collection[int] = (),
    limits: Limits = DEFAULT_LIMITS,
    file: str | None = None,
) -> Outcome:
    """Run ``pipeline`` (possibly a suffix of its spec's ops, when resuming) over ``items``.

    The input is read here and cut into ``partitions`` contiguous parts; each part travels
    with the spec text to the executor, which runs the ops up to the first Combine or Sink
    on it. Outputs come back in partition order; a Combine's partials are tree-combined with
    the monoid, a Sink's receipts merged; the ops after that run here on the one value.
    Counts add up over partitions, and collected items get their position in the whole
    stream, so the report reads as the local backend's would.
    """
    started = time.perf_counter()
    ops = pipeline.ops
    cut = parallel_segment(ops)
    segment, rest = ops[:cut], ops[cut:]
    kept: dict[int, list[Any]] = {}
    collected: list[Collected] = []
    emit = on_collect or collected.append

    def finish(outputs: list[Any], stats: list[OpStats], failure: ErrInfo | None) -> Outcome:
        report = RunReport(
            digest=pipeline.digest,
            ops=tuple(stats),
            outputs=len(outputs),
            seconds=time.perf_counter() - started,
            failure=failure,
            collected=tuple(collected),
        )
        return Outcome(outputs=outputs, report=report, kept=kept)

    def zero(plans: Sequence[OpPlan]) -> list[OpStats]:
        return [OpStats(index=p.index, name=p.name, type=p.op.type, **dict.fromkeys(_COUNTS, 0))
                for p in plans]  # fmt: skip

    read = _read_all(items)
    if isinstance(read, Err):
        return finish([], zero(ops), read.error)
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
    executed = executor.execute(task, split(read.value, partitions), exactly_once=exactly_once)
    if isinstance(executed, Err):
        return finish([], zero(ops), executed.error)
    results = sorted(executed.value.results, key=lambda r: r.index)
    refused = next((r for r in results if r.failure is not None and not r.stats), None)
    if refused is not None and refused.failure is not None:
        # The worker could not rebuild the pipeline: the same error a local run would give.
        return finish([], zero(ops), _global(refused.failure, 0, file))
    merged = _merge(results, segment, file)
    for item in merged.collected:
        emit(item)
    stats = [OpStats(**s) for s in merged.stats]
    barrier = segment[-1].op.type in ("Combine", "Sink")
    if merged.failure is not None:
        upto = [r for r in results if merged.failed_at is None or r.index <= merged.failed_at]
        outputs = [] if barrier else [o for r in upto for o in r.outputs]
        return finish(outputs, stats + zero(rest), merged.failure)
    for op_index in task.keep:
        kept[op_index] = [item for r in results for item in r.kept.get(op_index, [])]
    if not barrier:
        return finish([o for r in results for o in r.outputs], stats, None)
    try:
        value = _barrier_value(segment[-1], results, executed.value)
    except Exception as exc:
        error = ErrInfo(
            code=BUILD_FAILED,
            message=f"op {segment[-1].name!r} could not merge its partitions: "
            f"{type(exc).__name__}: {exc}",
            path=f"/ops/{segment[-1].index}",
        )
        return finish([], stats + zero(rest), error)
    stats[-1] = dataclasses.replace(stats[-1], emitted=1)
    if not rest:
        return finish([value], stats, None)
    taps: dict[int, Tap] = {}
    for plan in rest:
        if plan.index in keep:
            kept[plan.index] = []
            taps[plan.index] = _tap_into(kept[plan.index])
    tail = run_local(dataclasses.replace(pipeline, ops=rest), [value], context=context,
                     on_collect=emit, taps=taps)  # fmt: skip
    outputs = list(tail)
    report = tail.report
    if report.failure is not None:
        for index in list(kept):
            if index > segment[-1].index:
                del kept[index]
    return finish(outputs, stats + list(report.ops), report.failure)


def _tap_into(into: list[Any]) -> Tap:
    def tap(stream: Any) -> Any:
        for item in stream:
            into.append(item)
            yield item

    return tap
