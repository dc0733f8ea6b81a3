"""Fixtures for the RAG plugin's tests: small corpora in tmp_path and specs like examples/rag.yaml."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from funcpipe_rag.registry import registry
from pipespec import Registry, seal
from pipespec.result import Ok

PLANTED = "The cobalt heron nests beneath the Vasquez viaduct every October."
PLANTED_QUERY = "where does the cobalt heron nest"

_WORDS = (
    "river", "stone", "market", "lantern", "garden", "copper", "window", "orchard", "violin",
    "harbor", "pepper", "meadow", "engine", "ladder", "candle", "pillow", "mirror", "saddle",
    "tunnel", "quilt", "marble", "forest", "basket", "thunder", "ribbon", "glacier", "compass",
    "whistle", "carpet", "anchor", "bakery", "canyon", "pigeon", "trumpet", "velvet",
)  # fmt: skip


def filler(seed: int, sentences: int) -> str:
    """Deterministic prose-like text without the planted sentence's words."""
    rng = random.Random(seed)
    lines = []
    for _ in range(sentences):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(6, 12))]
        lines.append(" ".join(words).capitalize() + ".")
    return " ".join(lines)


def write_corpus(root: Path) -> Path:
    """A small folder corpus: text, markdown, reStructuredText and Python, one planted fact."""
    (root / "notes").mkdir(parents=True)
    (root / "guide.md").write_text(
        f"# Guide\n\n{filler(1, 8)}\n\n{filler(2, 8)}\n", encoding="utf-8"
    )
    (root / "notes" / "birds.txt").write_text(
        f"{filler(3, 4)}\n\n{PLANTED}\n\n{filler(4, 4)}\n", encoding="utf-8"
    )
    (root / "notes" / "more.rst").write_text(f"More\n====\n\n{filler(5, 10)}\n", encoding="utf-8")
    (root / "tool.py").write_text(
        '"""A tool about lanterns and copper."""\n\n'
        "def light(n):\n"
        '    """Lights n lanterns in the harbor."""\n'
        "    return n\n",
        encoding="utf-8",
    )
    return root


def rag_document(*, path: str = "index.sqlite", sink_id: str = "rag.index.sqlite",
                 chunk_params: dict[str, Any] | None = None,
                 clean_policy: str = "skip") -> dict[str, Any]:  # fmt: skip
    """An unsealed document shaped like examples/rag.yaml, small chunks for small corpora."""
    return {
        "spec_version": "1",
        "backend": "local",
        "ops": [
            {"type": "Map", "name": "clean", "func_id": "rag.clean", "error_policy": clean_policy,
             "in_type": "Document", "out_type": "Document",
             "params": {"normalize": "NFC", "collapse_whitespace": True}},
            {"type": "FlatMap", "name": "chunk", "func_id": "rag.chunk", "error_policy": "collect",
             "in_type": "Document", "out_type": "Chunk",
             "params": chunk_params or {"size": 200, "overlap": 20, "unit": "chars"}},
            {"type": "BatchMap", "name": "embed", "func_id": "rag.embed", "max_batch_size": 8,
             "error_policy": "fail_fast", "in_type": "Chunk", "out_type": "EmbeddedChunk",
             "params": {"dim": 256, "ngram": 3}},
            {"type": "Sink", "name": "index", "sink_id": sink_id,
             "sink_contract": {"idempotent": True}, "error_policy": "fail_fast",
             "in_type": "EmbeddedChunk", "out_type": "SinkReceipt", "params": {"path": path}},
        ],
    }  # fmt: skip


class RagKit:
    """What the RAG tests share; a fixture, since test modules here cannot import each other."""

    PLANTED = PLANTED
    PLANTED_QUERY = PLANTED_QUERY

    def __init__(self, reg: Registry) -> None:
        self.registry = reg

    filler = staticmethod(filler)
    write_corpus = staticmethod(write_corpus)
    document = staticmethod(rag_document)

    def sealed(self, document: dict[str, Any]) -> dict[str, Any]:
        """The document sealed against the RAG registry: versions pinned, digests filled."""
        result = seal(document, self.registry)
        assert isinstance(result, Ok), result
        return result.value


@pytest.fixture(scope="session")
def kit() -> RagKit:
    return RagKit(registry())


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "corpus")
