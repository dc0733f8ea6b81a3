"""YAML composing: PyYAML's event parser feeding an iterative composer that enforces the limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    StreamEndEvent,
)

from pipespec.errors import LIMIT_EXCEEDED, PARSE_ERROR, ErrInfo, pointer
from pipespec.limits import Limits
from pipespec.read._common import Refusal, line_col, refuse

# Untagged plain scalars get a tag no document can spell, so that an explicit `!!str 1`
# stays distinguishable from a plain `1` that the core schema resolves to an int.
PLAIN_TAG: Final = "tag:pipespec.invalid,2024:plain"
STR_TAG: Final = "tag:yaml.org,2002:str"
SEQ_TAG: Final = "tag:yaml.org,2002:seq"
MAP_TAG: Final = "tag:yaml.org,2002:map"

_LIBYAML: Final[bool] = bool(getattr(yaml, "__with_libyaml__", False))
# libyaml's own fixed nesting limit; past it the pure-Python parser takes over.
_LIBYAML_TOO_DEEP: Final = "maximum nesting depth"

Position = tuple[int, int]


@dataclass(slots=True, eq=False)
class Scalar:
    """A scalar: its tag (PLAIN_TAG when untagged and plain) and its text."""

    tag: str
    value: str
    at: Position


@dataclass(slots=True, eq=False)
class Sequence:
    """A sequence of nodes."""

    tag: str
    items: list[Node]
    at: Position


@dataclass(slots=True, eq=False)
class Mapping:
    """A mapping, as its (key, value) node pairs in document order."""

    tag: str
    pairs: list[tuple[Node, Node]]
    at: Position


Node = Scalar | Sequence | Mapping


@dataclass(slots=True)
class Composed:
    """The node graph of a document (aliases share nodes) and where each alias was used.

    ``alias_at`` maps (id of the parent node, slot) to the alias's position; the slot is the
    item index in a sequence, ``2 * pair`` for a mapping key and ``2 * pair + 1`` for its value.
    """

    root: Node
    alias_at: dict[tuple[int, int], Position]


class _Parser(Protocol):
    def get_event(self) -> Any: ...

    def dispose(self) -> None: ...


class _PurePythonParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's pure-Python reader, scanner and parser: events only, no composer or constructor."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


def _position(mark: Any) -> Position:
    return mark.line + 1, mark.column + 1


@dataclass(slots=True, eq=False)
class _Open:
    """A collection being composed."""

    node: Sequence | Mapping
    anchor: str | None
    # Inside a mapping key: its values count toward no limit (keys must be scalars anyway).
    under_key: bool
    size: int = 1
    height: int = 1
    key: Node | None = None


@dataclass(slots=True)
class _Composer:
    parser: _Parser
    limits: Limits
    stack: list[_Open] = field(default_factory=list)
    anchors: dict[str, tuple[Node, int, int]] = field(default_factory=dict)
    open_anchors: set[str] = field(default_factory=set)
    alias_at: dict[tuple[int, int], Position] = field(default_factory=dict)
    values: int = 0
    aliases: int = 0

    def path(self) -> str:
        """The pointer of the node being composed, as far as it is known."""
        tokens: list[str | int] = []
        for frame in self.stack:
            node = frame.node
            if isinstance(node, Sequence):
                tokens.append(len(node.items))
            elif isinstance(frame.key, Scalar):
                tokens.append(frame.key.value)
            else:
                break
        return pointer(tokens)

    def in_key(self) -> bool:
        if not self.stack:
            return False
        top = self.stack[-1]
        return top.under_key or (isinstance(top.node, Mapping) and top.key is None)

    def count(self, values: int, at: Position) -> None:
        self.values += values
        if self.values > self.limits.max_nodes:
            refuse(
                LIMIT_EXCEEDED,
                f"more than {self.limits.max_nodes} values in the document "
                "(counting every alias expansion)",
                path=self.path(),
                at=at,
                expected=f"at most {self.limits.max_nodes} values",
            )

    def too_deep(self, at: Position) -> None:
        refuse(
            LIMIT_EXCEEDED,
            f"nesting deeper than the limit of {self.limits.max_depth}",
            path=self.path(),
            at=at,
            expected=f"at most {self.limits.max_depth} levels",
        )

    def run(self) -> Composed:
        get = self.parser.get_event
        get()  # StreamStartEvent
        event = get()
        if isinstance(event, StreamEndEvent):
            refuse(PARSE_ERROR, "empty document (nothing but comments or whitespace)")
        version = getattr(event, "version", None)
        if version is not None and tuple(version) != (1, 2):
            # A document that asks for YAML 1.1 means yes/no booleans and 0777 octals;
            # reading it as 1.2 would silently change its values.
            refuse(
                PARSE_ERROR,
                f"the document declares %YAML {version[0]}.{version[1]}, but pipespec reads "
                "YAML 1.2 only: change the directive to %YAML 1.2 or remove it",
                at=_position(event.start_mark),
            )
        root = self.compose()
        get()  # DocumentEndEvent
        event = get()
        if not isinstance(event, StreamEndEvent):
            refuse(
                PARSE_ERROR,
                "more than one document in the stream; a pipeline is a single document",
                at=_position(event.start_mark),
            )
        return Composed(root, self.alias_at)

    def compose(self) -> Node:
        """Compose one document's root node from events, with an explicit stack."""
        get = self.parser.get_event
        limits = self.limits
        stack = self.stack
        while True:
            event = get()
            at = _position(event.start_mark)
            node: Node
            is_alias = False
            if isinstance(event, (SequenceEndEvent, MappingEndEvent)):
                done = stack.pop()
                node, size, height = done.node, done.size, done.height
                if done.anchor is not None:
                    self.open_anchors.discard(done.anchor)
                    self.anchors[done.anchor] = (node, size, height)
            elif isinstance(event, AliasEvent):
                node, size, height = self.alias(event, at)
                is_alias = True
            else:
                anchor = event.anchor
                if anchor is not None and (anchor in self.anchors or anchor in self.open_anchors):
                    refuse(
                        PARSE_ERROR,
                        f"duplicate anchor &{anchor}; readers disagree on which one an alias "
                        "means, so give each anchor its own name",
                        path=self.path(),
                        at=at,
                    )
                if isinstance(event, ScalarEvent):
                    # Height counts nesting levels, which only collections add.
                    node, size, height = self.scalar(event, at), 1, 0
                    if anchor is not None:
                        self.anchors[anchor] = (node, 1, 0)
                else:
                    if len(stack) >= limits.max_depth:
                        self.too_deep(at)
                    tag = event.tag
                    is_mapping = isinstance(event, MappingStartEvent)
                    if tag is None or tag == "!":
                        tag = MAP_TAG if is_mapping else SEQ_TAG
                    opened: Sequence | Mapping = (
                        Mapping(tag, [], at) if is_mapping else Sequence(tag, [], at)
                    )
                    under_key = self.in_key()
                    if not under_key:
                        self.count(1, at)
                    stack.append(_Open(opened, anchor, under_key))
                    if anchor is not None:
                        self.open_anchors.add(anchor)
                    continue
            if not stack:
                return node
            self.attach(stack[-1], node, size, height, at if is_alias else None)

    def scalar(self, event: Any, at: Position) -> Scalar:
        value: str = event.value
        if len(value) > self.limits.max_string_length:
            refuse(
                LIMIT_EXCEEDED,
                f"string of {len(value)} characters is longer than the limit of "
                f"{self.limits.max_string_length}",
                path=self.path(),
                at=at,
                expected=f"at most {self.limits.max_string_length} characters",
                found=f"{len(value)} characters",
            )
        tag = event.tag
        if tag is None:
            # implicit[0] is set exactly for plain scalars; quoted ones are always strings.
            tag = PLAIN_TAG if event.implicit[0] else STR_TAG
        elif tag == "!":
            tag = STR_TAG
        if not self.in_key():
            self.count(1, at)
        return Scalar(tag, value, at)

    def alias(self, event: Any, at: Position) -> tuple[Node, int, int]:
        limits = self.limits
        self.aliases += 1
        if self.aliases > limits.max_aliases:
            refuse(
                LIMIT_EXCEEDED,
                f"more than {limits.max_aliases} alias uses in the document",
                path=self.path(),
                at=at,
                expected=f"at most {limits.max_aliases} aliases",
            )
        name: str = event.anchor
        if name in self.open_anchors:
            refuse(
                PARSE_ERROR,
                f"recursive alias *{name} refers to a node that contains it",
                path=self.path(),
                at=at,
            )
        target = self.anchors.get(name)
        if target is None:
            refuse(PARSE_ERROR, f"alias *{name} names no anchor before it", path=self.path(), at=at)
        height = target[2]
        if len(self.stack) + height > limits.max_depth:
            self.too_deep(at)
        if not self.in_key():
            self.count(target[1], at)
        return target

    def attach(
        self, parent: _Open, node: Node, size: int, height: int, alias_at: Position | None
    ) -> None:
        holder = parent.node
        if isinstance(holder, Sequence):
            slot = len(holder.items)
            holder.items.append(node)
            parent.size += size
        elif parent.key is None:
            slot = 2 * len(holder.pairs)
            parent.key = node
        else:
            slot = 2 * len(holder.pairs) + 1
            holder.pairs.append((parent.key, node))
            parent.key = None
            parent.size += size
        if alias_at is not None:
            self.alias_at[(id(holder), slot)] = alias_at
        parent.height = max(parent.height, height + 1)


def _syntax_error(exc: yaml.YAMLError, text: str, path: str, from_libyaml: bool) -> Refusal:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        at = _position(mark) if mark is not None else None
        detail = ": ".join(part for part in (exc.context, exc.problem) if part)
    elif isinstance(exc, yaml.reader.ReaderError):
        offset = exc.position
        if from_libyaml:
            # libyaml reports reader errors as a byte offset into the UTF-8 encoding.
            offset = len(text.encode("utf-8")[:offset].decode("utf-8", "ignore"))
        at = line_col(text, offset)
        character = exc.character
        code = character if isinstance(character, int) else ord(character)
        detail = f"{exc.reason}: U+{code:04X}"
    else:
        at, detail = None, str(exc)
    where = f" at line {at[0]}, column {at[1]}" if at is not None else ""
    line, column = at if at is not None else (None, None)
    return Refusal(
        ErrInfo(
            code=PARSE_ERROR,
            message=f"YAML syntax error{where}: {detail or 'malformed document'}",
            path=path,
            line=line,
            column=column,
        )
    )


def _parser(text: str, from_libyaml: bool) -> _Parser:
    if from_libyaml:
        from yaml._yaml import CParser

        parser: _Parser = CParser(text)
        return parser
    return _PurePythonParser(text)


def compose(text: str, limits: Limits, *, pure_python: bool = False) -> Composed:
    """Compose the single document in ``text``; raise Refusal for anything refused."""
    from_libyaml = _LIBYAML and not pure_python
    composer: _Composer | None = None
    try:
        # The pure-Python reader checks every character as it is constructed.
        composer = _Composer(_parser(text, from_libyaml), limits)
        return composer.run()
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or ""
        if from_libyaml and _LIBYAML_TOO_DEEP in problem:
            return compose(text, limits, pure_python=True)
        path = composer.path() if composer is not None else ""
        raise _syntax_error(exc, text, path, from_libyaml) from None
    finally:
        if composer is not None:
            composer.parser.dispose()
