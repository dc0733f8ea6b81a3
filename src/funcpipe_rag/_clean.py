"""rag.clean: Unicode normalisation, control characters out, whitespace collapsed, id recomputed."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from ._items import Document, make_document, text_of

__all__ = ["clean", "clean_text"]

Form = Literal["NFC", "NFKC"]

# Every line ending becomes "\n" first: CRLF files and LF files must give the same ids, and
# CR, NEL (itself a control character) and U+2028 would otherwise vanish with the controls.
_LINE_ENDINGS = re.compile("\r\n|[\r\x85\u2028]")
_PARAGRAPH_BREAKS = re.compile(r"\n[^\S\n]*\n\s*|\u2029\s*")
_WHITESPACE = re.compile(r"\s+")
# Unicode category Cc is U+0000-U+001F and U+007F-U+009F. The ones that are whitespace
# become a space, so "a\fb" stays two words; "\n" and "\t" stay; the rest go.
_SPACE_CONTROLS = re.compile("[\x0b\x0c\x1c-\x1f]")
_OTHER_CONTROLS = re.compile("[\x00-\x08\x0d-\x1b\x7f-\x9f]")


def _without_controls(text: str) -> str:
    return _OTHER_CONTROLS.sub("", _SPACE_CONTROLS.sub(" ", text))


def _collapsed(text: str) -> str:
    paragraphs = (_WHITESPACE.sub(" ", part).strip() for part in _PARAGRAPH_BREAKS.split(text))
    return "\n\n".join(part for part in paragraphs if part)


def clean_text(
    text: str, *, normalize: Form, collapse_whitespace: bool, strip_control: bool = True
) -> str:
    """``text`` normalised to ``normalize``, with control characters and whitespace tidied.

    Line endings always become ``\\n``. ``strip_control`` removes control characters (Unicode
    category Cc) except ``\\n`` and ``\\t``, turning whitespace controls such as form feed
    into spaces. ``collapse_whitespace`` keeps paragraph breaks (a line that is blank or
    holds only whitespace, or U+2029) as a single ``\\n\\n`` and turns every other run of
    whitespace, single line breaks included, into one space, trimming each paragraph; the
    lines of a paragraph are joined, which suits embedding and chunking by words or
    characters.
    """
    text = _LINE_ENDINGS.sub("\n", unicodedata.normalize(normalize, text))
    if strip_control:
        text = _without_controls(text)
    if collapse_whitespace:
        text = _collapsed(text)
    return text


def clean(
    document: Any, *, normalize: Form, collapse_whitespace: bool, strip_control: bool = True
) -> Document:
    """Normalises a document's text (NFC or NFKC, controls, whitespace) and recomputes its id."""
    source, text = text_of(document, "Document")
    cleaned = clean_text(
        text,
        normalize=normalize,
        collapse_whitespace=collapse_whitespace,
        strip_control=strip_control,
    )
    return make_document(source, cleaned)
