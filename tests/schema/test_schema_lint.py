"""The canonical schemas keep to the rules that let every consumer read them alike."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pipespec.schemas import SCHEMA_FILES, inline_refs, load_schema

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schema"
# Keywords whose meaning differs between draft-07 and 2020-12, or that need machinery
# (dynamic scopes, anchors) older editors and YAML servers lack.
FORBIDDEN = {
    "prefixItems",
    "unevaluatedProperties",
    "unevaluatedItems",
    "dependentRequired",
    "dependentSchemas",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$anchor",
    "$id",
    "definitions",
    "dependencies",
}
# Keywords whose values are schemas (or maps / lists of schemas) to walk into.
SCHEMA_VALUED = {
    "not",
    "items",
    "additionalProperties",
    "propertyNames",
    "contains",
    "if",
    "then",
    "else",
}
SCHEMA_MAPS = {"properties", "$defs", "patternProperties"}
SCHEMA_LISTS = {"allOf", "anyOf", "oneOf"}


def _subschemas(schema: Any, at: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if not isinstance(schema, dict):
        return
    yield at, schema
    for key, value in schema.items():
        if key in SCHEMA_VALUED:
            yield from _subschemas(value, f"{at}/{key}")
        elif key in SCHEMA_MAPS:
            for name, sub in value.items():
                yield from _subschemas(sub, f"{at}/{key}/{name}")
        elif key in SCHEMA_LISTS:
            for index, sub in enumerate(value):
                yield from _subschemas(sub, f"{at}/{key}/{index}")


def _all() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name in SCHEMA_FILES:
        for at, schema in _subschemas(load_schema(name)):
            yield name, at, schema


def test_the_package_ships_exactly_the_canonical_files() -> None:
    assert sorted(p.name for p in SCHEMA_DIR.glob("*.json")) == sorted(SCHEMA_FILES)
    for name in SCHEMA_FILES:
        assert load_schema(name) == json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_valid_against_the_2020_12_and_draft_07_metaschemas(name: str) -> None:
    schema = load_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft7Validator.check_schema({k: v for k, v in schema.items() if k != "$schema"})


def test_no_keyword_outside_the_shared_subset() -> None:
    used = [(name, at, key) for name, at, schema in _all() for key in schema if key in FORBIDDEN]
    assert used == []


def test_refs_stand_alone_and_are_relative() -> None:
    for name, at, schema in _all():
        if "$ref" in schema:
            assert set(schema) == {"$ref"}, (
                f"{name}{at}: $ref beside {sorted(set(schema) - {'$ref'})}"
            )
            assert "://" not in schema["$ref"], f"{name}{at}: absolute $ref {schema['$ref']}"


def test_no_recursion_every_ref_inlines() -> None:
    for name in SCHEMA_FILES:
        assert "$ref" not in json.dumps(inline_refs(name))


def test_every_object_is_closed_or_explicitly_open() -> None:
    for name, at, schema in _all():
        if schema.get("type") == "object":
            assert "additionalProperties" in schema, f"{name}{at} does not say what else it admits"
            if "properties" in schema:
                assert schema["additionalProperties"] is False, f"{name}{at} is not closed"


def test_every_property_has_title_and_description() -> None:
    for name, at, schema in _all():
        for prop, sub in schema.get("properties", {}).items():
            assert sub.get("title"), f"{name}{at}/properties/{prop} has no title"
            assert sub.get("description"), f"{name}{at}/properties/{prop} has no description"


def test_every_pattern_refuses_a_trailing_line_feed_in_every_engine() -> None:
    # Python's `$` also matches before a final "\n"; ECMAScript's does not. The guard makes
    # both refuse it.
    for name, at, schema in _all():
        if "pattern" in schema and not at.endswith("/not"):
            guard = {"type": "string", "pattern": "\\n"}
            assert schema.get("not") == guard, f"{name}{at} pattern lacks the guard"
