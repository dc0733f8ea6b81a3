"""Reconstruction: a sealed document and a registry from code become a Pipeline, or an error."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..digest import seal_data
from ..errors import RECONSTRUCT_FAIL, ErrInfo
from ..limits import DEFAULT_LIMITS, Limits
from ..model import freeze, freeze_in_place, frozen_member, thaw
from ..pipeline import OpPlan, Pipeline
from ..read import Document, read_bytes, read_text
from ..registry import Registry
from ..result import Err, Ok, Result
from ..validate import Finding, check_data, place
from ..write import dump_json
from ._resolve import ID_FIELDS, Resolved, find_entry, find_factory, registry_findings

__all__ = ["check_document", "reconstruct", "seal", "serialize"]

Source = str | bytes | Mapping[str, Any] | Document


@dataclass(frozen=True, slots=True)
class _Input:
    """A source made ready: its data, and the read document when there is text to point into."""

    data: Any
    document: Document | None
    owned: bool = False
    """Whether reconstruction read ``data`` itself, so that nothing else refers to it."""

    @property
    def float_free(self) -> bool:
        # Only a reader's output is vetted for the fast canonical path; a mapping from code is not.
        return self.document is not None and not self.document.has_floats

    def errors(self, findings: list[Finding]) -> list[ErrInfo]:
        if self.document is not None:
            return place(self.document, findings)
        return [finding.error for finding in findings]


def _read(source: Source, limits: Limits) -> Result[_Input, ErrInfo]:
    read: Result[Document, ErrInfo]
    # Text first: the abstract Mapping check is slow.
    if isinstance(source, bytes):
        read = read_bytes(source, limits=limits)
    elif isinstance(source, str):
        read = read_text(source, limits=limits)
    elif isinstance(source, Document):
        return Ok(_Input(source.data, source))
    elif isinstance(source, Mapping):
        return Ok(_Input(source, None))
    else:
        message = f"expected document text, bytes or a mapping, found {type(source).__name__}"
        return Err(ErrInfo(code=RECONSTRUCT_FAIL, message=message))
    match read:
        case Ok(document):
            return Ok(_Input(document.data, document, owned=True))
        case Err() as failed:
            return failed


def _findings(
    given: _Input, registry: Registry, allow: Collection[str] | None
) -> tuple[list[Resolved], list[Finding]]:
    findings = check_data(given.data, sealed=True, float_free=given.float_free)
    if findings:
        return [], findings
    resolved, staged = registry_findings(given.data, registry, allow)
    return resolved, [s.finding for s in staged]


def _unexpected(exc: Exception) -> ErrInfo:
    return ErrInfo(
        code=RECONSTRUCT_FAIL,
        message=f"reconstruction failed unexpectedly: {type(exc).__name__}: {exc}",
    )


# A schema-valid op holds scalars but for `params` and the one-member `sink_contract`, so
# only those two need a deep freeze.


def _frozen_op(op: Mapping[str, Any]) -> Mapping[str, Any]:
    return _frozen_in_place(dict(op), freeze)


def _frozen_in_place(
    op: dict[str, Any], deep: Callable[[Any], Any] = freeze_in_place
) -> Mapping[str, Any]:
    params = op.get("params")
    if params is not None:
        op["params"] = deep(params)
    contract = op.get("sink_contract")
    if contract is not None:
        op["sink_contract"] = deep(contract)
    return MappingProxyType(op)


def _pipeline(given: _Input, resolved: list[Resolved]) -> Pipeline:
    """The pipeline of a schema-valid document whose ops resolved: the spec frozen (in place
    when reconstruction read the data itself), each plan holding its op as the spec does."""
    data = given.data
    ops = tuple(map(_frozen_in_place if given.owned else _frozen_op, data["ops"]))
    spec = MappingProxyType(
        {key: ops if key == "ops" else frozen_member(value) for key, value in data.items()}
    )
    plans = tuple(
        OpPlan(index=index, wire=ops[index], entry=entry, monoid=monoid)
        for index, entry, monoid in resolved
    )
    return Pipeline(spec=spec, ops=plans)


def check_document(
    source: Source,
    registry: Registry,
    *,
    allow: Collection[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list[ErrInfo]:
    """Every reason ``source`` would not reconstruct: the full dry run short of running it.

    Read, schema, names, digests; then allow-list, registry entries and pinned versions,
    params, types and monoids. Empty when reconstruction would succeed.
    """
    match _read(source, limits):
        case Err(error):
            return [error]
        case Ok(given):
            pass
    try:
        _, findings = _findings(given, registry, allow)
    except Exception as exc:  # a bug must still come back as a value
        return [_unexpected(exc)]
    return given.errors(findings)


def reconstruct(
    source: Source,
    registry: Registry,
    *,
    allow: Collection[str] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Result[Pipeline, ErrInfo]:
    """``Ok(pipeline)`` for a sealed document whose every id the registry (and ``allow``) admits.

    ``source`` is document text, bytes, a parsed mapping or a read ``Document``. The first
    failure comes back as ``Err(ErrInfo)`` in this order: reading, schema, digests (an
    unsealed document is refused), allow-list, entries and pinned versions, params, types,
    monoids. Building calls nothing registered and does no I/O; entries are built when the
    pipeline runs. Never raises.
    """
    match _read(source, limits):
        case Err() as failed:
            return failed
        case Ok(given):
            pass
    try:
        resolved, findings = _findings(given, registry, allow)
        if findings:
            # Findings arrive in reporting order; only the first is placed.
            return Err(given.errors(findings[:1])[0])
        return Ok(_pipeline(given, resolved))
    except Exception as exc:  # a bug must still come back as a value
        return Err(_unexpected(exc))


def serialize(pipeline: Pipeline) -> str:
    """The sealed spec ``pipeline`` was reconstructed from, as JSON text."""
    return dump_json(thaw(pipeline.spec))


def _pinned(obj: Mapping[str, Any], id_field: str, pin_field: str, version: str) -> dict[str, Any]:
    # A new pin goes right after the id it pins, where a reader looks for it.
    if pin_field in obj:
        return {**obj, pin_field: version}
    pinned: dict[str, Any] = {}
    for key, value in obj.items():
        pinned[key] = value
        if key == id_field:
            pinned[pin_field] = version
    return pinned


def seal(
    source: Source, registry: Registry, *, limits: Limits = DEFAULT_LIMITS
) -> Result[dict[str, Any], ErrInfo]:
    """A sealed copy of a schema-valid document: every registry version pinned, every digest filled.

    Each op's ``func_version`` / ``lift_version`` / ``sink_version`` and each custom
    monoid's ``factory_version`` is set to what ``registry`` declares; an id the registry
    does not know is an error (UNKNOWN_OP, UNKNOWN_SINK, UNKNOWN_MONOID).
    """
    match _read(source, limits):
        case Err() as failed:
            return failed
        case Ok(given):
            pass
    findings = check_data(given.data, sealed=False)
    if findings:
        return Err(given.errors(findings[:1])[0])
    try:
        pinned = _pin(given.data, registry)
    except _Unpinnable as exc:
        return Err(given.errors([Finding(exc.error)])[0])
    return seal_data(pinned, float_free=given.float_free)


class _Unpinnable(Exception):
    def __init__(self, error: ErrInfo) -> None:
        super().__init__(error.message)
        self.error = error


def _pin(data: Mapping[str, Any], registry: Registry) -> dict[str, Any]:
    ops = []
    for index, op in enumerate(data["ops"]):
        id_field, pin_field, _ = ID_FIELDS[op["type"]]
        entry, staged = find_entry(index, op, registry, None)
        if entry is None:
            raise _Unpinnable(staged[0].finding.error)
        ops.append(_pinned(op, id_field, pin_field, entry.version))
    monoids = {}
    for key, monoid in data.get("monoids", {}).items():
        if monoid["type"] == "custom":
            factory, staged = find_factory(key, monoid, registry, None)
            if factory is None:
                raise _Unpinnable(staged[0].finding.error)
            monoid = _pinned(monoid, "name", "factory_version", factory.version)
        monoids[key] = monoid
    pinned = {**data, "ops": ops}
    if "monoids" in data:
        pinned["monoids"] = monoids
    return pinned
