"""What a freshly spawned interpreter does with a shipped spec: reconstruct from its own registry and run."""

from __future__ import annotations

from typing import Any

from core_registry import core_registry

from pipespec.reconstruction import reconstruct
from pipespec.result import Ok


def run_shipped_text(spec_text: str, items: list[int], queue: Any) -> None:
    """Reconstruct ``spec_text`` with this process's own registry, run it, report through ``queue``."""
    result = reconstruct(spec_text, core_registry())
    if not isinstance(result, Ok):
        queue.put(("err", result.error.to_report()))
        return
    queue.put(("ok", list(result.value.run(iter(items))), result.value.digest))
