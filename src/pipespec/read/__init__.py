"""Safe reading of JSON and YAML documents into plain data; anything hostile is an error value."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeAlias

from pipespec.errors import IO_ERROR, LIMIT_EXCEEDED, PARSE_ERROR, ErrInfo
from pipespec.limits import DEFAULT_LIMITS, Limits
from pipespec.read import _positions
from pipespec.read._common import Refusal, choose_format, decode, encode
from pipespec.read._json import read_json
from pipespec.read._yaml import compose
from pipespec.read._yaml_build import build
from pipespec.result import Err, Ok, Result

__all__ = ["Document", "Format", "locate", "read_bytes", "read_path", "read_text"]

Format: TypeAlias = Literal["json", "yaml"]


@dataclass(frozen=True, slots=True)
class Document:
    """A document that was read: its data, its source text and where it came from.

    ``data`` holds only dicts (in document order), lists, str, int, float, bool and None.
    ``has_floats`` is True exactly when a float occurs anywhere in ``data``.
    """

    data: Any
    text: str
    format: Format
    source: str | None
    has_floats: bool


def _read(
    text: str, raw: bytes, format: Format | None, source: str | None, limits: Limits
) -> Document:
    chosen = choose_format(text, format, source)
    if chosen == "json":
        data, has_floats = read_json(text, raw, limits)
    else:
        data, has_floats = build(compose(text, limits))
    return Document(data, text, chosen, source, has_floats)


def _unexpected(exc: Exception, source: str | None) -> Err[ErrInfo]:
    # The API promises no exception ever escapes; say plainly that this one was ours.
    if isinstance(exc, MemoryError):
        return Err(
            ErrInfo(code=LIMIT_EXCEEDED, message="out of memory reading the document", file=source)
        )
    return Err(
        ErrInfo(
            code=PARSE_ERROR,
            message=f"unexpected error reading the document: {type(exc).__name__}: {exc}",
            file=source,
        )
    )


def read_bytes(
    raw: bytes,
    *,
    format: Format | None = None,
    source: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Result[Document, ErrInfo]:
    """Read a document from UTF-8 bytes.

    ``format`` is given, else named by the extension of ``source`` (``.json``, ``.yaml``,
    ``.yml``), else sniffed: JSON when the first non-blank character is ``{`` or ``[``.
    """
    try:
        if isinstance(raw, bytearray | memoryview):
            raw = bytes(raw)
        if not isinstance(raw, bytes):
            return Err(
                ErrInfo(
                    code=PARSE_ERROR,
                    message=f"expected bytes, got {type(raw).__name__}",
                    file=source,
                )
            )
        return Ok(_read(decode(raw, limits), raw, format, source, limits))
    except Refusal as refusal:
        return Err(replace(refusal.info, file=source))
    except Exception as exc:
        return _unexpected(exc, source)


def read_text(
    text: str,
    *,
    format: Format | None = None,
    source: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Result[Document, ErrInfo]:
    """Read a document from text, with the checks of ``read_bytes`` that apply to text."""
    try:
        if not isinstance(text, str):
            return Err(
                ErrInfo(
                    code=PARSE_ERROR,
                    message=f"expected str, got {type(text).__name__}",
                    file=source,
                )
            )
        return Ok(_read(text, encode(text, limits), format, source, limits))
    except Refusal as refusal:
        return Err(replace(refusal.info, file=source))
    except Exception as exc:
        return _unexpected(exc, source)


def read_path(
    path: str | os.PathLike[str],
    *,
    format: Format | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Result[Document, ErrInfo]:
    """Read a document from a file; its name, as given, becomes the document's ``source``."""
    source = str(path)
    problem: str | None = None
    try:
        with open(path, "rb") as handle:
            # One byte past the limit is enough to know the file is too large.
            raw = handle.read(limits.max_bytes + 1)
    except FileNotFoundError:
        problem = f"cannot read {source}: no such file"
    except IsADirectoryError:
        problem = f"cannot read {source}: it is a directory"
    except PermissionError:
        problem = f"cannot read {source}: permission denied"
    except (OSError, ValueError) as exc:
        problem = f"cannot read {source}: {getattr(exc, 'strerror', None) or exc}"
    except Exception as exc:
        return _unexpected(exc, source)
    if problem is not None:
        return Err(ErrInfo(code=IO_ERROR, message=problem, file=source))
    if len(raw) > limits.max_bytes:
        return Err(
            ErrInfo(
                code=LIMIT_EXCEEDED,
                message=f"{source} is more than {limits.max_bytes} bytes, the limit",
                expected=f"at most {limits.max_bytes} bytes",
                file=source,
            )
        )
    return read_bytes(raw, format=format, source=source, limits=limits)


def locate(document: Document, pointer: str, *, key: bool = False) -> tuple[int, int] | None:
    """The 1-based (line, column) where the node named by a JSON Pointer starts.

    Columns count characters. With ``key`` and a pointer naming an object member, the
    position is the member's key rather than its value. None when the pointer names no
    node. This re-reads the text, so it is meant for decorating error messages.
    """
    try:
        return _positions.locate(document.text, document.format, pointer, key)
    except Exception:
        return None
