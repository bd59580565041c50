"""The columns of the order book's three tables, with their dtypes and meaning, in one place.

Every source (readers, the sample generator, the simulator, the store) builds its frames through
:func:`conform`, and every consumer may rely on these names and dtypes. Columns a source brings that
are not listed here (e.g. an unknown column of a real report) are kept, after the listed ones.

Conventions: yen amounts are integers (``Int64``, missing while Amazon omits prices, e.g. for a
Pending order); timestamps are tz-aware UTC; text is pandas' Arrow-backed ``str`` dtype, which keeps
Japanese intact and costs little memory. A text column that holds a few distinct codes (an event's
kind, actor or source; an order's payment method or channel) is ``category``: one byte a row instead
of a string, and the fleet lens reads its codes directly. It compares, filters and prints like text
(``events["kind"] == "placed"``); :func:`concat` keeps it ``category`` across frames whose codes
differ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "CODE", "DEFAULT_ACCOUNT", "EVENTS", "ITEMS", "JP_MARKETPLACE", "ORDERS", "PII", "STR", "TS",
    "YEN",
    "Column", "categorical", "codes", "concat", "conform", "conform_column", "dictionary_codes",
    "empty", "filled", "is_in", "is_text", "missing", "utc", "utc_ns", "validate",
]  # fmt: skip

STR = "str"
#: Text with few distinct values: pandas ``category`` whose categories are ``str``.
CODE = "category"
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
    "fulfillment_channel": Column(CODE, "MFN (seller-fulfilled) or AFN (fulfilled by Amazon)"),
    "sales_channel": Column(CODE, "e.g. Amazon.co.jp"),
    "order_type": Column(CODE, "StandardOrder, Preorder, ..."),
    "payment_method": Column(CODE, "card, cvs (convenience store), cod, points or other"),
    "ship_service_level": Column(CODE, "Standard, Expedited, ..."),
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
    "ship_country": Column(CODE, "ISO country code, JP"),
    "is_business_order": Column("bool", "Business Buyer badge: a packing slip is required"),
    "purchase_order_number": Column(STR, "the Buyer PO#, when the business buyer gave one"),
    "is_prime": Column("bool", "Prime order"),
    "currency": Column(CODE, "JPY"),
    "account": Column(
        CODE,
        "the seller account (a team's name for it, or its merchant token); missing: the one"
        " account of a single-account book, DEFAULT_ACCOUNT",
    ),
    "marketplace": Column(
        CODE, "Amazon's marketplace id (A1VC38T7YXB528 is Amazon.co.jp); missing: Amazon.co.jp"
    ),
}

#: The order columns that hold buyer or recipient data (PII, Amazon's Data Protection Policy):
#: names, the relay e-mail and phone, and the address down to the postal code (a Japanese 〒 code
#: can name a single building). The store keeps them in a table of their own and purges them
#: after delivery; exports and the history leave them out (:func:`orderkit.book.without_pii`).
#: Kept as order history: the prefecture (``ship_state``) and country, which the shipping-region
#: logic and the metrics group by and which identify no one, and the business buyer's PO number
#: (a company's reference, needed on an invoice).
PII: frozenset[str] = frozenset(
    {
        "buyer_email",
        "buyer_name",
        "buyer_phone",
        "recipient_name",
        "ship_postal_code",
        "ship_city",
        "ship_address_1",
        "ship_address_2",
        "ship_address_3",
    }
)


#: The account of an order whose row names none: a single-account book needs no account column.
DEFAULT_ACCOUNT = "default"
#: Amazon.co.jp's marketplace id.
JP_MARKETPLACE = "A1VC38T7YXB528"

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
    "event_id": Column(
        "Int64", "content hash of the event's facts (64 bits): the same fact twice is one event"
    ),
    "order_id": Column(STR, "the order"),
    "at": Column(TS, "when it happened"),
    "kind": Column(CODE, "an EventKind value: placed, payment_completed, shipment_confirmed, ..."),
    "actor": Column(CODE, "buyer, seller, amazon or system"),
    "order_item_id": Column(STR, "the item, where the event concerns one"),
    "quantity": Column("Int64", "how many of the item (shipment, refund)"),
    "amount": Column(YEN, "yen moved (refund), or a cost (actual shipping cost on a return)"),
    "reason": Column(CODE, "why: a cancel, refund or return reason"),
    "carrier": Column(CODE, "carrier code for a shipment: Yamato, Sagawa, JapanPost, Other"),
    "tracking_number": Column(STR, "tracking number of a shipment"),
    "shipped_at": Column(
        TS, "when the parcel left, for a shipment confirmed after it shipped (NaT: when confirmed)"
    ),
    "channel": Column(CODE, "contact channel: form, email or phone"),
    "due": Column(TS, "a deadline the event sets (reply deadline)"),
    "ref": Column(
        STR, "a related id: the combined-shipment group, a carrier name, the voided event"
    ),
    "source": Column(CODE, "which file or API response imported it, or where it was recorded"),
    "origin": Column(CODE, "import, action, correction, sample or simulation (events.Origin)"),
    "operator": Column(STR, "who in the seller's team recorded an action or a correction"),
    "note": Column(STR, "why, in the operator's words (a correction says what was wrong)"),
}

_TABLES = {"orders": ORDERS, "items": ITEMS, "events": EVENTS}


def is_text(dtype: str) -> bool:
    """Return whether a column of documented ``dtype`` holds text (``str`` or ``category``)."""
    return dtype in (STR, CODE)


def codes(series: pd.Series) -> pd.Series:
    """Return a text column as ``category``: ``str`` categories, the values present, sorted.

    One canonical form means two columns holding the same values compare equal, whatever order
    the values arrived in (a book saved and loaded again is the book that was saved). A column
    that is already ``category`` with sorted ``str`` categories is returned as it is, without a
    pass over its rows (after a filter it may keep categories no row uses). Arrow's dictionary
    encoding does the work for text: several times faster than pandas' factorize on a million rows.
    """
    if isinstance(series.dtype, pd.CategoricalDtype) and series.cat.categories.dtype == STR:
        if series.cat.categories.is_monotonic_increasing:
            return series
        return _canonical(series)
    if isinstance(series.dtype, pd.CategoricalDtype) or series.dtype != STR:
        series = series.astype(STR)
    try:
        chunked = pa.chunked_array(series.array.__arrow_array__())  # type: ignore[union-attr]
    except (AttributeError, TypeError, pa.ArrowException):
        return _canonical(series.astype(CODE))
    dictionary, indices = dictionary_codes(chunked)
    categories = pd.Index(dictionary.to_pylist(), dtype=STR)
    return _canonical(
        pd.Series(
            pd.Categorical.from_codes(indices, categories=categories, validate=False),
            index=series.index,
            name=series.name,
            copy=False,
        )
    )


def dictionary_codes(values: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Return the distinct values of ``values`` and each row's index into them (-1: missing).

    Chunk by chunk, without joining the chunks first (Arrow encodes a column's chunks against one
    dictionary; ``unify_dictionaries`` makes sure of it).
    """
    encoded = pc.dictionary_encode(values)
    if not isinstance(encoded, pa.ChunkedArray):
        encoded = pa.chunked_array([encoded])
    encoded = encoded.unify_dictionaries()
    if not encoded.num_chunks:
        return pa.array([], values.type), np.zeros(0, np.int64)
    codes = np.empty(len(encoded), np.int64)
    start = 0
    for chunk in encoded.chunks:
        codes[start : start + len(chunk)] = chunk.indices.fill_null(-1).to_numpy(
            zero_copy_only=False
        )
        start += len(chunk)
    return encoded.chunk(0).dictionary, codes


def categorical(
    indices: np.ndarray, labels: Sequence[str], *, canonical: bool = False
) -> pd.Categorical:
    """Return ``labels[indices]`` (index -1: missing) in the canonical form of :func:`codes`.

    ``labels`` must be distinct and every index in ``[-1, len(labels))`` (not checked: this is
    the fast path for codes a program drew itself). With ``canonical``, the caller also knows
    that ``labels`` are sorted and each is used, and no pass over the rows checks it.
    """
    cat = pd.Categorical.from_codes(
        indices, categories=pd.Index(list(labels), dtype=STR), validate=False
    )
    if canonical or not len(labels):  # (no labels: every row missing, canonical as it is)
        return cat
    return _canonical(pd.Series(cat, copy=False)).array


def utc(ns: np.ndarray) -> pd.Series:
    """Return UTC nanoseconds (``int64``, its minimum for a missing time) as a ``TS`` Series.

    The Series takes the array over, without a copy: the caller must not change it afterwards.
    """
    return pd.Series(np.asarray(ns, dtype=np.int64), copy=False).astype(_UTC_NS)


_UTC_NS = pd.DatetimeTZDtype("ns", "UTC")


def utc_ns(series: pd.Series) -> np.ndarray:
    """Return a tz-aware timestamp column as UTC nanoseconds (the ``int64`` minimum for missing).

    The inverse of :func:`utc`. A column already in UTC nanoseconds (the documented ``TS``) gives
    a view of its own array, not a copy: read-only, since the column still holds it.

    Raises:
        TypeError: the column holds naive timestamps (or no timestamps).

    """
    values = series.array.tz_convert("UTC")  # type: ignore[attr-defined]
    if values.unit != "ns":
        values = values.as_unit("ns")
    out = np.asarray(values.asi8, dtype=np.int64).view()
    out.flags.writeable = False
    return out


def is_in(series: pd.Series, values: object) -> np.ndarray:
    """Return whether each text value of ``series`` is one of ``values`` (a boolean array).

    Arrow's hash lookup: pandas' own ``isin`` on Arrow-backed text visits every value in Python.
    """
    wanted = pa.array([str(v) for v in values], pa.large_string())
    arr = series.array
    if isinstance(arr, pd.Categorical):
        hit = pc.is_in(pa.array(arr.categories.astype(STR)), value_set=wanted)
        lookup = np.append(hit.to_numpy(zero_copy_only=False), False)
        return lookup[arr.codes]
    try:
        chunked = pa.chunked_array(arr.__arrow_array__())  # type: ignore[attr-defined]
    except (AttributeError, TypeError, pa.ArrowException):
        chunked = pa.chunked_array([pa.array(series.astype(STR).array)])
    chunked = chunked.cast(pa.large_string())
    return pc.is_in(chunked, value_set=wanted).to_numpy(zero_copy_only=False).astype(bool)


def filled(label: str, n: int) -> pd.Categorical:
    """Return ``n`` rows of the one code ``label``, in canonical form (no pass over the rows)."""
    codes = np.zeros(n, np.int8)  # calloc'd: pages untouched until read
    return pd.Categorical.from_codes(
        codes, categories=pd.Index([label] if n else [], dtype=STR), validate=False
    )


def _canonical(series: pd.Series) -> pd.Series:
    """Return a ``str``-categorical ``series`` with only the categories it uses, sorted."""
    cat = series.array
    categories = cat.categories
    present = pc.unique(pa.array(cat.codes)).to_numpy(zero_copy_only=False)  # no per-row copy
    used = np.zeros(len(categories), bool)
    used[present[present >= 0]] = True
    if used.all() and categories.is_monotonic_increasing:
        return series
    keep = categories[used].sort_values()
    lookup = keep.get_indexer(categories)
    codes = np.asarray(cat.codes)
    if len(categories) <= 16:  # a pass per category: no index widened to intp, row by row
        remapped = np.full_like(codes, -1)
        for old_code, new_code in enumerate(lookup):
            if new_code >= 0:
                np.putmask(remapped, codes == old_code, new_code)
    else:
        remapped = np.append(lookup, -1)[codes].astype(codes.dtype)
    new = pd.Categorical.from_codes(remapped, categories=keep, validate=False)
    return pd.Series(new, index=series.index, name=series.name, copy=False)


def missing(dtype: str, n: int) -> pd.Series:
    """Return ``n`` missing values of a documented ``dtype`` (``False`` for ``bool``).

    Built from buffers directly: a million-row column costs a few milliseconds.
    """
    if dtype == STR:  # calloc'd offsets and validity: pages untouched until read
        arr = pa.LargeStringArray.from_buffers(
            n,
            pa.py_buffer(np.zeros(n + 1, np.int64)),
            pa.py_buffer(b""),
            pa.py_buffer(np.zeros((n + 7) // 8, np.uint8)),
        )
        return pd.Series(pd.array(arr, dtype=STR), copy=False)
    if dtype == CODE:
        return pd.Series(categorical(np.full(n, -1, np.int8), []), copy=False)
    if dtype == TS:
        return utc(np.full(n, np.iinfo(np.int64).min))
    if dtype == "bool":
        return pd.Series(np.zeros(n, bool), copy=False)
    if dtype in (YEN, "Int64"):
        return pd.Series(
            pd.arrays.IntegerArray(np.zeros(n, np.int64), np.ones(n, bool)), copy=False
        )
    return pd.Series(index=pd.RangeIndex(n), dtype=dtype)


def conform_column(series: pd.Series, dtype: str) -> pd.Series:
    """Return ``series`` in the documented ``dtype`` (unchanged when it already is).

    Raises:
        TypeError, ValueError: a value cannot take ``dtype``.
    """
    if dtype == CODE:
        return codes(series)
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
    blanks: dict[str, pd.Series] = {}
    for name, col in spec.items():
        if name in frame.columns:
            try:
                out[name] = conform_column(frame[name], col.dtype)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{table}.{name}: cannot hold {col.dtype}: {exc}") from exc
        else:  # columns of one dtype share one (immutable under copy-on-write) empty array
            if col.dtype not in blanks:
                blanks[col.dtype] = missing(col.dtype, len(frame)).set_axis(frame.index)
            out[name] = blanks[col.dtype]
    for name in frame.columns:
        if name not in spec:
            out[name] = frame[name]
    # No copy: the columns are the source's (or their converted copies); copy-on-write guards them.
    return pd.DataFrame(out, index=frame.index, copy=False).reset_index(drop=True)


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Return ``frames`` one after the other (a new index), keeping ``category`` columns so.

    ``pandas.concat`` turns two categorical columns with different categories into plain text;
    here each categorical column first takes the union of every frame's categories.
    """
    frames = [f for f in frames if len(f.columns)]
    if not frames:
        return pd.DataFrame()
    shared = set.intersection(*(set(f.columns) for f in frames))
    unify: dict[str, pd.CategoricalDtype] = {}
    for name in shared:
        dtypes = [f[name].dtype for f in frames]
        if all(isinstance(d, pd.CategoricalDtype) for d in dtypes) and len(set(dtypes)) > 1:
            seen: dict[str, None] = {}
            for d in dtypes:
                seen.update(dict.fromkeys(d.categories))
            unify[name] = pd.CategoricalDtype(pd.Index(sorted(seen), dtype=STR))
    if unify:
        frames = [
            f.assign(**{c: f[c].cat.set_categories(t.categories) for c, t in unify.items()})
            for f in frames
        ]
    return pd.concat(frames, ignore_index=True)


def empty(table: str) -> pd.DataFrame:
    """Return an empty frame of ``table`` with every documented column in its dtype."""
    return conform(pd.DataFrame(), table)


def validate(frame: pd.DataFrame, table: str) -> None:
    """Raise ``ValueError`` unless ``frame`` has every documented column of ``table`` in its dtype."""
    for name, col in _TABLES[table].items():
        if name not in frame.columns:
            raise ValueError(f"{table} lacks column {name!r} ({col.doc})")
        if str(frame[name].dtype) != str(pd.Series([], dtype=col.dtype).dtype) or (
            col.dtype == CODE and frame[name].cat.categories.dtype != STR
        ):
            raise ValueError(f"{table}.{name} is {frame[name].dtype}, expected {col.dtype}")
