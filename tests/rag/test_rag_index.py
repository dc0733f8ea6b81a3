"""End to end through pipespec: seal, reconstruct, run into the SQLite index, search; and the sinks."""

from __future__ import annotations

import gc
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from funcpipe_rag import read
from funcpipe_rag._index import SqliteIndex
from funcpipe_rag._jsonl_sink import open_jsonl
from funcpipe_rag.embed import embed
from funcpipe_rag.query import search
from pipespec import Pipeline, RunContext, check_document, read_path, reconstruct
from pipespec.job import run_job
from pipespec.result import Err, Ok

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def pipeline(kit: Any, document: dict[str, Any]) -> Pipeline:
    result = reconstruct(kit.sealed(document), kit.registry)
    assert isinstance(result, Ok), result
    return result.value


def snapshot(index: Path) -> tuple[list[Any], list[Any]]:
    with sqlite3.connect(index) as connection:
        rows = connection.execute("SELECT * FROM chunks ORDER BY id").fetchall()
        meta = connection.execute("SELECT * FROM meta ORDER BY key").fetchall()
    connection.close()
    return rows, meta


def test_a_planted_sentence_is_found_first(kit: Any, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run = pipeline(kit, kit.document()).run(read(corpus), context=RunContext(output_dir=out))
    [receipt] = run.to_list().value  # type: ignore[union-attr]
    assert receipt["path"] == "index.sqlite"
    assert receipt["written"] == receipt["rows"] > 5
    hits = search(out / "index.sqlite", kit.PLANTED_QUERY, k=3)
    assert hits[0].source == "notes/birds.txt"
    assert "cobalt heron" in hits[0].text
    assert [hit.rank for hit in hits] == [1, 2, 3]
    assert hits[0].score > hits[1].score >= hits[2].score


def test_running_twice_leaves_the_index_unchanged(kit: Any, corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    built = pipeline(kit, kit.document())
    first = built.run(read(corpus), context=RunContext(output_dir=out)).to_list()
    before = snapshot(out / "index.sqlite")
    second = built.run(read(corpus), context=RunContext(output_dir=out, attempt=2)).to_list()
    assert first == second
    assert snapshot(out / "index.sqlite") == before
    rows, meta = before
    assert dict(meta) == {"embedder": '{"dim":256,"ngram":3}', "format": "funcpipe_rag.index/1"}
    assert all(len(row[5]) == 4 * 256 for row in rows)


@pytest.mark.parametrize("policy", ["skip", "collect"])
def test_a_poison_document_is_accounted_for(
    kit: Any, corpus: Path, tmp_path: Path, policy: str
) -> None:
    items = list(read(corpus))
    poison = {"id": "sha256:poison", "source": "poison", "text": 42}
    items.insert(2, poison)
    run = pipeline(kit, kit.document(clean_policy=policy)).run(
        items, context=RunContext(output_dir=tmp_path / "out")
    )
    report = run.result()
    assert isinstance(report, Ok), report
    clean_stats = report.value.ops[0]
    assert clean_stats.received == len(items)
    assert clean_stats.succeeded == len(items) - 1
    if policy == "skip":
        assert (clean_stats.skipped, clean_stats.collected) == (1, 0)
        assert report.value.collected == ()
    else:
        assert (clean_stats.skipped, clean_stats.collected) == (0, 1)
        [collected] = report.value.collected
        assert (collected.op_name, collected.position, collected.item) == ("clean", 2, poison)
        assert collected.error.code == "OP_FAILED"
        assert "text must be a string, found int" in collected.error.message
    for op in report.value.ops:
        assert op.received == op.succeeded + op.skipped + op.collected + op.failed
    assert search(tmp_path / "out" / "index.sqlite", kit.PLANTED_QUERY, k=1)[0].source == (
        "notes/birds.txt"
    )


@pytest.mark.parametrize("path", ["../escape.db", "/abs.db", "a/./b.db", "a//b.db", "x.db\n", ""])
def test_a_path_out_of_the_output_folder_is_refused_before_anything_runs(
    kit: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.chdir(tmp_path)
    document = kit.sealed(kit.document(path=path))
    errors = check_document(document, kit.registry)
    assert {(e.code, e.path) for e in errors} == {("PARAMS_INVALID", "/ops/3/params/path")}
    refused = reconstruct(document, kit.registry)
    assert isinstance(refused, Err) and refused.error.code == "PARAMS_INVALID"
    assert list(tmp_path.iterdir()) == []


def test_a_window_that_cannot_advance_fails_the_build(
    kit: Any, corpus: Path, tmp_path: Path
) -> None:
    # JSON Schema cannot compare two params: the document checks, the run refuses to start.
    document = kit.sealed(kit.document(chunk_params={"size": 100, "overlap": 100, "unit": "words"}))
    assert check_document(document, kit.registry) == []
    run = pipeline(kit, document).run(read(corpus), context=RunContext(output_dir=tmp_path))
    failed = run.result()
    assert isinstance(failed, Err)
    assert failed.error.code == "BUILD_FAILED"
    assert "overlap must be at least 0 and less than size 100, found 100" in failed.error.message


def test_a_sink_without_an_output_folder_fails_the_build(kit: Any, corpus: Path) -> None:
    failed = pipeline(kit, kit.document()).run(read(corpus)).result()
    assert isinstance(failed, Err) and failed.error.code == "BUILD_FAILED"
    assert "writes under the run's output folder, and this run has none" in failed.error.message


def test_a_bad_jsonl_line_is_an_input_failure(kit: Any, tmp_path: Path) -> None:
    source = tmp_path / "docs.jsonl"
    source.write_text('{"text": "fine"}\nnot json\n', encoding="utf-8")
    run = pipeline(kit, kit.document()).run(read(source), context=RunContext(output_dir=tmp_path))
    failed = run.result()
    assert isinstance(failed, Err) and failed.error.code == "INPUT_FAILED"
    assert f"{source}, line 2: not valid JSON" in failed.error.message


def test_a_job_materializes_chunks_and_stats_combine(
    kit: Any, corpus: Path, tmp_path: Path
) -> None:
    document = kit.document()
    document["materialization_points"] = ["chunk"]
    done = run_job(
        kit.sealed(document), kit.registry, input_path=corpus, output_dir=tmp_path / "out"
    )
    assert isinstance(done, Ok), done
    [chunk_file] = (tmp_path / "out" / "materialized").glob("chunk-*/*.jsonl")
    chunks = [json.loads(line) for line in chunk_file.read_text(encoding="utf-8").splitlines()]
    stats_doc = {
        "spec_version": "1",
        "monoids": {"stats": {"type": "custom", "name": "rag.stats"}},
        "ops": [
            {"type": "Combine", "name": "stats", "lift_id": "rag.stats.lift", "monoid_id": "stats",
             "error_policy": "fail_fast", "in_type": "Chunk", "out_type": "ChunkStats"},
        ],
    }  # fmt: skip
    [stats] = pipeline(kit, stats_doc).run(chunks).to_list().value  # type: ignore[union-attr]
    assert stats == {
        "count": len(chunks),
        "characters": sum(len(c["text"]) for c in chunks),
        "longest": max(len(c["text"]) for c in chunks),
    }


def test_the_committed_examples_are_sealed_against_the_registry(kit: Any) -> None:
    for name in ("rag.yaml", "rag.json"):
        read_back = read_path(EXAMPLES / name)
        assert isinstance(read_back, Ok), read_back
        assert check_document(read_back.value, kit.registry) == [], name


def test_a_job_run_twice_gives_the_same_run_digest_and_index(
    kit: Any, corpus: Path, tmp_path: Path
) -> None:
    spec = (EXAMPLES / "rag.yaml").read_text(encoding="utf-8")
    out = tmp_path / "out"
    first = run_job(spec, kit.registry, input_path=corpus, output_dir=out)
    assert isinstance(first, Ok), first
    before = snapshot(out / "index.sqlite")
    second = run_job(spec, kit.registry, input_path=corpus, output_dir=out)
    assert isinstance(second, Ok), second
    assert second.value.run_digest == first.value.run_digest
    assert snapshot(out / "index.sqlite") == before
    record = json.loads((out / "run-record.json").read_text(encoding="utf-8"))
    assert record["registry_versions"]["rag.read"] == "1.0.0"
    assert record["report"]["ops"][-1]["received"] == len(before[0])


# --- the sinks on their own ----------------------------------------------------------------------


def embedded(texts: list[str], dim: int = 16) -> list[Any]:
    chunks = [
        {"id": f"id-{i}", "doc_id": "d", "source": "s", "index": i, "text": text}
        for i, text in enumerate(texts)
    ]
    return list(embed(chunks, dim=dim, ngram=2))


def test_the_index_commits_in_batches(tmp_path: Path) -> None:
    index = SqliteIndex(tmp_path / "i.sqlite", "i.sqlite", batch=3)
    items = embedded([f"text {i}" for i in range(7)])
    for item in items[:6]:
        index.write(item)
    # Another connection sees the two committed batches while the writer is still open.
    assert len(snapshot(tmp_path / "i.sqlite")[0]) == 6
    index.write(items[6])
    assert len(snapshot(tmp_path / "i.sqlite")[0]) == 6
    assert index.close() == {"path": "i.sqlite", "written": 7, "rows": 7}
    assert len(snapshot(tmp_path / "i.sqlite")[0]) == 7


def test_the_index_refuses_vectors_of_another_embedder(tmp_path: Path) -> None:
    index = SqliteIndex(tmp_path / "i.sqlite", "i.sqlite")
    index.write(embedded(["a"], dim=16)[0])
    with pytest.raises(ValueError, match="embedded with"):
        index.write(embedded(["b"], dim=32)[0])
    bad = {**embedded(["c"])[0], "vector": [0.0] * 15}
    with pytest.raises(ValueError, match="vector must be a list of 16 numbers"):
        index.write(bad)
    assert index.close()["rows"] == 1


@pytest.mark.parametrize("content", [b"not a database at all, just some text" * 50, None])
def test_the_index_refuses_a_file_that_is_not_one(tmp_path: Path, content: bytes | None) -> None:
    target = tmp_path / "i.sqlite"
    if content is None:
        with sqlite3.connect(target) as connection:
            connection.execute("CREATE TABLE chunks (id TEXT, other TEXT)")
        connection.close()
    else:
        target.write_bytes(content)
    with pytest.raises(ValueError, match=r"i\.sqlite is not a usable index"):
        SqliteIndex(target, "i.sqlite")


def test_a_sink_refuses_a_symbolic_link_out_of_the_output_folder(kit: Any, tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "link").symlink_to(elsewhere, target_is_directory=True)
    (out / "file.sqlite").symlink_to(elsewhere / "file.sqlite")
    entry = kit.registry.get("rag.index.sqlite")
    for path in ("link/index.sqlite", "link/new/deeper.sqlite", "file.sqlite"):
        with pytest.raises(ValueError, match="leads outside the output folder"):
            entry.build({"path": path}, RunContext(output_dir=out))
    assert list(elsewhere.iterdir()) == []


def test_the_jsonl_sink_replaces_its_file_atomically(
    kit: Any, corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    built = pipeline(kit, kit.document(sink_id="rag.sink.jsonl", path="chunks/all.jsonl"))
    [first] = built.run(read(corpus), context=RunContext(output_dir=out)).to_list().value  # type: ignore[union-attr]
    target = out / "chunks" / "all.jsonl"
    lines = target.read_text(encoding="utf-8").splitlines()
    assert first == {"path": "chunks/all.jsonl", "written": len(lines)}
    assert {"vector", "embedder", "id", "text"} <= set(json.loads(lines[0]))
    [second] = built.run(read(corpus), context=RunContext(output_dir=out)).to_list().value  # type: ignore[union-attr]
    assert second == first
    assert target.read_text(encoding="utf-8").splitlines() == lines  # replaced, not appended
    assert sorted(p.name for p in target.parent.iterdir()) == ["all.jsonl"]


def test_an_abandoned_jsonl_writer_leaves_the_target_alone(tmp_path: Path) -> None:
    (tmp_path / "all.jsonl").write_text("old\n", encoding="utf-8")
    writer = open_jsonl({"path": "all.jsonl"}, RunContext(output_dir=tmp_path))
    writer.write({"a": 1})
    with pytest.raises(ValueError):
        writer.write({"nan": float("nan")})
    del writer
    gc.collect()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.jsonl"]
    assert (tmp_path / "all.jsonl").read_text(encoding="utf-8") == "old\n"
