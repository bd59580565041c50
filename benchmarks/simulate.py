"""Benchmark: the vectorised simulator + daily metrics against a naive one-process-per-order SimPy run.

Run: ``.venv/bin/python benchmarks/simulate.py`` (options: ``--orders``, ``--naive-orders``).

Each measurement runs in a fresh subprocess so that its peak memory (``ru_maxrss``) is its own.
Times are compute only: imports and the one-off holiday table load are warmed up first. The
vectorised run is repeated (``--repeat``, default 3) and the fastest counts: on these virtual
machines a first touch of fresh memory costs the host a page fault, and that cost varies from run
to run by as much as the computation itself (the spread is printed).
Targets: 1M orders simulated + daily metrics in under 1 s, >= 100x faster per order than the naive
reference, peak memory under 1 GB (10^9 bytes; peaks are printed in MiB, 2^20 bytes) in every run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import subprocess
import sys
import time

DAYS = 90


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def vectorised(n_orders: int) -> dict:
    from orderkit import metrics
    from orderkit.simulate import Scenario, simulate

    metrics.daily(simulate(Scenario(days=3, orders_per_day=10), seed=0))  # warm up
    scenario = Scenario(days=DAYS, orders_per_day=n_orders / DAYS / 1.017)  # weekends busier
    c0, t0 = time.process_time(), time.perf_counter()
    book = simulate(scenario, seed=1)
    t1 = time.perf_counter()
    table = metrics.daily(book)
    c2, t2 = time.process_time(), time.perf_counter()
    return {
        "part": "vectorised",
        "orders": len(book),
        "events": len(book.events),
        "days": len(table),
        "simulate_s": t1 - t0,
        "daily_s": t2 - t1,
        "total_s": t2 - t0,
        "cpu_s": c2 - c0,  # user + system time: on a shared machine, what the run itself used
        "peak_mb": _peak_mb(),
    }


def naive(n_orders: int) -> dict:
    """One SimPy process per order, the scenario's logic drawn one order at a time."""
    import simpy

    from orderkit import metrics
    from orderkit.book import OrderBook
    from orderkit.businessdays import JST, BusinessCalendar, end_of_day
    from orderkit.events import Actor, Event, EventKind, events_frame
    from orderkit.simulate import Scenario

    s = Scenario(days=DAYS, orders_per_day=n_orders / DAYS / 1.017)
    cal = BusinessCalendar.from_policy(s.policy)
    cal.is_business_day(dt.date(2026, 4, 1))  # warm up the holiday table
    rng = random.Random(1)
    origin = s.start.astimezone(dt.UTC)
    events: list[Event] = []
    orders: list[dict] = []
    items: list[dict] = []

    def when(env_seconds: float) -> dt.datetime:
        return origin + dt.timedelta(seconds=int(env_seconds))

    def order(env: simpy.Environment, i: int, arrive: float):  # noqa: ANN202 - a SimPy process
        yield env.timeout(arrive)
        oid = f"503-{i // 10**7:07d}-{i % 10**7:07d}"
        placed = when(env.now)
        afn = rng.random() < s.afn_share
        method = rng.choices(list(s.payment_mix), list(s.payment_mix.values()))[0]
        qty = 1 + rng.choices(range(len(s.units_per_line)), s.units_per_line)[0]
        items.append({"order_id": oid, "order_item_id": f"{i:014d}", "quantity": qty,
                      "item_price": 2480 * qty})  # fmt: skip
        events.append(Event(oid, placed, EventKind.PLACED, Actor.BUYER))
        if method == "cvs":
            delay = rng.lognormvariate(0, s.cvs_pay_sigma) * s.cvs_pay_median_hours * 3600
            if (
                rng.random() < s.cvs_never_pays
                or delay >= s.policy.cvs_payment_window.total_seconds() - 60
            ):
                yield env.timeout(s.policy.cvs_payment_window.total_seconds())
                events.append(Event(oid, when(env.now), EventKind.PAYMENT_EXPIRED, Actor.AMAZON,
                                    reason="payment_expired"))  # fmt: skip
                orders.append({"order_id": oid, "purchase_date": placed, "payment_method": method,
                               "fulfillment_channel": "AFN" if afn else "MFN"})  # fmt: skip
                return
        else:
            delay = rng.uniform(2, 60)
        if not afn and rng.random() < s.buyer_cancel:
            yield env.timeout(rng.uniform(10, 290))
            events.append(
                Event(oid, when(env.now), EventKind.CANCELED, Actor.BUYER, reason="buyer_self")
            )
            orders.append({"order_id": oid, "purchase_date": placed, "payment_method": method,
                           "fulfillment_channel": "MFN"})  # fmt: skip
            return
        yield env.timeout(delay)
        paid = when(env.now)
        events.append(Event(oid, paid, EventKind.PAYMENT_COMPLETED, Actor.AMAZON))
        ship_by = None if afn else cal.ship_by(paid, s.handling)
        orders.append({"order_id": oid, "purchase_date": placed, "payment_method": method,
                       "fulfillment_channel": "AFN" if afn else "MFN", "latest_ship_date": ship_by})  # fmt: skip
        if afn:
            yield env.timeout(rng.uniform(7200, 30 * 3600))
            events.append(Event(oid, when(env.now), EventKind.SHIPMENT_CONFIRMED, Actor.AMAZON,
                                tracking_number=f"{rng.randrange(10**12):012d}"))  # fmt: skip
            return
        if rng.random() < s.seller_cancel:
            yield env.timeout(rng.uniform(1800, 30 * 3600))
            events.append(
                Event(oid, when(env.now), EventKind.CANCELED, Actor.SELLER, reason="out_of_stock")
            )
            return
        k = rng.choices(range(len(s.dispatch_days)), s.dispatch_days)[0]
        day = cal.add_business_days(paid.astimezone(JST).date(), k)
        start = dt.datetime.combine(day, dt.time(), tzinfo=JST)
        dispatch = max(
            start + dt.timedelta(hours=rng.uniform(*s.dispatch_hours)),
            paid + dt.timedelta(minutes=10),
        )
        lag = rng.lognormvariate(0, s.confirm_lag_sigma) * s.confirm_lag_median_hours * 3600
        if rng.random() < s.confirm_delayed:
            lag += rng.uniform(86400, 8 * 86400)
        confirm = dispatch + dt.timedelta(seconds=int(lag))
        cutoff = ship_by + s.policy.confirm_cutoff
        if rng.random() < s.never_confirmed or confirm >= cutoff:
            yield env.timeout((cutoff - when(env.now)).total_seconds())
            events.append(
                Event(oid, cutoff, EventKind.CANCELED, Actor.AMAZON, reason="confirm_cutoff")
            )
            return
        yield env.timeout((confirm - when(env.now)).total_seconds())
        tracking = None if rng.random() < s.tracking_missing else f"{rng.randrange(10**12):012d}"
        events.append(Event(oid, confirm, EventKind.SHIPMENT_CONFIRMED, Actor.SELLER,
                            carrier="Yamato", tracking_number=tracking))  # fmt: skip

    t0 = time.perf_counter()
    env = simpy.Environment()
    for i in range(n_orders):
        env.process(order(env, i, rng.uniform(0, DAYS * 86400)))
    env.run()
    t1 = time.perf_counter()
    book = OrderBook(
        __import__("pandas").DataFrame(orders),
        __import__("pandas").DataFrame(items),
        events_frame(events),
    )
    t2 = time.perf_counter()
    # Naive daily metrics: one pass of the per-order lens per day, on a sample of days.
    sample_days = 3
    for d in range(sample_days):
        at = end_of_day(s.start.astimezone(JST).date() + dt.timedelta(days=30 * d))
        placed = book.orders.loc[book.orders["purchase_date"] <= at, "order_id"]
        for oid in placed:  # OrderBook.statuses raises for orders placed after `at`
            book.order(oid).state(at=at)
    t3 = time.perf_counter()
    del metrics
    return {
        "part": "naive",
        "orders": len(book),
        "events": len(book.events),
        "simulate_s": t1 - t0,
        "book_s": t2 - t1,
        "total_s": t2 - t0,
        "daily_per_day_s": (t3 - t2) / sample_days,
        "peak_mb": _peak_mb(),
    }


def _run(part: str, n: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--part", part, "--orders", str(n)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--naive-orders", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="vectorised runs; the best counts")
    parser.add_argument("--part", choices=["vectorised", "naive"])
    args = parser.parse_args()
    if args.part:
        print(json.dumps((vectorised if args.part == "vectorised" else naive)(args.orders)))
        return
    runs = [_run("vectorised", args.orders) for _ in range(max(args.repeat, 1))]
    v = min(runs, key=lambda r: r["total_s"])
    print(f"vectorised: {v['orders']:,} orders, {v['events']:,} events, {v['days']} days")
    print("  runs (simulate + daily, s): " + ", ".join(f"{r['total_s']:.2f}" for r in runs)
          + f"; peak {min(r['peak_mb'] for r in runs):.0f}-{max(r['peak_mb'] for r in runs):.0f} MiB")  # fmt: skip
    print(f"  simulate {v['simulate_s']:.2f} s + daily {v['daily_s']:.2f} s = {v['total_s']:.2f} s"
          f"  ({v['orders'] / v['total_s']:,.0f} orders/s), peak {v['peak_mb']:.0f} MiB; "
          f"CPU time {v['cpu_s']:.2f} s")  # fmt: skip
    n = _run("naive", args.naive_orders)
    print(f"naive SimPy (one process per order): {n['orders']:,} orders, {n['events']:,} events")
    print(f"  simulate {n['simulate_s']:.2f} s + build book {n['book_s']:.2f} s = {n['total_s']:.2f} s"
          f"  ({n['orders'] / n['total_s']:,.0f} orders/s), peak {n['peak_mb']:.0f} MiB")  # fmt: skip
    print(f"  daily metrics by the per-order lens: {n['daily_per_day_s']:.1f} s per day "
          f"(x{v['days']} days = {n['daily_per_day_s'] * v['days']:.0f} s)")  # fmt: skip
    per_v = v["simulate_s"] / v["orders"]
    per_n = n["total_s"] / n["orders"]
    print(f"per-order speed ratio, simulate -> OrderBook: {per_n / per_v:,.0f}x")
    per_v_all = v["total_s"] / v["orders"]
    per_n_all = (n["total_s"] + n["daily_per_day_s"] * v["days"]) / n["orders"]
    print(f"per-order speed ratio, simulate + daily metrics: {per_n_all / per_v_all:,.0f}x")
    worst = max(r["peak_mb"] for r in runs) * 2**20 / 1e9  # every run's peak, in GB (10^9 B)
    print(f"targets: 1M + daily < 1 s: {'met' if v['total_s'] < 1 else 'MISSED'}; "
          f">= 100x: {'met' if per_n / per_v >= 100 else 'MISSED'}; "
          f"peak < 1 GB: {'met' if worst < 1 else 'MISSED'} (highest {worst:.3f} GB)")  # fmt: skip


if __name__ == "__main__":
    main()
