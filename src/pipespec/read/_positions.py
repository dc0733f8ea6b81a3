"""Positions for error messages: JSON Pointer parsing and finding where a pointed-to node starts."""

from __future__ import annotations

import functools
import re
import sys
from typing import Final

from pipespec.limits import Limits
from pipespec.read._common import FormatName, Refusal
from pipespec.read._json_scan import locate_json
from pipespec.read._yaml import Composed, Mapping, Position, Scalar, Sequence, compose

# Only ~0 and ~1 are escapes; any other tilde makes a pointer invalid.
_BAD_ESCAPE: Final = re.compile(r"~(?![01])")
# Locating re-reads a document that was already accepted, under whatever limits it was.
_UNLIMITED: Final = Limits(
    max_bytes=sys.maxsize,
    max_depth=sys.maxsize,
    max_string_length=sys.maxsize,
    max_nodes=sys.maxsize,
    max_aliases=sys.maxsize,
)


def parse_pointer(text: str) -> list[str] | None:
    """The reference tokens of an RFC 6901 JSON Pointer, or None if it is malformed."""
    if text == "":
        return []
    if not text.startswith("/"):
        return None
    if _BAD_ESCAPE.search(text) is not None:
        return None
    tokens = text[1:].split("/")
    return [token.replace("~1", "/").replace("~0", "~") for token in tokens]


def _is_index(token: str) -> bool:
    return token.isascii() and token.isdigit() and (token == "0" or not token.startswith("0"))


@functools.lru_cache(maxsize=4)
def _composed(text: str) -> Composed | None:
    # Validation locates every finding of one document in turn: compose it once.
    try:
        return compose(text, _UNLIMITED)
    except Refusal:
        return None


def locate_yaml(text: str, tokens: list[str], key: bool) -> Position | None:
    """Where the YAML node (or, with ``key``, the mapping key) named by ``tokens`` starts."""
    composed = _composed(text)
    if composed is None:
        return None
    alias_at = composed.alias_at
    node = composed.root
    at = node.at
    for depth, token in enumerate(tokens):
        if isinstance(node, Mapping):
            for index, (name, value) in enumerate(node.pairs):
                if isinstance(name, Scalar) and name.value == token:
                    if key and depth == len(tokens) - 1:
                        return alias_at.get((id(node), 2 * index), name.at)
                    at = alias_at.get((id(node), 2 * index + 1), value.at)
                    node = value
                    break
            else:
                return None
        elif isinstance(node, Sequence):
            if not _is_index(token) or int(token) >= len(node.items):
                return None
            index = int(token)
            at = alias_at.get((id(node), index), node.items[index].at)
            node = node.items[index]
        else:
            return None
    return at


def locate(text: str, format: FormatName, pointer: str, key: bool) -> Position | None:
    """Where the node named by ``pointer`` starts in ``text``; None if it names no node."""
    tokens = parse_pointer(pointer)
    if tokens is None:
        return None
    if format == "json":
        return locate_json(text, tokens, key)
    return locate_yaml(text, tokens, key)
