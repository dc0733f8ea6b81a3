"""The conformance vectors in conformance/ hold for the Python implementation, and the committed
files are exactly what conformance/generate.py writes from the cases and Python's behaviour."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pipespec.digest import canonical_bytes, digest, seal_data
from pipespec.read import read_text
from pipespec.result import Err, Ok
from pipespec.validate import check_data, validate_document

VECTORS = Path(__file__).resolve().parents[2] / "conformance"
CHECKS = {"json", "values", "limits", "schema", "names", "digest"}


def _vectors(name: str) -> list[dict[str, Any]]:
    body = json.loads((VECTORS / name).read_text(encoding="utf-8"))
    assert body["format"] == "pipespec-conformance/1"
    vectors: list[dict[str, Any]] = body["vectors"]
    return vectors


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("conformance_generate", VECTORS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _name(vector: dict[str, Any]) -> str:
    return str(vector["name"])


def test_the_committed_vectors_are_what_the_generator_writes() -> None:
    for name, text in _generator().build().items():
        assert (VECTORS / name).read_text(encoding="utf-8") == text, (
            f"conformance/{name} is out of date: run .venv/bin/python conformance/generate.py"
        )


def test_every_vector_file_is_known() -> None:
    assert sorted(p.name for p in VECTORS.glob("*.json")) == sorted(_generator().build())


@pytest.mark.parametrize("vector", _vectors("canonical.json"), ids=_name)
def test_canonical(vector: dict[str, Any]) -> None:
    read = read_text(vector["input"], format="json")
    assert isinstance(read, Ok), read
    data = canonical_bytes(read.value.data)
    assert isinstance(data, Ok)
    assert data.value.decode("utf-8") == vector["canonical"]
    assert data.value.hex() == vector["canonical_utf8_hex"]
    assert digest(read.value.data) == Ok(vector["sha256"])


@pytest.mark.parametrize("vector", _vectors("seal.json"), ids=_name)
def test_seal(vector: dict[str, Any]) -> None:
    assert seal_data(vector["document"]) == Ok(vector["sealed"])
    assert check_data(vector["sealed"]) == []


def _errors(vector: dict[str, Any]) -> list[dict[str, str]]:
    # A vector's text is read as given; a document is written as JSON text first, so the
    # reader's checks apply to it as to any file.
    text = vector["text"] if "text" in vector else json.dumps(vector["document"])
    match read_text(text, format="json"):
        case Err(error):
            found = [error]
        case Ok(document):
            found = validate_document(document)
    pairs = sorted({(e.code, e.path) for e in found}, key=lambda pair: (pair[1], pair[0]))
    return [{"code": code, "path": path} for code, path in pairs]


@pytest.mark.parametrize("vector", _vectors("valid.json") + _vectors("invalid.json"), ids=_name)
def test_document(vector: dict[str, Any]) -> None:
    assert set(vector["checks"]) <= CHECKS
    assert _errors(vector) == vector["errors"]


def test_valid_vectors_have_no_errors_and_invalid_ones_some() -> None:
    assert all(v["errors"] == [] for v in _vectors("valid.json"))
    assert all(v["errors"] for v in _vectors("invalid.json"))
