"""TodayPanel: what must be done today — the first thing the workbench shows.

The rules are :mod:`orderkit.today`'s; this widget asks its clock for *now* whenever it is drawn or
refreshed (the Refresh button; there is no hidden polling), shows the day's lists with countdowns
and the four rates against their targets, and opens an order when its row is clicked.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from functools import cache
from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets

from orderkit.book import OrderBook
from orderkit.businessdays import JST, to_jst
from orderkit.clock import ClockLike, as_clock, is_sample
from orderkit.i18n import date, datetime, percent, yen
from orderkit.metrics import TARGETS
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.status import OrderStatus
from orderkit.today import LISTS, Today, countdown, today
from orderkit.widgets._grid import grid, on_row, show
from orderkit.widgets._text import tr

__all__ = ["SHIPPABLE", "TodayPanel", "sample_banner"]

#: The lists of orders still to ship: each can be sent to bulk shipping as a whole.
SHIPPABLE = ("must_ship", "to_confirm", "late_open")

_TITLES = {
    "must_ship": "today_must_ship",
    "to_confirm": "today_to_confirm",
    "cvs_expiring": "today_cvs",
    "replies": "today_replies",
    "late_open": "today_late_open",
}
_DEADLINES = {
    "must_ship": "ship_by",
    "to_confirm": "confirm_by",
    "cvs_expiring": "pay_by",
    "replies": "reply_by",
    "late_open": "ship_by",
}
_RATE_LABELS = {
    "late_shipment_rate": "rate_late",
    "cancel_rate": "rate_cancel",
    "valid_tracking_rate": "rate_tracking",
}


def sample_banner(clock: object, lang: str) -> str:
    """Return the banner shown over sample data ("Sample data, as of 2026-11-26 18:00 JST"), or "".

    Only a clock marked ``sample`` (the sample's own instant) has one.
    """
    if not is_sample(clock):  # type: ignore[arg-type]
        return ""
    at = to_jst(clock.now())  # type: ignore[attr-defined]
    text = tr("sample_banner", lang, when=f"{at:%Y-%m-%d %H:%M} JST")
    return (
        "<div class='ok-sample-banner' style='background:#e8f0fe;border-left:4px solid #1a73e8;"
        f"padding:6px 10px;margin:4px 0'>ℹ {html.escape(text)}</div>"
    )


def _rate_tile(row: pd.Series, lang: str) -> str:
    target = TARGETS[row["metric"]]
    value = row["value"]
    shown = "—" if pd.isna(value) else percent(float(value), lang)
    goal = tr(
        "target_at_least" if target.at_least else "target_under",
        lang,
        value=percent(target.value, lang),
    )
    met = bool(row["met"])
    colour, mark = ("#1b5e20", "#e6f4ea") if met else ("#b00020", "#fdecea")
    label = tr(_RATE_LABELS[row["metric"]], lang)
    days = tr("window_days", lang, n=int(row["window_days"]))
    return (
        f"<div class='ok-rate ok-rate-{'met' if met else 'missed'}' "
        f"style='background:{mark};border-left:5px solid {colour};padding:6px 12px;margin:4px;"
        f"min-width:190px'>"
        f"<div style='font-size:12px'>{html.escape(label)} · {html.escape(days)}</div>"
        f"<div style='font-size:24px;font-weight:bold;color:{colour}'>{shown}</div>"
        f"<div style='font-size:12px'>{html.escape(goal)} {'✓' if met else '✗'}</div></div>"
    )


def _each(values: pd.Series, text: Callable[[Any], str]) -> list[str]:
    """Return ``text(v)`` for each value, calling it once per distinct value.

    Deadlines repeat (most fall at 23:59 of a few days) and Babel formats one in about a
    millisecond: hundreds of rows would otherwise cost a large share of a refresh.
    """
    done = {v: text(v) for v in pd.unique(values)}
    return [done[v] for v in values]


@cache
def _day(day: dt.date, lang: str) -> str:
    return date(day, lang)


def _when(value: object, lang: str) -> str:
    """Return an instant as :func:`orderkit.i18n.datetime` does, formatting each day only once."""
    jst = pd.Timestamp(value).tz_convert(JST)
    return f"{_day(jst.date(), lang)} {jst:%H:%M}"


def display_rows(frame: pd.DataFrame, name: str, lang: str) -> pd.DataFrame:
    """Return a Today list as the grid shows it: labelled columns, ¥, JST dates, countdowns."""
    return pd.DataFrame(
        {
            tr("order_id", lang): frame["order_id"].astype(str).to_numpy(),
            tr("buyer_name", lang): frame["buyer_name"].astype(str).to_numpy(),
            tr(_DEADLINES[name], lang): _each(frame["deadline"], lambda d: _when(d, lang)),
            tr("time_left", lang): _each(frame["seconds_left"], lambda s: countdown(int(s), lang)),
            tr("total", lang): _each(frame["total"], lambda t: yen(int(t), lang)),
            tr("status", lang): _each(frame["status"], lambda s: OrderStatus(s).label(lang)),
        }
    )


class TodayPanel(w.VBox):
    """Today: the orders to ship, confirm, collect or answer, the open late ones, and the rates.

    Args:
        book: the order book.
        now: the clock (:class:`orderkit.clock.Clock`), a fixed instant, or a function returning the
            time; asked again on every :meth:`refresh`.
        policy: the seller's policy.
        lang: ``"en"``, ``"ja"`` or ``"zh-Hans"`` (a trait).

    Traits:
        lang: the display language.
        opened: the order id of the row opened last (``None`` at first).

    Attributes:
        view: the :class:`orderkit.today.Today` drawn last.
        grids: one grid per list, by the names of :data:`orderkit.today.LISTS`.
    """

    lang = traitlets.Unicode("en")
    opened = traitlets.Unicode(None, allow_none=True)

    def __init__(
        self,
        book: OrderBook,
        *,
        now: ClockLike,
        policy: Policy = DEFAULT_POLICY,
        lang: str = "en",
    ) -> None:
        super().__init__()
        self.book, self.clock, self.policy = book, as_clock(now), policy
        self._handlers: list[Callable[[str], None]] = []
        self.title = w.HTML().add_class("ok-today-title")
        self.refresh_button = w.Button().add_class("ok-today-refresh")
        #: What the Refresh button runs (a workbench replaces it to refresh every part).
        self.refresher: Callable[[], None] = self.refresh
        self.refresh_button.on_click(lambda _: self.refresher())
        self.banner = w.HTML().add_class("ok-today-banner")
        self.rates = w.HTML().add_class("ok-today-rates")
        self.headings = {name: w.HTML().add_class(f"ok-today-heading-{name}") for name in LISTS}
        self._bulk_handlers: list[Callable[[list[str]], None]] = []
        #: "Confirm shipment of these N…" under each list of orders still to ship.
        self.bulk_buttons = {
            name: w.Button(layout=w.Layout(width="auto")).add_class(f"ok-today-bulk-{name}")
            for name in SHIPPABLE
        }
        for name, button in self.bulk_buttons.items():
            button.on_click(lambda _, n=name: self.bulk(n))
        empty = pd.DataFrame()
        self.grids = {name: grid(empty, lang).add_class(f"ok-today-{name}") for name in LISTS}
        for name, table in self.grids.items():
            on_row(table, lambda i, n=name: self._row_opened(n, i))
        sections = [
            w.VBox(
                [
                    w.HBox(
                        [self.headings[n], *([self.bulk_buttons[n]] if n in SHIPPABLE else [])],
                        layout=w.Layout(align_items="center", flex_flow="row wrap"),
                    ),
                    self.grids[n],
                ]
            )
            for n in LISTS
        ]
        self.children = (
            w.HBox([self.title, self.refresh_button], layout=w.Layout(align_items="center")),
            self.banner,
            self.rates,
            *sections,
        )
        self.add_class("ok-today")
        self.view: Today | None = None
        self.lang = lang
        self.refresh()

    @property
    def now(self) -> dt.datetime:
        """The clock's time now."""
        return self.clock.now()

    def on_open(self, handler: Callable[[str], None]) -> None:
        """Call ``handler(order_id)`` whenever a row is clicked."""
        self._handlers.append(handler)

    def open_order(self, order_id: str) -> None:
        """Open ``order_id``: set :attr:`opened` and call the handlers."""
        self.opened = order_id
        for handler in self._handlers:
            handler(order_id)

    def on_bulk(self, handler: Callable[[list[str]], None]) -> None:
        """Call ``handler(order_ids)`` when a list's orders are sent to bulk shipping."""
        self._bulk_handlers.append(handler)

    def bulk(self, name: str) -> list[str]:
        """Send the orders of list ``name`` (one of :data:`SHIPPABLE`) to bulk shipping.

        Returns:
            The list's order ids, in its order (none if it is empty).

        Raises:
            KeyError: ``name`` is not a list of orders to ship.
        """
        if name not in SHIPPABLE:
            raise KeyError(f"{name!r} is not a list of orders to ship: {', '.join(SHIPPABLE)}")
        frame = self.view.lists()[name] if self.view is not None else pd.DataFrame()
        ids = list(dict.fromkeys(frame["order_id"].astype(str))) if len(frame) else []
        if ids:
            for handler in self._bulk_handlers:
                handler(ids)
        return ids

    def set_book(self, book: OrderBook) -> None:
        """Show ``book`` (new data: a report, the store's latest) and redraw at the clock's time."""
        self.book = book
        self.refresh()

    def _row_opened(self, name: str, position: int) -> None:
        if self.view is None:
            return
        frame = self.view.lists()[name]
        if 0 <= position < len(frame):
            self.open_order(str(frame["order_id"].iloc[position]))

    @traitlets.observe("lang")
    def _lang_changed(self, _: object) -> None:
        if self.view is not None:
            self._draw()

    def refresh(self) -> None:
        """Ask the clock for the time, recompute today's lists and rates, and redraw."""
        self.view = today(self.book, self.now, policy=self.policy)
        self._draw()

    def _draw(self) -> None:
        view, lang = self.view, self.lang
        assert view is not None
        when = datetime(view.now, lang)
        self.title.value = (
            f"<h3 style='margin:4px 8px 4px 0'>{html.escape(tr('today', lang))} · "
            f"<span class='ok-today-now'>{html.escape(when)}</span></h3>"
        )
        self.refresh_button.description = tr("refresh", lang)
        self.banner.value = sample_banner(self.clock, lang)
        tiles = "".join(_rate_tile(r, lang) for _, r in view.rates.iterrows())
        self.rates.value = f"<div style='display:flex;flex-wrap:wrap'>{tiles}</div>"
        for name, frame in view.lists().items():
            count = len(frame)
            self.headings[name].value = (
                f"<h4 style='margin:10px 0 2px'>{html.escape(tr(_TITLES[name], lang))} "
                f"<span class='ok-today-count'>({count})</span></h4>"
            )
            table = self.grids[name]
            table.layout.display = None if count else "none"
            if name in SHIPPABLE:
                button = self.bulk_buttons[name]
                button.description = tr("bulk_list", lang, n=count)
                button.layout.display = None if count else "none"
            show(table, display_rows(frame, name, lang), lang)
