"""The embedded local backend: streams items through a reconstructed pipeline in this process."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from ..errors import BUILD_FAILED, ErrInfo
from ..monoids import Monoid
from ..registry import RunContext
from ..result import Err, Ok, Result
from ._report import Collected, OpStats, RunReport
from ._stages import Counter, Failed, Stage, source, stage

if TYPE_CHECKING:
    from ..pipeline import OpPlan, Pipeline

__all__ = ["Collected", "Failed", "OpStats", "Run", "RunReport", "Tap", "run_local"]

Tap = Callable[[Iterator[Any]], Iterator[Any]]


def _built(plan: OpPlan, context: RunContext) -> tuple[Any, Monoid[Any] | None]:
    """What an op's entry (and, for Combine, its monoid) builds when the run starts."""
    built = plan.entry.build(plan.params, context)
    monoid = plan.monoid
    if monoid is None:
        return built, None
    if monoid.builtin is not None:
        return built, monoid.builtin
    assert monoid.entry is not None
    made = monoid.entry.build(monoid.params or {}, context)
    if not isinstance(made, Monoid):
        raise TypeError(
            f"monoid factory {monoid.entry.id!r} built {type(made).__name__}, not a Monoid"
        )
    return built, made


class Run:
    """One execution of a pipeline over some items: an iterator of its outputs, then a report.

    Nothing happens until the first output is asked for; then every entry is built and items
    stream through the ops one at a time (a BatchMap holds at most ``max_batch_size``). A
    run can be iterated once. Failures never raise: iteration ends, and ``result()`` or
    ``report`` tells what happened.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        items: Iterable[Any],
        context: RunContext,
        on_collect: Callable[[Collected], None] | None,
        taps: Mapping[int, Tap] | None = None,
    ) -> None:
        self._pipeline = pipeline
        self._taps = taps or {}
        self._items = items
        self._context = context
        self._on_collect = on_collect
        self._kept: list[Collected] = []
        self._counters = [Counter(plan) for plan in pipeline.ops]
        self._outputs: Iterator[Any] | None = None
        self._done = False
        self._failure: ErrInfo | None = None
        self._emitted = 0
        self._started = 0.0
        self._seconds = 0.0

    def _collect(self, record: Collected) -> None:
        if self._on_collect is None:
            self._kept.append(record)
        else:
            self._on_collect(record)

    def _start(self) -> Iterator[Any]:
        self._started = time.perf_counter()
        stream: Iterator[Any] = source(self._items)
        for counter in self._counters:
            plan = counter.plan
            try:
                built, monoid = _built(plan, self._context)
            except Exception as exc:
                raise Failed(
                    ErrInfo(
                        code=BUILD_FAILED,
                        message=f"op {plan.name!r} (/ops/{plan.index}) could not be built from "
                        f"{plan.entry.id!r}: {type(exc).__name__}: {exc}",
                        path=f"/ops/{plan.index}",
                    )
                ) from exc
            stream = stage(Stage(counter, self._collect), built, monoid, stream)
            tap = self._taps.get(plan.index)
            if tap is not None:
                stream = tap(stream)
        return stream

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        if self._done:
            raise StopIteration
        try:
            if self._outputs is None:
                self._outputs = self._start()
            output = next(self._outputs)
        except StopIteration:
            self._finish()
            raise
        except Failed as failed:
            self._failure = failed.error
            self._finish()
            raise StopIteration from None
        self._emitted += 1
        return output

    def _finish(self) -> None:
        self._done = True
        self._seconds = time.perf_counter() - self._started if self._started else 0.0
        if isinstance(self._outputs, Generator):
            # Closing runs the stages' cleanup now rather than whenever they are collected.
            self._outputs.close()

    def _drain(self) -> None:
        for _ in self:
            pass

    @property
    def report(self) -> RunReport:
        """The run's report; asking for it first runs whatever is left, discarding outputs."""
        self._drain()
        return RunReport(
            digest=self._pipeline.digest,
            ops=tuple(counter.freeze() for counter in self._counters),
            outputs=self._emitted,
            seconds=self._seconds,
            failure=self._failure,
            collected=tuple(self._kept),
            collected_total=sum(counter.collected for counter in self._counters),
        )

    def result(self) -> Result[RunReport, ErrInfo]:
        """``Ok(report)`` once the run has finished, or ``Err`` with why it stopped."""
        report = self.report
        return Err(report.failure) if report.failure is not None else Ok(report)

    def to_list(self) -> Result[list[Any], ErrInfo]:
        """Every remaining output, or why the run stopped; the report stays on ``report``."""
        outputs = list(self)
        return Err(self._failure) if self._failure is not None else Ok(outputs)


def run_local(
    pipeline: Pipeline,
    items: Iterable[Any],
    *,
    context: RunContext,
    on_collect: Callable[[Collected], None] | None = None,
    taps: Mapping[int, Tap] | None = None,
) -> Run:
    """A ``Run`` of ``pipeline`` over ``items`` in this process; nothing runs until iterated.

    ``taps`` maps an op's index (as in the document) to a function that wraps the stream of
    that op's outputs, to observe or persist them; a tap that raises ``Failed`` stops the run.
    """
    return Run(pipeline, items, context, on_collect, taps)
