"""The RAG ops one by one: clean, chunk, embed, stats, and the registry that names them."""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from funcpipe_rag import content_id
from funcpipe_rag._chunk import chunk, windows
from funcpipe_rag._clean import clean, clean_text
from funcpipe_rag._stats import IDENTITY, chunk_stats, combine_stats, stats_monoid
from funcpipe_rag.embed import embed, embed_texts
from pipespec import RunContext, default_registry
from pipespec.schemas import python_validator

SOURCE = "notes/a.txt"


def document(text: Any, source: str = SOURCE) -> dict[str, Any]:
    return {"id": "sha256:doc", "source": source, "text": text}


# --- rag.clean ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalize", "expected"),
    [
        ("e\u0301t\u00e9", "NFC", "\u00e9t\u00e9"),
        ("\ufb01le \u2460", "NFC", "\ufb01le \u2460"),
        ("\ufb01le \u2460", "NFKC", "file 1"),
        ("full\uff37idth", "NFKC", "fullWidth"),
    ],
)
def test_clean_normalises_unicode(text: str, normalize: str, expected: str) -> None:
    assert clean_text(text, normalize=normalize, collapse_whitespace=False) == expected  # type: ignore[arg-type]


def test_clean_removes_control_characters_but_keeps_newlines_and_tabs() -> None:
    text = "a\x00b\x1b[31mc\td\ne\x7ff\x9fg\x0ch\x0bi"
    assert (
        clean_text(text, normalize="NFC", collapse_whitespace=False) == "ab[31mc\td\nef" + "g h i"
    )
    kept = clean_text(text, normalize="NFC", collapse_whitespace=False, strip_control=False)
    assert kept == text


def test_clean_turns_every_line_ending_into_a_line_feed() -> None:
    text = "one\r\ntwo\rthree\x85four\u2028five\n"
    assert clean_text(text, normalize="NFC", collapse_whitespace=False) == (
        "one\ntwo\nthree\nfour\nfive\n"
    )


def test_collapse_keeps_paragraph_breaks_and_joins_the_lines_of_a_paragraph() -> None:
    text = "  Title  \n\n\n first  line\n\tsecond line \n \t \n\u00a0last\u2029after  \n"
    assert clean_text(text, normalize="NFC", collapse_whitespace=True) == (
        "Title\n\nfirst line second line\n\nlast\n\nafter"
    )
    assert clean_text(" \n\n \t", normalize="NFC", collapse_whitespace=True) == ""


def test_clean_recomputes_the_id_and_keeps_the_source() -> None:
    cleaned = clean(document("a  b\r\n"), normalize="NFC", collapse_whitespace=True)
    assert cleaned == {"id": content_id(SOURCE, "a b"), "source": SOURCE, "text": "a b"}


@pytest.mark.parametrize(
    "item", [None, "text", {"source": SOURCE}, {"source": SOURCE, "text": 3}, {"text": "t"}]
)
def test_clean_refuses_what_is_not_a_document(item: Any) -> None:
    with pytest.raises(TypeError):
        clean(item, normalize="NFC", collapse_whitespace=True)


# --- rag.chunk ---------------------------------------------------------------------------------


def test_chunk_by_characters_overlaps_and_ends_with_the_window_reaching_the_end() -> None:
    assert list(windows("abcdefghij", size=4, overlap=1, unit="chars")) == ["abcd", "defg", "ghij"]
    assert list(windows("abcdefghi", size=4, overlap=1, unit="chars")) == ["abcd", "defg", "ghi"]
    assert list(windows("abc", size=10, overlap=0, unit="chars")) == ["abc"]


def test_chunk_by_words_joins_with_one_space() -> None:
    text = "one two\nthree  four five six"
    assert list(windows(text, size=3, overlap=1, unit="words")) == [
        "one two three",
        "three four five",
        "five six",
    ]


def test_chunks_carry_content_ids_stable_across_runs_and_documents() -> None:
    first = chunk(document("abcdefghij"), size=4, overlap=1, unit="chars")
    again = chunk(document("abcdefghij"), size=4, overlap=1, unit="chars")
    assert first == again
    assert first[1] == {
        "id": content_id(SOURCE, "defg"),
        "doc_id": "sha256:doc",
        "source": SOURCE,
        "index": 1,
        "text": "defg",
    }
    other_doc = {**document("abcdefghij"), "id": "sha256:other"}
    assert [c["id"] for c in chunk(other_doc, size=4, overlap=1, unit="chars")] == [
        c["id"] for c in first
    ]
    moved = chunk(document("abcdefghij", source="b.txt"), size=4, overlap=1, unit="chars")
    assert moved[0]["id"] != first[0]["id"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_an_empty_document_gives_no_chunks(text: str) -> None:
    for unit in ("chars", "words"):
        assert chunk(document(text), size=3, overlap=0, unit=unit) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(("size", "overlap"), [(4, 4), (4, 5), (1, 1), (3, -1)])
def test_an_overlap_not_below_size_raises(kit: Any, size: int, overlap: int) -> None:
    with pytest.raises(ValueError, match="overlap must be at least 0 and less than size"):
        chunk(document("abcdef"), size=size, overlap=overlap, unit="chars")
    entry = kit.registry.get("rag.chunk")
    with pytest.raises(ValueError, match="less than size"):
        entry.build({"size": size, "overlap": overlap, "unit": "chars"}, RunContext())


@given(
    text=st.text(alphabet="abcxyz", max_size=60),
    size=st.integers(1, 12),
    data=st.data(),
)
def test_character_chunks_cover_the_text_exactly(text: str, size: int, data: st.DataObject) -> None:
    overlap = data.draw(st.integers(0, size - 1))
    pieces = list(windows(text, size=size, overlap=overlap, unit="chars"))
    if not text:
        assert pieces == []
        return
    rebuilt = pieces[0] + "".join(piece[overlap:] for piece in pieces[1:])
    assert rebuilt == text
    assert all(len(piece) <= size for piece in pieces)


# --- rag.embed ---------------------------------------------------------------------------------

TEXTS = ["The cobalt heron nests.", "", "Ünïcödé and ﬁ ligatures", "x", "a " * 500]


def test_embeddings_are_float32_l2_normalised_and_zero_for_empty_text() -> None:
    vectors = embed_texts(TEXTS, dim=64, ngram=3)
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(TEXTS), 64)
    norms = np.linalg.norm(vectors.astype(np.float64), axis=1)
    assert norms[1] == 0.0
    np.testing.assert_allclose(np.delete(norms, 1), 1.0, rtol=1e-6)


def test_embeddings_are_the_same_in_another_process() -> None:
    here = embed_texts(TEXTS, dim=128, ngram=2).tobytes().hex()
    script = (
        "import json, sys; from funcpipe_rag.embed import embed_texts; "
        "texts = json.loads(sys.stdin.read()); "
        "print(embed_texts(texts, dim=128, ngram=2).tobytes().hex())"
    )
    # A different hash seed: the hashing must not depend on Python's salted hash().
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(TEXTS),
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    assert done.stdout.strip() == here


def test_similar_texts_are_closer_than_unrelated_ones() -> None:
    a, b, c = embed_texts(
        ["the cobalt heron nests by the viaduct", "where does the cobalt heron nest",
         "copper lanterns in the market"], dim=256, ngram=3,
    )  # fmt: skip
    assert float(a @ b) > float(a @ c) + 0.2


@pytest.mark.parametrize("ngram", [1, 2, 3, 4, 5])
def test_every_ngram_size_embeds_short_texts(ngram: int) -> None:
    vectors = embed_texts(["a", "ab", "abcdef"], dim=16, ngram=ngram)
    assert np.all(np.abs(np.linalg.norm(vectors, axis=1) - 1.0) < 1e-6)


def test_embed_adds_a_vector_and_the_embedder_to_each_chunk() -> None:
    chunks = chunk(document("abcdefghij"), size=4, overlap=1, unit="chars")
    embedded = embed(chunks, dim=32, ngram=2)
    assert [
        {k: v for k, v in e.items() if k not in ("vector", "embedder")} for e in embedded
    ] == chunks
    assert all(e["embedder"] == {"dim": 32, "ngram": 2} for e in embedded)
    assert all(len(e["vector"]) == 32 and type(e["vector"][0]) is float for e in embedded)
    json.dumps(embedded, allow_nan=False)  # plain JSON, as materialization and sinks need
    assert embedded[0]["vector"] == embed_texts(["abcd"], dim=32, ngram=2)[0].tolist()


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "i", "doc_id": "d", "source": "s", "index": 0, "text": 1},
        {"id": "i", "doc_id": "d", "source": "s", "index": True, "text": "t"},
        {"id": "i", "source": "s", "index": 0, "text": "t"},
        ["not", "a", "chunk"],
    ],
)
def test_embed_refuses_what_is_not_a_chunk(bad: Any) -> None:
    with pytest.raises(TypeError):
        embed([bad], dim=16, ngram=1)


def test_a_model_path_needs_sentence_transformers(
    kit: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = kit.registry.get("rag.embed")
    params = {"dim": 384, "ngram": 3, "model_path": "models/minilm"}
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None)
    with pytest.raises(RuntimeError, match="needs the sentence-transformers package"):
        entry.build(params, RunContext())


def test_a_model_path_must_be_a_local_folder(
    kit: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    entry = kit.registry.get("rag.embed")
    params = {"dim": 384, "ngram": 3, "model_path": str(tmp_path / "no-such-model")}
    # As if installed: the folder check comes before anything is imported or fetched.
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: object())
    with pytest.raises(FileNotFoundError, match="never downloaded"):
        entry.build(params, RunContext())


# --- rag.stats ---------------------------------------------------------------------------------


def test_stats_lift_counts_one_chunk() -> None:
    assert chunk_stats({"text": "abcd", "source": "s"}) == {
        "count": 1,
        "characters": 4,
        "longest": 4,
    }


def test_stats_monoid_laws_over_the_registered_examples(kit: Any) -> None:
    entry = kit.registry.get("rag.stats")
    assert entry.kind == "monoid" and entry.commutative is True
    examples = entry.examples
    assert len(examples) >= 3
    monoid = entry.build({}, RunContext())
    assert monoid.identity == IDENTITY
    for a in examples:
        assert monoid.combine(monoid.identity, a) == a == monoid.combine(a, monoid.identity)
    for a, b in itertools.product(examples, repeat=2):
        assert monoid.combine(a, b) == monoid.combine(b, a)
    for a, b, c in itertools.product(examples, repeat=3):
        assert combine_stats(combine_stats(a, b), c) == combine_stats(a, combine_stats(b, c))


def test_stats_fold_matches_a_direct_count() -> None:
    texts = ["ab", "abcdef", "", "abc"]
    folded = stats_monoid().fold(chunk_stats({"text": t, "source": "s"}) for t in texts)
    assert folded == {"count": 4, "characters": 11, "longest": 6}
    assert stats_monoid().identity == IDENTITY  # folding never changed the identity


# --- the registry ------------------------------------------------------------------------------

EXPECTED = {
    "rag.read": ("reader", "Path", "Document"),
    "rag.clean": ("map", "Document", "Document"),
    "rag.chunk": ("flat_map", "Document", "Chunk"),
    "rag.embed": ("batch_map", "Chunk", "EmbeddedChunk"),
    "rag.stats.lift": ("lift", "Chunk", "ChunkStats"),
    "rag.stats": ("monoid", "ChunkStats", "ChunkStats"),
    "rag.index.sqlite": ("sink", "EmbeddedChunk", "SinkReceipt"),
    "rag.sink.jsonl": ("sink", "EmbeddedChunk", "SinkReceipt"),
}


def bounded(schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "integer":
        return "minimum" in schema and "maximum" in schema
    if kind == "string":
        return "enum" in schema or "maxLength" in schema
    return kind == "boolean"


def test_every_entry_is_registered_at_1_0_0_with_a_closed_bounded_schema(kit: Any) -> None:
    assert {e.id: (e.kind, e.in_type, e.out_type) for e in kit.registry} == EXPECTED
    for entry in kit.registry:
        assert entry.version == "1.0.0"
        schema = entry.params_schema
        assert schema["type"] == "object" and schema["additionalProperties"] is False
        for name, prop in schema["properties"].items():
            assert bounded(prop), (entry.id, name)
        if entry.kind == "sink":
            assert entry.sink_contract is not None and entry.sink_contract.idempotent is True
    python_validator("registry-manifest.schema.json").validate(kit.registry.manifest())


def test_the_entry_point_contributes_the_registry() -> None:
    installed = default_registry()
    assert set(EXPECTED) <= installed.ids()
