"""rag.stats: chunk counts, characters and the longest chunk, as a lift and a commutative monoid."""

from __future__ import annotations

from typing import Any

from pipespec.monoids import Monoid

from ._items import ChunkStats, text_of

__all__ = ["EXAMPLES", "IDENTITY", "chunk_stats", "combine_stats", "stats_monoid"]

IDENTITY: ChunkStats = {"count": 0, "characters": 0, "longest": 0}

EXAMPLES: tuple[ChunkStats, ...] = (
    IDENTITY,
    {"count": 1, "characters": 5, "longest": 5},
    {"count": 2, "characters": 900, "longest": 800},
    {"count": 3, "characters": 12, "longest": 7},
)


def chunk_stats(chunk: Any) -> ChunkStats:
    """Lifts a chunk to the stats of that one chunk."""
    _, text = text_of(chunk, "Chunk")
    return {"count": 1, "characters": len(text), "longest": len(text)}


def combine_stats(a: ChunkStats, b: ChunkStats) -> ChunkStats:
    """Counts and characters added, the larger longest kept: associative and commutative."""
    return {
        "count": a["count"] + b["count"],
        "characters": a["characters"] + b["characters"],
        "longest": max(a["longest"], b["longest"]),
    }


def stats_monoid() -> Monoid[ChunkStats]:
    """Chunk stats combined: counts and characters added, the longest kept; identity all zeros."""
    return Monoid(
        name="rag.stats",
        # A copy, so a caller that mutates the result of a fold never changes the identity.
        identity=ChunkStats(**IDENTITY),
        combine=combine_stats,
        commutative=True,
        description="Chunk stats: counts and characters added, the longest kept.",
    )
