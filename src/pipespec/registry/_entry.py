"""Registry entries: what code registers under an id, and the context a run hands to it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Protocol

import jsonschema

from ..model import thaw
from ..models.sink_contract_schema import SinkContract
from ..monoids import Monoid

__all__ = [
    "NO_PARAMS",
    "Entry",
    "Kind",
    "RunContext",
    "SinkWriter",
    "batch_map_fn",
    "flat_map_fn",
    "lift_fn",
    "map_fn",
    "monoid_factory",
    "reader",
    "sink",
]

Kind = Literal["map", "flat_map", "batch_map", "lift", "sink", "monoid", "reader"]
KINDS: tuple[Kind, ...] = ("map", "flat_map", "batch_map", "lift", "sink", "monoid", "reader")
# The same rules as the schema's identifier, registry_version and type_name; `\Z` because
# Python's `$` would also match before a trailing newline.
_ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\Z")
_VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z.+_:-]*\Z")
_TYPE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*(\[[A-Za-z0-9_., \[\]]*\])?\Z")

NO_PARAMS: Mapping[str, Any] = MappingProxyType(
    {"type": "object", "additionalProperties": False, "properties": {}}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunContext:
    """What a run tells the entries it builds: where output may go, and which attempt this is."""

    output_dir: Path | None = None
    """The directory sinks write under; None when the run has none."""
    attempt: int = 1
    """1 for a first execution; larger when a backend retries the work."""
    partition: int | None = None
    """The 0-based partition a distributed backend builds this entry for; None when the run
    is not partitioned. A sink that writes one file per run writes one per partition."""


class SinkWriter(Protocol):
    """What a sink entry opens for a run: items are written one by one, then it is closed."""

    def write(self, item: Any) -> None:
        """Consume one item."""

    def close(self) -> Any:
        """Finish the run's writes and return a JSON-able receipt describing them."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One allow-listed thing a document may name by ``id``.

    ``build(params, context)`` is called when a run starts, never while a document is
    reconstructed, and returns what the op calls: for ``map`` a function item → output,
    for ``flat_map`` item → iterable of outputs, for ``batch_map`` list → list of the same
    length, for ``lift`` item → monoid value, for ``sink`` a ``SinkWriter``, for ``monoid``
    a ``Monoid``, for ``reader`` a function path → iterable of items. For a monoid,
    ``in_type`` and ``out_type`` are both its value type; a reader's ``in_type`` is ``Path``.
    """

    id: str
    version: str
    kind: Kind
    in_type: str
    out_type: str
    build: Callable[[Mapping[str, Any], RunContext], Any]
    params_schema: Mapping[str, Any] = field(default_factory=lambda: NO_PARAMS)
    sink_contract: SinkContract | None = None
    merge_receipts: Callable[[Sequence[Any]], Any] | None = None
    """For sinks: how the receipts of a partitioned run (in partition order) become the run's
    one receipt; None keeps them all (see ``pipespec.backends``)."""
    commutative: bool | None = None
    examples: tuple[Any, ...] = ()
    """For monoids: sample values the law tests combine."""
    description: str = ""

    def __post_init__(self) -> None:
        problems = list(_problems(self))
        if problems:
            raise ValueError(f"invalid registry entry {self.id!r}: " + "; ".join(problems))

    def manifest(self) -> dict[str, Any]:
        """The entry as described in ``registry-manifest.schema.json#/$defs/entry``."""
        described: dict[str, Any] = {
            "id": self.id,
            "version": self.version,
            "kind": self.kind,
            "in_type": self.in_type,
            "out_type": self.out_type,
            "params_schema": thaw(self.params_schema),
        }
        if self.sink_contract is not None:
            described["sink_contract"] = {"idempotent": self.sink_contract.idempotent}
        if self.commutative is not None:
            described["commutative"] = self.commutative
        if self.description:
            described["description"] = self.description
        return described


def _problems(entry: Entry) -> Iterable[str]:
    if not isinstance(entry.id, str) or not _ID.match(entry.id) or len(entry.id) > 128:
        yield f"id must be lowercase dot-separated segments of [a-z0-9_], found {entry.id!r}"
    if not isinstance(entry.version, str) or not _VERSION.match(entry.version):
        yield f"version must match [0-9A-Za-z][0-9A-Za-z.+_:-]*, found {entry.version!r}"
    if entry.kind not in KINDS:
        yield f"kind must be one of {', '.join(KINDS)}, found {entry.kind!r}"
    for name in ("in_type", "out_type"):
        value = getattr(entry, name)
        if not isinstance(value, str) or not _TYPE.match(value) or len(value) > 128:
            yield f"{name} must be a type name like str, Chunk or list[float], found {value!r}"
    yield from _params_schema_problems(entry.params_schema)
    if (entry.kind == "sink") != (entry.sink_contract is not None):
        yield "a sink_contract is required for sinks and only for them"
    if entry.merge_receipts is not None and (
        entry.kind != "sink" or not callable(entry.merge_receipts)
    ):
        yield "merge_receipts must be a function, and only sinks have one"
    if (entry.kind == "monoid") != (entry.commutative is not None):
        yield "commutative is required for monoids and only for them"
    if entry.kind == "monoid" and len(entry.examples) < 2:
        yield "a monoid needs at least two example values for its law tests"
    if not callable(entry.build):
        yield "build must be callable"


def _params_schema_problems(schema: Mapping[str, Any]) -> Iterable[str]:
    plain = thaw(schema)
    try:
        jsonschema.Draft202012Validator.check_schema(plain)
    except jsonschema.SchemaError as exc:
        yield f"params_schema is not a valid JSON Schema: {exc.message}"
        return
    if plain.get("type") != "object" or plain.get("additionalProperties") is not False:
        yield 'params_schema must be closed: "type": "object", "additionalProperties": false'


def _call_with_params(fn: Callable[..., Any]) -> Callable[[Mapping[str, Any], RunContext], Any]:
    def build(params: Mapping[str, Any], context: RunContext) -> Any:
        return partial(fn, **params) if params else fn

    return build


def _summary(fn: Callable[..., Any], description: str) -> str:
    """The given description, else the first line of the function's docstring."""
    return description or (fn.__doc__ or "").strip().split("\n")[0]


class FunctionEntry(Protocol):
    """The shape of ``map_fn``, ``flat_map_fn``, ``batch_map_fn`` and ``lift_fn``."""

    def __call__(
        self,
        id: str,
        fn: Callable[..., Any],
        *,
        version: str,
        in_type: str,
        out_type: str,
        params_schema: Mapping[str, Any] = ...,
        description: str = "",
    ) -> Entry: ...


def _function_entries(kind: Kind, doc: str) -> FunctionEntry:
    """A constructor of entries of ``kind`` that call ``fn(item_or_batch, **params)``."""

    def make(
        id: str,
        fn: Callable[..., Any],
        *,
        version: str,
        in_type: str,
        out_type: str,
        params_schema: Mapping[str, Any] = NO_PARAMS,
        description: str = "",
    ) -> Entry:
        return Entry(
            id=id,
            version=version,
            kind=kind,
            in_type=in_type,
            out_type=out_type,
            build=_call_with_params(fn),
            params_schema=params_schema,
            description=_summary(fn, description),
        )

    make.__doc__ = doc
    return make


map_fn = _function_entries("map", "A Map function ``fn(item, **params) -> output``.")
flat_map_fn = _function_entries(
    "flat_map", "A FlatMap function ``fn(item, **params) -> iterable of outputs``."
)
batch_map_fn = _function_entries(
    "batch_map",
    "A BatchMap function ``fn(items, **params) -> outputs``, one output per item, in order.",
)
lift_fn = _function_entries("lift", "A Combine lift ``fn(item, **params) -> monoid value``.")


def sink(
    id: str,
    open_writer: Callable[[Mapping[str, Any], RunContext], SinkWriter],
    *,
    version: str,
    in_type: str,
    out_type: str,
    idempotent: bool,
    params_schema: Mapping[str, Any] = NO_PARAMS,
    description: str = "",
    merge_receipts: Callable[[Sequence[Any]], Any] | None = None,
) -> Entry:
    """A sink: ``open_writer(params, context)`` opens a ``SinkWriter`` when a run starts.

    A distributed backend opens one writer per partition; ``merge_receipts`` turns their
    receipts, in partition order, into the run's one receipt."""
    return Entry(
        id=id,
        version=version,
        kind="sink",
        in_type=in_type,
        out_type=out_type,
        build=open_writer,
        params_schema=params_schema,
        sink_contract=SinkContract(idempotent=idempotent),
        merge_receipts=merge_receipts,
        description=_summary(open_writer, description),
    )


def monoid_factory(
    id: str,
    factory: Callable[..., Monoid[Any]],
    *,
    version: str,
    value_type: str,
    commutative: bool,
    examples: Sequence[Any],
    params_schema: Mapping[str, Any] = NO_PARAMS,
    description: str = "",
) -> Entry:
    """A custom monoid built by ``factory(**params)``; ``examples`` feed its law tests."""
    return Entry(
        id=id,
        version=version,
        kind="monoid",
        in_type=value_type,
        out_type=value_type,
        build=lambda params, context: factory(**params),
        params_schema=params_schema,
        commutative=commutative,
        examples=tuple(examples),
        description=_summary(factory, description),
    )


def reader(
    id: str,
    read: Callable[..., Iterable[Any]],
    *,
    version: str,
    out_type: str,
    params_schema: Mapping[str, Any] = NO_PARAMS,
    description: str = "",
) -> Entry:
    """An input reader ``read(path, **params) -> iterable of items``; `pipespec run --input`
    picks the reader whose ``out_type`` is the first op's ``in_type``."""
    return Entry(
        id=id,
        version=version,
        kind="reader",
        in_type="Path",
        out_type=out_type,
        build=_call_with_params(read),
        params_schema=params_schema,
        description=_summary(read, description),
    )
