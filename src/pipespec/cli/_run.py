"""`pipespec run`: one job on a backend, a progress line on a terminal, a summary."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from ..backends import BACKENDS, Backend, BackendOptions, get_backend
from ..errors import IO_ERROR, ErrInfo
from ..job import RECORD, JobRecord, run_job
from ..limits import Limits
from ..read import read_path
from ..registry import Registry
from ..result import Err, Ok, Result
from ._args import count, positive

__all__ = ["add_run_command", "run_command"]


def add_run_command(commands: argparse._SubParsersAction[argparse.ArgumentParser],
                    common: argparse.ArgumentParser) -> None:  # fmt: skip
    """Declare `pipespec run` and its options."""
    run = commands.add_parser(
        "run",
        parents=[common],
        help="reconstruct a sealed spec, read the input and run it; print a summary",
        description="Exit 0 when the run completes, 1 when the spec is refused or the run "
        "fails, 2 on usage errors or unreadable files.",
    )
    run.add_argument("spec", metavar="SPEC")
    run.add_argument("--input", required=True, metavar="PATH", help="file or folder to read")
    run.add_argument(
        "--output", default="out", metavar="DIR", help="where results go (default: out)"
    )
    run.add_argument("--backend", choices=BACKENDS, help="override the spec's backend")
    engines = run.add_argument_group("distributed backends")
    engines.add_argument("--scheduler", metavar="ADDRESS",
                         help="dask: the scheduler (tcp://HOST:PORT); default: a LocalCluster "
                              "sized by the spec's resources")  # fmt: skip
    engines.add_argument("--retries", type=count, metavar="N",
                         help="dask: task retries (default 2); 0 also keeps a lost worker's "
                              "tasks from rerunning, as a non-idempotent sink needs")  # fmt: skip
    engines.add_argument("--partition-size", type=positive, metavar="N",
                         help="dask: items per partition, cut as the input is read, so the "
                              "driver never holds the whole input (default 1000)")  # fmt: skip
    engines.add_argument("--in-flight", type=positive, metavar="N",
                         help="dask: partitions submitted or waiting to be merged at once "
                              "(default: 2 per worker thread of the cluster)")  # fmt: skip
    engines.add_argument("--partitions", type=positive, metavar="N",
                         help="beam: cut the whole input into N partitions (default: 4 per "
                              "worker); dask takes --partition-size instead")  # fmt: skip
    engines.add_argument("--runner", metavar="NAME",
                         help="beam: the runner (default DirectRunner, multi-process; "
                              "FlinkRunner, SparkRunner, DataflowRunner, ...)")  # fmt: skip
    engines.add_argument("--beam-option", action="append", default=[], metavar="KEY=VALUE",
                         type=_option, help="beam: a pipeline option passed to the runner "
                                            "(repeatable), e.g. direct_num_workers=2")  # fmt: skip
    run.add_argument(
        "--resume",
        action="store_true",
        help="start from the last complete materialization point for this spec and input",
    )
    run.add_argument(
        "--allow",
        action="append",
        metavar="ID",
        help="admit only these ids (repeatable; default: every registered id)",
    )
    run.add_argument("--reader", metavar="ID",
                     help="the reader to use when several fit")  # fmt: skip


def _option(text: str) -> str:
    key, equals, _ = text.partition("=")
    if not equals or not key.strip() or key.startswith("-"):
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, found {text!r}")
    return text


def _backend(args: argparse.Namespace, data: object) -> Result[Backend | None, ErrInfo]:
    declared = data.get("backend") if isinstance(data, dict) else None
    name = args.backend or declared or "local"
    if not isinstance(name, str):
        name = repr(name)
    if name == "local":
        return Ok(None)
    resources = data.get("resources") if isinstance(data, dict) else None
    options = BackendOptions(
        scheduler=args.scheduler,
        retries=args.retries,
        partitions=args.partitions,
        partition_size=args.partition_size,
        in_flight=args.in_flight,
        runner=args.runner,
        pipeline_options=tuple(args.beam_option),
        resources=resources if isinstance(resources, dict) else {},
    )
    return get_backend(name, options)


def _misplaced(args: argparse.Namespace, backend: Backend | None) -> str | None:
    name = backend.name if backend is not None else "local"
    if name != "dask" and (args.scheduler is not None or args.retries is not None):
        return f"--scheduler and --retries are for the dask backend, not {name}"
    if name != "beam" and (args.runner is not None or args.beam_option):
        return f"--runner and --beam-option are for the beam backend, not {name}"
    if name != "dask" and (args.partition_size is not None or args.in_flight is not None):
        return f"--partition-size and --in-flight are for the dask backend, not {name}"
    if name != "beam" and args.partitions is not None:
        if name == "dask":
            return ("--partitions is for the beam backend; dask cuts the input as it reads "
                    "it: use --partition-size")  # fmt: skip
        return "--partitions is for the beam backend; local runs stream"
    return None


@contextmanager
def _progress(stream: TextIO) -> Iterator[Callable[[int], None] | None]:
    # A live line only on a terminal: logs and pipes get the summary alone.
    if not stream.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.completed} items read"), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=stream), transient=True) as progress:
        task = progress.add_task("run", total=None)

        def advance(count: int) -> None:
            if count % 64 == 0:
                progress.update(task, completed=count)

        yield advance


def _summary(record: JobRecord, input_path: str, out: TextIO) -> None:
    report = record.report
    print(f"spec    {record.spec_digest}", file=out)
    print(f"input   {record.input_digest}  {input_path}", file=out)
    if record.resumed_from:
        print(f"resumed after materialized op {record.resumed_from!r}", file=out)
    header = ("op", "type", "received", "emitted", "skipped", "collected", "failed")
    rows = [header] + [
        (
            s.name,
            s.type,
            str(s.received),
            str(s.emitted),
            str(s.skipped),
            str(s.collected),
            str(s.failed),
        )
        for s in report.ops
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        print("  ".join(cells), file=out)
    where = f" on {record.backend}" if record.backend != "local" else ""
    print(f"time    {report.seconds:.2f} s{where}, {report.outputs} outputs", file=out)
    print(f"run     {record.run_digest}  {record.output_dir / RECORD}", file=out)


def run_command(
    args: argparse.Namespace,
    registry: Registry,
    report: Callable[[list[ErrInfo]], None],
    out: TextIO,
    err: TextIO,
    *,
    limits: Limits,
) -> int:
    """Run the job the arguments describe; 0 done, 1 refused or failed, 2 usage or I/O."""
    match read_path(args.spec, limits=limits):
        case Err(error):
            report([error])
            return 2 if error.code == IO_ERROR else 1
        case Ok(document):
            pass
    match _backend(args, document.data):
        case Err(error):
            report([error if error.file else ErrInfo(**{**error.to_report(), "file": args.spec})])
            return 2
        case Ok(backend):
            pass
    misplaced = _misplaced(args, backend)
    if misplaced is not None:
        print(f"pipespec run: error: {misplaced}", file=err)
        return 2
    with _progress(err) as progress:
        result = run_job(
            document,
            registry,
            input_path=Path(args.input),
            output_dir=Path(args.output),
            resume=args.resume,
            allow=frozenset(args.allow) if args.allow else None,
            reader_id=args.reader,
            progress=progress,
            limits=limits,
            backend=backend,
        )
    record_path = Path(args.output) / RECORD
    match result:
        case Ok(record):
            if args.format == "json":
                json.dump(record.to_json(), out, indent=2)
                out.write("\n")
            else:
                _summary(record, args.input, out)
            return 0
        case Err(error):
            report([error])
            if args.format == "text" and record_path.is_file():
                print(f"run record: {record_path}", file=err)
            return 2 if error.code == IO_ERROR else 1
