"""The order book's schema: documented once, and every source produces it."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from orderkit import OrderBook, Scenario, sample, schema, simulate
from orderkit.io import read_report, read_spapi_orders, write_report
from orderkit.store import Store

NOW = sample.DEFAULT_NOW


def books(tmp_path):
    """One book from every source orderkit has."""
    base = sample.book(40, seed=3)
    report = tmp_path / "all.txt"
    write_report(base, "all_orders", report, at=NOW)
    store = Store(path=tmp_path / "s.sqlite")
    store.save(base)
    pages = {
        "payload": {
            "Orders": [
                {
                    "AmazonOrderId": "503-1111111-2222222",
                    "PurchaseDate": "2026-11-20T05:00:00Z",
                    "LastUpdateDate": "2026-11-20T06:00:00Z",
                    "OrderStatus": "Unshipped",
                    "FulfillmentChannel": "MFN",
                    "PaymentMethod": "Other",
                    "OrderTotal": {"CurrencyCode": "JPY", "Amount": "1980"},
                }
            ]
        }
    }
    spapi = tmp_path / "orders.json"
    spapi.write_text(json.dumps(pages))
    return {
        "sample": base,
        "simulate": simulate(Scenario(days=3, orders_per_day=20), seed=1),
        "report": read_report(report),
        "spapi": read_spapi_orders(spapi),
        "store": store.load(),
    }


@pytest.mark.parametrize("source", ["sample", "simulate", "report", "spapi", "store"])
def test_every_source_produces_the_documented_tables(source, tmp_path):
    book = books(tmp_path)[source]
    for table in ("orders", "items", "events"):
        schema.validate(getattr(book, table), table)


def test_every_documented_column_has_a_description():
    for table in (schema.ORDERS, schema.ITEMS, schema.EVENTS):
        assert all(col.doc and col.dtype for col in table.values())


def test_timestamps_are_utc_and_yen_are_integers(tmp_path):
    book = books(tmp_path)["sample"]
    assert str(book.events["at"].dt.tz) == "UTC"
    assert book.items["item_price"].dtype == "Int64"


def test_japanese_text_is_kept_intact(tmp_path):
    book = books(tmp_path)["report"]
    names = book.items["product_name"].dropna()
    assert names.str.contains(r"[\u3040-\u30ff\u4e00-\u9fff]").any()


def test_unknown_columns_are_kept_after_the_documented_ones():
    frame = pd.DataFrame({"order_id": ["503-1234567-1234567"], "gift-message": ["おめでとう"]})
    conformed = schema.conform(frame, "orders")
    assert list(conformed.columns)[-1] == "gift-message"
    assert list(conformed.columns)[: len(schema.ORDERS)] == list(schema.ORDERS)


def test_a_value_that_cannot_take_its_dtype_names_the_column():
    with pytest.raises(ValueError, match=r"items\.quantity"):
        schema.conform(pd.DataFrame({"quantity": ["two"]}), "items")


def test_a_missing_column_fails_validation_with_its_name():
    with pytest.raises(ValueError, match="order_id"):
        schema.validate(pd.DataFrame({"purchase_date": []}), "orders")


def test_naive_timestamps_are_refused_by_events():
    from orderkit import Event, EventKind

    with pytest.raises(ValueError, match="timezone"):
        Event("503-1234567-1234567", dt.datetime(2026, 11, 2, 10, 0), EventKind.PLACED)


def test_the_same_fact_from_two_sources_is_one_event():
    from orderkit import Event, EventKind

    at = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)
    book = OrderBook()
    a = Event("503-1234567-1234567", at, EventKind.PLACED, source="report.txt")
    b = Event("503-1234567-1234567", at, EventKind.PLACED, source="spapi")
    assert book.extend([a]) == 1 and book.extend([b]) == 0


# ---- code columns: category with canonical categories ---------------------------------------


def test_code_columns_are_categories_of_text_in_every_source(tmp_path):
    for source, book in books(tmp_path).items():
        for table, spec in (("orders", schema.ORDERS), ("events", schema.EVENTS)):
            frame = getattr(book, table)
            for name, col in spec.items():
                if col.dtype == schema.CODE:
                    categories = frame[name].cat.categories
                    assert categories.dtype == schema.STR, (source, name)
                    assert categories.is_monotonic_increasing, (source, name)


def test_code_columns_compare_and_filter_like_text():
    events = schema.conform(pd.DataFrame({"kind": ["placed", "canceled", None]}), "events")
    assert (events["kind"] == "placed").tolist() == [True, False, False]
    assert events["kind"].isin(["canceled"]).tolist() == [False, True, False]
    assert events["kind"].isna().tolist() == [False, False, True]


def test_codes_are_canonical_whatever_order_the_values_arrive_in():
    a = schema.codes(pd.Series(["seller", "buyer", "seller"], dtype="str"))
    b = schema.codes(pd.Series(["buyer", "seller", "seller"], dtype="str"))
    assert a.dtype == b.dtype
    assert list(a.cat.categories) == ["buyer", "seller"]


def test_a_column_in_chunks_is_encoded_as_the_joined_column_is():
    import pyarrow as pa

    chunks = [["b", None, "a"], [], ["c", "a", None, "b"], ["d"]]
    column = pa.chunked_array([pa.array(c, pa.large_string()) for c in chunks])
    dictionary, codes = schema.dictionary_codes(column)
    values = [v for c in chunks for v in c]
    assert [None if i < 0 else dictionary[i].as_py() for i in codes] == values
    assert sorted(dictionary.to_pylist()) == ["a", "b", "c", "d"]  # each value once
    empty, none = schema.dictionary_codes(pa.chunked_array([], pa.large_string()))
    assert (len(empty), len(none)) == (0, 0)


def test_categorical_from_codes_keeps_only_the_labels_used_sorted():
    cat = schema.categorical(np.array([2, -1, 0, 2]), ["seller", "amazon", "buyer"])
    assert list(cat.categories) == ["buyer", "seller"]
    assert [None if pd.isna(v) else v for v in cat] == ["buyer", None, "seller", "buyer"]


def test_a_filled_code_column_is_already_canonical():
    filled = pd.Series(schema.filled("JP", 4))
    assert filled.tolist() == ["JP"] * 4
    assert schema.codes(filled) is filled  # nothing to redo
    assert list(schema.filled("JP", 0).categories) == []  # no row uses it: no category
    assert list(schema.missing(schema.CODE, 3).cat.categories) == []


def test_concat_keeps_code_columns_categorical_across_different_values():
    a = schema.conform(pd.DataFrame({"source": ["sample"]}), "events")
    b = schema.conform(pd.DataFrame({"source": ["workbench"]}), "events")
    both = schema.concat([a, b])
    assert isinstance(both["source"].dtype, pd.CategoricalDtype)
    assert both["source"].tolist() == ["sample", "workbench"]
    schema.validate(both, "events")


def test_a_book_keeps_code_columns_categorical_when_an_action_adds_a_new_value():
    book = sample.book(5, seed=1)
    order_id = book.orders["order_id"].iloc[0]
    from orderkit.events import Actor, Event, EventKind

    book.extend([Event(order_id, NOW, EventKind.BUYER_CONTACTED, Actor.BUYER, channel="phone")])
    schema.validate(book.events, "events")
    assert "phone" in set(book.events["channel"].dropna())


def test_missing_columns_are_empty_in_their_dtype_and_independent():
    events = schema.conform(pd.DataFrame({"kind": ["placed", "placed"]}), "events")
    schema.validate(events, "events")
    assert events["due"].isna().all() and events["amount"].isna().all()
    events.loc[0, "due"] = pd.Timestamp("2026-11-02", tz="UTC")  # due and shipped_at share a blank
    assert events["shipped_at"].isna().all()


def test_utc_reads_nanoseconds_as_utc_and_the_minimum_as_missing():
    ns = np.array([0, np.iinfo(np.int64).min, 1_767_225_600_000_000_000])
    ts = schema.utc(ns)
    assert str(ts.dtype) == schema.TS
    assert ts.tolist()[0] == pd.Timestamp("1970-01-01", tz="UTC")
    assert pd.isna(ts.iloc[1])
    assert ts.iloc[2] == pd.Timestamp("2026-01-01", tz="UTC")
