"""Slow JSON path: an iterative scanner that knows where every value is, for refusals and locate."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from json.decoder import JSONDecodeError
from typing import Any, Final, NoReturn

from pipespec.errors import LIMIT_EXCEEDED, PARSE_ERROR, VALUE_UNREPRESENTABLE, pointer
from pipespec.limits import Limits
from pipespec.read._common import MAX_SAFE_INTEGER, line_col, refuse, show, skip_ws

_NUMBER: Final = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
SURROGATE: Final = re.compile(r"[\ud800-\udfff]")
# The C string scanner json.loads itself uses: same escapes, same errors, same positions.
scanstring: Final[Callable[[str, int, bool], tuple[str, int]]] = json.decoder.scanstring  # type: ignore[attr-defined]
_LITERALS: Final = (("null", None), ("true", True), ("false", False))
_CONSTANTS: Final = ("NaN", "Infinity", "-Infinity")
_INDEX: Final = re.compile(r"0|[1-9][0-9]*")
# Skipping uses the C scanner; its NaN/Infinity leniency is harmless on text already read.
_SKIPPER: Final = json.JSONDecoder()
_STRUCTURE: Final = re.compile(r'["\[\]{}]')


def number_text(text: str, limit: int = 40) -> str:
    """A number's source text for a message, shortened: it may be thousands of digits long."""
    return text if len(text) <= limit else f"{text[:20]}...({len(text)} characters)"


class _Scanner:
    """Reads one JSON text left to right, refusing the first problem in document order."""

    def __init__(self, text: str, limits: Limits) -> None:
        self.text = text
        self.limits = limits
        self.path: list[str | int] = []
        self.nodes = 0
        self.has_floats = False

    def fail(
        self,
        code: str,
        message: str,
        offset: int,
        *,
        path: list[str | int] | None = None,
        expected: str | None = None,
        found: str | None = None,
    ) -> NoReturn:
        where = pointer(self.path if path is None else path)
        refuse(
            code,
            message,
            path=where,
            at=line_col(self.text, offset),
            expected=expected,
            found=found,
        )

    def syntax(self, message: str, offset: int) -> NoReturn:
        line, column = line_col(self.text, offset)
        message = message.removesuffix(" at")
        self.fail(
            PARSE_ERROR, f"JSON syntax error at line {line}, column {column}: {message}", offset
        )

    def run(self) -> tuple[Any, bool]:
        text, limits = self.text, self.limits
        end = len(text)
        path = self.path
        # One entry per open container: the container and, for objects, where each key was.
        stack: list[tuple[Any, dict[str, int] | None]] = []
        i = skip_ws(text, 0)
        if i == end:
            refuse(PARSE_ERROR, "empty document")
        while True:
            # A value starts at i.
            self.nodes += 1
            if self.nodes > limits.max_nodes:
                self.fail(
                    LIMIT_EXCEEDED,
                    f"more than {limits.max_nodes} values in the document",
                    i,
                    expected=f"at most {limits.max_nodes} values",
                )
            char = text[i : i + 1]
            value: Any
            if char == "{" or char == "[":
                if len(stack) >= limits.max_depth:
                    self.fail(
                        LIMIT_EXCEEDED,
                        f"nesting deeper than the limit of {limits.max_depth}",
                        i,
                        expected=f"at most {limits.max_depth} levels",
                    )
                i = skip_ws(text, i + 1)
                if char == "{":
                    value = {}
                    if text.startswith("}", i):
                        i += 1
                    else:
                        firsts: dict[str, int] = {}
                        stack.append((value, firsts))
                        i = self.member(i, firsts)
                        continue
                else:
                    value = []
                    if text.startswith("]", i):
                        i += 1
                    else:
                        stack.append((value, None))
                        path.append(0)
                        continue
            else:
                value, i = self.scalar(i)
            # The value ends at i: store it, then read separators and closing brackets.
            while True:
                if not stack:
                    i = skip_ws(text, i)
                    if i != end:
                        self.syntax("Extra data", i)
                    return value, self.has_floats
                container, keys = stack[-1]
                if keys is None:
                    container.append(value)
                else:
                    container[path[-1]] = value
                i = skip_ws(text, i)
                char = text[i : i + 1]
                if char == ",":
                    i = skip_ws(text, i + 1)
                    if keys is None:
                        path[-1] = len(container)
                    else:
                        path.pop()
                        i = self.member(i, keys)
                    break
                if char == ("]" if keys is None else "}"):
                    i += 1
                    stack.pop()
                    path.pop()
                    value = container
                    continue
                self.syntax("Expecting ',' delimiter", i)

    def member(self, i: int, keys: dict[str, int]) -> int:
        """Read an object member's key and colon at i; return where its value starts."""
        text = self.text
        if not text.startswith('"', i):
            self.syntax("Expecting property name enclosed in double quotes", i)
        key, after = self.string(i, key=True)
        first = keys.get(key)
        if first is not None:
            line, column = line_col(text, first)
            where = pointer(self.path)
            self.fail(
                PARSE_ERROR,
                f"duplicate key {show(key)} "
                f"{f'at {where}' if where else 'in the top-level object'} "
                f"(first at line {line}, column {column})",
                i,
                path=[*self.path, key],
            )
        keys[key] = i
        self.path.append(key)
        colon = skip_ws(text, after)
        if not text.startswith(":", colon):
            self.syntax("Expecting ':' delimiter", colon)
        return skip_ws(text, colon + 1)

    def string(self, i: int, *, key: bool = False) -> tuple[str, int]:
        try:
            value, after = scanstring(self.text, i + 1, True)
        except JSONDecodeError as exc:
            self.syntax(exc.msg, exc.pos)
        what = "key" if key else "string"
        if len(value) > self.limits.max_string_length:
            self.fail(
                LIMIT_EXCEEDED,
                f"{what} of {len(value)} characters is longer than the limit of "
                f"{self.limits.max_string_length}",
                i,
                expected=f"at most {self.limits.max_string_length} characters",
                found=f"{len(value)} characters",
            )
        lone = SURROGATE.search(value)
        if lone is not None:
            self.fail(
                VALUE_UNREPRESENTABLE,
                f"{what} contains a lone surrogate U+{ord(lone.group()):04X} "
                "(an unpaired \\ud800-\\udfff escape), which is not Unicode text",
                i,
            )
        return value, after

    def scalar(self, i: int) -> tuple[Any, int]:
        text = self.text
        char = text[i : i + 1]
        if char == '"':
            return self.string(i)
        for constant in _CONSTANTS:
            if text.startswith(constant, i):
                self.fail(
                    VALUE_UNREPRESENTABLE,
                    f"{constant} is not a number canonical JSON can represent",
                    i,
                    found=constant,
                )
        if char and char in "-0123456789":
            match = _NUMBER.match(text, i)
            if match is not None:
                return self.number(match.group(), match.group(1) or match.group(2), i), match.end()
        for literal, value in _LITERALS:
            if text.startswith(literal, i):
                return value, i + len(literal)
        self.syntax("Expecting value", i)

    def number(self, source: str, is_float: str | None, i: int) -> int | float:
        if is_float:
            value = float(source)
            if math.isinf(value):
                self.fail(
                    VALUE_UNREPRESENTABLE,
                    f"number {number_text(source)} is too large for a double (it overflows "
                    "to infinity)",
                    i,
                    found=number_text(source),
                )
            self.has_floats = True
            return value
        # Count digits first: int() refuses more than 4300 of them, and is slow well before that.
        # JSON forbids leading zeros, so 17 digits are always out of range.
        number = int(source) if len(source.lstrip("-")) <= 16 else MAX_SAFE_INTEGER + 1
        if abs(number) > MAX_SAFE_INTEGER:
            self.fail(
                VALUE_UNREPRESENTABLE,
                f"integer {number_text(source)} is beyond ±(2^53-1), the exact range of a double",
                i,
                expected="an integer within ±9007199254740991",
                found=number_text(source),
            )
        return number


def scan(text: str, limits: Limits) -> tuple[Any, bool]:
    """Parse ``text`` with every check; raise Refusal at the first problem in document order."""
    return _Scanner(text, limits).run()


def _skip(text: str, i: int) -> int:
    """The offset just past the JSON value starting at ``i`` in already-validated text."""
    try:
        return _SKIPPER.raw_decode(text, i)[1]
    except RecursionError:
        pass
    # Too deep for the C scanner: match brackets iteratively instead.
    depth = 0
    while True:
        match = _STRUCTURE.search(text, i)
        if match is None:
            return len(text)
        i = match.end()
        char = match.group()
        if char == '"':
            i = scanstring(text, i, True)[1]
        elif char in "[{":
            depth += 1
        else:
            depth -= 1
        if depth == 0:
            return i


def locate_json(text: str, tokens: list[str], key: bool) -> tuple[int, int] | None:
    """Where the value (or, with ``key``, the member key) named by ``tokens`` starts."""
    i = skip_ws(text, 0)
    for depth, token in enumerate(tokens):
        char = text[i : i + 1]
        if char == "{":
            i = skip_ws(text, i + 1)
            while True:
                if not text.startswith('"', i):
                    return None
                start = i
                name, i = scanstring(text, i + 1, True)
                i = skip_ws(text, skip_ws(text, i) + 1)
                if name == token:
                    if key and depth == len(tokens) - 1:
                        return line_col(text, start)
                    break
                i = skip_ws(text, _skip(text, i))
                if not text.startswith(",", i):
                    return None
                i = skip_ws(text, i + 1)
        elif char == "[":
            if _INDEX.fullmatch(token) is None:
                return None
            i = skip_ws(text, i + 1)
            if text.startswith("]", i):
                return None
            for _ in range(int(token)):
                i = skip_ws(text, _skip(text, i))
                if not text.startswith(",", i):
                    return None
                i = skip_ws(text, i + 1)
        else:
            return None
    return line_col(text, i)
