"""Renders error values for people (one line each) and for programs (the error-report JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TextIO

from ..errors import ErrInfo

__all__ = ["render_json", "render_text"]


def _text_line(error: ErrInfo) -> str:
    where = error.file or "<input>"
    if error.line is not None:
        where += f":{error.line}:{error.column or 1}"
    return f"{where}: {error.code} {error.message}"


def render_text(errors: Sequence[ErrInfo], stream: TextIO) -> None:
    """One ``FILE:LINE:COL: CODE message`` line per error."""
    for error in errors:
        print(_text_line(error), file=stream)


def render_json(errors: Sequence[ErrInfo], stream: TextIO) -> None:
    """A JSON array of error reports, valid against ``error-report.schema.json``."""
    json.dump([error.to_report() for error in errors], stream, ensure_ascii=False, indent=2)
    stream.write("\n")
