"""The committed export in editors/schemas is what `pipespec schema --specialize` writes now."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema

from funcpipe_rag.registry import registry as rag_registry
from pipespec.registry import Registry
from pipespec.specialize import SPECIALIZED, exported_schemas, render, specialized_schema

EXPORT = Path(__file__).resolve().parents[2] / "editors" / "schemas"
REGENERATE = ".venv/bin/pipespec schema --out editors/schemas --specialize"


def test_the_committed_export_is_up_to_date(rag: Registry) -> None:
    expected = exported_schemas(rag)
    committed = {path.name: path.read_text(encoding="utf-8") for path in EXPORT.glob("*.json")}
    assert sorted(committed) == sorted(expected), f"stale: run `{REGENERATE}`"
    for name, text in expected.items():
        assert committed[name] == text, f"{name} is stale: run `{REGENERATE}`"


def test_the_output_is_deterministic() -> None:
    first = render(specialized_schema(rag_registry()))
    second = render(specialized_schema(rag_registry()))
    assert first == second
    assert exported_schemas(rag_registry()) == exported_schemas(rag_registry())


def _refs(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from _refs(item)


def test_the_specialized_schema_is_valid_and_self_contained(
    rag_specialized: dict[str, Any],
) -> None:
    jsonschema.Draft202012Validator.check_schema(rag_specialized)
    # Within the subset every editor engine reads alike (see tests/schema/test_schema_lint.py).
    text = json.dumps(rag_specialized)
    for keyword in ("$id", "$anchor", "$dynamicRef", "unevaluatedProperties", "prefixItems"):
        assert f'"{keyword}"' not in text
    refs = list(_refs(rag_specialized))
    assert refs and all(ref.startswith("#/$defs/") for ref in refs)
    for ref in refs:
        assert ref.removeprefix("#/$defs/") in rag_specialized["$defs"]


def test_ids_are_enums_per_op_kind_with_descriptions(rag_specialized: dict[str, Any]) -> None:
    defs = rag_specialized["$defs"]
    ids = {
        (variant, field): defs[variant]["properties"][field]["enum"]
        for variant, field in [
            ("map", "func_id"),
            ("flat_map", "func_id"),
            ("batch_map", "func_id"),
            ("combine", "lift_id"),
            ("sink", "sink_id"),
        ]
    }
    assert ids == {
        ("map", "func_id"): ["rag.clean"],
        ("flat_map", "func_id"): ["rag.chunk"],
        ("batch_map", "func_id"): ["rag.embed"],
        ("combine", "lift_id"): ["rag.stats.lift"],
        ("sink", "sink_id"): ["rag.index.sqlite", "rag.sink.jsonl"],
    }
    chunk = defs["flat_map"]["properties"]["func_id"]
    assert chunk["enumDescriptions"][0].startswith("Cuts")
    assert "flat_map, Document → Chunk, version 1.0.0" in chunk["enumDescriptions"][0]
    assert len(chunk["markdownEnumDescriptions"]) == 1


def test_the_export_is_written_as_utf_8_json(rag: Registry) -> None:
    text = exported_schemas(rag)[SPECIALIZED]
    assert "→" in text and text.endswith("}\n")
    assert json.loads(text) == specialized_schema(rag)
