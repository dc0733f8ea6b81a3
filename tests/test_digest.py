"""Canonical bytes, digests, sealing and verification."""

from __future__ import annotations

import copy
import hashlib
import json
import sys
from typing import Any
from unittest import mock

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st
from strategies import documents, json_values

from pipespec.digest import (
    _canonical,
    _NotPlain,
    _number_text,
    _prepared,
    _verify_fast,
    canonical_bytes,
    digest,
    seal_data,
    verify_data,
)
from pipespec.errors import HASH_MISMATCH, UNSEALED, VALUE_UNREPRESENTABLE
from pipespec.result import Err, Ok


@given(json_values())
def test_canonical_bytes_are_rfc8785(value: Any) -> None:
    assert canonical_bytes(value) == Ok(rfc8785.dumps(value))


@given(json_values(floats=False))
def test_fast_path_is_byte_identical_to_rfc8785(value: Any) -> None:
    assert _canonical(value, float_free=True) == rfc8785.dumps(value)


@given(json_values(floats=False))
def test_plain_values_take_the_fast_path_byte_identically(value: Any) -> None:
    assert _canonical(value, float_free=False) == rfc8785.dumps(value)


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1.5},
        {1: "int key"},
        {"t": (1, 2)},
        {"n": 2**53},
        {"b": True, "n": None, "s": "\ud800"},
        [{"deep": [[{"x": 1e21}]]}],
    ],
)
def test_values_the_fast_path_does_not_cover_go_to_the_reference(value: Any) -> None:
    try:
        expected: bytes | None = rfc8785.dumps(value)
    except Exception:
        expected = None
    result = canonical_bytes(value)
    if expected is None:
        assert isinstance(result, Err) and result.error.code == VALUE_UNREPRESENTABLE
    else:
        assert result == Ok(expected)


@pytest.mark.parametrize(
    "number",
    [0.0, -0.0, 1.0, -1.0, 100.0, 0.1, 0.3, 4.35, 1e21, 1e20, 123456789012345680000.0, 1e22,
     1e16, 1e15, 12345678901234567.0, 1e-4, 1e-5, 1e-6, 1e-7, 1.5e-7, 5e-324, -2.5e-8,
     1.7976931348623157e308, 2.2250738585072014e-308, 9007199254740993.0, 0.000001234],
)  # fmt: skip
def test_numbers_are_written_as_ecmascript_writes_them(number: float) -> None:
    assert _number_text(number).encode() == rfc8785.dumps(number)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_is_written_as_rfc8785_writes_it(number: float) -> None:
    assert _number_text(number).encode() == rfc8785.dumps(number)
    assert canonical_bytes({"x": [number]}) == Ok(b'{"x":[' + rfc8785.dumps(number) + b"]}")


def test_fast_path_orders_keys_by_utf16_code_units() -> None:
    # U+E000 sorts after U+1F600 by code point but before it by UTF-16 code unit.
    value = {"\ue000": 1, "😀": 2}
    assert _canonical(value, float_free=True) == rfc8785.dumps(value)
    assert _canonical(value, float_free=True).decode().index("\ue000") > 2


def test_digest_is_sha256_of_canonical_bytes() -> None:
    value = {"b": [1, 2.5, None], "a": "é"}
    expected = "sha256:" + hashlib.sha256('{"a":"é","b":[1,2.5,null]}'.encode()).hexdigest()
    assert digest(value) == Ok(expected)


@pytest.mark.parametrize(
    ("value", "path", "what"),
    [
        ({"a": float("nan")}, "/a", "nan is not a JSON number"),
        ({"a": [1, float("inf")]}, "/a/1", "inf is not a JSON number"),
        ({"n": 2**53}, "/n", "integer 9007199254740992 is beyond"),
        ({"n": -(2**53)}, "/n", "beyond ±(2^53-1)"),
        ({"s": "\ud800"}, "/s", "lone UTF-16 surrogate"),
        ({"\udfff": 1}, "/\udfff", "object key holds a lone UTF-16 surrogate"),
        ({"a/b": {"c~d": {1}}}, "/a~1b/c~0d", "set is not a JSON value"),
    ],
)
def test_unrepresentable_values_are_refused_with_their_pointer(
    value: Any, path: str, what: str
) -> None:
    result = digest(value)
    assert isinstance(result, Err)
    assert result.error.code == VALUE_UNREPRESENTABLE
    assert result.error.path == path
    assert what in result.error.message


def test_largest_safe_integers_are_accepted() -> None:
    assert digest([2**53 - 1, -(2**53 - 1)]) == Ok(
        "sha256:" + hashlib.sha256(b"[9007199254740991,-9007199254740991]").hexdigest()
    )


def _sealed(doc: dict[str, Any]) -> dict[str, Any]:
    result = seal_data(doc)
    assert isinstance(result, Ok)
    return result.value


@given(documents())
def test_sealed_documents_verify(doc: dict[str, Any]) -> None:
    sealed = _sealed(doc)
    assert verify_data(sealed) == []
    assert verify_data(sealed, float_free=True) == [] or _has_float(sealed)
    # Sealing is idempotent: a sealed document seals to itself.
    assert _sealed(sealed) == sealed


def _has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_has_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_float(v) for v in value)
    return False


def _leaf_paths(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaf_paths(v, (*at, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaf_paths(v, (*at, i))]
    return [at]


def _changed(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        # Past 2^53 adding 1 changes nothing; a flipped sign always does (0.0 becomes 1.0).
        return -value if value else 1.0
    if isinstance(value, str):
        return value + "x"
    return 0


@given(documents(), st.data())
def test_fast_verification_agrees_with_the_reference(
    doc: dict[str, Any], data: st.DataObject
) -> None:
    # The fast path assembles the root's bytes from the ops' orjson bytes; the reference
    # canonicalizes every object whole with rfc8785. They must report the same errors, sealed
    # or tampered, floats or not.
    sealed = _sealed(doc)
    tampered = copy.deepcopy(sealed)
    hashed = [p for p in _leaf_paths(tampered) if p[0] != "$schema"]
    for path in data.draw(st.lists(st.sampled_from(hashed), max_size=3)):
        node = tampered
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = _changed(node[path[-1]])
    if data.draw(st.booleans()) and tampered["ops"]:
        del tampered["ops"][0]["version"]
    try:
        fast = _verify_fast(_prepared(tampered))
    except _NotPlain:  # tampering pushed an integer past 2^53-1
        fast = None
    else:
        astral = any(ord(c) > 0xFFFF for c in json.dumps(tampered, ensure_ascii=False))
        assert fast is not None or astral  # else the fast path was never exercised
    expected = _reference_verify(tampered)
    assert verify_data(tampered) == expected
    if not _has_float(tampered):
        assert verify_data(tampered, float_free=True) == expected


def _reference_verify(data: dict[str, Any]) -> list[Any]:
    """``verify_data`` with orjson taken out: every object canonicalized by rfc8785."""
    with mock.patch.object(sys.modules["pipespec.digest"], "_fast", lambda value: None):
        return verify_data(data)


@given(documents(), st.data())
def test_any_change_to_hashed_content_is_a_hash_mismatch(
    doc: dict[str, Any], data: st.DataObject
) -> None:
    sealed = _sealed(doc)
    hashed = [p for p in _leaf_paths(sealed) if p[0] != "$schema"]
    path = data.draw(st.sampled_from(hashed))
    tampered = copy.deepcopy(sealed)
    node = tampered
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = _changed(node[path[-1]])
    errors = verify_data(tampered)
    assert errors
    assert {e.code for e in errors} == {HASH_MISMATCH}


def _one_map(params: Any) -> dict[str, Any]:
    op = {"type": "Map", "name": "a", "func_id": "f", "error_policy": "skip", "in_type": "T",
          "out_type": "T", "params": params}  # fmt: skip
    return _sealed({"spec_version": "1", "ops": [op, {**op, "name": "b"}]})


@pytest.mark.parametrize(
    "params",
    [
        # The fast path splits one orjson text of all the ops at this string between them.
        {"list": ["x", "\x00", "y"]},
        {"list": ["\x00", "\x00"]},
        # `version` must be the last key of an op for its text to lose it.
        {"zz": {"version": 1}},
        {"deep": [{"a": "\x00"}, "\x00"]},
    ],
)
def test_fast_verification_declines_what_it_cannot_prove_and_the_answer_is_the_same(
    params: dict[str, Any],
) -> None:
    sealed = _one_map(params)
    assert verify_data(sealed, float_free=True) == verify_data(sealed) == []
    tampered = copy.deepcopy(sealed)
    tampered["ops"][1]["name"] = "c"
    assert verify_data(tampered, float_free=True) == verify_data(tampered) != []


def test_an_op_holding_the_boundary_string_is_left_to_the_reference() -> None:
    assert _verify_fast(_one_map({"list": ["x", "\x00", "y"]})) is None
    assert _verify_fast(_one_map({"s": "\x00"})) == []


def test_a_root_member_holding_the_stand_in_is_left_to_the_reference() -> None:
    sealed = _sealed({**_one_map({}), "note": {"\x00": "\x00"}})
    assert _verify_fast(sealed) is None
    assert verify_data(sealed) == _reference_verify(sealed) == []


def test_root_digest_ignores_schema_hint_but_covers_member_versions() -> None:
    doc = {
        "spec_version": "1",
        "ops": [
            {
                "type": "Map",
                "name": "a",
                "func_id": "x",
                "error_policy": "skip",
                "in_type": "str",
                "out_type": "str",
                "params": {"version": "plain data"},
            }
        ],
    }
    sealed = _sealed(doc)
    assert _sealed({**doc, "$schema": "x.json"})["version"] == sealed["version"]
    # `version` inside params is data: changing it changes the op digest.
    other = copy.deepcopy(doc)
    other["ops"][0]["params"]["version"] = "other"
    assert _sealed(other)["ops"][0]["version"] != sealed["ops"][0]["version"]
    # Re-pointing an op's digest, even to a valid one, breaks the root digest.
    moved = copy.deepcopy(sealed)
    moved["ops"][0]["version"] = _sealed(other)["ops"][0]["version"]
    codes = [(e.code, e.path) for e in verify_data(moved)]
    assert codes == [(HASH_MISMATCH, "/ops/0/version"), (HASH_MISMATCH, "/version")]


def test_missing_versions_are_unsealed_with_the_expected_digest() -> None:
    doc = {
        "spec_version": "1",
        "ops": [
            {
                "type": "Sink",
                "name": "s",
                "sink_id": "x",
                "sink_contract": {"idempotent": True},
                "error_policy": "fail_fast",
                "in_type": "a",
                "out_type": "b",
            }
        ],
        "monoids": {"m": {"type": "built_in", "name": "sum"}},
    }
    errors = verify_data(doc)
    assert [(e.code, e.path) for e in errors] == [
        (UNSEALED, "/ops/0"),
        (UNSEALED, "/monoids/m"),
        (UNSEALED, ""),
    ]
    assert errors[0].expected == _sealed(doc)["ops"][0]["version"]
    assert "pipespec seal" in errors[0].message


def test_seal_keeps_member_order_and_puts_new_versions_last() -> None:
    doc = json.loads(
        '{"version": "sha256:' + "0" * 64 + '", "spec_version": "1", "ops": [{"type": "Map", '
        '"name": "a", "func_id": "x", "error_policy": "skip", "in_type": "s", "out_type": "s"}]}'
    )
    sealed = _sealed(doc)
    assert list(sealed) == ["version", "spec_version", "ops"]
    assert list(sealed["ops"][0])[-1] == "version"
