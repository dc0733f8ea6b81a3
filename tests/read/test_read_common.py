"""Byte- and text-level rules of both formats, format choice, read_path and the error shape."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import pytest

from pipespec.errors import IO_ERROR, LIMIT_EXCEEDED, PARSE_ERROR, ErrInfo
from pipespec.limits import Limits
from pipespec.read import Document, read_bytes, read_path, read_text
from pipespec.result import Err, Ok


def ok(result: Any) -> Document:
    assert isinstance(result, Ok), result
    assert isinstance(result.value, Document)
    return result.value


def err(result: Any) -> ErrInfo:
    assert isinstance(result, Err), result
    assert isinstance(result.error, ErrInfo)
    return result.error


# --- size ------------------------------------------------------------------------------


def test_too_many_bytes_is_refused_before_decoding() -> None:
    # Not even UTF-8: the size check comes first.
    error = err(read_bytes(b"\xff" * 11, limits=Limits(max_bytes=10), source="big.json"))
    assert error.code == LIMIT_EXCEEDED
    assert "11 bytes" in error.message and "10" in error.message
    assert error.file == "big.json"


def test_exactly_max_bytes_is_accepted() -> None:
    assert ok(read_bytes(b'{"a": 12}', limits=Limits(max_bytes=9))).data == {"a": 12}


def test_read_text_counts_encoded_bytes() -> None:
    # Five characters, ten bytes.
    error = err(read_text('"éééé"', limits=Limits(max_bytes=9)))
    assert error.code == LIMIT_EXCEEDED
    assert "10 bytes" in error.message


# --- byte order marks, encodings, NUL ---------------------------------------------------


@pytest.mark.parametrize(
    ("bom", "name"),
    [
        (codecs.BOM_UTF8, "UTF-8"),
        (codecs.BOM_UTF16_LE, "UTF-16"),
        (codecs.BOM_UTF16_BE, "UTF-16"),
        (codecs.BOM_UTF32_LE, "UTF-32"),
        (codecs.BOM_UTF32_BE, "UTF-32"),
    ],
)
def test_byte_order_marks_are_refused(bom: bytes, name: str) -> None:
    error = err(read_bytes(bom + b'{"a": 1}', source="p.json"))
    assert error.code == PARSE_ERROR
    assert "byte order mark" in error.message and name in error.message
    assert (error.line, error.column, error.file) == (1, 1, "p.json")


def test_utf16_with_bom_is_refused_as_bom() -> None:
    error = err(read_bytes('{"a": 1}'.encode("utf-16")))
    assert error.code == PARSE_ERROR
    assert "byte order mark" in error.message


def test_read_text_refuses_a_leading_bom_character() -> None:
    error = err(read_text('\ufeff{"a": 1}'))
    assert error.code == PARSE_ERROR
    assert "byte order mark" in error.message


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_refused(encoding: str) -> None:
    # ASCII in UTF-16 is valid UTF-8 with NUL bytes in it: the NUL check catches it.
    error = err(read_bytes('{"a": 1}'.encode(encoding)))
    assert error.code == PARSE_ERROR
    assert "NUL" in error.message
    assert error.line == 1


def test_utf16_text_with_non_ascii_is_refused_as_not_utf8() -> None:
    error = err(read_bytes("é: 1".encode("utf-16-le"), format="yaml"))
    assert error.code == PARSE_ERROR
    assert "not valid UTF-8" in error.message
    assert (error.line, error.column) == (1, 1)


@pytest.mark.parametrize(
    ("raw", "offset", "line", "column"),
    [
        (b'{"a": "\xff"}', 7, 1, 8),
        (b"a: 1\nb: \xc3\xa9t\xe9\n", 11, 2, 6),  # column counts the é before it as one
        (b"x: \xc0\xaf", 3, 1, 4),  # overlong encoding of "/"
        (b"x: \xed\xa0\x80", 3, 1, 4),  # an encoded surrogate
        (b'["ok", "\xe2\x82"]', 8, 1, 9),  # truncated sequence
    ],
)
def test_invalid_utf8_names_offset_line_and_column(
    raw: bytes, offset: int, line: int, column: int
) -> None:
    error = err(read_bytes(raw, source="bad.yaml"))
    assert error.code == PARSE_ERROR
    assert "not valid UTF-8" in error.message
    assert f"offset {offset}" in error.message
    assert (error.line, error.column, error.file) == (line, column, "bad.yaml")


@pytest.mark.parametrize("format", ["json", "yaml"])
def test_raw_nul_is_refused(format: Any) -> None:
    error = err(read_bytes(b'{"a":\n "b\x00"}', format=format))
    assert error.code == PARSE_ERROR
    assert "NUL" in error.message
    assert (error.line, error.column) == (2, 4)


def test_escaped_nul_is_an_ordinary_character() -> None:
    assert ok(read_text('{"a": "\\u0000"}')).data == {"a": "\x00"}


def test_read_text_refuses_a_lone_surrogate_character() -> None:
    error = err(read_text('{"a":\n "x\ud800"}'))
    assert error.code == PARSE_ERROR
    assert "lone surrogate U+D800" in error.message
    assert (error.line, error.column) == (2, 4)


# --- empty documents ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "format"),
    [
        (b"", None),
        (b"   \n\t\r\n", None),
        (b"", "json"),
        (b" \n", "json"),
        (b"", "yaml"),
        (b"\n\n", "yaml"),
        (b"# only a comment\n  # and another\n", None),
        (b"# only a comment\n", "yaml"),
    ],
)
def test_empty_documents_are_refused(raw: bytes, format: Any) -> None:
    error = err(read_bytes(raw, format=format, source="e"))
    assert error.code == PARSE_ERROR
    assert "empty document" in error.message
    assert error.file == "e"


def test_comment_only_json_is_a_syntax_error() -> None:
    error = err(read_bytes(b"# nothing\n", format="json"))
    assert error.code == PARSE_ERROR
    assert (error.line, error.column) == (1, 1)


# --- format choice --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "text", "expected"),
    [
        ("p.json", "[1]", "json"),
        ("p.JSON", "[1]", "json"),
        ("p.yaml", "[1]", "yaml"),
        ("dir.d/p.yml", "[1]", "yaml"),
        ("p.YML", "{}", "yaml"),
        (None, "  \n {}", "json"),
        (None, "[1, 2]", "json"),
        (None, "a: 1", "yaml"),
        (None, "- 1", "yaml"),
        (None, "# c\n{}", "yaml"),
        ("p.txt", "{}", "json"),
        ("p.txt", "a: 1", "yaml"),
    ],
)
def test_format_from_extension_then_sniffing(source: str | None, text: str, expected: str) -> None:
    assert ok(read_text(text, source=source)).format == expected


def test_explicit_format_wins_over_extension() -> None:
    document = ok(read_text("a: 1", format="yaml", source="p.json"))
    assert (document.format, document.data) == ("yaml", {"a": 1})
    error = err(read_text("a: 1", format="json", source="p.yaml"))
    assert error.code == PARSE_ERROR


def test_extension_decides_even_when_the_text_looks_otherwise() -> None:
    error = err(read_text("a: 1", source="p.json"))
    assert error.code == PARSE_ERROR
    assert "JSON syntax error" in error.message


def test_unknown_format_is_an_error_value() -> None:
    error = err(read_text("{}", format="xml"))  # type: ignore[arg-type]
    assert error.code == PARSE_ERROR
    assert "xml" in error.message


def test_document_fields() -> None:
    document = ok(read_bytes(b'{"b": 1, "a": [2.5]}', source="x.json"))
    assert document == Document(
        data={"b": 1, "a": [2.5]},
        text='{"b": 1, "a": [2.5]}',
        format="json",
        source="x.json",
        has_floats=True,
    )
    assert list(document.data) == ["b", "a"]
    with pytest.raises(AttributeError):
        document.data = {}  # type: ignore[misc]


# --- never raising ----------------------------------------------------------------------


def test_wrong_input_types_are_error_values() -> None:
    assert err(read_bytes("{}")).code == PARSE_ERROR  # type: ignore[arg-type]
    assert err(read_text(b"{}")).code == PARSE_ERROR  # type: ignore[arg-type]


def test_bytearray_and_memoryview_are_accepted() -> None:
    assert ok(read_bytes(bytearray(b"[1]"))).data == [1]  # type: ignore[arg-type]
    assert ok(read_bytes(memoryview(b"[2]"))).data == [2]  # type: ignore[arg-type]


# --- read_path ------------------------------------------------------------------------------


def test_read_path_reads_and_records_the_source(tmp_path: Path) -> None:
    path = tmp_path / "pipe.yaml"
    path.write_bytes(b"name: demo\nops: []\n")
    document = ok(read_path(path))
    assert document.data == {"name": "demo", "ops": []}
    assert (document.format, document.source) == ("yaml", str(path))
    assert ok(read_path(str(path))).source == str(path)


def test_read_path_errors_carry_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(b'{"a": 1,\n "a": 2}')
    error = err(read_path(path))
    assert error.code == PARSE_ERROR
    assert (error.path, error.line, error.column, error.file) == ("/a", 2, 2, str(path))


def test_read_path_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.json"
    error = err(read_path(path))
    assert error.code == IO_ERROR
    assert "no such file" in error.message and str(path) in error.message
    assert error.file == str(path)


def test_read_path_directory(tmp_path: Path) -> None:
    error = err(read_path(tmp_path))
    assert error.code == IO_ERROR
    assert "directory" in error.message


def test_read_path_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # CI runs as root, whom file modes do not stop, so the refusal is simulated at open().
    path = tmp_path / "secret.json"
    path.write_bytes(b"{}")

    def denied(*args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("builtins.open", denied)
    error = err(read_path(path))
    monkeypatch.undo()
    assert error.code == IO_ERROR
    assert "permission denied" in error.message


def test_read_path_too_large_reads_only_one_byte_past_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b"[" + b"1," * 5000 + b"1]")
    sizes: list[int] = []
    real_open = open

    class Spy:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> Spy:
            return self

        def __exit__(self, *args: object) -> None:
            self.handle.close()

        def read(self, size: int = -1) -> bytes:
            sizes.append(size)
            data: bytes = self.handle.read(size)
            return data

    def spy_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        return Spy(real_open(file, mode, *args, **kwargs))

    monkeypatch.setattr("builtins.open", spy_open)
    error = err(read_path(path, limits=Limits(max_bytes=100)))
    assert error.code == LIMIT_EXCEEDED
    assert "100" in error.message
    assert sizes == [101]
