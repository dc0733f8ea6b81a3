"""The Dask backend: partitions run as tasks on a dask.distributed cluster, local or remote."""

from __future__ import annotations

import os
from typing import Any

from ..errors import ErrInfo
from ..result import Result
from . import BackendOptions
from ._driver import Executed
from ._worker import PartitionTask

__all__ = ["DEFAULT_RETRIES", "DaskBackend"]

DEFAULT_RETRIES = 2
PARTITIONS_PER_THREAD = 4


class DaskBackend:
    """Runs partitions with ``dask.distributed``: on the scheduler at ``options.scheduler``,
    or on a LocalCluster of worker processes sized by the spec's ``resources`` (workers,
    threads_per_worker, memory_limit_mb), started for the run and closed after it.

    A task that raises is retried ``retries`` times (default 2) and a lost worker's tasks
    rerun elsewhere, so only idempotent sinks run here, unless ``retries`` is 0: then a
    LocalCluster is started with no allowed failures, and a remote scheduler must have
    ``distributed.scheduler.allowed-failures`` at 0 too, or the run is refused (UNSAFE_SINK).
    """

    name = "dask"

    def __init__(self, options: BackendOptions) -> None:
        self.options = options
        self.retries = DEFAULT_RETRIES if options.retries is None else options.retries
        resources = options.resources
        self.workers = int(resources.get("workers") or min(os.cpu_count() or 1, 8))
        self.threads = int(resources.get("threads_per_worker") or 1)
        memory = resources.get("memory_limit_mb")
        self.memory_limit: str | None = f"{int(memory)}MiB" if memory else None

    @property
    def may_retry(self) -> str | None:
        """Why tasks may run twice, or None when retries are off."""
        if self.retries == 0:
            return None
        return f"retries failed tasks ({self.retries} retries) and reruns a lost worker's tasks"

    def partitions(self) -> int:
        """The partitions asked for, else four per worker thread (for a remote scheduler, per
        the threads the spec's resources describe)."""
        return self.options.partitions or self.workers * self.threads * PARTITIONS_PER_THREAD

    def execute(
        self, task: PartitionTask, partitions: list[list[Any]], *, exactly_once: bool
    ) -> Result[Executed, ErrInfo]:
        """Every partition as one task; results gathered in partition order."""
        from ._dask import execute

        return execute(self, task, partitions, exactly_once=exactly_once)
