"""The Beam backend on the DirectRunner in multi-process mode; workers install the test plugin."""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path
from typing import Any

import pytest
from backends.backend_helpers import (
    REGISTRY,
    assert_partitioned_equals_local,
    assert_same_rag_results,
    build_spec,
    inputs,
    job_files,
    pipelines,
    rag_run,
    write_numbers,
)
from hypothesis import given, settings

from pipespec.backends import BackendOptions
from pipespec.backends.beam import BeamBackend
from pipespec.cli import main
from pipespec.job import run_job
from pipespec.result import Ok

if importlib.util.find_spec("apache_beam") is None:
    # Never a skip: `make test` installs the beam extra, so a missing one is a broken setup.
    pytest.fail(
        "apache_beam is not installed: run `make test` (it installs .[test,dask,beam])",
        pytrace=False,
    )

BEAM = BeamBackend(BackendOptions(partitions=4))


@pytest.fixture
def workers_see_the_plugin(plugin_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Beam starts its workers as subprocesses: they get the plugin folder on PYTHONPATH."""
    monkeypatch.setenv("PYTHONPATH", str(plugin_site))


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


@pytest.mark.usefixtures("workers_see_the_plugin")
@settings(max_examples=3, deadline=None)
@given(pipelines, inputs)
def test_beam_runs_equal_local_runs(
    tmp_path_factory: Any, spec: dict[str, Any], items: list[int]
) -> None:
    assert_partitioned_equals_local(BEAM, spec, items, tmp_path_factory.mktemp("out"), partitions=4)


@pytest.mark.usefixtures("workers_see_the_plugin")
def test_a_combine_fn_keeps_the_order_and_poison_is_accounted_for(tmp_path: Path) -> None:
    spec = build_spec([
        ("Map", "core.fragile", {"params": {"poison": 3}, "error_policy": "skip"}),
        ("Map", "core.fragile", {"params": {"poison": 5}, "error_policy": "collect"}),
    ], "concat")  # fmt: skip
    text, items = json.dumps(spec), write_numbers(tmp_path / "in.txt", [1, 3, 5, 7, 3, 5, 9] * 3)
    local = run_job(text, REGISTRY, input_path=items, output_dir=tmp_path / "local")
    beam = run_job(text, REGISTRY, input_path=items, output_dir=tmp_path / "beam", backend=BEAM)
    assert isinstance(local, Ok) and isinstance(beam, Ok), beam
    outputs, errors, record = job_files(tmp_path / "beam")
    assert (outputs, errors) == job_files(tmp_path / "local")[:2]
    assert json.loads(outputs[0]) == [1, 7, 9] * 3
    assert len(errors) == 6 and record["report"]["ops"][0]["skipped"] == 6
    assert record["run_digest"] == local.value.run_digest
    # No scratch files left behind.
    assert sorted(p.name for p in (tmp_path / "beam").iterdir()) == [
        "errors.jsonl", "outputs.jsonl", "run-record.json"
    ]  # fmt: skip


def test_the_rag_pipeline_on_beam_writes_what_a_local_run_writes(tmp_path: Path) -> None:
    local = rag_run(run_cli, tmp_path, "local")
    beam = rag_run(run_cli, tmp_path, "beam", "--backend", "beam", "--partitions", "3",
                   "--beam-option", "direct_num_workers=2")  # fmt: skip
    assert_same_rag_results(local, beam, "beam")


def test_backend_flags_belong_to_their_backend(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = write_numbers(tmp_path / "in.txt", [1])
    for flags, message in (
        (["--backend", "beam", "--scheduler", "tcp://127.0.0.1:1"],
         "--scheduler and --retries are for the dask backend, not beam"),
        (["--backend", "dask", "--runner", "FlinkRunner"],
         "--runner and --beam-option are for the beam backend, not dask"),
        (["--partitions", "2"], "--partitions is for the beam backend; local runs stream"),
        (["--backend", "dask", "--partitions", "2"],
         "--partitions is for the beam backend; dask cuts the input as it reads it: use "
         "--partition-size"),
        (["--backend", "beam", "--partition-size", "2"],
         "--partition-size and --in-flight are for the dask backend, not beam"),
        (["--in-flight", "2"], "--partition-size and --in-flight are for the dask backend, not local"),
        (["--backend", "beam", "--beam-option", "novalue"], "expected KEY=VALUE, found 'novalue'"),
    ):  # fmt: skip
        code, _, err = run_cli("run", "examples/rag.yaml", "--input", str(items), *flags)
        printed = err + capsys.readouterr().err  # argparse writes to sys.stderr itself
        assert code == 2 and message in printed, printed
