"""Runs the `pipespec` command line in process and captures what it prints."""

from __future__ import annotations

import io

from pipespec.cli import main


def run(*argv: str) -> tuple[int, str, str]:
    """Exit status, standard output and standard error of ``pipespec ARGV...``."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()
