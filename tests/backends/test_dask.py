"""The Dask backend on one LocalCluster of two worker processes that install the test plugin."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
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
from backends.backend_plugin import worker_registry
from core_registry import op
from hypothesis import given, settings

from pipespec.backends import BackendOptions, run_partitioned
from pipespec.backends.dask import DaskBackend
from pipespec.cli import main
from pipespec.errors import UNSAFE_SINK
from pipespec.job import run_job
from pipespec.reconstruction import reconstruct, seal, serialize
from pipespec.registry import RunContext
from pipespec.result import Err, Ok

try:
    import distributed
except ImportError:
    # Never a skip: `make test` installs the dask extra, so a missing one is a broken setup.
    pytest.fail(
        "distributed is not installed: run `make test` (it installs .[test,dask,beam])",
        pytrace=False,
    )

pytestmark = pytest.mark.filterwarnings(
    # A killed worker's nanny and the cluster's shutdown leave sockets to the collector.
    "ignore::ResourceWarning",
    "ignore::pytest.PytestUnraisableExceptionWarning",
)


@pytest.fixture(scope="module")
def cluster(plugin_site: Path) -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
        silence_logs=logging.ERROR, preload=[str(plugin_site / "preload.py")],
        scheduler_kwargs={"dashboard_address": ":0"},
    ) as running:  # fmt: skip
        yield running


def dask(cluster: Any, **options: Any) -> DaskBackend:
    return DaskBackend(BackendOptions(scheduler=cluster.scheduler_address, **options))


@settings(max_examples=6, deadline=None)
@given(pipelines, inputs)
def test_dask_runs_equal_local_runs(
    cluster: Any, tmp_path_factory: Any, spec: dict[str, Any], items: list[int]
) -> None:
    assert_partitioned_equals_local(
        dask(cluster), spec, items, tmp_path_factory.mktemp("out"), partition_size=4
    )


def test_a_non_commutative_combine_keeps_the_input_order(cluster: Any) -> None:
    spec = build_spec([("Map", "core.add", {"params": {"n": 0}})], "concat")
    pipeline = reconstruct(spec, REGISTRY)
    assert isinstance(pipeline, Ok)
    items = list(range(40))
    outcome = run_partitioned(dask(cluster), pipeline.value, items, partition_size=6,
                              spec_text=serialize(pipeline.value), context=RunContext())  # fmt: skip
    assert outcome.outputs == [tuple(items)]


def test_a_worker_lacking_an_op_or_pinning_another_version_refuses_as_local_would(
    cluster: Any,
) -> None:
    for entry in ("bk.driver_only", "bk.versioned"):
        sealed = seal({"spec_version": "1", "ops": [op("Map", "m", entry, params={"ms": 0})]},
                      REGISTRY)  # fmt: skip
        assert isinstance(sealed, Ok)
        text = json.dumps(sealed.value, indent=2)
        local = reconstruct(text, worker_registry())
        pipeline = reconstruct(text, REGISTRY)
        assert isinstance(local, Err) and isinstance(pipeline, Ok)
        outcome = run_partitioned(dask(cluster), pipeline.value, [1, 2, 3], partition_size=2,
                                  spec_text=text, context=RunContext())  # fmt: skip
        assert outcome.report.failure == local.error
        assert outcome.outputs == []


def test_poison_items_under_skip_and_collect_are_accounted_for(
    cluster: Any, tmp_path: Path
) -> None:
    spec = build_spec([
        ("Map", "core.fragile", {"params": {"poison": 3}, "error_policy": "skip"}),
        ("Map", "core.fragile", {"params": {"poison": 5}, "error_policy": "collect"}),
    ], "keyed")  # fmt: skip
    text, items = json.dumps(spec), write_numbers(tmp_path / "in.txt", [1, 3, 5, 7, 3, 5, 9] * 3)
    local = run_job(text, REGISTRY, input_path=items, output_dir=tmp_path / "local")
    remote = run_job(text, REGISTRY, input_path=items, output_dir=tmp_path / "dask",
                     backend=dask(cluster, partition_size=4))  # fmt: skip
    assert isinstance(local, Ok) and isinstance(remote, Ok), remote
    outputs, errors, record = job_files(tmp_path / "dask")
    assert (outputs, errors) == job_files(tmp_path / "local")[:2]
    assert len(errors) == 6
    assert sorted(json.loads(e)["position"] for e in errors) == [1, 3, 6, 8, 11, 13]
    assert record["report"]["ops"][0]["skipped"] == 6
    assert record["backend"] == "dask"
    assert record["run_digest"] == local.value.run_digest
    assert sorted(os.listdir(tmp_path / "dask" / "keyed")) == ["1", "7", "9"]


def test_a_killed_worker_loses_and_duplicates_nothing(cluster: Any, tmp_path: Path) -> None:
    spec = build_spec([("Map", "bk.slow", {"params": {"ms": 40}})], "keyed")
    pipeline = reconstruct(spec, REGISTRY)
    assert isinstance(pipeline, Ok)
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    pids = sorted(client.run(os.getpid).values())
    items = list(range(120))
    killed: list[int] = []

    def kill_one_worker_mid_run() -> None:
        log = tmp_path / "writes.log"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if log.exists() and len(log.read_text().splitlines()) >= 15:
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_one_worker_mid_run)
    killer.start()
    outcome = run_partitioned(dask(cluster), pipeline.value, items, partition_size=20,
                              spec_text=serialize(pipeline.value),
                              context=RunContext(output_dir=tmp_path))  # fmt: skip
    killer.join()
    assert killed, "the run ended before a worker could be killed"
    assert outcome.report.failure is None
    stored = sorted(int(name) for name in os.listdir(tmp_path / "keyed"))
    assert stored == items  # nothing lost, nothing twice: one entry per item
    assert outcome.report.ops[0].received == len(items)
    writes = [int(line) for line in (tmp_path / "writes.log").read_text().splitlines()]
    assert set(writes) == set(items) and len(writes) >= len(items)
    client.wait_for_workers(2, timeout=30)
    client.close()


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


def test_run_refuses_a_non_idempotent_sink_unless_the_scheduler_runs_tasks_once(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pipespec.cli.default_registry", lambda: REGISTRY)
    sealed = seal({"spec_version": "1", "ops": [
        op("Sink", "store", "core.totals", out_type="Totals", sink_contract={"idempotent": False}),
    ]}, REGISTRY)  # fmt: skip
    assert isinstance(sealed, Ok)
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(sealed.value), encoding="utf-8")
    items = write_numbers(tmp_path / "in.txt", [1, 2])
    base = ["run", str(spec), "--input", str(items), "--output", str(tmp_path / "o"),
            "--backend", "dask", "--scheduler", cluster.scheduler_address]  # fmt: skip
    code, _, err = run_cli(*base)
    assert code == 1
    assert f"{UNSAFE_SINK} sink 'store' (core.totals) is not idempotent, and the dask backend " \
           "retries failed tasks (2 retries)" in err  # fmt: skip
    # This scheduler reruns a lost worker's tasks, so --retries 0 is not enough here.
    code, _, err = run_cli(*base, "--retries", "0")
    assert code == 1
    assert "reruns a lost worker's tasks up to 3 times" in err


def test_the_rag_pipeline_on_a_cluster_it_starts_writes_what_a_local_run_writes(
    tmp_path: Path,
) -> None:
    # The installed registry (the rag plugin) on both sides: the workers of the LocalCluster
    # that `pipespec run` starts find it the way this process does.
    local = rag_run(run_cli, tmp_path, "local")
    # 13 documents in partitions of 3: five partitions.
    remote = rag_run(run_cli, tmp_path, "dask", "--backend", "dask", "--partition-size", "3")
    assert_same_rag_results(local, remote, "dask")
    assert len(job_files(remote)[0]) == 1  # one receipt, merged from five partitions


@pytest.mark.parametrize("end", ["none", "concat", "keyed"])
def test_many_small_partitions_equal_a_local_run(cluster: Any, tmp_path: Path, end: str) -> None:
    spec = build_spec([
        ("Map", "core.fragile", {"params": {"poison": 3}, "error_policy": "collect"}),
        ("FlatMap", "core.repeat", {"params": {"times": 2}}),
    ], end)  # fmt: skip
    text = json.dumps(spec)
    items = write_numbers(tmp_path / "in.txt", [(n * 7) % 13 for n in range(100)])
    local = run_job(text, REGISTRY, input_path=items, output_dir=tmp_path / "local")
    remote = run_job(text, REGISTRY, input_path=items, output_dir=tmp_path / "dask",
                     backend=dask(cluster, partition_size=3, in_flight=3))  # fmt: skip
    assert isinstance(local, Ok) and isinstance(remote, Ok), remote
    for name in ("outputs.jsonl", "errors.jsonl"):  # in order, not only as multisets
        assert (tmp_path / "dask" / name).read_text() == (tmp_path / "local" / name).read_text()
    record = json.loads((tmp_path / "dask" / "run-record.json").read_text())
    expected = json.loads((tmp_path / "local" / "run-record.json").read_text())
    assert record["report"] == expected["report"]
    assert record["run_digest"] == local.value.run_digest
    if end == "concat":
        assert json.loads((tmp_path / "dask" / "outputs.jsonl").read_text()) == [
            v for n in range(100) if (n * 7) % 13 != 3 for v in [(n * 7) % 13] * 2
        ]


def test_a_fail_fast_failure_stops_submitting_and_names_its_global_position(
    cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipespec.backends import _dask

    submitted: list[int] = []
    real = _dask._Session.submit

    def counted(self: Any, index: int, items: list[Any]) -> None:
        submitted.append(index)
        real(self, index, items)

    monkeypatch.setattr(_dask._Session, "submit", counted)
    spec = build_spec([("Map", "core.fragile", {"params": {"poison": 4}}),
                       ("Map", "bk.slow", {"params": {"ms": 20}})], "none")  # fmt: skip
    pipeline = reconstruct(spec, REGISTRY)
    assert isinstance(pipeline, Ok)
    outcome = run_partitioned(dask(cluster, in_flight=2), pipeline.value, range(100),
                              partition_size=3, spec_text=serialize(pipeline.value),
                              context=RunContext())  # fmt: skip
    failure = outcome.report.failure
    assert failure is not None
    assert failure.message == "op 'op0' (/ops/0) failed on input item 4: ValueError: poisoned by 4"
    assert outcome.outputs == [0, 1, 2, 3]
    # Partition 1 of 34 failed: at most the bound past it was ever submitted.
    assert submitted[:2] == [0, 1] and len(submitted) <= 4, submitted
