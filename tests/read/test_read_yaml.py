"""YAML reading: 1.2 core schema, tags, keys, aliases, limits and syntax errors, on both parsers."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from pipespec.errors import LIMIT_EXCEEDED, PARSE_ERROR, VALUE_UNREPRESENTABLE, ErrInfo
from pipespec.limits import Limits
from pipespec.read import Document, read_text
from pipespec.result import Err, Ok

pytestmark = pytest.mark.usefixtures("yaml_parser")


def ok(text: str, **kwargs: Any) -> Document:
    result = read_text(text, format="yaml", **kwargs)
    assert isinstance(result, Ok), result
    return result.value


def err(text: str, **kwargs: Any) -> ErrInfo:
    result = read_text(text, format="yaml", source="doc.yaml", **kwargs)
    assert isinstance(result, Err), result
    assert result.error.file == "doc.yaml"
    return result.error


def where(error: ErrInfo) -> tuple[str, str, int | None, int | None]:
    return error.code, error.path, error.line, error.column


PIPELINE_YAML = """\
# a pipeline
pipespec: "1.0"
name: demo
ops:
  - name: read
    kind: source
    params: {path: "in.csv", header: true, skip: 0}
  - name: scale
    kind: map
    params:
      factor: 2.5
      tags: [a, "b", 'c']
      nothing: ~
      empty:
"""

PIPELINE_JSON = """\
{"pipespec": "1.0", "name": "demo", "ops": [
  {"name": "read", "kind": "source",
   "params": {"path": "in.csv", "header": true, "skip": 0}},
  {"name": "scale", "kind": "map",
   "params": {"factor": 2.5, "tags": ["a", "b", "c"], "nothing": null, "empty": null}}
]}
"""


def test_yaml_and_its_json_twin_read_identically() -> None:
    from_yaml = ok(PIPELINE_YAML)
    from_json = read_text(PIPELINE_JSON, format="json")
    assert isinstance(from_json, Ok)
    assert from_yaml.data == from_json.value.data
    assert list(from_yaml.data) == ["pipespec", "name", "ops"]
    assert from_yaml.has_floats is True and from_json.value.has_floats is True
    assert from_yaml.format == "yaml"


def test_json_text_read_as_yaml_is_the_same_data() -> None:
    assert ok(PIPELINE_JSON).data == ok(PIPELINE_YAML).data


# --- core schema scalars -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plain", "value"),
    [
        # YAML 1.1 booleans, sexagesimals, dates, underscores and octals are strings in 1.2.
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("Yes", "Yes"),
        ("1_000", "1_000"),
        ("12:30", "12:30"),
        ("2024-01-01", "2024-01-01"),
        ("0b101", "0b101"),
        ("0o8", "0o8"),
        ("0x", "0x"),
        ("+0x1F", "+0x1F"),
        ("1e", "1e"),
        ("e3", "e3"),
        ("inf", "inf"),
        ("nan", "nan"),
        # the core schema proper
        ("~", None),
        ("null", None),
        ("Null", None),
        ("NULL", None),
        ("", None),
        ("nULL", "nULL"),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("False", False),
        ("FALSE", False),
        ("tRUE", "tRUE"),
        ("0", 0),
        ("-0", 0),
        ("+12", 12),
        ("0o17", 15),
        ("0o777", 511),
        ("0x1F", 31),
        ("0xff", 255),
        ("9007199254740991", 9007199254740991),
        ("-9007199254740991", -9007199254740991),
        ("0x1FFFFFFFFFFFFF", 9007199254740991),
    ],
)
def test_plain_scalars_resolve_by_the_core_schema(plain: str, value: Any) -> None:
    document = ok(f"v: {plain}")
    assert document.data == {"v": value}
    assert type(document.data["v"]) is type(value)
    assert document.has_floats is False


@pytest.mark.parametrize(
    ("plain", "value"),
    [
        (".5", 0.5),
        ("-.5", -0.5),
        ("1.", 1.0),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("1E3", 1000.0),
        ("+1.5e-3", 0.0015),
        ("-0.0", -0.0),
        ("007.5", 7.5),
        ("1e-400", 0.0),
    ],
)
def test_plain_floats(plain: str, value: float) -> None:
    document = ok(f"v: {plain}")
    assert document.data == {"v": value}
    assert type(document.data["v"]) is float
    assert document.has_floats is True


@pytest.mark.parametrize("text", ['"true"', "'1'", '"~"', "'null'", '"1e3"', "|\n  12\n"])
def test_quoted_and_block_scalars_are_strings(text: str) -> None:
    document = ok(f"v: {text}")
    assert isinstance(document.data["v"], str)


@pytest.mark.parametrize("plain", [".inf", "-.inf", "+.INF", ".Inf", ".nan", ".NaN", "1e400"])
def test_non_finite_floats_are_unrepresentable(plain: str) -> None:
    error = err(f"a:\n  b: {plain}")
    assert where(error) == (VALUE_UNREPRESENTABLE, "/a/b", 2, 6)
    assert plain in error.message


@pytest.mark.parametrize(
    "plain", ["9007199254740992", "-9007199254740992", "0x20000000000000", "9" * 5000]
)
def test_big_integers_are_unrepresentable(plain: str) -> None:
    error = err(f"- 1\n- {plain}")
    assert where(error) == (VALUE_UNREPRESENTABLE, "/1", 2, 3)
    assert "2^53" in error.message
    assert len(error.message) < 200


# --- tags -----------------------------------------------------------------------------------


def test_core_tags_keep_their_meaning() -> None:
    text = (
        "s: !!str 12\n"
        "i: !!int '12'\n"
        "h: !!int 0x10\n"
        "f: !!float 1\n"
        "b: !!bool 'true'\n"
        "n: !!null ''\n"
        "m: !!map {a: 1}\n"
        "q: !!seq [1]\n"
        "v: !<tag:yaml.org,2002:str> 7\n"
        "x: ! 12\n"
    )
    document = ok(text)
    assert document.data == {
        "s": "12",
        "i": 12,
        "h": 16,
        "f": 1.0,
        "b": True,
        "n": None,
        "m": {"a": 1},
        "q": [1],
        "v": "7",
        "x": "12",
    }
    assert type(document.data["f"]) is float
    assert document.has_floats is True


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("!!int abc", "'abc' is not a valid !!int value"),
        ("!!int 1.5", "'1.5' is not a valid !!int value"),
        ("!!float abc", "'abc' is not a valid !!float value"),
        ("!!bool yes", "'yes' is not a valid !!bool value"),
        ("!!null 0", "'0' is not a valid !!null value"),
        ("!!str {a: 1}", "tag !!str cannot apply to a mapping"),
        ("!!map [1]", "tag !!map cannot apply to a sequence"),
        ("!!seq x", "tag !!seq cannot apply to a scalar"),
    ],
)
def test_values_not_fitting_their_tag(value: str, message: str) -> None:
    error = err(f"ops:\n  - {value}")
    assert where(error) == (PARSE_ERROR, "/ops/0", 2, 5)
    assert message in error.message


@pytest.mark.parametrize(
    ("tag", "shown"),
    [
        ("!!python/object/apply:os.system", "!!python/object/apply:os.system"),
        ("!!python/name:builtins.eval", "!!python/name:builtins.eval"),
        ("!!binary", "!!binary"),
        ("!!timestamp", "!!timestamp"),
        ("!!set", "!!set"),
        ("!!omap", "!!omap"),
        ("!!merge", "!!merge"),
        ("!custom", "!custom"),
        ("!<tag:example.com,2024:thing>", "tag:example.com,2024:thing"),
    ],
)
def test_other_tags_are_refused(tag: str, shown: str) -> None:
    error = err(f"a: 1\nb: {tag} [echo, hi]\n")
    assert where(error) == (PARSE_ERROR, "/b", 2, 4)
    assert f"tag '{shown}' is not allowed" in error.message


def test_python_object_apply_on_a_scalar_is_refused() -> None:
    error = err("cmd: !!python/object/apply:os.system 'echo pwned'")
    assert where(error) == (PARSE_ERROR, "/cmd", 1, 6)
    assert "!!python/object/apply:os.system" in error.message


# --- keys -------------------------------------------------------------------------------


def test_merge_keys_are_refused() -> None:
    error = err("base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n")
    assert where(error) == (PARSE_ERROR, "/derived", 3, 3)
    assert "merge key '<<'" in error.message


def test_quoted_merge_key_is_an_ordinary_key() -> None:
    assert ok("'<<': 1").data == {"<<": 1}


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("1", "an integer"),
        ("true", "a boolean"),
        ("~", "null"),
        ("1.5", "a float"),
        ("0x1", "an integer"),
    ],
)
def test_keys_must_be_strings(key: str, kind: str) -> None:
    error = err(f"a:\n  {key}: v")
    assert where(error) == (PARSE_ERROR, "/a", 2, 3)
    assert f"is read as {kind}" in error.message and "quote it" in error.message


def test_empty_key_is_null_and_refused() -> None:
    error = err("? \n: v\n")
    assert error.code == PARSE_ERROR
    assert "is read as null" in error.message


@pytest.mark.parametrize(
    ("text", "kind"), [("? [a, b]\n: v\n", "sequence"), ("{? {a: 1}: v}", "mapping")]
)
def test_complex_keys_are_refused(text: str, kind: str) -> None:
    error = err(text)
    assert where(error)[:2] == (PARSE_ERROR, "")
    assert f"a mapping key is a {kind}" in error.message


def test_quoted_and_tagged_keys_are_strings() -> None:
    assert ok("'1': a\n\"true\": b\n!!str 2: c\n").data == {"1": "a", "true": "b", "2": "c"}


def test_duplicate_key_at_top_level() -> None:
    error = err("a: 1\nb: 2\na: 3\n")
    assert where(error) == (PARSE_ERROR, "/a", 3, 1)
    assert "duplicate key 'a'" in error.message and "first at line 1, column 1" in error.message


def test_duplicate_key_nested() -> None:
    text = "ops:\n  - name: a\n  - name: b\n    kind: map\n    name: c\n"
    error = err(text)
    assert where(error) == (PARSE_ERROR, "/ops/1/name", 5, 5)
    assert "duplicate key 'name' at /ops/1 (first at line 3, column 5)" in error.message


def test_duplicate_key_spelled_differently() -> None:
    # A quoted and a plain key with the same text are the same key.
    error = err('{a: 1, "a": 2}')
    assert where(error) == (PARSE_ERROR, "/a", 1, 8)


# --- documents --------------------------------------------------------------------------


def test_more_than_one_document_is_refused() -> None:
    error = err("a: 1\n---\nb: 2\n")
    assert where(error) == (PARSE_ERROR, "", 2, 1)
    assert "more than one document" in error.message


def test_a_yaml_1_1_directive_is_refused() -> None:
    error = err("%YAML 1.1\n---\nflag: yes\n")
    assert (error.code, error.line, error.column) == (PARSE_ERROR, 1, 1)
    assert "%YAML 1.1" in error.message


def test_explicit_single_document_is_fine() -> None:
    assert ok("%YAML 1.2\n---\na: 1\n...\n").data == {"a": 1}
    assert ok("---\n").data is None


# --- aliases ----------------------------------------------------------------------------


def test_aliases_expand_into_copies() -> None:
    document = ok("a: &x {k: [1, 2]}\nb: *x\nc: [*x]\n")
    assert document.data == {"a": {"k": [1, 2]}, "b": {"k": [1, 2]}, "c": [{"k": [1, 2]}]}
    assert document.data["a"] is not document.data["b"]
    assert document.data["a"]["k"] is not document.data["b"]["k"]


def test_alias_use_limit() -> None:
    text = "a: &x 1\nb: [" + ", ".join(["*x"] * 4) + "]\n"
    assert ok(text, limits=Limits(max_aliases=4)).data["b"] == [1, 1, 1, 1]
    error = err(text, limits=Limits(max_aliases=3))
    assert where(error) == (LIMIT_EXCEEDED, "/b/3", 2, 17)
    assert "more than 3 alias uses" in error.message


def billion_laughs(levels: int = 9, fan: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * fan) + "]"]
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * fan)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_fast() -> None:
    start = time.perf_counter()
    error = err(billion_laughs())
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5
    assert error.code == LIMIT_EXCEEDED
    assert "counting every alias expansion" in error.message
    assert error.line is not None and error.line <= 8


def test_alias_expansion_counts_toward_the_node_limit() -> None:
    text = "a: &x [1, 2, 3]\nb: [*x, *x]\n"
    # 1 + 4 + (1 + 4 + 4) = 14 values once expanded.
    assert ok(text, limits=Limits(max_nodes=14)).data["b"] == [[1, 2, 3], [1, 2, 3]]
    error = err(text, limits=Limits(max_nodes=13))
    assert where(error) == (LIMIT_EXCEEDED, "/b/1", 2, 9)


@pytest.mark.parametrize(
    ("text", "path", "line", "column"),
    [
        ("a: &x [1, *x]", "/a/1", 1, 11),
        ("&x {a: [b, {c: *x}]}", "/a/1/c", 1, 16),
    ],
)
def test_recursive_alias_is_refused(text: str, path: str, line: int, column: int) -> None:
    error = err(text)
    assert where(error) == (PARSE_ERROR, path, line, column)
    assert "recursive alias *x" in error.message


def test_undefined_alias_is_refused(yaml_parser: str) -> None:
    error = err("a: *nowhere\n")
    assert error.code == PARSE_ERROR
    assert (error.line, error.column) == (1, 4)


def test_duplicate_anchor_is_refused() -> None:
    error = err("a: &x 1\nb: &x 2\nc: *x\n")
    assert where(error) == (PARSE_ERROR, "/b", 2, 4)
    assert "duplicate anchor &x" in error.message


def test_alias_cannot_smuggle_depth_past_the_limit() -> None:
    text = "a: &x [[[1]]]\nb: [[*x]]\n"
    assert ok(text, limits=Limits(max_depth=6)).data["b"] == [[[[[1]]]]]
    error = err(text, limits=Limits(max_depth=5))
    assert where(error) == (LIMIT_EXCEEDED, "/b/0/0", 2, 6)


def test_alias_as_key_to_a_string_is_fine() -> None:
    assert ok("k: &k name\n*k : v\n").data == {"k": "name", "name": "v"}


# --- limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        "- " * 100_000 + "x\n",
        "{a: " * 100_000 + "1" + "}" * 100_000,
        "".join(" " * i + "a:\n" for i in range(2_000)) + " " * 2_000 + "b\n",
    ],
)
def test_deep_nesting_is_refused_without_recursion_error(text: str) -> None:
    start = time.perf_counter()
    error = err(text)
    assert time.perf_counter() - start < 5.0
    assert error.code == LIMIT_EXCEEDED
    assert "nesting deeper than the limit of 64" in error.message
    assert error.path.count("/") == 64


def test_depth_at_the_limit_is_fine() -> None:
    assert ok("[" * 64 + "]" * 64).data is not None


def test_flow_depth_one_past_the_limit() -> None:
    error = err("[" * 65 + "]" * 65)
    assert where(error) == (LIMIT_EXCEEDED, "/0" * 64, 1, 65)


def test_string_length_limit() -> None:
    limits = Limits(max_string_length=5)
    assert ok("abcde: vwxyz", limits=limits).data == {"abcde": "vwxyz"}
    error = err("a:\n  - 12345\n  - '123456'\n", limits=limits)
    assert where(error) == (LIMIT_EXCEEDED, "/a/1", 3, 5)
    assert "string of 6 characters" in error.message
    error = err("abcdef: 1", limits=limits)
    assert where(error) == (LIMIT_EXCEEDED, "", 1, 1)


def test_node_limit() -> None:
    limits = Limits(max_nodes=5)
    assert ok("a: [1, 2]\nb: 3", limits=limits).data == {"a": [1, 2], "b": 3}
    error = err("a: [1, 2]\nb: {c: 3}", limits=limits)
    assert where(error) == (LIMIT_EXCEEDED, "/b/c", 2, 8)


# --- syntax and reader errors -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "problem"),
    [
        ("a: b\nc: d: e\n", 2, 5, "mapping values are not allowed"),
        ("a: [1, 2\nb: 3\n", 2, 2, "expected ',' or ']'"),
        ("a: 'unterminated\n", 2, 1, "found unexpected end of stream"),
        ("a:\n\tb: 1\n", 2, 1, "cannot start any token"),
    ],
)
def test_syntax_errors_have_positions_and_the_problem(
    text: str, line: int, column: int, problem: str
) -> None:
    error = err(text)
    assert (error.code, error.line, error.column) == (PARSE_ERROR, line, column)
    assert error.message.startswith(f"YAML syntax error at line {line}, column {column}")
    assert problem in error.message


def test_control_characters_are_refused_with_their_position() -> None:
    error = err("a: ok\nb: é\x07\n")
    assert (error.code, error.line, error.column) == (PARSE_ERROR, 2, 5)
    assert "U+0007" in error.message


def test_lone_surrogate_escape(yaml_parser: str) -> None:
    error = err('a: ["\\ud800"]')
    if yaml_parser == "libyaml":
        # libyaml refuses the escape itself.
        assert (error.code, error.line) == (PARSE_ERROR, 1)
        assert "escape" in error.message
    else:
        assert where(error) == (VALUE_UNREPRESENTABLE, "/a/0", 1, 5)
        assert "lone surrogate U+D800" in error.message


def test_json_escapes_in_double_quotes() -> None:
    assert ok('a: "\\u00e9\\t\\"\\\\ \\U0001F600"').data == {"a": 'é\t"\\ 😀'}


def test_big_json_twin() -> None:
    data = {"ops": [{"name": f"op{i}", "kind": "map", "w": i / 4, "n": i} for i in range(300)]}
    text = json.dumps(data, indent=2)
    document = ok(text)
    assert document.data == data
    assert document.has_floats is True


@pytest.mark.parametrize("plain", ["0777", "-012", "+00", "!!int 010"])
def test_integers_with_leading_zeros_are_refused_as_ambiguous(plain: str) -> None:
    result = read_text(f"v: {plain}\n", format="yaml")
    assert isinstance(result, Err)
    assert result.error.code == PARSE_ERROR
    assert result.error.path == "/v"
    assert (result.error.line, result.error.column) == (1, 4)
    assert "YAML 1.1 reads it as octal, YAML 1.2 as decimal" in result.error.message


def test_quoted_leading_zeros_stay_strings() -> None:
    assert ok("v: '0777'").data == {"v": "0777"}
