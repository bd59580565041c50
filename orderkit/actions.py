"""What a seller can do to an order, as events — and which of those the rules allow right now.

Widgets offer these; the rules decide. :func:`available` tries each action on the order's current
state (nothing is recorded) and returns, for each, either ``None`` (allowed) or the
:class:`~orderkit.errors.TransitionNotAllowed` that names the rule forbidding it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from orderkit.deadlines import propose_reply_deadline
from orderkit.errors import TransitionNotAllowed
from orderkit.events import Actor, CancelReason, Channel, Event, EventKind, Origin, ReturnReason
from orderkit.i18n import N_, _, yen
from orderkit.policy import DEFAULT_POLICY, Policy

if TYPE_CHECKING:
    from orderkit.book import OrderView
    from orderkit.state import OrderState

__all__ = [
    "IRREVERSIBLE",
    "Action",
    "ActionCheck",
    "ActionGroup",
    "available",
    "confirmations_for",
    "default_params",
    "describe",
    "make_event",
    "package_value",
    "tracking_warning",
    "vtr_warning",
]


class Action(StrEnum):
    """A seller's action on one order."""

    CONFIRM_SHIPMENT = "confirm_shipment"
    CANCEL = "cancel"
    REFUND = "refund"
    CONTACT_FORM = "contact_form"
    CONTACT_EMAIL = "contact_email"
    CONTACT_PHONE = "contact_phone"
    SET_REPLY_DEADLINE = "set_reply_deadline"
    RECORD_REPLY = "record_reply"
    RECORD_DELIVERY = "record_delivery"
    RECORD_RETURN = "record_return"
    RECORD_NOT_RECEIVED = "record_not_received"

    def label(self, lang: str = "en") -> str:
        """Return the button label in ``lang`` (from the message catalogs)."""
        return _(_LABELS[self], lang)

    @property
    def group(self) -> ActionGroup:
        """Whether the seller does this, or records what happened (the buyer, the carrier)."""
        return ActionGroup.HAPPENED if self in _HAPPENED else ActionGroup.SELLER

    @property
    def irreversible(self) -> bool:
        """Whether recording this cannot be taken back on Amazon (asked for confirmation)."""
        return self in IRREVERSIBLE


class ActionGroup(StrEnum):
    """What the seller does to an order, versus what happened to it and is only recorded."""

    SELLER = "seller"
    HAPPENED = "happened"


_LABELS: Mapping[Action, str] = {
    Action.CONFIRM_SHIPMENT: N_("Confirm shipment"),
    Action.CANCEL: N_("Cancel order"),
    Action.REFUND: N_("Refund"),
    Action.CONTACT_FORM: N_("Contact (form)"),
    Action.CONTACT_EMAIL: N_("Contact (email)"),
    Action.CONTACT_PHONE: N_("Call the buyer"),
    Action.SET_REPLY_DEADLINE: N_("Set reply deadline"),
    Action.RECORD_REPLY: N_("Buyer replied"),
    Action.RECORD_DELIVERY: N_("Delivered"),
    Action.RECORD_RETURN: N_("Returned to sender"),
    Action.RECORD_NOT_RECEIVED: N_("Buyer says not received"),
}

#: Facts from the buyer or the carrier: recorded, not done by the seller.
_HAPPENED = frozenset(
    {
        Action.RECORD_REPLY,
        Action.RECORD_DELIVERY,
        Action.RECORD_RETURN,
        Action.RECORD_NOT_RECEIVED,
    }
)

#: What Amazon acts on at once (the buyer is charged, the order is gone, money is sent): the
#: workbench asks before recording these.
IRREVERSIBLE = frozenset({Action.CONFIRM_SHIPMENT, Action.CANCEL, Action.REFUND})


def _confirm(order_id: str, at: dt.datetime, p: dict[str, Any]) -> Event:
    return Event(
        order_id, at, EventKind.SHIPMENT_CONFIRMED, Actor.SELLER,
        order_item_id=p.get("order_item_id"), quantity=p.get("quantity"),
        carrier=p.get("carrier"), tracking_number=p.get("tracking_number"),
        shipped_at=p.get("shipped_at"),
        ref=p.get("carrier_name"), source=p.get("source", "workbench"),
    )  # fmt: skip


def _cancel(order_id: str, at: dt.datetime, p: dict[str, Any]) -> Event:
    return Event(order_id, at, EventKind.CANCELED, Actor.SELLER,
                 reason=p.get("reason", CancelReason.OUT_OF_STOCK), source=p.get("source", "workbench"))  # fmt: skip


def _refund(order_id: str, at: dt.datetime, p: dict[str, Any]) -> Event:
    return Event(order_id, at, EventKind.REFUNDED, Actor.SELLER, amount=p.get("amount", 1),
                 order_item_id=p.get("order_item_id"), quantity=p.get("quantity"),
                 reason=p.get("reason"), source=p.get("source", "workbench"))  # fmt: skip


def _contact(channel: Channel) -> Callable[[str, dt.datetime, dict[str, Any]], Event]:
    def build(order_id: str, at: dt.datetime, p: dict[str, Any]) -> Event:
        return Event(order_id, at, EventKind.BUYER_CONTACTED, Actor.SELLER, channel=channel,
                     source=p.get("source", "workbench"))  # fmt: skip

    return build


def _deadline(order_id: str, at: dt.datetime, p: dict[str, Any]) -> Event:
    due = p.get("due") or propose_reply_deadline(at, policy=p.get("policy", DEFAULT_POLICY))
    return Event(order_id, at, EventKind.REPLY_DEADLINE_SET, Actor.SELLER, due=due,
                 source=p.get("source", "workbench"))  # fmt: skip


def _simple(kind: EventKind, actor: Actor) -> Callable[[str, dt.datetime, dict[str, Any]], Event]:
    def build(order_id: str, at: dt.datetime, p: dict[str, Any]) -> Event:
        return Event(order_id, at, kind, actor, reason=p.get("reason"), amount=p.get("amount"),
                     source=p.get("source", "workbench"))  # fmt: skip

    return build


_BUILDERS: Mapping[Action, Callable[[str, dt.datetime, dict[str, Any]], Event]] = {
    Action.CONFIRM_SHIPMENT: _confirm,
    Action.CANCEL: _cancel,
    Action.REFUND: _refund,
    Action.CONTACT_FORM: _contact(Channel.FORM),
    Action.CONTACT_EMAIL: _contact(Channel.EMAIL),
    Action.CONTACT_PHONE: _contact(Channel.PHONE),
    Action.SET_REPLY_DEADLINE: _deadline,
    Action.RECORD_REPLY: _simple(EventKind.BUYER_REPLIED, Actor.BUYER),
    Action.RECORD_DELIVERY: _simple(EventKind.DELIVERED, Actor.SYSTEM),
    Action.RECORD_RETURN: lambda o, at, p: _simple(EventKind.RETURNED_TO_SENDER, Actor.SYSTEM)(
        o, at, {"reason": ReturnReason.UNDELIVERABLE, **p}
    ),
    Action.RECORD_NOT_RECEIVED: _simple(EventKind.NOT_RECEIVED_REPORTED, Actor.BUYER),
}


def make_event(action: Action | str, order_id: str, *, at: dt.datetime, **params: Any) -> Event:
    """Return the event that ``action`` records on ``order_id`` at ``at``.

    Params by action: ``confirm_shipment``: ``order_item_id`` and ``quantity`` (default: the whole
    order), ``carrier``, ``carrier_name``, ``tracking_number``, ``shipped_at`` (when the parcel
    left, if before the confirmation); ``cancel``: ``reason``; ``refund``:
    ``amount`` (yen), ``reason``; ``set_reply_deadline``: ``due`` (default: proposed from the
    policy); ``record_return``: ``reason``, ``amount`` (the actual shipping cost). Every action:
    ``operator`` (who in the seller's team records it) and ``source`` (default ``"workbench"``).

    Returns:
        The event, of origin :attr:`~orderkit.events.Origin.ACTION`.
    """
    event = _BUILDERS[Action(action)](order_id, at, params)
    return replace(event, origin=Origin.ACTION, operator=params.get("operator"))


@dataclass(frozen=True, slots=True)
class ActionCheck:
    """One action and whether the rules allow it now.

    Attributes:
        action: the action.
        refusal: ``None`` if allowed, else the refusal with its rule.
    """

    action: Action
    refusal: TransitionNotAllowed | None

    @property
    def allowed(self) -> bool:
        """Whether the rules allow the action now."""
        return self.refusal is None

    def reason(self, lang: str = "en") -> str:
        """Return why the action is refused (the rule, then this order's facts), or ``""``."""
        if self.refusal is None:
            return ""
        text = self.refusal.rule.text(lang)
        return f"{text} ({self.refusal.detail})" if self.refusal.detail and lang == "en" else text


def available(
    view: OrderView, *, now: dt.datetime, policy: Policy = DEFAULT_POLICY
) -> list[ActionCheck]:
    """Return every :class:`Action` with whether the rules allow it on ``view``'s order at ``now``.

    Each action is tried with its default parameters (the whole order for a shipment, ¥1 for a
    refund): an action refused here is refused whatever the parameters.
    """
    out = []
    for action in Action:
        event = make_event(action, view.order_id, at=now, policy=policy)
        out.append(ActionCheck(action, view.refusal(event, policy=policy)))
    return out


def confirmations_for(
    book: Any,
    order_ids: Sequence[str],
    *,
    at: dt.datetime,
    carrier_code: str,
    carrier_name: str | None = None,
    tracking_numbers: Mapping[str, str] | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> list[dict[str, Any]]:
    """Return upload-file lines confirming everything left to ship of ``order_ids`` at ``at``.

    One line per order item with a quantity left, shipped on ``at``'s day in Japan time, for
    :func:`orderkit.io.write_shipping_confirmation` (which validates them against the book).
    """
    from orderkit.businessdays import to_jst

    lines = []
    for order_id in order_ids:
        state = book.order(order_id).state(at=at, policy=policy)
        for item_id, qty in state.remaining.items():
            if qty > 0:
                lines.append(
                    {
                        "order_id": order_id,
                        "order_item_id": item_id,
                        "quantity": qty,
                        "ship_date": to_jst(at).date(),
                        "carrier_code": carrier_code,
                        "carrier_name": carrier_name,
                        "tracking_number": (tracking_numbers or {}).get(order_id),
                    }
                )
    return lines


# ---- what an action implies, in words --------------------------------------------------------


def default_params(action: Action | str, state: OrderState) -> dict[str, Any]:
    """Return the parameters ``action`` takes by default on ``state``'s order.

    A refund defaults to everything still refundable, a cancellation to "out of stock", a
    shipment to the whole order with no tracking number; the others take none.

    >>> from orderkit import sample
    >>> book = sample.book()
    >>> state = book.order(book.orders.order_id[0]).state(at=sample.DEFAULT_NOW)
    >>> default_params("refund", state) == {"amount": state.refundable}
    True
    """
    return {
        Action.REFUND: lambda: {"amount": state.refundable},
        Action.CANCEL: lambda: {"reason": CancelReason.OUT_OF_STOCK},
        Action.CONFIRM_SHIPMENT: lambda: {"tracking_number": None, "shipped_at": None},
    }.get(Action(action), dict)()


def package_value(state: OrderState) -> int:
    """Return the yen value of what is left to ship of the order (one parcel, the rest of it).

    Each item line counts its amount pro rata to the quantity left; the Valid Tracking Rate
    counts a parcel of :attr:`Policy.valid_tracking_min_yen` or more.
    """
    value = 0
    for item in state.facts.items:
        left = state.remaining.get(item.order_item_id, 0)
        if item.quantity and left:
            value += item.amount * left // item.quantity
    return value


def tracking_warning(
    state: OrderState, tracking_number: str | None, policy: Policy = DEFAULT_POLICY
) -> bool:
    """Return whether confirming the rest of the order without a tracking number hurts the VTR.

    True for a parcel of ``policy.valid_tracking_min_yen`` or more and no ``tracking_number``.
    """
    if tracking_number and tracking_number.strip():
        return False
    return package_value(state) >= policy.valid_tracking_min_yen


_ONE_ITEM = N_("Confirm shipment of {n} item of {order}")
_ITEMS = N_("Confirm shipment of {n} items of {order}")

_SUMMARIES: Mapping[Action, str] = {
    Action.CANCEL: N_(
        "Cancel order {order} with the reason “{reason}”: a canceled order cannot be shipped or"
        " reopened; the buyer is not charged."
    ),
    Action.REFUND: N_(
        "Refund {amount} of order {order} to the buyer ({left} of {charged} is refundable);"
        " a refund cannot be taken back."
    ),
}


def describe(
    action: Action | str,
    state: OrderState,
    lang: str,
    *,
    policy: Policy = DEFAULT_POLICY,
    **params: Any,
) -> str:
    """Return, in ``lang``, what recording ``action`` on ``state``'s order with ``params`` does.

    The text a person confirms before an irreversible action: how many items, which order, what
    the buyer is charged or refunded; a shipment without a tracking number on a parcel that
    counts toward the Valid Tracking Rate says so.

    >>> from orderkit import sample
    >>> book = sample.book()
    >>> state = book.order(book.orders.order_id[0]).state(at=sample.DEFAULT_NOW)
    >>> describe("cancel", state, "en", reason="out_of_stock").startswith("Cancel order")
    True
    """
    action = Action(action)
    params = {**default_params(action, state), **params}
    if action is Action.CONFIRM_SHIPMENT:
        return _describe_shipment(state, lang, params, policy)
    if action is Action.CANCEL:
        reason = CancelReason(params["reason"]).label(lang)
        return _(_SUMMARIES[action], lang, order=state.order_id, reason=reason)
    if action is Action.REFUND:
        return _(
            _SUMMARIES[action], lang, order=state.order_id, amount=yen(int(params["amount"]), lang),
            left=yen(state.refundable, lang), charged=yen(state.charged_amount, lang),
        )  # fmt: skip
    return _(
        "Record “{what}” on order {order}.", lang, what=action.label(lang), order=state.order_id
    )


def _describe_shipment(
    state: OrderState, lang: str, params: Mapping[str, Any], policy: Policy
) -> str:
    n = sum(state.remaining.values())
    # one message per form (the catalogs hold no plural entries): Japanese and Chinese need one
    what = _(_ONE_ITEM if n == 1 else _ITEMS, lang, n=n, order=state.order_id)
    if state.charged:
        money = _("the buyer was already charged {total} for the whole order.", lang,
                  total=yen(state.charged_amount, lang))  # fmt: skip
    else:
        money = _("the buyer is charged {total} for the whole order.", lang,
                  total=yen(state.total, lang))  # fmt: skip
    text = _("{what}: {money}", lang, what=what, money=money)
    tracking = params.get("tracking_number")
    if tracking and str(tracking).strip():
        text += " " + _("Tracking no. {number}.", lang, number=str(tracking).strip())
    elif tracking_warning(state, tracking, policy):
        text += " " + vtr_warning(state, lang, policy=policy)
    return text


def vtr_warning(state: OrderState, lang: str, *, policy: Policy = DEFAULT_POLICY) -> str:
    """Return the warning for a parcel confirmed without a tracking number, in ``lang``."""
    return _(
        "No tracking number: this parcel of {value} counts toward the Valid Tracking Rate"
        " (parcels of {minimum} or more; target 95% with a tracking number).",
        lang, value=yen(package_value(state), lang), minimum=yen(policy.valid_tracking_min_yen, lang),
    )  # fmt: skip
