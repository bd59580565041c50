"""BulkShipping: confirm the shipment of many orders at once, as a shipping desk does.

The desk selects orders (Today or the explorer hand them over as a list of order ids), brings the
tracking numbers — pasted, or the CSV its carrier's system exports — maps the order-number and
tracking-number columns once (remembered for the next file with the same columns), looks at the
preview of what will be confirmed and charged, confirms, and downloads the upload file for
Seller Central. It also prints every packing slip due today as one document. The rules live in
:mod:`orderkit.bulk`; this widget shows and records.
"""

from __future__ import annotations

import html
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as w
import traitlets

from orderkit import bulk
from orderkit.actions import confirmations_for
from orderkit.book import OrderBook
from orderkit.businessdays import to_jst
from orderkit.errors import ConfirmationError, OrderkitError
from orderkit.events import Event
from orderkit.i18n import N_, _, yen
from orderkit.io.confirmation import validate_confirmations
from orderkit.io.files import write_atomic
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.widgets.card import CARRIERS, Clock, _now
from orderkit.widgets.files import Download, error_text, uploaded_files

__all__ = ["BulkShipping"]

_WIDE = {"description_width": "initial"}

T = {
    "title": N_("Confirm shipment in bulk"),
    "selected": N_("{n} orders selected"),
    "selected_one": N_("{n} order selected"),
    "vtr_one": N_("{n} parcel has no tracking number and lowers the Valid Tracking Rate."),
    "vtr": N_("{n} parcels have no tracking number and lower the Valid Tracking Rate."),
    "carrier": N_("Carrier"),
    "paste": N_("Paste order numbers and tracking numbers (one order a line)"),
    "upload": N_("Carrier CSV"),
    "order_col": N_("Order number column"),
    "tracking_col": N_("Tracking number column"),
    "unmatched": N_("Rows not used"),
    "missing": N_("Selected orders with no tracking number in the file: {ids}"),
    "order": N_("Order no."),
    "items": N_("Items"),
    "charge": N_("Charged now"),
    "tracking": N_("Tracking no."),
    "check": N_("Check"),
    "ok": N_("✓ ready"),
    "no_tracking": N_("⚠ no tracking number (Valid Tracking Rate)"),
    "bad_tracking": N_("not a tracking number of {name}: check the digits"),
    "confirm": N_("Confirm shipment of the ready orders"),
    "summary": N_(
        "Confirm the shipment of {n} orders ({items} items): buyers are charged {total} in"
        " total; {refused} orders are left out by the rules."
    ),
    "yes": N_("Yes, record it"),
    "back": N_("Back"),
    "irreversible": N_("This cannot be undone on Amazon."),
    "recorded": N_("Recorded {n} shipment confirmations. Upload the file to Seller Central."),
    "saved": N_("Saved as {path}."),
    "nothing": N_("No order can be confirmed: select orders the rules allow to ship."),
    "select_due": N_("Select the orders to ship by today, overdue ones too ({n})"),
    "slips": N_("Packing slips of the orders to ship by today ({n})"),
    "no_slips": N_("No order is due to ship today."),
    "why_no_order_number": N_("no order number"),
    "why_not_selected": N_("order not selected"),
    "why_no_tracking": N_("no tracking number"),
    "why_duplicate": N_("a second number for the order"),
    "line": N_("line {line}"),
}


def _t(key: str, lang: str, **values: object) -> str:
    return _(T[key], lang, **values)


class BulkShipping(w.VBox):
    """Confirm the shipment of many orders with tracking numbers from a carrier's file.

    Args:
        book: the order book; confirmations are appended to it.
        order_ids: the selected orders (also settable later through the trait).
        now: the moment of the confirmations — a datetime or a function returning one.
        store: an :class:`orderkit.store.Store` to record into as well.
        export_dir: where the upload file and the slips are also saved (``None``: only offered
            as downloads).
        seller_name: printed on the packing slips.
        policy: the seller's policy.
        lang: the display language.
        operator: who records the confirmations.

    Traits:
        order_ids: the selected orders.
        order_column, tracking_column: the mapping of the carrier file's columns (kept for the
            next file that has them).
        lang, operator: as in :class:`~orderkit.widgets.OrderCard`.
        last_result: the outcome of the last step, as the user read it.
    """

    order_ids = traitlets.List(traitlets.Unicode())
    order_column = traitlets.Unicode("")
    tracking_column = traitlets.Unicode("")
    lang = traitlets.Unicode("en")
    operator = traitlets.Unicode("")
    last_result = traitlets.Unicode("")

    def __init__(
        self,
        book: OrderBook,
        order_ids: list[str] | None = None,
        *,
        now: Clock,
        store: Any = None,
        export_dir: str | Path | None = None,
        seller_name: str = "",
        policy: Policy = DEFAULT_POLICY,
        lang: str = "en",
        operator: str = "",
    ) -> None:
        super().__init__()
        self.book, self.clock, self.store, self.policy = book, now, store, policy
        self.export_dir = None if export_dir is None else Path(export_dir)
        self.seller_name = seller_name
        self.file: bulk.CarrierFile | None = None
        self.match: bulk.TrackingMatch | None = None
        self.lines: list[bulk.PreviewLine] = []
        self._handlers: list[Callable[[list[Event]], None]] = []
        self.title = w.HTML()
        self.carrier = w.Dropdown(options=CARRIERS, value="Yamato", style=_WIDE)
        self.upload = w.FileUpload(
            accept=".csv,.txt,.tsv", multiple=False, layout=w.Layout(width="auto")
        ).add_class("ok-bulk-upload")
        self.pasted = w.Textarea(layout=w.Layout(width="100%", height="80px")).add_class(
            "ok-bulk-paste"
        )
        self.order_col = w.Dropdown(style=_WIDE).add_class("ok-bulk-order-col")
        self.tracking_col = w.Dropdown(style=_WIDE).add_class("ok-bulk-tracking-col")
        self.mapping = w.HBox([self.order_col, self.tracking_col])
        self.mapping.layout.display = "none"
        self.unmatched = w.HTML().add_class("ok-bulk-unmatched")
        self.table = w.HTML().add_class("ok-bulk-preview")
        self.confirm_button = w.Button(button_style="primary", layout=w.Layout(width="auto"))
        self.confirm_button.add_class("ok-bulk-confirm").on_click(lambda _: self.ask())
        self.confirm_text = w.HTML().add_class("ok-bulk-confirm-text")
        self.yes = w.Button(button_style="danger", layout=w.Layout(width="auto"))
        self.back = w.Button(layout=w.Layout(width="auto"))
        self.yes.add_class("ok-bulk-yes").on_click(lambda _: self.record())
        self.back.add_class("ok-bulk-back").on_click(lambda _: self.dismiss())
        self.confirm_box = w.VBox(
            [self.confirm_text, w.HBox([self.yes, self.back])],
            layout=w.Layout(display="none", border="2px solid #b00020", padding="8px"),
        ).add_class("ok-bulk-confirm-box")
        self.message = w.HTML().add_class("ok-bulk-message")
        self.download = Download()
        self.due_button = w.Button(layout=w.Layout(width="auto")).add_class("ok-bulk-due")
        self.due_button.on_click(lambda _: self.select_due_today())
        self.slips_button = w.Button(layout=w.Layout(width="auto")).add_class("ok-bulk-slips")
        self.slips_button.on_click(lambda _: self.print_slips())
        self.slips_download = Download()
        self.upload.observe(lambda _: self._uploaded(), names="value")
        self.pasted.observe(lambda _: self.use_pasted(self.pasted.value), names="value")
        self.order_col.observe(lambda _: self._mapped(), names="value")
        self.tracking_col.observe(lambda _: self._mapped(), names="value")
        self.carrier.observe(lambda _: self.refresh(), names="value")
        self.children = (
            self.title,
            self.due_button,
            self.carrier,
            w.HBox([self.upload], layout=w.Layout(align_items="center")),
            self.pasted,
            self.mapping,
            self.unmatched,
            self.table,
            self.confirm_button,
            self.confirm_box,
            self.message,
            self.download,
            w.HBox([self.slips_button, self.slips_download], layout=w.Layout(flex_flow="row wrap")),
        )
        self.add_class("ok-bulk")
        self.operator = operator
        self.lang = lang
        self.order_ids = list(order_ids or [])
        self.refresh()

    @property
    def now(self) -> Any:
        """The widget's current moment."""
        return _now(self.clock)

    def on_recorded(self, handler: Callable[[list[Event]], None]) -> None:
        """Call ``handler(events)`` after confirmations are recorded."""
        self._handlers.append(handler)

    @traitlets.observe("order_ids", "lang")
    def _changed(self, _: object) -> None:
        if self.children:
            self.dismiss()
            self._match()

    def select_due_today(self) -> None:
        """Select every order due to ship today (and those overdue)."""
        self.order_ids = bulk.due_today(self.book, at=self.now, policy=self.policy)

    # -- tracking numbers -------------------------------------------------------------------
    def _uploaded(self) -> None:
        files = uploaded_files(self.upload)
        if not files:
            return
        file = files[-1]
        try:
            self.use_file(bulk.read_carrier_csv(file.content, file.name))
        except (OrderkitError, UnicodeDecodeError) as exc:
            self._say(error_text(exc, file.name, self.lang), error=True)

    def use_pasted(self, text: str) -> None:
        """Take the tracking numbers from pasted "order number, tracking number" lines."""
        if text.strip():
            self.use_file(bulk.read_pasted(text))

    def use_file(self, file: bulk.CarrierFile) -> None:
        """Take the tracking numbers from a carrier's file; keep the column mapping if it fits."""
        self.file = file
        guess_order, guess_tracking = bulk.guess_columns(file)
        keep = self.order_column in file.columns and self.tracking_column in file.columns
        order = self.order_column if keep else (guess_order or file.columns[0])
        tracking = self.tracking_column if keep else (guess_tracking or file.columns[-1])
        with self.hold_trait_notifications():
            self.order_col.options = self.tracking_col.options = list(file.columns)
            self.order_col.value, self.tracking_col.value = order, tracking
        self.mapping.layout.display = "flex" if file.name != "pasted" else "none"
        self._mapped()

    def map_columns(self, order_column: str, tracking_column: str) -> None:
        """Map the carrier file's columns (remembered for the next file with these columns)."""
        self.order_col.value, self.tracking_col.value = order_column, tracking_column

    def _mapped(self) -> None:
        if self.file is None or not self.order_col.value or not self.tracking_col.value:
            return
        self.order_column, self.tracking_column = self.order_col.value, self.tracking_col.value
        self._match()

    def _match(self) -> None:
        if self.file is not None and self.order_column in self.file.columns:
            self.match = bulk.match_tracking(
                self.file, self.order_column, self.tracking_column, self.order_ids
            )
        self.refresh()

    # -- display ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute the preview at ``now`` and redraw."""
        lang = self.lang
        self.title.value = (
            f"<h4 style='margin:4px 0'>{_t('title', lang)}</h4>"
            f"<div>{_t('selected' if len(self.order_ids) != 1 else 'selected_one', lang, n=len(self.order_ids))}</div>"
        )
        self.carrier.description = _t("carrier", lang)
        self.upload.description = _t("upload", lang)
        self.pasted.placeholder = _t("paste", lang)
        self.order_col.description = _t("order_col", lang)
        self.tracking_col.description = _t("tracking_col", lang)
        self.confirm_button.description = _t("confirm", lang)
        self.yes.description, self.back.description = _t("yes", lang), _t("back", lang)
        due = bulk.due_today(self.book, at=self.now, policy=self.policy)
        self.slips_button.description = _t("slips", lang, n=len(due))
        self.due_button.description = _t("select_due", lang, n=len(due))
        numbers = dict(self.match.numbers) if self.match else {}
        self.lines = bulk.preview(
            self.book, self.order_ids, at=self.now, tracking=numbers,
            carrier=self.carrier.value, policy=self.policy,
        )  # fmt: skip
        self.table.value = self._table(lang)
        self.unmatched.value = self._unmatched(lang)
        self.confirm_button.disabled = not any(line.allowed for line in self.lines)

    def _table(self, lang: str) -> str:
        if not self.lines:
            return ""
        head = "".join(
            f"<th>{_t(k, lang)}</th>" for k in ("order", "items", "charge", "tracking", "check")
        )
        rows = []
        for line in self.lines:
            if line.refusal is not None:
                check = f"<span style='color:#b00020'>✗ {html.escape(line.refusal.rule.text(lang))}</span>"
            elif line.bad_tracking:
                why = _t("bad_tracking", lang, name=self.carrier.label)
                check = f"<span style='color:#b00020'>✗ {html.escape(why)}</span>"
            elif line.vtr_warning:
                check = f"<span style='color:#b45309'>{_t('no_tracking', lang)}</span>"
            else:
                check = f"<span style='color:#1b5e20'>{_t('ok', lang)}</span>"
            rows.append(
                f"<tr class='ok-bulk-row'><td>{line.order_id}</td><td>{line.items}</td>"
                f"<td style='text-align:right'>{yen(line.charge, lang)}</td>"
                f"<td>{html.escape(line.tracking_number or '—')}</td><td>{check}</td></tr>"
            )
        return f"<table class='ok-table'><tr>{head}</tr>{''.join(rows)}</table>"

    def _unmatched(self, lang: str) -> str:
        if self.match is None:
            return ""
        items = [
            f"<li>{_t('line', lang, line=u.line)}: {html.escape(u.order_text or '—')}"
            f" {html.escape(u.tracking)} — {_t('why_' + u.why.value, lang)}</li>"
            for u in self.match.unmatched
        ]
        parts = []
        if items:
            parts.append(
                f"<b>{_t('unmatched', lang)}</b><ul style='margin:2px 0'>{''.join(items)}</ul>"
            )
        if self.match.missing:
            parts.append(f"<div>{_t('missing', lang, ids=', '.join(self.match.missing))}</div>")
        return "".join(parts)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.last_result = text
        colour = "#b00020" if error else "#1b5e20"
        self.message.value = f"<span style='color:{colour}'>{html.escape(text)}</span>"

    # -- confirming -------------------------------------------------------------------------
    def ask(self) -> None:
        """Show what confirming the ready orders does, in words, with "Yes" and "Back"."""
        ready = [line for line in self.lines if line.allowed]
        if not ready:
            self._say(_t("nothing", self.lang), error=True)
            return
        lang = self.lang
        text = _t(
            "summary", lang, n=len(ready), items=sum(line.items for line in ready),
            total=yen(sum(line.charge for line in ready), lang),
            refused=len(self.lines) - len(ready),
        )  # fmt: skip
        vtr = sum(line.vtr_warning for line in ready)
        warn = _t("vtr_one" if vtr == 1 else "vtr", lang, n=vtr) if vtr else ""
        self.confirm_text.value = (
            f"<p style='margin:2px 0'>{html.escape(text)}</p>"
            + (f"<p style='margin:2px 0;color:#b45309'>⚠ {html.escape(warn)}</p>" if warn else "")
            + f"<p style='margin:2px 0;color:#b00020'>{_t('irreversible', lang)}</p>"
        )
        self.confirm_box.layout.display = "flex"

    def dismiss(self) -> None:
        """Close the confirmation: nothing is recorded."""
        self.confirm_box.layout.display = "none"

    def record(self) -> list[Event]:
        """Record the ready orders' confirmations and offer the upload file; return the events.

        Each event goes through its order's rules; one refused (the book changed meanwhile) is
        left out and named. Nothing is written for an order that is not recorded.
        """
        self.dismiss()
        now = self.now
        ready = [line for line in self.lines if line.allowed]
        events = bulk.confirmation_events(
            ready, at=now, carrier=self.carrier.value, operator=self.operator.strip() or None
        )
        # the file's lines come from the state before recording: everything left to ship
        numbers = {line.order_id: line.tracking_number for line in ready if line.tracking_number}
        file_lines = confirmations_for(
            self.book, [line.order_id for line in ready], at=now,
            carrier_code=self.carrier.value, tracking_numbers=numbers, policy=self.policy,
        )  # fmt: skip
        try:  # the whole file is checked against the rules before anything is recorded
            validate = validate_confirmations(file_lines, book=self.book, at=now)
            if validate:
                raise validate[0]
        except ConfirmationError as exc:
            self._say(f"{exc.order_id}: {exc.rule.text(self.lang)}", error=True)
            return []
        recorded = []
        for event in events:
            try:
                self.book.order(event.order_id).check(event, policy=self.policy)
                if self.store is not None:
                    self.store.record(event, policy=self.policy)
                self.book.extend([event])
                recorded.append(event)
            except OrderkitError as exc:
                why = exc.explain(self.lang) if hasattr(exc, "explain") else str(exc)
                self._say(f"{event.order_id}: {why}", error=True)
        done = {e.order_id for e in recorded}
        self._offer_upload_file([c for c in file_lines if c["order_id"] in done], now)
        self.refresh()
        for handler in self._handlers:
            handler(recorded)
        return recorded

    def _offer_upload_file(self, lines: list[dict[str, Any]], now: Any) -> None:
        """Write the upload file of ``lines`` (checked before recording) and offer it."""
        from orderkit.io import write_shipping_confirmation

        if not lines:
            return
        name = f"shipping-confirmation-{to_jst(now):%Y%m%d-%H%M}.txt"
        with tempfile.TemporaryDirectory(prefix="orderkit-") as tmp:
            target = (self.export_dir or Path(tmp)) / name
            # book=None: the lines were checked against the book before they were recorded
            write_shipping_confirmation(lines, target, at=now)
            data = target.read_bytes()
        self.download.offer(data, name, mime="text/tab-separated-values", lang=self.lang)
        text = _t("recorded", self.lang, n=len({c["order_id"] for c in lines}))
        if self.export_dir is not None:
            text += " " + _t("saved", self.lang, path=str(self.export_dir / name))
        self._say(text)

    def print_slips(self) -> str:
        """Offer every packing slip due today as one printable HTML document; return it."""
        now = self.now
        due = bulk.due_today(self.book, at=now, policy=self.policy)
        if not due:
            self._say(_t("no_slips", self.lang))
            self.slips_download.clear()
            return ""
        doc = bulk.packing_slips(self.book, due, at=now, seller_name=self.seller_name)
        name = f"packing-slips-{to_jst(now):%Y%m%d}.html"
        if self.export_dir is not None:
            write_atomic(self.export_dir / name, doc.encode("utf-8"))
        self.slips_download.offer(doc.encode("utf-8"), name, mime="text/html", lang=self.lang)
        return doc
