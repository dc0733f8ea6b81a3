"""Generate src/pipespec/models/ from schema/ with datamodel-codegen, or check it for drift."""

from __future__ import annotations

import argparse
import difflib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

__all__ = ["CODEGEN_FLAGS", "MODELS_DIR", "SCHEMA_DIR", "compare", "generate", "main"]

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "schema"
MODELS_DIR = ROOT / "src" / "pipespec" / "models"
HINT = "run: python codegen/generate.py"
GENERATOR = "datamodel-code-generator"

CODEGEN_FLAGS: tuple[str, ...] = (
    "--input-file-type",
    "jsonschema",
    # Plain frozen dataclasses: no runtime dependency, and a loaded model cannot be mutated.
    # kw_only because the generator puts required fields first, not in schema order, so
    # positional construction would silently depend on that; slots rejects stray attributes.
    "--output-model-type",
    "dataclasses.dataclass",
    "--dataclass-arguments",
    '{"frozen": true, "kw_only": true, "slots": true}',
    # A timestamp in the header would make every run differ and the drift check useless.
    "--disable-timestamp",
    "--target-python-version",
    "3.11",
    # With the next flag: collections.abc.Sequence/Mapping, not the deprecated typing aliases.
    "--use-standard-collections",
    # Sequence/Mapping rather than list/dict, so the loader can store tuples and
    # MappingProxyType and the annotations stay truthful.
    "--use-generic-container-types",
    # `X | None` instead of Optional[X].
    "--use-union-operator",
    # The schema descriptions become docstrings, so the types document themselves.
    "--use-schema-description",
    "--use-field-description",
    # Enums as Literal[...] so the wire strings are the values; no Enum round-tripping.
    "--enum-field-as-literal",
    "all",
    # The builtin formatter makes the output independent of whatever black/isort is installed.
    "--formatters",
    "builtin",
    # A [tool.datamodel-codegen] table in some pyproject.toml must not change the output
    # behind these flags' back.
    "--ignore-pyproject",
)


def _fail(message: str) -> NoReturn:
    # Status 2, not 1: a broken setup must not look like drift.
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(2)


def _pinned_version() -> str | None:
    """The exact generator version pinned in pyproject.toml, if it pins one exactly."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project.get("dependencies", [])]
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(extra)
    for requirement in requirements:
        match = re.fullmatch(rf"\s*{re.escape(GENERATOR)}\s*==\s*([^\s;,]+)\s*", requirement)
        if match:
            return match.group(1)
    return None


def _check_generator_version() -> None:
    # Output changes between generator releases: a different one would report (or write)
    # drift that has nothing to do with the schemas.
    pinned = _pinned_version()
    installed = importlib.metadata.version(GENERATOR)
    if pinned is not None and installed != pinned:
        _fail(
            f"{GENERATOR} {installed} is installed but pyproject.toml pins {pinned}; "
            "install the pinned version first"
        )


def generate(dest: Path) -> None:
    """Write the generated package for the current ``schema/`` into ``dest`` (must not exist)."""
    _check_generator_version()
    # Fixed hash seed and UTF-8 mode: set iteration order and the locale's encoding are the
    # machine-dependent inputs a generator could leak into its output.
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONUTF8": "1"}
    command = [
        sys.executable,
        "-m",
        "datamodel_code_generator",
        "--input",
        str(SCHEMA_DIR),
        "--output",
        str(dest),
        *CODEGEN_FLAGS,
    ]
    # Run outside the repository so no project configuration is discovered from the cwd.
    with tempfile.TemporaryDirectory(prefix="pipespec-codegen-cwd-") as cwd:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        _fail(f"datamodel-codegen failed with exit code {done.returncode}")
    for path in _files(dest).values():
        # Text-mode writes on Windows produce CRLF; the committed files use LF everywhere.
        data = path.read_bytes()
        if b"\r\n" in data:
            path.write_bytes(data.replace(b"\r\n", b"\n"))


def _files(directory: Path) -> dict[str, Path]:
    """The files under ``directory`` by POSIX relative path, without bytecode caches."""
    if not directory.is_dir():
        return {}
    return {
        path.relative_to(directory).as_posix(): path
        for path in sorted(directory.rglob("*"))
        if path.is_file() and "__pycache__" not in path.relative_to(directory).parts
    }


def _lines(path: Path | None) -> list[str]:
    if path is None:
        return []
    return path.read_bytes().decode("utf-8", errors="replace").splitlines(keepends=True)


def compare(committed: Path, generated: Path) -> list[str]:
    """A unified diff from ``committed`` to ``generated`` by file name and bytes; empty if equal."""
    old, new = _files(committed), _files(generated)
    diff: list[str] = []
    for name in sorted(old.keys() | new.keys()):
        old_path, new_path = old.get(name), new.get(name)
        if old_path is not None and new_path is not None:
            if old_path.read_bytes() == new_path.read_bytes():
                continue
        elif old_path is None:
            diff.append(f"only in generated: {name}\n")
        else:
            diff.append(f"only in committed: {name}\n")
        lines = list(
            difflib.unified_diff(
                _lines(old_path),
                _lines(new_path),
                fromfile=f"committed/{name}",
                tofile=f"generated/{name}",
            )
        )
        # Bytes differing outside the decoded text (e.g. line endings, a trailing newline)
        # still count as drift even when the line diff comes out empty.
        diff.extend(lines or [f"{name}: bytes differ (line endings or encoding)\n"])
    return [line if line.endswith("\n") else line + "\n" for line in diff]


def _replace(models: Path, generated: Path) -> None:
    # Generation already succeeded, so the old package is only removed once a complete
    # replacement exists.
    if models.exists():
        shutil.rmtree(models)
    shutil.copytree(generated, models)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point; returns the exit status (1 when ``--check`` finds drift)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--check",
        action="store_true",
        help="compare with the committed package instead of writing; exit 1 on drift",
    )
    parser.add_argument(
        "--models-dir",
        type=Path,
        default=MODELS_DIR,
        help=argparse.SUPPRESS,  # for tests: the package to write or check
    )
    args = parser.parse_args(argv)
    models: Path = args.models_dir
    with tempfile.TemporaryDirectory(prefix="pipespec-codegen-") as tmp:
        generated = Path(tmp) / "models"
        generate(generated)
        if not args.check:
            _replace(models, generated)
            return 0
        diff = compare(models, generated)
    if not diff:
        return 0
    sys.stdout.writelines(diff)
    shown = models.relative_to(ROOT) if models.is_relative_to(ROOT) else models
    print(f"{shown.as_posix()}/ is out of date with schema/; {HINT}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
