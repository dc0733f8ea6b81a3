"""Dask plumbing: a client on a LocalCluster or a remote scheduler, one task per partition."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import dask
from distributed import Client, LocalCluster

from ..errors import BACKEND_UNAVAILABLE, OP_FAILED, UNSAFE_SINK, ErrInfo
from ..result import Err, Ok, Result
from ._driver import Executed
from ._worker import PartitionResult, PartitionTask, run_partition

if TYPE_CHECKING:
    from .dask import DaskBackend

__all__ = ["execute"]

_CONNECT_TIMEOUT = "10s"


class _Unreachable(Exception):
    pass


@contextmanager
def _client(backend: DaskBackend) -> Iterator[Client]:
    address = backend.options.scheduler
    if address is not None:
        try:
            client = Client(address, timeout=_CONNECT_TIMEOUT, set_as_default=False)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError, ValueError) as exc:
            raise _Unreachable(f"cannot reach the dask scheduler at {address}: {exc}") from exc
        with client:
            yield client
        return
    cluster = LocalCluster(  # type: ignore[no-untyped-call]
        n_workers=backend.workers,
        threads_per_worker=backend.threads,
        memory_limit=backend.memory_limit or "auto",
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
        # Its health routes take any free port, never a fixed one another cluster may hold;
        # retries off means a lost worker's tasks do not rerun either.
        scheduler_kwargs={"dashboard_address": ":0"}
        | ({"allowed_failures": 0} if backend.retries == 0 else {}),
    )
    with cluster, Client(cluster, set_as_default=False) as client:  # type: ignore[no-untyped-call]
        yield client


def _allowed_failures(dask_scheduler: Any) -> int:
    return int(dask_scheduler.allowed_failures)


def _runs_once(client: Client, backend: DaskBackend) -> ErrInfo | None:
    if backend.retries != 0:
        return None
    try:
        allowed = int(client.run_on_scheduler(_allowed_failures))  # type: ignore[no-untyped-call]
    except Exception as exc:
        allowed, why = -1, f"could not be asked ({type(exc).__name__})"
    else:
        why = f"reruns a lost worker's tasks up to {allowed} times"
    if allowed == 0:
        return None
    return ErrInfo(
        code=UNSAFE_SINK,
        message=f"a sink in this spec is not idempotent, and the scheduler at "
        f"{backend.options.scheduler} {why}; start it with "
        "distributed.scheduler.allowed-failures set to 0, or use an idempotent sink",
        expected="allowed-failures 0",
        found=str(allowed) if allowed >= 0 else why,
    )


def _lost(index: int, exc: BaseException) -> PartitionResult:
    failure = ErrInfo(
        code=OP_FAILED,
        message=f"partition {index} failed on the dask cluster: {type(exc).__name__}: {exc}",
    )
    return PartitionResult(index=index, failure=failure.to_report(), stats=[{}])


def execute(
    backend: DaskBackend, task: PartitionTask, partitions: list[list[Any]], *, exactly_once: bool
) -> Result[Executed, ErrInfo]:
    """Submit one task per partition (the partition inside the task, so a task lost with its
    worker can run again elsewhere) and gather the results."""
    try:
        with _client(backend) as client:
            if exactly_once and (refused := _runs_once(client, backend)) is not None:
                return Err(refused)
            # Keys name the spec and this run: another run's results are never reused.
            prefix = f"pipespec-{task.digest.removeprefix('sha256:')[:12]}-{uuid.uuid4().hex[:12]}"
            # Each partition travels once, inside its own task: large inputs are expected.
            with dask.config.set({"distributed.admin.large-graph-warning-threshold": "4GiB"}):
                futures = [
                    client.submit(run_partition, task, index, part, key=f"{prefix}-{index}",
                                  retries=backend.retries, pure=False)
                    for index, part in enumerate(partitions)
                ]  # fmt: skip
            results = []
            for index, future in enumerate(futures):
                try:
                    results.append(future.result())
                except Exception as exc:
                    results.append(_lost(index, exc))
            client.cancel(futures)  # type: ignore[no-untyped-call]
    except _Unreachable as exc:
        return Err(ErrInfo(code=BACKEND_UNAVAILABLE, message=str(exc)))
    return Ok(Executed(results=results))
