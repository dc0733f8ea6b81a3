"""The local backend's stages: one generator per op, chained, so items stream in constant memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sized
from dataclasses import dataclass
from typing import Any

from ..errors import INPUT_FAILED, OP_FAILED, ErrInfo
from ..monoids import Monoid
from ..pipeline import OpPlan
from ._report import Collected, OpStats

__all__ = ["Counter", "Failed", "Stage", "source", "stage"]


class Failed(Exception):
    """Unwinds the generator chain when the run must stop; carries the error to report."""

    def __init__(self, error: ErrInfo) -> None:
        super().__init__(error.message)
        self.error = error


def _show(item: Any, limit: int = 80) -> str:
    try:
        text = repr(item)
    except Exception:  # a broken __repr__ must not hide the real failure
        text = f"<{type(item).__name__}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(slots=True)
class Counter:
    """The mutable counts of one op while the run goes on."""

    plan: OpPlan
    received: int = 0
    succeeded: int = 0
    skipped: int = 0
    collected: int = 0
    failed: int = 0
    emitted: int = 0

    def freeze(self) -> OpStats:
        return OpStats(
            index=self.plan.index,
            name=self.plan.name,
            type=self.plan.op.type,
            received=self.received,
            succeeded=self.succeeded,
            skipped=self.skipped,
            collected=self.collected,
            failed=self.failed,
            emitted=self.emitted,
        )


@dataclass(slots=True)
class Stage:
    """One op at run time: its counts, its policy, and where collected items go."""

    counter: Counter
    collect: Callable[[Collected], None]

    def item_failed(self, position: int, item: Any, exc: BaseException) -> None:
        """Apply the op's error policy to a failed item; raises ``Failed`` under fail_fast."""
        plan = self.counter.plan
        error = ErrInfo(
            code=OP_FAILED,
            message=(
                f"op {plan.name!r} (/ops/{plan.index}) failed on input item {position}: "
                f"{type(exc).__name__}: {exc}"
            ),
            path=f"/ops/{plan.index}",
            found=_show(item),
        )
        policy = plan.op.error_policy
        if policy == "skip":
            self.counter.skipped += 1
        elif policy == "collect":
            self.counter.collected += 1
            record = Collected(
                op_index=plan.index, op_name=plan.name, position=position, item=item, error=error
            )
            try:
                self.collect(record)
            except Exception as callback_exc:
                raise Failed(
                    ErrInfo(
                        code=OP_FAILED,
                        message=(
                            f"the error output failed while collecting item {position} of op "
                            f"{plan.name!r}: {type(callback_exc).__name__}: {callback_exc}"
                        ),
                        path=f"/ops/{plan.index}",
                    )
                ) from callback_exc
        else:
            self.counter.failed += 1
            raise Failed(error) from exc

    def succeeded(self, emitted: int) -> None:
        self.counter.succeeded += 1
        self.counter.emitted += emitted


def source(items: Iterable[Any]) -> Iterator[Any]:
    """The input items; a failure to produce one stops the run with INPUT_FAILED."""
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
        code=INPUT_FAILED,
        message=f"reading input item {position} failed: {type(exc).__name__}: {exc}",
    )


def _map(stage: Stage, fn: Callable[[Any], Any], upstream: Iterator[Any]) -> Iterator[Any]:
    for position, item in enumerate(upstream):
        stage.counter.received += 1
        try:
            output = fn(item)
        except Exception as exc:
            stage.item_failed(position, item, exc)
            continue
        stage.succeeded(1)
        yield output


def _flat_map(
    stage: Stage, fn: Callable[[Any], Iterable[Any]], upstream: Iterator[Any]
) -> Iterator[Any]:
    for position, item in enumerate(upstream):
        stage.counter.received += 1
        try:
            # One item's outputs are gathered first, so a failure half-way emits none of them.
            outputs = list(fn(item))
        except Exception as exc:
            stage.item_failed(position, item, exc)
            continue
        stage.succeeded(len(outputs))
        yield from outputs


def _one_batch(fn: Callable[[list[Any]], Any], items: list[Any]) -> list[Any]:
    outputs = fn(items)
    if not isinstance(outputs, Sized) or not isinstance(outputs, Iterable):
        raise TypeError(f"a batch function must return a sequence, found {type(outputs).__name__}")
    if len(outputs) != len(items):
        raise ValueError(f"a batch of {len(items)} items gave {len(outputs)} outputs")
    return list(outputs)


def _batch_map(
    stage: Stage, fn: Callable[[list[Any]], Any], size: int, upstream: Iterator[Any]
) -> Iterator[Any]:
    batch: list[tuple[int, Any]] = []
    for position, item in enumerate(upstream):
        stage.counter.received += 1
        batch.append((position, item))
        if len(batch) == size:
            yield from _flush(stage, fn, batch)
            batch = []
    if batch:
        yield from _flush(stage, fn, batch)


def _flush(
    stage: Stage, fn: Callable[[list[Any]], Any], batch: list[tuple[int, Any]]
) -> Iterator[Any]:
    try:
        outputs = _one_batch(fn, [item for _, item in batch])
    except Exception:
        # Find the items at fault by running each alone: one poison item costs only itself.
        for position, item in batch:
            try:
                [output] = _one_batch(fn, [item])
            except Exception as exc:
                stage.item_failed(position, item, exc)
                continue
            stage.succeeded(1)
            yield output
        return
    for output in outputs:
        stage.succeeded(1)
        yield output


def _combine(
    stage: Stage, lift: Callable[[Any], Any], monoid: Monoid[Any], upstream: Iterator[Any]
) -> Iterator[Any]:
    accumulated = monoid.identity
    for position, item in enumerate(upstream):
        stage.counter.received += 1
        try:
            combined = monoid.combine(accumulated, lift(item))
        except Exception as exc:
            stage.item_failed(position, item, exc)
            continue
        accumulated = combined
        stage.succeeded(0)
    stage.counter.emitted += 1
    yield accumulated


def _sink(stage: Stage, writer: Any, upstream: Iterator[Any]) -> Iterator[Any]:
    plan = stage.counter.plan
    for position, item in enumerate(upstream):
        stage.counter.received += 1
        try:
            writer.write(item)
        except Exception as exc:
            stage.item_failed(position, item, exc)
            continue
        stage.succeeded(0)
    try:
        receipt = writer.close()
    except Exception as exc:
        raise Failed(
            ErrInfo(
                code=OP_FAILED,
                message=f"sink {plan.name!r} (/ops/{plan.index}) failed to close: "
                f"{type(exc).__name__}: {exc}",
                path=f"/ops/{plan.index}",
            )
        ) from exc
    stage.counter.emitted += 1
    yield receipt


def stage(
    stage_: Stage, built: Any, monoid: Monoid[Any] | None, upstream: Iterator[Any]
) -> Iterator[Any]:
    """The generator that runs one op over ``upstream`` with what its entry built."""
    op = stage_.counter.plan.op
    match op.type:
        case "Map":
            return _map(stage_, built, upstream)
        case "FlatMap":
            return _flat_map(stage_, built, upstream)
        case "BatchMap":
            return _batch_map(stage_, built, op.max_batch_size, upstream)
        case "Combine":
            assert monoid is not None
            return _combine(stage_, built, monoid, upstream)
        case _:
            return _sink(stage_, built, upstream)
