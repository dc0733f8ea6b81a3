"""Hypothesis strategies shared by the tests: JSON values, and documents the schemas accept."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from pipespec.schemas import inline_refs

MAX_SAFE = 2**53 - 1

# Characters that exercise canonicalization: ASCII, escapes, controls, BMP above the
# surrogates (sorted differently by code point and by UTF-16), and astral characters.
_TRICKY = st.sampled_from(
    ["a", "é", "\n", '"', "\\", "\x00", "\x1f", "\u2028", "\ue000", "\uffff", "😀", "\U0010ffff"]
)
tricky_text = st.lists(
    st.one_of(_TRICKY, st.characters(exclude_categories=["Cs"])), max_size=8
).map("".join)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-MAX_SAFE, max_value=MAX_SAFE),
    tricky_text,
)
float_values = st.floats(allow_nan=False, allow_infinity=False)


def json_values(*, floats: bool = True) -> st.SearchStrategy[Any]:
    """Arbitrary JSON values RFC 8785 can represent."""
    leaves = st.one_of(scalars, float_values) if floats else scalars
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(tricky_text, children, max_size=4),
        ),
        max_leaves=20,
    )


def _variant_strategy(schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    return from_schema(schema)


def documents() -> st.SearchStrategy[dict[str, Any]]:
    """Unsealed pipeline documents valid against the schema, with unique op names."""
    root = inline_refs("pipeline.schema.json")
    op_variants = root["properties"]["ops"]["items"]["oneOf"]
    ops = st.lists(st.one_of([_variant_strategy(v) for v in op_variants]), min_size=1, max_size=4)
    monoid = from_schema(root["properties"]["monoids"]["additionalProperties"])
    monoids = st.dictionaries(st.sampled_from(["sum", "stats", "count.words"]), monoid, max_size=2)

    # The schema leaves params free-form, so it cannot bound their integers; the readers
    # refuse what RFC 8785 cannot represent, so generated params stay within that too.
    params = st.lists(
        st.dictionaries(tricky_text, json_values(), max_size=3), min_size=8, max_size=8
    )

    def assemble(
        ops: list[dict[str, Any]],
        monoids: dict[str, Any],
        backend: str | None,
        params: list[Any],
    ) -> dict[str, Any]:
        named = []
        for index, op in enumerate(ops):
            op = {**op, "name": f"op{index}"}
            op.pop("version", None)
            if "params" in op:
                op["params"] = params[index]
            if op["type"] == "Combine" and monoids:
                op["monoid_id"] = sorted(monoids)[0]
            named.append(op)
        doc: dict[str, Any] = {"spec_version": "1", "ops": named}
        if monoids or any(op["type"] == "Combine" for op in named):
            doc["monoids"] = {}
            for index, (key, monoid) in enumerate(sorted(monoids.items())):
                monoid = {k: v for k, v in monoid.items() if k != "version"}
                if "params" in monoid:
                    monoid["params"] = params[-1 - index]
                doc["monoids"][key] = monoid
            for op in named:
                if op["type"] == "Combine":
                    doc["monoids"].setdefault(op["monoid_id"], {"type": "built_in", "name": "sum"})
        if backend is not None:
            doc["backend"] = backend
            doc["$schema"] = "../schema/pipeline.schema.json"
        return doc

    backends = st.sampled_from([None, "local", "dask", "beam"])
    return st.builds(assemble, ops, monoids, backends, params)
