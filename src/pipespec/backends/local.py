"""The local backend as a partition executor: partitions run one after another in this process."""

from __future__ import annotations

from typing import Any

from ..errors import ErrInfo
from ..registry import Registry
from ..result import Ok, Result
from ._executors import Executed
from ._worker import PartitionTask, run_partition

__all__ = ["LocalBackend"]


class LocalBackend:
    """Runs every partition here, in order, through the same worker code the engines run.

    With a ``registry``, pipelines are rebuilt from it; otherwise from the installed plugins,
    as a worker would. Nothing is retried, so any sink is safe here.
    """

    name = "local"

    def __init__(self, *, registry: Registry | None = None, partitions: int = 1) -> None:
        self._registry = registry
        self._partitions = partitions

    @property
    def may_retry(self) -> str | None:
        """Never: each partition runs exactly once."""
        return None

    def partitions(self) -> int:
        """How many partitions a run is cut into."""
        return self._partitions

    def execute(
        self, task: PartitionTask, partitions: list[list[Any]], *, exactly_once: bool
    ) -> Result[Executed, ErrInfo]:
        """Each partition through ``run_partition``, in order."""
        results = [
            run_partition(task, index, part, self._registry)
            for index, part in enumerate(partitions)
        ]
        return Ok(Executed(results=results))
