"""The store's Seller Central tables: the sync state and the confirmations sent."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from orderkit.errors import StoreError
from orderkit.store import SCHEMA_VERSION, Store


def _row(**kw):
    row = {
        "order_id": "503-1234567-1234567",
        "order_item_id": "12345678901234",
        "quantity": 1,
        "package_reference_id": "1",
        "tracking_number": "123456789012",
        "carrier": "Yamato Transport",
        "sent_at": dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC),
        "result": "ok",
        "message": None,
    }
    return {**row, **kw}


def test_a_sync_state_is_read_back_as_saved_and_replaced_by_the_next(store):
    assert store.sync_state("orders:JP") is None
    store.set_sync_state("orders:JP", {"watermark": "2026-11-26T08:58:00Z", "window": None})
    store.set_sync_state("orders:JP", {"watermark": "2026-11-26T09:28:00Z", "window": None})
    assert store.sync_state("orders:JP") == {"watermark": "2026-11-26T09:28:00Z", "window": None}


def test_a_damaged_sync_state_is_an_error_naming_it(store):
    with store._engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO orderkit_sync VALUES ('orders:JP', '[1')"))
    with pytest.raises(StoreError, match="orders:JP"):
        store.sync_state("orders:JP")


def test_confirmations_sent_are_read_back_in_order_and_by_order(store):
    store.record_sent(
        [_row(), _row(order_id="503-7654321-7654321", result="InvalidInput", message="canceled")]
    )
    sent = store.sent()
    assert list(sent["result"]) == ["ok", "InvalidInput"]
    assert sent["sent_at"].iloc[0] == dt.datetime(2026, 11, 26, 9, tzinfo=dt.UTC)
    assert list(store.sent(["503-7654321-7654321"])["message"]) == ["canceled"]


def test_an_existing_store_gains_the_tables_without_a_new_schema_version(tmp_path):
    path = tmp_path / "old.sqlite"
    with Store(path=path) as s, s._engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE orderkit_sync"))
        conn.execute(sa.text("DROP TABLE orderkit_sent"))
    with Store(path=path) as s:
        s.set_sync_state("x", {"a": 1})
        assert s.sync_state("x") == {"a": 1} and s.sent().empty
        with s._engine.connect() as conn:
            assert (
                conn.execute(sa.text("SELECT version FROM orderkit_schema")).scalar()
                == SCHEMA_VERSION
            )
