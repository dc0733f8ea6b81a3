"""Monoid laws for every built-in monoid and every registered monoid factory."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from core_registry import core_registry
from hypothesis import given
from hypothesis import strategies as st

from pipespec.monoids import BUILTIN_MONOIDS, Monoid
from pipespec.registry import Entry, RunContext, default_registry

values = st.one_of(st.none(), st.integers(min_value=-(10**6), max_value=10**6))
numbers = st.integers(min_value=-(10**6), max_value=10**6)


def _values_for(name: str) -> st.SearchStrategy[Any]:
    # sum and count are over numbers; max and min also take their identity, None.
    return values if name in ("max", "min") else numbers


@pytest.mark.parametrize("name", sorted(BUILTIN_MONOIDS))
@given(data=st.data())
def test_builtin_monoid_laws(name: str, data: st.DataObject) -> None:
    monoid = BUILTIN_MONOIDS[name]
    a, b, c = (data.draw(_values_for(name)) for _ in range(3))
    combine = monoid.combine
    assert combine(combine(a, b), c) == combine(a, combine(b, c))
    assert combine(monoid.identity, a) == a == combine(a, monoid.identity)
    if monoid.commutative:
        assert combine(a, b) == combine(b, a)


def _registered_monoids() -> list[Entry]:
    entries = [*core_registry(), *default_registry()]
    return [entry for entry in entries if entry.kind == "monoid"]


def assert_monoid_laws(entry: Entry) -> None:
    """Associativity and identity over every triple of the entry's examples; an honest
    ``commutative`` claim."""
    monoid = entry.build({}, RunContext())
    assert isinstance(monoid, Monoid)
    combine, samples = monoid.combine, entry.examples
    for a, b, c in itertools.product(samples, repeat=3):
        assert combine(combine(a, b), c) == combine(a, combine(b, c)), (a, b, c)
    for a in samples:
        assert combine(monoid.identity, a) == a == combine(a, monoid.identity)
    order_matters = any(
        combine(a, b) != combine(b, a) for a, b in itertools.product(samples, repeat=2)
    )
    assert monoid.commutative == entry.commutative
    if entry.commutative:
        assert not order_matters, f"{entry.id} claims to be commutative but its examples disagree"


@pytest.mark.parametrize("entry", _registered_monoids(), ids=lambda entry: entry.id)
def test_registered_monoid_laws(entry: Entry) -> None:
    assert_monoid_laws(entry)


@pytest.mark.parametrize("entry", _registered_monoids(), ids=lambda entry: entry.id)
@given(data=st.data())
def test_registered_monoid_laws_on_drawn_examples(entry: Entry, data: st.DataObject) -> None:
    monoid = entry.build({}, RunContext())
    a, b, c = (data.draw(st.sampled_from(entry.examples)) for _ in range(3))
    assert monoid.combine(monoid.combine(a, b), c) == monoid.combine(a, monoid.combine(b, c))


def test_the_non_commutative_test_monoid_is_honest() -> None:
    concat = core_registry().get("core.concat")
    assert concat is not None and concat.commutative is False
    monoid = concat.build({}, RunContext())
    assert monoid.combine((1,), (2, 3)) != monoid.combine((2, 3), (1,))
