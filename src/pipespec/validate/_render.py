"""Turns python-jsonschema errors into ErrInfo values: what was expected, what was found."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any, NamedTuple

import jsonschema
from jsonschema.exceptions import ValidationError

from ..errors import SCHEMA_INVALID, ErrInfo, pointer
from ..schemas import inline_refs, python_validator

__all__ = ["Finding", "instance_findings", "schema_findings"]

_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}


class Finding(NamedTuple):
    """An error and whether its position is that of an object key rather than a value."""

    error: ErrInfo
    at_key: bool = False


def _show(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kind(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


@cache
def _op_variants() -> Mapping[str, jsonschema.protocols.Validator]:
    """One validator per op variant, keyed by its `type` tag."""
    variants: dict[str, jsonschema.protocols.Validator] = {}
    for schema in inline_refs("op.schema.json")["oneOf"]:
        tag = schema["properties"]["type"]["const"]
        variants[tag] = jsonschema.Draft202012Validator(schema)
    return variants


def _what(schema: Mapping[str, Any]) -> str:
    title = schema.get("title")
    return f"{title[0].lower()}{title[1:]}" if isinstance(title, str) and title else "value"


def _message(error: ValidationError) -> tuple[str, str | None, str | None]:
    """Message, expected and found for one leaf error."""
    keyword, schema = error.validator, error.schema
    value: Any = error.validator_value
    instance: Any = error.instance
    found = _show(instance)
    if not isinstance(schema, Mapping):
        return error.message, None, None
    match keyword:
        case "required":
            missing = error.message.split("'")[1] if "'" in error.message else str(value)
            return f"missing required property {missing!r}", missing, None
        case "additionalProperties":
            allowed = ", ".join(schema.get("properties", {}))
            extra = sorted(set(instance) - set(schema.get("properties", {})))
            return (f"unknown property {extra[0]!r}; allowed: {allowed}", allowed, extra[0])
        case "type":
            return (f"expected {value}, found {_kind(instance)} {found}", str(value), found)
        case "const":
            return f"expected {_show(value)}, found {found}", _show(value), found
        case "enum":
            options = ", ".join(_show(v) for v in value)
            return f"expected one of {options}, found {found}", options, found
        case "pattern":
            expected = f"{_what(schema)} matching {value}"
            return f"expected {expected}, found {found}", expected, found
        case "not":
            expected = f"{_what(schema)} without a line feed"
            return f"expected {expected}, found {found}", expected, found
        case "minLength" | "maxLength":
            bound = "at least" if keyword == "minLength" else "at most"
            expected = f"{bound} {value} characters"
            return (f"expected {expected}, found {len(instance)}: {found}", expected, found)
        case "minItems" | "maxItems":
            bound = "at least" if keyword == "minItems" else "at most"
            expected = f"{bound} {value} items"
            return f"expected {expected}, found {len(instance)}", expected, str(len(instance))
        case "minimum" | "maximum":
            sign = "≥" if keyword == "minimum" else "≤"
            expected = f"{_what(schema)} {sign} {value}"
            return f"expected {expected}, found {found}", expected, found
        case "uniqueItems":
            twice = _first_repeat(instance)
            return (
                f"expected unique items, found {_show(twice)} twice",
                "unique items",
                _show(twice),
            )
        case _:
            return error.message, None, None


def _first_repeat(items: list[Any]) -> Any:
    # JSON equality, so a list scan: items may be unhashable objects and arrays.
    for index, item in enumerate(items):
        if item in items[:index]:
            return item
    return None


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """The errors worth reporting under ``error``: for an op, those of the variant it names."""
    instance = error.instance
    if error.validator != "oneOf" or not isinstance(instance, dict):
        yield error
        return
    variants = _op_variants()
    tag = instance.get("type")
    if not isinstance(tag, str) or tag not in variants:
        yield error
        return
    for inner in variants[tag].iter_errors(instance):
        # Re-anchor the variant's relative paths under the op being checked.
        inner.path.extendleft(reversed(error.absolute_path))
        yield from _leaves(inner)


def _op_type_finding(error: ValidationError) -> Finding:
    instance = error.instance
    options = ", ".join(_op_variants())
    at = pointer(list(error.absolute_path))
    if not isinstance(instance, dict):
        found = f"{_kind(instance)} {_show(instance)}"
        return Finding(
            ErrInfo(
                code=SCHEMA_INVALID,
                message=f"expected an op object, found {found} at {at}",
                path=at,
                expected="object",
                found=found,
            )
        )
    if "type" not in instance:
        return Finding(
            ErrInfo(
                code=SCHEMA_INVALID,
                message=f"missing required property 'type' (one of {options}) at {at}",
                path=at,
                expected=options,
            )
        )
    found = _show(instance["type"])
    return Finding(
        ErrInfo(
            code=SCHEMA_INVALID,
            message=f"expected op type one of {options}, found {found} at {at}/type",
            path=at + "/type",
            expected=options,
            found=found,
        )
    )


def _finding(
    error: ValidationError, prefix: Sequence[str | int] = (), code: str = SCHEMA_INVALID
) -> Finding:
    if error.validator == "oneOf" and not prefix:
        return _op_type_finding(error)
    parts: list[str | int] = [*prefix, *error.absolute_path]
    at_key = False
    if "propertyNames" in error.absolute_schema_path:
        # The instance is the key itself; point at it rather than at its object.
        parts.append(str(error.instance))
        at_key = True
    message, expected, found = _message(error)
    if error.validator == "additionalProperties" and found is not None:
        parts.append(found)
        at_key = True
        found = repr(found)
    at = pointer(parts)
    return Finding(
        ErrInfo(
            code=code,
            message=f"{message} at {at or '/'}",
            path=at,
            expected=expected,
            found=found,
        ),
        at_key,
    )


def schema_findings(data: Any) -> list[Finding]:
    """Every schema error in ``data``, rendered; empty when it is valid."""
    findings = [
        _finding(leaf) for error in python_validator().iter_errors(data) for leaf in _leaves(error)
    ]
    return findings


def instance_findings(
    validator: jsonschema.protocols.Validator,
    instance: Any,
    prefix: Sequence[str | int],
    code: str,
) -> list[Finding]:
    """Every error ``validator`` finds in ``instance``, which sits at ``prefix`` in a document."""
    return [_finding(error, prefix, code) for error in validator.iter_errors(instance)]
