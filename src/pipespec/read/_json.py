"""JSON fast path: json.loads with cheap hooks and byte-level checks; refusals go to the scanner."""

from __future__ import annotations

import json
import math
import re
from array import array
from itertools import accumulate
from typing import Any, Final

from pipespec.limits import Limits
from pipespec.read._common import MAX_SAFE_INTEGER
from pipespec.read._json_scan import SURROGATE, scan

_DELETE: Final = bytes(byte for byte in range(256) if byte not in b'"[]{}:')
_FLATTEN: Final = bytes.maketrans(b"{}", b"[]")
_SIGNS: Final = bytes.maketrans(b"[]", b"\x01\xff")
_ESCAPE: Final = re.compile(rb"\\.", re.DOTALL)
_ESCAPED_QUOTE: Final = re.compile(rb'\\"')
_SURROGATE_ESCAPE: Final = re.compile(r"\\u[dD][89a-fA-F]")
# Scanning left to right, an escaped backslash is consumed whole, so a following "ud800" is
# never mistaken for an escape; a surrogate escape outside a high-low pair fills group 1.
# Every branch starts with a backslash, which lets the regex engine skip ahead quickly.
_LONE_SURROGATE: Final = re.compile(
    r"\\(?:\\"
    r"|u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
    r"|(u[dD][89a-fA-F][0-9a-fA-F]{2}))"
)
_STRING: Final = re.compile(rb'"[^"]*"')
# Past this many rounds of removing innermost pairs (each a pass over the brackets), a
# prefix sum is cheaper; the default depth limit never gets there.
_ROUNDS: Final = 64


class _Reject(Exception):
    """A hook met something to refuse; the scanner then finds where it is."""


def _reject_constant(name: str) -> Any:
    raise _Reject


def _int(text: str) -> int:
    value = int(text)
    if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
        return value
    raise _Reject


def _skeleton(raw: bytes, escaped: bool) -> bytes:
    """The brackets and colons of a JSON text that lie outside its strings, in order."""
    # Only an escaped quote can break the pairing of quotes; other escapes vanish below.
    if escaped and _ESCAPED_QUOTE.search(raw) is not None:
        # Dropping every escape whole, left to right as JSON pairs them, leaves only
        # quotes that open or close a string.
        raw = _ESCAPE.sub(b"", raw)
    skeleton = raw.translate(None, _DELETE)
    # Usually no string holds a bracket or colon, so every string here is an adjacent
    # pair of quotes; left-to-right counting proves it, and the quotes can simply go.
    if skeleton.count(b'""') * 2 == skeleton.count(b'"'):
        return skeleton.translate(None, b'"')
    # Left to right, each quote opens or closes a string: with the quotes paired, the
    # pieces between them alternate outside, inside, outside.
    pieces = skeleton.split(b'"')
    if len(pieces) % 2:
        return b"".join(pieces[::2])
    # An unterminated string (the text is then not JSON) leaves a stray quote, which goes too.
    return _STRING.sub(b"", skeleton).translate(None, b'"')


def _within_depth(brackets: bytes, limit: int) -> bool:
    """Whether a sequence of ``[`` and ``]`` balances and nests at most ``limit`` deep."""
    rounds = 0
    while brackets:
        if rounds == limit:
            return False
        if rounds == _ROUNDS:
            # Streamed, not listed: memory stays flat however hostile the input.
            signs = array("b", brackets.translate(_SIGNS))
            return (
                2 * brackets.count(b"[") == len(brackets)
                and min(accumulate(signs)) >= 0
                and rounds + max(accumulate(signs)) <= limit
            )
        inner_removed = brackets.replace(b"[]", b"")
        if len(inner_removed) == len(brackets):
            return False
        brackets = inner_removed
        rounds += 1
    return True


def _has_lone_surrogate(text: str) -> bool:
    """Whether a valid JSON text with escapes decodes to a string holding a lone surrogate."""
    if _SURROGATE_ESCAPE.search(text) is None:
        return False
    return any(_LONE_SURROGATE.findall(text))


def _audit(data: Any, limits: Limits) -> bool:
    """Whether every string is short and whole and the values are few enough (no positions)."""
    longest = limits.max_string_length
    most = limits.max_nodes
    nodes = 0
    pending: list[Any] = [data]
    while pending:
        value = pending.pop()
        nodes += 1
        if nodes > most:
            return False
        kind = type(value)
        if kind is str:
            if len(value) > longest or SURROGATE.search(value) is not None:
                return False
        elif kind is dict:
            for key, item in value.items():
                if len(key) > longest or SURROGATE.search(key) is not None:
                    return False
                pending.append(item)
        elif kind is list:
            pending.extend(value)
    return True


def read_json(text: str, raw: bytes, limits: Limits) -> tuple[Any, bool]:
    """The value of a JSON text and whether it holds a float; raise Refusal otherwise."""
    escaped = "\\" in text
    skeleton = _skeleton(raw, escaped)
    brackets = skeleton.translate(_FLATTEN, b":")
    # Checked before json.loads so the C parser never recurses deeper than the limit.
    if len(brackets) > 2 * limits.max_depth and not _within_depth(brackets, limits.max_depth):
        return scan(text, limits)

    members = 0
    has_floats = False

    def count_members(obj: dict[str, Any]) -> dict[str, Any]:
        nonlocal members
        members += len(obj)
        return obj

    def parse_float(source: str) -> float:
        nonlocal has_floats
        value = float(source)
        if math.isinf(value):
            raise _Reject
        has_floats = True
        return value

    try:
        data = json.loads(
            text,
            object_hook=count_members,
            parse_float=parse_float,
            parse_int=_int,
            parse_constant=_reject_constant,
        )
    except Exception:
        # Syntax errors, refused values and RecursionError alike: the scanner names the
        # first problem in document order, or reads the document if the fault was ours.
        return scan(text, limits)
    # Each colon outside strings is one member; dicts keep one per distinct key.
    if members != skeleton.count(b":"):
        return scan(text, limits)
    if escaped and _has_lone_surrogate(text):
        return scan(text, limits)
    # A string longer than the limit, or more values than the limit, needs that many characters.
    needs_audit = len(text) > limits.max_string_length or len(text) > limits.max_nodes
    if needs_audit and not _audit(data, limits):
        return scan(text, limits)
    return data, has_floats
