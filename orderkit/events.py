"""Events: the facts an order's life is made of, appended and never changed.

An :class:`Event` is one fact with a time (``at``, tz-aware), a kind, the order, and — where it
matters — the item and quantity, an amount in yen, and who acted. The event table of an
:class:`~orderkit.book.OrderBook` is the truth: an order's status is derived by folding its events
(:mod:`orderkit.state`), never stored a second time.

An event's id is a hash of its facts (not of where it came from, who recorded it or why), so
recording the same fact twice — e.g. importing the same report again — adds nothing. Where it came
from is data beside the facts: ``origin`` (an import, a seller's action, a correction, the sample or
the simulator — :class:`Origin`), ``source`` (which file or API response, or which part of the
workbench) and ``operator`` (who in the seller's team recorded an action).

Events are never changed or deleted. A mistaken one is *voided* by a later ``voided`` event whose
``ref`` holds the voided event's id and whose ``note`` says why; both lenses skip voided events
(:func:`live`), and the timeline shows both.

>>> import datetime as dt
>>> e = Event("503-1234567-1234567", dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC),
...           EventKind.PAYMENT_COMPLETED, Actor.AMAZON)
>>> e.event_id == Event(**{**e.as_dict(), "source": "elsewhere"}).event_id
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orderkit import schema
from orderkit.i18n import N_, _

__all__ = [
    "Actor",
    "CancelReason",
    "Channel",
    "Event",
    "EventKind",
    "Origin",
    "ReturnReason",
    "event_ids",
    "events_frame",
    "live",
    "voided_ids",
]


class EventKind(StrEnum):
    """Every kind of fact the FAQ talks about."""

    PLACED = "placed"
    PAYMENT_COMPLETED = "payment_completed"
    PAYMENT_EXPIRED = "payment_expired"
    AWAITING_RELEASE = "awaiting_release"
    RELEASED = "released"
    BUYER_EDITED = "buyer_edited"
    SHIPMENT_CONFIRMED = "shipment_confirmed"
    CANCELED = "canceled"
    REFUNDED = "refunded"
    RETURNED_TO_SENDER = "returned_to_sender"
    DELIVERED = "delivered"
    BUYER_CONTACTED = "buyer_contacted"
    REPLY_DEADLINE_SET = "reply_deadline_set"
    BUYER_REPLIED = "buyer_replied"
    NOT_RECEIVED_REPORTED = "not_received_reported"
    ATOZ_CLAIM_FILED = "atoz_claim_filed"
    SHIPMENTS_COMBINED = "shipments_combined"
    INVOICE_PENDING = "invoice_pending"
    INVOICE_CONFIRMED = "invoice_confirmed"
    UNFULFILLABLE = "unfulfillable"
    VOIDED = "voided"

    @property
    def en(self) -> str:
        """English label."""
        return _KIND_LABELS.get(self, self.value)

    @property
    def ja(self) -> str:
        """Japanese label."""
        return self.label("ja")

    def label(self, lang: str = "en") -> str:
        """Return the label in ``lang`` (``en``, ``ja``, ``zh-Hans``)."""
        return _(_KIND_LABELS.get(self, self.value), lang)


_KIND_LABELS: dict[EventKind, str] = {
    EventKind.PLACED: N_("Order placed"),
    EventKind.PAYMENT_COMPLETED: N_("Payment completed"),
    EventKind.PAYMENT_EXPIRED: N_("Convenience-store payment expired"),
    EventKind.AWAITING_RELEASE: N_("Awaiting release (pre-order)"),
    EventKind.RELEASED: N_("Released"),
    EventKind.BUYER_EDITED: N_("Buyer edited the order"),
    EventKind.SHIPMENT_CONFIRMED: N_("Shipment confirmed"),
    EventKind.CANCELED: N_("Canceled"),
    EventKind.REFUNDED: N_("Refunded"),
    EventKind.RETURNED_TO_SENDER: N_("Returned to sender"),
    EventKind.DELIVERED: N_("Delivered"),
    EventKind.BUYER_CONTACTED: N_("Buyer contacted"),
    EventKind.REPLY_DEADLINE_SET: N_("Reply deadline set"),
    EventKind.BUYER_REPLIED: N_("Buyer replied"),
    EventKind.NOT_RECEIVED_REPORTED: N_("Buyer reports not received"),
    EventKind.ATOZ_CLAIM_FILED: N_("A-to-z claim filed"),
    EventKind.SHIPMENTS_COMBINED: N_("Shipments combined"),
    EventKind.INVOICE_PENDING: N_("Invoice pending"),
    EventKind.INVOICE_CONFIRMED: N_("Invoice confirmed"),
    EventKind.UNFULFILLABLE: N_("Unfulfillable"),
    EventKind.VOIDED: N_("Voided (correction)"),
}


class Origin(StrEnum):
    """Where an event came from: the data beside its facts (see the module docstring)."""

    IMPORT = "import"  # a report or an API response: a snapshot of the order, reconciled
    ACTION = "action"  # recorded by the seller in orderkit (an operator names who)
    CORRECTION = "correction"  # a void or an amendment of an earlier event
    SAMPLE = "sample"  # orderkit's sample data
    SIMULATION = "simulation"  # the fleet simulator


class Actor(StrEnum):
    """Who acted."""

    BUYER = "buyer"
    SELLER = "seller"
    AMAZON = "amazon"
    SYSTEM = "system"

    def label(self, lang: str = "en") -> str:
        """Return who acted in ``lang`` (``Buyer``, ``購入者``, ``买家``)."""
        return _(_ACTOR_LABELS[self], lang)


_ACTOR_LABELS: dict[str, str] = {
    "buyer": N_("Buyer"),
    "seller": N_("Seller"),
    "amazon": N_("Amazon"),
    "system": N_("Automatic"),
}


class CancelReason(StrEnum):
    """Why an order was canceled.

    Only seller cancellations for the seller's own reasons count against the pre-fulfilment Cancel
    Rate; ``buyer_requested`` and Amazon's do not.
    """

    BUYER_SELF = "buyer_self"
    BUYER_REQUESTED = "buyer_requested"
    OUT_OF_STOCK = "out_of_stock"
    NO_REPLY = "no_reply"
    ADDRESS_ISSUE = "address_issue"
    PRICING_ERROR = "pricing_error"
    PAYMENT_EXPIRED = "payment_expired"
    CONFIRM_CUTOFF = "confirm_cutoff"
    OTHER = "other"

    def label(self, lang: str = "en") -> str:
        """Return the reason in a seller's words, in ``lang``."""
        return _(_REASON_LABELS[self], lang)


_REASON_LABELS: dict[str, str] = {
    "buyer_self": N_("Canceled by the buyer"),
    "buyer_requested": N_("Buyer requested cancellation"),
    "out_of_stock": N_("Out of stock"),
    "no_reply": N_("No reply from the buyer"),
    "address_issue": N_("Undeliverable address"),
    "pricing_error": N_("Pricing error"),
    "payment_expired": N_("Convenience-store payment expired"),
    "confirm_cutoff": N_("Not confirmed in time (automatic)"),
    "other": N_("Other"),
}


class ReturnReason(StrEnum):
    """Why a package came back to the seller (FAQ: undeliverable, rejected or invalid address)."""

    UNDELIVERABLE = "undeliverable"
    REJECTED = "rejected"
    INVALID_ADDRESS = "invalid_address"

    def label(self, lang: str = "en") -> str:
        """Return the reason in ``lang``."""
        return _(_RETURN_LABELS[self], lang)


_RETURN_LABELS: dict[str, str] = {
    "undeliverable": N_("Undeliverable"),
    "rejected": N_("Rejected by the buyer"),
    "invalid_address": N_("Invalid address"),
}


class Channel(StrEnum):
    """How a seller contacts a buyer (FAQ: the Contact Customer form, encrypted email, phone)."""

    FORM = "form"
    EMAIL = "email"
    PHONE = "phone"

    def label(self, lang: str = "en") -> str:
        """Return the channel in ``lang`` as Seller Central names it."""
        return _(_CHANNEL_LABELS[self], lang)


_CHANNEL_LABELS: dict[str, str] = {
    "form": N_("Contact Buyer form"),
    "email": N_("Email"),
    "phone": N_("Phone"),
}


#: Columns that say where an event came from, not what happened: not part of its identity.
PROVENANCE = ("source", "origin", "operator", "note")
# The fields that make an event's identity: the facts.
_IDENTITY = [c for c in schema.EVENTS if c != "event_id" and c not in PROVENANCE]
# Identity columns added after the first release (see combine_ids).
_ADDED_LATER = frozenset({"shipped_at"})


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    """One fact in an order's life. ``at`` must be tz-aware.

    Raises ``ValueError`` for a naive ``at``/``due``, a negative quantity or amount, or a
    ``voided`` event whose ``ref`` is not an event id.
    """

    order_id: str
    at: dt.datetime
    kind: EventKind
    actor: Actor = Actor.SYSTEM
    order_item_id: str | None = None
    quantity: int | None = None
    amount: int | None = None
    reason: str | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    shipped_at: dt.datetime | None = None
    channel: str | None = None
    due: dt.datetime | None = None
    ref: str | None = None
    source: str | None = None
    origin: Origin | None = None
    operator: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", EventKind(self.kind))
        object.__setattr__(self, "actor", Actor(self.actor))
        if self.origin is not None:
            object.__setattr__(self, "origin", Origin(self.origin))
        if self.kind is EventKind.VOIDED and not str(self.ref or "").lstrip("-").isdigit():
            raise ValueError(
                f"a voided event's ref must be the id of the event it voids, not {self.ref!r}"
            )
        for name in ("at", "due", "shipped_at"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, pd.Timestamp):
                value = value.to_pydatetime()
            if value.tzinfo is None:
                raise ValueError(f"Event.{name} must be timezone-aware, got {value!r}")
            object.__setattr__(self, name, value.astimezone(dt.UTC))
        for name in ("quantity", "amount"):
            value = getattr(self, name)
            if value is not None:
                if int(value) < 0:
                    raise ValueError(f"Event.{name} must not be negative, got {value}")
                object.__setattr__(self, name, int(value))

    def as_dict(self) -> dict[str, Any]:
        """Return the event's fields as a dict (without ``event_id``)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    @property
    def event_id(self) -> int:
        """The content hash of the event's facts (a signed 64-bit integer)."""
        return int(event_ids(events_frame([self], with_ids=False)).iloc[0])

    @classmethod
    def from_row(cls, row: Any) -> Event:
        """Build an event from a row of the event table (a ``namedtuple`` or a mapping)."""
        get = row.get if isinstance(row, dict) else lambda k: getattr(row, k, None)
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            v = get(f.name)
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                v = None
            elif isinstance(v, pd.Timestamp):
                v = v.to_pydatetime()
            elif isinstance(v, np.integer):
                v = int(v)
            values[f.name] = v
        return cls(**values)


def events_frame(events: Iterable[Event], *, with_ids: bool = True) -> pd.DataFrame:
    """Return ``events`` as a frame of the event table's schema (ids computed if ``with_ids``)."""
    rows = [e.as_dict() for e in events]
    frame = pd.DataFrame(rows, columns=[c for c in schema.EVENTS if c != "event_id"])
    for col in ("kind", "actor", "origin"):
        frame[col] = frame[col].map(str, na_action="ignore")
    frame = schema.conform(frame, "events")
    if with_ids:
        frame["event_id"] = event_ids(frame)
    return frame


# ---- event ids: one content hash, vectorised ------------------------------------------------------
#
# An event's id hashes its identity columns (every column but ``event_id`` and PROVENANCE):
#
# - a text value: its UTF-8 bytes, zero-padded to whole 8-byte little-endian words ``w_1..w_k``:
#   ``h = fmix(_STR ^ len·_K)``, then ``h = fmix(h ^ w_j)`` for each word;
# - an integer (a timestamp as UTC nanoseconds, a quantity, an amount): ``fmix(value ^ _INT)``;
# - a missing value: ``_NULL``;
# - the row: ``r = _ROW``, then ``r = r·_K + h_c`` for each identity column in schema order, and
#   the id is ``fmix(r)``, its 64 bits read as a signed integer (a database's ``BIGINT``).
#
# ``fmix`` is MurmurHash3's 64-bit finaliser; all arithmetic wraps modulo 2⁶⁴. Each distinct value
# needs hashing once: :func:`hash_text_rows` (fixed-width byte rows, as the simulator builds them)
# and :func:`event_ids` (any frame) share the same helpers, so both give the same ids.

_U = np.uint64
_M1, _M2 = _U(0xFF51AFD7ED558CCD), _U(0xC4CEB9FE1A85EC53)
_K = _U(0x9E3779B97F4A7C15)
_STR, _INT, _ROW = _U(0x5851F42D4C957F2D), _U(0x14057B7EF767814F), _U(0x2545F4914F6CDD1D)
#: The hash of a missing value, in any column.
NULL_HASH = _U(0x27D4EB2F165667C5)
_S33 = _U(33)
_BLOCK = 1 << 16  # rows hashed together: a block's temporaries stay in the processor's cache


def _fmix(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, in place on a ``uint64`` array (returned)."""
    h ^= h >> _S33
    h *= _M1
    h ^= h >> _S33
    h *= _M2
    h ^= h >> _S33
    return h


def hash_text_rows(rows: np.ndarray) -> np.ndarray:
    """Return the text hash of each row of a ``(n, width)`` ``uint8`` array of UTF-8 bytes.

    A block of rows at a time (see :data:`_BLOCK`), the block's words padded in a small buffer.
    """
    n, width = rows.shape
    words = -(-width // 8)
    start = _fmix(np.array([(int(_STR) ^ (width * int(_K))) & 0xFFFFFFFFFFFFFFFF], np.uint64))
    out = np.full(n, start[0], np.uint64)
    if words == 0:
        return out
    padded = np.zeros((min(n, _BLOCK), words * 8), np.uint8)
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        padded[: hi - lo, :width] = rows[lo:hi]
        w = padded[: hi - lo].view("<u8")
        h = out[lo:hi]
        for j in range(words):
            h ^= w[:, j]
            _fmix(h)
    return out


def hash_ints(values: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """Return the integer hash of each value (``valid`` False → :data:`NULL_HASH`)."""
    h = _fmix(values.astype(np.int64).view(np.uint64) ^ _INT)
    if valid is not None:
        h[~valid] = NULL_HASH
    return h


def _text_hashes(arr: pa.Array) -> np.ndarray:
    """Return the hash of each value of a string array (no dictionary: every row)."""
    n = len(arr)
    out = np.full(n, NULL_HASH, np.uint64)
    if n == 0 or arr.null_count == n:
        return out
    large = pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type)
    _, off_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(off_buf, np.int64 if large else np.int32)[
        arr.offset : arr.offset + n + 1
    ].astype(np.int64)
    data = np.frombuffer(data_buf, np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    lengths = np.diff(offsets)
    valid = (
        np.ones(n, bool) if arr.null_count == 0 else arr.is_valid().to_numpy(zero_copy_only=False)
    )
    lengths = np.where(valid, lengths, -1)
    longest = int(lengths.max())
    if longest >= 0 and valid.all() and (lengths == longest).all():
        rows = data[offsets[0] : offsets[0] + n * longest].reshape(n, longest)
        return hash_text_rows(rows)
    padded = np.concatenate([data, np.zeros(max(longest, 1), np.uint8)])
    window = np.lib.stride_tricks.sliding_window_view(padded, max(longest, 1))
    for length in np.unique(lengths[valid]):
        idx = np.flatnonzero(lengths == length)
        out[idx] = hash_text_rows(window[offsets[idx]][:, :length])
    return out


def _as_text(series: pd.Series) -> pa.Array:
    try:
        chunked = pa.chunked_array(series.array.__arrow_array__())  # type: ignore[union-attr]
    except (AttributeError, TypeError, pa.ArrowException):
        chunked = None
    if chunked is None or not (
        pa.types.is_string(chunked.type) or pa.types.is_large_string(chunked.type)
    ):
        chunked = pa.chunked_array([pa.array(series.astype(schema.STR).array)])
    return chunked.combine_chunks() if chunked.num_chunks != 1 else chunked.chunk(0)


def text_hashes(series: pd.Series) -> np.ndarray:
    """Return the text hash of each value of ``series`` (each distinct value hashed once)."""
    arr = _as_text(series)
    n = len(arr)
    if n == 0 or arr.null_count == n:
        return np.full(n, NULL_HASH, np.uint64)
    sample = arr.slice(0, 4096) if n > 65536 else None
    if sample is not None and len(pc.unique(sample)) > 256:  # mostly distinct: hash every row
        return _text_hashes(arr)
    encoded = pc.dictionary_encode(arr)
    uniques = np.append(_text_hashes(encoded.dictionary), NULL_HASH)
    codes = encoded.indices.fill_null(len(encoded.dictionary)).to_numpy(zero_copy_only=False)
    return uniques[codes]


def _ns(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(series.dtype, pd.DatetimeTZDtype):
        series = pd.to_datetime(series, utc=True)
    values = schema.utc_ns(series)
    return values, values != np.iinfo(np.int64).min


def _ints(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    arr = series.array if isinstance(series.dtype, pd.Int64Dtype) else pd.array(series, "Int64")
    return arr._data, ~arr._mask  # type: ignore[attr-defined]


def column_hashes(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return the hash of every value of each identity column of an event frame."""
    out: dict[str, np.ndarray] = {}
    for name in _IDENTITY:
        dtype = schema.EVENTS[name].dtype
        if dtype == schema.CODE and isinstance(frame[name].dtype, pd.CategoricalDtype):
            cat = frame[name].array
            uniques = text_hashes(pd.Series(cat.categories, dtype=schema.STR))
            out[name] = np.append(uniques, NULL_HASH)[cat.codes]  # code -1 (missing): the last
        elif schema.is_text(dtype):
            out[name] = text_hashes(frame[name])
        elif dtype == schema.TS:
            out[name] = hash_ints(*_ns(frame[name]))
        else:
            out[name] = hash_ints(*_ints(frame[name]))
    return out


#: A column's hashes for :func:`combine_ids`: one per row, one for every row, or a function
#: returning the hashes of a slice of the rows.
ColumnHashes = np.ndarray | np.uint64 | Callable[[slice], np.ndarray]


def combine_ids(hashes: Mapping[str, ColumnHashes], n: int, *, threads: int = 1) -> pd.Series:
    """Return the ids of ``n`` rows from their identity columns' value hashes.

    Each value is an array (a hash per row), a scalar (the same hash on every row) or a function
    of a slice of the rows returning their hashes (called from ``threads`` threads at once: it
    must only read). The rows are combined a block at a time, so that the many passes of the hash
    run in the processor's cache, not in main memory; with ``threads`` > 1, the blocks are shared
    out among that many threads (numpy releases the GIL in its loops).
    """
    out = np.empty(n, np.uint64)
    blocks = range(0, n, _BLOCK)
    if threads > 1 and len(blocks) > 1:
        share = -(-len(blocks) // threads)
        parts = [blocks[i : i + share] for i in range(0, len(blocks), share)]
        with ThreadPoolExecutor(len(parts), thread_name_prefix="orderkit-combine") as pool:
            list(pool.map(lambda part: _combine(hashes, n, part, out), parts))
    else:
        _combine(hashes, n, blocks, out)
    return int_ids(out)


def _combine(hashes: Mapping[str, ColumnHashes], n: int, blocks: range, out: np.ndarray) -> None:
    """Write the hashes of the rows of ``blocks`` (block starts) into ``out``."""
    for lo in blocks:
        rows = slice(lo, min(lo + _BLOCK, n))
        row = np.full(rows.stop - lo, _ROW, np.uint64)
        for name in _IDENTITY:
            h = hashes[name]
            value = h(rows) if callable(h) else h[rows] if isinstance(h, np.ndarray) else h
            if name in _ADDED_LATER:
                # A column added after ids were first issued counts only where it holds a value,
                # so every fact recorded before it existed keeps its id.
                held = np.asarray(value) != NULL_HASH
                if held.ndim == 0 and not held:  # missing on every row: nothing to mix in
                    continue
                row = np.where(held, row * _K + value, row).astype(np.uint64)
                continue
            row *= _K
            row += value
        out[rows] = _fmix(row)


def int_ids(hashed: np.ndarray) -> pd.Series:
    """Return 64-bit hashes as event ids: ``Int64``, each hash's bits read as a signed integer.

    A database's ``BIGINT`` holds them as they are; the Series takes the array over (no copy).
    """
    values = np.ascontiguousarray(hashed, dtype=np.uint64).view(np.int64)
    return pd.Series(pd.arrays.IntegerArray(values, np.zeros(len(values), bool)), copy=False)


def event_ids(frame: pd.DataFrame) -> pd.Series:
    """Return the content hash of each row's facts, as signed 64-bit integers (vectorised).

    Two rows with the same facts get the same id whatever their provenance. See the comment above
    for the hash; :mod:`orderkit.simulate` computes the same ids from its arrays with the same
    helpers (a test checks both agree).
    """
    ids = combine_ids(column_hashes(frame), len(frame))
    return pd.Series(ids.array, index=frame.index, copy=False)


# ---- corrections -----------------------------------------------------------------------------------


def voided_ids(events: pd.DataFrame) -> pd.Index:
    """Return the ids of the events that a ``voided`` event of ``events`` voids.

    Raises:
        ValueError: a ``voided`` event whose ``ref`` is not an event id.
    """
    voids = events["kind"] == EventKind.VOIDED
    if not voids.any():
        return pd.Index([], dtype="Int64")
    refs = events.loc[voids, "ref"]
    try:
        return pd.Index(refs.astype("int64").unique(), dtype="Int64")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"a voided event's ref must be an event id: {exc}") from exc


def live(events: pd.DataFrame) -> pd.DataFrame:
    """Return the events the lenses fold: without ``voided`` events and the events they void.

    The frame itself when there is no correction (no copy).
    """
    voids = events["kind"] == EventKind.VOIDED
    if not voids.any():
        return events
    gone = voids.to_numpy() | events["event_id"].isin(voided_ids(events)).to_numpy()
    return events.loc[~gone]
