"""A small registry of integer ops the tests build pipelines from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pipespec.monoids import Monoid
from pipespec.registry import (
    Registry,
    RunContext,
    batch_map_fn,
    flat_map_fn,
    lift_fn,
    map_fn,
    monoid_factory,
    reader,
    sink,
)

INT = "int"


def closed(**properties: Any) -> dict[str, Any]:
    """A closed params schema requiring every one of ``properties``."""
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "required": sorted(properties),
    }


SMALL_INT = {"type": "integer", "minimum": -1000, "maximum": 1000}


def add(item: int, *, n: int) -> int:
    """Adds n."""
    return item + n


def mul(item: int, *, k: int) -> int:
    """Multiplies by k."""
    return item * k


def fragile(item: int, *, poison: int) -> int:
    """Fails on the poison value, passes everything else through."""
    if item == poison:
        raise ValueError(f"poisoned by {item}")
    return item


def repeat(item: int, *, times: int) -> list[int]:
    """Emits the item `times` times."""
    return [item] * times


def digits(item: int) -> Iterator[int]:
    """Emits the decimal digits of |item|."""
    return (int(c) for c in str(abs(item)))


def batch_add(items: Sequence[int], *, n: int) -> list[int]:
    """Adds n to every item of the batch."""
    return [item + n for item in items]


def one(item: int) -> int:
    """Lifts every item to 1."""
    return 1


def identity(item: int) -> int:
    """Lifts an item to itself."""
    return item


def singleton(item: int) -> tuple[int, ...]:
    """Lifts an item to a one-element tuple."""
    return (item,)


def concat() -> Monoid[tuple[int, ...]]:
    """Tuples concatenated in order."""
    return Monoid(name="core.concat", identity=(), combine=lambda a, b: a + b, commutative=False)


class _Totals:
    def __init__(self) -> None:
        self.count = 0
        self.total = 0

    def write(self, item: int) -> None:
        self.count += 1
        self.total += item

    def close(self) -> dict[str, int]:
        return {"count": self.count, "sum": self.total}


class _Distinct:
    def __init__(self) -> None:
        self.seen: set[int] = set()

    def write(self, item: int) -> None:
        self.seen.add(item)

    def close(self) -> dict[str, Any]:
        return {"distinct": sorted(self.seen)}


def open_totals(params: Mapping[str, Any], context: RunContext) -> _Totals:
    return _Totals()


def open_distinct(params: Mapping[str, Any], context: RunContext) -> _Distinct:
    return _Distinct()


def core_registry() -> Registry:
    """The integer ops, lifts, monoid and sinks, all at version 1.0.0."""
    v = "1.0.0"
    return Registry().with_entries(
        map_fn("core.add", add, version=v, in_type=INT, out_type=INT,
               params_schema=closed(n=SMALL_INT)),
        map_fn("core.mul", mul, version=v, in_type=INT, out_type=INT,
               params_schema=closed(k=SMALL_INT)),
        map_fn("core.fragile", fragile, version=v, in_type=INT, out_type=INT,
               params_schema=closed(poison=SMALL_INT)),
        flat_map_fn("core.repeat", repeat, version=v, in_type=INT, out_type=INT,
                    params_schema=closed(times={"type": "integer", "minimum": 0, "maximum": 3})),
        flat_map_fn("core.digits", digits, version=v, in_type=INT, out_type=INT),
        batch_map_fn("core.batch_add", batch_add, version=v, in_type=INT, out_type=INT,
                     params_schema=closed(n=SMALL_INT)),
        lift_fn("core.one", one, version=v, in_type=INT, out_type=INT),
        lift_fn("core.identity", identity, version=v, in_type=INT, out_type=INT),
        lift_fn("core.singleton", singleton, version=v, in_type=INT, out_type="tuple[int]"),
        monoid_factory("core.concat", concat, version=v, value_type="tuple[int]",
                       commutative=False, examples=[(), (1,), (2, 3), (4,)]),
        sink("core.totals", open_totals, version=v, in_type=INT, out_type="Totals",
             idempotent=False),
        sink("core.distinct", open_distinct, version=v, in_type=INT, out_type="Distinct",
             idempotent=True),
    )  # fmt: skip


def op(kind: str, name: str, entry_id: str, **extra: Any) -> dict[str, Any]:
    """A wire op over ints, unsealed and unpinned."""
    id_field = {"Combine": "lift_id", "Sink": "sink_id"}.get(kind, "func_id")
    wire: dict[str, Any] = {"type": kind, "name": name, id_field: entry_id}
    wire.update(error_policy="fail_fast", in_type=INT, out_type=INT)
    wire.update(extra)
    return wire


def read_ints(path: Path) -> Iterator[int]:
    """One integer per non-empty line of a text file."""
    with path.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            if line.strip():
                try:
                    yield int(line)
                except ValueError:
                    raise ValueError(f"{path}:{number}: not an integer: {line.strip()!r}") from None


def core_registry_with_reader() -> Registry:
    """The integer registry plus a reader of integer files."""
    return core_registry().with_entries(
        reader("core.read", read_ints, version="1.0.0", out_type=INT)
    )
