"""Tests of orderkit.store: the event store on SQLite and on a real PostgreSQL server.

The ``url`` fixture (from ``pgserver``, through ``conftest.py``) gives each test an empty store on
a SQLite file and, marked ``postgres``, on a throwaway PostgreSQL server.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from pgserver import free_port

from orderkit import Event, EventKind, OrderNotFound, StoreError, TransitionNotAllowed
from orderkit import sample as sample_data
from orderkit.events import Actor, events_frame
from orderkit.status import OrderStatus
from orderkit.store import ENV_VAR, SCHEMA_VERSION, Store

# ---- data -----------------------------------------------------------------------------------------

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def book():
    return sample_data.book(60, seed=3)


def _placed(n: int, *, order: str = "503-0000000-0000000") -> list[Event]:
    """Return ``n`` events of one order: it is placed, then the seller contacts the buyer."""
    return [Event(order, T0, EventKind.PLACED, Actor.BUYER)] + [
        Event(order, T0 + dt.timedelta(minutes=k), EventKind.BUYER_CONTACTED, Actor.SELLER)
        for k in range(1, n)
    ]


def _assert_same_book(a, b):
    for table in ("orders", "items", "events"):
        pd.testing.assert_frame_equal(getattr(a, table), getattr(b, table))


# ---- round trip -----------------------------------------------------------------------------------


def test_load_returns_the_saved_book_frame_for_frame(url, book):
    with Store(url) as store:
        store.save(book)
        _assert_same_book(store.load(), book)


def test_a_reopened_store_holds_what_was_saved(url, book):
    with Store(url) as store:
        store.save(book)
    with Store(url) as again:
        _assert_same_book(again.load(), book)


def test_empty_store_loads_an_empty_book(url):
    with Store(url) as store:
        loaded = store.load()
    assert (len(loaded.orders), len(loaded.items), len(loaded.events)) == (0, 0, 0)


def test_timestamps_come_back_tz_aware_utc_to_the_nanosecond(url):
    at = pd.Timestamp("2026-11-02 09:00:00.123456789", tz="Asia/Tokyo")
    frame = events_frame([Event("503-0000000-0000001", T0, EventKind.PLACED)])
    frame.loc[0, "at"] = at.tz_convert("UTC")
    with Store(url) as store:
        store.append(frame)
        loaded = store.load().events
    assert str(loaded["at"].dtype) == "datetime64[ns, UTC]"
    assert loaded.loc[0, "at"] == at


def test_extra_columns_of_orders_and_items_are_kept_with_their_dtypes(url, book):
    orders = book.orders.assign(
        **{"is-iba": "false", "number-of-items": pd.array(range(len(book)), dtype="Int64")}
    )
    items = book.items.assign(gift_message_text="お誕生日おめでとう")
    richer = type(book)(orders, items, book.events)
    with Store(url) as store:
        store.save(richer)
        _assert_same_book(store.load(), richer)


def test_saving_updates_orders_and_items_by_their_keys(url, book):
    with Store(url) as store:
        store.save(book)
        later = book.copy()
        later.orders.loc[0, "ship_service_level"] = "Expedited"
        later.items.loc[0, "quantity"] = 9
        store.save(later)
        loaded = store.load()
    assert len(loaded.orders) == len(book.orders) and len(loaded.items) == len(book.items)
    assert loaded.orders.loc[0, "ship_service_level"] == "Expedited"
    assert loaded.items.loc[0, "quantity"] == 9


def test_saving_the_same_book_twice_adds_nothing(url, book):
    with Store(url) as store:
        store.save(book)
        store.save(book)
        _assert_same_book(store.load(), book)


# ---- appending ------------------------------------------------------------------------------------


def test_appending_same_events_twice_adds_nothing(url):
    events = _placed(5)
    with Store(url) as store:
        assert store.append(events) == 5
        assert store.append(events) == 0
        assert len(store.load().events) == 5


def test_append_counts_only_the_new_events(url):
    with Store(url) as store:
        store.append(_placed(3))
        assert store.append(_placed(7)) == 4


def test_append_counts_duplicates_within_one_batch_once(url):
    events = _placed(2)
    with Store(url) as store:
        assert store.append(events + events) == 2


def test_append_accepts_an_events_frame_without_ids(url):
    frame = events_frame(_placed(3)).assign(event_id=None)
    with Store(url) as store:
        assert store.append(frame) == 3
        assert store.append(_placed(3)) == 0  # same facts, same ids


def test_same_fact_from_another_source_is_the_same_event(url):
    e = _placed(1)[0]
    with Store(url) as store:
        store.append([e])
        assert store.append([Event(**{**e.as_dict(), "source": "report.txt"})]) == 0


def test_failed_append_raises_store_error_and_leaves_store_unchanged(url):
    # A large batch (several INSERT statements) whose last row cannot be stored (no time).
    good = events_frame(_placed(2500, order="503-1111111-1111111"))
    bad = events_frame(_placed(1, order="503-2222222-2222222"))
    bad["at"] = pd.NaT
    with Store(url) as store:
        store.append(_placed(2))
        with pytest.raises(StoreError):
            store.append(pd.concat([good, bad], ignore_index=True))
        assert len(store.load().events) == 2


def test_failed_save_writes_neither_orders_nor_events(url, book):
    broken = book.copy()
    broken.items.loc[len(broken.items) - 1, "order_item_id"] = None
    with Store(url) as store:
        with pytest.raises(StoreError):
            store.save(broken)
        loaded = store.load()
    assert (len(loaded.orders), len(loaded.items), len(loaded.events)) == (0, 0, 0)


_WRITER = textwrap.dedent(
    """
    import datetime as dt, sys
    from orderkit import Event, EventKind
    from orderkit.store import Store
    url, who = sys.argv[1], sys.argv[2]
    t0 = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)
    new = 0
    with Store(url) as store:
        for batch in range(40):
            own = [Event(f"503-{who}-{batch * 10 + k:07d}", t0 + dt.timedelta(seconds=k),
                         EventKind.PLACED) for k in range(10)]
            shared = [Event("503-0000000-0000000", t0, EventKind.PLACED)] + [
                Event("503-0000000-0000000", t0 + dt.timedelta(minutes=batch, seconds=k),
                      EventKind.BUYER_CONTACTED) for k in range(5)]
            new += store.append(own + shared)
    print(new)
    """
)


def test_two_processes_appending_at_once_lose_nothing(url):
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, url, who],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for who in ("1111111", "2222222")
    ]
    results = [w.communicate(timeout=300) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], [err for _, err in results]
    with Store(url) as store:
        events = store.load().events
    assert len(events) == 2 * 40 * 10 + 40 * 5 + 1  # the shared order's placed event: once
    assert events["event_id"].is_unique
    assert sum(int(out) for out, _ in results) == len(events)


# ---- recording an action ----------------------------------------------------------------------------


def _order_in(book, status):
    states = {o: book.order(o).state(at=sample_data.DEFAULT_NOW) for o in book.orders["order_id"]}
    return next(o for o, s in states.items() if s.status is status)


def test_record_appends_an_action_the_rules_allow(url, book):
    order_id = _order_in(book, OrderStatus.UNSHIPPED)
    ship = Event(order_id, sample_data.DEFAULT_NOW, EventKind.SHIPMENT_CONFIRMED, Actor.SELLER)
    with Store(url) as store:
        store.save(book)
        state = store.record(ship)
        loaded = store.load()
    assert state.status is OrderStatus.SHIPPED
    assert loaded.order(order_id).state(at=sample_data.DEFAULT_NOW).status is OrderStatus.SHIPPED


def test_record_refuses_a_forbidden_action_and_writes_nothing(url, book):
    order_id = _order_in(book, OrderStatus.PENDING)
    ship = Event(order_id, sample_data.DEFAULT_NOW, EventKind.SHIPMENT_CONFIRMED, Actor.SELLER)
    with Store(url) as store:
        store.save(book)
        with pytest.raises(TransitionNotAllowed) as refused:
            store.record(ship)
        assert len(store.load().events) == len(book.events)
    assert refused.value.rule.id == "pending-no-dispatch"


def test_record_on_an_unknown_order_raises_order_not_found(url):
    with Store(url) as store, pytest.raises(OrderNotFound):
        store.record(_placed(1, order="503-9999999-9999999")[0])


# ---- opening ---------------------------------------------------------------------------------------


def test_store_records_its_schema_version(tmp_path):
    path = tmp_path / "s.sqlite"
    Store(path=path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM orderkit_schema").fetchall() == [(SCHEMA_VERSION,)]


def test_store_of_a_newer_schema_version_is_refused(url):
    Store(url).close()
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE orderkit_schema SET version = :v"), {"v": SCHEMA_VERSION + 1})
    engine.dispose()
    with pytest.raises(StoreError, match="upgrade orderkit"):
        Store(url)


def test_default_store_is_a_sqlite_file_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_VAR, raising=False)
    with Store() as store:
        store.append(_placed(1))
    assert (tmp_path / "orderkit-store.sqlite").exists()


def test_environment_variable_names_the_default_store(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "team.sqlite"))
    with Store() as store:
        store.append(_placed(1))
    assert (tmp_path / "team.sqlite").exists()
    assert not (tmp_path / "orderkit-store.sqlite").exists()


def test_sqlite_store_runs_in_wal_mode(tmp_path):
    path = tmp_path / "s.sqlite"
    Store(path=path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_unreachable_database_raises_store_error():
    with pytest.raises(StoreError, match="cannot open"):
        Store(f"postgresql://nobody@127.0.0.1:{free_port()}/nothing")


def _as_version_2(url: str) -> None:
    """Rewrite a store's event ids as version 2 kept them: 16 hex digits, in a text column."""
    import sqlalchemy as sa

    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(
                sa.text(
                    "ALTER TABLE orderkit_events ALTER COLUMN event_id TYPE TEXT"
                    " USING lpad(to_hex(event_id), 16, '0')"
                )
            )
        else:  # SQLite: rebuild the table with a TEXT column, as version 2 created it
            create = conn.execute(
                sa.text("SELECT sql FROM sqlite_master WHERE name = 'orderkit_events'")
            ).scalar_one()
            conn.execute(sa.text("ALTER TABLE orderkit_events RENAME TO v3"))
            conn.execute(sa.text("DROP INDEX orderkit_events_by_order"))
            conn.execute(sa.text(create.replace("event_id BIGINT", "event_id TEXT")))
            conn.execute(
                sa.text("CREATE INDEX orderkit_events_by_order ON orderkit_events (order_id)")
            )
            cols = [r[1] for r in conn.execute(sa.text("PRAGMA table_info(v3)"))]
            values = ", ".join("printf('%016x', event_id)" if c == "event_id" else c for c in cols)
            conn.execute(sa.text(f"INSERT INTO orderkit_events SELECT {values} FROM v3"))
            conn.execute(sa.text("DROP TABLE v3"))
        conn.execute(sa.text("UPDATE orderkit_schema SET version = 2"))
    engine.dispose()


def test_a_version_2_store_is_upgraded_on_open_with_the_same_event_ids(url):
    book = sample_data.book(30, seed=4)
    with Store(url) as store:
        store.save(book)
    _as_version_2(url)
    with Store(url) as store:
        loaded = store.load()
        assert store.append(book.events) == 0  # the same facts: still known, by the same ids
    assert sorted(loaded.events["event_id"]) == sorted(book.events["event_id"])
    assert (book.events["event_id"] < 0).any()  # ids from hashes of 2⁶³ and more convert too
    pd.testing.assert_frame_equal(
        loaded.events.sort_values("event_id", ignore_index=True),
        book.events.sort_values("event_id", ignore_index=True),
    )


def test_a_version_1_store_is_upgraded_on_open_and_keeps_every_event(tmp_path):
    path = tmp_path / "v1.sqlite"
    book = sample_data.book(30, seed=4)
    with Store(path=path) as store:
        store.save(book)
    _as_version_2(f"sqlite:///{path}")
    with sqlite3.connect(path) as db:  # make it look like a store written by version 1
        db.execute("ALTER TABLE orderkit_events DROP COLUMN shipped_at")
        db.execute("UPDATE orderkit_schema SET version = 1")
    with Store(path=path) as store:
        loaded = store.load()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM orderkit_schema").fetchall() == [(SCHEMA_VERSION,)]
    assert sorted(loaded.events["event_id"]) == sorted(book.events["event_id"])
    assert loaded.events["shipped_at"].isna().all()
