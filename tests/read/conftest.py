"""Test support for pipespec.read: a fixture that runs a test under each YAML parser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from pipespec.read import _yaml

PARSERS = ["libyaml", "python"] if yaml.__with_libyaml__ else ["python"]


@pytest.fixture(params=PARSERS)
def yaml_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test once with libyaml (when present) and once with PyYAML's pure-Python parser."""
    monkeypatch.setattr(_yaml, "_LIBYAML", request.param == "libyaml")
    yield request.param
