"""Checks a valid document against a registry and plans each op; nothing registered is called."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from ..errors import (
    CONTRACT_MISMATCH,
    PARAMS_INVALID,
    TYPE_MISMATCH,
    UNALLOWED_OP,
    UNALLOWED_SINK,
    UNKNOWN_MONOID,
    UNKNOWN_OP,
    UNKNOWN_SINK,
    UNSEALED,
    VERSION_MISMATCH,
    ErrInfo,
    pointer,
)
from ..model import freeze
from ..monoids import BUILTIN_MONOIDS
from ..pipeline import MonoidPlan
from ..registry import Entry, Kind, Registry
from ..validate._render import Finding
from ._params import params_findings, params_valid

__all__ = ["ID_FIELDS", "Phase", "Resolved", "registry_findings"]

# Per op type: the member naming its entry, the member pinning its version, the entry kind.
ID_FIELDS: Mapping[str, tuple[str, str, Kind]] = {
    "Map": ("func_id", "func_version", "map"),
    "FlatMap": ("func_id", "func_version", "flat_map"),
    "BatchMap": ("func_id", "func_version", "batch_map"),
    "Combine": ("lift_id", "lift_version", "lift"),
    "Sink": ("sink_id", "sink_version", "sink"),
}


class Phase:
    """The order in which reconstruction reports failures: the earliest phase wins."""

    ALLOW = 1
    EXISTS = 2
    PARAMS = 3
    TYPES = 4
    MONOIDS = 5


@dataclass(frozen=True, slots=True)
class Staged:
    """A finding and the phase that found it."""

    phase: int
    finding: Finding


def _error(
    phase: int,
    code: str,
    message: str,
    at: str,
    *,
    expected: str | None = None,
    found: str | None = None,
) -> Staged:
    error = ErrInfo(
        code=code, message=f"{message} at {at}", path=at, expected=expected, found=found
    )
    return Staged(phase, Finding(error))


def _suggestion(wanted: str, registry: Registry, kind: Kind) -> str:
    same_kind = [entry.id for entry in registry if entry.kind == kind]
    close = difflib.get_close_matches(wanted, same_kind, n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    return (
        f"; registered {kind} ids: {', '.join(same_kind)}"
        if same_kind
        else f"; no {kind} is registered"
    )


def _params_findings(entry: Entry, params: Any, at: list[str | int]) -> Iterator[Staged]:
    for finding in params_findings(entry.params_schema, params, at):
        yield Staged(Phase.PARAMS, finding)


def find_entry(
    index: int, op: Mapping[str, Any], registry: Registry, allow: Collection[str] | None
) -> tuple[Entry | None, list[Staged]]:
    """The entry an op names, if the allow-list admits it and it is of the kind the op needs."""
    id_field, _, kind = ID_FIELDS[op["type"]]
    wanted = op[id_field]
    entry = registry.get(wanted)
    if entry is not None and entry.kind == kind and (allow is None or wanted in allow):
        return entry, []
    at = pointer(["ops", index, id_field])
    what = "sink" if kind == "sink" else ("lift" if kind == "lift" else "function")
    if allow is not None and wanted not in allow:
        code = UNALLOWED_SINK if kind == "sink" else UNALLOWED_OP
        return None, [_error(Phase.ALLOW, code, f"{what} {wanted!r} is not in the allow-list", at)]
    if entry is None:
        code = UNKNOWN_SINK if kind == "sink" else UNKNOWN_OP
        hint = _suggestion(wanted, registry, kind)
        return None, [_error(Phase.EXISTS, code, f"no {what} {wanted!r} is registered{hint}", at)]
    if entry.kind != kind:
        message = f"a {op['type']} op needs a {kind} entry, but {wanted!r} is a {entry.kind}"
        return None, [
            _error(Phase.EXISTS, TYPE_MISMATCH, message, at, expected=kind, found=entry.kind)
        ]
    return entry, []


def _pin_findings(index: int, op: Mapping[str, Any], entry: Entry) -> list[Staged]:
    _, pin_field, _ = ID_FIELDS[op["type"]]
    pin = op.get(pin_field)
    if pin is None:
        message = (
            f"{entry.id!r} has no pinned version (the registry has {entry.version}); "
            "run `pipespec seal`"
        )
        at = pointer(["ops", index])
        return [_error(Phase.EXISTS, UNSEALED, message, at, expected=entry.version)]
    if pin != entry.version:
        message = f"{entry.id!r} is pinned to version {pin} but the registry has {entry.version}"
        at = pointer(["ops", index, pin_field])
        return [
            _error(Phase.EXISTS, VERSION_MISMATCH, message, at, expected=entry.version, found=pin)
        ]
    return []


def _type_findings(index: int, op: Mapping[str, Any], entry: Entry) -> Iterator[Staged]:
    for member, declared in (("in_type", entry.in_type), ("out_type", entry.out_type)):
        if op[member] != declared:
            yield _error(
                Phase.TYPES,
                TYPE_MISMATCH,
                f"expected {member} {declared!r} as {entry.id!r} declares, found {op[member]!r}",
                pointer(["ops", index, member]),
                expected=declared,
                found=op[member],
            )
    if op["type"] == "Sink" and entry.sink_contract is not None:
        declared_idempotent = op["sink_contract"]["idempotent"]
        if declared_idempotent != entry.sink_contract.idempotent:
            yield _error(
                Phase.TYPES,
                CONTRACT_MISMATCH,
                f"sink {entry.id!r} is registered with idempotent "
                f"{str(entry.sink_contract.idempotent).lower()}, the op declares "
                f"{str(declared_idempotent).lower()}",
                pointer(["ops", index, "sink_contract", "idempotent"]),
                expected=str(entry.sink_contract.idempotent).lower(),
                found=str(declared_idempotent).lower(),
            )


def _chain_findings(ops: list[Mapping[str, Any]]) -> Iterator[Staged]:
    for index in range(1, len(ops)):
        produced, consumed = ops[index - 1]["out_type"], ops[index]["in_type"]
        if produced != consumed:
            yield _error(
                Phase.TYPES,
                TYPE_MISMATCH,
                f"expected in_type {produced!r}, the out_type of the previous op "
                f"{ops[index - 1]['name']!r}, found {consumed!r}",
                pointer(["ops", index, "in_type"]),
                expected=produced,
                found=consumed,
            )


def find_factory(
    key: str, monoid: Mapping[str, Any], registry: Registry, allow: Collection[str] | None
) -> tuple[Entry | None, list[Staged]]:
    """The factory entry a custom monoid names, if the allow-list admits it."""
    name = monoid["name"]
    at = pointer(["monoids", key, "name"])
    if allow is not None and name not in allow:
        message = f"monoid factory {name!r} is not in the allow-list"
        return None, [_error(Phase.ALLOW, UNALLOWED_OP, message, at)]
    entry = registry.get(name)
    if entry is None or entry.kind != "monoid":
        hint = _suggestion(name, registry, "monoid")
        message = f"no monoid factory {name!r} is registered{hint}"
        return None, [_error(Phase.MONOIDS, UNKNOWN_MONOID, message, at)]
    return entry, []


def _builtin_plan(key: str, monoid: Mapping[str, Any]) -> tuple[MonoidPlan | None, list[Staged]]:
    name = monoid["name"]
    builtin = BUILTIN_MONOIDS.get(name)
    if builtin is None:
        known = ", ".join(BUILTIN_MONOIDS)
        message = f"no built-in monoid {name!r} (built-ins: {known})"
        at = pointer(["monoids", key, "name"])
        return None, [
            _error(Phase.MONOIDS, UNKNOWN_MONOID, message, at, expected=known, found=name)
        ]
    if monoid.get("params"):
        message = f"built-in monoid {name!r} takes no params"
        return None, [
            _error(Phase.MONOIDS, PARAMS_INVALID, message, pointer(["monoids", key, "params"]))
        ]
    return MonoidPlan(key=key, builtin=builtin), []


def _monoid_plan(
    key: str, monoid: Mapping[str, Any], registry: Registry, allow: Collection[str] | None
) -> tuple[MonoidPlan | None, list[Staged]]:
    if monoid["type"] == "built_in":
        return _builtin_plan(key, monoid)
    entry, found = find_factory(key, monoid, registry, allow)
    if entry is None:
        return None, found
    pin = monoid.get("factory_version")
    if pin is None:
        message = f"monoid factory {entry.id!r} has no pinned version; run `pipespec seal`"
        at = pointer(["monoids", key])
        return None, [_error(Phase.MONOIDS, UNSEALED, message, at, expected=entry.version)]
    if pin != entry.version:
        message = f"{entry.id!r} is pinned to version {pin} but the registry has {entry.version}"
        at = pointer(["monoids", key, "factory_version"])
        return None, [
            _error(Phase.MONOIDS, VERSION_MISMATCH, message, at, expected=entry.version, found=pin)
        ]
    params = monoid.get("params", {})
    found = [
        Staged(Phase.MONOIDS, staged.finding)
        for staged in _params_findings(entry, params, ["monoids", key, "params"])
    ]
    if found:
        return None, found
    return MonoidPlan(key=key, entry=entry, params=freeze(params)), []


def _combine_findings(
    index: int, op: Mapping[str, Any], entry: Entry, plan: MonoidPlan | None
) -> Iterator[Staged]:
    if plan is None or plan.entry is None:
        return
    if entry.out_type != plan.entry.out_type:
        yield _error(
            Phase.MONOIDS,
            TYPE_MISMATCH,
            f"lift {entry.id!r} produces {entry.out_type!r} but monoid {plan.key!r} "
            f"folds {plan.entry.out_type!r}",
            pointer(["ops", index, "monoid_id"]),
            expected=plan.entry.out_type,
            found=entry.out_type,
        )


def _plain_entry(
    op: Mapping[str, Any], registry: Registry, allow: Collection[str] | None
) -> Entry | None:
    """The entry of an op with nothing to report: admitted, of the kind the op needs, pinned
    to its version, with matching types, contract and params. This is the common case,
    checked without building findings; None sends the op through the full checks."""
    id_field, pin_field, kind = ID_FIELDS[op["type"]]
    wanted = op[id_field]
    entry = registry.get(wanted)
    if entry is None or entry.kind != kind or (allow is not None and wanted not in allow):
        return None
    contract = op.get("sink_contract")
    fits = (
        op.get(pin_field) == entry.version
        and op["in_type"] == entry.in_type
        and op["out_type"] == entry.out_type
        and (
            contract is None
            or entry.sink_contract is None
            or contract.get("idempotent") == entry.sink_contract.idempotent
        )
        and params_valid(entry.params_schema, op.get("params", {}))
    )
    return entry if fits else None


# An op's index in the document, its entry and, for a Combine, its monoid's plan.
Resolved: TypeAlias = tuple[int, Entry, MonoidPlan | None]


def registry_findings(
    data: Mapping[str, Any], registry: Registry, allow: Collection[str] | None
) -> tuple[list[Resolved], list[Staged]]:
    """What each op of a schema-valid, digest-verified document resolves to, or every reason
    some op does not.

    Nothing registered is called: entries are looked up, params validated against their
    schemas, and types compared.
    """
    staged: list[Staged] = []
    monoid_plans: dict[str, MonoidPlan | None] = {}
    for key, monoid in data.get("monoids", {}).items():
        plan, found = _monoid_plan(key, monoid, registry, allow)
        monoid_plans[key] = plan
        staged += found
    ops: list[Mapping[str, Any]] = list(data["ops"])
    resolved: list[Resolved] = []
    for index, op in enumerate(ops):
        entry = _plain_entry(op, registry, allow)
        if entry is None:
            entry, found = find_entry(index, op, registry, allow)
            if entry is None:
                staged += found
                continue
            staged += _pin_findings(index, op, entry)
            staged += _params_findings(entry, op.get("params", {}), ["ops", index, "params"])
            staged += _type_findings(index, op, entry)
        monoid_plan = None
        if op["type"] == "Combine":
            monoid_plan = monoid_plans.get(op["monoid_id"])
            staged += _combine_findings(index, op, entry, monoid_plan)
        resolved.append((index, entry, monoid_plan))
    staged += _chain_findings(ops)
    return resolved, sorted(staged, key=lambda s: s.phase)
