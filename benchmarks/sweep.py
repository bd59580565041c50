"""Benchmark: a scenario sweep on a Dask LocalCluster, 1 against 2 single-threaded workers.

Run: ``.venv/bin/python benchmarks/sweep.py`` (options: ``--orders``, ``--scenarios``, ``--seeds``,
``--in-process``, ``--dask-defaults``).

40 runs by default (4 staff settings × 10 seeds) of about 100,000 orders each, over the New Year
holidays (:func:`orderkit.sweep.holiday_period`), every run simulated and measured on a worker:
only a scenario and a seed go out, a small frame comes back. Each cluster is started (worker
processes, one thread each) and warmed up (orderkit imported, the holiday table loaded) before the
clock starts; the time is the sweep's wall time. The two results must be equal (same seeds, same
distributions). Target: a speed-up of at least 1.8× from 1 to 2 workers. The machine's load
average is printed first: on a shared machine other people's work slows the 2-worker run most.
Workers run with :func:`orderkit.workers.worker_settings` (orderkit on the worker's one thread,
malloc keeping freed memory, no statistical profiler), or with Dask's defaults given
``--dask-defaults``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time

import pandas as pd
from distributed import Client, LocalCluster

from orderkit.simulate import Scenario, simulate
from orderkit.sweep import SweepResult, holiday_period, scenario_for, sweep, vary
from orderkit.workers import worker_settings

PERIOD = holiday_period("new_year", 2027)


def settings(orders: int, scenarios: int) -> dict[str, Scenario]:
    """Return ``scenarios`` staff settings of a shop taking about ``orders`` orders per run."""
    base = scenario_for(Scenario(), PERIOD)
    per_day = orders / base.days / 1.02  # weekends and holidays are busier
    shop = Scenario(orders_per_day=per_day, orders_per_staff_day=60, handling_days=4)
    base = scenario_for(shop, PERIOD)
    # Staff for the seller-fulfilled orders of an ordinary day (70%), then up to 3x that: the
    # New Year closure leaves a backlog of several days to clear within the handling time.
    daily = per_day * 0.7 / 60
    return vary(base, "staff", [round(daily * (1 + 0.5 * i)) for i in range(scenarios)])


def _warm() -> None:
    """Import and load what every run needs, outside the clock."""
    from orderkit import metrics
    from orderkit.simulate import simulate

    metrics.daily(simulate(Scenario(days=3, orders_per_day=10), seed=0))


def on_cluster(
    workers: int, scenarios: dict[str, Scenario], seeds: list[int], *, defaults: bool = False
) -> tuple:
    """Return the wall time, the workers' CPU time and the result on single-threaded workers.

    A worker's CPU time counts all its threads: orderkit's own (the simulator overlaps two stages,
    the daily counts use two threads) as well as the task's.
    """
    with (
        contextlib.nullcontext() if defaults else worker_settings(),
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster, set_as_default=False) as client,
    ):
        client.run(_warm)
        cpu0 = client.run(time.process_time)
        t0 = time.perf_counter()
        result = sweep(scenarios, seeds, client=client, period=PERIOD)
        wall = time.perf_counter() - t0
        cpu1 = client.run(time.process_time)
        return wall, sum(cpu1[w] - cpu0[w] for w in cpu1), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000, help="orders per run (about)")
    parser.add_argument("--scenarios", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--in-process", action="store_true", help="also time it without Dask")
    parser.add_argument(
        "--dask-defaults", action="store_true", help="workers with Dask's default settings"
    )
    args = parser.parse_args()
    scenarios = settings(args.orders, args.scenarios)
    seeds = list(range(args.seeds))
    runs = len(scenarios) * len(seeds)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"{os.cpu_count()} CPUs")  # fmt: skip
    print(
        "workers: "
        + ("Dask's defaults" if args.dask_defaults else "orderkit.workers.worker_settings()")
    )
    size = len(simulate(next(iter(scenarios.values())), seed=0))
    print(f"{runs} runs: staff {', '.join(scenarios)} × {len(seeds)} seeds, "
          f"New Year {PERIOD[0]}..{PERIOD[1]}; {size:,} orders in the first run")  # fmt: skip
    results: dict[str, SweepResult] = {}
    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    if args.in_process:
        _warm()
        c0, t0 = time.process_time(), time.perf_counter()
        results["in-process"] = sweep(scenarios, seeds, client=None, period=PERIOD)
        times["in-process"] = time.perf_counter() - t0
        cpu["in-process"] = time.process_time() - c0
    for workers in (1, 2):
        name = f"{workers} worker(s)"
        times[name], cpu[name], results[name] = on_cluster(
            workers, scenarios, seeds, defaults=args.dask_defaults
        )
    any_result = next(iter(results.values()))
    for name, seconds in times.items():
        print(f"{name}: {seconds:.1f} s ({runs / seconds:.2f} runs/s); CPU {cpu[name]:.1f} s "
              f"({cpu[name] / runs:.2f} CPU-s per run)")  # fmt: skip
    for name, result in results.items():
        pd.testing.assert_frame_equal(result.runs, any_result.runs, obj=name)
    print("results: identical in every configuration (same seeds, same distributions)")
    ratio = times["1 worker(s)"] / times["2 worker(s)"]
    print(f"speed-up 1 -> 2 workers: {ratio:.2f}x (target >= 1.8x: "
          f"{'met' if ratio >= 1.8 else 'MISSED'})")  # fmt: skip
    q = any_result.quantiles()
    print(q[q["metric"] == "peak_late_shipment_rate_10d"].to_string(index=False))
    print(f"smallest staff under 4% with 95% confidence: {any_result.smallest_under()}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
