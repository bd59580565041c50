"""How much to refund, by the FAQ's three refund rules. Pure functions of yen amounts.

>>> refund_for_undeliverable(paid=3980, actual_shipping_cost=800)
3180
>>> split_saving(500, [1200, 1200, 600])
[200, 200, 100]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from orderkit.state import OrderState

__all__ = ["refund_for_unavailable", "refund_for_undeliverable", "split_saving"]


def refund_for_undeliverable(*, paid: int, actual_shipping_cost: int) -> int:
    """Return the refund for an order returned as undeliverable, rejected or invalid address.

    FAQ: "Refund the buyer less the actual shipping cost." The actual cost is what the seller paid
    the carrier (an input, not what the buyer was charged); the refund is never negative.

    Raises:
        ValueError: a negative amount.
    """
    if paid < 0 or actual_shipping_cost < 0:
        raise ValueError("amounts must not be negative")
    return max(0, paid - actual_shipping_cost)


def split_saving(saving: int, weights: Sequence[int]) -> list[int]:
    """Split a combined-shipment saving across orders in whole yen that add up exactly.

    FAQ: "refund the buyer for the amount saved due to combined shipment." Each order gets a share
    in proportion to its weight (e.g. the shipping it was charged); remainders go to the largest
    fractional parts, earlier orders first on ties, so the shares always sum to ``saving``.

    Raises:
        ValueError: a negative saving or weight, or no orders.
    """
    if saving < 0 or any(w < 0 for w in weights):
        raise ValueError("saving and weights must not be negative")
    if not weights:
        raise ValueError("no orders to split the saving across")
    total = sum(weights)
    if total == 0:
        weights, total = [1] * len(weights), len(weights)
    shares = [saving * w // total for w in weights]
    remainders = [saving * w % total for w in weights]
    left = saving - sum(shares)
    for i in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        shares[i] += 1
    return shares


def refund_for_unavailable(state: OrderState, unsent: Mapping[str, int]) -> int:
    """Return the refund for items not sent when the buyer agreed to a partial dispatch.

    FAQ: "start refund process for the items that were not sent." Each unsent unit is refunded at
    its share of the line's goods amount (price, tax, less promotion); shares of a line are
    computed on whole yen so that refunding every unit refunds the line exactly.

    Raises:
        KeyError: an item not in the order.
        ValueError: more units than were ordered.
    """
    lines = {i.order_item_id: i for i in state.facts.items}
    refund = 0
    for item_id, qty in unsent.items():
        line = lines[item_id]
        if not 0 <= qty <= line.quantity:
            raise ValueError(f"item {item_id}: {qty} unsent of {line.quantity} ordered")
        refund += line.item_amount * qty // line.quantity
    return refund
