"""Writers for the store's concurrency tests, run in processes of their own (``spawn``).

A plain module (not the test module) so that a spawned process can import its functions by name.
"""

from __future__ import annotations

import traceback
from typing import Any

import numpy as np

from orderkit import OrderBook
from orderkit.store import Store


def part(book: OrderBook, writer: int, writers: int, share: int) -> OrderBook:
    """Return the orders (with their items and events) of ``writer``: ``share`` of every
    ``writers`` consecutive orders, so that each order belongs to ``share`` writers."""
    ids = book.orders["order_id"]
    return book.subset(ids[[(i - writer) % writers < share for i in range(len(ids))]])


def shuffled(book: OrderBook, rng: np.random.Generator) -> OrderBook:
    """Return ``book`` with the rows of each table in a random order."""
    return OrderBook(
        *(
            getattr(book, t).sample(frac=1.0, random_state=rng).reset_index(drop=True)
            for t in ("orders", "items", "events")
        )
    )


def save_in_rounds(url: str, book: OrderBook, seed: int, start: Any, results: Any) -> None:
    """Open the store, wait for every writer, then save ``book`` three ways in shuffled row orders:
    whole, a few orders at a time, and its events alone. Puts ``(seed, None)`` on ``results``, or
    ``(seed, the traceback)`` if anything failed."""
    try:
        rng = np.random.default_rng(seed)
        with Store(url) as store:
            start.wait(timeout=300)
            store.save(shuffled(book, rng))
            ids = book.orders["order_id"].sample(frac=1.0, random_state=rng).tolist()
            for k in range(0, len(ids), 12):
                store.save(shuffled(book.subset(ids[k : k + 12]), rng))
            store.append(book.events.sample(frac=1.0, random_state=rng))
        results.put((seed, None))
    except BaseException:
        results.put((seed, traceback.format_exc()))
