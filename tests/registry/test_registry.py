"""Registries: entry validation, immutability, exact lookup, plugins through entry points."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from core_registry import add, core_registry

from pipespec.registry import NO_PARAMS, Entry, Registry, RegistryError, map_fn, sink


def test_lookup_is_exact() -> None:
    registry = core_registry()
    assert registry.get("core.add") is not None
    for near in ("Core.add", "core.add ", "core.ad", "core", "core.add.__class__", "__init__"):
        assert registry.get(near) is None
        assert near not in registry
    assert registry.get(1) is None  # type: ignore[arg-type]


def test_registries_are_immutable_values() -> None:
    base = Registry()
    grown = base.with_entries(map_fn("a.b", add, version="1", in_type="int", out_type="int"))
    assert len(base) == 0
    assert len(grown) == 1
    with pytest.raises(RegistryError, match=r"'a\.b' is registered twice"):
        grown.with_entries(map_fn("a.b", add, version="2", in_type="int", out_type="int"))
    with pytest.raises(TypeError):
        grown._entries["x"] = None  # type: ignore[index]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"id": "Bad.Id"}, "id must be lowercase"),
        ({"id": "a.b\n"}, "id must be lowercase"),
        ({"version": ""}, "version must match"),
        ({"kind": "reduce"}, "kind must be one of"),
        ({"in_type": "no spaces"}, "in_type must be a type name"),
        ({"params_schema": {"type": "object"}}, "params_schema must be closed"),
        ({"params_schema": {"type": 3}}, "params_schema is not a valid JSON Schema"),
        ({"kind": "sink"}, "a sink_contract is required for sinks"),
        ({"kind": "monoid"}, "commutative is required for monoids"),
    ],
)
def test_entries_are_checked_when_code_builds_them(changes: dict[str, Any], problem: str) -> None:
    fields: dict[str, Any] = {
        "id": "a.b", "version": "1.0", "kind": "map", "in_type": "int", "out_type": "int",
        "build": lambda params, context: add, "params_schema": NO_PARAMS,
    }  # fmt: skip
    with pytest.raises(ValueError, match=problem):
        Entry(**{**fields, **changes})


def test_manifest_describes_every_entry() -> None:
    manifest = core_registry().manifest()
    totals = next(e for e in manifest["entries"] if e["id"] == "core.totals")
    assert totals == {
        "id": "core.totals",
        "version": "1.0.0",
        "kind": "sink",
        "in_type": "int",
        "out_type": "Totals",
        "params_schema": dict(NO_PARAMS),
        "sink_contract": {"idempotent": False},
    }
    concat = next(e for e in manifest["entries"] if e["id"] == "core.concat")
    assert concat["commutative"] is False
    assert concat["description"] == "Tuples concatenated in order."


def _plugin(root: Path, dist: str, module: str, body: str, entry: str) -> None:
    (root / f"{module}.py").write_text(textwrap.dedent(body), encoding="utf-8")
    info = root / f"{dist}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(f"[pipespec.registries]\n{entry}\n", encoding="utf-8")


PLUGIN = """
    from pipespec.registry import Registry, map_fn

    def double(item):
        return item * 2

    def registry():
        return Registry().with_entries(
            map_fn("{id}", double, version="1.0", in_type="int", out_type="int")
        )
"""


def _default_ids(root: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]);"
        "from pipespec.registry import default_registry;"
        "print(json.dumps(sorted(default_registry().ids())))"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=False
    )


def test_default_registry_loads_plugins_from_entry_points(tmp_path: Path) -> None:
    _plugin(tmp_path, "plug_a", "plug_a", PLUGIN.replace("{id}", "a.double"), "a = plug_a:registry")
    _plugin(tmp_path, "plug_b", "plug_b", PLUGIN.replace("{id}", "b.double"), "b = plug_b:registry")
    done = _default_ids(tmp_path)
    assert done.returncode == 0, done.stderr
    ids = json.loads(done.stdout)
    assert {"a.double", "b.double"} <= set(ids)


def test_plugins_that_clash_are_reported(tmp_path: Path) -> None:
    _plugin(tmp_path, "plug_a", "plug_a", PLUGIN.replace("{id}", "same.id"), "a = plug_a:registry")
    _plugin(tmp_path, "plug_b", "plug_b", PLUGIN.replace("{id}", "same.id"), "b = plug_b:registry")
    done = _default_ids(tmp_path)
    assert done.returncode != 0
    assert "entry point 'b' registers ids another plugin already has: same.id" in done.stderr


def test_cli_reports_clashing_plugins_without_a_traceback(tmp_path: Path) -> None:
    _plugin(tmp_path, "plug_a", "plug_a", PLUGIN.replace("{id}", "same.id"), "a = plug_a:registry")
    _plugin(tmp_path, "plug_b", "plug_b", PLUGIN.replace("{id}", "same.id"), "b = plug_b:registry")
    code = "import sys; sys.path.insert(0, sys.argv[1]); from pipespec.cli import main; sys.exit(main(['registry']))"
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2
    assert "REGISTRY_ERROR" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_plugin_that_gives_no_registry_is_named(tmp_path: Path) -> None:
    _plugin(tmp_path, "plug_c", "plug_c", "def registry():\n    return 42\n", "c = plug_c:registry")
    done = _default_ids(tmp_path)
    assert "entry point 'c' in group 'pipespec.registries' gave int" in done.stderr


def test_sink_entries_carry_their_contract() -> None:
    entry = sink("s.x", lambda params, context: None, version="1", in_type="a", out_type="b",  # type: ignore[arg-type,return-value]
                 idempotent=True)  # fmt: skip
    assert entry.sink_contract is not None and entry.sink_contract.idempotent
