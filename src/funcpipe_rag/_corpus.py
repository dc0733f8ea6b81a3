"""The reader: a folder, text file, Python file or JSONL file becomes a lazy stream of Documents."""

from __future__ import annotations

import ast
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ._items import Document, make_document

__all__ = ["JSONL_SUFFIX", "PYTHON_SUFFIX", "TEXT_SUFFIXES", "Corpus", "Skipped", "read"]

TEXT_SUFFIXES = frozenset({".txt", ".md", ".rst"})
PYTHON_SUFFIX = ".py"
JSONL_SUFFIX = ".jsonl"
# JSONL is read only when it is the input itself: a folder may hold a run's own outputs
# (outputs.jsonl, materialized/*.jsonl), which must not be read back as documents.
_WALKED_SUFFIXES = TEXT_SUFFIXES | {PYTHON_SUFFIX}
# Installed third-party packages are not the corpus: pointing the reader at a Python
# installation reads its standard library, not whatever happens to be installed beside it.
_IGNORED_FOLDERS = frozenset({"__pycache__", "site-packages", "dist-packages"})

_log = logging.getLogger("funcpipe_rag")


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file a folder walk passed over, by its path relative to the folder, and why."""

    path: str
    reason: str


class _Unreadable(Exception):
    """A file that cannot become documents; a walk skips it, a single input reports it."""


class Corpus:
    """The Documents under ``path``, read lazily every time it is iterated.

    A folder is walked depth first in code point order of names, so the order is the same on
    every machine. Hidden files and folders, ``__pycache__``, ``site-packages`` and
    ``dist-packages`` (installed third-party code), and symbolic links whose target
    lies outside the folder are left out, and so are symbolic links to folders (whatever they
    point to inside the tree is walked anyway). ``.txt``, ``.md`` and ``.rst`` files give one
    Document each, ``.py`` files one per docstring; a file that cannot be read, is not UTF-8
    or is not valid Python is skipped and recorded in ``skipped``. Sources are paths relative
    to the folder (with ``::qualname`` for docstrings below module level), so content ids do
    not depend on where the corpus lies.

    A single file is read the same way, but a failure raises ``ValueError``: the caller
    asked for that file. A ``.jsonl`` file gives one Document per non-blank line, an object
    ``{"text", "source"?, "id"?}``; a line that is not one raises ``ValueError`` naming the
    file and the line.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.skipped: list[Skipped] = []

    def __iter__(self) -> Iterator[Document]:
        self.skipped = []
        if self.path.is_dir():
            return self._folder()
        return self._file()

    def _file(self) -> Iterator[Document]:
        path = self.path
        if path.suffix.lower() == JSONL_SUFFIX:
            yield from _jsonl(path)
            return
        try:
            yield from _documents(path, path.name)
        except _Unreadable as exc:
            raise ValueError(f"{path}: {exc}") from None

    def _folder(self) -> Iterator[Document]:
        for path, relative in _walk(self.path, self.skipped):
            try:
                # Gathered first, so a file that fails half-way gives no documents at all.
                found = list(_documents(path, relative))
            except _Unreadable as exc:
                self._skip(relative, str(exc))
                continue
            yield from found

    def _skip(self, relative: str, reason: str) -> None:
        _log.warning("skipped %s: %s", relative, reason)
        self.skipped.append(Skipped(relative, reason))


def read(path: str | os.PathLike[str]) -> Corpus:
    """Documents from a folder, a .txt/.md/.rst/.py file or a .jsonl file, streamed lazily."""
    given = Path(path)
    if not given.exists():
        raise FileNotFoundError(f"input {given} does not exist")
    if given.is_file() and given.suffix.lower() not in _WALKED_SUFFIXES | {JSONL_SUFFIX}:
        known = ", ".join(sorted(_WALKED_SUFFIXES | {JSONL_SUFFIX}))
        raise ValueError(f"input {given} is not a folder or a file of a known kind ({known})")
    return Corpus(given)


def _listing(folder: Path, relative: str, skipped: list[Skipped]) -> list[tuple[Path, str]]:
    try:
        names = sorted(entry.name for entry in os.scandir(folder))
    except OSError as exc:
        reason = f"cannot list the folder: {exc.strerror}"
        _log.warning("skipped %s: %s", relative or ".", reason)
        skipped.append(Skipped(relative or ".", reason))
        return []
    return [(folder / name, f"{relative}/{name}" if relative else name) for name in names]


def _walk(root: Path, skipped: list[Skipped]) -> Iterator[tuple[Path, str]]:
    """Files to read under ``root``, depth first in name order; a stack, not recursion, so no
    folder depth can exhaust the interpreter's."""
    real_root = root.resolve()
    stack = [iter(_listing(root, "", skipped))]
    while stack:
        found = next(stack[-1], None)
        if found is None:
            stack.pop()
            continue
        path, relative = found
        if path.name.startswith("."):
            continue
        try:
            if path.is_symlink():
                if not path.resolve(strict=True).is_relative_to(real_root):
                    reason = "symbolic link to a place outside the folder"
                    _log.warning("skipped %s: %s", relative, reason)
                    skipped.append(Skipped(relative, reason))
                    continue
                if path.is_dir():
                    continue
            if path.is_dir():
                if path.name not in _IGNORED_FOLDERS:
                    stack.append(iter(_listing(path, relative, skipped)))
            elif path.suffix.lower() in _WALKED_SUFFIXES and path.is_file():
                yield path, relative
        except (OSError, RuntimeError) as exc:
            # RuntimeError: a symbolic link loop, as Path.resolve reports it before 3.13.
            reason = f"cannot follow: {exc}"
            _log.warning("skipped %s: %s", relative, reason)
            skipped.append(Skipped(relative, reason))


def _documents(path: Path, relative: str) -> Iterator[Document]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _Unreadable(f"cannot read: {exc.strerror}") from None
    if path.suffix.lower() == PYTHON_SUFFIX:
        yield from _docstrings(data, relative)
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Unreadable(f"not UTF-8 text (byte {exc.start})") from None
    yield make_document(relative, text.removeprefix("\ufeff"))


def _docstrings(data: bytes, relative: str) -> Iterator[Document]:
    """A Document per module, class and function docstring: the file is parsed, never run."""
    try:
        # Bytes, so a PEP 263 coding line is honoured as Python itself would.
        tree = ast.parse(data, filename=relative)
    except (SyntaxError, ValueError, RecursionError) as exc:
        raise _Unreadable(f"not valid Python: {type(exc).__name__}: {exc}") from None
    module_doc = ast.get_docstring(tree)
    if module_doc:
        yield make_document(relative, module_doc)
    # Definitions can sit in any statement (if, try, with); walk every node in source order
    # with an explicit stack, carrying the dotted name of the enclosing definitions.
    stack: list[tuple[ast.AST, str]] = [(node, "") for node in reversed(tree.body)]
    while stack:
        node, outer = stack.pop()
        inner = outer
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            inner = f"{outer}.{node.name}" if outer else node.name
            doc = ast.get_docstring(node)
            if doc:
                yield make_document(f"{relative}::{inner}", doc)
        stack.extend((child, inner) for child in reversed(list(ast.iter_child_nodes(node))))


def _jsonl(path: Path) -> Iterator[Document]:
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            yield _jsonl_document(path, number, raw)


def _jsonl_document(path: Path, number: int, raw: bytes) -> Document:
    where = f"{path}, line {number}"
    try:
        line = raw.decode("utf-8").rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{where}: not UTF-8 (byte {exc.start})") from None
    if number == 1:
        line = line.removeprefix("\ufeff")
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{where}: not valid JSON: {exc.msg} at column {exc.pos + 1}") from None
    if not isinstance(record, dict):
        found = type(record).__name__
        raise ValueError(f'{where}: expected an object {{"text", "source"?, "id"?}}, found {found}')
    text = record.get("text")
    if not isinstance(text, str):
        raise ValueError(f'{where}: "text" must be a string, found {type(text).__name__}')
    source = record.get("source", f"{path.name}:{number}")
    if not isinstance(source, str):
        raise ValueError(f'{where}: "source" must be a string, found {type(source).__name__}')
    given_id = record.get("id")
    if given_id is not None and not isinstance(given_id, str):
        raise ValueError(f'{where}: "id" must be a string, found {type(given_id).__name__}')
    try:
        return make_document(source, text, given_id)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
