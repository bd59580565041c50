r"""Time a Seller Central sync of 10,000 orders from the local sandbox into a SQLite store.

Run: ``.venv/bin/python benchmarks/sync.py [--orders N] [--factor F] [--skip-paced]``

A book of about ``--orders`` orders is simulated and served by :class:`orderkit.sellercentral.
Sandbox` (Orders 2026-01-01 shapes, 100 orders a page). Three figures:

1. **client CPU** — rate limits off on both sides: the CPU time of the syncing thread (the
   requests, the JSON, the reader, the reconciling save into a fresh SQLite store) per order;
   the sandbox serves from other threads and is not counted. Target: under 1 ms per order.
2. **paced** — every operation's documented rate × ``--factor`` (100), bursts kept, on both
   sides: the sync's wall time against the least that plan allows (the pages beyond the burst,
   one per 1/rate seconds), and the 429s the sandbox answered. Target: within 10 %, none left
   unanswered (the sync ends with every order).
3. **on the real plans** — how long the same sync would take at Amazon's documented rates: the
   2026-01-01 version pages through searchOrders only; v0 needs getOrders pages and one
   getOrderItems call per order.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import tempfile
import time
from pathlib import Path

import orderkit as ok
from orderkit.clock import FixedClock
from orderkit.sellercentral import DOCUMENTED, Credentials, Limit, RatePlan, Sandbox, SellerCentral
from orderkit.sellercentral.sandbox import order_documents

PAGE = 100
SECRETS = ("Atzr|bench", "amzn1.application-oa2-client.bench", "bench-secret")


def served(orders: int, seed: int = 7) -> tuple[dict, dt.datetime]:
    """Return the order documents of a simulated book of about ``orders`` orders, and its now."""
    days = 10
    book = ok.simulate(ok.Scenario(days=days, orders_per_day=orders // days), seed=seed)
    now = book.events["at"].max().to_pydatetime() + dt.timedelta(hours=1)
    return order_documents(book, now), now


def least_seconds(calls: int, limit: Limit) -> float:
    """Return the least time ``calls`` requests take under ``limit`` from a full bucket."""
    return limit.seconds_for(calls)


def sync_once(docs: dict, now: dt.datetime, plan: RatePlan, folder: Path) -> tuple:
    """Sync ``docs`` into a fresh store; return (result, wall s, client CPU s, sandbox)."""
    clock = FixedClock(now)
    with (
        Sandbox(
            documents=docs, clock=clock, rate_plan=plan, page_size=PAGE, credentials=SECRETS
        ) as sb,
        ok.Store(path=folder / f"bench-{time.monotonic_ns()}.sqlite") as store,
        SellerCentral(sb.url, Credentials.of(*SECRETS), plan=plan, clock=clock) as sc,
    ):
        since = now - dt.timedelta(days=60)
        wall, cpu = time.perf_counter(), time.thread_time()
        result = sc.sync(store, since=since)
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
        assert len(store.load().orders) == result.orders
        return result, wall, cpu, sb


def real_plan_hours(orders: int) -> dict[str, float]:
    """Return the least hours the sync takes on each version's documented plan."""
    pages = math.ceil(orders / PAGE)
    v2026 = least_seconds(pages, DOCUMENTED.get("searchOrders"))
    # The buckets refill side by side: v0 takes as long as its slowest operation.
    v0 = max(
        least_seconds(pages, DOCUMENTED.get("getOrders")),
        least_seconds(orders, DOCUMENTED.get("getOrderItems")),
    )
    return {"2026-01-01": v2026 / 3600, "v0": v0 / 3600}


def main() -> None:
    """Run the three measurements and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--factor", type=float, default=100)
    parser.add_argument("--skip-paced", action="store_true")
    args = parser.parse_args()
    docs, now = served(args.orders)
    n = len(docs)
    print(f"{n} orders served, {math.ceil(n / PAGE)} pages of {PAGE}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        result, wall, cpu, _ = sync_once(docs, now, RatePlan.unlimited(), folder)
        print(
            f"1. rate limits off: {result.orders} orders in {result.pages} pages;"
            f" client CPU {cpu:.2f} s = {1000 * cpu / n:.3f} ms/order (target < 1);"
            f" wall {wall:.2f} s"
        )
        if not args.skip_paced:
            plan = DOCUMENTED.scaled(args.factor)
            result, wall, cpu, sb = sync_once(docs, now, plan, folder)
            least = least_seconds(result.pages, plan.get("searchOrders"))
            throttled = sum(r.status == 429 for r in sb.served("searchOrders"))
            print(
                f"2. rates x{args.factor:g}, bursts kept: wall {wall:.1f} s vs least {least:.1f} s"
                f" (+{100 * (wall / least - 1):.1f} %, target within 10 %); 429 answered:"
                f" {throttled}; all {result.orders} orders synced"
            )
    hours = real_plan_hours(n)
    print(
        "3. on the documented plans: 2026-01-01 (searchOrders pages only)"
        f" {hours['2026-01-01']:.1f} h; v0 (getOrders pages + getOrderItems per order)"
        f" {hours['v0']:.1f} h"
    )


if __name__ == "__main__":
    main()
