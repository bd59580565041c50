"""Builders shared by the core tests: one order built to measure, in a fresh book.

A plain module (not a conftest) so that tests can import it by a name no other folder uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from orderkit import Actor, Event, EventKind, OrderBook
from orderkit.businessdays import JST

#: Every edge case the simulator knows, often (:class:`orderkit.simulate.Scenario`'s rates): cvs
#: expiry, buyer and seller cancels, partial shipments, late and never-confirmed orders, rows
#: without a ship date (derived from payment), parcels without a tracking number.
EDGE_CASES = dict(
    buyer_cancel=0.04,
    seller_cancel=0.04,
    never_confirmed=0.04,
    partial_shipment=0.3,
    confirm_delayed=0.08,
    ship_date_recorded=0.6,
    tracking_missing=0.1,
)

#: Monday 2 November 2026, 10:00 JST: a plain business day with no holiday near it.
T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=JST)
ORDER_ID = "503-1234567-1234567"
ITEM_A, ITEM_B = "12345678901234", "12345678901235"


def build_book(
    *,
    order_id: str = ORDER_ID,
    channel: str = "MFN",
    payment: str = "card",
    lines: Sequence[tuple[str, int, int, int]] = ((ITEM_A, 2, 3000, 500), (ITEM_B, 1, 1000, 0)),
    business: bool = False,
    po: str | None = None,
    latest_ship_date: dt.datetime | None = None,
    latest_delivery_date: dt.datetime | None = None,
    placed: dt.datetime = T0,
    paid: dt.datetime | None = None,
    address: str = "東京都千代田区千代田1-1",
    email: str = "buyer1@marketplace.amazon.co.jp",
    buyer_name: str | None = "山田 太郎",
    product_names: Sequence[str] = (),
) -> OrderBook:
    """Return a book with one placed order (and its payment when ``paid`` is given).

    ``lines`` are (order item id, quantity, item price in yen, shipping price in yen);
    ``product_names``, if given, name the lines in the same order.
    """
    orders = pd.DataFrame(
        [
            {
                "order_id": order_id,
                "purchase_date": placed,
                "fulfillment_channel": channel,
                "payment_method": payment,
                "latest_ship_date": latest_ship_date,
                "latest_delivery_date": latest_delivery_date,
                "is_business_order": business,
                "purchase_order_number": po,
                "is_prime": False,
                "buyer_email": email,
                "buyer_name": buyer_name,
                "ship_postal_code": "100-0001",
                "ship_state": "東京都",
                "ship_address_1": address,
            }
        ]
    )
    items = pd.DataFrame(
        [
            {
                "order_id": order_id,
                "order_item_id": i,
                "quantity": q,
                "item_price": p,
                "shipping_price": s,
                "product_name": name,
            }
            for (i, q, p, s), name in zip(
                lines, [*product_names, *[None] * len(lines)], strict=False
            )
        ]
    )
    events = [Event(order_id, placed, EventKind.PLACED, Actor.BUYER)]
    if paid is not None:
        events.append(Event(order_id, paid, EventKind.PAYMENT_COMPLETED, Actor.AMAZON))
    book = OrderBook(orders, items)
    book.extend(events)
    return book
