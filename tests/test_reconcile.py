"""Import is reconciliation: what a snapshot adds to what is known (orderkit.reconcile).

Snapshots are made the way Amazon makes them: the same orders written as each report kind (and
as an SP-API 2026-01-01 response) at several instants of their life, then read back.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import orderkit as ok
from orderkit import Event, EventKind, Store, StoreError
from orderkit.actions import make_event
from orderkit.events import Actor
from orderkit.io import read_report, read_spapi_orders, write_report
from orderkit.metrics import status_at
from orderkit.reconcile import reconcile
from orderkit.status import OrderStatus

JST = dt.timezone(dt.timedelta(hours=9))
#: The instants the snapshots are taken at: a day, a week and three weeks into the sample.
INSTANTS = (
    dt.datetime(2026, 11, 6, 9, 0, tzinfo=JST),
    dt.datetime(2026, 11, 13, 9, 0, tzinfo=JST),
    dt.datetime(2026, 11, 26, 18, 0, tzinfo=JST),
)
KINDS = ("all_orders", "unshipped", "order_report", "spapi")
_SPAPI_STATUS = {
    OrderStatus.PENDING: "PENDING",
    OrderStatus.PENDING_AVAILABILITY: "PENDING_AVAILABILITY",
    OrderStatus.UNSHIPPED: "UNSHIPPED",
    OrderStatus.PARTIALLY_SHIPPED: "PARTIALLY_SHIPPED",
    OrderStatus.SHIPPED: "SHIPPED",
    OrderStatus.CANCELED: "CANCELLED",
}


@cache
def truth() -> ok.OrderBook:
    """The orders' real lives: what the snapshots are taken of."""
    return ok.sample.book(24, seed=11)


def _placed_by(at: dt.datetime) -> ok.OrderBook:
    """The orders of :func:`truth` placed by ``at`` (what a report at ``at`` can show)."""
    orders = truth().orders
    return truth().subset(orders.loc[orders["purchase_date"] <= at, "order_id"])


def _iso(value: object) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()


def _spapi(book: ok.OrderBook, at: dt.datetime) -> dict:
    """Return the book as a searchOrders (2026-01-01) page at ``at``: each order as of then."""
    orders = []
    for row in book.orders.itertuples():
        if row.purchase_date > at or row.fulfillment_channel != "MFN":
            continue
        view = book.order(row.order_id)
        state = view.state(at=at)
        last = max(e.at for e in view.events if e.at <= at)
        items = []
        for it in view.items.itertuples():
            shipped = state.shipped.get(it.order_item_id, 0)
            items.append(
                {
                    "orderItemId": it.order_item_id,
                    "quantityOrdered": int(it.quantity),
                    "product": {"asin": it.asin, "title": it.product_name, "sellerSku": it.sku},
                    "fulfillment": {
                        "quantityFulfilled": shipped,
                        "quantityUnfulfilled": int(it.quantity) - shipped,
                    },
                }
            )
        orders.append(
            {
                "orderId": row.order_id,
                "createdTime": _iso(row.purchase_date),
                "lastUpdatedTime": _iso(last),
                "salesChannel": {"marketplaceId": "A1VC38T7YXB528"},
                "fulfillment": {
                    "fulfillmentStatus": _SPAPI_STATUS[state.status],
                    "fulfilledBy": "MERCHANT",
                    "shipByWindow": {"latestDateTime": _iso(row.latest_ship_date)},
                },
                "orderItems": items,
            }
        )
    return {"orders": orders}


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory) -> dict[tuple[str, int], ok.OrderBook]:
    """Every kind of snapshot of the same orders at each instant, read back as Amazon's files."""
    folder = tmp_path_factory.mktemp("snapshots")
    out = {}
    for i, at in enumerate(INSTANTS):
        for kind in KINDS:
            path = folder / f"{kind}-{i}.{'json' if kind == 'spapi' else 'txt'}"
            if kind == "spapi":
                path.write_text(json.dumps(_spapi(truth(), at)), encoding="utf-8")
                out[kind, i] = read_spapi_orders(path)
            else:
                write_report(_placed_by(at), kind, path, at=at)
                out[kind, i] = read_report(path)
    return out


def _fold_all(book: ok.OrderBook, at: dt.datetime) -> None:
    for order_id in book.orders["order_id"]:
        book.order(order_id).state(at=at)  # raises TransitionNotAllowed if it does not fold


def _facts(book: ok.OrderBook, at: dt.datetime, orders: list[str]) -> pd.DataFrame:
    """The state the invariant compares: status, charged, shipped quantities, totals."""
    rows = []
    for order_id in orders:
        view = book.order(order_id)
        s = view.state(at=at)
        rows.append((order_id, str(s.status), s.charged, tuple(sorted(s.shipped.items())),
                     view.facts.total))  # fmt: skip
    return pd.DataFrame(rows, columns=["order_id", "status", "charged", "shipped", "total"])


# ---- the cases of the daily loop ---------------------------------------------------------------


def test_tomorrows_all_orders_report_adds_no_second_shipment(snapshots, tmp_path):
    today = tmp_path / "today.txt"
    write_report(_placed_by(INSTANTS[1]), "all_orders", today, at=INSTANTS[1])
    lines = today.read_text(encoding="utf-8").splitlines()
    head = lines[0].split("\t")
    lu, status = head.index("last-updated-date"), head.index("order-status")
    moved = []
    for line in lines[1:]:  # Amazon moves last-updated-date of Shipped orders (a refund, ...)
        f = line.split("\t")
        if f[status] == "Shipped":
            f[lu] = (dt.datetime.fromisoformat(f[lu]) + dt.timedelta(days=1)).isoformat()
        moved.append("\t".join(f))
    tomorrow = tmp_path / "tomorrow.txt"
    tomorrow.write_text("\n".join([lines[0], *moved]) + "\n", encoding="utf-8")
    book = ok.OrderBook().merge(read_report(today)).merge(read_report(tomorrow))
    shipments = book.live_events.loc[book.live_events["kind"] == "shipment_confirmed"]
    assert not shipments.duplicated(["order_id", "order_item_id"]).any()
    assert book.summary.events_added == 0
    _fold_all(book, INSTANTS[2])


def test_the_unshipped_report_after_all_orders_adds_no_second_payment(snapshots):
    book = ok.OrderBook().merge(snapshots["all_orders", 1]).merge(snapshots["unshipped", 1])
    payments = book.live_events.loc[book.live_events["kind"] == "payment_completed"]
    assert not payments["order_id"].duplicated().any()
    _fold_all(book, INSTANTS[2])


def test_items_are_matched_across_report_kinds_so_totals_do_not_double(snapshots):
    alone = ok.OrderBook().merge(snapshots["all_orders", 1])
    both = alone.merge(snapshots["unshipped", 1]).merge(snapshots["order_report", 1])
    assert len(both.items) == len(alone.items)
    orders = list(alone.orders["order_id"])
    assert _facts(both, INSTANTS[2], orders)["total"].tolist() == [
        alone.order(o).facts.total for o in orders
    ]


def test_a_blank_in_a_snapshot_never_erases_a_known_value(snapshots):
    priced = ok.OrderBook().merge(snapshots["all_orders", 1])
    later = priced.merge(snapshots["unshipped", 2])  # the Unshipped report has no prices
    key = ["order_id", "order_item_id"]
    before = priced.items.set_index(key)["item_price"]
    assert later.items.set_index(key)["item_price"].reindex(before.index).equals(before)


def test_a_shipment_the_seller_confirmed_satisfies_the_snapshot_that_shows_it_shipped(
    snapshots, tmp_path
):
    with Store(path=tmp_path / "s.sqlite") as store:
        store.save(snapshots["all_orders", 0])
        book = store.load()
        unshipped = status_at(book, INSTANTS[0])
        order_id = unshipped.index[unshipped["status"] == "Unshipped"][0]
        confirm = make_event("confirm_shipment", order_id, at=INSTANTS[0], operator="佐藤",
                             carrier="Yamato", tracking_number="123456789012")  # fmt: skip
        store.record(confirm)
        later = _shipped_snapshot(order_id, INSTANTS[1])
        summary = store.save(later)
        events = store.load().live_events
    ships = events.loc[(events["order_id"] == order_id) & (events["kind"] == "shipment_confirmed")]
    assert (len(ships), summary.events_added) == (1, 0)


def _shipped_snapshot(order_id: str, at: dt.datetime) -> ok.OrderBook:
    """An All Orders snapshot of ``order_id`` as Shipped, last updated at ``at``."""
    page = _spapi(truth().subset([order_id]), INSTANTS[0])
    order = page["orders"][0]
    order["fulfillment"]["fulfillmentStatus"] = "SHIPPED"
    order["lastUpdatedTime"] = at.isoformat()
    for item in order["orderItems"]:
        item["fulfillment"] = {"quantityFulfilled": item["quantityOrdered"],
                               "quantityUnfulfilled": 0}  # fmt: skip
    return read_spapi_orders(page, source="later.json")


def test_an_older_snapshot_after_a_newer_one_adds_nothing_that_contradicts(snapshots):
    newer = ok.OrderBook().merge(snapshots["all_orders", 2])
    both = newer.merge(snapshots["all_orders", 0])
    orders = list(snapshots["all_orders", 0].orders["order_id"])
    assert both.summary.conflicts == ()
    assert _facts(both, INSTANTS[2], orders).equals(_facts(newer, INSTANTS[2], orders))


def test_the_earliest_shipment_time_wins_when_snapshots_disagree(snapshots):
    order_id = "250-5000001-0000001"
    early = _shipped_snapshot_spapi(order_id, "2026-11-02T06:45:00Z")
    late = _shipped_snapshot_spapi(order_id, "2026-11-05T06:45:00Z")
    book = ok.OrderBook().merge(late).merge(early)
    ships = book.live_events.loc[book.live_events["kind"] == "shipment_confirmed"]
    assert ships["at"].tolist() == [pd.Timestamp("2026-11-02T06:45:00Z")]
    voided = book.events.loc[book.events["kind"] == "voided"]
    assert (len(voided), voided["origin"].iloc[0]) == (1, "correction")


def _shipped_snapshot_spapi(order_id: str, last_updated: str) -> ok.OrderBook:
    page = json.loads(Path("tests/data/spapi/search_orders_2026.json").read_text(encoding="utf-8"))
    order = next(o for o in page["orders"] if o["orderId"] == order_id)
    order["lastUpdatedTime"] = last_updated
    order.pop("packages", None)
    return read_spapi_orders({"orders": [order]}, source=f"{last_updated}.json")


def test_a_canceled_snapshot_of_a_shipped_order_is_a_conflict_not_an_event():
    order_id = "250-5000001-0000001"
    shipped = _shipped_snapshot_spapi(order_id, "2026-11-02T06:45:00Z")
    page = json.loads(Path("tests/data/spapi/search_orders_2026.json").read_text(encoding="utf-8"))
    order = next(o for o in page["orders"] if o["orderId"] == order_id)
    order["fulfillment"]["fulfillmentStatus"] = "CANCELLED"
    order["lastUpdatedTime"] = "2026-11-03T00:00:00Z"
    for item in order["orderItems"]:
        item["fulfillment"] = {"quantityFulfilled": 0, "quantityUnfulfilled": 2}
    canceled = read_spapi_orders({"orders": [order]}, source="canceled.json")
    book = ok.OrderBook().merge(shipped).merge(canceled)
    (conflict,) = book.summary.conflicts
    assert (conflict.order_id, conflict.kind, conflict.source) == (
        order_id,
        "canceled",
        "canceled.json",
    )
    assert not (book.live_events["kind"] == "canceled").any()


def test_an_import_summary_counts_new_orders_and_status_changes(snapshots):
    first = ok.OrderBook().merge(snapshots["all_orders", 1])
    second = first.merge(snapshots["all_orders", 2])
    summary = second.summary
    new = set(snapshots["all_orders", 2].orders["order_id"]) - set(first.orders["order_id"])
    assert set(summary.new_orders) == new
    before = status_at(first, INSTANTS[2])["status"]
    after = status_at(second, INSTANTS[2])["status"].reindex(before.index)
    assert set(summary.status_changes["order_id"]) <= set(before.index[before != after])
    assert len(summary.status_changes) > 0


def test_a_summary_reads_in_japanese(snapshots):
    summary = ok.OrderBook().merge(snapshots["all_orders", 0]).summary
    assert summary.describe("ja").splitlines()[0] == f"新規注文 {len(summary.new_orders)}件"


# ---- the store -------------------------------------------------------------------------------------


def test_store_save_refuses_an_action_that_does_not_fold_naming_order_event_and_rule(
    snapshots, tmp_path
):
    snapshot = snapshots["all_orders", 1]
    status = status_at(snapshot, INSTANTS[1])
    order_id = status.index[status["status"] == "Unshipped"][0]
    refund = Event(order_id, INSTANTS[1], EventKind.REFUNDED, Actor.SELLER, amount=1000,
                   origin="action", operator="佐藤")  # fmt: skip
    wrong = ok.OrderBook(snapshot.orders, snapshot.items, ok.events.events_frame([refund]))
    with Store(path=tmp_path / "s.sqlite") as store:
        store.save(snapshot)
        before = len(store.load().events)
        with pytest.raises(StoreError, match=rf"{order_id}.*refunded.*rule refund-not-above"):
            store.save(wrong)
        assert len(store.load().events) == before


def test_a_version_3_store_is_repaired_on_open_and_nothing_is_deleted(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(Path(__file__).parent / "data" / "stores" / "v3-duplicated-imports.sqlite", path)
    import sqlite3

    with sqlite3.connect(path) as con:
        old_ids = {r[0] for r in con.execute("SELECT event_id FROM orderkit_events")}
    with Store(path=path) as store:
        book = store.load()
        problems = store.check()
    assert old_ids <= set(book.events["event_id"].astype("int64"))  # append-only
    assert problems.empty
    assert (book.events["kind"] == "voided").sum() > 0
    assert set(book.events.loc[book.events["kind"] == "voided", "origin"]) == {"correction"}


def test_store_check_lists_an_order_that_does_not_fold(snapshots, tmp_path):
    import sqlite3

    book = snapshots["all_orders", 2]
    with Store(path=tmp_path / "s.sqlite") as store:
        store.save(book)
    order_id = book.orders["order_id"].iloc[0]
    placed = int(book.events.loc[book.events["order_id"] == order_id, "event_id"].iloc[0])
    with sqlite3.connect(tmp_path / "s.sqlite") as con:  # a second placed: damage by hand
        con.execute(
            "INSERT INTO orderkit_events (event_id, order_id, at, kind, actor, origin)"
            " SELECT event_id + 1, order_id, at + 1, kind, actor, origin FROM orderkit_events"
            " WHERE event_id = ?",
            (placed,),
        )
    with Store(path=tmp_path / "s.sqlite") as store:
        found = store.check()
    assert found[["order_id", "rule"]].values.tolist() == [[order_id, "placed-once"]]


# ---- corrections ---------------------------------------------------------------------------------


def _stored_with_shipment(snapshots, tmp_path: Path) -> tuple[Store, str, int]:
    """A store with yesterday's All Orders report, and a shipped order's shipment."""
    store = Store(path=tmp_path / "s.sqlite")
    store.save(snapshots["all_orders", 2])
    events = store.load().live_events
    ships = events.loc[(events["kind"] == "shipment_confirmed") & events["order_item_id"].isna()]
    first = ships.iloc[0]
    return store, str(first["order_id"]), int(first["event_id"])


def test_amending_a_wrong_tracking_number_keeps_both_in_the_timeline(snapshots, tmp_path):
    store, order_id, ship_id = _stored_with_shipment(snapshots, tmp_path)
    with store:
        book = store.load()
        wrong = book.live_events.loc[book.live_events["event_id"] == ship_id].iloc[0]
        fixed = Event(order_id, wrong["at"], EventKind.SHIPMENT_CONFIRMED, Actor.SELLER,
                      carrier="Yamato", tracking_number="999999999999", origin="action",
                      operator="佐藤")  # fmt: skip
        store.amend(ship_id, fixed, at=INSTANTS[2], operator="佐藤", note="伝票番号の入力ミス")
        timeline = store.load().order(order_id).timeline
    void = timeline.loc[timeline["kind"] == "voided"].iloc[0]
    assert (void["ref"], void["operator"], void["note"]) == (
        str(ship_id),
        "佐藤",
        "伝票番号の入力ミス",
    )
    live = timeline.loc[~timeline["voided"] & (timeline["kind"] == "shipment_confirmed")]
    assert live["tracking_number"].tolist() == ["999999999999"]


def test_a_correction_needs_an_operator_and_a_reason(snapshots, tmp_path):
    store, _order_id, ship_id = _stored_with_shipment(snapshots, tmp_path)
    with store, pytest.raises(ValueError, match="operator and a note"):
        store.void(ship_id, at=INSTANTS[2], operator="", note="")


def test_voiding_an_event_the_order_depends_on_is_refused(snapshots, tmp_path):
    store, _order_id, _ship_id = _stored_with_shipment(snapshots, tmp_path)
    with store:
        events = store.load().live_events
        placed = events.loc[events["kind"] == "placed"].iloc[0]
        with pytest.raises(ok.TransitionNotAllowed):
            store.void(int(placed["event_id"]), at=INSTANTS[2], operator="佐藤", note="誤り")
        assert (store.load().events["kind"] == "voided").sum() == 0


def test_both_lenses_skip_a_voided_delivery(snapshots, tmp_path):
    store, order_id, _ = _stored_with_shipment(snapshots, tmp_path)
    with store:
        delivered = make_event("record_delivery", order_id, at=INSTANTS[2], operator="佐藤")
        store.record(delivered)
        store.void(delivered.event_id, at=INSTANTS[2] + dt.timedelta(minutes=1),
                   operator="佐藤", note="押し間違い")  # fmt: skip
        book = store.load()
    state = book.order(order_id).state(at=INSTANTS[2] + dt.timedelta(hours=1))
    assert state.delivered_at is None
    fleet = status_at(book, INSTANTS[2] + dt.timedelta(hours=1)).loc[order_id]
    assert (fleet["status"], fleet["refused"]) == ("Shipped", False)
    assert delivered.event_id not in set(book.live_events["event_id"])


# ---- the invariants ------------------------------------------------------------------------------

_SNAPSHOT = st.tuples(st.sampled_from(KINDS), st.integers(0, len(INSTANTS) - 1))


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=st.lists(_SNAPSHOT, min_size=1, max_size=5), act=st.booleans())
def test_any_sequence_of_snapshots_leaves_every_order_folding_and_twice_adds_nothing(
    snapshots, sequence, act
):
    book = ok.OrderBook()
    for n, key in enumerate(sequence):
        book = book.merge(snapshots[key])
        if act and n == 0:  # the seller contacts a buyer in orderkit between two imports
            order_id = book.orders["order_id"].iloc[0]
            at = max(book.events["at"].max(), INSTANTS[key[1]])
            book.record(make_event("contact_form", order_id, at=at, operator="佐藤"))
    _fold_all(book, INSTANTS[2] + dt.timedelta(days=1))
    live = book.live_events
    once = live.loc[live["kind"].isin(["placed", "payment_completed"])]
    assert not once.duplicated(["order_id", "kind"]).any()
    for key in set(sequence):
        assert book.merge(snapshots[key]).summary.events_added == 0


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(KINDS), order=st.permutations(range(len(INSTANTS))), n=st.integers(1, 3)
)
def test_snapshots_of_one_kind_in_any_order_leave_the_state_the_newest_alone_gives(
    snapshots, kind, order, n
):
    taken = list(order)[:n]
    book = ok.OrderBook()
    for i in taken:
        book = book.merge(snapshots[kind, i])
    newest = ok.OrderBook().merge(snapshots[kind, max(taken)])
    orders = list(newest.orders["order_id"])
    at = INSTANTS[-1]
    assert _facts(book, at, orders).equals(_facts(newest, at, orders))


def test_reconcile_does_not_change_the_books_it_is_given(snapshots):
    known = ok.OrderBook().merge(snapshots["all_orders", 0])
    before = known.events.copy()
    reconcile(known, snapshots["all_orders", 2])
    pd.testing.assert_frame_equal(known.events, before)


def test_item_keys_repeated_across_orders_map_each_shipment_to_its_own_orders_item():
    at = dt.datetime(2026, 11, 2, 10, 0, tzinfo=JST)
    orders = pd.DataFrame(
        {"order_id": ["503-1111111-1111111", "503-2222222-2222222"], "purchase_date": [at, at],
         "fulfillment_channel": ["MFN", "MFN"], "payment_method": ["card", "card"]}
    )  # fmt: skip

    def book(item_ids: list[str], events: list[Event]) -> ok.OrderBook:
        items = pd.DataFrame({"order_id": orders["order_id"], "order_item_id": item_ids,
                              "sku": ["FOO", "FOO"], "quantity": [2, 1]})  # fmt: skip
        return ok.OrderBook(orders, items, ok.events.events_frame(events))

    paid = [
        Event(o, at + dt.timedelta(minutes=m), k, Actor.BUYER, origin="import")
        for o in orders["order_id"]
        for m, k in ((0, EventKind.PLACED), (1, EventKind.PAYMENT_COMPLETED))
    ]
    unshipped = book(["11111111111111", "22222222222222"], paid)  # the Unshipped report's ids
    ships = [
        Event(o, at + dt.timedelta(hours=5), EventKind.SHIPMENT_CONFIRMED, Actor.SELLER,
              order_item_id="sku:FOO", quantity=q, origin="import")
        for o, q in zip(orders["order_id"], (1, 1), strict=True)
    ]  # fmt: skip
    partly = book(["sku:FOO", "sku:FOO"], paid + ships)  # All Orders: items keyed by SKU
    merged = ok.OrderBook().merge(unshipped).merge(partly)
    live = merged.live_events
    shipped = live.loc[live["kind"] == "shipment_confirmed"].set_index("order_id")
    assert shipped["order_item_id"].to_dict() == {
        "503-1111111-1111111": "11111111111111",
        "503-2222222-2222222": "22222222222222",
    }
    assert merged.summary.conflicts == ()
