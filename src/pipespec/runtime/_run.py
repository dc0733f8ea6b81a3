"""A run on the local backend: a lazy, single-pass iterator of outputs that ends with a report."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from ..errors import OP_FAILED, ErrInfo
from ..registry import RunContext
from ..result import Err, Ok, Result
from ._build import build_stage
from ._report import Collected, RunReport
from ._stages import Failed, OpRun, describe, source

if TYPE_CHECKING:
    from ..pipeline import Pipeline

__all__ = ["Run", "Tap", "run_local"]

Tap = Callable[[Iterator[Any]], Iterator[Any]]
"""Wraps the stream of one op's outputs, to observe or persist them; may raise ``Failed``."""

_NO_TAPS: Mapping[int, Tap] = MappingProxyType({})


class Run:
    """One execution of a pipeline over some items: an iterator of its outputs, then a report.

    Nothing happens until the first output is asked for. Then every op's entry is built, in
    order, and items stream through the ops one at a time: memory does not grow with the
    input (a BatchMap holds at most ``max_batch_size`` items, a FlatMap one item's outputs).
    A run can be iterated once. Failures never raise: iteration just ends, and ``result()``
    or ``report`` tells why. Only a ``BaseException`` that is not an ``Exception``
    (``KeyboardInterrupt``, ``SystemExit``, ``GeneratorExit``) propagates; the run is then
    over, and its report says it was interrupted.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        items: Iterable[Any],
        *,
        context: RunContext,
        on_collect: Callable[[Collected], None] | None,
        taps: Mapping[int, Tap],
    ) -> None:
        self._pipeline = pipeline
        self._items: Iterable[Any] | None = items
        self._context = context
        self._on_collect = on_collect
        self._taps = taps
        self._ops = [OpRun(plan, self._collect) for plan in pipeline.ops]
        self._kept: list[Collected] = []
        self._stream: Iterator[Any] | None = None
        self._busy = False
        self._done = False
        self._failure: ErrInfo | None = None
        self._outputs = 0
        self._started: float | None = None
        self._seconds = 0.0
        self._report: RunReport | None = None

    def _collect(self, record: Collected) -> None:
        if self._on_collect is None:
            self._kept.append(record)
        else:
            self._on_collect(record)

    def _start(self) -> Iterator[Any]:
        assert self._items is not None
        stream = source(self._items)
        # The run holds the input only through the chain, which it drops when done.
        self._items = None
        for op in self._ops:
            stream = build_stage(op, self._context, stream)
            tap = self._taps.get(op.plan.index)
            if tap is not None:
                stream = tap(stream)
        return stream

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        if self._done:
            raise StopIteration
        if self._busy:
            # An op or a callback reached back into its own run; the generators cannot be
            # re-entered, so the run stops once the outer step returns.
            self._failure = self._failure or ErrInfo(
                code=OP_FAILED, message="the run was iterated from inside one of its own ops"
            )
            raise StopIteration
        self._busy = True
        try:
            if self._stream is None:
                self._started = time.perf_counter()
                self._stream = self._start()
            output = next(self._stream)
        except StopIteration:
            self._finish(None)
            raise
        except Failed as failed:
            self._finish(failed.error)
            raise StopIteration from None
        except Exception as exc:
            # Stages and taps turn every expected failure into Failed; this is a last guard.
            self._finish(ErrInfo(code=OP_FAILED, message=f"the run failed: {describe(exc)}"))
            raise StopIteration from None
        except BaseException as exc:
            interrupted = f"the run was interrupted: {describe(exc)}"
            self._finish(ErrInfo(code=OP_FAILED, message=interrupted))
            raise
        finally:
            self._busy = False
        if self._failure is not None:
            self._finish(None)
            raise StopIteration
        self._outputs += 1
        return output

    def _finish(self, error: ErrInfo | None) -> None:
        self._done = True
        if self._failure is None:
            self._failure = error
        if self._started is not None:
            self._seconds = time.perf_counter() - self._started
        stream, self._stream = self._stream, None
        if isinstance(stream, Generator):
            # Run the stages' (and taps') cleanup now rather than whenever they are collected.
            try:
                stream.close()
            except Exception as exc:
                if self._failure is None:
                    self._failure = ErrInfo(
                        code=OP_FAILED, message=f"the run failed to clean up: {describe(exc)}"
                    )

    def _drain(self) -> None:
        for _ in self:
            pass

    @property
    def report(self) -> RunReport:
        """The run's report; asking for it first runs whatever is left, discarding outputs."""
        self._drain()
        if self._report is not None:
            return self._report
        report = RunReport(
            digest=self._pipeline.digest,
            ops=tuple(op.stats() for op in self._ops),
            outputs=self._outputs,
            seconds=self._seconds,
            failure=self._failure,
            collected=tuple(self._kept),
        )
        if self._done:
            self._report = report
        return report

    def result(self) -> Result[RunReport, ErrInfo]:
        """Runs whatever is left, discarding outputs; ``Ok(report)``, or ``Err`` with why the
        run stopped (the report is still on ``report``)."""
        report = self.report
        return Err(report.failure) if report.failure is not None else Ok(report)

    def to_list(self) -> Result[list[Any], ErrInfo]:
        """Every output not yet iterated, or why the run stopped; the report is on ``report``."""
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

    When iteration starts each op's entry is built once, in order, with ``context``; a build
    that raises stops the run with BUILD_FAILED before any item is read. Then:

    - Map calls its function once per item. FlatMap gathers one item's outputs before
      emitting any, so an item that fails half-way emits nothing.
    - BatchMap calls its function on batches of at most ``max_batch_size`` items, in order.
      A batch whose call raises, or answers with a non-sequence or the wrong length, is
      re-run item by item (``fn([item])``) to find the items at fault: the policy applies
      to those, the others are emitted in order. The function thus sees a failing batch's
      items twice.
    - Combine lifts every item and folds it into an accumulator starting at the monoid's
      identity; it emits exactly one value when its input ends (the identity for none).
    - Sink writes every item. Its writer opens when the run starts, so an empty input still
      yields a receipt: ``close()``'s value, the one output. A sink that fails to close
      fails the run; a run that stops early leaves its sink unclosed.

    An item that fails is handled by its op's ``error_policy``: ``skip`` drops and counts it;
    ``collect`` counts it and hands a ``Collected`` record to ``on_collect`` when given (if
    that raises, the run fails with OP_FAILED), else keeps it in the report; ``fail_fast``
    stops the run with OP_FAILED, and the outputs already emitted stay emitted. An input
    that raises stops the run with INPUT_FAILED.

    ``taps`` maps an op's ``index`` to a function that wraps the stream of that op's
    outputs, to observe or persist them; a tap that raises ``Failed`` stops the run with
    that error.
    """
    return Run(pipeline, items, context=context, on_collect=on_collect, taps=taps or _NO_TAPS)
