r"""Time ``orderkit.io.write_report`` of a 1,000,000-order book against ``read_report`` of its file.

Run: ``.venv/bin/python benchmarks/export_report.py [--orders N] [--repeat R]``

The book is simulated (``orderkit.simulate``, 90 days, every status) and written as an All Orders
report into a temporary directory; the same file is then read back with ``read_report``. Each
measurement runs in a fresh subprocess so that its peak resident memory is its own: ``VmHWM`` of
``/proc/self/status`` on Linux (``ru_maxrss`` is kept across ``exec``, so it would count the
parent's peak too; tracemalloc would miss Arrow's allocations). The export's subprocess simulates
the book first: its peak is printed for the whole process (book included), which is what a user
exporting a book of that size needs.

Both sides are treated alike: imports happen before the clock, and each process first writes (or
reads) a small report, untimed, so that one-time costs (the holiday table, Arrow's kernels) are
left out of both. The export includes the fleet lens's replay of the book (nothing is cached
before the clock). The best of ``--repeat`` runs counts.

Also timed, in one more subprocess: ``book.statuses(at)`` against ``metrics.status_at(book, at)``,
each on a cold replay (the replay cache emptied before each), best of ``--repeat``.

Targets: the export at most 2x the read, peak memory under 2 GB (2·10^9 bytes; peaks are printed
in MiB, 2^20 bytes); ``statuses`` at most 1.5x ``status_at``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

DAYS = 90

COMMON = """
import json, resource, sys, time
from pathlib import Path


def peak_mb():
    try:  # this process's own peak: ru_maxrss survives exec, so it would include the parent's
        with open("/proc/self/status") as f:
            return next(int(x.split()[1]) for x in f if x.startswith("VmHWM:")) / 1024
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def book_of(n):
    from orderkit.simulate import Scenario, simulate

    return simulate(Scenario(days=DAYS, orders_per_day=n / DAYS / 1.017), seed=1)  # weekends busier
""".replace("DAYS", str(DAYS))

EXPORT = (
    COMMON
    + """
from orderkit.io import write_report
path, n = Path(sys.argv[1]), int(sys.argv[2])
write_report(book_of(3000), "all_orders", path.with_suffix(".warm"))  # one-time costs
book = book_of(n)
at = book.events["at"].max().to_pydatetime()
t0 = time.perf_counter()
write_report(book, "all_orders", path, at=at)
elapsed = time.perf_counter() - t0
print(json.dumps({"seconds": elapsed, "orders": len(book), "items": len(book.items),
                  "maxrss_mb": peak_mb()}))
"""
)

READ = (
    COMMON
    + """
from orderkit.io import read_report
path = Path(sys.argv[1])
read_report(path.with_suffix(".warm"))  # one-time costs, as the export's warm-up
t0 = time.perf_counter()
book = read_report(path)
elapsed = time.perf_counter() - t0
assert not book.problems, book.problems[:3]
print(json.dumps({"seconds": elapsed, "orders": len(book), "items": len(book.items),
                  "maxrss_mb": peak_mb()}))
"""
)

STATUSES = (
    COMMON
    + """
from orderkit import metrics
n, repeat = int(sys.argv[1]), int(sys.argv[2])
small = book_of(3000)
small.statuses(small.events["at"].max().to_pydatetime())  # one-time costs
book = book_of(n)
at = book.events["at"].max().to_pydatetime()
best = {}
for _ in range(repeat):
    for name, run in (("status_at", lambda: metrics.status_at(book, at)),
                      ("statuses", lambda: book.statuses(at))):
        metrics._CACHE.clear()  # a cold replay for each
        t0 = time.perf_counter()
        rows = len(run())
        best[name] = min(best.get(name, float("inf")), time.perf_counter() - t0)
print(json.dumps({**best, "orders": len(book), "rows": rows, "maxrss_mb": peak_mb()}))
"""
)


def measure(script: str, *args: str) -> dict[str, float]:
    """Run one measurement in a fresh interpreter; return what it printed (JSON)."""
    out = subprocess.run(
        [sys.executable, "-c", script, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "all_orders.txt"
        best: dict[str, dict[str, float]] = {}
        for how, script in (("export", EXPORT), ("read", READ)) * max(args.repeat, 1):
            r = measure(script, str(path), str(args.orders))
            if how not in best or r["seconds"] < best[how]["seconds"]:
                best[how] = r
        e, r = best["export"], best["read"]
        size = path.stat().st_size / 1e6
        print(
            f"book: {e['orders']:,} orders, {e['items']:,} items (simulate, {DAYS} days); "
            f"All Orders file {size:,.0f} MB, read back {r['orders']:,} orders"
        )
        print(f"{'orderkit write_report':28s} {e['seconds']:6.2f} s   peak RSS {e['maxrss_mb']:7.0f} MiB"
              " (simulated book included)")  # fmt: skip
        print(f"{'orderkit read_report':28s} {r['seconds']:6.2f} s   peak RSS {r['maxrss_mb']:7.0f} MiB")  # fmt: skip
        ratio = e["seconds"] / r["seconds"]
        peak_gb = e["maxrss_mb"] * 2**20 / 1e9
        print(
            f"ratio write_report / read_report: {ratio:.2f}x (target ≤ 2x); "
            f"peak memory {peak_gb:.2f} GB (target < 2 GB)"
        )
    s = measure(STATUSES, str(args.orders), str(max(args.repeat, 1)))
    lens = s["statuses"] / s["status_at"]
    print(
        f"book.statuses {s['statuses']:.2f} s, metrics.status_at {s['status_at']:.2f} s "
        f"({s['rows']:,} orders, cold replay each): {lens:.2f}x (target ≤ 1.5x)"
    )
    print(
        f"targets: export ≤ 2x the read: {'met' if ratio <= 2 else 'MISSED'}; "
        f"peak < 2 GB: {'met' if peak_gb < 2 else 'MISSED'}; "
        f"statuses ≤ 1.5x status_at: {'met' if lens <= 1.5 else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
