"""orderkit's own threads, and workers started under its Dask settings."""

from __future__ import annotations

import os
import threading

import dask
import pandas as pd
import pytest

from orderkit import metrics
from orderkit.simulate import Scenario, simulate
from orderkit.workers import (
    THREADS_VARIABLE,
    WORKER_ENVIRONMENT,
    executor,
    threads,
    worker_settings,
)

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MALLOC_TRIM_THRESHOLD_", "65536")  # as a cluster started earlier leaves it
        with worker_settings():
            cluster = distributed.LocalCluster(
                n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
            )
    try:
        with distributed.Client(cluster, set_as_default=False) as c:
            yield c
    finally:
        cluster.close()


def _environment() -> dict[str, str]:
    return {name: os.environ.get(name, "") for name in WORKER_ENVIRONMENT}


def _profiling() -> bool:
    import dask

    return bool(dask.config.get("distributed.worker.profile.enabled"))


def test_worker_processes_start_with_malloc_keeping_freed_memory(client):
    (environment,) = client.run(_environment).values()
    assert environment == WORKER_ENVIRONMENT
    assert int(environment["MALLOC_TRIM_THRESHOLD_"]) > 65536  # not Dask's immediate trimming


def _arrow_pool() -> str:
    import pyarrow as pa

    return pa.default_memory_pool().backend_name


def test_worker_processes_give_arrow_the_same_malloc(client):
    assert set(client.run(_arrow_pool).values()) == {"system"}


def test_workers_run_without_the_statistical_profiler(client):
    assert client.run(_profiling) and not any(client.run(_profiling).values())


def test_dasks_other_worker_settings_are_kept():
    before = dask.config.get("distributed.nanny.pre-spawn-environ.OMP_NUM_THREADS")
    with worker_settings():
        assert dask.config.get("distributed.nanny.pre-spawn-environ.OMP_NUM_THREADS") == before


def test_the_profiler_can_be_kept_on():
    with worker_settings(profile=True):
        assert dask.config.get("distributed.worker.profile.enabled") is True


def test_this_processs_environment_is_restored_after_the_block(monkeypatch):
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    monkeypatch.delenv(THREADS_VARIABLE, raising=False)
    with worker_settings():
        assert os.environ[THREADS_VARIABLE] == "1"
    assert os.environ["MALLOC_TRIM_THRESHOLD_"] == "65536"
    assert THREADS_VARIABLE not in os.environ


def test_orderkit_uses_two_threads_unless_told_otherwise(monkeypatch):
    monkeypatch.delenv(THREADS_VARIABLE, raising=False)
    with executor("orderkit-test") as pool:
        names = set(pool.map(lambda _: threading.current_thread().name, range(50)))
    assert threads() == 2 and all(n.startswith("orderkit-test") for n in names)


def test_kept_to_one_thread_orderkit_runs_its_tasks_on_the_calling_thread(monkeypatch):
    monkeypatch.setenv(THREADS_VARIABLE, "1")
    with executor("orderkit-test") as pool:
        ran_on = pool.submit(threading.current_thread).result()
    assert ran_on is threading.current_thread()


def test_a_task_that_fails_on_the_calling_thread_raises_where_its_result_is_asked(monkeypatch):
    monkeypatch.setenv(THREADS_VARIABLE, "1")
    future = executor("orderkit-test").submit(int, "not a number")
    with pytest.raises(ValueError, match="not a number"):
        future.result()


def test_simulation_and_counts_do_not_depend_on_the_thread_count(monkeypatch):
    scenario = Scenario(days=30, orders_per_day=3000)
    results = {}
    for n in ("1", "2", "3"):
        monkeypatch.setenv(THREADS_VARIABLE, n)
        book = simulate(scenario, seed=4)
        results[n] = (book.events, metrics.daily(book))
    for n in ("2", "3"):
        pd.testing.assert_frame_equal(results[n][0], results["1"][0])
        pd.testing.assert_frame_equal(results[n][1], results["1"][1])


def test_an_interrupt_on_the_calling_thread_stops_the_work_at_once(monkeypatch):
    monkeypatch.setenv(THREADS_VARIABLE, "1")
    ran = []

    def task(i: int) -> None:
        ran.append(i)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        list(executor("orderkit-test").map(task, range(3)))
    assert ran == [0]


@pytest.mark.parametrize("value", ["0", "two", "-1", "1.5"])
def test_a_malformed_thread_count_is_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv(THREADS_VARIABLE, value)
    with pytest.raises(ValueError, match=f"{THREADS_VARIABLE}='{value}'"):
        threads()
