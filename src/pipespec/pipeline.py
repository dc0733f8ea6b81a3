"""A reconstructed pipeline: the sealed spec it came from and, per op, the entry it runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .models.op_schema import Op
from .models.pipeline_schema import PipespecPipeline
from .monoids import Monoid
from .registry import Entry, RunContext

if TYPE_CHECKING:
    from .runtime import Collected, Run

__all__ = ["MonoidPlan", "OpPlan", "Pipeline"]


@dataclass(frozen=True, slots=True, kw_only=True)
class MonoidPlan:
    """How a Combine op's monoid is obtained when the run starts."""

    key: str
    """The monoid's key in the document's ``monoids``."""
    builtin: Monoid[Any] | None = None
    """The built-in monoid, for ``type: built_in``."""
    entry: Entry | None = None
    """The registry factory, for ``type: custom``; called with ``params`` when a run starts."""
    params: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OpPlan:
    """One op, resolved against the registry but not yet built: nothing has been called."""

    index: int
    """Position in the document's ``ops``; errors point at ``/ops/{index}``."""
    op: Op
    """The op as the generated model type."""
    entry: Entry
    """The function, lift or sink entry the op names."""
    params: Mapping[str, Any]
    """The op's params (empty when the document gives none), deeply immutable."""
    monoid: MonoidPlan | None = None
    """For Combine ops: the monoid that folds the lifted values."""

    @property
    def name(self) -> str:
        """The op's name in the document."""
        return self.op.name


@dataclass(frozen=True, slots=True, kw_only=True)
class Pipeline:
    """An immutable, linear sequence of typed ops, reconstructed from a sealed spec.

    ``spec`` is the wire document exactly as validated (deeply immutable); ``serialize``
    gives it back. Nothing registered has run: entries are built when ``run`` starts.
    """

    spec: Mapping[str, Any]
    model: PipespecPipeline
    ops: tuple[OpPlan, ...]

    @property
    def digest(self) -> str:
        """The root ``version`` digest of the spec this pipeline was built from."""
        version = self.spec["version"]
        assert isinstance(version, str)
        return version

    def run(
        self,
        items: Iterable[Any],
        *,
        context: RunContext | None = None,
        on_collect: Callable[[Collected], None] | None = None,
    ) -> Run:
        """Stream ``items`` through the ops on the embedded local backend.

        Nothing happens until the returned ``Run`` is iterated; see ``pipespec.runtime``.
        """
        from .runtime import run_local

        return run_local(self, items, context=context or RunContext(), on_collect=on_collect)
