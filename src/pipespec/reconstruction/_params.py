"""Params checks against an entry's params schema: a compiled validator decides, the reference
validator explains."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import jsonschema
import jsonschema_rs

from ..errors import PARAMS_INVALID, ErrInfo, pointer
from ..model import thaw
from ..validate._render import Finding, instance_findings

__all__ = ["params_findings", "params_valid"]

# Compiled once per params schema object. Keyed by identity, holding the schema itself so
# the id cannot be reused while cached; bounded, since registries can be built at run time.
_CACHE_LIMIT = 4096
_compiled: dict[int, tuple[Mapping[str, Any], _Checker]] = {}


class _Checker:
    """Both validators for one params schema, built once."""

    __slots__ = ("fast", "reference")

    def __init__(self, schema: Mapping[str, Any]) -> None:
        plain = thaw(schema)
        # Formats are annotations here, as for the reference validator built without a
        # format checker; a schema the compiled validator cannot take is checked by the
        # reference alone.
        try:
            self.fast: jsonschema_rs.Validator | None = jsonschema_rs.validator_for(
                plain, validate_formats=False
            )
        except (ValueError, jsonschema_rs.ValidationError):
            self.fast = None
        self.reference = jsonschema.Draft202012Validator(plain)


def _checker(schema: Mapping[str, Any]) -> _Checker:
    cached = _compiled.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    if len(_compiled) >= _CACHE_LIMIT:
        _compiled.clear()
    checker = _Checker(schema)
    _compiled[id(schema)] = (schema, checker)
    return checker


def params_valid(schema: Mapping[str, Any], params: Any) -> bool:
    """Whether ``params`` is valid against ``schema``, by the compiled validator alone; False
    also when only the reference validator can decide."""
    fast = _checker(schema).fast
    return fast is not None and fast.is_valid(params)


def params_findings(
    schema: Mapping[str, Any], params: Any, at: Sequence[str | int]
) -> list[Finding]:
    """Every way ``params`` (at pointer parts ``at``) breaks ``schema``; empty when valid."""
    checker = _checker(schema)
    if checker.fast is not None and checker.fast.is_valid(params):
        return []
    findings = instance_findings(checker.reference, params, at, PARAMS_INVALID)
    if findings or checker.fast is None:
        return findings
    # The compiled validator refused what the reference accepts: refuse, never pass silently.
    detail = next(iter(checker.fast.iter_errors(params)), None)
    message = detail.message if detail is not None else "refused by the compiled validator"
    where = pointer(list(at))
    error = ErrInfo(code=PARAMS_INVALID, message=f"{message} at {where or '/'}", path=where)
    return [Finding(error)]
