"""MetricsDashboard: a book → daily metrics and rates against targets, the at-risk list, export."""

from __future__ import annotations

import datetime as dt
import html
import tempfile
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
import traitlets

from orderkit import charts, metrics
from orderkit.actions import confirmations_for
from orderkit.book import OrderBook
from orderkit.businessdays import to_jst
from orderkit.deadlines import time_left
from orderkit.errors import ConfirmationError, OrderkitError
from orderkit.i18n import datetime as when
from orderkit.i18n import percent
from orderkit.io.spreadsheet import spreadsheet_csv
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.widgets._text import tr
from orderkit.widgets.card import CARRIERS, Clock, _now
from orderkit.widgets.files import (
    Download,
    Uploaded,
    error_text,
    read_uploaded_report,
    uploaded_files,
)

__all__ = ["MetricsDashboard"]


class MetricsDashboard(w.VBox):
    """Daily metrics and Amazon's rates for a book, the orders at risk, and the upload file.

    Args:
        book: the order book to start with (the sample, a report, or the store's).
        now: the moment rates and the at-risk list are computed at.
        sources: optional named loaders, ``{"name": callable returning an OrderBook}``, offered in
            a dropdown (e.g. the sample, a report file, the store).
        export_dir: where the shipping-confirmation file is also saved (``None``: it is only
            offered as a download).
        policy: the seller's policy.
        lang: ``"en"``, ``"ja"`` or ``"zh-Hans"``.
        store: an :class:`orderkit.store.Store`: a report loaded is imported into it (reconciled:
            only what is new is added) and the import summary is shown; the store's book is then
            shown. ``None``: the report is shown alone.

    Traits:
        lang: the display language.
        exported: the name of the last upload file offered (``""`` before).

    Reports are loaded by upload (or :meth:`load_report` from code); the upload file is offered
    as a download. Every message is in the chosen language.
    """

    lang = traitlets.Unicode("en")
    exported = traitlets.Unicode("")

    def __init__(
        self,
        book: OrderBook,
        *,
        now: Clock,
        sources: dict[str, Any] | None = None,
        export_dir: str | Path | None = None,
        policy: Policy = DEFAULT_POLICY,
        lang: str = "en",
        store: Any = None,
    ) -> None:
        super().__init__()
        charts.enable_offline()
        self.clock, self.policy, self.store = now, policy, store
        self.export_dir = None if export_dir is None else Path(export_dir)
        self.sources = sources or {}
        self._load_handlers: list[Any] = []
        self.source = w.Dropdown(
            options=list(self.sources), layout=w.Layout(width="360px")
        ).add_class("ok-dash-source")
        self.load_button = w.Button().add_class("ok-dash-load")
        self.upload = w.FileUpload(
            accept=".txt,.tsv,.csv", multiple=False, layout=w.Layout(width="auto")
        ).add_class("ok-dash-upload")
        self.upload_hint = w.HTML().add_class("ok-dash-upload-hint")
        self.start = w.DatePicker(style={"description_width": "initial"}).add_class("ok-dash-start")
        self.end = w.DatePicker(style={"description_width": "initial"}).add_class("ok-dash-end")
        self.status_chart = charts.placeholder().add_class("ok-dash-status")
        self.late_chart = charts.placeholder().add_class("ok-dash-late")
        self.rates_chart = charts.placeholder().add_class("ok-dash-rates")
        self.rates_table = w.HTML().add_class("ok-dash-rates-table")
        self.at_risk_title = w.HTML()
        self.at_risk = w.SelectMultiple(rows=8, layout=w.Layout(width="100%")).add_class(
            "ok-dash-at-risk"
        )
        self.carrier = w.Dropdown(
            options=CARRIERS, value="Yamato", style={"description_width": "initial"}
        )
        self.export_button = w.Button(button_style="warning", layout=w.Layout(width="auto"))
        self.export_button.add_class("ok-dash-export")
        self.message = w.HTML().add_class("ok-dash-message")
        self.download = Download()
        self.csv_button = w.Button(layout=w.Layout(width="auto")).add_class("ok-dash-csv")
        self.csv_button.on_click(lambda _: self.export_csv())
        self.csv_download = Download()
        self.load_button.on_click(lambda _: self.load(self.source.value))
        self.upload.observe(lambda _: self._uploaded(), names="value")
        self._setting_range = False  # set_book sets both dates, then draws once
        for picker in (self.start, self.end):
            picker.observe(lambda _: self._range_changed(), names="value")
        self.export_button.on_click(lambda _: self.export())
        pickers = [self.source, self.load_button] if self.sources else []
        bar = w.HBox(
            [*pickers, self.upload, self.upload_hint],
            layout=w.Layout(flex_flow="row wrap", align_items="center"),
        )
        row = w.Layout(flex_flow="row wrap", align_items="center")
        # headline first: the rates against their targets, then what to act on, then the trends
        self.children = (
            bar,
            self.message,
            self.rates_table,
            self.at_risk_title,
            self.at_risk,
            w.HBox([self.carrier, self.export_button, self.download], layout=row),
            w.HBox([self.start, self.end], layout=row),
            self.rates_chart,
            self.status_chart,
            self.late_chart,
            w.HBox([self.csv_button, self.csv_download], layout=row),
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
            self._error(error_text(exc, name, self.lang))

    def _error(self, text: str) -> None:
        self.message.value = f"<span style='color:#b00020'>{html.escape(text)}</span>"

    def _uploaded(self) -> None:
        files = uploaded_files(self.upload)
        if files:
            self.load_upload(files[-1])

    def load_upload(self, file: Uploaded) -> None:
        """Load a report uploaded from the user's machine (:func:`orderkit.io.read_report`)."""
        try:
            book = read_uploaded_report(file)
        except (OrderkitError, OSError) as exc:
            self._error(error_text(exc, file.name, self.lang))
            return
        self._loaded(book, file.name)

    def load_report(self, path: str | Path) -> None:
        """Load a report downloaded from Seller Central, from a path (for code and tests).

        A file that cannot be read says why (file, line, column) in the chosen language; rows
        that could not be read are counted in the message — nothing is dropped silently.
        """
        from orderkit.io import read_report

        name = Path(str(path).strip()).name
        try:
            book = read_report(str(path).strip())
        except (OrderkitError, OSError) as exc:
            self._error(error_text(exc, name, self.lang))
            return
        self._loaded(book, name)

    def on_load(self, handler: Any) -> None:
        """Call ``handler(book, name)`` when a report is loaded, before it is shown.

        An app switches its clock from the sample's instant to the real time here.
        """
        self._load_handlers.append(handler)

    def _loaded(self, book: OrderBook, name: str) -> None:
        summary = None
        if self.store is not None:  # imported into the shared store: reconciled, summarised
            try:
                summary = self.store.save(book, policy=self.policy)
                book = self.store.load()
            except OrderkitError as exc:
                self._error(error_text(exc, name, self.lang))
                return
        for handler in self._load_handlers:
            handler(book, name)
        self.set_book(book)
        if summary is not None:
            lines = [tr("loaded", self.lang, name=name, n=len(book.orders))]
            lines += summary.describe(self.lang).splitlines()
            self.message.value = "<br>".join(html.escape(line) for line in lines)
        elif book.problems:
            first = error_text(book.problems[0], name, self.lang)
            self.message.value = html.escape(
                tr("problems", self.lang, n=len(book.problems), first=first)
            )
        else:
            self.message.value = html.escape(tr("loaded", self.lang, name=name, n=len(book.orders)))

    def set_book(self, book: OrderBook) -> None:
        """Show ``book``: compute its daily metrics over its whole span and reset the range."""
        self.book = book
        now = _now(self.clock)
        self.daily_all = metrics.daily(book, end=to_jst(now).date(), policy=self.policy)
        days = self.daily_all.index
        self._setting_range = True
        try:
            self.start.value, self.end.value = (
                (days.min().date(), days.max().date()) if len(days) else (None, None)
            )
        finally:
            self._setting_range = False
        self.refresh()

    def _range_changed(self) -> None:
        """A date was picked: draw the chosen range (not while :meth:`set_book` sets both)."""
        if not self._setting_range:
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
        self.upload.description = tr("load_report", lang)
        self.upload_hint.value = f"<span style='color:#555'>{tr('report_path', lang)}</span>"
        self.source.description = tr("source", lang)
        self.start.description, self.end.description = tr("start", lang), tr("end", lang)
        self.carrier.description = tr("carrier", lang)
        self.export_button.description = tr("export", lang)
        self.csv_button.description = tr("daily_csv", lang)
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
        self.rates_table.value = self._rates_html(lang)
        fleet = metrics.status_at(self.book, end, policy=self.policy)
        risky = fleet[fleet["at_risk"]].sort_values("confirm_by")
        states = {
            oid: self.book.order(oid).state(at=now, policy=self.policy) for oid in risky.index
        }
        self.at_risk.rows = max(3, min(8, len(risky)))
        self.at_risk.options = [
            (
                " · ".join(
                    [
                        str(oid),
                        tr("confirm_by_left", lang, when=when(cb.to_pydatetime(), lang),
                           left=time_left(cb.to_pydatetime(), now, lang)),
                        states[oid].facts.buyer_name or "",
                    ]
                ),
                str(oid),
            )
            for oid, cb in zip(risky.index, risky["confirm_by"], strict=True)
        ]  # fmt: skip

    def _rates_html(self, lang: str) -> str:
        """The four rates as headline figures: value, target, green when met, red when not."""
        head = "".join(f"<th>{tr(k, lang)}</th>" for k in ("rate", "value", "target", "met"))
        rows = []
        for r in self.rates.itertuples():
            value = "—" if r.value != r.value else percent(r.value, lang)
            colour = "#1b5e20" if r.met else "#b00020"
            target = ("≥ " if r.metric == "valid_tracking_rate" else "< ") + percent(r.target, lang)
            window = tr("window_days", lang, n=r.window_days)
            rows.append(
                f"<tr><td>{html.escape(charts.label(r.metric, lang))} ({window})</td>"
                f"<td style='text-align:right;font-size:1.3em;color:{colour}'><b>{value}</b>"
                f" <small style='color:#555'>({r.numerator:,}/{r.denominator:,})</small></td>"
                f"<td style='text-align:right'>{target}</td>"
                f"<td class='ok-met-{bool(r.met)}' style='color:{colour};text-align:center'>"
                f"{'✓' if r.met else '✗'}</td></tr>"
            )
        return f"<h4>{tr('rates', lang)}</h4><table class='ok-table'><tr>{head}</tr>{''.join(rows)}</table>"

    def export_csv(self) -> bytes:
        """Offer the daily figures of the chosen range as a CSV a spreadsheet opens; return it.

        UTF-8 with a byte-order mark, so that Excel reads the Japanese headers right.
        """
        lang = self.lang
        frame = self.daily.copy()
        frame.index = [d.strftime("%Y-%m-%d") for d in frame.index]
        frame.index.name = tr("day", lang)
        data = spreadsheet_csv(frame.reset_index())  # formula-safe, UTF-8 with BOM, CRLF
        start, end = frame.index.min(), frame.index.max()
        self.csv_download.offer(data, f"daily-{start}-{end}.csv", mime="text/csv", lang=lang)
        return data

    def export(self, order_ids: list[str] | None = None) -> Path | None:
        """Offer the shipping-confirmation upload file for the selected at-risk orders.

        The file is offered as a download and, with an ``export_dir``, saved there too. Returns
        the file saved, or ``None`` (not saved, nothing selected, or the file was refused — the
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
        name = f"shipping-confirmation-{to_jst(now):%Y%m%d-%H%M}.txt"
        with tempfile.TemporaryDirectory(prefix="orderkit-") as tmp:
            path = (self.export_dir or Path(tmp)) / name
            try:
                n = write_shipping_confirmation(lines, path, book=self.book, at=now)
            except ConfirmationError as exc:
                self._error(f"{exc.order_id}: {exc.rule.text(self.lang)}")
                return None
            data = path.read_bytes()
        self.download.offer(data, name, mime="text/tab-separated-values", lang=self.lang)
        self.exported = name
        self.message.value = html.escape(tr("exported_rows", self.lang, n=n, name=name))
        return path if self.export_dir is not None else None
