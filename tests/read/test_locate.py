"""locate(): where a JSON Pointer's node (or member key) starts, in JSON and YAML sources."""

from __future__ import annotations

import json

import pytest

from pipespec.read import Document, locate, read_text
from pipespec.result import Ok

JSON_TEXT = """\
{
  "name": "demo",
  "ops": [
    {"name": "read", "params": {"path": "in.csv"}},
    {
      "name": "scale",
      "a/b": {"c~d": [10, 20, {"é": "ü", "x": null}]},
      "": "empty key",
      "nested": [[], [1, [2, 3]]]
    }
  ]
}
"""

YAML_TEXT = """\
name: demo
ops:
  - name: read
    params: {path: in.csv}
  - name: scale
    a/b:
      c~d: [10, 20, {é: ü, x: null}]
    "": empty key
    nested:
      - []
      - [1, [2, 3]]
"""


def read(text: str, format: str) -> Document:
    result = read_text(text, format=format)  # type: ignore[arg-type]
    assert isinstance(result, Ok), result
    return result.value


@pytest.fixture(scope="module")
def json_doc() -> Document:
    return read(JSON_TEXT, "json")


@pytest.fixture(scope="module")
def yaml_doc() -> Document:
    return read(YAML_TEXT, "yaml")


def test_twins_hold_the_same_data(json_doc: Document, yaml_doc: Document) -> None:
    assert json_doc.data == yaml_doc.data


@pytest.mark.parametrize(
    ("pointer", "key", "expected"),
    [
        ("", False, (1, 1)),
        ("/name", False, (2, 11)),
        ("/name", True, (2, 3)),
        ("/ops", False, (3, 10)),
        ("/ops/0", False, (4, 5)),
        ("/ops/0/params/path", False, (4, 41)),
        ("/ops/0/params/path", True, (4, 33)),
        ("/ops/1", False, (5, 5)),
        ("/ops/1/name", True, (6, 7)),
        ("/ops/1/a~1b", True, (7, 7)),
        ("/ops/1/a~1b/c~0d", False, (7, 22)),
        ("/ops/1/a~1b/c~0d/1", False, (7, 27)),
        ("/ops/1/a~1b/c~0d/2/é", False, (7, 37)),
        ("/ops/1/a~1b/c~0d/2/x", True, (7, 42)),
        ("/ops/1/", False, (8, 11)),
        ("/ops/1/", True, (8, 7)),
        ("/ops/1/nested/1/1/0", False, (9, 27)),
        ("/ops/1/nested/0", True, (9, 18)),  # key=True on an array element: the element
    ],
)
def test_json_positions(
    json_doc: Document, pointer: str, key: bool, expected: tuple[int, int]
) -> None:
    assert locate(json_doc, pointer, key=key) == expected


@pytest.mark.parametrize(
    ("pointer", "key", "expected"),
    [
        ("", False, (1, 1)),
        ("/name", False, (1, 7)),
        ("/name", True, (1, 1)),
        ("/ops", False, (3, 3)),
        ("/ops/0", False, (3, 5)),
        ("/ops/0/params/path", False, (4, 20)),
        ("/ops/0/params/path", True, (4, 14)),
        ("/ops/1", False, (5, 5)),
        ("/ops/1/name", True, (5, 5)),
        ("/ops/1/a~1b", True, (6, 5)),
        ("/ops/1/a~1b/c~0d", False, (7, 12)),
        ("/ops/1/a~1b/c~0d/1", False, (7, 17)),
        ("/ops/1/a~1b/c~0d/2/é", False, (7, 25)),
        ("/ops/1/a~1b/c~0d/2/x", True, (7, 28)),
        ("/ops/1/", False, (8, 9)),
        ("/ops/1/", True, (8, 5)),
        ("/ops/1/nested/1/1/0", False, (11, 14)),
        ("/ops/1/nested/0", True, (10, 9)),
    ],
)
def test_yaml_positions(
    yaml_doc: Document, pointer: str, key: bool, expected: tuple[int, int]
) -> None:
    assert locate(yaml_doc, pointer, key=key) == expected


@pytest.mark.parametrize(
    "pointer",
    [
        "/missing",
        "/ops/2",
        "/ops/-",
        "/ops/01",
        "/ops/+1",
        "/ops/0/name/x",
        "/name/0",
        "ops",
        "/ops/1/a~2b",
        "/ops/1/a/b",
    ],
)
@pytest.mark.parametrize("format", ["json", "yaml"])
def test_unresolvable_pointers(
    json_doc: Document, yaml_doc: Document, pointer: str, format: str
) -> None:
    document = json_doc if format == "json" else yaml_doc
    assert locate(document, pointer) is None
    assert locate(document, pointer, key=True) is None


def test_yaml_alias_use_is_located_where_it_is_written() -> None:
    document = read("base: &b {x: 1}\nuse: *b\nlist: [*b, 2]\n", "yaml")
    assert locate(document, "/use") == (2, 6)
    assert locate(document, "/list/0") == (3, 8)
    # Inside the alias, positions are those of the anchored node.
    assert locate(document, "/use/x") == (1, 14)


def test_json_top_level_scalar_and_leading_space() -> None:
    assert locate(read('\n  "x"', "json"), "") == (2, 3)
    assert locate(read("[1]", "json"), "/0", key=True) == (1, 2)


def test_locate_in_a_large_json_document() -> None:
    data = {"ops": [{"name": f"op{i}", "p": {"deep": [[i]]}} for i in range(2_000)]}
    text = json.dumps(data, indent=1)
    document = read(text, "json")
    line, column = locate(document, "/ops/1999/p/deep/0/0") or (0, 0)
    assert text.splitlines()[line - 1][column - 1 :].startswith("1999")


def test_locate_past_the_c_scanner_recursion_limit() -> None:
    # Skipping a sibling deeper than the C scanner can recurse falls back to matching brackets.
    from pipespec.limits import Limits

    deep = "[" * 3_000 + "]" * 3_000
    text = '{"a": ' + deep + ', "b": 1}'
    result = read_text(text, limits=Limits(max_depth=5_000))
    assert isinstance(result, Ok), result
    assert locate(result.value, "/b") == (1, len(text) - 1)


def test_locate_never_raises_on_a_hand_made_document() -> None:
    broken = Document(data={}, text='{"a": [1,', format="json", source=None, has_floats=False)
    assert locate(broken, "/a/5") is None
    broken_yaml = Document(data={}, text="a: [", format="yaml", source=None, has_floats=False)
    assert locate(broken_yaml, "/a") is None
