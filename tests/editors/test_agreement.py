"""ajv, python-jsonschema and jsonschema-rs give one verdict on every fixture and its mutants,
and the specialised schema flags exactly what `pipespec check` refuses op by op.

The mutants change one member of a fixture at a time (another id, a wrong type, a number out
of range, a member removed or added) and are resealed, so `check` gets past the digests to
the registry. ajv runs in one `node` process over all of them.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema_rs
import pytest

from pipespec.digest import seal_data
from pipespec.errors import ErrInfo
from pipespec.reconstruction import check_document
from pipespec.registry import Registry
from pipespec.result import Ok
from pipespec.schemas import fast_validator, python_validator

EDITORS = Path(__file__).resolve().parents[2] / "editors"
ALTERNATES: dict[type, list[Any]] = {
    str: ["rag.chunk", "rag.index.sqlite", "sum", "../up", 7],
    int: [0, -1, 100_001, "8"],
    bool: ["true", None],
}
# What `check` finds op by op (or monoid by monoid): the specialised schema must flag these.
PER_ENTRY = {
    "SCHEMA_INVALID",
    "UNKNOWN_OP",
    "UNKNOWN_SINK",
    "UNKNOWN_MONOID",
    "PARAMS_INVALID",
    "VERSION_MISMATCH",
    "CONTRACT_MISMATCH",
}
UNHASHED = {"version", "$schema"}


def _mutants(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """(path, replacement) pairs; a replacement of ``_DROP`` removes the member."""
    if isinstance(node, dict):
        yield (*at, "unexpected"), 1
        for key, value in node.items():
            if key not in UNHASHED:
                yield (*at, key), _DROP
                yield from _mutants(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _mutants(value, (*at, index))
    else:
        for alternate in ALTERNATES.get(type(node), []):
            if alternate != node:
                yield at, alternate


_DROP = object()


def _apply(data: Any, path: tuple[Any, ...], value: Any) -> Any:
    mutated = copy.deepcopy(data)
    parent = mutated
    for part in path[:-1]:
        parent = parent[part]
    if value is _DROP:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return mutated


def _resealed(data: Any) -> Any:
    """The document with fresh digests, so that `check` reaches the registry findings."""
    if not fast_validator().is_valid(data):
        return data  # `check` stops at the schema; sealing needs a schema-valid document
    unsealed = {k: v for k, v in data.items() if k != "version"}
    for group in ("ops", "monoids"):
        members = unsealed.get(group)
        if isinstance(members, list):
            unsealed[group] = [_unversioned(op) for op in members]
        elif isinstance(members, dict):
            unsealed[group] = {k: _unversioned(m) for k, m in members.items()}
    match seal_data(unsealed, float_free=True):
        case Ok(sealed):
            return sealed
        case _:
            return unsealed


def _unversioned(member: Any) -> Any:
    return (
        {k: v for k, v in member.items() if k != "version"} if isinstance(member, dict) else member
    )


def _documents(cases: list[Any]) -> list[Any]:
    documents = []
    for case in cases:
        data = case.data()
        documents.append(data)
        documents += [_resealed(_apply(data, path, value)) for path, value in _mutants(data)]
    return documents


def _against_entry(error: ErrInfo) -> bool:
    """A type mismatch between an op and its entry, not between consecutive ops."""
    at_member = error.path.endswith(("_id", "/in_type", "/out_type"))
    return at_member and "previous op" not in error.message


def _per_entry(errors: list[ErrInfo]) -> list[ErrInfo]:
    return [
        e
        for e in errors
        if e.code in PER_ENTRY or (e.code == "TYPE_MISMATCH" and _against_entry(e))
    ]


@pytest.fixture(scope="module")
def documents(cases: list[Any]) -> list[Any]:
    return _documents(cases)


@pytest.fixture(scope="module")
def ajv_verdicts(documents: list[Any]) -> list[dict[str, bool]]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not on PATH: install Node.js 20 or later and run `make node`")
    if not (EDITORS / "node_modules" / "ajv").is_dir():
        pytest.fail("editors/node_modules is missing: run `make node` (npm ci in editors/)")
    done = subprocess.run(
        [node, "verdicts.js"],
        cwd=EDITORS,
        input=json.dumps(documents),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    verdicts: list[dict[str, bool]] = json.loads(done.stdout)
    return verdicts


def test_the_mutants_cover_both_verdicts(documents: list[Any], rag_specialized: Any) -> None:
    specialized = jsonschema_rs.validator_for(rag_specialized)
    verdicts = [(fast_validator().is_valid(d), specialized.is_valid(d)) for d in documents]
    assert len(documents) > 500
    assert {(True, True), (True, False), (False, False)} <= set(verdicts)


def test_three_validators_agree(
    documents: list[Any], ajv_verdicts: list[dict[str, bool]], rag_specialized: Any
) -> None:
    reference = jsonschema.Draft202012Validator(rag_specialized)
    compiled = jsonschema_rs.validator_for(rag_specialized)
    disagreements = []
    for document, ajv in zip(documents, ajv_verdicts, strict=True):
        canonical = {python_validator().is_valid(document), fast_validator().is_valid(document)}
        specialized = {reference.is_valid(document), compiled.is_valid(document)}
        if canonical != {ajv["canonical"]} or specialized != {ajv["specialized"]}:
            disagreements.append((document, canonical, specialized, ajv))
    assert disagreements == []


def test_the_specialized_schema_flags_what_check_refuses_per_entry(
    documents: list[Any], rag: Registry, rag_specialized: Any
) -> None:
    specialized = jsonschema_rs.validator_for(rag_specialized)
    for document in documents:
        errors = check_document(document, rag)
        codes = {e.code for e in errors}
        assert fast_validator().is_valid(document) is ("SCHEMA_INVALID" not in codes)
        if specialized.is_valid(document):
            # No false negatives: what the editor passes, `check` passes op by op.
            assert _per_entry(errors) == [], document
        else:
            # No false alarms: what the editor flags, `check` refuses too.
            assert codes - {"UNSEALED"}, document
