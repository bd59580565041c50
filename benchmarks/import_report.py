r"""Time ``orderkit.io.read_report`` on a 1,000,000-row All Orders report against a bare pandas read.

Run: ``.venv/bin/python benchmarks/import_report.py [--rows N]``

The file is generated vectorised into a temporary directory (about 600,000 orders, 1–3 items each,
every status). Each measurement runs in a fresh subprocess so that its peak resident memory is its
own: ``VmHWM`` of ``/proc/self/status`` on Linux (``ru_maxrss`` is kept across ``exec``, so it
would count the generating parent's peak too); tracemalloc would miss Arrow's allocations. Prints wall time, peak memory and the ratio to the bare ``pandas.read_csv(path,
sep="\t", engine="pyarrow")``. Targets: at most 2x the bare read, peak memory under 2 GB (2·10^9 bytes;
peaks are printed in MiB, 2^20 bytes).

Both modes are treated alike: imports (``pyarrow.csv`` included) happen before the clock, and each
is read cold (first read in the interpreter: orderkit's includes its one-time holiday table load)
or, with ``--warm``, as the second read in the interpreter. The best of ``--repeat`` runs counts.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from orderkit.io._columns import ALL_ORDERS

# The All Orders report's standard columns, in Amazon's order (as the writer writes them).
COLUMNS = list(ALL_ORDERS.columns)

MEASURE = """
import json, resource, sys, time
import pandas as pd
import pyarrow.csv  # the engine's module: imported before the clock in both modes
path, how, warm = sys.argv[1], sys.argv[2], sys.argv[3] == "warm"
if how != "bare":
    from orderkit.io import read_report  # imports are not part of the read


def run():
    if how == "bare":
        return len(pd.read_csv(path, sep="\\t", engine="pyarrow"))
    book = read_report(path)
    assert not book.problems, book.problems[:3]
    return len(book.items)


if warm:  # one untimed read first, the same for both: one-time costs (e.g. holidays) left out
    run()
t0 = time.perf_counter()
n = run()
elapsed = time.perf_counter() - t0
try:  # this process's own peak: ru_maxrss survives exec, so it would include the parent's
    with open("/proc/self/status") as f:
        peak = next(int(x.split()[1]) for x in f if x.startswith("VmHWM:")) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "rows": n, "maxrss_mb": peak}))
"""


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Write an All Orders report of about ``rows`` item rows to ``path`` (vectorised)."""
    rng = np.random.default_rng(seed)
    per_order = rng.choice([1, 2, 3], size=rows, p=[0.5, 0.3, 0.2])
    per_order = per_order[: np.searchsorted(np.cumsum(per_order), rows) + 1]
    n_orders = len(per_order)
    order_idx = np.repeat(np.arange(n_orders), per_order)[:rows]
    ids = np.char.add(
        np.char.add("503-", np.char.zfill((order_idx % 10_000_000).astype(str), 7)),
        np.char.add("-", np.char.zfill((order_idx // 10_000_000 + 1000000).astype(str), 7)),
    )
    start = np.datetime64("2026-09-01T00:00:00")
    placed = start + rng.integers(0, 60 * 86400, size=n_orders).astype("timedelta64[s]")
    updated = placed + rng.integers(60, 3 * 86400, size=n_orders).astype("timedelta64[s]")
    statuses = np.array(["Pending", "Unshipped", "Shipped", "Cancelled", "Shipped"])
    status = statuses[rng.integers(0, len(statuses), size=n_orders)]
    channel = np.where(rng.random(n_orders) < 0.3, "Amazon", "Merchant")

    def jst(ts: np.ndarray) -> np.ndarray:
        return np.char.add(np.datetime_as_string(ts + np.timedelta64(9, "h"), unit="s"), "+09:00")

    o_placed, o_updated = jst(placed)[order_idx], jst(updated)[order_idx]
    o_status = status[order_idx]
    # distinct SKUs within an order: a row repeated field for field is a problem the reader lists
    first_row = np.r_[0, np.cumsum(per_order)[:-1]][order_idx]
    sku_n = (
        rng.integers(0, 5000, size=n_orders)[order_idx] + 7 * (np.arange(rows) - first_row)
    ) % 5000
    qty = rng.integers(1, 4, size=rows)
    price = rng.integers(3, 300, size=rows) * 100 * qty
    item_status = np.where(
        o_status == "Cancelled",
        "Cancelled",
        np.where(o_status == "Shipped", "Shipped", "Unshipped"),
    )
    frame = pd.DataFrame(
        {
            "amazon-order-id": ids,
            "merchant-order-id": "",
            "purchase-date": o_placed,
            "last-updated-date": o_updated,
            "order-status": o_status,
            "fulfillment-channel": channel[order_idx],
            "sales-channel": "Amazon.co.jp",
            "order-channel": "",
            "ship-service-level": "Standard",
            "product-name": np.char.add("商品 ", sku_n.astype(str)),
            "sku": np.char.add("SKU-", sku_n.astype(str)),
            "asin": np.char.add("B0", np.char.zfill(sku_n.astype(str), 8)),
            "item-status": item_status,
            "quantity": qty,
            "currency": "JPY",
            "item-price": price,
            "item-tax": 0,
            "shipping-price": np.where(price > 2000, 0, 350),
            "shipping-tax": 0,
            "gift-wrap-price": "",
            "gift-wrap-tax": "",
            "item-promotion-discount": np.where(rng.random(rows) < 0.1, -100, 0),
            "ship-promotion-discount": 0,
            "ship-city": "千代田区",
            "ship-state": "東京都",
            "ship-postal-code": "100-0005",
            "ship-country": "JP",
            "promotion-ids": "",
            "cpf": "",
            # an order's flag (Amazon's Order.IsBusinessOrder), the same on each of its rows
            "is-business-order": np.where(rng.random(n_orders) < 0.05, "true", "false")[order_idx],
            "purchase-order-number": "",
            "price-designation": "",
        },
        columns=COLUMNS,
    )
    frame.to_csv(path, sep="\t", index=False)


def measure(path: Path, how: str, warm: bool = False) -> dict[str, float]:
    """Run one read in a fresh interpreter; return its seconds, rows and peak RSS in MiB."""
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path), how, "warm" if warm else "cold"],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--warm",
        action="store_true",
        help="time a second read in each interpreter (both reads alike): steady state, no one-time costs",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "all_orders.txt"
        generate(path, args.rows)
        size = path.stat().st_size / 1e6
        print(f"file: {args.rows:,} rows, {size:,.0f} MB; {'warm' if args.warm else 'cold'} reads")
        best: dict[str, dict[str, float]] = {}
        for how in ("bare", "orderkit") * args.repeat:
            r = measure(path, how, args.warm)
            if how not in best or r["seconds"] < best[how]["seconds"]:
                best[how] = r
        for how, r in best.items():
            label = "pandas.read_csv(engine='pyarrow')" if how == "bare" else "orderkit read_report"
            print(f"{label:36s} {r['seconds']:6.2f} s   peak RSS {r['maxrss_mb']:7.0f} MiB")
        ratio = best["orderkit"]["seconds"] / best["bare"]["seconds"]
        peak_gb = best["orderkit"]["maxrss_mb"] * 2**20 / 1e9
        print(
            f"ratio read_report / bare read: {ratio:.2f}x (target ≤ 2x); "
            f"peak memory {peak_gb:.2f} GB (target < 2 GB)"
        )
        print(
            f"targets: ≤ 2x the bare read: {'met' if ratio <= 2 else 'MISSED'}; "
            f"peak < 2 GB: {'met' if peak_gb < 2 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
