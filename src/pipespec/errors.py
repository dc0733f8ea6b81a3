"""Error values: ``ErrInfo`` and the stable codes every refusal carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "CODES",
    "DUPLICATE_NAME",
    "HASH_MISMATCH",
    "IO_ERROR",
    "LIMIT_EXCEEDED",
    "PARSE_ERROR",
    "SCHEMA_INVALID",
    "UNKNOWN_REFERENCE",
    "UNSEALED",
    "VALUE_UNREPRESENTABLE",
    "ErrInfo",
    "escape_pointer_token",
    "pointer",
]

IO_ERROR: Final = "IO_ERROR"
PARSE_ERROR: Final = "PARSE_ERROR"
LIMIT_EXCEEDED: Final = "LIMIT_EXCEEDED"
VALUE_UNREPRESENTABLE: Final = "VALUE_UNREPRESENTABLE"
SCHEMA_INVALID: Final = "SCHEMA_INVALID"
DUPLICATE_NAME: Final = "DUPLICATE_NAME"
UNKNOWN_REFERENCE: Final = "UNKNOWN_REFERENCE"
HASH_MISMATCH: Final = "HASH_MISMATCH"
UNSEALED: Final = "UNSEALED"

CODES: Final[dict[str, str]] = {
    IO_ERROR: "The file could not be read (missing, a directory, no permission).",
    PARSE_ERROR: (
        "Not a well-formed JSON or YAML document: a syntax error, bytes that are not UTF-8, "
        "a byte order mark, a NUL character, an empty file, a duplicate key, a YAML tag "
        "or merge key, or a recursive alias."
    ),
    LIMIT_EXCEEDED: (
        "The document is larger, deeper or has longer strings, more values or more YAML "
        "aliases than the configured limits allow."
    ),
    VALUE_UNREPRESENTABLE: (
        "A value RFC 8785 canonical JSON cannot represent: NaN, an infinity, an integer "
        "beyond ±(2^53-1) or a string with a lone surrogate."
    ),
    SCHEMA_INVALID: "The document does not match the pipeline schema.",
    DUPLICATE_NAME: "Two ops share a name.",
    UNKNOWN_REFERENCE: (
        "A name used inside the document is not defined in it: a Combine op's `monoid_id` "
        "missing from `monoids`, or a materialization point naming no op."
    ),
    HASH_MISMATCH: "A `version` digest does not match the content it covers.",
    UNSEALED: "A `version` digest is missing: seal the document with `pipespec seal`.",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrInfo:
    """One refusal: a stable ``code``, a message, and where it applies.

    ``path`` is an RFC 6901 JSON Pointer into the document ("" for the whole of it);
    ``line`` and ``column`` are 1-based positions in the source text when known.
    """

    code: str
    message: str
    path: str = ""
    line: int | None = None
    column: int | None = None
    expected: str | None = None
    found: str | None = None
    file: str | None = None

    def to_report(self) -> dict[str, Any]:
        """The error as a JSON object valid against ``error-report.schema.json#/$defs/report``."""
        report: dict[str, Any] = {"code": self.code, "message": self.message, "path": self.path}
        for key in ("file", "line", "column", "expected", "found"):
            value = getattr(self, key)
            if value is not None:
                report[key] = value
        return report


def escape_pointer_token(token: str | int) -> str:
    """One reference token of a JSON Pointer, escaped as RFC 6901 requires."""
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """The JSON Pointer naming the node reached by ``parts`` from the root."""
    return "".join("/" + escape_pointer_token(part) for part in parts)
