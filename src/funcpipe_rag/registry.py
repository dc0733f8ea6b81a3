"""The RAG plugin's registry: the ids a pipespec document may name, with closed params schemas."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from pipespec.registry import (
    NO_PARAMS,
    Entry,
    Registry,
    RunContext,
    batch_map_fn,
    flat_map_fn,
    lift_fn,
    map_fn,
    monoid_factory,
    reader,
    sink,
)

from ._chunk import check_window, chunk
from ._clean import clean
from ._corpus import read
from ._index import merge_index_receipts, open_index
from ._items import Chunk
from ._jsonl_sink import merge_jsonl_receipts, open_jsonl
from ._stats import EXAMPLES, chunk_stats, stats_monoid
from ._target import PATH_SCHEMA
from .embed import build_embed, embed

__all__ = ["VERSION", "registry"]

VERSION = "1.0.0"
DOCUMENT, CHUNK, EMBEDDED = "Document", "Chunk", "EmbeddedChunk"
STATS, RECEIPT = "ChunkStats", "SinkReceipt"


def _closed(required: tuple[str, ...], **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "required": list(required),
    }


def _integer(low: int, high: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": low, "maximum": high}


CLEAN_PARAMS = _closed(
    ("normalize", "collapse_whitespace"),
    normalize={"type": "string", "enum": ["NFC", "NFKC"]},
    collapse_whitespace={"type": "boolean"},
    strip_control={"type": "boolean", "default": True},
)
CHUNK_PARAMS = _closed(
    ("size", "overlap", "unit"),
    size=_integer(1, 100_000),
    overlap={**_integer(0, 99_999), "description": "Must be less than size."},
    unit={"type": "string", "enum": ["chars", "words"]},
)
EMBED_PARAMS = _closed(
    ("dim", "ngram"),
    dim=_integer(16, 4096),
    ngram=_integer(1, 5),
    model_path={
        "type": "string",
        "description": "A local sentence-transformers model folder; nothing is downloaded.",
        "minLength": 1,
        "maxLength": 4096,
        "not": {"type": "string", "pattern": "\\n"},
    },
)
SINK_PARAMS = _closed(("path",), path=PATH_SCHEMA)


def _build_chunk(params: Mapping[str, Any], context: RunContext) -> Callable[[Any], list[Chunk]]:
    # A window that cannot advance is the spec's mistake, not any one document's: refuse it
    # when the run starts (BUILD_FAILED) rather than failing every item under the op's policy.
    check_window(int(params["size"]), int(params["overlap"]))
    return partial(chunk, **params)


def _entries() -> tuple[Entry, ...]:
    v = VERSION
    chunk_entry = flat_map_fn("rag.chunk", chunk, version=v, in_type=DOCUMENT, out_type=CHUNK,
                              params_schema=CHUNK_PARAMS)  # fmt: skip
    embed_entry = batch_map_fn("rag.embed", embed, version=v, in_type=CHUNK, out_type=EMBEDDED,
                               params_schema=EMBED_PARAMS)  # fmt: skip
    return (
        reader("rag.read", read, version=v, out_type=DOCUMENT, params_schema=NO_PARAMS),
        map_fn("rag.clean", clean, version=v, in_type=DOCUMENT, out_type=DOCUMENT,
               params_schema=CLEAN_PARAMS),
        dataclasses.replace(chunk_entry, build=_build_chunk),
        dataclasses.replace(embed_entry, build=build_embed),
        lift_fn("rag.stats.lift", chunk_stats, version=v, in_type=CHUNK, out_type=STATS),
        monoid_factory("rag.stats", stats_monoid, version=v, value_type=STATS, commutative=True,
                       examples=EXAMPLES),
        sink("rag.index.sqlite", open_index, version=v, in_type=EMBEDDED, out_type=RECEIPT,
             idempotent=True, params_schema=SINK_PARAMS, merge_receipts=merge_index_receipts),
        sink("rag.sink.jsonl", open_jsonl, version=v, in_type=EMBEDDED, out_type=RECEIPT,
             idempotent=True, params_schema=SINK_PARAMS, merge_receipts=merge_jsonl_receipts),
    )  # fmt: skip


def registry() -> Registry:
    """Every RAG entry at version 1.0.0; the ``pipespec.registries`` entry point names this."""
    return Registry().with_entries(*_entries())
