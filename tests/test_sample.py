"""Tests of orderkit.sample: realistic, seeded sample data whose every order folds."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderkit import schema
from orderkit.businessdays import JST, BusinessCalendar
from orderkit.events import Actor, EventKind
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.sample import CATALOGUE, DEFAULT_NOW, DEFAULT_START, book
from orderkit.status import OrderStatus

NOW = DEFAULT_NOW


@pytest.fixture(scope="module")
def default_book():
    return book()


@pytest.fixture(scope="module")
def states(default_book):
    return {oid: default_book.order(oid).state(at=NOW) for oid in default_book.orders["order_id"]}


def _events(b, kind):
    return b.events[b.events["kind"] == kind]


# ---- reproducibility and shape ------------------------------------------------------------------


def test_same_seed_gives_identical_book(default_book):
    again = book()
    pd.testing.assert_frame_equal(default_book.orders, again.orders)
    pd.testing.assert_frame_equal(default_book.items, again.items)
    pd.testing.assert_frame_equal(default_book.events, again.events)


def test_different_seeds_give_different_books(default_book):
    other = book(seed=1)
    assert not other.orders["order_id"].isin(default_book.orders["order_id"]).any()


def test_book_has_the_requested_number_of_orders():
    assert [len(book(n)) for n in (0, 1, 2, 7, 45)] == [0, 1, 2, 7, 45]


def test_frames_follow_the_schema(default_book):
    for table in ("orders", "items", "events"):
        schema.validate(getattr(default_book, table), table)


def test_every_order_has_items_and_a_placed_event(default_book):
    ids = set(default_book.orders["order_id"])
    assert set(default_book.items["order_id"]) == ids
    placed = _events(default_book, EventKind.PLACED)
    assert sorted(placed["order_id"]) == sorted(ids)


def test_event_ids_are_unique(default_book):
    assert default_book.events["event_id"].is_unique


def test_events_are_marked_as_sample(default_book):
    assert (default_book.events["source"] == "sample").all()


@pytest.mark.parametrize(
    ("start", "now"),
    [(DEFAULT_START.replace(tzinfo=None), NOW), (DEFAULT_START, NOW.replace(tzinfo=None))],
)
def test_naive_period_is_refused(start, now):
    with pytest.raises(ValueError, match="timezone-aware"):
        book(5, start=start, now=now)


def test_start_after_now_is_refused():
    with pytest.raises(ValueError, match="before now"):
        book(5, start=NOW, now=DEFAULT_START)


def test_negative_order_count_is_refused():
    with pytest.raises(ValueError, match="negative"):
        book(-1)


# ---- every order folds ----------------------------------------------------------------------------


def test_every_order_folds_at_now(default_book, states):
    assert len(states) == len(default_book)


@pytest.mark.parametrize("days_before_now", [1, 4, 9, 16])
def test_every_order_folds_at_earlier_instants(default_book, days_before_now):
    at = NOW - dt.timedelta(days=days_before_now)
    placed = default_book.orders[default_book.orders["purchase_date"] <= at]["order_id"]
    assert len(placed) > 0
    for oid in placed:
        default_book.order(oid).state(at=at)


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 60),
    days=st.integers(2, 40),
    handling=st.integers(0, 4),
)
def test_every_order_folds_for_any_seed_period_and_policy(seed, n, days, handling):
    policy = Policy(handling_days=handling)
    start = NOW - dt.timedelta(days=days)
    b = book(n, seed=seed, start=start, policy=policy)
    assert len(b) == n
    for oid in b.orders["order_id"]:
        b.order(oid).state(at=NOW, policy=policy)


def test_no_event_lies_after_now(default_book):
    assert default_book.events["at"].max() <= pd.Timestamp(NOW)


def test_purchases_lie_between_start_and_now(default_book):
    dates = default_book.orders["purchase_date"]
    assert dates.min() >= pd.Timestamp(DEFAULT_START)
    assert dates.max() < pd.Timestamp(NOW)


# ---- the situations the FAQ talks about are all there at now ---------------------------------------


@pytest.mark.parametrize(
    "status",
    [
        OrderStatus.PENDING,
        OrderStatus.UNSHIPPED,
        OrderStatus.PARTIALLY_SHIPPED,
        OrderStatus.SHIPPED,
        OrderStatus.CANCELED,
    ],
)
def test_default_book_has_an_order_in_each_status(states, status):
    assert any(s.status is status for s in states.values())


def test_default_book_has_a_late_order(states):
    assert any(s.late for s in states.values())


def test_default_book_has_an_order_at_risk_with_the_warning_showing(states):
    assert any(s.at_risk and s.confirm_warning for s in states.values())


def test_default_book_has_an_order_canceled_by_amazon_at_the_cutoff(states):
    assert any(
        s.canceled_by is Actor.AMAZON and s.cancel_reason == "confirm_cutoff"
        for s in states.values()
    )


def test_default_book_has_a_pending_convenience_store_order(states):
    assert any(
        s.status is OrderStatus.PENDING and s.facts.payment_method == "cvs" for s in states.values()
    )


def test_default_book_has_an_expired_convenience_store_order(states):
    assert any(s.cancel_reason == "payment_expired" for s in states.values())


def test_default_book_has_business_orders_with_and_without_po(default_book):
    business = default_book.orders[default_book.orders["is_business_order"]]
    has_po = business["purchase_order_number"].notna()
    assert has_po.any()
    assert (~has_po).any()


def test_default_book_has_amazon_fulfilled_orders(states):
    afn = [s for s in states.values() if not s.facts.seller_fulfilled]
    assert any(s.status is OrderStatus.SHIPPED for s in afn)


def test_default_book_has_every_payment_method(default_book):
    assert set(default_book.orders["payment_method"]) == {"card", "cvs", "cod", "points"}


def test_most_orders_are_seller_fulfilled(default_book):
    assert (default_book.orders["fulfillment_channel"] == "MFN").mean() > 0.7


def test_default_book_has_an_atoz_claim(states):
    assert any(s.atoz_claimed for s in states.values())


def test_default_book_has_not_received_reports(states):
    assert any(s.not_received_at is not None and not s.atoz_claimed for s in states.values())


def test_default_book_has_an_open_reply_deadline(default_book):
    assert len(_events(default_book, EventKind.REPLY_DEADLINE_SET)) > 0


def test_default_book_has_seller_cancellations_for_stock_and_buyer_request(states):
    reasons = {s.cancel_reason for s in states.values() if s.canceled_by is Actor.SELLER}
    assert {"out_of_stock", "buyer_requested"} <= reasons


def test_buyer_self_cancellations_fall_within_the_edit_window(default_book, states):
    selves = [s for s in states.values() if s.canceled_by is Actor.BUYER]
    assert selves
    for s in selves:
        assert s.canceled_at - s.placed_at <= DEFAULT_POLICY.buyer_edit_window


def test_partially_unavailable_orders_are_confirmed_whole_and_the_rest_refunded(
    default_book, states
):
    refunds = _events(default_book, EventKind.REFUNDED)
    partial = refunds[refunds["reason"] == "partial_unavailable"]
    assert len(partial) > 0
    for row in partial.itertuples():
        s = states[row.order_id]
        assert s.status is OrderStatus.SHIPPED
        item = default_book.items.set_index("order_item_id").loc[row.order_item_id]
        assert row.amount == item["item_price"] - item["item_promotion_discount"]


def test_returns_to_sender_are_refunded_less_the_actual_shipping_cost(default_book, states):
    returns = _events(default_book, EventKind.RETURNED_TO_SENDER)
    assert set(returns["reason"]) <= {"undeliverable", "rejected", "invalid_address"}
    refunded = 0
    for row in returns.itertuples():
        s = states[row.order_id]
        if s.refunded:
            assert s.refunded == s.total - row.amount
            refunded += 1
    assert refunded > 0


def test_combined_shipment_joins_two_orders_of_one_buyer_and_address(default_book):
    combined = _events(default_book, EventKind.SHIPMENTS_COMBINED)
    assert len(combined) >= 2
    for _, group in combined.groupby("ref"):
        assert len(group) == 2
        rows = default_book.orders.set_index("order_id").loc[group["order_id"]]
        address = ["buyer_email", "ship_postal_code", "ship_address_1", "recipient_name"]
        assert (rows[address].nunique() == 1).all()
        shipments = _events(default_book, EventKind.SHIPMENT_CONFIRMED)
        tracking = shipments[shipments["order_id"].isin(group["order_id"])]["tracking_number"]
        assert tracking.nunique(dropna=False) == 1


def test_combined_shipment_saving_is_refunded(default_book):
    combined = _events(default_book, EventKind.SHIPMENTS_COMBINED)
    refunds = _events(default_book, EventKind.REFUNDED)
    saving = refunds[refunds["reason"] == "combined_shipment"]
    assert set(saving["order_id"]) == set(combined["order_id"])


# ---- realistic Amazon.co.jp values --------------------------------------------------------------


def test_order_ids_are_unique_3_7_7_digits(default_book):
    ids = default_book.orders["order_id"]
    assert ids.str.fullmatch(r"\d{3}-\d{7}-\d{7}").all()
    assert ids.is_unique


def test_order_item_ids_are_unique_14_digits(default_book):
    ids = default_book.items["order_item_id"]
    assert ids.str.fullmatch(r"\d{14}").all()
    assert ids.is_unique


def test_buyer_emails_are_anonymised_marketplace_addresses(default_book):
    assert (
        default_book.orders["buyer_email"]
        .str.fullmatch(r"[a-z0-9]+@marketplace\.amazon\.co\.jp")
        .all()
    )


def test_some_buyers_order_more_than_once(default_book):
    assert default_book.orders["buyer_email"].duplicated().any()


def test_shown_addresses_have_postal_codes_and_prefectures(default_book):
    shown = default_book.orders.dropna(subset=["ship_postal_code"])
    assert len(shown) > 0.8 * len(default_book)
    assert shown["ship_postal_code"].str.fullmatch(r"\d{3}-\d{4}").all()
    assert shown["ship_state"].str.fullmatch(r".+[都道府県]").all()


def test_unpaid_orders_show_no_shipping_address(default_book, states):
    unpaid = [oid for oid, s in states.items() if s.paid_at is None]
    rows = default_book.orders.set_index("order_id").loc[unpaid]
    assert unpaid
    assert rows["ship_address_1"].isna().all()
    assert rows["latest_ship_date"].isna().all()


def test_amazon_fulfilled_orders_show_no_buyer_phone(default_book):
    afn = default_book.orders[default_book.orders["fulfillment_channel"] == "AFN"]
    assert len(afn) > 0
    assert afn["buyer_phone"].isna().all()


def test_prices_are_catalogue_yen_times_quantity(default_book):
    prices = {p.sku: p.price for p in CATALOGUE}
    items = default_book.items
    assert (items["item_price"] == items["sku"].map(prices) * items["quantity"]).all()


def test_some_orders_have_several_items(default_book):
    assert default_book.items["order_id"].value_counts().max() >= 2


def test_some_orders_pay_shipping_and_cod_fees(default_book):
    assert (default_book.items["shipping_price"] > 0).any()
    cod = default_book.orders[default_book.orders["payment_method"] == "cod"]["order_id"]
    fees = default_book.items.groupby("order_id")["cod_fee"].sum()
    assert (fees.loc[cod] > 0).all()


def test_latest_ship_date_is_handling_business_days_after_payment(default_book):
    cal = BusinessCalendar.from_policy(DEFAULT_POLICY)
    paid = _events(default_book, EventKind.PAYMENT_COMPLETED).set_index("order_id")["at"]
    mfn = default_book.orders[default_book.orders["fulfillment_channel"] == "MFN"].set_index(
        "order_id"
    )
    mfn = mfn[mfn.index.isin(paid.index)]
    assert len(mfn) > 100
    for oid, lsd in mfn["latest_ship_date"].items():
        assert lsd == pd.Timestamp(
            cal.ship_by(paid[oid].to_pydatetime(), DEFAULT_POLICY.handling_days)
        )


def test_handling_days_of_the_policy_move_the_ship_date():
    slow = book(40, policy=Policy(handling_days=4))
    fast = book(40, policy=Policy(handling_days=1))
    gap = lambda b: (b.orders["latest_ship_date"] - b.orders["earliest_ship_date"]).mean()  # noqa: E731
    assert gap(slow) > gap(fast)


def test_shipments_use_japanese_carriers_and_mostly_carry_tracking(default_book):
    shipments = _events(default_book, EventKind.SHIPMENT_CONFIRMED)
    assert set(shipments["carrier"]) == {"Yamato", "Sagawa", "JapanPost", "Other"}
    tracked = shipments["tracking_number"].notna()
    assert 0.8 < tracked.mean() < 1
    other = shipments[shipments["carrier"] == "Other"]
    assert other["ref"].notna().all()  # the carrier's name goes with carrier code Other


def test_purchases_peak_in_the_evening(default_book):
    hours = default_book.orders["purchase_date"].dt.tz_convert(JST).dt.hour
    assert hours.between(19, 23).sum() > 3 * hours.between(2, 6).sum()


def test_seller_confirms_shipments_in_working_hours(default_book):
    shipments = _events(default_book, EventKind.SHIPMENT_CONFIRMED)
    by_seller = shipments[shipments["actor"] == "seller"]
    hours = by_seller["at"].dt.tz_convert(JST).dt.hour
    assert hours.between(13, 18).all()


def test_sample_is_quick_to_build():
    # Not a benchmark: a generous bound that catches an accidental quadratic loop.
    import time

    t = time.perf_counter()
    book(300, seed=5)
    assert time.perf_counter() - t < 10
