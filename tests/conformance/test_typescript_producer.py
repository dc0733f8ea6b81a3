"""The TypeScript producer's RAG pipeline is accepted by `pipespec check` unchanged, and it is
examples/rag.json: the same digest and, with the same schema hint, the same bytes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from node_producer import node_cli

from pipespec.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "rag.json"


def _pipespec(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def _build(out: Path, *flags: str) -> str:
    built = node_cli("build-rag", out, *flags)
    assert built.returncode == 0, built.stderr
    path, digest = built.stdout.rstrip("\n").split("\t")
    assert path == str(out)
    return digest


def test_pipespec_check_accepts_the_producer_output_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "rag.json"
    digest = _build(out)
    written = out.read_bytes()
    assert _pipespec("check", "--format", "json", str(out)) == (0, "[]\n")
    assert out.read_bytes() == written  # checked, not rewritten
    example: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    assert digest == example["version"]
    assert _pipespec("hash", str(out)) == (0, example["version"] + "\n")


def test_with_the_example_schema_hint_the_bytes_are_the_example(tmp_path: Path) -> None:
    out = tmp_path / "rag.json"
    _build(out, "--schema-hint", "../schema/pipeline.schema.json")
    assert out.read_bytes() == EXAMPLE.read_bytes()


def test_the_default_schema_hint_resolves_from_the_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "rag.json"
    out.parent.mkdir()
    _build(out)
    hint = json.loads(out.read_text(encoding="utf-8"))["$schema"]
    schema = (out.parent / hint).resolve()
    assert schema == (EXAMPLE.parents[1] / "schema" / "pipeline.schema.json").resolve()


def test_pipespec_seal_leaves_the_producer_output_as_it_is(tmp_path: Path) -> None:
    out = tmp_path / "rag.json"
    _build(out)
    resealed = tmp_path / "resealed.json"
    assert _pipespec("seal", str(out), "-o", str(resealed))[0] == 0
    assert json.loads(resealed.read_text(encoding="utf-8")) == json.loads(out.read_text("utf-8"))


def test_node_check_reports_what_python_reports_for_a_tampered_output(tmp_path: Path) -> None:
    out = tmp_path / "rag.json"
    _build(out)
    out.write_text(out.read_text(encoding="utf-8").replace('"dim": 256', '"dim": 512'), "utf-8")
    code, text = _pipespec("validate", "--format", "json", str(out))
    python = sorted((r["code"], r["path"]) for r in json.loads(text))
    checked = node_cli("check", out)
    assert (code, checked.returncode) == (1, 1)
    assert sorted((r["code"], r["path"]) for r in json.loads(checked.stdout)) == python
    assert python == [("HASH_MISMATCH", "/ops/2/version"), ("HASH_MISMATCH", "/version")]
