"""Retrieval-augmented generation ops for pipespec: read, clean, chunk, embed, index, query."""

from ._corpus import Corpus, Skipped, read
from ._items import Chunk, ChunkStats, Document, EmbeddedChunk, Embedder, content_id
from .registry import registry

__all__ = [
    "Chunk",
    "ChunkStats",
    "Corpus",
    "Document",
    "EmbeddedChunk",
    "Embedder",
    "Skipped",
    "content_id",
    "read",
    "registry",
]
