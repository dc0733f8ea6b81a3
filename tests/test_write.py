"""Written YAML and JSON read back as the same data under YAML 1.2 rules."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from strategies import json_values

from pipespec.read import read_text
from pipespec.result import Ok
from pipespec.write import dump_json, dump_yaml, leading_comments

PLAIN_LOOKALIKES = [
    "1e3",
    "0o17",
    "0x1F",
    ".5",
    "+1",
    "-1",
    "1_000",
    "yes",
    "No",
    "on",
    "OFF",
    "y",
    "~",
    "null",
    "NULL",
    "Null",
    "true",
    "TRUE",
    "False",
    "",
    " ",
    "12:30",
    "2024-01-01",
    ".inf",
    "-.Inf",
    ".NaN",
    "<<",
    "=",
    "- a",
    "a: b",
    "#x",
    "@x",
    "`x",
    "!tag",
    "&a",
    "*a",
    "%x",
    "{",
    "[",
]


@pytest.mark.parametrize("text", PLAIN_LOOKALIKES)
def test_strings_that_look_like_other_scalars_stay_strings(text: str) -> None:
    written = dump_yaml({"k": [text]})
    result = read_text(written, format="yaml")
    assert isinstance(result, Ok)
    assert result.value.data == {"k": [text]}


@given(json_values())
def test_yaml_and_json_read_back_equal(value: Any) -> None:
    for text, fmt in ((dump_yaml({"v": value}), "yaml"), (dump_json({"v": value}), "json")):
        result = read_text(text, format=fmt)  # type: ignore[arg-type]
        assert isinstance(result, Ok), (text, result)
        assert result.value.data == {"v": value}


def test_leading_comments() -> None:
    text = "# one\n\n  # two\nkey: 1\n# not leading\n"
    assert leading_comments(text) == "# one\n\n  # two\n"
    assert dump_yaml({"a": 1}, header="# h\n") == "# h\na: 1\n"
