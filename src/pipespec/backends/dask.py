"""The Dask backend: partitions run as tasks on a dask.distributed cluster, local or remote."""

from __future__ import annotations

import os
from contextlib import AbstractContextManager
from typing import Any

from ..errors import ErrInfo
from ..result import Result
from . import BackendOptions
from ._executors import DEFAULT_PARTITION_SIZE, Executed, Session
from ._worker import PartitionTask

__all__ = ["DEFAULT_RETRIES", "DaskBackend"]

DEFAULT_RETRIES = 2
PARTITIONS_PER_THREAD = 4


class DaskBackend:
    """Runs partitions with ``dask.distributed``: on the scheduler at ``options.scheduler``,
    or on a LocalCluster of worker processes sized by the spec's ``resources`` (workers,
    threads_per_worker, memory_limit_mb), started for the run and closed after it.

    The driver reads the input lazily, cutting it into partitions of ``partition_size``
    items (default 1000) as it comes, and keeps at most ``in_flight`` partitions submitted
    or waiting to be merged (default: 2 per worker thread of the cluster, at least 2).

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
        self.in_flight = options.in_flight

    def partition_size(self) -> int:
        """Items per partition: the size asked for, else 1000."""
        return self.options.partition_size or DEFAULT_PARTITION_SIZE

    def session(
        self, task: PartitionTask, *, exactly_once: bool
    ) -> AbstractContextManager[Session]:
        """A client on the cluster for one run (see ``run_partitioned``)."""
        from ._dask import session

        return session(self, task, exactly_once=exactly_once)

    @property
    def may_retry(self) -> str | None:
        """Why tasks may run twice, or None when retries are off."""
        if self.retries == 0:
            return None
        return f"retries failed tasks ({self.retries} retries) and reruns a lost worker's tasks"

    def partitions(self) -> int:
        """For ``execute`` on a list of partitions only (``run_partitioned`` streams and uses
        ``partition_size``): the partitions asked for, else four per worker thread."""
        return self.options.partitions or self.workers * self.threads * PARTITIONS_PER_THREAD

    def execute(
        self, task: PartitionTask, partitions: list[list[Any]], *, exactly_once: bool
    ) -> Result[Executed, ErrInfo]:
        """Every one of ``partitions`` as one task; results gathered in partition order."""
        from ._dask import execute

        return execute(self, task, partitions, exactly_once=exactly_once)
