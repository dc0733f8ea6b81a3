"""The TypeScript producer (producers/typescript), for tests that cross into Node: built once."""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

PRODUCER = Path(__file__).resolve().parents[1] / "producers" / "typescript"
CLI = PRODUCER / "dist" / "src" / "cli.js"
SETUP = "run `make node` (npm ci and npm test in producers/typescript) first"


@cache
def _built() -> tuple[str, ...]:
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"node is not on PATH: install Node.js 20 or later and {SETUP}")
    if not (PRODUCER / "node_modules" / ".package-lock.json").is_file():
        pytest.fail(f"producers/typescript/node_modules is missing: {SETUP}")
    # An incremental tsc run: a second of work when dist/ is current, and never stale.
    build = subprocess.run(
        [node, "node_modules/typescript/bin/tsc", "-p", "tsconfig.json"],
        cwd=PRODUCER,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if build.returncode != 0:
        pytest.fail(f"building producers/typescript failed:\n{build.stdout}{build.stderr}")
    return (node, str(CLI))


def node_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the producer's command line (`node dist/src/cli.js ARGS`)."""
    return subprocess.run(
        [*_built(), *map(str, args)], capture_output=True, text=True, timeout=300, check=False
    )


def _batch(command: str, documents: list[Any], scratch: Path) -> list[Any]:
    batch = scratch / f"{command}.json"
    batch.write_text(json.dumps(documents), encoding="utf-8")
    result = node_cli(command, batch)
    assert result.returncode == 0, result.stderr
    answers: list[Any] = json.loads(result.stdout)
    assert len(answers) == len(documents)
    return answers


def ajv_verdicts(documents: list[Any], scratch: Path) -> list[bool]:
    """ajv's schema verdict on each document, from one Node process for the whole batch."""
    return _batch("verdicts", documents, scratch)


def node_findings(documents: list[Any], scratch: Path) -> list[set[tuple[str, str]]]:
    """The (code, JSON Pointer) pairs the Node checks report for each document (schema, then
    names and digests), from one Node process for the whole batch."""
    return [
        {(code, path) for code, path in pairs} for pairs in _batch("findings", documents, scratch)
    ]
