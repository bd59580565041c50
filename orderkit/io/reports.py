"""Read Seller Central's flat-file order reports into an :class:`~orderkit.book.OrderBook`.

Three reports are read, the kind told by the header row: the **All Orders** report, the
**Unshipped Orders** report and the **Order report** (tab-separated, one row per order item; see
``shared/reference/amazon.md``). Files may be UTF-8, UTF-8 with a BOM or Shift_JIS (cp932), with
CRLF or LF line ends, columns in any order. Known columns map onto :mod:`orderkit.schema`; unknown
columns are kept under their own names — on ``orders`` when known to describe the order, otherwise
on ``items`` (one row per file row, so nothing is lost).

Parsing is pyarrow's CSV reader (quoting off: Amazon does not quote, and product names carry
``"``); validation is vectorised over whole columns.

**Bad rows.** Each bad value is a :class:`~orderkit.errors.ReportFormatError` with the file, the
1-based physical line, the column, the value and what was expected. By default every good row is
read and every problem listed in ``book.problems``; an order with any bad row is left out *whole*
(a half-read order would fold to a wrong status or total), and each of its good rows is listed as
well, so no row disappears silently. ``strict=True`` raises the first problem instead. A file
whose header is not one of the three reports raises at line 1; an empty file, a binary file or
bytes valid in no supported encoding raise too (at the line of the first such byte, e.g. where a
cp932 file was cut inside a character). A header with no rows is a report of no orders.

**Lines are physical lines.** A line's number counts line feeds, whatever Arrow makes of it: a
carriage return inside a field (which Arrow would take for a line end, moving every later number)
sets its line aside, naming the field; CR CR LF ends a line like CRLF. A file that is not UTF-8 is
judged line by line (:func:`~orderkit.io.encoding.to_utf8`): a line in the other encoding than the
rest of the file (a UTF-8 line pasted into a cp932 file, or the reverse) is set aside with its line,
quoted in its own encoding — never decoded into mojibake. A line set aside is a bad row.

**Rows checked against each other** (vectorised; see :func:`_check_orders`):

- a row equal to an earlier row in every field (as read) is a repeat: counted once, and listed as
  a :class:`~orderkit.errors.DuplicateRowError` naming both lines; its order is read. Two rows of
  one SKU (All Orders) that differ in any field stay two items (``sku:X``, ``sku:X#2``); one
  order-item-id on two rows that differ is a bad row;
- the columns that state a fact of the whole order (:data:`~orderkit.io._columns.ORDER_LEVEL`:
  every column the reader keeps once per order — dates, status, channel, service level, buyer,
  address, payment, business and Prime flags, currency …) must not state two values for one order:
  each row that contradicts an earlier row of its order is a bad row (column, value, and the line
  and value it contradicts), so the order is left out whole as above — never resolved by keeping
  one of the two. A column left empty on some rows of an order and stated on others is no
  contradiction: the order takes the stated value.

**Events inferred.** A report is a snapshot, so only what it says becomes an event:

- ``placed`` (by the buyer) at purchase-date, for every order;
- ``payment_completed`` (Amazon) for every order the report shows as paid: at payments-date when
  the file has it (the Unshipped and Order reports list paid orders only), otherwise — the All
  Orders report, for an order past Pending — at purchase-date, the one paid-by instant that does
  not move from one report to the next (so a later report repeats the same event);
- ``awaiting_release`` at purchase-date for a PendingAvailability (pre-order) order;
- All Orders status as of last-updated-date: ``Shipped`` → one ``shipment_confirmed`` of the whole
  order; ``PartiallyShipped`` → ``shipment_confirmed`` of each item whose item-status is Shipped;
  ``Canceled`` → ``canceled`` by Amazon, reason unknown (the report does not say who canceled);
  ``InvoiceUnconfirmed`` → shipped then ``invoice_pending``; ``Unfulfillable`` → ``unfulfillable``;
  ``Shipping`` (an Amazon-fulfilled order leaving the warehouse) counts as Unshipped;
- Unshipped report: quantity-shipped > 0 → ``shipment_confirmed`` of that quantity, no later than
  the row's reporting-date (payments-date if absent).

A shipment is confirmed no later than last-updated-date; for a seller-fulfilled order it is also
placed before the instant Amazon's clock would have canceled the order for want of a confirmation
(it was not canceled, so the confirmation came first). Every inferred order therefore folds.

The All Orders report has no order-item-id: its items get the stable key ``sku:<SKU>`` (``#2``,
``#3`` … for a SKU repeated in one order). Mixing report kinds for the same orders in one book
gives such an order two item keys and, when payments-date differs from purchase-date, two payment
events: keep one kind of report per book, or prefer the Unshipped/Order reports.

Reading a later report of the same orders with ``book.merge(read_report(later))`` adds only new
facts: event ids are content hashes, and the instants above do not move between snapshots unless
the order changed (a new last-updated-date with the same status does record the shipment again;
Amazon only moves last-updated-date when something changed).
"""

from __future__ import annotations

import os
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from orderkit import schema
from orderkit.book import OrderBook
from orderkit.errors import DuplicateRowError, ReportFormatError
from orderkit.events import (
    NULL_HASH,
    Actor,
    ColumnHashes,
    EventKind,
    Origin,
    combine_ids,
    hash_ints,
    text_hashes,
)
from orderkit.io import _columns as C
from orderkit.io._fast import Coded, encode
from orderkit.io._infer import ORDER_STATUS, confirm_by_ns, payment_method
from orderkit.io.encoding import (
    BOM,
    EXPECTED_TEXT,
    ForeignLine,
    check_not_binary,
    strip_bom,
    to_utf8,
)
from orderkit.status import OrderStatus

__all__ = ["detect_kind", "read_report"]

S = OrderStatus
_ORDER_ID = r"^\d{3}-\d{7}-\d{7}$"
_NAT = np.iinfo(np.int64).min  # a missing time, as UTC nanoseconds
_SECOND = 1_000_000_000
# Columns of a few distinct values: the parser encodes them (see _arrow); a bad value among them is
# quoted from a second, all-text read.
_FEW_VALUES = frozenset(
    {
        "order-status", "item-status", "fulfillment-channel", "sales-channel",
        "ship-service-level", "currency", "ship-country", "is-business-order", "is-prime",
    }
)  # fmt: skip
_ITEM_ID = r"^\d{14}$"
_TS_EXPECTED = "an ISO 8601 date-time with its offset, e.g. 2026-11-02T10:15:00+09:00"
_PAID = frozenset(
    {S.UNSHIPPED, S.PARTIALLY_SHIPPED, S.SHIPPED, S.INVOICE_UNCONFIRMED, S.UNFULFILLABLE}
)
_ALL_SHIPPED = frozenset({S.SHIPPED, S.INVOICE_UNCONFIRMED})
_ITEM_STATUS = frozenset(
    {
        "Pending",
        "Unshipped",
        "Shipping",
        "Shipped",
        "PartiallyShipped",
        "Canceled",
        "Cancelled",
        "Unfulfillable",
        "InvoiceUnconfirmed",
    }
)
_CHANNEL = {"Amazon": "AFN", "AFN": "AFN", "Merchant": "MFN", "MFN": "MFN", "Seller": "MFN"}
_BOOL = {
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
    "y": True,
    "n": False,
}


def detect_kind(columns: list[str]) -> C.ReportKind | None:
    """Return the report kind a header's ``columns`` identify, or ``None``."""
    names = set(columns)
    for kind in C.KINDS.values():
        if kind.signature <= names:
            return kind
    return None


# ---- reading the bytes -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Aside:
    """A line set aside before parsing (blanked in the text), with what is wrong with it."""

    line: int
    text: str  # the whole line, decoded
    column: str | None
    value: object
    expected: str


class _Raw:
    """A parsed file: string columns, the physical line of each row, rows set aside.

    ``invalid`` are the rows of the wrong width (line, text); ``aside`` the lines blanked before
    parsing (a line in the other encoding, a carriage return inside a field).
    """

    def __init__(
        self,
        table: pa.Table,
        lines: np.ndarray,
        invalid: list[tuple[int, str]],
        aside: list[_Aside] | None = None,
    ) -> None:
        self.table = table
        self.lines = lines
        self.invalid = invalid
        self.aside = aside or []


def _header(head: bytes, data: pa.Buffer, path: str) -> list[str]:
    """Return the header's column names (the header is ASCII in practice; cp932 is read too).

    ``head`` is the start of ``data``, enough to hold the header unless it has no line end.
    """
    end = head.find(b"\n")
    if end < 0 and len(head) < data.size:
        head = data.to_pybytes()
        end = head.find(b"\n")
    first = head if end < 0 else head[:end]
    try:
        header = first.decode("utf-8")
    except UnicodeDecodeError:
        try:
            header = first.decode("cp932")
        except UnicodeDecodeError:
            raise ReportFormatError(path, 1, None, first[:200], EXPECTED_TEXT) from None
    return [c.strip() for c in header.rstrip("\r").split("\t")]


def _arrow(
    data: pa.Buffer, columns: list[str], *, typed: bool, rows_of_any_width: bool
) -> tuple[pa.Table, list]:
    """Parse the tab-separated ``data``: every column as text, or date-times and numbers parsed too.

    With ``typed``, the reader parses the date-time and whole-number columns itself, and encodes
    the columns of a few distinct values (statuses, channels, ...) against a dictionary, on every
    core; a value without its offset, or that is not a whole number, fails the whole read (the
    caller reads the file again as text, to quote it). A row of the wrong width fails it too, unless
    ``rows_of_any_width``: then each such row is set aside with its number (single-threaded, so
    that the numbers are right), and the text must be UTF-8 (the caller has checked it).
    """
    invalid: list[tuple[int | None, str]] = []

    def handler(row: pacsv.InvalidRow) -> str:
        invalid.append((row.number, row.text))
        return "skip"

    text = pa.large_string()  # pandas' str: no cast later
    types = dict.fromkeys(columns, text)
    if typed:
        types.update(dict.fromkeys(C.TIMESTAMPS & set(columns), pa.timestamp("ns", tz="UTC")))
        types.update(dict.fromkeys((C.INT | C.YEN) & set(columns), pa.int64()))
        types.update(dict.fromkeys(_FEW_VALUES & set(columns), pa.dictionary(pa.int32(), text)))
    table = pacsv.read_csv(
        data,
        read_options=pacsv.ReadOptions(use_threads=not rows_of_any_width, block_size=1 << 22),
        parse_options=pacsv.ParseOptions(
            delimiter="\t",
            quote_char=False,
            ignore_empty_lines=False,
            invalid_row_handler=handler if rows_of_any_width else None,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types=types, strings_can_be_null=True, null_values=[""]
        ),
    )
    return table, invalid


def _is_utf8(buffer: pa.Buffer) -> bool:
    """Return whether ``buffer`` is valid UTF-8 (Arrow's validation: fast, and no decoded copy)."""
    offsets = pa.py_buffer(np.array([0, buffer.size], dtype=np.int64).tobytes())
    blob = pa.Array.from_buffers(pa.large_binary(), 1, [None, offsets, buffer])
    try:
        pc.cast(blob, pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _parse(
    data: pa.Buffer,
    path: str,
    columns: list[str],
    *,
    typed: bool,
    bom: bool = False,
    aside: list[_Aside] | None = None,
    ends_checked: bool = False,
) -> _Raw:
    """Parse the rows after the header; UTF-8 is tried first, as Arrow checks it while parsing.

    The first read, on every core, fails on anything unusual: text that is not UTF-8 (then it is
    judged line by line, :func:`~orderkit.io.encoding.to_utf8`, and parsed again), a row of the
    wrong width (then the file is read again, setting such rows aside with their line), or a
    date-time the reader cannot parse (then it is read as text, so that the problem can quote the
    value with its line). Arrow ends a row at a lone carriage return too, which would move every
    later line number: a file with one (it always yields a row of the wrong width or a blank row)
    has its line ends checked, :func:`_line_ends`, before being parsed again.
    """
    aside = [] if aside is None else aside
    again = partial(_parse, path=path, columns=columns, typed=typed, bom=bom)
    try:
        table, invalid = _arrow(data, columns, typed=typed, rows_of_any_width=False)
    except pa.ArrowInvalid:
        if not _is_utf8(data):
            text, foreign = to_utf8(data.to_pybytes(), path, bom=bom)
            aside = aside + [_foreign(f) for f in foreign]
            return again(pa.py_buffer(text), aside=aside, ends_checked=ends_checked)
        if not ends_checked:
            fixed = _line_ends(data, columns)
            if fixed is not None:
                return again(fixed[0], aside=aside + fixed[1], ends_checked=True)
        try:
            table, invalid = _arrow(data, columns, typed=typed, rows_of_any_width=True)
        except pa.ArrowInvalid as exc:
            if typed:
                return _parse(
                    data, path, columns, typed=False, bom=bom, aside=aside, ends_checked=True
                )
            raise ReportFormatError(path, None, None, str(exc), EXPECTED_TEXT) from exc
    numbers = np.array([n for n, _ in invalid], dtype=np.int64)
    lines = np.arange(2, table.num_rows + len(invalid) + 2, dtype=np.int64)
    if len(numbers):
        lines = np.setdiff1d(lines, numbers, assume_unique=True)
    # A blank line is a row with every field empty: not a row of the report.
    blank = np.ones(table.num_rows, dtype=bool)
    for col in table.columns:
        if not blank.any():
            break
        blank &= _np(col.is_null())
    if blank.any():
        if not ends_checked:  # a blank row may be a lone CR's doing
            fixed = _line_ends(data, columns)
            if fixed is not None:
                return again(fixed[0], aside=aside + fixed[1], ends_checked=True)
        table, lines = table.filter(pa.array(~blank)), lines[~blank]
    return _Raw(table, lines, [(int(n), t) for n, t in invalid], aside)


def _foreign(line: ForeignLine) -> _Aside:
    return _Aside(
        line.line,
        line.text,
        None,
        line.text,
        f"a line in {line.file_encoding}, the encoding of the rest of the file: this line is in"
        f" another encoding, {line.encoding}, so it is left out",
    )


def _line_ends(data: pa.Buffer, columns: list[str]) -> tuple[pa.Buffer, list[_Aside]] | None:
    """Return ``data`` with LF line ends and each line holding a lone CR blanked, and those lines.

    ``None`` if there is nothing to change (no CR, or each CR ends a line before its LF). CRs
    just before an LF end the line (CR CR LF too); any other CR is inside a field, where
    Arrow would split the row: the line is set aside whole, naming the field.
    """
    b = np.frombuffer(data, np.uint8)
    cr = np.flatnonzero(b == 13)
    if not len(cr):
        return None
    after = np.append(b, np.uint8(10))[cr + 1]  # the end of the file ends a line
    run = np.cumsum(np.r_[True, np.diff(cr) != 1]) - 1
    last = np.r_[np.flatnonzero(np.diff(run)), len(cr) - 1]  # each run's last CR
    ends_line = after[last][run] == 10
    if ends_line.all() and len(last) == len(cr):
        return None  # CRLF
    keep = np.ones(len(b), bool)
    keep[cr[ends_line]] = False
    lf = np.flatnonzero(b == 10)
    lone = cr[~ends_line]
    line_of = np.searchsorted(lf, lone)  # 0-based: the number of LFs before
    aside = []
    for k in np.unique(line_of):
        if k == 0:
            continue  # the header was read apart
        lo, hi = int(lf[k - 1]) + 1, int(lf[k]) if k < len(lf) else len(b)
        raw = b[lo:hi].tobytes()
        field = raw[: int(lone[line_of == k][0]) - lo].count(b"\t")
        text = raw.decode("utf-8").rstrip("\r")
        fields = text.split("\t")
        aside.append(
            _Aside(
                int(k) + 1,
                text,
                columns[field] if field < len(columns) else None,
                fields[field] if field < len(fields) else text,
                "a field without a carriage return (CR): a line break inside a field splits"
                " its row, so the row is left out",
            )
        )
        keep[lo:hi] = False
    return pa.py_buffer(b[keep].tobytes()), aside


def _load(path: str | os.PathLike[str]) -> pa.Buffer:
    """Return the file's bytes, memory-mapped (no copy: the parser reads the pages directly)."""
    mapped = pa.memory_map(os.fspath(path))
    try:
        return mapped.read_buffer()
    finally:
        mapped.close()  # the buffer keeps the mapping alive


_HEAD = 65536


def _read(path: str | os.PathLike[str], *, typed: bool = True) -> tuple[C.ReportKind, _Raw, str]:
    name = str(path)
    data = _load(path)
    head, bom = strip_bom(data.slice(0, min(data.size, _HEAD + len(BOM))).to_pybytes())
    if bom:
        data = data.slice(len(BOM))
    head = head[:_HEAD]
    titles = ", ".join(k.title for k in C.KINDS.values())
    if not head.strip() and not data.to_pybytes().strip():
        raise ReportFormatError(name, 1, None, "", f"a header row of the {titles}")
    check_not_binary(head, name)  # it looks at the first 64 KiB only
    columns = _header(head, data, name)
    seen: set[str] = set()
    for col in columns:
        if col in seen:
            raise ReportFormatError(name, 1, col, col, "each column named once in the header")
        seen.add(col)
    kind = detect_kind(columns)
    if kind is None:
        raise ReportFormatError(
            name, 1, None, "\t".join(columns)[:200], f"a header of the {titles}"
        )
    for col in kind.required:
        if col not in seen:
            raise ReportFormatError(name, 1, col, None, f"the {kind.title} column {col!r}")
    return kind, _parse(data, name, columns, typed=typed, bom=bom), name


# ---- validating and converting columns ----------------------------------------------------------


class _Reread(Exception):
    """A bad value in a column the reader parsed itself: read the file again as text to quote it."""


class _Checker:
    """Collects bad values column by column (vectorised), remembering each bad row's line."""

    def __init__(self, raw: _Raw, path: str) -> None:
        self.raw = raw
        self.path = path
        self.n = raw.table.num_rows
        self.bad = np.zeros(self.n, dtype=bool)
        self.problems: list[ReportFormatError] = []
        self._lock = threading.Lock()  # columns are checked on two threads

    def has(self, col: str) -> bool:
        return col in self.raw.table.column_names

    def col(self, col: str) -> pa.ChunkedArray:
        return self.raw.table.column(col)

    def flag(self, mask: np.ndarray, col: str | None, expected: str | Sequence[str]) -> None:
        """List each row of ``mask`` as bad in ``col``; ``expected`` is one text, or one a row."""
        idx = np.flatnonzero(mask)
        if not len(idx):
            return
        values = self.quote(col, idx) if col else [None] * len(idx)
        lines = self.raw.lines[idx]
        texts = [expected] * len(idx) if isinstance(expected, str) else expected
        found = [
            ReportFormatError(self.path, int(line), col, value, text)
            for line, value, text in zip(lines, values, texts, strict=True)
        ]
        with self._lock:
            self.problems += found
            self.bad |= mask

    def quote(self, col: str, idx: np.ndarray) -> list[object]:
        """Return the values of rows ``idx`` in ``col`` as the file has them."""
        if not pa.types.is_large_string(self.col(col).type):
            raise _Reread(col)  # the value must be quoted as the file has it
        return self.col(col).take(pa.array(idx)).to_pylist()

    def disagree(self, mask: np.ndarray, ref: np.ndarray, col: str, order_ids: pd.Series) -> None:
        """List each row of ``mask`` as contradicting row ``ref`` of its order in ``col``."""
        idx = np.flatnonzero(mask)
        theirs = self.quote(col, ref[idx])
        expected = [
            f"the {col} of line {self.raw.lines[r]} ({v!r}): the rows of order {order_ids.iloc[i]}"
            " contradict each other, so the order is left out"
            for i, r, v in zip(idx, ref[idx], theirs, strict=True)
        ]
        self.flag(mask, col, expected)

    def required(self, col: str) -> None:
        self.flag(_np(self.col(col).is_null()), col, "a value (the column is required)")

    def pattern(self, col: str, regex: str, expected: str) -> pd.Series:
        arr = self.col(col)
        if regex != _ORDER_ID or not _order_ids_ok(arr):  # the cheap check failed: find which
            ok = pc.fill_null(pc.match_substring_regex(arr, regex), False)
            self.flag(~_np(ok) & ~_np(arr.is_null()), col, expected)
        return arr.to_pandas(types_mapper=_str_mapper)

    def timestamps(self, col: str) -> pd.Series:
        arr = self.col(col)
        if pa.types.is_timestamp(arr.type):  # parsed by the reader: every value had its offset
            return arr.to_pandas().astype(schema.TS)
        try:  # Arrow's parser refuses a date-time without its offset
            ts = pc.cast(arr, pa.timestamp("ns", tz="UTC")).to_pandas()
            bad = np.zeros(len(ts), bool)
        except pa.ArrowInvalid:
            present = ~_np(arr.is_null())
            ts = pd.to_datetime(arr.to_pandas(), format="ISO8601", utc=True, errors="coerce")
            bad = present & (ts.isna().to_numpy() | ~_ends_with_offset(arr))
        self.flag(bad, col, _TS_EXPECTED)
        ts = ts.astype(schema.TS)
        return ts.where(~bad) if bad.any() else ts

    def numbers(self, col: str, *, expected: str, negative: bool) -> pd.arrays.IntegerArray:
        """Return a column of whole numbers (bad values flagged and missing)."""
        arr = self.col(col)
        missing = _np(arr.is_null())
        try:  # the usual file: plain integers, one cast and no float pass
            cast = pc.cast(arr, pa.int64()).combine_chunks()
            # the values buffer as it is (no copy): a missing value's slot is masked anyway
            values = np.frombuffer(cast.buffers()[1], np.int64)[
                cast.offset : cast.offset + len(cast)
            ]
            values = np.where(missing, 0, values) if cast.null_count else values
            bad = np.zeros(len(values), bool) if negative else values < 0
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            try:
                x = pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)
            except pa.ArrowInvalid:
                x = pd.to_numeric(arr.to_pandas(), errors="coerce").to_numpy(
                    dtype=float, na_value=np.nan
                )
            # beyond 2**53 a float holds no exact whole number: bad, like any other non-integer
            finite = np.isfinite(x) & (np.abs(x) <= 2**53)
            bad = ~missing & (~finite | (np.where(finite, x, 0) % 1 != 0))
            if not negative:
                bad |= finite & (x < 0)
            values = np.where(finite & ~bad, np.round(x), 0).astype(np.int64)
        self.flag(bad, col, expected)
        if bad.any():
            missing, values = missing | bad, np.where(bad, 0, values)
        return pd.arrays.IntegerArray(values, missing)

    def choice(self, col: str, table: dict[str, object] | frozenset[str], expected: str) -> Coded:
        get = table.get if isinstance(table, dict) else (lambda v: v if v in table else None)
        coded, unmapped = encode(self.col(col), lambda v: get(v.strip()))
        self.flag(unmapped, col, expected)
        return coded


def _order_ids_ok(arr: pa.ChunkedArray) -> bool:
    """Return True if every value is an order number (3-7-7 digits); False if unsure."""
    if arr.null_count:
        return False
    for chunk in arr.chunks:
        offsets, data = _buffers(chunk)
        n = len(chunk)
        if n == 0:
            continue
        if not (np.diff(offsets) == 19).all():
            return False
        rows = data[offsets[0] : offsets[0] + 19 * n].reshape(n, 19)
        digits = np.delete(rows, [3, 11], axis=1) - np.uint8(48) < 10
        if not (digits.all() and (rows[:, [3, 11]] == ord("-")).all()):
            return False
    return True


def _buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Return a string array's offsets (int64) and bytes as numpy arrays."""
    _, off, data = chunk.buffers()
    large = pa.types.is_large_string(chunk.type)
    offsets = np.frombuffer(off, np.int64 if large else np.int32)[
        chunk.offset : chunk.offset + len(chunk) + 1
    ].astype(np.int64)
    return offsets, np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)


def _ends_with_offset(arr: pa.ChunkedArray) -> np.ndarray:
    r"""Return whether each value ends with a UTC offset (``Z``, ``+09:00``, ``+0900``; missing → False).

    The regular expression ``(Z|[+-]\d\d:?\d\d)$`` checked on the last six bytes, vectorised.
    """
    parts = []
    for chunk in arr.chunks:
        offsets, data = _buffers(chunk)
        end, length = offsets[1:], np.diff(offsets)
        data = np.append(data, np.uint8(0))

        def back(
            k: int, end: np.ndarray = end, length: np.ndarray = length, data: np.ndarray = data
        ) -> np.ndarray:
            return np.where(length >= k, data[np.maximum(end - k, 0)], 0)

        b = [None] + [back(k) for k in range(1, 7)]
        digit = [None] + [(x >= 48) & (x <= 57) for x in b[1:]]
        sign = [None] + [(x == 43) | (x == 45) for x in b[1:]]
        colon = sign[6] & digit[5] & digit[4] & (b[3] == 58) & digit[2] & digit[1]
        plain = sign[5] & digit[4] & digit[3] & digit[2] & digit[1]
        parts.append((b[1] == ord("Z")) | colon | plain)
    return np.concatenate(parts) if parts else np.zeros(0, bool)


def _np(arr: pa.ChunkedArray) -> np.ndarray:
    return (
        np.asarray(arr.to_numpy(), dtype=bool)
        if arr.null_count == 0
        else np.asarray(pc.fill_null(arr, False).to_numpy(), dtype=bool)
    )


def _str_mapper(t: pa.DataType) -> object:
    text = pa.types.is_string(t) or pa.types.is_large_string(t)
    return pd.StringDtype(na_value=np.nan) if text else None


def _convert(kind: C.ReportKind, chk: _Checker) -> dict[str, object]:
    """Validate every known column; return the converted values by file column name.

    Each column is checked on its own, two at a time (Arrow and numpy release the GIL); then the
    rules between columns.
    """
    oid = kind.order_id
    tasks: dict[str, Callable[[], object]] = {}

    def text(col: str, regex: str, expected: str) -> pd.Series:
        chk.required(col)
        return chk.pattern(col, regex, expected)

    def yen(col: str) -> object:
        discount = col in C.DISCOUNTS
        x = chk.numbers(
            col, expected="a whole number of yen" + ("" if discount else " ≥ 0"), negative=discount
        )
        return abs(x) if discount else x

    def flag(col: str) -> np.ndarray:
        coded, unmapped = encode(chk.col(col), lambda v: _BOOL.get(v.strip().lower()))
        chk.flag(unmapped, col, "true or false")
        return coded.lookup(np.array([*coded.values, False], bool))

    def payment() -> pd.Series:
        values = chk.col("payment-method").to_pandas(types_mapper=_str_mapper)
        mapped, unknown = payment_method(values)
        chk.flag(unknown.to_numpy(), "payment-method", "a payment method (COD, CVS, Other, …)")
        return mapped

    tasks[oid] = partial(text, oid, _ORDER_ID, "an Amazon order number, 3-7-7 digits")
    if chk.has("order-item-id"):
        tasks["order-item-id"] = partial(
            text, "order-item-id", _ITEM_ID, "a 14-digit order item id"
        )
    for col in C.TIMESTAMPS:
        tasks[col] = partial(chk.timestamps, col)
    for col in C.INT:
        tasks[col] = partial(chk.numbers, col, expected="a whole number ≥ 0", negative=False)
    for col in C.YEN:
        tasks[col] = partial(yen, col)
    for col in C.BOOL:
        tasks[col] = partial(flag, col)
    for col, table, expected in (
        (
            "order-status",
            dict(ORDER_STATUS),
            "an order status (Pending, Unshipped, PartiallyShipped, Shipped, Canceled…)",
        ),
        ("item-status", _ITEM_STATUS, "an item status"),
        ("fulfillment-channel", _CHANNEL, "Amazon, Merchant, AFN or MFN"),
    ):
        tasks[col] = partial(chk.choice, col, table, expected)
    tasks["payment-method"] = payment
    with ThreadPoolExecutor(2, thread_name_prefix="orderkit-read") as pool:
        futures = {col: pool.submit(task) for col, task in tasks.items() if chk.has(col)}
        out = {col: future.result() for col, future in futures.items()}
    chk.required("purchase-date")
    if kind is C.KINDS["all_orders"]:
        chk.required("last-updated-date")
        late = out["last-updated-date"] < out["purchase-date"]  # type: ignore[operator]
        chk.flag(late.fillna(False).to_numpy(bool), "last-updated-date", "not before purchase-date")
    qcol = "quantity" if kind is C.KINDS["all_orders"] else "quantity-purchased"
    chk.required(qcol)
    if "quantity-shipped" in out:
        shipped, bought = out["quantity-shipped"], out[qcol]
        over = shipped.to_numpy(float, na_value=0) > bought.to_numpy(float, na_value=0)  # type: ignore[attr-defined]
        chk.flag(over, "quantity-shipped", f"at most {qcol}")
    return out


# ---- building the book --------------------------------------------------------------------------


def _set_aside(chk: _Checker, kind: C.ReportKind) -> tuple[list[ReportFormatError], set[str]]:
    """Return the rows set aside as problems, and their orders (the order id as the line has it).

    Those are the rows pyarrow set aside (wrong number of fields) and the lines blanked before
    parsing (:class:`_Aside`).
    """
    width = chk.raw.table.num_columns
    pos = chk.raw.table.column_names.index(kind.order_id)
    problems, orders = [], set()
    for row in chk.raw.aside:
        problems.append(ReportFormatError(chk.path, row.line, row.column, row.value, row.expected))
        fields = row.text.split("\t")
        if pos < len(fields):
            orders.add(fields[pos])
    for line, text in chk.raw.invalid:
        fields = text.rstrip("\r").split("\t")
        problems.append(
            ReportFormatError(
                chk.path, line, None, text, f"{width} tab-separated fields, got {len(fields)}"
            )
        )
        if pos < len(fields):
            orders.add(fields[pos])
    return problems, orders


@dataclass(frozen=True, slots=True)
class _Repeated:
    """Rows that repeat an earlier row field for field (read once), and their problems."""

    rows: np.ndarray
    problems: list[DuplicateRowError]


def _check_orders(
    kind: C.ReportKind, chk: _Checker, conv: dict[str, object], keys: _Keys
) -> tuple[_Repeated, set[str]]:
    """Check the rows of each order against each other; return the repeated rows, columns to fill.

    - A row equal to an earlier row in every field is a repeat: read once, listed with both lines.
    - Rows of one item (the same SKU in the All Orders report, which stay two items if they differ;
      the same order-item-id in the others, which must not) and order-level columns
      (:data:`~orderkit.io._columns.ORDER_LEVEL`) that state two different values for one order
      are flagged (``chk``), so that the order is left out: never resolved silently.
    - An order-level column empty on some rows of an order and stated on others is no
      contradiction: its name is returned, so that the order takes the stated value.

    Vectorised: the few rows that share their item key are compared whole; order-level columns are
    compared with the row before when each order's rows lie together (the usual report).
    """
    codes = keys[0]
    if codes is None:  # an order id is missing (a bad row): code the ids as they are
        codes = pd.factorize(chk.col(kind.order_id).to_pandas(), use_na_sentinel=False)[0]
    codes = np.asarray(codes, np.int64)
    repeated = _repeated_rows(kind, chk, conv, codes, keys[3])
    together = len(codes) < 2 or bool((codes[1:] >= codes[:-1]).all())
    ref = _reference_rows(codes, together)
    ref[repeated.rows] = -1  # a repeat agrees with the row it repeats
    fill: set[str] = set()
    columns = sorted(C.ORDER_LEVEL & set(chk.raw.table.column_names) - {kind.order_id})
    with ThreadPoolExecutor(2, thread_name_prefix="orderkit-read") as pool:  # Arrow, numpy: no GIL
        found = list(pool.map(lambda c: _differences(chk, conv, c, ref, together), columns))
    for col, (differ, mixed) in zip(columns, found, strict=True):
        if mixed:
            fill.add(col)
        if differ.any():
            chk.disagree(differ, ref, col, conv[kind.order_id])  # type: ignore[arg-type]
    return repeated, fill


def _reference_rows(codes: np.ndarray, together: bool) -> np.ndarray:
    """Return, for each row, an earlier row of its order to compare it with (-1: its first row)."""
    n = len(codes)
    if together:
        ref = np.arange(-1, n - 1)
        if n:
            ref[np.r_[True, codes[1:] != codes[:-1]]] = -1
        return ref
    firsts = np.flatnonzero(_first_rows(codes)) if n else np.zeros(0, np.int64)
    order_first = np.empty(int(codes.max()) + 1 if n else 0, np.int64)
    order_first[codes[firsts]] = firsts
    ref = order_first[codes]
    ref[ref == np.arange(n)] = -1
    return ref


def _differences(
    chk: _Checker, conv: dict[str, object], col: str, ref: np.ndarray, together: bool
) -> tuple[np.ndarray, bool]:
    """Return the rows whose ``col`` states another value than row ``ref``'s.

    Also return whether some order leaves ``col`` empty on some of its rows only.
    """
    n = len(ref)
    has = ref >= 0
    value = conv.get(col)
    arr = chk.col(col)
    if arr.null_count == n or not has.any():  # an empty column, or one row per order
        return np.zeros(n, bool), False
    if isinstance(value, Coded):
        x, missing = value.codes, value.codes < 0
    elif col in C.TIMESTAMPS:
        x = schema.utc_ns(value)  # type: ignore[arg-type]
        missing = x == _NAT
    elif isinstance(value, pd.arrays.IntegerArray):
        x, missing = value._data, value._mask
    elif pa.types.is_dictionary(arr.type) or not together:
        _, x = schema.dictionary_codes(arr)
        missing = x < 0
    else:  # text, each order's rows together: compare with the row before, in Arrow
        if n < 2 or not has.any():
            return np.zeros(n, bool), False
        a, b = arr.slice(1), arr.slice(0, n - 1)
        differ = np.zeros(n, bool)
        differ[1:] = ~_np(pc.equal(a, b))  # missing when either is: then not "differ" (below)
        if not arr.null_count:
            return differ & has, False
        missing = _np(arr.is_null())
        differ[1:] &= ~missing[1:] & ~missing[:-1]
        return differ & has, bool((has[1:] & (missing[1:] != missing[:-1])).any())
    if together:  # the row before: slices, no gather
        differ = np.zeros(n, bool)
        differ[1:] = has[1:] & ~missing[1:] & ~missing[:-1] & (x[1:] != x[:-1])
        return differ, bool((has[1:] & (missing[1:] != missing[:-1])).any())
    r = np.where(has, ref, 0)
    both = has & ~missing & ~missing[r]
    differ = both & (x != x[r])
    mixed = bool((has & (missing != missing[r])).any())
    return differ, mixed


def _repeated_rows(
    kind: C.ReportKind,
    chk: _Checker,
    conv: dict[str, object],
    codes: np.ndarray,
    same_sku: np.ndarray | None,
) -> _Repeated:
    """Find the rows that repeat an earlier row exactly, among the rows sharing their item key.

    Of rows sharing an order-item-id (Unshipped and Order reports) that are no exact repeat, the
    later are flagged: one item stated twice, differently.
    """
    n = chk.n
    if same_sku is not None:
        candidates = same_sku
    elif "order-item-id" in conv:
        ids = conv["order-item-id"]
        candidates = pd.DataFrame({"o": codes, "i": ids}).duplicated(keep=False).to_numpy()
    else:
        candidates = np.zeros(n, bool)
    rows = np.zeros(n, bool)
    problems: list[DuplicateRowError] = []
    idx = np.flatnonzero(candidates)
    if not len(idx):
        return _Repeated(rows, problems)
    sub = chk.raw.table.take(pa.array(idx)).to_pandas()
    hashes = pd.Series(pd.util.hash_pandas_object(sub, index=False).to_numpy())
    first = pd.Series(np.arange(len(hashes))).groupby(hashes.to_numpy()).transform("first")
    first = first.to_numpy()
    for k in np.flatnonzero(hashes.duplicated().to_numpy()):  # repeats only: bad input
        if sub.iloc[k].equals(sub.iloc[first[k]]):
            i, j = int(idx[k]), int(idx[first[k]])
            rows[i] = True
            oid = sub.iloc[k][kind.order_id]
            line, first_line = int(chk.raw.lines[i]), int(chk.raw.lines[j])
            problems.append(DuplicateRowError(chk.path, line, first_line, kind.order_id, oid))
    if same_sku is None:  # one order-item-id on two different rows
        twice = candidates & ~rows
        key = pd.DataFrame({"o": codes[twice], "i": conv["order-item-id"][twice]})  # type: ignore[index]
        later = np.zeros(n, bool)
        later[np.flatnonzero(twice)[key.duplicated().to_numpy()]] = True
        chk.flag(
            later,
            "order-item-id",
            "each order-item-id on one row: another row of this"
            " order states the same item differently",
        )
    return _Repeated(rows, problems)


def _fill_first_rows(
    rows: pd.DataFrame, columns: list[str], codes: np.ndarray, firsts: np.ndarray
) -> None:
    """Give each order's first row the value a later row states where the first leaves it empty."""
    for col in columns:
        present = rows[col].notna().to_numpy()
        pos = np.flatnonzero(present)
        uniq, at = np.unique(codes[pos], return_index=True)
        source = np.full(len(firsts), -1, np.int64)
        source[uniq] = pos[at]
        need = ~present[firsts] & (source >= 0)
        if need.any():
            column = rows[col].copy()
            column.iloc[firsts[need]] = column.iloc[source[need]].to_numpy()
            rows[col] = column


def _frames(
    kind: C.ReportKind, chk: _Checker, conv: dict[str, object], keep: np.ndarray | None
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Return the file's rows as (row frame with schema names, the consumed fact columns)."""
    table = chk.raw.table
    data: dict[str, object] = {}
    facts: dict[str, object] = {}
    for col in table.column_names:
        value = conv.get(col)
        if value is None:
            value = table.column(col).to_pandas(types_mapper=_str_mapper)
        elif isinstance(value, Coded) and col not in C.CONSUMED:
            target = C.ORDER_FIELDS.get(col) or C.ITEM_FIELDS.get(col) or col
            coded = schema.ORDERS.get(target, schema.ITEMS.get(target))
            value = value.categorical() if coded and coded.dtype == schema.CODE else value.text()
        elif isinstance(value, pd.arrays.IntegerArray):
            value = value if col in C.CONSUMED else pd.Series(value, copy=False)
        if col in C.CONSUMED:
            facts[col] = value
        else:
            target = C.ORDER_FIELDS.get(col) or C.ITEM_FIELDS.get(col) or col
            if target not in data or col != "delivery-end-date":
                data[target] = value
    rows = pd.DataFrame(data, copy=False)
    if keep is not None:
        rows = rows[keep].reset_index(drop=True)
        facts = {col: _pick(value, keep) for col, value in facts.items()}
    return rows, facts


def _pick(value: object, rows: np.ndarray) -> object:
    """Return the selected ``rows`` of a fact column (a Coded, a Series or an array)."""
    if isinstance(value, pd.Series):
        return value[rows].reset_index(drop=True)
    return value[rows]  # type: ignore[index]


def _text(series: pd.Series) -> pa.Array:
    """Return a text column as one Arrow array (no copy for pandas' Arrow-backed ``str``)."""
    arr = pa.array(series.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    return (
        arr
        if pa.types.is_large_string(arr.type) or pa.types.is_string(arr.type)
        else arr.cast(pa.string())
    )


def _order_codes(rows: pd.DataFrame) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Return each row's order as a code in order of first appearance, and the orders' id hashes.

    The codes are None if an id is missing; the hashes (of each order's id, in code order) are
    None unless computed on the way. Reports list an order's rows together: then the codes are the runs of equal ids, once the
    runs' ids are seen to be distinct (their 64-bit hashes differ; on a tie, compared exactly).
    """
    ids = rows["order_id"]
    n = len(ids)
    if ids.isna().any():
        return None, None
    arr = _text(ids)
    starts = np.ones(n, bool)
    if n > 1:
        differs = pc.not_equal(arr.slice(1), arr.slice(0, n - 1))
        starts[1:] = differs.to_numpy(zero_copy_only=False)
    heads = arr.filter(pa.array(starts))
    hashes = text_hashes(pd.Series(heads, dtype=schema.STR))
    if not pd.Series(hashes).duplicated().any():
        return np.cumsum(starts, dtype=np.int64) - 1, hashes
    codes, _ = pd.factorize(ids)
    return codes.astype(np.int64), None


def _first_rows(order_codes: np.ndarray) -> np.ndarray:
    """Return whether each row is its order's first (codes number orders as they first appear)."""
    before = np.maximum.accumulate(np.r_[-1, order_codes[:-1]])
    return order_codes > before


def _item_ids(
    rows: pd.DataFrame, order_codes: np.ndarray | None = None, *, repeats: bool = False
) -> pd.Series | tuple[pd.Series, np.ndarray]:
    """Stable keys for All Orders items, which have no order-item-id: ``sku:<SKU>`` (#n if repeated).

    With ``repeats``, also return which rows share their order and SKU with another row.
    """
    sku = rows["sku"]
    if "asin" in rows and sku.isna().any():
        sku = sku.fillna(rows["asin"])
    dictionary, sku_codes = schema.dictionary_codes(_text(sku))
    labels = [f"sku:{v}" for v in dictionary.to_pylist()] + ["sku:"]
    sku_codes[sku_codes < 0] = len(labels) - 1
    if order_codes is None:
        order_codes = pd.factorize(rows["order_id"], use_na_sentinel=False)[0]
    repeated = _repeats(order_codes, sku_codes, len(labels))
    if repeated.any():  # the second, third, ... line of a SKU in one order: "#2", "#3", ...
        key = order_codes[repeated].astype(np.int64) * len(labels) + sku_codes[repeated]
        nth = pd.Series(key).groupby(key, sort=False).cumcount().to_numpy()
        later = np.flatnonzero(repeated)[nth > 0]
        names = [
            f"{labels[c]}#{k + 1}" for c, k in zip(sku_codes[later], nth[nth > 0], strict=True)
        ]
        sku_codes[later] = len(labels) + np.arange(len(names))
        labels += names
    out = pa.array(labels, pa.string()).take(pa.array(sku_codes))
    ids = pd.Series(out.to_pandas(types_mapper=_str_mapper), index=rows.index, copy=False)
    return (ids, repeated) if repeats else ids


def _repeats(order_codes: np.ndarray, sku_codes: np.ndarray, width: int) -> np.ndarray:
    """Return which rows share their order and SKU with another row.

    When each order's rows lie together (the usual report), a row is compared with the few rows
    before it, a pass per distance; otherwise the (order, SKU) pairs are hashed.
    """
    n = len(order_codes)
    repeated = np.zeros(n, bool)
    if n < 2:
        return repeated
    together = bool((order_codes[1:] >= order_codes[:-1]).all())
    longest = int(np.bincount(order_codes).max()) if together else 0
    if together and longest <= 16:
        for k in range(1, longest):
            same = (order_codes[k:] == order_codes[:-k]) & (sku_codes[k:] == sku_codes[:-k])
            repeated[k:] |= same
            repeated[:-k] |= same
        return repeated
    key = order_codes.astype(np.int64) * width + sku_codes
    return pd.Series(key).duplicated(keep=False).to_numpy()


class _Parts:
    """Inferred events collected as arrays: each order-level part is (order rows, instants)."""

    def __init__(self) -> None:
        self.pos: list[np.ndarray] = []
        self.at: list[np.ndarray] = []
        self.kind: list[np.ndarray] = []
        self.actor: list[np.ndarray] = []
        self.names: dict[str, int] = {}
        self.items: tuple[pd.Series, np.ndarray] | None = None  # item ids, quantities

    def code(self, name: str) -> int:
        return self.names.setdefault(name, len(self.names))

    def add(self, mask: np.ndarray, at: np.ndarray, kind: EventKind, actor: Actor) -> None:
        idx = np.flatnonzero(mask)
        if len(idx):
            self.pos.append(idx)
            self.at.append(at[idx])
            self.kind.append(np.full(len(idx), self.code(str(kind)), np.int32))
            self.actor.append(np.full(len(idx), self.code(str(actor)), np.int32))


def _events(
    kind: C.ReportKind,
    orders: pd.DataFrame,
    items: pd.DataFrame,
    facts: dict[str, object],
    first: np.ndarray,
    item_order: np.ndarray,
    source: str,
    order_hashes: np.ndarray | None = None,
) -> pd.DataFrame:
    """Infer the events the report states (see the module docstring), with their ids.

    ``orders`` holds the order table's rows, or just the columns the events need (:func:`_heads`).
    Built from arrays: each event's order is a row of ``orders`` (``item_order`` gives each item's),
    and its id is combined from hashes of each order id (``order_hashes``, if already known),
    kind and actor computed once.
    """
    placed_ns = schema.utc_ns(orders["purchase_date"])
    if kind is C.KINDS["all_orders"]:
        status = _pick(facts["order-status"], first)
        paid_ns = placed_ns
    else:
        status = Coded(np.zeros(len(orders), np.int64), [S.UNSHIPPED])
        paid_ns = placed_ns
        if "payments-date" in facts:
            paid = schema.utc_ns(_pick(facts["payments-date"], first))  # type: ignore[arg-type]
            paid_ns = np.where(paid != _NAT, paid, placed_ns)
    channel = orders["fulfillment_channel"]
    mfn = ((channel == "MFN") | channel.isna()).to_numpy(bool)
    cutoff = confirm_by_ns(schema.utc_ns(orders["latest_ship_date"]), paid_ns, mfn)

    def where(*statuses: OrderStatus) -> np.ndarray:
        return status.isin(statuses)  # type: ignore[union-attr]

    def shipped_at(when: np.ndarray, limit: np.ndarray, start: np.ndarray) -> np.ndarray:
        """The shipment time: ``when`` (else ``start``), before ``limit``, not before ``start``."""
        at = np.where(when != _NAT, when, start)
        at = np.where((limit != _NAT) & (at != _NAT) & (at >= limit), limit - _SECOND, at)
        return np.where((at != _NAT) & (start != _NAT) & (at >= start), at, start)

    parts = _Parts()
    parts.add(np.ones(len(orders), bool), placed_ns, EventKind.PLACED, Actor.BUYER)
    parts.add(where(S.PENDING_AVAILABILITY), placed_ns, EventKind.AWAITING_RELEASE, Actor.AMAZON)
    parts.add(where(*_PAID), paid_ns, EventKind.PAYMENT_COMPLETED, Actor.AMAZON)
    item_sel = None
    if kind is C.KINDS["all_orders"]:
        last_ns = schema.utc_ns(orders["last_updated"])
        ship_ns = shipped_at(last_ns, cutoff, paid_ns)
        parts.add(where(*_ALL_SHIPPED), ship_ns, EventKind.SHIPMENT_CONFIRMED, Actor.SELLER)
        parts.add(where(S.INVOICE_UNCONFIRMED), ship_ns, EventKind.INVOICE_PENDING, Actor.AMAZON)
        parts.add(where(S.CANCELED), last_ns, EventKind.CANCELED, Actor.AMAZON)
        parts.add(where(S.UNFULFILLABLE), last_ns, EventKind.UNFULFILLABLE, Actor.AMAZON)
        # PartiallyShipped: the items the report marks Shipped
        partial = where(S.PARTIALLY_SHIPPED)[item_order]
        shipped = facts["item-status"].isin({"Shipped"})  # type: ignore[union-attr]
        item_sel = partial & shipped & (items["quantity"] > 0).fillna(False).to_numpy(bool)
        quantity = items["quantity"].to_numpy()
    elif "quantity-shipped" in facts:
        when = orders.get("reporting-date")
        ship_ns = shipped_at(paid_ns if when is None else schema.utc_ns(when), cutoff, paid_ns)
        qty = facts["quantity-shipped"]
        item_sel = qty.to_numpy(float, na_value=0) > 0  # type: ignore[attr-defined]
        quantity = qty.to_numpy(float, na_value=np.nan)  # type: ignore[attr-defined]
    if item_sel is not None and item_sel.any():
        idx = np.flatnonzero(item_sel)
        parts.pos.append(item_order[idx])
        parts.at.append(ship_ns[item_order[idx]])
        parts.kind.append(
            np.full(len(idx), parts.code(str(EventKind.SHIPMENT_CONFIRMED)), np.int32)
        )
        parts.actor.append(np.full(len(idx), parts.code(str(Actor.SELLER)), np.int32))
        parts.items = (items["order_item_id"].iloc[idx], quantity[idx])
    return _event_frame(orders, parts, source, order_hashes)


def _event_frame(
    orders: pd.DataFrame, parts: _Parts, source: str, order_hashes: np.ndarray | None = None
) -> pd.DataFrame:
    """Return the inferred events as a frame of the event table, their ids hashed meanwhile."""
    pos = np.concatenate(parts.pos)
    at = np.concatenate(parts.at)
    kind, actor = (np.concatenate(getattr(parts, col)) for col in ("kind", "actor"))
    n = len(pos)
    names = pa.array(list(parts.names), pa.string())
    frame: dict[str, object] = {}
    if parts.items is not None:
        item_ids, quantity = parts.items
        k = n - len(item_ids)
        frame["order_item_id"] = pd.array([None] * k + item_ids.tolist(), dtype=schema.STR)
        qty = pd.array(np.r_[np.zeros(k), quantity], dtype="Int64")
        qty[:k] = pd.NA
        frame["quantity"] = qty

    def hashed() -> pd.Series:
        by_order = text_hashes(orders["order_id"]) if order_hashes is None else order_hashes
        by_name = text_hashes(pd.Series(names.to_pylist(), dtype=schema.STR))
        hashes: dict[str, ColumnHashes] = defaultdict(lambda: NULL_HASH)
        hashes["order_id"] = lambda r: by_order[pos[r]]
        hashes["at"] = lambda r: hash_ints(at[r], at[r] != _NAT)
        hashes["kind"] = lambda r: by_name[kind[r]]
        hashes["actor"] = lambda r: by_name[actor[r]]
        if parts.items is not None:
            hashes["order_item_id"] = text_hashes(pd.Series(frame["order_item_id"]))
            q = frame["quantity"]
            hashes["quantity"] = hash_ints(q._data, ~q._mask)  # type: ignore[attr-defined]
        return combine_ids(hashes, n, threads=2)  # the columns are built by then, or nearly

    with ThreadPoolExecutor(1, thread_name_prefix="orderkit-read") as pool:
        ids = pool.submit(hashed)  # hashed while the columns are built
        frame |= {
            "order_id": orders["order_id"].array.take(pos),
            "at": schema.utc(at),
            "kind": schema.categorical(kind.astype(np.int8), names.to_pylist()),
            "actor": schema.categorical(actor.astype(np.int8), names.to_pylist()),
            "source": schema.filled(source, n),
            "origin": schema.filled(Origin.IMPORT, n),
        }
        events = schema.conform(pd.DataFrame(frame, copy=False), "events")
        events["event_id"] = pd.Series(ids.result().array, index=events.index, copy=False)
    return events


def read_report(
    path: str | os.PathLike[str], *, strict: bool = False, source: str | None = None
) -> OrderBook:
    """Read an All Orders, Unshipped Orders or Order report file into an :class:`OrderBook`.

    Args:
        path: the downloaded report (UTF-8, UTF-8 with BOM or cp932; CRLF or LF).
        strict: raise on the first bad row instead of listing it in ``book.problems``.
        source: recorded in the events' ``source`` column (default: the file's name).

    Returns:
        The orders, items and inferred events (see the module docstring); ``book.problems``
        lists every row left out, each a :class:`~orderkit.errors.ReportFormatError`, and every
        row read once because it repeats an earlier row, each a
        :class:`~orderkit.errors.DuplicateRowError` (both lines named).

    Raises:
        ReportFormatError: the file is empty, binary, in no supported encoding, or its header is
            not one of the three reports (line 1); with ``strict``, the first bad row.
        OSError: the file cannot be read.

    """
    kind, raw, name = _read(path)
    chk = _Checker(raw, name)
    with ThreadPoolExecutor(1, thread_name_prefix="orderkit-read") as pool:
        early = pool.submit(_keys, kind, _key_columns(raw.table, kind))  # while columns are checked
        try:
            conv = _convert(kind, chk)
            keys: _Keys | None = early.result()
            repeats, fill = _check_orders(kind, chk, conv, keys)  # type: ignore[arg-type]
        except _Reread:  # rare: a bad row whose value is in a parsed (not text) column
            kind, raw, name = _read(path, typed=False)
            chk = _Checker(raw, name)
            conv = _convert(kind, chk)
            keys = early.result()  # the same rows: the keys hold
            repeats, fill = _check_orders(kind, chk, conv, keys)  # type: ignore[arg-type]
    aside_problems, aside_orders = _set_aside(chk, kind)
    problems: list[ReportFormatError] = [*chk.problems, *aside_problems, *repeats.problems]

    order_ids: pd.Series = conv[kind.order_id]  # type: ignore[assignment]
    keep = None
    if problems:
        tainted = set(order_ids[chk.bad].dropna()) | aside_orders
        dropped = order_ids.isin(tainted).to_numpy() | chk.bad
        line_of: dict[str, int] = {}
        bad_lines = [(order_ids.iloc[i], int(raw.lines[i])) for i in np.flatnonzero(chk.bad)]
        pos = raw.table.column_names.index(kind.order_id)
        for line, text in [*raw.invalid, *((a.line, a.text) for a in raw.aside)]:
            fields = text.split("\t")
            if pos < len(fields):
                bad_lines.append((fields[pos], line))
        for oid, line in sorted(bad_lines, key=lambda b: b[1]):
            line_of.setdefault(oid, line)
        for i in np.flatnonzero(dropped & ~chk.bad & ~repeats.rows):
            oid = order_ids.iloc[i]
            problems.append(
                ReportFormatError(
                    name,
                    int(raw.lines[i]),
                    kind.order_id,
                    oid,
                    f"a complete order: line {line_of[oid]} of order {oid} is bad, so the whole order"
                    " is left out",
                )
            )
        problems.sort(key=lambda p: (p.line or 0, p.column or ""))
        if strict:
            raise problems[0]
        keep = ~(dropped | repeats.rows)
        keys = None  # rows are left out: the keys are found again for the rows kept
    targets = {C.ORDER_FIELDS.get(c, c) for c in fill if c not in C.BOOL}
    rows, facts = _frames(kind, chk, conv, keep)
    return _book(kind, rows, facts, source or Path(path).name, problems, keys, targets)


#: What :func:`_book` needs first: order codes and the order ids' hashes (see
#: :func:`_order_codes`), and the All Orders item keys and which rows repeat a SKU of their order
#: (see :func:`_item_ids`).
_Keys = tuple[np.ndarray | None, np.ndarray | None, pd.Series | None, np.ndarray | None]


def _key_columns(table: pa.Table, kind: C.ReportKind) -> pd.DataFrame:
    """Return the file's own order-id, SKU and ASIN columns, under the book's names (no copy)."""
    columns = {"order_id": kind.order_id, "sku": "sku", "asin": "asin"}
    return pd.DataFrame(
        {
            name: table.column(col).to_pandas(types_mapper=_str_mapper)
            for name, col in columns.items()
            if col in table.column_names
        },
        copy=False,
    )


def _keys(kind: C.ReportKind, rows: pd.DataFrame) -> _Keys:
    """Return the keys of ``rows`` (which hold ``order_id``, and ``sku``/``asin`` if the file has)."""
    codes, hashes = _order_codes(rows)
    if kind is not C.KINDS["all_orders"]:
        return codes, hashes, None, None
    ids, repeated = _item_ids(rows, codes, repeats=True)  # type: ignore[misc]
    return codes, hashes, ids, repeated


def _book(
    kind: C.ReportKind,
    rows: pd.DataFrame,
    facts: dict[str, object],
    source: str,
    problems: list[ReportFormatError],
    keys: _Keys | None = None,
    fill: frozenset[str] | set[str] = frozenset(),
) -> OrderBook:
    """Return the book of ``rows``; ``keys``, if given, are :func:`_keys` of these very rows.

    ``fill``: order columns some rows of an order leave empty: the order takes the value its
    other rows state (they agree, :func:`_check_orders`).
    """
    if keys is None:
        keys = _keys(kind, rows[[c for c in ("order_id", "sku", "asin") if c in rows]])
    order_codes, order_hashes, item_ids, _ = keys
    if item_ids is not None:
        rows["order_item_id"] = item_ids
    if order_codes is not None:
        first = _first_rows(order_codes)
    else:
        first = ~rows["order_id"].duplicated().to_numpy()
    if fill & set(rows.columns):  # before any default below: a stated value comes first
        codes = order_codes if order_codes is not None else pd.factorize(rows["order_id"])[0]
        _fill_first_rows(rows, sorted(fill & set(rows.columns)), codes, np.flatnonzero(first))
    if "fulfillment_channel" not in rows:
        rows["fulfillment_channel"] = "MFN"  # the Unshipped and Order reports: seller-fulfilled
    if rows["fulfillment_channel"].isna().any():  # a category column: fill as text, then code
        rows["fulfillment_channel"] = schema.codes(
            rows["fulfillment_channel"].astype(schema.STR).fillna("MFN")
        )
    item_cols = [
        c
        for c in rows.columns
        if c in schema.ITEMS or (c not in schema.ORDERS and c not in C.ORDER_EXTRAS)
    ]
    order_cols = [c for c in rows.columns if c not in item_cols or c == "order_id"]
    with ThreadPoolExecutor(1, thread_name_prefix="orderkit-read") as pool:
        # The order table is built on the worker; the events need only a few of its columns.
        built = pool.submit(lambda: schema.conform(rows.loc[first, order_cols], "orders"))
        items = schema.conform(rows[item_cols], "items")
        heads = _heads(rows, np.flatnonzero(first))
        events = None
        if len(heads):
            if order_codes is None:
                order_codes = pd.Index(heads["order_id"]).get_indexer(items["order_id"])
            events = _events(kind, heads, items, facts, first, order_codes, source, order_hashes)
        orders = built.result()
    return OrderBook(orders, items, events, problems=problems)


#: The order columns the events are inferred from (see :func:`_events`).
_HEADS = ("order_id", "purchase_date", "fulfillment_channel", "latest_ship_date", "last_updated")


def _heads(rows: pd.DataFrame, first: np.ndarray) -> pd.DataFrame:
    """Return the order columns the events need, of the rows ``first``, as the order table has them.

    Each in its documented dtype, missing ones blank, as :func:`orderkit.schema.conform` makes them;
    a report's ``reporting-date`` (the Order report) as it is.
    """
    out: dict[str, pd.Series] = {}
    for name in _HEADS:
        dtype = schema.ORDERS[name].dtype
        if name in rows:
            out[name] = schema.conform_column(rows[name].take(first).reset_index(drop=True), dtype)
        else:
            out[name] = schema.missing(dtype, len(first))
    if "reporting-date" in rows:
        out["reporting-date"] = rows["reporting-date"].take(first).reset_index(drop=True)
    return pd.DataFrame(out, copy=False)
