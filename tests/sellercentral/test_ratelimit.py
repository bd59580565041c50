"""Usage plans: the token bucket, the announced rate, 429 storms, never above the plan."""

from __future__ import annotations

import pytest

from orderkit.sellercentral import DOCUMENTED, Limit, RatePlan
from orderkit.sellercentral.ratelimit import RateLimiter, TokenBucket


def _within_plan(times: list[float], limit: Limit) -> bool:
    """Whether every run of requests fits in a bucket of the plan (burst + rate × its span)."""
    times = sorted(times)
    return all(
        j - i + 1 <= limit.burst + limit.rate * (times[j] - times[i]) + 1e-6
        for i in range(len(times))
        for j in range(i, len(times))
    )


def test_a_full_bucket_lets_a_burst_through_without_waiting(fake_time):
    bucket = TokenBucket(Limit(2, 5), monotonic=fake_time.monotonic, sleep=fake_time.sleep)
    waits = [bucket.acquire() for _ in range(5)]
    assert waits == [0.0] * 5 and fake_time.slept == []


def test_an_empty_bucket_waits_one_sleep_for_the_next_token(fake_time):
    bucket = TokenBucket(Limit(2, 1), monotonic=fake_time.monotonic, sleep=fake_time.sleep)
    bucket.acquire()
    bucket.acquire()
    assert fake_time.slept == [0.5]  # one sleep of 1/rate, not a loop of short ones


def test_the_bucket_adopts_the_rate_the_server_announces(fake_time):
    limiter = RateLimiter(
        RatePlan({"getOrder": Limit(10, 1)}), monotonic=fake_time.monotonic, sleep=fake_time.sleep
    )
    limiter.announced("getOrder", "0.5")
    limiter.acquire("getOrder")
    limiter.acquire("getOrder")
    assert limiter.limit("getOrder") == Limit(0.5, 1) and fake_time.slept == [2.0]


def test_an_announced_rate_that_is_not_a_number_keeps_the_plan(fake_time):
    limiter = RateLimiter(RatePlan({"getOrder": Limit(10, 1)}), monotonic=fake_time.monotonic)
    limiter.announced("getOrder", "fast")
    assert limiter.limit("getOrder") == Limit(10, 1)


def test_scaling_a_plan_multiplies_the_rates_and_keeps_the_bursts():
    scaled = DOCUMENTED.scaled(100)
    for op, limit in DOCUMENTED.limits.items():
        assert scaled.get(op).rate == pytest.approx(limit.rate * 100), op
        assert scaled.get(op).burst == limit.burst, op


def test_the_documented_plans_are_the_models_usage_plans():
    # ordersV0.json, orders_2026-01-01.json and tokens_2021-03-01.json, "Usage Plan" tables
    assert DOCUMENTED.get("searchOrders") == Limit(0.0056, 20)
    assert DOCUMENTED.get("getOrders") == Limit(0.0167, 20)
    assert DOCUMENTED.get("getOrderItems") == Limit(0.5, 30)
    assert DOCUMENTED.get("confirmShipment") == Limit(2, 10)


def test_a_client_on_the_plan_never_exceeds_it_and_is_never_throttled(
    make_sandbox, make_client, since
):
    sb = make_sandbox(page_size=10)  # 30 pages: 10 beyond searchOrders' burst of 20
    make_client(sb).sync(None, since=since)
    served = sb.served("searchOrders")
    assert [r.status for r in served] == [200] * 30
    assert _within_plan([r.at for r in served], DOCUMENTED.get("searchOrders"))


def test_in_a_429_storm_the_client_slows_down_to_the_announced_rate_and_finishes(
    make_sandbox, make_client, since
):
    server = Limit(1, 2)
    sb = make_sandbox(page_size=10, rate_plan=RatePlan({"searchOrders": server}))
    greedy = RatePlan({"searchOrders": Limit(100, 20)})  # the client believes in far more
    result = make_client(sb, plan=greedy, max_attempts=10).sync(None, since=since)
    statuses = [r.status for r in sb.served("searchOrders")]
    assert result.orders == len(sb.documents)
    assert 429 in statuses
    assert statuses.count(429) <= greedy.get("searchOrders").burst  # no hammering
    assert statuses[-10:] == [200] * 10  # settled at the server's pace
