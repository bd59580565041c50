"""Benchmark: ``History.daily`` over a partitioned Parquet history of (by default) 100M events.

Run: ``.venv/bin/python benchmarks/history.py`` (options: ``--events``, ``--dir``, ``--buckets``,
``--chunk-orders``; ``--skip-generate`` reuses a history already in ``--dir``; ``--dask-defaults``
runs the workers with Dask's default settings instead of
:func:`orderkit.workers.worker_settings`; ``--cold`` skips reading the files into the page cache
before each run).

1. **Generate** (a subprocess): simulated chunks of ``--chunk-orders`` orders, each chunk's days
   after the previous chunk's and its order ids given a chunk prefix (disjoint id ranges, so ids
   never collide), appended with ``History.append`` until ``--events`` events are written. The
   size on disk is printed.
2. **In-memory lens** (a subprocess): ``metrics.daily`` of a 1M-order simulated book, five times
   (a new book each time) — its events per CPU-second (process time of all its threads; the
   median of the five) is the reference.
3. **History.daily** over all of it (explicit ``start``/``end``: one pass) on a ``LocalCluster``
   of 1, then 2 single-threaded worker processes: wall time, each worker's CPU time and peak
   memory (``ru_maxrss``), and the client's (this process: it never holds the data). Before each
   run every file is read once (unless ``--cold``), so that the figures are of the CPU's work; on a
   machine whose page cache does not keep the history, give ``--dir`` a folder in ``/dev/shm``.

Targets (issue 15): client and each worker under 2 GB; throughput per CPU-second at least 70% of
the in-memory lens; 1 → 2 workers at least 1.7x faster.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orderkit.book import OrderBook

START = dt.date(2020, 1, 1)
ORDERS_PER_DAY = 20_000


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _chunk(k: int, orders: int) -> OrderBook:
    """Return the ``k``-th chunk: simulated days after chunk ``k - 1``'s, ids prefixed by ``k``."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    from orderkit.book import OrderBook
    from orderkit.simulate import Scenario, simulate

    days = max(1, round(orders / ORDERS_PER_DAY))
    start = dt.datetime.combine(START + dt.timedelta(days=k * days), dt.time(), dt.UTC)
    book = simulate(Scenario(start=start, days=days, orders_per_day=ORDERS_PER_DAY), seed=k)
    prefix = f"{100 + k:03d}"  # 3-7-7 digits: the first three name the chunk

    def ids(series: pd.Series) -> pd.Series:
        arr = pa.chunked_array(series.array.__arrow_array__()).cast(pa.large_string())
        return pd.Series(pc.binary_replace_slice(arr, 0, 3, prefix), dtype="str")

    orders = book.orders.assign(order_id=ids(book.orders["order_id"]))
    items = book.items.assign(order_id=ids(book.items["order_id"]))
    events = book.events.assign(order_id=ids(book.events["order_id"]), event_id=pd.NA)
    return OrderBook(orders, items, events)  # event ids hashed again from the new order ids


def generate(root: str, events: int, buckets: int, chunk_orders: int) -> dict:
    from orderkit.history import History

    h = History(root, buckets=buckets)
    written = k = orders = 0
    t0 = time.perf_counter()
    while written < events:
        book = _chunk(k, chunk_orders)
        summary = h.append(book)
        written += summary.events
        orders += summary.orders
        k += 1
        print(
            f"  chunk {k}: {written:,} events, {orders:,} orders, {time.perf_counter() - t0:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    size = _bytes_on_disk(root)
    return {
        "part": "generate",
        "events": written,
        "orders": orders,
        "chunks": k,
        "partitions": len(h.partitions()),
        "bytes_on_disk": size,
        "seconds": time.perf_counter() - t0,
        "peak_mb": _peak_mb(),
    }


def in_memory(orders: int, repeat: int = 5) -> dict:
    import statistics

    from orderkit import metrics
    from orderkit.book import OrderBook
    from orderkit.simulate import Scenario, simulate

    metrics.daily(simulate(Scenario(days=3, orders_per_day=10), seed=0))  # warm up
    book = simulate(Scenario(days=50, orders_per_day=orders / 50 / 1.017), seed=1)
    cpu, wall = [], []
    for _ in range(repeat):  # a new book each time: the lens caches its replay per book
        fresh = OrderBook(book.orders, book.items, book.events)
        c0, t0 = time.process_time(), time.perf_counter()
        metrics.daily(fresh)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - t0)
        del fresh
    cpu_s = statistics.median(cpu)
    return {
        "part": "in_memory",
        "orders": len(book),
        "events": len(book.events),
        "seconds": statistics.median(wall),
        "cpu_s": cpu_s,
        "cpu_s_runs": [round(c, 3) for c in cpu],
        "events_per_cpu_s": len(book.events) / cpu_s,
        "peak_mb": _peak_mb(),
    }


def _warm_up() -> None:
    """Import orderkit and build its calendars on a worker: not part of what is measured."""
    from orderkit import metrics
    from orderkit.simulate import Scenario, simulate

    metrics.daily(simulate(Scenario(days=3, orders_per_day=10), seed=0))


def _worker_stats() -> dict:
    import os as o
    import resource as r
    import time as t

    times = o.times()
    return {
        "cpu_s": t.process_time(),
        "system_s": times.system,
        "peak_mb": r.getrusage(r.RUSAGE_SELF).ru_maxrss / 1024,
    }


def on_cluster(root: str, workers: int, events: int, *, defaults: bool = False) -> dict:
    from distributed import Client, LocalCluster

    from orderkit.history import History
    from orderkit.workers import worker_settings

    h = History(root)
    parts = h.partitions()
    first = min(p.month for p in parts if p.month != "none")
    last = max(p.month for p in parts if p.month != "none")
    start = dt.date.fromisoformat(f"{first}-01")
    end = dt.date.fromisoformat(f"{last}-01") + dt.timedelta(days=60)
    with (
        contextlib.nullcontext() if defaults else worker_settings(),
        LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(_warm_up)
        before = client.run(_worker_stats)
        c0, t0 = time.process_time(), time.perf_counter()
        table = h.daily(start, end, client=client, progress=False)
        c1, t1 = time.process_time(), time.perf_counter()
        after = client.run(_worker_stats)
    cpu = {w: after[w]["cpu_s"] - before[w]["cpu_s"] for w in after}
    system = {w: after[w]["system_s"] - before[w]["system_s"] for w in after}
    return {
        "part": f"{workers}_workers",
        "partitions": len(parts),
        "days": len(table),
        "seconds": t1 - t0,
        "workers_cpu_s": sum(cpu.values()),
        "workers_system_s": sum(system.values()),  # of which in the kernel (page faults, reads)
        "events_per_cpu_s": events / sum(cpu.values()),
        "worker_peak_mb": sorted(round(a["peak_mb"]) for a in after.values()),
        "client_cpu_s": c1 - c0,
        "client_peak_mb": _peak_mb(),
    }


def _child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    sys.stderr.write(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=100_000_000)
    parser.add_argument("--dir", default=None, help="where the history goes (default: a temp dir)")
    parser.add_argument("--buckets", type=int, default=2)
    parser.add_argument("--chunk-orders", type=int, default=1_000_000)
    parser.add_argument("--memory-orders", type=int, default=1_000_000)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument(
        "--dask-defaults", action="store_true", help="workers with Dask's default settings"
    )
    parser.add_argument("--keep", action="store_true", help="keep the history afterwards")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="do not read the files before each run (the figures then include the disk's waits"
        " and the kernel's page faults)",
    )
    parser.add_argument("--part", default=None, help=argparse.SUPPRESS)  # a child's phase
    args = parser.parse_args()
    if args.part == "generate":
        print(json.dumps(generate(args.dir, args.events, args.buckets, args.chunk_orders)))
        return
    if args.part == "in_memory":
        print(json.dumps(in_memory(args.memory_orders)))
        return
    root = args.dir or tempfile.mkdtemp(prefix="orderkit-history-")
    try:
        if args.skip_generate:
            gen = {"events": _stored_events(root), "bytes_on_disk": _bytes_on_disk(root)}
        else:
            gen = _child(
                "--part", "generate", "--dir", root, "--events", str(args.events),
                "--buckets", str(args.buckets), "--chunk-orders", str(args.chunk_orders),
            )  # fmt: skip
        print(json.dumps(gen))
        mem = _child("--part", "in_memory", "--memory-orders", str(args.memory_orders))
        print(json.dumps(mem))
        runs = {}
        for workers in (1, 2):
            if not args.cold:
                print(json.dumps(_warm(root)))
            runs[workers] = on_cluster(root, workers, gen["events"], defaults=args.dask_defaults)
            print(json.dumps(runs[workers]))
        one, two = runs[1], runs[2]
        print(
            json.dumps(
                {
                    "events": gen["events"],
                    "gb_on_disk": round(gen.get("bytes_on_disk", 0) / 1e9, 2),
                    "throughput_vs_in_memory": round(
                        one["events_per_cpu_s"] / mem["events_per_cpu_s"], 3
                    ),
                    "speedup_1_to_2_workers": round(one["seconds"] / two["seconds"], 2),
                    "max_worker_peak_mb": max(one["worker_peak_mb"] + two["worker_peak_mb"]),
                    "client_peak_mb": round(two["client_peak_mb"]),
                }
            )
        )
    finally:
        if not args.keep and not args.dir:
            shutil.rmtree(root, ignore_errors=True)


def _warm(root: str) -> dict:
    """Read every file of the history once, so that the runs find them in the page cache.

    What is measured is then the CPU's work, not this machine's disk: on these virtual machines
    the kernel reclaims the page cache within minutes, and a cold 6 GB read waits on the disk for
    minutes and faults every page in.
    """
    t0 = time.perf_counter()
    size = 0
    for path in Path(root).rglob("*.parquet"):
        with path.open("rb") as f:
            while block := f.read(1 << 23):
                size += len(block)
    return {"part": "warm_page_cache", "bytes": size, "seconds": time.perf_counter() - t0}


def _bytes_on_disk(root: str) -> int:
    return sum(p.stat().st_size for p in Path(root).rglob("*.parquet"))


def _stored_events(root: str) -> int:
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(p).num_rows for p in Path(root, "events").rglob("*.parquet"))


if __name__ == "__main__":
    main()
