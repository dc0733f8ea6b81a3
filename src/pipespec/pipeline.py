"""A reconstructed pipeline: the sealed spec it came from and, per op, the entry it runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from .model import op_to_model, to_model
from .models.error_policy_schema import ErrorPolicy
from .models.op_schema import Op
from .models.pipeline_schema import PipespecPipeline
from .monoids import Monoid
from .registry import Entry, RunContext

if TYPE_CHECKING:
    from .runtime import Collected, Run

__all__ = ["MonoidPlan", "OpPlan", "Pipeline"]

_NO_PARAMS: Mapping[str, Any] = MappingProxyType({})

OpType: TypeAlias = Literal["Map", "FlatMap", "BatchMap", "Combine", "Sink"]


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
    wire: Mapping[str, Any]
    """The op as the sealed spec holds it, deeply immutable (the same object as in
    ``Pipeline.spec``)."""
    entry: Entry
    """The function, lift or sink entry the op names."""
    monoid: MonoidPlan | None = None
    """For Combine ops: the monoid that folds the lifted values."""
    _op: Op | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def op(self) -> Op:
        """The op as its generated model type, built from ``wire`` on first use."""
        op = self._op
        if op is None:
            op = op_to_model(self.wire, frozen=True)
            object.__setattr__(self, "_op", op)
        return op

    @property
    def name(self) -> str:
        """The op's name in the document."""
        name: str = self.wire["name"]
        return name

    @property
    def type(self) -> OpType:
        """The op's type tag: Map, FlatMap, BatchMap, Combine or Sink."""
        kind: OpType = self.wire["type"]
        return kind

    @property
    def error_policy(self) -> ErrorPolicy:
        """What the op does with an item whose processing fails."""
        policy: ErrorPolicy = self.wire["error_policy"]
        return policy

    @property
    def params(self) -> Mapping[str, Any]:
        """The op's params (empty when the document gives none), deeply immutable."""
        params: Mapping[str, Any] = self.wire.get("params", _NO_PARAMS)
        return params


@dataclass(frozen=True, slots=True, kw_only=True)
class Pipeline:
    """An immutable, linear sequence of typed ops, reconstructed from a sealed spec.

    ``spec`` is the wire document exactly as validated (deeply immutable); ``serialize``
    gives it back. Nothing registered has run: entries are built when ``run`` starts.
    ``model`` is the same document as the generated model types, built on first use.
    """

    spec: Mapping[str, Any]
    ops: tuple[OpPlan, ...]
    _model: PipespecPipeline | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def model(self) -> PipespecPipeline:
        """The spec as the generated model types; each op's model is its plan's ``op``."""
        model = self._model
        if model is None:
            model = to_model(self.spec, ops=tuple(plan.op for plan in self.ops))
            object.__setattr__(self, "_model", model)
        return model

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
