"""Error policies on the local runtime: exact records, exact counts, failures as values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from runtime.runtime_helpers import Step, counts, make_pipeline, step

from pipespec.errors import INPUT_FAILED, OP_FAILED, ErrInfo
from pipespec.registry import batch_map_fn, map_fn
from pipespec.result import Err, Ok
from pipespec.runtime import Collected


def _map(id: str, fn: Any) -> Any:
    return map_fn(id, fn, version="1", in_type="int", out_type="int")


def _guard(policy: str, poison: int = 2) -> Step:
    return step("Map", "guard", "rt.fragile", error_policy=policy, params={"poison": poison})


@pytest.mark.parametrize(
    ("policy", "outputs", "row"),
    [
        ("skip", [1, 3, 4, 3], (6, 4, 2, 0, 0, 4)),
        ("collect", [1, 3, 4, 3], (6, 4, 0, 2, 0, 4)),
        ("fail_fast", [1], (2, 1, 0, 0, 1, 1)),
    ],
)
def test_each_policy_on_a_map(policy: str, outputs: list[int], row: tuple[int, ...]) -> None:
    run = make_pipeline(_guard(policy)).run([1, 2, 3, 4, 2, 3])
    assert list(run) == outputs
    assert counts(run) == [row]


def test_collect_keeps_exact_records_in_the_report() -> None:
    run = make_pipeline(_guard("collect")).run([1, 2, 3, 2])
    assert list(run) == [1, 3]
    assert run.report.collected == tuple(
        Collected(
            op_index=0,
            op_name="guard",
            position=position,
            item=2,
            error=ErrInfo(
                code=OP_FAILED,
                message=f"op 'guard' (/ops/0) failed on input item {position}: "
                "ValueError: poisoned by 2",
                path="/ops/0",
                found="2",
            ),
        )
        for position in (1, 3)
    )
    assert run.result() == Ok(run.report)
    assert run.report.to_json()["collected"] == 2


def test_collect_hands_records_to_the_callback_instead() -> None:
    seen: list[Collected] = []
    run = make_pipeline(_guard("collect")).run([2, 1, 2], on_collect=seen.append)
    assert list(run) == [1]
    assert [(r.position, r.item, r.error.code) for r in seen] == [
        (0, 2, OP_FAILED),
        (2, 2, OP_FAILED),
    ]
    assert run.report.collected == ()
    assert run.report.collected_total == 2
    assert run.report.to_json()["collected"] == 2


def test_a_failing_collect_callback_fails_the_run() -> None:
    def broken(record: Collected) -> None:
        raise OSError("disk full")

    run = make_pipeline(_guard("collect")).run([1, 2, 3], on_collect=broken)
    assert list(run) == [1]
    assert run.result() == Err(
        ErrInfo(
            code=OP_FAILED,
            message="op 'guard' (/ops/0) collected input item 1, but the on_collect callback "
            "failed: OSError: disk full",
            path="/ops/0",
            found="2",
        )
    )
    assert counts(run) == [(2, 1, 0, 1, 0, 1)]


def test_fail_fast_reports_the_op_the_position_and_the_item() -> None:
    pipeline = make_pipeline(
        step("FlatMap", "twice", "rt.repeat", params={"times": 2}),
        step("Map", "chunk", "rt.fragile", params={"poison": 9}),
        step("Map", "add", "rt.add", params={"n": 100}),
    )
    run = pipeline.run([1, 5, 9, 4])
    assert list(run) == [101, 101, 105, 105]
    failure = run.report.failure
    # Position counts the items of that op's input: the fifth item `chunk` received.
    assert failure == ErrInfo(
        code=OP_FAILED,
        message="op 'chunk' (/ops/1) failed on input item 4: ValueError: poisoned by 9",
        path="/ops/1",
        found="9",
    )
    assert run.result() == Err(failure)
    assert run.to_list() == Err(failure)
    # The FlatMap had handed over the first of 9's two outputs when the run stopped.
    assert counts(run) == [(3, 3, 0, 0, 0, 5), (5, 4, 0, 0, 1, 4), (4, 4, 0, 0, 0, 4)]
    assert run.report.outputs == 4


def test_outputs_before_a_fail_fast_failure_stay_emitted_and_nothing_more_runs() -> None:
    pulled: list[int] = []

    def items() -> Iterator[int]:
        for item in range(100):
            pulled.append(item)
            yield item

    run = make_pipeline(_guard("fail_fast", poison=3)).run(items())
    got = [next(run), next(run), next(run)]
    assert got == [0, 1, 2]
    assert list(run) == []
    assert pulled == [0, 1, 2, 3]
    assert run.report.outputs == 3


def test_fail_fast_in_a_combine_or_sink_emits_nothing() -> None:
    combine = make_pipeline(
        step("Combine", "c", "rt.identity", monoid="sum"),
    )
    lifted = make_pipeline(
        _guard("skip", poison=5), step("Combine", "c", "rt.identity", monoid="sum")
    )
    assert combine.run([1, 2]).to_list() == Ok([3])
    assert lifted.run([5, 1]).to_list() == Ok([1])
    failing = make_pipeline(
        _guard("fail_fast", poison=5), step("Combine", "c", "rt.identity", monoid="sum")
    )
    run = failing.run([1, 5, 2])
    assert list(run) == []
    assert counts(run) == [(2, 1, 0, 0, 1, 1), (1, 1, 0, 0, 0, 0)]


def test_a_long_item_is_shown_briefly() -> None:
    entry = _map("t.refuse", lambda item: 1 / 0)
    run = make_pipeline(step("Map", "r", entry)).run([list(range(1000))])
    assert list(run) == []
    failure = run.report.failure
    assert failure is not None and failure.found is not None
    assert len(failure.found) <= 80
    assert failure.found.startswith("[0, 1, 2")
    assert (
        failure.message
        == "op 'r' (/ops/0) failed on input item 0: ZeroDivisionError: division by zero"
    )


def test_broken_reprs_and_messages_do_not_hide_the_failure() -> None:
    class Opaque:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    class Mute(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no str")

    def refuse(item: Any) -> Any:
        raise Mute

    run = make_pipeline(step("Map", "r", _map("t.mute", refuse))).run([Opaque()])
    assert list(run) == []
    assert run.report.failure == ErrInfo(
        code=OP_FAILED,
        message="op 'r' (/ops/0) failed on input item 0: Mute",
        path="/ops/0",
        found="<Opaque>",
    )


def test_a_failing_input_stops_the_run_naming_the_position() -> None:
    def items() -> Iterator[int]:
        yield 1
        yield 2
        raise OSError("connection reset")

    run = make_pipeline(step("Map", "add", "rt.add", params={"n": 1})).run(items())
    assert list(run) == [2, 3]
    assert run.result() == Err(
        ErrInfo(code=INPUT_FAILED, message="reading input item 2 failed: OSError: connection reset")
    )
    assert counts(run) == [(2, 2, 0, 0, 0, 2)]


def test_an_input_that_is_not_iterable_is_an_input_failure() -> None:
    run = make_pipeline(step("Map", "add", "rt.add", params={"n": 1})).run(5)  # type: ignore[arg-type]
    assert run.to_list() == Err(
        ErrInfo(
            code=INPUT_FAILED,
            message="reading input item 0 failed: TypeError: 'int' object is not iterable",
        )
    )


def test_an_input_failure_while_a_batch_is_gathering_leaves_no_half_counts() -> None:
    def items() -> Iterator[int]:
        yield from range(6)
        raise OSError("gone")

    run = make_pipeline(
        step("BatchMap", "b", "rt.batch_add", max_batch_size=4, params={"n": 0})
    ).run(items())
    assert list(run) == [0, 1, 2, 3]
    # Items 4 and 5 were gathered but never run: in no count.
    assert counts(run) == [(4, 4, 0, 0, 0, 4)]


def test_keyboard_interrupt_propagates_and_the_run_is_over() -> None:
    def interrupting(item: int) -> int:
        if item == 2:
            raise KeyboardInterrupt
        return item

    run = make_pipeline(step("Map", "x", _map("t.stop", interrupting), error_policy="skip")).run(
        [1, 2, 3]
    )
    assert next(run) == 1
    with pytest.raises(KeyboardInterrupt):
        next(run)
    assert list(run) == []
    failure = run.report.failure
    assert failure is not None and failure.message == "the run was interrupted: KeyboardInterrupt"
    assert counts(run) == [(2, 1, 0, 0, 0, 1)]


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit, GeneratorExit])
def test_interrupts_from_the_input_or_a_callback_propagate(interrupt: type[BaseException]) -> None:
    def items() -> Iterator[int]:
        yield 2
        raise interrupt

    def callback(record: Collected) -> None:
        raise interrupt

    with pytest.raises(interrupt):
        make_pipeline(step("Map", "add", "rt.add", params={"n": 1})).run(items()).to_list()
    with pytest.raises(interrupt):
        make_pipeline(_guard("collect")).run([2], on_collect=callback).result()


def test_a_run_iterated_from_inside_itself_stops_instead_of_raising() -> None:
    runs: list[Any] = []

    def reentrant(item: int) -> int:
        runs[0].report  # noqa: B018 - the access is the test
        return item

    run = make_pipeline(step("Map", "r", _map("t.reenter", reentrant))).run([1, 2, 3])
    runs.append(run)
    assert list(run) == []
    failure = run.report.failure
    assert failure is not None
    assert failure.message == "the run was iterated from inside one of its own ops"


# A reference for whole runs: eager lists, fail_fast treated as skip. The streaming run must
# agree with it when nothing fails fast, and emit a prefix of it when something does.

_POLICIES = st.sampled_from(["skip", "collect", "fail_fast"])


def _keep(items: list[int], *, poison: int) -> list[int]:
    if poison in items:
        raise ValueError(f"batch holds {poison}")
    return items


_KEEP = batch_map_fn("t.keep", _keep, version="1", in_type="int", out_type="int",
                     params_schema={"type": "object", "additionalProperties": False})  # fmt: skip
_KIND_ENTRY: dict[str, Any] = {"Map": "rt.fragile", "FlatMap": "rt.count_down", "BatchMap": _KEEP}


@st.composite
def _pipelines(draw: st.DrawFn) -> list[Step]:
    steps = []
    for index in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(sorted(_KIND_ENTRY)))
        steps.append(
            step(kind, f"op{index}", _KIND_ENTRY[kind], error_policy=draw(_POLICIES),
                 params={"poison": draw(st.integers(0, 6))},
                 max_batch_size=draw(st.integers(1, 5)) if kind == "BatchMap" else None)
        )  # fmt: skip
    if draw(st.booleans()):
        steps.append(step("Combine", "total", "rt.identity", monoid="sum",
                          error_policy=draw(_POLICIES)))  # fmt: skip
    return steps


def _reference(steps: list[Step], items: list[int]) -> list[int]:
    stream = list(items)
    for one in steps:
        poison = one.params.get("poison")
        match one.wire["type"]:
            case "Map" | "BatchMap":
                stream = [item for item in stream if item != poison]
            case "FlatMap":
                assert isinstance(poison, int)
                stream = [
                    v for item in stream if not 0 < poison <= item for v in range(item, 0, -1)
                ]
            case _:
                stream = [sum(stream)]
    return stream


@given(_pipelines(), st.lists(st.integers(0, 6), max_size=12))
def test_streaming_runs_agree_with_an_eager_reference_and_account_for_every_item(
    steps: list[Step], items: list[int]
) -> None:
    run = make_pipeline(*steps).run(iter(items))
    outputs = list(run)
    report = run.report
    expected = _reference(steps, items)
    if report.failure is None:
        assert outputs == expected
    else:
        assert report.failure.code == OP_FAILED
        assert outputs == expected[: len(outputs)]
    assert report.outputs == len(outputs)
    for stats in report.ops:
        assert stats.received == stats.succeeded + stats.skipped + stats.collected + stats.failed
        assert stats.failed in (0, 1)
    assert sum(stats.failed for stats in report.ops) == (report.failure is not None)
    for before, after in zip(report.ops, report.ops[1:], strict=False):
        gap = before.emitted - after.received
        if after.type == "BatchMap" and report.failure is not None:
            # A BatchMap gathering a batch when the run stopped never ran those items.
            assert 0 <= gap < steps[after.index].wire["max_batch_size"]
        else:
            assert gap == 0
    if report.ops:
        assert report.ops[-1].emitted == len(outputs)
