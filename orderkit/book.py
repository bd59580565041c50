"""The order book: three tidy tables, and the per-order lens over them.

An :class:`OrderBook` holds ``orders`` (one row per order), ``items`` (one row per order item) and
``events`` (append-only, long form), with the columns of :mod:`orderkit.schema`. Every source
produces one; every use consumes one. ``book.order(order_id)`` is the per-order lens
(:class:`OrderView`): the order's facts, its timeline, and its folded state at any instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from orderkit import schema
from orderkit.errors import InvalidOrderId, OrderNotFound, ReportFormatError, TransitionNotAllowed
from orderkit.events import Actor, Event, EventKind, Origin, event_ids, events_frame, live
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.rules import rule
from orderkit.state import ItemFacts, OrderFacts, OrderState, fold

if TYPE_CHECKING:
    from orderkit.reconcile import ImportSummary

__all__ = [
    "CHARGES", "DISCOUNTS", "OrderBook", "OrderView", "line_amounts", "order_accounts",
    "without_pii",
]  # fmt: skip

#: Item columns that add up to what the buyer pays for a line, and those taken off it.
CHARGES = ("item_price", "item_tax", "shipping_price", "shipping_tax", "gift_wrap_price", "cod_fee")
DISCOUNTS = ("item_promotion_discount", "ship_promotion_discount")


def line_amounts(items: pd.DataFrame) -> pd.Series:
    """Return what the buyer pays for each item line in yen (charges less discounts; NA as 0).

    Vectorised over the items table; ``OrderFacts.total`` is the same sum per order.
    """
    total = np.zeros(len(items), np.int64)
    for columns, add in ((CHARGES, np.add), (DISCOUNTS, np.subtract)):
        for c in columns:
            add(total, _yen_or_zero(items[c]), out=total)
    return pd.Series(total, index=items.index, dtype="int64", copy=False)


def _yen_or_zero(column: pd.Series) -> np.ndarray:
    """Return a yen column's values as ``int64``, 0 where missing (no copy when none is)."""
    values = column.array
    if isinstance(values, pd.arrays.IntegerArray) and values.dtype.numpy_dtype == np.int64:
        data, mask = values._data, values._mask  # type: ignore[attr-defined]
        return np.where(mask, 0, data) if mask.any() else data
    return column.fillna(0).astype("int64").to_numpy()


def _py(value: Any) -> Any:
    """Return ``value`` as a plain Python object (``None`` for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


class OrderBook:
    """Orders, their items and their events, as three DataFrames.

    Args:
        orders, items, events: frames with (at least) the columns of :mod:`orderkit.schema`;
            missing documented columns are added empty, unknown ones kept.
        problems: rows a reader could not read, each a
            :class:`~orderkit.errors.ReportFormatError` (nothing is skipped silently).

    Raises:
        ValueError: a column cannot take its documented dtype.
    """

    def __init__(
        self,
        orders: pd.DataFrame | None = None,
        items: pd.DataFrame | None = None,
        events: pd.DataFrame | None = None,
        *,
        problems: Sequence[ReportFormatError] = (),
    ) -> None:
        self._orders = schema.conform(orders if orders is not None else pd.DataFrame(), "orders")
        self._items = schema.conform(items if items is not None else pd.DataFrame(), "items")
        events = schema.conform(events if events is not None else pd.DataFrame(), "events")
        missing = events["event_id"].isna()
        if missing.any():
            events.loc[missing, "event_id"] = event_ids(events.loc[missing])
        self._events = events
        self.problems: tuple[ReportFormatError, ...] = tuple(problems)
        #: What the merge that made this book added (:meth:`merge`); ``None`` otherwise.
        self.summary: ImportSummary | None = None
        self._index: dict[str, Any] | None = None
        self._cache: dict[tuple[str, str], Any] = {}

    # -- the three tables ----------------------------------------------------------------------
    @property
    def orders(self) -> pd.DataFrame:
        """One row per order (:data:`orderkit.schema.ORDERS`)."""
        return self._orders

    @property
    def items(self) -> pd.DataFrame:
        """One row per order item (:data:`orderkit.schema.ITEMS`)."""
        return self._items

    @property
    def events(self) -> pd.DataFrame:
        """Every event, append-only (:data:`orderkit.schema.EVENTS`), corrections included."""
        return self._events

    @property
    def live_events(self) -> pd.DataFrame:
        """The events both lenses fold: ``events`` less voids and what they void (:func:`~orderkit.events.live`)."""
        key = ("live", "")
        if key not in self._cache:
            self._cache[key] = live(self._events)
        return self._cache[key]

    def __len__(self) -> int:
        return len(self._orders)

    def __repr__(self) -> str:
        return (
            f"<OrderBook: {len(self._orders):,} orders, {len(self._items):,} items, "
            f"{len(self._events):,} events"
            + (f", {len(self.problems)} problem rows" if self.problems else "")
            + ">"
        )

    # -- lookups -------------------------------------------------------------------------------
    def _lookup(self) -> dict[str, Any]:
        if self._index is None:
            self._index = {
                "orders": pd.Index(self._orders["order_id"]).get_indexer,
                "items": self._items.groupby("order_id", sort=False).indices,
                "events": self._events.groupby("order_id", sort=False).indices,
            }
        return self._index

    def __contains__(self, order_id: object) -> bool:
        return bool(self._lookup()["orders"]([order_id])[0] >= 0)

    def order(self, order_id: str) -> OrderView:
        """Return the per-order lens of ``order_id``; raise ``OrderNotFound`` if absent."""
        pos = self._lookup()["orders"]([order_id])[0]
        if pos < 0:
            raise OrderNotFound(order_id)
        return OrderView(self, order_id, int(pos))

    def find(
        self, *, email: str | None = None, order_id: str | None = None, at: dt.datetime
    ) -> Any:
        """Find orders as the FAQ says: by buyer email or order number (see :func:`orderkit.lookup.find`)."""
        from orderkit.lookup import find

        return find(self, email=email, order_id=order_id, at=at)

    # -- growing the book ----------------------------------------------------------------------
    def add_order(
        self,
        order: dict[str, Any],
        items: Sequence[dict[str, Any]],
        *,
        at: dt.datetime,
        source: str = "workbench",
    ) -> OrderView:
        """Add a new order (its row, its items and its ``placed`` event at ``at``).

        ``order`` holds columns of :data:`orderkit.schema.ORDERS` (``order_id`` required;
        ``purchase_date`` defaults to ``at``); each item, columns of :data:`orderkit.schema.ITEMS`.

        Returns:
            The new order's :class:`OrderView`.

        Raises:
            InvalidOrderId: ``order_id`` is not 3-7-7 digits.
            ValueError: the order is already in the book, or a value does not fit its column.
        """
        from orderkit.lookup import is_order_id

        order_id = order.get("order_id", "")
        if not is_order_id(order_id):
            raise InvalidOrderId(order_id)
        if order_id in self:
            raise ValueError(f"order {order_id} is already in the book")
        row = {"purchase_date": at, "is_business_order": False, "is_prime": False, **order}
        lines = [{**item, "order_id": order_id} for item in items]
        self._orders = schema.conform(
            schema.concat([self._orders, schema.conform(pd.DataFrame([row]), "orders")]), "orders"
        )
        self._items = schema.conform(
            schema.concat([self._items, schema.conform(pd.DataFrame(lines), "items")]), "items"
        )
        self._index = None
        self._cache.clear()
        self.extend([Event(order_id, at, EventKind.PLACED, Actor.BUYER, source=source)])
        return self.order(order_id)

    def record(self, event: Event, *, policy: Policy = DEFAULT_POLICY) -> OrderState:
        """Check ``event`` against the rules and append it; return the order's new state.

        Nothing is appended when the rules refuse the event.

        Raises:
            OrderNotFound: no such order.
            TransitionNotAllowed: the rules forbid the event now (with the rule).
        """
        state = self.order(event.order_id).check(event, policy=policy)
        self.extend(events_frame([event]))
        return state

    def void(
        self,
        event_id: int,
        *,
        at: dt.datetime,
        operator: str,
        note: str,
        policy: Policy = DEFAULT_POLICY,
    ) -> OrderState:
        """Void a mistaken event by appending a ``voided`` event; return the order's new state.

        Nothing is deleted: the voided event stays in the timeline, and both lenses skip it.

        Raises:
            KeyError: no live event with that id (never recorded, or voided already).
            ValueError: no ``operator`` or ``note`` (a correction says who and why).
            TransitionNotAllowed: the order's other events do not fold without it (e.g. voiding
                the shipment a refund depends on); nothing is appended.
        """
        void = self.correction(event_id, at=at, operator=operator, note=note)
        view = self.order(void.order_id)
        state = view.state_with(void, policy=policy)
        self.extend([void])
        return state

    def correction(self, event_id: int, *, at: dt.datetime, operator: str, note: str) -> Event:
        """Return the ``voided`` event that voids live event ``event_id`` (nothing is appended).

        Raises:
            KeyError: no live event with that id.
            ValueError: an empty ``operator`` or ``note``, or ``at`` before the voided event.
        """
        if not (operator or "").strip() or not (note or "").strip():
            raise ValueError("a correction needs an operator and a note saying why")
        events = self.live_events
        row = events.loc[events["event_id"] == event_id]
        if row.empty:
            raise KeyError(f"no live event {event_id} in this book (never recorded, or voided)")
        target = Event.from_row(row.iloc[0].to_dict())
        if at < target.at:
            raise ValueError(
                f"a correction at {at} cannot come before the event it voids ({target.at})"
            )
        return Event(
            target.order_id, at, EventKind.VOIDED, Actor.SELLER, ref=str(event_id),
            source="workbench", origin=Origin.CORRECTION, operator=operator.strip(),
            note=note.strip(),
        )  # fmt: skip

    def extend(self, events: pd.DataFrame | Iterable[Event]) -> int:
        """Append events not already in the book (by ``event_id``); return how many were new.

        This does not check the rules (a reader appends what a source says happened); use
        :meth:`record` for an action.
        """
        frame = events if isinstance(events, pd.DataFrame) else events_frame(events)
        frame = schema.conform(frame, "events")
        if frame["event_id"].isna().any():
            frame["event_id"] = event_ids(frame)
        frame = frame.drop_duplicates("event_id")
        new = frame[~frame["event_id"].isin(self._events["event_id"])]
        if len(new):
            self._events = schema.concat([self._events, new])
            self._index = None
            self._cache.clear()
        return len(new)

    def merge(self, other: OrderBook, *, policy: Policy = DEFAULT_POLICY) -> OrderBook:
        """Return a new book with what ``other`` adds to this one (:mod:`orderkit.reconcile`).

        ``other`` is typically a snapshot (a report or an API response read later): only the
        facts new for each order are added, fields merged by the reconciliation's rules, and
        nothing already known is added twice. The returned book's :attr:`summary` says what
        happened (new orders, status changes, duplicates skipped, conflicts).

        Raises:
            TransitionNotAllowed: an event of ``other`` that is not a snapshot's (an action, a
                correction) would leave its order not folding; nothing is merged.
        """
        from orderkit.reconcile import reconcile

        rec = reconcile(self, other, policy=policy)
        orders = _upsert(self._orders, rec.orders, ["order_id"])
        items = _upsert(self._items, rec.items, ["order_id", "order_item_id"])
        events = schema.concat([self._events, rec.events]) if len(rec.events) else self._events
        book = OrderBook(orders, items, events, problems=self.problems + other.problems)
        book.summary = rec.summary
        return book

    def without_pii(self) -> OrderBook:
        """Return this book with its buyer and recipient data blanked (:func:`without_pii`)."""
        return without_pii(self)

    def copy(self) -> OrderBook:
        """Return an independent copy of the book."""
        return OrderBook(
            self._orders.copy(), self._items.copy(), self._events.copy(), problems=self.problems
        )

    def subset(self, order_ids: Iterable[str]) -> OrderBook:
        """Return a book with only the given orders (and their items and events)."""
        ids = set(order_ids)
        return OrderBook(*(frame[schema.is_in(frame["order_id"], ids)] for frame in self._tables()))

    # -- seller accounts ---------------------------------------------------------------------
    def accounts(self) -> list[str]:
        """Return the seller accounts the book's orders belong to, sorted.

        An order whose row names no account belongs to :data:`~orderkit.schema.DEFAULT_ACCOUNT`:
        a single-account book needs no account column.
        """
        column = self._orders.get("account")
        if column is None or not len(column):
            return [schema.DEFAULT_ACCOUNT] if len(self._orders) else []
        if isinstance(column.dtype, pd.CategoricalDtype):  # conformed: no pass over the rows' text
            named = set(column.cat.categories[np.unique(column.cat.codes[column.cat.codes >= 0])])
            return sorted(named | ({schema.DEFAULT_ACCOUNT} if column.isna().any() else set()))
        return sorted(set(order_accounts(self._orders)))

    def for_account(self, account: str) -> OrderBook:
        """Return the book of one seller account: its orders, with their items and events.

        The book itself when every order is the account's.

        Raises:
            KeyError: the book holds no order of ``account``.

        """
        mine = (order_accounts(self._orders) == account).to_numpy(bool)
        if not mine.any():
            raise KeyError(f"the book holds no order of account {account!r}")
        if mine.all():
            return self
        return self.subset(self._orders["order_id"][mine])

    def _tables(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        return self._orders, self._items, self._events

    def statuses(self, at: dt.datetime, *, policy: Policy = DEFAULT_POLICY) -> pd.DataFrame:
        """Return each order's status and flags at ``at``, as the per-order lens folds them.

        Read through the fleet lens (:func:`orderkit.metrics.status_at`: one vectorised replay,
        not one fold per order), which agrees with ``book.order(id).state(at=at)`` order by order.

        Returns:
            One row per order placed by ``at``, in ``book.orders``' order: ``order_id``,
            ``status`` (the :class:`~orderkit.status.OrderStatus` value), ``late``, ``at_risk``,
            ``charged`` and ``refunded`` (yen).

        Raises:
            TransitionNotAllowed: an order's events break a rule by ``at`` — the first such order
                of ``book.orders``, named by the per-order lens with its event and rule (no
                partial table: a status read past a refused event would be made up).
            ValueError: ``at`` is naive.

        """
        from orderkit import metrics  # the fleet lens imports this module

        fleet = metrics.status_at(self, at, policy=policy)
        metrics.raise_refused(self, fleet, at=at, policy=policy)
        columns = ["status", "late", "at_risk", "charged", "refunded"]
        return fleet[columns].reset_index()  # the fleet lens lists orders in the book's order


def without_pii(book: OrderBook) -> OrderBook:
    """Return ``book`` with the buyer and recipient data (:data:`orderkit.schema.PII`) blanked.

    What exports and the scale-out history write: every order keeps its row and every other
    column (the prefecture too, see :data:`~orderkit.schema.PII`), and the PII columns stay in the
    schema, empty, so the book still validates. Items and events hold no PII and are shared, not
    copied. ``book`` itself is not changed.

    Returns:
        A new :class:`OrderBook` (its ``problems`` kept).
    """
    orders = book.orders
    blank = {c: schema.missing(schema.ORDERS[c].dtype, len(orders)).set_axis(orders.index)
             for c in schema.ORDERS if c in schema.PII}  # fmt: skip
    return OrderBook(orders.assign(**blank), book.items, book.events, problems=book.problems)


def order_accounts(orders: pd.DataFrame) -> pd.Series:
    """Return each order's seller account (:data:`~orderkit.schema.DEFAULT_ACCOUNT` if none)."""
    if "account" not in orders.columns:
        return pd.Series(schema.DEFAULT_ACCOUNT, index=orders.index, dtype=schema.STR)
    return orders["account"].astype(schema.STR).fillna(schema.DEFAULT_ACCOUNT)


def _upsert(old: pd.DataFrame, new: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    if new.empty:
        return old
    if old.empty:
        return new
    keep = ~old.set_index(key).index.isin(new.set_index(key).index)
    return schema.concat([old[keep], new])


def _ship_to(row: pd.Series) -> str | None:
    """Return the shipping address as one normalised line, or ``None`` if the book has none."""
    import unicodedata

    parts = [
        _py(row[c])
        for c in ("ship_postal_code", "ship_state", "ship_city", "ship_address_1", "ship_address_2")
    ]
    text = " ".join(unicodedata.normalize("NFKC", p).strip() for p in parts if p)
    return " ".join(text.split()) or None


class OrderView:
    """The per-order lens: one order's facts, timeline and state. Get one with ``book.order(id)``."""

    def __init__(self, book: OrderBook, order_id: str, position: int) -> None:
        self.book = book
        self.order_id = order_id
        self._pos = position

    def __repr__(self) -> str:
        return f"<OrderView {self.order_id}: {len(self.timeline)} events>"

    @property
    def row(self) -> pd.Series:
        """The order's row of ``book.orders``."""
        return self.book.orders.iloc[self._pos]

    @property
    def items(self) -> pd.DataFrame:
        """The order's rows of ``book.items``."""
        pos = self.book._lookup()["items"].get(self.order_id, [])
        return self.book.items.iloc[pos]

    @property
    def timeline(self) -> pd.DataFrame:
        """The order's events in time order, corrections included: ``voided`` says which are void."""
        pos = self.book._lookup()["events"].get(self.order_id, [])
        frame = self.book.events.iloc[pos].sort_values("at", kind="stable")
        return frame.assign(voided=~frame["event_id"].isin(live(frame)["event_id"]))

    @property
    def events(self) -> list[Event]:
        """The order's live events in time order (voids and what they void left out)."""
        cache = self.book._cache
        key = ("events", self.order_id)
        if key not in cache:
            frame = self.timeline
            frame = frame.loc[~frame.pop("voided")]
            cache[key] = [Event.from_row(r) for r in frame.to_dict("records")]
        return list(cache[key])

    @property
    def facts(self) -> OrderFacts:
        """The order's row and items as :class:`~orderkit.state.OrderFacts`."""
        key = ("facts", self.order_id)
        if key not in self.book._cache:
            self.book._cache[key] = self._facts()
        return self.book._cache[key]

    def _facts(self) -> OrderFacts:
        row = self.row
        items = []
        for it in self.items.to_dict("records"):
            n = {k: _py(v) for k, v in it.items()}
            plus = sum(n.get(c) or 0 for c in CHARGES)
            minus = sum(n.get(c) or 0 for c in DISCOUNTS)
            goods = (
                (n["item_price"] or 0) + (n["item_tax"] or 0) - (n["item_promotion_discount"] or 0)
            )
            items.append(
                ItemFacts(
                    order_item_id=str(n["order_item_id"]),
                    quantity=int(n["quantity"]),
                    amount=int(plus - minus),
                    item_amount=int(goods),
                    sku=n["sku"] or "",
                    product_name=n["product_name"] or "",
                )
            )
        return OrderFacts(
            order_id=self.order_id,
            purchase_date=_py(row["purchase_date"]),
            fulfillment_channel=_py(row["fulfillment_channel"]) or "MFN",
            payment_method=_py(row["payment_method"]) or "other",
            latest_ship_date=_py(row["latest_ship_date"]),
            latest_delivery_date=_py(row["latest_delivery_date"]),
            is_business_order=bool(row["is_business_order"]),
            purchase_order_number=_py(row["purchase_order_number"]),
            buyer_name=_py(row["buyer_name"]),
            ship_to=_ship_to(row),
            items=tuple(items),
        )

    def state(self, *, at: dt.datetime, policy: Policy = DEFAULT_POLICY) -> OrderState:
        """Return the folded :class:`~orderkit.state.OrderState` at ``at``.

        Raises:
            TransitionNotAllowed: the stored events break a rule (a corrupt source).
            ValueError: ``at`` is naive or before the order was placed.
        """
        return fold(self.facts, self.events, at=at, policy=policy)

    def state_with(self, void: Event, *, policy: Policy = DEFAULT_POLICY) -> OrderState:
        """Return the state at ``void.at`` once the ``voided`` event ``void`` is applied.

        Raises:
            TransitionNotAllowed: the order's other events do not fold without the voided one.
        """
        gone = int(void.ref or 0)
        frame = self.timeline
        frame = frame.loc[~frame.pop("voided") & (frame["event_id"] != gone)]
        events = [Event.from_row(r) for r in frame.to_dict("records")]
        return fold(self.facts, events, at=max(void.at, *(e.at for e in events)), policy=policy)

    def check(self, event: Event, *, policy: Policy = DEFAULT_POLICY) -> OrderState:
        """Return the state after ``event``, or raise ``TransitionNotAllowed`` with the rule.

        Nothing is recorded: :meth:`OrderBook.record` does that.
        """
        events = self.events
        if events and event.at < events[-1].at:
            current = fold(self.facts, events, at=events[-1].at, policy=policy)
            raise TransitionNotAllowed(
                self.order_id,
                current.status,
                event,
                rule("events-in-order"),
                f"{event.at:%Y-%m-%d %H:%M} is before the last event, {events[-1].at:%Y-%m-%d %H:%M}",
            )
        return fold(self.facts, [*events, event], at=event.at, policy=policy)

    def refusal(
        self, event: Event, *, policy: Policy = DEFAULT_POLICY
    ) -> TransitionNotAllowed | None:
        """Return why the rules refuse ``event`` now, or ``None`` if they allow it."""
        try:
            self.check(event, policy=policy)
        except TransitionNotAllowed as exc:
            return exc
        return None
