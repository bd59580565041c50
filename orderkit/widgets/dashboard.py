"""MetricsDashboard: a book → daily metrics and rates against targets, the at-risk list, export."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets

from orderkit import charts, metrics
from orderkit.actions import confirmations_for
from orderkit.book import OrderBook
from orderkit.businessdays import to_jst
from orderkit.errors import OrderkitError
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.widgets._text import tr
from orderkit.widgets.card import CARRIERS, Clock, _now

__all__ = ["MetricsDashboard"]


class MetricsDashboard(w.VBox):
    """Daily metrics and Amazon's rates for a book, the orders at risk, and the upload file.

    Args:
        book: the order book to start with (the sample, a report, or the store's).
        now: the moment rates and the at-risk list are computed at.
        sources: optional named loaders, ``{"name": callable returning an OrderBook}``, offered in
            a dropdown (e.g. the sample, a report file, the store).
        export_dir: where the shipping-confirmation file is written.
        policy: the seller's policy.
        lang: ``"en"`` or ``"ja"``.

    Traits:
        lang: the display language.
        exported: the path of the last file written (``""`` before).
    """

    lang = traitlets.Unicode("en")
    exported = traitlets.Unicode("")

    def __init__(
        self,
        book: OrderBook,
        *,
        now: Clock,
        sources: dict[str, Any] | None = None,
        export_dir: str | Path = ".",
        policy: Policy = DEFAULT_POLICY,
        lang: str = "en",
    ) -> None:
        super().__init__()
        charts.enable_offline()
        self.clock, self.policy, self.export_dir = now, policy, Path(export_dir)
        self.sources = sources or {}
        self.source = w.Dropdown(
            options=list(self.sources), layout=w.Layout(width="360px")
        ).add_class("ok-dash-source")
        self.load_button = w.Button().add_class("ok-dash-load")
        self.report_path = w.Text(layout=w.Layout(width="420px")).add_class("ok-dash-report-path")
        self.report_button = w.Button().add_class("ok-dash-load-report")
        self.start = w.DatePicker().add_class("ok-dash-start")
        self.end = w.DatePicker().add_class("ok-dash-end")
        self.status_chart = charts.placeholder().add_class("ok-dash-status")
        self.late_chart = charts.placeholder().add_class("ok-dash-late")
        self.rates_chart = charts.placeholder().add_class("ok-dash-rates")
        self.rates_table = w.HTML().add_class("ok-dash-rates-table")
        self.at_risk_title = w.HTML()
        self.at_risk = w.SelectMultiple(rows=8, layout=w.Layout(width="520px")).add_class(
            "ok-dash-at-risk"
        )
        self.carrier = w.Dropdown(options=CARRIERS, value="Yamato", layout=w.Layout(width="260px"))
        self.export_button = w.Button(button_style="warning").add_class("ok-dash-export")
        self.message = w.HTML().add_class("ok-dash-message")
        self.load_button.on_click(lambda _: self.load(self.source.value))
        self.report_button.on_click(lambda _: self.load_report(self.report_path.value))
        for picker in (self.start, self.end):
            picker.observe(lambda _: self.refresh(), names="value")
        self.export_button.on_click(lambda _: self.export())
        pickers = [self.source, self.load_button] if self.sources else []
        bar = w.VBox([w.HBox(pickers), w.HBox([self.report_path, self.report_button])])
        self.children = (
            bar,
            w.HBox([self.start, self.end]),
            self.status_chart,
            self.late_chart,
            self.rates_table,
            self.rates_chart,
            self.at_risk_title,
            self.at_risk,
            w.HBox([self.carrier, self.export_button]),
            self.message,
        )
        self.lang = lang
        self.set_book(book)

    @traitlets.observe("lang")
    def _lang_changed(self, _: object) -> None:
        if hasattr(self, "daily_all"):  # not before the first book is shown
            self.refresh()

    def load(self, name: str) -> None:
        """Load the book from the source called ``name`` and show it."""
        try:
            self.set_book(self.sources[name]())
        except (OrderkitError, OSError) as exc:
            self.message.value = f"<span style='color:#b00020'>{html.escape(str(exc))}</span>"

    def load_report(self, path: str) -> None:
        """Load a report downloaded from Seller Central (:func:`orderkit.io.read_report`).

        A file that cannot be read says why (file, line, column); rows that could not be read are
        counted in the message — nothing is dropped silently.
        """
        from orderkit.io import read_report

        try:
            book = read_report(path.strip())
        except (OrderkitError, OSError) as exc:
            self.message.value = f"<span style='color:#b00020'>{html.escape(str(exc))}</span>"
            return
        self.set_book(book)
        if book.problems:
            first = html.escape(str(book.problems[0]))
            self.message.value = tr("problems", self.lang, n=len(book.problems), first=first)

    def set_book(self, book: OrderBook) -> None:
        """Show ``book``: compute its daily metrics over its whole span and reset the range."""
        self.book = book
        now = _now(self.clock)
        self.daily_all = metrics.daily(book, end=to_jst(now).date(), policy=self.policy)
        days = self.daily_all.index
        self.start.value, self.end.value = (
            (days.min().date(), days.max().date()) if len(days) else (None, None)
        )
        self.refresh()

    @property
    def daily(self) -> Any:
        """The daily metrics over the chosen date range."""
        d = self.daily_all
        if self.start.value is not None:
            d = d[d.index >= pd.Timestamp(self.start.value)]
        if self.end.value is not None:
            d = d[d.index <= pd.Timestamp(self.end.value)]
        return d

    def refresh(self) -> None:
        """Redraw charts, rates and the at-risk list for the chosen range."""
        lang, now = self.lang, _now(self.clock)
        self.load_button.description = tr("load", lang)
        self.report_path.placeholder = tr("report_path", lang)
        self.report_button.description = tr("load_report", lang)
        self.source.description = tr("source", lang)
        self.start.description, self.end.description = tr("start", lang), tr("end", lang)
        self.carrier.description = tr("carrier", lang)
        self.export_button.description = tr("export", lang)
        self.at_risk_title.value = f"<h4>{tr('at_risk_list', lang)}</h4>"
        daily = self.daily
        if len(daily):
            self.status_chart.chart = charts.status_stacked(daily, lang=lang)
            self.late_chart.chart = charts.pending_vs_late(daily, lang=lang)
        end = now
        if self.end.value is not None:
            end = min(
                now,
                dt.datetime.combine(
                    self.end.value, dt.time(23, 59, 59), tzinfo=now.tzinfo or dt.UTC
                ),
            )
        self.rates = metrics.rates(self.book, at=end, policy=self.policy)
        self.rates_chart.chart = charts.rates_vs_targets(self.rates, lang=lang)
        rows = "".join(
            f"<tr><td>{html.escape(charts.label(r.metric, lang))} ({r.window_days}{'日' if lang == 'ja' else 'd'})</td><td>{r.numerator}/{r.denominator}</td>"
            f"<td>{'—' if r.value != r.value else f'{r.value:.1%}'}</td><td>{r.target}</td>"
            f"<td class='ok-met-{bool(r.met)}'>{'✔' if r.met else '✘'}</td></tr>"
            for r in self.rates.itertuples()
        )
        self.rates_table.value = (
            f"<h4>{tr('rates', lang)}</h4><table class='ok-table'>{rows}</table>"
        )
        fleet = metrics.status_at(self.book, end, policy=self.policy)
        risky = fleet[fleet["at_risk"]].sort_values("confirm_by")
        self.at_risk.options = [
            (
                f"{oid} · {'期限' if lang == 'ja' else 'confirm by'} {to_jst(cb.to_pydatetime()):%m-%d %H:%M}",
                oid,
            )
            for oid, cb in zip(risky.index, risky["confirm_by"], strict=True)
        ]

    def export(self, order_ids: list[str] | None = None) -> Path | None:
        """Write the shipping-confirmation upload file for the selected at-risk orders.

        Returns the file written, or ``None`` (nothing selected, or the file was refused — the
        message says which rule).
        """
        from orderkit.io import write_shipping_confirmation

        ids = list(order_ids if order_ids is not None else self.at_risk.value)
        if not ids:
            self.message.value = f"<i>{tr('choose', self.lang)}</i>"
            return None
        now = _now(self.clock)
        lines = confirmations_for(
            self.book, ids, at=now, carrier_code=self.carrier.value, policy=self.policy
        )
        path = self.export_dir / f"shipping-confirmation-{to_jst(now):%Y%m%d-%H%M}.txt"
        try:
            n = write_shipping_confirmation(lines, path, book=self.book, at=now)
        except OrderkitError as exc:
            self.message.value = f"<span style='color:#b00020'>{html.escape(str(exc))}</span>"
            return None
        self.exported = str(path)
        self.message.value = tr("exported", self.lang, n=n, path=html.escape(str(path)))
        return path
