"""RAG throughput on the local, Dask and Beam backends, and what the rebuild cache saves per task.

Run with `make bench` or `.venv/bin/python benchmarks/bench_backends.py [--files N]`. The
corpus is the top-level modules of this Python's standard library (docstrings, read with
`ast`), copied to a temporary folder; the spec is examples/rag.yaml.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sysconfig
import tempfile
import time
from pathlib import Path

from pipespec.backends import BackendOptions, PartitionTask, clear_cache, get_backend
from pipespec.backends._worker import _installed_registry, pipeline_for, run_partition
from pipespec.job import run_job
from pipespec.read import read_path
from pipespec.registry import default_registry
from pipespec.result import Ok

SPEC = Path(__file__).parents[1] / "examples" / "rag.yaml"


def corpus(root: Path, files: int) -> Path:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    chosen = sorted(stdlib.glob("*.py"))[:files]
    root.mkdir()
    for path in chosen:
        shutil.copy(path, root / path.name)
    return root


def throughput(name: str, corpus_dir: Path, work: Path, **options: object) -> None:
    document = read_path(str(SPEC))
    assert isinstance(document, Ok)
    backend = None
    if name != "local":
        found = get_backend(name, BackendOptions(**options))  # type: ignore[arg-type]
        assert isinstance(found, Ok), found
        backend = found.value
    started = time.perf_counter()
    result = run_job(document.value, default_registry(), input_path=corpus_dir,
                     output_dir=work / name, backend=backend)  # fmt: skip
    wall = time.perf_counter() - started
    assert isinstance(result, Ok), result
    report = result.value.report
    documents, chunks = report.ops[0].received, report.ops[2].received
    rates = f"{documents / wall:8.0f} docs/s  {chunks / wall:8.0f} chunks/s"
    print(f"{name:6} {documents:6d} docs {chunks:6d} chunks  run {report.seconds:6.2f} s  "
          f"wall {wall:6.2f} s  {rates}")  # fmt: skip


def reconstruction_cost(repeat: int = 200) -> None:
    text = SPEC.read_text(encoding="utf-8")
    document = read_path(str(SPEC))
    assert isinstance(document, Ok)
    task = PartitionTask(spec_text=text, digest=document.value.data["version"], start=0, stop=1)
    misses, hits, task_miss, task_hit = [], [], [], []
    for _ in range(repeat):
        clear_cache()
        _installed_registry()  # plugin discovery is paid once per process either way
        started = time.perf_counter()
        pipeline_for(task)
        misses.append(time.perf_counter() - started)
        started = time.perf_counter()
        pipeline_for(task)
        hits.append(time.perf_counter() - started)
    one = [{"id": "d", "source": "s.txt", "text": "A short document."}]
    for _ in range(repeat):
        clear_cache()
        started = time.perf_counter()
        run_partition(task, 0, one)
        task_miss.append(time.perf_counter() - started)
        started = time.perf_counter()
        run_partition(task, 0, one)
        task_hit.append(time.perf_counter() - started)
    ms = lambda values: statistics.median(values) * 1000  # noqa: E731
    print(f"rebuild from spec text (registry discovered): miss {ms(misses):.3f} ms, "
          f"hit {ms(hits):.4f} ms (median)")  # fmt: skip
    print(f"one-item task (clean op): miss {ms(task_miss):.3f} ms, hit {ms(task_hit):.3f} ms "
          "(the miss includes discovering the installed plugins)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=60, help="stdlib modules to index")
    args = parser.parse_args()
    logging.getLogger().setLevel(logging.ERROR)
    print(f"cpus {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        source = corpus(root / "corpus", args.files)
        throughput("local", source, root)
        throughput("dask", source, root, resources={"workers": 2})
        throughput("beam", source, root, resources={"workers": 2})
    reconstruction_cost()


if __name__ == "__main__":
    main()
