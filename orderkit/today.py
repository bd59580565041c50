"""Today: what an operations analyst must do *now* — the rules, as pure functions over the book.

Given a book, an instant and a policy, :func:`today` returns the day's lists and the rates, each
as a frame; nothing here reads the clock or draws anything (the widget
:class:`orderkit.widgets.today.TodayPanel` shows them). The day is the Japan-time day of ``now``.

- **must ship today** (:func:`must_ship_today`): seller-fulfilled orders that can still be shipped
  (Unshipped or Partially shipped) whose ship date (latest ship date) falls on today, up to 23:59
  JST. Shipping later makes them late (Late Shipment Rate).
- **confirm before the cutoff** (:func:`to_confirm`): orders not yet wholly confirmed whose
  confirmation cutoff (ship date + :attr:`Policy.confirm_cutoff`) falls before the end of
  tomorrow: unconfirmed, Amazon cancels them automatically at the cutoff.
- **convenience-store payments expiring** (:func:`cvs_expiring`): unpaid convenience-store orders
  whose payment window (:attr:`Policy.cvs_payment_window`) ends before the end of tomorrow.
- **reply deadlines** (:func:`reply_deadlines`): reply deadlines the seller set for a buyer who
  has not replied, on an order that can still be canceled, due before the end of tomorrow (or
  already passed: the seller may now cancel).
- **open late orders** (:func:`late_open`): orders showing "Shipment is late" — late and not yet
  wholly confirmed; orders already shipped late are left out (nothing more can be done).
- **rates**: :func:`orderkit.metrics.rates` against :data:`orderkit.metrics.TARGETS`.

Every list is computed with the fleet lens (:func:`orderkit.metrics.status_at`), vectorised, and
has the columns of :data:`COLUMNS`, soonest deadline first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from orderkit.book import OrderBook, line_amounts
from orderkit.businessdays import JST, to_jst
from orderkit.events import EventKind
from orderkit.i18n import _
from orderkit.metrics import rates, status_at
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.status import OrderStatus

__all__ = [
    "COLUMNS",
    "LISTS",
    "Today",
    "countdown",
    "cvs_expiring",
    "day_bounds",
    "late_open",
    "must_ship_today",
    "reply_deadlines",
    "to_confirm",
    "today",
]

#: The columns of every list: order number, buyer, status, payment method, the deadline (UTC),
#: the seconds left until it at ``now`` (negative once passed) and the order total in yen.
COLUMNS = (
    "order_id",
    "buyer_name",
    "status",
    "payment_method",
    "deadline",
    "seconds_left",
    "total",
)

#: The lists of :class:`Today`, in the order they are shown.
LISTS = ("must_ship", "to_confirm", "cvs_expiring", "replies", "late_open")

_CAN_SHIP = (OrderStatus.UNSHIPPED.value, OrderStatus.PARTIALLY_SHIPPED.value)
_CANCELABLE = (
    OrderStatus.PENDING.value,
    OrderStatus.PENDING_AVAILABILITY.value,
    OrderStatus.UNSHIPPED.value,
)


def day_bounds(now: dt.datetime) -> tuple[pd.Timestamp, pd.Timestamp, pd.Timestamp]:
    """Return the start of today, of tomorrow and of the day after, in Japan time (``now``'s day).

    Raises:
        ValueError: ``now`` is naive.
    """
    if now.tzinfo is None:
        raise ValueError(f"now={now!r} has no timezone; orderkit needs tz-aware times")
    start = pd.Timestamp(dt.datetime.combine(to_jst(now).date(), dt.time(0), tzinfo=JST))
    return start, start + pd.Timedelta(days=1), start + pd.Timedelta(days=2)


@dataclass(frozen=True)
class Today:
    """What must be done at ``now``: the lists (frames with :data:`COLUMNS`) and the rates.

    ``rates`` is :func:`orderkit.metrics.rates`' frame (``metric``, ``window_days``, ``value``,
    ``target``, ``met``, ...).
    """

    now: dt.datetime
    must_ship: pd.DataFrame
    to_confirm: pd.DataFrame
    cvs_expiring: pd.DataFrame
    replies: pd.DataFrame
    late_open: pd.DataFrame
    rates: pd.DataFrame

    def lists(self) -> dict[str, pd.DataFrame]:
        """Return the lists by name, in the order of :data:`LISTS`."""
        return {name: getattr(self, name) for name in LISTS}


def _fleet(book: OrderBook, now: dt.datetime, policy: Policy) -> pd.DataFrame:
    """Return the fleet lens at ``now`` (statuses, flags, ship_by, confirm_by per order)."""
    return status_at(book, now, policy=policy)


@dataclass(frozen=True)
class _Picked:
    """One list before its details: statuses (indexed by order id) and deadlines, in order."""

    rows: pd.Series
    due: pd.Series


def _details(book: OrderBook, ids: np.ndarray) -> pd.DataFrame:
    """Return buyer_name, payment_method and total (yen) of the orders ``ids``, indexed by id.

    Looked up for the few orders picked only, once for every list: a lookup over all 100,000
    orders would cost more than the rules (Arrow's ``isin`` is fast against a few values).
    """
    orders = book.orders[["order_id", "buyer_name", "payment_method"]]
    own = orders[orders["order_id"].isin(ids).to_numpy(bool)].drop_duplicates("order_id")
    own = own.set_index(own["order_id"].astype(str))
    items = book.items
    mine = items["order_id"].isin(ids).to_numpy(bool)
    totals = line_amounts(items[mine]).groupby(items["order_id"][mine].astype(str).to_numpy()).sum()
    return pd.DataFrame(
        {
            "buyer_name": own["buyer_name"].reindex(ids).fillna("").to_numpy(),
            # (a category column: as text first, since "" is none of its categories)
            "payment_method": own["payment_method"]
            .astype("str")
            .reindex(ids)
            .fillna("")
            .to_numpy(),
            "total": totals.reindex(ids).fillna(0).astype("int64").to_numpy(),
        },
        index=pd.Index(ids, dtype="str"),
    )


def _frame(picked: _Picked, details: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    """Return one list with :data:`COLUMNS`, soonest deadline first (then by order id)."""
    # numpy throughout: five small lists are redrawn on every Refresh, and pandas' per-call
    # overhead (to_datetime, reindex, a two-key sort) cost more than the rules that picked them
    due = pd.to_datetime(picked.due, utc=True).to_numpy("datetime64[ns]")
    ids = picked.rows.index.to_numpy(str)
    order = np.lexsort((ids, due))  # the last key sorts first: deadline, then order id
    ids, due = ids[order], due[order]
    mine = details.reindex(ids)
    now_ns = np.datetime64(pd.Timestamp(now).tz_convert("UTC").tz_localize(None), "ns")
    left = np.trunc((due - now_ns).astype(np.int64) / 1e9)  # whole seconds, toward zero
    return pd.DataFrame(
        {
            "order_id": pd.array(ids, dtype="str"),
            "buyer_name": mine["buyer_name"].fillna("").to_numpy(),
            "status": picked.rows.to_numpy()[order],
            "payment_method": mine["payment_method"].fillna("").to_numpy(),
            "deadline": pd.DatetimeIndex(due).tz_localize("UTC"),
            "seconds_left": left.astype(np.int64),
            "total": mine["total"].fillna(0).astype("int64").to_numpy(),
        }
    )


def _list(book: OrderBook, picked: _Picked, now: dt.datetime) -> pd.DataFrame:
    """Return one list with :data:`COLUMNS` (its details looked up for its orders only)."""
    return _frame(picked, _details(book, picked.rows.index.to_numpy(str)), now)


def must_ship_today(
    book: OrderBook, now: dt.datetime, *, policy: Policy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Return the orders that must ship by today 23:59 JST (ship date today, still to ship)."""
    return _list(book, _must_ship(_fleet(book, now, policy), now), now)


def _must_ship(fleet: pd.DataFrame, now: dt.datetime) -> _Picked:
    start, tomorrow, _ = day_bounds(now)
    ship_by = fleet["ship_by"]
    mask = (
        fleet["status"].isin(_CAN_SHIP).to_numpy()
        & (ship_by >= start).fillna(False).to_numpy(bool)
        & (ship_by < tomorrow).fillna(False).to_numpy(bool)
    )
    return _Picked(fleet["status"][mask], ship_by[mask])


def to_confirm(
    book: OrderBook, now: dt.datetime, *, policy: Policy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Return the orders to confirm before their cutoff, which falls before the end of tomorrow.

    Orders not yet wholly confirmed (Unshipped or Partially shipped) whose ``confirm_by`` is after
    ``now`` and before the start of the day after tomorrow (JST).
    """
    return _list(book, _to_confirm(_fleet(book, now, policy), now), now)


def _to_confirm(fleet: pd.DataFrame, now: dt.datetime) -> _Picked:
    _, _, after = day_bounds(now)
    by = fleet["confirm_by"]
    mask = (
        fleet["status"].isin(_CAN_SHIP).to_numpy()
        & (by > pd.Timestamp(now)).fillna(False).to_numpy(bool)
        & (by < after).fillna(False).to_numpy(bool)
    )
    return _Picked(fleet["status"][mask], by[mask])


def cvs_expiring(
    book: OrderBook, now: dt.datetime, *, policy: Policy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Return the unpaid convenience-store orders whose payment expires before the end of tomorrow.

    The payment is due at purchase + :attr:`Policy.cvs_payment_window`; an order still Pending
    with no payment recorded by ``now`` is unpaid.
    """
    return _list(book, _cvs(book, _fleet(book, now, policy), now, policy), now)


def _cvs(book: OrderBook, fleet: pd.DataFrame, now: dt.datetime, policy: Policy) -> _Picked:
    _, _, after = day_bounds(now)
    orders = book.orders
    # Candidates first, over the orders table: convenience-store orders whose window ends between
    # now and the end of tomorrow (few); then their status and payments.
    due_all = pd.to_datetime(orders["purchase_date"], utc=True) + pd.Timedelta(
        policy.cvs_payment_window
    )
    window = (
        (orders["payment_method"] == "cvs").fillna(False).to_numpy(bool)
        & (due_all > pd.Timestamp(now)).to_numpy(bool)
        & (due_all < after).to_numpy(bool)
    )
    candidates = orders["order_id"][window].astype(str).unique()
    ev = book.events
    paid = ev["order_id"][
        (ev["kind"] == EventKind.PAYMENT_COMPLETED.value).to_numpy(bool)
        & (ev["at"] <= pd.Timestamp(now)).to_numpy(bool)
        & ev["order_id"].isin(candidates).to_numpy(bool)
    ].unique()
    unpaid = pd.Index(candidates).difference(pd.Index(paid))
    due = pd.Series(due_all[window].to_numpy(), index=orders["order_id"][window].astype(str))
    due = due[~due.index.duplicated()]
    picked = fleet["status"][fleet.index.isin(unpaid)]
    picked = picked[(picked == OrderStatus.PENDING.value).to_numpy(bool)]
    return _Picked(picked, due.reindex(picked.index.astype(str)))


def reply_deadlines(
    book: OrderBook, now: dt.datetime, *, policy: Policy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Return the open reply deadlines due before the end of tomorrow, passed ones included.

    A reply deadline (the last one set by ``now``) stands while the buyer has not replied since
    it was set and the order can still be canceled (Pending or Unshipped), as
    :attr:`OrderState.reply_deadline` says.
    """
    return _list(book, _replies(book, _fleet(book, now, policy), now), now)


def _replies(book: OrderBook, fleet: pd.DataFrame, now: dt.datetime) -> _Picked:
    _, _, after = day_bounds(now)
    ev = book.events
    by_now = (ev["at"] <= pd.Timestamp(now)).to_numpy(bool)
    sets = ev[(ev["kind"] == EventKind.REPLY_DEADLINE_SET.value).to_numpy(bool) & by_now]
    sets = sets.sort_values("at", kind="stable").drop_duplicates("order_id", keep="last")
    sets = sets.set_index(sets["order_id"].astype(str))
    replies = ev[(ev["kind"] == EventKind.BUYER_REPLIED.value).to_numpy(bool) & by_now]
    last_reply = replies.groupby(replies["order_id"].astype(str))["at"].max()
    picked = fleet["status"][fleet.index.isin(sets.index)]
    ids = picked.index.astype(str)
    set_at, due = sets["at"].reindex(ids), pd.to_datetime(sets["due"].reindex(ids), utc=True)
    answered = (last_reply.reindex(ids) >= set_at).fillna(False).to_numpy(bool)
    keep = (
        ~answered
        & picked.isin(_CANCELABLE).to_numpy(bool)
        & (due < after).fillna(False).to_numpy(bool)
    )
    return _Picked(picked[keep], due[keep])


def late_open(
    book: OrderBook, now: dt.datetime, *, policy: Policy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Return the orders showing "Shipment is late": late and not yet wholly confirmed.

    Orders already shipped (late or not) are left out: they count in the Late Shipment Rate, but
    nothing more can be done for them. The deadline is the ship date that was missed.
    """
    return _list(book, _late(_fleet(book, now, policy)), now)


def _late(fleet: pd.DataFrame) -> _Picked:
    mask = fleet["late"].to_numpy(bool) & fleet["status"].isin(_CAN_SHIP).to_numpy(bool)
    return _Picked(fleet["status"][mask], fleet["ship_by"][mask])


def today(book: OrderBook, now: dt.datetime, *, policy: Policy = DEFAULT_POLICY) -> Today:
    """Return everything Today shows at ``now``: the five lists and the rates (one fleet lens).

    Raises:
        ValueError: ``now`` is naive.
    """
    day_bounds(now)  # a naive ``now`` is refused before any work
    fleet = _fleet(book, now, policy)
    picked = {
        "must_ship": _must_ship(fleet, now),
        "to_confirm": _to_confirm(fleet, now),
        "cvs_expiring": _cvs(book, fleet, now, policy),
        "replies": _replies(book, fleet, now),
        "late_open": _late(fleet),
    }
    every = np.unique(np.concatenate([p.rows.index.to_numpy(str) for p in picked.values()]))
    details = _details(book, every)
    lists = {name: _frame(p, details, now) for name, p in picked.items()}
    return Today(now=now, rates=rates(book, at=now, policy=policy), **lists)


def countdown(seconds: int, lang: str) -> str:
    """Return time left as a person reads it: ``3 h 20 min left`` / ``あと3時間20分``, or overdue.

    Days are shown from 24 hours on (``2 d 3 h``); under an hour, minutes only.

    >>> countdown(3 * 3600 + 20 * 60, "en"), countdown(3 * 3600 + 20 * 60, "ja")
    ('3 h 20 min left', 'あと3時間20分')
    >>> countdown(-45 * 60, "en")
    'overdue by 45 min'
    """
    left = abs(int(seconds))
    days, rest = divmod(left, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = _("{d} d {h} h", lang, d=days, h=hours)
    elif hours:
        text = _("{h} h {m} min", lang, h=hours, m=minutes)
    else:
        text = _("{m} min", lang, m=minutes)
    return (
        _("{time} left", lang, time=text)
        if seconds >= 0
        else _("overdue by {time}", lang, time=text)
    )
