"""`python -m funcpipe_rag.query` and `search`: hits in text and JSON, one-line errors, exit 2."""

from __future__ import annotations

import io
import itertools
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from funcpipe_rag import read
from funcpipe_rag._index import SqliteIndex
from funcpipe_rag.query import QueryError, main, search
from pipespec import RunContext, reconstruct
from pipespec.result import Ok


@pytest.fixture(scope="module")
def index(kit: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("query")
    corpus = kit.write_corpus(root / "corpus")
    built = reconstruct(kit.sealed(kit.document()), kit.registry)
    assert isinstance(built, Ok), built
    outputs = built.value.run(read(corpus), context=RunContext(output_dir=root / "out")).to_list()
    assert isinstance(outputs, Ok), outputs
    return root / "out" / "index.sqlite"


def query(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "funcpipe_rag.query", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_text_format_prints_one_line_per_hit(kit: Any, index: Path) -> None:
    done = query(str(index), kit.PLANTED_QUERY, "-k", "3")
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    for rank, line in enumerate(lines, start=1):
        assert re.fullmatch(rf" *{rank}  -?\d\.\d{{3}}  \S+  .+", line), line
        assert len(line) < 240
    assert "notes/birds.txt" in lines[0] and "cobalt heron" in lines[0]


def test_json_format_is_a_list_of_hits(kit: Any, index: Path) -> None:
    done = query(str(index), kit.PLANTED_QUERY, "--format", "json", "-k", "2")
    assert (done.returncode, done.stderr) == (0, "")
    hits = json.loads(done.stdout)
    assert [sorted(hit) for hit in hits] == [["id", "rank", "score", "source", "text"]] * 2
    assert [hit["rank"] for hit in hits] == [1, 2]
    assert hits[0]["score"] >= hits[1]["score"]
    assert hits[0] == {
        "rank": 1,
        "score": hits[0]["score"],
        "id": search(index, kit.PLANTED_QUERY, 1)[0].id,
        "source": "notes/birds.txt",
        "text": hits[0]["text"],
    }
    assert kit.PLANTED in hits[0]["text"]


def test_a_missing_index_is_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "missing.sqlite"
    done = query(str(missing), "anything")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"python -m funcpipe_rag.query: error: no index at {missing}\n"
    assert not missing.exists()  # read-only: nothing was created


@pytest.mark.parametrize(
    "args",
    [["-k", "0"], ["-k", "many"], ["--format", "xml"], [], ["--bogus"]],
    ids=["k-zero", "k-word", "format", "no-args", "unknown-flag"],
)
def test_bad_arguments_are_one_line_and_exit_2(index: Path, args: list[str]) -> None:
    full = [str(index), "text", *args] if args else []
    done = query(*full)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "error:" in done.stderr
    assert "Traceback" not in done.stderr


def make_broken(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "broken.sqlite"
    if kind == "garbage":
        path.write_bytes(b"this is no database " * 100)
    elif kind == "foreign":
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE other (x)")
        connection.close()
    else:
        SqliteIndex(path, "broken.sqlite").close()
        with sqlite3.connect(path) as connection:
            connection.execute("INSERT INTO meta VALUES ('embedder', '{\"dim\": 16}')")
        connection.close()
    return path


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("garbage", "is not a funcpipe_rag index: file is not a database"),
        ("foreign", "is not a funcpipe_rag index: no such table: meta"),
        ("damaged", "is damaged: embedder ngram must be an integer"),
    ],
)
def test_a_corrupt_index_is_one_line_and_exit_2(tmp_path: Path, kind: str, message: str) -> None:
    path = make_broken(tmp_path, kind)
    err = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sys, "stderr", err)
        assert main([str(path), "text"], out=io.StringIO()) == 2
    assert err.getvalue().count("\n") == 1
    assert message in err.getvalue()


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"\x00", "a vector is not 256 float32 values"),
        (b"\x00\x00\xc0\x7f" * 256, "a vector holds NaN or an infinity"),
    ],
)
def test_a_damaged_vector_is_reported(
    index: Path, tmp_path: Path, blob: bytes, message: str
) -> None:
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(index.read_bytes())
    with sqlite3.connect(copy) as connection:
        connection.execute("UPDATE chunks SET vector = ? WHERE rowid = 1", (blob,))
    connection.close()
    with pytest.raises(QueryError, match=message):
        search(copy, "text", 3)


def test_search_on_an_empty_index_finds_nothing(tmp_path: Path) -> None:
    SqliteIndex(tmp_path / "empty.sqlite", "empty.sqlite").close()
    assert search(tmp_path / "empty.sqlite", "anything", 5) == []
    out = io.StringIO()
    assert main([str(tmp_path / "empty.sqlite"), "x", "--format", "json"], out=out) == 0
    assert json.loads(out.getvalue()) == []


def test_search_gives_every_row_when_k_exceeds_them_in_a_stable_order(index: Path) -> None:
    with sqlite3.connect(index) as connection:
        (rows,) = connection.execute("SELECT count(*) FROM chunks").fetchone()
    connection.close()
    hits = search(index, "lantern", 1000)
    assert len(hits) == rows
    assert hits == search(index, "lantern", 1000)
    assert all(a.score >= b.score for a, b in itertools.pairwise(hits))


def test_k_out_of_range_is_refused(index: Path) -> None:
    with pytest.raises(QueryError, match="k must be from 1 to 1000"):
        search(index, "text", 0)
