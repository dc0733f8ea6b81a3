"""Partition results merged in partition order: counts, positions, Combine partials, receipts."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import BUILD_FAILED, ErrInfo
from ..monoids import Monoid
from ..pipeline import OpPlan
from ..registry import RunContext
from ..runtime import Collected
from ._worker import PartitionResult

__all__ = ["COUNTS", "Merger", "TreeFold", "merge_receipts", "tree_combine"]

COUNTS = ("received", "succeeded", "skipped", "collected", "failed", "emitted")


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


class Merger:
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
            {"index": p.index, "name": p.name, "type": p.type, **dict.fromkeys(COUNTS, 0)}
            for p in segment
        ]
        self.where = {plan.index: k for k, plan in enumerate(segment)}
        self.offsets = [0] * len(segment)
        self.barrier = segment[-1].type in ("Combine", "Sink")
        self.fold: TreeFold | None = None
        self.folding = fold and segment[-1].type == "Combine"
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
            for name in COUNTS:
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
            if plan.type == "Sink":
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
            if plan.type == "Sink":
                return merge_receipts(plan, self.receipts)
            if combined is not None:
                return combined[0]
            if self.fold is None:
                self.fold = TreeFold(_monoid(plan))
            return self.fold.result()
        except Exception as exc:
            self._broke(exc)
            return None
