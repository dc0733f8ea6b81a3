"""The seed design, for comparison only: Pydantic models with ``extra="forbid"`` and SHA-256
over ``json.dumps(sort_keys=True)``, reconstructing against a plain dict registry.

It follows the course chapter's ``PipelineSpec`` / ``OpSpec`` / ``MonoidSpec`` and its
``reconstruct_pipeline``: parse and validate with ``model_validate_json``, recompute the
pipeline hash, then every op's and monoid's hash, check allow-list and registry versions, and
look every id up. Its fields are widened to accept pipespec's wire documents (params, the
per-variant ids, ``spec_version``), so both designs read the same ops. It checks less than
pipespec: no id or type-name patterns, no per-variant required fields, no params schemas,
no type chain, no duplicate-key or limit checks, and its hash is not RFC 8785.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PipelineSpec", "reconstruct", "seal"]


class MonoidSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["built_in", "custom"]
    name: str
    factory_version: str | None = None
    params: dict[str, Any] | None = None
    version: str = ""


class SinkContractSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    idempotent: bool


class OpSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["Map", "FlatMap", "BatchMap", "Combine", "Sink"]
    name: str
    error_policy: Literal["fail_fast", "skip", "collect"]
    in_type: str
    out_type: str
    params: dict[str, Any] | None = None
    version: str = ""
    func_id: str | None = None
    func_version: str | None = None
    max_batch_size: int | None = None
    lift_id: str | None = None
    lift_version: str | None = None
    monoid_id: str | None = None
    sink_id: str | None = None
    sink_version: str | None = None
    sink_contract: SinkContractSpec | None = None


class PipelineSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    spec_version: str
    ops: list[OpSpec]
    monoids: dict[str, MonoidSpec] = Field(default_factory=dict)
    backend: Literal["local", "dask", "beam"] = "local"
    resources: dict[str, Any] = Field(default_factory=dict)
    materialization_points: list[str] = Field(default_factory=list)
    version: str = ""


def canonical_hash(model: BaseModel) -> str:
    """The seed's digest: SHA-256 of sorted-key JSON of the model without its version."""
    payload = model.model_dump(exclude={"version"}, mode="json")
    data = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def seal(document: Mapping[str, Any]) -> str:
    """The seed's serialization of ``document``: every version filled, as JSON text."""
    spec = PipelineSpec.model_validate(document)
    for op in spec.ops:
        op.version = canonical_hash(op)
    for monoid in spec.monoids.values():
        monoid.version = canonical_hash(monoid)
    spec.version = canonical_hash(spec)
    return spec.model_dump_json()


Registry = Mapping[str, tuple[str, Callable[..., Any]]]
"""id → (version, function)."""


def reconstruct(text: str, registry: Registry, allow: frozenset[str]) -> tuple[str, Any]:
    """``("ok", ops)`` or ``(code, message)``, as the seed's ``reconstruct_pipeline`` decides."""
    try:
        spec = PipelineSpec.model_validate_json(text)
    except ValueError as exc:
        return "SCHEMA_INVALID", str(exc)
    if canonical_hash(spec) != spec.version:
        return "HASH_MISMATCH", "pipeline hash mismatch"
    for op in spec.ops:
        if canonical_hash(op) != op.version:
            return "HASH_MISMATCH", f"op {op.name} hash mismatch"
        for ref, pin in (
            (op.func_id, op.func_version),
            (op.lift_id, op.lift_version),
            (op.sink_id, op.sink_version),
        ):
            if ref is None:
                continue
            if ref not in allow:
                return "UNALLOWED_OP", f"{ref} not allowed"
            if ref not in registry or registry[ref][0] != pin:
                return "VERSION_MISMATCH", f"{ref} version changed"
    for key, monoid in spec.monoids.items():
        if canonical_hash(monoid) != monoid.version:
            return "HASH_MISMATCH", f"monoid {key} hash mismatch"
    built = []
    for op in spec.ops:
        ref = op.func_id or op.lift_id or op.sink_id
        if ref is None:
            return "MISSING_FIELD", f"{op.type} op {op.name} names no function"
        built.append((op, registry[ref][1]))
    return "ok", built
