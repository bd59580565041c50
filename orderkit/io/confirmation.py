"""The shipping-confirmation upload file (Seller Central Japan's OrderFulfillment template).

:func:`write_shipping_confirmation` writes the tab-separated template with its three header rows
(``TemplateType=OrderFulfillment`` / ``Version=2011.1102``, the Japanese titles, the field names)
after checking every confirmation; :func:`validate_confirmations` returns every problem at once.
Nothing is written unless every confirmation passes, and the file appears whole or not at all
(written to a temporary file beside it, then renamed).

Each problem is a :class:`~orderkit.errors.ConfirmationError` naming the rule it breaks. The rules
are the FAQ's (``pending-no-dispatch``, ``canceled-is-final``, ``no-ship-more-than-ordered``);
format problems use the closest one: an order number that is not 3-7-7 digits → ``find-order``,
an order not in the book → ``other-seller-order``, a ship date after ``at`` or a carrier Amazon
would reject → ``confirm-within-7-days`` (a confirmation Amazon can accept), a bad order item id
or quantity → ``no-ship-more-than-ordered``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

import pandas as pd

from orderkit.book import OrderBook
from orderkit.businessdays import to_jst
from orderkit.errors import ConfirmationError
from orderkit.rules import rule
from orderkit.status import OrderStatus

__all__ = [
    "CARRIERS",
    "FIELDS",
    "HEADER_ROWS",
    "Confirmation",
    "validate_confirmations",
    "write_shipping_confirmation",
]

#: The template's field names, in order.
FIELDS: Final = (
    "order-id",
    "order-item-id",
    "quantity",
    "ship-date",
    "carrier-code",
    "carrier-name",
    "tracking-number",
    "ship-method",
    "cod-collection-method",
)

#: The three header rows, exactly as the Japanese template has them.
HEADER_ROWS: Final = (
    (
        "TemplateType=OrderFulfillment",
        "Version=2011.1102",
        "この行はAmazonが使用しますので変更や削除しないでください。",
    ),
    (
        "注文番号",
        "注文商品番号",
        "出荷数",
        "出荷日",
        "配送業者コード",
        "配送業者名",
        "お問い合わせ伝票番号",
        "配送方法",
        "代金引換",
    ),
    FIELDS,
)

#: carrier-code → Japanese name; ``Other`` needs a carrier-name.
CARRIERS: Final[Mapping[str, str]] = {
    "Yamato Transport": "ヤマト運輸",
    "Sagawa Express": "佐川急便",
    "Japan Post": "日本郵便",
    "Seino Transportation": "西濃運輸",
    "Fukuyama Transporting": "福山通運",
    "Other": "その他",
}

#: What people write for a carrier → its carrier-code.
_CARRIER_ALIASES: Final[Mapping[str, str]] = {
    **{code.lower(): code for code in CARRIERS},
    **{ja: code for code, ja in CARRIERS.items()},
    "yamato": "Yamato Transport",
    "sagawa": "Sagawa Express",
    "japanpost": "Japan Post",
    "japan post": "Japan Post",
    "seino": "Seino Transportation",
    "fukuyama": "Fukuyama Transporting",
    "ゆうパック": "Japan Post",
    "クロネコヤマト": "Yamato Transport",
}

_ORDER_ID = re.compile(r"^\d{3}-\d{7}-\d{7}$")
_ITEM_ID = re.compile(r"^\d{14}$")


@dataclasses.dataclass(frozen=True, slots=True)
class Confirmation:
    """One line of the upload file: a quantity of one order item shipped on a date."""

    order_id: str
    order_item_id: str
    quantity: int
    ship_date: dt.date | dt.datetime
    carrier_code: str
    carrier_name: str | None = None
    tracking_number: str | None = None
    ship_method: str | None = None


def _as_confirmations(confirmations: Any) -> list[dict[str, Any]]:
    if isinstance(confirmations, pd.DataFrame):
        rows = confirmations.to_dict("records")
    else:
        rows = [
            dataclasses.asdict(c) if dataclasses.is_dataclass(c) else dict(c)  # type: ignore[arg-type]
            for c in confirmations
        ]
    out = []
    for row in rows:
        clean = {k.replace("-", "_"): (None if _missing(v) else v) for k, v in row.items()}
        out.append(clean)
    return out


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))  # type: ignore[arg-type]


def _ship_day(value: Any) -> dt.date | None:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return to_jst(value).date() if value.tzinfo else None
    if isinstance(value, dt.date):
        return value
    return None


def _carrier(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return _CARRIER_ALIASES.get(text) or _CARRIER_ALIASES.get(text.lower())


def validate_confirmations(
    confirmations: pd.DataFrame | Iterable[Confirmation | Mapping[str, Any]],
    *,
    book: OrderBook | None = None,
    at: dt.datetime,
) -> list[ConfirmationError]:
    """Return every problem of ``confirmations`` (an empty list if all can be uploaded).

    Without ``book`` only the format is checked (order and item ids, quantity ≥ 1, ship date not
    after ``at``, carrier); with it, also that the order is not Pending or Canceled and that no
    item is confirmed beyond what is left to ship (summing the lines of this batch).

    Raises:
        ValueError: ``at`` is naive.

    """
    if at.tzinfo is None:
        raise ValueError(f"at={at!r} has no timezone")
    today = to_jst(at).date()
    problems: list[ConfirmationError] = []
    left: dict[tuple[str, str], int] = {}
    states: dict[str, Any] = {}
    for i, c in enumerate(_as_confirmations(confirmations)):
        oid = str(c.get("order_id") or "")

        def bad(rule_id: str, detail: str, i: int = i, oid: str = oid) -> None:
            problems.append(ConfirmationError(i, oid, rule(rule_id), detail))

        if not _ORDER_ID.match(oid):
            bad("find-order", f"order-id {oid!r} is not 3-7-7 digits")
            continue
        item = str(c.get("order_item_id") or "")
        if not _ITEM_ID.match(item):
            bad("no-ship-more-than-ordered", f"order-item-id {item!r} is not 14 digits")
        qty = c.get("quantity")
        try:
            quantity = int(qty)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            quantity = 0
        if quantity < 1 or str(quantity) != str(qty).strip().removesuffix(".0"):
            bad("no-ship-more-than-ordered", f"quantity {qty!r} is not a whole number ≥ 1")
            quantity = 0
        day = _ship_day(c.get("ship_date"))
        if day is None:
            bad(
                "confirm-within-7-days",
                f"ship-date {c.get('ship_date')!r} is not a date (yyyy-mm-dd or a tz-aware time)",
            )
        elif day > today:
            bad(
                "confirm-within-7-days",
                f"ship-date {day} is after {today}: confirm what has shipped, not what will",
            )
        code = _carrier(c.get("carrier_code"))
        if code is None:
            bad(
                "confirm-within-7-days",
                f"carrier-code {c.get('carrier_code')!r} is not one of {', '.join(CARRIERS)}",
            )
        elif code == "Other" and not c.get("carrier_name"):
            bad("confirm-within-7-days", "carrier-code Other needs a carrier-name")
        if book is None:
            continue
        if oid not in book:
            bad("other-seller-order", f"{oid} is not in the book")
            continue
        if oid not in states:
            states[oid] = book.order(oid).state(at=at)
        state = states[oid]
        if state.status.is_pending:
            bad("pending-no-dispatch", f"the order is {state.status} at {at:%Y-%m-%d %H:%M}")
            continue
        if state.status is OrderStatus.CANCELED:
            bad("canceled-is-final", f"the order was canceled at {state.canceled_at}")
            continue
        if item not in state.ordered:
            if _ITEM_ID.match(item):
                bad("no-ship-more-than-ordered", f"no item {item} in order {oid}")
            continue
        remaining = left.setdefault((oid, item), state.remaining[item])
        if quantity > remaining:
            bad(
                "no-ship-more-than-ordered",
                f"item {item}: {quantity} confirmed, {remaining} left to ship",
            )
        left[(oid, item)] = remaining - quantity
    return problems


def _row(c: Mapping[str, Any]) -> list[str]:
    code = _carrier(c.get("carrier_code")) or ""
    name = c.get("carrier_name") or ("" if code == "Other" else CARRIERS.get(code, ""))
    return [
        str(c["order_id"]),
        str(c["order_item_id"]),
        str(int(c["quantity"])),
        str(_ship_day(c["ship_date"])),
        code,
        str(name),
        str(c.get("tracking_number") or ""),
        str(c.get("ship_method") or ""),
        "",
    ]


def write_shipping_confirmation(
    confirmations: pd.DataFrame | Iterable[Confirmation | Mapping[str, Any]],
    path: str | os.PathLike[str],
    *,
    book: OrderBook | None = None,
    at: dt.datetime,
    encoding: str = "utf-8",
) -> int:
    """Write the shipping-confirmation upload file; return how many rows were written.

    Args:
        confirmations: a DataFrame (columns named like :class:`Confirmation`'s fields or the
            template's), or an iterable of :class:`Confirmation` or dicts.
        path: where to write. Nothing is created unless every confirmation passes.
        book: the order book, to refuse Pending and Canceled orders and over-confirmation.
        at: the instant of the upload (no wall clock is read); no ship date may be after it.
        encoding: ``"utf-8"`` (default) or ``"cp932"`` (Shift_JIS, as the template downloads).

    Raises:
        ConfirmationError: the first problem :func:`validate_confirmations` finds.

    """
    rows = _as_confirmations(confirmations)
    problems = validate_confirmations(rows, book=book, at=at)
    if problems:
        raise problems[0]
    lines = ["\t".join(r) for r in HEADER_ROWS] + ["\t".join(_row(c)) for c in rows]
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="\r\n") as f:
            f.write("\n".join(lines) + "\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(rows)
