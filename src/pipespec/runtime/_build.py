"""Building one op when a run starts: its entry (and monoid) made into the stage that runs it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, NoReturn

from ..errors import BUILD_FAILED, ErrInfo
from ..monoids import Monoid
from ..registry import Entry, Kind, RunContext
from ._stages import (
    Failed,
    OpRun,
    batch_map_stage,
    combine_stage,
    describe,
    flat_map_stage,
    map_stage,
    sink_stage,
)

__all__ = ["build_stage"]

# Reconstruction already checks these; a Pipeline assembled by hand may not have been.
_NEEDS: Mapping[str, Kind] = MappingProxyType(
    {"Map": "map", "FlatMap": "flat_map", "BatchMap": "batch_map", "Combine": "lift",
     "Sink": "sink"}
)  # fmt: skip
_NO_PARAMS: Mapping[str, Any] = MappingProxyType({})


def _refuse(op: OpRun, problem: str, cause: Exception | None = None) -> NoReturn:
    error = ErrInfo(code=BUILD_FAILED, message=f"{op.where} {problem}", path=op.path)
    raise Failed(error) from cause


def _build(
    op: OpRun, entry: Entry, params: Mapping[str, Any], context: RunContext, *, what: str
) -> Any:
    try:
        return entry.build(params, context)
    except Exception as exc:
        _refuse(op, f"{what} from {entry.id!r}: {describe(exc)}", exc)


def _function(op: OpRun, built: Any) -> Callable[..., Any]:
    if not callable(built):
        _refuse(op, f"could not be built: {op.plan.entry.id!r} gave {type(built).__name__}, "
                    "not a function")  # fmt: skip
    fn: Callable[..., Any] = built
    return fn


def _writer(op: OpRun, built: Any) -> tuple[Callable[[Any], Any], Callable[[], Any]]:
    try:
        write, close = getattr(built, "write", None), getattr(built, "close", None)
    except Exception:  # an odd object whose attribute lookup raises is no writer either
        write = close = None
    if not callable(write) or not callable(close):
        _refuse(op, f"could not be built: {op.plan.entry.id!r} opened {type(built).__name__}, "
                    "not a sink writer with write and close")  # fmt: skip
    return write, close


def _monoid(op: OpRun, context: RunContext) -> Monoid[Any]:
    plan = op.plan.monoid
    if plan is None:
        _refuse(op, "could not be built: a Combine needs a monoid and none was planned")
    if plan.builtin is not None:
        return plan.builtin
    if plan.entry is None:
        _refuse(op, f"could not build its monoid {plan.key!r}: neither built in nor a factory")
    what = f"could not build its monoid {plan.key!r}"
    made = _build(op, plan.entry, plan.params or _NO_PARAMS, context, what=what)
    if not isinstance(made, Monoid):
        _refuse(op, f"{what}: {plan.entry.id!r} gave {type(made).__name__}, not a Monoid")
    return made


def _batch_size(op: OpRun) -> int:
    size = op.plan.wire.get("max_batch_size")
    if type(size) is float and size.is_integer():
        size = int(size)  # JSON Schema counts 2.0 as an integer
    if type(size) is not int or size < 1:
        _refuse(op, f"could not be built: max_batch_size must be at least 1, found {size!r}")
    return size


def build_stage(op: OpRun, context: RunContext, upstream: Iterator[Any]) -> Iterator[Any]:
    """Build ``op``'s entry, and a Combine's monoid, and return the generator that runs the op
    over ``upstream``. Raises ``Failed`` with BUILD_FAILED when anything cannot be built.

    Only the build functions are called here: the stage itself starts when first iterated.
    """
    plan = op.plan
    kind = plan.type
    needs = _NEEDS.get(kind)
    if needs is None:
        _refuse(op, f"could not be built: unknown op type {kind!r}")
    if plan.entry.kind != needs:
        _refuse(op, f"could not be built: a {kind} needs a {needs} entry, but "
                    f"{plan.entry.id!r} is a {plan.entry.kind} entry")  # fmt: skip
    # Checked before building: a batch size below 1 would buffer the whole input.
    batch_size = _batch_size(op) if kind == "BatchMap" else 0
    built = _build(op, plan.entry, plan.params, context, what="could not be built")
    if kind == "Sink":
        write, close = _writer(op, built)
        return sink_stage(op, write, close, upstream)
    fn = _function(op, built)
    if kind == "Map":
        return map_stage(op, fn, upstream)
    if kind == "FlatMap":
        return flat_map_stage(op, fn, upstream)
    if kind == "BatchMap":
        return batch_map_stage(op, fn, batch_size, upstream)
    return combine_stage(op, fn, _monoid(op, context), upstream)
