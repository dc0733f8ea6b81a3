"""Round trips between validated wire documents and the generated, immutable model types."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from strategies import json_values

from pipespec.model import (
    freeze,
    freeze_in_place,
    op_to_model,
    op_to_wire,
    thaw,
    to_model,
    to_wire,
)
from pipespec.models.monoid_schema import Monoid
from pipespec.models.op_schema import BatchMap, Combine, FlatMap, Map, Sink
from pipespec.models.pipeline_schema import PipespecPipeline, Resources
from pipespec.models.sink_contract_schema import SinkContract
from pipespec.schemas import PIPELINE, inline_refs, load_schema, python_validator

OPS_SCHEMA = load_schema("op.schema.json")
PIPELINE_SCHEMA = load_schema(PIPELINE)

# Each generated class with the schema properties it was generated from.
CLASS_PROPERTIES: dict[type, dict[str, Any]] = {
    PipespecPipeline: PIPELINE_SCHEMA["properties"],
    Resources: PIPELINE_SCHEMA["properties"]["resources"]["properties"],
    Map: OPS_SCHEMA["$defs"]["map"]["properties"],
    FlatMap: OPS_SCHEMA["$defs"]["flat_map"]["properties"],
    BatchMap: OPS_SCHEMA["$defs"]["batch_map"]["properties"],
    Combine: OPS_SCHEMA["$defs"]["combine"]["properties"],
    Sink: OPS_SCHEMA["$defs"]["sink"]["properties"],
    Monoid: load_schema("monoid.schema.json")["properties"],
    SinkContract: load_schema("sink-contract.schema.json")["properties"],
}
OP_PROPERTIES = {
    properties["type"]["const"]: properties
    for cls, properties in CLASS_PROPERTIES.items()
    if cls in (Map, FlatMap, BatchMap, Combine, Sink)
}

MAP = {
    "type": "Map",
    "name": "clean",
    "func_id": "rag.clean",
    "func_version": "1.0.0",
    "error_policy": "skip",
    "in_type": "str",
    "out_type": "str",
    "params": {"lower": True},
    "version": "sha256:" + "0" * 64,
}
FLAT_MAP = {
    "type": "FlatMap",
    "name": "chunk",
    "func_id": "rag.chunk",
    "error_policy": "collect",
    "in_type": "str",
    "out_type": "Chunk",
    "params": {"size": 800, "overlap": 80, "unit": "chars"},
}
BATCH_MAP = {
    "type": "BatchMap",
    "name": "embed-chunks",
    "func_id": "rag.embed",
    "func_version": "2024.3",
    "max_batch_size": 64,
    "error_policy": "fail_fast",
    "in_type": "Chunk",
    "out_type": "list[float]",
}
COMBINE = {
    "type": "Combine",
    "name": "stats",
    "lift_id": "rag.stats.lift",
    "lift_version": "1",
    "monoid_id": "stats",
    "error_policy": "skip",
    "in_type": "list[float]",
    "out_type": "Stats",
}
SINK = {
    "type": "Sink",
    "name": "store",
    "sink_id": "rag.sink.sqlite",
    "sink_version": "3",
    "sink_contract": {"idempotent": True},
    "error_policy": "fail_fast",
    "in_type": "Stats",
    "out_type": "Receipt",
    "params": {"path": "out.db"},
}
OP_EXAMPLES = [
    pytest.param(MAP, Map, id="Map"),
    pytest.param(FLAT_MAP, FlatMap, id="FlatMap"),
    pytest.param(BATCH_MAP, BatchMap, id="BatchMap"),
    pytest.param(COMBINE, Combine, id="Combine"),
    pytest.param(SINK, Sink, id="Sink"),
]
MINIMAL = {"spec_version": "1", "ops": [dict(FLAT_MAP)]}
FULL = {
    "$schema": "../schema/pipeline.schema.json",
    "spec_version": "1",
    "ops": [MAP, FLAT_MAP, BATCH_MAP, COMBINE, SINK],
    "monoids": {
        "stats": {"type": "custom", "name": "rag.stats", "params": {"identity": 0}},
        "sum": {"type": "built_in", "name": "sum", "version": "sha256:" + "1" * 64},
    },
    "backend": "dask",
    "resources": {"workers": 2, "threads_per_worker": 1, "memory_limit_mb": 2048},
    "materialization_points": ["chunk", "embed-chunks"],
    "version": "sha256:" + "f" * 64,
}


def _valid(document: Mapping[str, Any]) -> dict[str, Any]:
    python_validator().validate(document)
    return dict(document)


def _pipelines() -> st.SearchStrategy[dict[str, Any]]:
    """Documents valid against the pipeline schema, composed from its member schemas.

    hypothesis-jsonschema on the whole inlined schema is several times slower and almost
    never fills the optional members; composing per member keeps every branch busy.
    """
    properties = dict(inline_refs(PIPELINE)["properties"])
    # inline_refs drops every `$schema` key, the property of that name included; the raw
    # property has no refs, so it can be used as it is.
    properties.setdefault("$schema", PIPELINE_SCHEMA["properties"]["$schema"])
    assert properties.keys() == PIPELINE_SCHEMA["properties"].keys()
    variants = properties["ops"]["items"]["oneOf"]
    assert len(variants) == len(OP_PROPERTIES)
    required = {
        "spec_version": from_schema(properties["spec_version"]),
        "ops": st.lists(st.one_of([from_schema(v) for v in variants]), min_size=1, max_size=4),
    }
    assert set(required) == set(PIPELINE_SCHEMA["required"])
    optional = {key: from_schema(value) for key, value in properties.items() if key not in required}
    return st.fixed_dictionaries(required, optional=optional)


def _integers_as_floats(document: dict[str, Any]) -> dict[str, Any]:
    """The same document with every schema integer spelled as an integral float."""
    document = copy.deepcopy(document)
    for op in document["ops"]:
        if "max_batch_size" in op:
            op["max_batch_size"] = float(op["max_batch_size"])
    resources = document.get("resources", {})
    for key in resources:
        resources[key] = float(resources[key])
    return document


def _assert_schema_key_order(wire: Mapping[str, Any]) -> None:
    def check(obj: Mapping[str, Any], properties: Mapping[str, Any]) -> None:
        assert list(obj) == [key for key in properties if key in obj]

    check(wire, PIPELINE_SCHEMA["properties"])
    for op in wire["ops"]:
        check(op, OP_PROPERTIES[op["type"]])
        if "sink_contract" in op:
            check(op["sink_contract"], CLASS_PROPERTIES[SinkContract])
    for monoid in wire.get("monoids", {}).values():
        check(monoid, CLASS_PROPERTIES[Monoid])
    check(wire.get("resources", {}), CLASS_PROPERTIES[Resources])


def _assert_deeply_immutable(value: Any) -> None:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        assert type(value).__dataclass_params__.frozen  # type: ignore[attr-defined]
        for field in dataclasses.fields(value):
            _assert_deeply_immutable(getattr(value, field.name))
    elif isinstance(value, Mapping):
        assert isinstance(value, MappingProxyType)
        for item in value.values():
            _assert_deeply_immutable(item)
    elif isinstance(value, tuple):
        for item in value:
            _assert_deeply_immutable(item)
    else:
        assert value is None or isinstance(value, str | int | float | bool), type(value)


def _assert_integer_fields_are_ints(model: PipespecPipeline) -> None:
    for op in model.ops:
        if isinstance(op, BatchMap):
            assert type(op.max_batch_size) is int
    if model.resources is not None:
        for field in dataclasses.fields(model.resources):
            value = getattr(model.resources, field.name)
            assert value is None or type(value) is int


@given(st.data())
def test_round_trip_of_schema_generated_documents(data: st.DataObject) -> None:
    document = _valid(data.draw(_pipelines(), label="document"))
    if data.draw(st.booleans(), label="integers as floats"):
        document = _valid(_integers_as_floats(document))
    model = to_model(document)
    _assert_deeply_immutable(model)
    _assert_integer_fields_are_ints(model)
    wire = to_wire(model)
    assert wire == document
    _assert_schema_key_order(wire)
    assert to_model(wire) == model


@pytest.mark.parametrize(("wire", "cls"), OP_EXAMPLES)
def test_each_op_variant_gets_its_class(wire: dict[str, Any], cls: type) -> None:
    _valid({"spec_version": "1", "ops": [wire]})
    op = op_to_model(wire)
    assert type(op) is cls
    assert op.type == wire["type"]
    assert op.name == wire["name"]
    assert op_to_wire(op) == wire
    assert list(op_to_wire(op)) == list(wire)


def test_full_document_round_trip_and_types() -> None:
    model = to_model(_valid(FULL))
    assert [type(op) for op in model.ops] == [Map, FlatMap, BatchMap, Combine, Sink]
    assert isinstance(model.ops, tuple)
    assert model.monoids is not None
    assert model.monoids["stats"] == Monoid(
        type="custom", name="rag.stats", params=MappingProxyType({"identity": 0})
    )
    assert model.resources == Resources(workers=2, threads_per_worker=1, memory_limit_mb=2048)
    assert model.materialization_points == ("chunk", "embed-chunks")
    sink = model.ops[4]
    assert isinstance(sink, Sink)
    assert sink.sink_contract == SinkContract(idempotent=True)
    assert to_wire(model) == FULL
    _assert_schema_key_order(to_wire(model))


def test_dollar_schema_round_trips_through_field_schema() -> None:
    model = to_model(_valid(FULL))
    assert model.field_schema == FULL["$schema"]
    wire = to_wire(model)
    assert wire["$schema"] == FULL["$schema"]
    assert next(iter(wire)) == "$schema"
    assert "field_schema" not in wire


def test_absent_optional_fields_stay_absent() -> None:
    document = _valid(copy.deepcopy(MINIMAL))
    del document["ops"][0]["params"]
    model = to_model(document)
    assert model.field_schema is None
    assert model.monoids is None
    assert model.backend is None
    assert model.resources is None
    assert model.materialization_points is None
    assert model.version is None
    op = model.ops[0]
    assert isinstance(op, FlatMap)
    assert (op.func_version, op.params, op.version) == (None, None, None)
    assert to_wire(model) == document
    assert to_wire(to_model(_valid({**document, "resources": {}}))) == {
        **document,
        "resources": {},
    }


def test_empty_containers_and_nulls_inside_params_are_kept() -> None:
    params: dict[str, Any] = {"none": None, "empty": {}, "list": [], "version": "not a digest"}
    document = _valid({"spec_version": "1", "ops": [{**MAP, "params": params}], "monoids": {}})
    wire = to_wire(to_model(document))
    assert wire == document
    assert wire["ops"][0]["params"] == params


def test_params_are_deeply_immutable() -> None:
    params: dict[str, Any] = {"a": [1, {"b": [2, [3]]}], "c": {"d": None, "e": {"f": "g"}}}
    document = _valid({"spec_version": "1", "ops": [{**MAP, "params": params}]})
    model = to_model(document)
    frozen = model.ops[0].params
    assert isinstance(frozen, MappingProxyType)
    assert frozen["a"] == (1, MappingProxyType({"b": (2, (3,))}))
    with pytest.raises(TypeError):
        frozen["x"] = 1  # type: ignore[index]
    with pytest.raises(TypeError):
        frozen["c"]["e"]["f"] = "h"
    with pytest.raises(TypeError):
        frozen["a"][1]["b"][0] = 5
    with pytest.raises(AttributeError):
        frozen["a"].append(4)
    _assert_deeply_immutable(model)
    # The model owns its data: changing the input afterwards leaves it as it was.
    params["a"][1]["b"].append(9)
    assert to_wire(model)["ops"][0]["params"]["a"] == [1, {"b": [2, [3]]}]


def test_model_fields_cannot_be_reassigned() -> None:
    model = to_model(_valid(FULL))
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.backend = "beam"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        model.ops[0].name = "other"  # type: ignore[misc]
    assert model.monoids is not None
    with pytest.raises(TypeError):
        model.monoids["new"] = model.monoids["sum"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        model.ops.append(model.ops[0])  # type: ignore[attr-defined]


def test_integral_floats_for_integers_become_ints() -> None:
    document = _valid(
        {
            "spec_version": "1",
            "ops": [{**BATCH_MAP, "max_batch_size": 64.0}],
            "resources": {"workers": 2.0, "memory_limit_mb": 2048.0},
        }
    )
    model = to_model(document)
    op = model.ops[0]
    assert isinstance(op, BatchMap)
    assert type(op.max_batch_size) is int and op.max_batch_size == 64
    assert model.resources == Resources(workers=2, memory_limit_mb=2048)
    assert type(model.resources.workers) is int
    wire = to_wire(model)
    assert wire == document
    assert type(wire["ops"][0]["max_batch_size"]) is int


def test_every_schema_property_has_a_model_field() -> None:
    for cls, properties in CLASS_PROPERTIES.items():
        fields = {field.name for field in dataclasses.fields(cls)}
        keys = {"field_schema" if key == "$schema" else key for key in properties}
        assert fields == keys, cls


def test_invalid_input_raises_the_documented_errors() -> None:
    with pytest.raises(KeyError):
        op_to_model({**MAP, "type": "Teleport"})
    with pytest.raises(KeyError):
        to_model({"spec_version": "1"})


def _deeply_frozen(value: Any) -> bool:
    if isinstance(value, MappingProxyType):
        return all(_deeply_frozen(item) for item in value.values())
    if isinstance(value, tuple):
        return all(_deeply_frozen(item) for item in value)
    return not isinstance(value, dict | list)


@given(json_values())
def test_freezing_in_place_gives_what_freeze_gives(value: Any) -> None:
    expected = freeze(value)
    frozen = freeze_in_place(copy.deepcopy(value))
    assert frozen == expected
    assert _deeply_frozen(frozen) and _deeply_frozen(expected)
    assert thaw(frozen) == value


def test_freezing_in_place_reuses_the_dicts_and_freeze_copies_them() -> None:
    params = {"size": 3, "tags": ["a", "b"], "nested": {"k": [1, {"x": 2}]}}
    frozen = freeze(params)
    assert params == {"size": 3, "tags": ["a", "b"], "nested": {"k": [1, {"x": 2}]}}
    in_place = freeze_in_place(params)
    assert in_place == frozen
    params["size"] = 4  # the caller gave it up: the frozen view shows the dict it wraps
    assert in_place["size"] == 4 and frozen["size"] == 3


def test_freeze_takes_any_mapping_or_sequence() -> None:
    class Custom(Mapping[str, Any]):
        def __getitem__(self, key: str) -> Any:
            return {"a": [1]}[key]

        def __iter__(self) -> Any:
            return iter(["a"])

        def __len__(self) -> int:
            return 1

    assert freeze(Custom()) == MappingProxyType({"a": (1,)})
    assert freeze(MappingProxyType({"a": [1, {"b": []}]})) == {"a": (1, {"b": ()})}
    assert freeze((1, [2])) == (1, (2,))
