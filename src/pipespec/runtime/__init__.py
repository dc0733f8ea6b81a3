"""The embedded local backend: streams items through a reconstructed pipeline in this process."""

from __future__ import annotations

from ._report import Collected, OpStats, RunReport
from ._run import Run, Tap, run_local
from ._stages import Failed

__all__ = ["Collected", "Failed", "OpStats", "Run", "RunReport", "Tap", "run_local"]
