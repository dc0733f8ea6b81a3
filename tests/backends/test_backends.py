"""The backend layer without an engine: lookup, conformance, partitioning, merging, the cache."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from backends.backend_helpers import (
    REGISTRY,
    assert_partitioned_equals_local,
    build_spec,
    inputs,
    pipelines,
)
from backends.backend_plugin import worker_registry
from core_registry import op
from hypothesis import given, settings
from hypothesis import strategies as st

from pipespec.backends import (
    Backend,
    BackendOptions,
    PartitionTask,
    TreeFold,
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
    backend = LocalBackend(registry=REGISTRY, partitions=partitions)
    out = tmp_path_factory.mktemp("out")
    assert_partitioned_equals_local(backend, spec, items, out, partitions=partitions)


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


class Streaming:
    """A streaming executor run in this process: partitions run as they are submitted, and
    their results come back in the order ``order`` picks among those submitted (the last
    submitted first, by default), so the driver must buffer and reorder. It records, at each
    submit, how far the input had been read and how many partitions the driver held."""

    def __init__(self, size: int, capacity: int, order: Any = None) -> None:
        self.size, self.capacity = size, capacity
        self.order = order or (lambda waiting: len(waiting) - 1)
        self.submits: list[tuple[int, int, int]] = []  # index, items read, partitions held
        self.read = 0
        self.merged = 0  # outputs the driver has handed on, in order
        self.returned: list[int] = []

    def items(self, values: list[int]) -> Any:
        for value in values:
            self.read += 1
            yield value

    def partition_size(self) -> int:
        return self.size

    @contextmanager
    def session(self, task: PartitionTask, *, exactly_once: bool) -> Iterator[Any]:
        executor, waiting = self, []

        class Session:
            capacity = executor.capacity

            def submit(self, index: int, items: list[Any]) -> None:
                held = index + 1 - executor.merged // executor.size
                executor.submits.append((index, executor.read, held))
                waiting.append(run_partition(task, index, items, REGISTRY))

            def next_result(self) -> Any:
                result = waiting.pop(executor.order(waiting))
                executor.returned.append(result.index)
                return result

        yield Session()


def _counting(executor: Streaming) -> Any:
    def count(_: Any) -> None:
        executor.merged += 1

    return count


def test_the_input_is_read_lazily_and_at_most_the_bound_of_partitions_is_held() -> None:
    spec = build_spec([("Map", "core.add", {"params": {"n": 0}})], "none")
    pipeline = reconstruct(spec, REGISTRY)
    assert isinstance(pipeline, Ok)
    executor = Streaming(size=3, capacity=4)
    values = list(range(100))
    outcome = run_partitioned(executor, pipeline.value, executor.items(values),
                              spec_text=serialize(pipeline.value), context=RunContext(),
                              on_output=_counting(executor))  # fmt: skip
    assert outcome.report.failure is None and outcome.report.outputs == 100
    assert outcome.outputs == []  # handed to on_output, in order, not held
    assert executor.merged == 100
    assert [index for index, _, _ in executor.submits] == list(range(34))
    for index, read, held in executor.submits:
        # Only this partition's items had been read when it was submitted...
        assert read == min(3 * (index + 1), 100)
        # ...and submitted-but-unmerged partitions never exceed the bound.
        assert held <= 4
    assert max(held for _, _, held in executor.submits) == 4
    assert executor.returned != sorted(executor.returned)  # results did come out of order


def test_streamed_outputs_and_kept_items_come_in_input_order() -> None:
    spec = build_spec([("Map", "core.add", {"params": {"n": 1}}),
                       ("FlatMap", "core.repeat", {"params": {"times": 2}})], "none")  # fmt: skip
    pipeline = reconstruct(spec, REGISTRY)
    assert isinstance(pipeline, Ok)
    outputs: list[int] = []
    kept: list[tuple[int, int]] = []
    outcome = run_partitioned(Streaming(size=2, capacity=3), pipeline.value, range(9),
                              spec_text=serialize(pipeline.value), context=RunContext(),
                              on_output=outputs.append, keep=(0,),
                              on_kept=lambda op, item: kept.append((op, item)))  # fmt: skip
    assert outcome.report.failure is None
    assert outputs == [v for i in range(9) for v in (i + 1, i + 1)]
    assert kept == [(0, i + 1) for i in range(9)]


@settings(max_examples=40)
@given(pipelines, inputs, st.integers(1, 5), st.integers(1, 4), st.randoms())
def test_streamed_runs_in_any_completion_order_equal_the_local_run(
    tmp_path_factory: Any, spec: dict[str, Any], items: list[int], size: int, capacity: int,
    rng: Any,
) -> None:  # fmt: skip
    executor = Streaming(size, capacity, order=lambda waiting: rng.randrange(len(waiting)))
    assert_partitioned_equals_local(executor, spec, items, tmp_path_factory.mktemp("out"))


def test_a_fail_fast_failure_stops_the_submission_of_later_partitions() -> None:
    spec = build_spec([("Map", "core.fragile", {"params": {"poison": 4}})], "none")
    pipeline = reconstruct(spec, REGISTRY)
    assert isinstance(pipeline, Ok)
    # Results in submission order: partition 1 (items 3-5) fails while 2 and 3 are in flight.
    executor = Streaming(size=3, capacity=3, order=lambda waiting: 0)
    outcome = run_partitioned(executor, pipeline.value, executor.items(list(range(100))),
                              spec_text=serialize(pipeline.value), context=RunContext())  # fmt: skip
    failure = outcome.report.failure
    assert failure is not None
    assert failure.message == "op 'op0' (/ops/0) failed on input item 4: ValueError: poisoned by 4"
    # 0-2 at first, 3 when 0 came back, nothing once 1 failed (of 34 partitions).
    assert [index for index, _, _ in executor.submits] == [0, 1, 2, 3]
    assert executor.read == 12  # nothing read past the partitions submitted
    assert outcome.outputs == [0, 1, 2, 3]
    assert outcome.report.ops[0].received == 5  # partitions 0 and 1, up to the failure


def test_an_input_that_fails_mid_read_is_input_failed_with_its_global_position() -> None:
    spec = build_spec([("Map", "core.add", {"params": {"n": 0}})], "count")
    pipeline = reconstruct(spec, REGISTRY)
    assert isinstance(pipeline, Ok)

    def broken() -> Any:
        yield from range(7)
        raise OSError("disk gone")

    outcome = run_partitioned(Streaming(size=2, capacity=2), pipeline.value, broken(),
                              spec_text=serialize(pipeline.value), context=RunContext())  # fmt: skip
    failure = outcome.report.failure
    assert failure is not None and failure.code == "INPUT_FAILED"
    assert failure.message == "reading input item 7 failed: OSError: disk gone"
    assert outcome.outputs == []


class _Pair:
    """A 'monoid' that records the shape of its combination tree."""

    identity = ()

    @staticmethod
    def combine(a: Any, b: Any) -> Any:
        return (a, b)


@given(st.lists(st.integers(), max_size=70))
def test_an_incremental_tree_fold_combines_exactly_the_pairs_tree_combine_does(
    values: list[int],
) -> None:
    fold = TreeFold(_Pair())  # type: ignore[arg-type]
    for value in values:
        fold.add(value)
    assert fold.result() == tree_combine(_Pair(), values)  # type: ignore[arg-type]
    assert len(fold.stack) <= max(1, len(values)).bit_length()
