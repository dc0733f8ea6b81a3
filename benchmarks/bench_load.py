"""Load + validate + verify + reconstruct sealed specs of 10, 100 and 1000 ops, side by side
with the seed's Pydantic design and a floor of ``json.loads`` plus one SHA-256 of the bytes;
then canonicalization beside ``json.dumps(sort_keys=True)``.

Run with ``make bench``. Every figure is the best of several samples (each the mean of as many
calls as fill a few milliseconds) measured in this run, so the ratios compare like with like
on the same machine.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import rfc8785
import seed_reference

from pipespec import Registry, reconstruct
from pipespec.digest import canonical_bytes, seal_data, verify_data
from pipespec.read import read_text
from pipespec.registry import batch_map_fn, flat_map_fn, map_fn, sink
from pipespec.result import Ok
from pipespec.schemas import fast_validator

KINDS = ("Map", "FlatMap", "BatchMap", "Sink")
FUNCTION_KINDS = {"Map": map_fn, "FlatMap": flat_map_fn, "BatchMap": batch_map_fn}
PARAMS_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["size", "overlap", "unit"],
    "properties": {
        "size": {"type": "integer", "minimum": 1},
        "overlap": {"type": "integer", "minimum": 0},
        "unit": {"enum": ["chars", "tokens"]},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}


def _identity(item: Any, **params: Any) -> Any:
    return item


class _Writer:
    def write(self, item: Any) -> None:
        pass

    def close(self) -> Any:
        return None


def _func_id(i: int) -> str:
    return f"bench.{KINDS[i % len(KINDS)].lower()}_{i % 7}"


def make_ops(n_ops: int) -> list[dict[str, Any]]:
    """``n_ops`` pinned, unsealed ops with realistic params, every one of them chunk → chunk."""
    ops: list[dict[str, Any]] = []
    for i in range(n_ops):
        kind = KINDS[i % len(KINDS)]
        op: dict[str, Any] = {
            "type": kind,
            "name": f"op-{i}",
            "error_policy": ("fail_fast", "skip", "collect")[i % 3],
            "in_type": "Chunk",
            "out_type": "Chunk",
            "params": {"size": 800 + i, "overlap": 80, "unit": "chars", "tags": ["a", "b"]},
        }
        if kind == "Sink":
            op.update(sink_id="bench.sink", sink_version="1.0.0")
            op["sink_contract"] = {"idempotent": True}
        else:
            op.update(func_id=_func_id(i), func_version="1.0.0")
        if kind == "BatchMap":
            op["max_batch_size"] = 64
        ops.append(op)
    return ops


def make_registry() -> Registry:
    """Every id ``make_ops`` names, with the params schema above."""
    entries = [
        FUNCTION_KINDS[kind](
            f"bench.{kind.lower()}_{j}",
            _identity,
            version="1.0.0",
            in_type="Chunk",
            out_type="Chunk",
            params_schema=PARAMS_SCHEMA,
        )
        for kind in FUNCTION_KINDS
        for j in range(7)
    ]
    entries.append(
        sink(
            "bench.sink",
            lambda params, context: _Writer(),
            version="1.0.0",
            in_type="Chunk",
            out_type="Chunk",
            idempotent=True,
            params_schema=PARAMS_SCHEMA,
        )
    )
    return Registry().with_entries(*entries)


def seed_registry(registry: Registry) -> dict[str, tuple[str, Callable[..., Any]]]:
    return {entry.id: (entry.version, entry.build) for entry in registry}


def sealed_text(n_ops: int) -> str:
    sealed = seal_data({"spec_version": "1", "backend": "local", "ops": make_ops(n_ops)})
    assert isinstance(sealed, Ok)
    return json.dumps(sealed.value, indent=2)


# Each sample times enough calls to last this long, as timeit does, so that a call of a few
# microseconds is not measured against the clock's own resolution and jitter.
SAMPLE_SECONDS = 0.002


def best_of(fn: Callable[[], object], repeat: int) -> float:
    """Milliseconds per call: the best of ``repeat`` samples, each the mean of enough calls
    to last ``SAMPLE_SECONDS``."""
    start = time.perf_counter()
    fn()
    calls = max(1, int(SAMPLE_SECONDS / max(time.perf_counter() - start, 1e-9)))
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        samples.append((time.perf_counter() - start) / calls)
    return min(samples) * 1000


def _with_model(raw: bytes, registry: Registry) -> object:
    """Reconstruction, then the typed model a caller may ask for (built on first use)."""
    result = reconstruct(raw, registry)
    assert isinstance(result, Ok)
    return result.value.model


def load_row(n_ops: int, registry: Registry, repeat: int) -> dict[str, float]:
    """The figures for one spec size; every path is first checked to accept its document."""
    ours_text = sealed_text(n_ops)
    ours_raw = ours_text.encode()
    seed_text = seed_reference.seal({"spec_version": "1", "ops": make_ops(n_ops)})
    seed_reg = seed_registry(registry)
    allow = frozenset(seed_reg)
    assert seed_reference.reconstruct(seed_text, seed_reg, allow)[0] == "ok"
    assert isinstance(reconstruct(ours_raw, registry), Ok)
    document = read_text(ours_text, format="json")
    assert isinstance(document, Ok)
    data = document.value.data

    def floor() -> None:
        json.loads(ours_raw)
        hashlib.sha256(ours_raw).hexdigest()

    return {
        "ops": n_ops,
        "KiB": len(ours_raw) / 1024,
        "floor": best_of(floor, repeat),
        "seed": best_of(lambda: seed_reference.reconstruct(seed_text, seed_reg, allow), repeat),
        "ours": best_of(lambda: reconstruct(ours_raw, registry), repeat),
        "+ model": best_of(lambda: _with_model(ours_raw, registry), repeat),
        "read": best_of(lambda: read_text(ours_text, format="json"), repeat),
        "schema": best_of(lambda: fast_validator().is_valid(data), repeat),
        "verify": best_of(lambda: verify_data(data, float_free=True), repeat),
    }


def canonical_row(name: str, value: Any, repeat: int) -> dict[str, Any]:
    """Our canonicalizer beside json.dumps(sort_keys=True) and the rfc8785 package."""
    ours = canonical_bytes(value)
    assert isinstance(ours, Ok) and ours.value == rfc8785.dumps(value), name
    return {
        "value": name,
        "KiB": len(ours.value) / 1024,
        "json.dumps": best_of(lambda: json.dumps(value, sort_keys=True), repeat),
        "ours": best_of(lambda: canonical_bytes(value), repeat),
        "rfc8785": best_of(lambda: rfc8785.dumps(value), max(3, repeat // 10)),
    }


def float_document(n_ops: int) -> dict[str, Any]:
    """A document whose params hold floats of every magnitude, to exercise number formatting."""
    ops = make_ops(n_ops)
    for i, op in enumerate(ops):
        op["params"]["weights"] = [i / 7, 1e21 * (i + 1), 5e-7 / (i + 1), float(i), -0.0]
    return {"spec_version": "1", "ops": ops}


def _table(rows: Sequence[Mapping[str, Any]], columns: list[tuple[str, str]]) -> None:
    print("| " + " | ".join(title for title, _ in columns) + " |")
    print("|" + "|".join("---:" for _ in columns) + "|")
    for row in rows:
        print("| " + " | ".join(fmt.format(row[key]) for key, fmt in columns) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print(
        f"python {platform.python_version()} on {platform.machine()}, ms per call, best of "
        f"{args.repeat} samples of at least {SAMPLE_SECONDS * 1000:g} ms"
    )
    registry = make_registry()
    rows = [load_row(n, registry, args.repeat) for n in (10, 100, 1000)]
    for row in rows:
        row["vs seed"] = row["ours"] / row["seed"]
        row["vs floor"] = row["ours"] / row["floor"]
    print("\nload + validate + verify + reconstruct (targets: at most 0.8x seed, at most 5x floor)")
    _table(
        rows,
        [
            ("ops", "{}"),
            ("KiB", "{:.0f}"),
            ("floor", "{:.3f}"),
            ("seed", "{:.3f}"),
            ("ours", "{:.3f}"),
            ("vs seed", "{:.2f}"),
            ("vs floor", "{:.1f}"),
            ("+ model", "{:.3f}"),
            ("read", "{:.3f}"),
            ("schema", "{:.3f}"),
            ("verify", "{:.3f}"),
        ],
    )
    canon = [
        canonical_row("spec, 1000 ops", json.loads(sealed_text(1000)), args.repeat),
        canonical_row("spec with floats, 1000 ops", float_document(1000), args.repeat),
    ]
    for row in canon:
        row["speed"] = row["json.dumps"] / row["ours"]
    print(
        "\ncanonicalization, byte-identical to rfc8785"
        " (target: at least 0.5x the speed of json.dumps)"
    )
    _table(
        canon,
        [
            ("value", "{}"),
            ("KiB", "{:.0f}"),
            ("json.dumps", "{:.2f}"),
            ("ours", "{:.2f}"),
            ("rfc8785", "{:.2f}"),
            ("speed", "{:.2f}"),
        ],
    )


if __name__ == "__main__":
    main()
