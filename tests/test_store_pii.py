"""Buyer and recipient data (PII) in the store: kept apart, moved there on upgrade, purged.

Amazon's Data Protection Policy: PII no longer than 30 days after delivery. The ``url`` fixture
runs each store test on SQLite and, marked ``postgres``, on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from orderbuilders import ITEM_A, ORDER_ID, T0, build_book

from orderkit import Actor, Event, EventKind, OrderBook, schema
from orderkit import sample as sample_data
from orderkit.book import without_pii
from orderkit.store import DELIVERY_MARGIN, SCHEMA_VERSION, Store

V4 = Path(__file__).parent / "data" / "stores" / "v4-with-buyer-data.sqlite"
SHIPPED = T0 + dt.timedelta(days=1)
DELIVERED = T0 + dt.timedelta(days=2, hours=3)


def _pii(book: OrderBook, order_id: str = ORDER_ID) -> dict[str, object]:
    row = book.orders.set_index("order_id").loc[order_id]
    return {c: row[c] for c in sorted(schema.PII) if pd.notna(row[c])}


def _shipped(*, delivered: bool) -> OrderBook:
    """The builders' card order, paid, shipped whole on day 1 and (``delivered``) delivered."""
    book = build_book(paid=T0 + dt.timedelta(hours=1))
    book.extend(
        [Event(ORDER_ID, SHIPPED, EventKind.SHIPMENT_CONFIRMED, Actor.SELLER, carrier="Yamato",
               tracking_number="123456789012")]
        + ([Event(ORDER_ID, DELIVERED, EventKind.DELIVERED, Actor.AMAZON)] if delivered else [])
    )  # fmt: skip
    return book


def _columns(url: str, table: str) -> set[str]:
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        return {c["name"] for c in sa.inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


# ---- where it is kept ------------------------------------------------------------------------------


def test_pii_is_names_contacts_and_address_but_not_the_prefecture_or_po_number():
    assert {"buyer_name", "buyer_email", "buyer_phone", "recipient_name"} <= schema.PII
    assert {"ship_postal_code", "ship_city", "ship_address_1"} <= schema.PII
    assert not {"ship_state", "ship_country", "purchase_order_number"} & schema.PII
    assert set(schema.ORDERS) >= schema.PII


def test_the_orders_table_holds_no_buyer_data_and_load_joins_it_back(url):
    book = _shipped(delivered=True)
    with Store(url) as store:
        store.save(book)
        loaded = store.load()
    assert not _columns(url, "orderkit_orders") & schema.PII
    assert _pii(loaded) == _pii(book) != {}


def test_a_version_4_store_moves_its_buyer_data_to_its_own_table_on_open(tmp_path):
    path = tmp_path / "v4.sqlite"
    shutil.copy(V4, path)
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        before = {r["order_id"]: dict(r) for r in db.execute("SELECT * FROM orderkit_orders")}
        events = db.execute("SELECT count(*) FROM orderkit_events").fetchone()[0]
    with Store(path=path) as store:
        book = store.load()
    url = f"sqlite:///{path}"
    assert not _columns(url, "orderkit_orders") & schema.PII
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM orderkit_schema").fetchall() == [(SCHEMA_VERSION,)]
    assert len(book.events) == events
    for order_id, row in before.items():
        held = {c: row[c] for c in schema.PII if row[c] is not None}
        assert _pii(book, order_id) == held
    assert book.orders["gift_message"].notna().all()  # the extra column stayed in its table


def _as_version_4(url: str) -> None:
    """Put a store's PII back into its orders table and drop ``orderkit_pii``, as version 4 was."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        for c in sorted(schema.PII):
            conn.execute(sa.text(f"ALTER TABLE orderkit_orders ADD COLUMN {c} TEXT"))
            conn.execute(
                sa.text(
                    f"UPDATE orderkit_orders SET {c} = (SELECT p.{c} FROM orderkit_pii p"
                    " WHERE p.order_id = orderkit_orders.order_id)"
                )
            )
        conn.execute(sa.text("DROP TABLE orderkit_pii"))
        conn.execute(sa.text("UPDATE orderkit_schema SET version = 4"))
    engine.dispose()


def test_a_version_4_store_on_either_database_keeps_every_buyer_value(url):
    book = sample_data.book(20, seed=4)
    with Store(url) as store:
        store.save(book)
    _as_version_4(url)
    assert _columns(url, "orderkit_orders") >= schema.PII
    with Store(url) as store:
        loaded = store.load()
    assert not _columns(url, "orderkit_orders") & schema.PII
    for order_id in book.orders["order_id"]:
        assert _pii(loaded, order_id) == _pii(book, order_id)


def test_without_pii_blanks_only_the_buyer_data():
    book = sample_data.book(20, seed=1)
    clean = without_pii(book)
    assert clean.orders[sorted(schema.PII)].isna().all().all()
    rest = [c for c in book.orders.columns if c not in schema.PII]
    pd.testing.assert_frame_equal(clean.orders[rest], book.orders[rest])
    assert book.orders["buyer_name"].notna().any()  # the book itself keeps it
    schema.validate(clean.orders, "orders")


# ---- the purge -------------------------------------------------------------------------------------


def test_pii_is_kept_until_exactly_30_days_after_delivery(url):
    with Store(url) as store:
        store.save(_shipped(delivered=True))
        kept = store.purge_pii(at=DELIVERED + dt.timedelta(days=30))
        still = _pii(store.load())
        purged = store.purge_pii(at=DELIVERED + dt.timedelta(days=30, microseconds=1))
        after = _pii(store.load())
    assert (kept, purged) == (0, 1)
    assert still != {}
    assert after == {}


def test_without_a_delivery_event_the_purge_counts_from_the_shipment_plus_a_margin(url):
    due = SHIPPED + DELIVERY_MARGIN + dt.timedelta(days=30)
    with Store(url) as store:
        store.save(_shipped(delivered=False))
        kept = store.purge_pii(at=due)
        purged = store.purge_pii(at=due + dt.timedelta(microseconds=1))
    assert (kept, purged) == (0, 1)


def test_an_order_not_shipped_whole_keeps_its_pii(url):
    book = build_book(paid=T0 + dt.timedelta(hours=1))
    book.extend(
        [Event(ORDER_ID, SHIPPED, EventKind.SHIPMENT_CONFIRMED, Actor.SELLER, carrier="Yamato",
               tracking_number="123456789012", order_item_id=ITEM_A, quantity=2)]
    )  # fmt: skip
    with Store(url) as store:
        store.save(book)
        assert store.purge_pii(at=SHIPPED + dt.timedelta(days=45)) == 0
        assert _pii(store.load()) != {}


def test_a_canceled_order_loses_its_pii_30_days_after_the_cancellation(url):
    canceled = T0 + dt.timedelta(hours=2)
    book = build_book(paid=T0 + dt.timedelta(hours=1))
    book.extend([Event(ORDER_ID, canceled, EventKind.CANCELED, Actor.SELLER, reason="NoInventory")])
    with Store(url) as store:
        store.save(book)
        kept = store.purge_pii(at=canceled + dt.timedelta(days=30))
        purged = store.purge_pii(at=canceled + dt.timedelta(days=31))
    assert (kept, purged) == (0, 1)


def test_a_purge_changes_nothing_but_the_buyer_data(url):
    book = _shipped(delivered=True)
    with Store(url) as store:
        store.save(book)
        before = store.load()
        store.purge_pii(at=DELIVERED + dt.timedelta(days=31))
        after = store.load()
    rest = [c for c in before.orders.columns if c not in schema.PII]
    pd.testing.assert_frame_equal(after.orders[rest], before.orders[rest])
    pd.testing.assert_frame_equal(after.items, before.items)
    pd.testing.assert_frame_equal(after.events, before.events)


def test_re_importing_a_purged_order_neither_stores_its_pii_again_nor_counts_a_change(url):
    book = _shipped(delivered=True)
    with Store(url) as store:
        store.save(book)
        store.purge_pii(at=DELIVERED + dt.timedelta(days=31))
        summary = store.save(book)  # the old report again, or the book still in memory
        after = store.load()
    assert _pii(after) == {}
    assert summary.events_added == 0
    assert summary.status_changes.empty


def test_an_order_still_kept_takes_new_buyer_data_from_a_later_import(url):
    book = _shipped(delivered=True)
    later = book.orders.assign(recipient_name="山田 花子")
    with Store(url) as store:
        store.save(book)
        store.save(OrderBook(later, book.items, book.events))
        assert _pii(store.load())["recipient_name"] == "山田 花子"


def test_purge_refuses_a_naive_time(url):
    with Store(url) as store, pytest.raises(ValueError, match="tz-aware"):
        store.purge_pii(at=dt.datetime(2026, 12, 1))


# ---- at rest ---------------------------------------------------------------------------------------


def test_a_new_sqlite_store_is_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "new.sqlite"
    with Store(path=path) as store:
        store.save(_shipped(delivered=True))
    assert path.stat().st_mode & 0o777 == 0o600


def test_an_existing_sqlite_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "shared.sqlite"
    path.touch(mode=0o640)
    path.chmod(0o640)
    with Store(path=path):
        pass
    assert path.stat().st_mode & 0o777 == 0o640
