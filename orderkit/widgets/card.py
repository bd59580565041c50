"""OrderCard: one order — items, price breakdown, timeline with deadlines, and the allowed actions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets

from orderkit import charts
from orderkit.actions import (
    Action,
    ActionCheck,
    ActionGroup,
    available,
    default_params,
    describe,
    make_event,
    tracking_warning,
    vtr_warning,
)
from orderkit.book import OrderBook
from orderkit.businessdays import JST, to_jst
from orderkit.clock import ClockLike, as_clock
from orderkit.deadlines import confirm_warning_text
from orderkit.display import summary
from orderkit.errors import OrderkitError
from orderkit.events import (
    CancelReason,
    Channel,
    Event,
    EventKind,
    Origin,
    ReturnReason,
    event_ids,
    events_frame,
)
from orderkit.i18n import N_, _, yen
from orderkit.i18n import datetime as when
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


_WIDE = {"description_width": "initial"}
_TIMELINE_TAB = 2  # a description as wide as its text: never cut off

_BANNER = (
    "<div class='ok-banner ok-banner-{kind}' style='background:{bg};padding:6px 8px;"
    "margin:2px 0;border-left:4px solid {edge}'>{icon} {text}</div>"
)


def _banner(kind: str, icon: str, text: str) -> str:
    colours = {"warning": ("#fff4e5", "#f59e0b"), "late": ("#fdecea", "#b00020")}
    bg, edge = colours.get(kind, ("#e8f0fe", "#1a73e8"))
    return _BANNER.format(kind=kind, bg=bg, edge=edge, icon=icon, text=html.escape(text))


def _details(event: Event, lang: str) -> str:
    """What an event carries besides its kind, in a few words."""
    parts = [str(v) for v in (event.carrier, event.tracking_number) if v is not None]
    if event.channel is not None:
        parts.append(Channel(event.channel).label(lang))
    if event.reason is not None:
        parts.append(_reason(event.reason, lang))
    if event.quantity is not None and event.order_item_id is not None:
        parts.insert(0, f"{event.order_item_id} × {event.quantity}")
    if event.amount is not None:
        parts.append(yen(int(event.amount), lang))
    if event.due is not None:
        parts.append(when(event.due, lang))
    return " · ".join(parts)


#: Why a refund was made (the FAQ's refunds: the saving of a combined shipment, items not sent).
_REFUND_REASONS = {
    "combined_shipment": N_("Saving of a combined shipment"),
    "partial_unavailable": N_("Items not sent"),
}


def _reason(reason: str, lang: str) -> str:
    """Return a cancel, return or refund reason in ``lang`` (as recorded if it is none)."""
    for kind in (CancelReason, ReturnReason):
        if reason in set(kind):
            return kind(reason).label(lang)
    return _(_REFUND_REASONS[reason], lang) if reason in _REFUND_REASONS else reason


def _event_id(event: Event) -> int:
    return int(event_ids(events_frame([event], with_ids=False))[0])


def _facts_html(facts: pd.Series) -> str:
    """The order's facts as a two-column table (label, value), empty values left out."""
    rows = "".join(
        f"<tr><th style='text-align:left;padding-right:12px'>{html.escape(str(k))}</th>"
        f"<td>{html.escape(str(v))}</td></tr>"
        for k, v in facts.items()
        if str(v) not in ("", "—", "nan", "None")
    )
    return f"<table class='ok-table ok-facts'>{rows}</table>"


def _frame_html(frame: pd.DataFrame) -> str:
    """A small table of text as HTML (not a DataFrame's repr: no index, no dtype styling)."""
    head = "".join(f"<th style='text-align:left'>{html.escape(str(c))}</th>" for c in frame)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return f"<table class='ok-table'><tr>{head}</tr>{body}</table>"


def _row(*children: w.Widget) -> w.HBox:
    return w.HBox(list(children), layout=w.Layout(flex_flow="row wrap", align_items="center"))


class OrderCard(w.VBox):
    """One order: what it is, where it stands, what may be done — and doing it, safely.

    Args:
        book: the order book; actions are appended to it.
        order_id: the order to show (``None``: an empty card until :meth:`show` is called).
        now: the moment shown and at which actions happen — a datetime, or a function returning
            one (a notebook's live clock in Japan time, for real use).
        policy: the seller's policy.
        store: an :class:`orderkit.store.Store`; when given, every action is checked against the
            stored order and recorded there too.
        lang: ``"en"``, ``"ja"`` or ``"zh-Hans"``.
        operator: who records the actions (set once in the workbench).

    Traits:
        order_id: the order shown.
        lang: the display language.
        operator: the name recorded with every action.
        pending: the irreversible action waiting for a "yes" (``""`` when none).
        last_result: the text of the last action's outcome (recorded or refused, with the rule).

    Only the actions the rules allow are enabled; each disabled one says which rule forbids it.
    The inputs start afresh for every order and after every action (a refund defaults to what is
    refundable). Confirming a shipment, canceling and refunding are irreversible on Amazon: their
    buttons first show what will happen, in words, and record only on "Yes, record it".
    """

    order_id = traitlets.Unicode(None, allow_none=True)
    lang = traitlets.Unicode("en")
    operator = traitlets.Unicode("")
    pending = traitlets.Unicode("")
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
        operator: str = "",
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
            a: w.Button(
                layout=w.Layout(width="auto"),
                button_style="primary" if a.irreversible else "",
            ).add_class(f"ok-action-{a.value}")
            for a in Action
        }
        self.refusals = w.HTML().add_class("ok-card-refusals")
        self.result = w.HTML().add_class("ok-card-result")
        self.carrier = w.Dropdown(options=CARRIERS, value="Yamato", style=_WIDE).add_class(
            "ok-card-carrier"
        )
        self.tracking = w.Text(style=_WIDE).add_class("ok-card-tracking")
        # Empty: the parcel leaves as the shipment is confirmed.
        self.shipped_on = w.DatePicker(style=_WIDE).add_class("ok-card-shipped-on")
        self.amount = w.BoundedIntText(value=0, min=0, max=10**9, style=_WIDE).add_class(
            "ok-card-amount"
        )
        self.cancel_reason = w.Dropdown(style=_WIDE).add_class("ok-card-reason")
        self.vtr = w.HTML().add_class("ok-card-vtr")
        self.who = w.HTML().add_class("ok-card-operator")
        self.checks: list[ActionCheck] = []
        self.state: OrderState | None = None
        self._handlers: list[Callable[[Event, OrderState], None]] = []
        for action, button in self.buttons.items():
            button.on_click(lambda _, a=action: self.request(a))
        self.tracking.observe(lambda _: self._show_vtr(), names="value")
        # the confirmation step of an irreversible action
        self.confirm_text = w.HTML().add_class("ok-card-confirm-text")
        self.confirm_yes = w.Button(button_style="danger", layout=w.Layout(width="auto"))
        self.confirm_back = w.Button(layout=w.Layout(width="auto"))
        self.confirm_yes.add_class("ok-card-confirm-yes").on_click(lambda _: self.confirm())
        self.confirm_back.add_class("ok-card-confirm-back").on_click(lambda _: self.dismiss())
        self.confirm_box = w.VBox(
            [self.confirm_text, _row(self.confirm_yes, self.confirm_back)],
            layout=w.Layout(
                display="none", border="2px solid #b00020", padding="8px", margin="6px 0"
            ),
        ).add_class("ok-card-confirm")
        # correcting a mistake: a new event voids (or amends) the mistaken one
        self.fix_title = w.HTML()
        self.fix_event = w.Dropdown(style=_WIDE, layout=w.Layout(width="auto")).add_class(
            "ok-card-fix-event"
        )
        self.fix_note = w.Text(style=_WIDE, layout=w.Layout(width="420px")).add_class(
            "ok-card-fix-note"
        )
        self.fix_tracking = w.Text(style=_WIDE).add_class("ok-card-fix-tracking")
        self.void_button = w.Button(layout=w.Layout(width="auto")).add_class("ok-card-void")
        self.amend_button = w.Button(layout=w.Layout(width="auto")).add_class("ok-card-amend")
        self.void_button.on_click(lambda _: self.request_correction("void"))
        self.amend_button.on_click(lambda _: self.request_correction("amend"))
        self.fix_event.observe(lambda _: self._show_fix_inputs(), names="value")
        self.fix_box = w.VBox(
            [
                self.fix_title,
                self.fix_event,
                self.fix_note,
                _row(self.fix_tracking, self.amend_button),
                self.void_button,
            ]
        ).add_class("ok-card-fix")
        self.seller_title = w.HTML()
        self.happened_title = w.HTML()
        b = self.buttons
        self.action_box = w.VBox(
            [
                self.who,
                self.seller_title,
                _row(self.carrier, self.tracking, self.shipped_on, b[Action.CONFIRM_SHIPMENT]),
                self.vtr,
                _row(self.cancel_reason, b[Action.CANCEL]),
                _row(self.amount, b[Action.REFUND]),
                _row(*(b[a] for a in Action if a.group is ActionGroup.SELLER
                       and a not in (Action.CONFIRM_SHIPMENT, Action.CANCEL, Action.REFUND))),
                self.happened_title,
                _row(*(b[a] for a in Action if a.group is ActionGroup.HAPPENED)),
                self.fix_box,
                self.confirm_box,
                self.result,
                self.refusals,
            ]
        ).add_class("ok-card-actions")  # fmt: skip
        self.tabs = w.Tab(
            children=[
                w.HBox([self.facts, self.items], layout=w.Layout(flex_flow="row wrap")),
                self.action_box,
                w.VBox([self.chart, self.timeline]),
            ]
        )
        self.tabs.selected_index = 0  # the order first; its banners are above the tabs
        self._chart_of: tuple[Any, ...] | None = None
        self.tabs.observe(self._draw_chart, names="selected_index")
        self.children = (self.header, self.banner, self.tabs)
        self.add_class("ok-order-card")
        self.operator = operator
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

    @traitlets.observe("order_id")
    def _order_changed(self, _: object) -> None:
        if self.children:
            self.pending = ""
            self.result.value = ""
            self.refresh()
            self.reset_inputs()

    @traitlets.observe("lang", "operator")
    def _relabel(self, _: object) -> None:
        if self.children:
            self.refresh()
            if self.pending:
                self._show_pending()

    # -- display ----------------------------------------------------------------------------
    def _label(self, lang: str) -> None:
        self.carrier.description = tr("carrier", lang)
        self.tracking.description = tr("tracking", lang)
        self.shipped_on.description = tr("shipped_on", lang)
        self.amount.description = tr("amount", lang)
        self.cancel_reason.description = tr("reason", lang)
        reason = self.cancel_reason.value or CancelReason.OUT_OF_STOCK
        self.cancel_reason.options = [(r.label(lang), r.value) for r in SELLER_CANCEL_REASONS]
        self.cancel_reason.value = reason
        for i, key in enumerate(("order", "actions", "timeline")):
            self.tabs.set_title(i, tr(key, lang))
        for action, button in self.buttons.items():
            button.description = action.label(lang)
        self.seller_title.value = f"<h4 style='margin:6px 0 2px'>{tr('seller_does', lang)}</h4>"
        self.happened_title.value = f"<h4 style='margin:10px 0 2px'>{tr('happened', lang)}</h4>"
        self.fix_title.value = f"<h4 style='margin:10px 0 2px'>{tr('fix_title', lang)}</h4>"
        self.fix_event.description = tr("fix_event", lang)
        self.fix_note.description = tr("fix_note", lang)
        self.fix_tracking.description = tr("fix_tracking", lang)
        self.void_button.description = tr("void", lang)
        self.amend_button.description = tr("amend", lang)
        self.confirm_yes.description = tr("confirm_yes", lang)
        self.confirm_back.description = tr("confirm_back", lang)
        name = self.operator.strip()
        self.who.value = (
            f"<div>{html.escape(tr('acting_as', lang, name=name))}</div>"
            if name
            else f"<div style='color:#666'><i>{tr('no_operator', lang)}</i></div>"
        )

    def refresh(self) -> None:
        """Recompute the order's state at ``now`` and redraw everything (inputs are kept)."""
        lang = self.lang
        self._label(lang)
        if self.order_id is None:
            self.state = None
            self.header.value = f"<i>{tr('pick_order', lang)}</i>"
            self.fix_event.options = []
            self.fix_box.layout.display = "none"
            for part in (self.banner, self.facts, self.items, self.timeline, self.refusals):
                part.value = ""
            self.vtr.value = ""
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
            banners.append(_banner("warning", "⚠", warning))
        if state.shows_late:
            banners.append(_banner("late", "⚠", tr("late_banner", lang)))
        self.banner.value = "".join(banners)
        self.facts.value = _facts_html(summary(state, lang))
        self.items.value = self._items_html(view.items, state, lang)
        self._chart_of = None  # drawn when the timeline tab is open: it is most of a redraw
        self._draw_chart()
        timeline = view.timeline  # built from the book's events on every call: once a redraw
        self.timeline.value = self._timeline_html(timeline, lang)
        self._fill_corrections(timeline, lang)
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
        self.refusals.value = (
            f"<ul style='margin:4px 0;color:#555'>{''.join(refused)}</ul>" if refused else ""
        )
        self._show_vtr()

    def _draw_chart(self, _: object = None) -> None:
        """Draw the timeline chart of the shown order, if its tab is open and it is not drawn."""
        key = (self.order_id, self.lang, self.state.at if self.state else None)
        if self.tabs.selected_index == _TIMELINE_TAB and self.state and self._chart_of != key:
            self.chart.chart = charts.order_timeline(self.state, lang=self.lang)
            self._chart_of = key

    def reset_inputs(self) -> None:
        """Start the inputs afresh for the shown order.

        No tracking number, shipped today, the default reason, and a refund of what is
        refundable. The carrier is kept (a seller's own).
        """
        self.tracking.value = ""
        self.shipped_on.value = None
        self.cancel_reason.value = CancelReason.OUT_OF_STOCK
        self.amount.value = (
            default_params(Action.REFUND, self.state)["amount"] if self.state is not None else 0
        )
        self._show_vtr()

    def _show_vtr(self) -> None:
        state = self.state
        shows = (
            state is not None
            and self.check_allowed(Action.CONFIRM_SHIPMENT)
            and tracking_warning(state, self.tracking.value, self.policy)
        )
        self.vtr.value = (
            _banner("warning", "⚠", vtr_warning(state, self.lang, policy=self.policy))
            if shows and state is not None
            else ""
        )

    def _timeline_html(self, timeline: pd.DataFrame, lang: str) -> str:
        """Every event of the order, corrections included, with who recorded it and why.

        A voided event is struck through, never hidden.
        """
        head = "".join(
            f"<th style='text-align:left'>{tr(k, lang)}</th>"
            for k in ("when", "event", "by", "details", "why")
        )
        rows = []
        for e in timeline.to_dict("records"):
            event = Event.from_row(e)
            struck = ("<s>", "</s>") if e["voided"] else ("", "")
            by = event.operator or ""
            cells = (
                when(event.at, lang),
                EventKind(event.kind).label(lang),
                html.escape(by),
                html.escape(_details(event, lang)),
                html.escape(event.note or ""),
            )
            rows.append(
                f"<tr class='ok-timeline-{event.kind.value}'>"
                + "".join(f"<td>{struck[0]}{c}{struck[1]}</td>" for c in cells)
                + "</tr>"
            )
        return f"<table class='ok-table ok-timeline'><tr>{head}</tr>{''.join(rows)}</table>"

    def _fill_corrections(self, frame: pd.DataFrame, lang: str) -> None:
        """Offer the live events of ``frame`` (the order's timeline) recorded in the workbench.

        Newest first: they are what may be corrected.
        """
        mine = frame[~frame["voided"] & (frame["origin"] == Origin.ACTION.value)]
        options = []
        for e in reversed(mine.to_dict("records")):
            event = Event.from_row(e)
            label = f"{when(event.at, lang)} · {EventKind(event.kind).label(lang)}"
            detail = _details(event, lang)
            label += f" · {detail}" if detail else ""
            options.append((label, int(e["event_id"])))
        keep = self.fix_event.value
        self.fix_event.options = options
        values = [v for _, v in options]
        self.fix_event.value = keep if keep in values else (values[0] if values else None)
        self.fix_box.layout.display = "flex" if options else "none"
        self._show_fix_inputs()

    def _fixed_event(self) -> Event | None:
        if self.fix_event.value is None or self.order_id is None:
            return None
        frame = self.book.order(self.order_id).timeline
        row = frame.loc[frame["event_id"] == self.fix_event.value]
        return Event.from_row(row.iloc[0].to_dict()) if len(row) else None

    def _show_fix_inputs(self) -> None:
        event = self._fixed_event()
        shipment = event is not None and event.kind is EventKind.SHIPMENT_CONFIRMED
        for part in (self.fix_tracking, self.amend_button):
            part.layout.display = "" if shipment else "none"

    def request_correction(self, how: str) -> None:
        """Ask before voiding (``"void"``) or amending (``"amend"``) the chosen event.

        A correction needs the operator's name and why; without them the card says so.
        """
        event = self._fixed_event()
        if event is None:
            return
        missing = (
            "no_operator" if not self.operator.strip()
            else "fix_need_note" if not self.fix_note.value.strip()
            else "fix_need_tracking" if how == "amend" and not self.fix_tracking.value.strip()
            else None
        )  # fmt: skip
        if missing:
            self._say(tr(missing, self.lang), error=True)
            return
        self.pending = f"{how}:{self.fix_event.value}"
        self._show_pending()

    def correct(
        self, event_id: int, *, note: str, tracking_number: str | None = None
    ) -> OrderState | None:
        """Void event ``event_id`` now (amend it, given a ``tracking_number``); return the state.

        Returns ``None`` if refused (the card says why). Append-only: a ``voided`` event with the operator and ``note`` is recorded (and, when
        amending, the confirmation again with the new number); nothing is deleted.
        """
        if self.order_id is None:
            return None
        now = self.now
        try:
            void = self.book.correction(event_id, at=now, operator=self.operator, note=note)
            replacement = None
            if tracking_number:
                old = next(
                    e for e in self.book.order(self.order_id).events if _event_id(e) == event_id
                )
                replacement = dataclasses.replace(
                    old, at=now, tracking_number=tracking_number.strip(),
                    operator=self.operator.strip(), note=note.strip(), origin=Origin.CORRECTION,
                )  # fmt: skip
            self._record_correction(event_id, void, replacement, note)
        except (OrderkitError, ValueError, KeyError) as exc:
            why = exc.explain(self.lang) if hasattr(exc, "explain") else str(exc)
            self._say(tr("refused", self.lang, why=why), error=True)
            return None
        self.fix_note.value = self.fix_tracking.value = ""
        self.refresh()
        self._say(tr("corrected", self.lang))
        for handler in self._handlers:
            handler(void, self.state)  # type: ignore[arg-type]
        return self.state

    def _record_correction(
        self, event_id: int, void: Event, replacement: Event | None, note: str
    ) -> None:
        """Record the void (and the replacement) in the store first, then in the book."""
        at, who = void.at, void.operator or ""
        if self.store is not None:
            if replacement is not None and hasattr(self.store, "amend"):
                self.store.amend(event_id, replacement, at=at, operator=who, note=note)
            elif hasattr(self.store, "void"):
                self.store.void(event_id, at=at, operator=who, note=note)
                if replacement is not None:
                    self.store.record(replacement, policy=self.policy)
            else:
                raise OrderkitError("this store cannot record corrections yet")
        self.book.void(event_id, at=at, operator=who, note=note, policy=self.policy)
        if replacement is not None:
            self.book.order(replacement.order_id).check(replacement, policy=self.policy)
            self.book.extend([replacement])

    def _say(self, text: str, *, error: bool = False) -> None:
        self.last_result = text
        kind, colour = ("refused", "#b00020") if error else ("recorded", "#1b5e20")
        self.result.value = (
            f"<span class='ok-result-{kind}' style='color:{colour}'>{html.escape(text)}</span>"
        )

    def _items_html(self, items: pd.DataFrame, state: OrderState, lang: str) -> str:
        head = "".join(
            f"<th>{tr(k, lang)}</th>" for k in ("items", "qty", "price", "shipping", "shipped")
        )
        rows = []
        for it in items.to_dict("records"):
            price = "" if pd.isna(it["item_price"]) else yen(int(it["item_price"]), lang)
            ship = "" if pd.isna(it["shipping_price"]) else yen(int(it["shipping_price"]), lang)
            rows.append(
                f"<tr><td>{html.escape(str(it['product_name'] or it['sku'] or it['order_item_id']))}</td>"
                f"<td>{int(it['quantity'])}</td><td>{price}</td><td>{ship}</td>"
                f"<td>{state.shipped.get(str(it['order_item_id']), 0)}</td></tr>"
            )
        total = yen(state.total, lang)
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

    def check_allowed(self, action: Action | str) -> bool:
        """Return whether the rules allow ``action`` on the shown order now."""
        return any(c.action == Action(action) and c.allowed for c in self.checks)

    def inputs(self, action: Action | str) -> dict[str, Any]:
        """Return the parameters the card's inputs give ``action`` (carrier, tracking number…)."""
        return {
            Action.CONFIRM_SHIPMENT: lambda: {
                "carrier": self.carrier.value,
                "tracking_number": self.tracking.value.strip() or None,
                "shipped_at": self._shipped_at(),
            },
            Action.REFUND: lambda: {"amount": self.amount.value},
            Action.CANCEL: lambda: {"reason": self.cancel_reason.value},
        }.get(Action(action), dict)()

    def request(self, action: Action | str) -> OrderState | None:
        """Do what ``action``'s button does; return the new state, or ``None``.

        An irreversible action waits for :meth:`confirm`, showing what it will do in words;
        the others are recorded at once.
        """
        action = Action(action)
        if action.irreversible:
            self.pending = action.value
            self._show_pending()
            return None
        return self.act(action)

    def _show_pending(self) -> None:
        if not self.pending or self.state is None:
            self.confirm_box.layout.display = "none"
            return
        if ":" in self.pending:
            text = self._describe_correction()
        else:
            action = Action(self.pending)
            text = describe(
                action, self.state, self.lang, policy=self.policy, **self.inputs(action)
            )
        self.confirm_text.value = (
            f"<b>{tr('confirm_title', self.lang)}</b><p style='margin:4px 0'>{html.escape(text)}</p>"
            f"<p style='margin:4px 0;color:#b00020'>{tr('irreversible', self.lang)}</p>"
        )
        self.confirm_box.layout.display = "flex"

    def _describe_correction(self) -> str:
        how, _ = self.pending.split(":", 1)
        event = self._fixed_event()
        what = "" if event is None else EventKind(event.kind).label(self.lang)
        if how == "amend":
            return tr("amend_summary", self.lang, what=what, number=self.fix_tracking.value.strip(),
                      why=self.fix_note.value.strip(), name=self.operator.strip())  # fmt: skip
        return tr("void_summary", self.lang, what=what, why=self.fix_note.value.strip(),
                  name=self.operator.strip())  # fmt: skip

    def confirm(self) -> OrderState | None:
        """Record the pending irreversible action; return the new state (``None``: refused)."""
        if not self.pending:
            return None
        pending, self.pending = self.pending, ""
        self.confirm_box.layout.display = "none"
        if ":" in pending:
            how, event_id = pending.split(":", 1)
            tracking = self.fix_tracking.value if how == "amend" else None
            return self.correct(int(event_id), note=self.fix_note.value, tracking_number=tracking)
        return self.act(Action(pending))

    def dismiss(self) -> None:
        """Drop the pending action: nothing is recorded."""
        self.pending = ""
        self.confirm_box.layout.display = "none"

    def act(self, action: Action | str, **params: Any) -> OrderState | None:
        """Do ``action`` on the shown order now; return the new state, or ``None`` if refused.

        Recorded at once (code calls this; the card's buttons ask first, see :meth:`request`).
        Parameters default to the card's inputs (carrier, tracking number, amount, reason). The
        event goes through the state machine and is recorded in the book (and the store).
        """
        action = Action(action)
        if self.order_id is None:
            return None
        event = make_event(
            action, self.order_id, at=self.now, policy=self.policy,
            **{"operator": self.operator.strip() or None, **self.inputs(action), **params},
        )  # fmt: skip
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
        self.refresh()
        self.reset_inputs()
        self.result.value = f"<span class='ok-result-recorded' style='color:#1b5e20'>{html.escape(self.last_result)}</span>"
        for handler in self._handlers:
            handler(event, state)
        return state
