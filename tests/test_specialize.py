"""The pipeline schema specialised to a registry accepts what `check` accepts op by op."""

from __future__ import annotations

from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from core_registry import INT, add, core_registry, op

from pipespec.digest import seal_data
from pipespec.reconstruction import check_document
from pipespec.registry import NO_PARAMS, Registry, map_fn
from pipespec.result import Ok
from pipespec.schemas import python_validator
from pipespec.specialize import specialized_schema


def _verdicts(schema: dict[str, Any], document: Any) -> bool:
    """The verdict, after checking that python-jsonschema and jsonschema-rs agree on it."""
    reference = jsonschema.Draft202012Validator(schema).is_valid(document)
    assert jsonschema_rs.validator_for(schema).is_valid(document) is reference
    return reference


def _errors(schema: dict[str, Any], document: Any) -> set[tuple[str, str]]:
    """(pointer, validator) of every leaf error python-jsonschema reports."""
    found: set[tuple[str, str]] = set()
    pending = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
    while pending:
        error = pending.pop()
        found.add(("".join(f"/{p}" for p in error.absolute_path), str(error.validator)))
        pending += error.context or []
    return found


def _check_codes(document: dict[str, Any]) -> set[str]:
    """What `pipespec check` says about the document once its digests are filled."""
    sealed = seal_data(document)
    assert isinstance(sealed, Ok)
    return {error.code for error in check_document(sealed.value, core_registry())}


def _doc(*ops: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"spec_version": "1", "ops": list(ops), **extra}


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return specialized_schema(core_registry())


def test_it_is_a_valid_2020_12_schema(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)


def test_each_op_kind_offers_its_own_entries(schema: dict[str, Any]) -> None:
    ids = {
        name: schema["$defs"][name]["properties"][field]["enum"]
        for name, field in [("map", "func_id"), ("flat_map", "func_id"),
                            ("batch_map", "func_id"), ("combine", "lift_id"), ("sink", "sink_id")]
    }  # fmt: skip
    assert ids == {
        "map": ["core.add", "core.fragile", "core.mul"],
        "flat_map": ["core.digits", "core.repeat"],
        "batch_map": ["core.batch_add"],
        "combine": ["core.identity", "core.one", "core.singleton"],
        "sink": ["core.distinct", "core.totals"],
    }
    add_id = schema["$defs"]["map"]["properties"]["func_id"]
    assert add_id["enumDescriptions"][0] == "Adds n. (map, int → int, version 1.0.0)"
    assert add_id["markdownEnumDescriptions"][0] == "Adds n.\n\nmap, `int` → `int`, version `1.0.0`"


@pytest.mark.parametrize(
    ("document", "flagged"),
    [
        (_doc(op("Map", "a", "core.ad", params={"n": 1})), ("/ops/0/func_id", "enum")),
        (_doc(op("Map", "a", "core.repeat", params={"times": 1})), ("/ops/0/func_id", "enum")),
        (_doc(op("Map", "a", "core.add", params={"n": "1"})), ("/ops/0/params/n", "type")),
        (_doc(op("Map", "a", "core.add", params={"n": 1001})), ("/ops/0/params/n", "maximum")),
        (
            _doc(op("Map", "a", "core.add", params={"n": 1, "m": 2})),
            ("/ops/0/params", "additionalProperties"),
        ),
        (_doc(op("Map", "a", "core.add")), ("/ops/0", "required")),
        (
            _doc(op("Map", "a", "core.add", params={"n": 1}, func_version="2.0.0")),
            ("/ops/0/func_version", "const"),
        ),
        (
            _doc(op("Map", "a", "core.add", params={"n": 1}, out_type="str")),
            ("/ops/0/out_type", "const"),
        ),
        (
            _doc(op("Sink", "s", "core.totals", sink_contract={"idempotent": True})),
            ("/ops/0/sink_contract", "const"),
        ),
        (
            _doc(
                op("Combine", "c", "core.one", monoid_id="m"),
                monoids={"m": {"type": "built_in", "name": "mean"}},
            ),
            ("/monoids/m/name", "enum"),
        ),
        (
            _doc(
                op("Combine", "c", "core.one", monoid_id="m"),
                monoids={"m": {"type": "built_in", "name": "sum", "params": {"x": 1}}},
            ),
            ("/monoids/m/params", "maxProperties"),
        ),
        (
            _doc(
                op("Combine", "c", "core.one", monoid_id="m"),
                monoids={"m": {"type": "custom", "name": "sum"}},
            ),
            ("/monoids/m/name", "enum"),
        ),
        (
            _doc(
                op("Combine", "c", "core.one", monoid_id="m"),
                monoids={"m": {"type": "custom", "name": "core.concat", "factory_version": "0.9"}},
            ),
            ("/monoids/m/factory_version", "const"),
        ),
    ],
)
def test_a_wrong_id_or_param_is_flagged_at_the_member(
    schema: dict[str, Any], document: dict[str, Any], flagged: tuple[str, str]
) -> None:
    assert python_validator().is_valid(document)  # the canonical schema lets it through
    assert _verdicts(schema, document) is False
    assert flagged in _errors(schema, document)
    assert _check_codes(document) - {"UNSEALED"}


@pytest.mark.parametrize(
    "document",
    [
        _doc(op("Map", "a", "core.add", params={"n": 1}, func_version="1.0.0")),
        _doc(op("FlatMap", "d", "core.digits")),  # no params: the entry takes none
        _doc(op("FlatMap", "d", "core.digits", params={})),
        _doc(op("BatchMap", "b", "core.batch_add", params={"n": 0}, max_batch_size=8)),
        _doc(
            op(
                "Sink",
                "s",
                "core.distinct",
                out_type="Distinct",
                sink_contract={"idempotent": True},
            )
        ),
        _doc(
            op("Combine", "c", "core.singleton", monoid_id="m", out_type="tuple[int]"),
            monoids={
                "m": {"type": "custom", "name": "core.concat", "factory_version": "1.0.0"},
                "n": {"type": "built_in", "name": "count", "params": {}},
            },
        ),
    ],
)
def test_what_check_accepts_per_op_passes(schema: dict[str, Any], document: dict[str, Any]) -> None:
    assert _check_codes(document) <= {"UNSEALED"}  # unpinned versions only
    assert _verdicts(schema, document) is True


def test_a_kind_with_no_entries_admits_no_id() -> None:
    only_add = Registry().with_entries(
        map_fn("only.add", add, version="1", in_type=INT, out_type=INT, params_schema=NO_PARAMS)
    )
    schema = specialized_schema(only_add)
    sink_id = schema["$defs"]["sink"]["properties"]["sink_id"]
    assert sink_id["not"] == {} and "enum" not in sink_id
    document = _doc(op("Sink", "s", "core.totals", sink_contract={"idempotent": False}))
    assert _verdicts(schema, document) is False
    assert _verdicts(schema, _doc(op("Map", "a", "only.add"))) is True


def test_local_refs_in_a_params_schema_still_resolve() -> None:
    params = {
        "type": "object",
        "additionalProperties": False,
        "$defs": {"small": {"type": "integer", "maximum": 3}},
        "properties": {"n": {"$ref": "#/$defs/small"}},
    }
    registry = Registry().with_entries(
        map_fn("ref.add", add, version="1", in_type=INT, out_type=INT, params_schema=params)
    )
    schema = specialized_schema(registry)
    assert schema["$defs"]["params.ref.add"]["properties"]["n"] == {
        "$ref": "#/$defs/params.ref.add/$defs/small"
    }
    assert _verdicts(schema, _doc(op("Map", "a", "ref.add", params={"n": 3}))) is True
    assert _verdicts(schema, _doc(op("Map", "a", "ref.add", params={"n": 4}))) is False


def test_the_op_type_picks_the_variant(schema: dict[str, Any]) -> None:
    document = _doc(op("Map", "a", "core.add", params={"n": 1}, max_batch_size=3))
    assert _verdicts(schema, document) is False
    # Reported against the Map variant only, not against every variant of a oneOf.
    assert _errors(schema, document) == {("/ops/0", "additionalProperties")}
    assert _verdicts(schema, _doc({**op("Map", "a", "core.add"), "type": "Filter"})) is False
