"""Shared pieces of event inference for the readers: vocabularies and the confirmation cutoff.

Both the flat-file reader and the SP-API reader turn "the source says the order is Shipped as of
its last update" into events that fold (:mod:`orderkit.state`). They share the status vocabulary,
the payment-method vocabulary and one adjustment: a shipment the source reports without its time
is placed no later than the instant Amazon's clock would have canceled the order (it did not, so
the confirmation came before).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

import numpy as np
import pandas as pd

from orderkit import schema
from orderkit.businessdays import BusinessCalendar
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.status import OrderStatus

__all__ = ["ORDER_STATUS", "PAYMENT_METHOD", "confirm_by", "confirm_by_ns", "payment_method"]

S = OrderStatus
_NAT = np.iinfo(np.int64).min  # a missing time, as UTC nanoseconds

#: Every spelling of a status in a report or an API response → :class:`OrderStatus`.
#: ``Shipping`` (an Amazon-fulfilled order on its way out of the warehouse) counts as Unshipped:
#: nothing is confirmed yet.
ORDER_STATUS: Final[Mapping[str, OrderStatus]] = {
    "Pending": S.PENDING,
    "PendingAvailability": S.PENDING_AVAILABILITY,
    "Unshipped": S.UNSHIPPED,
    "Shipping": S.UNSHIPPED,
    "PartiallyShipped": S.PARTIALLY_SHIPPED,
    "Shipped": S.SHIPPED,
    "InvoiceUnconfirmed": S.INVOICE_UNCONFIRMED,
    "Canceled": S.CANCELED,
    "Cancelled": S.CANCELED,
    "Unfulfillable": S.UNFULFILLABLE,
    # SP-API Orders 2026-01-01
    "PENDING_AVAILABILITY": S.PENDING_AVAILABILITY,
    "PENDING": S.PENDING,
    "UNSHIPPED": S.UNSHIPPED,
    "PARTIALLY_SHIPPED": S.PARTIALLY_SHIPPED,
    "SHIPPED": S.SHIPPED,
    "CANCELLED": S.CANCELED,
    "CANCELED": S.CANCELED,
    "UNFULFILLABLE": S.UNFULFILLABLE,
}

#: Payment-method spellings (flat files in English or Japanese, SP-API codes) → schema value.
PAYMENT_METHOD: Final[Mapping[str, str]] = {
    "cod": "cod",
    "代金引換": "cod",
    "代引き": "cod",
    "cvs": "cvs",
    "コンビニ": "cvs",
    "コンビニ決済": "cvs",
    "コンビニ払い": "cvs",
    "creditcard": "card",
    "credit card": "card",
    "card": "card",
    "クレジットカード": "card",
    "pointsaccount": "points",
    "points": "points",
    "amazonポイント": "points",
    "ポイント": "points",
    "other": "other",
    "その他": "other",
    "gc": "other",
    "giftcertificate": "other",
    "invoice": "other",
    "standard": "other",
}


def payment_method(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Map payment-method spellings to card/cvs/cod/points/other.

    Returns:
        The mapped values (missing stays missing) and a mask of values no spelling matched.

    """
    key = values.str.strip().str.lower()
    mapped = key.map(PAYMENT_METHOD)
    return mapped.astype("str"), values.notna() & mapped.isna()


def confirm_by(
    latest_ship_date: pd.Series,
    paid_at: pd.Series,
    seller_fulfilled: pd.Series,
    policy: Policy = DEFAULT_POLICY,
) -> pd.Series:
    """Return when Amazon's clock would cancel each order with no confirmed shipment (vectorised).

    The same rule as the fold: the ship date (``latest_ship_date``, or the end of the
    ``handling_days``-th business day after payment in Japan time) plus the confirmation cutoff.
    NaT for Amazon-fulfilled orders and orders with neither date.
    """
    ns = confirm_by_ns(
        schema.utc_ns(latest_ship_date),
        schema.utc_ns(paid_at),
        seller_fulfilled.to_numpy(bool),
        policy,
    )
    return schema.utc(ns).set_axis(paid_at.index)


def confirm_by_ns(
    latest_ship_ns: np.ndarray,
    paid_ns: np.ndarray,
    seller_fulfilled: np.ndarray,
    policy: Policy = DEFAULT_POLICY,
) -> np.ndarray:
    """Return :func:`confirm_by` of UTC nanoseconds (NaT as the ``int64`` minimum), in them."""
    cal = BusinessCalendar.from_policy(policy)
    ship_by = np.where(
        latest_ship_ns != _NAT, latest_ship_ns, cal.ship_by_ns(paid_ns, policy.handling_days)
    )
    cutoff = int(policy.confirm_cutoff.total_seconds()) * 1_000_000_000
    return np.where(seller_fulfilled & (ship_by != _NAT), ship_by + cutoff, _NAT)
