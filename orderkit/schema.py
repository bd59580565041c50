"""The columns of the order book's three tables, with their dtypes and meaning, in one place.

Every source (readers, the sample generator, the simulator, the store) builds its frames through
:func:`conform`, and every consumer may rely on these names and dtypes. Columns a source brings that
are not listed here (e.g. an unknown column of a real report) are kept, after the listed ones.

Conventions: yen amounts are integers (``Int64``, missing while Amazon omits prices, e.g. for a
Pending order); timestamps are tz-aware UTC; text is pandas' Arrow-backed ``str`` dtype, which keeps
Japanese intact and costs little memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

__all__ = ["EVENTS", "ITEMS", "ORDERS", "Column", "conform", "empty", "validate"]

STR = "str"
TS = "datetime64[ns, UTC]"
YEN = "Int64"


@dataclass(frozen=True, slots=True)
class Column:
    """One documented column: its dtype and what it holds."""

    dtype: str
    doc: str


ORDERS: Mapping[str, Column] = {
    "order_id": Column(STR, "Amazon order number, 3-7-7 digits (503-1234567-1234567)"),
    "purchase_date": Column(TS, "when the buyer checked out"),
    "last_updated": Column(TS, "last change Amazon reported (NaT if unknown)"),
    "fulfillment_channel": Column(STR, "MFN (seller-fulfilled) or AFN (fulfilled by Amazon)"),
    "sales_channel": Column(STR, "e.g. Amazon.co.jp"),
    "order_type": Column(STR, "StandardOrder, Preorder, ..."),
    "payment_method": Column(STR, "card, cvs (convenience store), cod, points or other"),
    "ship_service_level": Column(STR, "Standard, Expedited, ..."),
    "earliest_ship_date": Column(TS, "start of the promised ship window (NaT if unknown)"),
    "latest_ship_date": Column(
        TS, "the ship date: end of the promised ship window (NaT until known, e.g. unpaid)"
    ),
    "latest_delivery_date": Column(TS, "end of the promised delivery window (NaT if unknown)"),
    "buyer_email": Column(STR, "the buyer's anonymised relay address"),
    "buyer_name": Column(STR, "the buyer's name"),
    "buyer_phone": Column(STR, "the buyer's phone (relay) number; empty for AFN"),
    "recipient_name": Column(STR, "name on the parcel"),
    "ship_postal_code": Column(STR, "〒 postal code, NNN-NNNN"),
    "ship_state": Column(STR, "prefecture (都道府県)"),
    "ship_city": Column(STR, "city, ward (市区町村)"),
    "ship_address_1": Column(STR, "street address"),
    "ship_address_2": Column(STR, "building, room"),
    "ship_address_3": Column(STR, "more address"),
    "ship_country": Column(STR, "ISO country code, JP"),
    "is_business_order": Column("bool", "Business Buyer badge: a packing slip is required"),
    "purchase_order_number": Column(STR, "the Buyer PO#, when the business buyer gave one"),
    "is_prime": Column("bool", "Prime order"),
    "currency": Column(STR, "JPY"),
}

ITEMS: Mapping[str, Column] = {
    "order_id": Column(STR, "the order this item belongs to"),
    "order_item_id": Column(STR, "Amazon's order item id, 14 digits"),
    "sku": Column(STR, "the seller's SKU"),
    "asin": Column(STR, "Amazon's product id"),
    "product_name": Column(STR, "product title"),
    "quantity": Column("int64", "quantity ordered"),
    "item_price": Column(YEN, "unit price × quantity, tax included as shown to the buyer, yen"),
    "item_tax": Column(YEN, "tax on the items, yen (Japanese prices include it; 0 if so)"),
    "shipping_price": Column(YEN, "shipping charged, yen"),
    "shipping_tax": Column(YEN, "tax on shipping, yen"),
    "gift_wrap_price": Column(YEN, "gift wrap, yen"),
    "item_promotion_discount": Column(YEN, "promotion discount on the item, yen (positive)"),
    "ship_promotion_discount": Column(YEN, "promotion discount on shipping, yen (positive)"),
    "cod_fee": Column(YEN, "cash-on-delivery fee, yen"),
}

EVENTS: Mapping[str, Column] = {
    "event_id": Column(STR, "content hash of the event's facts: the same fact twice is one event"),
    "order_id": Column(STR, "the order"),
    "at": Column(TS, "when it happened"),
    "kind": Column(STR, "an EventKind value: placed, payment_completed, shipment_confirmed, ..."),
    "actor": Column(STR, "buyer, seller, amazon or system"),
    "order_item_id": Column(STR, "the item, where the event concerns one"),
    "quantity": Column("Int64", "how many of the item (shipment, refund)"),
    "amount": Column(YEN, "yen moved (refund), or a cost (actual shipping cost on a return)"),
    "reason": Column(STR, "why: a cancel, refund or return reason"),
    "carrier": Column(STR, "carrier code for a shipment: Yamato, Sagawa, JapanPost, Other"),
    "tracking_number": Column(STR, "tracking number of a shipment"),
    "shipped_at": Column(
        TS, "when the parcel left, for a shipment confirmed after it shipped (NaT: when confirmed)"
    ),
    "channel": Column(STR, "contact channel: form, email or phone"),
    "due": Column(TS, "a deadline the event sets (reply deadline)"),
    "ref": Column(STR, "a related id: the combined-shipment group, a carrier name, ..."),
    "source": Column(STR, "where the fact came from: a file, spapi, sample, simulate, workbench"),
}

_TABLES = {"orders": ORDERS, "items": ITEMS, "events": EVENTS}


def _as(series: pd.Series, dtype: str) -> pd.Series:
    if dtype == TS:
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            return series.dt.tz_convert("UTC").astype(TS)
        return pd.to_datetime(series, utc=True).astype(TS)
    return series.astype(dtype)


def conform(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Return ``frame`` with the documented columns of ``table`` first, in their dtypes.

    Missing documented columns are added empty; extra columns are kept after them, unchanged.
    Raises ``ValueError`` if a value cannot take its column's dtype (naming the column).
    """
    spec = _TABLES[table]
    out: dict[str, pd.Series] = {}
    for name, col in spec.items():
        if name in frame.columns:
            try:
                out[name] = _as(frame[name], col.dtype)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{table}.{name}: cannot hold {col.dtype}: {exc}") from exc
        else:
            out[name] = pd.Series(index=frame.index, dtype=col.dtype)
    for name in frame.columns:
        if name not in spec:
            out[name] = frame[name]
    # No copy: the columns are the source's (or their converted copies); copy-on-write guards them.
    return pd.DataFrame(out, index=frame.index, copy=False).reset_index(drop=True)


def empty(table: str) -> pd.DataFrame:
    """Return an empty frame of ``table`` with every documented column in its dtype."""
    return conform(pd.DataFrame(), table)


def validate(frame: pd.DataFrame, table: str) -> None:
    """Raise ``ValueError`` unless ``frame`` has every documented column of ``table`` in its dtype."""
    for name, col in _TABLES[table].items():
        if name not in frame.columns:
            raise ValueError(f"{table} lacks column {name!r} ({col.doc})")
        if str(frame[name].dtype) != str(pd.Series([], dtype=col.dtype).dtype):
            raise ValueError(f"{table}.{name} is {frame[name].dtype}, expected {col.dtype}")
