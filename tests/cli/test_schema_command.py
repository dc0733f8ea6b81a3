"""`pipespec schema`: the exported files, the specialised schema, determinism and I/O errors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import referencing
import referencing.jsonschema
from cli_run import run
from core_registry import core_registry

from pipespec.registry import RegistryError
from pipespec.schemas import SCHEMA_FILES, schema_text
from pipespec.specialize import SPECIALIZED, render, specialized_schema

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_exports_the_canonical_files_byte_for_byte(tmp_path: Path) -> None:
    out = tmp_path / "new" / "schemas"
    assert run("schema", "--out", str(out)) == (0, "", f"8 schema files written to {out}\n")
    assert _files(out) == {name: schema_text(name).encode() for name in SCHEMA_FILES}


def test_relative_refs_resolve_from_the_folder(tmp_path: Path) -> None:
    run("schema", "--out", str(tmp_path))
    # Registered under their file URLs, as an editor would find them: no $id, relative refs.
    resources = [
        (
            path.as_uri(),
            referencing.jsonschema.DRAFT202012.create_resource(json.loads(path.read_text())),
        )
        for path in tmp_path.glob("*.json")
    ]
    registry: referencing.Registry[object] = referencing.Registry().with_resources(resources)
    pipeline = {"$ref": (tmp_path / "pipeline.schema.json").as_uri()}
    validator = jsonschema.Draft202012Validator(pipeline, registry=registry)
    example = json.loads((EXAMPLES / "rag.json").read_text(encoding="utf-8"))
    assert validator.is_valid(example)
    example["ops"][0]["error_policy"] = "retry"
    assert not validator.is_valid(example)


def test_specialize_adds_the_schema_for_the_installed_registry(tmp_path: Path) -> None:
    code, out, err = run("schema", "--out", str(tmp_path), "--specialize")
    assert (code, out, err) == (0, "", f"9 schema files written to {tmp_path}\n")
    written = (tmp_path / SPECIALIZED).read_text(encoding="utf-8")
    assert written == render(specialized_schema(core_registry()))
    func_id = json.loads(written)["$defs"]["map"]["properties"]["func_id"]
    assert func_id["enum"] == ["core.add", "core.fragile", "core.mul"]


def test_a_rerun_writes_the_same_bytes_and_leaves_nothing_else(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    run("schema", "--out", str(first), "--specialize")
    (second).mkdir()
    (second / SPECIALIZED).write_text("stale", encoding="utf-8")
    run("schema", "--out", str(second), "--specialize")
    assert _files(first) == _files(second)
    assert sorted(_files(first)) == sorted([*SCHEMA_FILES, SPECIALIZED])  # no temporary files


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_an_unwritable_folder_is_an_io_error_not_a_traceback(tmp_path: Path, fmt: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "schemas"
    code, out, err = run("schema", "--out", str(target), "--format", fmt)
    assert code == 2
    assert "Traceback" not in out + err
    if fmt == "text":
        assert out == ""
        assert err.startswith(f"{target}: IO_ERROR cannot write {target}: ")
    else:
        [report] = json.loads(out)
        assert report["code"] == "IO_ERROR"
        assert report["message"].startswith(f"cannot write {target}: ")


def test_a_file_in_the_way_of_one_schema_is_an_io_error(tmp_path: Path) -> None:
    target = tmp_path / "op.schema.json"
    target.mkdir()
    code, out, err = run("schema", "--out", str(tmp_path))
    assert (code, out) == (2, "")
    assert err.startswith(f"{target}: IO_ERROR cannot write {target}: ")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_inconsistent_registry_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def clashing() -> None:
        raise RegistryError("id 'core.add' is registered twice")

    monkeypatch.setattr("pipespec.cli.default_registry", clashing)
    code, out, err = run("schema", "--out", str(tmp_path), "--specialize")
    assert (code, out) == (2, "")
    assert err == "<input>: REGISTRY_ERROR id 'core.add' is registered twice\n"
    assert list(tmp_path.iterdir()) == []
    # Without --specialize no registry is needed.
    assert run("schema", "--out", str(tmp_path))[0] == 0


def test_catalog_url_writes_a_catalog_entry_for_the_published_folder(tmp_path: Path) -> None:
    code, _, _ = run(
        "schema", "--out", str(tmp_path), "--catalog-url", "https://schemas.example.org/pipespec/1/"
    )
    assert code == 0
    entry = json.loads((tmp_path / "catalog.json").read_text(encoding="utf-8"))
    committed = json.loads((EXAMPLES.parent / "editors" / "catalog.json").read_text("utf-8"))
    # Same shape and file names as the committed entry the editor tests load.
    assert entry["schemas"][0]["fileMatch"] == committed["schemas"][0]["fileMatch"]
    assert (
        entry["schemas"][0]["url"] == "https://schemas.example.org/pipespec/1/pipeline.schema.json"
    )
    assert (tmp_path / "pipeline.schema.json").is_file()


@pytest.mark.parametrize("url", ["schemas/", "ftp://host/x", "https://", "https://h/x?y=1"])
def test_catalog_url_must_be_an_http_address_of_a_folder(
    tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run("schema", "--out", str(tmp_path), "--catalog-url", url)
    assert code == 2
    assert "expected an http(s) address" in capsys.readouterr().err
    assert not (tmp_path / "catalog.json").exists()
