"""Streaming on the local runtime: items are pulled as outputs are asked for, memory stays flat."""

from __future__ import annotations

import itertools
import tracemalloc
from collections.abc import Iterator

from runtime.runtime_helpers import make_pipeline, step

from pipespec.pipeline import Pipeline
from pipespec.result import Ok


def _counted(pulled: list[int], items: Iterator[int]) -> Iterator[int]:
    for item in items:
        pulled[0] += 1
        yield item


def _chain(size: int = 16) -> Pipeline:
    return make_pipeline(
        step("Map", "add", "rt.add", params={"n": 1}),
        step("FlatMap", "twice", "rt.repeat", params={"times": 2}),
        step("BatchMap", "shift", "rt.batch_add", max_batch_size=size, params={"n": 1}),
    )


def test_items_are_pulled_only_as_outputs_are_asked_for() -> None:
    pulled = [0]
    run = _chain(size=16).run(_counted(pulled, itertools.count()))
    assert pulled == [0]
    # The BatchMap needs 16 items, which the FlatMap makes of 8 inputs; no more is read.
    assert next(run) == 2
    assert pulled == [8]
    assert list(itertools.islice(run, 15)) == [2, *[v + 2 for v in range(1, 8) for _ in (0, 1)]]
    assert pulled == [8]
    assert next(run) == 10
    assert pulled == [16]


def test_an_endless_input_streams() -> None:
    run = make_pipeline(step("Map", "add", "rt.add", params={"n": 1})).run(itertools.count())
    assert list(itertools.islice(run, 5)) == [1, 2, 3, 4, 5]


def _peak(n: int) -> int:
    pipeline = make_pipeline(
        step("Map", "add", "rt.add", params={"n": 1}),
        step("FlatMap", "twice", "rt.repeat", params={"times": 2}),
        step("BatchMap", "shift", "rt.batch_add", max_batch_size=16, params={"n": 1}),
        step("Combine", "total", "rt.identity", monoid="sum"),
    )
    items = (item % 1000 for item in range(n))
    tracemalloc.start()
    try:
        result = pipeline.run(items).to_list()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The total itself is checked, so the run cannot have stopped early and looked cheap.
    assert result == Ok([sum(2 * (item % 1000 + 2) for item in range(n))])
    return peak


def test_memory_does_not_grow_with_input_size() -> None:
    _peak(1_000)  # one-off allocations (caches, interned objects) out of the way
    small, large = _peak(20_000), _peak(200_000)
    assert large < small * 1.2 + 4 * 1024, (small, large)
