"""Backends: where a sealed spec runs — here (local), on a Dask cluster, or as a Beam pipeline.

Every backend ships the same thing to its workers: the sealed spec text and partitions of
the input, never a pipeline object or a registered function. Each worker rebuilds the
pipeline from its own installed registry, once per spec digest, so a worker whose registry
lacks an op or pins another version refuses with the same error a local run would give.
Dask and Beam are optional extras, imported only when asked for.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..errors import BACKEND_UNAVAILABLE, ErrInfo
from ..result import Err, Ok, Result
from ._driver import Outcome, run_partitioned, split
from ._executors import (
    DEFAULT_PARTITION_SIZE,
    Executed,
    ExecutorFailed,
    Session,
    StreamingExecutor,
)
from ._merge import TreeFold, merge_receipts, tree_combine
from ._worker import PartitionResult, PartitionTask, cache_info, clear_cache, run_partition

__all__ = [
    "BACKENDS",
    "DEFAULT_PARTITION_SIZE",
    "Backend",
    "BackendOptions",
    "Executed",
    "ExecutorFailed",
    "Outcome",
    "PartitionResult",
    "PartitionTask",
    "Session",
    "StreamingExecutor",
    "TreeFold",
    "cache_info",
    "clear_cache",
    "get_backend",
    "merge_receipts",
    "run_partition",
    "run_partitioned",
    "split",
    "tree_combine",
]

BACKENDS = ("local", "dask", "beam")

_EXTRAS = {"dask": ("distributed", "dask"), "beam": ("apache_beam", "beam")}


@runtime_checkable
class Backend(Protocol):
    """What the job layer needs of a backend."""

    @property
    def name(self) -> str:
        """``local``, ``dask`` or ``beam``."""

    @property
    def may_retry(self) -> str | None:
        """Why a task may run more than once here (for UNSAFE_SINK), or None if it cannot."""

    def partitions(self) -> int:
        """How many partitions to cut an input into, when it is read whole (not by a backend
        that also has ``session``: the driver streams to those, see ``run_partitioned``)."""

    def execute(
        self, task: PartitionTask, partitions: list[list[Any]], *, exactly_once: bool
    ) -> Result[Executed, ErrInfo]:
        """Run ``task`` on every partition; ``exactly_once`` when a non-idempotent sink runs,
        so the backend must refuse (UNSAFE_SINK) if it cannot promise one run per task."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BackendOptions:
    """How to reach and size a backend; what the command line passes through."""

    scheduler: str | None = None
    """Dask: the scheduler address (``tcp://HOST:PORT``); None starts a LocalCluster."""
    retries: int | None = None
    """Dask: task retries; None is 2. 0 also stops a lost worker's tasks from rerunning."""
    partitions: int | None = None
    """Beam (and the local executor): how many partitions to cut the whole input into; None
    lets the backend choose. Dask cuts the input as it reads it, by ``partition_size``."""
    partition_size: int | None = None
    """Dask: items per partition, cut as the input is read; None is 1000."""
    in_flight: int | None = None
    """Dask: partitions submitted or waiting to be merged at once; None is 2 per worker
    thread of the cluster (at least 2)."""
    runner: str | None = None
    """Beam: the runner (default DirectRunner, multi-process)."""
    pipeline_options: tuple[str, ...] = ()
    """Beam: pipeline options as ``KEY=VALUE``, passed through to the runner."""
    resources: Mapping[str, int] = field(default_factory=dict)
    """The spec's ``resources``: workers, threads_per_worker, memory_limit_mb."""


def _missing(name: str) -> ErrInfo:
    module, extra = _EXTRAS[name]
    return ErrInfo(
        code=BACKEND_UNAVAILABLE,
        message=f"the {name} backend needs the {module!r} package, which is not installed; "
        f"run pip install 'pipespec[{extra}]'",
        expected=f"pipespec[{extra}] installed",
        found=f"no module {module!r}",
    )


def get_backend(name: str, options: BackendOptions | None = None) -> Result[Backend, ErrInfo]:
    """The backend called ``name``, configured by ``options``; BACKEND_UNAVAILABLE when the
    name is unknown or its extra is not installed."""
    options = options or BackendOptions()
    if name == "local":
        from .local import LocalBackend

        return Ok(LocalBackend(partitions=options.partitions or 1))
    if name not in _EXTRAS:
        known = ", ".join(BACKENDS)
        message = f"unknown backend {name!r}; expected one of {known}"
        return Err(ErrInfo(code=BACKEND_UNAVAILABLE, message=message))
    if importlib.util.find_spec(_EXTRAS[name][0]) is None:
        return Err(_missing(name))
    if name == "dask":
        from .dask import DaskBackend

        return Ok(DaskBackend(options))
    from .beam import BeamBackend

    return Ok(BeamBackend(options))
