r"""Time ``Store.save`` of a 20,000-order All Orders report: with the reconciliation and check, and without.

Run: ``.venv/bin/python benchmarks/store_save.py [--orders N] [--repeat R]``

A book of ``--orders`` orders is simulated, written as an All Orders report and read back (a real
snapshot, events of origin ``import``). Each run saves it into a fresh SQLite store three ways:

- **plain**: what a save did before reconciliation existed — upsert the orders and items, append
  the events, in one transaction (``Store._upsert`` / ``Store._append``), no check;
- **save**: ``Store.save`` — read the touched orders, reconcile, check that every touched order
  folds (the fleet lens), write;
- **again**: ``Store.save`` of the same report once more (tomorrow's re-import: everything known,
  nothing added).

Prints the best of ``--repeat`` runs of each and the ratio save / plain. Target: the save with the
check takes at most twice as long as without it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import orderkit as ok
from orderkit.io import read_report, write_report


def snapshot(orders: int, folder: Path) -> ok.OrderBook:
    """Return an All Orders report of ``orders`` simulated orders, read back."""
    days = 10
    book = ok.simulate(ok.Scenario(days=days, orders_per_day=orders // days), seed=7)
    path = folder / "all_orders.txt"
    write_report(book, "all_orders", path)
    return read_report(path)


def plain(store: ok.Store, book: ok.OrderBook) -> None:
    """Write ``book`` as saves did before reconciliation: upsert rows, append events, no check."""

    def work(conn: object) -> None:
        store._upsert(conn, "orders", book.orders)
        store._upsert(conn, "items", book.items)
        store._append(conn, book.events)

    store._run("plain save", work)


def best(runs: int, action: str, book: ok.OrderBook, folder: Path) -> float:
    """Return the best time of ``runs`` runs of ``action`` into fresh stores."""
    times = []
    for k in range(runs):
        path = folder / f"{action}-{k}.sqlite"
        with ok.Store(path=path) as store:
            if action == "again":
                store.save(book)
            t0 = time.perf_counter()
            if action == "plain":
                plain(store, book)
            else:
                summary = store.save(book)
                assert not summary.conflicts, summary.conflicts[:3]
            times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        book = snapshot(args.orders, folder)
        print(
            f"snapshot: {len(book):,} orders, {len(book.items):,} items, {len(book.events):,} events"
        )
        figures = {a: best(args.repeat, a, book, folder) for a in ("plain", "save", "again")}
    for action, seconds in figures.items():
        print(f"{action:>6}: {seconds:7.2f} s")
    ratio = figures["save"] / figures["plain"]
    print(f"save / plain: {ratio:.2f}x  (target <= 2x: {'met' if ratio <= 2 else 'MISSED'})")


if __name__ == "__main__":
    main()
