"""Acceptance tests of the `pipespec` command line: validate, hash, seal; exit codes and formats."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from cli_run import run

from pipespec.schemas import fast_validator, load_schema, python_validator

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
UNSEALED_YAML = """\
# yaml-language-server: $schema=../schema/pipeline.schema.json
# A comment that must survive sealing.
spec_version: "1"
ops:
  - type: Map
    name: add
    func_id: core.add
    error_policy: fail_fast
    in_type: int
    out_type: int
    params: {n: 0o17}
  - type: Map
    name: scale
    func_id: core.mul
    error_policy: skip
    in_type: int
    out_type: int
    params: {k: 3}
"""


@pytest.fixture
def unsealed(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    path.write_text(UNSEALED_YAML, encoding="utf-8")
    return path


def test_validate_examples() -> None:
    code, out, err = run("validate", str(EXAMPLES / "rag.json"), str(EXAMPLES / "rag.yaml"))
    assert (code, out, err) == (0, "", "2 valid\n")


def test_validate_reports_file_line_column_code_and_message(unsealed: Path) -> None:
    code, out, err = run("validate", str(unsealed))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        f"{unsealed}:3:1: UNSEALED document has no `version` digest at /; run `pipespec seal`",
        f"{unsealed}:5:5: UNSEALED op has no `version` digest at /ops/0; run `pipespec seal`",
        f"{unsealed}:12:5: UNSEALED op has no `version` digest at /ops/1; run `pipespec seal`",
    ]


def test_validate_json_output_matches_the_error_report_schema(
    unsealed: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"spec_version": "1", "ops": [{"type": "Map"}]', encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    code, out, _ = run("validate", "--format", "json", str(unsealed), str(broken), str(missing))
    assert code == 2  # an unreadable file outranks invalid ones
    reports = json.loads(out)
    report_schema = load_schema("error-report.schema.json")
    jsonschema.Draft202012Validator(report_schema).validate(reports)
    assert [(r["file"], r["code"]) for r in reports] == [
        (str(unsealed), "UNSEALED"),
        (str(unsealed), "UNSEALED"),
        (str(unsealed), "UNSEALED"),
        (str(broken), "PARSE_ERROR"),
        (str(missing), "IO_ERROR"),
    ]
    assert reports[3]["line"] == 1


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("validate")[0] == 2
    assert run("frobnicate")[0] == 2
    assert run("validate", "--max-depth", "0", "x.json")[0] == 2
    assert "expected a positive integer" in capsys.readouterr().err


def test_limits_are_configurable(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"spec_version": "1", "ops": [{"params": {"a": {"b": 1}}}]}', encoding="utf-8")
    code, out, _ = run("validate", "--format", "json", "--max-depth", "4", str(deep))
    assert code == 1
    assert [r["code"] for r in json.loads(out)] == ["LIMIT_EXCEEDED"]


def test_seal_to_stdout_in_the_input_format_keeps_leading_comments(unsealed: Path) -> None:
    code, out, err = run("seal", str(unsealed))
    assert code == 0
    assert err == ""
    assert out.startswith(
        "# yaml-language-server: $schema=../schema/pipeline.schema.json\n# A comment"
    )
    # A YAML 1.2 octal is written as the number it is; registry versions are pinned after ids.
    assert "n: 15" in out
    assert "    func_id: core.add\n    func_version: 1.0.0\n" in out
    assert "\nops:\n  - type: Map\n" in out


def test_seal_writes_json_and_yaml_twins_with_one_digest(unsealed: Path, tmp_path: Path) -> None:
    as_json, as_yaml = tmp_path / "out.json", tmp_path / "out.yml"
    assert run("seal", str(unsealed), "-o", str(as_json))[0] == 0
    assert run("seal", str(unsealed), "-o", str(as_yaml))[0] == 0
    assert json.loads(as_json.read_text(encoding="utf-8"))["spec_version"] == "1"
    assert run("validate", str(as_json), str(as_yaml))[0] == 0
    digests = {run("hash", str(path))[1] for path in (as_json, as_yaml)}
    assert len(digests) == 1
    sealed_digest = digests.pop()
    assert sealed_digest.startswith("sha256:")
    # `hash` takes the document as given: unsealed, its ops carry no digests yet.
    assert run("hash", str(unsealed))[1] != sealed_digest


def test_seal_in_place_is_idempotent(unsealed: Path) -> None:
    assert run("seal", "-i", str(unsealed))[0] == 0
    once = unsealed.read_text(encoding="utf-8")
    assert run("seal", "-i", str(unsealed))[0] == 0
    assert unsealed.read_text(encoding="utf-8") == once
    assert run("validate", str(unsealed))[0] == 0


def test_seal_refuses_an_invalid_document_and_writes_nothing(tmp_path: Path) -> None:
    source = tmp_path / "bad.yaml"
    source.write_text("spec_version: '1'\nops: []\n", encoding="utf-8")
    target = tmp_path / "out.json"
    code, _, err = run("seal", str(source), "-o", str(target))
    assert code == 1
    assert "SCHEMA_INVALID expected at least 1 items, found 0 at /ops" in err
    assert not target.exists()


def test_seal_refuses_ids_the_registry_lacks_unless_content_only(tmp_path: Path) -> None:
    source = tmp_path / "unknown.yaml"
    source.write_text(UNSEALED_YAML.replace("core.mul", "core.mull"), encoding="utf-8")
    code, out, err = run("seal", str(source))
    assert (code, out) == (1, "")
    assert err == (
        f"{source}:14:14: UNKNOWN_OP no function 'core.mull' is registered; "
        "did you mean 'core.mul'? at /ops/1/func_id\n"
    )
    code, out, _ = run("seal", "--content-only", str(source))
    assert code == 0
    assert "func_version" not in out


def test_check_accepts_a_sealed_document_and_reports_registry_errors(tmp_path: Path) -> None:
    sealed = tmp_path / "sealed.yaml"
    assert run("seal", str(tmp_path / "missing.yaml"))[0] == 2
    source = tmp_path / "pipe.yaml"
    source.write_text(UNSEALED_YAML, encoding="utf-8")
    assert run("seal", str(source), "-o", str(sealed))[0] == 0
    assert run("check", str(sealed)) == (0, "", "1 ready to run\n")
    code, out, _ = run("check", "--format", "json", "--allow", "core.add", str(sealed))
    assert code == 1
    [report] = json.loads(out)
    assert (report["code"], report["path"]) == ("UNALLOWED_OP", "/ops/1/func_id")
    # An unsealed document fails check as it fails validate.
    assert run("check", str(source))[0] == 1


def test_registry_prints_a_manifest_valid_against_its_schema() -> None:
    code, out, _ = run("registry")
    assert code == 0
    manifest = json.loads(out)
    python_validator("registry-manifest.schema.json").validate(manifest)
    assert fast_validator("registry-manifest.schema.json").is_valid(manifest)
    ids = [entry["id"] for entry in manifest["entries"]]
    assert ids == sorted(ids)
    assert "core.add" in ids
    add = next(entry for entry in manifest["entries"] if entry["id"] == "core.add")
    assert add["params_schema"]["properties"] == {
        "n": {"type": "integer", "minimum": -1000, "maximum": 1000}
    }
    assert {m["name"] for m in manifest["builtin_monoids"]} == {"sum", "max", "min", "count"}


def test_hash_reports_unrepresentable_and_non_objects(tmp_path: Path) -> None:
    listing = tmp_path / "list.json"
    listing.write_text("[1]", encoding="utf-8")
    code, _, err = run("hash", str(listing))
    assert code == 1
    assert "SCHEMA_INVALID expected a JSON object at the top level" in err


def test_module_and_console_script_entry_points() -> None:
    module = subprocess.run(
        [sys.executable, "-m", "pipespec", "hash", str(EXAMPLES / "rag.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    script = Path(sys.executable).with_name("pipespec")
    console = subprocess.run(
        [str(script), "hash", str(EXAMPLES / "rag.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert module.returncode == console.returncode == 0
    assert module.stdout == console.stdout
    assert module.stdout.startswith("sha256:")
