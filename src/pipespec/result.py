"""Result values: ``Ok(value)`` or ``Err(error)``, returned instead of raising."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeAlias, TypeVar

__all__ = ["Err", "Ok", "Result"]

T = TypeVar("T", covariant=True)
E = TypeVar("E", covariant=True)


@dataclass(frozen=True, slots=True)
class Ok(Generic[T]):
    """A success holding ``value``."""

    value: T


@dataclass(frozen=True, slots=True)
class Err(Generic[E]):
    """A failure holding ``error``."""

    error: E


Result: TypeAlias = Ok[T] | Err[E]
