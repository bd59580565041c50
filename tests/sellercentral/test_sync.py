"""The sync: pages, the watermark, resuming, malformed orders, tokens, retries, v0."""

from __future__ import annotations

import datetime as dt

import pytest

from orderkit.clock import FixedClock
from orderkit.sample import DEFAULT_NOW
from orderkit.sellercentral import ApiError
from orderkit.sellercentral.sync import read_batch


class Killed(Exception):
    """Stands for the process being killed between two pages."""


def _counts(store):
    book = store.load()
    return len(book.orders), len(book.items), len(book.events)


def test_sync_follows_every_page_of_the_window(sandbox, make_client, store, since):
    sandbox.page_size = 7
    pages = []
    result = make_client(sandbox).sync(store, since=since, progress=lambda p, o: pages.append(p))
    expected_pages = -(-len(sandbox.documents) // 7)
    served = [r for r in sandbox.served("searchOrders") if r.status == 200]
    assert result.pages == expected_pages == len(served)
    assert pages == list(range(1, expected_pages + 1))
    assert set(store.load().orders["order_id"]) == set(sandbox.documents)


def test_watermark_advances_to_the_window_end_after_the_last_page(
    sandbox, make_client, store, since
):
    sc = make_client(sandbox)
    result = sc.sync(store, since=since)
    state = store.sync_state(sc.state_name())
    assert state["window"] is None
    assert result.watermark_after == DEFAULT_NOW - dt.timedelta(minutes=2)
    assert state["watermark"] == result.watermark_after.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_next_sync_starts_at_the_watermark(sandbox, make_client, store, since):
    first = make_client(sandbox).sync(store, since=since)
    later = FixedClock(DEFAULT_NOW + dt.timedelta(minutes=30))
    sandbox.clock = later
    second = make_client(sandbox, clock=later).sync(store)
    assert second.watermark_before == first.watermark_after == second.window.after
    assert second.orders == 0


def test_a_sync_killed_between_pages_keeps_the_watermark(sandbox, make_client, store, since):
    sandbox.page_size = 50
    sc = make_client(sandbox, batch_orders=50)

    def kill(pages, orders):
        if pages == 2:
            raise Killed

    with pytest.raises(Killed):
        sc.sync(store, since=since, progress=kill)
    state = store.sync_state(sc.state_name())
    assert state.get("watermark") is None and state["window"] is not None


def test_rerun_after_a_kill_loses_nothing_and_duplicates_nothing(
    sandbox, make_client, store, since, tmp_path
):
    from orderkit.store import Store

    sandbox.page_size = 50

    def kill(pages, orders):
        if pages == 2:
            raise Killed

    with pytest.raises(Killed):
        make_client(sandbox, batch_orders=50).sync(store, since=since, progress=kill)
    saved_before = _counts(store)
    rerun = make_client(sandbox, batch_orders=50).sync(store, since=since)
    with Store(path=tmp_path / "clean.sqlite") as clean:
        make_client(sandbox).sync(clean, since=since)
        assert _counts(store) == _counts(clean)
    assert rerun.restarted and saved_before[0] == 100
    assert rerun.summary.duplicates_skipped > 0  # the pages saved before the kill added nothing
    assert not store.load().events["event_id"].duplicated().any()


def test_an_unfinished_window_is_restarted_from_its_start(sandbox, make_client, store, since):
    sandbox.page_size = 50

    def kill(pages, orders):
        if pages == 1:
            raise Killed

    with pytest.raises(Killed):
        make_client(sandbox).sync(store, since=since, progress=kill)
    later = FixedClock(DEFAULT_NOW + dt.timedelta(days=2))  # the old tokens would have expired
    sandbox.clock = later
    rerun = make_client(sandbox, clock=later).sync(store)
    assert rerun.restarted and rerun.window.after == since.astimezone(dt.UTC)
    assert "paginationToken" not in str(sandbox.served("searchOrders")[-rerun.pages])


def test_a_malformed_order_is_a_problem_and_the_rest_of_its_page_is_kept(
    sandbox, make_client, store, since
):
    bad = sorted(sandbox.documents)[5]
    sandbox.documents[bad]["createdTime"] = "yesterday"
    result = make_client(sandbox).sync(store, since=since)
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.value == "yesterday" and problem.column.endswith("].createdTime")
    stored = set(store.load().orders["order_id"])
    assert bad not in stored and stored == set(sandbox.documents) - {bad}


def test_a_bad_order_is_named_by_its_page_and_its_index_in_that_page(sandbox):
    ids = sorted(sandbox.documents)[:3]
    orders = [dict(sandbox.documents[i]) for i in ids]
    orders[2] = {**orders[2], "lastUpdatedTime": "soon"}
    book, problems = read_batch([({"orders": []}, None), ({"orders": orders}, None)])
    assert [(p.path, p.column) for p in problems] == [
        ("2026-01-01 page 2", "$.orders[2].lastUpdatedTime")
    ]
    assert list(book.orders["order_id"]) == ids[:2]


def test_an_access_token_that_expires_mid_sync_is_refreshed(
    movable_clock, make_sandbox, make_client, store, since
):
    sb = make_sandbox(clock=movable_clock, page_size=50)

    def two_hours_later(pages, orders):
        if pages == 1:
            movable_clock.at = DEFAULT_NOW + dt.timedelta(hours=2)

    result = make_client(sb).sync(store, since=since, progress=two_hours_later)
    statuses = [r.status for r in sb.served("searchOrders")]
    assert 403 in statuses and len(sb.served("token")) == 2
    assert result.orders == len(sb.documents)


def test_5xx_answers_are_retried_with_backoff(fake_time, make_sandbox, make_client, store, since):
    sb = make_sandbox(page_size=50, fail_every=3)
    result = make_client(sb, backoff=2.0).sync(store, since=since)
    assert 503 in [r.status for r in sb.served("searchOrders")]
    assert result.orders == len(sb.documents)
    retries = [s for s in fake_time.slept if s >= 1.0]
    assert retries and all(1.0 <= s <= 2.0 for s in retries)  # first retry: [½, 1] × 2 s


def test_a_server_that_keeps_failing_ends_in_an_error_saying_what_was_fetched(
    make_sandbox, make_client, store, since
):
    sb = make_sandbox(page_size=100)
    sc = make_client(sb, max_attempts=3)

    def fail_from_now(pages, orders):
        sb.fail_every = 1

    with pytest.raises(ApiError) as caught:
        sc.sync(store, since=since, progress=fail_from_now)
    err = caught.value
    assert err.operation == "searchOrders" and err.status == 503 and err.attempts == 3
    assert "1 page(s) were fetched and 100 orders saved" in err.fetched
    assert len(store.load().orders) == 100
    assert store.sync_state(sc.state_name()).get("watermark") is None


def test_v0_fallback_reads_items_per_order_and_pii_with_a_restricted_data_token(
    make_sandbox, make_client, unlimited, since
):
    sb = make_sandbox(rate_plan=unlimited)
    result = make_client(sb, version="v0", plan=unlimited).sync(None, since=since)
    assert len(sb.served("getOrderItems")) == len(sb.documents)
    assert len(sb.served("createRestrictedDataToken")) == 1
    book = result.book
    assert len(book.orders) == len(sb.documents)
    assert book.orders["buyer_name"].notna().sum() > 0


def test_without_pii_neither_version_asks_for_buyer_or_recipient(
    make_sandbox, make_client, unlimited, since
):
    sb = make_sandbox(rate_plan=unlimited)
    for version in ("2026-01-01", "v0"):
        book = (
            make_client(sb, version=version, plan=unlimited, pii=False).sync(None, since=since).book
        )
        assert book.orders["buyer_name"].isna().all(), version
        assert book.orders["recipient_name"].isna().all(), version
    assert not sb.served("createRestrictedDataToken")


def test_statuses_synced_from_the_sandbox_match_the_sample(sandbox, make_client, since):
    from orderkit import sample
    from orderkit.metrics import status_at

    book = make_client(sandbox).sync(None, since=since).book
    synced = status_at(book, DEFAULT_NOW)["status"]
    truth = status_at(sample.book(), DEFAULT_NOW)["status"].reindex(synced.index)
    assert (synced == truth).all()


def test_a_2026_payment_method_is_read_from_the_method_not_the_amount(sandbox):
    from orderkit.io import read_spapi_orders

    oid = sorted(sandbox.documents)[0]
    doc = {
        **sandbox.documents[oid],
        "payment": {
            "paymentExecutions": [
                {
                    "paymentMethod": "CreditCard",
                    "paymentAmount": {"amount": "100", "currencyCode": "JPY"},
                }
            ]
        },
    }
    book = read_spapi_orders({"orders": [doc]})
    assert book.orders["payment_method"].iloc[0] == "card"


def test_v0_order_with_malformed_items_is_left_out_with_its_items_response_named(sandbox):
    from orderkit.sellercentral.sandbox import _v0_item, _v0_order

    ids = sorted(sandbox.documents)[:2]
    page = {"payload": {"Orders": [_v0_order(sandbox.documents[i], pii=False) for i in ids]}}
    items = [
        {
            "payload": {
                "AmazonOrderId": i,
                "OrderItems": [_v0_item(it) for it in sandbox.documents[i]["orderItems"]],
            }
        }
        for i in ids
    ]
    items[1]["payload"]["OrderItems"][0]["QuantityOrdered"] = "two"
    book, problems = read_batch([(page, items)], version="v0")
    assert [(p.path, p.column) for p in problems] == [
        (f"getOrderItems {ids[1]}", "$.payload.OrderItems[0].QuantityOrdered")
    ]
    assert list(book.orders["order_id"]) == ids[:1]


@pytest.mark.parametrize("version", ["2026-01-01", "v0"])
def test_one_order_is_fetched_as_it_stands_now(sandbox, make_client, version):
    oid = sorted(sandbox.documents)[3]
    book = make_client(sandbox, version=version).order(oid)
    assert list(book.orders["order_id"]) == [oid]
    assert len(book.items) == len(sandbox.documents[oid]["orderItems"])


def test_an_unknown_order_is_an_api_error_404(sandbox, make_client):
    with pytest.raises(ApiError) as caught:
        make_client(sandbox).order("503-0000000-0000000")
    assert caught.value.status == 404


def test_the_status_says_when_the_last_sync_ran_and_where_the_watermark_is(
    sandbox, make_client, store, since
):
    sc = make_client(sandbox)
    assert sc.status(store).last_sync is None
    result = sc.sync(store, since=since)
    status = sc.status(store)
    assert status.last_sync == DEFAULT_NOW and status.watermark == result.watermark_after
    assert status.unfinished is None


def test_the_status_shows_a_window_left_unfinished(sandbox, make_client, store, since):
    sandbox.page_size = 50
    sc = make_client(sandbox, batch_orders=50)

    def kill(pages, orders):
        raise Killed

    with pytest.raises(Killed):
        sc.sync(store, since=since, progress=kill)
    assert sc.status(store).unfinished.after == since


def test_connect_fails_with_refused_credentials(make_sandbox, make_client):
    from orderkit.sellercentral import AuthorizationError

    sb = make_sandbox(credentials=("other", "app", "secret"))
    with pytest.raises(AuthorizationError):
        make_client(sb).connect()


def test_a_sync_within_two_minutes_of_the_last_asks_for_nothing(sandbox, make_client, store, since):
    sc = make_client(sandbox)
    first = sc.sync(store, since=since)
    calls = len(sandbox.requests)
    again = sc.sync(store)
    assert again.pages == 0 and len(sandbox.requests) == calls
    assert again.watermark_after == first.watermark_after
