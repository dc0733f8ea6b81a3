"""The `pipespec` command line: a thin shell over reading, validating, checking and sealing."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from ..digest import root_digest, seal_data
from ..errors import IO_ERROR, REGISTRY_ERROR, SCHEMA_INVALID, ErrInfo
from ..limits import DEFAULT_LIMITS, Limits
from ..read import Document, read_path
from ..reconstruction import check_document, seal
from ..registry import Registry, RegistryError, default_registry
from ..result import Err, Ok, Result
from ..validate import validate_document
from ..write import dump, leading_comments
from ._args import positive
from ._files import write_atomically
from ._report import render_json, render_text
from ._run import add_run_command, run_command
from ._schema import add_schema_command, schema_command

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "main"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

_LIMIT_FLAGS = {
    "max_bytes": "largest document in bytes",
    "max_depth": "deepest nesting of arrays and objects",
    "max_string_length": "longest string in characters",
    "max_nodes": "most values, counting YAML alias expansions",
    "max_aliases": "most YAML alias uses",
}


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="how errors are reported: text lines, or a JSON array of error reports",
    )
    limits = common.add_argument_group("reader limits")
    for name, what in _LIMIT_FLAGS.items():
        default = getattr(DEFAULT_LIMITS, name)
        limits.add_argument(
            "--" + name.replace("_", "-"),
            type=positive,
            default=default,
            metavar="N",
            help=f"{what} (default {default})",
        )
    parser = argparse.ArgumentParser(
        prog="pipespec",
        description="Validate, hash and seal pipespec pipeline documents (JSON or YAML).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    validate = commands.add_parser(
        "validate",
        parents=[common],
        help="check documents: syntax, limits, schema, names and digests",
        description="Exit 0 when every file is valid, 1 when one is not, 2 on usage errors "
        "or unreadable files.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE")
    check = commands.add_parser(
        "check",
        parents=[common],
        help="dry-run reconstruction against the installed registry: everything but running",
        description="Everything `validate` checks, then the allow-list, registry entries and "
        "pinned versions, params, types and monoids. Same output and exit status as validate.",
    )
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument(
        "--allow",
        action="append",
        metavar="ID",
        help="admit only these ids (repeatable; default: every registered id)",
    )
    add_run_command(commands, common)
    add_schema_command(commands)
    commands.add_parser(
        "registry",
        help="print the installed registry's manifest (JSON): what a producer needs to write specs",
    )
    hash_ = commands.add_parser(
        "hash", parents=[common], help="print the root digest of a document as given"
    )
    hash_.add_argument("file", metavar="FILE")
    seal = commands.add_parser(
        "seal",
        parents=[common],
        help="fill every `version` digest and write the sealed document",
        description="Writes JSON or YAML by the output's extension (the input's format on "
        "standard output). Leading comment lines of a YAML input are kept.",
    )
    seal.add_argument("file", metavar="FILE")
    where = seal.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", metavar="OUT", help="where to write (default: stdout)")
    where.add_argument("-i", "--in-place", action="store_true", help="replace FILE itself")
    seal.add_argument(
        "--content-only",
        action="store_true",
        help="fill the digests only; do not pin registry versions (no registry needed)",
    )
    return parser


def _limits(args: argparse.Namespace) -> Limits:
    return Limits(**{name: getattr(args, name) for name in _LIMIT_FLAGS})


def _report(errors: Sequence[ErrInfo], args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
    if args.format == "json":
        render_json(errors, out)
    else:
        render_text(errors, err)


def _exit_code(errors: Sequence[ErrInfo]) -> int:
    if any(error.code == IO_ERROR for error in errors):
        return EXIT_USAGE
    return EXIT_INVALID if errors else EXIT_OK


def _validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    errors: list[ErrInfo] = []
    for name in args.files:
        match read_path(name, limits=_limits(args)):
            case Ok(document):
                errors += validate_document(document)
            case Err(error):
                errors.append(error)
    _report(errors, args, out, err)
    if args.format == "text" and not errors:
        print(f"{len(args.files)} valid", file=err)
    return _exit_code(errors)


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    match _registry():
        case Err(error):
            _report([error], args, out, err)
            return EXIT_USAGE
        case Ok(registry):
            pass
    allow = frozenset(args.allow) if args.allow else None
    errors: list[ErrInfo] = []
    for name in args.files:
        match read_path(name, limits=_limits(args)):
            case Ok(document):
                errors += check_document(document, registry, allow=allow)
            case Err(error):
                errors.append(error)
    _report(errors, args, out, err)
    if args.format == "text" and not errors:
        print(f"{len(args.files)} ready to run", file=err)
    return _exit_code(errors)


def _registry() -> Result[Registry, ErrInfo]:
    try:
        return Ok(default_registry())
    except RegistryError as exc:
        return Err(ErrInfo(code=REGISTRY_ERROR, message=str(exc)))


def _manifest(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    match _registry():
        case Err(error):
            render_text([error], err)
            return EXIT_USAGE
        case Ok(registry):
            json.dump(registry.manifest(), out, indent=2, ensure_ascii=False)
            out.write("\n")
            return EXIT_OK


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    def report(errors: list[ErrInfo]) -> None:
        _report(errors, args, out, err)

    match _registry():
        case Err(error):
            _report([error], args, out, err)
            return EXIT_USAGE
        case Ok(registry):
            return run_command(args, registry, report, out, err, limits=_limits(args))


def _schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    def report(errors: list[ErrInfo]) -> None:
        _report(errors, args, out, err)

    return schema_command(args, _registry, report, err)


def _hash(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    match read_path(args.file, limits=_limits(args)):
        case Err(error):
            _report([error], args, out, err)
            return _exit_code([error])
        case Ok(document):
            pass
    if not isinstance(document.data, dict):
        error = ErrInfo(
            code=SCHEMA_INVALID,
            message="expected a JSON object at the top level",
            path="",
            line=1,
            column=1,
            file=document.source,
        )
        _report([error], args, out, err)
        return EXIT_INVALID
    match root_digest(document.data):
        case Ok(value):
            print(value, file=out)
            return EXIT_OK
        case Err(error):
            _report([error], args, out, err)
            return EXIT_INVALID


def _output_format(args: argparse.Namespace, document: Document) -> str:
    if args.output and args.output != "-":
        return "yaml" if Path(args.output).suffix.lower() in (".yaml", ".yml") else "json"
    return document.format


def _seal(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    match read_path(args.file, limits=_limits(args)):
        case Err(error):
            _report([error], args, out, err)
            return _exit_code([error])
        case Ok(document):
            pass
    errors = validate_document(document, sealed=False)
    if errors:
        _report(errors, args, out, err)
        return EXIT_INVALID
    if args.content_only:
        sealing = seal_data(document.data, float_free=not document.has_floats)
    else:
        match _registry():
            case Err(error):
                _report([error], args, out, err)
                return EXIT_USAGE
            case Ok(registry):
                sealing = seal(document, registry)
    match sealing:
        case Err(error):
            _report([error], args, out, err)
            return EXIT_INVALID
        case Ok(sealed):
            pass
    fmt = _output_format(args, document)
    header = leading_comments(document.text) if document.format == "yaml" else ""
    text = dump(sealed, fmt, header=header if fmt == "yaml" else "")
    target = args.file if args.in_place else args.output
    if target is None or target == "-":
        out.write(text)
    else:
        try:
            write_atomically(Path(target), text)
        except OSError as exc:
            error = ErrInfo(
                code=IO_ERROR, message=f"cannot write {target}: {exc.strerror}", file=target
            )
            _report([error], args, out, err)
            return EXIT_USAGE
        print(f"sealed {args.file} -> {target} ({sealed['version']})", file=err)
    return EXIT_OK


_COMMANDS = {
    "validate": _validate,
    "check": _check,
    "registry": _manifest,
    "run": _run,
    "hash": _hash,
    "seal": _seal,
    "schema": _schema,
}


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage error
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    return _COMMANDS[args.command](args, out, err)
