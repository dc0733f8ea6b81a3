"""Conversion between validated wire documents and the generated, immutable model types."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from pipespec.models.monoid_schema import Monoid
from pipespec.models.op_schema import BatchMap, Combine, FlatMap, Map, Op, Sink
from pipespec.models.pipeline_schema import PipespecPipeline, Resources
from pipespec.models.sink_contract_schema import SinkContract
from pipespec.schemas import PIPELINE, load_schema

__all__ = [
    "freeze",
    "freeze_in_place",
    "frozen_member",
    "op_to_model",
    "op_to_wire",
    "thaw",
    "to_model",
    "to_wire",
]

# Wire keys that are not Python identifiers, and the field names the generator gave them.
_FIELD_NAMES: Mapping[str, str] = MappingProxyType({"$schema": "field_schema"})


_SCALARS = frozenset({str, int, float, bool, type(None)})


def freeze(value: Any) -> Any:
    """A JSON value made deeply immutable: objects as MappingProxyType, arrays as tuples."""
    kind = type(value)
    # Exact types first, and scalars without a call: this runs over whole documents. The
    # abstract Mapping check is slow, so it comes last.
    if kind is dict or kind is MappingProxyType:
        return MappingProxyType(
            {k: v if type(v) in _SCALARS else freeze(v) for k, v in value.items()}
        )
    if kind is list or kind is tuple:
        return tuple([v if type(v) in _SCALARS else freeze(v) for v in value])
    if kind in _SCALARS:
        return value
    if isinstance(value, Mapping):
        return freeze(dict(value))
    if isinstance(value, list | tuple):
        return freeze(list(value))
    return value


def freeze_in_place(value: Any) -> Any:
    """``freeze(value)`` for a value nothing else refers to: its dicts are wrapped as they
    are, not copied (arrays still become tuples). Only for data the caller just parsed and
    gives up: whoever still held one of its dicts could change the frozen value."""
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(item) not in _SCALARS:
                value[key] = freeze_in_place(item)
        return MappingProxyType(value)
    if kind is list:
        return tuple([item if type(item) in _SCALARS else freeze_in_place(item) for item in value])
    return freeze(value)


def _optional_int(value: Any) -> int | None:
    # JSON Schema counts 1.0 as an integer; the model promises a real int.
    return None if value is None else int(value)


def _optional_params(data: Mapping[str, Any]) -> Mapping[str, Any] | None:
    params = data.get("params")
    return None if params is None else freeze(params)


def frozen_member(value: Any) -> Any:
    """``freeze(value)``, skipping the call for a scalar (most members of a document)."""
    return value if type(value) in _SCALARS else freeze(value)


# One builder per op type, each naming every field: building the keyword arguments once,
# rather than merging a dict of the common ones, is a third faster per op.


def _map(data: Mapping[str, Any], params: Mapping[str, Any] | None) -> Map | FlatMap:
    # Map and FlatMap have the same fields.
    return (Map if data["type"] == "Map" else FlatMap)(
        type=data["type"],
        name=data["name"],
        func_id=data["func_id"],
        func_version=data.get("func_version"),
        error_policy=data["error_policy"],
        in_type=data["in_type"],
        out_type=data["out_type"],
        params=params,
        version=data.get("version"),
    )


def _batch_map(data: Mapping[str, Any], params: Mapping[str, Any] | None) -> BatchMap:
    return BatchMap(
        type="BatchMap",
        name=data["name"],
        func_id=data["func_id"],
        func_version=data.get("func_version"),
        max_batch_size=int(data["max_batch_size"]),
        error_policy=data["error_policy"],
        in_type=data["in_type"],
        out_type=data["out_type"],
        params=params,
        version=data.get("version"),
    )


def _combine(data: Mapping[str, Any], params: Mapping[str, Any] | None) -> Combine:
    return Combine(
        type="Combine",
        name=data["name"],
        lift_id=data["lift_id"],
        lift_version=data.get("lift_version"),
        monoid_id=data["monoid_id"],
        error_policy=data["error_policy"],
        in_type=data["in_type"],
        out_type=data["out_type"],
        params=params,
        version=data.get("version"),
    )


def _sink(data: Mapping[str, Any], params: Mapping[str, Any] | None) -> Sink:
    return Sink(
        type="Sink",
        name=data["name"],
        sink_id=data["sink_id"],
        sink_version=data.get("sink_version"),
        sink_contract=SinkContract(idempotent=data["sink_contract"]["idempotent"]),
        error_policy=data["error_policy"],
        in_type=data["in_type"],
        out_type=data["out_type"],
        params=params,
        version=data.get("version"),
    )


_OP_BUILDERS: Mapping[str, Callable[[Mapping[str, Any], Mapping[str, Any] | None], Op]] = (
    MappingProxyType(
        {
            "Map": _map,
            "FlatMap": _map,
            "BatchMap": _batch_map,
            "Combine": _combine,
            "Sink": _sink,
        }
    )
)


def op_to_model(data: Mapping[str, Any], *, frozen: bool = False) -> Op:
    """The generated op class for one validated wire op, chosen by its ``type`` tag.

    Like :func:`to_model`, it trusts its input: on an op that is not valid against
    ``op.schema.json`` it may raise ``KeyError``/``TypeError`` or build a wrong model.
    With ``frozen``, ``data`` is already deeply frozen and the model shares its params.
    """
    params = data.get("params")
    if params is not None and not frozen:
        params = freeze(params)
    return _OP_BUILDERS[data["type"]](data, params)


def _monoid(data: Mapping[str, Any]) -> Monoid:
    return Monoid(
        type=data["type"],
        name=data["name"],
        factory_version=data.get("factory_version"),
        params=_optional_params(data),
        version=data.get("version"),
    )


def _resources(data: Mapping[str, Any]) -> Resources:
    return Resources(
        workers=_optional_int(data.get("workers")),
        threads_per_worker=_optional_int(data.get("threads_per_worker")),
        memory_limit_mb=_optional_int(data.get("memory_limit_mb")),
    )


def to_model(data: Mapping[str, Any], *, ops: tuple[Op, ...] | None = None) -> PipespecPipeline:
    """The immutable model of a pipeline document already valid against the pipeline schema.

    Ops become their generated classes by ``type``, lists become tuples, and ``params`` and
    ``monoids`` become read-only mappings, recursively, so the frozen model cannot change
    underneath a holder. Integer fields given as integral floats (``1.0``) become ints.

    Callers validate first: on a document that is not valid this may raise ``KeyError`` or
    ``TypeError``, or return a model that does not describe the document. ``ops``, when
    given, are the models of ``data["ops"]`` already built with :func:`op_to_model`.
    """
    monoids = data.get("monoids")
    resources = data.get("resources")
    points = data.get("materialization_points")
    return PipespecPipeline(
        field_schema=data.get("$schema"),
        spec_version=data["spec_version"],
        ops=tuple(op_to_model(op) for op in data["ops"]) if ops is None else ops,
        monoids=None
        if monoids is None
        else MappingProxyType({key: _monoid(value) for key, value in monoids.items()}),
        backend=data.get("backend"),
        resources=None if resources is None else _resources(resources),
        materialization_points=None if points is None else tuple(points),
        version=data.get("version"),
    )


@cache
def _wire_keys() -> Mapping[type, tuple[tuple[str, str], ...]]:
    """For each generated class, its (wire key, field name) pairs in schema property order.

    The generator moves required fields first, so the dataclass order is not the wire order.
    """
    pipeline = load_schema(PIPELINE)["properties"]
    ops = load_schema("op.schema.json")["$defs"]
    properties: dict[type, Mapping[str, Any]] = {
        PipespecPipeline: pipeline,
        Resources: pipeline["resources"]["properties"],
        Map: ops["map"]["properties"],
        FlatMap: ops["flat_map"]["properties"],
        BatchMap: ops["batch_map"]["properties"],
        Combine: ops["combine"]["properties"],
        Sink: ops["sink"]["properties"],
        Monoid: load_schema("monoid.schema.json")["properties"],
        SinkContract: load_schema("sink-contract.schema.json")["properties"],
    }
    return MappingProxyType(
        {
            cls: tuple((key, _FIELD_NAMES.get(key, key)) for key in keys)
            for cls, keys in properties.items()
        }
    )


def _to_wire(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        wire: dict[str, Any] = {}
        for key, field in _wire_keys()[type(value)]:
            item = getattr(value, field)
            # Only model fields are dropped when None; a JSON null inside params is kept below.
            if item is not None:
                wire[key] = _to_wire(item)
        return wire
    if isinstance(value, Mapping):
        return {key: _to_wire(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_to_wire(item) for item in value]
    return value


def thaw(value: Any) -> Any:
    """A frozen JSON value (or model) back as plain dicts and lists: the inverse of ``freeze``."""
    return _to_wire(value)


def op_to_wire(op: Op) -> dict[str, Any]:
    """The wire form of one op: plain dicts and lists, absent fields omitted, schema key order."""
    wire: dict[str, Any] = _to_wire(op)
    return wire


def to_wire(model: PipespecPipeline) -> dict[str, Any]:
    """The wire document for a model: the inverse of :func:`to_model`.

    Plain dicts and lists, fields that are None left out (the schemas declare no defaults,
    so None means absent on the wire), keys in the schema's property order.
    """
    wire: dict[str, Any] = _to_wire(model)
    return wire
