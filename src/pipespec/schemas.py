"""The canonical JSON Schema files: loading, cross-file references and compiled validators."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urldefrag, urljoin

import jsonschema
import jsonschema_rs
import referencing
import referencing.jsonschema

__all__ = [
    "BASE_URI",
    "PIPELINE",
    "SCHEMA_FILES",
    "SCHEMA_LISTS",
    "SCHEMA_MAPS",
    "SCHEMA_VALUED",
    "fast_validator",
    "inline_refs",
    "load_schema",
    "python_validator",
    "schema_registry",
    "schema_text",
]

PIPELINE = "pipeline.schema.json"
SCHEMA_FILES = (
    "common.schema.json",
    "error-policy.schema.json",
    "error-report.schema.json",
    "monoid.schema.json",
    "op.schema.json",
    PIPELINE,
    "registry-manifest.schema.json",
    "sink-contract.schema.json",
)
# Where the files are registered in memory so relative `$ref`s resolve between them. The
# files carry no `$id`: a reader resolves their refs against wherever it found them.
BASE_URI = "file:///pipespec/schema/"


def schema_text(name: str) -> str:
    """The text of one schema file shipped with the package."""
    if name not in SCHEMA_FILES:
        raise KeyError(f"unknown schema file {name!r}; known: {', '.join(SCHEMA_FILES)}")
    return (resources.files("pipespec") / "schema" / name).read_text(encoding="utf-8")


@cache
def _loaded(name: str) -> Mapping[str, Any]:
    value: dict[str, Any] = json.loads(schema_text(name))
    return value


def load_schema(name: str) -> dict[str, Any]:
    """A fresh copy of one schema file, parsed."""
    return copy.deepcopy(dict(_loaded(name)))


@cache
def schema_registry() -> referencing.Registry[Any]:
    """A registry holding every schema file under ``BASE_URI``, for python-jsonschema."""
    resources_ = [
        (BASE_URI + name, referencing.jsonschema.DRAFT202012.create_resource(_loaded(name)))
        for name in SCHEMA_FILES
    ]
    return referencing.Registry().with_resources(resources_)


def _resolve_pointer(document: Any, fragment: str) -> Any:
    node = document
    if not fragment:
        return node
    for token in fragment.lstrip("/").split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        node = node[int(key)] if isinstance(node, list) else node[key]
    return node


# The 2020-12 keywords whose values are subschemas, by shape; every other value (const,
# enum, examples, ...) is data and is copied untouched, whatever keys it has. Walkers of
# schemas (inlining here, re-rooting an entry's params schema in `specialize`) share them.
SCHEMA_VALUED = frozenset(
    {"items", "additionalProperties", "propertyNames", "not", "contains", "if", "then", "else",
     "unevaluatedProperties", "unevaluatedItems", "contentSchema"}
)  # fmt: skip
SCHEMA_MAPS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)
SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})


def _inline(schema: Any, base: str, depth: int) -> Any:
    if depth > 64:
        raise ValueError(f"schema references nest deeper than 64 levels under {base}")
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        target_uri, fragment = urldefrag(urljoin(base, schema["$ref"]))
        target = _resolve_pointer(_loaded(target_uri.removeprefix(BASE_URI)), fragment)
        return _inline(target, target_uri, depth + 1)
    inlined: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("$defs", "$schema"):
            continue
        if key in SCHEMA_VALUED:
            inlined[key] = _inline(value, base, depth)
        elif key in SCHEMA_MAPS:
            inlined[key] = {name: _inline(sub, base, depth) for name, sub in value.items()}
        elif key in SCHEMA_LISTS:
            inlined[key] = [_inline(sub, base, depth) for sub in value]
        else:
            inlined[key] = value
    return inlined


@cache
def _inlined(name: str) -> Mapping[str, Any]:
    inlined: dict[str, Any] = _inline(_loaded(name), BASE_URI + name, 0)
    return {"$schema": _loaded(name)["$schema"], **inlined}


def inline_refs(name: str = PIPELINE) -> dict[str, Any]:
    """One schema file with every `$ref` replaced by its target: one self-contained schema.

    Sound because the schemas use no recursion and no `$ref` beside other keywords.
    """
    return copy.deepcopy(dict(_inlined(name)))


@cache
def python_validator(name: str = PIPELINE) -> jsonschema.protocols.Validator:
    """The reference validator (python-jsonschema); it renders the error messages."""
    # The in-memory copy gets an `$id` so its relative refs resolve within the registry.
    root = {**_loaded(name), "$id": BASE_URI + name}
    cls = jsonschema.validators.validator_for(root)
    validator: jsonschema.protocols.Validator = cls(
        root, registry=schema_registry(), format_checker=cls.FORMAT_CHECKER
    )
    return validator


@cache
def fast_validator(name: str = PIPELINE) -> jsonschema_rs.Validator:
    """The compiled validator (jsonschema-rs) used on the hot path."""
    return jsonschema_rs.validator_for(dict(_inlined(name)), validate_formats=True)
