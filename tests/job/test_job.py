"""Jobs and `pipespec run`: reader choice, outputs, error output, run record, materialization, resume."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from core_registry import core_registry, core_registry_with_reader, op

from pipespec.cli import main
from pipespec.errors import INPUT_FAILED, NO_READER
from pipespec.job import ERRORS, OUTPUTS, RECORD, run_job
from pipespec.reconstruction import seal
from pipespec.result import Err, Ok

REGISTRY = core_registry_with_reader()


def spec(tmp_path: Path, *, policy: str = "collect", points: list[str] | None = None) -> Path:
    doc: dict[str, Any] = {
        "spec_version": "1",
        "ops": [
            op("Map", "guard", "core.fragile", error_policy=policy, params={"poison": 13}),
            op("Map", "add", "core.add", params={"n": 1}),
            op(
                "Sink",
                "store",
                "core.totals",
                out_type="Totals",
                sink_contract={"idempotent": False},
            ),
        ],
    }
    if points:
        doc["materialization_points"] = points
    sealed = seal(doc, REGISTRY)
    assert isinstance(sealed, Ok)
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(sealed.value), encoding="utf-8")
    return path


def numbers(tmp_path: Path, values: list[int]) -> Path:
    path = tmp_path / "numbers.txt"
    path.write_text("".join(f"{v}\n" for v in values), encoding="utf-8")
    return path


def test_a_job_leaves_outputs_errors_and_a_record(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_job(
        spec(tmp_path).read_text(),
        REGISTRY,
        input_path=numbers(tmp_path, [1, 13, 2]),
        output_dir=out,
    )
    assert isinstance(result, Ok), result
    record = result.value
    assert [json.loads(line) for line in (out / OUTPUTS).read_text().splitlines()] == [
        {"count": 2, "sum": 5}
    ]
    [collected] = [json.loads(line) for line in (out / ERRORS).read_text().splitlines()]
    assert (collected["op"], collected["position"], collected["item"]) == ("guard", 1, 13)
    assert collected["error"]["code"] == "OP_FAILED"
    saved = json.loads((out / RECORD).read_text())
    assert saved["spec_digest"] == record.spec_digest
    assert saved["registry_versions"] == {
        "core.add": "1.0.0", "core.fragile": "1.0.0", "core.read": "1.0.0", "core.totals": "1.0.0"
    }  # fmt: skip
    assert saved["report"]["ops"][0]["collected"] == 1
    assert saved["run_digest"] == record.run_digest


def test_the_same_run_twice_has_the_same_run_digest(tmp_path: Path) -> None:
    source, items = spec(tmp_path).read_text(), numbers(tmp_path, [3, 4])
    first = run_job(source, REGISTRY, input_path=items, output_dir=tmp_path / "a")
    second = run_job(source, REGISTRY, input_path=items, output_dir=tmp_path / "b")
    assert isinstance(first, Ok) and isinstance(second, Ok)
    assert first.value.run_digest == second.value.run_digest
    items.write_text("3\n5\n", encoding="utf-8")
    third = run_job(source, REGISTRY, input_path=items, output_dir=tmp_path / "c")
    assert isinstance(third, Ok)
    assert third.value.input_digest != first.value.input_digest
    assert third.value.run_digest != first.value.run_digest


def test_materialize_then_resume(tmp_path: Path) -> None:
    source = spec(tmp_path, points=["guard"]).read_text()
    items, out = numbers(tmp_path, [5, 13, 6]), tmp_path / "out"
    first = run_job(source, REGISTRY, input_path=items, output_dir=out)
    assert isinstance(first, Ok)
    [folder] = (out / "materialized").iterdir()
    assert folder.name.startswith("guard-")
    assert (folder / "items.jsonl").read_text() == "5\n6\n"
    resumed = run_job(source, REGISTRY, input_path=items, output_dir=out, resume=True)
    assert isinstance(resumed, Ok)
    assert resumed.value.resumed_from == "guard"
    assert [s.name for s in resumed.value.report.ops] == ["add", "store"]
    assert (out / OUTPUTS).read_text() == '{"count": 2, "sum": 13}\n'
    # Other input: another folder; nothing to resume from, so it runs from the start.
    fresh = run_job(
        source, REGISTRY, input_path=numbers(tmp_path, [1]), output_dir=out, resume=True
    )
    assert isinstance(fresh, Ok)
    assert fresh.value.resumed_from is None
    assert len(list((out / "materialized").iterdir())) == 2


def test_an_incomplete_materialization_is_not_resumed(tmp_path: Path) -> None:
    source = spec(tmp_path, policy="fail_fast", points=["add"]).read_text()
    out = tmp_path / "out"
    failed = run_job(source, REGISTRY, input_path=numbers(tmp_path, [1, 13]), output_dir=out)
    assert isinstance(failed, Err)
    [folder] = (out / "materialized").iterdir()
    assert not (folder / "complete.json").exists()
    assert json.loads((out / RECORD).read_text())["report"]["failure"]["code"] == "OP_FAILED"


def test_reader_failures_and_missing_readers(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("1\nx\n", encoding="utf-8")
    result = run_job(
        spec(tmp_path).read_text(), REGISTRY, input_path=bad, output_dir=tmp_path / "o"
    )
    assert isinstance(result, Err)
    assert result.error.code == INPUT_FAILED
    assert "bad.txt:2: not an integer: 'x'" in result.error.message
    result = run_job(
        spec(tmp_path).read_text(), core_registry(), input_path=bad, output_dir=tmp_path / "o"
    )
    assert isinstance(result, Err)
    assert (result.error.code, result.error.path) == (NO_READER, "/ops/0/in_type")
    missing = run_job(
        spec(tmp_path).read_text(),
        REGISTRY,
        input_path=tmp_path / "nope",
        output_dir=tmp_path / "o",
    )
    assert isinstance(missing, Err) and missing.error.code == "IO_ERROR"


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pipespec.cli.default_registry", core_registry_with_reader)


@pytest.mark.usefixtures("installed")
def test_run_command_prints_a_summary(tmp_path: Path) -> None:
    code, out, err = run_cli("run", str(spec(tmp_path)), "--input", str(numbers(tmp_path, [1, 13])),
                             "--output", str(tmp_path / "out"))  # fmt: skip
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("spec    sha256:")
    assert lines[2].split() == [
        "op",
        "type",
        "received",
        "emitted",
        "skipped",
        "collected",
        "failed",
    ]
    assert lines[3].split() == ["guard", "Map", "2", "1", "0", "1", "0"]
    assert lines[-1].endswith(str(tmp_path / "out" / RECORD))


@pytest.mark.usefixtures("installed")
def test_run_command_json_and_failures(tmp_path: Path) -> None:
    items = numbers(tmp_path, [1])
    code, out, _ = run_cli("run", "--format", "json", str(spec(tmp_path)), "--input", str(items),
                           "--output", str(tmp_path / "out"))  # fmt: skip
    assert code == 0
    assert json.loads(out)["report"]["outputs"] == 1
    code, _, err = run_cli("run", str(spec(tmp_path)), "--input", str(items), "--backend", "dask")
    assert code == 1
    assert "UNSAFE_SINK sink 'store' (core.totals) is not idempotent, and the dask backend" in err
    code, _, err = run_cli("run", str(tmp_path / "missing.json"), "--input", str(items))
    assert code == 2
    failing = spec(tmp_path, policy="fail_fast")
    code, _, err = run_cli("run", str(failing), "--input", str(numbers(tmp_path, [13])),
                           "--output", str(tmp_path / "out2"))  # fmt: skip
    assert code == 1
    assert "OP_FAILED op 'guard' (/ops/0) failed on input item 0" in err
    assert f"run record: {tmp_path / 'out2' / RECORD}" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.usefixtures("installed")
def test_a_terminal_gets_a_transient_progress_line_and_a_pipe_does_not(tmp_path: Path) -> None:
    args = ["run", str(spec(tmp_path)), "--input", str(numbers(tmp_path, list(range(300)))),
            "--output", str(tmp_path / "out")]  # fmt: skip
    terminal, out = _Terminal(), io.StringIO()
    assert main(args, out=out, err=terminal) == 0
    assert "items read" in terminal.getvalue()
    assert out.getvalue().startswith("spec    sha256:")
    assert run_cli(*args)[2] == ""
