"""Training drills for new support staff: a situation, a choice, feedback that quotes the FAQ.

The drills are data: :data:`KINDS` is a table of kinds, each with the orders it fits, its
situation and question, its choices (one right, two or three plausible wrong ones, each with the
rule that decides it) and a stock situation for a book that has no fitting order. A
:class:`DrillSession` draws the *kind* first, in shuffled rounds of every kind with no kind twice
in a row, and then an order of the book that fits it; it records the answers and sums them up by
rule, so that a trainer knows what to review.

Every text is a catalog message (:mod:`orderkit.i18n`); the FAQ's sentences are quoted in English,
as Amazon wrote them, with our reference translation beside them.

>>> from orderkit import sample
>>> session = DrillSession(sample.book(40), seed=1, now=sample.DEFAULT_NOW)
>>> drill = session.next()
>>> sum(choice.correct for choice in drill.choices)
1
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from orderkit.book import OrderBook
from orderkit.events import Actor, Event, EventKind, ReturnReason
from orderkit.i18n import N_, _
from orderkit.i18n import datetime as format_datetime
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.rules import Rule, rule
from orderkit.state import OrderState
from orderkit.status import OrderStatus

__all__ = [
    "HEADINGS",
    "KINDS",
    "Choice",
    "Drill",
    "DrillKind",
    "DrillSession",
    "Feedback",
    "Score",
    "Stock",
    "answer_key",
    "faq_quote",
]


# ---- values: a choice, a drill, the feedback ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer a trainee can pick, with the rule that decides it.

    Attributes:
        en: the answer in English (its catalog message).
        correct: whether it is the right answer.
        rule: the FAQ rule that makes it right or wrong.
    """

    en: str
    correct: bool
    rule: Rule

    def text(self, lang: str = "en") -> str:
        """Return the answer in ``lang``; raise ``ValueError`` for an unknown language."""
        return _(self.en, lang)


def faq_quote(rule_: Rule, lang: str) -> dict[str, str]:
    """Return the FAQ's sentence of ``rule_`` as Amazon wrote it (English) and our translation.

    Returns:
        ``{"faq": …}``, plus ``{"label": "参考訳", "translation": …}`` when ``lang`` is not English
        (the translation is ours, labelled as such, never passed off as Amazon's wording).

    Raises:
        ValueError: an unknown ``lang``.
    """
    quote = {"faq": rule_.faq}
    if lang != "en":
        quote["label"] = _("Reference translation", lang)
        quote["translation"] = _(rule_.faq, lang)
    return quote


@dataclass(frozen=True, slots=True)
class Feedback:
    """What the trainee is told after answering: the verdict, the right answer, the FAQ."""

    correct: bool
    choice: Choice
    right: Choice

    def verdict(self, lang: str = "en") -> str:
        """Return "Correct." or "Not quite. The right answer: …" in ``lang``."""
        if self.correct:
            return _("Correct.", lang)
        return _("Not quite. The right answer: {answer}", lang, answer=self.right.text(lang))

    def text(self, lang: str = "en") -> str:
        """Return the verdict and the FAQ's sentence (with our translation) as plain text."""
        quote = faq_quote(self.right.rule, lang)
        lines = [self.verdict(lang), _("Manage Orders FAQ: “{faq}”", lang, faq=quote["faq"])]
        if "translation" in quote:
            lines.append(f"{quote['label']}: {quote['translation']}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Drill:
    """One situation to practise on.

    Attributes:
        kind: which drill (a key of :data:`KINDS`).
        order_id: the order it is about.
        now: the moment of the situation.
        values: the facts the situation names (order number, cutoff, PO#), by placeholder.
        choices: the answers, shuffled; exactly one is correct.
        stock: whether the order is a stock situation (the book had no order of this kind).
    """

    kind: str
    order_id: str
    now: dt.datetime
    values: Mapping[str, object]
    choices: tuple[Choice, ...]
    stock: bool = False

    def situation(self, lang: str = "en") -> str:
        """Return what happened, in ``lang``."""
        return _(KINDS[self.kind].situation, lang, **self._values(lang))

    def question(self, lang: str = "en") -> str:
        """Return the situation and the question the trainee must answer, in ``lang``."""
        question = _(KINDS[self.kind].question, lang)
        return _(_SITUATION_AND_QUESTION, lang, situation=self.situation(lang), question=question)

    def _values(self, lang: str) -> dict[str, object]:
        return {
            k: format_datetime(v, lang) if isinstance(v, dt.datetime) else v
            for k, v in self.values.items()
        }

    @property
    def right(self) -> Choice:
        """The correct answer."""
        return next(c for c in self.choices if c.correct)

    @property
    def rule(self) -> Rule:
        """The rule the drill teaches (that of its right answer)."""
        return self.right.rule

    def answer(self, index: int) -> Feedback:
        """Return the feedback for choosing ``choices[index]``; raise ``IndexError`` if out of range."""
        if not 0 <= index < len(self.choices):
            raise IndexError(f"choice {index} out of range: the drill has {len(self.choices)}")
        choice = self.choices[index]
        return Feedback(choice.correct, choice, self.right)


@dataclass(slots=True)
class Score:
    """A trainee's running score."""

    answered: int = 0
    correct: int = 0
    missed_rules: list[str] = field(default_factory=list)

    def add(self, feedback: Feedback) -> None:
        """Count one answered drill."""
        self.answered += 1
        if feedback.correct:
            self.correct += 1
        else:
            self.missed_rules.append(feedback.right.rule.id)

    def text(self, lang: str = "en") -> str:
        """Return the score as "Score: 3 / 4" in ``lang``."""
        return _(
            "Score: {correct} / {answered}", lang, correct=self.correct, answered=self.answered
        )


# ---- the table of kinds -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stock:
    """A realistic order of one kind, for a book that has none: built relative to ``now``.

    Attributes:
        placed: how long before ``now`` the order was placed.
        channel: ``"MFN"`` (the seller ships) or ``"AFN"`` (Amazon ships).
        payment: the payment method.
        paid: whether the payment went through (after 10 minutes).
        ship_by: how long after placing the ship date falls.
        shipped: how many of its two items were confirmed as shipped, ``shipped_after`` placing.
        returned: why the parcel came back (three days after it left), if it did.
        po: the Buyer PO# of a business order.
    """

    placed: dt.timedelta
    channel: str = "MFN"
    payment: str = "card"
    paid: bool = True
    ship_by: dt.timedelta = dt.timedelta(days=2)
    shipped: int = 0
    shipped_after: dt.timedelta = dt.timedelta(days=1)
    returned: ReturnReason | None = None
    po: str | None = None


@dataclass(frozen=True, slots=True)
class DrillKind:
    """One kind of drill, as data.

    Attributes:
        fits: whether an order's state makes this situation.
        situation: what happened (a catalog message; ``{order_id}`` and the kind's ``values``).
        question: what the trainee must decide.
        right: the right answer and its rule id.
        wrong: two or three plausible wrong answers, each with the rule id that rules it out.
        stock: the situation to build when the book has no fitting order.
        values: the facts of the state the situation names, besides the order number.
    """

    fits: Callable[[OrderState], bool]
    situation: str
    question: str
    right: tuple[str, str]
    wrong: tuple[tuple[str, str], ...]
    stock: Stock
    values: Callable[[OrderState], dict[str, object]] = lambda s: {}

    def choices(self) -> list[Choice]:
        """Return the right answer first, then the wrong ones."""
        return [Choice(self.right[0], True, rule(self.right[1]))] + [
            Choice(text, False, rule(rule_id)) for text, rule_id in self.wrong
        ]


def _is(*statuses: OrderStatus) -> Callable[[OrderState], bool]:
    return lambda s: s.status in statuses


_H, _D = dt.timedelta(hours=1), dt.timedelta(days=1)

#: kind → its situation, question, choices and rules (the trainers' reference is this table).
KINDS: dict[str, DrillKind] = {
    "pending_ship_request": DrillKind(
        fits=_is(OrderStatus.PENDING),
        situation=N_(
            "Order {order_id} is Pending. The buyer writes: “Please ship it today, I will pay soon.”"
        ),
        question=N_("What do you do?"),
        right=(
            N_("Do not ship it until it shows Unshipped (payment settled)."),
            "pending-no-dispatch",
        ),
        wrong=(
            (N_("Ship it today to keep the buyer happy."), "pending-no-dispatch"),
            (
                N_("Ship it and confirm the shipment, so that Amazon charges the buyer."),
                "pending-no-dispatch",
            ),
            (N_("Cancel the order at once."), "pending-reason"),
        ),
        stock=Stock(placed=20 * _H, payment="cvs", paid=False),
    ),
    "at_risk": DrillKind(
        fits=lambda s: s.at_risk and s.confirm_by is not None,
        situation=N_(
            "Order {order_id} shows “Confirm as shipped by …”: the parcel went out yesterday, but"
            " nobody confirmed the shipment. The cutoff is {cutoff}."
        ),
        question=N_("What happens if you wait?"),
        right=(
            N_(
                "Amazon cancels the order at the cutoff and you are not paid, even though it shipped."
            ),
            "confirm-within-7-days",
        ),
        wrong=(
            (
                N_("Nothing: Amazon sees the parcel moving and confirms it."),
                "confirm-within-7-days",
            ),
            (N_("The buyer is charged anyway once the parcel is delivered."), "charge-whole-order"),
            (
                N_("Only a warning email: the order stays open until you confirm it."),
                "confirm-warning",
            ),
        ),
        stock=Stock(placed=6 * _D, ship_by=2 * _D),
        values=lambda s: {"cutoff": s.confirm_by},
    ),
    "late_refund": DrillKind(
        fits=lambda s: s.late and s.status is OrderStatus.PARTIALLY_SHIPPED,
        situation=N_(
            "Order {order_id} is partly shipped and shows “Shipment is late”. You refund the item"
            " you cannot send."
        ),
        question=N_("Does “Shipment is late” go away?"),
        right=(N_("No: it stays, even after the remaining items are refunded."), "shipment-late"),
        wrong=(
            (N_("Yes: once the rest is refunded, the order is complete."), "shipment-late"),
            (N_("Yes, if you refund within 24 hours of the ship date."), "shipment-late"),
            (
                N_("Only if you cancel the remaining items instead of refunding them."),
                "no-cancel-after-shipment",
            ),
        ),
        stock=Stock(placed=4 * _D, ship_by=1 * _D, shipped=1, shipped_after=2 * _D),
    ),
    "change_address": DrillKind(
        fits=lambda s: (
            s.facts.seller_fulfilled and not s.can_edit and s.status is OrderStatus.UNSHIPPED
        ),
        situation=N_(
            "The buyer of order {order_id}, placed more than 5 minutes ago, asks you to change the"
            " shipping address."
        ),
        question=N_("What do you tell them?"),
        right=(
            N_(
                "It can no longer be changed: please cancel and place a new order with the right address."
            ),
            "buyer-edit-window",
        ),
        wrong=(
            (N_("I will change the address for you in Seller Central."), "seller-cannot-edit"),
            (N_("Please edit it yourself in Your Account."), "buyer-edit-window"),
            (N_("We will ship to the new address and note it on the order."), "seller-cannot-edit"),
        ),
        stock=Stock(placed=3 * _H),
    ),
    "receipt": DrillKind(
        fits=_is(OrderStatus.SHIPPED),
        situation=N_("The buyer of order {order_id} asks you for a receipt."),
        question=N_("What do you do?"),
        right=(
            N_(
                "Tell them to print it from Your Account: Amazon issues it, with your shop as the issuer."
            ),
            "receipt-by-amazon",
        ),
        wrong=(
            (N_("Make a PDF receipt with your shop's seal and email it."), "receipt-by-amazon"),
            (N_("Write a receipt by hand and post it to them."), "receipt-by-amazon"),
            (
                N_("Tell them that orders from marketplace sellers come without a receipt."),
                "receipt-by-amazon",
            ),
        ),
        stock=Stock(placed=3 * _D, shipped=2),
    ),
    "cvs_details": DrillKind(
        fits=lambda s: s.facts.payment_method == "cvs" and s.status.is_pending,
        situation=N_(
            "The buyer of order {order_id} lost the convenience-store payment number and asks you"
            " to send it again."
        ),
        question=N_("What do you do?"),
        right=(
            N_("Refer the buyer to Amazon: payment details come from Amazon, not from you."),
            "cvs-details-from-amazon",
        ),
        wrong=(
            (N_("Look it up in Manage Orders and send it."), "cvs-details-from-amazon"),
            (N_("Cancel the order and ask them to order again."), "cvs-payment-expiry"),
            (N_("Ship the order and let them pay when it arrives."), "pending-no-dispatch"),
        ),
        stock=Stock(placed=1 * _D, payment="cvs", paid=False),
    ),
    "afn_phone": DrillKind(
        fits=lambda s: not s.facts.seller_fulfilled and s.status is not OrderStatus.CANCELED,
        situation=N_(
            "Order {order_id} is fulfilled by Amazon, and you need to reach the buyer urgently."
        ),
        question=N_("How do you contact them?"),
        right=(
            N_("Through the Contact Customer form or the encrypted email address Amazon provides."),
            "no-phone-afn",
        ),
        wrong=(
            (N_("Call the phone number on the order."), "no-phone-afn"),
            (N_("Look up the buyer's phone number in the Order report."), "no-phone-afn"),
            (
                N_("Write to the buyer's own email address from your shop's account."),
                "contact-channels",
            ),
        ),
        stock=Stock(placed=5 * _H, channel="AFN"),
    ),
    "returned": DrillKind(
        fits=lambda s: s.returned_reason is not None,
        situation=N_(
            "The parcel of order {order_id} came back to you undelivered: refused, undeliverable or"
            " a wrong address."
        ),
        question=N_("How much do you refund?"),
        right=(N_("The amount paid, less the actual shipping cost."), "refund-undeliverable"),
        wrong=(
            (
                N_("Nothing: the parcel did not arrive through no fault of yours."),
                "refund-undeliverable",
            ),
            (N_("The full amount, shipping included."), "refund-undeliverable"),
            (
                N_("The amount paid, less the shipping charge shown on the order."),
                "refund-undeliverable",
            ),
        ),
        stock=Stock(placed=8 * _D, shipped=2, returned=ReturnReason.INVALID_ADDRESS),
    ),
    "business_slip": DrillKind(
        fits=lambda s: (
            s.facts.is_business_order
            and bool(s.facts.purchase_order_number)
            and s.status is OrderStatus.UNSHIPPED
        ),
        situation=N_(
            "Order {order_id} has the Business Buyer badge, and its Order Details page shows"
            " Buyer PO# {po}. You are packing it."
        ),
        question=N_("What goes in the box?"),
        right=(N_("A packing slip with the Buyer PO# on it."), "business-packing-slip"),
        wrong=(
            (
                N_("Just the goods: Amazon emails the invoice to the business."),
                "business-packing-slip",
            ),
            (
                N_("A packing slip; the PO# is only for the buyer's own records."),
                "business-packing-slip",
            ),
            (N_("A receipt with your shop's seal, for the buyer's accounts."), "receipt-by-amazon"),
        ),
        stock=Stock(placed=5 * _H, po="PO-2611-0042"),
        values=lambda s: {"po": s.facts.purchase_order_number},
    ),
}


# ---- stock situations ---------------------------------------------------------------------------

_ITEMS = (("STOCK-ITEM-1", 1, 2480, 0), ("STOCK-ITEM-2", 1, 1280, 0))


def _stock_book(order_id: str, stock: Stock, now: dt.datetime) -> OrderBook:
    """Return a book with one order made to ``stock``'s recipe, as it stands at ``now``."""
    placed = now - stock.placed
    orders = pd.DataFrame(
        [
            {
                "order_id": order_id,
                "purchase_date": placed,
                "fulfillment_channel": stock.channel,
                "payment_method": stock.payment,
                "latest_ship_date": placed + stock.ship_by,
                "latest_delivery_date": placed + stock.ship_by + 3 * _D,
                "is_business_order": stock.po is not None,
                "purchase_order_number": stock.po,
                "is_prime": False,
                "buyer_email": "buyer@marketplace.amazon.co.jp",
                "buyer_name": "山田 花子",
                "ship_postal_code": "150-0001",
                "ship_state": "東京都",
                "ship_address_1": "渋谷区神宮前1-2-3",
            }
        ]
    )
    items = pd.DataFrame(
        [
            {"order_id": order_id, "order_item_id": i, "quantity": q, "item_price": p,
             "shipping_price": s}
            for i, q, p, s in _ITEMS
        ]
    )  # fmt: skip
    events = [Event(order_id, placed, EventKind.PLACED, Actor.BUYER)]
    if stock.paid:
        events.append(
            Event(order_id, placed + dt.timedelta(minutes=10), EventKind.PAYMENT_COMPLETED, Actor.AMAZON)
        )  # fmt: skip
    shipped_at = placed + stock.shipped_after
    for item_id, quantity, _price, _shipping in _ITEMS[: stock.shipped]:
        events.append(
            Event(order_id, shipped_at, EventKind.SHIPMENT_CONFIRMED, Actor.SELLER,
                  order_item_id=item_id, quantity=quantity, carrier="ヤマト運輸",
                  tracking_number="4701-2345-6789", shipped_at=shipped_at)
        )  # fmt: skip
    if stock.returned is not None:
        events.append(
            Event(order_id, shipped_at + 3 * _D, EventKind.RETURNED_TO_SENDER, Actor.SYSTEM,
                  reason=stock.returned, amount=880)
        )  # fmt: skip
    book = OrderBook(orders, items)
    book.extend(events)
    return book


def _order_id(rng: np.random.Generator) -> str:
    """Return an order number in Amazon.co.jp's form (``503-1234567-1234567``)."""
    a, b = rng.integers(1_000_000, 10_000_000, size=2)
    return f"503-{a}-{b}"


# ---- a session ----------------------------------------------------------------------------------


class DrillSession:
    """A trainee's session: balanced drills drawn from a book, the answers, a summary by rule.

    Kinds come in shuffled rounds of every kind (so any ``len(kinds)`` drills in a row from the
    start cover them all) and never twice in a row; each drill is about an order of ``book`` that
    fits its kind (a different one each time while the book has some), or about a stock order
    when the book has none. The same book, seed and moment give the same session.

    Args:
        book: the orders to draw situations from.
        seed: seed of the draw (a class shares one sequence; the trainers' reference too).
        now: the moment of the situations.
        policy: the seller's policy.
        kinds: the kinds to drill (keys of :data:`KINDS`), all by default.

    Raises:
        ValueError: an unknown kind, or no kind at all.
    """

    def __init__(
        self,
        book: OrderBook,
        *,
        seed: int,
        now: dt.datetime,
        policy: Policy = DEFAULT_POLICY,
        kinds: Sequence[str] | None = None,
    ) -> None:
        self.kinds = list(KINDS) if kinds is None else list(kinds)
        unknown = [k for k in self.kinds if k not in KINDS]
        if unknown or not self.kinds:
            raise ValueError(f"kinds must be some of {list(KINDS)}, not {self.kinds}")
        self.book, self.now, self.policy = book, now, policy
        self.rng = np.random.default_rng(seed)
        # the book's orders in a seeded order; their states are folded once, when first needed
        self._ids = [str(i) for i in self.rng.permutation(book.orders["order_id"].to_numpy())]
        self._states: dict[str, OrderState] = {}
        self._used: dict[str, set[str]] = {k: set() for k in self.kinds}
        self._round: list[str] = []
        self._stock: dict[str, OrderState] = {}  # kind → its stock order, built once
        self.drills: list[Drill] = []
        self.answers: dict[int, Feedback] = {}
        self.score = Score()

    def _state(self, order_id: str) -> OrderState:
        if order_id not in self._states:
            view = self.book.order(order_id)
            self._states[order_id] = view.state(at=self.now, policy=self.policy)
        return self._states[order_id]

    def _next_kind(self) -> str:
        if not self._round:
            self._round = [self.kinds[i] for i in self.rng.permutation(len(self.kinds))]
            last = self.drills[-1].kind if self.drills else None
            if self._round[0] == last and len(self._round) > 1:
                self._round[0], self._round[-1] = self._round[-1], self._round[0]
        return self._round.pop(0)

    def _order_for(self, kind: str) -> OrderState | None:
        """Return an order of the book that fits ``kind``, or ``None`` if none does.

        Preferably an order not drilled yet at all, else one not drilled for this kind.
        """
        fits, fresh, first = KINDS[kind].fits, None, None
        drilled = {d.order_id for d in self.drills}
        for order_id in self._ids:
            state = self._state(order_id)
            if not fits(state):
                continue
            if order_id not in drilled:
                return state
            if order_id not in self._used[kind]:
                fresh = fresh or state
            first = first or state
        if fresh is None:
            self._used[kind].clear()  # every fitting order has had its turn: start again
        return fresh or first

    def next(self) -> Drill:
        """Draw the next drill: its kind first, then an order that fits it."""
        kind = self._next_kind()
        state, stock = self._order_for(kind), False
        if state is None:
            state, stock = self._stock_state(kind), True
        self._used[kind].add(state.order_id)
        choices = KINDS[kind].choices()
        shuffled = tuple(choices[i] for i in self.rng.permutation(len(choices)))
        values = {"order_id": state.order_id, **KINDS[kind].values(state)}
        drill = Drill(kind, state.order_id, self.now, values, shuffled, stock)
        self.drills.append(drill)
        return drill

    def _stock_state(self, kind: str) -> OrderState:
        """Return the stock order of ``kind`` as it stands at ``now`` (built on first use)."""
        if kind not in self._stock:
            order_id = _order_id(self.rng)
            book = _stock_book(order_id, KINDS[kind].stock, self.now)
            self._stock[kind] = book.order(order_id).state(at=self.now, policy=self.policy)
        return self._stock[kind]

    def answer(self, index: int) -> Feedback:
        """Answer the current drill with ``choices[index]``; record it once and return the feedback.

        Raises:
            ValueError: no drill drawn yet, or the current one already answered.
            IndexError: ``index`` is not one of the drill's choices.
        """
        if not self.drills:
            raise ValueError("no drill yet: call next() first")
        current = len(self.drills) - 1
        if current in self.answers:
            raise ValueError(f"drill {current + 1} is already answered")
        feedback = self.drills[current].answer(index)
        self.answers[current] = feedback
        self.score.add(feedback)
        return feedback

    def summary(self, lang: str = "en") -> pd.DataFrame:
        """Return the answers by rule: what to review first (most missed, then fewest right).

        Returns:
            One row per rule drilled: ``rule`` (its id), ``what`` (the rule in ``lang``),
            ``drills``, ``correct``, ``missed``, the FAQ's sentence ``faq`` and, unless ``lang``
            is English, our ``translation`` of it.
        """
        rows: dict[str, dict[str, object]] = {}
        for i, feedback in self.answers.items():
            rule_ = self.drills[i].rule
            row = rows.setdefault(
                rule_.id,
                {
                    "rule": rule_.id,
                    "what": rule_.text(lang),
                    "drills": 0,
                    "correct": 0,
                    "missed": 0,
                    **faq_quote(rule_, lang),
                },
            )
            row["drills"] = int(row["drills"]) + 1  # type: ignore[call-overload]
            row["correct" if feedback.correct else "missed"] += 1  # type: ignore[operator]
        columns = ["rule", "what", "drills", "correct", "missed", "faq"]
        columns += ["translation"] if lang != "en" else []
        frame = pd.DataFrame(list(rows.values()), columns=columns)
        return frame.sort_values(["missed", "correct", "rule"], ascending=[False, True, True])

    def summary_csv(self, lang: str = "en") -> str:
        """Return :meth:`summary` as CSV, with column headings in ``lang``."""
        frame = self.summary(lang)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([_(HEADINGS[c], lang) for c in frame.columns])
        writer.writerows(frame.itertuples(index=False))
        return buffer.getvalue()

    def summary_link(self, lang: str = "en", *, filename: str = "training-summary.csv") -> str:
        """Return an HTML download link of :meth:`summary_csv` (a ``data:`` URL: no server path).

        The CSV starts with a byte-order mark so that Excel reads its Japanese and Chinese.
        """
        data = base64.b64encode(("\ufeff" + self.summary_csv(lang)).encode()).decode()
        return (
            f'<a class="ok-drill-download" download="{html.escape(filename)}" style="{_LINK}" '
            f'href="data:text/csv;charset=utf-8;base64,{data}">'
            f"{html.escape(_(_DOWNLOAD, lang))}</a>"
        )


# a Japanese or Chinese question follows its situation without a space
_SITUATION_AND_QUESTION = N_("{situation} {question}")
_DOWNLOAD = N_("Download the summary by rule (CSV)")
_LINK = "color:#1565c0;text-decoration:underline;font-weight:bold"

#: The summary's column headings.
HEADINGS: dict[str, str] = {
    "rule": N_("Rule"),
    "what": N_("What the rule says"),
    "drills": N_("Drills"),
    "correct": N_("Right"),
    "missed": N_("Missed"),
    "faq": N_("Manage Orders FAQ (English)"),
    "translation": N_("Reference translation"),
}


def answer_key(drills: Sequence[Drill], lang: str = "en") -> pd.DataFrame:
    """Return the trainers' answer key of ``drills`` (never shown in the trainee's app).

    Returns:
        One row per drill: its number, kind, order, situation, right answer and rule.
    """
    return pd.DataFrame(
        {
            "no": range(1, len(drills) + 1),
            "kind": [d.kind for d in drills],
            "order_id": [d.order_id for d in drills],
            "question": [d.question(lang) for d in drills],
            "right_answer": [d.right.text(lang) for d in drills],
            "rule": [d.rule.id for d in drills],
        }
    )
