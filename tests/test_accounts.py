"""Seller accounts: each account's rates are its own, in a book, a store and a history."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from orderkit import metrics, sample, schema
from orderkit.book import OrderBook
from orderkit.history import History
from orderkit.policy import Policy
from orderkit.simulate import Scenario, simulate
from orderkit.store import SCHEMA_VERSION, Store

JST = dt.timezone(dt.timedelta(hours=9))
AT = dt.datetime(2026, 4, 25, 12, tzinfo=JST)
# Two shops unlike each other: the second one ships late and cancels more.
SHOPS = {
    "shop-tokyo": (Scenario(days=25, orders_per_day=150), 21),
    "shop-osaka": (
        Scenario(days=25, orders_per_day=90, confirm_delayed=0.2, seller_cancel=0.05),
        22,
    ),
}
POLICIES = {"shop-tokyo": Policy(handling_days=2), "shop-osaka": Policy(handling_days=1)}


def _account_book(account: str) -> OrderBook:
    scenario, seed = SHOPS[account]
    book = simulate(scenario, seed=seed)
    return OrderBook(book.orders.assign(account=account), book.items, book.events)


@pytest.fixture(scope="module")
def alone() -> dict[str, OrderBook]:
    return {account: _account_book(account) for account in SHOPS}


@pytest.fixture(scope="module")
def both(alone) -> OrderBook:
    books = list(alone.values())
    joined = OrderBook(*(schema.concat([b._tables()[i] for b in books]) for i in range(3)))
    assert not joined.orders["order_id"].duplicated().any()  # the shops' ids never collide
    return joined


def _expected_rates(alone: dict[str, OrderBook]) -> pd.DataFrame:
    frames = [
        metrics.rates(book, at=AT, policy=POLICIES[a]).assign(account=a)
        for a, book in sorted(alone.items())
    ]
    out = pd.concat(frames, ignore_index=True)
    return out[["account", *out.columns.drop("account")]]


def test_a_book_without_an_account_column_is_one_default_account():
    book = simulate(Scenario(days=3, orders_per_day=20), seed=1)
    book = OrderBook(book.orders.drop(columns=["account"]), book.items, book.events)
    assert book.accounts() == [schema.DEFAULT_ACCOUNT]
    assert book.for_account(schema.DEFAULT_ACCOUNT) is book


def test_for_account_holds_the_accounts_orders_with_their_items_and_events(both, alone):
    mine = both.for_account("shop-osaka")
    assert set(mine.orders["order_id"]) == set(alone["shop-osaka"].orders["order_id"])
    assert len(mine.items) == len(alone["shop-osaka"].items)
    assert len(mine.events) == len(alone["shop-osaka"].events)
    with pytest.raises(KeyError, match="shop-kyoto"):
        both.for_account("shop-kyoto")


def test_rates_of_several_accounts_are_refused_rather_than_pooled(both):
    with pytest.raises(ValueError, match="per account"):
        metrics.rates(both, at=AT)


def test_two_accounts_in_one_history_each_get_their_own_rates_equal_to_their_book_alone(
    both, alone, tmp_path
):
    h = History(str(tmp_path / "history"), buckets=2)
    h.append(both)
    assert h.accounts() == sorted(SHOPS)
    got = h.rates(at=AT, policy=POLICIES, progress=False)
    pd.testing.assert_frame_equal(got, _expected_rates(alone))


def test_two_accounts_in_one_history_each_get_their_own_daily_counts(both, alone, tmp_path):
    h = History(str(tmp_path / "history"), buckets=3)
    h.append(both)
    got = h.daily(policy=POLICIES, progress=False)
    for account, book in alone.items():
        expected = metrics.daily(book, policy=POLICIES[account])
        pd.testing.assert_frame_equal(got.loc[account], expected)


def test_two_accounts_in_one_store_and_one_history_each_get_their_own_rates(both, alone, tmp_path):
    with Store(path=tmp_path / "store.sqlite") as store:
        store.save(both)
        assert store.load().accounts() == sorted(SHOPS)
        h = History(str(tmp_path / "history"), buckets=2)
        h.append(store)
    got = h.rates(at=AT, policy=POLICIES, progress=False)
    pd.testing.assert_frame_equal(got, _expected_rates(alone))


def test_a_history_of_several_accounts_needs_a_policy_for_each(both, tmp_path):
    h = History(str(tmp_path / "history"), buckets=1)
    h.append(both)
    with pytest.raises(ValueError, match="shop-osaka"):
        h.rates(at=AT, policy={"shop-tokyo": Policy()}, progress=False)


V5 = Path(__file__).parent / "data" / "stores" / "v5-with-accounts-as-extras.sqlite"


def test_a_version_5_store_gains_account_columns_and_keeps_the_values_a_source_brought(tmp_path):
    # A version-5 store kept a report's own account and marketplace columns beyond its schema.
    path = tmp_path / "v5.sqlite"
    shutil.copy(V5, path)
    with sqlite3.connect(path) as db:
        extras = [json.loads(t) for (t,) in db.execute("SELECT _extra FROM orderkit_orders")]
        events = db.execute("SELECT count(*) FROM orderkit_events").fetchone()[0]
    with Store(path=path) as store:
        book = store.load()
    assert list(book.orders["account"]) == [e["account"] for e in extras]
    assert list(book.orders["marketplace"]) == [e["marketplace"] for e in extras]
    assert list(book.orders["gift_note"]) == [e["gift_note"] for e in extras]
    assert len(book.events) == events
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT version FROM orderkit_schema").fetchall() == [(SCHEMA_VERSION,)]
        left = [json.loads(t) for (t,) in db.execute("SELECT _extra FROM orderkit_orders")]
        recorded = db.execute("SELECT name, position FROM orderkit_columns").fetchall()
    assert left == [{"gift_note": e["gift_note"]} for e in extras]  # not kept twice
    assert recorded == [("gift_note", 0)]


def _as_version_5(url: str) -> None:
    """Drop a store's account and marketplace columns and call it version 5, as it was."""
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        for column in ("account", "marketplace"):
            conn.execute(sa.text(f"ALTER TABLE orderkit_orders DROP COLUMN {column}"))
        conn.execute(sa.text("UPDATE orderkit_schema SET version = 5"))
    engine.dispose()


def test_a_version_5_store_on_either_database_opens_with_its_orders_in_the_default_account(url):
    book = sample.book(20, seed=4)
    with Store(url) as store:
        store.save(book)
    _as_version_5(url)
    with Store(url) as store:
        upgraded = store.load()
        other = sample.book(1, seed=9)
        other.orders["account"] = "shop-osaka"  # the new column takes a second account's order
        store.save(OrderBook(other.orders, other.items, other.events))
        both = store.load()
    assert upgraded.accounts() == [schema.DEFAULT_ACCOUNT]
    assert list(upgraded.orders["order_id"]) == list(book.orders["order_id"])
    assert len(upgraded.events) == len(book.events)
    assert both.accounts() == [schema.DEFAULT_ACCOUNT, "shop-osaka"]
