"""Content digests: RFC 8785 canonical bytes, SHA-256, sealing and verifying `version` members."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import orjson
import rfc8785

from .errors import HASH_MISMATCH, UNSEALED, VALUE_UNREPRESENTABLE, ErrInfo, pointer
from .result import Err, Ok, Result

__all__ = [
    "MAX_SAFE_INTEGER",
    "canonical_bytes",
    "digest",
    "root_digest",
    "seal_data",
    "verify_data",
]

MAX_SAFE_INTEGER = 2**53 - 1
PREFIX = "sha256:"
# Keys the root digest leaves out besides `version`: `$schema` is an editor hint.
_ROOT_UNHASHED = frozenset({"version", "$schema"})
_MEMBER_UNHASHED = frozenset({"version"})
# orjson sorts keys by code point, RFC 8785 by UTF-16 code unit; the two orders differ only
# when a character outside the Basic Multilingual Plane is compared, so its presence sends
# the value to the reference implementation. In UTF-8 such a character, and only such a
# character, starts with one of these bytes.
_ASTRAL = re.compile(b"[\xf0-\xf4]")
_SORTED = orjson.OPT_SORT_KEYS


class _Unrepresentable(Exception):
    def __init__(self, path: str, what: str) -> None:
        super().__init__(what)
        self.path = path
        self.what = what


def _find_unrepresentable(value: Any, parts: list[str | int]) -> _Unrepresentable | None:
    """The first value RFC 8785 cannot represent, depth first, with its pointer."""
    stack: list[tuple[Any, list[str | int]]] = [(value, parts)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, bool) or node is None:
            continue
        if isinstance(node, int):
            if abs(node) > MAX_SAFE_INTEGER:
                return _Unrepresentable(pointer(at), f"integer {node} is beyond ±(2^53-1)")
        elif isinstance(node, float):
            if not math.isfinite(node):
                return _Unrepresentable(pointer(at), f"{node} is not a JSON number")
        elif isinstance(node, str):
            if _has_lone_surrogate(node):
                return _Unrepresentable(pointer(at), "string holds a lone UTF-16 surrogate")
        elif isinstance(node, Mapping):
            for key, item in reversed(list(node.items())):
                if not isinstance(key, str):
                    return _Unrepresentable(pointer(at), f"object key {key!r} is not a string")
                if _has_lone_surrogate(key):
                    return _Unrepresentable(
                        pointer([*at, key]), "object key holds a lone UTF-16 surrogate"
                    )
                stack.append((item, [*at, key]))
        elif isinstance(node, list | tuple):
            stack.extend((item, [*at, i]) for i, item in reversed(list(enumerate(node))))
        else:
            return _Unrepresentable(pointer(at), f"{type(node).__name__} is not a JSON value")
    return None


def _has_lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class _NotPlain(Exception):
    """A value orjson would not write as RFC 8785 does; the reference implementation takes it."""


def _number_text(value: float) -> str:
    """RFC 8785's text for a finite float: ECMAScript's Number::toString, from Python's repr.

    Both take the shortest digits that round-trip and differ only in layout. Python writes
    plain decimals for exponents -4 to 15 (adding ".0" to whole numbers), ECMAScript for -6
    to 20; in exponent form Python's mantissa is ECMAScript's, only the exponent is padded.
    """
    text = repr(value)
    if "e" not in text:
        if value == 0:
            return "0"  # -0 too
        return text[:-2] if text.endswith(".0") else text
    mantissa, _, exponent = text.partition("e")
    power = int(exponent)
    if not -7 < power < 21:
        return f"{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"
    sign = "-" if value < 0 else ""
    digits = mantissa.lstrip("-").replace(".", "")
    point = power + 1  # digits before the decimal point
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    if point > 0:
        return sign + digits[:point] + "." + digits[point:]
    return sign + "0." + "0" * -point + digits


_UNCHANGED = frozenset({str, bool, type(None)})


def _prepared(node: Any) -> Any:
    """``node`` ready for orjson: itself where nothing needs changing, else a copy in which every
    float is an ``orjson.Fragment`` of its RFC 8785 text. Raises ``_NotPlain`` for anything
    but dicts with string keys, lists, strings, booleans, None, safe integers and finite
    floats (tuples, subclasses and the like go to the reference)."""
    kind = type(node)
    if kind is dict:
        try:
            "".join(node)  # one C call refusing any key that is not a string
        except TypeError:
            raise _NotPlain from None
        return _with_prepared(node, node.items(), dict)
    if kind is list:
        return _with_prepared(node, enumerate(node), list)
    if kind is int:
        if -MAX_SAFE_INTEGER <= node <= MAX_SAFE_INTEGER:
            return node
        raise _NotPlain
    if kind is float:
        if math.isfinite(node):
            return orjson.Fragment(_number_text(node))
        raise _NotPlain
    if kind in _UNCHANGED:
        return node
    raise _NotPlain


def _with_prepared(
    node: Any, members: Iterable[tuple[Any, Any]], copy: Callable[[Any], Any]
) -> Any:
    """``node``, or a ``copy`` of it with the members that preparing changed replaced."""
    changed = None
    for key, item in members:
        if type(item) in _UNCHANGED:  # most members: no call
            continue
        new = _prepared(item)
        if new is not item:
            if changed is None:
                changed = copy(node)
            changed[key] = new
    return node if changed is None else changed


def _fast(value: Any) -> bytes | None:
    """orjson's bytes for a prepared value when they are the RFC 8785 bytes, else None.

    For dicts with string keys, lists, strings, booleans, None, safe integers and fragments
    of RFC 8785 number text, orjson with sorted keys writes what RFC 8785 does (compact, the
    same escapes, UTF-8) unless a key outside the Basic Multilingual Plane changes the
    order; property tests check this against the reference implementation. orjson refuses
    lone surrogates, non-string keys and nesting past its own limit (TypeError), which the
    reference then handles.
    """
    try:
        data = orjson.dumps(value, option=_SORTED)
    except TypeError:
        return None
    return data if data.isascii() or _ASTRAL.search(data) is None else None


def _fast_prepared(value: Any, float_free: bool) -> bytes | None:
    """``_fast`` of ``value`` prepared; ``float_free`` data from a reader needs no preparing."""
    if float_free:
        return _fast(value)
    try:
        return _fast(_prepared(value))
    except (_NotPlain, RecursionError):
        return None


def _canonical(value: Any, *, float_free: bool, at: str = "") -> bytes:
    """RFC 8785 bytes of ``value``; raises ``_Unrepresentable``.

    Plain values take orjson (see ``_fast``), floats written as RFC 8785 numbers first;
    anything else goes to the reference. ``float_free`` may be true only for data a
    pipespec reader produced from a document without floats: the reader has already
    refused what RFC 8785 cannot represent and builds nothing but JSON types, so the walk
    preparing the value is skipped.
    """
    data = _fast_prepared(value, float_free)
    if data is not None:
        return data
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError, TypeError, ValueError) as exc:
        found = _find_unrepresentable(value, [])
        what = found.what if found else str(exc)
        raise _Unrepresentable(at + (found.path if found else ""), what) from exc


def _refusal(exc: _Unrepresentable) -> ErrInfo:
    return ErrInfo(
        code=VALUE_UNREPRESENTABLE,
        message=f"cannot be written as RFC 8785 canonical JSON: {exc.what} at {exc.path or '/'}",
        path=exc.path,
    )


def canonical_bytes(value: Any) -> Result[bytes, ErrInfo]:
    """The RFC 8785 (JCS) canonical UTF-8 bytes of a JSON value, or why it has none."""
    try:
        return Ok(_canonical(value, float_free=False))
    except _Unrepresentable as exc:
        return Err(_refusal(exc))


def _sha256(data: bytes) -> str:
    return PREFIX + hashlib.sha256(data).hexdigest()


def digest(value: Any) -> Result[str, ErrInfo]:
    """``"sha256:"`` + hex SHA-256 of the canonical bytes of ``value``, taken as it is."""
    match canonical_bytes(value):
        case Ok(data):
            return Ok(_sha256(data))
        case Err() as err:
            return err


def root_digest(document: Mapping[str, Any]) -> Result[str, ErrInfo]:
    """The digest a document's root ``version`` should hold, computed over it as given."""
    try:
        return Ok(_member_digest(document, "", float_free=False))
    except _Unrepresentable as exc:
        return Err(_refusal(exc))


def _without(obj: Mapping[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in obj.items() if key not in keys}


def _member_digest(obj: Mapping[str, Any], at: str, *, float_free: bool) -> str:
    """The digest the versioned object at pointer ``at`` (root, op or monoid) should carry."""
    unhashed = _ROOT_UNHASHED if at == "" else _MEMBER_UNHASHED
    return _sha256(_canonical(_without(obj, unhashed), float_free=float_free, at=at))


def _members(data: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Every versioned object below the root, with its pointer, in document order."""
    ops = data.get("ops")
    if isinstance(ops, list):
        for index, op in enumerate(ops):
            if isinstance(op, Mapping):
                yield pointer(["ops", index]), op
    monoids = data.get("monoids")
    if isinstance(monoids, Mapping):
        for key, monoid in monoids.items():
            if isinstance(monoid, Mapping):
                yield pointer(["monoids", key]), monoid


def _with_version(obj: Mapping[str, Any], version: str) -> dict[str, Any]:
    # Keep the member where the author put it; a new one goes last.
    sealed = dict(obj)
    sealed["version"] = version
    return sealed


def seal_data(
    data: Mapping[str, Any], *, float_free: bool = False
) -> Result[dict[str, Any], ErrInfo]:
    """A copy of a schema-valid document with every `version` filled, members before the root."""
    try:
        sealed = dict(data)
        ops = data.get("ops")
        if isinstance(ops, list):
            sealed["ops"] = [
                _with_version(op, _member_digest(op, pointer(["ops", i]), float_free=float_free))
                for i, op in enumerate(ops)
            ]
        monoids = data.get("monoids")
        if isinstance(monoids, Mapping):
            sealed["monoids"] = {
                key: _with_version(
                    monoid, _member_digest(monoid, pointer(["monoids", key]), float_free=float_free)
                )
                for key, monoid in monoids.items()
            }
        return Ok(_with_version(sealed, _member_digest(sealed, "", float_free=float_free)))
    except _Unrepresentable as exc:
        return Err(_refusal(exc))


def _check(obj: Mapping[str, Any], at: str, what: str, *, float_free: bool) -> ErrInfo | None:
    actual = _member_digest(obj, at, float_free=float_free)
    if obj.get("version") == actual:
        return None
    return _mismatch(obj, at, what, actual)


def _mismatch(obj: Mapping[str, Any], at: str, what: str, actual: str) -> ErrInfo:
    """The error for a versioned object whose `version` is missing or is not ``actual``."""
    written = obj.get("version")
    if written is None:
        return ErrInfo(
            code=UNSEALED,
            message=f"{what} has no `version` digest at {at or '/'}; run `pipespec seal`",
            path=at,
            expected=actual,
        )
    return ErrInfo(
        code=HASH_MISMATCH,
        message=(
            f"{what} digest does not match its content at {at}/version: "
            f"expected {actual}, found {written}"
        ),
        path=at + "/version",
        expected=actual,
        found=str(written),
    )


# Between the ops in one orjson call. Any string would do: the split below must give exactly
# one piece per op, which proves that no op holds this string as an array element.
_BOUNDARY = "\x00"
_SPLIT = b',"\\u0000",'
# Where the ops go in the root's bytes: the same string, as a whole token. Finding it once
# proves nothing else in the root is that token.
_STAND_IN_TEXT = b'"\\u0000"'
_STAND_IN = orjson.Fragment(_STAND_IN_TEXT)


def _op_texts(ops: list[Any]) -> list[bytes] | None:
    """Each op's canonical bytes, `version` included, from one orjson call; None when the
    fast path does not apply."""
    if not ops:
        return []
    if {*map(type, ops)} != {dict}:
        return None
    interleaved: list[Any] = [_BOUNDARY] * (2 * len(ops) - 1)
    interleaved[::2] = ops
    text = _fast(interleaved)
    if text is None:
        return None
    texts = text[1:-1].split(_SPLIT)
    return texts if len(texts) == len(ops) else None


def _body_digests(ops: list[dict[str, Any]], texts: list[bytes]) -> list[str] | None:
    """The digest each op should carry, from its canonical bytes ``texts``: over the op
    without `version`. None when some op's bytes do not end in its own `version`."""
    versions = [op.get("version") for op in ops]
    if {*map(type, versions)} - {str, type(None)}:
        return None
    # With sorted keys `version` is last in every schema-valid op, and the text ends with
    # this suffix only then: no string can hold the unescaped quotes. A version needing
    # escapes does not match either, and goes to the reference.
    suffixes = [b"" if v is None else b',"version":"' + v.encode() + b'"}' for v in versions]
    if not all(map(bytes.endswith, texts, suffixes)):
        return None
    bodies = [
        text[: -len(suffix)] + b"}" if suffix else text
        for text, suffix in zip(texts, suffixes, strict=True)
    ]
    return list(map(_sha256, bodies))


def _verify_fast(data: Mapping[str, Any]) -> list[ErrInfo] | None:
    """``verify_data`` for prepared data (or reader output without floats) on orjson's bytes,
    encoding each op once: the root's bytes are assembled from the ops'. None when the fast
    path does not apply; the caller then takes the reference path, which gives the same
    answer."""
    ops = data.get("ops")
    if type(ops) is not list or type(data) is not dict:
        return None
    texts = _op_texts(ops)
    if texts is None:
        return None
    digests = _body_digests(ops, texts)
    if digests is None:
        return None
    # The root with a stand-in for its ops, which occurs once (the count proves it) and is
    # then replaced by the ops' bytes.
    unhashed = {key: value for key, value in data.items() if key not in _ROOT_UNHASHED}
    unhashed["ops"] = _STAND_IN
    root = _fast(unhashed)
    if root is None or root.count(_STAND_IN_TEXT) != 1:
        return None
    root = root.replace(_STAND_IN_TEXT, b"[" + b",".join(texts) + b"]")
    errors: list[ErrInfo] = []
    if [op.get("version") for op in ops] != digests:
        for index, (op, actual) in enumerate(zip(ops, digests, strict=True)):
            if op.get("version") != actual:
                errors.append(_mismatch(op, pointer(["ops", index]), "op", actual))
    monoids = data.get("monoids")
    if monoids is not None and isinstance(monoids, Mapping):
        for key, monoid in monoids.items():
            if isinstance(monoid, Mapping):
                at = pointer(["monoids", key])
                actual = _member_digest(monoid, at, float_free=True)
                if monoid.get("version") != actual:
                    errors.append(_mismatch(monoid, at, "monoid", actual))
    actual = _sha256(root)
    if data.get("version") != actual:
        errors.append(_mismatch(data, "", "document", actual))
    return errors


def verify_data(data: Mapping[str, Any], *, float_free: bool = False) -> list[ErrInfo]:
    """Every missing or wrong `version` digest in a schema-valid document; empty when all match."""
    try:
        fast = _verify_fast(data if float_free else _prepared(data))
    except (_NotPlain, RecursionError):
        fast = None
    if fast is not None:
        return fast
    errors: list[ErrInfo] = []
    try:
        for at, obj in _members(data):
            what = "op" if at.startswith("/ops/") else "monoid"
            found = _check(obj, at, what, float_free=float_free)
            if found is not None:
                errors.append(found)
        found = _check(data, "", "document", float_free=float_free)
    except _Unrepresentable as exc:
        return [_refusal(exc)]
    if found is not None:
        errors.append(found)
    return errors
