"""Checks both formats share: size, encoding, byte order marks, NUL, emptiness, format choice."""

from __future__ import annotations

import codecs
import os
import re
from typing import Final, Literal, NoReturn

from pipespec.errors import LIMIT_EXCEEDED, PARSE_ERROR, ErrInfo
from pipespec.limits import Limits

FormatName = Literal["json", "yaml"]

MAX_SAFE_INTEGER: Final = 2**53 - 1

# UTF-32 first: its little-endian mark starts with the UTF-16 one.
_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF8, "UTF-8"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)
_LEADING_WS: Final = re.compile(r"[ \t\r\n]*")
_EXTENSIONS: Final[dict[str, FormatName]] = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}
# Character classes rather than str.isprintable: messages must never carry raw control
# characters or lone surrogates into a terminal or a UTF-8 log.
_UNSAFE_FOR_MESSAGE: Final = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")


class Refusal(Exception):
    """Carries a refusal out of a deep parsing loop to the public boundary, which returns it."""

    def __init__(self, info: ErrInfo) -> None:
        super().__init__(info.message)
        self.info = info


def skip_ws(text: str, offset: int) -> int:
    """The offset of the first character at or after ``offset`` that is not JSON whitespace."""
    match = _LEADING_WS.match(text, offset)
    return match.end() if match is not None else offset


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of ``offset`` in ``text``; lines end at LF."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - text.rfind("\n", 0, offset)


def refuse(
    code: str,
    message: str,
    *,
    path: str = "",
    at: tuple[int, int] | None = None,
    expected: str | None = None,
    found: str | None = None,
) -> NoReturn:
    """Raise a Refusal; ``at`` is a 1-based (line, column)."""
    line, column = at if at is not None else (None, None)
    raise Refusal(
        ErrInfo(
            code=code,
            message=message,
            path=path,
            line=line,
            column=column,
            expected=expected,
            found=found,
        )
    )


def show(value: str, limit: int = 60) -> str:
    """``value`` quoted for a message: shortened, control characters and surrogates escaped."""
    short = value if len(value) <= limit else value[: limit - 3] + "..."
    escaped = _UNSAFE_FOR_MESSAGE.sub(lambda m: f"\\u{ord(m.group()):04x}", short)
    return "'" + escaped + "'"


def decode(raw: bytes, limits: Limits) -> str:
    """The text of ``raw``, refusing oversize input, byte order marks and anything not UTF-8."""
    if len(raw) > limits.max_bytes:
        refuse(
            LIMIT_EXCEEDED,
            f"the document is {len(raw)} bytes, more than the limit of {limits.max_bytes}",
            expected=f"at most {limits.max_bytes} bytes",
            found=f"{len(raw)} bytes",
        )
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            refuse(
                PARSE_ERROR,
                f"the document starts with a {encoding} byte order mark; "
                "save it as UTF-8 without a byte order mark",
                at=(1, 1),
            )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode("utf-8")
        line, column = line_col(before, len(before))
        refuse(
            PARSE_ERROR,
            f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} "
            f"(line {line}, column {column}); documents must be UTF-8 text",
            at=(line, column),
        )
    check_text(text)
    return text


def encode(text: str, limits: Limits) -> bytes:
    """The UTF-8 bytes of ``text``, refusing what ``decode`` would refuse in its byte form."""
    # Every character is at least one byte: refuse before paying for the encoding.
    if len(text) > limits.max_bytes:
        refuse(
            LIMIT_EXCEEDED,
            f"the document is more than {limits.max_bytes} bytes, the limit",
            expected=f"at most {limits.max_bytes} bytes",
        )
    if text.startswith("\ufeff"):
        refuse(
            PARSE_ERROR,
            "the document starts with a byte order mark (U+FEFF); remove it",
            at=(1, 1),
        )
    try:
        raw = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        line, column = line_col(text, exc.start)
        refuse(
            PARSE_ERROR,
            f"not valid Unicode text: lone surrogate U+{ord(text[exc.start]):04X} "
            f"at line {line}, column {column}",
            at=(line, column),
        )
    if len(raw) > limits.max_bytes:
        refuse(
            LIMIT_EXCEEDED,
            f"the document is {len(raw)} bytes, more than the limit of {limits.max_bytes}",
            expected=f"at most {limits.max_bytes} bytes",
            found=f"{len(raw)} bytes",
        )
    check_text(text)
    return raw


def check_text(text: str) -> None:
    """Refuse a raw NUL character and an empty or whitespace-only document."""
    nul = text.find("\x00")
    if nul >= 0:
        line, column = line_col(text, nul)
        refuse(
            PARSE_ERROR,
            f"NUL character at line {line}, column {column} (UTF-16 or binary data?); "
            "documents must be UTF-8 text",
            at=(line, column),
        )
    if skip_ws(text, 0) == len(text):
        refuse(PARSE_ERROR, "empty document")


def choose_format(text: str, format: str | None, source: str | None) -> FormatName:
    """The explicit format, else the one the file extension names, else a sniff of the text."""
    if format is not None:
        if format == "json":
            return "json"
        if format == "yaml":
            return "yaml"
        refuse(PARSE_ERROR, f"unknown format {format!r}; expected 'json' or 'yaml'")
    if source is not None:
        by_extension = _EXTENSIONS.get(os.path.splitext(source)[1].lower())
        if by_extension is not None:
            return by_extension
    start = skip_ws(text, 0)
    return "json" if text[start : start + 1] in ("{", "[") else "yaml"
