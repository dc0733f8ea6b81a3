"""Params checks: the compiled validator decides as the reference does, and refusals are
rendered by the reference with their pointers."""

from __future__ import annotations

from typing import Any

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from strategies import json_values

from funcpipe_rag.registry import CHUNK_PARAMS, EMBED_PARAMS, SINK_PARAMS
from pipespec.reconstruction._params import params_findings, params_valid

SCHEMAS = {
    "chunk": CHUNK_PARAMS,
    "embed": EMBED_PARAMS,
    "sink": SINK_PARAMS,
    "pattern": {
        "type": "object",
        "additionalProperties": False,
        "properties": {"id": {"type": "string", "pattern": "^[a-z]+$"}},
    },
}


def _candidates(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    # Valid params, near misses (one member replaced) and anything at all.
    valid = from_schema(schema)
    near = st.tuples(valid, st.text(max_size=8), json_values()).map(
        lambda t: {**t[0], t[1]: t[2]} if isinstance(t[0], dict) else t[0]
    )
    return st.one_of(valid, near, json_values())


@pytest.mark.parametrize("name", sorted(SCHEMAS))
@given(data=st.data())
def test_compiled_and_reference_validators_agree(name: str, data: st.DataObject) -> None:
    schema = SCHEMAS[name]
    params = data.draw(_candidates(schema))
    expected = jsonschema.Draft202012Validator(schema).is_valid(params)
    findings = params_findings(schema, params, ["ops", 3, "params"])
    assert (not findings) == expected
    assert params_valid(schema, params) == expected
    for finding in findings:
        assert finding.error.code == "PARAMS_INVALID"
        assert finding.error.path.startswith("/ops/3/params")


def test_a_refusal_names_the_member_and_what_was_expected() -> None:
    findings = params_findings(CHUNK_PARAMS, {"size": 0, "overlap": 8, "unit": "chars"}, ["p"])
    assert [f.error.path for f in findings] == ["/p/size"]
    assert findings[0].error.message == "expected value ≥ 1, found 0 at /p/size"


def test_a_schema_the_compiled_validator_cannot_take_is_checked_by_the_reference() -> None:
    # `\Z` is Python regex syntax the compiled validator refuses to compile.
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {"v": {"type": "string", "pattern": "^[a-z]+\\Z"}},
    }
    with pytest.raises(ValueError):
        jsonschema_rs.validator_for(schema)
    assert params_findings(schema, {"v": "ab"}, []) == []
    assert not params_valid(schema, {"v": "ab"})  # undecided by the compiled validator alone
    refused = params_findings(schema, {"v": "a1"}, [])
    assert [f.error.path for f in refused] == ["/v"]
