"""Resource limits applied while reading a document, with their documented defaults."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Bounds on what a reader accepts; a document past any of them is refused with LIMIT_EXCEEDED.

    The defaults admit pipelines far larger than any real one (a 1000-op document is
    about 400 KiB) while keeping the worst case a reader can be made to do small.
    """

    max_bytes: int = 16 * 1024 * 1024
    """Largest document, in bytes of the encoded source."""
    max_depth: int = 64
    """Deepest nesting of arrays and objects; the top-level value is depth 1."""
    max_string_length: int = 1024 * 1024
    """Longest string (key or value), in characters."""
    max_nodes: int = 1_000_000
    """Most values (scalars, arrays and objects, counting every alias expansion) in one document."""
    max_aliases: int = 100
    """Most YAML alias uses (``*name``) in one document."""


DEFAULT_LIMITS = Limits()
