"""The local backend's stages: one generator per op, chained, so items stream in constant memory."""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Set, Sized
from dataclasses import dataclass
from typing import Any

from ..errors import INPUT_FAILED, OP_FAILED, ErrInfo
from ..monoids import Monoid
from ..pipeline import OpPlan
from ._report import Collected, OpStats

__all__ = [
    "Failed",
    "OpRun",
    "batch_map_stage",
    "combine_stage",
    "describe",
    "flat_map_stage",
    "map_stage",
    "show",
    "sink_stage",
    "source",
]


class Failed(Exception):
    """Raised inside the chain of stages to stop the run; carries the error the run reports.

    Stages raise it for a ``fail_fast`` item, a sink that cannot close or a broken input; a
    tap passed to ``run_local`` may raise it too. ``Run`` catches it: it never escapes.
    """

    def __init__(self, error: ErrInfo) -> None:
        super().__init__(error.message)
        self.error = error


class _Short(reprlib.Repr):
    """reprlib, which stops early in big containers; a broken ``__repr__`` gives ``<Type>``."""

    def repr_instance(self, obj: Any, level: int) -> str:
        try:
            text = repr(obj)
        except Exception:  # it must not hide the failure being reported
            return f"<{type(obj).__name__}>"
        return text if len(text) <= self.maxother else text[: self.maxother - 1] + "…"


_SHORT = _Short()
_SHORT.maxstring = _SHORT.maxother = 80
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 8


def show(item: Any, limit: int = 80) -> str:
    """A repr of ``item`` of at most ``limit`` characters, cheap even for huge containers."""
    try:
        text = _SHORT.repr(item)
    except Exception:  # e.g. a container whose iteration raises
        text = f"<{type(item).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(exc: BaseException) -> str:
    """``Type: message`` for an exception, even when its ``__str__`` is itself broken."""
    name = type(exc).__name__
    try:
        text = str(exc)
    except Exception:
        text = ""
    return f"{name}: {text}" if text else name


@dataclass(slots=True, eq=False)
class OpRun:
    """One op while a run goes on: its plan, its running counts, and where collected items go."""

    plan: OpPlan
    collect: Callable[[Collected], None]
    received: int = 0
    succeeded: int = 0
    skipped: int = 0
    collected: int = 0
    failed: int = 0
    emitted: int = 0

    @property
    def path(self) -> str:
        return f"/ops/{self.plan.index}"

    @property
    def where(self) -> str:
        """How messages name the op: ``op 'chunk' (/ops/1)``."""
        return f"op {self.plan.name!r} ({self.path})"

    def stats(self) -> OpStats:
        return OpStats(
            index=self.plan.index,
            name=self.plan.name,
            type=self.plan.type,
            received=self.received,
            succeeded=self.succeeded,
            skipped=self.skipped,
            collected=self.collected,
            failed=self.failed,
            emitted=self.emitted,
        )

    def item_failed(self, position: int, item: Any, exc: Exception) -> None:
        """Apply the op's error policy to an item that failed; raises ``Failed`` to stop the run."""
        policy = self.plan.error_policy
        if policy == "skip":
            self.skipped += 1
            return
        error = ErrInfo(
            code=OP_FAILED,
            message=f"{self.where} failed on input item {position}: {describe(exc)}",
            path=self.path,
            found=show(item),
        )
        if policy != "collect":
            self.failed += 1
            raise Failed(error) from exc
        self.collected += 1
        record = Collected(
            op_index=self.plan.index,
            op_name=self.plan.name,
            position=position,
            item=item,
            error=error,
        )
        try:
            self.collect(record)
        except Exception as callback_exc:
            raise Failed(
                ErrInfo(
                    code=OP_FAILED,
                    message=(
                        f"{self.where} collected input item {position}, but the on_collect "
                        f"callback failed: {describe(callback_exc)}"
                    ),
                    path=self.path,
                    found=error.found,
                )
            ) from callback_exc


def source(items: Iterable[Any]) -> Iterator[Any]:
    """The input items; failing to produce one stops the run with INPUT_FAILED."""
    position = 0
    try:
        iterator = iter(items)
    except Exception as exc:
        raise Failed(_input_failure(position, exc)) from exc
    while True:
        try:
            item = next(iterator)
        except StopIteration:
            return
        except Exception as exc:
            raise Failed(_input_failure(position, exc)) from exc
        yield item
        position += 1


def _input_failure(position: int, exc: Exception) -> ErrInfo:
    return ErrInfo(
        code=INPUT_FAILED, message=f"reading input item {position} failed: {describe(exc)}"
    )


# Every stage counts an output as emitted just before yielding it: once yielded it belongs
# to the next op, which may stop the run before this generator resumes. The per-item stages
# keep their counts in locals and add them to the op when the generator ends, however it
# ends (exhausted, failed or closed by the run): attribute updates per item cost more than
# a cheap op itself.


def map_stage(op: OpRun, fn: Callable[[Any], Any], upstream: Iterator[Any]) -> Iterator[Any]:
    """One output per item."""
    received = succeeded = 0
    try:
        for position, item in enumerate(upstream):
            received += 1
            try:
                output = fn(item)
            except Exception as exc:
                op.item_failed(position, item, exc)
                continue
            succeeded += 1
            yield output
    finally:
        op.received += received
        op.succeeded += succeeded
        op.emitted += succeeded


def flat_map_stage(
    op: OpRun, fn: Callable[[Any], Iterable[Any]], upstream: Iterator[Any]
) -> Iterator[Any]:
    """Zero or more outputs per item; one item's outputs are held at once, no more."""
    received = succeeded = emitted = 0
    try:
        for position, item in enumerate(upstream):
            received += 1
            try:
                # Gathered first, so an item whose iterable fails half-way emits none of it.
                outputs = list(fn(item))
            except Exception as exc:
                op.item_failed(position, item, exc)
                continue
            succeeded += 1
            for output in outputs:
                emitted += 1
                yield output
    finally:
        op.received += received
        op.succeeded += succeeded
        op.emitted += emitted


# Sized iterables a batch function may not answer with: their order or length is not
# one output per item.
_NOT_A_BATCH = (str, bytes, bytearray, Mapping, Set)


def _call_batch(fn: Callable[[list[Any]], Any], items: list[Any]) -> list[Any]:
    # A copy, so a function that mutates its argument cannot change what isolation re-runs.
    outputs = fn(list(items))
    if (
        isinstance(outputs, _NOT_A_BATCH)
        or not isinstance(outputs, Sized)
        or not isinstance(outputs, Iterable)
    ):
        raise TypeError(
            f"a batch function must return a sequence with one output per item, "
            f"found {type(outputs).__name__}"
        )
    results = list(outputs)
    if len(results) != len(items):
        raise ValueError(f"a batch of {len(items)} items gave {len(results)} outputs")
    return results


def batch_map_stage(
    op: OpRun, fn: Callable[[list[Any]], Any], size: int, upstream: Iterator[Any]
) -> Iterator[Any]:
    """Items in batches of at most ``size``, in order; see ``_run_batch`` for failures."""
    batch: list[Any] = []
    first = 0
    for item in upstream:
        batch.append(item)
        if len(batch) == size:
            yield from _run_batch(op, fn, first, batch)
            first += len(batch)
            batch = []
    if batch:
        yield from _run_batch(op, fn, first, batch)


def _run_batch(
    op: OpRun, fn: Callable[[list[Any]], Any], first: int, batch: list[Any]
) -> Iterator[Any]:
    """One batch whose first item is input item ``first``.

    When the call fails (raises, or answers with the wrong length or a non-sequence), the
    batch's items are re-run one at a time, ``fn([item])``, to find which fail: the policy
    applies to those alone and the others are emitted in order. So on a failing batch the
    function runs again on items it has already seen; a batch of one is not re-run.
    """
    try:
        outputs = _call_batch(fn, batch)
    except Exception as exc:
        batch_failure = exc
    else:
        op.received += len(batch)
        op.succeeded += len(batch)
        for output in outputs:
            op.emitted += 1
            yield output
        return
    if len(batch) == 1:
        op.received += 1
        op.item_failed(first, batch[0], batch_failure)
        return
    for offset, item in enumerate(batch):
        # Counted one by one: under fail_fast, the items after the failing one never ran.
        op.received += 1
        try:
            [output] = _call_batch(fn, [item])
        except Exception as exc:
            op.item_failed(first + offset, item, exc)
            continue
        op.succeeded += 1
        op.emitted += 1
        yield output


def combine_stage(
    op: OpRun, lift: Callable[[Any], Any], monoid: Monoid[Any], upstream: Iterator[Any]
) -> Iterator[Any]:
    """Every item lifted and folded; exactly one output, the identity for no input."""
    combine = monoid.combine
    accumulated = monoid.identity
    for position, item in enumerate(upstream):
        op.received += 1
        try:
            accumulated = combine(accumulated, lift(item))
        except Exception as exc:
            op.item_failed(position, item, exc)
            continue
        op.succeeded += 1
    op.emitted += 1
    yield accumulated


def sink_stage(
    op: OpRun,
    write: Callable[[Any], Any],
    close: Callable[[], Any],
    upstream: Iterator[Any],
) -> Iterator[Any]:
    """Every item written; the receipt ``close`` returns is the one output.

    A run that stops early never closes its sink: closing finishes the writes, and a failed
    run's partial output must not look finished.
    """
    for position, item in enumerate(upstream):
        op.received += 1
        try:
            write(item)
        except Exception as exc:
            op.item_failed(position, item, exc)
            continue
        op.succeeded += 1
    try:
        receipt = close()
    except Exception as exc:
        raise Failed(
            ErrInfo(
                code=OP_FAILED,
                message=f"sink {op.plan.name!r} ({op.path}) failed to close: {describe(exc)}",
                path=op.path,
            )
        ) from exc
    op.emitted += 1
    yield receipt
