"""Finding an order the way the FAQ says: by the buyer's email address or the order number.

FAQ: "Locate the order using the buyer's email address or order number and see if the order is
valid. If the order is in the pending status due to unsettled payment, your orders report will
display accordingly. The buyer could also be confused with an order from other seller at Amazon."

>>> is_order_id("503-1234567-1234567"), is_order_id("5031234567")
(True, False)
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

import pandas as pd

from orderkit.errors import InvalidOrderId
from orderkit.i18n import N_, _
from orderkit.rules import Rule, rule
from orderkit.status import OrderStatus

if TYPE_CHECKING:
    from orderkit.book import OrderBook

__all__ = ["FindOutcome", "FindResult", "find", "find_text", "is_order_id", "normalise_order_id"]

ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")
_LOOSE = re.compile(r"^\s*(\d{3})[\s\-‐－ー]?(\d{7})[\s\-‐－ー]?(\d{7})\s*$")


def is_order_id(value: str) -> bool:
    """Return whether ``value`` is an Amazon order number (3-7-7 digits with hyphens)."""
    return bool(ORDER_ID.match(value))


def normalise_order_id(value: str) -> str:
    """Return ``value`` as ``NNN-NNNNNNN-NNNNNNN``.

    Accepts what buyers paste: full-width digits, missing or full-width hyphens, spaces.

    >>> normalise_order_id("５０３−１２３４５６７−１２３４５６７".replace("−", "-"))
    '503-1234567-1234567'

    Raises:
        InvalidOrderId: not 3-7-7 digits.
    """
    text = unicodedata.normalize("NFKC", value)
    m = _LOOSE.match(text)
    if not m:
        raise InvalidOrderId(value)
    return "-".join(m.groups())


class FindOutcome(StrEnum):
    """What a lookup found."""

    FOUND = "found"
    PENDING = "pending"
    INVALID_NUMBER = "invalid_number"
    NOT_IN_BOOK = "not_in_book"
    NO_ORDER_FOR_EMAIL = "no_order_for_email"


_MESSAGES: dict[FindOutcome, str] = {
    FindOutcome.FOUND: N_("Found {n} order(s)."),
    FindOutcome.PENDING: N_(
        "Found {n} order(s); {p} pending because payment is not settled: do not dispatch."
    ),
    FindOutcome.INVALID_NUMBER: N_(
        "{value!r} is not an Amazon order number (3-7-7 digits). Ask the buyer to check it."
    ),
    FindOutcome.NOT_IN_BOOK: N_(
        "{value} is not one of your orders. It may be another seller's: refer the buyer to Amazon"
        " Customer Service."
    ),
    FindOutcome.NO_ORDER_FOR_EMAIL: N_(
        "No order from {value}. The buyer may have ordered from another seller: refer them to"
        " Amazon Customer Service."
    ),
}

_RULES: dict[FindOutcome, str] = {
    FindOutcome.FOUND: "find-order",
    FindOutcome.PENDING: "pending-reason",
    FindOutcome.INVALID_NUMBER: "find-order",
    FindOutcome.NOT_IN_BOOK: "other-seller-order",
    FindOutcome.NO_ORDER_FOR_EMAIL: "other-seller-order",
}


@dataclass(frozen=True, slots=True)
class FindResult:
    """The outcome of a lookup.

    Attributes:
        outcome: a :class:`FindOutcome`.
        orders: the matching rows of ``book.orders`` with a ``status`` column at the lookup time.
        query: what was searched for.
    """

    outcome: FindOutcome
    orders: pd.DataFrame
    query: str

    @property
    def rule(self) -> Rule:
        """The FAQ rule behind the outcome."""
        return rule(_RULES[self.outcome])

    @property
    def refer_to_customer_service(self) -> bool:
        """Whether the buyer should be referred to Amazon Customer Service."""
        return self.outcome in (FindOutcome.NOT_IN_BOOK, FindOutcome.NO_ORDER_FOR_EMAIL)

    def message(self, lang: str = "en") -> str:
        """Return what to tell the support person, in ``lang`` (``en``, ``ja``, ``zh-Hans``)."""
        pending = int(
            (self.orders.get("status", pd.Series(dtype=str)) == OrderStatus.PENDING).sum()
        )
        return _(_MESSAGES[self.outcome], lang, n=len(self.orders), p=pending, value=self.query)


def find(
    book: OrderBook,
    *,
    email: str | None = None,
    order_id: str | None = None,
    at: dt.datetime,
    statuses: pd.Series | None = None,
) -> FindResult:
    """Find orders by buyer ``email`` (case-insensitive) or ``order_id``, with status at ``at``.

    Exactly one of ``email`` and ``order_id`` must be given. ``statuses`` (status values indexed
    by order id, e.g. from :func:`orderkit.metrics.status_at`) saves folding each hit when the
    caller already has them.

    Returns:
        A :class:`FindResult`: found, found but pending, an invalid number, a valid number that is
        not in the book (maybe another seller's), or no order for the email.

    Raises:
        ValueError: neither or both of ``email`` and ``order_id``.
    """
    if (email is None) == (order_id is None):
        raise ValueError("give exactly one of email= or order_id=")
    orders = book.orders
    if order_id is not None:
        try:
            query = normalise_order_id(order_id)
        except InvalidOrderId:
            return FindResult(FindOutcome.INVALID_NUMBER, orders.iloc[0:0], order_id)
        hits = orders[orders["order_id"] == query]
        missing = FindOutcome.NOT_IN_BOOK
    else:
        query = email.strip()  # type: ignore[union-attr]
        hits = orders[orders["buyer_email"].str.lower() == query.lower()]
        missing = FindOutcome.NO_ORDER_FOR_EMAIL
    if hits.empty:
        return FindResult(missing, hits, query)
    if statuses is not None:
        status = statuses.reindex(hits["order_id"]).to_numpy()
    else:
        status = [str(book.order(o).state(at=at).status) for o in hits["order_id"]]
    hits = hits.assign(status=status).sort_values("purchase_date", ascending=False)
    pending = hits["status"].isin([OrderStatus.PENDING, OrderStatus.PENDING_AVAILABILITY]).any()
    return FindResult(FindOutcome.PENDING if pending else FindOutcome.FOUND, hits, query)


def find_text(
    book: OrderBook, text: str, *, at: dt.datetime, statuses: pd.Series | None = None
) -> FindResult | None:
    """Find orders from what a support person types: an email address or an order number.

    Text with an ``@`` is looked up as a buyer email; text of digits and separators as an order
    number (so a mistyped number is reported as invalid); anything else is not a lookup the FAQ
    describes, and ``None`` is returned.
    """
    query = unicodedata.normalize("NFKC", text).strip()
    if "@" in query:
        return find(book, email=query, at=at, statuses=statuses)
    if query and all(ch.isdigit() or ch in " -‐－ー" for ch in query):
        return find(book, order_id=query, at=at, statuses=statuses)
    return None
