"""Monoid laws for every registered monoid factory: the test registries' and the installed plugins'."""

from __future__ import annotations

import pytest
from core_registry import core_registry
from runtime.runtime_helpers import assert_monoid_laws

from pipespec.registry import Entry, default_registry


def _registered_monoids() -> list[Entry]:
    entries = [*core_registry(), *default_registry()]
    return [entry for entry in entries if entry.kind == "monoid"]


@pytest.mark.parametrize("entry", _registered_monoids(), ids=lambda entry: entry.id)
def test_registered_monoid_laws(entry: Entry) -> None:
    assert_monoid_laws(entry)
