"""Shared by the backend tests: Hypothesis pipelines of the core ops, and how results compare."""

# Import as `backends.backend_helpers`: `tests` is on pytest's pythonpath.

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backends.backend_plugin import driver_registry
from core_registry import op
from hypothesis import strategies as st

from pipespec.backends import run_partitioned
from pipespec.job import ERRORS, OUTPUTS, RECORD
from pipespec.reconstruction import reconstruct, seal, serialize
from pipespec.registry import RunContext
from pipespec.result import Ok

REGISTRY = driver_registry()

_POLICIES = st.sampled_from(["skip", "collect"])

_MIDDLE = st.one_of(
    st.builds(lambda n: ("Map", "core.add", {"params": {"n": n}}), st.integers(-5, 5)),
    st.builds(lambda k: ("Map", "core.mul", {"params": {"k": k}}), st.integers(-3, 3)),
    st.builds(lambda p, policy: ("Map", "core.fragile", {"params": {"poison": p},
                                                         "error_policy": policy}),
              st.integers(0, 9), _POLICIES),
    st.builds(lambda t: ("FlatMap", "core.repeat", {"params": {"times": t}}), st.integers(0, 2)),
    st.builds(lambda n, size: ("BatchMap", "core.batch_add", {"params": {"n": n},
                                                              "max_batch_size": size}),
              st.integers(-5, 5), st.integers(1, 4)),
)  # fmt: skip

_ENDS = st.sampled_from(["none", "count", "sum", "concat", "distinct", "keyed"])


def build_spec(middle: list[tuple[str, str, dict[str, Any]]], end: str) -> dict[str, Any]:
    """A sealed spec: the middle ops, then an optional Combine or Sink."""
    ops = [op(kind, f"op{i}", entry, **extra) for i, (kind, entry, extra) in enumerate(middle)]
    doc: dict[str, Any] = {"spec_version": "1", "ops": ops}
    if end in ("count", "sum"):
        lift = "core.one" if end == "count" else "core.identity"
        ops.append(op("Combine", "fold", lift, monoid_id="m"))
        doc["monoids"] = {"m": {"type": "built_in", "name": end}}
    elif end == "concat":
        ops.append(op("Combine", "fold", "core.singleton", out_type="tuple[int]", monoid_id="m"))
        doc["monoids"] = {"m": {"type": "custom", "name": "core.concat"}}
    elif end in ("distinct", "keyed"):
        out = {"distinct": "Distinct", "keyed": "Receipt"}[end]
        ops.append(op("Sink", "store", f"bk.{end}", out_type=out,
                      sink_contract={"idempotent": True}))  # fmt: skip
    sealed = seal(doc, REGISTRY)
    assert isinstance(sealed, Ok), sealed
    return sealed.value


pipelines = st.builds(build_spec, st.lists(_MIDDLE, min_size=1, max_size=4), _ENDS)
inputs = st.lists(st.integers(0, 12), max_size=30)


def normal(value: Any) -> str:
    """A value as JSON, so a tuple and a list that crossed a process as JSON compare equal."""
    return json.dumps(value, sort_keys=True)


def multiset(values: list[Any]) -> list[str]:
    return sorted(normal(value) for value in values)


def write_numbers(path: Path, values: list[int]) -> Path:
    path.write_text("".join(f"{v}\n" for v in values), encoding="utf-8")
    return path


def job_files(out: Path) -> tuple[list[str], list[str], dict[str, Any]]:
    """What a job left: outputs and collected items (as multisets) and the run record."""
    outputs = (out / OUTPUTS).read_text(encoding="utf-8").splitlines()
    errors_file = out / ERRORS
    errors = errors_file.read_text(encoding="utf-8").splitlines() if errors_file.exists() else []
    record = json.loads((out / RECORD).read_text(encoding="utf-8"))
    return sorted(outputs), sorted(errors), record


RAG_SPEC = Path(__file__).parents[2] / "examples" / "rag.yaml"
_WORDS = ("river", "stone", "market", "lantern", "garden", "copper", "window", "orchard",
          "violin", "harbor", "meadow")  # fmt: skip


def small_corpus(root: Path, documents: int = 12) -> Path:
    """A folder of text files, some long enough for several chunks, one that is empty."""
    root.mkdir(parents=True)
    for n in range(documents):
        words = [_WORDS[(n * 7 + i * 3) % len(_WORDS)] for i in range(40 + 90 * (n % 4))]
        (root / f"doc{n:02d}.txt").write_text(" ".join(words) + ".\n", encoding="utf-8")
    (root / "empty.txt").write_text("", encoding="utf-8")
    return root


def index_rows(index: Path) -> list[tuple[Any, ...]]:
    """Every row of a RAG index, in id order."""
    import sqlite3

    with sqlite3.connect(index) as connection:
        return connection.execute("SELECT * FROM chunks ORDER BY id").fetchall()


def rag_run(run_cli: Any, tmp_path: Path, name: str, *extra: str) -> Path:
    """`pipespec run examples/rag.yaml` over the small corpus into tmp_path/name."""
    corpus = tmp_path / "corpus"
    if not corpus.exists():
        small_corpus(corpus)
    out = tmp_path / name
    code, _, stderr = run_cli("run", str(RAG_SPEC), "--input", str(corpus),
                                   "--output", str(out), *extra)  # fmt: skip
    assert code == 0, stderr
    return out


def assert_same_rag_results(local: Path, other: Path, backend: str) -> None:
    """Outputs, collected items, counts, run digest, materialized chunks and index rows."""
    outputs, errors, record = job_files(other)
    expected_outputs, expected_errors, expected = job_files(local)
    assert (outputs, errors) == (expected_outputs, expected_errors)
    assert record["report"] == expected["report"]
    assert record["run_digest"] == expected["run_digest"]
    assert (record["backend"], expected["backend"]) == (backend, "local")
    [ours] = (other / "materialized").iterdir()
    [theirs] = (local / "materialized").iterdir()
    assert ours.name == theirs.name
    assert (ours / "items.jsonl").read_text() == (theirs / "items.jsonl").read_text()
    assert index_rows(other / "index.sqlite") == index_rows(local / "index.sqlite")


def assert_partitioned_equals_local(
    executor: Any, spec: dict[str, Any], items: list[int], out: Path, **options: Any
) -> None:
    """The law every engine inherits: ``spec`` run partitioned on ``executor`` (``options`` go
    to ``run_partitioned``) equals the local run: outputs as a multiset, counts, collected."""
    pipeline = reconstruct(spec, REGISTRY)
    assert isinstance(pipeline, Ok)
    local = pipeline.value.run(items, context=RunContext(output_dir=out))
    expected = local.to_list()
    assert isinstance(expected, Ok)
    outcome = run_partitioned(executor, pipeline.value, items, spec_text=serialize(pipeline.value),
                              context=RunContext(output_dir=out), **options)  # fmt: skip
    assert outcome.report.failure is None
    assert multiset(outcome.outputs) == multiset(expected.value)
    assert [s.to_json() for s in outcome.report.ops] == [s.to_json() for s in local.report.ops]
    assert sorted((c.op_index, c.position, c.item, c.error) for c in outcome.report.collected) == \
        sorted((c.op_index, c.position, c.item, c.error) for c in local.report.collected)  # fmt: skip
