"""Validation of read documents: schema errors at the right node, cross-references, digests."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from strategies import documents

from pipespec.digest import seal_data
from pipespec.errors import (
    DUPLICATE_NAME,
    HASH_MISMATCH,
    SCHEMA_INVALID,
    UNKNOWN_REFERENCE,
    UNSEALED,
    ErrInfo,
)
from pipespec.read import read_text
from pipespec.result import Ok
from pipespec.schemas import fast_validator, python_validator
from pipespec.validate import check_data, validate_document

MAP = {
    "type": "Map",
    "name": "clean",
    "func_id": "rag.clean",
    "error_policy": "skip",
    "in_type": "Document",
    "out_type": "Document",
}


def _doc(*ops: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"spec_version": "1", "ops": list(ops) or [MAP], **extra}


def _sealed(doc: dict[str, Any]) -> dict[str, Any]:
    result = seal_data(doc)
    assert isinstance(result, Ok)
    return result.value


def _errors(text: str, fmt: str = "json") -> list[ErrInfo]:
    result = read_text(text, format=fmt, source=f"doc.{fmt}")  # type: ignore[arg-type]
    assert isinstance(result, Ok), result
    return validate_document(result.value)


def test_a_sealed_document_is_valid() -> None:
    assert _errors(json.dumps(_sealed(_doc()))) == []


def test_missing_field_is_reported_inside_the_variant_the_type_names() -> None:
    op = {k: v for k, v in MAP.items() if k != "func_id"}
    text = json.dumps(_sealed(_doc(op)), indent=2)
    [error] = _errors(text)
    assert error.code == SCHEMA_INVALID
    assert error.path == "/ops/0"
    assert error.message == "missing required property 'func_id' at /ops/0"
    assert (error.line, error.column) == (4, 5)
    assert error.file == "doc.json"


def test_a_field_of_another_variant_is_an_unknown_property_at_its_key() -> None:
    op = {**MAP, "max_batch_size": 3}
    text = json.dumps(_sealed(_doc(op)), indent=2)
    [error] = _errors(text)
    assert error.path == "/ops/0/max_batch_size"
    assert error.message.startswith(
        "unknown property 'max_batch_size'; allowed: type, name, func_id"
    )
    line = text.splitlines()[error.line - 1]  # type: ignore[operator]
    assert line[error.column - 1 :].startswith('"max_batch_size"')  # type: ignore[operator]


def test_unknown_op_type_lists_the_variants() -> None:
    [error] = check_data(_doc({**MAP, "type": "Reduce"}))
    assert error.error.path == "/ops/0/type"
    assert error.error.message == (
        "expected op type one of Map, FlatMap, BatchMap, Combine, Sink, "
        'found "Reduce" at /ops/0/type'
    )


def test_missing_type_and_non_object_op() -> None:
    missing = {k: v for k, v in MAP.items() if k != "type"}
    [first] = check_data(_doc(missing))
    assert first.error.message.startswith("missing required property 'type' (one of Map")
    [second] = check_data(_doc(MAP, 7))  # type: ignore[arg-type]
    assert second.error.message == "expected an op object, found integer 7 at /ops/1"


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"func_id": "Rag.Clean"}, "/ops/0/func_id", "expected registry identifier matching"),
        ({"func_id": "rag.clean\n"}, "/ops/0/func_id", "without a line feed"),
        (
            {"error_policy": "retry"},
            "/ops/0/error_policy",
            'expected one of "fail_fast", "skip", "collect", found "retry"',
        ),
        ({"name": 5}, "/ops/0/name", "expected string, found integer 5"),
        ({"name": "n" * 65}, "/ops/0/name", "expected at most 64 characters, found 65"),
        ({"params": []}, "/ops/0/params", "expected object, found array []"),
        (
            {"version": "sha256:ABC"},
            "/ops/0/version",
            "expected content digest matching ^sha256:[0-9a-f]{64}$",
        ),
    ],
)
def test_leaf_messages_say_what_was_expected_and_found(
    change: dict[str, Any], path: str, message: str
) -> None:
    findings = check_data(_doc({**MAP, **change}))
    assert [f.error.path for f in findings] == [path]
    assert message in findings[0].error.message
    assert findings[0].error.message.endswith(f"at {path}")


def test_batch_size_bounds_and_root_errors() -> None:
    op = {**MAP, "type": "BatchMap", "max_batch_size": 0}
    [error] = check_data(_doc(op))
    assert (
        error.error.message == "expected maximum batch size ≥ 1, found 0 at /ops/0/max_batch_size"
    )
    findings = check_data({"spec_version": "2", "ops": [], "extra": 1})
    messages = sorted(f.error.message for f in findings)
    assert messages == [
        'expected "1", found "2" at /spec_version',
        "expected at least 1 items, found 0 at /ops",
        "unknown property 'extra'; allowed: $schema, spec_version, ops, monoids, backend, "
        "resources, materialization_points, version at /extra",
    ]


def test_bad_monoid_id_points_at_the_key() -> None:
    doc = _doc(monoids={"Bad Id": {"type": "built_in", "name": "sum"}})
    findings = check_data(doc)
    assert {f.error.path for f in findings} == {"/monoids/Bad Id"}
    assert all(f.at_key for f in findings)


def test_top_level_must_be_an_object() -> None:
    [error] = _errors("[1, 2]")
    assert (error.code, error.path, error.line, error.column) == (SCHEMA_INVALID, "", 1, 1)
    assert error.message == "expected object, found array [1, 2] at /"


def test_cross_references() -> None:
    combine = {
        "type": "Combine",
        "name": "clean",
        "lift_id": "x",
        "monoid_id": "stats",
        "error_policy": "skip",
        "in_type": "Document",
        "out_type": "Stats",
    }
    doc = _doc(MAP, combine, materialization_points=["clean", "embed"])
    codes = [(f.error.code, f.error.path) for f in check_data(doc, sealed=False)]
    assert codes == [
        (DUPLICATE_NAME, "/ops/1/name"),
        (UNKNOWN_REFERENCE, "/ops/1/monoid_id"),
        (UNKNOWN_REFERENCE, "/materialization_points/1"),
    ]


def test_unsealed_and_tampered_documents_are_refused_with_positions() -> None:
    unsealed = _errors(json.dumps(_doc()))
    assert [(e.code, e.path) for e in unsealed] == [(UNSEALED, ""), (UNSEALED, "/ops/0")]
    sealed = _sealed(_doc())
    tampered = copy.deepcopy(sealed)
    tampered["ops"][0]["in_type"] = "Text"
    text = json.dumps(tampered, indent=2)
    errors = _errors(text)
    # The root digest covers the op's content too.
    assert [(e.code, e.path) for e in errors] == [
        (HASH_MISMATCH, "/ops/0/version"),
        (HASH_MISMATCH, "/version"),
    ]
    assert errors[0].found == sealed["ops"][0]["version"]
    assert text.splitlines()[errors[0].line - 1].strip().startswith('"version"')  # type: ignore[operator]


def test_yaml_errors_carry_yaml_positions() -> None:
    text = (
        "spec_version: '1'\nops:\n  - type: Map\n    name: clean\n"
        "    error_policy: skip\n    in_type: a\n    out_type: b\n"
    )
    [error] = _errors(text, "yaml")
    assert error.message == "missing required property 'func_id' at /ops/0"
    assert (error.line, error.column) == (3, 5)


@given(documents())
def test_reference_and_compiled_validators_agree_on_generated_documents(
    doc: dict[str, Any],
) -> None:
    assert fast_validator().is_valid(doc)
    assert not list(python_validator().iter_errors(doc))
    for key in ("ops", "spec_version"):
        broken = {k: v for k, v in doc.items() if k != key}
        assert not fast_validator().is_valid(broken)
        assert list(python_validator().iter_errors(broken))
    op = doc["ops"][0]
    for change in ({"type": "map"}, {"name": "x\n"}, {"extra": True}, {"in_type": ""}):
        mutated = {**doc, "ops": [{**op, **change}]}
        assert fast_validator().is_valid(mutated) is False
        assert check_data(mutated, sealed=False)
