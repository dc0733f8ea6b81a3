"""`pipespec schema`: write the schema files, and one specialised to the registry, for editors."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from ..errors import IO_ERROR, ErrInfo
from ..registry import Registry
from ..result import Err, Ok, Result
from ..specialize import CATALOG, SPECIALIZED, catalog, exported_schemas, render
from ._files import write_atomically

__all__ = ["add_schema_command", "schema_command"]


def add_schema_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Declare `pipespec schema` and its options."""
    schema = commands.add_parser(
        "schema",
        help="write the JSON Schema files into a folder, for editors and other tools",
        description="Writes the canonical schema files (their relative $refs resolve within "
        f"DIR). With --specialize, also {SPECIALIZED}: the pipeline schema narrowed to the "
        "installed registry, op ids as enums and params checked per id. Exit 0 when "
        "written, 2 when a file cannot be written or the registry is inconsistent.",
    )
    schema.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    schema.add_argument(
        "--specialize",
        action="store_true",
        help=f"also write {SPECIALIZED} for the installed registry",
    )
    schema.add_argument(
        "--catalog-url",
        metavar="URL",
        type=_base_url,
        help=f"also write {CATALOG}, a SchemaStore-style catalog entry for *.pipeline.json "
        "and *.pipeline.yaml files, pointing at the files as published under URL",
    )
    schema.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="how errors are reported: text lines, or a JSON array of error reports",
    )


def _base_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise argparse.ArgumentTypeError(
            f"expected an http(s) address of the folder the files are published in, found {text!r}"
        )
    return text


def schema_command(
    args: argparse.Namespace,
    registry: Callable[[], Result[Registry, ErrInfo]],
    report: Callable[[list[ErrInfo]], None],
    err: TextIO,
) -> int:
    """Write the files; 0 when written, 2 when the registry or the file system refuses."""
    installed: Registry | None = None
    if args.specialize:
        match registry():
            case Err(error):
                report([error])
                return 2
            case Ok(installed):
                pass
    folder = Path(args.out)
    files = exported_schemas(installed)
    if args.catalog_url is not None:
        files[CATALOG] = render(catalog(args.catalog_url))
    target = folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            target = folder / name
            # A reader sees the old file or the new one, never half of one.
            write_atomically(target, text)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        report(
            [ErrInfo(code=IO_ERROR, message=f"cannot write {target}: {reason}", file=str(target))]
        )
        return 2
    print(f"{len(files)} schema files written to {folder}", file=err)
    return 0
