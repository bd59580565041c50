"""Tables a person reads: one order's state and timeline, labelled in the chosen language.

Times are shown in Japan time; amounts in yen. Widgets and notebooks use these so that every view
of an order says the same thing in the same words; every label comes from the catalogs
(:mod:`orderkit.i18n`), and codes (payment methods, fulfilment channels, actors, contact channels)
are shown by their label (:func:`payment_label`, :func:`fulfilment_label`, ``Actor.label``,
``Channel.label``), never as the code.

>>> payment_label("cvs", "ja"), fulfilment_label("AFN", "zh-Hans")
('コンビニ払い', '亚马逊配送')
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

import pandas as pd

from orderkit.deadlines import confirm_warning_text, format_jst
from orderkit.events import Actor, CancelReason, Channel, EventKind, ReturnReason
from orderkit.i18n import N_, _, yen
from orderkit.state import OrderState
from orderkit.status import OrderStatus

__all__ = ["channels_label", "fulfilment_label", "payment_label", "summary", "timeline_table"]

_FIELDS: tuple[tuple[str, str], ...] = (
    ("status", N_("Status")),
    ("channel", N_("Fulfilment")),
    ("payment", N_("Payment")),
    ("total", N_("Order total")),
    ("charged", N_("Charged")),
    ("refunded", N_("Refunded so far")),
    ("ship_by", N_("Ship by")),
    ("confirm_by", N_("Confirm by (else auto-cancel)")),
    ("warning", N_("Warning shown")),
    ("late", N_("Shipment is late")),
    ("payment_due", N_("Convenience-store payment due")),
    ("edit_window", N_("Buyer may edit until")),
    ("reply_deadline", N_("Reply deadline")),
    ("channels", N_("Contact channels open")),
    ("packing_slip", N_("Packing slip")),
)

_PAYMENTS: dict[str, str] = {
    "card": N_("Credit card"),
    "cvs": N_("Convenience store"),
    "cod": N_("Cash on delivery"),
    "points": N_("Amazon points"),
    "other": N_("Other"),
}
_FULFILMENT: dict[str, str] = {
    "MFN": N_("Seller-fulfilled"),
    "AFN": N_("Fulfilled by Amazon"),
}


def payment_label(method: str, lang: str = "en") -> str:
    """Return a payment method code (``card``, ``cvs``, ``cod``, ``points``, ``other``) in ``lang``.

    An unknown code is shown as it is (a report may carry a method orderkit does not know).
    """
    return _(_PAYMENTS[method], lang) if method in _PAYMENTS else method


def fulfilment_label(channel: str, lang: str = "en") -> str:
    """Return a fulfilment channel code (``MFN``, ``AFN``) in ``lang``; an unknown one as it is."""
    return _(_FULFILMENT[channel], lang) if channel in _FULFILMENT else channel


def channels_label(channels: Iterable[Channel | str], lang: str = "en") -> str:
    """Return contact channels in ``lang``, in a fixed order, joined as the language lists them."""
    order = list(Channel)
    names = [Channel(c).label(lang) for c in sorted(map(Channel, channels), key=order.index)]
    # Japanese and Chinese list with the enumeration comma (、), English with ", ".
    return ("、" if lang in ("ja", "zh-Hans") else ", ").join(names) or "—"


def summary(state: OrderState, lang: str = "en") -> pd.Series:
    """Return the order's state as a labelled Series (labels and values in ``lang``).

    Notebook 02 (order lifecycle) shows it at each step of an order's life. A canceled order
    has nothing left to ship or confirm: its ship-by and confirm-by dates are shown as "—".
    """
    yes, no = _("yes", lang), _("no", lang)

    def when(ts: object) -> str:
        return "—" if ts is None else format_jst(ts, lang)  # type: ignore[arg-type]

    facts = state.facts
    canceled = state.status is OrderStatus.CANCELED
    po = facts.purchase_order_number
    if facts.is_business_order and po:
        slip = _("required (Buyer PO# {po})", lang, po=po)
    else:
        slip = _("required", lang) if facts.is_business_order else _("optional", lang)
    values = {
        "status": state.status.label(lang),
        "channel": fulfilment_label(facts.fulfillment_channel, lang),
        "payment": payment_label(facts.payment_method, lang),
        "total": yen(state.total, lang),
        "charged": yen(state.charged_amount, lang) if state.charged else no,
        "refunded": yen(state.refunded, lang),
        "ship_by": "—" if canceled else when(state.ship_by),
        "confirm_by": "—" if canceled else when(state.confirm_by),
        "warning": confirm_warning_text(state, lang) or "—",
        "late": yes if state.late else no,
        "payment_due": when(state.payment_due),
        "edit_window": when(state.edit_window_ends) if state.can_edit else "—",
        "reply_deadline": when(state.reply_deadline),
        "channels": channels_label(state.contact_channels, lang),
        "packing_slip": slip,
    }
    labels = {key: _(label, lang) for key, label in _FIELDS}
    return pd.Series({labels[k]: v for k, v in values.items()}, name=state.order_id)


def timeline_table(state: OrderState, lang: str = "en") -> pd.DataFrame:
    """Return the order's events (those folded into ``state``) as a table in Japan time.

    Events the clock applied (automatic cancellations) are included and marked as Amazon's.
    """
    rows = []
    for e in state.events:
        detail = [
            str(v)
            for v in (e.order_item_id, e.quantity, e.carrier, e.tracking_number)
            if v is not None
        ]
        if e.channel is not None:
            detail.append(_code_label(Channel, e.channel, lang))
        if e.reason is not None:
            detail.append(_reason(e.reason, lang))
        if e.amount is not None:
            detail.append(yen(e.amount, lang))
        if e.due is not None:
            detail.append(format_jst(e.due, lang))
        if e.shipped_at is not None:
            detail.append(_("shipped {when}", lang, when=format_jst(e.shipped_at, lang)))
        rows.append(
            {
                _("When (JST)", lang): format_jst(e.at, lang),
                _("Event", lang): EventKind(e.kind).label(lang),
                _("By", lang): Actor(e.actor).label(lang),
                _("Details", lang): " · ".join(detail),
            }
        )
    return pd.DataFrame(rows)


def _reason(reason: str, lang: str) -> str:
    """A cancel or return reason code in ``lang`` (as it is when orderkit does not know it)."""
    for codes in (CancelReason, ReturnReason):
        if reason in _values(codes):
            return codes(reason).label(lang)
    return reason


def _values(codes: type[StrEnum]) -> set[str]:
    # `"x" in SomeEnum` raises TypeError before Python 3.12: compare with the values instead.
    return {c.value for c in codes}


def _code_label(codes: type[Channel], code: str, lang: str) -> str:
    """A code's label in ``lang``, or the code itself when orderkit does not know it."""
    return codes(code).label(lang) if code in _values(codes) else code
