"""Where a sink writes: a relative path under the run's output folder, never outside it."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from pipespec.registry import RunContext

__all__ = ["PATH_SCHEMA", "output_file"]

PATH_SCHEMA: dict[str, Any] = {
    "type": "string",
    "description": "A relative path under the run's output folder: no absolute path, "
    "no empty, `.` or `..` segment.",
    "minLength": 1,
    "maxLength": 255,
    "pattern": "^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$",
    # Python's `$` also matches before a final line feed; ECMAScript's does not.
    "not": {"type": "string", "pattern": "\\n"},
}


def _inside(root: Path, path: Path, given: str) -> None:
    if not path.resolve().is_relative_to(root):
        raise ValueError(f"path {given!r} leads outside the output folder {root} (a symbolic link)")


def output_file(context: RunContext, path: str, sink_id: str) -> Path:
    """The file ``path`` names under ``context.output_dir``, its folders created.

    The params schema already refuses absolute paths and ``.`` or ``..`` segments; this also
    refuses a path that a symbolic link inside the output folder would lead elsewhere.
    """
    if context.output_dir is None:
        raise ValueError(
            f"{sink_id} writes under the run's output folder, and this run has none: "
            "run it with RunContext(output_dir=...)"
        )
    parts = PurePosixPath(path).parts
    if path.startswith("/") or any(part in ("", ".", "..") for part in path.split("/")):
        # Code may call the sink without the schema check a document gets.
        raise ValueError(f"path {path!r} must be relative, without empty, '.' or '..' segments")
    context.output_dir.mkdir(parents=True, exist_ok=True)
    root = context.output_dir.resolve(strict=True)
    target = root.joinpath(*parts)
    # Checked before the folders are made, since mkdir would follow a link out of the tree.
    _inside(root, target.parent, path)
    target.parent.mkdir(parents=True, exist_ok=True)
    _inside(root, target, path)
    if target.is_dir():
        raise IsADirectoryError(f"path {path!r} names a folder under {root}")
    return target.resolve()
