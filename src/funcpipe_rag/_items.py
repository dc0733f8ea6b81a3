"""The items the RAG ops pass along: plain JSON-able dicts, and their content-derived ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from pipespec.digest import digest
from pipespec.result import Err

__all__ = [
    "Chunk",
    "ChunkStats",
    "Document",
    "EmbeddedChunk",
    "Embedder",
    "content_id",
    "make_document",
    "text_of",
]


class Document(TypedDict):
    """One source text: ``id`` is the content digest of ``{"source", "text"}`` unless given."""

    id: str
    source: str
    text: str


class Chunk(TypedDict):
    """A piece of a document; ``id`` is the content digest of ``{"source", "text"}``."""

    id: str
    doc_id: str
    source: str
    index: int
    text: str


class Embedder(TypedDict, total=False):
    """What produced a vector, so a query can embed its text the same way."""

    dim: int
    ngram: int
    model_path: str


class EmbeddedChunk(Chunk):
    """A chunk with its vector and the embedder that made it."""

    vector: list[float]
    embedder: Embedder


class ChunkStats(TypedDict):
    """Totals over chunks: how many, how many characters, the longest one's length."""

    count: int
    characters: int
    longest: int


def content_id(source: str, text: str) -> str:
    """The digest of ``{"source": source, "text": text}``: equal content, equal id, every run."""
    result = digest({"source": source, "text": text})
    if isinstance(result, Err):
        # Only a lone surrogate gets here: a str that no UTF-8 file or JSON output can hold.
        raise ValueError(f"{source!r} has no content digest: {result.error.message}")
    return result.value


def make_document(source: str, text: str, id: str | None = None) -> Document:
    """A Document; its id is the content digest unless one is given."""
    return {"id": content_id(source, text) if id is None else id, "source": source, "text": text}


def text_of(item: Any, what: str) -> tuple[str, str]:
    """The ``source`` and ``text`` of an item, refusing anything but a mapping of strings."""
    if not isinstance(item, Mapping):
        raise TypeError(f"expected a {what} object, found {type(item).__name__}")
    source, text = item.get("source"), item.get("text")
    if not isinstance(text, str):
        raise TypeError(f"{what} text must be a string, found {type(text).__name__}")
    if not isinstance(source, str):
        raise TypeError(f"{what} source must be a string, found {type(source).__name__}")
    return source, text
