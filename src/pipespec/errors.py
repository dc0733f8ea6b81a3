"""Error values: ``ErrInfo`` and the stable codes every refusal carries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "BACKEND_UNAVAILABLE",
    "BUILD_FAILED",
    "CODES",
    "CONTRACT_MISMATCH",
    "DUPLICATE_NAME",
    "HASH_MISMATCH",
    "INPUT_FAILED",
    "IO_ERROR",
    "LIMIT_EXCEEDED",
    "NO_READER",
    "OP_FAILED",
    "PARAMS_INVALID",
    "PARSE_ERROR",
    "RECONSTRUCT_FAIL",
    "REGISTRY_ERROR",
    "SCHEMA_INVALID",
    "TYPE_MISMATCH",
    "UNALLOWED_OP",
    "UNALLOWED_SINK",
    "UNKNOWN_MONOID",
    "UNKNOWN_OP",
    "UNKNOWN_REFERENCE",
    "UNKNOWN_SINK",
    "UNSAFE_SINK",
    "UNSEALED",
    "VALUE_UNREPRESENTABLE",
    "VERSION_MISMATCH",
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
UNALLOWED_OP: Final = "UNALLOWED_OP"
UNALLOWED_SINK: Final = "UNALLOWED_SINK"
UNKNOWN_OP: Final = "UNKNOWN_OP"
UNKNOWN_SINK: Final = "UNKNOWN_SINK"
UNKNOWN_MONOID: Final = "UNKNOWN_MONOID"
VERSION_MISMATCH: Final = "VERSION_MISMATCH"
PARAMS_INVALID: Final = "PARAMS_INVALID"
TYPE_MISMATCH: Final = "TYPE_MISMATCH"
CONTRACT_MISMATCH: Final = "CONTRACT_MISMATCH"
RECONSTRUCT_FAIL: Final = "RECONSTRUCT_FAIL"
REGISTRY_ERROR: Final = "REGISTRY_ERROR"
BUILD_FAILED: Final = "BUILD_FAILED"
INPUT_FAILED: Final = "INPUT_FAILED"
OP_FAILED: Final = "OP_FAILED"
NO_READER: Final = "NO_READER"
BACKEND_UNAVAILABLE: Final = "BACKEND_UNAVAILABLE"
UNSAFE_SINK: Final = "UNSAFE_SINK"

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
    UNSEALED: (
        "A `version` digest or a registry version pin is missing: seal the document with "
        "`pipespec seal`."
    ),
    UNALLOWED_OP: "A function, lift or monoid factory id is not in the allow-list the code passed.",
    UNALLOWED_SINK: "A sink id is not in the allow-list the code passed.",
    UNKNOWN_OP: "No registry entry of the kind the op needs has this function or lift id.",
    UNKNOWN_SINK: "No sink is registered under this id.",
    UNKNOWN_MONOID: "No built-in monoid or registered monoid factory has this name.",
    VERSION_MISMATCH: "The version the document pins differs from the registry entry's version.",
    PARAMS_INVALID: "An op's or monoid's params do not match its registry entry's params schema.",
    TYPE_MISMATCH: (
        "Declared types disagree: an op and its registry entry, two consecutive ops, a lift "
        "and its monoid, or an op type and the kind of entry it names."
    ),
    CONTRACT_MISMATCH: "A Sink op's declared contract differs from its registry entry's.",
    RECONSTRUCT_FAIL: "Reconstruction failed unexpectedly; the message says why (a bug to report).",
    REGISTRY_ERROR: "The installed registry plugins are inconsistent (an id registered twice).",
    BUILD_FAILED: "A registry entry could not be built when the run started.",
    INPUT_FAILED: "Reading the input items failed.",
    OP_FAILED: "An item failed in an op whose error policy is fail_fast; the run stopped.",
    NO_READER: "No registered reader (or several) produces the first op's input type.",
    BACKEND_UNAVAILABLE: "The backend the spec or the command line asks for is not available.",
    UNSAFE_SINK: (
        "A sink that is not idempotent would run on a backend that may retry tasks, so a "
        "retried task could write twice; refused before anything runs."
    ),
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
