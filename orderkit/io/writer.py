"""Write an order book as Seller Central's flat-file reports (the formats :mod:`.reports` reads).

Statuses are not stored in the book: the writer folds each order at ``at`` (the per-order lens)
and writes what Amazon would show then — order-status and item-status for the All Orders report,
payments-date and the quantities shipped and to ship for the Unshipped Orders report. The
Unshipped report lists seller-fulfilled orders that are Unshipped or PartiallyShipped at ``at``;
the Order report lists seller-fulfilled orders paid by ``at``. Unknown columns the book carries
under flat-file names (lower-case words joined by hyphens, as a reader keeps them) are written
after the standard ones, so a file read and written again keeps them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import Any, Final

import pandas as pd

from orderkit import schema
from orderkit.book import OrderBook
from orderkit.businessdays import JST
from orderkit.io import _columns as C
from orderkit.io import files
from orderkit.io.encoding import ENCODINGS
from orderkit.status import OrderStatus

__all__ = ["write_report"]

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


def _text(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp | dt.datetime):
        return pd.Timestamp(value).tz_convert(JST).isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


def _states(book: OrderBook, at: dt.datetime) -> pd.DataFrame:
    rows = []
    for oid in book.orders["order_id"]:
        s = book.order(oid).state(at=at)
        rows.append(
            {
                "order_id": oid,
                "status": s.status,
                "paid_at": s.paid_at,
                "shipped": dict(s.shipped),
                "last_event": s.events[-1].at if s.events else None,
            }
        )
    return pd.DataFrame(rows, columns=["order_id", "status", "paid_at", "shipped", "last_event"])


def _column(rows: pd.DataFrame, col: str, kind: C.ReportKind) -> pd.Series:
    target = _OUT.get(col, col)
    if col == kind.order_id:
        target = "order_id"
    if target not in rows:
        return pd.Series("", index=rows.index)
    values = rows[target]
    if col in C.DISCOUNTS and kind is C.KINDS["all_orders"]:
        values = -values.astype("Int64")
    elif col == "payment-method":
        values = values.map(_PAYMENT_OUT)
    elif col == "fulfillment-channel" and kind is C.KINDS["all_orders"]:
        values = values.map(_CHANNEL_OUT)
    return values.map(_text)


def write_report(
    book: OrderBook,
    kind: str,
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    at: dt.datetime | None = None,
    unencodable: files.Unencodable = "refuse",
) -> None:
    """Write ``book`` as a flat-file report of ``kind`` to ``path``.

    The file is written atomically (:func:`orderkit.io.files.write_text`): a failure leaves the
    previous file at ``path`` as it was.

    Args:
        book: the order book.
        kind: ``"all_orders"``, ``"unshipped"`` or ``"order_report"``.
        path: the file to write (tab-separated, LF line ends).
        encoding: ``"utf-8"``, ``"utf-8-sig"`` (with BOM) or ``"cp932"`` (Shift_JIS).
        at: the instant the report describes (statuses are folded there); default: the book's
            latest event. No wall clock is read.
        unencodable: a character with no form in ``encoding`` (an emoji in a cp932 product name):
            ``"refuse"`` (default) writes nothing and raises; ``"replace"`` writes
            :data:`~orderkit.io.files.REPLACEMENT` (〓) for it.

    Raises:
        ValueError: an unknown ``kind`` or ``encoding``, a naive ``at``, or no ``at`` for a book
            without events.
        UnencodableText: a value has no form in ``encoding`` (order, column and character named),
            with ``unencodable="refuse"``.

    """
    if kind not in C.KINDS:
        raise ValueError(f"kind must be one of {', '.join(C.KINDS)}, not {kind!r}")
    if encoding not in ENCODINGS:
        raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
    spec = C.KINDS[kind]
    if at is None:
        if book.events.empty:
            raise ValueError("the book has no events to date the report: pass at=")
        at = book.events["at"].max().to_pydatetime()
    if at.tzinfo is None:
        raise ValueError(f"at={at!r} has no timezone")
    states = _states(book, at)
    rows = book.items.merge(book.orders, on="order_id", how="inner", suffixes=("", "_order"))
    rows = rows.merge(states, on="order_id", how="left")
    mfn = (rows["fulfillment_channel"] == "MFN") | rows["fulfillment_channel"].isna()
    if kind == "unshipped":
        rows = rows[mfn & rows["status"].isin([S.UNSHIPPED, S.PARTIALLY_SHIPPED])]
    elif kind == "order_report":
        rows = rows[mfn & rows["paid_at"].notna()]
    rows = rows.reset_index(drop=True)
    shipped = pd.Series(
        [s.get(i, 0) for s, i in zip(rows["shipped"], rows["order_item_id"], strict=True)],
        index=rows.index,
        dtype="int64",
    )
    derived = {
        "order-status": rows["status"].map(lambda s: _STATUS_OUT.get(s, str(s))),
        "item-status": _item_status(rows, shipped),
        "payments-date": rows["paid_at"].map(_text),
        "quantity-shipped": shipped.astype(str),
        "quantity-to-ship": (rows["quantity"] - shipped).astype(str),
        "last-updated-date": rows["last_updated"]
        .where(rows["last_updated"].notna(), pd.to_datetime(rows["last_event"], utc=True))
        .map(_text),
        "days-past-promise": _days_past(rows, at),
    }
    if kind == "unshipped" and "reporting-date" not in rows:
        derived["reporting-date"] = pd.Series(_text(at), index=rows.index)
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
    out = {c: derived[c] if c in derived else _column(rows, c, spec) for c in columns + extras}
    frame = pd.DataFrame(out, index=rows.index)
    lines = ["\t".join(frame.columns)]
    lines += ["\t".join(r) for r in frame.itertuples(index=False, name=None)]
    text = "\n".join(lines) + "\n"
    files.write_text(
        path, text, encoding=encoding, unencodable=unencodable, table=frame, key=spec.order_id
    )


def _item_status(rows: pd.DataFrame, shipped: pd.Series) -> pd.Series:
    status = rows["status"]
    out = pd.Series("Unshipped", index=rows.index, dtype=object)
    out[status.isin([S.PENDING, S.PENDING_AVAILABILITY])] = "Pending"
    out[(shipped >= rows["quantity"]) & (rows["quantity"] > 0)] = "Shipped"
    out[status.isin([S.SHIPPED, S.INVOICE_UNCONFIRMED])] = "Shipped"
    out[status == S.CANCELED] = "Cancelled"
    return out


def _days_past(rows: pd.DataFrame, at: dt.datetime) -> pd.Series:
    late = (pd.Timestamp(at) - rows["latest_ship_date"]).dt.days.clip(lower=0)
    return late.fillna(0).astype(int).astype(str)
