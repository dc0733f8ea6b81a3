"""What a run reports: per-op counts, items routed to the error output, and any failure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ErrInfo

__all__ = ["Collected", "OpStats", "RunReport"]


@dataclass(frozen=True, slots=True, kw_only=True)
class OpStats:
    """Counts for one op. After any run: received == succeeded + skipped + collected + failed.

    ``emitted`` counts outputs: a FlatMap may emit many per input, a Combine or a Sink one.
    """

    index: int
    name: str
    type: str
    received: int
    succeeded: int
    skipped: int
    collected: int
    failed: int
    emitted: int

    def to_json(self) -> dict[str, Any]:
        """The counts as a JSON object."""
        return {
            "index": self.index,
            "name": self.name,
            "type": self.type,
            "received": self.received,
            "succeeded": self.succeeded,
            "skipped": self.skipped,
            "collected": self.collected,
            "failed": self.failed,
            "emitted": self.emitted,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class Collected:
    """An item a ``collect`` op routed to the error output, with why it failed."""

    op_index: int
    op_name: str
    position: int
    """0-based position of the item in that op's input stream."""
    item: Any
    error: ErrInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class RunReport:
    """Everything a finished run says about itself."""

    digest: str
    """Root digest of the spec that ran."""
    ops: tuple[OpStats, ...]
    outputs: int
    seconds: float
    failure: ErrInfo | None
    collected: tuple[Collected, ...]
    """Collected items not handed to an ``on_collect`` callback."""
    collected_total: int

    def to_json(self) -> dict[str, Any]:
        """A JSON summary: digest, time, output count, per-op counts, failure."""
        return {
            "digest": self.digest,
            "seconds": round(self.seconds, 6),
            "outputs": self.outputs,
            "collected": self.collected_total,
            "ops": [stats.to_json() for stats in self.ops],
            "failure": self.failure.to_report() if self.failure else None,
        }
