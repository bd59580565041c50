"""The per-order lens: fold an order's events through the state machine into an :class:`OrderState`.

:func:`fold` replays an order's events in time order. Each event is checked first — against the
transition table (:mod:`orderkit.status`) for events that move the status, and against the FAQ's
guards for the others — and an event the rules forbid raises
:class:`~orderkit.errors.TransitionNotAllowed` naming the rule. Two things happen by the clock
rather than by an event, exactly as Amazon does them, and the fold applies them when their time
comes (unless the events already record them):

- an unpaid convenience-store order is canceled when its payment window ends
  (:attr:`Policy.cvs_payment_window <orderkit.policy.Policy.cvs_payment_window>`);
- a seller-fulfilled order with no confirmed shipment is canceled at the confirmation cutoff,
  7 days after the ship date (:attr:`Policy.confirm_cutoff <orderkit.policy.Policy.confirm_cutoff>`).

Everything else in :class:`OrderState` — charged, late, the confirm-by warning, at risk, refunds,
the reply deadline, the open contact channels — is derived from the events and the order's facts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from orderkit.businessdays import BusinessCalendar
from orderkit.errors import TransitionNotAllowed
from orderkit.events import Actor, CancelReason, Channel, Event, EventKind
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.rules import rule
from orderkit.status import INITIAL, TRANSITIONS, OrderStatus, Trigger

__all__ = ["ItemFacts", "OrderFacts", "OrderState", "fold"]

MFN, AFN = "MFN", "AFN"


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """One line of an order, as the order book knows it.

    Attributes:
        order_item_id: Amazon's order item id.
        quantity: quantity ordered.
        amount: what the buyer pays for this line in yen: item price, taxes, shipping, gift wrap
            and cash-on-delivery fee, less promotions (0 while Amazon omits prices).
        item_amount: the part of ``amount`` for the goods (item price + item tax − item promotion).
        sku: the seller's SKU.
        product_name: the product title.

    """

    order_item_id: str
    quantity: int
    amount: int = 0
    item_amount: int = 0
    sku: str = ""
    product_name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderFacts:
    """What the order book knows of an order besides its events (its row and its items).

    ``ship_to`` is the shipping address as one normalised line (postal code, prefecture, city,
    street), used to tell whether two orders go to the same address.
    """

    order_id: str
    purchase_date: dt.datetime
    fulfillment_channel: str = MFN
    payment_method: str = "card"
    latest_ship_date: dt.datetime | None = None
    latest_delivery_date: dt.datetime | None = None
    is_business_order: bool = False
    purchase_order_number: str | None = None
    buyer_name: str | None = None
    ship_to: str | None = None
    items: tuple[ItemFacts, ...] = ()

    @property
    def total(self) -> int:
        """The order total in yen: what the buyer is charged for the whole order."""
        return sum(i.amount for i in self.items)

    @property
    def seller_fulfilled(self) -> bool:
        """Whether the seller ships the order (MFN)."""
        return self.fulfillment_channel == MFN


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderState:
    """An order at one instant: its status and everything the FAQ derives from its events.

    Attributes:
        order_id: the order.
        at: the instant this state describes.
        status: the folded :class:`~orderkit.status.OrderStatus`.
        ordered, shipped: quantity ordered and confirmed as shipped, per order item id.
        total: the order total in yen.
        charged: whether the buyer has been charged (at the first confirmed item, for the whole
            order); ``charged_amount`` is what was charged.
        refunded: yen refunded so far.
        ship_by: the ship date (latest ship date), once known.
        late: the whole order was not confirmed by the ship date ("Shipment is late"); it stays
            true after the remaining items are refunded.
        confirm_by: the cutoff to confirm shipment before Amazon cancels automatically.
        confirm_warning: whether Manage Orders shows "Confirm as shipped by <date>".
        at_risk: warning showing and nothing confirmed yet: Amazon will cancel at ``confirm_by``.
        payment_due: when an unpaid convenience-store payment expires (while Pending).
        edit_window_ends: until when the buyer may edit or cancel themselves (seller-fulfilled).
        reply_deadline: the deadline set for a buyer who does not reply, while still open.
        contact_channels: the channels through which the seller can reach the buyer now.
        events: the events folded (including the ones Amazon applies by the clock).

    """

    order_id: str
    at: dt.datetime
    status: OrderStatus
    facts: OrderFacts
    ordered: Mapping[str, int]
    shipped: Mapping[str, int]
    total: int
    placed_at: dt.datetime | None = None
    paid_at: dt.datetime | None = None
    first_confirmed_at: dt.datetime | None = None
    fully_confirmed_at: dt.datetime | None = None
    charged: bool = False
    charged_amount: int = 0
    refunded: int = 0
    canceled_at: dt.datetime | None = None
    canceled_by: Actor | None = None
    cancel_reason: str | None = None
    ship_by: dt.datetime | None = None
    late: bool = False
    confirm_by: dt.datetime | None = None
    confirm_warning: bool = False
    at_risk: bool = False
    payment_due: dt.datetime | None = None
    edit_window_ends: dt.datetime | None = None
    reply_deadline: dt.datetime | None = None
    reply_overdue: bool = False
    buyer_replied_at: dt.datetime | None = None
    delivered_at: dt.datetime | None = None
    returned_reason: str | None = None
    not_received_at: dt.datetime | None = None
    atoz_claim_from: dt.datetime | None = None
    atoz_claim_until: dt.datetime | None = None
    atoz_claimed: bool = False
    combined_ref: str | None = None
    contact_channels: frozenset[Channel] = frozenset()
    events: tuple[Event, ...] = field(default=(), repr=False)

    @property
    def remaining(self) -> dict[str, int]:
        """Quantity still to ship, per order item id."""
        return {k: q - self.shipped.get(k, 0) for k, q in self.ordered.items()}

    @property
    def fully_confirmed(self) -> bool:
        """Whether every item has been confirmed as shipped in full."""
        return all(q <= 0 for q in self.remaining.values())

    @property
    def refundable(self) -> int:
        """Yen that can still be refunded: charged less refunded."""
        return self.charged_amount - self.refunded

    @property
    def can_edit(self) -> bool:
        """Whether the buyer may still edit the order in Your Account (FAQ: 5 minutes, MFN)."""
        return self.edit_window_ends is not None and self.at <= self.edit_window_ends

    @property
    def shows_late(self) -> bool:
        """Whether Manage Orders shows "Shipment is late" now (late and not fully confirmed)."""
        return self.late and not self.fully_confirmed and self.status is not OrderStatus.CANCELED

    @property
    def packing_slip_required(self) -> bool:
        """Business orders need a packing slip (with the Buyer PO# when there is one)."""
        return self.facts.is_business_order


# ---- what each event kind does ---------------------------------------------------------------

# Events that move the status, and the trigger each fires (shipments are resolved by quantity).
_TRIGGERS: Mapping[EventKind, Trigger] = {
    EventKind.PAYMENT_COMPLETED: Trigger.PAYMENT_COMPLETED,
    EventKind.PAYMENT_EXPIRED: Trigger.PAYMENT_EXPIRED,
    EventKind.AWAITING_RELEASE: Trigger.AWAITING_RELEASE,
    EventKind.RELEASED: Trigger.RELEASED,
    EventKind.CANCELED: Trigger.CANCELED,
    EventKind.INVOICE_PENDING: Trigger.INVOICE_PENDING,
    EventKind.INVOICE_CONFIRMED: Trigger.INVOICE_CONFIRMED,
    EventKind.UNFULFILLABLE: Trigger.UNFULFILLABLE,
}

_SHIPPED = frozenset({OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED})
_NOT_CANCELED = frozenset(OrderStatus) - {OrderStatus.CANCELED}
_BEFORE_SHIPMENT = frozenset(
    {OrderStatus.PENDING, OrderStatus.PENDING_AVAILABILITY, OrderStatus.UNSHIPPED}
)

# Events that leave the status alone: where each may happen, and the rule that says so.
_ALLOWED_IN: Mapping[EventKind, tuple[frozenset[OrderStatus], str]] = {
    EventKind.BUYER_EDITED: (_BEFORE_SHIPMENT, "buyer-edit-window"),
    EventKind.REFUNDED: (_SHIPPED | {OrderStatus.INVOICE_UNCONFIRMED}, "refund-not-above-charged"),
    EventKind.RETURNED_TO_SENDER: (_SHIPPED, "returned-after-shipment"),
    EventKind.DELIVERED: (_SHIPPED, "not-in-this-status"),
    EventKind.BUYER_CONTACTED: (frozenset(OrderStatus), "contact-channels"),
    EventKind.REPLY_DEADLINE_SET: (
        frozenset({OrderStatus.PENDING, OrderStatus.UNSHIPPED}),
        "reply-deadline-future",
    ),
    EventKind.BUYER_REPLIED: (frozenset(OrderStatus), "contact-channels"),
    EventKind.NOT_RECEIVED_REPORTED: (_SHIPPED, "not-received-after-shipment"),
    EventKind.ATOZ_CLAIM_FILED: (_SHIPPED, "not-received-after-shipment"),
    EventKind.SHIPMENTS_COMBINED: (
        frozenset({OrderStatus.UNSHIPPED, OrderStatus.PARTIALLY_SHIPPED}),
        "combine-confirm-each",
    ),
}


def _refusal_rule(status: OrderStatus, kind: EventKind, cancel_reason: str | None) -> str:
    """Return the id of the rule that forbids ``kind`` in ``status`` (the table has no entry)."""
    shipping = kind is EventKind.SHIPMENT_CONFIRMED
    if shipping and status.is_pending:
        return "pending-no-dispatch"
    if status is OrderStatus.CANCELED:
        if shipping and cancel_reason == CancelReason.CONFIRM_CUTOFF:
            return "confirm-within-7-days"
        if cancel_reason == CancelReason.PAYMENT_EXPIRED and kind is EventKind.PAYMENT_COMPLETED:
            return "cvs-payment-expiry"
        return "canceled-is-final"
    if kind is EventKind.CANCELED and status in _SHIPPED:
        return "no-cancel-after-shipment"
    if shipping and status is OrderStatus.SHIPPED:
        return "no-ship-more-than-ordered"
    return "not-in-this-status"


class _Fold:
    """Mutable accumulator used by :func:`fold`; never escapes this module."""

    def __init__(self, facts: OrderFacts, policy: Policy) -> None:
        self.facts = facts
        self.policy = policy
        self.calendar = BusinessCalendar.from_policy(policy)
        self.status: OrderStatus | None = None
        self.ordered = {i.order_item_id: i.quantity for i in facts.items}
        self.shipped = dict.fromkeys(self.ordered, 0)
        self.applied: list[Event] = []
        self.v: dict[str, object] = {
            "placed_at": None, "paid_at": None, "first_confirmed_at": None,
            "fully_confirmed_at": None, "charged": False, "charged_amount": 0, "refunded": 0,
            "canceled_at": None, "canceled_by": None, "cancel_reason": None,
            "reply_deadline": None, "reply_set_at": None, "buyer_replied_at": None,
            "delivered_at": None, "returned_reason": None, "not_received_at": None,
            "atoz_claimed": False, "combined_ref": None,
        }  # fmt: skip

    # -- derived dates ------------------------------------------------------------------------
    def ship_by(self) -> dt.datetime | None:
        if not self.facts.seller_fulfilled:
            return None
        if self.facts.latest_ship_date is not None:
            return self.facts.latest_ship_date
        paid_at = self.v["paid_at"]
        if paid_at is None:
            return None
        return self.calendar.ship_by(paid_at, self.policy.handling_days)  # type: ignore[arg-type]

    def confirm_by(self) -> dt.datetime | None:
        ship_by = self.ship_by()
        return None if ship_by is None else ship_by + self.policy.confirm_cutoff

    def payment_due(self) -> dt.datetime | None:
        if self.facts.payment_method != "cvs" or self.v["placed_at"] is None:
            return None
        return self.v["placed_at"] + self.policy.cvs_payment_window  # type: ignore[operator]

    def edit_window_ends(self) -> dt.datetime | None:
        if not self.facts.seller_fulfilled or self.v["placed_at"] is None:
            return None
        return self.v["placed_at"] + self.policy.buyer_edit_window  # type: ignore[operator]

    # -- refusing ------------------------------------------------------------------------------
    def refuse(self, event: Event, rule_id: str, detail: str = "") -> TransitionNotAllowed:
        return TransitionNotAllowed(self.facts.order_id, self.status, event, rule(rule_id), detail)

    # -- the clock: what Amazon does when a deadline passes --------------------------------------
    def timers(self) -> list[Event]:
        """Return the clock events due from the current state, earliest first.

        A timer that starts after its due time has passed (a pre-order released after its payment
        window, say) fires at once: at the time of the event that started it.
        """
        started = self.applied[-1].at if self.applied else None
        out = []
        due = self.payment_due()
        if self.status is OrderStatus.PENDING and due is not None:
            out.append(
                Event(self.facts.order_id, due, EventKind.PAYMENT_EXPIRED, Actor.AMAZON,
                      reason=CancelReason.PAYMENT_EXPIRED, source="clock")
            )  # fmt: skip
        cutoff = self.confirm_by()
        if self.status is OrderStatus.UNSHIPPED and cutoff is not None:
            out.append(
                Event(self.facts.order_id, cutoff, EventKind.CANCELED, Actor.AMAZON,
                      reason=CancelReason.CONFIRM_CUTOFF, source="clock")
            )  # fmt: skip
        if started is not None:
            out = [e if e.at >= started else dataclasses.replace(e, at=started) for e in out]
        return sorted(out, key=lambda e: e.at)

    def run_clock(self, until: dt.datetime, *, next_event: Event | None = None) -> None:
        """Apply every clock event due at or before ``until``.

        When ``next_event`` is Amazon's own record of the same kind (a report that says the order
        was canceled), the clock leaves the change to that record and its time.
        """
        while True:
            due = [e for e in self.timers() if e.at <= until]
            if not due:
                return
            tick = due[0]
            if (
                next_event is not None
                and next_event.kind == tick.kind
                and next_event.actor == tick.actor
                and next_event.at <= until
            ):
                return
            self.apply(tick)

    # -- applying one event --------------------------------------------------------------------
    def apply(self, event: Event) -> None:
        if self.applied and event.at < self.applied[-1].at:
            raise self.refuse(
                event, "events-in-order", f"{event.at} is before {self.applied[-1].at}"
            )
        if event.kind is EventKind.PLACED:
            if self.status is not None:
                raise self.refuse(event, "placed-once")
            self.status = INITIAL
            self.v["placed_at"] = event.at
            self.applied.append(event)
            return
        if self.status is None:
            raise self.refuse(event, "placed-once", "the order has no placed event yet")
        if event.kind is EventKind.SHIPMENT_CONFIRMED:
            self._ship(event)
        elif event.kind in _TRIGGERS:
            self._guard_status_event(event)
            self.status = self._next(event, _TRIGGERS[event.kind])
            self._after_status_event(event)
        else:
            allowed, rule_id = _ALLOWED_IN[event.kind]
            if self.status not in allowed:
                raise self.refuse(event, _refusal_rule_for_other(self.status, rule_id))
            _GUARDS.get(event.kind, _no_guard)(self, event)
            _EFFECTS.get(event.kind, _no_effect)(self, event)
        self.applied.append(event)

    def _next(self, event: Event, trigger: Trigger) -> OrderStatus:
        assert self.status is not None
        nxt = TRANSITIONS[self.status].get(trigger)
        if nxt is None:
            rule_id = _refusal_rule(self.status, event.kind, self.v["cancel_reason"])  # type: ignore[arg-type]
            raise self.refuse(event, rule_id)
        return nxt

    def _guard_status_event(self, event: Event) -> None:
        if event.kind is EventKind.PAYMENT_EXPIRED and self.facts.payment_method != "cvs":
            raise self.refuse(
                event, "cvs-payment-expiry", "only a convenience-store payment expires"
            )
        if event.kind is EventKind.CANCELED and event.actor is Actor.BUYER:
            window = self.edit_window_ends()
            in_window = window is not None and event.at <= window
            if not (self.status is not None and self.status.is_pending) and not in_window:
                raise self.refuse(event, "buyer-cancel-window", "the buyer's 5 minutes have passed")

    def _after_status_event(self, event: Event) -> None:
        if event.kind is EventKind.PAYMENT_COMPLETED:
            self.v["paid_at"] = event.at
        elif event.kind is EventKind.INVOICE_PENDING:
            # InvoiceUnconfirmed means every item has shipped (SP-API; not used in Japan).
            self._confirm_lines(event, {k: q - self.shipped[k] for k, q in self.ordered.items()})
        elif event.kind in (EventKind.CANCELED, EventKind.PAYMENT_EXPIRED):
            self.v["canceled_at"] = event.at
            self.v["canceled_by"] = event.actor
            self.v["cancel_reason"] = event.reason or (
                CancelReason.PAYMENT_EXPIRED if event.kind is EventKind.PAYMENT_EXPIRED else None
            )

    def _ship(self, event: Event) -> None:
        assert self.status is not None
        shipped_at = event.shipped_at
        if shipped_at is not None:
            if shipped_at > event.at:
                raise self.refuse(
                    event,
                    "shipped-before-confirmed",
                    f"shipped {shipped_at:%Y-%m-%d %H:%M} UTC, after the confirmation",
                )
            paid = self.v["paid_at"]
            if paid is not None and shipped_at < paid:  # type: ignore[operator]
                raise self.refuse(
                    event, "pending-no-dispatch", "the parcel left before the payment was settled"
                )
        remaining = {k: q - self.shipped[k] for k, q in self.ordered.items()}
        if event.order_item_id is None:  # the whole order, as the FAQ asks
            lines = {k: q for k, q in remaining.items() if q > 0}
        else:
            if event.order_item_id not in self.ordered:
                raise self.refuse(
                    event,
                    "no-ship-more-than-ordered",
                    f"no item {event.order_item_id} in the order",
                )
            qty = remaining[event.order_item_id] if event.quantity is None else event.quantity
            lines = {event.order_item_id: qty}
        if self.status in TRANSITIONS and Trigger.SHIPMENT_PARTIAL in TRANSITIONS[self.status]:
            for k, q in lines.items():
                if q < 1 or q > remaining[k]:
                    raise self.refuse(
                        event,
                        "no-ship-more-than-ordered",
                        f"item {k}: {q} confirmed, {remaining[k]} left to ship",
                    )
        after = {k: self.shipped[k] + lines.get(k, 0) for k in self.shipped}
        complete = all(after[k] >= q for k, q in self.ordered.items())
        trigger = Trigger.SHIPMENT_COMPLETE if complete else Trigger.SHIPMENT_PARTIAL
        self.status = self._next(event, trigger)
        self._confirm_lines(event, lines)

    def _confirm_lines(self, event: Event, lines: Mapping[str, int]) -> None:
        for k, q in lines.items():
            self.shipped[k] += q
        if self.v["first_confirmed_at"] is None:
            self.v["first_confirmed_at"] = event.at
            self.v["charged"] = True
            self.v["charged_amount"] = self.facts.total  # FAQ: charged for the entire order
        if all(self.shipped[k] >= q for k, q in self.ordered.items()):
            self.v["fully_confirmed_at"] = event.at

    # -- the result ----------------------------------------------------------------------------
    def state(self, at: dt.datetime) -> OrderState:
        if self.status is None:
            raise ValueError(f"order {self.facts.order_id} has no placed event at {at}")
        v = self.v
        ship_by = self.ship_by()
        confirm_by = self.confirm_by()
        full = v["fully_confirmed_at"]
        open_order = self.status not in (OrderStatus.CANCELED, OrderStatus.UNFULFILLABLE)
        # A canceled order never shipped anything (a charged order cannot be canceled), so it
        # has no shipment to be late.
        late = (
            open_order
            and ship_by is not None
            and v["paid_at"] is not None
            and at > ship_by
            and (full is None or full > ship_by)  # type: ignore[operator]
        )
        warning = (
            confirm_by is not None
            and open_order
            and full is None
            and confirm_by - self.policy.confirm_warning_lead <= at < confirm_by
        )
        reply_deadline = v["reply_deadline"]
        replied = v["buyer_replied_at"]
        # A reply deadline threatens cancellation, so it only stands while the order can be canceled.
        reply_open = (
            reply_deadline is not None
            and (replied is None or replied < v["reply_set_at"])
            and (self.status.is_pending or self.status is OrderStatus.UNSHIPPED)
        )  # type: ignore[operator]
        lsd = self.facts.latest_delivery_date
        return OrderState(
            order_id=self.facts.order_id,
            at=at,
            status=self.status,
            facts=self.facts,
            ordered=MappingProxyType(dict(self.ordered)),
            shipped=MappingProxyType(dict(self.shipped)),
            total=self.facts.total,
            placed_at=v["placed_at"],  # type: ignore[arg-type]
            paid_at=v["paid_at"],  # type: ignore[arg-type]
            first_confirmed_at=v["first_confirmed_at"],  # type: ignore[arg-type]
            fully_confirmed_at=full,  # type: ignore[arg-type]
            charged=bool(v["charged"]),
            charged_amount=int(v["charged_amount"]),  # type: ignore[call-overload]
            refunded=int(v["refunded"]),  # type: ignore[call-overload]
            canceled_at=v["canceled_at"],  # type: ignore[arg-type]
            canceled_by=v["canceled_by"],  # type: ignore[arg-type]
            cancel_reason=v["cancel_reason"],  # type: ignore[arg-type]
            ship_by=ship_by,
            late=bool(late),
            confirm_by=confirm_by,
            confirm_warning=bool(warning),
            at_risk=bool(warning) and self.status is OrderStatus.UNSHIPPED,
            payment_due=self.payment_due() if self.status.is_pending else None,
            edit_window_ends=self.edit_window_ends(),
            reply_deadline=reply_deadline if reply_open else None,  # type: ignore[arg-type]
            reply_overdue=bool(reply_open and at > reply_deadline),  # type: ignore[operator]
            buyer_replied_at=replied,  # type: ignore[arg-type]
            delivered_at=v["delivered_at"],  # type: ignore[arg-type]
            returned_reason=v["returned_reason"],  # type: ignore[arg-type]
            not_received_at=v["not_received_at"],  # type: ignore[arg-type]
            atoz_claim_from=None if lsd is None else lsd + self.policy.atoz_claim_after,
            atoz_claim_until=None if lsd is None else lsd + self.policy.atoz_claim_until,
            atoz_claimed=bool(v["atoz_claimed"]),
            combined_ref=v["combined_ref"],  # type: ignore[arg-type]
            contact_channels=self.channels(at),
            events=tuple(self.applied),
        )

    def channels(self, at: dt.datetime) -> frozenset[Channel]:
        """Return the open contact channels at ``at``.

        FAQ: the form and the encrypted email always; the phone only for seller-fulfilled orders
        during the fulfilment period (address known, not yet delivered).
        """
        open_ = {Channel.FORM, Channel.EMAIL}
        if self.phone_refusal(at) is None:
            open_.add(Channel.PHONE)
        return frozenset(open_)

    def phone_refusal(self, at: dt.datetime) -> tuple[str, str] | None:
        if not self.facts.seller_fulfilled:
            return "no-phone-afn", "the order is fulfilled by Amazon"
        if self.status not in (OrderStatus.UNSHIPPED, *_SHIPPED):
            return "phone-fulfilment-period", f"the order is {self.status}"
        delivered = self.v["delivered_at"]
        if delivered is not None and at >= delivered:  # type: ignore[operator]
            return "phone-fulfilment-period", "the package has been delivered"
        lsd = self.facts.latest_delivery_date
        if lsd is not None and at > lsd:
            return "phone-fulfilment-period", "the delivery window has ended"
        return None


def _refusal_rule_for_other(status: OrderStatus | None, rule_id: str) -> str:
    if status is OrderStatus.CANCELED:
        return "canceled-is-final"
    return rule_id


# ---- guards and effects of the events that leave the status alone ------------------------------


def _no_guard(f: _Fold, e: Event) -> None:
    return None


def _no_effect(f: _Fold, e: Event) -> None:
    return None


def _guard_edit(f: _Fold, e: Event) -> None:
    if e.actor is not Actor.BUYER:
        raise f.refuse(e, "seller-cannot-edit")
    window = f.edit_window_ends()
    if window is None:
        raise f.refuse(e, "buyer-edit-window", "the order is fulfilled by Amazon")
    if e.at > window:
        raise f.refuse(
            e, "buyer-edit-window", f"the edit window closed at {window:%Y-%m-%d %H:%M} UTC"
        )


def _guard_refund(f: _Fold, e: Event) -> None:
    amount = e.amount or 0
    left = int(f.v["charged_amount"]) - int(f.v["refunded"])  # type: ignore[call-overload]
    if amount < 1 or amount > left:
        raise f.refuse(e, "refund-not-above-charged", f"¥{amount:,} asked, ¥{left:,} refundable")


def _effect_refund(f: _Fold, e: Event) -> None:
    f.v["refunded"] = int(f.v["refunded"]) + int(e.amount or 0)  # type: ignore[call-overload]


def _guard_contact(f: _Fold, e: Event) -> None:
    if e.channel == Channel.PHONE:
        refusal = f.phone_refusal(e.at)
        if refusal is not None:
            raise f.refuse(e, *refusal)
    elif e.channel not in (None, Channel.FORM, Channel.EMAIL):
        raise f.refuse(e, "contact-channels", f"unknown channel {e.channel!r}")


def _guard_deadline(f: _Fold, e: Event) -> None:
    if e.due is None or e.due <= e.at:
        raise f.refuse(e, "reply-deadline-future", f"deadline {e.due} is not after {e.at}")


def _effect_deadline(f: _Fold, e: Event) -> None:
    f.v["reply_deadline"], f.v["reply_set_at"] = e.due, e.at


def _guard_atoz(f: _Fold, e: Event) -> None:
    lsd = f.facts.latest_delivery_date
    if lsd is None:
        return
    start, end = lsd + f.policy.atoz_claim_after, lsd + f.policy.atoz_claim_until
    if not start <= e.at <= end:
        raise f.refuse(
            e, "atoz-window", f"claims are possible from {start:%Y-%m-%d} to {end:%Y-%m-%d}"
        )


def _setter(name: str, value: Callable[[Event], object]) -> Callable[[_Fold, Event], None]:
    def effect(f: _Fold, e: Event) -> None:
        f.v[name] = value(e)

    return effect


_GUARDS: Mapping[EventKind, Callable[[_Fold, Event], None]] = {
    EventKind.BUYER_EDITED: _guard_edit,
    EventKind.REFUNDED: _guard_refund,
    EventKind.BUYER_CONTACTED: _guard_contact,
    EventKind.REPLY_DEADLINE_SET: _guard_deadline,
    EventKind.ATOZ_CLAIM_FILED: _guard_atoz,
}

_EFFECTS: Mapping[EventKind, Callable[[_Fold, Event], None]] = {
    EventKind.REFUNDED: _effect_refund,
    EventKind.REPLY_DEADLINE_SET: _effect_deadline,
    EventKind.BUYER_REPLIED: _setter("buyer_replied_at", lambda e: e.at),
    EventKind.DELIVERED: _setter("delivered_at", lambda e: e.at),
    EventKind.RETURNED_TO_SENDER: _setter("returned_reason", lambda e: e.reason),
    EventKind.NOT_RECEIVED_REPORTED: _setter("not_received_at", lambda e: e.at),
    EventKind.ATOZ_CLAIM_FILED: _setter("atoz_claimed", lambda e: True),
    EventKind.SHIPMENTS_COMBINED: _setter("combined_ref", lambda e: e.ref),
}


_RANK = {kind: i for i, kind in enumerate(EventKind)}


def _chronological(event: Event) -> tuple[dt.datetime, int]:
    """Sort key: time, then the natural order of kinds at the same instant (placed first, ...)."""
    return event.at, _RANK[event.kind]


def fold(
    facts: OrderFacts,
    events: Iterable[Event],
    *,
    at: dt.datetime | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> OrderState:
    """Fold an order's events up to ``at`` into its :class:`OrderState`.

    Events are applied in time order; at the same instant, in the natural order of their kinds
    (``placed`` before ``payment_completed`` before a shipment ...), then as given. A ``voided``
    event and the event it voids are skipped (a correction, see :mod:`orderkit.events`). Events after ``at`` are
    ignored; the clock's events (convenience-store expiry, automatic cancellation at the confirm
    cutoff) are applied when their time has come.

    Args:
        facts: the order's row and items.
        events: the order's events, in any order.
        at: the instant to describe (tz-aware); default: the last event's time.
        policy: the seller's :class:`~orderkit.policy.Policy`.

    Returns:
        The :class:`OrderState` at ``at``.

    Raises:
        TransitionNotAllowed: an event the rules forbid, with the rule.
        ValueError: ``at`` is naive, or the order has no ``placed`` event by ``at``.

    """
    events = list(events)
    if any(e.kind is EventKind.VOIDED for e in events):  # corrections: skip what they void
        gone = {int(e.ref or 0) for e in events if e.kind is EventKind.VOIDED}
        events = [e for e in events if e.kind is not EventKind.VOIDED and e.event_id not in gone]
    ordered = sorted(events, key=_chronological)
    if at is None:
        if not ordered:
            raise ValueError(f"order {facts.order_id} has no events")
        at = ordered[-1].at
    if at.tzinfo is None:
        raise ValueError(f"at={at!r} has no timezone")
    f = _Fold(facts, policy)
    for event in ordered:
        if event.at > at:
            break
        if f.status is not None:
            f.run_clock(event.at, next_event=event)
        f.apply(event)
    if f.status is not None:
        f.run_clock(at)
    return f.state(at)
