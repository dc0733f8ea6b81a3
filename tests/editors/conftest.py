"""Fixtures for the editor tests: the fixture manifest shared with editors/ and the RAG registry."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from funcpipe_rag.registry import registry as rag_registry
from pipespec.read import read_path
from pipespec.registry import Registry
from pipespec.result import Ok
from pipespec.specialize import specialized_schema

REPO = Path(__file__).resolve().parents[2]
EDITORS = REPO / "editors"


@dataclass(frozen=True)
class Case:
    """One document of editors/fixtures/cases.json and what every engine must say about it."""

    file: str
    path: Path
    canonical: bool
    specialized: bool
    check: list[dict[str, Any]]

    def data(self) -> Any:
        read = read_path(self.path)
        assert isinstance(read, Ok), read
        return read.value.data


def load_cases() -> list[Case]:
    manifest = json.loads((EDITORS / "fixtures" / "cases.json").read_text(encoding="utf-8"))
    return [
        Case(
            file=case["file"],
            path=(EDITORS / case["file"]).resolve(),
            canonical=case["canonical"],
            specialized=case["specialized"],
            check=case["check"],
        )
        for case in manifest["cases"]
    ]


@pytest.fixture(scope="session")
def cases() -> list[Case]:
    return load_cases()


@pytest.fixture(scope="session")
def rag() -> Registry:
    return rag_registry()


@pytest.fixture(scope="session")
def rag_specialized(rag: Registry) -> dict[str, Any]:
    return specialized_schema(rag)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test taking ``case`` runs once per document of the manifest."""
    if "case" in metafunc.fixturenames:
        cases = load_cases()
        metafunc.parametrize("case", cases, ids=[case.file for case in cases])
