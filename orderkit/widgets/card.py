"""OrderCard: one order — items, price breakdown, timeline with deadlines, and the allowed actions."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets

from orderkit import charts
from orderkit.actions import Action, ActionCheck, available, make_event
from orderkit.book import OrderBook
from orderkit.businessdays import JST, to_jst
from orderkit.clock import ClockLike, as_clock
from orderkit.deadlines import confirm_warning_text
from orderkit.display import summary, timeline_table
from orderkit.errors import OrderkitError
from orderkit.events import CancelReason, Event
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.state import OrderState
from orderkit.widgets._text import tr

__all__ = ["Clock", "OrderCard"]

#: ``now`` for a widget: a :class:`orderkit.clock.Clock`, a fixed instant or a function returning
#: the time (one clock for every widget: :mod:`orderkit.clock`).
Clock = ClockLike

CARRIERS = (
    ("ヤマト運輸 / Yamato", "Yamato"),
    ("佐川急便 / Sagawa", "Sagawa"),
    ("日本郵便 / Japan Post", "JapanPost"),
    ("Other", "Other"),
)


#: The reasons a seller cancels for (the others are Amazon's or the buyer's own).
SELLER_CANCEL_REASONS = (
    CancelReason.OUT_OF_STOCK,
    CancelReason.BUYER_REQUESTED,
    CancelReason.NO_REPLY,
    CancelReason.ADDRESS_ISSUE,
    CancelReason.PRICING_ERROR,
    CancelReason.OTHER,
)


def _now(clock: Clock) -> dt.datetime:
    return as_clock(clock).now()


class OrderCard(w.VBox):
    """One order: what it is, where it stands, what may be done — and doing it.

    Args:
        book: the order book; actions are appended to it.
        order_id: the order to show (``None``: an empty card until :meth:`show` is called).
        now: the moment shown and at which actions happen — a datetime, or a function returning
            one (a notebook's live clock in Japan time, for real use).
        policy: the seller's policy.
        store: an :class:`orderkit.store.Store`; when given, every action is checked against the
            stored order and recorded there too.
        lang: ``"en"`` or ``"ja"``.

    Traits:
        order_id: the order shown.
        lang: the display language.
        last_result: the text of the last action's outcome (recorded or refused, with the rule).

    Only the actions the rules allow are enabled; each disabled one says which rule forbids it.
    """

    order_id = traitlets.Unicode(None, allow_none=True)
    lang = traitlets.Unicode("en")
    last_result = traitlets.Unicode("")

    def __init__(
        self,
        book: OrderBook,
        order_id: str | None = None,
        *,
        now: Clock,
        policy: Policy = DEFAULT_POLICY,
        store: Any = None,
        lang: str = "en",
    ) -> None:
        super().__init__()
        charts.enable_offline()
        self.book, self.clock, self.policy, self.store = book, now, policy, store
        self.header = w.HTML().add_class("ok-card-header")
        self.banner = w.HTML().add_class("ok-card-banner")
        self.facts = w.HTML().add_class("ok-card-summary")
        self.items = w.HTML().add_class("ok-card-items")
        self.chart = charts.placeholder().add_class("ok-card-chart")
        self.timeline = w.HTML().add_class("ok-card-timeline")
        self.buttons = {
            a: w.Button(layout=w.Layout(width="auto")).add_class(f"ok-action-{a.value}")
            for a in Action
        }
        self.refusals = w.HTML().add_class("ok-card-refusals")
        self.result = w.HTML().add_class("ok-card-result")
        self.carrier = w.Dropdown(options=CARRIERS, value="Yamato", layout=w.Layout(width="260px"))
        self.tracking = w.Text(layout=w.Layout(width="260px"))
        # Empty: the parcel leaves as the shipment is confirmed.
        self.shipped_on = w.DatePicker(layout=w.Layout(width="260px")).add_class(
            "ok-card-shipped-on"
        )
        self.amount = w.BoundedIntText(value=0, min=0, max=10**9, layout=w.Layout(width="200px"))
        self.cancel_reason = w.Dropdown(layout=w.Layout(width="320px"))
        self.checks: list[ActionCheck] = []
        self.state: OrderState | None = None
        self._handlers: list[Callable[[Event, OrderState], None]] = []
        for action, button in self.buttons.items():
            button.on_click(lambda _, a=action: self.act(a))
        inputs = w.HBox(
            [self.carrier, self.tracking, self.shipped_on, self.amount, self.cancel_reason],
            layout=w.Layout(flex_flow="row wrap"),
        )
        self.action_box = w.VBox(
            [
                inputs,
                w.HBox(list(self.buttons.values()), layout=w.Layout(flex_flow="row wrap")),
                self.refusals,
                self.result,
            ]
        )
        self.tabs = w.Tab(
            children=[
                w.HBox([self.facts, self.items]),
                w.VBox([self.chart, self.timeline]),
                self.action_box,
            ]
        )
        self.tabs.selected_index = 2
        self.children = (self.header, self.banner, self.tabs)
        self.add_class("ok-order-card")
        self.lang = lang
        self.order_id = order_id
        self.refresh()

    @property
    def now(self) -> dt.datetime:
        """The card's current moment."""
        return _now(self.clock)

    def on_change(self, handler: Callable[[Event, OrderState], None]) -> None:
        """Call ``handler(event, new_state)`` after every recorded action."""
        self._handlers.append(handler)

    def show(self, order_id: str) -> None:
        """Show ``order_id``."""
        self.order_id = order_id

    @traitlets.observe("order_id", "lang")
    def _changed(self, _: object) -> None:
        if self.children:
            self.refresh()

    # -- display ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute the order's state at ``now`` and redraw everything."""
        lang = self.lang
        self.carrier.description = tr("carrier", lang)
        self.tracking.description = tr("tracking", lang)
        self.shipped_on.description = tr("shipped_on", lang)
        self.amount.description = tr("amount", lang)
        self.cancel_reason.description = "理由" if lang == "ja" else "Reason"
        reason = self.cancel_reason.value or CancelReason.OUT_OF_STOCK
        self.cancel_reason.options = [(r.label(lang), r.value) for r in SELLER_CANCEL_REASONS]
        self.cancel_reason.value = reason
        for i, key in enumerate(("status", "timeline", "actions")):
            self.tabs.set_title(i, tr("order", lang) if key == "status" else tr(key, lang))
        for action, button in self.buttons.items():
            button.description = action.label(lang)
        if self.order_id is None:
            self.state = None
            self.header.value = f"<i>{tr('pick_order', lang)}</i>"
            for part in (self.banner, self.facts, self.items, self.timeline, self.refusals):
                part.value = ""
            for button in self.buttons.values():
                button.disabled = True
            return
        now = self.now
        view = self.book.order(self.order_id)
        self.state = state = view.state(at=now, policy=self.policy)
        facts = state.facts
        self.header.value = (
            f"<h3 style='margin:4px 0'>{html.escape(state.order_id)} "
            f"<span class='ok-status ok-status-{state.status.value}'>{state.status.label(lang)}</span></h3>"
            f"<div>{html.escape(facts.buyer_name or '')}</div>"
        )
        banners = []
        warning = confirm_warning_text(state, lang)
        if warning:
            banners.append(
                f"<div class='ok-banner ok-banner-warning' style='background:#fff4e5;padding:6px;border-left:4px solid #f59e0b'>⚠ {html.escape(warning)}</div>"
            )
        if state.shows_late:
            late = "出荷遅延" if lang == "ja" else "Shipment is late"
            banners.append(
                f"<div class='ok-banner ok-banner-late' style='background:#fdecea;padding:6px;border-left:4px solid #b00020'>⏰ {late}</div>"
            )
        self.banner.value = "".join(banners)
        self.facts.value = summary(state, lang).to_frame().to_html(header=False, classes="ok-table")
        self.items.value = self._items_html(view.items, state, lang)
        self.chart.chart = charts.order_timeline(state, lang=lang)
        self.timeline.value = timeline_table(state, lang).to_html(index=False, classes="ok-table")
        self.checks = available(view, now=now, policy=self.policy)
        refused = []
        for check in self.checks:
            button = self.buttons[check.action]
            button.disabled = not check.allowed
            button.tooltip = check.reason(lang)
            if not check.allowed:
                refused.append(
                    f"<li class='ok-refusal-{check.action.value}'><b>{check.action.label(lang)}</b>: {html.escape(check.reason(lang))}</li>"
                )
        self.refusals.value = f"<ul style='margin:4px 0'>{''.join(refused)}</ul>" if refused else ""
        if self.amount.value == 0:
            self.amount.value = state.refundable

    def _items_html(self, items: pd.DataFrame, state: OrderState, lang: str) -> str:
        head = "".join(
            f"<th>{tr(k, lang)}</th>" for k in ("items", "qty", "price", "shipping", "shipped")
        )
        rows = []
        for it in items.to_dict("records"):
            price = "" if pd.isna(it["item_price"]) else f"{int(it['item_price']):,}"
            ship = "" if pd.isna(it["shipping_price"]) else f"{int(it['shipping_price']):,}"
            rows.append(
                f"<tr><td>{html.escape(str(it['product_name'] or it['sku'] or it['order_item_id']))}</td>"
                f"<td>{int(it['quantity'])}</td><td>{price}</td><td>{ship}</td>"
                f"<td>{state.shipped.get(str(it['order_item_id']), 0)}</td></tr>"
            )
        total = f"{state.total:,}円" if lang == "ja" else f"¥{state.total:,}"
        return f"<table class='ok-table'><tr>{head}</tr>{''.join(rows)}<tr><td colspan=5><b>{tr('total', lang)}: {total}</b></td></tr></table>"

    # -- actions ----------------------------------------------------------------------------
    def _shipped_at(self) -> dt.datetime | None:
        """The start of the picked ship day in Japan time, for a day before today; else ``None``."""
        day = self.shipped_on.value
        now = self.now
        if day is None or day >= to_jst(now).date():
            return None
        return dt.datetime.combine(day, dt.time(0, 0), tzinfo=JST)

    def check(self, action: Action | str) -> ActionCheck:
        """Return whether ``action`` is allowed now, with the rule if not."""
        return next(c for c in self.checks if c.action == Action(action))

    def act(self, action: Action | str, **params: Any) -> OrderState | None:
        """Do ``action`` on the shown order now; return the new state, or ``None`` if refused.

        Parameters default to the card's inputs (carrier, tracking number, amount, reason). The
        event goes through the state machine and is recorded in the book (and the store).
        """
        action = Action(action)
        if self.order_id is None:
            return None
        defaults: dict[str, Any] = {
            Action.CONFIRM_SHIPMENT: {
                "carrier": self.carrier.value,
                "tracking_number": self.tracking.value or None,
                "shipped_at": self._shipped_at(),
            },
            Action.REFUND: {"amount": self.amount.value},
            Action.CANCEL: {"reason": self.cancel_reason.value},
        }.get(action, {})
        event = make_event(
            action, self.order_id, at=self.now, policy=self.policy, **{**defaults, **params}
        )
        try:
            state = self.book.order(self.order_id).check(event, policy=self.policy)
            if self.store is not None:
                self.store.record(event, policy=self.policy)
            self.book.extend([event])
        except OrderkitError as exc:
            why = exc.explain(self.lang) if hasattr(exc, "explain") else str(exc)
            self.last_result = tr("refused", self.lang, why=why)
            self.result.value = f"<span class='ok-result-refused' style='color:#b00020'>{html.escape(self.last_result)}</span>"
            return None
        self.last_result = tr("recorded", self.lang, what=action.label(self.lang))
        self.amount.value = 0
        self.refresh()
        self.result.value = f"<span class='ok-result-recorded' style='color:#1b5e20'>{html.escape(self.last_result)}</span>"
        for handler in self._handlers:
            handler(event, state)
        return state
