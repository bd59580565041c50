"""A partitioned history gives exactly what the fleet lens gives for the whole book, on any cluster."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from orderbuilders import EDGE_CASES

from orderkit import history as history_module
from orderkit import metrics, sample
from orderkit.codes import known_codes
from orderkit.history import History
from orderkit.policy import Policy
from orderkit.simulate import Scenario, simulate

EDGY = dict(days=90, orders_per_day=1100, **EDGE_CASES)  # 100,000 orders, four purchase months
JST = dt.timezone(dt.timedelta(hours=9))
INSTANTS = [
    dt.datetime(2026, 4, 20, 12, tzinfo=JST),
    dt.datetime(2026, 5, 6, 23, 59, 59, tzinfo=JST),  # the end of Golden Week
    dt.datetime(2026, 7, 10, tzinfo=JST),
]


@pytest.fixture(scope="module")
def book():
    return simulate(Scenario(**EDGY), seed=15)


@pytest.fixture(scope="module", params=[1, 3, 16], ids=lambda n: f"{n}-buckets")
def history(request, book, tmp_path_factory):
    h = History(str(tmp_path_factory.mktemp("history")), buckets=request.param)
    h.append(book)
    return h


@pytest.fixture(scope="module")
def cluster_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_the_book_is_large_and_spans_several_months(book, history):
    assert len(book) >= 100_000
    assert len({p.month for p in history.partitions()}) >= 3


# ---- exactness ---------------------------------------------------------------------------------


def test_partitioned_daily_equals_the_fleet_lens_exactly(book, history):
    pd.testing.assert_frame_equal(history.daily(progress=False).loc["default"], metrics.daily(book))


def test_partitioned_daily_over_given_days_equals_the_fleet_lens_exactly(book, history):
    days = dict(start=dt.date(2026, 4, 15), end=dt.date(2026, 8, 31))
    pd.testing.assert_frame_equal(
        history.daily(**days, progress=False).loc["default"], metrics.daily(book, **days)
    )


@pytest.mark.parametrize("at", INSTANTS, ids=str)
def test_partitioned_rates_sum_counts_and_equal_the_fleet_lens_exactly(book, history, at):
    got = history.rates(at=at, progress=False)
    assert (got["account"] == "default").all()
    pd.testing.assert_frame_equal(got.drop(columns="account"), metrics.rates(book, at=at))


@pytest.mark.parametrize("at", INSTANTS, ids=str)
def test_partitioned_status_at_equals_the_fleet_lens_exactly(book, history, at):
    got = history.status_at(at, progress=False).drop(columns="account").sort_index()
    pd.testing.assert_frame_equal(got, metrics.status_at(book, at).sort_index())


def test_a_policy_is_applied_to_every_partition(book, history):
    strict = Policy(handling_days=1)
    at = INSTANTS[1]
    got = history.rates(at=at, policy=strict, progress=False).drop(columns="account")
    pd.testing.assert_frame_equal(got, metrics.rates(book, at=at, policy=strict))


def test_the_per_order_lens_agrees_with_the_history_on_a_sample_of_orders(book, history):
    at = INSTANTS[1]
    fleet = history.status_at(at, progress=False)
    sample = fleet.sample(60, random_state=np.random.default_rng(3))
    for order_id, row in sample.iterrows():
        state = book.order(order_id).state(at=at)
        assert (state.status.value, state.late, state.at_risk, state.refunded) == (
            row["status"],
            row["late"],
            row["at_risk"],
            row["refunded"],
        ), order_id


# ---- layout and appends ----------------------------------------------------------------------------


def test_an_order_its_items_and_its_events_share_one_partition(book, history):
    seen: dict[str, history_module.Partition] = {}
    for part in history.partitions():
        pbook = history.book(part)
        ids = set(pbook.orders["order_id"])
        assert set(pbook.items["order_id"]) <= ids
        assert set(pbook.events["order_id"]) <= ids
        for order_id in ids:
            assert seen.setdefault(order_id, part) == part
    assert len(seen) == len(book)


def test_the_history_holds_no_buyer_or_recipient_data(tmp_path):
    book = sample.book(60, seed=1)
    h = History(str(tmp_path / "h"), buckets=2)
    h.append(book)
    files = list((tmp_path / "h").rglob("*.parquet"))
    assert files
    for f in files:
        assert not set(pq.read_schema(f).names) & history_module.PII, f
    personal = {v for c in history_module.PII for v in book.orders[c].dropna()}
    stored = {v for f in files for col in pq.read_table(f).itercolumns() for v in col.to_pylist()}
    assert personal and not personal & stored


def test_appending_the_same_book_twice_adds_nothing(book, history):
    before = sorted(str(p) for p in Path(history.url).rglob("*.parquet"))
    summary = history.append(book)
    assert (summary.orders, summary.items, summary.events, summary.partitions) == (0, 0, 0, 0)
    assert sorted(str(p) for p in Path(history.url).rglob("*.parquet")) == before


def test_append_adds_only_the_events_that_are_new(tmp_path):
    full = simulate(Scenario(days=20, orders_per_day=200), seed=2)
    early = full.events["at"] < pd.Timestamp("2026-04-12", tz="UTC")
    first = type(full)(full.orders, full.items, full.events[early])
    h = History(str(tmp_path / "h"), buckets=2)
    assert h.append(first).events == int(early.sum())
    summary = h.append(full)
    assert (summary.orders, summary.events) == (0, int((~early).sum()))
    pd.testing.assert_frame_equal(h.daily(progress=False).loc["default"], metrics.daily(full))


def test_a_revised_order_is_read_back_as_its_latest_revision(tmp_path):
    book = simulate(Scenario(days=10, orders_per_day=100), seed=5)
    h = History(str(tmp_path / "h"), buckets=2)
    h.append(book)
    orders = book.orders.copy()
    row = orders.index[0]
    orders.loc[row, "latest_ship_date"] = orders.loc[row, "purchase_date"] + pd.Timedelta(days=1)
    revised = type(book)(orders, book.items, book.events)
    assert h.append(revised).orders == 1
    got = {p: h.book(p).orders for p in h.partitions()}
    order_id = orders.loc[row, "order_id"]
    (found,) = [
        o[o["order_id"] == order_id] for o in got.values() if (o["order_id"] == order_id).any()
    ]
    assert found["latest_ship_date"].iloc[0] == orders.loc[row, "latest_ship_date"]
    assert sum(len(o) for o in got.values()) == len(book)
    pd.testing.assert_frame_equal(h.daily(progress=False).loc["default"], metrics.daily(revised))


def test_orders_added_by_a_later_append_give_the_same_results_as_one_append(tmp_path):
    full = simulate(Scenario(days=20, orders_per_day=200), seed=3)
    early = full.orders["purchase_date"] < pd.Timestamp("2026-04-11", tz="UTC")
    first = full.subset(full.orders["order_id"][early])
    h = History(str(tmp_path / "h"), buckets=2)
    h.append(first)
    assert h.append(full).orders == int((~early).sum())  # the new ones: the others unchanged
    pd.testing.assert_frame_equal(h.daily(progress=False).loc["default"], metrics.daily(full))


def test_a_partition_is_read_ready_for_the_fleet_lens(book, history):
    part = max(history.partitions(), key=lambda p: p.month != "none")
    partition = history.book(part)
    rows = {
        t: known_codes(getattr(partition, t)["order_id"]) for t in ("orders", "items", "events")
    }
    assert all(r is not None for r in rows.values())
    (order_rows, universe), (item_rows, of_items), (event_rows, of_events) = rows.values()
    assert universe == of_items == of_events  # codes into the same rows: comparable
    assert np.array_equal(order_rows, np.arange(len(partition)))
    ids = partition.orders["order_id"].to_numpy()
    assert (ids[item_rows] == partition.items["order_id"].to_numpy()).all()
    assert (ids[event_rows] == partition.events["order_id"].to_numpy()).all()
    # written by one append: already in the order the fold applies the events
    order = metrics.replay_order(partition.events, event_rows)
    assert np.array_equal(order, np.arange(len(order)))


def test_a_history_of_another_format_is_refused_with_what_to_do(tmp_path):
    h = History(str(tmp_path / "h"), buckets=2)
    meta = tmp_path / "h" / "_orderkit_history.json"
    meta.write_text(meta.read_text().replace('"format": 3', '"format": 2'))
    with pytest.raises(ValueError, match="format 2, not 3: append the store"):
        History(h.url)


def test_events_of_orders_the_source_lacks_are_left_for_a_later_append(tmp_path):
    book = simulate(Scenario(days=5, orders_per_day=50), seed=6)
    without = book.orders.iloc[1:]
    h = History(str(tmp_path / "h"), buckets=1)
    missing = book.orders["order_id"].iloc[0]
    summary = h.append(type(book)(without, book.items, book.events))
    lacking = int(
        (book.items["order_id"] == missing).sum() + (book.events["order_id"] == missing).sum()
    )
    assert summary.orphans == lacking
    assert h.append(book).events == int((book.events["order_id"] == missing).sum())


def test_a_history_cannot_be_reopened_with_another_bucket_count(tmp_path):
    History(str(tmp_path / "h"), buckets=4)
    with pytest.raises(ValueError, match="4 buckets"):
        History(str(tmp_path / "h"), buckets=5)


def test_a_history_on_an_fsspec_url_gives_the_same_results(book, tmp_path):
    small = book.subset(book.orders["order_id"].iloc[:3000])
    # (a file:// URL: a cluster started by another test may be active, and its workers share
    # the disk but not this process's memory:// filesystem)
    h = History(f"file://{tmp_path}/history", buckets=2)
    h.append(small)
    pd.testing.assert_frame_equal(h.daily(progress=False).loc["default"], metrics.daily(small))


# ---- status_at too large for one machine ------------------------------------------------------------


def test_status_at_with_out_writes_every_order_and_returns_only_counts(book, history, tmp_path):
    at = INSTANTS[1]
    counts = history.status_at(at, out=str(tmp_path / "status"), progress=False)
    expected = metrics.status_at(book, at)
    assert counts.loc["default", "orders"].to_dict() == expected["status"].value_counts().to_dict()
    assert counts["late"].sum() == expected["late"].sum()
    written = pd.concat(pd.read_parquet(f) for f in (tmp_path / "status").rglob("*.parquet"))
    pd.testing.assert_frame_equal(written.sort_index(), expected.sort_index())


# ---- on a cluster -----------------------------------------------------------------------------------


def test_a_two_worker_cluster_gives_the_same_results_as_one_process(book, history, cluster_client):
    at = INSTANTS[1]
    pd.testing.assert_frame_equal(
        history.daily(client=cluster_client, progress=False), history.daily(progress=False)
    )
    pd.testing.assert_frame_equal(
        history.rates(at=at, client=cluster_client, progress=False), metrics_rates(book, at)
    )


def metrics_rates(book, at):
    return metrics.rates(book, at=at).assign(account="default")[
        ["account", *metrics.rates(book, at=at).columns]
    ]


def _die_once(part, book, *, marker: str, then):
    """Kill this worker's process the first time any worker runs it; then do ``then``."""
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return then(part, book)
    os.write(fd, str(os.getpid()).encode())
    os.close(fd)
    os._exit(1)  # the worker dies mid-task: no result, no exception


def test_a_worker_killed_during_a_computation_is_recomputed_with_the_same_result(
    history, cluster_client, tmp_path
):
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers need not import tests
    at = INSTANTS[1]
    rates = functools.partial(history_module._rates, policies={"default": Policy()}, at=at)
    marker = tmp_path / "killed"
    pids = set(cluster_client.run(os.getpid).values())
    got = history.map_partitions(
        functools.partial(_die_once, marker=str(marker), then=rates),
        client=cluster_client,
        progress=False,
    )
    assert int(marker.read_text()) in pids  # a worker really died in the computation
    assert got == history.map_partitions(rates, progress=False)


# ---- SQL ------------------------------------------------------------------------------------------


def test_sql_views_hold_the_books_orders_items_and_events(book, history):
    con = history.sql()
    assert con.execute("SELECT count(*) FROM orders").fetchall()[0][0] == len(book.orders)
    assert con.execute("SELECT count(*) FROM items").fetchall()[0][0] == len(book.items)
    assert con.execute("SELECT count(*) FROM events").fetchall()[0][0] == len(book.events)
    by_kind = con.sql("SELECT kind, count(*) AS n FROM events GROUP BY kind").df()
    assert by_kind.set_index("kind")["n"].to_dict() == book.events["kind"].value_counts().to_dict()


def test_sql_orders_show_each_orders_latest_revision(tmp_path):
    book = simulate(Scenario(days=5, orders_per_day=50), seed=8)
    h = History(str(tmp_path / "h"), buckets=1)
    h.append(book)
    orders = book.orders.assign(is_prime=~book.orders["is_prime"])
    h.append(type(book)(orders, book.items, book.events))
    con = h.sql()
    assert con.execute("SELECT count(*) FROM orders").fetchall()[0][0] == len(book)
    assert con.execute("SELECT count(*) FROM items").fetchall()[0][0] == len(book.items)
    primes = con.execute("SELECT count(*) FROM orders WHERE is_prime").fetchall()[0][0]
    assert primes == int(orders["is_prime"].sum())


def test_an_empty_history_has_empty_views_and_frames(tmp_path):
    h = History(str(tmp_path / "h"))
    assert h.sql().execute("SELECT count(*) FROM events").fetchall()[0][0] == 0
    assert h.daily(progress=False).empty
    assert h.rates(at=INSTANTS[0], progress=False).empty


# ---- what the history reads instead of the ids and text: exact all the same ---------------------


@pytest.fixture
def small():
    return simulate(Scenario(days=20, orders_per_day=150, **EDGE_CASES), seed=11)


def _shipments(book):
    return book.events.index[book.events["kind"] == "shipment_confirmed"]


def _same_lens(h: History, book, at: dt.datetime) -> None:
    pd.testing.assert_frame_equal(h.daily(progress=False).loc["default"], metrics.daily(book))
    got = h.rates(at=at, progress=False).drop(columns="account")
    pd.testing.assert_frame_equal(got, metrics.rates(book, at=at))
    status = h.status_at(at, progress=False).drop(columns="account")
    pd.testing.assert_frame_equal(status.sort_index(), metrics.status_at(book, at).sort_index())


def test_a_blank_tracking_number_counts_as_none_in_the_history(small, tmp_path):
    events = small.events.copy()
    rows = _shipments(small)[::3]
    events.loc[rows, "tracking_number"] = np.resize(["  ", "\u3000", "\t"], len(rows))
    book = type(small)(small.orders, small.items, events)
    assert (metrics.tracked(events.loc[rows, "tracking_number"]) == 0).all()
    h = History(str(tmp_path / "h"), buckets=2)
    h.append(book)
    at = small.events["at"].max()
    tracking = metrics.rates(book, at=at).set_index("metric").loc["valid_tracking_rate"]
    assert tracking["numerator"] < tracking["denominator"]  # the blanks are not counted
    _same_lens(h, book, at)


def test_a_shipment_naming_another_orders_item_is_refused_in_the_history(small, tmp_path):
    events = small.events.copy()
    ship = _shipments(small)[:40]
    other = small.items["order_item_id"].sample(len(ship), random_state=1).to_numpy()
    events.loc[ship, "order_item_id"] = other  # items of other orders (nearly always)
    book = type(small)(small.orders, small.items, events)
    at = small.events["at"].max()
    assert metrics.status_at(book, at)["refused"].sum() > 30
    h = History(str(tmp_path / "h"), buckets=2)
    h.append(book)
    _same_lens(h, book, at)


def test_a_shipment_names_a_line_of_its_orders_latest_revision(small, tmp_path):
    h = History(str(tmp_path / "h"), buckets=2)
    h.append(small)
    named = small.events.loc[_shipments(small), "order_item_id"].dropna()
    order_ids = small.events.loc[named.index, "order_id"].unique()[:20]
    first = small.items[small.items["order_id"].isin(order_ids)].drop_duplicates("order_id")
    added = first.assign(order_item_id=first["order_item_id"] + "9", quantity=1)
    items = pd.concat([small.items, added], ignore_index=True)  # a line more: written again
    revised = type(small)(small.orders, items, small.events)
    assert h.append(revised).orders == len(order_ids)
    at = small.events["at"].max()
    status = metrics.status_at(revised, at)
    assert not status.loc[order_ids, "refused"].any()  # the named lines are found
    _same_lens(h, revised, at)


def test_a_partition_with_corrections_leaves_out_what_they_void(small, tmp_path):
    book = type(small)(small.orders, small.items, small.events)
    shipped = book.events.loc[_shipments(book)[:10]]
    for event_id, at in zip(shipped["event_id"], shipped["at"], strict=True):
        book.extend([book.correction(int(event_id), at=at, operator="佐藤", note="誤登録")])
    h = History(str(tmp_path / "h"), buckets=2)
    h.append(book)
    at = small.events["at"].max()
    assert not metrics.status_at(book, at).equals(metrics.status_at(small, at))
    _same_lens(h, book, at)
