"""Write an order book as Seller Central's flat-file reports (the formats :mod:`.reports` reads).

Statuses are not stored in the book: the writer reads every order at ``at`` through the fleet lens
(:func:`orderkit.metrics.status_at` and :func:`~orderkit.metrics.item_status_at`, which agree with
the per-order lens order by order) and writes what Amazon would show then — order-status and
item-status for the All Orders report, payments-date and the quantities shipped and to ship for
the Unshipped Orders report. The Unshipped report lists seller-fulfilled orders that are Unshipped
or PartiallyShipped at ``at``; the Order report lists seller-fulfilled orders paid by ``at``.
Orders placed after ``at`` are not listed (Amazon's report of that instant could not list them).
Unknown columns the book carries under flat-file names (lower-case words joined by hyphens, as a
reader keeps them) are written after the standard ones, so a file read and written again keeps
them.

Computing the rows (:func:`report_table`, vectorised with Arrow) is kept apart from writing them
(:func:`_write`, the one step that touches the file).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orderkit import schema
from orderkit.book import OrderBook
from orderkit.businessdays import JST
from orderkit.io import _columns as C
from orderkit.io.encoding import ENCODINGS
from orderkit.status import OrderStatus

__all__ = ["report_table", "write_report"]

S = OrderStatus
_FLAT_NAME = re.compile(r"^[a-z0-9]+(-[a-zA-Z0-9]+)*$")
_STATUS_OUT: Final = {S.CANCELED: "Cancelled"}
_PAYMENT_OUT: Final = {
    "card": "CreditCard",
    "cvs": "CVS",
    "cod": "COD",
    "points": "PointsAccount",
    "other": "Other",
}
_CHANNEL_OUT: Final = {"AFN": "Amazon", "MFN": "Merchant"}

# file column → schema column, for writing (one file column per schema column per kind)
_OUT = {**C.ORDER_FIELDS, **C.ITEM_FIELDS}

_NS = 1_000_000_000
_DAY = 86400 * _NS
_NAT = np.iinfo(np.int64).min
_JST_OFFSET = 9 * 3600 * _NS
# Rows turned into text at a time: the text of a million rows is never held at once.
_BATCH = 1 << 16


def _text(value: Any) -> str:
    """Return one value as the writer writes it (the vectorised :func:`_texts` agrees)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime):
        return pd.Timestamp(value).tz_convert(JST).isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def _texts(values: pd.Series) -> pa.Array:
    """Return :func:`_text` of every value of a column, as an Arrow string array (no nulls)."""
    dtype = values.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        return _iso_jst(schema.utc_ns(values))
    if isinstance(dtype, pd.CategoricalDtype):
        labels = [_text(c) for c in dtype.categories] + [""]
        return pa.array(labels, pa.string()).take(pa.array(values.array.codes))  # -1: the ""
    if pd.api.types.is_bool_dtype(dtype) and not values.hasnans:
        return pc.if_else(pa.array(values.to_numpy(bool)), "true", "false")
    if pd.api.types.is_integer_dtype(dtype):
        return pc.fill_null(pa.array(values.array).cast(pa.string()), "")
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        arr = pa.array(values.array).cast(pa.string())
        return pc.fill_null(pc.replace_substring_regex(arr, r"[\t\r\n]", " "), "")
    return pa.array([_text(v) for v in values], pa.string())  # anything else, one by one


def _iso_jst(ns: np.ndarray) -> pa.Array:
    """Return UTC nanoseconds (``_NAT``: missing, as "") as ISO 8601 in Japan time.

    As ``Timestamp.isoformat()``: no fraction for whole seconds, else 6 digits, or 9 when the
    nanoseconds are not whole microseconds.
    """
    missing = ns == _NAT
    local = np.where(missing, 0, ns) + _JST_OFFSET
    seconds, frac = np.divmod(local, _NS)
    base = pc.strftime(pa.array(seconds, pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%S")
    if frac.any():
        micro = frac % 1000 == 0
        digits = pa.array(np.where(micro, frac // 1000, frac)).cast(pa.string())
        six = pc.binary_join_element_wise(".", pc.utf8_lpad(digits, 6, "0"), "")
        nine = pc.binary_join_element_wise(".", pc.utf8_lpad(digits, 9, "0"), "")
        fraction = pc.if_else(pa.array(frac == 0), "", pc.if_else(pa.array(micro), six, nine))
        base = pc.binary_join_element_wise(base, fraction, "")
    text = pc.binary_join_element_wise(base, "+09:00", "")
    return pc.if_else(pa.array(missing), "", text) if missing.any() else text


def _mapped(values: pd.Series, table: Mapping[str, str]) -> pa.Array:
    """Return each value's entry in ``table`` ("" for a missing or unknown value)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        labels = [table.get(c, "") for c in values.dtype.categories] + [""]
        return pa.array(labels, pa.string()).take(pa.array(values.array.codes))
    return pa.array([table.get(v, "") if isinstance(v, str) else "" for v in values], pa.string())


def _instant(book: OrderBook, at: dt.datetime | None) -> dt.datetime:
    """Return the instant a report describes: ``at``, or the book's latest event."""
    if at is None:
        if book.events.empty:
            raise ValueError("the book has no events to date the report: pass at=")
        at = book.events["at"].max().to_pydatetime()
    if at.tzinfo is None:
        raise ValueError(f"at={at!r} has no timezone")
    return at


def _states(book: OrderBook, at: dt.datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the fleet lens's orders and items at ``at``, after checking that every order folds.

    Raises:
        TransitionNotAllowed: an order's events break a rule by ``at`` (see
            :func:`orderkit.metrics.raise_refused`).
        ValueError: an order of the book has no ``placed`` event at all.

    """
    from orderkit import metrics  # the fleet lens imports the book: not at module level

    orders = metrics.status_at(book, at)
    metrics.raise_refused(book, orders, at=at)
    if len(orders) < len(book.orders):
        placed = book.events.loc[book.events["kind"] == "placed", "order_id"]
        never = ~book.orders["order_id"].isin(placed)
        if never.any():
            raise ValueError(f"order {book.orders['order_id'][never].iloc[0]} has no placed event")
    return orders, metrics.item_status_at(book, at)


def report_table(book: OrderBook, kind: str, *, at: dt.datetime | None = None) -> pa.Table:
    """Return the rows of ``book``'s flat-file report of ``kind`` at ``at``, as text.

    Args:
        book: the order book.
        kind: ``"all_orders"``, ``"unshipped"`` or ``"order_report"``.
        at: the instant the report describes; default: the book's latest event. No wall clock is
            read.

    Returns:
        An Arrow table of ``string`` columns named as the file's, one row per item line, in
        ``book.items``' order: exactly the text :func:`write_report` writes.

    Raises:
        ValueError: an unknown ``kind``, a naive ``at``, no ``at`` for a book without events, or
            an order with no ``placed`` event.
        TransitionNotAllowed: an order's events break a rule by ``at`` (the first such order of
            ``book.orders``, as the per-order lens names it, with the event and the rule).

    """
    if kind not in C.KINDS:
        raise ValueError(f"kind must be one of {', '.join(C.KINDS)}, not {kind!r}")
    spec = C.KINDS[kind]
    at = _instant(book, at)
    orders, items = _states(book, at)
    rows = _rows(book, orders, items, kind)
    columns = list(spec.columns)
    known = set(_OUT) | set(columns)
    kept = [*book.orders.columns, *(c for c in book.items.columns if c not in book.orders)]
    extras = [
        c
        for c in kept
        if c not in schema.ORDERS
        and c not in schema.ITEMS
        and _FLAT_NAME.match(c)
        and c not in known
    ]
    derived = _derived(rows, at, kind)
    out = {c: derived[c]() if c in derived else _column(rows, c, spec) for c in columns + extras}
    return pa.table(out)


class _Rows:
    """The report's rows (internal): item rows, their orders' rows and the fleet lens's states."""

    def __init__(
        self,
        book: OrderBook,
        orders: pd.DataFrame,
        items: pd.DataFrame,
        keep: np.ndarray,
        state_row: np.ndarray,
    ) -> None:
        self.items = book.items.loc[items.index[keep]]  # the schema's tables have a RangeIndex
        self.order_row = _order_rows(book.orders["order_id"], self.items["order_id"])
        self.orders = book.orders
        self.state = orders.iloc[state_row[keep]]
        self.shipped = items["shipped"].to_numpy(np.int64)[keep]
        self.quantity = items["quantity"].to_numpy(np.int64)[keep]

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, column: str) -> bool:
        return column in self.items or column in self.orders

    def column(self, name: str) -> pd.Series:
        """Return a column of the rows: the item's, else its order's."""
        if name in self.items:
            return self.items[name]
        return self.orders[name].iloc[self.order_row]


def _order_rows(order_ids: pd.Series, ids: pd.Series) -> np.ndarray:
    """Return each of ``ids``' row in ``order_ids`` (every one is there)."""
    from orderkit.metrics import _positions  # the fleet lens's lookup, fast on runs of one id

    return _positions(order_ids, ids)


def _rows(book: OrderBook, orders: pd.DataFrame, items: pd.DataFrame, kind: str) -> _Rows:
    """Return the rows the report of ``kind`` lists: items of orders placed by ``at`` and in it."""
    listed = pd.Index(orders.index)
    state_row = listed.get_indexer(items["order_id"])
    keep = state_row >= 0  # an item whose order is not in book.orders is not written
    if kind in ("unshipped", "order_report"):
        channel = orders["fulfillment_channel"].to_numpy()[state_row]
        keep &= channel == "MFN"  # the fleet lens reads a missing channel as MFN
        if kind == "unshipped":
            status = orders["status"].to_numpy()[state_row]
            keep &= np.isin(status, [S.UNSHIPPED.value, S.PARTIALLY_SHIPPED.value])
        else:
            keep &= orders["paid_at"].notna().to_numpy()[state_row]
    return _Rows(book, orders, items, keep, state_row)


def _column(rows: _Rows, col: str, kind: C.ReportKind) -> pa.Array:
    target = _OUT.get(col, col)
    if col == kind.order_id:
        target = "order_id"
    if target not in rows:
        return pa.array(np.full(len(rows), ""), pa.string())
    values = rows.column(target)
    if col in C.DISCOUNTS and kind is C.KINDS["all_orders"]:
        return _texts(-values.astype("Int64"))
    if col == "payment-method":
        return _mapped(values, _PAYMENT_OUT)
    if col == "fulfillment-channel" and kind is C.KINDS["all_orders"]:
        return _mapped(values, _CHANNEL_OUT)
    return _texts(values)


def _derived(rows: _Rows, at: dt.datetime, kind: str) -> dict[str, Any]:
    """Return the columns the fleet lens's states give, each computed only if written."""
    status = rows.state["status"].to_numpy()
    out = {
        "order-status": lambda: pa.array(
            np.where(status == S.CANCELED.value, _STATUS_OUT[S.CANCELED], status), pa.string()
        ),
        "item-status": lambda: _item_status(status, rows.shipped, rows.quantity),
        "payments-date": lambda: _iso_jst(schema.utc_ns(rows.state["paid_at"])),
        "quantity-shipped": lambda: pa.array(rows.shipped).cast(pa.string()),
        "quantity-to-ship": lambda: pa.array(rows.quantity - rows.shipped).cast(pa.string()),
        "last-updated-date": lambda: _last_updated(rows),
        "days-past-promise": lambda: _days_past(rows, at),
    }
    if kind == "unshipped" and "reporting-date" not in rows:
        out["reporting-date"] = lambda: pa.array(np.full(len(rows), _text(at)), pa.string())
    return out


def _item_status(status: np.ndarray, shipped: np.ndarray, quantity: np.ndarray) -> pa.Array:
    out = np.full(len(status), "Unshipped", dtype=object)
    out[np.isin(status, [S.PENDING.value, S.PENDING_AVAILABILITY.value])] = "Pending"
    out[(shipped >= quantity) & (quantity > 0)] = "Shipped"
    out[np.isin(status, [S.SHIPPED.value, S.INVOICE_UNCONFIRMED.value])] = "Shipped"
    out[status == S.CANCELED.value] = "Cancelled"
    return pa.array(out, pa.string())


def _last_updated(rows: _Rows) -> pa.Array:
    """Return Amazon's last-updated date, or (where the book has none) the last event's time."""
    reported = schema.utc_ns(rows.column("last_updated"))
    last_event = schema.utc_ns(rows.state["last_event_at"])
    return _iso_jst(np.where(reported == _NAT, last_event, reported))


def _days_past(rows: _Rows, at: dt.datetime) -> pa.Array:
    """Return whole days from the ship date to ``at`` (0 before it, or without a ship date)."""
    lsd = schema.utc_ns(rows.column("latest_ship_date"))
    t = int(pd.Timestamp(at).tz_convert("UTC").as_unit("ns").value)
    days = np.where(lsd == _NAT, 0, (t - np.where(lsd == _NAT, t, lsd)) // _DAY)
    return pa.array(np.maximum(days, 0)).cast(pa.string())


def _tsv(table: pa.Table) -> Iterator[str]:
    """Yield the report's text: the header line, then the rows' lines a batch at a time (LF)."""
    yield "\t".join(table.column_names) + "\n"
    if not table.num_columns:
        return
    for batch in table.to_batches(max_chunksize=_BATCH):
        columns = [c.cast(pa.string()) for c in batch.columns]
        columns[-1] = pc.binary_join_element_wise(columns[-1], "", "\n")  # the line's end
        lines = pc.binary_join_element_wise(*columns, "\t")
        offsets = np.frombuffer(lines.buffers()[1], np.int32)[lines.offset :]
        data = memoryview(lines.buffers()[2])[offsets[0] : offsets[len(lines)]]
        yield str(data, "utf-8")


def _write(path: str | os.PathLike[str], text: Iterable[str], encoding: str) -> None:
    """Encode ``text`` in ``encoding`` and write it to ``path``: the one step that touches it."""
    with open(path, "w", encoding=encoding, newline="\n") as f:
        f.writelines(text)


def write_report(
    book: OrderBook,
    kind: str,
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    at: dt.datetime | None = None,
) -> None:
    """Write ``book`` as a flat-file report of ``kind`` to ``path``.

    Args:
        book: the order book.
        kind: ``"all_orders"``, ``"unshipped"`` or ``"order_report"``.
        path: the file to write (tab-separated, LF line ends).
        encoding: ``"utf-8"``, ``"utf-8-sig"`` (with BOM) or ``"cp932"`` (Shift_JIS).
        at: the instant the report describes (statuses are read there); default: the book's
            latest event. No wall clock is read. Orders placed after it are not listed.

    Raises:
        ValueError: an unknown ``kind`` or ``encoding``, a naive ``at``, no ``at`` for a book
            without events, or an order with no ``placed`` event.
        TransitionNotAllowed: an order's events break a rule by ``at``: nothing is written (the
            first such order of ``book.orders``, named by the per-order lens with its event and
            rule).
        UnicodeEncodeError: a value has no cp932 form (with ``encoding="cp932"``).

    """
    if kind not in C.KINDS:
        raise ValueError(f"kind must be one of {', '.join(C.KINDS)}, not {kind!r}")
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
    table = report_table(book, kind, at=at)
    _write(path, _tsv(table), encoding)
