"""The backend layer without an engine: lookup, conformance, partitioning, merging, the cache."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from backends.backend_helpers import REGISTRY, build_spec, inputs, multiset, pipelines
from backends.backend_plugin import worker_registry
from core_registry import op
from hypothesis import given, settings
from hypothesis import strategies as st

from pipespec.backends import (
    Backend,
    BackendOptions,
    PartitionTask,
    cache_info,
    clear_cache,
    get_backend,
    run_partition,
    run_partitioned,
    split,
    tree_combine,
)
from pipespec.backends.beam import BeamBackend
from pipespec.backends.dask import DaskBackend
from pipespec.backends.local import LocalBackend
from pipespec.errors import BACKEND_UNAVAILABLE, UNKNOWN_OP, UNSAFE_SINK, VERSION_MISMATCH
from pipespec.job import run_job
from pipespec.monoids import Monoid
from pipespec.reconstruction import reconstruct, seal, serialize
from pipespec.registry import RunContext
from pipespec.result import Err, Ok

CONCAT = Monoid(name="concat", identity="", combine=lambda a, b: a + b, commutative=False)


def test_every_backend_conforms_to_the_protocol() -> None:
    options = BackendOptions()
    for backend in (LocalBackend(), DaskBackend(options), BeamBackend(options)):
        assert isinstance(backend, Backend)
    for name in ("local", "dask", "beam"):
        found = get_backend(name, options)
        assert isinstance(found, Ok) and found.value.name == name


def test_a_missing_extra_or_unknown_name_is_backend_unavailable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = importlib.util.find_spec
    gone = {"distributed", "apache_beam"}
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in gone else real(name, *a))  # fmt: skip
    for name, extra, module in (("dask", "dask", "distributed"), ("beam", "beam", "apache_beam")):
        result = get_backend(name)
        assert isinstance(result, Err)
        assert result.error.code == BACKEND_UNAVAILABLE
        assert result.error.message == (
            f"the {name} backend needs the {module!r} package, which is not installed; "
            f"run pip install 'pipespec[{extra}]'"
        )
    unknown = get_backend("spark")
    assert isinstance(unknown, Err)
    assert unknown.error.message == "unknown backend 'spark'; expected one of local, dask, beam"


@given(st.lists(st.integers(), max_size=40), st.integers(1, 12))
def test_split_keeps_every_item_in_order(items: list[int], count: int) -> None:
    parts = split(items, count)
    assert [item for part in parts for item in part] == items
    assert len(parts) == max(1, min(count, len(items)))
    assert max(map(len, parts)) - min(map(len, parts)) <= 1


@given(st.lists(st.text(max_size=3), max_size=20))
def test_tree_combine_keeps_the_order_of_a_non_commutative_monoid(values: list[str]) -> None:
    assert tree_combine(CONCAT, values) == "".join(values)


@settings(max_examples=40)
@given(pipelines, inputs, st.integers(1, 6))
def test_partitioned_runs_equal_the_local_run(tmp_path_factory: Any, spec: dict[str, Any],
                                              items: list[int], partitions: int) -> None:  # fmt: skip
    """The law every engine inherits: partitioning changes neither outputs nor counts."""
    pipeline = reconstruct(spec, REGISTRY)
    assert isinstance(pipeline, Ok)
    out = tmp_path_factory.mktemp("out")
    local = pipeline.value.run(items, context=RunContext(output_dir=out))
    expected = local.to_list()
    assert isinstance(expected, Ok)
    backend = LocalBackend(registry=REGISTRY, partitions=partitions)
    outcome = run_partitioned(backend, pipeline.value, items, spec_text=serialize(pipeline.value),
                              partitions=partitions, context=RunContext(output_dir=out))  # fmt: skip
    assert outcome.report.failure is None
    assert multiset(outcome.outputs) == multiset(expected.value)
    assert [s.to_json() for s in outcome.report.ops] == [s.to_json() for s in local.report.ops]
    assert sorted((c.op_index, c.position, c.item, c.error) for c in outcome.report.collected) == \
        sorted((c.op_index, c.position, c.item, c.error) for c in local.report.collected)  # fmt: skip


def test_a_fail_fast_item_names_its_position_in_the_whole_input() -> None:
    spec = build_spec([("Map", "core.fragile", {"params": {"poison": 7}})], "none")
    pipeline = reconstruct(spec, REGISTRY)
    assert isinstance(pipeline, Ok)
    items = [1, 2, 3, 4, 5, 6, 7, 8]
    outcome = run_partitioned(LocalBackend(registry=REGISTRY), pipeline.value, items,
                              spec_text=serialize(pipeline.value), partitions=4,
                              context=RunContext())  # fmt: skip
    failure = outcome.report.failure
    assert failure is not None
    assert failure.message == "op 'op0' (/ops/0) failed on input item 6: ValueError: poisoned by 7"
    assert outcome.outputs == [1, 2, 3, 4, 5, 6]


def _task(spec: dict[str, Any]) -> PartitionTask:
    text = json.dumps(spec)
    return PartitionTask(spec_text=text, digest=spec["version"], start=0, stop=len(spec["ops"]))


def test_workers_rebuild_once_per_spec_digest() -> None:
    clear_cache()
    spec = build_spec([("Map", "core.add", {"params": {"n": 1}})], "none")
    task = _task(spec)
    results = [run_partition(task, i, [i]) for i in range(3)]
    # The installed registry here lacks the core ops: the refusal is cached like a pipeline.
    assert [r.cache_hit for r in results] == [False, True, True]
    assert (cache_info().hits, cache_info().misses) == (2, 1)
    clear_cache()


@pytest.mark.parametrize(
    ("entry", "code", "path"),
    [("bk.driver_only", UNKNOWN_OP, "/ops/0/func_id"),
     ("bk.versioned", VERSION_MISMATCH, "/ops/0/func_version")],
)  # fmt: skip
def test_a_worker_whose_registry_differs_refuses_as_local_would(
    entry: str, code: str, path: str
) -> None:
    spec = seal({"spec_version": "1", "ops": [op("Map", "m", entry, params={"ms": 0})]}, REGISTRY)
    assert isinstance(spec, Ok)
    text = json.dumps(spec.value, indent=2)
    local = reconstruct(text, worker_registry())
    assert isinstance(local, Err) and (local.error.code, local.error.path) == (code, path)
    pipeline = reconstruct(text, REGISTRY)
    assert isinstance(pipeline, Ok)
    outcome = run_partitioned(LocalBackend(registry=worker_registry()), pipeline.value, [1, 2],
                              spec_text=text, partitions=2, context=RunContext())  # fmt: skip
    assert outcome.report.failure == local.error
    assert local.error.line is not None


def test_a_non_idempotent_sink_is_refused_before_the_input_is_read(tmp_path: Path) -> None:
    spec = seal({"spec_version": "1", "ops": [
        op("Sink", "store", "core.totals", out_type="Totals", sink_contract={"idempotent": False}),
    ]}, REGISTRY)  # fmt: skip
    assert isinstance(spec, Ok)
    for backend in (DaskBackend(BackendOptions()), BeamBackend(BackendOptions())):
        result = run_job(json.dumps(spec.value), REGISTRY, input_path=tmp_path / "missing",
                         output_dir=tmp_path / "out", backend=backend)  # fmt: skip
        assert isinstance(result, Err)
        assert (result.error.code, result.error.path) == (
            UNSAFE_SINK,
            "/ops/0/sink_contract/idempotent",
        )
        assert result.error.message.startswith(
            f"sink 'store' (core.totals) is not idempotent, and the {backend.name} backend "
        )
    # Retries off: a Dask run of it is allowed (here it fails later, on the missing input).
    calm = DaskBackend(BackendOptions(retries=0))
    result = run_job(json.dumps(spec.value), REGISTRY, input_path=tmp_path / "missing",
                     output_dir=tmp_path / "out", backend=calm)  # fmt: skip
    assert isinstance(result, Err) and result.error.code == "IO_ERROR"
