"""Argument types shared by the commands: whole numbers with a lower bound."""

from __future__ import annotations

import argparse

__all__ = ["count", "positive"]


def _at_least(text: str, minimum: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, found {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"expected {what}, found {value}")
    return value


def count(text: str) -> int:
    """A whole number, 0 or more."""
    return _at_least(text, 0, "a whole number (0 or more)")


def positive(text: str) -> int:
    """A whole number, 1 or more."""
    return _at_least(text, 1, "a positive integer")
