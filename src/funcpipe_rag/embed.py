"""Embedders: deterministic feature hashing on numpy, or a local sentence-transformers model."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from pipespec.registry import RunContext

from ._items import Chunk, EmbeddedChunk, Embedder

__all__ = [
    "Encoder",
    "build_embed",
    "embed",
    "embed_chunks",
    "embed_texts",
    "encoder",
    "load_model",
]

Vectors = npt.NDArray[np.float32]
Encoder = Callable[[Sequence[str]], Vectors]
"""Texts in, one row per text out."""

_WORD = re.compile(r"\w+")
# A personalised BLAKE2b: stable across processes, machines and Python versions, unlike
# the salted built-in hash().
_PERSON = b"funcpipe.rag.v1"


@lru_cache(maxsize=1 << 16)
def _slot(feature: str, dim: int) -> tuple[int, float]:
    """The bucket a feature lands in and its sign; signs keep collisions from only adding up."""
    data = feature.encode("utf-8", "surrogatepass")
    value = int.from_bytes(hashlib.blake2b(data, digest_size=8, person=_PERSON).digest(), "big")
    return value % dim, -1.0 if value >> 63 else 1.0


def _features(text: str, ngram: int) -> list[str]:
    lowered = text.lower()
    words = _WORD.findall(lowered)
    spaced = " ".join(lowered.split())
    grams: list[str] = []
    if spaced:
        # Padding marks word starts and ends, as " cat" differs from "scat".
        padded = f" {spaced} "
        count = max(len(padded) - ngram + 1, 1)
        grams = [padded[i : i + ngram] for i in range(count)]
    return [f"c:{gram}" for gram in grams] + [f"w:{word}" for word in words]


def _hashed(text: str, dim: int, ngram: int) -> npt.NDArray[np.float64]:
    slots = [_slot(feature, dim) for feature in _features(text, ngram)]
    if not slots:
        return np.zeros(dim, dtype=np.float64)
    buckets = np.fromiter((bucket for bucket, _ in slots), dtype=np.intp, count=len(slots))
    signs = np.fromiter((sign for _, sign in slots), dtype=np.float64, count=len(slots))
    # bincount sums the weights as float64; its stubs claim integers whatever the weights.
    return np.asarray(np.bincount(buckets, weights=signs, minlength=dim), dtype=np.float64)


def embed_texts(texts: Sequence[str], *, dim: int, ngram: int) -> Vectors:
    """Feature-hashing vectors, one float32 row of length ``dim`` per text, L2-normalised.

    Features are the character ``ngram``-grams of the lowercased text, its whitespace runs
    collapsed to one space and padded with a space at each end (a text shorter than
    ``ngram`` is one feature), plus its lowercased words (``\\w+`` runs) as unigrams. Each
    feature is hashed with BLAKE2b into a bucket and a sign, and its signed counts are
    summed. A text without features gives the zero vector. The same text, ``dim`` and
    ``ngram`` give bit-identical rows in any process, on any platform (given the same
    Unicode version for lowercasing): hashing is stable and every step is exactly rounded.
    """
    rows = np.zeros((len(texts), dim), dtype=np.float32)
    for row, text in enumerate(texts):
        counts = _hashed(text, dim, ngram)
        # Whole-number counts: the sum of their squares is at most (number of features)**2,
        # exact in float64 for any text under ~90 million characters, so it is the same
        # whatever order the dot product sums in.
        norm = math.sqrt(float(counts @ counts))
        if norm > 0.0:
            rows[row] = counts / norm
    return rows


def load_model(model_path: str, dim: int) -> Encoder:
    """A sentence-transformers model loaded from a local folder, offline; never downloads."""
    if importlib.util.find_spec("sentence_transformers") is None:
        raise RuntimeError(
            f"model_path {model_path!r} needs the sentence-transformers package, which is not "
            "installed; install it, or leave out model_path to use the hashing embedder"
        )
    folder = Path(model_path)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"model_path {model_path!r} is not a local folder; models are never downloaded"
        )
    # Set before the import: huggingface_hub reads them when it is first imported.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    module = importlib.import_module("sentence_transformers")
    model = module.SentenceTransformer(str(folder), local_files_only=True)
    found = model.get_sentence_embedding_dimension()
    if found != dim:
        raise ValueError(
            f"the model at {model_path!r} gives {found}-dimensional vectors, dim is {dim}"
        )

    def encode(texts: Sequence[str]) -> Vectors:
        vectors = model.encode(list(texts), convert_to_numpy=True, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    return encode


def encoder(embedder: Embedder) -> Encoder:
    """The encoder an embedder description names: its model if it has one, else hashing."""
    model_path = embedder.get("model_path")
    if model_path is not None:
        return load_model(model_path, embedder["dim"])
    return partial(embed_texts, dim=embedder["dim"], ngram=embedder["ngram"])


def _chunk(item: Any) -> Chunk:
    if not isinstance(item, Mapping):
        raise TypeError(f"expected a Chunk object, found {type(item).__name__}")
    for key, kind in (("id", str), ("doc_id", str), ("source", str), ("text", str)):
        if not isinstance(item.get(key), kind):
            raise TypeError(f"Chunk {key} must be a string, found {type(item.get(key)).__name__}")
    index = item.get("index")
    if not isinstance(index, int) or isinstance(index, bool):
        raise TypeError(f"Chunk index must be an integer, found {type(index).__name__}")
    return {
        "id": item["id"],
        "doc_id": item["doc_id"],
        "source": item["source"],
        "index": index,
        "text": item["text"],
    }


def embed_chunks(
    chunks: Sequence[Any], *, encode: Encoder, embedder: Embedder
) -> list[EmbeddedChunk]:
    """Each chunk with its ``vector`` and the ``embedder`` description a query needs."""
    checked = [_chunk(item) for item in chunks]
    vectors = encode([item["text"] for item in checked])
    if len(vectors) != len(checked):
        raise ValueError(f"the encoder gave {len(vectors)} vectors for {len(checked)} texts")
    embedded: list[EmbeddedChunk] = []
    for item, vector in zip(checked, vectors, strict=True):
        embedded.append(
            {
                "id": item["id"],
                "doc_id": item["doc_id"],
                "source": item["source"],
                "index": item["index"],
                "text": item["text"],
                "vector": [float(value) for value in vector],
                # A copy per item: items are shipped and persisted independently.
                "embedder": Embedder(**embedder),
            }
        )
    return embedded


def embed(chunks: Sequence[Any], *, dim: int, ngram: int) -> list[EmbeddedChunk]:
    """Embeds a batch of chunks with the feature-hashing embedder."""
    embedder: Embedder = {"dim": int(dim), "ngram": int(ngram)}
    return embed_chunks(chunks, encode=encoder(embedder), embedder=embedder)


def build_embed(
    params: Mapping[str, Any], context: RunContext
) -> Callable[[Sequence[Any]], list[EmbeddedChunk]]:
    """The batch function rag.embed runs; a model named by ``model_path`` loads here, once."""
    embedder: Embedder = {"dim": int(params["dim"]), "ngram": int(params["ngram"])}
    if "model_path" in params:
        embedder["model_path"] = str(params["model_path"])
    return partial(embed_chunks, encode=encoder(embedder), embedder=embedder)
