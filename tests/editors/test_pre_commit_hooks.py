"""The pre-commit hook other repositories use: its entry runs, its pattern finds spec files."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "editors" / "fixtures"
NAMES = [
    "etl.pipeline.json",
    "deep/dir/etl.pipeline.yaml",
    "etl.pipeline.yml",
    "rag.yaml",
    "rag.json",
    "pipeline.yaml",
    "etl.pipeline.yaml.bak",
    "etl.pipeline.toml",
    "pipeline.schema.json",
    "package.json",
]
SPEC_NAMES = {"etl.pipeline.json", "deep/dir/etl.pipeline.yaml", "etl.pipeline.yml"}


def _hook() -> dict[str, Any]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [hook["id"] for hook in hooks] == ["pipespec-validate"]
    hook: dict[str, Any] = hooks[0]
    return hook


def test_the_hook_runs_pipespec_validate_from_this_package() -> None:
    hook = _hook()
    assert shlex.split(hook["entry"]) == ["pipespec", "validate"]
    assert hook["language"] == "python"  # pre-commit installs this repository's package
    assert hook["types_or"] == ["json", "yaml"]
    assert hook.get("pass_filenames", True) is True


def test_the_pattern_selects_spec_files_by_name() -> None:
    files = re.compile(_hook()["files"])
    # pre-commit matches `files` with re.search against the path from the repository root.
    assert {name for name in NAMES if files.search(name)} == SPEC_NAMES
    assert all(files.search(path.name) for path in FIXTURES.glob("*.pipeline.*"))


def test_editors_map_the_same_names() -> None:
    settings = json.loads((REPO / "examples" / "vscode" / "settings.json").read_text("utf-8"))
    catalog = json.loads((REPO / "editors" / "catalog.json").read_text("utf-8"))
    globs = [
        *(glob for entry in settings["json.schemas"] for glob in entry["fileMatch"]),
        *(glob for globs in settings["yaml.schemas"].values() for glob in globs),
    ]
    for matched in (globs, catalog["schemas"][0]["fileMatch"]):
        selected = {n for n in NAMES if any(fnmatch.fnmatch(Path(n).name, g) for g in matched)}
        assert selected == SPEC_NAMES


def test_the_entry_passes_sealed_files_and_refuses_broken_ones() -> None:
    command = shlex.split(_hook()["entry"])
    script = str(Path(sys.executable).parent / command[0])
    sealed = [FIXTURES / "clean-chunk.pipeline.yaml", FIXTURES / "stats.pipeline.yaml"]
    done = subprocess.run([script, *command[1:], *map(str, sealed)], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "2 valid\n")
    broken = [*sealed, FIXTURES / "wrong-policy.pipeline.json"]
    done = subprocess.run([script, *command[1:], *map(str, broken)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "wrong-policy.pipeline.json:11:23: SCHEMA_INVALID" in done.stderr
