"""OrderExplorer: find orders by buyer email or order number, filter, sort, and open one.

The table is a data grid (:mod:`orderkit.widgets._grid`, itables' ``ITable``) showing one page;
search, filters, sorting and paging run here over every order, so 100,000 orders stay fast.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable

import ipywidgets as w
import numpy as np
import pandas as pd
import traitlets

from orderkit.book import OrderBook, line_amounts
from orderkit.clock import ClockLike, as_clock
from orderkit.i18n import N_, _, datetime, yen
from orderkit.lookup import FindResult, find_text
from orderkit.metrics import status_at
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.state import OrderState
from orderkit.status import OrderStatus
from orderkit.today import day_bounds
from orderkit.widgets._grid import grid, on_pick, on_row, show
from orderkit.widgets._text import tr

__all__ = ["OrderExplorer", "explorer_table"]

#: The grid's columns, in order (``payment`` shows ``payment_method``; ``flags`` late / at risk).
COLUMNS = (
    "order_id", "purchase_date", "buyer_name", "status", "payment", "total",
    "ship_by", "confirm_by", "due_today", "flags",
)  # fmt: skip
#: What the grid can be sorted by (column → the table's column it sorts on).
SORTS = {
    "purchase_date": "purchase_date", "order_id": "order_id", "buyer_name": "buyer_name",
    "status": "status", "total": "total", "ship_by": "ship_by", "confirm_by": "confirm_by",
}  # fmt: skip
#: The "late" choice: every order, late and not yet shipped, or shipped late.
LATE_CHOICES = {"": "late_any", "open": "late_open", "shipped": "late_shipped"}
_CAN_SHIP = ("Unshipped", "PartiallyShipped")
_PAYMENTS = {
    "card": N_("Card"),
    "cvs": N_("Convenience store"),
    "cod": N_("Cash on delivery"),
    "points": N_("Points"),
}
_CHANNELS = {"MFN": N_("Seller-fulfilled"), "AFN": N_("Fulfilled by Amazon")}


def explorer_table(
    book: OrderBook, *, now: dt.datetime, policy: Policy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Return one row per order with what the explorer shows and filters on, at ``now``.

    Columns: order_id, purchase_date, buyer_name, buyer_email (lower case), fulfillment_channel,
    payment_method, status, late, at_risk, total (yen), ship_by and confirm_by (UTC, NaT when not
    known), late_open (late and not yet wholly confirmed: "Shipment is late"), late_shipped
    (shipped, or partly, after the ship date), due_today (still to ship, ship date today in Japan
    time: :func:`orderkit.today.must_ship_today`'s rule). Computed with the fleet lens
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
    table["ship_by"] = fleet["ship_by"].reindex(idx).to_numpy()
    table["confirm_by"] = fleet["confirm_by"].reindex(idx).to_numpy()
    _derived(table, now)
    return table


def _derived(table: pd.DataFrame, now: dt.datetime) -> None:
    """Set the columns that follow from status, late and ship_by at ``now`` (in place)."""
    start, tomorrow, _ = day_bounds(now)
    can_ship = table["status"].isin(_CAN_SHIP).to_numpy(bool)
    late = table["late"].to_numpy(bool)
    ship_by = pd.to_datetime(table["ship_by"], utc=True)
    table["late_open"] = late & can_ship
    table["late_shipped"] = late & ~can_ship
    table["due_today"] = (
        can_ship
        & (ship_by >= start).fillna(False).to_numpy(bool)
        & (ship_by < tomorrow).fillna(False).to_numpy(bool)
    )


class OrderExplorer(w.VBox):
    """Find an order as the FAQ says — by buyer email or order number — filter, sort, open.

    Args:
        book: the order book.
        now: the clock (:class:`orderkit.clock.Clock`), a fixed instant or a function returning
            the time; statuses, deadlines and "due today" are computed at its time when the
            explorer is built and on every :meth:`reload`.
        policy: the seller's policy.
        lang: ``"en"``, ``"ja"`` or ``"zh-Hans"`` (a trait: change it to relabel everything).
        page_size: rows per page.

    Traits:
        selected: the order id of the row opened last (``None`` at first).
        chosen: the orders marked for bulk work, in the order they were marked.
        lang: the display language.

    Every rule (status, late, at risk, due today, what a lookup means) comes from orderkit; this
    widget only filters, sorts and displays. Clicking a row in the grid opens its order; with
    "Select orders" on, a click marks the row instead (across pages and filters), and "Confirm
    shipment of the selected" hands the marked orders to the :meth:`on_bulk` handlers.
    """

    selected = traitlets.Unicode(None, allow_none=True)
    chosen = traitlets.List(traitlets.Unicode())
    lang = traitlets.Unicode("en")

    def __init__(
        self,
        book: OrderBook,
        *,
        now: ClockLike,
        policy: Policy = DEFAULT_POLICY,
        lang: str = "en",
        page_size: int = 12,
    ) -> None:
        super().__init__()
        self.book, self.clock, self.policy, self.page_size = book, as_clock(now), policy, page_size
        self.now = self.clock.now()
        self.table = explorer_table(book, now=self.now, policy=policy)
        # The fleet lens's statuses, for lookups (kept in step by update_row).
        self._statuses = pd.Series(self.table["status"].to_numpy(), index=self.table["order_id"])
        self.sort_by, self.descending, self.page = "purchase_date", True, 0
        self.query = w.Text(layout=w.Layout(width="340px")).add_class("ok-explorer-query")
        self.search_button = w.Button().add_class("ok-explorer-search")
        self.status = w.Dropdown(layout=w.Layout(width="220px")).add_class("ok-explorer-status")
        self.channel = w.Dropdown(layout=w.Layout(width="220px")).add_class("ok-explorer-channel")
        self.payment = w.Dropdown(layout=w.Layout(width="220px")).add_class("ok-explorer-payment")
        self.late = w.Dropdown(layout=w.Layout(width="240px")).add_class("ok-explorer-late")
        self.due_today = w.Checkbox(indent=False, layout=w.Layout(width="auto")).add_class(
            "ok-explorer-due-today"
        )
        self.at_risk = w.Checkbox(indent=False, layout=w.Layout(width="auto")).add_class(
            "ok-explorer-at-risk"
        )
        self.sort_column = w.Dropdown(layout=w.Layout(width="240px")).add_class("ok-explorer-sort")
        self.sort_descending = w.Checkbox(
            value=True, indent=False, layout=w.Layout(width="auto")
        ).add_class("ok-explorer-descending")
        self.message = w.HTML().add_class("ok-explorer-message")
        self.count = w.HTML().add_class("ok-explorer-count")
        self.prev_button = w.Button().add_class("ok-explorer-prev")
        self.next_button = w.Button().add_class("ok-explorer-next")
        self.grid = grid(pd.DataFrame(), lang, wide=True).add_class("ok-explorer-table")
        self.picking = w.ToggleButton(layout=w.Layout(width="auto")).add_class("ok-explorer-pick")
        self.pick_all = w.Button(layout=w.Layout(width="auto")).add_class("ok-explorer-pick-all")
        self.pick_none = w.Button(layout=w.Layout(width="auto")).add_class("ok-explorer-pick-none")
        self.bulk_button = w.Button(button_style="primary", layout=w.Layout(width="auto"))
        self.bulk_button.add_class("ok-explorer-bulk")
        self.page_ids: list[str] = []  # the order ids of the rows shown, top to bottom
        self._handlers: list[Callable[[str], None]] = []
        self._bulk_handlers: list[Callable[[list[str]], None]] = []
        self._match: pd.Series | None = None  # rows found by the last search (None: no search)
        self._cache_key: tuple[object, ...] | None = None
        self._sorted = np.arange(0)
        self._version = 0  # bumped when the search or a row changes
        self._last: FindResult | None = None
        self._quiet = False  # set while the widget itself changes its controls
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
        for control in (
            self.status, self.channel, self.payment, self.late, self.due_today, self.at_risk,
        ):  # fmt: skip
            control.observe(self._filter_changed, names="value")
        self.sort_column.observe(self._sort_changed, names="value")
        self.sort_descending.observe(self._sort_changed, names="value")
        self.prev_button.on_click(lambda _: self.go(self.page - 1))
        self.next_button.on_click(lambda _: self.go(self.page + 1))
        on_row(self.grid, self._row_clicked)
        on_pick(self.grid, self._rows_marked)
        self.picking.observe(lambda _: self._picking_changed(), names="value")
        self.pick_all.on_click(lambda _: self.choose(list(self.filtered()["order_id"].astype(str))))
        self.pick_none.on_click(lambda _: self.choose([]))
        self.bulk_button.on_click(lambda _: self.bulk())

    def _layout(self) -> tuple[w.Widget, ...]:
        bar = w.HBox([self.query, self.search_button])
        filters = w.HBox(
            [self.status, self.channel, self.payment, self.late, self.due_today, self.at_risk],
            layout=w.Layout(flex_flow="row wrap", align_items="center"),
        )
        sorting = w.HBox(
            [self.sort_column, self.sort_descending], layout=w.Layout(align_items="center")
        )
        pager = w.HBox(
            [self.prev_button, self.count, self.next_button], layout=w.Layout(align_items="center")
        )
        picking = w.HBox(
            [self.picking, self.pick_all, self.pick_none, self.bulk_button],
            layout=w.Layout(flex_flow="row wrap", align_items="center"),
        )
        return (bar, self.message, filters, sorting, picking, self.grid, pager)

    @traitlets.observe("lang")
    def _lang_changed(self, _: object) -> None:
        if self.children:
            self._relabel()
            self.refresh()

    def _relabel(self) -> None:
        lang = self.lang
        self._quiet = True
        try:
            self.query.placeholder = tr("query", lang)
            self.search_button.description = tr("search", lang)
            self.due_today.description = tr("due_today", lang)
            self.at_risk.description = tr("at_risk", lang)
            self.sort_descending.description = tr("descending", lang)
            self.picking.description = tr("pick", lang)
            self._relabel_picking()
            self.prev_button.description = tr("prev", lang)
            self.next_button.description = tr("next", lang)
            everything = (
                tr("all", lang),
                "",
            )  # "" rather than None: a dropdown shows None as blank
            present = set(self.table["status"])
            self._set_options(
                self.status,
                tr("status", lang),
                [everything]
                + [(s.label(lang), s.value) for s in OrderStatus if s.value in present],
            )
            self._set_options(
                self.channel,
                tr("channel", lang),
                [everything] + [(_(text, lang), c) for c, text in _CHANNELS.items()],
            )
            self._set_options(
                self.payment,
                tr("payment", lang),
                [everything] + [(_(text, lang), k) for k, text in _PAYMENTS.items()],
            )
            self._set_options(
                self.late,
                tr("late_filter", lang),
                [(tr(key, lang), value) for value, key in LATE_CHOICES.items()],
            )
            self._set_options(
                self.sort_column,
                tr("sort_by", lang),
                [(tr(column, lang), column) for column in SORTS],
                default=self.sort_by,
            )
        finally:
            self._quiet = False

    def _set_options(
        self,
        dropdown: w.Dropdown,
        label: str,
        options: list[tuple[str, str]],
        default: str = "",
    ) -> None:
        value = dropdown.value if dropdown.value is not None else default
        dropdown.description = label
        dropdown.options = options
        dropdown.value = value if value in [v for _, v in options] else default

    # -- behaviour --------------------------------------------------------------------------
    def on_select(self, handler: Callable[[str], None]) -> None:
        """Call ``handler(order_id)`` whenever a row is opened."""
        self._handlers.append(handler)

    def open_order(self, order_id: str) -> None:
        """Open ``order_id``: set :attr:`selected` and call the handlers."""
        self.selected = order_id
        for handler in self._handlers:
            handler(order_id)

    def _row_clicked(self, position: int) -> None:
        if 0 <= position < len(self.page_ids):
            self.open_order(self.page_ids[position])

    # -- marking orders for bulk work -------------------------------------------------------
    def on_bulk(self, handler: Callable[[list[str]], None]) -> None:
        """Call ``handler(order_ids)`` when the marked orders are sent to bulk shipping."""
        self._bulk_handlers.append(handler)

    def choose(self, order_ids: list[str]) -> None:
        """Mark exactly ``order_ids`` (and turn marking on if some are given); redraw."""
        self.chosen = list(dict.fromkeys(order_ids))
        if order_ids and not self.picking.value:
            self.picking.value = True  # its observer redraws
        else:
            self.refresh()

    def bulk(self) -> list[str]:
        """Send the marked orders to the :meth:`on_bulk` handlers; return them."""
        chosen = list(self.chosen)
        if chosen:
            for handler in self._bulk_handlers:
                handler(chosen)
        return chosen

    def _picking_changed(self) -> None:
        self.grid.multi = self.picking.value
        self._relabel_picking()
        self.refresh()

    def _rows_marked(self, positions: list[int]) -> None:
        shown = set(self.page_ids)
        marked = [self.page_ids[p] for p in sorted(positions) if 0 <= p < len(self.page_ids)]
        self.chosen = [o for o in self.chosen if o not in shown] + marked

    @traitlets.observe("chosen")
    def _chosen_changed(self, _: object) -> None:
        if self.children:
            self._relabel_picking()

    def _relabel_picking(self) -> None:
        lang, on = self.lang, self.picking.value
        self.pick_all.layout.display = self.pick_none.layout.display = None if on else "none"
        self.bulk_button.layout.display = None if on else "none"
        self.pick_all.description = tr("pick_all", lang)
        self.pick_none.description = tr("pick_none", lang)
        self.bulk_button.description = tr("bulk_chosen", lang, n=len(self.chosen))
        self.bulk_button.disabled = not self.chosen

    def reload(self, book: OrderBook | None = None) -> None:
        """Ask the clock for the time and recompute every row (of ``book``, if given); redraw.

        The search, filters, sort and page are kept (the page is clamped to the pages there are).
        """
        if book is not None:
            self.book = book
        self.now = self.clock.now()
        self.table = explorer_table(self.book, now=self.now, policy=self.policy)
        self._statuses = pd.Series(self.table["status"].to_numpy(), index=self.table["order_id"])
        self._version += 1
        query = unicodedata.normalize("NFKC", self.query.value).strip()
        if query:
            self._run_search(query)
        self._relabel()
        self.go(self.page)

    def search(self, text: str | None = None) -> FindResult | None:
        """Search by buyer email or order number (as the FAQ says); other text matches names.

        Returns the lookup's :class:`~orderkit.lookup.FindResult` for an email or order number
        (its message is shown), or ``None`` for an empty query or a name search.
        """
        if text is not None and text != self.query.value:
            self.query.value = text  # the observer runs the search
            return self._last
        q = unicodedata.normalize("NFKC", self.query.value).strip()
        result = self._run_search(q)
        self.page = 0
        if result is not None and len(result.orders) == 1:
            # The order found first, then the grid: a grid's redraw keeps the browser busy for
            # about 100 ms (DataTables is rebuilt) and the card's messages would wait behind it
            # (measured in benchmarks/browser_latency.py).
            self.open_order(str(result.orders["order_id"].iloc[0]))
        self.refresh()
        return result

    def _run_search(self, q: str) -> FindResult | None:
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
        return result

    def update_row(self, state: OrderState) -> None:
        """Show ``state`` in the order's row (after an action recorded elsewhere) and redraw."""
        row = self.table.index[self.table["order_id"] == state.order_id]
        self.table.loc[row, "status"] = state.status.value
        self.table.loc[row, "late"] = state.late
        self.table.loc[row, "at_risk"] = state.at_risk
        _derived(self.table, self.now)
        self._statuses[state.order_id] = state.status.value
        self._version += 1
        self.refresh()

    def _filter_changed(self, _: object) -> None:
        if self._quiet:
            return
        self.page = 0
        self.refresh()

    def _sort_changed(self, _: object) -> None:
        if self._quiet:
            return
        self.sort_by, self.descending = self.sort_column.value, self.sort_descending.value
        self.page = 0
        self.refresh()

    def sort(self, column: str) -> None:
        """Sort by ``column`` (a key of :data:`SORTS`); the same column again flips the direction.

        Raises:
            KeyError: the grid cannot be sorted by ``column``.
        """
        if column not in SORTS:
            raise KeyError(f"cannot sort by {column!r}; choose one of {', '.join(SORTS)}")
        descending = (
            not self.descending if column == self.sort_by else column in ("purchase_date", "total")
        )
        self._quiet = True
        try:
            self.sort_column.value, self.sort_descending.value = column, descending
        finally:
            self._quiet = False
        self._sort_changed(None)

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
            self.status.value, self.channel.value, self.payment.value, self.late.value,
            self.due_today.value, self.at_risk.value, self.sort_by, self.descending,
            self._version,
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
                mask = mask & t[f"late_{self.late.value}"].to_numpy(bool)
            if self.due_today.value:
                mask = mask & t["due_today"].to_numpy(bool)
            if self.at_risk.value:
                mask = mask & t["at_risk"].to_numpy(bool)
            pos = np.flatnonzero(mask)
            # The table has a RangeIndex, so the sorted labels are the row positions.
            ordered = (
                t[SORTS[self.sort_by]]
                .iloc[pos]
                .sort_values(ascending=not self.descending, kind="stable", na_position="last")
            )
            self._sorted, self._cache_key = ordered.index.to_numpy(), key
        return self._sorted

    def page_frame(self) -> pd.DataFrame:
        """Return the current page as the grid shows it: labelled columns, ¥, JST dates, ✓/—."""
        lo = self.page * self.page_size
        page = self.table.iloc[self._positions()[lo : lo + self.page_size]]
        return _display(page, self.lang)

    def refresh(self) -> None:
        """Redraw the current page and the row count (at the time of the last :meth:`reload`)."""
        lang = self.lang
        positions = self._positions()
        lo = self.page * self.page_size
        page = self.table.iloc[positions[lo : lo + self.page_size]]
        self.page_ids = [str(o) for o in page["order_id"]]
        chosen = set(self.chosen) if self.grid.multi else set()
        marked = [i for i, o in enumerate(self.page_ids) if o in chosen]
        show(self.grid, _display(page, lang), lang, marked=marked)
        n = len(positions)
        hi = lo + len(page)
        self.count.value = tr("rows", lang, lo=lo + 1, hi=hi, n=n) if n else tr("none", lang)
        self.prev_button.disabled = self.page == 0
        self.next_button.disabled = hi >= n


def _when(values: pd.Series, lang: str) -> list[str]:
    return ["—" if pd.isna(v) else datetime(pd.Timestamp(v).to_pydatetime(), lang) for v in values]


def _display(page: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return rows of the explorer's table as the grid shows them, in ``lang``."""
    flags = []
    for late, at_risk in zip(page["late_open"], page["at_risk"], strict=True):
        words = [tr("late_open", lang)] if late else []
        words += [tr("flag_at_risk", lang)] if at_risk else []
        flags.append(" · ".join(words))
    return pd.DataFrame(
        {
            tr("order_id", lang): page["order_id"].astype(str).to_numpy(),
            tr("purchase_date", lang): _when(page["purchase_date"], lang),
            tr("buyer_name", lang): page["buyer_name"].astype(str).to_numpy(),
            tr("status", lang): [OrderStatus(s).label(lang) for s in page["status"]],
            tr("payment", lang): [
                _(_PAYMENTS[p], lang) if p in _PAYMENTS else str(p or "")
                for p in page["payment_method"]
            ],
            tr("total", lang): [yen(int(t), lang) for t in page["total"]],
            tr("ship_by", lang): _when(page["ship_by"], lang),
            tr("confirm_by", lang): _when(page["confirm_by"], lang),
            tr("due_today", lang): ["✓" if d else "—" for d in page["due_today"]],
            tr("flags", lang): flags,
        }
    )
