"""Monoid laws: the built-in monoids, the test monoids, and the law checker itself."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from runtime.runtime_helpers import ENTRIES, assert_monoid_laws, non_commuting_pair

from pipespec.monoids import BUILTIN_MONOIDS, Monoid
from pipespec.registry import Entry, RunContext, monoid_factory

_INTS = st.integers(min_value=-(10**9), max_value=10**9)


def _values(name: str) -> st.SearchStrategy[Any]:
    # max and min take None too: it is their identity, the extremum of nothing.
    identity = BUILTIN_MONOIDS[name].identity
    return _INTS if identity is not None else st.none() | _INTS


def test_every_built_in_monoid_is_covered() -> None:
    assert sorted(BUILTIN_MONOIDS) == ["count", "max", "min", "sum"]


@pytest.mark.parametrize("name", sorted(BUILTIN_MONOIDS))
@given(data=st.data())
def test_built_in_monoids_are_associative(name: str, data: st.DataObject) -> None:
    monoid = BUILTIN_MONOIDS[name]
    a, b, c = (data.draw(_values(name)) for _ in range(3))
    assert monoid.combine(monoid.combine(a, b), c) == monoid.combine(a, monoid.combine(b, c))


@pytest.mark.parametrize("name", sorted(BUILTIN_MONOIDS))
@given(data=st.data())
def test_built_in_identities_are_identities(name: str, data: st.DataObject) -> None:
    monoid = BUILTIN_MONOIDS[name]
    a = data.draw(_values(name))
    assert monoid.combine(monoid.identity, a) == a == monoid.combine(a, monoid.identity)


@pytest.mark.parametrize("name", sorted(BUILTIN_MONOIDS))
@given(data=st.data())
def test_built_ins_claiming_commutativity_commute(name: str, data: st.DataObject) -> None:
    monoid = BUILTIN_MONOIDS[name]
    assert monoid.commutative
    a, b = data.draw(_values(name)), data.draw(_values(name))
    assert monoid.combine(a, b) == monoid.combine(b, a)


@pytest.mark.parametrize("name", sorted(BUILTIN_MONOIDS))
def test_built_in_folds_match_the_python_builtins(name: str) -> None:
    values = [3, -7, 12, 0, 5]
    expected = {"sum": sum(values), "count": sum(values), "max": max(values), "min": min(values)}
    assert BUILTIN_MONOIDS[name].fold(values) == expected[name]


_TEST_MONOIDS = [entry for entry in ENTRIES.values() if entry.kind == "monoid"]


@pytest.mark.parametrize("entry", _TEST_MONOIDS, ids=lambda entry: entry.id)
def test_custom_monoids_obey_the_laws(entry: Entry) -> None:
    params = {"cap": 10} if entry.id == "rt.capped" else None
    assert_monoid_laws(entry, params)


def test_the_non_commutative_claim_of_concat_is_honest() -> None:
    entry = ENTRIES["rt.concat"]
    assert entry.commutative is False
    monoid = entry.build({}, RunContext())
    pair = non_commuting_pair(monoid, entry.examples)
    assert pair is not None
    a, b = pair
    assert monoid.combine(a, b) != monoid.combine(b, a)


def _factory(combine: Any, identity: Any, *, commutative: bool, examples: list[Any]) -> Entry:
    def make() -> Monoid[Any]:
        return Monoid(name="t.m", identity=identity, combine=combine, commutative=commutative)

    return monoid_factory("t.m", make, version="1", value_type="int", commutative=commutative,
                          examples=examples)  # fmt: skip


@pytest.mark.parametrize(
    ("entry", "complaint"),
    [
        (_factory(lambda a, b: a - b, 0, commutative=False, examples=[0, 1, 2]), "not associative"),
        (
            _factory(lambda a, b: a + b, 1, commutative=True, examples=[0, 1, 2]),
            "not a left identity",
        ),
        (
            _factory(lambda a, b: a + b, 0, commutative=False, examples=[0, 1, 2]),
            "claims not to be commutative",
        ),
        (
            _factory(lambda a, b: a if a else b, 0, commutative=True, examples=[0, 1, 2]),
            "claims to be commutative",
        ),
        (
            _factory(lambda a, b: b if b else a, 0, commutative=True, examples=[0, 1, 2]),
            "claims to be commutative",
        ),
    ],
)
def test_the_law_checker_catches_broken_monoids(entry: Entry, complaint: str) -> None:
    with pytest.raises(AssertionError, match=complaint):
        assert_monoid_laws(entry)


def test_the_law_checker_wants_the_entry_and_its_monoid_to_agree() -> None:
    def make() -> Monoid[int]:
        return Monoid(name="t.m", identity=0, combine=lambda a, b: a + b, commutative=False)

    entry = monoid_factory("t.m", make, version="1", value_type="int", commutative=True,
                           examples=[0, 1])  # fmt: skip
    with pytest.raises(AssertionError, match="the entry and its monoid disagree"):
        assert_monoid_laws(entry)
