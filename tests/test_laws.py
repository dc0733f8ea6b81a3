"""The laws, as properties over generated pipelines of the core ops: reproducibility, equivalence,
round trip, and shipping only text to a fresh interpreter."""

from __future__ import annotations

import json
import multiprocessing
from types import MappingProxyType
from typing import Any

from core_registry import core_registry, op
from hypothesis import given
from hypothesis import strategies as st
from spawn_child import run_shipped_text

from pipespec.model import thaw, to_model
from pipespec.pipeline import Pipeline
from pipespec.read import read_text
from pipespec.reconstruction import reconstruct, seal, serialize
from pipespec.result import Ok

REGISTRY = core_registry()
POLICIES = st.sampled_from(["fail_fast", "skip", "collect"])
small = st.integers(min_value=-50, max_value=50)


def _middle_op(draw: st.DrawFn, index: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["add", "mul", "repeat", "digits", "batch", "fragile", "sum"]))
    name, policy = f"op{index}", draw(POLICIES)
    if kind == "add":
        return op("Map", name, "core.add", error_policy=policy, params={"n": draw(small)})
    if kind == "mul":
        return op("Map", name, "core.mul", error_policy=policy, params={"k": draw(small)})
    if kind == "fragile":
        return op("Map", name, "core.fragile", error_policy=policy, params={"poison": draw(small)})
    if kind == "repeat":
        times = draw(st.integers(min_value=0, max_value=3))
        return op("FlatMap", name, "core.repeat", error_policy=policy, params={"times": times})
    if kind == "digits":
        return op("FlatMap", name, "core.digits", error_policy=policy)
    if kind == "batch":
        size = draw(st.integers(min_value=1, max_value=5))
        return op("BatchMap", name, "core.batch_add", error_policy=policy, max_batch_size=size,
                  params={"n": draw(small)})  # fmt: skip
    return op("Combine", name, "core.identity", error_policy=policy, monoid_id="total")


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """Sealed documents of 1-5 integer ops, maybe ending in a sink, with consistent types."""
    ops = [_middle_op(draw, i) for i in range(draw(st.integers(min_value=1, max_value=5)))]
    ending = draw(st.sampled_from([None, "core.distinct", "core.totals"]))
    if ending:
        out_type = "Distinct" if ending == "core.distinct" else "Totals"
        ops.append(op("Sink", "store", ending, out_type=out_type, error_policy=draw(POLICIES),
                      sink_contract={"idempotent": ending == "core.distinct"}))  # fmt: skip
    doc: dict[str, Any] = {"spec_version": "1", "ops": ops}
    if any(o["type"] == "Combine" for o in ops):
        doc["monoids"] = {
            "total": {
                "type": "built_in",
                "name": draw(st.sampled_from(["sum", "max", "min", "count"])),
            }
        }
    result = seal(doc, REGISTRY)
    assert isinstance(result, Ok), result
    return result.value


inputs = st.lists(st.integers(min_value=-1000, max_value=1000), max_size=30)


def _outcome(pipeline: Pipeline, items: list[int]) -> tuple[Any, ...]:
    """Everything a run shows: outputs or failure, and the per-op counts."""
    run = pipeline.run(iter(items))
    outputs = list(run)
    report = run.report
    failure = report.failure.to_report() if report.failure else None
    collected = [(c.op_index, c.position, c.item, c.error.code) for c in report.collected]
    return outputs, failure, collected, [s for s in report.ops]


def _reconstructed(source: Any) -> Pipeline:
    result = reconstruct(source, REGISTRY)
    assert isinstance(result, Ok), result
    return result.value


@given(documents(), inputs)
def test_reproducibility(doc: dict[str, Any], items: list[int]) -> None:
    first, second = _reconstructed(doc), _reconstructed(json.dumps(doc))
    assert first.digest == second.digest == doc["version"]
    assert _outcome(first, items) == _outcome(second, items)


@given(documents(), inputs)
def test_equivalence_after_serializing(doc: dict[str, Any], items: list[int]) -> None:
    original = _reconstructed(doc)
    shipped = _reconstructed(serialize(original))
    assert _outcome(shipped, items) == _outcome(original, items)


@given(documents())
def test_round_trip(doc: dict[str, Any]) -> None:
    assert json.loads(serialize(_reconstructed(doc))) == doc


@given(documents(), inputs)
def test_accounting_holds_for_every_op(doc: dict[str, Any], items: list[int]) -> None:
    run = _reconstructed(doc).run(iter(items))
    list(run)
    for stats in run.report.ops:
        assert stats.received == stats.succeeded + stats.skipped + stats.collected + stats.failed


def test_a_spawned_interpreter_runs_the_shipped_text_to_the_same_outputs() -> None:
    doc = seal(
        {
            "spec_version": "1",
            "ops": [
                op("Map", "add", "core.add", params={"n": 3}),
                op("FlatMap", "digits", "core.digits"),
                op("BatchMap", "shift", "core.batch_add", max_batch_size=4, params={"n": 1}),
                op(
                    "Sink",
                    "store",
                    "core.distinct",
                    out_type="Distinct",
                    sink_contract={"idempotent": True},
                ),
            ],
        },
        REGISTRY,
    )
    assert isinstance(doc, Ok)
    text = json.dumps(doc.value)
    items = list(range(0, 200, 7))
    local = list(_reconstructed(text).run(iter(items)))
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=run_shipped_text, args=(text, items, queue))
    child.start()
    answer = queue.get(timeout=120)
    child.join(timeout=60)
    assert child.exitcode == 0
    assert answer == ("ok", local, doc.value["version"])


@given(documents())
def test_the_reconstructed_spec_is_deeply_frozen_and_equal_to_the_document(
    doc: dict[str, Any],
) -> None:
    # The spec shares each op's frozen params with the op's model: nothing stays mutable.
    pipeline = _reconstructed(json.dumps(doc))
    assert thaw(pipeline.spec) == doc
    pending: list[Any] = [pipeline.spec]
    while pending:
        node = pending.pop()
        assert not isinstance(node, dict | list)
        if isinstance(node, MappingProxyType):
            pending.extend(node.values())
        elif isinstance(node, tuple):
            pending.extend(node)
    for op_spec, plan in zip(pipeline.spec["ops"], pipeline.ops, strict=True):
        assert plan.wire is op_spec
        assert op_spec.get("params") is plan.op.params


@given(documents(), st.sampled_from(["text", "bytes", "mapping", "document"]))
def test_the_typed_model_built_on_first_use_is_the_model_of_the_document(
    doc: dict[str, Any], given_as: str
) -> None:
    text = json.dumps(doc)
    read = read_text(text)
    assert isinstance(read, Ok)
    source: Any = {"text": text, "bytes": text.encode(), "mapping": doc, "document": read.value}
    result = reconstruct(source[given_as], REGISTRY)
    assert isinstance(result, Ok)
    pipeline = result.value
    model = pipeline.model
    assert model == to_model(doc)
    assert pipeline.model is model  # built once
    assert model.ops == tuple(plan.op for plan in pipeline.ops)
    assert all(model.ops[i] is plan.op for i, plan in enumerate(pipeline.ops))
    for plan in pipeline.ops:
        assert (plan.name, plan.type, plan.error_policy) == (
            plan.op.name,
            plan.op.type,
            plan.op.error_policy,
        )
        assert plan.params == (plan.op.params or {})
    # Freezing in place never reaches data the caller still holds.
    assert doc == json.loads(text)
    assert thaw(read.value.data) == doc and isinstance(read.value.data, dict)
