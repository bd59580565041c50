"""The report writer: what it writes of each order is what the per-order lens says, row for row."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import pytest
from orderbuilders import ITEM_A, ITEM_B, T0, build_book

from orderkit import Actor, Event, EventKind, OrderBook, sample
from orderkit.businessdays import JST
from orderkit.errors import TransitionNotAllowed
from orderkit.io import write_report
from orderkit.io.writer import report_rows

_STATUS_OUT = {"Canceled": "Cancelled"}


@pytest.fixture(scope="module")
def book() -> OrderBook:
    return sample.book()


def _iso(value: dt.datetime | None) -> str:
    return "" if value is None else pd.Timestamp(value).tz_convert(JST).isoformat()


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def _instants(book: OrderBook) -> list[dt.datetime]:
    first = book.orders["purchase_date"].min().to_pydatetime()
    last = book.events["at"].max().to_pydatetime()
    return [first + (last - first) / 2, last]


def _item_status(state, item_id: str) -> str:
    """The All Orders report's item-status of one line, from the per-order lens's state."""
    status = str(state.status)
    if status == "Canceled":
        return "Cancelled"
    if status in ("Shipped", "InvoiceUnconfirmed"):
        return "Shipped"
    ordered = state.ordered[item_id]
    if state.shipped[item_id] >= ordered > 0:
        return "Shipped"
    return "Pending" if status in ("Pending", "PendingAvailability") else "Unshipped"


def test_all_orders_statuses_and_dates_are_the_per_order_lens_s(book, tmp_path):
    for at in _instants(book):
        out = tmp_path / "all.txt"
        write_report(book, "all_orders", out, at=at)
        rows = _read(out)
        placed = book.orders.loc[book.orders["purchase_date"] <= at, "order_id"]
        items = book.items[book.items["order_id"].isin(placed)]  # the rows, in the items' order
        assert rows["amazon-order-id"].tolist() == items["order_id"].tolist()
        reported = book.orders.set_index("order_id")["last_updated"]
        for r, item in zip(rows.to_dict("records"), items["order_item_id"], strict=True):
            oid = r["amazon-order-id"]
            state = book.order(oid).state(at=at)
            updated = state.events[-1].at if pd.isna(reported[oid]) else reported[oid]
            status = str(state.status)
            assert r["order-status"] == _STATUS_OUT.get(status, status), oid
            assert r["item-status"] == _item_status(state, item), oid
            assert r["last-updated-date"] == _iso(updated), oid


def test_unshipped_quantities_and_payment_dates_are_the_per_order_lens_s(book, tmp_path):
    at = _instants(book)[0]
    out = tmp_path / "unshipped.txt"
    write_report(book, "unshipped", out, at=at)
    rows = _read(out)
    assert len(rows) > 0
    for r in rows.to_dict("records"):
        state = book.order(r["order-id"]).state(at=at)
        assert str(state.status) in ("Unshipped", "PartiallyShipped")
        shipped = state.shipped[r["order-item-id"]]
        assert r["quantity-shipped"] == str(shipped)
        assert r["quantity-to-ship"] == str(state.ordered[r["order-item-id"]] - shipped)
        assert r["payments-date"] == _iso(state.paid_at)
    listed = set(rows["order-id"])
    for oid in book.orders.loc[book.orders["purchase_date"] <= at, "order_id"]:
        state = book.order(oid).state(at=at)
        if state.facts.seller_fulfilled and str(state.status) in ("Unshipped", "PartiallyShipped"):
            assert oid in listed, oid


def test_orders_placed_after_the_report_instant_are_not_listed(tmp_path):
    first = build_book(order_id="503-0000001-0000001", paid=T0 + dt.timedelta(minutes=5))
    later = build_book(order_id="503-0000002-0000002", placed=T0 + dt.timedelta(days=2))
    both = first.merge(later)
    out = tmp_path / "all.txt"
    write_report(both, "all_orders", out, at=T0 + dt.timedelta(days=1))
    assert set(_read(out)["amazon-order-id"]) == {"503-0000001-0000001"}
    write_report(both, "all_orders", out)  # at its last event: both placed
    assert set(_read(out)["amazon-order-id"]) == {"503-0000001-0000001", "503-0000002-0000002"}


def test_an_order_without_a_placed_event_is_refused_by_name(tmp_path):
    book = build_book(paid=T0 + dt.timedelta(minutes=5))
    no_events = OrderBook(
        pd.concat([book.orders, book.orders.assign(order_id="503-7654321-7654321")]),
        book.items,
        book.events,
    )
    with pytest.raises(ValueError, match="503-7654321-7654321"):
        write_report(no_events, "all_orders", tmp_path / "x.txt")


def test_a_book_with_an_order_that_does_not_fold_writes_nothing(tmp_path):
    """The per-order lens's refusal, naming the order and the rule; yesterday's file intact."""
    book = build_book(paid=T0 + dt.timedelta(minutes=5))
    oid = book.orders["order_id"].iloc[0]
    book.extend(
        [Event(oid, T0 + dt.timedelta(hours=1), EventKind.REFUNDED, Actor.SELLER, amount=500)]
    )
    out = tmp_path / "all.txt"
    out.write_text("yesterday", encoding="utf-8")
    with pytest.raises(TransitionNotAllowed) as refused:
        write_report(book, "all_orders", out)
    assert refused.value.order_id == oid
    assert refused.value.rule.id == "refund-not-above-charged"
    assert out.read_text(encoding="utf-8") == "yesterday"


def test_tabs_and_line_breaks_in_a_value_become_spaces(tmp_path):
    book = build_book(paid=T0 + dt.timedelta(minutes=5))
    items = book.items.assign(product_name=["A\tB", "C\r\nD"])
    out = tmp_path / "all.txt"
    write_report(OrderBook(book.orders, items, book.events), "all_orders", out)
    rows = _read(out)
    assert rows["product-name"].tolist() == ["A B", "C  D"]


def test_times_are_written_in_japan_time_as_isoformat_writes_them(tmp_path):
    """Whole seconds, microseconds and nanoseconds: Timestamp.isoformat() of the JST time."""
    book = build_book(paid=T0 + dt.timedelta(minutes=5))
    stamps = pd.to_datetime(
        ["2026-11-02T05:00:00Z", "2026-11-02T05:00:00.123456Z", "2026-11-02T05:00:00.000000001Z"],
        utc=True,
        format="ISO8601",
    ).as_unit("ns")
    for stamp in stamps:
        orders = book.orders.assign(last_updated=[stamp])
        out = tmp_path / "all.txt"
        write_report(OrderBook(orders, book.items, book.events), "all_orders", out)
        assert set(_read(out)["last-updated-date"]) == {stamp.tz_convert(JST).isoformat()}


def test_a_missing_payment_method_is_written_blank(tmp_path):
    book = build_book(paid=T0 + dt.timedelta(minutes=5))
    orders = book.orders.assign(payment_method=[None])
    out = tmp_path / "unshipped.txt"
    write_report(OrderBook(orders, book.items, book.events), "unshipped", out)
    assert _read(out)["payment-method"].tolist() == ["", ""]


def test_a_partly_shipped_order_has_its_shipped_line_shipped(tmp_path):
    book = build_book(paid=T0 + dt.timedelta(minutes=5))
    oid = book.orders["order_id"].iloc[0]
    ship = Event(oid, T0 + dt.timedelta(hours=3), EventKind.SHIPMENT_CONFIRMED, Actor.SELLER,
                 order_item_id=ITEM_B)  # fmt: skip
    book.extend([ship, dataclasses.replace(ship, order_item_id=ITEM_A, quantity=1,
                                           at=ship.at + dt.timedelta(hours=1))])  # fmt: skip
    out = tmp_path / "all.txt"
    write_report(book, "all_orders", out)
    rows = _read(out)  # A, then B
    assert rows["order-status"].unique().tolist() == ["PartiallyShipped"]
    assert rows["item-status"].tolist() == ["Unshipped", "Shipped"]  # A: 1 of 2; B: 1 of 1


def test_the_rows_made_in_small_batches_are_the_rows_made_at_once(book):
    rows = report_rows(book, "all_orders")
    whole = rows.table()
    batched = pd.concat([b.to_pandas() for b in rows.batches(size=7)], ignore_index=True)
    pd.testing.assert_frame_equal(batched, whole.to_pandas())
    assert len(whole) == len(rows) == len(rows.order_ids)
    assert whole.column_names == list(rows.columns)
