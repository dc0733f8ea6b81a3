"""The local runtime: each op kind, each error policy, exact accounting, streaming memory."""

from __future__ import annotations

import itertools
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from core_registry import core_registry, op

from pipespec.errors import BUILD_FAILED, INPUT_FAILED, OP_FAILED
from pipespec.pipeline import Pipeline
from pipespec.reconstruction import reconstruct, seal
from pipespec.registry import Registry, batch_map_fn, map_fn, sink
from pipespec.result import Err, Ok
from pipespec.runtime import Collected

BASE = core_registry()


def build(*ops: dict[str, Any], registry: Registry = BASE, monoid: str | None = None) -> Pipeline:
    doc: dict[str, Any] = {"spec_version": "1", "ops": list(ops)}
    if monoid:
        doc["monoids"] = {"m": {"type": "built_in", "name": monoid}}
    sealed = seal(doc, registry)
    assert isinstance(sealed, Ok), sealed
    result = reconstruct(sealed.value, registry)
    assert isinstance(result, Ok), result
    return result.value


def counts(pipeline_run: Any) -> list[tuple[int, ...]]:
    return [
        (s.received, s.succeeded, s.skipped, s.collected, s.failed, s.emitted)
        for s in pipeline_run.report.ops
    ]


def test_every_op_kind_in_one_stream() -> None:
    pipeline = build(
        op("Map", "add", "core.add", params={"n": 1}),
        op("FlatMap", "twice", "core.repeat", params={"times": 2}),
        op("BatchMap", "shift", "core.batch_add", max_batch_size=3, params={"n": 10}),
        op("Combine", "total", "core.identity", monoid_id="m"),
        monoid="sum",
    )
    run = pipeline.run([1, 2, 3])
    assert run.to_list() == Ok([2 * (12 + 13 + 14)])
    assert counts(run) == [
        (3, 3, 0, 0, 0, 3),
        (3, 3, 0, 0, 0, 6),
        (6, 6, 0, 0, 0, 6),
        (6, 6, 0, 0, 0, 1),
    ]
    report = run.report
    assert report.digest == pipeline.digest
    assert report.failure is None
    assert report.to_json()["ops"][1] == {
        "index": 1, "name": "twice", "type": "FlatMap", "received": 3, "succeeded": 3,
        "skipped": 0, "collected": 0, "failed": 0, "emitted": 6,
    }  # fmt: skip


def test_nothing_runs_until_iterated_and_a_run_iterates_once() -> None:
    built: list[str] = []
    registry = Registry().with_entries(
        map_fn("t.id", lambda item: item, version="1", in_type="int", out_type="int")
    )
    entry = registry.get("t.id")
    assert entry is not None
    spy = type(entry)(**{**{f: getattr(entry, f) for f in entry.__dataclass_fields__},
                         "build": lambda params, context: built.append("x") or (lambda item: item)})  # fmt: skip
    registry = Registry().with_entries(spy)
    run = build(op("Map", "id", "t.id"), registry=registry).run([1, 2])
    assert built == []
    assert list(run) == [1, 2]
    assert built == ["x"]
    assert list(run) == []


@pytest.mark.parametrize(
    ("policy", "expected_outputs", "expected_counts"),
    [
        ("skip", [1, 3, 4], (4, 3, 1, 0, 0, 3)),
        ("collect", [1, 3, 4], (4, 3, 0, 1, 0, 3)),
        ("fail_fast", [1], (2, 1, 0, 0, 1, 1)),
    ],
)
def test_error_policies(
    policy: str, expected_outputs: list[int], expected_counts: tuple[int, ...]
) -> None:
    pipeline = build(op("Map", "guard", "core.fragile", error_policy=policy, params={"poison": 2}))
    run = pipeline.run([1, 2, 3, 4])
    assert list(run) == expected_outputs
    assert counts(run) == [expected_counts]
    if policy == "fail_fast":
        failure = run.report.failure
        assert failure is not None
        assert (failure.code, failure.path, failure.found) == (OP_FAILED, "/ops/0", "2")
        assert (
            failure.message
            == "op 'guard' (/ops/0) failed on input item 1: ValueError: poisoned by 2"
        )
        assert run.result() == Err(failure)
    if policy == "collect":
        [record] = run.report.collected
        assert (record.op_index, record.op_name, record.position, record.item) == (0, "guard", 1, 2)
        assert record.error.code == OP_FAILED


def test_collect_can_go_to_a_callback_and_its_failure_stops_the_run() -> None:
    pipeline = build(
        op("Map", "guard", "core.fragile", error_policy="collect", params={"poison": 2})
    )
    seen: list[Collected] = []
    run = pipeline.run([2, 1, 2], on_collect=seen.append)
    assert list(run) == [1]
    assert [r.position for r in seen] == [0, 2]
    assert run.report.collected == ()
    assert run.report.collected_total == 2

    def broken(record: Collected) -> None:
        raise OSError("disk full")

    run = pipeline.run([2, 1], on_collect=broken)
    assert list(run) == []
    failure = run.report.failure
    assert (
        failure is not None and "the error output failed while collecting item 0" in failure.message
    )


def test_a_poison_item_in_a_batch_costs_only_itself() -> None:
    def strict(items: list[int]) -> list[int]:
        if 13 in items:
            raise ValueError("13 is unlucky")
        return [item * 10 for item in items]

    registry = BASE.with_entries(
        batch_map_fn("t.strict", strict, version="1", in_type="int", out_type="int")
    )
    pipeline = build(
        op("BatchMap", "b", "t.strict", max_batch_size=8, error_policy="skip"), registry=registry
    )
    run = pipeline.run(range(8, 20))
    assert list(run) == [v * 10 for v in range(8, 20) if v != 13]
    assert counts(run) == [(12, 11, 1, 0, 0, 11)]


def test_a_batch_function_must_keep_the_batch_length() -> None:
    registry = BASE.with_entries(
        batch_map_fn(
            "t.short", lambda items: items[:-1], version="1", in_type="int", out_type="int"
        )
    )
    run = build(op("BatchMap", "b", "t.short", max_batch_size=4), registry=registry).run([1, 2])
    assert list(run) == []
    failure = run.report.failure
    assert failure is not None
    assert (
        failure.message
        == "op 'b' (/ops/0) failed on input item 0: ValueError: a batch of 1 items gave 0 outputs"
    )


def test_combine_gives_the_identity_on_empty_input() -> None:
    assert build(op("Combine", "c", "core.identity", monoid_id="m"), monoid="max").run(
        []
    ).to_list() == Ok([None])
    assert build(op("Combine", "c", "core.one", monoid_id="m"), monoid="count").run(
        ""
    ).to_list() == Ok([0])


def test_sinks_open_even_for_empty_input_and_return_a_receipt() -> None:
    pipeline = build(
        op("Sink", "s", "core.totals", out_type="Totals", sink_contract={"idempotent": False})
    )
    assert pipeline.run([]).to_list() == Ok([{"count": 0, "sum": 0}])
    assert pipeline.run([4, 5]).to_list() == Ok([{"count": 2, "sum": 9}])


def test_a_sink_that_fails_to_close_fails_the_run() -> None:
    class Broken:
        def write(self, item: Any) -> None:
            pass

        def close(self) -> Any:
            raise OSError("no space left")

    registry = BASE.with_entries(sink("t.broken", lambda params, context: Broken(), version="1",
                                      in_type="int", out_type="R", idempotent=True))  # fmt: skip
    run = build(
        op("Sink", "s", "t.broken", out_type="R", sink_contract={"idempotent": True}),
        registry=registry,
    ).run([1])
    assert list(run) == []
    failure = run.report.failure
    assert failure is not None
    assert failure.message == "sink 's' (/ops/0) failed to close: OSError: no space left"


def test_a_build_failure_stops_before_anything_runs() -> None:
    def cannot_build(params: Any, context: Any) -> Any:
        raise RuntimeError("model file missing")

    entry = BASE.get("core.add")
    assert entry is not None
    fields = {f: getattr(entry, f) for f in entry.__dataclass_fields__}
    registry = Registry().with_entries(type(entry)(**{**fields, "build": cannot_build}))
    run = build(op("Map", "a", "core.add", params={"n": 1}), registry=registry).run([1])
    assert run.to_list() == Err(run.report.failure)
    failure = run.report.failure
    assert failure is not None
    assert (failure.code, failure.path) == (BUILD_FAILED, "/ops/0")
    assert "RuntimeError: model file missing" in failure.message


def test_input_failures_are_reported_with_their_position() -> None:
    def items() -> Iterator[int]:
        yield 1
        raise OSError("connection reset")

    run = build(op("Map", "a", "core.add", params={"n": 1})).run(items())
    assert list(run) == [2]
    failure = run.report.failure
    assert failure is not None
    assert (failure.code, failure.message) == (
        INPUT_FAILED,
        "reading input item 1 failed: OSError: connection reset",
    )


def test_interrupts_are_not_swallowed() -> None:
    def interrupting(item: int) -> int:
        raise KeyboardInterrupt

    registry = Registry().with_entries(
        map_fn("t.stop", interrupting, version="1", in_type="int", out_type="int")
    )
    with pytest.raises(KeyboardInterrupt):
        list(build(op("Map", "x", "t.stop"), registry=registry).run([1]))


def _peak(n: int) -> int:
    pipeline = build(
        op("Map", "add", "core.add", params={"n": 1}),
        op("FlatMap", "twice", "core.repeat", params={"times": 2}),
        op("BatchMap", "shift", "core.batch_add", max_batch_size=16, params={"n": 1}),
        op("Combine", "total", "core.identity", monoid_id="m"),
        monoid="sum",
    )
    tracemalloc.start()
    try:
        result = pipeline.run(itertools.islice(itertools.count(), n)).to_list()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(result, Ok)
    return peak


def test_memory_does_not_grow_with_input_size() -> None:
    small, large = _peak(20_000), _peak(200_000)
    assert large < small * 1.2 + 64 * 1024, (small, large)
