"""What a worker runs: one partition of items through ops rebuilt from the shipped spec text."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import HASH_MISMATCH, REGISTRY_ERROR, ErrInfo
from ..limits import DEFAULT_LIMITS, Limits
from ..pipeline import Pipeline
from ..reconstruction import reconstruct
from ..registry import Registry, RegistryError, RunContext, default_registry
from ..result import Err, Ok, Result
from ..runtime import Collected, Tap, run_local

__all__ = [
    "CacheInfo",
    "PartitionResult",
    "PartitionTask",
    "cache_info",
    "clear_cache",
    "pipeline_for",
    "run_partition",
]

_CACHE_SIZE = 16


@dataclass(frozen=True, slots=True, kw_only=True)
class PartitionTask:
    """What travels to a worker with each partition: plain data, never a pipeline or a function.

    ``spec_text`` is the sealed document as the user gave it (so errors carry the same lines
    and columns as locally); ``digest`` its root digest, the worker's cache key. The worker
    runs ops ``start`` to ``stop`` (exclusive) and hands back the outputs of the ops in
    ``keep`` (materialization points) beside the last op's.
    """

    spec_text: str
    digest: str
    start: int
    stop: int
    allow: tuple[str, ...] | None = None
    keep: tuple[int, ...] = ()
    output_dir: str | None = None
    limits: Limits = DEFAULT_LIMITS


@dataclass(frozen=True, slots=True, kw_only=True)
class PartitionResult:
    """What a worker sends back for one partition: data only, positions local to it."""

    index: int
    outputs: list[Any] = field(default_factory=list)
    stats: list[dict[str, Any]] = field(default_factory=list)
    """``OpStats.to_json()`` of each op that ran; empty when the spec did not reconstruct."""
    collected: list[dict[str, Any]] = field(default_factory=list)
    """Collected items: op_index, op_name, position, item, error (an error report)."""
    failure: dict[str, Any] | None = None
    """The error report that stopped this partition, if any."""
    kept: dict[int, list[Any]] = field(default_factory=dict)
    seconds: float = 0.0
    cache_hit: bool = False

    def to_json(self) -> dict[str, Any]:
        """As a JSON object (``kept`` keys become strings)."""
        body = dataclasses.asdict(self)
        body["kept"] = {str(key): value for key, value in self.kept.items()}
        return body

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> PartitionResult:
        """Back from ``to_json``."""
        kept = {int(key): value for key, value in body.get("kept", {}).items()}
        return cls(**{**body, "kept": kept})


@dataclass(frozen=True, slots=True)
class CacheInfo:
    """How often this process rebuilt a pipeline (misses) or reused one (hits)."""

    hits: int
    misses: int
    size: int


_lock = threading.Lock()
_pipelines: OrderedDict[tuple[str, tuple[str, ...] | None], Result[Pipeline, ErrInfo]] = (
    OrderedDict()
)
_registry: list[Result[Registry, ErrInfo]] = []
_counts = {"hits": 0, "misses": 0}


def _installed_registry() -> Result[Registry, ErrInfo]:
    # The worker's own installed plugins, discovered once per process.
    if not _registry:
        try:
            _registry.append(Ok(default_registry()))
        except RegistryError as exc:
            _registry.append(Err(ErrInfo(code=REGISTRY_ERROR, message=str(exc))))
    return _registry[0]


def pipeline_for(
    task: PartitionTask, registry: Registry | None = None
) -> tuple[Result[Pipeline, ErrInfo], bool]:
    """The pipeline ``task`` names, rebuilt from its text once per spec digest (and allow-list)
    in this process, from ``registry`` or else the installed one; and whether it was cached.

    A refusal is cached too: the registry of a running process does not change.
    """
    key = (task.digest, task.allow)
    with _lock:
        found = _pipelines.get(key) if registry is None else None
        if found is not None:
            _pipelines.move_to_end(key)
            _counts["hits"] += 1
            return found, True
        _counts["misses"] += 1
    made = _rebuild(task, registry)
    if registry is None:
        with _lock:
            _pipelines[key] = made
            while len(_pipelines) > _CACHE_SIZE:
                _pipelines.popitem(last=False)
    return made, False


def _rebuild(task: PartitionTask, given: Registry | None) -> Result[Pipeline, ErrInfo]:
    registry = Ok(given) if given is not None else _installed_registry()
    if isinstance(registry, Err):
        return registry
    allow = frozenset(task.allow) if task.allow is not None else None
    made = reconstruct(task.spec_text, registry.value, allow=allow, limits=task.limits)
    if isinstance(made, Ok) and made.value.digest != task.digest:
        message = (
            f"the shipped spec has digest {made.value.digest}, the driver announced {task.digest}"
        )
        return Err(ErrInfo(code=HASH_MISMATCH, message=message, path="/version"))
    return made


def cache_info() -> CacheInfo:
    """This process's pipeline cache: hits, misses, pipelines held."""
    with _lock:
        return CacheInfo(_counts["hits"], _counts["misses"], len(_pipelines))


def clear_cache() -> None:
    """Forget every rebuilt pipeline and the installed registry (tests and benchmarks)."""
    with _lock:
        _pipelines.clear()
        _registry.clear()
        _counts.update(hits=0, misses=0)


def _keeper(into: list[Any]) -> Tap:
    def tap(stream: Iterator[Any]) -> Iterator[Any]:
        for item in stream:
            into.append(item)
            yield item

    return tap


def _collector(into: list[dict[str, Any]]) -> Callable[[Collected], None]:
    def collect(record: Collected) -> None:
        into.append(
            {
                "op_index": record.op_index,
                "op_name": record.op_name,
                "position": record.position,
                "item": record.item,
                "error": record.error.to_report(),
            }
        )

    return collect


def run_partition(
    task: PartitionTask, index: int, items: list[Any], registry: Registry | None = None
) -> PartitionResult:
    """Run partition ``index`` through the task's ops; never raises for a refused spec or a
    failing item: the result says what happened."""
    started = time.perf_counter()
    made, hit = pipeline_for(task, registry)
    if isinstance(made, Err):
        return PartitionResult(index=index, failure=made.error.to_report(), cache_hit=hit)
    pipeline = made.value
    segment = dataclasses.replace(pipeline, ops=pipeline.ops[task.start : task.stop])
    kept: dict[int, list[Any]] = {op_index: [] for op_index in task.keep}
    collected: list[dict[str, Any]] = []
    output_dir = Path(task.output_dir) if task.output_dir is not None else None
    context = RunContext(output_dir=output_dir, partition=index)
    taps = {op_index: _keeper(into) for op_index, into in kept.items()}
    run = run_local(segment, items, context=context, on_collect=_collector(collected), taps=taps)
    outputs = list(run)
    report = run.report
    return PartitionResult(
        index=index,
        outputs=outputs,
        stats=[stats.to_json() for stats in report.ops],
        collected=collected,
        failure=report.failure.to_report() if report.failure is not None else None,
        kept=kept,
        seconds=time.perf_counter() - started,
        cache_hit=hit,
    )
