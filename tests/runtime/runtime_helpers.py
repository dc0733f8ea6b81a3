"""Test support for the runtime: pipelines built straight from entries, int ops, monoid laws."""

# Import as `runtime.runtime_helpers`: `tests` is on pytest's pythonpath.

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core_registry import (
    add,
    batch_add,
    closed,
    concat,
    fragile,
    identity,
    one,
    repeat,
    singleton,
)
from hypothesis import given
from hypothesis import strategies as st

from pipespec.digest import seal_data
from pipespec.model import freeze
from pipespec.monoids import BUILTIN_MONOIDS, Monoid
from pipespec.pipeline import MonoidPlan, OpPlan, Pipeline
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
from pipespec.result import Ok
from pipespec.runtime import Run, RunReport

__all__ = [
    "ENTRIES",
    "Step",
    "Totals",
    "assert_monoid_laws",
    "counts",
    "make_pipeline",
    "non_commuting_pair",
    "step",
]

V = "1.0.0"
INT = "int"


_N = {"type": "integer"}


def count_down(item: int, *, poison: int) -> Iterator[int]:
    """Emits item, item-1, ..., 1, failing part-way through when it reaches the poison value."""
    for value in range(item, 0, -1):
        if value == poison:
            raise ValueError(f"poisoned by {value}")
        yield value


def strict(items: Sequence[int], *, poison: int) -> list[int]:
    """Multiplies a batch by 10, refusing the whole batch when it holds the poison value."""
    if poison in items:
        raise ValueError(f"batch holds {poison}")
    return [item * 10 for item in items]


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return abs(a)


def gcd() -> Monoid[int]:
    """Greatest common divisor of non-negative ints; gcd(0, a) == a."""
    return Monoid(name="rt.gcd", identity=0, combine=_gcd, commutative=True)


def capped(*, cap: int) -> Monoid[int]:
    """Sum that never goes above cap: the params reach the factory."""
    return Monoid(
        name="rt.capped", identity=0, combine=lambda a, b: min(a + b, cap), commutative=True
    )


@dataclass(slots=True)
class Totals:
    """A sink writer keeping a count and a sum; close gives them as the receipt."""

    count: int = 0
    total: int = 0
    closed: bool = False
    poison: int | None = None

    def write(self, item: int) -> None:
        if item == self.poison:
            raise OSError(f"cannot store {item}")
        self.count += 1
        self.total += item

    def close(self) -> dict[str, int]:
        self.closed = True
        return {"count": self.count, "sum": self.total}


def _entries() -> dict[str, Entry]:
    entries = [
        map_fn("rt.add", add, version=V, in_type=INT, out_type=INT, params_schema=closed(n=_N)),
        map_fn("rt.fragile", fragile, version=V, in_type=INT, out_type=INT,
               params_schema=closed(poison=_N)),
        flat_map_fn("rt.repeat", repeat, version=V, in_type=INT, out_type=INT,
                    params_schema=closed(times=_N)),
        flat_map_fn("rt.count_down", count_down, version=V, in_type=INT, out_type=INT,
                    params_schema=closed(poison=_N)),
        batch_map_fn("rt.batch_add", batch_add, version=V, in_type=INT, out_type=INT,
                     params_schema=closed(n=_N)),
        batch_map_fn("rt.strict", strict, version=V, in_type=INT, out_type=INT,
                     params_schema=closed(poison=_N)),
        lift_fn("rt.identity", identity, version=V, in_type=INT, out_type=INT),
        lift_fn("rt.one", one, version=V, in_type=INT, out_type=INT),
        lift_fn("rt.singleton", singleton, version=V, in_type=INT, out_type="tuple[int]"),
        monoid_factory("rt.concat", concat, version=V, value_type="tuple[int]",
                       commutative=False, examples=[(), (1,), (2, 3), (4,), (1, 1)]),
        monoid_factory("rt.gcd", gcd, version=V, value_type=INT, commutative=True,
                       examples=[0, 1, 2, 4, 6, 9, 12, 35]),
        monoid_factory("rt.capped", capped, version=V, value_type=INT, commutative=True,
                       examples=[0, 1, 5, 10], params_schema=closed(cap=_N)),
        sink("rt.totals", lambda params, context: Totals(), version=V, in_type=INT,
             out_type="Totals", idempotent=False, description="Counts and sums the items."),
    ]  # fmt: skip
    return {entry.id: entry for entry in entries}


ENTRIES: Mapping[str, Entry] = _entries()
"""The int ops above, by id."""


@dataclass(frozen=True, slots=True)
class Step:
    """One op of a pipeline under construction: its wire object and what it resolves to."""

    wire: dict[str, Any]
    entry: Entry
    params: Mapping[str, Any] = field(default_factory=dict)
    monoid: str | Entry | None = None
    monoid_params: Mapping[str, Any] | None = None


_ID_FIELD = {"Combine": "lift", "Sink": "sink"}


def step(
    kind: str,
    name: str,
    entry: Entry | str,
    *,
    error_policy: str = "fail_fast",
    params: Mapping[str, Any] | None = None,
    max_batch_size: int | None = None,
    monoid: str | Entry | None = None,
    monoid_params: Mapping[str, Any] | None = None,
) -> Step:
    """An op of ``kind`` running ``entry`` (an Entry, or an id in ``ENTRIES``).

    For a Combine, ``monoid`` is a built-in monoid's name or a monoid factory entry (built
    with ``monoid_params``). Types and versions on the wire are taken from the entry.
    """
    resolved = ENTRIES[entry] if isinstance(entry, str) else entry
    prefix = _ID_FIELD.get(kind, "func")
    wire: dict[str, Any] = {
        "type": kind,
        "name": name,
        f"{prefix}_id": resolved.id,
        f"{prefix}_version": resolved.version,
        "error_policy": error_policy,
        "in_type": resolved.in_type,
        "out_type": resolved.out_type,
    }
    if params is not None:
        wire["params"] = dict(params)
    if max_batch_size is not None:
        wire["max_batch_size"] = max_batch_size
    if kind == "BatchMap" and "max_batch_size" not in wire:
        wire["max_batch_size"] = 4
    if kind == "Sink":
        assert resolved.sink_contract is not None
        wire["sink_contract"] = {"idempotent": resolved.sink_contract.idempotent}
    return Step(wire, resolved, dict(params or {}), monoid, monoid_params)


def make_pipeline(*steps: Step) -> Pipeline:
    """A sealed ``Pipeline`` of ``steps``, as reconstruction would produce it.

    No registry and no validation are involved, so a test can hand the runtime any entry:
    a spy, one whose build fails, one of the wrong kind.
    """
    doc: dict[str, Any] = {"spec_version": "1", "ops": []}
    monoids: dict[str, Any] = {}
    for index, one_step in enumerate(steps):
        wire = dict(one_step.wire)
        if one_step.monoid is not None:
            key = f"m{index}"
            wire["monoid_id"] = key
            if isinstance(one_step.monoid, str):
                monoids[key] = {"type": "built_in", "name": one_step.monoid}
            else:
                monoids[key] = {"type": "custom", "name": one_step.monoid.id,
                                "factory_version": one_step.monoid.version}  # fmt: skip
                if one_step.monoid_params is not None:
                    monoids[key]["params"] = dict(one_step.monoid_params)
        doc["ops"].append(wire)
    if monoids:
        doc["monoids"] = monoids
    sealed = seal_data(doc)
    assert isinstance(sealed, Ok), sealed
    frozen = freeze(sealed.value)
    plans = []
    for index, (one_step, wire) in enumerate(zip(steps, frozen["ops"], strict=True)):
        plans.append(
            OpPlan(
                index=index,
                wire=wire,
                entry=one_step.entry,
                monoid=_monoid_plan(f"m{index}", one_step),
            )
        )
    return Pipeline(spec=frozen, ops=tuple(plans))


def _monoid_plan(key: str, one_step: Step) -> MonoidPlan | None:
    if one_step.monoid is None:
        return None
    if isinstance(one_step.monoid, str):
        return MonoidPlan(key=key, builtin=BUILTIN_MONOIDS[one_step.monoid])
    params = None if one_step.monoid_params is None else freeze(one_step.monoid_params)
    return MonoidPlan(key=key, entry=one_step.monoid, params=params)


def counts(report: Run | RunReport) -> list[tuple[int, int, int, int, int, int]]:
    """Per op: (received, succeeded, skipped, collected, failed, emitted)."""
    if isinstance(report, Run):
        report = report.report
    return [
        (s.received, s.succeeded, s.skipped, s.collected, s.failed, s.emitted) for s in report.ops
    ]


def non_commuting_pair(monoid: Monoid[Any], samples: Sequence[Any]) -> tuple[Any, Any] | None:
    """Two samples whose combination depends on the order, if any."""
    for a, b in itertools.product(samples, repeat=2):
        if monoid.combine(a, b) != monoid.combine(b, a):
            return a, b
    return None


def _check_triple(monoid: Monoid[Any], a: Any, b: Any, c: Any) -> None:
    combine = monoid.combine
    assert combine(combine(a, b), c) == combine(a, combine(b, c)), f"not associative on {(a, b, c)}"
    assert combine(monoid.identity, a) == a, f"identity is not a left identity for {a!r}"
    assert combine(a, monoid.identity) == a, f"identity is not a right identity for {a!r}"


def assert_monoid_laws(entry: Entry, params: Mapping[str, Any] | None = None) -> None:
    """The monoid ``entry`` builds obeys the laws on its ``examples``, and its commutativity
    claim is honest.

    Associativity and identity are checked over every triple of examples, then again on
    triples Hypothesis draws from them. A ``commutative=True`` claim must hold for every
    pair; a ``commutative=False`` claim needs examples that show a pair out of order.
    """
    assert entry.kind == "monoid", f"{entry.id} is a {entry.kind} entry"
    monoid = entry.build(params or {}, RunContext())
    assert isinstance(monoid, Monoid), f"{entry.id} built {type(monoid).__name__}"
    assert monoid.commutative == entry.commutative, "the entry and its monoid disagree"
    samples = entry.examples
    for a, b, c in itertools.product(samples, repeat=3):
        _check_triple(monoid, a, b, c)

    drawn = st.sampled_from(samples)

    @given(drawn, drawn, drawn)
    def drawn_triples(a: Any, b: Any, c: Any) -> None:
        _check_triple(monoid, a, b, c)

    drawn_triples()

    pair = non_commuting_pair(monoid, samples)
    if entry.commutative:
        assert pair is None, f"{entry.id} claims to be commutative, but not on {pair}"
    else:
        assert pair is not None, (
            f"{entry.id} claims not to be commutative; give examples that show it"
        )
