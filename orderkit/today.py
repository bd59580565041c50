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
    fleet = status_at(book, now, policy=policy)
    orders = book.orders.set_index("order_id")
    fleet["buyer_name"] = orders["buyer_name"].reindex(fleet.index).fillna("").to_numpy()
    fleet["payment_method"] = orders["payment_method"].reindex(fleet.index).fillna("").to_numpy()
    fleet["purchase_date"] = orders["purchase_date"].reindex(fleet.index).to_numpy()
    return fleet


def _rows(
    book: OrderBook, fleet: pd.DataFrame, mask: np.ndarray, deadline: pd.Series, now: dt.datetime
) -> pd.DataFrame:
    """Return the rows of ``fleet`` under ``mask`` with :data:`COLUMNS`, soonest deadline first."""
    picked = fleet[mask]
    due = pd.to_datetime(deadline[mask], utc=True)
    ids = picked.index.to_numpy()
    items = book.items
    mine = items["order_id"].isin(ids).to_numpy()
    totals = line_amounts(items[mine]).groupby(items["order_id"][mine].to_numpy()).sum()
    left = (due - pd.Timestamp(now).tz_convert("UTC")).dt.total_seconds()
    out = pd.DataFrame(
        {
            "order_id": pd.array(ids, dtype="str"),
            "buyer_name": picked["buyer_name"].to_numpy(),
            "status": picked["status"].to_numpy(),
            "payment_method": picked["payment_method"].to_numpy(),
            "deadline": due.to_numpy(),
            "seconds_left": left.to_numpy().astype(np.int64),
            "total": totals.reindex(ids).fillna(0).astype("int64").to_numpy(),
        }
    )
    out["deadline"] = pd.to_datetime(out["deadline"], utc=True)
    return out.sort_values(["deadline", "order_id"], kind="stable").reset_index(drop=True)


def must_ship_today(
    book: OrderBook, now: dt.datetime, *, policy: Policy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Return the orders that must ship by today 23:59 JST (ship date today, still to ship)."""
    return _must_ship(book, _fleet(book, now, policy), now)


def _must_ship(book: OrderBook, fleet: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    start, tomorrow, _ = day_bounds(now)
    ship_by = fleet["ship_by"]
    mask = (
        fleet["status"].isin(_CAN_SHIP).to_numpy()
        & (ship_by >= start).fillna(False).to_numpy(bool)
        & (ship_by < tomorrow).fillna(False).to_numpy(bool)
    )
    return _rows(book, fleet, mask, ship_by, now)


def to_confirm(
    book: OrderBook, now: dt.datetime, *, policy: Policy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Return the orders to confirm before their cutoff, which falls before the end of tomorrow.

    Orders not yet wholly confirmed (Unshipped or Partially shipped) whose ``confirm_by`` is after
    ``now`` and before the start of the day after tomorrow (JST).
    """
    return _to_confirm(book, _fleet(book, now, policy), now)


def _to_confirm(book: OrderBook, fleet: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    _, _, after = day_bounds(now)
    by = fleet["confirm_by"]
    mask = (
        fleet["status"].isin(_CAN_SHIP).to_numpy()
        & (by > pd.Timestamp(now)).fillna(False).to_numpy(bool)
        & (by < after).fillna(False).to_numpy(bool)
    )
    return _rows(book, fleet, mask, by, now)


def cvs_expiring(
    book: OrderBook, now: dt.datetime, *, policy: Policy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Return the unpaid convenience-store orders whose payment expires before the end of tomorrow.

    The payment is due at purchase + :attr:`Policy.cvs_payment_window`; an order still Pending
    with no payment recorded by ``now`` is unpaid.
    """
    return _cvs(book, _fleet(book, now, policy), now, policy)


def _cvs(book: OrderBook, fleet: pd.DataFrame, now: dt.datetime, policy: Policy) -> pd.DataFrame:
    _, _, after = day_bounds(now)
    ev = book.events
    paid_ids = ev["order_id"][
        (ev["kind"] == EventKind.PAYMENT_COMPLETED.value).to_numpy(bool)
        & (ev["at"] <= pd.Timestamp(now)).to_numpy(bool)
    ].unique()
    due = pd.to_datetime(fleet["purchase_date"], utc=True) + pd.Timedelta(policy.cvs_payment_window)
    mask = (
        (fleet["payment_method"] == "cvs").to_numpy(bool)
        & (fleet["status"] == OrderStatus.PENDING.value).to_numpy(bool)
        & ~fleet.index.isin(paid_ids)
        & (due > pd.Timestamp(now)).to_numpy(bool)
        & (due < after).to_numpy(bool)
    )
    return _rows(book, fleet, mask, due, now)


def reply_deadlines(
    book: OrderBook, now: dt.datetime, *, policy: Policy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Return the open reply deadlines due before the end of tomorrow, passed ones included.

    A reply deadline (the last one set by ``now``) stands while the buyer has not replied since
    it was set and the order can still be canceled (Pending or Unshipped), as
    :attr:`OrderState.reply_deadline` says.
    """
    return _replies(book, _fleet(book, now, policy), now)


def _replies(book: OrderBook, fleet: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    _, _, after = day_bounds(now)
    ev = book.events
    by_now = (ev["at"] <= pd.Timestamp(now)).to_numpy(bool)
    sets = ev[(ev["kind"] == EventKind.REPLY_DEADLINE_SET.value).to_numpy(bool) & by_now]
    sets = sets.sort_values("at", kind="stable").drop_duplicates("order_id", keep="last")
    sets = sets.set_index("order_id")
    replies = ev[(ev["kind"] == EventKind.BUYER_REPLIED.value).to_numpy(bool) & by_now]
    last_reply = replies.groupby("order_id")["at"].max()
    set_at = sets["at"].reindex(fleet.index)
    due = pd.to_datetime(sets["due"].reindex(fleet.index), utc=True)
    replied = last_reply.reindex(fleet.index)
    answered = (replied >= set_at).fillna(False).to_numpy(bool)
    mask = (
        set_at.notna().to_numpy(bool)
        & ~answered
        & fleet["status"].isin(_CANCELABLE).to_numpy(bool)
        & (due < after).fillna(False).to_numpy(bool)
    )
    return _rows(book, fleet, mask, due, now)


def late_open(
    book: OrderBook, now: dt.datetime, *, policy: Policy = DEFAULT_POLICY
) -> pd.DataFrame:
    """Return the orders showing "Shipment is late": late and not yet wholly confirmed.

    Orders already shipped (late or not) are left out: they count in the Late Shipment Rate, but
    nothing more can be done for them. The deadline is the ship date that was missed.
    """
    return _late(book, _fleet(book, now, policy), now)


def _late(book: OrderBook, fleet: pd.DataFrame, now: dt.datetime) -> pd.DataFrame:
    mask = fleet["late"].to_numpy(bool) & fleet["status"].isin(_CAN_SHIP).to_numpy(bool)
    return _rows(book, fleet, mask, fleet["ship_by"], now)


def today(book: OrderBook, now: dt.datetime, *, policy: Policy = DEFAULT_POLICY) -> Today:
    """Return everything Today shows at ``now``: the five lists and the rates (one fleet lens).

    Raises:
        ValueError: ``now`` is naive.
    """
    day_bounds(now)  # a naive ``now`` is refused before any work
    fleet = _fleet(book, now, policy)
    return Today(
        now=now,
        must_ship=_must_ship(book, fleet, now),
        to_confirm=_to_confirm(book, fleet, now),
        cvs_expiring=_cvs(book, fleet, now, policy),
        replies=_replies(book, fleet, now),
        late_open=_late(book, fleet, now),
        rates=rates(book, at=now, policy=policy),
    )


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
