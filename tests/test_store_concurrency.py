"""Tests of orderkit.store under concurrency: writers in several processes, retries, lock waits.

The ``url`` fixture (``pgserver``) gives a SQLite file and, marked ``postgres``, a database on a
real PostgreSQL server.
"""

from __future__ import annotations

import multiprocessing
import queue
import sqlite3

import pandas as pd
import psycopg
import pytest
import sqlalchemy as sa
from store_writers import part, save_in_rounds

from orderkit import StoreError
from orderkit import sample as sample_data
from orderkit import store as store_module
from orderkit.store import Store

WRITERS = 8
SHARE = 3  # each order is saved by 3 of the 8 writers


@pytest.fixture(scope="module")
def book():
    return sample_data.book(96, seed=11)


def _sorted(frame: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    return frame.sort_values(key, ignore_index=True)


def _collect(writers, results, *, patience_s: float = 600) -> dict[int, str | None]:
    """Return each writer's report (its seed → None, or its traceback), and a line for a writer
    that died without one (rather than waiting for it until the patience runs out)."""
    outcome: dict[int, str | None] = {}
    for _ in range(int(patience_s)):
        if len(outcome) == len(writers):
            break
        try:
            seed, error = results.get(timeout=1.0)
            outcome[seed] = error
        except queue.Empty:
            for k, w in enumerate(writers):
                if w.exitcode not in (None, 0) and k not in outcome:
                    outcome[k] = f"writer {k} died with exit code {w.exitcode}"
    for w in writers:
        w.join(timeout=60)
    assert len(outcome) == len(writers), f"writers still running after {patience_s} s"
    return outcome


def test_eight_processes_saving_overlapping_books_lose_nothing_and_fail_none(url, book):
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(WRITERS), ctx.Queue()
    writers = [
        ctx.Process(
            target=save_in_rounds, args=(url, part(book, w, WRITERS, SHARE), w, start, results)
        )
        for w in range(WRITERS)
    ]
    for w in writers:
        w.start()
    outcome = _collect(writers, results)
    failed = {seed: error for seed, error in outcome.items() if error}
    assert not failed, "\n".join(failed.values())
    with Store(url) as store:
        loaded = store.load()
    assert loaded.events["event_id"].is_unique
    for table, key in (
        ("orders", ["order_id"]),
        ("items", ["order_id", "order_item_id"]),
        ("events", ["event_id"]),
    ):
        pd.testing.assert_frame_equal(
            _sorted(getattr(loaded, table), key), _sorted(getattr(book, table), key)
        )


# ---- retries and lock waits ------------------------------------------------------------------------


def _conflict(error: type[psycopg.Error]) -> sa.exc.OperationalError:
    """The error SQLAlchemy raises when PostgreSQL reports ``error`` (a conflict class)."""
    return sa.exc.OperationalError("INSERT …", {}, error(error.__name__))


@pytest.fixture
def no_pause(monkeypatch):
    monkeypatch.setattr(store_module, "_BACKOFF_S", 0.0)


@pytest.mark.parametrize(
    "error", [psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure]
)
def test_a_transaction_ending_in_a_conflict_is_run_again(error, no_pause):
    tries = []

    def work(conn):
        tries.append(conn)
        if len(tries) < 3:
            raise _conflict(error)
        return "done"

    with Store("sqlite://") as store:
        assert store._run("save", work) == "done"
    assert len(tries) == 3


def test_a_transaction_in_conflict_every_time_gives_up_with_store_error_after_bounded_tries(
    no_pause,
):
    tries = []

    def work(conn):
        tries.append(conn)
        raise _conflict(psycopg.errors.DeadlockDetected)

    with Store("sqlite://") as store, pytest.raises(StoreError, match="gave up after 5 tries"):
        store._run("save", work)
    assert len(tries) == 5


def test_a_work_that_conflicts_writes_nothing_from_the_failed_tries(tmp_path, no_pause):
    events = sample_data.book(3, seed=2).events
    tries = []

    def work(conn):
        tries.append(conn)
        written = store._append(conn, events)
        if len(tries) == 1:
            raise _conflict(psycopg.errors.DeadlockDetected)
        return written

    with Store(path=tmp_path / "s.sqlite") as store:
        assert store._run("append", work) == len(events)
        assert len(store.load().events) == len(events)


def test_other_database_errors_are_not_retried(no_pause):
    tries = []

    def work(conn):
        tries.append(conn)
        raise sa.exc.IntegrityError("INSERT …", {}, psycopg.errors.NotNullViolation("null"))

    with Store("sqlite://") as store, pytest.raises(StoreError, match="nothing was written"):
        store._run("save", work)
    assert len(tries) == 1


def test_sqlite_locked_longer_than_the_busy_timeout_raises_store_error(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "_BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "s.sqlite"
    with Store(path=path) as store:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
        try:
            with pytest.raises(StoreError, match=r"locked for longer than 0\.2 s"):
                store.append(sample_data.book(2, seed=2).events)
        finally:
            other.execute("ROLLBACK")
            other.close()
        assert len(store.load().events) == 0
