"""The CLI tests see the core test registry as the installed one."""

from __future__ import annotations

import pytest
from core_registry import core_registry


@pytest.fixture(autouse=True)
def installed_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pipespec.cli.default_registry", core_registry)
