"""Content digests: RFC 8785 canonical bytes, SHA-256, sealing and verifying `version` members."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

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
# Python sorts keys by code point, RFC 8785 by UTF-16 code unit; the two orders differ only
# when a character outside the Basic Multilingual Plane is compared, so its presence sends
# the value to the reference implementation.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
# Built once: json.dumps with options constructs a new encoder on every call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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


def _plain(value: Any) -> bool:
    """Whether ``value`` is built of dicts with string keys, lists, strings, booleans, None and
    safe integers only: the values whose `json.dumps` bytes RFC 8785 shares."""
    pending = [value]
    pop, extend = pending.pop, pending.extend
    while pending:
        node = pop()
        kind = type(node)
        if kind is dict:
            try:
                "".join(node)  # one C call refusing any key that is not a string
            except TypeError:
                return False
            extend(node.values())
        elif kind is list:
            extend(node)
        elif kind is int:
            if not -MAX_SAFE_INTEGER <= node <= MAX_SAFE_INTEGER:
                return False
        elif not (kind is str or kind is bool or node is None):
            return False  # floats, tuples, subclasses, anything else: the reference decides
    return True


def _canonical(value: Any, *, float_free: bool, at: str = "") -> bytes:
    """RFC 8785 bytes of ``value``; raises ``_Unrepresentable``.

    Without floats, `json.dumps` with sorted keys writes exactly the RFC 8785 bytes unless a
    key outside the Basic Multilingual Plane changes the order, as property tests check
    against the reference implementation; everything else goes to the reference.
    ``float_free`` may be true only for data a pipespec reader produced from a document
    without floats: the reader has already refused what RFC 8785 cannot represent, so the
    walk proving the value plain is skipped.
    """
    if float_free or _plain(value):
        text = _ENCODER.encode(value)
        if text.isascii() or not _ASTRAL.search(text):
            try:
                return text.encode("utf-8")
            except UnicodeEncodeError:
                pass  # a lone surrogate: the reference path names where
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


# Between op bodies in one encoder call. A lone surrogate: no float-free reader output holds
# one, and the encoder (ensure_ascii off) writes it as it is, so it marks the boundaries.
_SEPARATOR = "\ud800"
_SPLIT = ',"' + _SEPARATOR + '",'


def _op_bodies(ops: list[Any]) -> tuple[list[str], list[Any]] | None:
    """Each op's canonical text without its `version`, and the versions as written; None when
    the fast path does not apply (an op not a plain object, a key sorting after `version`)."""
    bodies: list[Any] = []
    written: list[Any] = []
    for op in ops:
        if type(op) is not dict:
            return None
        body = dict(op)
        version = body.pop("version", None)
        if version is not None and body and max(body) > "version":
            return None
        bodies.append(body)
        bodies.append(_SEPARATOR)
        written.append(version)
    if not bodies:
        return [], []
    bodies.pop()
    texts = _ENCODER.encode(bodies)[1:-1].split(_SPLIT)
    return (texts, written) if len(texts) == len(written) else None


def _verify_float_free(data: Mapping[str, Any]) -> list[ErrInfo] | None:
    """``verify_data`` for reader output without floats, encoding each op once: the root's
    canonical text is assembled from the op bodies. None when the fast path does not apply;
    the caller then takes the reference path, which gives the same answer."""
    ops = data.get("ops")
    if type(ops) is not list or type(data) is not dict:
        return None
    found = _op_bodies(ops)
    if found is None:
        return None
    texts, written = found
    # Sorted keys: the members before `ops`, then `ops`, then the members after it.
    before = {k: v for k, v in data.items() if k < "ops" and k not in _ROOT_UNHASHED}
    after = {k: v for k, v in data.items() if k > "ops" and k not in _ROOT_UNHASHED}
    full = [
        text
        if version is None
        else f'{text[:-1]}{"," if len(text) > 2 else ""}"version":{_ENCODER.encode(version)}}}'
        for text, version in zip(texts, written, strict=True)
    ]
    root_text = "".join(
        (
            _ENCODER.encode(before)[:-1] + ("," if before else ""),
            '"ops":[',
            ",".join(full),
            "]",
            "," + _ENCODER.encode(after)[1:] if after else "}",
        )
    )
    if not root_text.isascii() and (_ASTRAL.search(root_text) or _SEPARATOR in root_text):
        return None
    errors: list[ErrInfo] = []
    for index, (text, version) in enumerate(zip(texts, written, strict=True)):
        actual = _sha256(text.encode("utf-8"))
        if version != actual:
            errors.append(_mismatch(ops[index], pointer(["ops", index]), "op", actual))
    monoids = data.get("monoids")
    if isinstance(monoids, Mapping):
        for key, monoid in monoids.items():
            if isinstance(monoid, Mapping):
                at = pointer(["monoids", key])
                actual = _member_digest(monoid, at, float_free=True)
                if monoid.get("version") != actual:
                    errors.append(_mismatch(monoid, at, "monoid", actual))
    actual = _sha256(root_text.encode("utf-8"))
    if data.get("version") != actual:
        errors.append(_mismatch(data, "", "document", actual))
    return errors


def verify_data(data: Mapping[str, Any], *, float_free: bool = False) -> list[ErrInfo]:
    """Every missing or wrong `version` digest in a schema-valid document; empty when all match."""
    if float_free:
        fast = _verify_float_free(data)
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
