"""Saved SP-API Orders responses (v0 pages with order items, and 2026-01-01 searchOrders)."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from iohelpers import LATER, SPAPI

from orderkit import OrderStatus, ReportFormatError, schema
from orderkit.io import read_spapi_orders

UTC = dt.UTC
PAGES = SPAPI / "orders_v0_pages.json"
ITEMS = SPAPI / "order_items_v0.json"
V2026 = SPAPI / "search_orders_2026.json"
AT = dt.datetime(2026, 11, 2, 12, tzinfo=UTC)


@pytest.fixture
def v0():
    return read_spapi_orders(PAGES, items=ITEMS)


def test_two_pages_with_next_token_are_read_as_one_book(v0):
    assert len(v0.orders) == 6 and len(v0.items) == 7
    for table in ("orders", "items", "events"):
        schema.validate(getattr(v0, table), table)


def test_pages_as_a_list_of_dicts_read_the_same_as_the_file(v0):
    pages = json.loads(PAGES.read_text(encoding="utf-8"))
    items = json.loads(ITEMS.read_text(encoding="utf-8"))
    again = read_spapi_orders(pages, items=items, source=PAGES.name)
    assert set(again.events["event_id"]) == set(v0.events["event_id"])
    single = read_spapi_orders(pages[0])
    assert len(single.orders) == 2


def test_order_statuses_fold_to_what_the_api_said(v0):
    got = {o: v0.order(o).state(at=AT).status for o in v0.orders["order_id"]}
    assert got == {
        "503-4000001-0000001": OrderStatus.PENDING,
        "503-4000002-0000002": OrderStatus.UNSHIPPED,
        "503-4000003-0000003": OrderStatus.SHIPPED,
        "503-4000004-0000004": OrderStatus.PARTIALLY_SHIPPED,
        "503-4000005-0000005": OrderStatus.CANCELED,
        "503-4000006-0000006": OrderStatus.SHIPPED,
    }


def test_every_order_folds_later_too(v0):
    for order_id in v0.orders["order_id"]:
        v0.order(order_id).state(at=LATER)


def test_payment_methods_map_from_payment_method_and_details(v0):
    pm = v0.orders.set_index("order_id")["payment_method"]
    assert pm["503-4000001-0000001"] == "cvs"
    assert pm["503-4000002-0000002"] == "card"
    assert pm["503-4000003-0000003"] == "cod"
    assert pm["503-4000004-0000004"] == "points"


def test_business_order_fields_and_ship_dates_are_mapped(v0):
    row = v0.orders.set_index("order_id").loc["503-4000002-0000002"]
    assert row["is_business_order"] and row["purchase_order_number"] == "PO-7781"
    assert row["buyer_email"] == "biz01@marketplace.amazon.co.jp"
    assert row["latest_ship_date"] == pd.Timestamp("2026-11-03T14:59:59Z")
    assert row["latest_delivery_date"] == pd.Timestamp("2026-11-06T14:59:59Z")
    assert row["ship_state"] == "東京都"


def test_amount_strings_become_integer_yen(v0):
    items = v0.items.set_index("order_item_id")
    assert items.loc["22222222222221", "item_price"] == 8940
    assert items.loc["44444444444442", "item_promotion_discount"] == 200
    assert items.loc["33333333333331", "cod_fee"] == 330
    assert str(items["item_price"].dtype) == "Int64"
    assert v0.orders.set_index("order_id").loc["503-4000002-0000002", "order_total"] == 8940


def test_pending_order_items_have_no_prices(v0):
    assert pd.isna(v0.items.set_index("order_item_id").loc["11111111111111", "item_price"])


def test_unknown_fields_are_kept(v0):
    assert "MarketplaceId" in v0.orders.columns
    assert "PriceDesignation" in v0.items.columns


def test_embedded_order_items_are_read(v0):
    assert "66666666666661" in set(v0.items["order_item_id"])


def test_partially_shipped_confirms_the_quantity_shipped(v0):
    state = v0.order("503-4000004-0000004").state(at=AT)
    assert dict(state.shipped) == {"44444444444441": 1, "44444444444442": 0}


def test_cvs_order_canceled_after_its_window_is_a_payment_expiry(v0):
    state = v0.order("503-4000005-0000005").state(at=AT)
    assert state.cancel_reason == "payment_expired" and state.canceled_by == "amazon"


def test_2026_shape_reads_nested_fields():
    book = read_spapi_orders(V2026)
    row = book.orders.set_index("order_id").loc["250-5000001-0000001"]
    assert row["fulfillment_channel"] == "MFN" and row["is_prime"]
    assert row["recipient_name"] == "田中 美咲" and row["ship_postal_code"] == "460-0008"
    assert book.items.set_index("order_item_id").loc["77777777777771", "item_price"] == 4400
    assert "packages" in book.orders.columns


def test_2026_statuses_and_cancelled_by_are_mapped():
    book = read_spapi_orders(V2026)
    shipped = book.order("250-5000001-0000001").state(at=AT)
    assert shipped.status is OrderStatus.SHIPPED
    canceled = book.order("250-5000002-0000002").state(at=AT)
    assert canceled.status is OrderStatus.CANCELED and canceled.canceled_by == "buyer"
    business = book.orders.set_index("order_id").loc["250-5000002-0000002"]
    assert business["is_business_order"] and business["purchase_order_number"] == "PO-2026-9"


def test_the_same_pages_twice_add_nothing(v0):
    merged = v0.merge(read_spapi_orders(PAGES, items=ITEMS, source="again"))
    assert len(merged.events) == len(v0.events)


def test_malformed_json_names_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"payload": {"Orders": [\n  {"AmazonOrderId": }\n]}}', encoding="utf-8")
    with pytest.raises(ReportFormatError) as err:
        read_spapi_orders(path)
    assert err.value.line == 2 and err.value.column == "$"


def test_bad_date_names_its_json_path():
    page = json.loads(PAGES.read_text(encoding="utf-8"))[0]
    page["payload"]["Orders"][1]["PurchaseDate"] = "yesterday"
    with pytest.raises(ReportFormatError) as err:
        read_spapi_orders(page)
    assert err.value.column == "$.payload.Orders[1].PurchaseDate"
    assert err.value.value == "yesterday"


def test_fractional_yen_names_its_json_path():
    items = json.loads(ITEMS.read_text(encoding="utf-8"))
    items[1]["payload"]["OrderItems"][0]["ItemPrice"]["Amount"] = "8940.50"
    with pytest.raises(ReportFormatError) as err:
        read_spapi_orders(PAGES, items=items)
    assert err.value.column == "$[3].payload.OrderItems[0].ItemPrice"


def test_unknown_status_is_refused():
    page = {"payload": {"Orders": [{"AmazonOrderId": "503-1234567-1234567",
                                    "PurchaseDate": "2026-11-02T01:00:00Z",
                                    "OrderStatus": "Lost"}]}}  # fmt: skip
    with pytest.raises(ReportFormatError) as err:
        read_spapi_orders(page)
    assert err.value.column == "$.payload.Orders[0].OrderStatus"


def test_partially_shipped_order_read_without_its_items_is_listed_in_problems():
    book = read_spapi_orders(PAGES)  # getOrders pages only: no getOrderItems
    (problem,) = book.problems
    assert problem.value == "PartiallyShipped" and "503-4000004-0000004" in problem.expected
    assert problem.column.endswith(".OrderStatus")


def test_partially_shipped_order_read_without_its_items_is_left_out():
    book = read_spapi_orders(PAGES)
    assert "503-4000004-0000004" not in book
    assert "503-4000003-0000003" in book


def test_partially_shipped_order_read_with_its_items_is_no_problem(v0):
    assert not v0.problems and "503-4000004-0000004" in v0
