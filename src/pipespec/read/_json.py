"""JSON fast path: json.loads with cheap hooks and byte-level checks; refusals go to the scanner."""

from __future__ import annotations

import json
import math
import re
import threading
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
# Every digit as 0, to find runs of digits with one substring search.
_DIGITS_AS_ZERO: Final = bytes.maketrans(b"123456789", b"000000000")
_SIXTEEN_DIGITS: Final = b"0" * 16
# Around a number's first digits (an empty slice is the start or the end of the text).
_MAY_PRECEDE: Final = frozenset((b"", b"-", b":", b",", b"[", b" ", b"\t", b"\n", b"\r"))
_MAY_FOLLOW: Final = frozenset((b"", b",", b"]", b"}", b" ", b"\t", b"\n", b"\r", b".", b"e", b"E"))
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


def _may_hold_long_integer(raw: bytes) -> bool:
    """Whether a JSON text may hold an integer of 16 or more digits (2^53 has 16, so every
    shorter integer is safe). False proves it holds none; True sends ``_int`` to look.

    An integer token's digits form a maximal run of digits that follows a sign, a
    separator, whitespace or the start, and is followed by a separator, whitespace or the
    end (a fraction or exponent makes it a float, which is looked at anyway). Long runs of
    digits inside strings, such as in hex digests, nearly always sit next to a letter.
    """
    digits = raw.translate(_DIGITS_AS_ZERO)
    start = digits.find(_SIXTEEN_DIGITS)
    while start != -1:
        end = start + len(_SIXTEEN_DIGITS)
        while digits[end : end + 1] == b"0":
            end += 1
        if raw[start - 1 : start] in _MAY_PRECEDE and raw[end : end + 1] in _MAY_FOLLOW:
            return True
        start = digits.find(_SIXTEEN_DIGITS, end)
    return False


def _skeleton(raw: bytes, escaped: bool) -> bytes:
    """The brackets and colons of a JSON text that lie outside its strings, in order."""
    # Only an escaped quote can break the pairing of quotes; other escapes vanish below.
    if escaped and _ESCAPED_QUOTE.search(raw) is not None:
        # Dropping every escape whole, left to right as JSON pairs them, leaves only
        # quotes that open or close a string.
        raw = _ESCAPE.sub(b"", raw)
    # Two quotes in a row are consecutive quotes: an empty string, or one string closing as
    # the next opens. Dropping them leaves what lies outside strings as it was (the empty
    # string vanishes, the two strings merge) and the remaining quotes still pair up in
    # order. Usually no string holds a bracket or colon, and then no quote is left.
    skeleton = raw.translate(None, _DELETE).replace(b'""', b"")
    if b'"' not in skeleton:
        return skeleton
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


class _Decoding:
    """One thread's JSON decoders, built once, and what their hooks count in one read."""

    def __init__(self) -> None:
        self.members = 0
        self.has_floats = False
        hooks: dict[str, Any] = {
            "object_hook": self.count_members,
            "parse_float": self.parse_float,
            "parse_constant": _reject_constant,
        }
        self.plain = json.JSONDecoder(**hooks)
        self.checking_ints = json.JSONDecoder(**hooks, parse_int=_int)

    def count_members(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.members += len(obj)
        return obj

    def parse_float(self, source: str) -> float:
        value = float(source)
        if math.isinf(value):
            raise _Reject
        self.has_floats = True
        return value


_local = threading.local()


def _decoding() -> _Decoding:
    # Per thread, since the hooks count into it; a read never starts another on its thread.
    decoding: _Decoding | None = getattr(_local, "decoding", None)
    if decoding is None:
        decoding = _local.decoding = _Decoding()
    return decoding


def read_json(text: str, raw: bytes, limits: Limits) -> tuple[Any, bool]:
    """The value of a JSON text and whether it holds a float; raise Refusal otherwise."""
    escaped = "\\" in text
    skeleton = _skeleton(raw, escaped)
    brackets = skeleton.translate(_FLATTEN, b":")
    # Checked before json.loads so the C parser never recurses deeper than the limit.
    if len(brackets) > 2 * limits.max_depth and not _within_depth(brackets, limits.max_depth):
        return scan(text, limits)

    decoding = _decoding()
    decoding.members = 0
    decoding.has_floats = False
    decoder = decoding.checking_ints if _may_hold_long_integer(raw) else decoding.plain
    try:
        data = decoder.decode(text)
    except Exception:
        # Syntax errors, refused values and RecursionError alike: the scanner names the
        # first problem in document order, or reads the document if the fault was ours.
        return scan(text, limits)
    members, has_floats = decoding.members, decoding.has_floats
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
