"""The local runtime, op by op: what each kind emits and counts, building, the Run object."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pytest
from runtime.runtime_helpers import ENTRIES, Totals, counts, make_pipeline, step

from pipespec.errors import BUILD_FAILED, OP_FAILED
from pipespec.monoids import Monoid
from pipespec.registry import (
    Entry,
    RunContext,
    batch_map_fn,
    flat_map_fn,
    lift_fn,
    map_fn,
    monoid_factory,
    sink,
)
from pipespec.result import Err, Ok
from pipespec.runtime import run_local


def _int_map(id: str, fn: Any) -> Entry:
    return map_fn(id, fn, version="1", in_type="int", out_type="int")


def _int_batch(id: str, fn: Any) -> Entry:
    return batch_map_fn(id, fn, version="1", in_type="int", out_type="int")


def _with_build(entry: Entry, build: Any) -> Entry:
    return dataclasses.replace(entry, build=build)


def test_every_op_kind_in_one_stream() -> None:
    pipeline = make_pipeline(
        step("Map", "add", "rt.add", params={"n": 1}),
        step("FlatMap", "twice", "rt.repeat", params={"times": 2}),
        step("BatchMap", "shift", "rt.batch_add", max_batch_size=3, params={"n": 10}),
        step("Combine", "total", "rt.identity", monoid="sum"),
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
    assert (report.digest, report.outputs, report.failure, report.collected) == (
        pipeline.digest, 1, None, ()
    )  # fmt: skip
    assert report.seconds >= 0
    summary = report.to_json()
    assert set(summary) == {"digest", "seconds", "outputs", "collected", "ops", "failure"}
    assert (summary["digest"], summary["outputs"], summary["collected"], summary["failure"]) == (
        pipeline.digest, 1, 0, None
    )  # fmt: skip
    assert summary["ops"][1] == {
        "index": 1, "name": "twice", "type": "FlatMap", "received": 3, "succeeded": 3,
        "skipped": 0, "collected": 0, "failed": 0, "emitted": 6,
    }  # fmt: skip


def test_a_pipeline_without_ops_passes_its_input_through() -> None:
    assert make_pipeline().run(iter([1, 2])).to_list() == Ok([1, 2])


def test_flat_map_emits_nothing_of_an_item_that_fails_half_way() -> None:
    pipeline = make_pipeline(
        step("FlatMap", "down", "rt.count_down", error_policy="skip", params={"poison": 2})
    )
    # 3 would emit 3 before failing at 2; it must emit nothing at all.
    run = pipeline.run([1, 3, 0, 1])
    assert list(run) == [1, 1]
    assert counts(run) == [(4, 3, 1, 0, 0, 2)]


def test_batch_map_calls_in_order_batches_of_at_most_max_batch_size() -> None:
    seen: list[list[int]] = []

    def record(items: list[int]) -> list[int]:
        seen.append(list(items))
        return [-item for item in items]

    pipeline = make_pipeline(
        step("BatchMap", "neg", _int_batch("t.record", record), max_batch_size=4)
    )
    run = pipeline.run(range(10))
    assert list(run) == [-i for i in range(10)]
    assert seen == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert counts(run) == [(10, 10, 0, 0, 0, 10)]


def test_a_poison_item_in_a_batch_of_8_costs_only_itself() -> None:
    calls: list[list[int]] = []

    def strict(items: list[int]) -> list[int]:
        calls.append(list(items))
        if 13 in items:
            raise ValueError("13 is unlucky")
        return [item * 10 for item in items]

    entry = _int_batch("t.strict", strict)
    run = make_pipeline(step("BatchMap", "b", entry, max_batch_size=8, error_policy="skip")).run(
        range(8, 20)
    )
    assert list(run) == [v * 10 for v in range(8, 20) if v != 13]
    assert counts(run) == [(12, 11, 1, 0, 0, 11)]
    # The failing batch once whole, then each of its items alone; the last batch whole.
    assert calls == [list(range(8, 16)), *[[v] for v in range(8, 16)], list(range(16, 20))]


def test_batch_isolation_collects_exactly_the_poison_item() -> None:
    run = make_pipeline(
        step("BatchMap", "b", "rt.strict", max_batch_size=8, error_policy="collect",
             params={"poison": 5})
    ).run(range(8))  # fmt: skip
    assert list(run) == [0, 10, 20, 30, 40, 60, 70]
    [record] = run.report.collected
    assert (record.op_index, record.op_name, record.position, record.item) == (0, "b", 5, 5)
    assert record.error.to_report() == {
        "code": OP_FAILED,
        "message": "op 'b' (/ops/0) failed on input item 5: ValueError: batch holds 5",
        "path": "/ops/0",
        "found": "5",
    }


def test_batch_isolation_under_fail_fast_emits_the_items_before_the_poison() -> None:
    run = make_pipeline(
        step("BatchMap", "b", "rt.strict", max_batch_size=4, params={"poison": 6})
    ).run(range(12))
    assert list(run) == [0, 10, 20, 30, 40, 50]
    # Items 0-3 in one good batch, then 4, 5 and 6 alone; 7 was never run.
    assert counts(run) == [(7, 6, 0, 0, 1, 6)]
    failure = run.report.failure
    assert failure is not None
    assert failure.message == "op 'b' (/ops/0) failed on input item 6: ValueError: batch holds 6"


def test_a_batch_of_one_that_fails_is_not_run_twice() -> None:
    calls: list[list[int]] = []

    def refuse(items: list[int]) -> list[int]:
        calls.append(list(items))
        raise ValueError("no")

    run = make_pipeline(
        step("BatchMap", "b", _int_batch("t.refuse", refuse), max_batch_size=1,
             error_policy="skip")
    ).run([1, 2])  # fmt: skip
    assert list(run) == []
    assert calls == [[1], [2]]
    assert counts(run) == [(2, 0, 2, 0, 0, 0)]


def test_a_batch_function_must_keep_the_batch_length() -> None:
    short = _int_batch("t.short", lambda items: items[:-1])
    run = make_pipeline(step("BatchMap", "b", short, max_batch_size=4, error_policy="collect")).run(
        [1, 2, 3]
    )
    assert list(run) == []
    assert [(r.position, r.item) for r in run.report.collected] == [(0, 1), (1, 2), (2, 3)]
    assert {r.error.message for r in run.report.collected} == {
        f"op 'b' (/ops/0) failed on input item {i}: ValueError: a batch of 1 items gave 0 outputs"
        for i in range(3)
    }
    assert counts(run) == [(3, 0, 0, 3, 0, 0)]


@pytest.mark.parametrize(
    ("answer", "found"),
    [
        (lambda items: (item for item in items), "generator"),
        (lambda items: set(items), "set"),
        (lambda items: {item: item for item in items}, "dict"),
        (lambda items: "x" * len(items), "str"),
        (lambda items: None, "NoneType"),
    ],
)
def test_a_batch_function_must_answer_with_a_sequence(answer: Any, found: str) -> None:
    run = make_pipeline(step("BatchMap", "b", _int_batch("t.odd", answer))).run([7])
    assert list(run) == []
    failure = run.report.failure
    assert failure is not None
    assert failure.message == (
        "op 'b' (/ops/0) failed on input item 0: TypeError: a batch function must return "
        f"a sequence with one output per item, found {found}"
    )


def test_a_batch_function_may_answer_with_a_tuple_or_any_sized_sequence() -> None:
    entry = _int_batch("t.tuple", lambda items: tuple(i + 1 for i in items))
    assert make_pipeline(step("BatchMap", "b", entry, max_batch_size=2)).run(
        [1, 2, 3]
    ).to_list() == Ok([2, 3, 4])


def test_a_batch_function_that_mutates_its_argument_does_not_confuse_isolation() -> None:
    def greedy(items: list[int]) -> list[int]:
        items.clear()
        raise ValueError("emptied it")

    run = make_pipeline(
        step("BatchMap", "b", _int_batch("t.greedy", greedy), max_batch_size=3,
             error_policy="collect")
    ).run([1, 2, 3])  # fmt: skip
    assert [(r.position, r.item) for r in run.report.collected] == [(0, 1), (1, 2), (2, 3)]


@pytest.mark.parametrize(
    ("monoid", "lift", "identity"),
    [
        ("sum", "rt.identity", 0),
        ("count", "rt.one", 0),
        ("max", "rt.identity", None),
        ("min", "rt.identity", None),
        (ENTRIES["rt.concat"], "rt.singleton", ()),
    ],
)
def test_combine_gives_the_identity_on_empty_input(monoid: Any, lift: str, identity: Any) -> None:
    run = make_pipeline(step("Combine", "c", lift, monoid=monoid)).run([])
    assert run.to_list() == Ok([identity])
    assert counts(run) == [(0, 0, 0, 0, 0, 1)]


@pytest.mark.parametrize(
    ("monoid", "lift", "expected"),
    [
        ("sum", "rt.identity", 9),
        ("count", "rt.one", 4),
        ("max", "rt.identity", 5),
        ("min", "rt.identity", -2),
        (ENTRIES["rt.concat"], "rt.singleton", (3, 5, -2, 3)),
    ],
)
def test_combine_folds_in_order(monoid: Any, lift: str, expected: Any) -> None:
    run = make_pipeline(step("Combine", "c", lift, monoid=monoid)).run([3, 5, -2, 3])
    assert run.to_list() == Ok([expected])
    assert counts(run) == [(4, 4, 0, 0, 0, 1)]


def test_a_custom_monoid_is_built_with_its_params() -> None:
    pipeline = make_pipeline(
        step("Combine", "c", "rt.identity", monoid=ENTRIES["rt.capped"], monoid_params={"cap": 10})
    )
    assert pipeline.run([4, 4, 4]).to_list() == Ok([10])


def test_a_failing_lift_or_combine_is_that_items_failure() -> None:
    def lift(item: int) -> int:
        if item < 0:
            raise ValueError("negative")
        return item

    def picky() -> Monoid[int]:
        def combine(a: int, b: int) -> int:
            if b == 7:
                raise ArithmeticError("seven")
            return a + b

        return Monoid(name="t.picky", identity=0, combine=combine, commutative=True)

    monoid = monoid_factory("t.picky", picky, version="1", value_type="int", commutative=True,
                            examples=[0, 1])  # fmt: skip
    lift_entry = lift_fn("t.lift", lift, version="1", in_type="int", out_type="int")
    run = make_pipeline(
        step("Combine", "c", lift_entry, monoid=monoid, error_policy="collect")
    ).run([1, -1, 7, 2])
    assert list(run) == [3]
    assert [(r.position, r.error.message) for r in run.report.collected] == [
        (1, "op 'c' (/ops/0) failed on input item 1: ValueError: negative"),
        (2, "op 'c' (/ops/0) failed on input item 2: ArithmeticError: seven"),
    ]
    assert counts(run) == [(4, 2, 0, 2, 0, 1)]


def _spy_sink(writers: list[Totals], poison: int | None = None) -> Entry:
    def open_writer(params: Mapping[str, Any], context: RunContext) -> Totals:
        writers.append(Totals(poison=poison))
        return writers[-1]

    return sink("t.spy", open_writer, version="1", in_type="int", out_type="Totals",
                idempotent=True)  # fmt: skip


def test_a_sink_writes_every_item_and_its_receipt_is_the_one_output() -> None:
    writers: list[Totals] = []
    pipeline = make_pipeline(step("Sink", "s", _spy_sink(writers)))
    run = pipeline.run([4, 5])
    assert run.to_list() == Ok([{"count": 2, "sum": 9}])
    assert counts(run) == [(2, 2, 0, 0, 0, 1)]
    assert len(writers) == 1 and writers[0].closed


def test_a_sink_opens_for_empty_input_and_still_gives_a_receipt() -> None:
    writers: list[Totals] = []
    run = make_pipeline(step("Sink", "s", _spy_sink(writers))).run([])
    assert run.to_list() == Ok([{"count": 0, "sum": 0}])
    assert counts(run) == [(0, 0, 0, 0, 0, 1)]


def test_a_sink_write_failure_follows_the_policy() -> None:
    writers: list[Totals] = []
    run = make_pipeline(
        step("Sink", "s", _spy_sink(writers, poison=2), error_policy="collect")
    ).run([1, 2, 3])
    assert list(run) == [{"count": 2, "sum": 4}]
    [record] = run.report.collected
    assert record.error.message == "op 's' (/ops/0) failed on input item 1: OSError: cannot store 2"


def test_a_sink_that_fails_to_close_fails_the_run() -> None:
    class Broken(Totals):
        def close(self) -> dict[str, int]:
            raise OSError("no space left")

    entry = sink("t.broken", lambda params, context: Broken(), version="1", in_type="int",
                 out_type="R", idempotent=True)  # fmt: skip
    run = make_pipeline(step("Sink", "s", entry)).run([1])
    assert run.to_list() == Err(run.report.failure)
    assert run.report.failure is not None
    assert run.report.failure.to_report() == {
        "code": OP_FAILED,
        "message": "sink 's' (/ops/0) failed to close: OSError: no space left",
        "path": "/ops/0",
    }
    assert counts(run) == [(1, 1, 0, 0, 0, 0)]


def test_a_run_that_fails_before_its_sink_leaves_it_unclosed() -> None:
    writers: list[Totals] = []
    run = make_pipeline(
        step("Map", "f", "rt.fragile", params={"poison": 2}),
        step("Sink", "s", _spy_sink(writers)),
    ).run([1, 2, 3])
    assert list(run) == []
    assert (writers[0].count, writers[0].closed) == (1, False)


def test_entries_are_built_once_when_iteration_starts_with_params_and_context() -> None:
    builds: list[tuple[str, dict[str, Any], RunContext]] = []

    def spy(entry: Entry) -> Entry:
        def build(params: Mapping[str, Any], context: RunContext) -> Any:
            builds.append((entry.id, dict(params), context))
            return entry.build(params, context)

        return _with_build(entry, build)

    pipeline = make_pipeline(
        step("Map", "add", spy(ENTRIES["rt.add"]), params={"n": 2}),
        step("BatchMap", "b", spy(ENTRIES["rt.batch_add"]), params={"n": 1}, max_batch_size=2),
        step("Combine", "c", spy(ENTRIES["rt.singleton"]), monoid=spy(ENTRIES["rt.concat"])),
    )
    context = RunContext(attempt=3)
    run = run_local(pipeline, [1, 2, 3], context=context, on_collect=None)
    assert builds == []
    assert next(run) == (4, 5, 6)
    assert builds == [
        ("rt.add", {"n": 2}, context),
        ("rt.batch_add", {"n": 1}, context),
        ("rt.singleton", {}, context),
        ("rt.concat", {}, context),
    ]
    assert list(run) == []
    assert len(builds) == 4


def test_a_build_failure_stops_the_run_before_anything_else_is_called() -> None:
    called: list[str] = []

    def cannot_build(params: Any, context: Any) -> Any:
        raise RuntimeError("model file missing")

    def items() -> Any:
        called.append("input")
        yield 1

    def spy(item: int) -> int:
        called.append("first")
        return item

    first = _int_map("t.first", spy)
    pipeline = make_pipeline(
        step("Map", "first", first),
        step("Map", "second", _with_build(ENTRIES["rt.add"], cannot_build), params={"n": 1}),
        step("Sink", "s", _spy_sink([])),
    )
    run = pipeline.run(items())
    assert run.to_list() == Err(run.report.failure)
    assert run.report.failure is not None
    assert run.report.failure.to_report() == {
        "code": BUILD_FAILED,
        "message": "op 'second' (/ops/1) could not be built from 'rt.add': "
        "RuntimeError: model file missing",
        "path": "/ops/1",
    }
    assert called == []
    assert counts(run) == [(0, 0, 0, 0, 0, 0)] * 3
    assert run.report.outputs == 0


def _build_failure(*steps: Any) -> str:
    run = make_pipeline(*steps).run([1])
    assert list(run) == []
    failure = run.report.failure
    assert failure is not None and failure.code == BUILD_FAILED
    return failure.message


def test_build_results_of_the_wrong_shape_are_build_failures() -> None:
    not_callable = _with_build(ENTRIES["rt.add"], lambda params, context: 42)
    assert _build_failure(step("Map", "m", not_callable)) == (
        "op 'm' (/ops/0) could not be built: 'rt.add' gave int, not a function"
    )
    opens_nothing: Any = lambda params, context: object()  # noqa: E731
    not_a_writer = sink("t.nowriter", opens_nothing, version="1", in_type="int", out_type="R",
                        idempotent=True)  # fmt: skip
    assert _build_failure(step("Sink", "s", not_a_writer)) == (
        "op 's' (/ops/0) could not be built: 't.nowriter' opened object, "
        "not a sink writer with write and close"
    )
    not_a_monoid = _with_build(ENTRIES["rt.gcd"], lambda params, context: 0)
    assert _build_failure(step("Combine", "c", "rt.identity", monoid=not_a_monoid)) == (
        "op 'c' (/ops/0) could not build its monoid 'm0': 'rt.gcd' gave int, not a Monoid"
    )


def test_a_monoid_factory_that_raises_is_a_build_failure() -> None:
    def broken(params: Any, context: Any) -> Any:
        raise KeyError("cap")

    monoid = _with_build(ENTRIES["rt.capped"], broken)
    assert _build_failure(step("Combine", "c", "rt.identity", monoid=monoid)) == (
        "op 'c' (/ops/0) could not build its monoid 'm0' from 'rt.capped': KeyError: 'cap'"
    )


def test_an_entry_of_the_wrong_kind_is_a_build_failure() -> None:
    lift = ENTRIES["rt.identity"]
    assert _build_failure(step("Map", "m", lift)) == (
        "op 'm' (/ops/0) could not be built: a Map needs a map entry, "
        "but 'rt.identity' is a lift entry"
    )


def test_errors_name_ops_by_their_index_in_the_document() -> None:
    pipeline = make_pipeline(
        step("Map", "add", "rt.add", params={"n": 1}),
        step("Map", "f", "rt.fragile", params={"poison": 3}),
    )
    # What a resumed job runs: the ops after a materialization point, indices unchanged.
    rest = dataclasses.replace(pipeline, ops=pipeline.ops[1:])
    run = rest.run([1, 3])
    assert list(run) == [1]
    assert run.report.failure is not None
    assert (run.report.failure.path, run.report.ops[0].index) == ("/ops/1", 1)


def test_a_run_is_lazy_and_single_pass() -> None:
    pulled: list[int] = []

    def items() -> Any:
        for item in range(3):
            pulled.append(item)
            yield item

    run = make_pipeline(step("Map", "add", "rt.add", params={"n": 1})).run(items())
    assert pulled == []
    assert iter(run) is run
    assert next(run) == 1
    assert pulled == [0]
    assert list(run) == [2, 3]
    assert list(run) == []
    assert run.to_list() == Ok([])
    assert run.report.outputs == 3


def test_result_and_report_drain_what_is_left() -> None:
    seen: list[int] = []

    def spy(item: int) -> int:
        seen.append(item)
        return item

    entry = _int_map("t.seen", spy)
    run = make_pipeline(step("Map", "seen", entry)).run([1, 2, 3])
    assert next(run) == 1
    result = run.result()
    assert seen == [1, 2, 3]
    assert isinstance(result, Ok)
    assert result.value is run.report
    assert (result.value.outputs, counts(result.value)) == (3, [(3, 3, 0, 0, 0, 3)])


def test_to_list_gives_the_outputs_or_the_failure() -> None:
    pipeline = make_pipeline(step("Map", "f", "rt.fragile", params={"poison": 3}))
    assert pipeline.run([1, 2]).to_list() == Ok([1, 2])
    run = pipeline.run([1, 3, 4])
    result = run.to_list()
    assert isinstance(result, Err)
    assert result.error is run.report.failure
    assert run.report.outputs == 1


def test_flat_map_accepts_any_iterable() -> None:
    entry = flat_map_fn("t.chars", lambda item: iter(range(item)), version="1", in_type="int",
                        out_type="int")  # fmt: skip
    assert make_pipeline(step("FlatMap", "r", entry)).run([0, 3, 1]).to_list() == Ok([0, 1, 2, 0])


def test_a_batch_size_written_as_an_integral_float_batches_by_that_size() -> None:
    # JSON Schema counts 2.0 as an integer, so a valid spec may carry it.
    seen: list[list[int]] = []

    def record(items: list[int]) -> list[int]:
        seen.append(list(items))
        return items

    pipeline = make_pipeline(
        step("BatchMap", "b", _int_batch("t.record", record), max_batch_size=2.0)  # type: ignore[arg-type]
    )
    assert list(pipeline.run(range(5))) == [0, 1, 2, 3, 4]
    assert seen == [[0, 1], [2, 3], [4]]


@pytest.mark.parametrize("size", [0, -1, 1.5, "4", True])
def test_a_batch_size_below_one_or_not_whole_is_a_build_failure(size: Any) -> None:
    # Reconstruction refuses these through the schema; a hand-built pipeline meets this check.
    batch = _int_batch("t.batch", lambda items: items)
    assert _build_failure(step("BatchMap", "b", batch, max_batch_size=size)) == (
        f"op 'b' (/ops/0) could not be built: max_batch_size must be at least 1, found {size!r}"
    )
