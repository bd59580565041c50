"""The shipping-confirmation upload file (Seller Central Japan's OrderFulfillment template).

:func:`write_shipping_confirmation` writes the tab-separated template with its three header rows
(``TemplateType=OrderFulfillment`` / ``Version=2011.1102``, the Japanese titles, the field names);
:func:`validate_confirmations` returns every problem at once. Both apply the same rules through one
function (:func:`checked_confirmations`), which also produces the exact text of every field: what is written is
what was checked. Nothing is written unless every confirmation passes, and the file appears whole
or not at all (:func:`orderkit.io.files.write_text`).

The rules, per field (each refusal is a :class:`~orderkit.errors.ConfirmationError` naming the
FAQ rule it breaks; format problems use the closest one):

- every field: no tab, line break or other control character (Unicode categories Cc, Zl, Zp) —
  it would start another field or another row, a row that confirms, and charges, another order
  → ``charge-whole-order``;
- order-id: 3-7-7 digits → ``find-order``;
- order-item-id: 14 digits; quantity: a whole number ≥ 1 → ``no-ship-more-than-ordered``;
- ship-date: a date (``yyyy-mm-dd`` or a tz-aware time) not after ``at``; carrier-code: one of
  :data:`CARRIERS` (or a Japanese name for one); carrier-name: required with ``Other``;
  tracking-number: empty, or ASCII letters, digits and hyphens only, and for Yamato and Sagawa
  12 digits (hyphens between groups allowed) → ``confirm-within-7-days`` (a confirmation Amazon
  can accept).

With a ``book``, also: the order is in the book (``other-seller-order``), not Pending
(``pending-no-dispatch``) nor Canceled (``canceled-is-final``), and no item is confirmed beyond
what is left to ship, summing the lines of the batch (``no-ship-more-than-ordered``).

The rules are a table per *target* (:data:`TARGETS`): ``"upload"`` is this file; ``"api"`` is
SP-API ``confirmShipment``, whose ``packageDetail`` requires what the file leaves optional: a
tracking number and a ``packageReferenceId`` (a positive number, "Only positive numeric values are
supported" in the API's model).

Tracking numbers: Yamato's and Sagawa's are 12 digits (public descriptions of their slips agree;
the last digit is a check digit, not verified here as its scheme could not be confirmed from the
carriers' own documents). Japan Post numbers more than one way (12-digit parcels, the UPU's
``XX123456789JP`` for international mail, other services); for it, Seino and Fukuyama only the
general rule applies, as no public description of their formats could be confirmed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, Final, Literal

import pandas as pd

from orderkit.book import OrderBook
from orderkit.businessdays import to_jst
from orderkit.errors import ConfirmationError
from orderkit.io import files
from orderkit.rules import rule
from orderkit.status import OrderStatus

__all__ = [
    "CARRIERS",
    "FIELDS",
    "HEADER_ROWS",
    "TARGETS",
    "Confirmation",
    "FieldRule",
    "Target",
    "as_confirmations",
    "checked_confirmations",
    "tracking_number_fits",
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


_ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")
_ITEM_ID = re.compile(r"\d{14}")
_TRACKING = re.compile(r"[0-9A-Za-z-]+")
_PACKAGE_REFERENCE = re.compile(r"[1-9][0-9]*")
#: carrier-code → digits of its tracking numbers (hyphens between groups aside); see the docstring.
_TRACKING_DIGITS: Final[Mapping[str, int]] = {"Yamato Transport": 12, "Sagawa Express": 12}
# the Unicode categories that end a line or a field somewhere: C0/C1 controls, line/paragraph sep.
_CONTROL: Final = frozenset({"Cc", "Zl", "Zp"})
_CONTROL_NAMES: Final = {"\t": "a tab", "\n": "a line break", "\r": "a carriage return"}

#: Where confirmations go: the upload file, or SP-API ``confirmShipment``.
Target = Literal["upload", "api"]


@dataclasses.dataclass(frozen=True, slots=True)
class Confirmation:
    """One line of the upload file: a quantity of one order item shipped on a date.

    ``package_reference_id`` is for SP-API ``confirmShipment`` only (not in the upload file).
    """

    order_id: str
    order_item_id: str
    quantity: int
    ship_date: dt.date | dt.datetime
    carrier_code: str
    carrier_name: str | None = None
    tracking_number: str | None = None
    ship_method: str | None = None
    package_reference_id: str | None = None


class _Refused(Exception):
    """A field's value cannot be sent: ``detail`` says why (English)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclasses.dataclass(frozen=True, slots=True)
class FieldRule:
    """How one field is read and checked for one target.

    Attributes:
        field: the field's name (the template's, e.g. ``"tracking-number"``).
        key: the key of the confirmation that holds it (e.g. ``"tracking_number"``).
        rule_id: the :class:`~orderkit.rules.Rule` a refusal names.
        read: ``(confirmation, today) -> text``: the exact text sent; raises ``_Refused``.

    """

    field: str
    key: str
    rule_id: str
    read: Callable[[Mapping[str, Any], dt.date], str]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _order_id(c: Mapping[str, Any], today: dt.date) -> str:
    oid = _text(c.get("order_id"))
    if not _ORDER_ID.fullmatch(oid):
        raise _Refused(f"order-id {oid!r} is not 3-7-7 digits")
    return oid


def _order_item_id(c: Mapping[str, Any], today: dt.date) -> str:
    item = _text(c.get("order_item_id"))
    if not _ITEM_ID.fullmatch(item):
        raise _Refused(f"order-item-id {item!r} is not 14 digits")
    return item


def _quantity(c: Mapping[str, Any], today: dt.date) -> str:
    qty = c.get("quantity")
    try:
        quantity = int(qty)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        quantity = 0
    if quantity < 1 or str(quantity) != str(qty).strip().removesuffix(".0"):
        raise _Refused(f"quantity {qty!r} is not a whole number ≥ 1")
    return str(quantity)


def _ship_date(c: Mapping[str, Any], today: dt.date) -> str:
    day = _ship_day(c.get("ship_date"))
    if day is None:
        raise _Refused(
            f"ship-date {c.get('ship_date')!r} is not a date (yyyy-mm-dd or a tz-aware time)"
        )
    if day > today:
        raise _Refused(f"ship-date {day} is after {today}: confirm what has shipped, not what will")
    return day.isoformat()


def _carrier_code(c: Mapping[str, Any], today: dt.date) -> str:
    code = _carrier(c.get("carrier_code"))
    if code is None:
        raise _Refused(
            f"carrier-code {c.get('carrier_code')!r} is not one of {', '.join(CARRIERS)}"
        )
    return code


def _carrier_name(c: Mapping[str, Any], today: dt.date) -> str:
    code = _carrier(c.get("carrier_code"))
    name = _text(c.get("carrier_name"))
    if code == "Other" and not name:
        raise _Refused("carrier-code Other needs a carrier-name")
    if name or code is None:
        return name
    return CARRIERS[code]  # the carrier's Japanese name, as the template shows it


def _tracking_number(c: Mapping[str, Any], today: dt.date) -> str:
    number = _text(c.get("tracking_number"))
    if not number:
        return ""
    if not _TRACKING.fullmatch(number):
        raise _Refused(
            f"tracking-number {number!r} has characters other than letters, digits and hyphens"
        )
    code = _carrier(c.get("carrier_code"))
    digits = _TRACKING_DIGITS.get(code or "")
    bare = number.replace("-", "")
    if digits is not None and not (bare.isdigit() and len(bare) == digits):
        raise _Refused(f"a {code} tracking-number is {digits} digits, not {number!r}")
    return number


def tracking_number_fits(number: str | None, carrier_code: str | None) -> bool:
    """Return whether ``number`` is a tracking number the upload file takes for ``carrier_code``.

    The same field rule as :func:`validate_confirmations` (letters, digits and hyphens; Yamato's
    and Sagawa's 12 digits, Japan Post's 11 or 13 …). An empty number fits: the upload file allows
    it (the Valid Tracking Rate is another matter).

    >>> tracking_number_fits("1234-5678-9012", "Yamato"), tracking_number_fits("T1", "Yamato")
    (True, False)
    """
    try:
        _tracking_number({"tracking_number": number, "carrier_code": carrier_code}, dt.date.min)
    except _Refused:
        return False
    return True


def _required_tracking_number(c: Mapping[str, Any], today: dt.date) -> str:
    number = _tracking_number(c, today)
    if not number:
        raise _Refused("confirmShipment needs a tracking-number")
    return number


def _ship_method(c: Mapping[str, Any], today: dt.date) -> str:
    return _text(c.get("ship_method"))


def _package_reference_id(c: Mapping[str, Any], today: dt.date) -> str:
    ref = _text(c.get("package_reference_id"))
    if not _PACKAGE_REFERENCE.fullmatch(ref):
        raise _Refused(f"package-reference-id {ref!r} is not a positive number")
    return ref


_WITHIN: Final = "confirm-within-7-days"
_UPLOAD: Final = (
    FieldRule("order-id", "order_id", "find-order", _order_id),
    FieldRule("order-item-id", "order_item_id", "no-ship-more-than-ordered", _order_item_id),
    FieldRule("quantity", "quantity", "no-ship-more-than-ordered", _quantity),
    FieldRule("ship-date", "ship_date", _WITHIN, _ship_date),
    FieldRule("carrier-code", "carrier_code", _WITHIN, _carrier_code),
    FieldRule("carrier-name", "carrier_name", _WITHIN, _carrier_name),
    FieldRule("tracking-number", "tracking_number", _WITHIN, _tracking_number),
    FieldRule("ship-method", "ship_method", _WITHIN, _ship_method),
)

#: The field rules per target: the upload file's, and SP-API ``confirmShipment``'s (a tracking
#: number and a package reference id required).
TARGETS: Final[Mapping[str, tuple[FieldRule, ...]]] = {
    "upload": _UPLOAD,
    "api": (
        *(
            dataclasses.replace(r, read=_required_tracking_number)
            if r.field == "tracking-number"
            else r
            for r in _UPLOAD
        ),
        FieldRule("package-reference-id", "package_reference_id", _WITHIN, _package_reference_id),
    ),
}

#: The rule a control character in any field breaks: the row it would add confirms another order.
_CONTROL_RULE: Final = "charge-whole-order"


def as_confirmations(confirmations: Any) -> list[dict[str, Any]]:
    """Return ``confirmations`` (a frame, dataclasses or mappings) as plain dicts.

    Field names take underscores (``tracking-number`` → ``tracking_number``); a missing value
    (NaN, NA, None) becomes ``None``.
    """
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
            if len(value) == 10:
                return dt.date.fromisoformat(value)
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
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


def _control_character(text: str) -> str | None:
    """Return the first tab, line break or other control character of ``text``, or ``None``."""
    return next((ch for ch in text if unicodedata.category(ch) in _CONTROL), None)


def _fields(
    c: Mapping[str, Any], rules: tuple[FieldRule, ...], today: dt.date
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Return the exact text of each field of ``c`` that passes, and (rule id, detail) of the rest."""
    out: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for r in rules:
        raw = _text(c.get(r.key))
        ch = _control_character(raw)
        if ch is not None:
            what = _CONTROL_NAMES.get(ch, "a control character")
            problems.append(
                (
                    _CONTROL_RULE,
                    f"{r.field} {raw!r} holds {what} (U+{ord(ch):04X}): it would start another"
                    " field or row of the file",
                )
            )
            continue
        try:
            out[r.field] = r.read(c, today)
        except _Refused as refused:
            problems.append((r.rule_id, refused.detail))
    return out, problems


def checked_confirmations(
    confirmations: Any, *, book: OrderBook | None, at: dt.datetime, target: Target
) -> tuple[list[dict[str, str]], list[ConfirmationError]]:
    """Check every confirmation; return the text of each one's fields and every problem.

    The one place the rules are applied: :func:`validate_confirmations` returns the problems,
    :func:`write_shipping_confirmation` writes the texts when there are none.

    Raises:
        ValueError: ``at`` is naive, or ``target`` is unknown.

    """
    if at.tzinfo is None:
        raise ValueError(f"at={at!r} has no timezone")
    if target not in TARGETS:
        raise ValueError(f"target must be one of {', '.join(TARGETS)}, not {target!r}")
    today = to_jst(at).date()
    rows: list[dict[str, str]] = []
    problems: list[ConfirmationError] = []
    left: dict[tuple[str, str], int] = {}
    states: dict[str, Any] = {}
    for i, c in enumerate(as_confirmations(confirmations)):
        fields, bad = _fields(c, TARGETS[target], today)
        oid = fields.get("order-id", _text(c.get("order_id")))
        problems += [ConfirmationError(i, oid, rule(rule_id), d) for rule_id, d in bad]
        rows.append(fields)
        if book is None or bad:
            continue
        problem = _against_book(fields, book, at, left, states)
        if problem is not None:
            problems.append(ConfirmationError(i, oid, rule(problem[0]), problem[1]))
    return rows, problems


def _against_book(
    fields: Mapping[str, str],
    book: OrderBook,
    at: dt.datetime,
    left: dict[tuple[str, str], int],
    states: dict[str, Any],
) -> tuple[str, str] | None:
    """Return (rule id, detail) if the book refuses this confirmation; count what it ships."""
    oid, item, quantity = fields["order-id"], fields["order-item-id"], int(fields["quantity"])
    if oid not in book:
        return "other-seller-order", f"{oid} is not in the book"
    if oid not in states:
        states[oid] = book.order(oid).state(at=at)
    state = states[oid]
    if state.status.is_pending:
        return "pending-no-dispatch", f"the order is {state.status} at {at:%Y-%m-%d %H:%M}"
    if state.status is OrderStatus.CANCELED:
        return "canceled-is-final", f"the order was canceled at {state.canceled_at}"
    if item not in state.ordered:
        return "no-ship-more-than-ordered", f"no item {item} in order {oid}"
    remaining = left.setdefault((oid, item), state.remaining[item])
    left[(oid, item)] = remaining - quantity
    if quantity > remaining:
        return (
            "no-ship-more-than-ordered",
            f"item {item}: {quantity} confirmed, {remaining} left to ship",
        )
    return None


def validate_confirmations(
    confirmations: pd.DataFrame | Iterable[Confirmation | Mapping[str, Any]],
    *,
    book: OrderBook | None = None,
    at: dt.datetime,
    target: Target = "upload",
) -> list[ConfirmationError]:
    """Return every problem of ``confirmations`` (an empty list if all can be sent).

    Without ``book`` only the fields are checked (the table in the module's docstring); with it,
    also that the order is in the book, not Pending or Canceled, and that no item is confirmed
    beyond what is left to ship (summing the lines of this batch). These are exactly the rules
    :func:`write_shipping_confirmation` applies.

    Args:
        confirmations: as :func:`write_shipping_confirmation` takes them.
        book: the order book, for the checks against each order.
        at: the instant of the confirmation (no wall clock is read).
        target: ``"upload"`` (the upload file) or ``"api"`` (SP-API ``confirmShipment``, which
            also requires a tracking number and a package reference id).

    Returns:
        One :class:`~orderkit.errors.ConfirmationError` per problem, in input order.

    Raises:
        ValueError: ``at`` is naive, or ``target`` is unknown.

    """
    return checked_confirmations(confirmations, book=book, at=at, target=target)[1]


def write_shipping_confirmation(
    confirmations: pd.DataFrame | Iterable[Confirmation | Mapping[str, Any]],
    path: str | os.PathLike[str],
    *,
    book: OrderBook | None = None,
    at: dt.datetime,
    encoding: str = "utf-8",
    unencodable: files.Unencodable = "refuse",
) -> int:
    """Write the shipping-confirmation upload file; return the number of data rows in it.

    Args:
        confirmations: a DataFrame (columns named like :class:`Confirmation`'s fields or the
            template's), or an iterable of :class:`Confirmation` or dicts.
        path: where to write (CRLF line ends). Nothing is written unless every confirmation
            passes, and a failure leaves a previous file at ``path`` as it was.
        book: the order book, to refuse Pending and Canceled orders and over-confirmation.
        at: the instant of the upload (no wall clock is read); no ship date may be after it.
        encoding: ``"utf-8"`` (default) or ``"cp932"`` (Shift_JIS, as the template downloads).
        unencodable: a carrier-name or ship-method character with no form in ``encoding``:
            ``"refuse"`` (default) or ``"replace"`` (see :func:`orderkit.io.files.write_text`).

    Returns:
        The number of data rows written (one per confirmation; the header rows not counted).

    Raises:
        ConfirmationError: the first problem :func:`validate_confirmations` finds.
        UnencodableText: a character ``encoding`` cannot hold, with ``unencodable="refuse"``.
        ValueError: ``at`` is naive.

    """
    rows, problems = checked_confirmations(confirmations, book=book, at=at, target="upload")
    if problems:
        raise problems[0]
    body = [[r.get(f, "") for f in FIELDS] for r in rows]
    lines = ["\t".join(r) for r in (*HEADER_ROWS, *body)]
    table = pd.DataFrame(body, columns=list(FIELDS))
    files.write_text(
        Path(path),
        "\r\n".join(lines) + "\r\n",
        encoding=encoding,
        unencodable=unencodable,
        table=table,
        key="order-id",
    )
    return len(body)
