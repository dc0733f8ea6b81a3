"""What a run reports: per-op counts, items routed to the error output, and any failure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import ErrInfo

__all__ = ["Collected", "OpStats", "RunReport"]


@dataclass(frozen=True, slots=True, kw_only=True)
class OpStats:
    """Counts for one op. After any run: received == succeeded + skipped + collected + failed.

    ``failed`` is 0 or 1: only a ``fail_fast`` op fails an item, and the run stops there.
    ``emitted`` counts outputs handed to the next op (or out of the run): a FlatMap may emit
    many per input, a Combine or a Sink exactly one when its input ends. A BatchMap counts
    an item as received when its batch runs, so items it was still gathering when the run
    stopped upstream are in no count.
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
    """How many outputs the run yielded (those of the last op)."""
    seconds: float
    """Wall time from the first request for an output to the end of the run."""
    failure: ErrInfo | None
    """Why the run stopped early, or None when it ran to the end of its input."""
    collected: tuple[Collected, ...]
    """Collected items not handed to an ``on_collect`` callback."""

    @property
    def collected_total(self) -> int:
        """Items collected by every op, whether kept here or handed to ``on_collect``."""
        return sum(stats.collected for stats in self.ops)

    def to_json(self) -> dict[str, Any]:
        """A JSON summary: digest, time, output count, collected count, per-op counts, failure."""
        return {
            "digest": self.digest,
            "seconds": round(self.seconds, 6),
            "outputs": self.outputs,
            "collected": self.collected_total,
            "ops": [stats.to_json() for stats in self.ops],
            "failure": self.failure.to_report() if self.failure else None,
        }
