"""The event store: an order book kept in SQLite (by default) or PostgreSQL.

A :class:`Store` persists the three tables of an :class:`~orderkit.book.OrderBook` with one code
path (SQLAlchemy Core) for both databases:

- ``save(book)`` writes orders and items (upserted by their keys: a later report knows more) and
  appends the events;
- ``append(events)`` adds events idempotently by ``event_id`` (importing the same report twice adds
  nothing) and returns how many were new;
- ``record(event)`` checks an action against the rules on the stored order before appending it;
- ``load()`` returns the book, frame for frame as it was saved (dtypes of :mod:`orderkit.schema`,
  unknown extra columns kept).
- ``purge_pii(at=, days=30)`` deletes the buyer and recipient data of orders delivered more
  than ``days`` days before ``at`` (Amazon's Data Protection Policy).

Buyer and recipient data (:data:`orderkit.schema.PII`) is kept in a table of its own,
``orderkit_pii`` (order id → those columns), not in ``orderkit_orders``; ``load()`` joins it back.
A purged order's row stays, its values NULL and marked purged, so that an import of an old report
does not store them again.

Every write is one transaction: all or nothing; a failure raises
:class:`~orderkit.errors.StoreError` and leaves the store as it was.

Several processes may write at once:

- **SQLite** runs in WAL mode and takes the write lock at the start of each transaction
  (``BEGIN IMMEDIATE``): writers queue, one at a time, never deadlock; one that waits longer than
  the busy timeout (60 s) gets a ``StoreError``.
- **PostgreSQL** (READ COMMITTED) lets writers run side by side. Each write first takes
  transaction-level advisory locks, always in one order: the *writers' lock* — shared by a write
  that touches at most 32 orders, exclusive for a larger one — then, for a small write, one lock
  per order it touches, in the order of their lock keys. So two writes that touch a common order
  run one after the other (the later one sees what the earlier committed, which is what a write
  that reads the stored events of its orders before adding to them needs), and no writer waits for
  a lock while holding one that comes later in that order: orderkit's writers cannot deadlock,
  whatever the order of the rows they write. Advisory locks rather than ``SELECT … FOR UPDATE``,
  because an order not stored yet has no row to lock; a lock per order rather than rows sorted by
  key, because the rows' insertion order is the order ``load()`` returns them in. Why the
  threshold: every advisory lock takes a slot of the server's shared lock table (64 per connection
  by default), so an import of thousands of orders takes the writers' lock exclusively instead
  (and waits for the small writes in progress, which wait for it in turn).
- A serialisation failure (SQLSTATE 40001) or deadlock (40P01) that still happens — another
  program writing the tables, say — rolls the transaction back, and it is run again from the start,
  up to 5 times with a short randomised pause between tries; then ``StoreError`` says it gave up.
  ``load()`` reads the tables in one snapshot (REPEATABLE READ on PostgreSQL).

Where the store is: ``Store(url)`` for any SQLAlchemy URL (``postgresql://…`` uses psycopg 3);
``Store(path=…)`` for a SQLite file; with neither, the environment variable ``ORDERKIT_STORE``
(a URL, or a path to a SQLite file) and otherwise ``orderkit-store.sqlite`` in the current
directory. A new SQLite file is created readable by its owner only (mode 600: it holds PII).

Timestamps are stored as integer nanoseconds since the epoch (UTC) in both databases, so they come
back tz-aware UTC and exact to the nanosecond; yen amounts as integers; extra columns as JSON with
their dtypes recorded; event ids as 64-bit integers. The schema version is recorded in
``orderkit_schema`` and checked on open: a store an earlier orderkit wrote is upgraded then, in
the same transaction (version 3 turned version 2's hex event ids into integers; version 5 moved
the PII out of the orders table), and a store of a later version is refused. A store whose metadata is damaged (a version that is not a whole number,
a column of an unknown dtype, invalid JSON in ``_extra``) raises ``StoreError`` naming the table,
the column and the row, and is left as it was.

>>> import datetime as dt
>>> from orderkit import Event, EventKind
>>> with Store("sqlite://") as store:
...     e = Event("503-1234567-1234567", dt.datetime(2026, 11, 2, tzinfo=dt.UTC), EventKind.PLACED)
...     store.append([e]), store.append([e])
(1, 0)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import random
import time
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.dialects import sqlite as sqlite_dialect

from orderkit import schema
from orderkit.book import OrderBook
from orderkit.errors import OrderNotFound, StoreError, TransitionNotAllowed
from orderkit.events import Event, event_ids, events_frame
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.reconcile import ImportSummary, reconcile, superseded
from orderkit.state import OrderState

T = TypeVar("T")
_jitter = random.Random()  # the randomised pause between tries (any seed will do)

__all__ = ["DEFAULT_PATH", "DELIVERY_MARGIN", "ENV_VAR", "SCHEMA_VERSION", "Store"]

SCHEMA_VERSION = 6  # 2: events.shipped_at; 3: event ids as 64-bit integers; 4: provenance;
# 5: buyer and recipient data (PII) in a table of its own, purged after delivery; 6: orders'
# seller account and marketplace


def _upgrade_1_to_2(conn: sa.Connection) -> None:
    """Version 2 added ``events.shipped_at`` (NULL for every fact stored before: their ids stay)."""
    ts = _sql_type(schema.EVENTS["shipped_at"].dtype).compile(dialect=conn.dialect)
    conn.execute(sa.text(f"ALTER TABLE orderkit_events ADD COLUMN shipped_at {ts}"))


def _hex_id(value: str | int) -> int:
    """Return a version-2 event id (16 hex digits) as the same hash in version 3 (signed 64 bits).

    SQLite may hand an all-digit id back as an integer: its digits are still the hex digits.
    """
    unsigned = int(str(value), 16)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def _upgrade_2_to_3(conn: sa.Connection) -> None:
    """Version 3 keeps event ids as 64-bit integers, not 16 hex digits: the same hashes, re-read.

    PostgreSQL converts the column in place. SQLite cannot change a column's type: the table is
    rebuilt, every row copied with its id converted, in the same transaction.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(
            sa.text(
                "ALTER TABLE orderkit_events ALTER COLUMN event_id TYPE BIGINT"
                " USING ('x' || lpad(event_id, 16, '0'))::bit(64)::bigint"
            )
        )
        return
    conn.connection.driver_connection.create_function(  # type: ignore[union-attr]
        "orderkit_hex_id", 1, _hex_id, deterministic=True
    )
    old = [row[1] for row in conn.execute(sa.text("PRAGMA table_info(orderkit_events)"))]
    conn.execute(sa.text("ALTER TABLE orderkit_events RENAME TO orderkit_events_v2"))
    conn.execute(sa.text("DROP INDEX IF EXISTS orderkit_events_by_order"))
    _T["events"].create(conn)
    columns = [c.name for c in _T["events"].columns if c.name in old]
    names = ", ".join(columns)
    values = ", ".join("orderkit_hex_id(event_id)" if c == "event_id" else c for c in columns)
    conn.execute(
        sa.text(f"INSERT INTO orderkit_events ({names}) SELECT {values} FROM orderkit_events_v2")
    )
    conn.execute(sa.text("DROP TABLE orderkit_events_v2"))


#: ``source`` values of the workbench, the sample and the simulator; any other was an import.
_ORIGIN_OF_SOURCE = {"workbench": "action", "sample": "sample", "simulate": "simulation"}
_UPGRADE_OPERATOR = "orderkit (store upgrade)"


def _upgrade_3_to_4(conn: sa.Connection) -> None:
    """Version 4 records each event's provenance and repairs what earlier imports doubled.

    ``origin``, ``operator`` and ``note`` are added (an event's id does not depend on them);
    ``origin`` is derived from ``source`` (the workbench: an action; the sample, the simulator;
    any file or API response: an import). Earlier versions appended every snapshot's facts again
    when Amazon moved a date, so an order could hold two payments or a shipment twice and no
    longer fold: the imported events of each source are replayed through the reconciliation, in
    the order they were saved, and every one it would not have added is *superseded* — a
    ``voided`` event (origin ``correction``) says so; nothing is deleted.
    """
    present = {c["name"] for c in sa.inspect(conn).get_columns("orderkit_events")}
    for name in ("origin", "operator", "note"):
        if name in present:  # a version-2 SQLite store is rebuilt with today's columns (2 → 3)
            continue
        kind = _sql_type(schema.EVENTS[name].dtype).compile(dialect=conn.dialect)
        conn.execute(sa.text(f"ALTER TABLE orderkit_events ADD COLUMN {name} {kind}"))
    cases = " ".join(f"WHEN '{src}' THEN '{origin}'" for src, origin in _ORIGIN_OF_SOURCE.items())
    conn.execute(
        sa.text(f"UPDATE orderkit_events SET origin = CASE source {cases} ELSE 'import' END")
    )
    book = Store._read_all(conn)
    voids = superseded(book)
    if len(voids):
        voids = voids.assign(operator=_UPGRADE_OPERATOR)
        conn.execute(_T["events"].insert(), _to_rows(voids, "events"))


def _upgrade_4_to_5(conn: sa.Connection) -> None:
    """Version 5 keeps buyer and recipient data (:data:`orderkit.schema.PII`) in ``orderkit_pii``.

    Each order's PII values move there (a row only for an order that has some), in the orders'
    saved order, and the columns are dropped from ``orderkit_orders`` (SQLite ≥ 3.35 and
    PostgreSQL drop a column in place), in the same transaction: nothing is lost or copied twice.
    """
    _T["pii"].create(conn, checkfirst=True)  # (a store made to look older may have it)
    present = {c["name"] for c in sa.inspect(conn).get_columns("orderkit_orders")}
    moved = [c for c in _PII_COLUMNS if c in present]
    if moved:
        names = ", ".join(moved)
        some = " OR ".join(f"{c} IS NOT NULL" for c in moved)
        conn.execute(
            sa.text(
                f"INSERT INTO orderkit_pii (order_id, {names}) SELECT order_id, {names}"
                f" FROM orderkit_orders WHERE {some} ORDER BY {_SEQ}"
            )
        )
    for c in moved:
        conn.execute(sa.text(f"ALTER TABLE orderkit_orders DROP COLUMN {c}"))


_NEW_IN_6 = ("account", "marketplace")


def _upgrade_5_to_6(conn: sa.Connection) -> None:
    """Version 6 gives each order its seller ``account`` and ``marketplace`` (NULL: the default).

    A store that already kept either as a column a source brought beyond the schema (in
    ``_extra``) has its values moved into the new column, and the column's record dropped, in
    the same transaction: nothing is lost, nothing is kept twice.
    """
    present = {c["name"] for c in sa.inspect(conn).get_columns("orderkit_orders")}
    for name in _NEW_IN_6:
        if name not in present:
            kind = _sql_type(schema.ORDERS[name].dtype).compile(dialect=conn.dialect)
            conn.execute(sa.text(f"ALTER TABLE orderkit_orders ADD COLUMN {name} {kind}"))
    cols = _T["columns"]
    if not sa.inspect(conn).has_table(cols.name):
        return
    held = [
        name
        for (name,) in conn.execute(
            sa.select(cols.c.name).where(cols.c.tbl == "orders", cols.c.name.in_(_NEW_IN_6))
        )
    ]
    if not held:
        return
    t = _T["orders"]
    rows = conn.execute(sa.select(t.c[_SEQ], t.c[_EXTRA]).where(t.c[_EXTRA].is_not(None))).all()
    for seq, text in rows:
        extra = json.loads(text)
        values = {name: extra.pop(name) for name in held if name in extra}
        if values:
            conn.execute(
                t.update()
                .where(t.c[_SEQ] == seq)
                .values(**{k: None if v is None else str(v) for k, v in values.items()},
                        **{_EXTRA: json.dumps(extra, ensure_ascii=False) if extra else None})
            )  # fmt: skip
    conn.execute(cols.delete().where(cols.c.tbl == "orders", cols.c.name.in_(held)))
    # the other extra columns keep their order: positions close up over the removed ones
    rest = conn.execute(
        sa.select(cols.c.name).where(cols.c.tbl == "orders").order_by(cols.c.position)
    ).all()
    for position, (name,) in enumerate(rest):
        conn.execute(
            cols.update()
            .where(cols.c.tbl == "orders", cols.c.name == name)
            .values(position=position)
        )


#: Schema upgrades applied on open, one version at a time, by the version found.
_UPGRADES = {
    1: _upgrade_1_to_2,
    2: _upgrade_2_to_3,
    3: _upgrade_3_to_4,
    4: _upgrade_4_to_5,
    5: _upgrade_5_to_6,
}
"""The layout of the tables this orderkit writes; a store with another version is refused."""

ENV_VAR = "ORDERKIT_STORE"
"""Environment variable naming the default store: a SQLAlchemy URL or a SQLite file path."""

DEFAULT_PATH = "orderkit-store.sqlite"
"""The SQLite file used when neither a URL, a path nor ``ORDERKIT_STORE`` is given."""

_BUSY_TIMEOUT_S: float = 60  # how long a SQLite writer waits for another one to finish
_TRIES = 5  # how many times a transaction is run when PostgreSQL reports a conflict
_BACKOFF_S = 0.05  # the pause after try n is drawn from [0, _BACKOFF_S · 2ⁿ⁻¹)
_RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
_MAX_ORDER_LOCKS = 32  # a write touching more orders takes the writers' lock exclusively
_OPEN_LOCK = 7301194  # advisory lock (one bigint key) of the transaction that opens the store
_WRITERS_LOCK = 7301195  # advisory lock (two int keys) (_WRITERS_LOCK, 0): every writer's
_ORDER_LOCK = 7301196  # advisory locks (_ORDER_LOCK, key of an order): the writers of that order
_EXTRA = "_extra"  # JSON of the columns a source brought beyond the schema
_SEQ = "_seq"  # insertion order, so that load() returns rows in the order they were saved
_NAT = np.iinfo(np.int64).min  # numpy's NaT as int64

_PII_COLUMNS = tuple(c for c in schema.ORDERS if c in schema.PII)  # in the orders' column order
_PURGED = "purged_at"  # orderkit_pii: when the order's PII was purged (ns, UTC); NULL: kept

#: How long after its (last) shipment an order with no ``delivered`` event counts as delivered,
#: for the purge: Japanese domestic parcels arrive in 1–3 days, and Amazon's promised delivery
#: window for a seller-fulfilled order ends within a week of the ship date.
DELIVERY_MARGIN = dt.timedelta(days=7)

# table → (its documented columns, its key, the database table's name)
_TABLES: Mapping[str, tuple[Mapping[str, schema.Column], tuple[str, ...], str]] = {
    "orders": (
        {c: col for c, col in schema.ORDERS.items() if c not in schema.PII},
        ("order_id",),
        "orderkit_orders",
    ),
    "pii": (
        {c: col for c, col in schema.ORDERS.items() if c == "order_id" or c in schema.PII},
        ("order_id",),
        "orderkit_pii",
    ),
    "items": (schema.ITEMS, ("order_id", "order_item_id"), "orderkit_items"),
    "events": (schema.EVENTS, ("event_id",), "orderkit_events"),
}
_NOT_NULL = {
    "orders": {"order_id"},
    "pii": {"order_id"},
    "items": {"order_id", "order_item_id"},
    "events": {"event_id", "order_id", "at", "kind", "actor"},
}


def _sql_type(dtype: str) -> sa.types.TypeEngine[Any]:
    if schema.is_text(dtype):
        return sa.Text()
    if dtype == "bool":
        return sa.Boolean()
    return sa.BigInteger()  # integers, yen and timestamps (ns since the epoch, UTC)


def _metadata() -> tuple[sa.MetaData, dict[str, sa.Table]]:
    md = sa.MetaData()
    tables = {}
    for name, (spec, key, sql_name) in _TABLES.items():
        cols = [sa.Column(_SEQ, sa.Integer, primary_key=True, autoincrement=True)]
        cols += [
            sa.Column(c, _sql_type(col.dtype), nullable=c not in _NOT_NULL[name])
            for c, col in spec.items()
        ]
        cols.append(sa.Column(_EXTRA, sa.Text, nullable=True))
        if name == "pii":
            cols.append(sa.Column(_PURGED, sa.BigInteger, nullable=True))
        tables[name] = sa.Table(sql_name, md, *cols, sa.UniqueConstraint(*key))
    sa.Index("orderkit_events_by_order", tables["events"].c.order_id)
    sa.Index("orderkit_items_by_order", tables["items"].c.order_id)
    tables["version"] = sa.Table(
        "orderkit_schema", md, sa.Column("version", sa.Integer, nullable=False)
    )
    tables["columns"] = sa.Table(
        "orderkit_columns",
        md,
        sa.Column("tbl", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, primary_key=True),
        sa.Column("dtype", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    return md, tables


_MD, _T = _metadata()


# ---- Seller Central: the sync's state and the confirmations sent (orderkit.sellercentral) -------
# Created on open when missing: a version-4 store gains them without an upgrade (no order data).
_T["sync"] = sa.Table(
    "orderkit_sync",
    _MD,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("state", sa.Text, nullable=False),  # JSON: the watermark, the unfinished window
)
_SENT_COLUMNS = {  # column → dtype of Store.sent()'s frame
    "order_id": schema.STR,
    "order_item_id": schema.STR,
    "quantity": "int64",
    "package_reference_id": schema.STR,
    "tracking_number": schema.STR,
    "carrier": schema.STR,
    "sent_at": schema.TS,
    "result": schema.STR,
    "message": schema.STR,
}
_T["sent"] = sa.Table(
    "orderkit_sent",
    _MD,
    sa.Column(_SEQ, sa.Integer, primary_key=True, autoincrement=True),
    *[
        sa.Column(c, _sql_type(d), nullable=False)
        for c, d in _SENT_COLUMNS.items()
        if c not in ("tracking_number", "carrier", "message")
    ],
    *[sa.Column(c, sa.Text, nullable=True) for c in ("tracking_number", "carrier", "message")],
)
sa.Index("orderkit_sent_by_order", _T["sent"].c.order_id)


def _create_private(url: str) -> None:
    """Create a new SQLite file readable and writable by its owner only (mode 0600).

    The store holds buyer data (PII) that Amazon asks to protect at rest: other users of the
    machine may not read it. SQLite gives its ``-wal`` and ``-shm`` files the database file's
    permissions. An existing file keeps its own; a database server manages its own storage.

    Raises:
        OSError: the file cannot be created (its folder is missing, say).
    """
    if not url.startswith("sqlite"):
        return
    database = sa.engine.make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        fd = os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _resolve_url(url: str | None, path: str | os.PathLike[str] | None) -> str:
    if url is None and path is None:
        env = os.environ.get(ENV_VAR)
        if env:
            url, path = (env, None) if "://" in env else (None, env)
        else:
            path = DEFAULT_PATH
    if url is None:
        return f"sqlite:///{os.fspath(path)}"  # type: ignore[arg-type]
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# ---- frames ↔ rows ---------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if value is None or (not isinstance(value, (str, list, dict)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _column_values(series: pd.Series, dtype: str) -> list[Any]:
    """Return ``series`` as plain Python values the database drivers accept (``None`` for NA)."""
    missing = series.isna().to_numpy()
    if dtype == schema.TS:
        values = series.array.asi8.astype(object)  # type: ignore[union-attr]
    elif dtype == "bool":
        values = series.to_numpy(dtype=bool).astype(object)
    elif schema.is_text(dtype):
        values = series.to_numpy(dtype=object)
    else:
        values = series.to_numpy(dtype="int64", na_value=0).astype(object)
    values[missing] = None
    return values.tolist()


def _to_rows(frame: pd.DataFrame, table: str) -> list[dict[str, Any]]:
    """Return ``frame`` (conformed to ``table``) as rows for the database."""
    spec = _TABLES[table][0]
    columns = {c: _column_values(frame[c], col.dtype) for c, col in spec.items()}
    extras = [c for c in frame.columns if c not in spec]
    if extras:
        records = frame[extras].astype(object).to_dict("records")
        columns[_EXTRA] = [
            json.dumps({k: _jsonable(v) for k, v in r.items()}, ensure_ascii=False) for r in records
        ]
    else:
        columns[_EXTRA] = [None] * len(frame)
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _from_rows(rows: list[Any], table: str, extra_dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Return the frame of ``table`` from database rows (documented columns, then extras).

    Raises:
        StoreError: a value cannot be read back (a documented column holding a value of another
            type, an ``_extra`` that is not a JSON object or names a column not recorded): the
            store is damaged. The message names the table, the column and the row's key.

    """
    spec = _TABLES[table][0]
    names = [*spec, _EXTRA]
    columns = dict(zip(names, zip(*rows, strict=True), strict=True)) if rows else {}
    out: dict[str, Any] = {}
    for c, col in spec.items():
        values = list(columns.get(c, ()))
        try:
            out[c] = _column(values, col.dtype)
        except (TypeError, ValueError, OverflowError) as exc:
            bad = next((i for i, v in enumerate(values) if not _readable(v, col.dtype)), None)
            held = "" if bad is None else f" holds {values[bad]!r}, which"
            raise _damaged(table, c, columns, bad, f"{held} cannot be read as {col.dtype}") from exc
    frame = pd.DataFrame(out)
    if extra_dtypes or any(columns.get(_EXTRA, ())):
        parsed = _extras(table, columns, extra_dtypes)
        for name, dtype in extra_dtypes.items():
            frame[name] = _restore(pd.Series([p.get(name) for p in parsed], dtype=object), dtype)
    return frame


def _column(values: list[Any], dtype: str) -> pd.Series:
    """Return a documented column's database values as a series of ``dtype``.

    Raises:
        TypeError, ValueError, OverflowError: a value cannot take ``dtype``.

    """
    if dtype == schema.TS:
        ns = pd.array(values, dtype="Int64").to_numpy(dtype="int64", na_value=_NAT)
        return schema.utc(ns)
    return schema.conform_column(pd.Series(values, dtype=object), dtype)


def _readable(value: Any, dtype: str) -> bool:
    """Whether one database value can take ``dtype`` (to find the row of a column that cannot)."""
    try:
        _column([value], dtype)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


def _extras(
    table: str, columns: Mapping[str, tuple[Any, ...]], extra_dtypes: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Return each row's extra values, parsed from its ``_extra`` JSON (``{}`` when empty).

    Raises:
        StoreError: a row's ``_extra`` is not a JSON object, or holds a column that
            ``orderkit_columns`` does not record for ``table`` (its values would be lost).

    """
    parsed = []
    for i, text in enumerate(columns.get(_EXTRA, ())):
        try:
            values = json.loads(text) if text else {}
        except (TypeError, ValueError) as exc:
            raise _damaged(table, _EXTRA, columns, i, f" is not valid JSON ({exc})") from exc
        if not isinstance(values, dict):
            kind = type(values).__name__
            raise _damaged(table, _EXTRA, columns, i, f" holds a JSON {kind}, not an object")
        unlisted = values.keys() - extra_dtypes.keys()
        if unlisted:
            detail = f" holds {sorted(unlisted)}, which {_T['columns'].name} does not record"
            raise _damaged(table, _EXTRA, columns, i, detail)
        parsed.append(values)
    return parsed


def _damaged(
    table: str, column: str, columns: Mapping[str, tuple[Any, ...]], row: int | None, detail: str
) -> StoreError:
    """Return the ``StoreError`` of a stored value that cannot be read back, naming its row."""
    key = _TABLES[table][1]
    where = (
        "in some row"
        if row is None
        else "of the row with " + ", ".join(f"{k}={columns[k][row]!r}" for k in key)
    )
    return StoreError(f"the store is damaged: {_TABLES[table][2]}.{column} {where}{detail}")


def _restore(series: pd.Series, dtype: str) -> pd.Series:
    """Return an extra column in its recorded dtype (as read from JSON if it cannot take it)."""
    if dtype == "object":
        return series
    try:
        if dtype.startswith("datetime64"):
            return pd.to_datetime(series, utc="UTC" in dtype).astype(dtype)
        return series.astype(dtype)
    except (TypeError, ValueError):
        return series


# ---- the store -------------------------------------------------------------------------------------


class Store:
    """An order book persisted in SQLite or PostgreSQL; see the module documentation.

    Args:
        url: a SQLAlchemy URL, e.g. ``postgresql://user@host/db`` (psycopg 3) or
            ``sqlite:///path.sqlite``.
        path: a SQLite file (used when ``url`` is not given).

    With neither, ``$ORDERKIT_STORE`` (a URL or a SQLite path) or ``orderkit-store.sqlite`` in the
    current directory. The tables are created if missing.

    Raises:
        StoreError: the database cannot be opened, or holds a store of another schema version.

    """

    def __init__(
        self, url: str | None = None, *, path: str | os.PathLike[str] | None = None
    ) -> None:
        self.url = _resolve_url(url, path)
        try:
            _create_private(self.url)
            self._engine = self._create_engine(self.url)
        except (sa.exc.SQLAlchemyError, ValueError, OSError) as exc:
            raise StoreError(f"cannot open the store {self.url!r}: {exc}") from exc
        self._dialect = self._engine.dialect.name
        try:
            self._open()
        except sa.exc.SQLAlchemyError as exc:
            self._engine.dispose()
            raise StoreError(f"cannot open the store {self._where}: {_why(exc)}") from exc
        except StoreError:
            self._engine.dispose()
            raise

    @staticmethod
    def _create_engine(url: str) -> sa.Engine:
        if not url.startswith("sqlite"):
            return sa.create_engine(url, pool_pre_ping=True)
        engine = sa.create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_S})

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy's "begin" event open transactions itself (BEGIN IMMEDIATE below).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
            cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_S * 1000}")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _on_begin(connection: sa.Connection) -> None:
            # Take the write lock up front: two writers queue instead of failing on upgrade.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    @property
    def _where(self) -> str:
        return repr(self._engine.url.render_as_string(hide_password=True))

    def __repr__(self) -> str:
        return f"<Store {self._where}>"

    # -- opening: create the tables, check (and upgrade) the version ----------------------------
    def _open(self) -> None:
        with self._engine.begin() as conn:
            if self._dialect == "postgresql":  # two processes creating the tables at once
                conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({_OPEN_LOCK})"))
            version_table = _T["version"]
            if sa.inspect(conn).has_table(version_table.name):
                version = self._stored_version(conn)
                if version in _UPGRADES:
                    while version in _UPGRADES:
                        _UPGRADES[version](conn)
                        version += 1
                    conn.execute(sa.update(version_table).values(version=version))
                if version != SCHEMA_VERSION:
                    raise StoreError(
                        f"the store {self._where} has schema version {version}, but this"
                        f" orderkit reads and writes version {SCHEMA_VERSION} only"
                        + (": upgrade orderkit" if version > SCHEMA_VERSION else "")
                    )
            _MD.create_all(conn)
            if not conn.execute(sa.select(version_table.c.version)).first():
                conn.execute(version_table.insert().values(version=SCHEMA_VERSION))

    def _stored_version(self, conn: sa.Connection) -> int:
        """Return the schema version ``orderkit_schema`` records.

        Raises:
            StoreError: the table does not hold exactly one row, or its version is not a whole
                number (the store is damaged).

        """
        table = _T["version"]
        found = conn.execute(sa.select(table.c.version)).scalars().all()
        if len(found) != 1:
            raise StoreError(
                f"the store {self._where} is damaged: {table.name} holds {len(found)} rows,"
                " where it keeps the schema version in exactly one"
            )
        version = found[0]
        if isinstance(version, bool) or not isinstance(version, int):
            raise StoreError(
                f"the store {self._where} is damaged: {table.name}.version (its one row) is"
                f" {version!r}, not a whole number"
            )
        return version

    # -- transactions: run, retry, lock ----------------------------------------------------------
    def _run(self, what: str, work: Callable[[sa.Connection], T], *, snapshot: bool = False) -> T:
        """Run ``work`` in one transaction and commit it; run it again after a conflict.

        A serialisation failure or deadlock rolls the transaction back, and after a short random
        pause ``work`` is called again on a new transaction, up to ``_TRIES`` times in all: it
        must do everything from the start (read, check, write), keeping nothing from a try.

        Args:
            what: the operation, for messages ("save", "load", …).
            work: what to do in the transaction, given its connection.
            snapshot: read in one snapshot (REPEATABLE READ on PostgreSQL; SQLite always does).

        Returns:
            What ``work`` returned.

        Raises:
            StoreError: a database error (or conflicts in each of the ``_TRIES`` tries); nothing
                was written.
            Exception: what ``work`` raised otherwise (e.g. ``TransitionNotAllowed``), after
                the rollback.

        """
        for attempt in itertools.count(1):
            try:
                with self._engine.connect() as conn:
                    if snapshot and self._dialect == "postgresql":
                        conn.execution_options(isolation_level="REPEATABLE READ")
                    with conn.begin():
                        return work(conn)
            except sa.exc.DBAPIError as exc:
                if not _conflict(exc):
                    raise self._failed(what, exc) from exc
                if attempt == _TRIES:
                    raise StoreError(
                        f"{what} gave up after {_TRIES} tries, each ending in a conflict with"
                        f" another writer; nothing was written to {self._where}: {_why(exc)}"
                    ) from exc
                time.sleep(_jitter.uniform(0, _BACKOFF_S * 2 ** (attempt - 1)))
            except sa.exc.SQLAlchemyError as exc:
                raise self._failed(what, exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover (the loop returns or raises)

    def _failed(self, what: str, exc: sa.exc.SQLAlchemyError) -> StoreError:
        """Return the ``StoreError`` of a transaction that ``exc`` ended (rolled back)."""
        why = _why(exc)
        if _busy(exc):
            why = (
                f"another process kept the database locked for longer than {_BUSY_TIMEOUT_S:g} s"
                f" ({why})"
            )
        return StoreError(f"{what} failed, nothing was written to {self._where}: {why}")

    def _lock(self, conn: sa.Connection, order_ids: Iterable[Any]) -> None:
        """Take the locks of a write touching ``order_ids`` (see the module documentation).

        Called first in every writing transaction, once. A no-op on SQLite, whose transactions
        all hold the one write lock already.
        """
        if self._dialect != "postgresql":
            return
        ids = {o for o in order_ids if isinstance(o, str)}  # a missing id fails on insert
        if len(ids) > _MAX_ORDER_LOCKS:
            conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({_WRITERS_LOCK}, 0)"))
            return
        conn.execute(sa.text(f"SELECT pg_advisory_xact_lock_shared({_WRITERS_LOCK}, 0)"))
        if ids:
            # One statement; the locks are taken in the ORDER BY's order (PostgreSQL evaluates
            # a volatile function of the select list after sorting).
            conn.execute(
                sa.text(
                    f"SELECT pg_advisory_xact_lock({_ORDER_LOCK}, k)"
                    " FROM unnest(CAST(:keys AS integer[])) AS t(k) ORDER BY k"
                ),
                {"keys": sorted({_lock_key(o) for o in ids})},
            )

    def _insert(self, table: str) -> Any:
        insert = pg_dialect.insert if self._dialect == "postgresql" else sqlite_dialect.insert
        return insert(_T[table])

    # -- writing -----------------------------------------------------------------------------
    def save(self, book: OrderBook, *, policy: Policy = DEFAULT_POLICY) -> ImportSummary:
        """Import ``book`` by reconciliation (:mod:`orderkit.reconcile`), in one transaction.

        The orders ``book`` touches are read with their events (locked, in order-id order), the
        reconciliation decides what is new, and only that is written: order and item fields
        merged, events appended. Every touched order is checked to fold (through the fleet lens)
        before anything is committed: a snapshot's fact that contradicts what is stored is not
        imported and is listed in the summary's ``conflicts``; any other event that would leave
        an order not folding refuses the whole save.

        Returns:
            What the import did (new orders, status changes, duplicates skipped, conflicts).

        Raises:
            StoreError: the write failed, or an event that is not a snapshot's does not fold
                (the message names the order, the event and the rule); nothing was written.

        """

        def work(conn: sa.Connection) -> ImportSummary:
            tables = (book.orders, book.items, book.events)
            self._lock(conn, itertools.chain.from_iterable(t["order_id"] for t in tables))
            return self._save(conn, book, policy=policy)

        return self._run("save", work)

    def _save(
        self, conn: sa.Connection, book: OrderBook, *, policy: Policy = DEFAULT_POLICY
    ) -> ImportSummary:
        """Reconcile ``book`` with the stored orders it touches and write what it adds.

        Runs in the transaction ``conn``, which holds the locks of those orders; run again from
        the start if the transaction is retried (it keeps no state between tries).
        """
        events = book.events
        for name in sorted(_NOT_NULL["events"]):
            blank = events[name].isna().to_numpy()
            if blank.any():
                first = int(np.flatnonzero(blank)[0])
                raise StoreError(
                    f"save refused, nothing was written to {self._where}: {int(blank.sum())} event"
                    f" row(s) without {name!r}, the first of order {events['order_id'].iloc[first]!r}"
                )
        ids = set(book.orders["order_id"].astype(str)) | set(book.events["order_id"].astype(str))
        known = self._read(conn, order_ids=sorted(ids), lock=True)
        try:
            rec = reconcile(known, book, policy=policy)
        except TransitionNotAllowed as exc:
            raise StoreError(
                f"save refused, nothing was written to {self._where}: order {exc.order_id} would"
                f" not fold: {exc} [rule {exc.rule.id}]"
            ) from exc
        self._upsert(conn, "orders", rec.orders)
        self._upsert(conn, "items", rec.items)
        self._append(conn, rec.events)
        return rec.summary

    def append(
        self, events: Iterable[Event] | pd.DataFrame, *, policy: Policy = DEFAULT_POLICY
    ) -> int:
        """Append the events not stored yet, reconciled and checked like :meth:`save`.

        Args:
            events: :class:`~orderkit.events.Event` objects or a frame of the event table
                (missing ``event_id`` values are computed from the facts).
            policy: the seller's policy (for the check).

        Returns:
            How many events were added: appending the same events twice adds nothing.

        Raises:
            StoreError: the events cannot be stored (e.g. a row without ``at``, an order the
                store does not have, an event the rules refuse); nothing was written.

        """
        frame = self._events_frame(events)
        empty = OrderBook(schema.empty("orders"), schema.empty("items"), frame)

        def work(conn: sa.Connection) -> int:
            self._lock(conn, frame["order_id"])
            return self._save(conn, empty, policy=policy).events_added

        return self._run("append", work)

    def record(self, event: Event, *, policy: Policy = DEFAULT_POLICY) -> OrderState:
        """Check ``event`` against the rules on the stored order, then append it.

        The check and the append happen in one transaction, with the order locked, so that two
        users acting on one order at once are checked one after the other.

        Returns:
            The order's state after the event.

        Raises:
            OrderNotFound: the store has no such order.
            TransitionNotAllowed: the rules forbid the event now; nothing was written.
            StoreError: the write failed; nothing was written.

        """

        def work(conn: sa.Connection) -> OrderState:
            self._lock(conn, [event.order_id])
            book = self._read(conn, order_ids=[event.order_id], lock=True)
            if event.order_id not in book:
                raise OrderNotFound(event.order_id)
            state = book.order(event.order_id).check(event, policy=policy)
            self._append(conn, events_frame([event]))
            return state

        return self._run("record", work)

    def void(
        self,
        event_id: int,
        *,
        at: dt.datetime,
        operator: str,
        note: str,
        policy: Policy = DEFAULT_POLICY,
    ) -> OrderState:
        """Void a mistaken event (append-only: a ``voided`` event says who, when and why).

        Returns:
            The order's state once the event is void.

        Raises:
            KeyError: the store has no live event with that id.
            ValueError: no operator or note.
            TransitionNotAllowed: the order's other events do not fold without it.
            StoreError: the write failed; nothing was written.

        """

        def work(conn: sa.Connection) -> OrderState:
            order_id = self._order_of(conn, event_id)
            self._lock(conn, [order_id])
            book = self._read(conn, order_ids=[order_id], lock=True)
            state = book.void(event_id, at=at, operator=operator, note=note, policy=policy)
            self._append(conn, book.events.tail(1))
            return state

        return self._run("void", work)

    def amend(
        self,
        event_id: int,
        replacement: Event,
        *,
        at: dt.datetime,
        operator: str,
        note: str,
        policy: Policy = DEFAULT_POLICY,
    ) -> OrderState:
        """Replace a mistaken event: void it and record ``replacement``, in one transaction.

        Returns:
            The order's state after the replacement.

        Raises:
            KeyError: the store has no live event with that id.
            ValueError: no operator or note, or ``replacement`` is for another order.
            TransitionNotAllowed: the rules refuse the replacement (or the void); nothing
                was written.
            StoreError: the write failed; nothing was written.

        """

        def work(conn: sa.Connection) -> OrderState:
            order_id = self._order_of(conn, event_id)
            if replacement.order_id != order_id:
                raise ValueError(f"the replacement is for {replacement.order_id}, not {order_id}")
            self._lock(conn, [order_id])
            book = self._read(conn, order_ids=[order_id], lock=True)
            void = book.correction(event_id, at=at, operator=operator, note=note)
            book.order(order_id).state_with(void, policy=policy)
            book.extend([void])
            state = book.record(replacement, policy=policy)
            self._append(conn, events_frame([void, replacement]))
            return state

        return self._run("amend", work)

    def check(self, *, policy: Policy = DEFAULT_POLICY) -> pd.DataFrame:
        """Return every stored order that does not fold, with the event and the rule that refuse.

        Returns:
            A frame with ``order_id``, ``kind`` (the refused event's), ``rule`` and ``detail``;
            empty when every order folds.

        Raises:
            StoreError: the store cannot be read.

        """
        from orderkit.reconcile import unfolded

        return unfolded(self.load(), policy=policy)

    def purge_pii(self, *, at: dt.datetime, days: int = 30, policy: Policy = DEFAULT_POLICY) -> int:
        """Delete the buyer and recipient data of orders done with more than ``days`` days ago.

        Amazon's Data Protection Policy keeps PII no longer than 30 days after delivery. An
        order's PII goes when its status at ``at`` is Shipped (every item shipped) and it was
        delivered more than ``days`` days before ``at``: at its last live ``delivered`` event,
        or, with none, :data:`DELIVERY_MARGIN` after its last shipment (``shipped_at``, or when
        it was confirmed); or when it is Canceled or Unfulfillable and that happened more than
        ``days`` days before ``at`` (no parcel will go). Exactly ``days`` days is kept. Its
        ``orderkit_pii`` row stays, its values NULL, marked purged: a later import does not
        store the order's PII again (see :meth:`save`). Nothing else changes: the order, its
        items and its events stay, and no event records the purge (it is no fact of the order).

        Args:
            at: now (tz-aware).
            days: how long PII is kept after delivery.
            policy: the seller's policy (to read each order's status).

        Returns:
            How many orders' PII was purged.

        Raises:
            ValueError: ``at`` is naive or ``days`` negative.
            StoreError: the write failed; nothing was purged.

        """
        if at.tzinfo is None or days < 0:
            raise ValueError(f"purge_pii needs a tz-aware at and days ≥ 0, got {at!r}, {days!r}")
        cutoff = pd.Timestamp(at).tz_convert("UTC") - pd.Timedelta(days=days)
        t = _T["pii"]

        def work(conn: sa.Connection) -> int:
            kept = t.c[_PURGED].is_(None)
            ids = sorted(conn.execute(sa.select(t.c.order_id).where(kept)).scalars())
            self._lock(conn, ids)
            due = _done_before(self._read(conn, order_ids=ids, lock=True), at, cutoff, policy)
            purged = 0
            for lo in range(0, len(due), self._CHUNK):
                part = due[lo : lo + self._CHUNK]
                values = {c: None for c in _PII_COLUMNS} | {_PURGED: pd.Timestamp(at).value}
                stmt = sa.update(t).where(t.c.order_id.in_(part), kept).values(values)
                purged += conn.execute(stmt).rowcount
            return purged

        return self._run("purge_pii", work)

    def _order_of(self, conn: sa.Connection, event_id: int) -> str:
        t = _T["events"]
        found = conn.execute(sa.select(t.c.order_id).where(t.c.event_id == int(event_id))).first()
        if found is None:
            raise KeyError(f"no event {event_id} in {self._where}")
        return str(found[0])

    def _events_frame(self, events: Iterable[Event] | pd.DataFrame) -> pd.DataFrame:
        try:
            if isinstance(events, pd.DataFrame):
                frame = schema.conform(events, "events")
                missing = frame["event_id"].isna()
                if missing.any():
                    frame.loc[missing, "event_id"] = event_ids(frame.loc[missing])
                return frame
            return events_frame(events)
        except (TypeError, ValueError) as exc:
            raise StoreError(f"append failed, nothing was written: {exc}") from exc

    def _append(self, conn: sa.Connection, frame: pd.DataFrame) -> int:
        frame = frame.drop_duplicates("event_id")
        if frame.empty:
            return 0
        self._record_extras(conn, "events", frame)
        stmt = (
            self._insert("events")
            .on_conflict_do_nothing(index_elements=["event_id"])
            .returning(_T["events"].c.event_id)
        )
        return len(conn.execute(stmt, _to_rows(frame, "events")).all())

    def _upsert(self, conn: sa.Connection, table: str, frame: pd.DataFrame) -> None:
        if frame.empty:
            return
        key = _TABLES[table][1]
        frame = frame.drop_duplicates(list(key), keep="last")
        if table == "orders":  # the buyer data goes to its own table, the rest stays here
            self._upsert_pii(conn, frame)
            frame = frame.drop(columns=[c for c in _PII_COLUMNS if c in frame.columns])
        self._record_extras(conn, table, frame)
        stmt = self._insert(table)
        updated = {c.name: stmt.excluded[c.name] for c in _T[table].c if c.name not in (_SEQ, *key)}
        conn.execute(
            stmt.on_conflict_do_update(index_elements=list(key), set_=updated),
            _to_rows(frame, table),
        )

    def _upsert_pii(self, conn: sa.Connection, orders: pd.DataFrame) -> None:
        """Write the PII of the ``orders`` rows that have some, except where it was purged.

        The rows come merged with the stored ones (a blank never erases), so each is written
        whole. An order whose PII was purged keeps none: a snapshot read again later (an old
        report re-imported, a book still in memory) does not bring it back.
        """
        present = [c for c in _PII_COLUMNS if c in orders.columns]
        if not present:
            return
        some = orders[present].notna().any(axis=1).to_numpy()
        if not some.any():
            return
        rows = schema.conform(orders.loc[some, ["order_id", *present]], "orders")
        rows = rows[list(_TABLES["pii"][0])]
        t = _T["pii"]
        stmt = self._insert("pii")
        conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["order_id"],
                set_={c: stmt.excluded[c] for c in _PII_COLUMNS},
                where=t.c[_PURGED].is_(None),
            ),
            _to_rows(rows, "pii"),
        )

    def _record_extras(self, conn: sa.Connection, table: str, frame: pd.DataFrame) -> None:
        spec = _TABLES[table][0]
        extras = [c for c in frame.columns if c not in spec]
        if not extras:
            return
        known = self._extra_dtypes(conn, table)
        new = [c for c in extras if c not in known]
        rows = [
            {"tbl": table, "name": c, "dtype": str(frame[c].dtype), "position": len(known) + i}
            for i, c in enumerate(new)
        ]
        if rows:
            # In name order: two writers adding the same columns wait for each other, not in a
            # circle (their orders' locks do not keep them apart here).
            stmt = self._insert("columns").on_conflict_do_nothing()
            conn.execute(stmt, sorted(rows, key=lambda r: r["name"]))

    # -- reading -------------------------------------------------------------------------------
    def load(self) -> OrderBook:
        """Return the stored order book (rows in the order they were first saved).

        Raises:
            StoreError: the store cannot be read.

        """
        return self._run("load", self._read, snapshot=True)

    def _extra_dtypes(self, conn: sa.Connection, table: str) -> dict[str, str]:
        """Return the extra columns recorded for ``table``: name → pandas dtype, in their order.

        Raises:
            StoreError: a recorded dtype is not one pandas knows (the store is damaged).

        """
        t = _T["columns"]
        rows = conn.execute(
            sa.select(t.c.name, t.c.dtype).where(t.c.tbl == table).order_by(t.c.position)
        ).all()
        for name, dtype in rows:
            try:
                known = isinstance(dtype, str) and pd.api.types.pandas_dtype(dtype) is not None
            except (TypeError, ValueError):
                known = False
            if not known:
                raise StoreError(
                    f"the store {self._where} is damaged: {t.name}.dtype of the row with"
                    f" tbl={table!r}, name={name!r} is {dtype!r}, which is not a pandas dtype"
                )
        return {name: dtype for name, dtype in rows}

    _CHUNK = 5000  # ids per IN (...) list: under every database's limit on parameters

    def _read(
        self,
        conn: sa.Connection,
        *,
        order_ids: Iterable[str] | None = None,
        lock: bool = False,
    ) -> OrderBook:
        """Return the stored book, or only the orders ``order_ids`` (locked with ``lock``)."""
        ids = None if order_ids is None else sorted(set(order_ids))
        frames = {}
        for table in ("orders", "items", "events"):
            t = _T[table]
            query = sa.select(*[t.c[c] for c in _TABLES[table][0]], t.c[_EXTRA]).order_by(t.c[_SEQ])
            if ids is None:
                rows = conn.execute(query).all()
            else:
                rows = []
                for lo in range(0, len(ids), self._CHUNK):
                    part = query.where(t.c.order_id.in_(ids[lo : lo + self._CHUNK]))
                    if lock and table == "orders" and self._dialect == "postgresql":
                        part = part.order_by(None).order_by(t.c.order_id).with_for_update()
                    rows += conn.execute(part).all()
            frames[table] = _from_rows(rows, table, self._extra_dtypes(conn, table))
        orders = _with_pii(frames["orders"], self._read_pii(conn, ids))
        return OrderBook(orders, frames["items"], frames["events"])

    def _read_pii(self, conn: sa.Connection, ids: list[str] | None) -> pd.DataFrame:
        """Return the stored PII rows (of the orders ``ids``, or all), purged ones left out."""
        t = _T["pii"]
        query = sa.select(*[t.c[c] for c in _TABLES["pii"][0]], t.c[_EXTRA]).where(
            t.c[_PURGED].is_(None)
        )
        if ids is None:
            rows = conn.execute(query).all()
        else:
            rows = []
            for lo in range(0, len(ids), self._CHUNK):
                rows += conn.execute(query.where(t.c.order_id.in_(ids[lo : lo + self._CHUNK])))
        return _from_rows(rows, "pii", {})

    @staticmethod
    def _read_all(conn: sa.Connection) -> OrderBook:
        """Return the whole stored book (used by upgrades, before a Store exists)."""
        frames = {}
        for table in ("orders", "items", "events"):
            t = _T[table]
            present = {c["name"] for c in sa.inspect(conn).get_columns(t.name)}
            cols = [t.c[c] for c in _TABLES[table][0] if c in present]
            rows = conn.execute(sa.select(*cols, t.c[_EXTRA]).order_by(t.c[_SEQ])).all()
            names = [c.name for c in cols]
            full = [
                tuple(
                    dict(zip([*names, _EXTRA], r, strict=True)).get(c)
                    for c in [*_TABLES[table][0], _EXTRA]
                )
                for r in rows
            ]
            dtypes = (
                {
                    name: dtype
                    for name, dtype in conn.execute(
                        sa.select(_T["columns"].c.name, _T["columns"].c.dtype)
                        .where(_T["columns"].c.tbl == table)
                        .order_by(_T["columns"].c.position)
                    )
                }
                if sa.inspect(conn).has_table(_T["columns"].name)
                else {}
            )
            frames[table] = _from_rows(full, table, dtypes)
        return OrderBook(frames["orders"], frames["items"], frames["events"])

    # -- Seller Central: sync state and confirmations sent ------------------------------------
    def sync_state(self, name: str) -> dict[str, Any] | None:
        """Return the state a sync saved under ``name`` (its watermark, …), or ``None``.

        Raises:
            StoreError: the store cannot be read, or the saved state is not a JSON object.

        """
        t = _T["sync"]

        def work(conn: sa.Connection) -> dict[str, Any] | None:
            text = conn.execute(sa.select(t.c.state).where(t.c.name == name)).scalar()
            if text is None:
                return None
            try:
                state = json.loads(text)
            except ValueError as exc:
                raise StoreError(
                    f"the store is damaged: {t.name}.state of {name!r}: {exc}"
                ) from exc
            if not isinstance(state, dict):
                raise StoreError(
                    f"the store is damaged: {t.name}.state of {name!r} is not an object"
                )
            return state

        return self._run("sync_state", work)

    def set_sync_state(self, name: str, state: Mapping[str, Any]) -> None:
        """Save a sync's ``state`` (a JSON-able mapping) under ``name``, replacing the last one.

        Raises:
            StoreError: the write failed (nothing was written).
            TypeError: ``state`` cannot be written as JSON.

        """
        row = {"name": name, "state": json.dumps(dict(state), sort_keys=True)}
        stmt = self._insert("sync")
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"], set_={"state": stmt.excluded.state}
        )
        self._run("set_sync_state", lambda conn: conn.execute(stmt, [row]))

    def record_sent(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Append one row per confirmation line sent through the API (see :meth:`sent`).

        Raises:
            StoreError: the write failed, or a row lacks a required column (nothing was written).

        """
        frame = pd.DataFrame(list(rows), columns=list(_SENT_COLUMNS))
        if frame.empty:
            return
        frame["sent_at"] = pd.to_datetime(frame["sent_at"], utc=True).astype(schema.TS)
        frame = frame.astype({c: d for c, d in _SENT_COLUMNS.items() if d != schema.TS})
        values = [_column_values(frame[c].copy(), d) for c, d in _SENT_COLUMNS.items()]
        records = [dict(zip(_SENT_COLUMNS, r, strict=True)) for r in zip(*values, strict=True)]
        self._run("record_sent", lambda conn: conn.execute(_T["sent"].insert(), records))

    def sent(self, order_ids: Iterable[str] | None = None) -> pd.DataFrame:
        """Return the confirmations sent through the API, in the order they were sent.

        Returns:
            A frame with ``order_id``, ``order_item_id``, ``quantity``, ``package_reference_id``,
            ``tracking_number``, ``carrier``, ``sent_at`` (UTC), ``result`` (``"ok"`` or Amazon's
            error code) and ``message``; only ``order_ids``' rows when given.

        Raises:
            StoreError: the store cannot be read.

        """
        t = _T["sent"]
        query = sa.select(*[t.c[c] for c in _SENT_COLUMNS]).order_by(t.c[_SEQ])
        if order_ids is not None:
            query = query.where(t.c.order_id.in_(sorted(set(order_ids))))
        rows = self._run("sent", lambda conn: conn.execute(query).all())
        columns = list(zip(*rows, strict=True)) if rows else [()] * len(_SENT_COLUMNS)
        frame = pd.DataFrame(
            {c: pd.Series(v, dtype=object) for c, v in zip(_SENT_COLUMNS, columns, strict=True)}
        )
        return pd.DataFrame({c: _column(list(frame[c]), d) for c, d in _SENT_COLUMNS.items()})

    # -- closing -------------------------------------------------------------------------------
    def close(self) -> None:
        """Release the database connections (the store can be reopened with a new ``Store``)."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _with_pii(orders: pd.DataFrame, pii: pd.DataFrame) -> pd.DataFrame:
    """Return the ``orders`` rows with their PII columns filled from ``pii``, in schema order.

    An order without a PII row (none given, or purged) has them blank; the extra columns stay
    after the documented ones.
    """
    by_order = pii.set_index("order_id")
    ids = orders["order_id"]
    filled = {
        c: by_order[c].reindex(ids).set_axis(orders.index) if len(by_order) else None
        for c in _PII_COLUMNS
    }
    columns = {c: filled[c] if c in filled else orders[c] for c in schema.ORDERS}
    columns = {c: v for c, v in columns.items() if v is not None}
    extras = {c: orders[c] for c in orders.columns if c not in schema.ORDERS}
    frame = pd.DataFrame({**columns, **extras}, index=orders.index)
    return schema.conform(frame, "orders")


def _done_before(
    book: OrderBook, at: dt.datetime, cutoff: pd.Timestamp, policy: Policy
) -> list[str]:
    """Return the orders of ``book`` delivered (or canceled) before ``cutoff``, as of ``at``.

    See :meth:`Store.purge_pii` for the rule.
    """
    from orderkit import metrics  # the fleet lens (it imports the store's neighbours)
    from orderkit.events import EventKind as K
    from orderkit.status import OrderStatus as S

    if not len(book):
        return []
    status = metrics.status_at(book, at, policy=policy)
    status = status.loc[~status["refused"], "status"].astype(str)
    ev = book.live_events
    kind = ev["kind"].astype(str)
    order = ev["order_id"].astype(str)

    def last(mask: pd.Series, when: pd.Series) -> pd.Series:
        return when[mask.to_numpy()].groupby(order[mask.to_numpy()]).max()

    delivered = last(kind == K.DELIVERED, ev["at"])
    shipped = last(kind == K.SHIPMENT_CONFIRMED, ev["shipped_at"].fillna(ev["at"]))
    ended = last(kind.isin([K.CANCELED, K.UNFULFILLABLE]), ev["at"])
    ids = status.index
    arrived = delivered.reindex(ids).fillna(shipped.reindex(ids) + DELIVERY_MARGIN)
    shipped_whole = (status == S.SHIPPED).to_numpy()
    gone = status.isin([S.CANCELED, S.UNFULFILLABLE]).to_numpy()
    done = pd.Series(pd.NaT, index=ids, dtype=schema.TS)
    done[shipped_whole] = arrived[shipped_whole]
    done[gone] = ended.reindex(ids)[gone]
    return sorted(done.index[(done < cutoff).to_numpy()].astype(str))


def _lock_key(order_id: str) -> int:
    """Return the advisory lock key of an order: 32 bits of a hash, the same in every process.

    Two orders that share a key share a lock: their writers wait for each other, no more.
    """
    return int.from_bytes(hashlib.blake2b(order_id.encode(), digest_size=4).digest(), signed=True)


def _conflict(exc: sa.exc.DBAPIError) -> bool:
    """Whether ``exc`` is a serialisation failure or deadlock: the transaction may be run again."""
    orig = exc.orig
    return getattr(orig, "sqlstate", getattr(orig, "pgcode", None)) in _RETRY_SQLSTATES


def _busy(exc: sa.exc.SQLAlchemyError) -> bool:
    """Whether ``exc`` is SQLite's "database is locked" (another writer held it too long)."""
    return str(getattr(getattr(exc, "orig", None), "sqlite_errorname", "")).startswith(
        ("SQLITE_BUSY", "SQLITE_LOCKED")
    )


def _why(exc: sa.exc.SQLAlchemyError) -> str:
    """The database's own message, without SQLAlchemy's statement dump."""
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip().splitlines()[0]
