"""Property tests: any JSON value survives json.dumps and a read, as JSON and as YAML 1.2 text."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from pipespec.limits import Limits
from pipespec.read import read_bytes, read_text
from pipespec.read._json_scan import scan
from pipespec.read._yaml import compose
from pipespec.read._yaml_build import build
from pipespec.result import Ok

SAFE = 2**53 - 1

# Characters that stress both readers: escapes, controls, YAML line breaks and
# non-printables, the BMP edges and astral characters (JSON escapes those as pairs).
_TRICKY = st.sampled_from(
    ["a", "é", "\n", '"', "\\", "\x00", "\x1f", "\x7f", "\x85", "\u2028", "\ufeff", "\uffff", "😀"]
)
text = st.lists(st.one_of(_TRICKY, st.characters(exclude_categories=["Cs"])), max_size=12).map(
    "".join
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-SAFE, max_value=SAFE)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
# Keys stay short: libyaml looks no further than 1024 characters for a flow mapping's ':'.
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(text, children, max_size=5),
    max_leaves=25,
)

# Characters YAML does not allow raw (or reads as line breaks) in a double-quoted scalar;
# JSON allows them, and both read the \u escape the same way.
_NOT_YAML_PRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def yaml_safe_json(value: Any, indent: int | None = None) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _NOT_YAML_PRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def same(a: Any, b: Any) -> bool:
    """Equality that also tells 1 from 1.0 and True from 1, and compares key order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def has_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(has_float(item) for item in value.values())
    if isinstance(value, list):
        return any(has_float(item) for item in value)
    return False


# Example counts come from the shared Hypothesis profile (tests/conftest.py).
@given(values, st.booleans(), st.sampled_from([None, 2]))
def test_json_round_trip(value: Any, ensure_ascii: bool, indent: int | None) -> None:
    text = json.dumps(value, ensure_ascii=ensure_ascii, indent=indent)
    result = read_text(text, format="json")
    assert isinstance(result, Ok), result
    assert same(result.value.data, value)
    assert result.value.has_floats is has_float(value)
    assert read_bytes(text.encode(), format="json") == result
    # The slow scanner reads the same.
    assert scan(text, Limits()) == (result.value.data, has_float(value))


@given(values, st.sampled_from([None, 2]))
def test_json_text_read_as_yaml_equals_the_json_read(value: Any, indent: int | None) -> None:
    text = yaml_safe_json(value, indent)
    as_json = read_text(text, format="json")
    as_yaml = read_text(text, format="yaml")
    assert isinstance(as_json, Ok), as_json
    assert isinstance(as_yaml, Ok), as_yaml
    assert same(as_yaml.value.data, as_json.value.data)
    assert as_yaml.value.has_floats is as_json.value.has_floats
    # PyYAML's pure-Python parser reads it the same as libyaml.
    assert build(compose(text, Limits(), pure_python=True)) == (
        as_json.value.data,
        as_json.value.has_floats,
    )


@given(st.dictionaries(text, values, min_size=1, max_size=4))
def test_a_duplicated_key_is_always_found(value: dict[str, Any]) -> None:
    key = next(iter(value))
    text = json.dumps(value)
    duplicated = text[:-1] + ", " + json.dumps(key) + ": 0}"
    result = read_text(duplicated, format="json")
    assert not isinstance(result, Ok)
    assert result.error.code == "PARSE_ERROR"
    assert result.error.path == "/" + key.replace("~", "~0").replace("/", "~1")
