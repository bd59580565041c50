"""A shipping desk's day in bulk: tracking numbers from a carrier's file, a preview, packing slips.

A shipping desk prints labels in its carrier's system (Yamato B2 Cloud, Sagawa e-飛伝, Japan Post
Click Post…) and exports what it printed as a CSV — Shift_JIS (cp932) with Japanese headers, one
row per parcel, the order number in a column the desk chose (often お客様管理番号) and the tracking
number in another (伝票番号, お問い合わせ送り状No., お問い合わせ番号…). Here:

- :func:`read_carrier_csv` reads such a file (cp932, UTF-8 or UTF-8 with BOM; comma or tab),
  :func:`read_pasted` reads numbers pasted as "order number, tracking number" lines;
- :func:`guess_columns` proposes the order-number and tracking-number columns (the user confirms
  or changes them once; a widget remembers the choice);
- :func:`match_tracking` pairs the rows with the selected orders and lists every row it could not
  use, with the reason;
- :func:`preview` says, for each selected order, what confirming it does (items, what the buyer is
  charged, tracking) or which rule refuses it;
- :func:`confirmation_events` turns the allowed lines into the events to record, and
  :func:`packing_slips` prints many orders' slips as one document.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from orderkit.actions import Action, make_event, tracking_warning
from orderkit.book import OrderBook
from orderkit.errors import ReportFormatError
from orderkit.events import Event
from orderkit.io.confirmation import tracking_number_fits
from orderkit.io.encoding import check_not_binary, strip_bom
from orderkit.policy import DEFAULT_POLICY, Policy

__all__ = [
    "CarrierFile",
    "PreviewLine",
    "TrackingMatch",
    "Unmatched",
    "UnmatchedWhy",
    "confirmation_events",
    "due_today",
    "guess_columns",
    "match_tracking",
    "normalise_order_id",
    "packing_slips",
    "preview",
    "read_carrier_csv",
    "read_pasted",
]

_ORDER_ID: Final = re.compile(r"\d{3}-\d{7}-\d{7}")

#: Header words that name an order number or a tracking number in carriers' exports, best first.
ORDER_HEADERS: Final = ("注文番号", "お客様管理番号", "管理番号", "order-id", "order id", "order")
TRACKING_HEADERS: Final = (
    "伝票番号",
    "送り状番号",
    "お問い合わせ送り状",
    "お問合せ送り状",
    "問い合わせ番号",
    "問合せ番号",
    "追跡番号",
    "tracking",
)


@dataclass(frozen=True, slots=True)
class CarrierFile:
    """A carrier's export as text: its name, header and rows (with their line numbers)."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    lines: tuple[int, ...]


def _decode(data: bytes, name: str) -> str:
    """Return a carrier file's text: UTF-8 (with or without BOM), else cp932 (Shift_JIS).

    Raises:
        ReportFormatError: the bytes are text in neither encoding (the line of the first bad byte).
    """
    body, bom = strip_bom(data)
    check_not_binary(body, name)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        if bom:
            raise
    try:
        return body.decode("cp932")
    except UnicodeDecodeError as exc:
        line = body.count(b"\n", 0, exc.start) + 1
        raise ReportFormatError(
            name,
            line,
            None,
            body[max(0, exc.start - 8) : exc.end + 8],
            "text in UTF-8 or Shift_JIS",
        ) from exc


def read_carrier_csv(data: bytes, name: str) -> CarrierFile:
    """Return the rows of a carrier's CSV export (cp932, UTF-8 or UTF-8 with BOM; , or tab).

    Raises:
        ReportFormatError: the file is empty, not text, or has no header row (line 1).
    """
    text = _decode(data, name)
    head = text.split("\n", 1)[0]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] | None = None
    rows, lines = [], []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip() for cell in row]
            continue
        rows.append(tuple(cell.strip() for cell in row))
        lines.append(reader.line_num)
    if not header:
        raise ReportFormatError(name, 1, None, "", "a header row (the carrier's column names)")
    return CarrierFile(name, tuple(header), tuple(rows), tuple(lines))


def read_pasted(text: str, name: str = "pasted") -> CarrierFile:
    """Return pasted lines "order number<separator>tracking number" as a two-column file.

    The separator is a tab, a comma or spaces (as copied from a spreadsheet or typed).
    """
    rows, lines = [], []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p for p in re.split(r"[\t,;]|\s+", line.strip()) if p]
        rows.append((parts[0], " ".join(parts[1:])) if parts else ("", ""))
        lines.append(n)
    return CarrierFile(name, ("order", "tracking"), tuple(rows), tuple(lines))


def normalise_order_id(text: str) -> str | None:
    """Return the 3-7-7 order number in ``text`` (full-width digits allowed), or ``None``.

    >>> normalise_order_id(" ２４９－１２３４５６７－７６５４３２１ ")
    '249-1234567-7654321'
    """
    folded = unicodedata.normalize("NFKC", text).replace("−", "-").replace("ー", "-")
    found = _ORDER_ID.search(folded)
    return found.group(0) if found else None


def guess_columns(file: CarrierFile) -> tuple[str | None, str | None]:
    """Return the likely (order-number column, tracking-number column) of ``file``.

    The order column is the one whose values are most often 3-7-7 order numbers (else a header
    that names one); the tracking column is the first other column whose header names one.
    """
    cols = file.columns

    def hits(i: int) -> int:
        return sum(1 for r in file.rows if i < len(r) and normalise_order_id(r[i]))

    scores = [hits(i) for i in range(len(cols))]
    order = cols[scores.index(max(scores))] if scores and max(scores) > 0 else None
    order = order or _by_header(cols, ORDER_HEADERS, exclude=None)
    tracking = _by_header(cols, TRACKING_HEADERS, exclude=order)
    return order, tracking


def _by_header(cols: Sequence[str], words: Sequence[str], *, exclude: str | None) -> str | None:
    for word in words:
        for col in cols:
            if col != exclude and word.lower() in col.lower():
                return col
    return None


class UnmatchedWhy(StrEnum):
    """Why a row of the carrier's file was not used."""

    NO_ORDER_NUMBER = "no_order_number"
    NOT_SELECTED = "not_selected"
    NO_TRACKING = "no_tracking"
    DUPLICATE = "duplicate"


@dataclass(frozen=True, slots=True)
class Unmatched:
    """A row not used: its line in the file, what it held, and why."""

    line: int
    order_text: str
    tracking: str
    why: UnmatchedWhy


@dataclass(frozen=True, slots=True)
class TrackingMatch:
    """Tracking numbers per selected order, and the rows that could not be used."""

    numbers: Mapping[str, str]
    unmatched: tuple[Unmatched, ...] = ()
    missing: tuple[str, ...] = field(default=())


def match_tracking(
    file: CarrierFile, order_column: str, tracking_column: str, order_ids: Iterable[str]
) -> TrackingMatch:
    """Pair ``file``'s rows with ``order_ids`` by the two columns the user mapped.

    Returns the tracking number of each selected order found; every other row is listed with
    why (no order number, an order not selected, no tracking number, a second number for an
    order); ``missing`` lists the selected orders no row names.

    Raises:
        KeyError: a column is not in the file's header.
    """
    oi, ti = file.columns.index(order_column), file.columns.index(tracking_column)
    wanted = list(dict.fromkeys(order_ids))
    selected = set(wanted)
    numbers: dict[str, str] = {}
    unmatched = []
    for row, line in zip(file.rows, file.lines, strict=True):
        text = row[oi] if oi < len(row) else ""
        tracking = row[ti] if ti < len(row) else ""
        order_id = normalise_order_id(text)
        why = (
            UnmatchedWhy.NO_ORDER_NUMBER if order_id is None
            else UnmatchedWhy.NOT_SELECTED if order_id not in selected
            else UnmatchedWhy.NO_TRACKING if not tracking
            else UnmatchedWhy.DUPLICATE if order_id in numbers
            else None
        )  # fmt: skip
        if why is None and order_id is not None:
            numbers[order_id] = tracking
        else:
            unmatched.append(Unmatched(line, text, tracking, why or UnmatchedWhy.NO_ORDER_NUMBER))
    missing = tuple(o for o in wanted if o not in numbers)
    return TrackingMatch(numbers, tuple(unmatched), missing)


@dataclass(frozen=True, slots=True)
class PreviewLine:
    """What confirming one order's shipment does, or why it cannot be confirmed.

    Attributes:
        order_id: the order.
        items: how many items the confirmation covers (everything left to ship).
        charge: yen the buyer is charged by this confirmation (0 if charged before).
        tracking_number: the number to confirm with (``None``: none).
        vtr_warning: a parcel of ¥1,000 or more confirmed without a tracking number.
        refusal: ``None`` if the rules allow it, else the refusal (its rule).
        bad_tracking: the tracking number is not one of the carrier's (Amazon would reject the
            upload file's line).
    """

    order_id: str
    items: int
    charge: int
    tracking_number: str | None
    vtr_warning: bool
    refusal: Any = None
    bad_tracking: bool = False

    @property
    def allowed(self) -> bool:
        """Whether this order can be confirmed now: the rules allow it and its number fits."""
        return self.refusal is None and not self.bad_tracking


def preview(
    book: OrderBook,
    order_ids: Iterable[str],
    *,
    at: dt.datetime,
    tracking: Mapping[str, str] | None = None,
    carrier: str = "Yamato",
    policy: Policy = DEFAULT_POLICY,
) -> list[PreviewLine]:
    """Return, for each order, what confirming the shipment of all it has left does at ``at``.

    Nothing is recorded: each confirmation is tried against the order's rules.
    """
    out = []
    for order_id in dict.fromkeys(order_ids):
        view = book.order(order_id)
        state = view.state(at=at, policy=policy)
        number = (tracking or {}).get(order_id)
        event = make_event(
            Action.CONFIRM_SHIPMENT, order_id, at=at, carrier=carrier, tracking_number=number
        )
        refusal = view.refusal(event, policy=policy)
        out.append(
            PreviewLine(
                order_id,
                items=sum(state.remaining.values()),
                charge=0 if state.charged else state.total,
                tracking_number=number,
                vtr_warning=refusal is None and tracking_warning(state, number, policy),
                refusal=refusal,
                bad_tracking=not tracking_number_fits(number, carrier),
            )
        )
    return out


def confirmation_events(
    lines: Iterable[PreviewLine],
    *,
    at: dt.datetime,
    carrier: str = "Yamato",
    source: str = "workbench-bulk",
    operator: str | None = None,
) -> list[Event]:
    """Return the confirmations of the allowed ``lines``, recorded at ``at`` by ``operator``."""
    return [
        make_event(
            Action.CONFIRM_SHIPMENT,
            line.order_id,
            at=at,
            carrier=carrier,
            tracking_number=line.tracking_number,
            source=source,
            operator=operator,
        )
        for line in lines
        if line.allowed
    ]


def packing_slips(
    book: OrderBook,
    order_ids: Iterable[str],
    *,
    at: dt.datetime,
    lang: str = "ja",
    seller_name: str = "",
) -> str:
    """Return the packing slips of ``order_ids`` as one printable HTML document.

    Each slip is :func:`orderkit.io.render_packing_slip`'s, on a page of its own when printed.

    Raises:
        OrderNotFound: an order is not in the book.
    """
    from orderkit.io import render_packing_slip

    style, bodies = "", []
    for order_id in order_ids:
        page = render_packing_slip(book, order_id, at=at, lang=lang, seller_name=seller_name)
        style = style or page[page.index("<style>") : page.index("</style>") + len("</style>")]
        bodies.append(page[page.index("<body>") + len("<body>") : page.index("</body>")])
    breaks = "<style>.ok-slip-page{break-after:page;page-break-after:always}"
    breaks += ".ok-slip-page:last-child{break-after:auto;page-break-after:auto}</style>"
    pages = "".join(f'<section class="ok-slip-page">{b}</section>' for b in bodies)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>Packing slips</title>\n{style}{breaks}\n</head>\n<body>\n{pages}\n</body>\n</html>\n"
    )


def due_today(book: OrderBook, *, at: dt.datetime, policy: Policy = DEFAULT_POLICY) -> list[str]:
    """Return the seller-fulfilled orders still to ship whose ship date is today or past (JST).

    These are the parcels a shipping desk packs today, earliest ship date first.

    Raises:
        ValueError: ``at`` is naive.
    """
    import pandas as pd

    from orderkit import metrics
    from orderkit.businessdays import JST, to_jst

    fleet = metrics.status_at(book, at, policy=policy)
    end = pd.Timestamp(dt.datetime.combine(to_jst(at).date(), dt.time(23, 59, 59), tzinfo=JST))
    due = fleet[
        fleet["status"].isin(["Unshipped", "PartiallyShipped"])
        & (fleet["fulfillment_channel"] == "MFN")
        & (fleet["ship_by"] <= end)
    ]
    return [str(o) for o in due.sort_values("ship_by").index]
