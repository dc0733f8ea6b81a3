"""Mutations of valid, sealed documents are refused with the expected code, never an exception,
and no changed hashed byte is ever accepted."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from strategies import documents

from pipespec.digest import seal_data
from pipespec.read import read_text
from pipespec.result import Err, Ok
from pipespec.validate import validate_document

REQUIRED_OP = ["type", "name", "error_policy", "in_type", "out_type"]


def _sealed(doc: dict[str, Any]) -> dict[str, Any]:
    result = seal_data(doc)
    assert isinstance(result, Ok)
    return result.value


def _codes(text: str) -> set[str]:
    result = read_text(text, format="json")
    if isinstance(result, Err):
        return {result.error.code}
    return {error.code for error in validate_document(result.value)}


def _mutate(doc: dict[str, Any], kind: str, data: st.DataObject) -> tuple[str, str]:
    """The mutated document's text and the code it must be refused with."""
    doc = copy.deepcopy(doc)
    index = data.draw(st.integers(min_value=0, max_value=len(doc["ops"]) - 1))
    op = doc["ops"][index]
    if kind == "drop-required":
        if data.draw(st.booleans()):
            del doc[data.draw(st.sampled_from(["spec_version", "ops"]))]
        else:
            del op[data.draw(st.sampled_from(REQUIRED_OP))]
        return json.dumps(doc), "SCHEMA_INVALID"
    if kind == "add-unknown":
        target = doc if data.draw(st.booleans()) else op
        target[data.draw(st.sampled_from(["extra", "Version", "func", "__class__"]))] = 1
        return json.dumps(doc), "SCHEMA_INVALID"
    if kind == "change-type":
        key = data.draw(st.sampled_from(["name", "error_policy", "in_type"]))
        op[key] = data.draw(st.sampled_from([1, True, None, [], {}]))
        return json.dumps(doc), "SCHEMA_INVALID"
    if kind == "flip-digest":
        target = doc if data.draw(st.booleans()) else op
        digest = target["version"]
        position = data.draw(st.integers(min_value=len("sha256:"), max_value=len(digest) - 1))
        replacement = data.draw(
            st.sampled_from([c for c in "0123456789abcdef" if c != digest[position]])
        )
        target["version"] = digest[:position] + replacement + digest[position + 1 :]
        return json.dumps(doc), "HASH_MISMATCH"
    if kind == "retarget-id":
        field = next(f for f in ("func_id", "lift_id", "sink_id") if f in op)
        op[field] = "retargeted.id" if op[field] != "retargeted.id" else "other.id"
        return json.dumps(doc), "HASH_MISMATCH"
    if kind == "swap-ops":
        ops = doc["ops"]
        if len(ops) >= 2:
            ops[0], ops[1] = ops[1], ops[0]
        else:  # nothing to swap: a second op is as much a change of order
            ops.append({**ops[0], "name": ops[0]["name"] + "-again"})
        return json.dumps(doc), "HASH_MISMATCH"
    number = data.draw(
        st.sampled_from(["9007199254740992", "-9007199254740993", "1e400", "NaN", "-Infinity"])
    )
    op["params"] = {"n": 0}
    text = json.dumps(doc).replace('"params": {"n": 0}', '"params": {"n": ' + number + "}", 1)
    return text, "VALUE_UNREPRESENTABLE"


KINDS = [
    "drop-required",
    "add-unknown",
    "change-type",
    "flip-digest",
    "retarget-id",
    "swap-ops",
    "unrepresentable",
]


@given(documents(), st.sampled_from(KINDS), st.data())
def test_mutations_are_refused_with_their_code(
    doc: dict[str, Any], kind: str, data: st.DataObject
) -> None:
    sealed = _sealed(doc)
    assert _codes(json.dumps(sealed)) == set()
    text, expected = _mutate(sealed, kind, data)
    if kind == "swap-ops" and json.loads(text) == sealed:
        return  # two identical ops swapped: nothing changed
    codes = _codes(text)
    assert expected in codes, (kind, codes)
