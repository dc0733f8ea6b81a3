"""Querying an index: `python -m funcpipe_rag.query INDEX "TEXT" [-k N] [--format text|json]`."""

from __future__ import annotations

import argparse
import heapq
import json
import os
import re
import sqlite3
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

import numpy as np

from ._index import FORMAT, check_embedder
from .embed import encoder

__all__ = ["Hit", "QueryError", "main", "search"]

MAX_K = 1000
SNIPPET = 160
# Rows are scored a block at a time, so memory stays bounded however large the index.
_BLOCK = 4096
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\s]+")


class QueryError(Exception):
    """The index cannot be searched: missing, not an index, or damaged."""


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: its rank from 1, cosine similarity, and the chunk it found."""

    rank: int
    score: float
    id: str
    source: str
    text: str


def _connect(index_path: Path) -> sqlite3.Connection:
    if not index_path.is_file():
        raise QueryError(f"no index at {index_path}")
    # Read-only, so a mistyped path never leaves an empty database behind.
    uri = index_path.resolve().as_uri() + "?mode=ro"
    try:
        return sqlite3.connect(uri, uri=True)
    except sqlite3.Error as exc:
        raise QueryError(f"cannot open {index_path}: {exc}") from None


def _meta(connection: sqlite3.Connection, index_path: Path) -> dict[str, str]:
    try:
        return dict(connection.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.Error as exc:
        raise QueryError(f"{index_path} is not a funcpipe_rag index: {exc}") from None


def _best(
    connection: sqlite3.Connection, query: np.ndarray[Any, Any], dim: int, k: int, where: Path
) -> list[tuple[float, str]]:
    """The ``k`` highest (score, id) pairs; ties go to the smaller id, so results are stable."""
    best: list[tuple[float, str]] = []
    cursor = connection.execute("SELECT id, vector FROM chunks")
    while rows := cursor.fetchmany(_BLOCK):
        ids = [row[0] for row in rows]
        if any(not isinstance(row[1], bytes) or len(row[1]) != 4 * dim for row in rows):
            raise QueryError(f"{where} is damaged: a vector is not {dim} float32 values")
        matrix = np.frombuffer(b"".join(row[1] for row in rows), dtype="<f4").reshape(-1, dim)
        if not np.isfinite(matrix).all():
            raise QueryError(f"{where} is damaged: a vector holds NaN or an infinity")
        norms = np.linalg.norm(matrix, axis=1)
        scores = (matrix @ query) / np.where(norms == 0.0, 1.0, norms)
        candidates = [(float(score), row_id) for score, row_id in zip(scores, ids, strict=True)]
        best = heapq.nsmallest(k, best + candidates, key=lambda pair: (-pair[0], pair[1]))
    return best


def search(index_path: str | Path, text: str, k: int = 5) -> list[Hit]:
    """The ``k`` chunks most similar to ``text`` by cosine similarity, best first.

    The query is embedded as the index's chunks were, with the embedder the index records.
    Raises ``QueryError`` when the index is missing, not an index or damaged.
    """
    if not 1 <= k <= MAX_K:
        raise QueryError(f"k must be from 1 to {MAX_K}, found {k}")
    where = Path(index_path)
    connection = _connect(where)
    try:
        meta = _meta(connection, where)
        if meta.get("format") != FORMAT:
            raise QueryError(f"{where} is not a funcpipe_rag index (no {FORMAT} format mark)")
        if "embedder" not in meta:
            return []  # an index no chunk was ever written to
        try:
            embedder = check_embedder(json.loads(meta["embedder"]))
        except ValueError as exc:
            raise QueryError(f"{where} is damaged: {exc}") from None
        try:
            encode = encoder(embedder)
        except (RuntimeError, OSError, ValueError) as exc:
            raise QueryError(f"cannot embed the query as {where} was embedded: {exc}") from None
        query = encode([text])[0].astype(np.float64)
        norm = float(np.linalg.norm(query))
        if norm > 0.0:
            query = query / norm
        best = _best(connection, query, embedder["dim"], k, where)
        hits = []
        for rank, (score, row_id) in enumerate(best, start=1):
            source, chunk_text = connection.execute(
                "SELECT source, text FROM chunks WHERE id = ?", (row_id,)
            ).fetchone()
            hits.append(Hit(rank=rank, score=score, id=row_id, source=source, text=chunk_text))
        return hits
    except sqlite3.Error as exc:
        raise QueryError(f"{where} is not a readable index: {exc}") from None
    finally:
        connection.close()


def _one_line(text: str, limit: int) -> str:
    # Whitespace and control characters become one space: a hit is one line, and a chunk
    # cannot send escape sequences to the terminal.
    flat = _UNPRINTABLE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _print_text(hits: list[Hit], out: TextIO) -> None:
    for hit in hits:
        source = _one_line(hit.source, 200)
        print(f"{hit.rank:>3}  {hit.score:.3f}  {source}  {_one_line(hit.text, SNIPPET)}", file=out)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # One line, not argparse's usage block: the caller scripts against it.
        self.exit(2, f"{self.prog}: error: {message}\n")


def _k(value: str) -> int:
    try:
        k = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found {value!r}") from None
    if not 1 <= k <= MAX_K:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_K}, found {k}")
    return k


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m funcpipe_rag.query",
        description="Print the chunks of an index most similar to a text. Exit 0 on success "
        "(also with no hits), 2 on a bad argument or an unusable index.",
    )
    parser.add_argument("index", metavar="INDEX", help="an SQLite index rag.index.sqlite wrote")
    parser.add_argument("text", metavar="TEXT", help="what to look for")
    parser.add_argument("-k", type=_k, default=5, metavar="N", help="how many hits (default 5)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status."""
    out = out or sys.stdout
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already reported on one line
        return exc.code if isinstance(exc.code, int) else 2
    prog = parser.prog
    try:
        hits = search(args.index, args.text, args.k)
    except QueryError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # the promise is one line and status 2, never a traceback
        print(f"{prog}: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        json.dump([asdict(hit) for hit in hits], out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        _print_text(hits, out)
    return 0


if __name__ == "__main__":
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # A reader such as `head` went away with what it wanted; silence the exit-time flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 0
    sys.exit(status)
