"""Every number the FAQ fixes, in one frozen dataclass a seller can override.

>>> Policy().buyer_edit_window
datetime.timedelta(seconds=300)
>>> Policy(handling_days=1).handling_days
1
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = ["DEFAULT_POLICY", "Policy"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """The FAQ's numbers, with its values as defaults. Override any with keyword arguments.

    Attributes:
        buyer_edit_window: how long after checkout the buyer may edit or cancel a seller-fulfilled
            order. FAQ: "edit order information within 5 minutes after checking out ... This
            5 minutes' rule applies to merchant-fulfilled orders only."
        confirm_cutoff: how long after the ship date the shipment must be confirmed. FAQ: "You must
            confirm shipment of the order with Amazon within 7 days of the ship date. Otherwise,
            Amazon will automatically cancel the order". The ship date is read as the order's
            latest ship date: Amazon cannot know the actual one before it is confirmed.
        confirm_warning_lead: how long before the cutoff the warning shows. FAQ: "One week before
            the 7-day cutoff, you will see a warning in Manage Orders ("Confirm as shipped by
            [date] to avoid cancellation")". With the defaults it shows from the ship date on.
        cvs_payment_window: how long a buyer has to pay at a convenience store before the order is
            canceled (Amazon.co.jp help on konbini payment: 6 days; the FAQ: "payment is not
            completed if the convenience store payment method is selected").
        handling_days: business days from payment to the latest ship date (the seller's handling
            time; Amazon's default is 1-2).
        reply_deadline_days: business days orderkit proposes for the deadline the FAQ asks for
            when a buyer does not reply ("set a deadline and inform the buyer"); the FAQ sets no
            number, so this is orderkit's default.
        atoz_claim_after: a buyer can file an A-to-z Guarantee claim once this long has passed
            after the latest delivery date (the A-to-z Guarantee terms; the FAQ: "your buyer may
            file an A-to-z Guarantee claim").
        atoz_claim_until: and until this long after it.
        seller_reply_within: how soon the seller should answer a buyer's message (A-to-z terms:
            48 hours).
        closed_weekdays: the seller's weekly closed days (0 = Monday ... 6 = Sunday).
        closed_days: the seller's own closed dates (e.g. New Year, summer holidays).
        valid_tracking_min_yen: Japan counts Valid Tracking Rate on packages of this value or more.

    """

    buyer_edit_window: dt.timedelta = dt.timedelta(minutes=5)
    confirm_cutoff: dt.timedelta = dt.timedelta(days=7)
    confirm_warning_lead: dt.timedelta = dt.timedelta(days=7)
    cvs_payment_window: dt.timedelta = dt.timedelta(days=6)
    handling_days: int = 2
    reply_deadline_days: int = 3
    atoz_claim_after: dt.timedelta = dt.timedelta(days=3)
    atoz_claim_until: dt.timedelta = dt.timedelta(days=90)
    seller_reply_within: dt.timedelta = dt.timedelta(hours=48)
    closed_weekdays: frozenset[int] = frozenset({5, 6})
    closed_days: frozenset[dt.date] = field(default_factory=frozenset)
    valid_tracking_min_yen: int = 1000

    def __post_init__(self) -> None:
        for name in ("buyer_edit_window", "confirm_cutoff", "cvs_payment_window"):
            if getattr(self, name) <= dt.timedelta(0):
                raise ValueError(f"Policy.{name} must be positive")
        if self.confirm_warning_lead < dt.timedelta(0):
            raise ValueError("Policy.confirm_warning_lead must not be negative")
        if self.handling_days < 0 or self.reply_deadline_days < 1:
            raise ValueError("Policy.handling_days must be >= 0 and reply_deadline_days >= 1")
        if not set(self.closed_weekdays) <= set(range(7)) or len(self.closed_weekdays) == 7:
            raise ValueError("Policy.closed_weekdays must be a proper subset of 0..6")
        object.__setattr__(self, "closed_weekdays", frozenset(self.closed_weekdays))
        object.__setattr__(self, "closed_days", frozenset(self.closed_days))


DEFAULT_POLICY = Policy()
