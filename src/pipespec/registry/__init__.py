"""The allow-listed registry: ids that code, never a document, maps to functions, sinks, monoids."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import MappingProxyType
from typing import Any

from ..monoids import BUILTIN_MONOIDS
from ._entry import (
    NO_PARAMS,
    Entry,
    Kind,
    RunContext,
    SinkWriter,
    batch_map_fn,
    flat_map_fn,
    lift_fn,
    map_fn,
    monoid_factory,
    reader,
    sink,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "NO_PARAMS",
    "Entry",
    "Kind",
    "Registry",
    "RegistryError",
    "RunContext",
    "SinkWriter",
    "batch_map_fn",
    "default_registry",
    "flat_map_fn",
    "lift_fn",
    "map_fn",
    "monoid_factory",
    "reader",
    "sink",
]

ENTRY_POINT_GROUP = "pipespec.registries"


class RegistryError(Exception):
    """Code built an inconsistent registry: one id twice, or a plugin that gives no registry."""


@dataclass(frozen=True, slots=True)
class Registry:
    """An immutable map from id to ``Entry``; ``with_entries`` and ``merge`` return new ones.

    Lookup is an exact match on the id string: no attribute walking, no import, no case
    folding or Unicode normalisation.
    """

    _entries: Mapping[str, Entry] = field(default_factory=lambda: MappingProxyType({}))

    def get(self, id: str) -> Entry | None:
        """The entry registered under exactly ``id``, or None."""
        return self._entries.get(id) if type(id) is str else None

    def __contains__(self, id: object) -> bool:
        return type(id) is str and id in self._entries

    def __iter__(self) -> Iterator[Entry]:
        return iter(sorted(self._entries.values(), key=lambda entry: entry.id))

    def __len__(self) -> int:
        return len(self._entries)

    def ids(self) -> frozenset[str]:
        """Every registered id."""
        return frozenset(self._entries)

    def with_entries(self, *entries: Entry) -> Registry:
        """A registry holding these entries as well; an id already present is an error."""
        merged = dict(self._entries)
        for entry in entries:
            if not isinstance(entry, Entry):
                raise RegistryError(f"expected an Entry, found {type(entry).__name__}")
            if entry.id in merged:
                raise RegistryError(f"id {entry.id!r} is registered twice")
            merged[entry.id] = entry
        return Registry(MappingProxyType(merged))

    def merge(self, other: Registry) -> Registry:
        """A registry holding the entries of both; an id in both is an error."""
        return self.with_entries(*other)

    def manifest(self) -> dict[str, Any]:
        """Every entry, as ``registry-manifest.schema.json`` describes it."""
        return {
            "manifest_version": "1",
            "entries": [entry.manifest() for entry in self],
            "builtin_monoids": [
                {"name": m.name, "commutative": m.commutative, "description": m.description}
                for m in BUILTIN_MONOIDS.values()
            ],
        }


def _from_plugin(name: str, loaded: object) -> Registry:
    value = loaded() if callable(loaded) and not isinstance(loaded, Registry) else loaded
    if isinstance(value, Registry):
        return value
    if isinstance(value, Iterable):
        return Registry().with_entries(*value)
    raise RegistryError(
        f"entry point {name!r} in group {ENTRY_POINT_GROUP!r} gave {type(value).__name__}; "
        "expected a Registry, an iterable of Entry, or a function returning one"
    )


def default_registry() -> Registry:
    """The union of what installed plugins contribute to the ``pipespec.registries`` group."""
    registry = Registry()
    for point in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda p: p.name):
        contributed = _from_plugin(point.name, point.load())
        clash = registry.ids() & contributed.ids()
        if clash:
            raise RegistryError(
                f"entry point {point.name!r} registers ids another plugin already has: "
                + ", ".join(sorted(clash))
            )
        registry = registry.merge(contributed)
    return registry
