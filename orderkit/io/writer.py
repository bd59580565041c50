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

Computing the rows (:func:`report_rows`, vectorised with Arrow, a batch of rows at a time) is kept
apart from writing them (:func:`_write`, the one step that touches the file).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orderkit import schema
from orderkit.book import OrderBook
from orderkit.businessdays import JST
from orderkit.io import _columns as C
from orderkit.io import files
from orderkit.io.encoding import ENCODINGS
from orderkit.status import OrderStatus

__all__ = ["ReportRows", "report_rows", "write_report"]

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


class _Source:
    """One column of the book, ready to be written a batch of rows at a time (internal).

    Prepared once per column (no copy where the column's own arrays serve); :meth:`text` then
    gives :func:`_text` of the values at some rows, vectorised, as an Arrow string array.
    """

    def __init__(self, values: pd.Series, mapping: Mapping[str, str] | None = None) -> None:
        """Prepare ``values``; with ``mapping``, each value is written as its entry there."""
        if mapping is not None and not isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("category")
        dtype = values.dtype
        self.values = values
        if isinstance(dtype, pd.DatetimeTZDtype):
            self.how, self.data = "time", schema.utc_ns(values)
        elif isinstance(dtype, pd.CategoricalDtype):
            text = _text if mapping is None else (lambda c: mapping.get(c, ""))
            labels = [text(c) for c in dtype.categories] + [""]  # the last: a missing value
            codes = np.asarray(values.array.codes)  # type: ignore[attr-defined]
            self.labels = pa.array(labels, pa.string())
            self.how, self.data = "codes", np.where(codes < 0, len(labels) - 1, codes)
        elif pd.api.types.is_bool_dtype(dtype) and not values.hasnans:
            self.how, self.data = "bool", values.to_numpy(bool)
        elif pd.api.types.is_integer_dtype(dtype):
            self.how, self.data = "int", pa.array(values.array)
        elif pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
            arr = pa.chunked_array(pa.array(values.array)).combine_chunks()
            small = arr.nbytes < 2**31  # 32-bit offsets: what the lines are joined in
            self.how, self.data = "str", arr.cast(pa.string() if small else pa.large_string())
        else:  # anything else, one value at a time
            self.how, self.data = "any", None

    def text(self, rows: np.ndarray) -> pa.Array:
        """Return the text of the values at ``rows`` (positions), with no nulls."""
        if self.how == "time":
            return _iso_jst(self.data[rows])
        if self.how == "codes":
            return self.labels.take(pa.array(self.data[rows]))
        if self.how == "bool":
            return pc.if_else(pa.array(self.data[rows]), "true", "false")
        if self.how == "int":
            return pc.fill_null(self.data.take(pa.array(rows)).cast(pa.string()), "")
        if self.how == "str":
            return _one_line(pc.fill_null(self.data.take(pa.array(rows)), ""))
        return pa.array([_text(v) for v in self.values.iloc[rows]], pa.string())


def _one_line(arr: pa.Array) -> pa.Array:
    """Return text with each tab, CR and LF made a space (looked for in the raw bytes first)."""
    data = arr.buffers()[2]
    if data is not None:
        raw = np.frombuffer(data, np.uint8)
        if not ((raw == 9) | (raw == 10) | (raw == 13)).any():
            return arr
    return pc.replace_substring_regex(arr, r"[\t\r\n]", " ")


def _iso_jst(ns: np.ndarray) -> pa.Array:
    """Return UTC nanoseconds (``_NAT``: missing, as "") as ISO 8601 in Japan time.

    As ``Timestamp.isoformat()``: no fraction for whole seconds, else 6 digits, or 9 when the
    nanoseconds are not whole microseconds.
    """
    missing = ns == _NAT
    local = np.where(missing, 0, ns) + _JST_OFFSET
    seconds, frac = np.divmod(local, _NS)
    # Arrow's cast writes "YYYY-MM-DD HH:MM:SS" (strftime is many times slower).
    base = pa.array(seconds, pa.timestamp("s")).cast(pa.string())
    if not frac.any():
        fixed = _fixed_width_iso(base)
        if fixed is not None:
            return pc.if_else(pa.array(missing), "", fixed) if missing.any() else fixed
    base = pc.replace_substring(base, " ", "T", max_replacements=1)
    if frac.any():
        micro = frac % 1000 == 0
        digits = pa.array(np.where(micro, frac // 1000, frac)).cast(pa.string())
        six = pc.binary_join_element_wise(".", pc.utf8_lpad(digits, 6, "0"), "")
        nine = pc.binary_join_element_wise(".", pc.utf8_lpad(digits, 9, "0"), "")
        fraction = pc.if_else(pa.array(frac == 0), "", pc.if_else(pa.array(micro), six, nine))
        base = pc.binary_join_element_wise(base, fraction, "")
    text = pc.binary_join_element_wise(base, "+09:00", "")
    return pc.if_else(pa.array(missing), "", text) if missing.any() else text


_ISO_SECONDS = len("2026-11-02 14:00:00")
_OFFSET = np.frombuffer(b"+09:00", np.uint8)


def _fixed_width_iso(base: pa.Array) -> pa.Array | None:
    """Return Arrow's "YYYY-MM-DD HH:MM:SS" strings as "YYYY-MM-DDTHH:MM:SS+09:00", by bytes.

    Every value has the same width, so the text is an array of fixed-width rows: ``None`` if some
    value does not (a year outside 1000-9999), for the general way.
    """
    n = len(base)
    offsets = np.frombuffer(base.buffers()[1], np.int32)[base.offset : base.offset + n + 1]
    if n == 0 or offsets[-1] - offsets[0] != n * _ISO_SECONDS:
        return None
    raw = np.frombuffer(base.buffers()[2], np.uint8)[offsets[0] : offsets[-1]]
    out = np.empty((n, _ISO_SECONDS + len(_OFFSET)), np.uint8)
    out[:, :_ISO_SECONDS] = raw.reshape(n, _ISO_SECONDS)
    out[:, 10] = ord("T")
    out[:, _ISO_SECONDS:] = _OFFSET
    width = out.shape[1]
    starts = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    return pa.StringArray.from_buffers(n, pa.py_buffer(starts), pa.py_buffer(out))


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


@dataclass(frozen=True)
class ReportRows:
    """The rows of a flat-file report, as text, computed a batch at a time.

    Get one with :func:`report_rows`. Nothing is held as text but the batch being made: a report
    of a million orders is never in memory at once.

    Attributes:
        kind: the report kind.
        columns: the file's columns, in order.
        order_ids: each row's order id (the file's rows, in order).

    """

    kind: str
    columns: tuple[str, ...]
    order_ids: pd.Series
    _sources: Mapping[str, Callable[[np.ndarray], pa.Array]]

    def __len__(self) -> int:
        return len(self.order_ids)

    def batches(self, size: int = _BATCH) -> Iterator[pa.RecordBatch]:
        """Yield the rows ``size`` at a time, each column an Arrow ``string`` array (no nulls)."""
        for lo in range(0, len(self), size):
            rows = np.arange(lo, min(lo + size, len(self)))
            yield pa.record_batch(
                [self._sources[c](rows) for c in self.columns], names=list(self.columns)
            )

    def table(self) -> pa.Table:
        """Return every row at once (for small books and tests)."""
        return pa.Table.from_batches(list(self.batches()), schema=_text_schema(self.columns))


def _text_schema(columns: tuple[str, ...]) -> pa.Schema:
    return pa.schema([(c, pa.string()) for c in columns])


def report_rows(book: OrderBook, kind: str, *, at: dt.datetime | None = None) -> ReportRows:
    """Return the rows of ``book``'s flat-file report of ``kind`` at ``at``, as text.

    The orders are read through the fleet lens and checked here; the text is made when
    :meth:`ReportRows.batches` is iterated.

    Args:
        book: the order book.
        kind: ``"all_orders"``, ``"unshipped"`` or ``"order_report"``.
        at: the instant the report describes; default: the book's latest event. No wall clock is
            read.

    Returns:
        The :class:`ReportRows`: one row per item line of the orders listed, in ``book.items``'
        order — exactly the text :func:`write_report` writes.

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
    sources = {c: derived[c] if c in derived else _column(rows, c, spec) for c in columns + extras}
    order_ids = book.items["order_id"].iloc[rows.item_row].reset_index(drop=True)
    return ReportRows(kind, tuple(columns + extras), order_ids, sources)


class _Rows:
    """The rows a report lists (internal): positions into the book's tables and the states."""

    def __init__(
        self,
        book: OrderBook,
        orders: pd.DataFrame,
        items: pd.DataFrame,
        keep: np.ndarray,
        state_row: np.ndarray,
    ) -> None:
        self.book = book
        # The schema's tables have a RangeIndex: item_status_at's labels are book.items' rows.
        self.item_row = items.index.to_numpy()[keep]
        self.state_row = state_row[keep]
        self.order_row = _order_rows(book.orders["order_id"], orders.index, self.state_row)
        status = pc.index_in(pa.array(orders["status"].array), value_set=_STATUS_VALUES)
        self.status = status.to_numpy(zero_copy_only=False).astype(np.int8)[self.state_row]
        self.paid = schema.utc_ns(orders["paid_at"])[self.state_row]
        self.last_event = schema.utc_ns(orders["last_event_at"])[self.state_row]
        self.shipped = items["shipped"].to_numpy(np.int64)[keep]
        self.quantity = items["quantity"].to_numpy(np.int64)[keep]

    def __len__(self) -> int:
        return len(self.item_row)

    def __contains__(self, column: str) -> bool:
        return column in self.book.items or column in self.book.orders

    def source(
        self, name: str, values: pd.Series | _Source | None = None
    ) -> Callable[[np.ndarray], pa.Array]:
        """Return how to make a batch's text of a column: the item's, else its order's.

        ``values``: what to write instead of the column's own values (a variant of it).
        """
        table = self.book.items if name in self.book.items else self.book.orders
        rows = self.item_row if table is self.book.items else self.order_row
        if not isinstance(values, _Source):
            values = _Source(table[name] if values is None else values)
        src = values
        return lambda batch: src.text(rows[batch])


def _order_rows(order_ids: pd.Series, listed: pd.Index, state_row: np.ndarray) -> np.ndarray:
    """Return the ``book.orders`` row of each state row.

    The fleet lens lists the book's orders placed by ``at``, in the book's order.
    """
    if len(listed) == len(order_ids):
        return state_row
    from orderkit.metrics import _positions  # the fleet lens's id lookup

    return _positions(order_ids, listed.to_series())[state_row]


def _rows(book: OrderBook, orders: pd.DataFrame, items: pd.DataFrame, kind: str) -> _Rows:
    """Return the rows the report of ``kind`` lists: items of orders placed by ``at`` and in it."""
    from orderkit.metrics import _positions  # the fleet lens's id lookup, fast on runs of one id

    state_row = _positions(orders.index.to_series(), items["order_id"])
    keep = state_row >= 0  # an item whose order is not in book.orders is not written
    if kind in ("unshipped", "order_report"):
        rows = np.maximum(state_row, 0)
        keep &= (orders["fulfillment_channel"] == "MFN").to_numpy(bool)[rows]
        if kind == "unshipped":
            status = orders["status"].isin([S.UNSHIPPED.value, S.PARTIALLY_SHIPPED.value])
            keep &= status.to_numpy(bool)[rows]
        else:
            keep &= orders["paid_at"].notna().to_numpy(bool)[rows]
    return _Rows(book, orders, items, keep, state_row)


def _blank(batch: np.ndarray) -> pa.Array:
    """Return a batch's empty cells (a column the book does not have)."""
    n = len(batch)
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(np.zeros(n + 1, np.int32)), pa.py_buffer(b"")
    )


def _column(rows: _Rows, col: str, kind: C.ReportKind) -> Callable[[np.ndarray], pa.Array]:
    target = _OUT.get(col, col)
    if col == kind.order_id:
        target = "order_id"
    if target not in rows:
        return _blank
    table = rows.book.items if target in rows.book.items else rows.book.orders
    values = table[target]
    if col in C.DISCOUNTS and kind is C.KINDS["all_orders"]:
        return rows.source(target, -values.astype("Int64"))
    if col == "payment-method":
        return rows.source(target, _Source(values, _PAYMENT_OUT))
    if col == "fulfillment-channel" and kind is C.KINDS["all_orders"]:
        return rows.source(target, _Source(values, _CHANNEL_OUT))
    return rows.source(target)


def _derived(
    rows: _Rows, at: dt.datetime, kind: str
) -> dict[str, Callable[[np.ndarray], pa.Array]]:
    """Return the columns the fleet lens's states give, as a batch's text."""
    reported = schema.utc_ns(rows.book.orders["last_updated"])
    t = int(pd.Timestamp(at).tz_convert("UTC").as_unit("ns").value)
    lsd_ns = schema.utc_ns(rows.book.orders["latest_ship_date"])
    out: dict[str, Callable[[np.ndarray], pa.Array]] = {
        "order-status": lambda b: _ORDER_STATUS_OUT.take(pa.array(rows.status[b])),
        "item-status": lambda b: _item_status(rows.status[b], rows.shipped[b], rows.quantity[b]),
        "payments-date": lambda b: _iso_jst(rows.paid[b]),
        "quantity-shipped": lambda b: pa.array(rows.shipped[b]).cast(pa.string()),
        "quantity-to-ship": lambda b: pa.array(rows.quantity[b] - rows.shipped[b]).cast(
            pa.string()
        ),
        "last-updated-date": lambda b: _last_updated(
            reported[rows.order_row[b]], rows.last_event[b]
        ),
        "days-past-promise": lambda b: _days_past(lsd_ns[rows.order_row[b]], t),
    }
    if kind == "unshipped" and "reporting-date" not in rows:
        stamp = _text(at)
        out["reporting-date"] = lambda b: pa.array(np.full(len(b), stamp), pa.string())
    return out


# Order statuses by their position in OrderStatus (as the fleet lens's codes), and how the All
# Orders report writes an order's and its items' status.
_STATUS_VALUES = pa.array([s.value for s in S])
_ORDER_STATUS_OUT = pa.array([_STATUS_OUT.get(s, s.value) for s in S])
_ITEM_STATUS_OUT = pa.array(["Unshipped", "Pending", "Shipped", "Cancelled"])
_ITEM_BY_ORDER = np.array(
    [
        1 if s in (S.PENDING, S.PENDING_AVAILABILITY)
        else 2 if s in (S.SHIPPED, S.INVOICE_UNCONFIRMED)
        else 3 if s is S.CANCELED
        else 0
        for s in S
    ],
    np.int8,
)  # fmt: skip


def _item_status(status: np.ndarray, shipped: np.ndarray, quantity: np.ndarray) -> pa.Array:
    """Return each item line's status in the All Orders report (``status``: OrderStatus codes).

    Unshipped; Pending while the order is; Shipped once all its units are, or the order is;
    Cancelled with the order.
    """
    by_order = _ITEM_BY_ORDER[status]
    line_done = (shipped >= quantity) & (quantity > 0) & (by_order < 2)
    return _ITEM_STATUS_OUT.take(pa.array(np.where(line_done, 2, by_order)))


def _last_updated(reported: np.ndarray, last_event: np.ndarray) -> pa.Array:
    """Return Amazon's last-updated date, or (where the book has none) the last event's time."""
    return _iso_jst(np.where(reported == _NAT, last_event, reported))


def _days_past(lsd: np.ndarray, t: int) -> pa.Array:
    """Return whole days from the ship date to ``t`` (0 before it, or without a ship date)."""
    days = np.where(lsd == _NAT, 0, (t - np.where(lsd == _NAT, t, lsd)) // _DAY)
    return pa.array(np.maximum(days, 0)).cast(pa.string())


def _tsv(rows: ReportRows) -> Iterator[str]:
    """Yield the report's text: the header line, then the rows' lines a batch at a time (LF)."""
    yield "\t".join(rows.columns) + "\n"
    if not rows.columns:
        return
    for batch in rows.batches():
        columns = [c if c.type == pa.string() else c.cast(pa.string()) for c in batch.columns]
        columns[-1] = pc.binary_join_element_wise(columns[-1], "", "\n")  # the line's end
        lines = pc.binary_join_element_wise(*columns, "\t")
        offsets = np.frombuffer(lines.buffers()[1], np.int32)[lines.offset :]
        data = memoryview(lines.buffers()[2])[offsets[0] : offsets[len(lines)]]
        yield str(data, "utf-8")


def _write(
    path: str | os.PathLike[str],
    text: Iterable[str],
    *,
    encoding: str,
    unencodable: files.Unencodable,
    rows: ReportRows,
    key: str,
) -> None:
    """Encode ``text`` chunk by chunk and write it atomically: the one step that touches ``path``.

    A character ``encoding`` cannot hold is refused naming its order and column (nothing is
    written), or replaced with :data:`~orderkit.io.files.REPLACEMENT`.
    """
    if unencodable not in ("refuse", "replace"):
        raise ValueError(f"unencodable must be 'refuse' or 'replace', not {unencodable!r}")

    def encoded() -> Iterator[bytes]:
        codec = encoding
        for chunk in text:
            try:
                yield chunk.encode(codec)
            except UnicodeEncodeError as err:
                if unencodable == "refuse":
                    table = rows.table().to_pandas()
                    raise files._refusal(str(path), chunk, err, table, key) from None
                yield files._replaced(chunk, codec)
            codec = "utf-8" if encoding == "utf-8-sig" else encoding  # one BOM, at the start

    files.write_atomic(path, encoded())


def write_report(
    book: OrderBook,
    kind: str,
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    at: dt.datetime | None = None,
    unencodable: files.Unencodable = "refuse",
) -> None:
    """Write ``book`` as a flat-file report of ``kind`` to ``path``, atomically.

    The file is written through :func:`orderkit.io.files.write_atomic`: a failure (a character
    the encoding cannot hold, a full disk, a kill) leaves the previous file as it was.

    Args:
        book: the order book.
        kind: ``"all_orders"``, ``"unshipped"`` or ``"order_report"``.
        path: the file to write (tab-separated, LF line ends).
        encoding: ``"utf-8"``, ``"utf-8-sig"`` (with BOM) or ``"cp932"`` (Shift_JIS).
        at: the instant the report describes (statuses are read there); default: the book's
            latest event. No wall clock is read. Orders placed after it are not listed.
        unencodable: a character with no form in ``encoding`` (an emoji in a cp932 product name):
            ``"refuse"`` (default) writes nothing and raises; ``"replace"`` writes
            :data:`~orderkit.io.files.REPLACEMENT` (〓) for it.

    Raises:
        ValueError: an unknown ``kind`` or ``encoding``, a naive ``at``, no ``at`` for a book
            without events, or an order with no ``placed`` event.
        TransitionNotAllowed: an order's events break a rule by ``at``: nothing is written (the
            first such order of ``book.orders``, named by the per-order lens with its event and
            rule).
        UnencodableText: a value has no form in ``encoding`` (order, column and character
            named), with ``unencodable="refuse"``.

    """
    if kind not in C.KINDS:
        raise ValueError(f"kind must be one of {', '.join(C.KINDS)}, not {kind!r}")
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
    rows = report_rows(book, kind, at=at)
    _write(path, _tsv(rows), encoding=encoding, unencodable=unencodable, rows=rows,
           key=C.KINDS[kind].order_id)  # fmt: skip
