"""A run's input: the reader that turns a path into items, and the digest of what the path holds."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..errors import IO_ERROR, NO_READER, ErrInfo
from ..registry import Entry, Registry
from ..result import Err, Ok, Result

__all__ = ["input_digest", "pick_reader"]

_CHUNK = 1 << 20


def _file_digest(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_CHUNK):
            hasher.update(block)
    return hasher.hexdigest()


def input_digest(path: Path) -> Result[str, ErrInfo]:
    """SHA-256 over what ``path`` holds: a file's bytes, or a folder's files by relative path.

    A folder is hashed as the sorted list of (relative path, file digest) of its regular
    files, symbolic links not followed, so the digest names the content and not the place.
    """
    try:
        if path.is_file():
            return Ok("sha256:" + _file_digest(path))
        if not path.is_dir():
            return Err(
                ErrInfo(code=IO_ERROR, message=f"input {path} does not exist", file=str(path))
            )
        hasher = hashlib.sha256()
        for folder, subfolders, files in os.walk(path):
            subfolders.sort()
            for name in sorted(files):
                member = Path(folder, name)
                if member.is_symlink() or not member.is_file():
                    continue
                relative = member.relative_to(path).as_posix()
                hasher.update(f"{relative}\0{_file_digest(member)}\n".encode())
        return Ok("sha256:" + hasher.hexdigest())
    except OSError as exc:
        return Err(
            ErrInfo(
                code=IO_ERROR, message=f"cannot read input {path}: {exc.strerror}", file=str(path)
            )
        )


def pick_reader(registry: Registry, item_type: str, wanted: str | None) -> Result[Entry, ErrInfo]:
    """The reader producing ``item_type``: the one named ``wanted``, or the only one there is."""
    readers = [
        entry for entry in registry if entry.kind == "reader" and entry.out_type == item_type
    ]
    if wanted is not None:
        chosen = next((entry for entry in readers if entry.id == wanted), None)
        if chosen is not None:
            return Ok(chosen)
        message = f"no reader {wanted!r} producing {item_type!r} is registered"
    elif len(readers) == 1:
        return Ok(readers[0])
    elif readers:
        ids = ", ".join(entry.id for entry in readers)
        message = f"several readers produce {item_type!r} ({ids}); choose one with --reader"
    else:
        message = f"no registered reader produces {item_type!r}, the first op's in_type"
    return Err(ErrInfo(code=NO_READER, message=message, path="/ops/0/in_type"))
