"""How many threads orderkit's own code uses, and settings for the Dask workers that run its tasks.

**Threads.** The fleet lens replays and counts on two threads, the simulator overlaps its stages on
a second thread: a notebook gets its answers sooner from both cores of a laptop. Inside a Dask
worker that is given one thread (``threads_per_worker=1``, one worker per core) those extra
threads compete with the next worker's. The environment variable ``ORDERKIT_THREADS`` (read at
each call; ``1`` runs everything on the calling thread) sets how many threads orderkit uses, and
:func:`worker_settings` sets it to 1 for workers. Results never depend on it (each stage draws
from its own random stream, and counts add up the same in any order).

**Memory.** Dask's nanny starts each worker process with ``MALLOC_TRIM_THRESHOLD_=65536``: glibc
then hands freed memory back to the system at once, and the next partition's arrays fault their
pages in again. orderkit's tasks allocate and free arrays of several MB per partition or run, and
on these machines that setting nearly doubled a worker's CPU time per event (``docs/scaling.md``).
:func:`worker_settings` keeps freed memory for reuse instead (up to 64 MB is kept; arrays under
32 MB come from the heap). It also gives Arrow that allocator (``ARROW_DEFAULT_MEMORY_POOL=system``):
Arrow's own, mimalloc, hands the buffers of each Parquet file read back to the system, and faulting
them in again took between a quarter and a half of a worker's CPU time over a history (measured:
0.26–0.29 s of system time against 1.2–2.9 s for 18M events). And it turns Dask's statistical
profiler off (a sample every 10 ms, about a tenth of a worker's CPU time here): the dashboard's
task stream and progress stay.

Start a cluster in the block (the settings must reach the worker processes as they start)::

    from distributed import Client, LocalCluster
    from orderkit.workers import worker_settings

    with worker_settings():
        cluster = LocalCluster(n_workers=4, threads_per_worker=1)
    client = Client(cluster)

On Kubernetes or a cloud service, put :data:`WORKER_ENVIRONMENT` in the workers' environment.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

__all__ = ["THREADS_VARIABLE", "WORKER_ENVIRONMENT", "executor", "threads", "worker_settings"]

T = TypeVar("T")

#: The environment variable that sets how many threads orderkit's own code uses (default 2).
THREADS_VARIABLE = "ORDERKIT_THREADS"
_DEFAULT_THREADS = 2

#: The environment of worker processes: orderkit on the worker's one thread, and glibc's malloc
#: keeping freed memory (up to 64 MB) for reuse, for Arrow's buffers too.
WORKER_ENVIRONMENT: dict[str, str] = {
    THREADS_VARIABLE: "1",
    "MALLOC_TRIM_THRESHOLD_": str(64 << 20),
    "MALLOC_MMAP_THRESHOLD_": str(32 << 20),
    "ARROW_DEFAULT_MEMORY_POOL": "system",
}


def threads() -> int:
    """Return how many threads orderkit's own code may use (``ORDERKIT_THREADS``, default 2).

    Raises:
        ValueError: ``ORDERKIT_THREADS`` is set to something other than a positive integer.
    """
    value = os.environ.get(THREADS_VARIABLE, "").strip()
    if not value:
        return _DEFAULT_THREADS
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"{THREADS_VARIABLE}={value!r}: expected a positive whole number")
    return int(value)


class _Inline(Executor):
    """An executor that runs each task at once on the calling thread (orderkit on one thread)."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        future: Future[T] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # raised by future.result(), as from a pool's thread
            future.set_exception(exc)
        # (an interrupt is not kept for later: Ctrl+C stops the work at once)
        return future


def executor(name: str, workers: int | None = None) -> Executor:
    """Return an executor for orderkit's own parallel work, as :func:`threads` allows.

    Args:
        name: the threads' name prefix (shown in profilers and ``py-spy``).
        workers: the pool's threads (default and most: :func:`threads`). Work that overlaps the
            caller's own asks for 1: one thread besides the caller's.

    Returns:
        A ``ThreadPoolExecutor``, or, when orderkit is kept to one thread, an executor that
        runs each task on the calling thread as it is submitted.

    Raises:
        ValueError: ``ORDERKIT_THREADS`` is malformed.
    """
    allowed = threads()
    if allowed == 1:
        return _Inline()
    return ThreadPoolExecutor(min(workers or allowed, allowed), thread_name_prefix=name)


@contextmanager
def worker_settings(*, profile: bool = False) -> Iterator[None]:
    """Give the Dask workers started in this block orderkit's settings.

    Sets Dask's configuration (the nanny's pre-spawn environment with
    :data:`WORKER_ENVIRONMENT`, and the statistical profiler off unless ``profile``) and this
    process's environment: Dask's nanny takes a variable already in the environment over its
    configuration, and a cluster started earlier in the process leaves Dask's own values there.
    Both are restored when the block ends; workers keep their settings, restarts included.

    Raises:
        ImportError: ``distributed`` is not installed.
    """
    import dask
    import distributed  # noqa: F401  (registers distributed's defaults in dask.config)

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    environ.update(WORKER_ENVIRONMENT)
    saved = {name: os.environ.get(name) for name in WORKER_ENVIRONMENT}
    os.environ.update(WORKER_ENVIRONMENT)
    try:
        with dask.config.set(
            {
                "distributed.nanny.pre-spawn-environ": environ,
                "distributed.worker.profile.enabled": profile,
            }
        ):
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
