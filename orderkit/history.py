"""Years of history for many seller accounts: a partitioned Parquet dataset, computed on Dask.

A :class:`History` keeps the order book's three tables (without buyer or recipient data) as Parquet
files under one folder or fsspec URL, partitioned by seller account, order-id hash bucket and the
order's purchase month (Japan time)::

    <url>/orders/account=<account>/bucket=<b>/month=<YYYY-MM>/<append>-<token>.parquet
    <url>/items/...    (the same partition as their order)
    <url>/events/...   (the same partition as their order)

An order, its items and its events always share one partition, and orders are independent of one
another, so the fleet lens (:mod:`orderkit.metrics`) run on each partition and summed is exactly the
fleet lens run on the whole book. Every computation is one task per partition — on a
``dask.distributed.Client`` when one is given (or active), in this process otherwise.
:meth:`History.map_partitions` reads each partition as an :class:`~orderkit.book.OrderBook` and
applies a function to it. :meth:`History.daily`, :meth:`History.rates` and :meth:`History.status_at`
map :func:`~orderkit.metrics.daily_counts`, :func:`~orderkit.metrics.rate_counts` and
:func:`~orderkit.metrics.status_at` over each partition read straight into the lens's input
(:class:`~orderkit.metrics.FleetInput`: arrays, no book), and combine the parts per account (rates
are never pooled across accounts: numerators and denominators are summed per account, then
divided).

:meth:`History.append` adds what is new: events by their stable ids, orders (with their items)
when their row or items changed since the last append; a revised order is read back as its latest
revision. Appending the same book twice adds nothing. Appends are meant to come from one writer
at a time (the append counter lives in ``_orderkit_history.json``).

:meth:`History.sql` opens a DuckDB connection with ``orders``, ``items`` and ``events`` views over
the same files, for ad-hoc SQL.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote, unquote

import fsspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from orderkit import metrics, schema
from orderkit.book import CHARGES, DISCOUNTS, OrderBook, line_amounts, order_accounts
from orderkit.codes import remember
from orderkit.events import NULL_HASH, hash_ints, text_hashes
from orderkit.io.files import write_atomic
from orderkit.policy import DEFAULT_POLICY, Policy

if TYPE_CHECKING:
    import duckdb
    from distributed import Client

__all__ = ["AppendSummary", "History", "Partition"]

T = TypeVar("T")

# Buyer and recipient data never enters the history.
PII: frozenset[str] = schema.PII

_TABLES = ("orders", "items", "events")
_META = "_orderkit_history.json"
# 2: every row carries its order's number in the partition; events sorted for the lens.
# 3: items and events carry a hash of their item id, items their amount, events whether they
#    carry a tracking number.
_FORMAT = 3
_SEQ = "_seq"  # the append that wrote a row: an order's latest revision wins
_REV = "_rev"  # a fingerprint of an order's row and items: a changed order is written again
_ORDER = "_order"  # an order's number in its partition (0, 1, …: by first append), on every row
_ITEM = "_item"  # items and events: a 64-bit hash of order_item_id (null where there is none)
_TRACKED = "_tracked"  # events: whether tracking_number holds a number (not blank)
_AMOUNT = "_amount"  # items: what the buyer pays for the line (book.line_amounts)
#: What the history adds to the documented columns.
_STORED = (_SEQ, _REV, _ORDER, _ITEM, _TRACKED, _AMOUNT)
#: Order-id hash buckets of a new history (a history keeps the number it was created with).
DEFAULT_BUCKETS = 8
_NO_MONTH = "none"  # orders without a purchase date
#: Each table's documented columns.
_SPECS = {"orders": schema.ORDERS, "items": schema.ITEMS, "events": schema.EVENTS}


@dataclass(frozen=True, slots=True, order=True)
class Partition:
    """One partition of a history: a seller account, an order-id hash bucket, a purchase month."""

    account: str
    bucket: int
    month: str  # YYYY-MM in Japan time, or "none" for orders without a purchase date

    def path(self, table: str) -> str:
        """Return the folder of ``table``'s files of this partition, relative to the history."""
        return f"{table}/account={quote(self.account, safe='')}/bucket={self.bucket}/month={self.month}"


@dataclass(frozen=True, slots=True)
class AppendSummary:
    """What :meth:`History.append` wrote.

    ``orders``: new or revised orders (with their ``items`` rows); ``events``: new events;
    ``orphans``: events and items of orders the source does not hold, left out (they are added
    by a later append once their order is known); ``partitions``: partitions written to.
    """

    orders: int
    items: int
    events: int
    orphans: int
    partitions: int


class _Loadable(Protocol):
    def load(self) -> OrderBook: ...


def _arrow_type(dtype: str) -> pa.DataType:
    """Return the Parquet (Arrow) type a documented column is stored as."""
    if dtype == schema.CODE:  # read back as categories, without hashing every row's text again
        return pa.dictionary(pa.int32(), pa.string())
    if dtype == schema.STR:
        return pa.large_string()
    return {
        schema.TS: pa.timestamp("ns", tz="UTC"),
        "bool": pa.bool_(),
        "Int64": pa.int64(),
        "int64": pa.int64(),
    }[dtype]


def _stored_schema(table: str) -> pa.Schema:
    """Return the columns a table's files hold: the documented ones less PII, account and keys."""
    spec = _SPECS[table]
    fields = [
        pa.field(name, _arrow_type(col.dtype))
        for name, col in spec.items()
        if name not in PII and name != "account"  # the account is the partition's
    ]
    if table in ("orders", "items"):
        fields.append(pa.field(_SEQ, pa.int64()))
    if table == "orders":
        fields.append(pa.field(_REV, pa.int64()))
    fields.append(pa.field(_ORDER, pa.int32()))
    if table in ("items", "events"):
        fields.append(pa.field(_ITEM, pa.int64()))
    if table == "items":
        fields.append(pa.field(_AMOUNT, pa.int64()))
    if table == "events":
        fields.append(pa.field(_TRACKED, pa.bool_()))
    return pa.schema(fields)


_SCHEMAS = {table: _stored_schema(table) for table in _TABLES}

# How the tables are written: LZ4, and Parquet dictionaries only for the code columns (ids,
# tracking numbers and times are nearly all distinct: a dictionary attempt costs for nothing).
# Measured on a partition's events: the lens's columns read in 38 ms against 54 ms with Parquet's
# defaults (Snappy, a dictionary for every column), at the same size.
_WRITE_OPTIONS = {
    table: {
        "compression": "lz4",
        "use_dictionary": [f.name for f in schema_ if pa.types.is_dictionary(f.type)],
    }
    for table, schema_ in _SCHEMAS.items()
}


def _to_arrow(frame: pd.DataFrame, table: str) -> pa.Table:
    """Return ``frame``'s stored columns as an Arrow table of the stored schema."""
    target = _SCHEMAS[table]
    columns = []
    for f in target:
        series = frame[f.name]
        if isinstance(series.dtype, pd.CategoricalDtype) and not pa.types.is_dictionary(f.type):
            series = series.astype(schema.STR)
        columns.append(pa.array(series, from_pandas=True).cast(f.type))
    return pa.Table.from_arrays(columns, schema=target)


def _months(purchase: pd.Series) -> np.ndarray:
    """Return each purchase date's month in Japan time (``YYYY-MM``; "none" where missing)."""
    jst = purchase.dt.tz_convert("Asia/Tokyo")
    months = jst.dt.strftime("%Y-%m").to_numpy(object, copy=True)
    months[purchase.isna().to_numpy()] = _NO_MONTH
    return months


def _value_hashes(series: pd.Series) -> np.ndarray:
    """Return a 64-bit hash of each value of a documented column (``uint64``; vectorised)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        cat = series.array
        uniques = text_hashes(pd.Series(cat.categories, dtype=schema.STR))
        return np.append(uniques, NULL_HASH)[cat.codes]
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        ns = schema.utc_ns(series)
        return hash_ints(ns, ns != np.iinfo(np.int64).min)
    if series.dtype == bool:
        return hash_ints(series.to_numpy(np.int64))
    if isinstance(series.dtype, pd.Int64Dtype):
        arr = series.array
        return hash_ints(arr._data, ~arr._mask)  # type: ignore[attr-defined]
    return text_hashes(series)


def _row_hashes(frame: pd.DataFrame, table: str) -> np.ndarray:
    """Return a 64-bit hash of each row's stored columns (``uint64``)."""
    row = np.zeros(len(frame), np.uint64)
    for f in _SCHEMAS[table]:
        if not f.name.startswith("_"):
            row *= _MIX  # wraps around: uint64 arithmetic is modulo 2**64
            row += _value_hashes(frame[f.name])
    return row


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _fingerprints(orders: pd.DataFrame, items: pd.DataFrame, item_order: np.ndarray) -> np.ndarray:
    """Return a 64-bit fingerprint of each order's stored row and item rows (``int64``).

    Only compared for equality: an order whose fingerprint changed is written again.
    """
    rev = _row_hashes(orders, "orders")
    rows = _row_hashes(items, "items")
    known = item_order >= 0
    # Each line weighted by its place in the order, so that reordered lines count as a change.
    place = pd.Series(item_order).groupby(item_order).cumcount().to_numpy(np.uint64) + np.uint64(1)
    lines = np.zeros(len(orders), np.uint64)
    np.add.at(
        lines,
        item_order[known],
        hash_ints(rows[known].view(np.int64) ^ place[known].astype(np.int64)),
    )
    return hash_ints(rev.view(np.int64) ^ lines.view(np.int64)).view(np.int64)


def _item_keys(ids: pd.Series) -> pd.arrays.IntegerArray:
    """Return a 64-bit hash of each item id (``Int64``; missing where there is no id).

    The fleet lens matches a shipment's line to its order's items by these keys instead of the
    ids' text (:func:`_partition_input`): two ids of one order with the same hash would be taken
    for one, a chance of about one in 10¹⁸ for an order of a few lines.
    """
    keys = text_hashes(ids).view(np.int64)
    return pd.arrays.IntegerArray(keys, ids.isna().to_numpy(bool))


def _positions(ids: pd.Series, within: pd.Series) -> np.ndarray:
    """Return each of ``ids``' row in ``within`` (distinct ids; -1: absent), through Arrow."""
    found = pc.index_in(_arrow_text(ids), value_set=_arrow_text(within).combine_chunks())
    return found.fill_null(-1).to_numpy().astype(np.int64)


def _arrow_text(series: pd.Series) -> pa.ChunkedArray:
    try:
        arr = pa.chunked_array(series.array.__arrow_array__())  # type: ignore[union-attr]
    except (AttributeError, TypeError, pa.ArrowException):
        arr = pa.chunked_array([pa.array(series.astype(schema.STR).array)])
    return arr.cast(pa.large_string())


def _files(fs: fsspec.AbstractFileSystem, folder: str) -> list[str]:
    """Return the Parquet files of a partition folder, in the order they were appended."""
    if not fs.exists(folder):
        return []
    return sorted(p for p in fs.ls(folder, detail=False) if p.endswith(".parquet"))


def _read(
    fs: fsspec.AbstractFileSystem, folder: str, table: str, columns: list[str] | None = None
) -> pa.Table:
    """Return a partition's rows of ``table`` (its files one after the other).

    On one thread: a partition is a task's whole work, and Arrow's threads cost CPU time (about a
    third more, measured: 77 ms against 59 ms for a partition's events) for a wall time that a
    cluster's other tasks fill anyway. Local files are memory-mapped: read through fsspec, the
    kernel's copies into Arrow's buffers cost as much system time as decoding them.
    """
    target = _SCHEMAS[table]
    if columns is not None:
        target = pa.schema([target.field(c) for c in columns])
    local = _is_local(fs)
    parts = [
        pq.read_table(
            f,
            filesystem=None if local else fs,
            columns=columns,
            schema=target,
            use_threads=False,
            memory_map=local,
        )
        for f in _files(fs, folder)
    ]
    return pa.concat_tables(parts) if parts else target.empty_table()


@dataclass
class _Rows:
    """A partition's rows as read (internal): each order's latest revision, its items and events."""

    orders: pa.Table  # one row per order, in the order of their numbers
    items: pa.Table  # the lines of each order's latest revision
    item_row: np.ndarray  # int32: each item's order (its row in ``orders``)
    current: np.ndarray | None  # which of the items files' rows are ``items`` (None: all)
    events: pa.Table
    event_row: np.ndarray  # int32: each event's order


def _rows(
    fs: fsspec.AbstractFileSystem,
    root: str,
    part: Partition,
    columns: Mapping[str, Sequence[str]] | None = None,
) -> _Rows:
    """Return ``part``'s rows: of each table, ``columns`` (default: all that are stored).

    Raises:
        ValueError: an event names no order of the partition (files lost or edited).
    """

    def read(table: str, keys: tuple[str, ...]) -> pa.Table:
        names = _SCHEMAS[table].names if columns is None else [*columns[table], *keys]
        wanted = [c for c in dict.fromkeys(names) if c in _SCHEMAS[table].names]
        return _read(fs, f"{root}/{part.path(table)}", table, wanted)

    orders = read("orders", (_SEQ, _ORDER))
    items = read("items", (_SEQ, _ORDER))
    events = read("events", (_ORDER,))
    number = _ints(orders, _ORDER)
    seq = _ints(orders, _SEQ)
    if len(number) and (np.diff(number) <= 0).any():  # revisions: the latest of each order
        by = np.lexsort((seq, number))  # stable: of one append, the last row
        latest = by[np.r_[number[by][1:] != number[by][:-1], True]]
        orders, number, seq = orders.take(latest), number[latest], seq[latest]
    # Each number's row (-1: none), for the items and events.
    row_of = np.full(int(number.max(initial=-1)) + 2, -1, np.int32)  # the last: out of range
    row_of[number] = np.arange(len(number), dtype=np.int32)
    item_row = row_of[np.minimum(_ints(items, _ORDER), len(row_of) - 1)]
    current: np.ndarray | None = (item_row >= 0) & (
        _ints(items, _SEQ) == seq[np.maximum(item_row, 0)]
    )
    if current.all():
        current = None
    else:  # the lines of earlier revisions
        items, item_row = items.filter(pa.array(current)), item_row[current]
    event_row = row_of[np.minimum(_ints(events, _ORDER), len(row_of) - 1)]
    if (event_row < 0).any():  # only if files were lost or edited: an event names no order here
        raise ValueError(
            f"history partition {part.path('events')}: events of orders the partition lacks"
        )
    return _Rows(orders, items, item_row, current, events, event_row)


def _partition_book(
    fs: fsspec.AbstractFileSystem,
    root: str,
    part: Partition,
    columns: Mapping[str, Sequence[str]] | None = None,
) -> OrderBook:
    """Return one partition as an order book: each order's latest revision, and its events.

    ``columns``: per table, the documented columns to read (default: all that are stored); the
    others are added empty by the book. The orders come in the order of their numbers, and each
    row's order position is remembered for the fleet lens (:mod:`orderkit.codes`): the lens
    replays a partition without matching its order ids.

    Raises:
        ValueError: an event names no order of the partition (files lost or edited).
    """
    if columns is not None:  # the items' and events' order ids are taken from the orders below
        columns = {
            t: [c for c in cols if t == "orders" or c != "order_id"] for t, cols in columns.items()
        }
        columns = {**columns, "orders": ["order_id", *columns["orders"]]}
    rows = _rows(fs, root, part, columns)
    items, events = (
        t.drop_columns(["order_id"]) if "order_id" in t.column_names else t
        for t in (rows.items, rows.events)
    )
    # An item's or an event's order id is its order's: taken from the orders (a copy of offsets
    # and bytes), several times cheaper than decoding their own column.
    order_ids = rows.orders.column("order_id").combine_chunks()
    items = items.append_column("order_id", order_ids.take(pa.array(rows.item_row)))
    events = events.append_column("order_id", order_ids.take(pa.array(rows.event_row)))
    frames = {
        name: _frame(table.drop_columns([c for c in _STORED if c in table.column_names]), name)
        for name, table in (("orders", rows.orders), ("items", items), ("events", events))
    }
    universe = ("history", part, object())  # this read's rows only
    n = rows.orders.num_rows
    remember(frames["orders"]["order_id"], np.arange(n, dtype=np.int32), universe)
    remember(frames["items"]["order_id"], rows.item_row, universe)
    remember(frames["events"]["order_id"], rows.event_row, universe)
    orders_frame = frames["orders"].assign(account=part.account)
    return OrderBook(orders_frame, frames["items"], frames["events"])


#: What :func:`_partition_input` reads of each table: the fleet lens's columns, with what the
#: history stores for some of them — the order numbers for the order ids (the orders' ids are read
#: when asked for), item-id hashes for the item ids, each line's amount for its charges and
#: discounts, whether an event carries a tracking number for the number. Event ids matter only to
#: corrections, read as a book.
_NOT_READ = {
    "orders": ("order_id",),
    "items": ("order_id", "order_item_id", *CHARGES, *DISCOUNTS),
    "events": ("order_id", "event_id", "ref", "order_item_id", "tracking_number"),
}
_READ_INSTEAD = {"orders": (), "items": (_AMOUNT,), "events": (_ITEM, _TRACKED)}
_LENS: Mapping[str, tuple[str, ...]] = {
    t: (*(c for c in cols if c not in _NOT_READ[t]), *_READ_INSTEAD[t])
    for t, cols in metrics.COLUMNS_READ.items()
}


def _partition_input(
    fs: fsspec.AbstractFileSystem, root: str, part: Partition, *, ids: bool = False
) -> metrics.FleetInput | OrderBook:
    """Return one partition as the fleet lens reads it: its columns as arrays, with no book.

    The stored order numbers stand for the order ids (read only if ``ids``: :func:`status_at`
    needs them) and the item ids' hashes for the ids; the items' hashes are read only when a
    shipment names a line. A partition with corrections (``voided`` events) is read as a book
    instead (:func:`_partition_book`), whose live events leave out what they void.

    Raises:
        ValueError: an event names no order of the partition; an item has no quantity.
    """
    wanted = {t: [*c, *(["order_id"] if ids and t == "orders" else [])] for t, c in _LENS.items()}
    rows = _rows(fs, root, part, wanted)

    def item_keys() -> pa.ChunkedArray:
        column = _read(fs, f"{root}/{part.path('items')}", "items", [_ITEM])[0]
        return column if rows.current is None else column.filter(pa.array(rows.current))

    try:
        fleet = metrics.FleetInput.from_arrow(
            rows.orders,
            rows.items,
            rows.events,
            item_order=rows.item_row,
            event_order=rows.event_row,
            item_keys=item_keys,
            event_items=rows.events[_ITEM],
            tracking=rows.events[_TRACKED].to_numpy(),
            item_amount=rows.items[_AMOUNT].to_numpy(),
            order_ids=_ids(rows.orders["order_id"]) if ids else None,
        )
    except ValueError as e:
        raise ValueError(f"history partition {part.path('items')}: {e}") from e
    if fleet is None:
        return _partition_book(fs, root, part, metrics.COLUMNS_READ)
    return fleet


def _ids(column: pa.ChunkedArray) -> pd.Series:
    """Return the orders' ids as a book holds them (``str``)."""
    return pd.Series(column.to_pandas(), dtype=schema.STR, copy=False)


def _frame(table: pa.Table, name: str) -> pd.DataFrame:
    """Return a partition's ``table`` as a frame in the book's dtypes, its ``Int64`` columns too.

    Arrow gives an integer column with nulls to pandas as ``float64``, and one without as
    ``int64``, which the book would then convert to ``Int64``, checking every value: here the
    values and the null mask are taken as they are. The other columns are converted without
    consolidating them into blocks (``split_blocks``: no copy into a 2-D array).
    """
    spec = _SPECS[name]
    nullable = {
        col: _int64_array(table.column(col))
        for col in table.column_names
        if pa.types.is_int64(table.schema.field(col).type) and spec[col].dtype == "Int64"
    }
    rest = table.drop_columns(list(nullable)).to_pandas(split_blocks=True)
    return pd.DataFrame(
        {c: nullable[c] if c in nullable else rest[c] for c in table.column_names}, copy=False
    )


def _int64_array(column: pa.ChunkedArray) -> pd.arrays.IntegerArray:
    """Return an Arrow ``int64`` column as a pandas ``Int64`` array (its values and null mask)."""
    arr = column.combine_chunks()
    n = len(arr)
    data = arr.buffers()[1]
    values = (
        np.frombuffer(data, np.int64, count=n, offset=arr.offset * 8).copy()
        if data is not None and n
        else np.zeros(n, np.int64)
    )
    mask = arr.is_null().to_numpy(zero_copy_only=False) if arr.null_count else np.zeros(n, bool)
    return pd.arrays.IntegerArray(values, mask)


def _ints(table: pa.Table, name: str) -> np.ndarray:
    """Return an integer column of ``table`` as a numpy array."""
    return table.column(name).to_numpy()


def _active(client: Client | None) -> Client | None:
    """Return ``client``, or the active ``dask.distributed`` client, or ``None`` (in-process)."""
    if client is not None:
        return client
    try:
        from distributed import default_client

        return default_client()
    except (ImportError, ValueError):  # no distributed installed, or no client started
        return None


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _apply(
    fs: fsspec.AbstractFileSystem,
    root: str,
    part: Partition,
    func: Callable[[Partition, OrderBook], T],
    columns: Mapping[str, Sequence[str]] | None = None,
) -> T:
    """Read ``part`` and apply ``func`` to it (the task each partition runs, wherever it runs)."""
    return func(part, _partition_book(fs, root, part, columns))


def _apply_lens(
    fs: fsspec.AbstractFileSystem,
    root: str,
    part: Partition,
    func: Callable[[Partition, metrics.FleetInput | OrderBook], T],
    ids: bool = False,
) -> T:
    """Read ``part`` as the fleet lens reads it and apply ``func`` (see :func:`_partition_input`)."""
    return func(part, _partition_input(fs, root, part, ids=ids))


def _run(
    task: Callable[[Partition], T],
    parts: list[Partition],
    *,
    client: Client | None,
    retries: int,
    progress: bool,
) -> list[T]:
    """Return ``task(part)`` of each of ``parts``: on ``client`` (or the active one), or here."""
    client = _active(client)
    if client is None:
        from tqdm.auto import tqdm

        bar = tqdm(parts, desc="partitions", unit="part", disable=not progress or None)
        return [task(part) for part in bar]
    futures = client.map(task, parts, retries=retries, pure=False)
    if progress and _in_notebook():
        from distributed import progress as dask_progress

        dask_progress(futures)
    elif progress:
        from distributed import as_completed
        from tqdm.auto import tqdm

        for _ in tqdm(as_completed(futures), total=len(futures), desc="partitions", disable=None):
            pass
    return client.gather(futures)


class History:
    """A partitioned Parquet history of order books, for many seller accounts.

    Args:
        url: a local folder or any fsspec URL (``s3://bucket/orderkit``, ``gcs://...``,
            ``memory://...``); created on first use.
        buckets: order-id hash buckets per account and month (default :data:`DEFAULT_BUCKETS`
            for a new history; an existing history keeps its own).
        storage_options: passed to fsspec (credentials, endpoint, ...).

    Raises:
        ValueError: ``buckets`` differs from the existing history's, or is below 1; the folder
            holds a history of another format.

    """

    def __init__(
        self,
        url: str,
        *,
        buckets: int | None = None,
        storage_options: Mapping[str, Any] | None = None,
    ) -> None:
        self.url = str(url)
        self._fs, self._root = fsspec.core.url_to_fs(self.url, **(storage_options or {}))
        self._root = self._root.rstrip("/")
        meta = self._meta()
        if meta is None:
            if buckets is not None and buckets < 1:
                raise ValueError(f"buckets must be at least 1, not {buckets}")
            meta = {"format": _FORMAT, "buckets": buckets or DEFAULT_BUCKETS, "appends": 0}
            self._fs.makedirs(self._root, exist_ok=True)
            self._write_meta(meta)
        elif meta.get("format") != _FORMAT:
            raise ValueError(
                f"{self.url} holds a history of format {meta.get('format')!r}, not {_FORMAT}: "
                "append the store (or its books) to a new history to rebuild it"
            )
        elif buckets is not None and buckets != meta["buckets"]:
            raise ValueError(
                f"{self.url} has {meta['buckets']} buckets; it cannot be opened with {buckets}"
            )
        self.buckets: int = int(meta["buckets"])

    def __repr__(self) -> str:
        return f"<History {self.url}: {len(self.partitions())} partitions, {self.buckets} buckets>"

    def _meta(self) -> dict[str, Any] | None:
        path = f"{self._root}/{_META}"
        if not self._fs.exists(path):
            return None
        with self._fs.open(path, "r") as f:
            return json.load(f)

    def _write_meta(self, meta: Mapping[str, Any]) -> None:
        data = json.dumps(dict(meta)).encode()
        path = f"{self._root}/{_META}"
        if _is_local(self._fs):
            write_atomic(path, data)  # replaced whole or not at all
        else:
            self._fs.pipe_file(path, data)  # an object store's put is atomic

    # -- layout ----------------------------------------------------------------------------------
    def partitions(self) -> list[Partition]:
        """Return the history's partitions (those holding orders), sorted."""
        found = []
        for path in self._fs.glob(f"{self._root}/orders/account=*/bucket=*/month=*"):
            account, bucket, month = (
                seg.split("=", 1)[1] for seg in path.rstrip("/").split("/")[-3:]
            )
            found.append(Partition(unquote(account), int(bucket), month))
        return sorted(found)

    def accounts(self) -> list[str]:
        """Return the seller accounts the history holds, sorted."""
        return sorted({p.account for p in self.partitions()})

    def book(self, partition: Partition) -> OrderBook:
        """Return one partition as an :class:`~orderkit.book.OrderBook` (orders' latest revisions)."""
        return _partition_book(self._fs, self._root, partition)

    def _keys(self, orders: pd.DataFrame) -> pd.DataFrame:
        """Return each order's partition: ``account``, ``bucket``, ``month``."""
        bucket = text_hashes(orders["order_id"]) % np.uint64(self.buckets)
        return pd.DataFrame(
            {
                "account": order_accounts(orders).to_numpy(object),
                "bucket": bucket.astype(np.int64),
                "month": _months(orders["purchase_date"]),
            }
        )

    # -- writing ---------------------------------------------------------------------------------
    def append(self, source: OrderBook | _Loadable) -> AppendSummary:
        """Add what ``source`` (a book, or a store: anything with ``load()``) holds that is new.

        New events (by event id) and new or changed orders (row or items; PII left out) are
        written; nothing already in the history is written again. An order keeps the partition
        of its first append (its purchase date and account are Amazon's facts of checkout).

        Returns:
            An :class:`AppendSummary`.

        Raises:
            ValueError: the source's orders repeat an order id.

        """
        book = source if isinstance(source, OrderBook) else source.load()
        orders, items, events = book.orders, book.items, book.events
        if pc.count_distinct(_arrow_text(orders["order_id"])).as_py() != len(orders):
            raise ValueError("the source's orders table repeats an order id")
        keys = self._keys(orders)
        item_order = _positions(items["order_id"], orders["order_id"])
        event_order = _positions(events["order_id"], orders["order_id"])
        orphans = int((item_order < 0).sum() + (event_order < 0).sum())
        revs = _fingerprints(orders, items, item_order)
        meta = self._meta() or {}
        seq = int(meta.get("appends", 0)) + 1
        token = secrets.token_hex(4)
        written = {"orders": 0, "items": 0, "events": 0}
        touched = 0
        groups = keys.groupby(["account", "bucket", "month"], sort=True).indices
        order_part = np.empty(len(orders), np.int64)
        for g, rows in enumerate(groups.values()):
            order_part[rows] = g
        item_groups = _group(order_part, item_order)
        event_groups = _group(order_part, event_order)
        number = np.full(len(orders), -1, np.int32)  # each order's number in its partition
        for g, ((account, bucket, month), rows) in enumerate(groups.items()):
            part = Partition(str(account), int(bucket), str(month))
            changed, number[rows] = self._changed(part, orders["order_id"].iloc[rows], revs[rows])
            ev_rows = event_groups.get(g, np.zeros(0, np.int64))
            new_events = self._new_events(part, events["event_id"].iloc[ev_rows])
            if not changed.any() and not new_events.any():
                continue
            touched += 1
            o_rows = rows[changed]
            it_rows = item_groups.get(g, np.zeros(0, np.int64))
            it_rows = it_rows[np.isin(item_order[it_rows], o_rows)]
            ev_rows = ev_rows[new_events]
            ev_number = number[event_order[ev_rows]]
            ev_rows = ev_rows[metrics.replay_order(events.iloc[ev_rows], ev_number)]
            o_items, o_events = items.iloc[it_rows], events.iloc[ev_rows]
            frames = {
                "orders": orders.iloc[o_rows].assign(
                    **{_SEQ: seq, _REV: revs[o_rows], _ORDER: number[o_rows]}
                ),
                "items": o_items.assign(
                    **{
                        _SEQ: seq,
                        _ORDER: number[item_order[it_rows]],
                        _ITEM: _item_keys(o_items["order_item_id"]),
                        _AMOUNT: line_amounts(o_items),
                    }
                ),
                # in the order the fold applies them: a partition written by one append is read
                # ready to replay, without a sort
                "events": o_events.assign(
                    **{
                        _ORDER: number[event_order[ev_rows]],
                        _ITEM: _item_keys(o_events["order_item_id"]),
                        _TRACKED: metrics.tracked(o_events["tracking_number"]),
                    }
                ),
            }
            for table, frame in frames.items():
                if len(frame):
                    self._write(part, table, frame, f"{seq:08d}-{token}")
                    written[table] += len(frame)
        self._write_meta({**meta, "format": _FORMAT, "buckets": self.buckets, "appends": seq})
        return AppendSummary(
            written["orders"], written["items"], written["events"], orphans, touched
        )

    def _changed(
        self, part: Partition, order_ids: pd.Series, revs: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return which of a partition's incoming orders are new or changed, and their numbers.

        Returns:
            A bool per order (new or changed), and each order's number in the partition
            (``int32``): a stored order keeps its own, new ones follow the highest stored.
        """
        stored = _read(
            self._fs, f"{self._root}/{part.path('orders')}", "orders", ["order_id", _REV, _ORDER]
        )
        if not stored.num_rows:
            return np.ones(len(order_ids), bool), np.arange(len(order_ids), dtype=np.int32)
        latest_first = stored.to_pandas().iloc[::-1]  # an id's first match: its latest revision
        pos = _positions(order_ids, latest_first["order_id"])
        at = np.maximum(pos, 0)
        new = pos < 0
        numbers = latest_first[_ORDER].to_numpy(np.int32)[at]
        numbers[new] = int(latest_first[_ORDER].max()) + 1 + np.arange(int(new.sum()))
        return new | (latest_first[_REV].to_numpy()[at] != revs), numbers

    def _new_events(self, part: Partition, event_ids: pd.Series) -> np.ndarray:
        """Return which incoming events of a partition are not stored yet (bool per event)."""
        stored = _read(self._fs, f"{self._root}/{part.path('events')}", "events", ["event_id"])
        ids = event_ids.to_numpy(np.int64)
        fresh = ~pd.Series(ids).duplicated().to_numpy()  # an event once, even if repeated
        if stored.num_rows:
            fresh &= ~np.isin(ids, stored.column("event_id").to_numpy())
        return fresh

    def _write(self, part: Partition, table: str, frame: pd.DataFrame, name: str) -> None:
        _put_parquet(
            self._fs,
            f"{self._root}/{part.path(table)}",
            name,
            _to_arrow(frame, table),
            **_WRITE_OPTIONS[table],
        )

    # -- computing ---------------------------------------------------------------------------------
    def map_partitions(
        self,
        func: Callable[[Partition, OrderBook], T],
        *,
        client: Client | None = None,
        partitions: Sequence[Partition] | None = None,
        columns: Mapping[str, Sequence[str]] | None = None,
        retries: int = 2,
        progress: bool = True,
    ) -> list[T]:
        """Return ``func(partition, book)`` for each partition, in :meth:`partitions`' order.

        Run as every computation over the history is: on ``client`` (or the active
        ``dask.distributed`` client), one task per partition, each reading its own files on its
        worker (a lost worker's tasks are computed again elsewhere; a task that fails is retried
        ``retries`` times); in this process otherwise. ``func`` must be picklable for a cluster
        (a module-level function, or a ``functools.partial`` of one). ``columns`` (per table,
        the columns ``func`` needs) spares reading the others.

        Progress shows as Dask's progress bar in Jupyter, a ``tqdm`` bar elsewhere.
        """
        parts = list(self.partitions() if partitions is None else partitions)
        task = functools.partial(_apply, self._fs, self._root, func=func, columns=columns)
        return _run(task, parts, client=client, retries=retries, progress=progress)

    def _lens(
        self,
        func: Callable[[Partition, metrics.FleetInput | OrderBook], T],
        partitions: Sequence[Partition],
        *,
        client: Client | None,
        progress: bool,
        ids: bool = False,
    ) -> list[T]:
        """Return ``func(partition, input)`` for each partition, as :meth:`map_partitions` does.

        Each partition is read as the fleet lens reads it (:class:`~orderkit.metrics.FleetInput`:
        arrays, no book), which costs about half of building a book from the same files.
        """
        task = functools.partial(_apply_lens, self._fs, self._root, func=func, ids=ids)
        return _run(task, list(partitions), client=client, retries=2, progress=progress)

    def daily(
        self,
        start: dt.date | None = None,
        end: dt.date | None = None,
        *,
        client: Client | None = None,
        policy: Policy | Mapping[str, Policy] = DEFAULT_POLICY,
        progress: bool = True,
    ) -> pd.DataFrame:
        """Return :func:`orderkit.metrics.daily` of each account, computed partition by partition.

        ``start`` and ``end`` default per account as :func:`~orderkit.metrics.daily` defaults them
        for that account's book; leaving either out costs a first pass over the history (each
        partition's first order and last status change).

        Args:
            start: the first day (Japan time).
            end: the last day (Japan time).
            client: a ``dask.distributed`` client (default: the active one, or in-process).
            policy: one :class:`~orderkit.policy.Policy`, or one per account.
            progress: show a progress bar.

        Returns:
            A frame indexed by ``account`` and ``day`` with :func:`~orderkit.metrics.daily`'s
            columns: ``history.daily().loc[account]`` is ``metrics.daily`` of that account's book.

        Raises:
            ValueError: ``end`` before ``start``; an account without a policy.

        """
        layout = self.partitions()
        policies = _policies(policy, {p.account for p in layout})
        days: dict[str, tuple[dt.date, dt.date]]
        if start is None or end is None:
            spans = self._lens(
                functools.partial(_span, policies=policies),
                layout,
                client=client,
                progress=progress,
            )
            by_account = _combine_by_account(zip(layout, spans, strict=True))
            days = {a: span.days(start, end) for a, span in by_account.items()}
        else:
            days = dict.fromkeys(policies, (start, end))
        for a, (first, last) in days.items():
            if last < first:
                raise ValueError(f"account {a}: end {last} is before start {first}")
        parts = self._lens(
            functools.partial(_daily, policies=policies, days=days),
            layout,
            client=client,
            progress=progress,
        )
        counts = _combine_by_account(zip(layout, parts, strict=True))
        frames = {a: c.frame() for a, c in sorted(counts.items())}
        if not frames:
            empty = metrics.daily(OrderBook()).iloc[:0]
            return empty.set_index(pd.MultiIndex.from_arrays([[], []], names=["account", "day"]))
        return pd.concat(frames, names=["account"])

    def rates(
        self,
        *,
        at: dt.datetime,
        client: Client | None = None,
        policy: Policy | Mapping[str, Policy] = DEFAULT_POLICY,
        progress: bool = True,
    ) -> pd.DataFrame:
        """Return :func:`orderkit.metrics.rates` of each account at ``at`` (never pooled).

        Each account's numerators and denominators are summed over its partitions, then divided.

        Returns:
            :func:`~orderkit.metrics.rates`' frame with an ``account`` column first, the accounts'
            rows one after the other (sorted by account).

        Raises:
            ValueError: ``at`` is naive; an account without a policy.

        """
        metrics._instant(at)  # a naive ``at`` fails here, before any work
        layout = self.partitions()
        policies = _policies(policy, {p.account for p in layout})
        parts = self._lens(
            functools.partial(_rates, policies=policies, at=at),
            layout,
            client=client,
            progress=progress,
        )
        counts = _combine_by_account(zip(layout, parts, strict=True))
        frames = [c.frame().assign(account=a) for a, c in sorted(counts.items())]
        if not frames:
            return (
                metrics.rates(OrderBook(), at=at)
                .iloc[:0]
                .assign(account=pd.Series(dtype=schema.STR))
            )
        out = pd.concat(frames, ignore_index=True)
        return out[["account", *out.columns.drop("account")]]

    def status_at(
        self,
        at: dt.datetime,
        *,
        client: Client | None = None,
        out: str | None = None,
        policy: Policy | Mapping[str, Policy] = DEFAULT_POLICY,
        storage_options: Mapping[str, Any] | None = None,
        progress: bool = True,
    ) -> pd.DataFrame:
        """Return each order's status and flags at ``at`` — or, with ``out``, write them there.

        Without ``out``: :func:`orderkit.metrics.status_at`'s frame of every order, with an
        ``account`` column first, partition after partition (the client holds every order: for
        a history that fits in memory). With ``out`` (a folder or fsspec URL): each partition's
        frame is written by its task to ``out/account=.../bucket=.../month=.../status.parquet``
        and only the counts come back, so no machine holds every order.

        Returns:
            Without ``out``, the per-order frame; with it, the counts: a frame indexed by
            ``account`` and ``status`` with columns ``orders``, ``late``, ``confirm_warning``,
            ``at_risk``, ``charged`` and ``refused`` (how many orders have each flag).

        Raises:
            ValueError: ``at`` is naive; an account without a policy.

        """
        metrics._instant(at)
        layout = self.partitions()
        policies = _policies(policy, {p.account for p in layout})
        func = functools.partial(_status, policies=policies, at=at)
        if out is None:
            frames = self._lens(func, layout, client=client, progress=progress, ids=True)
            if not frames:
                return _with_account(metrics.status_at(OrderBook(), at), "")
            return pd.concat(frames)
        out_fs, out_root = fsspec.core.url_to_fs(str(out), **(storage_options or {}))
        func = functools.partial(
            _status_to, policies=policies, at=at, fs=out_fs, root=out_root.rstrip("/")
        )
        parts = self._lens(func, layout, client=client, progress=progress, ids=True)
        if not parts:
            return pd.DataFrame(columns=list(_COUNTED))
        return pd.concat(parts).groupby(level=["account", "status"]).sum()

    # -- SQL ---------------------------------------------------------------------------------------
    def sql(self, connection: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyConnection:
        """Return a DuckDB connection with ``orders``, ``items`` and ``events`` views over the files.

        Each view reads the Parquet files with hive partitioning (``account``, ``bucket`` and
        ``month`` are columns); ``orders`` and ``items`` show each order's latest revision.
        A history on a remote fsspec URL is read through that filesystem.

        Example::

            con = History("history").sql()
            con.sql("SELECT account, count(*) FROM orders GROUP BY account").df()

        """
        import duckdb

        con = connection if connection is not None else duckdb.connect()
        prefix = self._root
        if not _is_local(self._fs):
            con.register_filesystem(self._fs)
            prefix = f"{self._fs.protocol if isinstance(self._fs.protocol, str) else self._fs.protocol[0]}://{self._root}"

        def source(table: str) -> str:
            if not self.partitions():  # no files yet: typed, empty
                cols = [("account", "VARCHAR"), ("bucket", "INTEGER"), ("month", "VARCHAR")]
                cols += [(f.name, _duck_type(f.type)) for f in _SCHEMAS[table]]
                typed = ", ".join(f'CAST(NULL AS {t}) AS "{name}"' for name, t in cols)
                return f"(SELECT {typed} WHERE false)"
            glob = f"{prefix}/{table}/account=*/bucket=*/month=*/*.parquet"
            return (
                f"read_parquet('{glob}', hive_partitioning = true, union_by_name = true, "
                "hive_types = {'account': VARCHAR, 'bucket': INTEGER, 'month': VARCHAR})"
            )

        latest = (
            f"SELECT * FROM {source('orders')} "
            f"QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY {_SEQ} DESC) = 1"
        )
        con.execute(
            f"CREATE OR REPLACE VIEW orders AS SELECT * EXCLUDE ({_SEQ}, {_REV}, {_ORDER}) "
            f"FROM ({latest})"
        )
        con.execute(
            f"CREATE OR REPLACE VIEW items AS SELECT i.* EXCLUDE ({_SEQ}, {_ORDER}, {_ITEM}, {_AMOUNT}) "
            f"FROM {source('items')} AS i "
            f"SEMI JOIN ({latest}) AS o ON i.order_id = o.order_id AND i.{_SEQ} = o.{_SEQ}"
        )
        con.execute(
            f"CREATE OR REPLACE VIEW events AS SELECT * EXCLUDE ({_ORDER}, {_ITEM}, {_TRACKED}) "
            f"FROM {source('events')}"
        )
        return con


# ---- the per-partition tasks (module-level: a cluster pickles them by reference) -----------------


def _span(
    part: Partition, book: metrics.FleetInput | OrderBook, *, policies: Mapping[str, Policy]
) -> metrics.DailySpan:
    return metrics.DailySpan.of(book, policy=policies[part.account])


def _daily(
    part: Partition,
    book: metrics.FleetInput | OrderBook,
    *,
    policies: Mapping[str, Policy],
    days: Mapping[str, tuple[dt.date, dt.date]],
) -> metrics.DailyCounts:
    start, end = days[part.account]
    return metrics.daily_counts(book, start=start, end=end, policy=policies[part.account])


def _rates(
    part: Partition,
    book: metrics.FleetInput | OrderBook,
    *,
    policies: Mapping[str, Policy],
    at: dt.datetime,
) -> metrics.RateCounts:
    return metrics.rate_counts(book, at=at, policy=policies[part.account])


def _with_account(frame: pd.DataFrame, account: str) -> pd.DataFrame:
    frame.insert(0, "account", pd.array([account] * len(frame), dtype=schema.STR))
    return frame


def _status(
    part: Partition,
    book: metrics.FleetInput | OrderBook,
    *,
    policies: Mapping[str, Policy],
    at: dt.datetime,
) -> pd.DataFrame:
    return _with_account(metrics.status_at(book, at, policy=policies[part.account]), part.account)


_COUNTED = ("orders", "late", "confirm_warning", "at_risk", "charged", "refused")


def _status_to(
    part: Partition,
    book: metrics.FleetInput | OrderBook,
    *,
    policies: Mapping[str, Policy],
    at: dt.datetime,
    fs: fsspec.AbstractFileSystem,
    root: str,
) -> pd.DataFrame:
    """Write a partition's :func:`~orderkit.metrics.status_at` under ``root``; return its counts."""
    frame = _status(part, book, policies=policies, at=at)
    folder = f"{root}/{part.path('status')[len('status/') :]}"
    _put_parquet(fs, folder, "status", pa.Table.from_pandas(frame.drop(columns="account")))
    flags = frame[list(_COUNTED[1:])].astype(np.int64)
    counts = flags.groupby(frame["status"].to_numpy()).sum()
    counts.insert(0, "orders", frame.groupby(frame["status"].to_numpy()).size())
    counts.index = pd.MultiIndex.from_product(
        [[part.account], counts.index], names=["account", "status"]
    )
    return counts


# ---- helpers ----------------------------------------------------------------------------------------


def _put_parquet(
    fs: fsspec.AbstractFileSystem, folder: str, name: str, table: pa.Table, **options: Any
) -> None:
    """Write ``table`` as ``folder/name.parquet``, complete or not at all (``options``: Parquet's).

    Written under a temporary name first (readers list ``*.parquet`` only) and then moved: a
    crash mid-write leaves no half file for a reader to fail on.
    """
    fs.makedirs(folder, exist_ok=True)
    temporary = f"{folder}/.{name}.{secrets.token_hex(4)}.tmp"
    pq.write_table(table, temporary, filesystem=fs, **options)
    fs.mv(temporary, f"{folder}/{name}.parquet")


def _group(order_part: np.ndarray, row_order: np.ndarray) -> dict[int, np.ndarray]:
    """Return the rows of a table (each row's order position; -1: none) grouped by partition."""
    known = np.flatnonzero(row_order >= 0)
    part = order_part[row_order[known]]
    by = np.argsort(part, kind="stable")  # each partition's rows keep the table's order
    rows, part = known[by], part[by]
    bounds = np.flatnonzero(np.diff(part)) + 1
    return {
        int(p[0]): r
        for p, r in zip(np.split(part, bounds), np.split(rows, bounds), strict=True)
        if len(p)
    }


def _combine_by_account(parts: Iterable[tuple[Partition, T]]) -> dict[str, T]:
    """Return the sum (``+``) of each account's parts."""
    out: dict[str, Any] = {}
    for part, value in parts:
        out[part.account] = value if part.account not in out else out[part.account] + value
    return out


def _policies(policy: Policy | Mapping[str, Policy], accounts: Iterable[str]) -> dict[str, Policy]:
    """Return each account's policy: ``policy`` for all, or looked up per account.

    Raises:
        ValueError: a mapping lacks an account of the history.

    """
    accounts = sorted(accounts)
    if isinstance(policy, Policy):
        return dict.fromkeys(accounts, policy)
    missing = [a for a in accounts if a not in policy]
    if missing:
        raise ValueError(
            f"no Policy for account(s) {', '.join(missing)}: each account needs its own"
        )
    return {a: policy[a] for a in accounts}


def _is_local(fs: fsspec.AbstractFileSystem) -> bool:
    protocol = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
    return "file" in protocol or "local" in protocol


def _duck_type(t: pa.DataType) -> str:
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    if pa.types.is_integer(t):
        return "BIGINT"
    return "VARCHAR"
