"""Tests of orderkit.store on damaged stores: metadata or values it cannot read back.

Each test damages one thing with plain SQL, then checks that opening or loading raises
``StoreError`` naming the table, the column and the row — not a ``TypeError``,
``JSONDecodeError`` or ``ValueError`` — and that the store was left exactly as it was.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from orderkit import StoreError
from orderkit import sample as sample_data
from orderkit.store import Store


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))


def _execute(url: str, *statements: str) -> None:
    engine = _engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
    engine.dispose()


def _contents(url: str) -> dict[str, list[tuple]]:
    """Every row of every table of the store, as the database holds it."""
    engine = _engine(url)
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        out = {
            t: sorted(map(tuple, conn.execute(sa.text(f"SELECT * FROM {t}"))), key=repr)
            for t in tables
        }
    engine.dispose()
    return out


@pytest.fixture
def saved(url):
    """A store holding a sample book with an extra column in each table; returns its URL and book."""
    book = sample_data.book(20, seed=5)
    richer = type(book)(
        book.orders.assign(**{"is-iba": "false"}),
        book.items.assign(gift_message_text="お誕生日おめでとう"),
        book.events.assign(batch="morning"),
    )
    with Store(url) as store:
        store.save(richer)
    return url, richer


def _schema_table(url: str, column_type: str, *values: str) -> None:
    """Replace ``orderkit_schema`` by one whose version column has ``column_type`` and ``values``."""
    rows = [f"INSERT INTO orderkit_schema (version) VALUES ({v})" for v in values]
    _execute(
        url,
        "DROP TABLE orderkit_schema",
        f"CREATE TABLE orderkit_schema (version {column_type})",
        *rows,
    )


def test_a_version_that_is_not_a_number_is_refused_on_open_and_left_alone(saved):
    url, _ = saved
    _schema_table(url, "TEXT", "'x'")
    before = _contents(url)
    with pytest.raises(StoreError, match=r"orderkit_schema\.version .* 'x', not a whole number"):
        Store(url)
    assert _contents(url) == before


def test_a_missing_version_is_refused_on_open_and_left_alone(saved):
    url, _ = saved
    _schema_table(url, "INTEGER", "NULL")
    before = _contents(url)
    with pytest.raises(StoreError, match=r"orderkit_schema\.version .* None, not a whole number"):
        Store(url)
    assert _contents(url) == before


def test_a_schema_table_without_exactly_one_version_is_refused_on_open(saved):
    url, _ = saved
    _schema_table(url, "INTEGER", "3", "2")
    before = _contents(url)
    with pytest.raises(StoreError, match="orderkit_schema holds 2 rows"):
        Store(url)
    assert _contents(url) == before


def test_an_extra_column_of_an_unknown_dtype_is_refused_on_load_naming_it(saved):
    url, _ = saved
    _execute(url, "UPDATE orderkit_columns SET dtype = 'nonsense' WHERE name = 'is-iba'")
    before = _contents(url)
    with (
        Store(url) as store,
        pytest.raises(
            StoreError, match=r"orderkit_columns\.dtype .*tbl='orders', name='is-iba' is 'nonsense'"
        ),
    ):
        store.load()
    assert _contents(url) == before


def test_invalid_json_in_an_extra_is_refused_on_load_naming_the_row(saved):
    url, book = saved
    order_id, item_id = book.items.loc[3, ["order_id", "order_item_id"]]
    _execute(
        url,
        "UPDATE orderkit_items SET _extra = '{\"gift_message_text\": ' "
        f"WHERE order_id = '{order_id}' AND order_item_id = '{item_id}'",
    )
    before = _contents(url)
    with Store(url) as store, pytest.raises(StoreError) as refused:
        store.load()
    assert "orderkit_items._extra" in str(refused.value)
    assert f"order_id='{order_id}', order_item_id='{item_id}'" in str(refused.value)
    assert "not valid JSON" in str(refused.value)
    assert _contents(url) == before


def test_an_extra_that_is_not_a_json_object_is_refused_on_load_naming_the_row(saved):
    url, book = saved
    order_id = book.orders.loc[2, "order_id"]
    _execute(url, f"UPDATE orderkit_orders SET _extra = '[1, 2]' WHERE order_id = '{order_id}'")
    before = _contents(url)
    with (
        Store(url) as store,
        pytest.raises(
            StoreError,
            match=rf"orderkit_orders\._extra of the row with order_id='{order_id}' .*list",
        ),
    ):
        store.load()
    assert _contents(url) == before


def test_an_extra_value_of_an_unrecorded_column_is_refused_rather_than_dropped(saved):
    url, book = saved
    event_id = int(book.events.loc[0, "event_id"])
    _execute(url, "DELETE FROM orderkit_columns WHERE tbl = 'events' AND name = 'batch'")
    before = _contents(url)
    with (
        Store(url) as store,
        pytest.raises(
            StoreError,
            match=rf"orderkit_events\._extra of the row with event_id={event_id} .*'batch'",
        ),
    ):
        store.load()
    assert _contents(url) == before


def test_text_in_a_timestamp_column_is_refused_on_load_naming_the_row(tmp_path):
    # SQLite only: PostgreSQL's typed columns cannot hold the damage.
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    book = sample_data.book(10, seed=5)
    with Store(url) as store:
        store.save(book)
    event_id = int(book.events.loc[4, "event_id"])
    _execute(url, f"UPDATE orderkit_events SET at = 'yesterday' WHERE event_id = {event_id}")
    before = _contents(url)
    with (
        Store(url) as store,
        pytest.raises(
            StoreError,
            match=rf"orderkit_events\.at of the row with event_id={event_id} holds 'yesterday'",
        ),
    ):
        store.load()
    assert _contents(url) == before
