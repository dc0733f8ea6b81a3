"""What the driver needs of an engine: run a task over partitions, all at once or as the
input is read."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ..errors import ErrInfo
from ..result import Result
from ._worker import PartitionResult, PartitionTask

__all__ = [
    "DEFAULT_PARTITION_SIZE",
    "Executed",
    "ExecutorFailed",
    "PartitionExecutor",
    "Session",
    "StreamingExecutor",
]

DEFAULT_PARTITION_SIZE = 1000
"""Items per partition when a streaming executor is not told otherwise."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Executed:
    """Every partition's result, and the Combine's value when the engine folded the partials."""

    results: list[PartitionResult]
    combined: tuple[Any] | None = None


class PartitionExecutor(Protocol):
    """Runs a task over every partition somewhere; results may come back in any order."""

    def partitions(self) -> int: ...

    def execute(
        self, task: PartitionTask, partitions: list[list[Any]], *, exactly_once: bool
    ) -> Result[Executed, ErrInfo]: ...


class ExecutorFailed(Exception):
    """A streaming executor cannot run the task at all (unreachable, refused)."""

    def __init__(self, error: ErrInfo) -> None:
        super().__init__(error.message)
        self.error = error


class Session(Protocol):
    """One run's connection to an engine: partitions go in one at a time, results come out
    in the order they finish. Leaving the context cancels whatever still runs."""

    @property
    def capacity(self) -> int:
        """How many partitions to keep submitted (and waiting to be merged) at once."""

    def submit(self, index: int, items: list[Any]) -> None:
        """Start partition ``index``."""

    def next_result(self) -> PartitionResult:
        """Wait for a submitted partition to finish (a lost one comes back as a failure)."""


@runtime_checkable
class StreamingExecutor(Protocol):
    """An executor fed partitions as the input is read, with a bounded number in flight."""

    def partition_size(self) -> int:
        """Items per partition unless the caller says otherwise."""

    def session(
        self, task: PartitionTask, *, exactly_once: bool
    ) -> AbstractContextManager[Session]:
        """A session for ``task``; raises ``ExecutorFailed`` when it cannot start, and
        UNSAFE_SINK when ``exactly_once`` cannot be promised."""
