"""Monoids: an identity and an associative combine, and the built-in ones (sum, max, min, count)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import reduce
from types import MappingProxyType
from typing import Any, Generic, TypeVar

__all__ = ["BUILTIN_MONOIDS", "Monoid"]

M = TypeVar("M")


@dataclass(frozen=True, slots=True, kw_only=True)
class Monoid(Generic[M]):
    """A set of values with an associative ``combine`` and its ``identity``.

    ``commutative`` says whether ``combine(a, b) == combine(b, a)``; backends that fold
    partitions in parallel keep the order when it is false.
    """

    name: str
    identity: M
    combine: Callable[[M, M], M]
    commutative: bool
    description: str = ""

    def fold(self, values: Iterable[M]) -> M:
        """All ``values`` combined in order, starting from the identity."""
        return reduce(self.combine, values, self.identity)


def _add(a: Any, b: Any) -> Any:
    return a + b


def _larger(a: Any, b: Any) -> Any:
    # None is the identity: the maximum of nothing.
    if a is None:
        return b
    if b is None:
        return a
    return b if b > a else a


def _smaller(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return b if b < a else a


BUILTIN_MONOIDS: Mapping[str, Monoid[Any]] = MappingProxyType(
    {
        "sum": Monoid(
            name="sum",
            identity=0,
            combine=_add,
            commutative=True,
            description="Numbers added; identity 0.",
        ),
        "max": Monoid(
            name="max",
            identity=None,
            combine=_larger,
            commutative=True,
            description="The largest value; identity null (the maximum of nothing).",
        ),
        "min": Monoid(
            name="min",
            identity=None,
            combine=_smaller,
            commutative=True,
            description="The smallest value; identity null (the minimum of nothing).",
        ),
        "count": Monoid(
            name="count",
            identity=0,
            combine=_add,
            commutative=True,
            description="Counts added; pair it with a lift that maps each item to 1. Identity 0.",
        ),
    }
)
