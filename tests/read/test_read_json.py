"""JSON reading: syntax, duplicate keys, unrepresentable values, limits, fast and slow paths."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipespec.errors import LIMIT_EXCEEDED, PARSE_ERROR, VALUE_UNREPRESENTABLE, ErrInfo
from pipespec.limits import Limits
from pipespec.read import Document, read_bytes, read_text
from pipespec.read._common import Refusal
from pipespec.read._json_scan import scan
from pipespec.result import Err, Ok


def ok(text: str, **kwargs: Any) -> Document:
    result = read_text(text, format="json", **kwargs)
    assert isinstance(result, Ok), result
    return result.value


def err(text: str, **kwargs: Any) -> ErrInfo:
    result = read_text(text, format="json", source="doc.json", **kwargs)
    assert isinstance(result, Err), result
    assert result.error.file == "doc.json"
    return result.error


def where(error: ErrInfo) -> tuple[str, str, int | None, int | None]:
    return error.code, error.path, error.line, error.column


# --- plain reading ---------------------------------------------------------------------------


def test_reads_objects_in_document_order() -> None:
    document = ok('{"z": 1, "a": {"y": [true, false, null], "b": "s"}, "m": -0}')
    assert document.data == {"z": 1, "a": {"y": [True, False, None], "b": "s"}, "m": 0}
    assert list(document.data) == ["z", "a", "m"]
    assert list(document.data["a"]) == ["y", "b"]
    assert document.has_floats is False


@pytest.mark.parametrize(
    ("text", "value", "has_floats"),
    [
        ('"just a string"', "just a string", False),
        ("42", 42, False),
        ("null", None, False),
        ("[]", [], False),
        ("{}", {}, False),
        ("2.5", 2.5, True),
        ("[1, [2, [3e0]]]", [1, [2, [3.0]]], True),
        ('{"a": {"b": -0.0}}', {"a": {"b": -0.0}}, True),
        ("1e-400", 0.0, True),
        ("9007199254740991", 9007199254740991, False),
        ("-9007199254740991", -9007199254740991, False),
    ],
)
def test_any_json_value_at_top_level(text: str, value: Any, has_floats: bool) -> None:
    document = ok(text)
    assert document.data == value
    assert type(document.data) is type(value)
    assert document.has_floats is has_floats


def test_unicode_and_escapes() -> None:
    document = ok('{"k\\u00e9": "\\ud83d\\ude00 \\" \\\\ \\/ \\n", "é": "ü"}')
    assert document.data == {"ké": '😀 " \\ / \n', "é": "ü"}


# --- syntax errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1,}',
        '{"a" 1}',
        "[1 2]",
        '{"a": tru}',
        "[1,]",
        '{"a": 1} x',
        '{"a": "unterminated',
        '{\n  "ops": [\n    {"name": "x",\n     "p": [1, 2,, 3]}\n  ]\n}',
        "[01]",
        '{"a": "tab\tinside"}',
        '{"a": "\\x"}',
        '{"a": "\\u12"}',
        "{'a': 1}",
        "[-]",
        "[1.]",
        '{"a": [}',
        "{\n\n   ]",
        "[\n" * 10,
        '{"é": 1 "b": 2}',
    ],
)
def test_syntax_errors_match_json_module_positions(text: str) -> None:
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    error = err(text)
    assert error.code == PARSE_ERROR
    assert (error.line, error.column) == (expected.value.lineno, expected.value.colno)
    assert error.message.startswith("JSON syntax error")
    assert expected.value.msg.removesuffix(" at") in error.message


def test_syntax_error_carries_the_pointer_of_the_value_being_read() -> None:
    error = err('{\n  "ops": [\n    {"name": "x",\n     "p": [1, 2,, 3]}\n  ]\n}')
    assert where(error) == (PARSE_ERROR, "/ops/0/p/2", 4, 17)
    assert "Expecting value" in error.message
    assert "line 4, column 17" in error.message


# --- duplicate keys ------------------------------------------------------------------------


def test_duplicate_key_at_top_level() -> None:
    error = err('{"a": 1,\n "b": 2,\n "a": 3}')
    assert where(error) == (PARSE_ERROR, "/a", 3, 2)
    assert "duplicate key 'a'" in error.message
    assert "first at line 1, column 2" in error.message


def test_duplicate_key_nested_in_an_array() -> None:
    text = '{"ops": [\n  {"name": "a"},\n  {"name": "b", "kind": "map", "name": "c"}\n]}'
    error = err(text)
    assert where(error) == (PARSE_ERROR, "/ops/1/name", 3, 32)
    assert "duplicate key 'name' at /ops/1 (first at line 3, column 4)" in error.message


def test_duplicate_key_deep_with_escaped_names() -> None:
    error = err('{"a/b": {"c~d": {"x": 1, "\\u0078": 2}}}')
    assert where(error) == (PARSE_ERROR, "/a~1b/c~0d/x", 1, 26)
    assert "at /a~1b/c~0d" in error.message


def test_same_key_in_different_objects_is_fine() -> None:
    assert ok('[{"a": 1}, {"a": 2}, {"b": {"a": 3}}]').data == [{"a": 1}, {"a": 2}, {"b": {"a": 3}}]


def test_colons_and_brackets_inside_strings_do_not_hide_duplicates() -> None:
    # A string with colons changes the colon count the fast path compares against.
    error = err('{"t": "10:30", "u": "http://x/[{", "t": "x"}')
    assert where(error) == (PARSE_ERROR, "/t", 1, 36)
    assert ok('{"t": "10:30", "u": "http://x/[{:"}').data == {"t": "10:30", "u": "http://x/[{:"}


@pytest.mark.parametrize(
    ("text", "column"),
    [
        # Counting only keys directly followed by a colon would see two members here.
        ('{"a" : 1, "b": 2, "a": 3}', 19),
        ('{"a"\t: 1, "b": 2, "a": 3}', 19),
        # A string beginning with a colon adds to that count.
        ('{"x": ":", "a": 1, "a": 2}', 20),
        ('{"x": ":y", "a" :1, "a": 2}', 21),
        # Escaped quotes may stand before a colon inside a string.
        ('{"q\\":": 1, "a": 1, "a": 2}', 21),
    ],
)
def test_duplicates_are_found_whatever_the_spacing_around_colons(text: str, column: int) -> None:
    error = err(text)
    assert where(error) == (PARSE_ERROR, "/a", 1, column)


# --- unrepresentable values --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "path", "column", "found"),
    [
        ('{"a": NaN}', "/a", 7, "NaN"),
        ('{"a": [1, Infinity]}', "/a/1", 11, "Infinity"),
        ('{"a": -Infinity}', "/a", 7, "-Infinity"),
    ],
)
def test_non_finite_literals(text: str, path: str, column: int, found: str) -> None:
    error = err(text)
    assert where(error) == (VALUE_UNREPRESENTABLE, path, 1, column)
    assert error.found == found
    assert found in error.message


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1.5E+309", "123456789e305"])
def test_float_overflow(number: str) -> None:
    error = err(f'{{"x": [0, {number}]}}')
    assert where(error) == (VALUE_UNREPRESENTABLE, "/x/1", 1, 11)
    assert number in error.message and "overflows" in error.message


@pytest.mark.parametrize(
    "number", ["9007199254740992", "-9007199254740992", "12345678901234567890", "1" * 5000]
)
def test_integers_beyond_2_53(number: str) -> None:
    error = err('{\n "n": ' + number + "}")
    assert where(error) == (VALUE_UNREPRESENTABLE, "/n", 2, 7)
    assert "2^53" in error.message
    assert len(error.message) < 200  # a 5000-digit number is shortened


def test_big_float_is_fine_and_long_digit_runs_in_strings_are_fine() -> None:
    assert ok('[1e300, "12345678901234567890"]').data == [1e300, "12345678901234567890"]


@pytest.mark.parametrize(
    ("text", "may"),
    [
        ("12345678901234567", True),
        ("[1, -12345678901234567]", True),
        ('{"n":12345678901234567}', True),
        ("[\t12345678901234567\n]", True),
        ("[1234567890123456.5]", True),  # a float's integer part: looked at, harmlessly
        ("[123456789012345]", False),  # 15 digits are always safe
        ('["sha256:ab1234567890123456789cd"]', False),
        ('["sha256:1234567890123456789abcdef"]', False),
        ('["x12345678901234567"]', False),
        ('["12345678901234567"]', False),  # quoted: no separator next to the digits
        ('["a 12345678901234567 b"]', True),  # inside a string, but shaped like a number
    ],
)
def test_which_texts_may_hold_a_long_integer(text: str, may: bool) -> None:
    from pipespec.read._json import _may_hold_long_integer

    assert _may_hold_long_integer(text.encode()) is may


@given(st.lists(st.integers(min_value=-(2**70), max_value=2**70), max_size=5), st.booleans())
def test_every_unsafe_integer_is_refused_wherever_it_is_written(
    numbers: list[int], spaced: bool
) -> None:
    text = json.dumps(
        {"n": numbers, "s": "sha256:" + "1234567890" * 3}, indent=1 if spaced else None
    )
    unsafe = [i for i, n in enumerate(numbers) if abs(n) > 2**53 - 1]
    result = read_text(text, format="json")
    if unsafe:
        assert isinstance(result, Err)
        assert (result.error.code, result.error.path) == (VALUE_UNREPRESENTABLE, f"/n/{unsafe[0]}")
    else:
        assert isinstance(result, Ok) and result.value.data["n"] == numbers


@pytest.mark.parametrize(
    ("text", "path", "column", "what"),
    [
        ('{"a": "x\\ud800"}', "/a", 7, "string"),
        ('{"a": ["\\uDC00y"]}', "/a/0", 8, "string"),
        ('{"a": "\\ude00\\ud83d"}', "/a", 7, "string"),
        ('{"a": "\\ud83d\\ud83d\\ude00"}', "/a", 7, "string"),
        ('{"o": {"\\udbff": 1}}', "/o", 8, "key"),
    ],
)
def test_lone_surrogates(text: str, path: str, column: int, what: str) -> None:
    error = err(text)
    assert where(error) == (VALUE_UNREPRESENTABLE, path, 1, column)
    assert f"{what} contains a lone surrogate" in error.message


def test_surrogate_pairs_and_escaped_backslashes_are_fine() -> None:
    document = ok('{"a": "\\ud83d\\ude00", "b": "\\\\ud800", "c": "\\\\\\ud83d\\ude00"}')
    assert document.data == {"a": "😀", "b": "\\ud800", "c": "\\😀"}


def test_escaped_backslash_before_a_low_surrogate_escape() -> None:
    # Textually "\ud83d\ude00" appears, but the first backslash is escaped: lone \ude00.
    error = err('{"a": "\\\\ud83d\\ude00"}')
    assert where(error) == (VALUE_UNREPRESENTABLE, "/a", 1, 7)


# --- limits ----------------------------------------------------------------------------------


def nested(depth: int, kind: str = "[") -> str:
    if kind == "[":
        return "[" * depth + "]" * depth
    return '{"a": ' * (depth - 1) + "{}" + "}" * (depth - 1)


def test_depth_at_the_limit_is_fine() -> None:
    assert ok(nested(64)).data is not None
    assert ok(nested(64, "{")).data is not None


def test_depth_one_past_the_limit() -> None:
    error = err(nested(65))
    assert where(error) == (LIMIT_EXCEEDED, "/0" * 64, 1, 65)
    assert "nesting deeper than the limit of 64" in error.message


def test_object_depth_past_a_custom_limit() -> None:
    error = err(nested(5, "{"), limits=Limits(max_depth=3))
    assert where(error) == (LIMIT_EXCEEDED, "/a/a/a", 1, 19)


@pytest.mark.parametrize(
    "text",
    [
        nested(100_000),
        "[" * 1_000_000,
        '{"a": ' * 100_000,
        "[" * 100_000 + "1" + "]" * 99_999,
    ],
)
def test_hostile_nesting_is_refused_quickly_without_recursion_error(text: str) -> None:
    start = time.perf_counter()
    error = err(text)
    assert time.perf_counter() - start < 2.0
    assert error.code == LIMIT_EXCEEDED
    assert error.line == 1 and error.column is not None and error.column <= 7 * 65


def test_brackets_inside_strings_do_not_count_toward_depth() -> None:
    text = '{"a": "[[[[[[", "b": "\\"[[[[[[[", "c": ["]]]]", {"d": "{{{{{{{{"}]}'
    document = ok(text, limits=Limits(max_depth=3))
    assert document.data["c"] == ["]]]]", {"d": "{{{{{{{{"}]


def test_depth_checked_despite_closing_brackets_in_strings() -> None:
    # Strings of "]" must not cancel real nesting.
    text = '[["]]]]]]]]]]]]", [[[["x"]]]]]]'
    error = err(text, limits=Limits(max_depth=4))
    assert where(error) == (LIMIT_EXCEEDED, "/0/1/0/0", 1, 21)


def test_string_length_limit() -> None:
    limits = Limits(max_string_length=5)
    assert ok('{"abcde": "vwxyz"}', limits=limits).data == {"abcde": "vwxyz"}
    error = err('{"a": ["12345", "123456"]}', limits=limits)
    assert where(error) == (LIMIT_EXCEEDED, "/a/1", 1, 17)
    assert "string of 6 characters" in error.message
    error = err('{"abcdef": 1}', limits=limits)
    assert where(error) == (LIMIT_EXCEEDED, "", 1, 2)
    assert "key of 6 characters" in error.message


def test_string_length_counts_decoded_characters() -> None:
    # Six escapes, three characters.
    assert ok('"\\u00e9\\u00e9\\u00e9"', limits=Limits(max_string_length=3)).data == "ééé"


def test_node_limit() -> None:
    limits = Limits(max_nodes=4)
    assert ok("[1, [2]]", limits=limits).data == [1, [2]]
    error = err('[1, {"a": 2}, 3]', limits=limits)
    assert where(error) == (LIMIT_EXCEEDED, "/2", 1, 15)
    assert "more than 4 values" in error.message


def test_node_limit_on_a_large_document() -> None:
    text = json.dumps([[i, str(i)] for i in range(20_000)])
    error = err(text, limits=Limits(max_nodes=50_000))
    assert error.code == LIMIT_EXCEEDED
    assert error.path == "/16666/0"


# --- fast and slow paths agree -----------------------------------------------------------


REALISTIC = json.dumps(
    {
        "pipespec": "1.0",
        "ops": [
            {
                "name": f"op_{i}",
                "kind": "map",
                **{f"f{k}": f'v{i}:{k} [x] {{y}} "q" \\ é 😀' for k in range(10)},
                "params": {"window": {"size": "10s"}, "n": i, "r": i / 7},
            }
            for i in range(200)
        ],
    },
    indent=2,
)


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_fast_path_matches_json_loads_and_the_scanner(ensure_ascii: bool) -> None:
    text = json.dumps(json.loads(REALISTIC), ensure_ascii=ensure_ascii)
    document = ok(text)
    assert document.data == json.loads(text)
    assert document.has_floats is True
    assert scan(text, Limits()) == (document.data, True)


def test_bytes_and_text_read_the_same() -> None:
    by_bytes = read_bytes(REALISTIC.encode(), format="json")
    assert by_bytes == read_text(REALISTIC, format="json")


def test_scanner_refuses_what_the_fast_path_refuses() -> None:
    with pytest.raises(Refusal) as refusal:
        scan('{"a": [1, {"b": 2, "b": 3}]}', Limits())
    assert refusal.value.info.path == "/a/1/b"


def test_first_problem_in_document_order_wins() -> None:
    error = err('{"a": "x\\udc00", "b": NaN, "a": 1}')
    assert where(error) == (VALUE_UNREPRESENTABLE, "/a", 1, 7)


# --- the fast path's byte-level helpers ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "skeleton"),
    [
        ('{"a": [1, {"b": 2}]}', b"{:[{:}]}"),
        ('{"a:[": "]}", "b": []}', b"{::[]}"),
        ('{"q\\"[": "\\\\", "r": "\\\\\\"{"}', b"{::}"),
        ('["\\u005c", "["]', b"[]"),
    ],
)
def test_skeleton_keeps_only_structure_outside_strings(text: str, skeleton: bytes) -> None:
    from pipespec.read._json import _skeleton

    assert _skeleton(text.encode(), "\\" in text) == skeleton


@pytest.mark.parametrize(
    ("brackets", "limit", "expected"),
    [
        (b"", 1, True),
        (b"[][][]", 1, True),
        (b"[[]]", 1, False),
        (b"[[]][[[]]]", 3, True),
        (b"[[]][[[]]]", 2, False),
        (b"[[]", 5, False),
        (b"][", 5, False),
        (b"[" * 100 + b"]" * 100, 100, True),  # past the rounds: prefix sums
        (b"[" * 100 + b"]" * 100, 99, False),
        (b"[" * 100 + b"]" * 99 + b"][", 200, False),
        (b"[]" * 50 + b"[" * 90 + b"]" * 90, 90, True),
    ],
)
def test_within_depth(brackets: bytes, limit: int, expected: bool) -> None:
    from pipespec.read._json import _within_depth

    assert _within_depth(brackets, limit) is expected


def test_large_custom_depth_limit() -> None:
    limits = Limits(max_depth=200)
    assert ok(nested(200), limits=limits).data is not None
    error = err(nested(201, "{"), limits=limits)
    assert where(error) == (LIMIT_EXCEEDED, "/a" * 200, 1, 1 + 6 * 200)


@pytest.mark.parametrize(
    "text",
    ['"' + "[" * 1_000_000, '":' * 1_000_000, '["' + '\\"' * 500_000, "[" * 500_000 + '"'],
)
def test_hostile_text_is_refused_quickly(text: str) -> None:
    start = time.perf_counter()
    error = err(text)
    assert time.perf_counter() - start < 2.0
    assert error.code in (PARSE_ERROR, LIMIT_EXCEEDED)
