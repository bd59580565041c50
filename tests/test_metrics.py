"""The fleet lens agrees with the per-order lens, and counts and rates follow their definitions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

import numpy as np
import pandas as pd
import pytest
from orderbuilders import EDGE_CASES

from orderkit import sample
from orderkit.book import OrderBook
from orderkit.businessdays import end_of_day
from orderkit.events import Actor, Event, EventKind
from orderkit.metrics import (
    TARGETS,
    FleetInput,
    daily,
    item_status_at,
    rates,
    status_at,
    tracked,
)
from orderkit.policy import Policy
from orderkit.simulate import Scenario, simulate
from orderkit.state import ItemFacts, OrderFacts, fold
from orderkit.status import OrderStatus

EDGY = dict(days=60, orders_per_day=170, **EDGE_CASES)


@pytest.fixture(scope="module", params=[True, False], ids=["clock-recorded", "clock-left-to-fold"])
def book(request):
    return simulate(Scenario(**EDGY, record_clock_events=request.param), seed=7)


def _py(series: pd.Series) -> list:
    """Return a column as Python values, ``None`` for missing, datetimes as ``datetime``."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return [None if pd.isna(v) else v.to_pydatetime() for v in series]
    return [
        None if pd.isna(v) else (int(v) if isinstance(v, np.integer) else v)
        for v in series.astype(object)
    ]


def _bulk_lens(book: OrderBook) -> dict[str, tuple[OrderFacts, list[Event]]]:
    """Return every order's (facts, events), built in one pass: what OrderView builds one by one."""
    it = book.items
    plus = sum(
        it[c].fillna(0)
        for c in (
            "item_price",
            "item_tax",
            "shipping_price",
            "shipping_tax",
            "gift_wrap_price",
            "cod_fee",
        )
    )
    goods = (
        it["item_price"].fillna(0)
        + it["item_tax"].fillna(0)
        - it["item_promotion_discount"].fillna(0)
    )
    amount = (
        plus - it["item_promotion_discount"].fillna(0) - it["ship_promotion_discount"].fillna(0)
    )
    items: dict[str, list[ItemFacts]] = {}
    for oid, iid, q, a, g, sku, name in zip(
        it["order_id"], it["order_item_id"], it["quantity"], amount, goods,
        _py(it["sku"]), _py(it["product_name"]), strict=True,
    ):  # fmt: skip
        items.setdefault(oid, []).append(
            ItemFacts(iid, int(q), int(a), int(g), sku or "", name or "")
        )
    ev = book.events.sort_values(["order_id", "at"], kind="stable")
    fields = ["order_id", "at", "kind", "actor", "order_item_id", "quantity", "amount", "reason",
              "carrier", "tracking_number", "shipped_at", "channel", "due", "ref", "source",
              "origin", "operator", "note"]  # fmt: skip
    events: dict[str, list[Event]] = {}
    for values in zip(*(_py(ev[f]) for f in fields), strict=True):
        events.setdefault(values[0], []).append(Event(*values))
    o = book.orders
    out = {}
    for oid, pd_, ch, pm, lsd, ldd, biz, po in zip(
        o["order_id"], _py(o["purchase_date"]), _py(o["fulfillment_channel"]),
        _py(o["payment_method"]), _py(o["latest_ship_date"]), _py(o["latest_delivery_date"]),
        o["is_business_order"], _py(o["purchase_order_number"]), strict=True,
    ):  # fmt: skip
        facts = OrderFacts(
            order_id=oid, purchase_date=pd_, fulfillment_channel=ch or "MFN",
            payment_method=pm or "other", latest_ship_date=lsd, latest_delivery_date=ldd,
            is_business_order=bool(biz), purchase_order_number=po,
            items=tuple(items.get(oid, ())),
        )  # fmt: skip
        out[oid] = (facts, events.get(oid, []))
    return out


def _instants(book: OrderBook) -> list[dt.datetime]:
    """Five instants across the period, two of them a second around auto-cancel cutoffs."""
    start = book.orders["purchase_date"].min().to_pydatetime()
    cut = book.events[book.events["reason"] == "confirm_cutoff"]["at"]
    lsd = book.orders["latest_ship_date"].dropna().sort_values()
    cutoff = (lsd.iloc[len(lsd) // 2] + Policy().confirm_cutoff).to_pydatetime()
    if len(cut):
        cutoff = cut.iloc[len(cut) // 2].to_pydatetime()
    return [
        start + dt.timedelta(days=2, hours=5),
        start + dt.timedelta(days=20),
        cutoff - dt.timedelta(seconds=1),
        cutoff,
        start + dt.timedelta(days=70),
    ]


@pytest.fixture
def small_chunks(monkeypatch):
    """Replay in chunks of 997 orders (on two threads), not the one chunk a small book fits in."""
    import orderkit.metrics

    monkeypatch.setattr(orderkit.metrics, "_CHUNK", 997)
    orderkit.metrics._CACHE.clear()
    yield
    orderkit.metrics._CACHE.clear()


# What the fleet lens reports of each order, as the per-order lens's state gives it.
_PER_ORDER = {
    "status": lambda s: str(s.status),
    "late": lambda s: s.late,
    "at_risk": lambda s: s.at_risk,
    "confirm_warning": lambda s: s.confirm_warning,
    "charged": lambda s: s.charged,
    "paid_at": lambda s: s.paid_at,
    "refunded": lambda s: s.refunded,
    "last_event_at": lambda s: s.events[-1].at,
}


def _assert_lenses_agree(fleet: pd.DataFrame, items: pd.DataFrame, states: dict, at) -> None:
    """Assert that status_at and item_status_at say what the per-order lens's states say."""
    per_order = pd.DataFrame(
        {name: [get(s) for s in states.values()] for name, get in _PER_ORDER.items()},
        index=list(states),
    )
    assert sorted(fleet.index) == sorted(per_order.index), at
    mine = fleet.loc[per_order.index, per_order.columns]
    for column in per_order.columns:
        if column.endswith("_at"):  # times to the nanosecond, NaT where none
            got = pd.to_datetime(mine[column], utc=True).dt.as_unit("ns")
            expected = pd.to_datetime(per_order[column], utc=True).dt.as_unit("ns")
            differ = (got != expected) & ~(got.isna() & expected.isna())
        else:
            differ = mine[column].astype(str) != per_order[column].astype(str)
        assert not differ.any(), (at, column, differ[differ].index[:5].tolist())
    assert not fleet["refused"].any()
    assert set(items["order_id"]) == set(states), at
    expected_shipped = [
        states[o].shipped[i] for o, i in zip(items["order_id"], items["order_item_id"], strict=True)
    ]
    differ = items["shipped"].to_numpy() != np.array(expected_shipped)
    assert not differ.any(), (at, items.loc[differ, "order_id"].head().tolist())


def test_fleet_lens_agrees_with_the_per_order_lens(book, small_chunks):
    """Every order, five instants: status, flags, charged, paid, refunds, last event, shipped."""
    assert len(book) >= 10_000
    t0 = time.perf_counter()
    lenses = _bulk_lens(book)
    built = time.perf_counter() - t0
    folds = 0
    t0 = time.perf_counter()
    for at in _instants(book):
        states = {
            oid: fold(facts, events, at=at)
            for oid, (facts, events) in lenses.items()
            if facts.purchase_date <= at
        }
        folds += len(states)
        _assert_lenses_agree(status_at(book, at), item_status_at(book, at), states, at)
    print(
        f"\nlens agreement: {len(lenses):,} orders, facts {built:.1f} s, {folds:,} folds "
        f"{time.perf_counter() - t0:.1f} s"
    )


@pytest.fixture(scope="module")
def sample_book() -> OrderBook:
    return sample.book()


def _sample_instants(book: OrderBook) -> list[dt.datetime]:
    """Instants across the sample book's life: early, middle, at its last event, long after."""
    first = book.orders["purchase_date"].min().to_pydatetime()
    last = book.events["at"].max().to_pydatetime()
    middle = first + (last - first) / 2
    return [first + dt.timedelta(days=2), middle, last, last + dt.timedelta(days=30)]


def test_fleet_lens_agrees_with_the_per_order_lens_on_the_sample_book(sample_book, small_chunks):
    """Refunds, contacts, partial shipments, returns: every kind of event the sample has."""
    kinds = set(sample_book.events["kind"].astype(str))
    assert {"refunded", "buyer_contacted", "delivered", "buyer_edited"} <= kinds
    for at in _sample_instants(sample_book):
        placed = sample_book.events.loc[
            (sample_book.events["kind"] == "placed") & (sample_book.events["at"] <= at), "order_id"
        ]
        states = {o: sample_book.order(o).state(at=at) for o in placed}
        fleet, items = status_at(sample_book, at), item_status_at(sample_book, at)
        _assert_lenses_agree(fleet, items, states, at)
    assert fleet["refunded"].sum() > 0 and (items["shipped"] < items["quantity"]).any()


def test_the_replay_in_chunks_on_two_threads_gives_the_one_chunk_history(book, monkeypatch):
    import orderkit.metrics as m

    monkeypatch.setattr(m, "_CHUNK", len(book.orders))
    one = m._replayed(book, Policy())
    monkeypatch.setattr(m, "_CHUNK", 997)
    assert len(book.orders) > 3 * 997
    many = m._replayed(book, Policy())
    assert len(one.chunks) == 1 and len(many.chunks) > 3
    for name in m._History.__dataclass_fields__:
        a, b = getattr(one, name), getattr(many, name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=name)
        elif isinstance(a, pd.Series):
            pd.testing.assert_series_equal(a, b)
        elif name == "chunks":  # the changes, end to end: every order's, in time order
            for part in ("change_order", "change_at", "change_status"):
                joined = np.concatenate([getattr(c, part) for c in b])
                np.testing.assert_array_equal(getattr(a[0], part), joined, err_msg=part)
        else:
            assert a == b, name
    # The shipments are listed chunk by chunk, each in the replay's order.
    a, b = (h.shipments().sort_values(["order", "at"], ignore_index=True) for h in (one, many))
    pd.testing.assert_frame_equal(a, b)


def test_status_at_reads_a_history_in_many_chunks_as_one(book, monkeypatch):
    import orderkit.metrics as m

    days = daily(book).index
    instants = [end_of_day(days[i].date()) for i in (0, len(days) // 2, len(days) - 1)]
    whole = [status_at(book, at) for at in instants]
    monkeypatch.setattr(m, "_CHUNK", 997)
    m._CACHE.clear()
    assert len(m._replay(book, Policy()).chunks) > 3
    for at, expected in zip(instants, whole, strict=True):
        pd.testing.assert_frame_equal(status_at(book, at), expected)


def test_daily_counts_the_same_whatever_slices_the_history_is_counted_in(book, monkeypatch):
    import orderkit.metrics as m

    whole = daily(book)
    monkeypatch.setattr(m, "_COUNT_SLICE", 997)
    monkeypatch.setattr(m, "_ORDER_SLICE", 997)
    assert sum(len(c.change_at) for c in m._replay(book, Policy()).chunks) > 3 * 997
    assert len(book.orders) > 3 * 997
    pd.testing.assert_frame_equal(daily(book), whole)


def test_the_bulk_facts_are_the_order_views(book):
    """The agreement test builds the per-order lens's inputs in bulk: they must be OrderView's."""
    small = book.subset(book.orders["order_id"].sample(300, random_state=1))
    lenses = _bulk_lens(small)
    for oid in small.orders["order_id"]:
        view = small.order(oid)
        assert lenses[oid] == (view.facts, view.events)


def test_status_at_leaves_out_orders_not_yet_placed(book):
    first = book.orders["purchase_date"].min().to_pydatetime()
    assert status_at(book, first - dt.timedelta(seconds=1)).empty
    assert len(status_at(book, first)) == 1


def test_status_at_refuses_a_naive_instant(book):
    with pytest.raises(ValueError):
        status_at(book, dt.datetime(2026, 4, 10))


def test_daily_counts_equal_status_at_each_day_end(book):
    d = daily(book)
    for day in d.index[::9]:
        fleet = status_at(book, end_of_day(day.date()))
        counts = fleet["status"].value_counts()
        for status in ("Pending", "Unshipped", "PartiallyShipped", "Shipped", "Canceled"):
            assert d.loc[day, status] == counts.get(status, 0), (day, status)
        for flag in ("late", "at_risk", "confirm_warning"):
            assert d.loc[day, flag] == fleet[flag].sum(), (day, flag)


def test_daily_statuses_add_up_to_the_orders_placed_so_far(book):
    d = daily(book)
    statuses = [c for c in d.columns if c[0].isupper()]
    assert (d[statuses].sum(axis=1) == d["new_orders"].cumsum()).all()


def test_daily_auto_cancels_are_the_confirm_cutoff_cancellations(book):
    d = daily(book)
    fleet = status_at(book, end_of_day(d.index[-1].date()))
    assert d["auto_canceled"].sum() == d["auto_canceled_total"].iloc[-1]
    assert d["auto_canceled_total"].iloc[-1] > 0
    assert d["cvs_expired_total"].iloc[-1] > 0
    assert fleet["status"].eq("Canceled").sum() >= d["auto_canceled_total"].iloc[-1]


def test_daily_refuses_an_end_before_its_start(book):
    with pytest.raises(ValueError):
        daily(book, start=dt.date(2026, 5, 1), end=dt.date(2026, 4, 1))


def _tiny_book(events, *, lsd=None, channel="MFN", method="card") -> OrderBook:
    orders = pd.DataFrame(
        {
            "order_id": ["503-0000000-0000001"],
            "purchase_date": [events[0].at],
            "fulfillment_channel": [channel],
            "payment_method": [method],
            "latest_ship_date": [lsd],
        }
    )
    items = pd.DataFrame(
        {"order_id": ["503-0000000-0000001"], "order_item_id": ["00000000000001"], "quantity": [2],
         "item_price": [3000]}
    )  # fmt: skip
    from orderkit.events import events_frame

    return OrderBook(orders, items, events_frame(events))


T0 = dt.datetime(2026, 4, 6, 1, 0, tzinfo=dt.UTC)  # a Monday, 10:00 JST
OID = "503-0000000-0000001"


def test_a_timer_already_past_when_it_starts_fires_at_once_in_both_lenses():
    """A cvs pre-order released after its payment window is canceled at the release."""
    release = T0 + dt.timedelta(days=10)
    ev = [
        Event(OID, T0, EventKind.PLACED, Actor.BUYER),
        Event(OID, T0 + dt.timedelta(hours=1), EventKind.AWAITING_RELEASE, Actor.AMAZON),
        Event(OID, release, EventKind.RELEASED, Actor.AMAZON),
    ]
    b = _tiny_book(ev, method="cvs")
    at = T0 + dt.timedelta(days=11)
    row = status_at(b, at).iloc[0]
    state = b.order(OID).state(at=at)
    assert (row["status"], bool(row["refused"])) == ("Canceled", False)
    assert (state.status, state.canceled_at) == (OrderStatus.CANCELED, release)


def test_a_shipment_on_a_canceled_order_is_flagged_refused():
    ev = [
        Event(OID, T0, EventKind.PLACED, Actor.BUYER),
        Event(OID, T0 + dt.timedelta(minutes=1), EventKind.PAYMENT_COMPLETED, Actor.AMAZON),
        Event(OID, T0 + dt.timedelta(days=30), EventKind.SHIPMENT_CONFIRMED, Actor.SELLER),
    ]
    b = _tiny_book(ev)
    at = T0 + dt.timedelta(days=31)
    row = status_at(b, at).iloc[0]
    assert row["refused"] and row["status"] == "Canceled"


def _rate(frame, metric, window):
    return frame[(frame["metric"] == metric) & (frame["window_days"] == window)].iloc[0]


def test_late_shipment_rate_counts_orders_not_confirmed_by_their_ship_date():
    on_time = [
        Event(OID, T0, EventKind.PLACED, Actor.BUYER),
        Event(OID, T0 + dt.timedelta(minutes=1), EventKind.PAYMENT_COMPLETED, Actor.AMAZON),
        Event(OID, T0 + dt.timedelta(hours=5), EventKind.SHIPMENT_CONFIRMED, Actor.SELLER,
              tracking_number="123456789012"),
    ]  # fmt: skip
    late = [
        *on_time[:2],
        Event(OID, T0 + dt.timedelta(days=5), EventKind.SHIPMENT_CONFIRMED, Actor.SELLER),
    ]
    at = T0 + dt.timedelta(days=6)
    assert _rate(rates(_tiny_book(on_time), at=at), "late_shipment_rate", 10)["numerator"] == 0
    r = _rate(rates(_tiny_book(late), at=at), "late_shipment_rate", 10)
    assert (r["numerator"], r["denominator"], r["met"]) == (1, 1, False)


def test_cancel_rate_excludes_buyer_requested_and_amazon_cancellations():
    def canceled(actor, reason):
        return _tiny_book([
            Event(OID, T0, EventKind.PLACED, Actor.BUYER),
            Event(OID, T0 + dt.timedelta(minutes=1), EventKind.PAYMENT_COMPLETED, Actor.AMAZON),
            Event(OID, T0 + dt.timedelta(hours=2), EventKind.CANCELED, actor, reason=reason),
        ])  # fmt: skip

    at = T0 + dt.timedelta(days=1)
    assert (
        _rate(rates(canceled(Actor.SELLER, "out_of_stock"), at=at), "cancel_rate", 7)["numerator"]
        == 1
    )
    assert (
        _rate(rates(canceled(Actor.SELLER, "buyer_requested"), at=at), "cancel_rate", 7)[
            "numerator"
        ]
        == 0
    )
    assert _rate(rates(canceled(Actor.AMAZON, "other"), at=at), "cancel_rate", 7)["numerator"] == 0


def test_valid_tracking_rate_counts_packages_of_the_minimum_value_with_a_tracking_number():
    ev = [
        Event(OID, T0, EventKind.PLACED, Actor.BUYER),
        Event(OID, T0 + dt.timedelta(minutes=1), EventKind.PAYMENT_COMPLETED, Actor.AMAZON),
        Event(OID, T0 + dt.timedelta(hours=5), EventKind.SHIPMENT_CONFIRMED, Actor.SELLER),
    ]
    at = T0 + dt.timedelta(days=1)
    r = _rate(rates(_tiny_book(ev), at=at), "valid_tracking_rate", 30)
    assert (r["numerator"], r["denominator"]) == (0, 1)
    cheap = rates(_tiny_book(ev), at=at, policy=Policy(valid_tracking_min_yen=5000))
    assert _rate(cheap, "valid_tracking_rate", 30)["denominator"] == 0


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("123456789012", True),
        ("  123456789012", True),
        ("\u3000123", True),  # a full-width space before the number
        ("番号123", True),
        ("", False),
        ("   ", False),
        ("\t", False),
        ("\u3000\u3000", False),  # full-width spaces only
        (None, False),
    ],
)
def test_a_blank_tracking_number_is_not_a_valid_tracking_number(number, valid):
    ev = [
        Event(OID, T0, EventKind.PLACED, Actor.BUYER),
        Event(OID, T0 + dt.timedelta(minutes=1), EventKind.PAYMENT_COMPLETED, Actor.AMAZON),
        Event(OID, T0 + dt.timedelta(hours=5), EventKind.SHIPMENT_CONFIRMED, Actor.SELLER,
              carrier="Yamato", tracking_number=number),
    ]  # fmt: skip
    r = _rate(rates(_tiny_book(ev), at=T0 + dt.timedelta(days=1)), "valid_tracking_rate", 30)
    assert (r["numerator"], r["denominator"]) == (int(valid), 1)


def test_rates_report_their_targets_and_definitions(book):
    r = rates(book, at=book.orders["purchase_date"].max().to_pydatetime())
    assert list(r["metric"]) == [
        "late_shipment_rate",
        "late_shipment_rate",
        "cancel_rate",
        "valid_tracking_rate",
    ]
    assert list(r["window_days"]) == [10, 30, 7, 30]
    for row in r.itertuples():
        target = TARGETS[row.metric]
        assert row.target == target.value
        assert row.met == target.met(row.value)
        assert row.value == pytest.approx(row.numerator / row.denominator)
        assert row.definition


def test_an_empty_window_meets_its_target():
    ev = [Event(OID, T0, EventKind.PLACED, Actor.BUYER)]
    r = rates(_tiny_book(ev), at=T0 + dt.timedelta(days=100))
    assert r["value"].isna().all() and r["met"].all()


def test_daily_of_a_million_orders_is_vectorised():
    """No pass per day: the replay dominates, and 90 days cost little more than one."""
    b = simulate(Scenario(days=90, orders_per_day=300), seed=1)
    from orderkit import metrics

    t0 = time.perf_counter()
    metrics._replay(b, Policy())
    replay = time.perf_counter() - t0
    t0 = time.perf_counter()
    daily(b)
    assert time.perf_counter() - t0 < replay + 1.0
    assert np.isfinite(replay)


def test_late_open_counts_the_orders_showing_shipment_is_late():
    book = simulate(Scenario(days=12, orders_per_day=60, confirm_delayed=0.3), seed=5)
    day = dt.date(2026, 4, 8)
    counted = daily(book, start=day, end=day)["late_open"].iloc[0]
    at = end_of_day(day)
    placed = set(
        book.events.loc[(book.events["kind"] == "placed") & (book.events["at"] <= at), "order_id"]
    )
    showing = sum(book.order(o).state(at=at).shows_late for o in placed)
    assert counted == showing > 0


def _fresh(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every column rebuilt: no array the simulator made (and coded) is left."""
    return pd.DataFrame(
        {c: pd.Series(frame[c].to_list(), dtype=frame[c].dtype) for c in frame.columns}
    )


def test_the_simulators_codes_give_the_same_fleet_lens_as_the_text(book):
    """daily/rates/status_at read the simulator's integer codes when a column is its own array."""
    from orderkit.codes import known_codes

    assert known_codes(book.events["order_id"]) is not None
    rebuilt = OrderBook(_fresh(book.orders), _fresh(book.items), _fresh(book.events))
    assert known_codes(rebuilt.events["order_id"]) is None
    pd.testing.assert_frame_equal(daily(book), daily(rebuilt))
    at = end_of_day(dt.date(2026, 4, 20))
    pd.testing.assert_frame_equal(rates(book, at=at), rates(rebuilt, at=at))
    pd.testing.assert_frame_equal(status_at(book, at), status_at(rebuilt, at))


def test_the_fleet_lens_does_not_depend_on_the_order_of_the_event_rows(book):
    """A real source lists events kind by kind, not order by order: the replay sorts them."""
    shuffled = OrderBook(
        book.orders, book.items, book.events.sample(frac=1, random_state=3).reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(daily(shuffled), daily(book))
    at = end_of_day(dt.date(2026, 4, 20))
    pd.testing.assert_frame_equal(status_at(shuffled, at), status_at(book, at))
    pd.testing.assert_frame_equal(rates(shuffled, at=at), rates(book, at=at))


def test_an_edited_column_forgets_the_simulators_codes():
    from orderkit.codes import known_codes

    sim = simulate(Scenario(days=3, orders_per_day=30), seed=3)
    events = sim.events.copy()
    assert known_codes(events["order_id"]) is not None  # a copy shares the (immutable) array
    events.loc[events.index[0], "order_id"] = "503-0000000-0000000"
    assert known_codes(events["order_id"]) is None
    assert known_codes(sim.events["order_id"]) is not None


def test_the_replay_keeps_quantities_beyond_int32_exact():
    from orderkit.metrics import _quantities

    small = _quantities(pd.Series([1, None, 3], dtype="Int64"))
    huge = _quantities(pd.Series([1, None, 3_000_000_000], dtype="Int64"))
    assert small.dtype == np.int32 and small.tolist() == [1, -1, 3]
    assert huge.tolist() == [1, -1, 3_000_000_000]


# ---- the checks the replay shares with the per-order lens -----------------------------------


def _shipped_book(*later: Event) -> OrderBook:
    """A paid seller-fulfilled order of two lines (¥4,500 in all), shipped whole, then ``later``."""
    from orderbuilders import T0 as B0
    from orderbuilders import build_book

    book = build_book(paid=B0 + dt.timedelta(hours=1))
    oid = book.orders["order_id"].iloc[0]
    book.extend(
        [Event(oid, B0 + dt.timedelta(hours=5), EventKind.SHIPMENT_CONFIRMED, Actor.SELLER)]
    )
    book.extend([dataclasses.replace(e, order_id=oid) for e in later])
    return book


def _refund(hours: int, amount: int | None) -> Event:
    from orderbuilders import T0 as B0

    return Event(
        OID, B0 + dt.timedelta(hours=hours), EventKind.REFUNDED, Actor.SELLER, amount=amount
    )


def test_refunds_up_to_the_charge_are_summed_as_the_per_order_lens_sums_them():
    book = _shipped_book(_refund(6, 2000), _refund(7, 2500))
    oid = book.orders["order_id"].iloc[0]
    for hours, refunded in ((6, 2000), (8, 4500)):
        at = book.events["at"].min().to_pydatetime() + dt.timedelta(hours=hours)
        row = status_at(book, at).loc[oid]
        assert (row["refunded"], bool(row["refused"])) == (refunded, False)
        assert book.order(oid).state(at=at).refunded == refunded


@pytest.mark.parametrize("amount", [4501, 0, None], ids=["above-the-charge", "zero", "missing"])
def test_a_refund_the_per_order_lens_refuses_is_flagged_refused(amount):
    from orderkit.errors import TransitionNotAllowed

    book = _shipped_book(_refund(6, amount))
    oid = book.orders["order_id"].iloc[0]
    at = book.events["at"].max().to_pydatetime()
    assert status_at(book, at).loc[oid, "refused"]
    with pytest.raises(TransitionNotAllowed):
        book.order(oid).state(at=at)


def test_a_refund_before_any_shipment_is_flagged_refused():
    from orderbuilders import T0 as B0
    from orderbuilders import build_book

    book = build_book(paid=B0 + dt.timedelta(hours=1))
    oid = book.orders["order_id"].iloc[0]
    book.extend(
        [Event(oid, B0 + dt.timedelta(hours=2), EventKind.REFUNDED, Actor.SELLER, amount=100)]
    )
    at = B0 + dt.timedelta(hours=3)
    row = status_at(book, at).loc[oid]
    assert row["refused"] and row["status"] == "Unshipped" and row["refunded"] == 0


def test_a_buyer_edit_after_the_edit_window_is_flagged_refused():
    from orderbuilders import T0 as B0
    from orderbuilders import build_book

    book = build_book(paid=B0 + dt.timedelta(minutes=1))
    oid = book.orders["order_id"].iloc[0]
    book.extend([Event(oid, B0 + dt.timedelta(minutes=3), EventKind.BUYER_EDITED, Actor.BUYER)])
    at = B0 + dt.timedelta(hours=1)
    assert not status_at(book, at).loc[oid, "refused"]
    book.extend([Event(oid, B0 + dt.timedelta(minutes=30), EventKind.BUYER_EDITED, Actor.BUYER)])
    assert status_at(book, at).loc[oid, "refused"]


def test_events_at_the_same_instant_are_replayed_in_the_order_of_their_kinds():
    """Payment listed before the placement at the same instant: both lenses place first."""
    ev = [
        Event(OID, T0, EventKind.PAYMENT_COMPLETED, Actor.AMAZON),
        Event(OID, T0, EventKind.PLACED, Actor.BUYER),
    ]
    b = _tiny_book(ev)
    assert list(b.events["kind"]) == ["payment_completed", "placed"]
    at = T0 + dt.timedelta(hours=1)
    row = status_at(b, at).loc[OID]
    assert (row["status"], bool(row["refused"])) == ("Unshipped", False)
    assert b.order(OID).state(at=at).status == OrderStatus.UNSHIPPED


def test_invoice_pending_confirms_every_item_in_both_lenses():
    """InvoiceUnconfirmed means every item has shipped: charged, and each line's units shipped."""
    ev = [
        Event(OID, T0, EventKind.PLACED, Actor.BUYER),
        Event(OID, T0 + dt.timedelta(minutes=1), EventKind.PAYMENT_COMPLETED, Actor.AMAZON),
        Event(OID, T0 + dt.timedelta(hours=3), EventKind.INVOICE_PENDING, Actor.AMAZON),
    ]
    b = _tiny_book(ev)
    at = T0 + dt.timedelta(hours=4)
    state = b.order(OID).state(at=at)
    row = status_at(b, at).loc[OID]
    assert (
        (row["status"], bool(row["charged"]))
        == (str(state.status), state.charged)
        == (
            "InvoiceUnconfirmed",
            True,
        )
    )
    assert item_status_at(b, at)["shipped"].tolist() == list(state.shipped.values()) == [2]


def test_item_rows_sharing_an_order_item_id_share_its_shipped_count():
    """The per-order lens keys units by order item id: two rows of one id read the same count."""
    ev = [
        Event(OID, T0, EventKind.PLACED, Actor.BUYER),
        Event(OID, T0 + dt.timedelta(minutes=1), EventKind.PAYMENT_COMPLETED, Actor.AMAZON),
        Event(OID, T0 + dt.timedelta(hours=3), EventKind.SHIPMENT_CONFIRMED, Actor.SELLER,
              order_item_id="00000000000001", quantity=1),
    ]  # fmt: skip
    b = _tiny_book(ev)
    twin = b.items.iloc[[0]].assign(quantity=3)
    b = OrderBook(b.orders, pd.concat([b.items, twin], ignore_index=True), b.events)
    at = T0 + dt.timedelta(hours=4)
    state = b.order(OID).state(at=at)
    assert item_status_at(b, at)["shipped"].tolist() == [state.shipped["00000000000001"]] * 2


# ---- OrderBook.statuses reads the fleet lens --------------------------------------------------


def test_statuses_equal_the_per_order_lens_order_by_order(sample_book):
    for at in _sample_instants(sample_book):
        table = sample_book.statuses(at)
        placed = sample_book.events.loc[
            (sample_book.events["kind"] == "placed") & (sample_book.events["at"] <= at), "order_id"
        ]
        expected = [sample_book.order(o).state(at=at) for o in sample_book.orders["order_id"]
                     if o in set(placed)]  # fmt: skip
        assert table["order_id"].tolist() == [s.order_id for s in expected]
        for column in ("late", "at_risk", "charged", "refunded"):
            assert table[column].tolist() == [getattr(s, column) for s in expected], (at, column)
        assert table["status"].tolist() == [str(s.status) for s in expected]


def test_statuses_raise_the_per_order_lens_refusal_naming_the_order_and_rule():
    from orderkit.errors import TransitionNotAllowed

    book = _shipped_book(_refund(6, 9999))
    oid = book.orders["order_id"].iloc[0]
    with pytest.raises(TransitionNotAllowed) as refused:
        book.statuses(book.events["at"].max().to_pydatetime())
    assert refused.value.order_id == oid
    assert refused.value.rule.id == "refund-not-above-charged"


def test_raise_refused_reports_lenses_that_disagree_as_a_bug():
    from orderkit.metrics import raise_refused

    book = _shipped_book()
    at = book.events["at"].max().to_pydatetime()
    fleet = status_at(book, at).assign(refused=True)  # as if the fleet lens refused a good order
    with pytest.raises(RuntimeError, match=book.orders["order_id"].iloc[0]):
        raise_refused(book, fleet, at=at)


def test_a_tracking_number_that_is_missing_or_blank_is_no_number():
    numbers = pd.Series(
        ["1234-5678-9012", " 1234 ", "", "   ", "\u3000", "\t\n", None, "追跡番号"], dtype="str"
    )
    assert tracked(numbers).tolist() == [True, True, False, False, False, False, False, True]


def test_status_at_of_an_input_without_order_ids_says_they_are_needed():
    book = simulate(Scenario(days=2, orders_per_day=20), seed=2)
    fleet = dataclasses.replace(FleetInput.of(book), order_ids=None)
    at = book.events["at"].max()
    with pytest.raises(ValueError, match="needs the order ids"):
        status_at(fleet, at)
