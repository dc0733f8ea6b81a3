"""Checks a schema cannot express: unique op names, references that resolve inside the document."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import DUPLICATE_NAME, UNKNOWN_REFERENCE, ErrInfo, pointer

__all__ = ["semantic_errors"]


def semantic_errors(data: Mapping[str, Any]) -> Iterator[ErrInfo]:
    """Errors in a schema-valid document that only look across its parts."""
    first_seen: dict[str, int] = {}
    for index, op in enumerate(data["ops"]):
        name = op["name"]
        if name in first_seen:
            at = pointer(["ops", index, "name"])
            yield ErrInfo(
                code=DUPLICATE_NAME,
                message=(
                    f"op name {name!r} is already used by /ops/{first_seen[name]} at {at}; "
                    "op names must be unique"
                ),
                path=at,
                expected="a name no other op uses",
                found=repr(name),
            )
        else:
            first_seen[name] = index
    monoids = data.get("monoids", {})
    for index, op in enumerate(data["ops"]):
        if op["type"] == "Combine" and op["monoid_id"] not in monoids:
            at = pointer(["ops", index, "monoid_id"])
            known = ", ".join(repr(key) for key in monoids) or "none"
            yield ErrInfo(
                code=UNKNOWN_REFERENCE,
                message=(
                    f"monoid {op['monoid_id']!r} is not defined in `monoids` at {at}; "
                    f"defined: {known}"
                ),
                path=at,
                expected=f"a key of /monoids ({known})",
                found=repr(op["monoid_id"]),
            )
    for index, name in enumerate(data.get("materialization_points", [])):
        if name not in first_seen:
            at = pointer(["materialization_points", index])
            yield ErrInfo(
                code=UNKNOWN_REFERENCE,
                message=f"materialization point {name!r} names no op at {at}",
                path=at,
                expected="the name of an op",
                found=repr(name),
            )
