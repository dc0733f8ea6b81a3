"""The Beam backend: the spec becomes an Apache Beam pipeline, on any runner Beam has."""

from __future__ import annotations

from typing import Any

from ..errors import ErrInfo
from ..result import Result
from . import BackendOptions
from ._executors import Executed
from ._worker import PartitionTask

__all__ = ["DEFAULT_WORKERS", "BeamBackend"]

DEFAULT_WORKERS = 2
PARTITIONS_PER_WORKER = 4


class BeamBackend:
    """Runs partitions as a Beam pipeline: ``Create`` of the partitions, a ``DoFn`` that
    rebuilds the pipeline in ``setup()`` from the spec text and runs one partition per
    element, and for a Combine a ``CombineFn`` built from the spec's monoid.

    Without ``--runner``, the DirectRunner in multi-process mode with as many workers as
    the spec's ``resources.workers`` (default 2). ``pipeline_options`` (``KEY=VALUE``) pass
    through to the runner. Runners retry failed bundles, so only idempotent sinks run here.
    Results come back to the driver as JSON files, so items crossing back are JSON values
    (a tuple comes back as a list).
    """

    name = "beam"

    def __init__(self, options: BackendOptions) -> None:
        self.options = options
        self.workers = int(options.resources.get("workers") or DEFAULT_WORKERS)

    @property
    def may_retry(self) -> str | None:
        """Always: Beam runners retry failed bundles, and none promises otherwise."""
        return "may retry a failed bundle (Flink, Spark and Dataflow do)"

    def partitions(self) -> int:
        """The partitions asked for, else four per worker."""
        return self.options.partitions or self.workers * PARTITIONS_PER_WORKER

    def argv(self) -> list[str]:
        """The pipeline options as Beam reads them from a command line."""
        runner = self.options.runner or "DirectRunner"
        # Workers log every channel they open at INFO; a user's own options come last and win.
        argv = [f"--runner={runner}", "--default_sdk_harness_log_level=WARNING"]
        if runner in ("DirectRunner", "direct"):
            argv += [f"--direct_num_workers={self.workers}",
                     "--direct_running_mode=multi_processing"]  # fmt: skip
        return argv + [f"--{option}" for option in self.options.pipeline_options]

    def execute(
        self, task: PartitionTask, partitions: list[list[Any]], *, exactly_once: bool
    ) -> Result[Executed, ErrInfo]:
        """Build and run the Beam pipeline; read its results back."""
        from ._beam import execute

        return execute(self, task, partitions)
