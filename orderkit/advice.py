"""Advice for each question of the Manage Orders FAQ, for *this* order at *this* moment.

:func:`advise` takes a :class:`Situation` (one per FAQ question), the order's
:class:`~orderkit.state.OrderState` (``None`` where the order is not known, e.g. a buyer asking
about an order you cannot find) and ``now``, and returns :class:`Advice`: the steps to take, each
with the FAQ rule behind it; what the seller cannot do and whom to refer the buyer to; and a letter
to send the buyer, filled in with the order's details.

Two languages are chosen apart: ``lang``, the interface language the support person reads the
steps in (``en``, ``ja``, ``zh-Hans``), and ``letter_lang``, the language of the letter to the buyer
(``ja`` or ``en``). Letters default to Japanese whatever the interface: buyers on Amazon.co.jp read
Japanese (Amazon.co.jp's own messages to them are Japanese), and a seller running the shop from
China or in English still writes to them in Japanese unless a buyer wrote in English.

Every text comes from the message catalogs (:mod:`orderkit.i18n`): the steps from the
``orderkit`` domain, the letters from the ``letters`` domain. Each situation is answered by one
small function registered in :data:`HANDLERS`; every handler reads the state and the policy, never
the wall clock.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import babel.dates

from orderkit.businessdays import to_jst
from orderkit.deadlines import confirm_warning_text, format_jst, propose_reply_deadline, time_left
from orderkit.display import channels_label
from orderkit.events import CancelReason, Channel, EventKind, ReturnReason
from orderkit.i18n import L_, LETTER_LANGUAGES, N_, _, check_lang, letter_ngettext, yen
from orderkit.lookup import FindOutcome, FindResult
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.refunds import refund_for_unavailable, refund_for_undeliverable, split_saving
from orderkit.rules import Rule, rule
from orderkit.state import ItemFacts, OrderState
from orderkit.status import OrderStatus

__all__ = ["DETAILS", "HANDLERS", "Advice", "Situation", "Step", "advise", "applies"]


class Situation(StrEnum):
    """One question of the Manage Orders FAQ (and its "Additional information")."""

    FIRST_ORDER = "first_order"
    PENDING_SALE = "pending_sale"
    UNKNOWN_ORDER = "unknown_order"
    NOT_RECEIVED = "not_received"
    PRICE_BREAKDOWN = "price_breakdown"
    RETURNED_UNDELIVERABLE = "returned_undeliverable"
    CVS_PAYMENT_DETAILS = "cvs_payment_details"
    POINTS_DETAILS = "points_details"
    CHANGE_ORDER = "change_order"
    COMBINE_SHIPMENTS = "combine_shipments"
    RECEIPT = "receipt"
    ITEMS_UNAVAILABLE = "items_unavailable"
    CONTACT_BUYER = "contact_buyer"
    NO_REPLY = "no_reply"
    CONFIRM_DEADLINE = "confirm_deadline"
    SHIPMENT_LATE = "shipment_late"
    BUSINESS_ORDER = "business_order"

    def question(self, lang: str = "en") -> str:
        """Return the FAQ's question for this situation, in ``lang``."""
        return _(_QUESTIONS[self], lang)


_QUESTIONS: Mapping[Situation, str] = {
    Situation.FIRST_ORDER: N_("I have just received my first order. What do I do?"),
    Situation.PENDING_SALE: N_("What does it mean when a sale is pending?"),
    Situation.UNKNOWN_ORDER: N_(
        "A buyer has contacted me about an order, but I don't find any information regarding"
        " this transaction."
    ),
    Situation.NOT_RECEIVED: N_("A buyer contacted me saying they did not receive their order."),
    Situation.PRICE_BREAKDOWN: N_("A buyer wants to know the price breakdown for the order."),
    Situation.RETURNED_UNDELIVERABLE: N_(
        "An order is returned due to undeliverable, rejected, or invalid address."
    ),
    Situation.CVS_PAYMENT_DETAILS: N_(
        "A buyer who pays at a convenience store wants the payment details resent."
    ),
    Situation.POINTS_DETAILS: N_(
        "A buyer who paid with Amazon points asks about the points they used."
    ),
    Situation.CHANGE_ORDER: N_(
        "How can I change the price, quantity or shipping address after the order is confirmed?"
    ),
    Situation.COMBINE_SHIPMENTS: N_(
        "Can I combine the shipment of several orders from the same buyer?"
    ),
    Situation.RECEIPT: N_("A buyer wants a receipt for the purchase."),
    Situation.ITEMS_UNAVAILABLE: N_("Some items of a multi-item order turn out to be unavailable."),
    Situation.CONTACT_BUYER: N_("How can I contact the buyer?"),
    Situation.NO_REPLY: N_("I have been contacting the buyer but there is no reply."),
    Situation.CONFIRM_DEADLINE: N_("By when must I confirm shipment?"),
    Situation.SHIPMENT_LATE: N_('Why does the order show "Shipment is late"?'),
    Situation.BUSINESS_ORDER: N_("The order is from a business customer."),
}

#: The details each situation accepts as keywords of :func:`advise` (anything else is refused).
DETAILS: Mapping[Situation, frozenset[str]] = {
    **{sit: frozenset() for sit in Situation},
    Situation.UNKNOWN_ORDER: frozenset({"lookup"}),
    Situation.RETURNED_UNDELIVERABLE: frozenset({"actual_shipping_cost"}),
    Situation.COMBINE_SHIPMENTS: frozenset({"others", "saving"}),
    Situation.ITEMS_UNAVAILABLE: frozenset({"unsent"}),
    Situation.NO_REPLY: frozenset({"due"}),
}


@dataclass(frozen=True, slots=True)
class Step:
    """One thing to do (or know), with the FAQ rule behind it."""

    text: str
    rule: Rule


@dataclass(frozen=True, slots=True)
class Advice:
    """What to do about one buyer's inquiry, for one order, now.

    Attributes:
        situation: the FAQ question answered.
        lang: the interface language of everything but the letter (``en``, ``ja``, ``zh-Hans``).
        summary: the answer in one sentence for this order at this moment.
        steps: what to do, each with its rule.
        cannot: what the seller cannot do here.
        refer_to: whom to refer the buyer to, if anyone (Amazon Customer Service, ...).
        template: a letter to send the buyer, filled in with the order's details ("" when there is
            nothing to write to the buyer about).
        facts: the figures behind the advice (deadlines, amounts), keyed by name.
        letter_lang: the language of ``template`` (``ja`` or ``en``).
    """

    situation: Situation
    lang: str
    summary: str
    steps: tuple[Step, ...]
    cannot: tuple[str, ...] = ()
    refer_to: str | None = None
    template: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)
    letter_lang: str = "ja"

    @property
    def title(self) -> str:
        """The FAQ question this advice answers."""
        return self.situation.question(self.lang)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules behind the steps, in order, without repeats."""
        return tuple(dict.fromkeys(s.rule for s in self.steps))

    def to_markdown(self) -> str:
        """Return the advice as Markdown: summary, steps with the FAQ's sentence, limits, letter."""
        t = self._labels()
        out = [f"### {self.title}", "", f"**{self.summary}**", ""]
        for i, s in enumerate(self.steps, 1):
            quote = s.rule.quote(self.lang).replace("\n", "  \n   ")
            out.append(f"{i}. {s.text}  \n   <small>{t['faq']}{t[':']}{t[' ']}{quote}</small>")
        if self.cannot:
            out += ["", f"**{t['cannot']}{t[':']}**"]
            out += [f"- {c}" for c in self.cannot]
        if self.refer_to:
            out += ["", f"**{t['refer']}{t[':']}**{t[' ']}{self.refer_to}"]
        if self.template:
            out += ["", f"**{t['letter']}{t[':']}**", "", "```text", self.template, "```"]
        return "\n".join(out)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def to_html(self) -> str:
        """Return the advice as HTML (for widgets): summary, steps with the FAQ's sentence, limits.

        The FAQ's sentence is quoted in English, as Amazon wrote it; in Japanese or Chinese our
        translation follows it, labelled as ours.
        """
        t, e = self._labels(), html.escape
        steps = "".join(
            f"<li class='ok-step'>{e(s.text)}<br><small class='ok-rule' title='{e(s.rule.id)}'>"
            f"{e(t['faq'])}{t[':']}{t[' ']}{e(s.rule.quote(self.lang)).replace(chr(10), '<br>')}</small></li>"
            for s in self.steps
        )
        out = [
            f"<h4 class='ok-advice-title'>{e(self.title)}</h4>",
            f"<p class='ok-advice-summary'><b>{e(self.summary)}</b></p>",
            f"<ol>{steps}</ol>",
        ]
        if self.cannot:
            items = "".join(f"<li>{e(c)}</li>" for c in self.cannot)
            out.append(
                f"<p><b>{e(t['cannot'])}{t[':']}</b></p><ul class='ok-advice-cannot'>{items}</ul>"
            )
        if self.refer_to:
            out.append(
                f"<p class='ok-advice-refer'><b>{e(t['refer'])}{t[':']}</b>{t[' ']}{e(self.refer_to)}</p>"
            )
        return "".join(out)

    def _labels(self) -> dict[str, str]:
        return {
            "faq": _("Amazon's FAQ", self.lang),
            "cannot": _("You cannot", self.lang),
            "refer": _("Refer the buyer to", self.lang),
            "letter": _("Message to the buyer", self.lang),
            # a heading's colon: full-width in Japanese and Chinese, ": " in English
            ":": "：" if self.lang in ("ja", "zh-Hans") else ":",
            " ": "" if self.lang in ("ja", "zh-Hans") else " ",
        }

    def __str__(self) -> str:
        lines = [self.title, self.summary]
        lines += [f"{i}. {s.text} [{s.rule.id}]" for i, s in enumerate(self.steps, 1)]
        lines += [f"✗ {c}" for c in self.cannot]
        if self.refer_to:
            lines.append(f"→ {self.refer_to}")
        return "\n".join(lines)


# ---- helpers shared by the handlers ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ctx:
    state: OrderState | None
    now: dt.datetime
    lang: str
    letter_lang: str
    policy: Policy
    seller: str
    details: Mapping[str, Any]

    def _(self, message: str, **values: object) -> str:
        """The interface text ``message`` in the interface language."""
        return _(message, self.lang, **values)

    def when(self, ts: dt.datetime | None, *, with_time: bool = True) -> str:
        return "—" if ts is None else format_jst(ts, self.lang, with_time=with_time)

    def yen(self, amount: int) -> str:
        return yen(amount, self.lang)

    def left(self, until: dt.datetime) -> str:
        return time_left(until, self.now, self.lang)

    def status(self) -> str:
        return self.s.status.label(self.lang)

    def step(self, rule_id: str, text: str) -> Step:
        return Step(text, rule(rule_id))

    @property
    def s(self) -> OrderState:
        if self.state is None:
            raise ValueError("this situation needs the order's state")
        return self.state

    # -- the letter, in the letter language --
    def L_(self, message: str, **values: object) -> str:
        """A sentence of the letter in the letter language."""
        return L_(message, self.letter_lang, **values)

    def lwhen(self, ts: dt.datetime, *, with_time: bool = True) -> str:
        return _letter_date(ts, self.letter_lang, with_time=with_time)

    def lyen(self, amount: int) -> str:
        return yen(amount, self.letter_lang)

    def letter(self, *paragraphs: str, reply: bool = True, orders: Sequence[str] = ()) -> str:
        """Wrap paragraphs in a salutation, an opening, the order number(s) and a closing.

        ``reply`` opens with thanks for the buyer's inquiry, otherwise with thanks for shopping;
        ``orders`` are the order numbers the letter is about (default: this order's).
        """
        name = self.state.facts.buyer_name if self.state else None
        # A name is followed by 様 (Japanese) or follows "Dear"; without one, a general salutation.
        salutation = self.L_("Dear {name},", name=name) if name else self.L_("Dear customer,")
        opening = (
            self.L_("Thank you for contacting {seller}.", seller=self.seller)
            if reply
            else self.L_("Thank you for shopping with {seller}.", seller=self.seller)
        )
        ids = list(orders) or ([self.state.order_id] if self.state else [])
        ref = ""
        if ids:
            sep = "、" if self.letter_lang == "ja" else ", "
            ref = "\n" + letter_ngettext(
                "Order number: {ids}", "Order numbers: {ids}", len(ids), self.letter_lang,
                ids=sep.join(ids),
            )  # fmt: skip
        body = "\n\n".join(p for p in paragraphs if p)
        closing = self.L_("Kind regards,")
        return f"{salutation}\n\n{opening}{ref}\n\n{body}\n\n{closing}\n{self.seller}"


CS = N_("Amazon Customer Service")
HELP = N_("Amazon's Help & Customer Service page")
YOUR_ACCOUNT = N_("Your Account on Amazon.co.jp")


def _advice(ctx: _Ctx, sit: Situation, summary: str, steps: Sequence[Step], **kw: Any) -> Advice:
    return Advice(sit, ctx.lang, summary, tuple(steps), letter_lang=ctx.letter_lang, **kw)


def _item_name(item: ItemFacts) -> str:
    return item.product_name or item.sku or item.order_item_id


def _letter_date(ts: dt.datetime, letter_lang: str, *, with_time: bool = True) -> str:
    """Return a moment in Japan time as a letter writes it.

    ``2026年11月5日(木) 18:00`` in Japanese, ``Thursday 5 November 2026, 18:00 (Japan time)`` in
    English (a buyer reading English may not know the abbreviation JST).
    """
    if letter_lang == "ja":
        return format_jst(ts, "ja", with_time=with_time)
    j = to_jst(ts)
    day = babel.dates.format_date(j.date(), "EEEE d MMMM y", locale="en")
    return f"{day}, {j:%H:%M} (Japan time)" if with_time else day


def _join(parts: Sequence[str], lang: str) -> str:
    """Join a list as the language does: with 、 in Japanese and Chinese, ", " in English."""
    return ("、" if lang in ("ja", "zh-Hans") else ", ").join(parts)


def _quoted(names: Sequence[str], letter_lang: str) -> str:
    """Product names as a writer of ``letter_lang`` lists them: 「急須」と「湯呑み」 / “A” and “B”."""
    if letter_lang == "ja":
        quoted = [f"「{n}」" for n in names]
        return "と".join(quoted) if len(quoted) == 2 else "、".join(quoted)
    quoted = [f"“{n}”" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


# ---- one handler per FAQ question -------------------------------------------------------------


def _first_order(c: _Ctx) -> Advice:
    s = c.s
    steps = [
        c.step(
            "check-manage-orders",
            c._("Check Manage Orders regularly: every new order appears there."),
        )
    ]
    template = ""
    if s.status.is_pending:
        summary = c._("This order is Pending: wait for payment, do not dispatch.")
        steps.append(
            c.step(
                "pending-no-dispatch",
                c._("Do not dispatch while it is Pending, even if the buyer asks."),
            )
        )
        template = c.letter(
            c.L_(
                "We have received your order. We will ship it as soon as Amazon has confirmed"
                " your payment, and let you know when it is on its way."
            ),
            reply=False,
        )
    elif s.status is OrderStatus.UNSHIPPED:
        summary = c._("Ship it by {ship_by} and confirm the shipment.", ship_by=c.when(s.ship_by))
        steps += [
            c.step(
                "dispatch-unshipped",
                c._("Pack and dispatch it promptly: ship by {ship_by}.", ship_by=c.when(s.ship_by)),
            ),
            c.step(
                "confirm-within-7-days",
                c._(
                    "Confirm the shipment in Manage Orders; Amazon cancels the order automatically"
                    " after {confirm_by}.",
                    confirm_by=c.when(s.confirm_by),
                ),
            ),
            c.step(
                "charge-whole-order",
                c._("Confirming even one item charges the buyer for the entire order."),
            ),
        ]
        template = c.letter(
            c.L_(
                "We have received your order and will ship it by {date}. We will let you know"
                " when it is on its way.",
                date=c.lwhen(s.ship_by, with_time=False),
            )
            if s.ship_by
            else c.L_(
                "We have received your order and will ship it promptly. We will let you know"
                " when it is on its way."
            ),
            reply=False,
        )
    else:
        summary = c._("This order is {status}: nothing to dispatch now.", status=c.status())
    if s.facts.is_business_order:
        steps.append(_slip_step(c))
    return _advice(
        c,
        Situation.FIRST_ORDER,
        summary,
        steps,
        template=template,
        facts={"ship_by": s.ship_by, "confirm_by": s.confirm_by},
    )


def _pending_sale(c: _Ctx) -> Advice:
    s = c.s
    cvs = s.facts.payment_method == "cvs"
    if s.status.is_pending:
        due = s.payment_due
        reason = (
            c._(
                "The buyer chose to pay at a convenience store and has not paid yet; the payment"
                " expires {due} ({left} left).",
                due=c.when(due),
                left=c.left(due),
            )
            if cvs and due
            else c._("The buyer's payment method is not verified yet.")
        )
        steps = [
            c.step("pending-reason", reason),
            c.step(
                "pending-no-dispatch", c._("Do not dispatch it, even if the buyer asks you to.")
            ),
            c.step("dispatch-unshipped", c._("Once it turns Unshipped, dispatch it promptly.")),
        ]
        if cvs:
            steps.append(
                c.step(
                    "cvs-payment-expiry",
                    c._(
                        "If the payment is not made in time the order is canceled and the buyer"
                        " is never charged."
                    ),
                )
            )
        letter = (
            c.L_(
                "Your order is waiting for your payment at the convenience store. Please pay by"
                " {due}: we will ship the order as soon as Amazon confirms the payment. If it is"
                " not paid by then, the order is canceled automatically and you are not charged.",
                due=c.lwhen(due),
            )
            if cvs and due
            else c.L_(
                "Your order is waiting for Amazon to confirm your payment. We will ship it as"
                " soon as the payment is confirmed."
            )
        )
        return _advice(
            c,
            Situation.PENDING_SALE,
            c._("Pending: payment is not settled. Do not dispatch."),
            steps,
            cannot=(c._("Dispatch a Pending order."),),
            template=c.letter(letter),
            facts={"payment_due": due},
        )
    if s.status is OrderStatus.CANCELED and s.cancel_reason == CancelReason.PAYMENT_EXPIRED:
        steps = [
            c.step(
                "cvs-payment-expiry",
                c._(
                    "The convenience-store payment expired: the order is canceled and was never"
                    " charged."
                ),
            )
        ]
        return _advice(
            c,
            Situation.PENDING_SALE,
            c._("Canceled: the payment expired."),
            steps,
            template=c.letter(
                c.L_(
                    "The payment period for your order ended before the payment was made, so the"
                    " order was canceled automatically. You have not been charged. You are"
                    " welcome to order again."
                )
            ),
        )
    steps = [
        c.step(
            "dispatch-unshipped",
            c._("It is no longer pending: it is {status}.", status=c.status()),
        )
    ]
    return _advice(
        c, Situation.PENDING_SALE, c._("Not pending: {status}.", status=c.status()), steps
    )


def _unknown_order(c: _Ctx) -> Advice:
    found: FindResult | None = c.details.get("lookup")
    if c.state is not None and found is None:
        steps = [
            c.step(
                "find-order",
                c._(
                    "The order is yours: {order_id}, {status}.",
                    order_id=c.state.order_id,
                    status=c.state.status.label(c.lang),
                ),
            )
        ]
        return _advice(c, Situation.UNKNOWN_ORDER, c._("Found in your orders."), steps)
    if found is None:
        raise ValueError("unknown_order needs lookup=<FindResult from book.find(...)>")
    message = found.message(c.lang)
    steps = [
        c.step(
            "find-order",
            c._("Search Manage Orders by the buyer's email address or the order number."),
        )
    ]
    refer = None
    if found.outcome is FindOutcome.INVALID_NUMBER:
        steps.append(c.step("find-order", message))
        body = c.L_(
            "The order number you gave us does not look like an Amazon order number (3-7-7"
            " digits, e.g. 503-1234567-1234567). Could you check it in Your Orders and send it"
            " to us again?"
        )
    elif found.refer_to_customer_service:
        refer = c._(CS)
        steps.append(c.step("other-seller-order", message))
        body = c.L_(
            "We could not find this order among our orders; it may have been placed with another"
            " seller on Amazon. Amazon Customer Service can help you find it, so please contact"
            " them."
        )
    elif found.outcome is FindOutcome.PENDING:
        steps.append(c.step("pending-reason", message))
        body = c.L_(
            "We have found your order. It is waiting for Amazon to confirm your payment; we will"
            " ship it as soon as the payment is confirmed."
        )
    else:
        steps.append(c.step("find-order", message))
        body = c.L_("We have found your order and are looking into your question.")
    return _advice(
        c,
        Situation.UNKNOWN_ORDER,
        message,
        steps,
        refer_to=refer,
        template=c.letter(body, orders=()),
        facts={"outcome": str(found.outcome)},
    )


def _not_received(c: _Ctx) -> Advice:
    s = c.s
    if not s.charged:
        steps = [
            c.step(
                "dispatch-unshipped",
                c._(
                    "Nothing has been confirmed as shipped yet ({status}); ship by {ship_by}.",
                    status=c.status(),
                    ship_by=c.when(s.ship_by),
                ),
            )
        ]
        template = ""
        if not s.status.is_canceled:
            template = c.letter(
                c.L_(
                    "Your order has not been shipped yet. We will let you know as soon as it is"
                    " on its way."
                )
            )
        return _advice(c, Situation.NOT_RECEIVED, c._("Not shipped yet."), steps, template=template)
    tracking = [e.tracking_number for e in s.events if e.tracking_number]
    claim_from = s.atoz_claim_from
    if claim_from is None:
        claim_note = c._("the buyer may file an A-to-z Guarantee claim.")
    elif c.now >= claim_from:
        claim_note = c._(
            "an A-to-z Guarantee claim is already possible (since {date}).",
            date=c.when(claim_from, with_time=False),
        )
    else:
        claim_note = c._(
            "the buyer can file an A-to-z Guarantee claim from {date}.",
            date=c.when(claim_from, with_time=False),
        )
    carrier = (
        c._(
            "Contact the carrier with tracking number {tracking}: they can locate the package or"
            " help with an insurance claim.",
            tracking=tracking[-1],
        )
        if tracking
        else c._(
            "Contact the carrier: without a tracking number they may still be able to help"
            " locate the package."
        )
    )
    steps = [
        c.step("not-received-carrier", carrier),
        c.step(
            "not-received-wait",
            c._("Or ask the buyer to wait a bit longer: {note}", note=claim_note),
        ),
        c.step(
            "feedback-anyway",
            c._("Whichever you choose, the buyer may still leave feedback."),
        ),
    ]
    template = c.letter(
        c.L_(
            "We are sorry that your order has not arrived yet. We are checking with the carrier"
            " (tracking number: {tracking}) and will get back to you as soon as we know more."
            " Thank you for your patience.",
            tracking=tracking[-1],
        )
        if tracking
        else c.L_(
            "We are sorry that your order has not arrived yet. We are checking with the carrier"
            " and will get back to you as soon as we know more. Thank you for your patience."
        )
    )
    return _advice(
        c,
        Situation.NOT_RECEIVED,
        c._("Ask the carrier, or ask the buyer to wait."),
        steps,
        template=template,
        facts={
            "atoz_claim_from": claim_from,
            "tracking_number": tracking[-1] if tracking else None,
        },
    )


def _price_breakdown(c: _Ctx) -> Advice:
    s = c.s
    lines = []
    for i in s.facts.items:
        line = c.L_(
            "- {name} × {qty}: {amount}",
            name=_item_name(i),
            qty=i.quantity,
            amount=c.lyen(i.item_amount),
        )
        fees = i.amount - i.item_amount
        if fees:  # a line with no shipping or fees says nothing about them
            line += c.L_(" (shipping and fees: {fees})", fees=c.lyen(fees))
        lines.append(line)
    steps = [
        c.step(
            "price-breakdown",
            c._("The breakdown is on the Order Details page and in the Order report."),
        )
    ]
    multi = len(s.facts.items) > 1
    if multi:
        steps.append(
            c.step(
                "price-breakdown",
                c._(
                    "This order has several items: the other items' details are not on the same"
                    " page. Tell the buyer to contact Amazon Customer Service for more."
                ),
            )
        )
    body = [
        c.L_("Here is the breakdown of your order:")
        + "\n"
        + "\n".join(lines)
        + "\n"
        + c.L_("Total: {total}", total=c.lyen(s.total))
    ]
    if multi:
        body.append(c.L_("For more details, please contact Amazon Customer Service."))
    return _advice(
        c,
        Situation.PRICE_BREAKDOWN,
        c._("Total {total} for {n} item lines.", total=c.yen(s.total), n=len(s.facts.items)),
        steps,
        refer_to=c._(CS) if multi else None,
        template=c.letter(*body),
        facts={"total": s.total},
    )


def _recorded_shipping_cost(s: OrderState) -> int | None:
    """The actual shipping cost recorded with the return (the latest return event's amount)."""
    costs = [e.amount for e in s.events if e.kind is EventKind.RETURNED_TO_SENDER]
    return costs[-1] if costs else None


# The letter's first sentence, by why the parcel came back (in the letter language).
_RETURN_WHY_LETTER: Mapping[str, Callable[[str], str]] = {
    ReturnReason.UNDELIVERABLE: lambda lang: L_(
        "Your parcel came back to us because it could not be delivered.", lang
    ),
    ReturnReason.REJECTED: lambda lang: L_(
        "Your parcel came back to us because it was refused at delivery.", lang
    ),
    ReturnReason.INVALID_ADDRESS: lambda lang: L_(
        "Your parcel came back to us because the delivery address was incomplete or incorrect.",
        lang,
    ),
}


def _returned(c: _Ctx) -> Advice:
    s = c.s
    given = c.details.get("actual_shipping_cost")
    cost = int(given) if given is not None else _recorded_shipping_cost(s)
    paid = s.charged_amount - s.refunded
    why = s.returned_reason or ReturnReason.UNDELIVERABLE
    came_back = _RETURN_WHY_LETTER.get(why, _RETURN_WHY_LETTER[ReturnReason.UNDELIVERABLE])(
        c.letter_lang
    )
    refund: int | None = None
    if paid <= 0:
        summary = c._("Nothing is left to refund: the buyer has no charge outstanding.")
        template = ""
    elif cost is None:
        summary = c._(
            "Refund {paid} less the actual shipping cost you paid (ask the carrier for it).",
            paid=c.yen(paid),
        )
        template = c.letter(
            came_back,
            c.L_(
                "We will refund the {paid} you paid, less the shipping cost we paid the carrier"
                " for the parcel. We will let you know the amount once the carrier has confirmed"
                " the cost.",
                paid=c.lyen(paid),
            ),
            reply=False,
        )
    else:
        refund = refund_for_undeliverable(paid=paid, actual_shipping_cost=cost)
        summary = (
            c._(
                "Refund {refund} ({paid} less {cost} actual shipping).",
                refund=c.yen(refund),
                paid=c.yen(paid),
                cost=c.yen(cost),
            )
            if refund
            else c._(
                "Nothing to refund: the actual shipping cost {cost} is as much as the {paid} paid."
                " Tell the buyer why.",
                paid=c.yen(paid),
                cost=c.yen(cost),
            )
        )
        if refund:
            deduction = c.L_(
                "We will refund {refund}: the {paid} you paid, less {cost}, the actual shipping"
                " cost we paid the carrier for this parcel.",
                refund=c.lyen(refund),
                paid=c.lyen(paid),
                cost=c.lyen(cost),
            )
        else:  # a refund of ¥0 is not announced: the letter says why nothing is refunded
            deduction = c.L_(
                "We refund the amount paid less the actual shipping cost. The shipping cost we"
                " paid the carrier for this parcel ({cost}) equals or exceeds the {paid} you paid,"
                " so unfortunately there is no amount left to refund.",
                paid=c.lyen(paid),
                cost=c.lyen(cost),
            )
        template = c.letter(came_back, deduction, reply=False)
    steps = [c.step("refund-undeliverable", summary)]
    if s.returned_reason in {r.value for r in ReturnReason}:
        why = ReturnReason(s.returned_reason).label(c.lang)
        steps.append(c.step("refund-undeliverable", c._("Why it came back: {why}.", why=why)))
    return _advice(
        c,
        Situation.RETURNED_UNDELIVERABLE,
        summary,
        steps,
        template=template,
        facts={"refund": refund, "paid": paid, "actual_shipping_cost": cost},
    )


def _cvs_details(c: _Ctx) -> Advice:
    steps = [
        c.step(
            "cvs-details-from-amazon",
            c._(
                "Payment details are sent by Amazon, not by you: tell the buyer to contact Amazon"
                " Customer Service."
            ),
        ),
        c.step(
            "cvs-details-from-amazon",
            c._("For the Payment ID, refer the buyer to the Help & Customer Service page."),
        ),
    ]
    due = c.state.payment_due if c.state else None
    body = [
        c.L_(
            "Convenience-store payment details are sent by Amazon, and we are unable to see or"
            " resend them. Please contact Amazon Customer Service, or see Amazon's Help & Customer"
            " Service page for your Payment ID."
        )
    ]
    if due:
        body.append(c.L_("Please note that the payment must be made by {due}.", due=c.lwhen(due)))
    return _advice(
        c,
        Situation.CVS_PAYMENT_DETAILS,
        c._("Refer the buyer to Amazon: sellers cannot resend payment details."),
        steps,
        cannot=(c._("See or resend convenience-store payment details or the Payment ID."),),
        refer_to=c._(CS),
        template=c.letter(*body),
        facts={"payment_due": due},
    )


def _points(c: _Ctx) -> Advice:
    steps = [
        c.step(
            "points-invisible",
            c._(
                "You cannot see how the buyer used Amazon points: direct them to the Help &"
                " Customer Service page."
            ),
        )
    ]
    return _advice(
        c,
        Situation.POINTS_DETAILS,
        c._("Refer the buyer to Amazon: sellers cannot see points usage."),
        steps,
        cannot=(c._("See the buyer's Amazon points usage or payment details."),),
        refer_to=c._(HELP),
        template=c.letter(
            c.L_(
                "We are unable to see how Amazon points were used. Please check the status and"
                " details of your points on Amazon's Help & Customer Service page."
            )
        ),
    )


def _change_order(c: _Ctx) -> Advice:
    s = c.s
    steps = [
        c.step(
            "seller-cannot-edit",
            c._("You cannot change the price, quantity or shipping address yourself."),
        )
    ]
    refer = None
    if not s.facts.seller_fulfilled:
        summary = c._(
            "Fulfilled by Amazon: the 5-minute edit rule does not apply; refer the buyer to Amazon."
        )
        steps.append(c.step("buyer-edit-window", summary))
        body = c.L_(
            "This order is shipped by Amazon, so please contact Amazon Customer Service about"
            " changing it."
        )
        refer = c._(CS)
    elif s.can_edit and (s.status.is_pending or s.status is OrderStatus.UNSHIPPED):
        ends: dt.datetime = s.edit_window_ends  # type: ignore[assignment]
        summary = c._(
            "The buyer can still edit the order in Your Account for {left} (until {until}).",
            left=c.left(ends),
            until=c.when(ends),
        )
        steps.append(c.step("buyer-edit-window", summary))
        body = c.L_(
            "You can change the order yourself in Your Account until {until}.",
            until=c.lwhen(ends),
        )
        refer = c._(YOUR_ACCOUNT)
    elif not (s.status.is_pending or s.status is OrderStatus.UNSHIPPED):
        summary = c._(
            "The order is {status}: it can no longer be changed or canceled. If the buyer wants"
            " something else, they place a new order.",
            status=c.status(),
        )
        rule_id = "no-cancel-after-shipment" if s.charged else "canceled-is-final"
        steps.append(c.step(rule_id, summary))
        body = (
            c.L_(
                "Your order has already been shipped, so it can no longer be changed. If you would"
                " like something different, please place a new order."
            )
            if s.charged
            else c.L_(
                "Your order has been canceled, so it can no longer be changed. If you would like"
                " something different, please place a new order."
            )
        )
    else:
        summary = c._(
            "The edit window closed at {until}: the buyer must cancel and place a new order.",
            until=c.when(s.edit_window_ends),
        )
        steps += [
            c.step("buyer-edit-window", summary),
            c.step(
                "buyer-cancel-window",
                c._(
                    'The buyer asks you to cancel; cancel it with the reason "buyer requested",'
                    " and the buyer places a new order."
                ),
            ),
        ]
        body = c.L_(
            "An order can only be changed within 5 minutes of placing it, so your order can no"
            " longer be changed. If you wish, we will cancel it so that you can place a new order"
            " with the correct details."
        )
    return _advice(
        c,
        Situation.CHANGE_ORDER,
        summary,
        steps,
        cannot=(c._("Change an order's price, quantity or address."),),
        refer_to=refer,
        template=c.letter(body),
        facts={"edit_window_ends": s.edit_window_ends, "can_edit": s.can_edit},
    )


def _refund_caps(group: Sequence[OrderState]) -> list[int]:
    """Return what each order can be refunded.

    That is its charge not yet refunded, or, before the charge (it comes with the first
    confirmation), the total it will be charged.
    """
    return [o.charged_amount - o.refunded if o.charged else o.total for o in group]


def _combine(c: _Ctx) -> Advice:
    s = c.s
    others: Sequence[OrderState] = c.details.get("others", ())
    if not others:
        raise ValueError("combine_shipments needs others=[OrderState, ...]")
    everyone = [s, *others]
    pending = [o for o in everyone if o.status.is_pending]
    group = [o for o in everyone if not o.status.is_pending and not o.status.is_canceled]
    steps: list[Step] = []
    for o in pending:  # never in the package: a Pending order must not be dispatched
        steps.append(
            c.step(
                "pending-no-dispatch",
                c._(
                    "Order {order_id} is Pending (payment not settled): do not dispatch it, so it"
                    " cannot go in the package; nothing is refunded for it.",
                    order_id=o.order_id,
                ),
            )
        )
    addresses = {o.facts.ship_to for o in group}
    if len(group) < 2:
        return _advice(
            c,
            Situation.COMBINE_SHIPMENTS,
            c._("Nothing to combine now: fewer than two of these orders can be shipped."),
            steps or [c.step("combine-same-address", c._("Ship the order on its own."))],
            facts={"can_combine": False, "refunds": {}},
        )
    if len(addresses) != 1 or None in addresses:
        steps.append(
            c.step(
                "combine-same-address",
                c._("These orders do not go to the same address: ship them separately."),
            )
        )
        return _advice(
            c,
            Situation.COMBINE_SHIPMENTS,
            c._("Cannot combine: different shipping addresses."),
            steps,
            cannot=(c._("Combine orders going to different addresses."),),
            facts={"can_combine": False, "refunds": {}},
        )
    saving = int(c.details.get("saving", 0))
    caps = _refund_caps(group)
    refundable = min(saving, sum(caps))
    weights = [sum(i.amount - i.item_amount for i in o.facts.items) for o in group]
    shares = split_saving(refundable, weights)
    if any(sh > cap for sh, cap in zip(shares, caps, strict=True)):
        shares = split_saving(refundable, caps)  # in proportion to the charges: none above its own
    refunds = {o.order_id: sh for o, sh in zip(group, shares, strict=True)}
    ids = [o.order_id for o in group]
    steps += [
        c.step(
            "combine-same-address",
            c._("The orders go to the same address: you may pack them together."),
        ),
        c.step(
            "combine-confirm-each",
            c._("Still treat each order on its own: confirm the shipment of every order."),
        ),
    ]
    if refundable:
        share_text = _join(
            [
                c._("{order_id}: {amount}", order_id=oid, amount=c.yen(v))
                for oid, v in refunds.items()
            ],
            c.lang,
        )
        steps.append(
            c.step(
                "combine-confirm-each",
                c._(
                    "Refund the saving of {saving}: {shares}.",
                    saving=c.yen(refundable),
                    shares=share_text,
                ),
            )
        )
    if saving > refundable:
        steps.append(
            c.step(
                "refund-not-above-charged",
                c._(
                    "The saving you entered ({saving}) is more than these orders are charged"
                    " ({charge}): a refund cannot exceed the charge. Check the amount.",
                    saving=c.yen(saving),
                    charge=c.yen(sum(caps)),
                ),
            )
        )
    shipped = all(o.fully_confirmed for o in group)
    listed = "\n".join(c.L_("- order {order_id}", order_id=oid) for oid in ids)
    body = [
        (
            c.L_("We have shipped the following {n} orders together in one parcel:", n=len(ids))
            if shipped
            else c.L_("We will ship the following {n} orders together in one parcel:", n=len(ids))
        )
        + "\n"
        + listed
    ]
    if refundable:
        lines = "\n".join(
            c.L_("- order {order_id}: {amount}", order_id=oid, amount=c.lyen(v))
            for oid, v in refunds.items()
            if v
        )
        body.append(
            c.L_(
                "Shipping them together costs {saving} less, and we will refund that amount once"
                " the parcel has been shipped:",
                saving=c.lyen(refundable),
            )
            + "\n"
            + lines
        )
    for o in pending:
        body.append(
            c.L_(
                "Order {order_id} is still waiting for Amazon to confirm your payment, so it"
                " cannot go in this parcel; we will ship it separately as soon as the payment is"
                " confirmed.",
                order_id=o.order_id,
            )
        )
    return _advice(
        c,
        Situation.COMBINE_SHIPMENTS,
        c._(
            "Combine {n} orders; confirm each and refund {saving}.",
            n=len(group),
            saving=c.yen(refundable),
        ),
        steps,
        template=c.letter(*body, reply=False, orders=[*ids, *(o.order_id for o in pending)]),
        facts={"can_combine": True, "refunds": refunds},
    )


def _receipt(c: _Ctx) -> Advice:
    steps = [
        c.step(
            "receipt-by-amazon",
            c._(
                "Amazon issues receipts on your behalf, with your name as issuer: the buyer prints"
                " it from Your Account."
            ),
        )
    ]
    return _advice(
        c,
        Situation.RECEIPT,
        c._("Refer the buyer to Your Account: Amazon issues the receipt."),
        steps,
        cannot=(c._("Issue a receipt yourself."),),
        refer_to=c._(YOUR_ACCOUNT),
        template=c.letter(
            c.L_(
                "Receipts are issued by Amazon on our behalf, with our shop's name as the issuer."
                " You can print yours from Your Orders in Your Account: open the order and choose"
                " Receipt. Amazon's Help & Customer Service page explains the details."
            )
        ),
    )


def _unavailable(c: _Ctx) -> Advice:
    s = c.s
    unsent: Mapping[str, int] = c.details.get("unsent", {})
    refund = refund_for_unavailable(s, unsent) if unsent else None
    names = {i.order_item_id: _item_name(i) for i in s.facts.items}
    missing = [names.get(k, k) for k in unsent]
    refund_text = c.yen(refund) if refund else c._("the items not sent")
    steps = [
        c.step(
            "partial-unavailable",
            c._(
                "Option 1: ask the buyer to cancel the entire order and order the available items"
                " again."
            ),
        ),
        c.step(
            "partial-unavailable",
            c._("Option 2: with the buyer's consent, ship only what you can."),
        ),
        c.step(
            "partial-unavailable",
            c._(
                "Then confirm shipment for the entire order and refund {refund}.",
                refund=refund_text,
            ),
        ),
        c.step(
            "charge-whole-order",
            c._("Confirming even one item charges the buyer for the entire order."),
        ),
        c.step(
            "shipment-late",
            c._(
                'Refunding the rest without confirming the whole order leaves it "Shipment is'
                ' late".'
            ),
        ),
    ]
    out_of_stock = (
        letter_ngettext(
            "We are very sorry, but {items} in your order is out of stock.",
            "We are very sorry, but {items} in your order are out of stock.",
            len(missing),
            c.letter_lang,
            items=_quoted(missing, c.letter_lang),
        )
        if missing
        else c.L_("We are very sorry, but some of the items in your order are out of stock.")
    )
    choice = (
        c.L_(
            "We can cancel the whole order so that you can order the available items again, or,"
            " if you agree, ship the available items now and refund {refund} for what we cannot"
            " send. Please let us know which you prefer.",
            refund=c.lyen(refund),
        )
        if refund
        else c.L_(
            "We can cancel the whole order so that you can order the available items again, or,"
            " if you agree, ship the available items now and refund what we cannot send. Please"
            " let us know which you prefer."
        )
    )
    return _advice(
        c,
        Situation.ITEMS_UNAVAILABLE,
        c._("Cancel and reorder, or ship what you can with consent and refund the rest."),
        steps,
        template=c.letter(out_of_stock, choice, reply=False),
        facts={"refund": refund},
    )


def _contact(c: _Ctx) -> Advice:
    s = c.s
    steps = [
        c.step(
            "contact-channels",
            c._(
                "Open the Contact Buyer form from the buyer's name under Order Details, or write to"
                " the encrypted email address in the Order report."
            ),
        )
    ]
    cannot = []
    if Channel.PHONE in s.contact_channels:
        steps.append(
            c.step(
                "phone-fulfilment-period",
                c._(
                    "You may phone the buyer: the number connects during the fulfilment period"
                    " only."
                ),
            )
        )
    elif not s.facts.seller_fulfilled:
        cannot.append(rule("no-phone-afn").text(c.lang))
        steps.append(c.step("no-phone-afn", c._("No phone: the order is fulfilled by Amazon.")))
    else:
        cannot.append(rule("phone-fulfilment-period").text(c.lang))
        steps.append(
            c.step(
                "phone-fulfilment-period",
                c._("No phone now: the number only connects during the fulfilment period."),
            )
        )
    steps.append(
        c.step(
            "contact-channels",
            c._("Review the conversation on the Buyer-Seller Messages page."),
        )
    )
    return _advice(
        c,
        Situation.CONTACT_BUYER,
        c._("Open channels: {channels}.", channels=channels_label(s.contact_channels, c.lang)),
        steps,
        cannot=tuple(cannot),
        facts={"channels": sorted(ch.value for ch in s.contact_channels)},
    )


def _no_reply(c: _Ctx) -> Advice:
    s = c.s
    if not (s.status.is_pending or s.status is OrderStatus.UNSHIPPED):
        summary = c._(
            "This order is {status}: it can no longer be canceled for no reply. Keep writing"
            " through the Contact Buyer form or email.",
            status=c.status(),
        )
        steps = [
            c.step("no-cancel-after-shipment", summary),
            c.step(
                "contact-channels",
                c._("Review the conversation on the Buyer-Seller Messages page."),
            ),
        ]
        template = c.letter(
            c.L_(
                "We have written to you about your order but have not heard back yet. We would be"
                " grateful if you could reply to this message at your convenience."
            ),
            reply=False,
        )
        return _advice(
            c,
            Situation.NO_REPLY,
            summary,
            steps,
            template=template,
            facts={"deadline": None, "overdue": False},
        )
    due = s.reply_deadline or c.details.get("due") or propose_reply_deadline(c.now, policy=c.policy)
    if s.reply_overdue:
        summary = c._(
            "The deadline {due} has passed with no reply: you may cancel the order (reason: no"
            " reply).",
            due=c.when(due),
        )
        template = c.letter(
            c.L_(
                "We wrote to you about your order but did not hear back by {due}, so we have to"
                " cancel the order. You have not been charged for it.",
                due=c.lwhen(due),
            ),
            reply=False,
        )
    else:
        summary = c._(
            "Set a deadline, {due}, and tell the buyer the order will be canceled without a reply.",
            due=c.when(due),
        )
        template = c.letter(
            c.L_(
                "We have written to you about your order but have not heard back yet. If we do not"
                " hear from you by {due}, we will have to cancel the order.",
                due=c.lwhen(due),
            ),
            reply=False,
        )
    return _advice(
        c,
        Situation.NO_REPLY,
        summary,
        [c.step("no-reply-deadline", summary)],
        template=template,
        facts={"deadline": due, "overdue": s.reply_overdue},
    )


def _confirm_deadline(c: _Ctx) -> Advice:
    s = c.s
    if s.status is OrderStatus.CANCELED and s.cancel_reason == CancelReason.CONFIRM_CUTOFF:
        summary = c._(
            "Amazon canceled this order automatically on {canceled}: its shipment was not confirmed"
            " by {confirm_by}. You will not be paid for it, even if you shipped it.",
            canceled=c.when(s.canceled_at),
            confirm_by=c.when(s.confirm_by),
        )
        return _advice(
            c,
            Situation.CONFIRM_DEADLINE,
            summary,
            [c.step("confirm-within-7-days", summary)],
            facts={"confirm_by": s.confirm_by, "paid": False, "at_risk": False},
        )
    if s.fully_confirmed or s.status is OrderStatus.CANCELED or s.confirm_by is None:
        summary = c._("No confirmation is due ({status}).", status=c.status())
        return _advice(
            c,
            Situation.CONFIRM_DEADLINE,
            summary,
            [c.step("confirm-within-7-days", summary)],
            facts={"confirm_by": s.confirm_by},
        )
    if c.now > s.confirm_by:
        summary = c._(
            "The confirmation cutoff {confirm_by} has passed; part of the order is confirmed, so it"
            " was not canceled. Confirm the rest or refund what you cannot send.",
            confirm_by=c.when(s.confirm_by),
        )
        return _advice(
            c,
            Situation.CONFIRM_DEADLINE,
            summary,
            [c.step("confirm-within-7-days", summary)],
            facts={"confirm_by": s.confirm_by, "warning": None, "at_risk": False},
        )
    warning = confirm_warning_text(s, c.lang)
    summary = c._(
        "Confirm the shipment by {confirm_by} ({left} left), or Amazon cancels the order and you"
        " are not paid.",
        confirm_by=c.when(s.confirm_by),
        left=c.left(s.confirm_by),
    )
    steps = [c.step("confirm-within-7-days", summary)]
    if warning:
        steps.append(
            c.step("confirm-warning", c._('Manage Orders now shows: "{warning}".', warning=warning))
        )
    else:
        start = s.confirm_by - c.policy.confirm_warning_lead
        steps.append(
            c.step(
                "confirm-warning", c._("The warning will show from {start}.", start=c.when(start))
            )
        )
    return _advice(
        c,
        Situation.CONFIRM_DEADLINE,
        summary,
        steps,
        facts={"confirm_by": s.confirm_by, "warning": warning, "at_risk": s.at_risk},
    )


def _late(c: _Ctx) -> Advice:
    s = c.s
    if not s.late:
        summary = c._("Not late: ship by {ship_by}.", ship_by=c.when(s.ship_by))
        return _advice(
            c,
            Situation.SHIPMENT_LATE,
            summary,
            [c.step("shipment-late", summary)],
            facts={"late": False},
        )
    summary = c._(
        "Late: the whole order was not confirmed by the ship date {ship_by}.",
        ship_by=c.when(s.ship_by),
    )
    steps = [c.step("shipment-late", summary)]
    if s.status is OrderStatus.PARTIALLY_SHIPPED:
        steps.append(
            c.step(
                "charge-whole-order",
                c._(
                    "Part of it is confirmed, so the buyer was charged for the entire order;"
                    " confirm the rest, or refund what you cannot send. The late status stays"
                    " either way."
                ),
            )
        )
    elif s.status is OrderStatus.UNSHIPPED:
        steps.append(
            c.step(
                "confirm-within-7-days",
                c._(
                    "Ship and confirm now: Amazon cancels the order at {confirm_by}.",
                    confirm_by=c.when(s.confirm_by),
                ),
            )
        )
    return _advice(
        c, Situation.SHIPMENT_LATE, summary, steps, facts={"late": True, "ship_by": s.ship_by}
    )


def _slip_step(c: _Ctx) -> Step:
    po = c.s.facts.purchase_order_number
    text = (
        c._("Business order: enclose a packing slip with Buyer PO# {po}.", po=po)
        if po
        else c._("Business order: enclose a packing slip.")
    )
    return c.step("business-packing-slip", text)


def _business(c: _Ctx) -> Advice:
    s = c.s
    if not s.facts.is_business_order:
        summary = c._("Not a business order: a packing slip is optional.")
        return _advice(
            c,
            Situation.BUSINESS_ORDER,
            summary,
            [c.step("business-packing-slip", summary)],
            facts={"packing_slip_required": False},
        )
    step = _slip_step(c)
    return _advice(
        c,
        Situation.BUSINESS_ORDER,
        step.text,
        [step],
        facts={
            "packing_slip_required": True,
            "purchase_order_number": s.facts.purchase_order_number,
        },
    )


#: One handler per situation.
HANDLERS: Mapping[Situation, Callable[[_Ctx], Advice]] = {
    Situation.FIRST_ORDER: _first_order,
    Situation.PENDING_SALE: _pending_sale,
    Situation.UNKNOWN_ORDER: _unknown_order,
    Situation.NOT_RECEIVED: _not_received,
    Situation.PRICE_BREAKDOWN: _price_breakdown,
    Situation.RETURNED_UNDELIVERABLE: _returned,
    Situation.CVS_PAYMENT_DETAILS: _cvs_details,
    Situation.POINTS_DETAILS: _points,
    Situation.CHANGE_ORDER: _change_order,
    Situation.COMBINE_SHIPMENTS: _combine,
    Situation.RECEIPT: _receipt,
    Situation.ITEMS_UNAVAILABLE: _unavailable,
    Situation.CONTACT_BUYER: _contact,
    Situation.NO_REPLY: _no_reply,
    Situation.CONFIRM_DEADLINE: _confirm_deadline,
    Situation.SHIPMENT_LATE: _late,
    Situation.BUSINESS_ORDER: _business,
}


def advise(
    situation: Situation | str,
    state: OrderState | None = None,
    *,
    now: dt.datetime,
    lang: str = "en",
    letter_lang: str = "ja",
    policy: Policy = DEFAULT_POLICY,
    seller_name: str = "orderkit shop",
    **details: Any,
) -> Advice:
    """Answer one FAQ question for this order at this moment.

    Args:
        situation: a :class:`Situation` (or its value, e.g. ``"change_order"``).
        state: the order's state at ``now`` (``book.order(id).state(at=now)``); may be ``None``
            only for situations that need no order (unknown order, receipts, points, payment
            details).
        now: the moment of the inquiry (tz-aware).
        lang: the interface language of the steps and explanations: ``en``, ``ja`` or ``zh-Hans``.
        letter_lang: the language of the letter to the buyer: ``ja`` (default: buyers on
            Amazon.co.jp read Japanese, whatever language the seller works in) or ``en``.
        policy: the seller's :class:`~orderkit.policy.Policy`.
        seller_name: the shop's name for the letter.
        **details: what some situations need (:data:`DETAILS`): ``lookup=`` (a
            :class:`~orderkit.lookup.FindResult`) for ``unknown_order``; ``actual_shipping_cost=``
            (yen; default: the amount recorded with the ``returned_to_sender`` event) for
            ``returned_undeliverable``; ``others=`` (states of the other orders) and ``saving=``
            (yen) for ``combine_shipments``; ``unsent=`` ({order_item_id: quantity}) for
            ``items_unavailable``; ``due=`` (a proposed deadline) for ``no_reply``.

    Returns:
        :class:`Advice` with steps, rules, limits, referral and a letter.

    Raises:
        TypeError: a detail this situation does not take (a misspelled keyword, say), naming it
            and the ones it takes.
        ValueError: an unknown situation or language, a naive ``now``, or a situation that needs
            the order's state or a detail that was not given.
    """
    check_lang(lang)
    check_lang(letter_lang, LETTER_LANGUAGES)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    sit = Situation(situation)
    unknown = sorted(set(details) - DETAILS[sit])
    if unknown:
        accepted = ", ".join(sorted(DETAILS[sit])) or "none"
        raise TypeError(
            f"advise({sit.value!r}) got unexpected keyword argument(s) {', '.join(unknown)}; "
            f"the details it takes: {accepted}"
        )
    ctx = _Ctx(state, now, lang, letter_lang, policy, seller_name, details)
    return HANDLERS[sit](ctx)


# ---- which situations an order's state illustrates ------------------------------------------

_APPLIES: Mapping[Situation, Callable[[OrderState], bool]] = {
    Situation.FIRST_ORDER: lambda s: s.status is OrderStatus.UNSHIPPED,
    Situation.PENDING_SALE: lambda s: s.status.is_pending,
    Situation.NOT_RECEIVED: lambda s: s.not_received_at is not None,
    Situation.PRICE_BREAKDOWN: lambda s: len(s.facts.items) > 1,
    Situation.RETURNED_UNDELIVERABLE: lambda s: s.returned_reason is not None,
    Situation.CVS_PAYMENT_DETAILS: lambda s: (
        s.facts.payment_method == "cvs" and s.status.is_pending
    ),
    Situation.POINTS_DETAILS: lambda s: s.facts.payment_method == "points",
    Situation.CHANGE_ORDER: lambda s: (
        s.status is OrderStatus.UNSHIPPED and s.facts.seller_fulfilled
    ),
    Situation.COMBINE_SHIPMENTS: lambda s: s.combined_ref is not None,
    Situation.RECEIPT: lambda s: s.status is OrderStatus.SHIPPED,
    Situation.ITEMS_UNAVAILABLE: lambda s: (
        s.status is OrderStatus.UNSHIPPED and len(s.facts.items) > 1
    ),
    Situation.CONTACT_BUYER: lambda s: not s.facts.seller_fulfilled,
    Situation.NO_REPLY: lambda s: (
        s.reply_deadline is not None
        or (s.status is OrderStatus.UNSHIPPED and s.facts.seller_fulfilled)
    ),
    Situation.CONFIRM_DEADLINE: lambda s: s.at_risk,
    Situation.SHIPMENT_LATE: lambda s: s.shows_late,
    Situation.BUSINESS_ORDER: lambda s: (
        s.facts.is_business_order and bool(s.facts.purchase_order_number)
    ),
}


def applies(situation: Situation | str, state: OrderState) -> bool:
    """Return whether ``state`` is a typical order for ``situation`` (for examples and drills).

    ``unknown_order`` applies to no order: it is about an order that is not in the book.
    """
    check = _APPLIES.get(Situation(situation))
    return bool(check and check(state))
