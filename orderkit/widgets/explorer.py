"""OrderExplorer: find orders by buyer email or order number, filter, sort, and open one."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable

import ipywidgets as w
import numpy as np
import pandas as pd
import traitlets

from orderkit.book import OrderBook, line_amounts
from orderkit.lookup import FindResult, find_text
from orderkit.metrics import status_at
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.state import OrderState
from orderkit.status import OrderStatus
from orderkit.widgets._text import tr

__all__ = ["OrderExplorer", "explorer_table"]

COLUMNS = ("order_id", "purchase_date", "buyer_name", "status", "payment", "total", "flags")
_WIDTHS = ("190px", "210px", "130px", "130px", "90px", "90px", "150px")


def explorer_table(
    book: OrderBook, *, now: dt.datetime, policy: Policy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Return one row per order with what the explorer shows and filters on, at ``now``.

    Columns: order_id, purchase_date, buyer_name, buyer_email (lower case), fulfillment_channel,
    payment_method, status, late, at_risk, total (yen). Computed with the fleet lens
    (:func:`orderkit.metrics.status_at`), vectorised.
    """
    orders = book.orders
    items = book.items
    amount = line_amounts(items)
    totals = amount.groupby(items["order_id"]).sum()
    fleet = status_at(book, now, policy=policy)
    table = pd.DataFrame(
        {
            "order_id": orders["order_id"],
            "purchase_date": orders["purchase_date"],
            "buyer_name": orders["buyer_name"].fillna(""),
            "buyer_email": orders["buyer_email"].fillna("").str.lower(),
            "fulfillment_channel": orders["fulfillment_channel"],
            "payment_method": orders["payment_method"],
        }
    )
    table = table[table["order_id"].isin(fleet.index)].reset_index(drop=True)
    idx = pd.Index(table["order_id"])
    table["status"] = fleet["status"].reindex(idx).to_numpy()
    table["late"] = fleet["late"].reindex(idx).to_numpy(dtype=bool)
    table["at_risk"] = fleet["at_risk"].reindex(idx).to_numpy(dtype=bool)
    table["total"] = totals.reindex(idx).fillna(0).astype("int64").to_numpy()
    return table


class OrderExplorer(w.VBox):
    """Find an order as the FAQ says — by buyer email or order number — filter, sort, open.

    Args:
        book: the order book.
        now: the moment statuses are shown at.
        policy: the seller's policy.
        lang: ``"en"`` or ``"ja"`` (a trait: change it to relabel everything).
        page_size: rows per page.

    Traits:
        selected: the order id of the row opened last (``None`` at first).
        lang: the display language.

    Every rule (status, late, at risk, what a lookup means) comes from orderkit; this widget only
    filters, sorts and displays.
    """

    selected = traitlets.Unicode(None, allow_none=True)
    lang = traitlets.Unicode("en")

    def __init__(
        self,
        book: OrderBook,
        *,
        now: dt.datetime,
        policy: Policy = DEFAULT_POLICY,
        lang: str = "en",
        page_size: int = 12,
    ) -> None:
        super().__init__()
        self.book, self.now, self.policy, self.page_size = book, now, policy, page_size
        self.table = explorer_table(book, now=now, policy=policy)
        # The fleet lens's statuses, for lookups (kept in step by update_row).
        self._statuses = pd.Series(self.table["status"].to_numpy(), index=self.table["order_id"])
        self.sort_by, self.descending, self.page = "purchase_date", True, 0
        self.query = w.Text(layout=w.Layout(width="340px")).add_class("ok-explorer-query")
        # No icon: Font Awesome comes from a CDN under Voila, and offline it would be a blank box.
        self.search_button = w.Button().add_class("ok-explorer-search")
        self.status = w.Dropdown(layout=w.Layout(width="220px")).add_class("ok-explorer-status")
        self.channel = w.Dropdown(layout=w.Layout(width="200px")).add_class("ok-explorer-channel")
        self.payment = w.Dropdown(layout=w.Layout(width="220px")).add_class("ok-explorer-payment")
        self.late = w.Checkbox(indent=False).add_class("ok-explorer-late")
        self.at_risk = w.Checkbox(indent=False).add_class("ok-explorer-at-risk")
        self.message = w.HTML().add_class("ok-explorer-message")
        self.count = w.HTML().add_class("ok-explorer-count")
        self.prev_button = w.Button().add_class("ok-explorer-prev")
        self.next_button = w.Button().add_class("ok-explorer-next")
        self.headers = [
            w.Button(layout=w.Layout(width=wd)).add_class("ok-explorer-header") for wd in _WIDTHS
        ]
        self.cells: list[list[w.Widget]] = []
        for _ in range(page_size):
            row: list[w.Widget] = [
                w.Button(layout=w.Layout(width=_WIDTHS[0])).add_class("ok-explorer-open")
            ]
            row += [w.HTML(layout=w.Layout(width=wd)) for wd in _WIDTHS[1:]]
            self.cells.append(row)
        self._handlers: list[Callable[[str], None]] = []
        self._match: pd.Series | None = None  # rows found by the last search (None: no search)
        self._cache_key: tuple[object, ...] | None = None
        self._sorted = np.arange(0)
        self._version = 0  # bumped when the search or a row changes
        self._last: FindResult | None = None
        self._wire()
        self.children = self._layout()
        self.lang = lang
        self._relabel()
        self.refresh()

    # -- wiring -----------------------------------------------------------------------------
    def _wire(self) -> None:
        self.search_button.on_click(lambda _: self.search())
        self.query.continuous_update = False
        self.query.observe(lambda _: self.search(), names="value")
        for control in (self.status, self.channel, self.payment, self.late, self.at_risk):
            control.observe(self._filter_changed, names="value")
        self.prev_button.on_click(lambda _: self.go(self.page - 1))
        self.next_button.on_click(lambda _: self.go(self.page + 1))
        for col, header in zip(COLUMNS, self.headers, strict=True):
            header.on_click(lambda _, c=col: self.sort(c))
        for row in self.cells:
            row[0].on_click(lambda b: self.open_order(b.tooltip) if b.tooltip else None)

    def _layout(self) -> tuple[w.Widget, ...]:
        bar = w.HBox([self.query, self.search_button])
        filters = w.HBox([self.status, self.channel, self.payment, self.late, self.at_risk])
        self.rows = [w.HBox(row).add_class("ok-explorer-row") for row in self.cells]
        grid = [w.HBox(self.headers).add_class("ok-explorer-head"), *self.rows]
        pager = w.HBox([self.prev_button, self.count, self.next_button])
        return (bar, self.message, filters, w.VBox(grid).add_class("ok-explorer-table"), pager)

    @traitlets.observe("lang")
    def _lang_changed(self, _: object) -> None:
        if self.children:
            self._relabel()
            self.refresh()

    def _relabel(self) -> None:
        lang = self.lang
        self.query.placeholder = tr("query", lang)
        self.search_button.description = tr("search", lang)
        self.late.description = tr("late", lang)
        self.at_risk.description = tr("at_risk", lang)
        self.prev_button.description = tr("prev", lang)
        self.next_button.description = tr("next", lang)
        everything = (tr("all", lang), "")  # "" rather than None: a dropdown shows None as blank
        self._set_options(
            self.status,
            tr("status", lang),
            [everything]
            + [
                (s.label(lang), s.value)
                for s in OrderStatus
                if s.value in set(self.table["status"])
            ],
        )
        channels = {
            "MFN": ("Seller-fulfilled", "出品者出荷"),
            "AFN": ("Fulfilled by Amazon", "Amazon出荷"),
        }
        self._set_options(
            self.channel,
            tr("channel", lang),
            [everything] + [(channels[c][lang == "ja"], c) for c in ("MFN", "AFN")],
        )
        payments = {
            "card": ("Card", "カード"),
            "cvs": ("Convenience store", "コンビニ"),
            "cod": ("Cash on delivery", "代引き"),
            "points": ("Points", "ポイント"),
        }
        self._set_options(
            self.payment,
            tr("payment", lang),
            [everything] + [(v[lang == "ja"], k) for k, v in payments.items()],
        )

    def _set_options(
        self, dropdown: w.Dropdown, label: str, options: list[tuple[str, str | None]]
    ) -> None:
        value = dropdown.value
        dropdown.description = label
        dropdown.options = options
        dropdown.value = value if value in [v for _, v in options] else ""

    # -- behaviour --------------------------------------------------------------------------
    def on_select(self, handler: Callable[[str], None]) -> None:
        """Call ``handler(order_id)`` whenever a row is opened."""
        self._handlers.append(handler)

    def open_order(self, order_id: str) -> None:
        """Open ``order_id``: set :attr:`selected` and call the handlers."""
        self.selected = order_id
        for handler in self._handlers:
            handler(order_id)

    def search(self, text: str | None = None) -> FindResult | None:
        """Search by buyer email or order number (as the FAQ says); other text matches names.

        Returns the lookup's :class:`~orderkit.lookup.FindResult` for an email or order number
        (its message is shown), or ``None`` for an empty query or a name search.
        """
        if text is not None and text != self.query.value:
            self.query.value = text  # the observer runs the search
            return self._last
        q = unicodedata.normalize("NFKC", self.query.value).strip()
        result = find_text(self.book, q, at=self.now, statuses=self._statuses) if q else None
        if not q:
            self._match = None
        elif result is None:  # not an email or a number: match buyer names
            self._match = self.table["buyer_name"].str.contains(q, regex=False)
        else:
            self._match = self.table["order_id"].isin(result.orders["order_id"])
        self._last = result
        self._version += 1
        self.message.value = (
            ""
            if result is None
            else f"<span class='ok-find-{result.outcome}'>{result.message(self.lang)}</span>"
        )
        self.page = 0
        self.refresh()
        if result is not None and len(result.orders) == 1:
            self.open_order(str(result.orders["order_id"].iloc[0]))
        return result

    def update_row(self, state: OrderState) -> None:
        """Show ``state`` in the order's row (after an action recorded elsewhere) and redraw."""
        row = self.table.index[self.table["order_id"] == state.order_id]
        self.table.loc[row, "status"] = state.status.value
        self.table.loc[row, "late"] = state.late
        self.table.loc[row, "at_risk"] = state.at_risk
        self._statuses[state.order_id] = state.status.value
        self._version += 1
        self.refresh()

    def _filter_changed(self, _: object) -> None:
        self.page = 0
        self.refresh()

    def sort(self, column: str) -> None:
        """Sort by ``column``; sorting by the same column again flips the direction."""
        if column == self.sort_by:
            self.descending = not self.descending
        else:
            self.sort_by, self.descending = column, column in ("purchase_date", "total")
        self.page = 0
        self.refresh()

    def go(self, page: int) -> None:
        """Show page ``page`` (clamped to the pages there are)."""
        last = max(0, (len(self._positions()) - 1) // self.page_size)
        self.page = min(max(0, page), last)
        self.refresh()

    def filtered(self) -> pd.DataFrame:
        """Return the rows that pass the search and the filters, in the current sort order."""
        return self.table.iloc[self._positions()]

    def _positions(self) -> np.ndarray:
        """Row positions passing the search and filters, sorted; cached until something changes."""
        key = (
            self.status.value, self.channel.value, self.payment.value,
            self.late.value, self.at_risk.value, self.sort_by, self.descending, self._version,
        )  # fmt: skip
        if self._cache_key != key:
            t = self.table
            mask = np.ones(len(t), bool) if self._match is None else self._match.to_numpy(bool)
            for column, value in (
                ("status", self.status.value),
                ("fulfillment_channel", self.channel.value),
                ("payment_method", self.payment.value),
            ):
                if value:
                    mask = mask & (t[column] == value).to_numpy(bool)
            if self.late.value:
                mask = mask & t["late"].to_numpy(bool)
            if self.at_risk.value:
                mask = mask & t["at_risk"].to_numpy(bool)
            pos = np.flatnonzero(mask)
            column = {"payment": "payment_method", "flags": "late"}.get(self.sort_by, self.sort_by)
            # The table has a RangeIndex, so the sorted labels are the row positions.
            ordered = (
                t[column]
                .iloc[pos]
                .sort_values(ascending=not self.descending, kind="stable", na_position="last")
            )
            self._sorted, self._cache_key = ordered.index.to_numpy(), key
        return self._sorted

    def refresh(self) -> None:
        """Redraw the header, the current page and the row count."""
        lang = self.lang
        positions = self._positions()
        for col, header in zip(COLUMNS, self.headers, strict=True):
            arrow = (" ▼" if self.descending else " ▲") if col == self.sort_by else ""
            header.description = tr(col, lang) + arrow
        lo = self.page * self.page_size
        page = self.table.iloc[positions[lo : lo + self.page_size]]
        for i, (row, cells) in enumerate(zip(self.rows, self.cells, strict=True)):
            if i < len(page):
                self._fill(cells, page.iloc[i], lang)
                row.layout.display = None
            else:
                # A button redraws its text only when it is non-empty: blank it with a no-break
                # space, and hide the row.
                cells[0].description, cells[0].tooltip, cells[0].disabled = "\u00a0", "", True
                for cell in cells[1:]:
                    cell.value = ""
                row.layout.display = "none"
        n = len(positions)
        hi = lo + len(page)
        self.count.value = tr("rows", lang, lo=lo + 1, hi=hi, n=n) if n else tr("none", lang)
        self.prev_button.disabled = self.page == 0
        self.next_button.disabled = hi >= n

    def _fill(self, cells: list[w.Widget], r: pd.Series, lang: str) -> None:
        from orderkit.deadlines import format_jst

        cells[0].description, cells[0].tooltip, cells[0].disabled = (
            r["order_id"],
            r["order_id"],
            False,
        )
        cells[1].value = format_jst(r["purchase_date"].to_pydatetime(), lang)
        cells[2].value = _esc(r["buyer_name"])
        status = OrderStatus(r["status"])
        cells[
            3
        ].value = f"<span class='ok-status ok-status-{status.value}'>{status.label(lang)}</span>"
        cells[4].value = _esc(r["payment_method"] or "")
        cells[5].value = f"{r['total']:,}円" if lang == "ja" else f"¥{r['total']:,}"
        flags = []
        if r["late"]:
            flags.append("出荷遅延" if lang == "ja" else "late")
        if r["at_risk"]:
            flags.append("キャンセル間近" if lang == "ja" else "at risk")
        cells[6].value = f"<b style='color:#b00020'>{' · '.join(flags)}</b>" if flags else ""


def _esc(text: object) -> str:
    import html

    return html.escape(str(text))
