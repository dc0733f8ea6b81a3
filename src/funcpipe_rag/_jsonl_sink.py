"""rag.sink.jsonl: items as JSON lines in a file replaced atomically when the run closes it."""

from __future__ import annotations

import json
import os
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

from pipespec.registry import RunContext

from ._target import output_file

__all__ = ["JsonlFile", "merge_jsonl_receipts", "open_jsonl", "shard_path"]

_NEW_FILE_MODE = 0o644


def _discard(stream: TextIO, temporary: Path) -> None:
    stream.close()
    temporary.unlink(missing_ok=True)


class JsonlFile:
    """The writer rag.sink.jsonl opens: lines go to a hidden temporary file beside the target,
    which replaces the target at close, so a retried run replaces the file, never appends to
    it, and a reader never sees half a run. A run that stops before close leaves the target
    as it was and the temporary file is removed when the writer is collected."""

    def __init__(self, file: Path, relative: str) -> None:
        self._file = file
        self._relative = relative
        self._written = 0
        self._receipt: dict[str, Any] | None = None
        handle, name = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
        self._temporary = Path(name)
        self._stream = os.fdopen(handle, "w", encoding="utf-8", newline="\n")
        self._cleanup = weakref.finalize(self, _discard, self._stream, self._temporary)

    def write(self, item: Any) -> None:
        """Append one item as a line of JSON; an item JSON cannot hold writes nothing."""
        line = json.dumps(item, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        self._stream.write(line + "\n")
        self._written += 1

    def close(self) -> dict[str, Any]:
        """Flush, then put the file in place of the target; the receipt names it and its lines."""
        if self._receipt is None:
            self._cleanup.detach()
            try:
                self._stream.flush()
                os.fsync(self._stream.fileno())
                self._stream.close()
                # mkstemp makes the file private; keep the mode a file already there had.
                mode = self._file.stat().st_mode & 0o777 if self._file.exists() else None
                os.chmod(self._temporary, _NEW_FILE_MODE if mode is None else mode)
                os.replace(self._temporary, self._file)
            except BaseException:
                _discard(self._stream, self._temporary)
                raise
            self._receipt = {"path": self._relative, "written": self._written}
        return self._receipt


def shard_path(path: str, partition: int) -> str:
    """Where partition ``partition`` of a partitioned run writes: ``chunks.jsonl`` becomes
    ``chunks.part-00003.jsonl``, beside it."""
    posix = PurePosixPath(path)
    return str(posix.with_name(f"{posix.stem}.part-{partition:05d}{posix.suffix}"))


def merge_jsonl_receipts(receipts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """One receipt for a partitioned run: the lines add up; ``parts`` names the shard files."""
    parts = [str(receipt["path"]) for receipt in receipts]
    first = PurePosixPath(parts[0])
    stem = first.stem.rsplit(".part-", 1)[0]
    return {
        "path": str(first.with_name(stem + first.suffix)),
        "written": sum(int(receipt["written"]) for receipt in receipts),
        "parts": parts,
    }


def open_jsonl(params: Mapping[str, Any], context: RunContext) -> JsonlFile:
    """Writes items as JSON lines to a file under the run's output folder, replaced atomically;
    one file per partition when a distributed backend runs it (see ``shard_path``)."""
    path = str(params["path"])
    if context.partition is not None:
        path = shard_path(path, context.partition)
    return JsonlFile(output_file(context, path, "rag.sink.jsonl"), path)
