"""The fleet lens: every order's status, flags and Amazon's seller-performance rates, vectorised.

The per-order lens (:func:`orderkit.state.fold`) replays one order's events; this module replays the
whole event table at once with numpy and must agree with it, order by order, at any instant
(a test checks it). It applies the same rules:

- the transition table of :mod:`orderkit.status`, shipments resolved by quantities (partial or
  complete), the buyer's 5-minute cancel window and "only a convenience-store payment expires";
- the clock: an unpaid convenience-store order is canceled at purchase +
  :attr:`Policy.cvs_payment_window`, and a seller-fulfilled order still Unshipped is canceled at its
  ``confirm_by`` (ship date + :attr:`Policy.confirm_cutoff`) — unless the event table records
  Amazon doing it (an Amazon event of the same kind, which then stands for the clock);
- the ship date is the order's ``latest_ship_date`` or, when the row lacks it, the end of the
  :attr:`Policy.handling_days`-th Japanese business day after payment;
- ``late``, ``confirm_warning`` and ``at_risk`` exactly as :class:`~orderkit.state.OrderState`
  defines them.

The replay runs once per book and policy (it is cached) and yields each order's status history,
its shipments (line and quantity) and refunds; :func:`status_at`, :func:`item_status_at`,
:func:`daily` and :func:`rates` then only count. Of the events that leave the status alone
(contacts, refunds, deliveries, ...) the replay checks the statuses each may happen in, that a
refund is at most what is left of the charge, and the buyer's edit window; the other guards
(phone contacts, reply deadlines, the A-to-z window) are the per-order lens's alone.
An order whose events break these rules is frozen at its last good status and flagged
``refused`` from the refused event on (where the per-order lens raises ``TransitionNotAllowed``).
Events at the same instant are replayed in the natural order of their kinds, as the fold does.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from orderkit import schema
from orderkit.book import CHARGES, DISCOUNTS, OrderBook, line_amounts
from orderkit.businessdays import BusinessCalendar, to_jst
from orderkit.codes import known_codes
from orderkit.events import Actor, CancelReason, EventKind
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.state import _ALLOWED_IN
from orderkit.status import TRANSITIONS, OrderStatus, Trigger
from orderkit.workers import executor

__all__ = [
    "COLUMNS_READ", "TARGETS", "DailyCounts", "DailySpan", "FleetInput", "RateCounts", "Target", "daily",
    "daily_counts", "item_status_at", "line_codes", "raise_refused", "rate_counts", "rates",
    "replay_order", "status_at", "tracked",
]  # fmt: skip

#: A text column, as the book holds it or as Arrow reads it.
Text = pd.Series | pa.Array | pa.ChunkedArray

_NS = 1_000_000_000
_DAY = 86400 * _NS
_JST_OFFSET = 9 * 3600 * _NS
_NAT = np.iinfo(np.int64).min
_NEVER = np.iinfo(np.int64).max  # "not (yet)": compares after every real time
_MAX32 = np.iinfo(np.int32).max

_STATUSES = list(OrderStatus)
_S = {s: i for i, s in enumerate(_STATUSES)}
_TRIGGERS = list(Trigger)
_KINDS = [k.value for k in EventKind]
_K = {k: i for i, k in enumerate(EventKind)}
_ACTORS = [a.value for a in Actor]
_REASONS = [r.value for r in CancelReason]

# status × trigger → next status (-1: the table has no such transition).
_TABLE = np.full((len(_STATUSES), len(_TRIGGERS)), -1, np.int8)
for _src, _row in TRANSITIONS.items():
    for _trig, _dst in _row.items():
        _TABLE[_S[_src], _TRIGGERS.index(_trig)] = _S[_dst]

# event kind → the trigger it fires (-1: none; shipments are resolved by quantity).
_KIND_TRIGGER = np.full(len(_KINDS) + 1, -1, np.int8)
for _kind in EventKind:
    if _kind.value in {t.value for t in Trigger}:
        _KIND_TRIGGER[_K[_kind]] = _TRIGGERS.index(Trigger(_kind.value))

_PENDING, _UNSHIPPED = _S[OrderStatus.PENDING], _S[OrderStatus.UNSHIPPED]
_CANCELED, _UNFULFILLABLE = _S[OrderStatus.CANCELED], _S[OrderStatus.UNFULFILLABLE]
_CAN_SHIP = np.array([Trigger.SHIPMENT_PARTIAL in TRANSITIONS.get(s, {}) for s in _STATUSES])
_IS_PENDING = np.array([s.is_pending for s in _STATUSES])

# event kind × status → whether an event that leaves the status alone may happen then: the
# per-order lens's table (kinds it does not list, and unknown kinds, are not checked here).
_ALLOWED = np.ones((len(_KINDS) + 1, len(_STATUSES)), bool)
for _kind, (_statuses, _) in _ALLOWED_IN.items():
    _ALLOWED[_K[_kind]] = [s in _statuses for s in _STATUSES]


#: The columns the fleet lens reads of each table: a reader of a large history may load only these
#: (the others are added empty by the book). tests/test_history.py checks that a history, which
#: reads only these, gives what the lens gives on whole tables.
COLUMNS_READ: Mapping[str, tuple[str, ...]] = {
    "orders": ("order_id", "fulfillment_channel", "payment_method", "latest_ship_date"),
    "items": ("order_id", "order_item_id", "quantity", *CHARGES, *DISCOUNTS),
    "events": (
        "event_id", "order_id", "at", "kind", "actor", "order_item_id", "quantity", "amount",
        "reason", "tracking_number", "ref",
    ),
}  # fmt: skip


# ---- reading the tables into integer arrays -----------------------------------------------------


def _codes(series: Text, labels: list[str]) -> np.ndarray:
    """Return each value's position in ``labels`` (-1 for missing or unknown values), as ``int8``.

    ``series``: a pandas column, or an Arrow one (text or dictionary-encoded text).
    """
    if isinstance(series, pd.Series) and isinstance(series.dtype, pd.CategoricalDtype):
        cat = series.array  # the schema's codes: map the categories
        lookup = np.append(pd.Index(labels).get_indexer(cat.categories), -1).astype(np.int8)
        return lookup[cat.codes]
    if isinstance(series, pd.Series):
        try:
            chunked = pa.chunked_array(series.array.__arrow_array__())  # type: ignore[union-attr]
        except (AttributeError, TypeError, pa.ArrowException):
            codes, uniques = pd.factorize(series, use_na_sentinel=True)
            return _lookup(labels, uniques)[codes]
    else:
        chunked = series if isinstance(series, pa.ChunkedArray) else pa.chunked_array([series])
    # Arrow's dictionary encoding is several times faster than pandas' factorize.
    out = np.empty(len(chunked), np.int8)
    start = 0
    for chunk in chunked.chunks:
        encoded = chunk if pa.types.is_dictionary(chunk.type) else chunk.dictionary_encode()
        uniques = encoded.dictionary.to_pylist()
        indices = pc.fill_null(encoded.indices, len(uniques)).to_numpy()  # missing: the last
        out[start : start + len(chunk)] = _lookup(labels, uniques)[indices]
        start += len(chunk)
    return out


def _lookup(labels: list[str], uniques: Iterable[object]) -> np.ndarray:
    """Return each of ``uniques``' position in ``labels`` (-1 if absent), and a last -1."""
    return np.array([labels.index(u) if u in labels else -1 for u in uniques] + [-1], np.int8)


def _text(series: Text) -> pa.Array | None:
    """Return a text column as one Arrow ``large_string`` array, or ``None`` if it is not text."""
    if isinstance(series, pa.Array):
        chunked = pa.chunked_array([series], type=series.type)
    elif isinstance(series, pa.ChunkedArray):
        chunked = series
    else:
        try:
            chunked = pa.chunked_array(series.array.__arrow_array__())  # type: ignore[union-attr]
        except (AttributeError, TypeError, pa.ArrowException):
            return None
    arr = chunked.chunk(0) if chunked.num_chunks == 1 else chunked.combine_chunks()
    if pa.types.is_string(arr.type):
        return arr.cast(pa.large_string())
    return arr if pa.types.is_large_string(arr.type) else None


def _positions(order_ids: pd.Series, ids: pd.Series) -> np.ndarray:
    """Return each of ``ids``' row in ``order_ids`` (-1 if absent), as ``int32``."""
    known_o, known = known_codes(order_ids), known_codes(ids)
    if known_o is not None and known is not None and known_o[1] == known[1]:
        rows = known_o[0]  # both drawn by the simulator from the same orders
        if np.array_equal(rows, np.arange(len(rows))):
            return known[0].astype(np.int32, copy=False)
    a, b = _text(order_ids), _text(ids)
    if a is None or b is None:
        return pd.Index(order_ids).get_indexer(ids).astype(np.int32)
    m = len(b)
    if m == 0:
        return np.zeros(0, np.int32)
    # Look each run of equal ids up once: tables list an order's rows together.
    change = pc.fill_null(pc.not_equal(b.slice(1), b.slice(0, m - 1)), True)
    starts = np.flatnonzero(np.r_[True, change.to_numpy(zero_copy_only=False)])
    runs = b.take(pa.array(starts))
    if (
        len(runs) == len(a)
        and runs.null_count == 0
        and a.null_count == 0
        and pc.all(pc.equal(runs, a)).as_py()
    ):
        pos = np.arange(len(a), dtype=np.int32)  # the same orders in the same sequence
    else:
        found = pc.index_in(runs, value_set=a, skip_nulls=True)
        pos = pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int32)
    return np.repeat(pos, np.diff(np.r_[starts, m]))


# ---- the lens's input: a book's tables as integer arrays ------------------------------------------


@dataclass(frozen=True, eq=False)
class FleetInput:
    """A book's tables as the fleet lens reads them: one numpy array per column it uses.

    :meth:`of` derives it from an :class:`~orderkit.book.OrderBook`. A reader that stores the
    tables as codes and numbers (:mod:`orderkit.history`) builds it from its columns, with no
    book and no pandas frames; :func:`status_at`, :func:`daily_counts`, :func:`rate_counts` and
    :meth:`DailySpan.of` take either. It holds one seller account's orders.

    Per order (a row of the orders table): ``mfn`` (seller-fulfilled, or no channel given),
    ``cvs`` (paid at a convenience store), ``lsd`` (``latest_ship_date``, UTC ns; the smallest
    ``int64`` where there is none) and ``order_ids`` (``None`` if not read: only
    :func:`status_at` needs them).

    Per item row: ``item_order`` (its order's row, -1 if none), ``item_qty`` (``int64``) and
    ``item_amount`` (:func:`~orderkit.book.line_amounts`).

    Per event the lenses fold (:attr:`~orderkit.book.OrderBook.live_events`), in the table's
    order: ``event_order`` (its order's row, -1 if none), ``event_at`` (UTC ns; the smallest
    ``int64`` if missing), ``event_kind``, ``event_actor`` and ``event_reason`` (positions in
    ``EventKind``, ``Actor`` and ``CancelReason``, ``int8``; -1 if missing or unknown),
    ``event_quantity`` and ``event_amount`` (-1 if missing), ``event_line`` (the item row a
    shipment confirmation names; -1 if it names none, -2 if the item is not its order's) and
    ``tracking`` (the tracking numbers as text, or whether each holds one: :func:`tracked`).
    """

    order_ids: pd.Series | None
    mfn: np.ndarray
    cvs: np.ndarray
    lsd: np.ndarray
    item_order: np.ndarray
    item_qty: np.ndarray
    item_amount: np.ndarray
    event_order: np.ndarray
    event_at: np.ndarray
    event_kind: np.ndarray
    event_actor: np.ndarray
    event_reason: np.ndarray
    event_quantity: np.ndarray
    event_amount: np.ndarray
    event_line: np.ndarray
    tracking: Text | np.ndarray

    @classmethod
    def of(cls, book: OrderBook) -> FleetInput:
        """Return ``book``'s tables as the fleet lens reads them."""
        orders, items, events = book.orders, book.items, book.live_events
        order_ids = orders["order_id"]
        channel = orders["fulfillment_channel"]
        item_order = _positions(order_ids, items["order_id"])
        event_order = _positions(order_ids, events["order_id"])
        kind = _codes(events["kind"], _KINDS)
        return cls(
            order_ids=order_ids,
            mfn=((channel == "MFN") | channel.isna()).to_numpy(bool),
            cvs=(orders["payment_method"] == "cvs").fillna(False).to_numpy(bool),
            lsd=schema.utc_ns(orders["latest_ship_date"]),
            item_order=item_order,
            item_qty=items["quantity"].to_numpy(np.int64),
            item_amount=line_amounts(items).to_numpy(np.int64),
            event_order=event_order,
            event_at=schema.utc_ns(events["at"]),
            event_kind=kind,
            event_actor=_codes(events["actor"], _ACTORS),
            event_reason=_codes(events["reason"], _REASONS),
            event_quantity=_quantities(events["quantity"]),
            event_amount=_quantities(events["amount"]),
            event_line=line_codes(
                items["order_item_id"], item_order, events["order_item_id"], event_order, kind
            ),
            tracking=events["tracking_number"],
        )

    @classmethod
    def from_arrow(
        cls,
        orders: pa.Table,
        items: pa.Table,
        events: pa.Table,
        *,
        item_order: np.ndarray,
        event_order: np.ndarray,
        event_items: pa.ChunkedArray,
        item_keys: Callable[[], pa.ChunkedArray],
        tracking: Text | np.ndarray,
        item_amount: np.ndarray,
        order_ids: pd.Series | None = None,
    ) -> FleetInput | None:
        """Return the lens's input from Arrow tables of the lens's columns, without pandas frames.

        Args:
            orders: the orders' :data:`COLUMNS_READ` but the ids, in the schema's Arrow types
                (code columns as text or dictionaries); one row per order.
            items: the items' columns, likewise (but the ids and the charges and discounts).
            events: the events' columns, likewise (but the ids and tracking numbers).
            item_order: each item's order (its row in ``orders``; -1 if none).
            event_order: each event's order (likewise).
            event_items: the item each event names (missing if none): its ``order_item_id``,
                or any key that is equal for equal ids (a hash).
            item_keys: returns the items' keys of the same kind; called only if a shipment
                confirmation names an item.
            tracking: the events' tracking numbers (text), or whether each holds one (bool).
            item_amount: each item's :func:`~orderkit.book.line_amounts` (a reader stores them
                with the items).
            order_ids: the orders' ids, if :func:`status_at` is to be computed.

        Returns:
            The input; ``None`` if the events hold corrections (``voided`` events): only a book's
            :attr:`~orderkit.book.OrderBook.live_events` leaves out what they void.

        Raises:
            ValueError: an item has no quantity.
        """
        kind = _codes(events["kind"], _KINDS)
        if (kind == _K[EventKind.VOIDED]).any():
            return None
        quantity = items["quantity"]
        if quantity.null_count:
            raise ValueError("items without a quantity")
        if event_items.null_count < len(event_items):  # a shipment may name a line: match it
            line = line_codes(item_keys(), item_order, event_items, event_order, kind)
        else:
            line = np.full(events.num_rows, -1, np.int32)
        channel = orders["fulfillment_channel"]
        return cls(
            order_ids=order_ids,
            mfn=(_codes(channel, ["MFN"]) == 0) | pc.is_null(channel).to_numpy(),
            cvs=_codes(orders["payment_method"], ["cvs"]) == 0,
            lsd=_filled(orders["latest_ship_date"], _NAT),
            item_order=item_order,
            item_qty=_filled(quantity, 0),
            item_amount=item_amount,
            event_order=event_order,
            event_at=_filled(events["at"], _NAT),
            event_kind=kind,
            event_actor=_codes(events["actor"], _ACTORS),
            event_reason=_codes(events["reason"], _REASONS),
            event_quantity=_fitted(_filled(events["quantity"], -1)),
            event_amount=_fitted(_filled(events["amount"], -1)),
            event_line=line,
            tracking=tracking,
        )


def _filled(column: pa.ChunkedArray, fill: int) -> np.ndarray:
    """Return an integer or timestamp column's values as ``int64``, ``fill`` where missing."""
    if pa.types.is_timestamp(column.type):
        column = column.cast(pa.int64())
    return pc.fill_null(column, fill).to_numpy().astype(np.int64, copy=False)


def line_codes(
    item_ids: Text,
    item_order: np.ndarray,
    event_item_ids: Text,
    event_order: np.ndarray,
    event_kind: np.ndarray,
) -> np.ndarray:
    """Return the item row each shipment confirmation names (:attr:`FleetInput.event_line`).

    Args:
        item_ids: the items' ``order_item_id``, or keys equal for equal ids (a hash).
        item_order: each item row's order (its row in the orders table; -1 if none).
        event_item_ids: the events' ``order_item_id`` (or keys of the same kind; missing where an
            event names no item).
        event_order: each event's order (as ``item_order``).
        event_kind: each event's kind (positions in ``EventKind``).

    Returns:
        One ``int32`` per event: the row of the item of its order with that id (the last such
        row, as the fold keeps an item id's last line), -1 if the event is not a shipment
        confirmation naming an item, -2 if its order has no such item.
    """
    shipment = event_kind == _K[EventKind.SHIPMENT_CONFIRMED]
    lines = np.full(len(event_order), -1, np.int32)
    known_i = known_codes(item_ids) if isinstance(item_ids, pd.Series) else None
    known = known_codes(event_item_ids) if isinstance(event_item_ids, pd.Series) else None
    if known_i is not None and known is not None and known_i[1] == known[1]:
        rows = known_i[0]  # the simulator's item rows: distinct ids, one row each
        if np.array_equal(rows, np.arange(len(rows))):
            row = known[0]
            given = shipment & (row >= 0)
            mine = item_order[np.maximum(row, 0)] == event_order
            lines[given] = np.where(mine, row, -2)[given]
            return lines
    given = np.flatnonzero(shipment & _present(event_item_ids))
    if not len(given):
        return lines
    wanted = pd.DataFrame({"o": event_order[given], "item": _values_at(event_item_ids, given)})
    rows = np.flatnonzero(np.isin(item_order, wanted["o"].unique()))
    have = pd.DataFrame(
        {"o": item_order[rows], "item": _values_at(item_ids, rows), "row": rows}
    ).drop_duplicates(["o", "item"], keep="last")  # the fold keeps an item id's last line
    found = wanted.merge(have, on=["o", "item"], how="left")["row"]
    lines[given] = found.fillna(-2).to_numpy(np.int32)
    return lines


def _present(column: Text) -> np.ndarray:
    """Return where a column holds a value (bool per row)."""
    if isinstance(column, pd.Series):
        return column.notna().to_numpy(bool)
    return pc.is_valid(column).to_numpy(zero_copy_only=False)


def _values_at(column: Text, rows: np.ndarray) -> np.ndarray:
    """Return ``rows`` of a column of ids (Python strings) or of keys (integers)."""
    if isinstance(column, pd.Series):
        return column.iloc[rows].astype(str).to_numpy(object)
    return column.take(pa.array(rows)).to_numpy(zero_copy_only=False)


# ---- the replay: every order's status history at once ------------------------------------------


@dataclass
class _Chunk:
    """One chunk of orders' history (internal): its status changes sorted by order, then time."""

    lo: int  # the chunk's orders are [lo, hi)
    hi: int
    change_order: np.ndarray  # int32
    change_at: np.ndarray
    change_status: np.ndarray  # int8
    ship_order: np.ndarray  # int32: accepted shipment confirmations, in the replay's order
    ship_at: np.ndarray
    ship_value: np.ndarray
    ship_tracked: np.ndarray  # bool
    ship_item: np.ndarray  # int32: the item row a line shipment confirms (-1: all that is left)
    ship_qty: np.ndarray  # int32: the units it confirms (0 for all that is left)
    refund_order: np.ndarray  # int32: accepted refunds, in the replay's order
    refund_at: np.ndarray
    refund_amount: np.ndarray  # int64 yen
    touch_order: np.ndarray  # int32: accepted events that change no status (their times)
    touch_at: np.ndarray


@dataclass
class _History:
    """What the replay learns of every order (internal; times in UTC ns, ``_NEVER`` if none).

    ``chunks`` hold the status changes and accepted shipments of consecutive orders, as the replay
    left them: each order's changes in time order, the status is ``change_status`` from
    ``change_at`` until the order's next change.
    """

    order_ids: pd.Series | None
    mfn: np.ndarray
    placed: np.ndarray
    paid: np.ndarray
    ship_by: np.ndarray  # the ship date once the order is paid (or recorded): see ship_by_known
    ship_by_recorded: np.ndarray  # bool: latest_ship_date is on the row (known before payment)
    first_confirmed: np.ndarray
    fully_confirmed: np.ndarray
    closed: np.ndarray  # entered Canceled or Unfulfillable
    cancel_actor: np.ndarray  # codes into _ACTORS, -1
    cancel_reason: np.ndarray  # codes into _REASONS, -1
    refused: np.ndarray  # from when the per-order lens refuses the timeline
    unshipped_from: np.ndarray
    unshipped_until: np.ndarray
    item_order: np.ndarray  # int32: each item row's order (-1: not in the orders table)
    item_qty: np.ndarray  # int64: each item row's quantity ordered
    chunks: list[_Chunk] = field(repr=False)
    policy: Policy = DEFAULT_POLICY

    def last_change(self) -> int:
        """Return the time of the last status change of any order (``_NAT`` if none)."""
        return max((int(c.change_at.max(initial=_NAT)) for c in self.chunks), default=_NAT)

    def shipments(self) -> pd.DataFrame:
        """Return the accepted shipment confirmations: ``order``, ``at``, ``value``, ``tracked``."""
        dtypes = {"order": np.int32, "at": np.int64, "value": np.int64, "tracked": bool}
        return pd.DataFrame(
            {
                name: np.concatenate(
                    [getattr(c, f"ship_{name}") for c in self.chunks] or [np.zeros(0, dtype)]
                )
                for name, dtype in dtypes.items()
            },
            copy=False,
        )

    def confirm_by(self) -> np.ndarray:
        """Return each order's confirmation cutoff (``_NEVER`` where there is no ship date)."""
        cutoff = int(self.policy.confirm_cutoff.total_seconds()) * _NS
        return np.where(self.ship_by == _NEVER, _NEVER, self.ship_by + cutoff)

    def ship_by_known(self, at: int | np.ndarray) -> np.ndarray:
        """Return whether each order's ship date is known at ``at`` (recorded, or paid by then)."""
        return (self.ship_by != _NEVER) & (self.ship_by_recorded | (self.paid <= at))


# Orders replayed together. Each step's arrays stay a few MB, and the chunks run on two threads
# (orderkit.workers.threads): orders are independent, and numpy releases the GIL for the arrays'
# work.
_CHUNK = 1 << 17


def _where(mask: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Return each array's rows where ``mask`` holds (the arrays themselves when it always does)."""
    if mask.all():
        return arrays
    return tuple(a[mask] for a in arrays)


@dataclass
class _Log:
    """What the replay of one chunk of orders records, each order's entries in time order."""

    lo: int  # the chunk's orders are [lo, hi): the arrays below hold order o at o - lo
    hi: int
    changes: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    shipments: list[tuple[np.ndarray, ...]] = field(default_factory=list)
    refunds: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    touches: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)
    # What the replay keeps of each order only while it runs: the time of its last event, the
    # units and the value confirmed so far, whether everything was confirmed at once, the yen
    # refunded so far.
    last: np.ndarray = field(init=False)
    shipped: np.ndarray = field(init=False)
    confirmed_value: np.ndarray = field(init=False)
    all_shipped: np.ndarray = field(init=False)
    refunded: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        size = self.hi - self.lo
        self.last = np.full(size, _NAT, np.int64)
        self.shipped = np.zeros(size, np.int64)
        self.confirmed_value = np.zeros(size, np.int64)
        self.all_shipped = np.zeros(size, bool)
        self.refunded = np.zeros(size, np.int64)

    def close(self, tracking: Text | np.ndarray) -> _Chunk:
        """Return the chunk's history, its changes placed by order, then time.

        Each order's changes were made in time order, at most one per batch: each batch's changes
        go after the order's earlier ones (a stable sort by order, by counting).
        """
        lo, hi = self.lo, self.hi
        counts = np.zeros(hi - lo, np.int64)
        for c_o, _, _ in self.changes:
            counts[c_o - lo] += 1
        seen = np.cumsum(counts) - counts
        at = np.empty(int(counts.sum()), np.int64)
        status = np.empty(len(at), np.int8)
        for c_o, c_at, c_st in self.changes:
            dest = seen[c_o - lo]
            at[dest] = c_at
            status[dest] = c_st
            seen[c_o - lo] += 1
        self.changes.clear()
        # (table rows, at, value, order, item, quantity)
        rows, ship_at, value, ship_order, item, qty = _joined(
            self.shipments, (np.int64, np.int64, np.int64, np.int32, np.int32, np.int32)
        )
        refund_order, refund_at, amount = _joined(self.refunds, (np.int32, np.int64, np.int64))
        touch_order, touch_at = _joined(self.touches, (np.int32, np.int64))
        return _Chunk(
            lo, hi, np.repeat(np.arange(lo, hi, dtype=np.int32), counts), at, status,
            ship_order, ship_at, value, _tracked(tracking, rows), item, qty,
            refund_order, refund_at, amount, touch_order, touch_at,
        )  # fmt: skip


def _joined(parts: list[tuple[np.ndarray, ...]], dtypes: tuple[type, ...]) -> list[np.ndarray]:
    """Return each field of the batches ``parts`` concatenated (empty arrays of ``dtypes`` if none).

    ``parts`` is emptied: the batches are let go as soon as they are joined.
    """
    fields = zip(*parts, strict=True)  # nothing when there are no batches
    joined = [np.concatenate(f).astype(d, copy=False) for f, d in zip(fields, dtypes, strict=False)]
    parts.clear()
    return joined or [np.zeros(0, d) for d in dtypes]


class _Replay:
    """The vectorised fold (internal): one step per event rank, for a chunk of orders at once."""

    def __init__(self, tables: FleetInput, policy: Policy) -> None:
        self.policy = policy
        n = self.n = len(tables.mfn)
        self.order_ids = tables.order_ids
        self.mfn, self.cvs, self.lsd = tables.mfn, tables.cvs, tables.lsd
        # Items: ordered quantity and amount per line; per order totals.
        item_order = self.item_order = tables.item_order
        keep = item_order >= 0
        self.item_qty = tables.item_qty
        amount = self.item_amount = tables.item_amount
        self.ordered = np.zeros(n, np.int64)  # (bincount would sum in float64, and copy)
        self.total = np.zeros(n, np.int64)
        rows = item_order if keep.all() else item_order[keep]
        np.add.at(self.ordered, rows, self.item_qty if keep.all() else self.item_qty[keep])
        np.add.at(self.total, rows, amount if keep.all() else amount[keep])
        # Events, sorted by order, then time, then kind (in EventKind's order), ties keeping
        # their table order: the order the fold applies them in.
        ev_order, at, kind = tables.event_order, tables.event_at, tables.event_kind
        known = (ev_order >= 0) & (at != _NAT)
        idx = None  # the table's rows in the replay's order (None: the table's own order)
        if not known.all():
            idx = np.flatnonzero(known)
            ev_order, at, kind = ev_order[idx], at[idx], kind[idx]
        if len(ev_order) and not _sorted_by(ev_order, at, kind):
            by = np.lexsort((kind, at, ev_order))
            idx = by if idx is None else idx[by]
            ev_order, at, kind = ev_order[by], at[by], kind[by]
        self.ev_idx, self.ev_order, self.ev_at, self.ev_kind = idx, ev_order, at, kind
        self.ev_actor = self.sorted(tables.event_actor)
        self.tracking = tables.tracking
        self.calendar = BusinessCalendar.from_policy(policy)
        self.calendar.numpy  # built here, not by two threads at once  # noqa: B018

    def sorted(self, values: np.ndarray) -> np.ndarray:
        """Return a per-row array of the event table in the replay's order (no copy if it is)."""
        return values if self.ev_idx is None else values[self.ev_idx]

    def table_rows(self, pos: np.ndarray) -> np.ndarray:
        """Return the event table's rows of the replay's positions ``pos``."""
        return pos if self.ev_idx is None else self.ev_idx[pos]

    # -- state -----------------------------------------------------------------------------------
    def _start(self) -> None:
        """Allocate every order's state; each chunk's replay sets its own orders' (see _init)."""
        n = self.n
        int64 = ("placed", "paid", "ship_by_now", "first", "full", "closed", "refused",
                 "unshipped_from", "unshipped_until")  # fmt: skip
        for name in int64:
            setattr(self, name, np.empty(n, np.int64))
        for name in ("status", "cancel_actor", "cancel_reason"):
            setattr(self, name, np.empty(n, np.int8))
        self.item_shipped = np.zeros(len(self.item_qty), np.int32)  # units: a few each
        self.chunks: list[_Chunk] = []

    def _init(self, lo: int, hi: int) -> None:
        """Set the state of orders ``[lo, hi)`` before their first event (on the chunk's thread)."""
        rows = slice(lo, hi)
        for name in ("placed", "paid", "first", "full", "closed", "refused"):
            getattr(self, name)[rows] = _NEVER
        self.unshipped_from[rows] = _NEVER
        self.unshipped_until[rows] = _NEVER
        # The ship date as of now: the row's, or (seller-fulfilled rows without one) the one the
        # latest payment derives; _NEVER for Amazon-fulfilled orders and until known.
        lsd = self.lsd[rows]
        np.copyto(self.ship_by_now[rows], np.where(self.mfn[rows] & (lsd != _NAT), lsd, _NEVER))
        for name in ("status", "cancel_actor", "cancel_reason"):
            getattr(self, name)[rows] = -1

    def _spells(self, c: _Chunk) -> None:
        """Record each of a chunk's orders' last spell in Unshipped: until its next change."""
        o, at, st = c.change_order, c.change_at, c.change_status
        total = len(o)
        u = np.flatnonzero(st == _UNSHIPPED)
        after = np.minimum(u + 1, max(total - 1, 0))
        ends = np.where((u + 1 < total) & (o[after] == o[u]), at[after], _NEVER)
        self.unshipped_from[o[u]] = at[u]
        self.unshipped_until[o[u]] = ends

    def _change(self, log: _Log, o: np.ndarray, at: np.ndarray, status: np.ndarray | int) -> None:
        """Move orders ``o`` to ``status`` (one per order, or one for all) at ``at``."""
        if np.ndim(status) == 0:
            log.changes.append((o.astype(np.int32), at, np.int8(status)))
            self.status[o] = status
            if status in (_CANCELED, _UNFULFILLABLE):
                self.closed[o] = at
            return
        status = np.asarray(status).astype(np.int8)
        log.changes.append((o.astype(np.int32), at, status))
        self.status[o] = status
        closing = (status == _CANCELED) | (status == _UNFULFILLABLE)
        self.closed[o[closing]] = at[closing]

    def _refuse(self, o: np.ndarray, at: np.ndarray) -> None:
        self.refused[o] = np.minimum(self.refused[o], at)

    # -- the clock -------------------------------------------------------------------------------
    def _timer(self, o: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the clock's due time, kind and reason for orders ``o`` in their current status."""
        window = int(self.policy.cvs_payment_window.total_seconds()) * _NS
        cutoff = int(self.policy.confirm_cutoff.total_seconds()) * _NS
        status = self.status[o]
        expires = (status == _PENDING) & self.cvs[o] & (self.placed[o] != _NEVER)
        ship_by = self.ship_by_now[o]
        cancels = (status == _UNSHIPPED) & (ship_by != _NEVER)
        due = np.where(
            expires, self.placed[o] + window, np.where(cancels, ship_by + cutoff, _NEVER)
        )
        kind = np.where(expires, _K[EventKind.PAYMENT_EXPIRED], _K[EventKind.CANCELED])
        reason = np.where(
            expires,
            _REASONS.index(CancelReason.PAYMENT_EXPIRED),
            _REASONS.index(CancelReason.CONFIRM_CUTOFF),
        )
        return due, kind, reason

    def _clock(
        self,
        log: _Log,
        o: np.ndarray,
        until: np.ndarray,
        kind: np.ndarray | None,
        actor: np.ndarray | None,
    ) -> np.ndarray:
        """Apply the clock due by ``until``; return which next events stand for it.

        A recorded Amazon event of the timer's kind stands for the clock (the fold leaves the timer
        to it): the status is Canceled from the due time either way. A timer already past when it
        starts (due before the order's last event, e.g. a pre-order released after its payment
        window) fires at once, at that last event's time — as the per-order lens does.
        """
        due, tick_kind, reason = self._timer(o)
        fires = due <= until
        stands_for = np.zeros(len(o), bool)
        if kind is not None and actor is not None:
            stands_for = fires & (kind == tick_kind) & (actor == _ACTORS.index(Actor.AMAZON))
        fire_at = np.maximum(due, log.last[o - log.lo])
        t = o[fires]
        self._change(log, t, fire_at[fires], _CANCELED)
        self.cancel_actor[t] = _ACTORS.index(Actor.AMAZON)
        self.cancel_reason[t] = reason[fires]
        log.last[t - log.lo] = fire_at[fires]
        return stands_for

    # -- one step: each order's k-th event --------------------------------------------------------
    def run(self, reasons: _Sparse, lines: _Sparse, quantity: _Sparse, amounts: _Sparse) -> None:
        """Replay every event, one rank at a time, then the clock after each order's last event.

        Orders are replayed in chunks (see ``_CHUNK``), two chunks at a time; each chunk's history
        is kept in chunk order, so the result does not depend on which thread finished first.
        """
        self._start()
        order, n = self.ev_order, self.n
        del self.ev_order
        # Where each chunk's events start: the events are sorted by order.
        chunks = range(0, n, _CHUNK)
        bounds = np.searchsorted(order, np.r_[np.arange(0, n, _CHUNK), n])
        tracking = self.tracking

        def replay(i: int) -> _Chunk:
            lo, hi = chunks[i], min(chunks[i] + _CHUNK, n)
            log = _Log(lo, hi)
            self._init(lo, hi)
            first, last = int(bounds[i]), int(bounds[i + 1])
            counts = np.bincount(order[first:last] - lo, minlength=hi - lo)
            starts = np.cumsum(counts) - counts
            starts += first
            for k in range(int(counts.max(initial=0))):
                ranked = np.flatnonzero(counts > k)
                orders = lo + ranked
                pos = starts[ranked] + k
                live = self.refused[orders] == _NEVER
                self._step(log, *_where(live, orders, pos), reasons, lines, quantity, amounts)
            o = lo + np.flatnonzero((self.status[lo:hi] >= 0) & (self.refused[lo:hi] == _NEVER))
            self._clock(log, o, np.full(len(o), _NEVER - 1), None, None)
            chunk = log.close(tracking)
            self._spells(chunk)
            unplaced = self.status[lo:hi] < 0  # no ship date for an order never placed
            self.ship_by_now[lo:hi][unplaced] = _NEVER
            return chunk

        with executor("orderkit-replay") as pool:
            self.chunks = list(pool.map(replay, range(len(chunks))))

    def _step(
        self,
        log: _Log,
        o: np.ndarray,
        pos: np.ndarray,
        reasons: _Sparse,
        lines: _Sparse,
        quantity: _Sparse,
        amounts: _Sparse,
    ) -> None:
        at, kind, actor = self.ev_at[pos], self.ev_kind[pos], self.ev_actor[pos]
        placed = kind == _K[EventKind.PLACED]
        started = self.status[o] >= 0
        self._refuse(o[placed == started], at[placed == started])  # placed once, and first
        first = placed & ~started
        self.placed[o[first]] = at[first]
        self._change(log, o[first], at[first], _PENDING)
        log.last[o[first] - log.lo] = at[first]
        rest = ~placed & started
        o, pos, at, kind, actor = _where(rest, o, pos, at, kind, actor)
        stood_for = self._clock(log, o, at, kind, actor)
        c = o[stood_for]
        self.cancel_actor[c] = actor[stood_for]
        self.cancel_reason[c] = reasons[pos[stood_for]]
        log.last[c - log.lo] = at[stood_for]
        if stood_for.any():  # the fold applies the record itself, at its own time
            log.touches.append((c.astype(np.int32), at[stood_for]))
        go = ~stood_for & (self.refused[o] == _NEVER)
        o, pos, at, kind, actor = _where(go, o, pos, at, kind, actor)
        ship = kind == _K[EventKind.SHIPMENT_CONFIRMED]
        self._ship(log, o[ship], pos[ship], at[ship], lines, quantity)
        trig = ~ship & (_KIND_TRIGGER[kind] >= 0)
        self._trigger(log, o[trig], pos[trig], at[trig], kind[trig], actor[trig], reasons)
        other = ~ship & ~trig
        if other.any():
            self._other(log, *_where(other, o, pos, at, kind, actor), amounts)

    def _other(
        self,
        log: _Log,
        o: np.ndarray,
        pos: np.ndarray,
        at: np.ndarray,
        kind: np.ndarray,
        actor: np.ndarray,
        amounts: _Sparse,
    ) -> None:
        """Check and record events that leave the status alone (refunds, contacts, ...).

        Refused as the fold refuses them: in a status the kind may not happen in, a buyer's edit
        outside the edit window, a refund of less than ¥1 or more than is left of the charge (the
        whole order's total, from the first confirmed shipment on).
        """
        bad = ~_ALLOWED[kind, self.status[o]]
        edit = kind == _K[EventKind.BUYER_EDITED]
        if edit.any():
            window = int(self.policy.buyer_edit_window.total_seconds()) * _NS
            bad |= edit & (
                (actor != _ACTORS.index(Actor.BUYER))
                | ~self.mfn[o]
                | (at > self.placed[o] + window)
            )
        refund = kind == _K[EventKind.REFUNDED]
        amount = np.where(refund, amounts[pos], 0)
        if refund.any():
            charged = np.where(self.first[o] <= at, self.total[o], 0)
            left = charged - log.refunded[o - log.lo]
            bad |= refund & ((amount < 1) | (amount > left))
        if bad.any():
            self._refuse(o[bad], at[bad])
            o, at, amount, refund = _where(~bad, o, at, amount, refund)
        if refund.any():  # one event per order in a step: no order twice
            log.refunded[o[refund] - log.lo] += amount[refund]
            log.refunds.append((o[refund].astype(np.int32), at[refund], amount[refund]))
        log.touches.append((o.astype(np.int32), at))
        log.last[o - log.lo] = at

    def _trigger(
        self,
        log: _Log,
        o: np.ndarray,
        pos: np.ndarray,
        at: np.ndarray,
        kind: np.ndarray,
        actor: np.ndarray,
        reasons: _Sparse,
    ) -> None:
        status = self.status[o]
        nxt = _TABLE[status, _KIND_TRIGGER[kind]].astype(np.int64)
        bad = nxt < 0
        bad |= (kind == _K[EventKind.PAYMENT_EXPIRED]) & ~self.cvs[o]
        window = int(self.policy.buyer_edit_window.total_seconds()) * _NS
        in_window = self.mfn[o] & (at <= self.placed[o] + window)
        buyer_cancel = (kind == _K[EventKind.CANCELED]) & (actor == _ACTORS.index(Actor.BUYER))
        bad |= buyer_cancel & ~_IS_PENDING[status] & ~in_window
        self._refuse(o[bad], at[bad])
        ok = ~bad
        o, pos, at, kind, actor, nxt = _where(ok, o, pos, at, kind, actor, nxt)
        self._change(log, o, at, nxt)
        log.last[o - log.lo] = at
        pays = kind == _K[EventKind.PAYMENT_COMPLETED]
        paying = o[pays]
        self.paid[paying] = at[pays]
        derives = self.mfn[paying] & (self.lsd[paying] == _NAT)
        self.ship_by_now[paying[derives]] = self.calendar.ship_by_ns(
            at[pays][derives], self.policy.handling_days
        )
        invoiced = kind == _K[EventKind.INVOICE_PENDING]
        if invoiced.any():  # InvoiceUnconfirmed: every item has shipped (the fold does the same)
            self._confirm_rest(log, o[invoiced], at[invoiced])
        ends = (kind == _K[EventKind.CANCELED]) | (kind == _K[EventKind.PAYMENT_EXPIRED])
        self.cancel_actor[o[ends]] = actor[ends]
        expired = kind[ends] == _K[EventKind.PAYMENT_EXPIRED]
        reason = reasons[pos[ends]]
        self.cancel_reason[o[ends]] = np.where(
            expired & (reason < 0), _REASONS.index(CancelReason.PAYMENT_EXPIRED), reason
        )

    def _ship(
        self,
        log: _Log,
        o: np.ndarray,
        pos: np.ndarray,
        at: np.ndarray,
        lines: _Sparse,
        quantity: _Sparse,
    ) -> None:
        """Confirm shipments: a line (and quantity), or everything left when no line is given."""
        line = lines[pos]
        whole = line == -1
        if whole.any():  # the usual shipment: the whole order, or all that is left of it
            self._ship_rest(log, *_where(whole, o, pos, at))
            if whole.all():
                return
            o, pos, at, line = _where(~whole, o, pos, at, line)
        # One line: a quantity of it, or all of it that is left (no quantity given).
        qty = quantity[pos]
        li = np.maximum(line, 0)
        mine = o - log.lo
        left = np.where(log.all_shipped[mine], 0, self.item_qty[li] - self.item_shipped[li])
        q = np.where(qty < 0, left, qty)
        status = self.status[o]
        bad = ~_CAN_SHIP[status] | (status < 0) | (line == -2) | (q < 1) | (q > left)
        self._refuse(o[bad], at[bad])
        o, mine, pos, at, li, q = _where(~bad, o, mine, pos, at, li, q)
        value = self.item_amount[li] * q // np.maximum(self.item_qty[li], 1)
        log.shipments.append((self.table_rows(pos), at, value, o.astype(np.int32), li, q))
        log.confirmed_value[mine] += value
        self.item_shipped[li] += q  # an item belongs to one order: each row's item is its own
        log.shipped[mine] += q
        complete = log.shipped[mine] >= self.ordered[o]
        self._change(
            log,
            o,
            at,
            np.where(complete, _S[OrderStatus.SHIPPED], _S[OrderStatus.PARTIALLY_SHIPPED]),
        )
        self.first[o] = np.minimum(self.first[o], at)
        self.full[o[complete]] = at[complete]
        log.last[mine] = at

    def _ship_rest(self, log: _Log, o: np.ndarray, pos: np.ndarray, at: np.ndarray) -> None:
        """Confirm the shipment of everything orders ``o`` have left to ship: they are Shipped."""
        status = self.status[o]
        bad = ~_CAN_SHIP[status] | (status < 0)
        if bad.any():
            self._refuse(o[bad], at[bad])
            o, pos, at = _where(~bad, o, pos, at)
        value = self.total[o] - log.confirmed_value[o - log.lo]
        whole = np.full(len(o), -1, np.int32)  # no one line: everything left (see _Chunk)
        log.shipments.append(
            (self.table_rows(pos), at, value, o.astype(np.int32), whole, np.zeros_like(whole))
        )
        self._change(log, o, at, _S[OrderStatus.SHIPPED])
        self._confirm_rest(log, o, at)

    def _confirm_rest(self, log: _Log, o: np.ndarray, at: np.ndarray) -> None:
        """Count everything orders ``o`` have left as confirmed at ``at`` (charged if not yet)."""
        mine = o - log.lo
        log.confirmed_value[mine] = self.total[o]
        log.shipped[mine] = self.ordered[o]
        log.all_shipped[mine] = True
        self.first[o] = np.minimum(self.first[o], at)
        self.full[o] = at
        log.last[mine] = at


def replay_order(events: pd.DataFrame, order: np.ndarray) -> np.ndarray:
    """Return the permutation of ``events``' rows in the order the fold applies them.

    ``order`` is each row's order as a number (a position, or any number that orders share):
    by order, then time, then kind (in ``EventKind``'s order); ties keep the table's order. A
    table written in this order is replayed without a sort.

    Returns:
        The rows' positions (``int64``), as ``numpy.lexsort`` gives them.
    """
    return np.lexsort((_codes(events["kind"], _KINDS), schema.utc_ns(events["at"]), order))


def _sorted_by(order: np.ndarray, at: np.ndarray, kind: np.ndarray) -> bool:
    """Return whether events are sorted by order, time, kind (with only one-byte temporaries)."""
    if (order[1:] < order[:-1]).any():
        return False
    same = order[1:] == order[:-1]
    if (same & (at[1:] < at[:-1])).any():
        return False
    return not (same & (at[1:] == at[:-1]) & (kind[1:] < kind[:-1])).any()


def _replay(source: OrderBook | FleetInput, policy: Policy) -> _History:
    """Replay ``source``'s events under ``policy`` (for a book: cached per tables and policy)."""
    if isinstance(source, FleetInput):
        return _replayed(source, policy)
    key = (id(source.orders), id(source.items), id(source.events), policy)
    cached = _CACHE.get(source)
    if cached is not None and cached[0] == key:
        return cached[1]
    history = _replayed(source, policy)
    _CACHE[source] = (key, history)
    return history


def _replayed(source: OrderBook | FleetInput, policy: Policy) -> _History:
    """Return ``source``'s status history under ``policy``, replayed afresh."""
    tables = source if isinstance(source, FleetInput) else FleetInput.of(source)
    r = _Replay(tables, policy)
    r.run(
        _Sparse.of(r.sorted(tables.event_reason)),
        _Sparse.of(r.sorted(tables.event_line)),
        _Sparse.of(r.sorted(tables.event_quantity)),
        _Sparse.of(r.sorted(tables.event_amount)),
    )
    return _history(r)


@dataclass
class _Sparse:
    """A per-event value that few events have (internal): the others read as -1.

    Indexed by the replay's event positions like the array it stands for, in a fraction of the
    memory: a cancel reason, a shipped line and its quantity each concern a few events.
    """

    positions: np.ndarray  # sorted
    values: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray) -> _Sparse:
        """Return the sparse form of a per-event array (-1: none)."""
        positions = np.flatnonzero(values != -1)
        return cls(positions, values[positions])

    def __getitem__(self, pos: np.ndarray) -> np.ndarray:
        if not len(self.positions):
            return np.full(len(pos), -1, self.values.dtype)
        i = np.searchsorted(self.positions, pos)
        np.minimum(i, len(self.positions) - 1, out=i)
        return np.where(self.positions[i] == pos, self.values[i], -1).astype(self.values.dtype)


def _quantities(column: pd.Series) -> np.ndarray:
    """Return an ``Int64`` column's values, -1 where missing: ``int32`` when they all fit."""
    q = column.array  # values and mask, no copy
    return _fitted(np.where(q._mask, -1, q._data))  # type: ignore[attr-defined]


def _fitted(values: np.ndarray) -> np.ndarray:
    """Return ``int64`` values as ``int32`` when they all fit (the replay's per-event arrays)."""
    fits = values.max(initial=0) <= _MAX32 and values.min(initial=0) >= -_MAX32
    return values.astype(np.int32) if fits else values


_CACHE: weakref.WeakKeyDictionary[OrderBook, tuple[tuple, _History]] = weakref.WeakKeyDictionary()


def tracked(column: pd.Series) -> np.ndarray:
    """Return whether each tracking number is a number, not missing or blank (bool per row).

    Blank: nothing is left once whitespace is trimmed (Arrow's ``utf8_trim_whitespace``). Valid
    Tracking Rate counts the shipments confirmed with a number.
    """
    return _tracked(column, np.arange(len(column)))


def _tracked(column: Text | np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Return whether each of ``rows`` of a tracking-number column holds a number (not blank).

    ``column``: the numbers, or (``bool``) whether each holds one (:func:`tracked`).

    A value is blank when Arrow's ``utf8_trim_whitespace`` leaves nothing. A value whose first
    byte is printable ASCII other than a space is not blank, which the offsets and that byte show;
    only the other values (none, in practice) are trimmed to find out.
    """
    if isinstance(column, np.ndarray):
        return column[rows]
    arr = _text(column)
    if arr is None:
        return (column.iloc[rows].fillna("").astype(str).str.strip() != "").to_numpy(bool)
    bitmap, offsets_buf, data_buf = arr.buffers()
    offsets = np.frombuffer(offsets_buf, np.int64)[arr.offset : arr.offset + len(arr) + 1]
    start = offsets[rows]
    out = offsets[rows + 1] > start
    if arr.null_count:
        bits = np.unpackbits(np.frombuffer(bitmap, np.uint8), bitorder="little")
        out &= bits[arr.offset + rows].astype(bool)
    if data_buf is not None and out.any():
        first = np.frombuffer(data_buf, np.uint8)[start[out]]
        unsure = np.flatnonzero(out)[(first <= 0x20) | (first >= 0x7F)]
        if len(unsure):
            trimmed = pc.utf8_trim_whitespace(arr.take(pa.array(rows[unsure])))
            out[unsure] = pc.greater(pc.utf8_length(trimmed), 0).to_numpy(zero_copy_only=False)
    return out


def _history(r: _Replay) -> _History:
    """Return what the replay ``r`` learnt, reusing its arrays; ``r`` is spent afterwards."""
    chunks, r.chunks = r.chunks, []
    u_from, u_until, ship_by = r.unshipped_from, r.unshipped_until, r.ship_by_now
    return _History(
        order_ids=r.order_ids, mfn=r.mfn, placed=r.placed, paid=r.paid, ship_by=ship_by,
        ship_by_recorded=r.mfn & (r.lsd != _NAT), first_confirmed=r.first,
        fully_confirmed=r.full, closed=r.closed, cancel_actor=r.cancel_actor,
        cancel_reason=r.cancel_reason, refused=r.refused, unshipped_from=u_from,
        unshipped_until=u_until, item_order=r.item_order, item_qty=r.item_qty, chunks=chunks,
        policy=r.policy,
    )  # fmt: skip


# ---- the public face ------------------------------------------------------------------------------


def _instant(at: dt.datetime | pd.Timestamp) -> int:
    ts = pd.Timestamp(at)
    if ts.tzinfo is None:
        raise ValueError(f"at={at!r} has no timezone; orderkit needs tz-aware times")
    return int(ts.tz_convert("UTC").as_unit("ns").value)


def _flags(h: _History, t: int | np.ndarray, status: np.ndarray) -> dict[str, np.ndarray]:
    """Return late, confirm_warning, at_risk and charged of every order at instants ``t``."""
    open_ = h.closed > t
    known = h.ship_by_known(t)
    late = (
        open_ & h.mfn & known & (h.paid <= t) & (t > h.ship_by) & ~(h.fully_confirmed <= h.ship_by)
    )
    confirm_by = h.confirm_by()
    lead = int(h.policy.confirm_warning_lead.total_seconds()) * _NS
    warning = known & open_ & (h.fully_confirmed > t) & (confirm_by - lead <= t) & (t < confirm_by)
    return {
        "late": late,
        "confirm_warning": warning,
        "at_risk": warning & (status == _UNSHIPPED),
        "charged": h.first_confirmed <= t,
    }


def status_at(
    book: OrderBook | FleetInput, at: dt.datetime, *, policy: Policy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Return every order's status and flags at ``at``, as the per-order lens folds them.

    Orders placed after ``at`` (or with no ``placed`` event) are left out.

    Returns:
        A frame indexed by ``order_id`` with columns ``status`` (the
        :class:`~orderkit.status.OrderStatus` value), ``late``, ``at_risk``, ``confirm_warning``,
        ``charged``, ``fulfillment_channel``, ``ship_by`` and ``confirm_by`` (UTC, NaT when
        unknown at ``at``), ``paid_at`` (UTC, NaT if not paid by ``at``), ``refunded`` (yen),
        ``last_event_at`` (UTC: the last event folded, the clock's included) and ``refused``
        (the per-order lens refuses the order's events by ``at``; the other columns then
        describe the order as it stood before the refused event).

    Raises:
        ValueError: ``at`` is naive; ``book`` is a :class:`FleetInput` without order ids.

    """
    t = _instant(at)
    h = _replay(book, policy)
    if h.order_ids is None:
        raise ValueError("status_at needs the order ids: this FleetInput was built without them")
    placed = h.placed <= t
    orders = np.flatnonzero(placed)
    status, changed = _last_change(h, t)
    flags = _flags(h, t, status)
    known = h.ship_by_known(t)
    ship_by = np.where(known, h.ship_by, _NAT)
    confirm_by = np.where(known, h.confirm_by(), _NAT)
    frame = pd.DataFrame(
        {
            "status": _labels([s.value for s in _STATUSES], status[orders]),
            **{name: flag[orders] for name, flag in flags.items()},
            "fulfillment_channel": _labels(["AFN", "MFN"], h.mfn[orders].astype(np.int8)),
            "ship_by": schema.utc(ship_by[orders]).array,
            "confirm_by": schema.utc(confirm_by[orders]).array,
            "paid_at": schema.utc(np.where(h.paid <= t, h.paid, _NAT)[orders]).array,
            "refunded": _refunded(h, t)[orders],
            "last_event_at": schema.utc(_last_event(h, t, changed)[orders]).array,
            "refused": h.refused[orders] <= t,
        },
        index=pd.Index(h.order_ids.array.take(orders), name="order_id", dtype="str"),
    )
    return frame


def _labels(labels: list[str], codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Return ``labels[codes]`` as a ``str`` array (through Arrow: no Python string per row)."""
    return pd.array(pa.array(labels).take(pa.array(codes)), dtype="str")


def _twins(items: pd.DataFrame, item_order: np.ndarray) -> np.ndarray:
    """Return which item rows share their order and item id with a later row (bool per row).

    Only orders of several lines are looked at: the others cannot have twins.
    """
    known = item_order >= 0
    lines = np.bincount(item_order[known], minlength=1)
    several = np.zeros(len(items), bool)
    several[known] = lines[item_order[known]] > 1
    out = np.zeros(len(items), bool)
    if several.any():
        some = items.iloc[np.flatnonzero(several)]
        out[several] = some.duplicated(["order_id", "order_item_id"], keep="last").to_numpy()
    return out


def raise_refused(
    book: OrderBook, fleet: pd.DataFrame, *, at: dt.datetime, policy: Policy = DEFAULT_POLICY
) -> None:
    """Raise the per-order lens's refusal for the first order ``fleet`` flags ``refused``.

    ``fleet`` is :func:`status_at` of ``book`` at ``at``. The fleet lens knows *that* an order's
    events break a rule; the per-order lens, folding just that order, says which event and which
    rule. Returns quietly when no order is flagged.

    Raises:
        TransitionNotAllowed: the first flagged order (in ``book.orders``' order), with the order,
            the event and the rule.
        RuntimeError: the per-order lens folds a flagged order (the two lenses disagree: a bug).

    """
    refused = fleet.index[fleet["refused"].to_numpy(bool)]
    if not len(refused):
        return
    ids = book.orders["order_id"]
    for order_id in ids[ids.isin(refused)]:
        book.order(order_id).state(at=at, policy=policy)  # raises TransitionNotAllowed
        raise RuntimeError(
            f"the fleet lens refuses order {order_id} at {at} but the per-order lens folds it"
        )


def item_status_at(
    book: OrderBook, at: dt.datetime, *, policy: Policy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Return every item's units confirmed as shipped at ``at``, as the per-order lens folds them.

    The companion of :func:`status_at` (the same replay, the same orders): items of orders placed
    after ``at``, or not in ``book.orders``, are left out. An order :func:`status_at` flags
    ``refused`` counts the units confirmed before the refused event.

    Returns:
        A frame with ``book.items``' index (its rows in its order) and columns ``order_id``,
        ``order_item_id``, ``quantity`` (ordered) and ``shipped``: the units confirmed by ``at``
        (the per-order lens's ``state.shipped[order_item_id]``; rows sharing an order item id
        share its count, as the per-order lens keys them).

    Raises:
        ValueError: ``at`` is naive.

    """
    h = _replay(book, policy)
    t = _instant(at)
    shipped = _shipped(h, t)
    items = book.items
    keep = h.item_order >= 0
    keep[keep] = h.placed[h.item_order[keep]] <= t
    frame = pd.DataFrame(
        {
            "order_id": items["order_id"].array,
            "order_item_id": items["order_item_id"].array,
            "quantity": h.item_qty,
            "shipped": shipped,
        },
        index=items.index,
        copy=False,
    )
    twins = _twins(frame, h.item_order)
    if twins.any():  # the per-order lens keeps one count per id: its last row's
        last = frame[~twins].set_index(["order_id", "order_item_id"])["shipped"]
        key = pd.MultiIndex.from_frame(frame.loc[twins, ["order_id", "order_item_id"]])
        frame.loc[twins, "shipped"] = last.reindex(key).to_numpy()
    return frame if keep.all() else frame[keep]


def _status_at(h: _History, t: int) -> np.ndarray:
    """Return each order's status code at ``t`` (-1 before it is placed): its last change by then."""
    return _last_change(h, t)[0]


def _last_change(h: _History, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Return each order's status code and the time of its last status change by ``t``.

    -1 and ``_NAT`` for an order not placed by ``t``.
    """
    status = np.full(len(h.placed), -1, np.int8)
    when = np.full(len(h.placed), _NAT, np.int64)
    for c in h.chunks:
        if not len(c.change_status):  # no order of the chunk has an event yet
            continue
        o = c.change_order - c.lo
        per_order = np.bincount(o, minlength=c.hi - c.lo)
        start = np.cumsum(per_order) - per_order
        by_t = np.bincount(o[c.change_at <= t], minlength=c.hi - c.lo)
        last = np.maximum(start + by_t - 1, 0)
        some = by_t > 0
        status[c.lo : c.hi] = np.where(some, c.change_status[last], -1)
        when[c.lo : c.hi] = np.where(some, c.change_at[last], _NAT)
    return status, when


def _refunded(h: _History, t: int) -> np.ndarray:
    """Return the yen refunded to each order by ``t`` (accepted refunds only)."""
    out = np.zeros(len(h.placed), np.int64)
    for c in h.chunks:
        by_t = c.refund_at <= t
        np.add.at(out, c.refund_order[by_t], c.refund_amount[by_t])
    return out


def _last_event(h: _History, t: int, last_change: np.ndarray) -> np.ndarray:
    """Return the time of each order's last event by ``t``, the clock's included (``_NAT``: none).

    ``last_change``: the time of each order's last status change by ``t`` (see _last_change);
    the other events are the ones the replay recorded as touches.
    """
    out = last_change.copy()
    for c in h.chunks:
        by_t = c.touch_at <= t
        np.maximum.at(out, c.touch_order[by_t], c.touch_at[by_t])
    return out


def _shipped(h: _History, t: int) -> np.ndarray:
    """Return the units confirmed as shipped by ``t`` of each item row (int64).

    An order fully confirmed by ``t`` has shipped every unit; before that, an item has shipped
    what its line shipments confirmed (a shipment of all that is left always completes the order).
    """
    out = np.zeros(len(h.item_qty), np.int64)
    for c in h.chunks:
        by_t = (c.ship_at <= t) & (c.ship_item >= 0)
        np.add.at(out, c.ship_item[by_t], c.ship_qty[by_t])
    rows = h.item_order >= 0
    full = np.zeros(len(out), bool)
    full[rows] = h.fully_confirmed[h.item_order[rows]] <= t
    return np.where(full, h.item_qty, out)


# ---- daily counts -----------------------------------------------------------------------------


def _day_ends(first: dt.date, last: dt.date) -> tuple[pd.DatetimeIndex, np.ndarray]:
    days = pd.date_range(first, last, freq="D", name="day")
    ends = (
        days.to_numpy().astype("datetime64[D]").astype(np.int64) * _DAY - _JST_OFFSET + _DAY - _NS
    )
    return days, ends


def _days_before(ends: np.ndarray, t: np.ndarray, *, right: bool = False) -> np.ndarray:
    """Return how many of the evenly spaced day ``ends`` are before ``t`` (at or before: ``right``).

    ``np.searchsorted(ends, t)`` by arithmetic: the ends are one day apart.
    """
    d = len(ends)
    k = np.clip(t, ends[0] - _DAY, ends[-1] + _DAY)  # no overflow at _NAT / _NEVER
    k -= ends[0]  # in place from here on: one array for millions of times
    if right:
        k //= _DAY
        k += 1
    else:  # ceiling division
        np.negative(k, out=k)
        k //= _DAY
        np.negative(k, out=k)
    return np.clip(k, 0, d, out=k)


def _interval_steps(ends: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Return how the number of ``[lo, hi)`` intervals holding each day's end changes that day.

    ``d + 1`` values for ``d`` days; their running sum is, per day, how many intervals contain the
    day's end instant. Steps of several sets of intervals add up.
    """
    a = _days_before(ends, lo)
    b = _days_before(ends, hi)
    keep = a < b
    d = len(ends)
    return np.bincount(a[keep], minlength=d + 1) - np.bincount(b[keep], minlength=d + 1)


def _day_counts(ends: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Return how many ``times`` fall before the first day, in each day, and after the last.

    ``d + 2`` values for the ``d`` days ending at ``ends``; ``_NEVER`` never falls; ``times`` need
    not be sorted. Counts of several sets of times add up.
    """
    d = len(ends)
    times = times[times != _NEVER]
    # 1 + the day a time falls in: 0 before the first day, d + 1 after the last.
    day = np.where(times < ends[0] - _DAY + _NS, 0, _days_before(ends, times) + 1)
    return np.bincount(day, minlength=d + 2)


def _jst_date(ns: int) -> dt.date:
    return to_jst(pd.Timestamp(ns, tz="UTC").to_pydatetime()).date()


def daily(
    book: OrderBook,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> pd.DataFrame:
    """Return one row per day (Japan time), each order counted as it stands at 23:59:59 JST.

    Computed from each order's status history in one pass (no replay per day).

    Args:
        book: the order book.
        start: the first day (default: the first order's day, in Japan time).
        end: the last day (default: the day of the last status change, e.g. the last
            automatic cancellation).
        policy: the seller's :class:`~orderkit.policy.Policy`.

    Returns:
        A frame indexed by ``day`` (a date) with columns:

        - ``new_orders``: orders placed that day;
        - one column per :class:`~orderkit.status.OrderStatus` value (``Pending``, ``Unshipped``,
          ``PartiallyShipped``, ``Shipped``, ``Canceled``, ...): orders in that status at the end
          of the day (every order placed so far is in exactly one);
        - ``late``, ``confirm_warning``, ``at_risk``: orders with that flag at the end of the day
          (``late`` stays on an order shipped late, as Late Shipment Rate counts it);
        - ``late_open``: orders showing "Shipment is late" — late and not yet wholly confirmed;
        - ``confirmed``: shipment confirmations that day;
        - ``auto_canceled``: orders Amazon canceled that day at the confirmation cutoff;
          ``auto_canceled_total``: all such cancellations up to the end of that day;
        - ``cvs_expired`` / ``cvs_expired_total``: the same for expired convenience-store payments.

    Raises:
        ValueError: ``end`` is before ``start``.

    """
    if start is None or end is None:
        start, end = DailySpan.of(book, policy=policy).days(start, end)
    return daily_counts(book, start=start, end=end, policy=policy).frame()


# ---- daily counts in parts: what orderkit.history sums over partitions -----------------------


@dataclass(frozen=True, slots=True)
class DailySpan:
    """The instants :func:`daily`'s default days come from (UTC ns; spans of parts combine).

    ``first``: the first order placed (``_NEVER`` if none); ``last``: the last status change
    (``_NAT`` if none).
    """

    first: int
    last: int

    @classmethod
    def of(cls, book: OrderBook | FleetInput, *, policy: Policy = DEFAULT_POLICY) -> DailySpan:
        """Return ``book``'s span under ``policy`` (from a book's cached replay)."""
        h = _replay(book, policy)
        return cls(int(h.placed.min(initial=_NEVER)), h.last_change())

    def __add__(self, other: DailySpan) -> DailySpan:
        return DailySpan(min(self.first, other.first), max(self.last, other.last))

    def days(self, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
        """Return ``start`` and ``end``, each defaulted as :func:`daily` documents."""
        if start is None:
            start = _jst_date(self.first) if self.first != _NEVER else dt.date(2026, 1, 1)
        if end is None:
            end = _jst_date(self.last) if self.last != _NAT else start
        return start, end


@dataclass(frozen=True, slots=True)
class DailyCounts:
    """The steps and counts :func:`daily`'s frame is made of, for days ``start`` to ``end``.

    Counts of disjoint sets of orders over the same days add up (``+``) to the counts of their
    union: this is how a partitioned history computes :func:`daily` exactly.
    """

    start: dt.date
    end: dt.date
    sums: Mapping[str, np.ndarray] = field(repr=False)

    def __add__(self, other: DailyCounts) -> DailyCounts:
        if (self.start, self.end) != (other.start, other.end):
            raise ValueError(
                f"daily counts of {self.start}..{self.end} and {other.start}..{other.end}"
                " cover different days"
            )
        return DailyCounts(
            self.start, self.end, {k: v + other.sums[k] for k, v in self.sums.items()}
        )

    def frame(self) -> pd.DataFrame:
        """Return :func:`daily`'s frame (see there for the columns)."""
        days, ends = _day_ends(self.start, self.end)
        d = len(ends)
        sums = self.sums
        per_status = np.cumsum(sums["net"].reshape(len(_STATUSES), d + 1), axis=1)[:, :d]
        out = {"new_orders": sums["new_orders"][1 : d + 1]}
        out |= {s.value: counts for s, counts in zip(_STATUSES, per_status, strict=True)}
        out |= {name: np.cumsum(sums[name])[:d] for name in _FLAGS}
        out["confirmed"] = sums["confirmed"][1 : d + 1]
        for name in _CLOSES:
            out[name] = sums[name][1 : d + 1]
            out[f"{name}_total"] = np.cumsum(sums[name])[1 : d + 1]
        return pd.DataFrame(out, index=days)


def daily_counts(
    book: OrderBook | FleetInput, *, start: dt.date, end: dt.date, policy: Policy = DEFAULT_POLICY
) -> DailyCounts:
    """Return ``book``'s :class:`DailyCounts` for days ``start`` to ``end`` (both included).

    Raises:
        ValueError: ``end`` is before ``start``.

    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    h = _replay(book, policy)
    _, ends = _day_ends(start, end)
    d = len(ends)
    # Counted in parts on two threads (orderkit.workers.threads), a slice of orders or a chunk of
    # the history at a time; the parts' steps and counts add up, and the days' running sums are
    # taken once.
    with executor("orderkit-daily") as pool:
        parts = [
            *(
                pool.submit(_slice_counts, h, ends, lo)
                for lo in range(0, len(h.placed), _ORDER_SLICE)
            ),
            *(pool.submit(_chunk_counts, h, ends, c) for c in h.chunks),
        ]
        sums = {"net": np.zeros(len(_STATUSES) * (d + 1), np.int64)}  # see _chunk_counts
        sums |= {name: np.zeros(d + 1, np.int64) for name in _FLAGS}  # steps
        sums |= {name: np.zeros(d + 2, np.int64) for name in ("new_orders", "confirmed", *_CLOSES)}
        for part in parts:
            for name, counts in part.result().items():
                sums[name] += counts
    return DailyCounts(start, end, sums)


def _slice_counts(h: _History, ends: np.ndarray, lo: int) -> dict[str, np.ndarray]:
    """Return one slice of orders' part of :func:`daily`'s new orders, flags and cancellations.

    Flags as steps (:func:`_interval_steps`), the rest as counts (:func:`_day_counts`).
    """
    rows = slice(lo, lo + _ORDER_SLICE)
    out: dict[str, np.ndarray] = {}
    late_lo, late_hi, warn_lo, warn_hi = _flag_intervals(h, rows)
    out["late"] = _interval_steps(ends, late_lo, late_hi)
    # What Manage Orders shows as "Shipment is late": late and not yet wholly confirmed.
    late_hi = np.minimum(late_hi, h.fully_confirmed[rows], out=late_hi)
    out["late_open"] = _interval_steps(ends, late_lo, late_hi)
    out["confirm_warning"] = _interval_steps(ends, warn_lo, warn_hi)
    warn_lo = np.maximum(warn_lo, h.unshipped_from[rows], out=warn_lo)
    warn_hi = np.minimum(warn_hi, h.unshipped_until[rows], out=warn_hi)
    out["at_risk"] = _interval_steps(ends, warn_lo, warn_hi)
    out["new_orders"] = _day_counts(ends, h.placed[rows])
    closed, reason = h.closed[rows], h.cancel_reason[rows]
    for name, code in _CLOSES.items():
        out[name] = _day_counts(ends, closed[reason == code])
    return out


_FLAGS = ("late", "late_open", "confirm_warning", "at_risk")
# Orders closed that day by Amazon's clock, by the cancel reason recorded.
_CLOSES = {
    "auto_canceled": _REASONS.index(CancelReason.CONFIRM_CUTOFF),
    "cvs_expired": _REASONS.index(CancelReason.PAYMENT_EXPIRED),
}
_ORDER_SLICE = 1 << 17


def _chunk_counts(h: _History, ends: np.ndarray, c: _Chunk) -> dict[str, np.ndarray]:
    """Return one chunk of the history's part of :func:`daily`'s statuses and confirmations.

    ``net``: per status (as ``_STATUSES``) and day, how many orders enter it less how many leave
    it: each change puts its order in its status from the change's day on, and takes it out of
    its previous status from that day. The changes are counted a slice at a time, so no temporary
    is as long as the chunk.
    """
    d = len(ends)
    size = len(_STATUSES) * (d + 1)
    net = np.zeros(size, np.int64)
    total = len(c.change_at)
    for lo in range(0, total, _COUNT_SLICE):
        hi = min(lo + _COUNT_SLICE, total)
        day = _days_before(ends, c.change_at[lo:hi])  # the first day ending at or after it
        key = c.change_status[lo:hi].astype(np.int64)
        key *= d + 1
        key += day
        net += np.bincount(key, minlength=size)
        # A change that is not its order's first takes the order out of the status before it.
        # (A chunk starts with an order's first change.)
        start = max(lo, 1)
        later = start + np.flatnonzero(
            c.change_order[start:hi] == c.change_order[start - 1 : hi - 1]
        )
        key = c.change_status[later - 1].astype(np.int64)
        key *= d + 1
        key += day[later - lo]
        net -= np.bincount(key, minlength=size)
    return {"net": net, "confirmed": _day_counts(ends, c.ship_at)}


_COUNT_SLICE = 1 << 20


def _flag_intervals(
    h: _History, rows: slice
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return when each order of ``rows`` is late, and when its confirm-by warning shows.

    Each as ``[lo, hi)``: the same conditions as :func:`_flags`, solved for the instant. Late from
    just after the ship date (once paid) until the order closes; the warning from ``confirm_by`` −
    lead (once the ship date is known) until the cutoff, the full confirmation or the close.
    """
    ship_by, paid, full, closed = (
        h.ship_by[rows],
        h.paid[rows],
        h.fully_confirmed[rows],
        h.closed[rows],
    )
    never = np.full(len(ship_by), _NEVER, np.int64)
    has = ship_by != _NEVER
    can_be_late = h.mfn[rows] & has & (paid != _NEVER) & ~(full <= ship_by)
    late_lo = np.where(can_be_late, np.maximum(np.where(can_be_late, ship_by, 0) + 1, paid), never)
    late_hi = np.where(can_be_late, closed, never)
    cutoff = int(h.policy.confirm_cutoff.total_seconds()) * _NS
    lead = int(h.policy.confirm_warning_lead.total_seconds()) * _NS
    confirm_by = np.where(has, ship_by + cutoff, _NEVER)  # ship_by + cutoff only where known
    known_from = np.where(h.ship_by_recorded[rows], _NAT, paid)
    warn_lo = np.where(has, np.maximum(np.where(has, confirm_by - lead, 0), known_from), never)
    warn_hi = np.where(has, np.minimum(np.minimum(confirm_by, full), closed), never)
    return late_lo, late_hi, warn_lo, warn_hi


# ---- Amazon's seller-performance rates ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    """Amazon's target for a rate: ``value`` is the threshold, met below it or at least it."""

    value: float
    at_least: bool

    def met(self, rate: float) -> bool:
        """Return whether ``rate`` meets the target (an empty window, NaN, meets it)."""
        if np.isnan(rate):
            return True
        return rate >= self.value if self.at_least else rate < self.value


#: Amazon's targets (Seller Central, Account Health), per metric key.
TARGETS: Mapping[str, Target] = {
    "late_shipment_rate": Target(0.04, at_least=False),
    "cancel_rate": Target(0.025, at_least=False),
    "valid_tracking_rate": Target(0.95, at_least=True),
}

_DEFINITIONS = {
    "late_shipment_rate": (
        "Late Shipment Rate",
        "Seller-fulfilled orders whose ship date (latest ship date) falls in the window and that "
        "were paid and still open at it: the share not fully confirmed as shipped by the ship date "
        "(Manage Orders showed 'Shipment is late'). Target: under 4%.",
    ),
    "cancel_rate": (
        "Pre-fulfilment Cancel Rate",
        "Seller-fulfilled orders placed in the window: the share the seller canceled before "
        "shipment for the seller's own reasons (buyer-requested cancellations, the buyer's own and "
        "Amazon's, including automatic ones, excluded). Target: under 2.5%.",
    ),
    "valid_tracking_rate": (
        "Valid Tracking Rate",
        "Seller-fulfilled shipments confirmed in the window for packages of ¥1,000 or more "
        "(Policy.valid_tracking_min_yen): the share confirmed with a tracking number. "
        "Target: 95% or more.",
    ),
}


def rates(book: OrderBook, *, at: dt.datetime, policy: Policy = DEFAULT_POLICY) -> pd.DataFrame:
    """Return Amazon's seller-performance rates over their windows ending at ``at``.

    Seller-fulfilled (MFN) orders only; each window is the ``window_days`` × 24 hours up to and
    including ``at``.

    - **Late Shipment Rate** (10 and 30 days): of the orders whose ship date falls in the window,
      paid and still open at it, those not fully confirmed by it — exactly the orders the per-order
      lens flags ``late`` just after their ship date. Orders never confirmed count as late.
    - **Pre-fulfilment Cancel Rate** (7 days): of the orders placed in the window, those the
      seller canceled (by ``at``) for a reason other than ``buyer_requested``; the buyer's own
      cancellations and Amazon's (expired payments, the confirmation cutoff) do not count.
    - **Valid Tracking Rate** (30 days): of the shipment confirmations in the window for packages
      of :attr:`Policy.valid_tracking_min_yen` or more (a package's value is what it confirms: the
      line's share, or the rest of the order), those with a tracking number.

    Returns:
        A frame with one row per rate: ``metric`` (a key of :data:`TARGETS`), ``label``,
        ``window_days``, ``numerator``, ``denominator``, ``value`` (NaN for an empty window),
        ``target``, ``met`` and ``definition``.

    Raises:
        ValueError: ``at`` is naive; the book holds several seller accounts (rates are per
            account, never pooled: :meth:`~orderkit.book.OrderBook.for_account`).

    """
    return rate_counts(book, at=at, policy=policy).frame()


@dataclass(frozen=True, slots=True)
class RateCounts:
    """The numerators and denominators of :func:`rates`, per ``(metric, window_days)``.

    Counts of disjoint sets of orders at the same instant add up (``+``): a partitioned history
    sums them and divides once, never averaging rates.
    """

    counts: Mapping[tuple[str, int], tuple[int, int]]

    def __add__(self, other: RateCounts) -> RateCounts:
        return RateCounts(
            {
                key: (num + other.counts[key][0], den + other.counts[key][1])
                for key, (num, den) in self.counts.items()
            }
        )

    def frame(self) -> pd.DataFrame:
        """Return :func:`rates`' frame (see there for the columns)."""
        out = []
        for (metric, w), (num, den) in self.counts.items():
            value = num / den if den else float("nan")
            label, definition = _DEFINITIONS[metric]
            target = TARGETS[metric]
            out.append(
                {
                    "metric": metric,
                    "label": label,
                    "window_days": w,
                    "numerator": num,
                    "denominator": den,
                    "value": value,
                    "target": target.value,
                    "met": target.met(value),
                    "definition": definition,
                }
            )
        return pd.DataFrame(out)


def rate_counts(
    book: OrderBook | FleetInput, *, at: dt.datetime, policy: Policy = DEFAULT_POLICY
) -> RateCounts:
    """Return the numerators and denominators of ``book``'s :func:`rates` at ``at``.

    A :class:`FleetInput` holds one account's orders (as its reader promises).

    Raises:
        ValueError: ``at`` is naive; the book holds several seller accounts (rates are per
            account: :meth:`~orderkit.book.OrderBook.for_account`).

    """
    t = _instant(at)
    accounts = book.accounts() if isinstance(book, OrderBook) else []
    if len(accounts) > 1:  # Amazon rates each seller account alone
        raise ValueError(
            f"the book holds {len(accounts)} seller accounts ({', '.join(accounts)}): rates are"
            " per account, never pooled; use book.for_account(account)"
        )
    h = _replay(book, policy)
    counts: dict[tuple[str, int], tuple[int, int]] = {}
    for w in (10, 30):
        lo = t - w * _DAY
        due = h.mfn & (h.paid <= h.ship_by) & (h.ship_by > lo) & (h.ship_by <= t)
        due &= (h.ship_by != _NEVER) & (h.closed > h.ship_by)
        late = due & ~(h.fully_confirmed <= h.ship_by)
        counts["late_shipment_rate", w] = (int(late.sum()), int(due.sum()))
    placed = h.mfn & (h.placed > t - 7 * _DAY) & (h.placed <= t)
    own = (h.cancel_actor == _ACTORS.index(Actor.SELLER)) & (
        h.cancel_reason != _REASONS.index(CancelReason.BUYER_REQUESTED)
    )
    counts["cancel_rate", 7] = (int((placed & own & (h.closed <= t)).sum()), int(placed.sum()))
    s = h.shipments()
    at_ = s["at"].to_numpy(np.int64)
    counted = (
        h.mfn[s["order"].to_numpy(np.int64)]
        & (at_ > t - 30 * _DAY)
        & (at_ <= t)
        & (s["value"].to_numpy(np.int64) >= policy.valid_tracking_min_yen)
    )
    numbered = counted & s["tracked"].to_numpy(bool)
    counts["valid_tracking_rate", 30] = (int(numbered.sum()), int(counted.sum()))
    return RateCounts(counts)
