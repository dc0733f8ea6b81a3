"""Dask plumbing: a client on a LocalCluster or a remote scheduler, one task per partition."""

from __future__ import annotations

import itertools
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import dask
from distributed import Client, Future, LocalCluster, as_completed

from ..errors import BACKEND_UNAVAILABLE, OP_FAILED, UNSAFE_SINK, ErrInfo
from ..result import Err, Ok, Result
from ._executors import Executed, ExecutorFailed
from ._worker import PartitionResult, PartitionTask, run_partition

if TYPE_CHECKING:
    from .dask import DaskBackend

__all__ = ["IN_FLIGHT_PER_THREAD", "execute", "session"]

_CONNECT_TIMEOUT = "10s"
IN_FLIGHT_PER_THREAD = 2
"""Partitions kept in flight per worker thread of the cluster, unless told otherwise."""


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


class _Session:
    """Partitions submitted one task each (the partition inside the task, so a task lost with
    its worker can run again elsewhere); results taken as they finish."""

    def __init__(self, client: Client, backend: DaskBackend, task: PartitionTask) -> None:
        self.client, self.backend, self.task = client, backend, task
        # Keys name the spec and this run: another run's results are never reused.
        digest = task.digest.removeprefix("sha256:")[:12]
        self.prefix = f"pipespec-{digest}-{uuid.uuid4().hex[:12]}"
        self.done: as_completed = as_completed(loop=client.loop)  # type: ignore[no-untyped-call]
        self.running: dict[str, int] = {}
        self.futures: dict[str, Future[Any]] = {}
        self.submitted = 0
        threads = sum(client.nthreads().values())  # type: ignore[no-untyped-call]
        self.capacity = backend.in_flight or max(2, IN_FLIGHT_PER_THREAD * threads)

    def submit(self, index: int, items: list[Any]) -> None:
        key = f"{self.prefix}-{index}"
        future = self.client.submit(run_partition, self.task, index, items, key=key,
                                    retries=self.backend.retries, pure=False)  # fmt: skip
        self.running[key], self.futures[key] = index, future
        self.done.add(future)  # type: ignore[no-untyped-call]
        self.submitted += 1

    def next_result(self) -> PartitionResult:
        future = next(self.done)
        index = self.running.pop(future.key)
        del self.futures[future.key]
        try:
            result: PartitionResult = future.result()
        except Exception as exc:
            result = _lost(index, exc)
        future.release()
        return result

    def cancel(self) -> None:
        if self.futures:
            self.client.cancel(list(self.futures.values()))  # type: ignore[no-untyped-call]
        self.futures.clear()
        self.running.clear()


@contextmanager
def session(backend: DaskBackend, task: PartitionTask, *, exactly_once: bool) -> Iterator[_Session]:
    """A client for the run (raises ``ExecutorFailed`` when the scheduler is unreachable or
    would rerun a non-idempotent sink's tasks); what still runs is cancelled on leaving."""
    try:
        with _client(backend) as client:
            if exactly_once and (refused := _runs_once(client, backend)) is not None:
                raise ExecutorFailed(refused)
            # Each partition travels once, inside its own task: large partitions are expected.
            with dask.config.set({"distributed.admin.large-graph-warning-threshold": "4GiB"}):
                running = _Session(client, backend, task)
                try:
                    yield running
                finally:
                    running.cancel()
    except _Unreachable as exc:
        raise ExecutorFailed(ErrInfo(code=BACKEND_UNAVAILABLE, message=str(exc))) from exc


def execute(
    backend: DaskBackend, task: PartitionTask, partitions: list[list[Any]], *, exactly_once: bool
) -> Result[Executed, ErrInfo]:
    """Every one of ``partitions`` as a task, at most the session's capacity at once; the
    results in partition order. (``run_partitioned`` uses ``session`` instead, so that the
    input never has to be read whole.)"""
    try:
        with session(backend, task, exactly_once=exactly_once) as running:
            results: list[PartitionResult] = []
            pending = iter(enumerate(partitions))
            for index, part in itertools.islice(pending, running.capacity):
                running.submit(index, part)
            while running.running:
                results.append(running.next_result())
                for index, part in itertools.islice(pending, 1):
                    running.submit(index, part)
    except ExecutorFailed as exc:
        return Err(exc.error)
    return Ok(Executed(results=sorted(results, key=lambda r: r.index)))
