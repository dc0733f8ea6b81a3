"""YAML building: composed nodes to plain data under the YAML 1.2 core schema, no constructors."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Final, NoReturn

from pipespec.errors import PARSE_ERROR, VALUE_UNREPRESENTABLE, pointer
from pipespec.read._common import MAX_SAFE_INTEGER, refuse, show
from pipespec.read._json_scan import SURROGATE
from pipespec.read._yaml import (
    MAP_TAG,
    PLAIN_TAG,
    SEQ_TAG,
    STR_TAG,
    Composed,
    Mapping,
    Node,
    Position,
    Scalar,
    Sequence,
)

_CORE: Final = "tag:yaml.org,2002:"
NULL_TAG: Final = _CORE + "null"
BOOL_TAG: Final = _CORE + "bool"
INT_TAG: Final = _CORE + "int"
FLOAT_TAG: Final = _CORE + "float"

_NULLS: Final = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS: Final = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
}
# Explicit [0-9]: \d would also match other scripts' digits.
_DECIMAL: Final = re.compile(r"[-+]?[0-9]+")
_LEADING_ZERO: Final = re.compile(r"[-+]?0[0-9]+")
_OCTAL: Final = re.compile(r"0o[0-7]+")
_HEX: Final = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT: Final = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NOT_A_NUMBER: Final = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
# More significant digits than this is beyond 2^53 in every base the core schema has.
_MOST_DIGITS: Final = 19
_ALLOWED: Final = "!!str, !!int, !!float, !!bool, !!null, !!map and !!seq"


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "an integer" if isinstance(value, int) else "a float"


@dataclass(slots=True, eq=False)
class _Frame:
    node: Sequence | Mapping
    container: Any
    index: int = 0
    seen: dict[str, Position] = field(default_factory=dict)


class _Builder:
    """Walks the node graph iteratively, expanding aliases into fresh copies."""

    def __init__(self, composed: Composed) -> None:
        self.composed = composed
        self.has_floats = False
        self.path: list[str | int] = []

    def fail(self, code: str, message: str, at: Position, path: list[str | int]) -> NoReturn:
        refuse(code, message, path=pointer(path), at=at)

    def run(self) -> tuple[Any, bool]:
        root = self.composed.root
        alias_at = self.composed.alias_at
        path = self.path
        if isinstance(root, Scalar):
            return self.scalar(root, root.at, path), self.has_floats
        top = self.collection(root, root.at)
        stack = [_Frame(root, top)]
        while stack:
            frame = stack[-1]
            node, index = frame.node, frame.index
            if isinstance(node, Sequence):
                if index == len(node.items):
                    stack.pop()
                    if stack:
                        path.pop()
                    continue
                child: Node = node.items[index]
                at = alias_at.get((id(node), index), child.at)
                path.append(index)
                key: str | None = None
            else:
                if index == len(node.pairs):
                    stack.pop()
                    if stack:
                        path.pop()
                    continue
                key_node, child = node.pairs[index]
                key = self.key(key_node, alias_at.get((id(node), 2 * index), key_node.at), frame)
                at = alias_at.get((id(node), 2 * index + 1), child.at)
                path.append(key)
            frame.index = index + 1
            if isinstance(child, Scalar):
                value = self.scalar(child, at, path)
                path.pop()
            else:
                value = self.collection(child, at)
                stack.append(_Frame(child, value))
            if key is None:
                frame.container.append(value)
            else:
                frame.container[key] = value
        return top, self.has_floats

    def collection(self, node: Sequence | Mapping, at: Position) -> Any:
        expected = SEQ_TAG if isinstance(node, Sequence) else MAP_TAG
        if node.tag != expected:
            kind = "sequence" if isinstance(node, Sequence) else "mapping"
            self.fail(PARSE_ERROR, self.tag_problem(node.tag, kind), at, self.path)
        return [] if isinstance(node, Sequence) else {}

    def tag_problem(self, tag: str, kind: str) -> str:
        if tag in (STR_TAG, NULL_TAG, BOOL_TAG, INT_TAG, FLOAT_TAG, SEQ_TAG, MAP_TAG):
            return f"tag {_show_tag(tag)} cannot apply to a {kind}"
        return (
            f"tag {show(_show_tag(tag))} is not allowed: a pipeline document is plain data, "
            f"so only {_ALLOWED} are"
        )

    def key(self, node: Node, at: Position, frame: _Frame) -> str:
        path = self.path
        if not isinstance(node, Scalar):
            kind = "sequence" if isinstance(node, Sequence) else "mapping"
            self.fail(
                PARSE_ERROR,
                f"a mapping key is a {kind}; keys must be strings: write it as a quoted string",
                at,
                path,
            )
        if node.tag == PLAIN_TAG and node.value == "<<":
            self.fail(
                PARSE_ERROR,
                "merge key '<<' is not supported (it is not YAML 1.2 and readers disagree "
                "on it): write the mapping out in full, or quote '<<' for a literal key",
                at,
                path,
            )
        key = self.scalar(node, at, path)
        if not isinstance(key, str):
            self.fail(
                PARSE_ERROR,
                f"mapping key {show(node.value)} is read as {_kind(key)}; keys must be "
                f'strings: quote it, as in "{node.value}":',
                at,
                path,
            )
        first = frame.seen.get(key)
        if first is not None:
            where = pointer(path)
            place = f"at {where}" if where else "in the top-level mapping"
            self.fail(
                PARSE_ERROR,
                f"duplicate key {show(key)} {place} (first at line {first[0]}, column {first[1]})",
                at,
                [*path, key],
            )
        frame.seen[key] = at
        return key

    def scalar(self, node: Scalar, at: Position, path: list[str | int]) -> Any:
        tag, text = node.tag, node.value
        if tag == PLAIN_TAG:
            return self.plain(text, at, path)
        if tag == STR_TAG:
            return self.string(text, at, path)
        value: Any
        if tag == NULL_TAG:
            if text in _NULLS:
                return None
        elif tag == BOOL_TAG:
            value = _BOOLS.get(text)
            if value is not None:
                return value
        elif tag == INT_TAG:
            value = self.integer(text, at, path)
            if value is not None:
                return value
        elif tag == FLOAT_TAG:
            if _FLOAT.fullmatch(text) or _NOT_A_NUMBER.fullmatch(text):
                return self.float(text, at, path)
        else:
            self.fail(PARSE_ERROR, self.tag_problem(tag, "scalar"), at, path)
        self.fail(PARSE_ERROR, f"{show(text)} is not a valid {_show_tag(tag)} value", at, path)

    def plain(self, text: str, at: Position, path: list[str | int]) -> Any:
        if text in _NULLS:
            return None
        boolean = _BOOLS.get(text)
        if boolean is not None:
            return boolean
        number = self.integer(text, at, path)
        if number is not None:
            return number
        if _FLOAT.fullmatch(text) or _NOT_A_NUMBER.fullmatch(text):
            return self.float(text, at, path)
        return self.string(text, at, path)

    def string(self, text: str, at: Position, path: list[str | int]) -> str:
        lone = SURROGATE.search(text)
        if lone is not None:
            self.fail(
                VALUE_UNREPRESENTABLE,
                f"string contains a lone surrogate U+{ord(lone.group()):04X}, which is not "
                "Unicode text",
                at,
                path,
            )
        return text

    def integer(self, text: str, at: Position, path: list[str | int]) -> int | None:
        if _LEADING_ZERO.fullmatch(text):
            # YAML 1.1 reads 0777 as octal 511, YAML 1.2 as decimal 777: both numbers, so
            # the difference would pass every later check unnoticed.
            self.fail(
                PARSE_ERROR,
                f"ambiguous integer {show(text)}: YAML 1.1 reads it as octal, YAML 1.2 as "
                f"decimal; write it without leading zeros, as 0o{text.lstrip('+-0') or '0'} "
                "for octal, or quote it for a string",
                at,
                path,
            )
        if _DECIMAL.fullmatch(text):
            sign, digits, base = (-1 if text[0] == "-" else 1), text.lstrip("+-"), 10
        elif _OCTAL.fullmatch(text):
            sign, digits, base = 1, text[2:], 8
        elif _HEX.fullmatch(text):
            sign, digits, base = 1, text[2:], 16
        else:
            return None
        digits = digits.lstrip("0") or "0"
        # Bound the digits before int(): it refuses over 4300 and is slow well before.
        value = sign * int(digits, base) if len(digits) <= _MOST_DIGITS else MAX_SAFE_INTEGER + 1
        if abs(value) > MAX_SAFE_INTEGER:
            shown = text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"
            refuse(
                VALUE_UNREPRESENTABLE,
                f"integer {shown} is beyond ±(2^53-1), the exact range of a double",
                path=pointer(path),
                at=at,
                expected="an integer within ±9007199254740991",
                found=shown,
            )
        return value

    def float(self, text: str, at: Position, path: list[str | int]) -> float:
        if _NOT_A_NUMBER.fullmatch(text):
            self.fail(
                VALUE_UNREPRESENTABLE,
                f"{show(text)} is not a finite number; canonical JSON has no NaN or infinity",
                at,
                path,
            )
        value = float(text)
        if math.isinf(value):
            self.fail(
                VALUE_UNREPRESENTABLE,
                f"number {show(text)} is too large for a double (it overflows to infinity)",
                at,
                path,
            )
        self.has_floats = True
        return value


def build(composed: Composed) -> tuple[Any, bool]:
    """The plain data of a composed document, and whether it holds a float."""
    return _Builder(composed).run()
