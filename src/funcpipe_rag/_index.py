"""rag.index.sqlite: embedded chunks upserted by content id into an SQLite file, in batches."""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipespec.registry import RunContext

from ._items import Embedder
from ._target import output_file

__all__ = [
    "BATCH",
    "CHUNK_COLUMNS",
    "FORMAT",
    "SqliteIndex",
    "check_embedder",
    "merge_index_receipts",
    "open_index",
    "vector_blob",
]

FORMAT = "funcpipe_rag.index/1"
BATCH = 500
CHUNK_COLUMNS = ("id", "doc_id", "source", "idx", "text", "vector")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL,
    source TEXT NOT NULL,
    idx INTEGER NOT NULL,
    text TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
# Chunk ids are content digests, so an upsert of a row already there rewrites what it holds:
# running the same input again leaves the index as it was.
_UPSERT = """
INSERT INTO chunks (id, doc_id, source, idx, text, vector) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    doc_id = excluded.doc_id, source = excluded.source, idx = excluded.idx,
    text = excluded.text, vector = excluded.vector
"""


def check_embedder(value: Any) -> Embedder:
    """An embedder description as a chunk or an index's meta table holds it, checked."""
    if not isinstance(value, Mapping):
        raise ValueError(f"embedder must be an object, found {type(value).__name__}")
    dim, ngram, model_path = value.get("dim"), value.get("ngram"), value.get("model_path")
    if type(dim) is not int or not 1 <= dim <= 65536:
        raise ValueError(f"embedder dim must be an integer from 1 to 65536, found {dim!r}")
    if type(ngram) is not int or not 1 <= ngram <= 5:
        raise ValueError(f"embedder ngram must be an integer from 1 to 5, found {ngram!r}")
    if model_path is not None and not isinstance(model_path, str):
        raise ValueError(f"embedder model_path must be a string, found {model_path!r}")
    unknown = sorted(set(value) - {"dim", "ngram", "model_path"})
    if unknown:
        raise ValueError(f"embedder has unknown members: {', '.join(map(str, unknown))}")
    embedder: Embedder = {"dim": dim, "ngram": ngram}
    if model_path is not None:
        embedder["model_path"] = model_path
    return embedder


def vector_blob(vector: Any, dim: int) -> bytes:
    """A vector as little-endian float32 bytes, whatever the machine's byte order."""
    if not isinstance(vector, list | tuple) or len(vector) != dim:
        size = len(vector) if isinstance(vector, list | tuple) else type(vector).__name__
        raise ValueError(f"vector must be a list of {dim} numbers, found {size}")
    if not all(type(v) in (int, float) and math.isfinite(v) for v in vector):
        raise ValueError("vector must hold finite numbers only")
    return np.asarray(vector, dtype="<f4").tobytes()


def _row(item: Any) -> tuple[tuple[str, str, str, int, str, bytes], Embedder]:
    if not isinstance(item, Mapping):
        raise TypeError(f"expected an EmbeddedChunk object, found {type(item).__name__}")
    for key in ("id", "doc_id", "source", "text"):
        if not isinstance(item.get(key), str):
            found = type(item.get(key)).__name__
            raise TypeError(f"EmbeddedChunk {key} must be a string, found {found}")
    index = item.get("index")
    if type(index) is not int:
        raise TypeError(f"EmbeddedChunk index must be an integer, found {type(index).__name__}")
    embedder = check_embedder(item.get("embedder"))
    blob = vector_blob(item.get("vector"), embedder["dim"])
    return (item["id"], item["doc_id"], item["source"], index, item["text"], blob), embedder


def _stored_embedder(connection: sqlite3.Connection) -> Embedder | None:
    found = connection.execute("SELECT value FROM meta WHERE key = 'embedder'").fetchone()
    return None if found is None else check_embedder(json.loads(found[0]))


def _embedder_text(embedder: Embedder) -> str:
    return json.dumps(embedder, sort_keys=True, separators=(",", ":"))


class SqliteIndex:
    """The writer rag.index.sqlite opens: one transaction per ``batch`` upserts, committed at
    close. A run that stops early keeps the batches committed so far; running again fills in
    the rest, since every write is an upsert by content id."""

    def __init__(self, file: Path, relative: str, *, batch: int = BATCH) -> None:
        self._relative = relative
        self._batch = batch
        self._pending = 0
        self._written = 0
        self._receipt: dict[str, Any] | None = None
        # Autocommit mode: BEGIN and COMMIT are issued here, where the batches are decided.
        self._connection = sqlite3.connect(file, isolation_level=None)
        try:
            self._connection.executescript(_SCHEMA)
            columns = tuple(row[1] for row in self._connection.execute("PRAGMA table_info(chunks)"))
            if columns != CHUNK_COLUMNS:
                raise ValueError(f"its chunks table has columns {columns}, not {CHUNK_COLUMNS}")
            self._connection.execute(
                "INSERT INTO meta (key, value) VALUES ('format', ?) ON CONFLICT (key) DO NOTHING",
                (FORMAT,),
            )
            self._embedder = _stored_embedder(self._connection)
        except (sqlite3.Error, ValueError) as exc:
            self._connection.close()
            raise ValueError(f"{relative} is not a usable index: {exc}") from None

    def write(self, item: Any) -> None:
        """Upsert one embedded chunk; refuses one made by another embedder than the index's."""
        row, embedder = _row(item)
        if self._embedder is not None and embedder != self._embedder:
            raise ValueError(
                f"the chunk was embedded with {_embedder_text(embedder)}, the index "
                f"{self._relative} holds vectors of {_embedder_text(self._embedder)}"
            )
        if not self._connection.in_transaction:
            self._connection.execute("BEGIN")
        if self._embedder is None:
            # Writers of other partitions may be filling the same index: the first one's
            # embedder stays, and a chunk made by another is refused like any mismatch.
            self._connection.execute(
                "INSERT INTO meta (key, value) VALUES ('embedder', ?) ON CONFLICT (key) DO NOTHING",
                (_embedder_text(embedder),),
            )
            self._embedder = _stored_embedder(self._connection)
            if embedder != self._embedder:
                return self.write(item)
        self._connection.execute(_UPSERT, row)
        self._written += 1
        self._pending += 1
        if self._pending >= self._batch:
            self._connection.execute("COMMIT")
            self._pending = 0

    def close(self) -> dict[str, Any]:
        """Commit what is pending; the receipt names the file, the writes and the rows in it."""
        if self._receipt is None:
            try:
                if self._connection.in_transaction:
                    self._connection.execute("COMMIT")
                (rows,) = self._connection.execute("SELECT count(*) FROM chunks").fetchone()
            finally:
                self._connection.close()
            self._receipt = {"path": self._relative, "written": self._written, "rows": rows}
        return self._receipt


def merge_index_receipts(receipts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One receipt for a partitioned run's writers of one index: the writes add up, and the
    rows are the most any writer counted, which is the one that closed last and saw them all."""
    return {
        "path": receipts[0]["path"],
        "written": sum(int(receipt["written"]) for receipt in receipts),
        "rows": max(int(receipt["rows"]) for receipt in receipts),
    }


def open_index(params: Mapping[str, Any], context: RunContext) -> SqliteIndex:
    """Upserts embedded chunks into an SQLite index under the run's output folder."""
    path = str(params["path"])
    return SqliteIndex(output_file(context, path, "rag.index.sqlite"), path)
