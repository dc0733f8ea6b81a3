"""rag.chunk: a document cut into overlapping windows of characters or words, ids from content."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from ._items import Chunk, content_id, text_of

__all__ = ["check_window", "chunk", "windows"]

Unit = Literal["chars", "words"]


def check_window(size: int, overlap: int) -> None:
    """Refuse a window that would not advance: JSON Schema cannot compare two params."""
    if not 0 <= overlap < size:
        raise ValueError(f"overlap must be at least 0 and less than size {size}, found {overlap}")


def windows(text: str, *, size: int, overlap: int, unit: Unit) -> Iterator[str]:
    """The pieces of ``text``: ``size`` units each, consecutive pieces sharing ``overlap``.

    Characters are Unicode code points; words are maximal runs of non-whitespace, joined by
    one space. The last piece is the one that reaches the end, so no piece lies wholly
    inside the one before it. Pieces that are only whitespace are left out.
    """
    size, overlap = int(size), int(overlap)
    check_window(size, overlap)
    units: str | list[str] = text if unit == "chars" else text.split()
    step = size - overlap
    start = 0
    while start < len(units):
        piece = units[start : start + size]
        joined = piece if isinstance(piece, str) else " ".join(piece)
        if joined.strip():
            yield joined
        if start + size >= len(units):
            return
        start += step


def chunk(document: Any, *, size: int, overlap: int, unit: Unit) -> list[Chunk]:
    """Cuts a document into overlapping chunks, each id the digest of its source and text."""
    source, text = text_of(document, "Document")
    doc_id = document.get("id")
    if not isinstance(doc_id, str):
        raise TypeError(f"Document id must be a string, found {type(doc_id).__name__}")
    return [
        {
            "id": content_id(source, piece),
            "doc_id": doc_id,
            "source": source,
            "index": index,
            "text": piece,
        }
        for index, piece in enumerate(windows(text, size=size, overlap=overlap, unit=unit))
    ]
