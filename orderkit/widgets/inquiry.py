"""InquiryAssistant: pick the buyer's situation and the order; see the steps, rules and message."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any

import ipywidgets as w
import traitlets

from orderkit.advice import Advice, Situation, advise
from orderkit.book import OrderBook
from orderkit.errors import InvalidOrderId, OrderkitError, OrderNotFound, TransitionNotAllowed
from orderkit.i18n import N_, _
from orderkit.lookup import find_text
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.widgets._text import tr
from orderkit.widgets.card import Clock, _now
from orderkit.widgets.language import LetterLanguageSwitch

__all__ = ["InquiryAssistant"]


class _Missing(Exception):
    """An input the chosen situation needs is missing; its message says which."""


# Labels of the inputs some situations need.
_LABELS = {
    "cost": N_("Actual shipping cost (¥)"),
    "saving": N_("Shipping saved (¥)"),
    "others": N_("Other orders"),
    "letter_lang": N_("Letter in"),
}

# Situations that are about the seller's rules, not a particular order.
_NO_ORDER = {Situation.CVS_PAYMENT_DETAILS, Situation.POINTS_DETAILS, Situation.RECEIPT}


def _said(exc: Exception, lang: str) -> str:
    """What the user reads about an input that cannot be answered, in ``lang``.

    Library exceptions are written in English for developers; the ones a typed order number can
    cause are said again from the catalogs.
    """
    if isinstance(exc, OrderNotFound):
        return _("{value} is not one of your orders.", lang, value=exc.order_id)
    if isinstance(exc, InvalidOrderId):
        return _(
            "{value!r} is not an Amazon order number (3-7-7 digits). Ask the buyer to check it.",
            lang,
            value=exc.value,
        )
    if isinstance(exc, TransitionNotAllowed):
        return exc.explain(lang)
    return str(exc)


class InquiryAssistant(w.VBox):
    """Answer a buyer's inquiry by the FAQ, for one order at this moment.

    The steps are shown in the interface language (``lang``: en, ja, zh-Hans); the letter to the
    buyer is written in the letter language (``letter_lang``: ja or en), chosen with its own
    switch (:attr:`letter_switch`), Japanese by default.

    Args:
        book: the order book.
        now: the moment of the inquiry (a datetime or a function returning one).
        order_id: the order the buyer asks about (or type it / a buyer email in the box).
        policy: the seller's policy.
        seller_name: the shop's name for the letter.
        lang: the interface language.
        letter_lang: the language of the letter to the buyer.

    Traits:
        advice_text: the steps shown, as plain text (for tests and copying).
        lang: the interface language.
        letter_lang: the letter's language.
    """

    lang = traitlets.Unicode("en")
    letter_lang = traitlets.Unicode("ja")
    advice_text = traitlets.Unicode("")

    def __init__(
        self,
        book: OrderBook,
        *,
        now: Clock,
        order_id: str | None = None,
        policy: Policy = DEFAULT_POLICY,
        seller_name: str = "orderkit shop",
        lang: str = "en",
        letter_lang: str = "ja",
    ) -> None:
        super().__init__()
        self.book, self.clock, self.policy, self.seller_name = book, now, policy, seller_name
        self.situation = w.Dropdown(
            layout=w.Layout(width="640px"), style={"description_width": "initial"}
        ).add_class("ok-inquiry-situation")
        self.order = w.Text(value=order_id or "", layout=w.Layout(width="420px")).add_class(
            "ok-inquiry-order"
        )
        self.cost = w.BoundedIntText(
            value=0, min=0, max=10**7, description="¥", layout=w.Layout(width="200px")
        )
        self.saving = w.BoundedIntText(
            value=0, min=0, max=10**7, description="¥", layout=w.Layout(width="200px")
        )
        self.others = w.Text(placeholder="503-…, 503-…", layout=w.Layout(width="420px"))
        self.extra = w.VBox()
        self.answer = w.HTML().add_class("ok-inquiry-advice")
        self.template = w.Textarea(layout=w.Layout(width="640px", height="220px")).add_class(
            "ok-inquiry-template"
        )
        self.letter_switch = LetterLanguageSwitch(letter_lang).link(self)
        self.letter_label = w.Label()
        self.advice: Advice | None = None
        for control in (self.situation, self.order, self.cost, self.saving, self.others):
            control.observe(lambda _: self.update(), names="value")
        letter_row = w.HBox((self.letter_label, self.letter_switch))
        self.children = (
            self.situation, self.order, self.extra, self.answer, letter_row, self.template,
        )  # fmt: skip
        self.lang = lang
        self._relabel()
        self.update()

    @traitlets.observe("lang")
    def _lang_changed(self, _: object) -> None:
        if self.children:
            self._relabel()
            self.update()

    @traitlets.observe("letter_lang")
    def _letter_lang_changed(self, _: object) -> None:
        if self.children:
            self.update()

    def _relabel(self) -> None:
        lang = self.lang
        value = self.situation.value or Situation.CHANGE_ORDER
        self.situation.description = tr("situation", lang)
        self.situation.options = [(s.question(lang), s) for s in Situation]
        self.situation.value = value
        self.order.description = tr("order", lang)
        self.order.placeholder = tr("query", lang)
        self.template.description = ""
        self.cost.description = _(_LABELS["cost"], lang)
        self.saving.description = _(_LABELS["saving"], lang)
        self.others.description = _(_LABELS["others"], lang)
        self.letter_label.value = _(_LABELS["letter_lang"], lang)

    def _details(self, situation: Situation, now: dt.datetime) -> dict[str, Any]:
        if situation is Situation.RETURNED_UNDELIVERABLE:
            self.extra.children = (self.cost,)
            return {"actual_shipping_cost": self.cost.value} if self.cost.value else {}
        if situation is Situation.COMBINE_SHIPMENTS:
            self.extra.children = (self.others, self.saving)
            ids = [x.strip() for x in self.others.value.replace("、", ",").split(",") if x.strip()]
            return {
                "others": [self.book.order(i).state(at=now, policy=self.policy) for i in ids],
                "saving": self.saving.value,
            }
        self.extra.children = ()
        return {}

    def update(self) -> None:
        """Recompute the advice for the chosen situation and order."""
        lang, now, situation = self.lang, _now(self.clock), Situation(self.situation.value)
        query = self.order.value.strip()
        try:
            details = self._details(situation, now)
            state = None
            found = None
            if query:  # an email or an order number; anything else reads as a wrong number
                found = find_text(self.book, query, at=now) or self.book.find(
                    order_id=query, at=now
                )
            if situation is Situation.UNKNOWN_ORDER:
                if found is None:
                    raise _Missing(tr("query", lang))
                details["lookup"] = found
            elif found is not None and situation not in _NO_ORDER:
                if found.orders.empty:
                    raise _Missing(found.message(lang))
                state = self.book.order(str(found.orders["order_id"].iloc[0])).state(
                    at=now, policy=self.policy
                )
            elif situation not in _NO_ORDER:
                raise _Missing(tr("pick_order", lang))
            if situation is Situation.COMBINE_SHIPMENTS and len(details.get("others", [])) == 0:
                raise _Missing(self.others.description + ("？" if lang != "en" else "?"))
            self.advice = advise(
                situation,
                state,
                now=now,
                lang=lang,
                letter_lang=self.letter_lang,
                policy=self.policy,
                seller_name=self.seller_name,
                **details,
            )
        except (OrderkitError, _Missing) as exc:
            self.advice = None
            self.answer.value = f"<i class='ok-inquiry-missing'>{html.escape(_said(exc, lang))}</i>"
            self.template.value = ""
            self.advice_text = ""
            return
        self.answer.value = self.advice.to_html()
        self.template.value = self.advice.template
        self.advice_text = str(self.advice)
