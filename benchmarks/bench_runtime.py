"""The local runtime against hand-written loops over the same callables, and its memory on
10x more input.

1. Runtime preservation: the RAG compute ops of examples/rag.json (clean → chunk → embed,
   sealed and reconstructed against the installed RAG registry) run with ``pipeline.run``
   beside a plain Python loop calling the very callables the registry entries build, over
   the same in-memory Documents (the first few hundred docstrings of this Python's standard
   library, read once up front). Then the same comparison on two cheap integer Maps, where
   the per-item cost of the runtime is all there is to see.
2. Streaming: peak RSS of fresh child processes running the reconstructed pipeline over a
   generator of N and 10·N synthetic Documents, counting outputs without keeping them,
   beside a child that only imports and reconstructs.

Run with ``make bench`` or ``.venv/bin/python benchmarks/bench_runtime.py``. Every figure is
the best of several repeats measured in this run (the two sides interleaved), so the ratios
compare like with like on the same machine.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import platform
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from funcpipe_rag.registry import registry as rag_registry
from pipespec.pipeline import Pipeline
from pipespec.reconstruction import reconstruct, seal
from pipespec.registry import Registry, RunContext, map_fn
from pipespec.result import Ok

SPEC = Path(__file__).parents[1] / "examples" / "rag.json"
STDLIB = Path(json.__file__).parent.parent
INT_SCHEMA = {"type": "integer", "minimum": -1000, "maximum": 1000}


# ---------------------------------------------------------------------------- the RAG spec


def rag_compute_spec() -> dict[str, Any]:
    """examples/rag.json without its sink, materialization points or digests."""
    document = json.loads(SPEC.read_text(encoding="utf-8"))
    ops = [
        {key: value for key, value in op.items() if key != "version"}
        for op in document["ops"]
        if op["type"] != "Sink"
    ]
    assert [op["name"] for op in ops] == ["clean", "chunk", "embed"], ops
    spec = {
        key: value
        for key, value in document.items()
        if key not in {"version", "materialization_points", "ops"}
    }
    return {**spec, "ops": ops}


def sealed_pipeline(doc: Mapping[str, Any], registry: Registry) -> Pipeline:
    sealed = seal(doc, registry)
    assert isinstance(sealed, Ok), sealed
    pipeline = reconstruct(sealed.value, registry)
    assert isinstance(pipeline, Ok), pipeline
    return pipeline.value


def run_pipeline(pipeline: Pipeline, items: Sequence[Any]) -> list[Any]:
    run = pipeline.run(items)
    outputs = run.to_list()
    assert isinstance(outputs, Ok), outputs
    return outputs.value


def built(registry: Registry, pipeline: Pipeline, func_id: str) -> Callable[..., Any]:
    """What the registry entry ``func_id`` builds with the params the pipeline gives it."""
    [plan] = [plan for plan in pipeline.ops if plan.entry.id == func_id]
    entry = registry.get(func_id)
    assert entry is not None and entry is plan.entry
    fn: Callable[..., Any] = entry.build(plan.params, RunContext())
    return fn


def hand_rag(pipeline: Pipeline, registry: Registry) -> Callable[[Sequence[Any]], list[Any]]:
    """clean → chunk → embed in a plain loop, with the callables the entries build once."""
    clean = built(registry, pipeline, "rag.clean")
    chunk = built(registry, pipeline, "rag.chunk")
    embed = built(registry, pipeline, "rag.embed")
    size = pipeline.spec["ops"][2]["max_batch_size"]
    assert size == 64

    def loop(docs: Sequence[Any]) -> list[Any]:
        outputs: list[Any] = []
        failed: list[Any] = []
        batch: list[Any] = []
        for doc in docs:
            try:
                cleaned = clean(doc)
            except Exception:  # error_policy: skip
                continue
            try:
                pieces = list(chunk(cleaned))
            except Exception:  # error_policy: collect
                failed.append(cleaned)
                continue
            for piece in pieces:
                batch.append(piece)
                if len(batch) == size:
                    outputs.extend(embed(batch))  # error_policy: fail_fast
                    batch = []
        if batch:
            outputs.extend(embed(batch))
        return outputs

    return loop


def stdlib_documents(count: int) -> list[Any]:
    """The first ``count`` Documents the rag.read reader finds in the standard library."""
    entry = rag_registry().get("rag.read")
    assert entry is not None
    logging.getLogger("funcpipe_rag").setLevel(logging.ERROR)  # skipped files, not our subject
    corpus = entry.build({}, RunContext())(STDLIB)
    docs = list(itertools.islice(corpus, count))
    assert len(docs) == count, len(docs)
    return docs


# ---------------------------------------------------------------------------- the cheap spec


def add(item: int, *, n: int) -> int:
    """Adds n."""
    return item + n


def mul(item: int, *, k: int) -> int:
    """Multiplies by k."""
    return item * k


def int_registry() -> Registry:
    return Registry().with_entries(
        map_fn("bench.add", add, version="1.0.0", in_type="int", out_type="int",
               params_schema={"type": "object", "additionalProperties": False,
                              "required": ["n"], "properties": {"n": INT_SCHEMA}}),
        map_fn("bench.mul", mul, version="1.0.0", in_type="int", out_type="int",
               params_schema={"type": "object", "additionalProperties": False,
                              "required": ["k"], "properties": {"k": INT_SCHEMA}}),
    )  # fmt: skip


def int_spec() -> dict[str, Any]:
    def op(name: str, func_id: str, params: dict[str, int]) -> dict[str, Any]:
        return {"type": "Map", "name": name, "func_id": func_id, "error_policy": "skip",
                "in_type": "int", "out_type": "int", "params": params}  # fmt: skip

    return {
        "spec_version": "1",
        "backend": "local",
        "ops": [op("add", "bench.add", {"n": 1}), op("double", "bench.mul", {"k": 2})],
    }


def hand_ints(pipeline: Pipeline, registry: Registry) -> Callable[[Sequence[Any]], list[Any]]:
    first = built(registry, pipeline, "bench.add")
    second = built(registry, pipeline, "bench.mul")

    def loop(items: Sequence[Any]) -> list[Any]:
        outputs: list[Any] = []
        for item in items:
            try:
                added = first(item)
            except Exception:  # error_policy: skip
                continue
            try:
                doubled = second(added)
            except Exception:  # error_policy: skip
                continue
            outputs.append(doubled)
        return outputs

    return loop


# ---------------------------------------------------------------------------- timing


def interleaved(sides: Mapping[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Best wall time of each side in seconds, the sides taking turns ``repeat`` times."""
    best = dict.fromkeys(sides, float("inf"))
    for _ in range(repeat):
        for name, fn in sides.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def compare(
    pipeline: Pipeline,
    hand: Callable[[Sequence[Any]], list[Any]],
    items: Sequence[Any],
    repeat: int,
) -> tuple[int, dict[str, float]]:
    """Both sides checked to give equal outputs (which also warms them up), then timed."""
    expected = hand(items)
    assert run_pipeline(pipeline, items) == expected
    best = interleaved(
        {"hand": lambda: hand(items), "pipeline": lambda: run_pipeline(pipeline, items)},
        repeat,
    )
    return len(expected), best


# ---------------------------------------------------------------------------- streaming


def synthetic_documents(count: int, size: int = 2048) -> Iterator[dict[str, str]]:
    """``count`` deterministic Documents of ``size`` characters: windows of one base text."""
    rng = random.Random(20240601)
    vocabulary = ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 10)))
                  for _ in range(400)]  # fmt: skip
    words: list[str] = []
    length = 0
    while length < 200_000:
        word = rng.choice(vocabulary)
        words.append(word)
        length += len(word) + 1
    base = " ".join(words)
    span = len(base) - size
    for i in range(count):
        start = (i * 7919) % span
        yield {"id": f"doc-{i}", "source": f"synthetic/{i}.txt", "text": base[start : start + size]}


def child(count: int) -> None:
    """Reconstruct, stream ``count`` Documents through, print counts and peak RSS as JSON."""
    registry = rag_registry()
    pipeline = sealed_pipeline(rag_compute_spec(), registry)
    outputs = 0
    started = time.perf_counter()
    if count:
        run = pipeline.run(synthetic_documents(count))
        for _ in run:
            outputs += 1
        assert run.report.failure is None, run.report.failure
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"docs": count, "outputs": outputs, "seconds": seconds, "peak_kib": peak,
                      "hwm_kib": _vm_hwm_kib()}))  # fmt: skip


def _vm_hwm_kib() -> int | None:
    """The kernel's own peak RSS of this address space (Linux), a cross-check of ru_maxrss."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


# On Linux, ru_maxrss survives execve: a child spawned straight from this process would
# report at least this process's own peak (tens of MiB after the timings above). A tiny
# relay process spawns the child instead, so the figure is the child's own.
_RELAY = "import subprocess, sys; sys.exit(subprocess.run(sys.argv[1:]).returncode)"


def in_child(count: int) -> dict[str, Any]:
    found = subprocess.run(
        [sys.executable, "-S", "-c", _RELAY, sys.executable, __file__, "--child", str(count)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(found.stdout)
    return result


# ---------------------------------------------------------------------------- report


def _table(rows: list[Mapping[str, Any]], columns: list[tuple[str, str]]) -> None:
    print("| " + " | ".join(title for title, _ in columns) + " |")
    print("|" + "|".join("---:" for _ in columns) + "|")
    for row in rows:
        print("| " + " | ".join(fmt.format(row[key]) for key, fmt in columns) + " |")


def preservation(docs_count: int, ints_count: int, repeat: int) -> None:
    registry = rag_registry()
    pipeline = sealed_pipeline(rag_compute_spec(), registry)
    docs = stdlib_documents(docs_count)
    chunks, rag = compare(pipeline, hand_rag(pipeline, registry), docs, repeat)
    rows: list[dict[str, Any]] = [
        {
            "side": side,
            "s": rag[side],
            "docs/s": docs_count / rag[side],
            "chunks/s": chunks / rag[side],
            "vs hand": rag["hand"] / rag[side],
        }
        for side in ("hand", "pipeline")
    ]
    print(f"\nRAG clean → chunk → embed, {docs_count} stdlib docs → {chunks} chunks, in memory "
          "(target: pipeline ≥ 0.95x hand throughput)")  # fmt: skip
    _table(rows, [("side", "{}"), ("s", "{:.3f}"), ("docs/s", "{:.0f}"),
                  ("chunks/s", "{:.0f}"), ("vs hand", "{:.3f}")])  # fmt: skip

    registry = int_registry()
    pipeline = sealed_pipeline(int_spec(), registry)
    items = list(range(ints_count))
    count, cheap = compare(pipeline, hand_ints(pipeline, registry), items, repeat)
    assert count == ints_count
    rows = [
        {
            "side": side,
            "s": cheap[side],
            "items/s": ints_count / cheap[side],
            "ns/item": cheap[side] / ints_count * 1e9,
            "vs hand": cheap["hand"] / cheap[side],
        }
        for side in ("hand", "pipeline")
    ]
    overhead = (cheap["pipeline"] - cheap["hand"]) / ints_count * 1e9
    print(f"\ncheap Maps add 1 → double, {ints_count} ints: per-item overhead of the runtime "
          f"≈ {overhead:.0f} ns per item (2 ops)")  # fmt: skip
    _table(rows, [("side", "{}"), ("s", "{:.3f}"), ("items/s", "{:.0f}"),
                  ("ns/item", "{:.0f}"), ("vs hand", "{:.3f}")])  # fmt: skip


def streaming(small: int) -> None:
    rows = [in_child(count) for count in (0, small, 10 * small)]
    base = rows[0]["peak_kib"]
    for row in rows:
        row["what"] = "import + reconstruct" if row["docs"] == 0 else "stream"
        row["MiB"] = row["peak_kib"] / 1024
        row["above base"] = (row["peak_kib"] - base) / 1024
        row["vs N"] = row["peak_kib"] / rows[1]["peak_kib"]
        hwm = row["hwm_kib"]
        row["VmHWM MiB"] = "n/a" if hwm is None else f"{hwm / 1024:.1f}"
    print("\nstreaming, peak RSS (ru_maxrss) of fresh children, 2 KiB synthetic docs counted, "
          "not kept (target: 10·N < 1.2x N)")  # fmt: skip
    _table(rows, [("what", "{}"), ("docs", "{}"), ("outputs", "{}"), ("seconds", "{:.1f}"),
                  ("MiB", "{:.1f}"), ("above base", "{:.1f}"), ("vs N", "{:.3f}"),
                  ("VmHWM MiB", "{}")])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--docs", type=int, default=360, help="stdlib docs for the RAG timing")
    parser.add_argument("--ints", type=int, default=200_000)
    parser.add_argument("--stream", type=int, default=2_000, help="N synthetic docs; also 10·N")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    print(f"python {platform.python_version()} on {platform.machine()}, best of {args.repeat}")
    preservation(args.docs, args.ints, args.repeat)
    streaming(args.stream)


if __name__ == "__main__":
    main()
