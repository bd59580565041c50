"""A fleet simulator: synthetic order timelines for a whole shop, drawn at once with numpy.

:func:`simulate` turns a :class:`Scenario` — arrivals over the Japanese week, a payment mix with
convenience-store payments that arrive late or never, handling time in business days on the Japanese
calendar, shipping and confirmation lags, partial shipments, orders that are never confirmed and
auto-cancel at the cutoff, buyer and seller cancellations, missing tracking numbers — into an
:class:`~orderkit.book.OrderBook` with ``source="simulate"``. It is vectorised: every quantity is
drawn in one numpy call (for the orders it concerns), and independent stages overlap on a second
thread, so a million orders take about a second; there is no Python loop per order. The same scenario
and seed give the same book.

Every simulated timeline is one the rules allow: folding any order through
:meth:`OrderView.state <orderkit.book.OrderView.state>` never raises. Each order's *whole* timeline is
in the book, including what happens after the last order day (late confirmations, auto-cancels).

The simulator models timelines, not people: buyer names, emails and addresses are left empty (use
:mod:`orderkit.sample` for realistic buyer data).

>>> book = simulate(Scenario(days=3, orders_per_day=20), seed=1)
>>> book.events["source"].unique().tolist()
['simulate']
>>> simulate(Scenario(days=3, orders_per_day=20), seed=1).events.equals(book.events)
True
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from orderkit import schema
from orderkit.book import OrderBook
from orderkit.businessdays import JST, BusinessCalendar
from orderkit.codes import remember
from orderkit.events import (
    NULL_HASH,
    Actor,
    CancelReason,
    ColumnHashes,
    EventKind,
    Origin,
    combine_ids,
    hash_ints,
    hash_text_rows,
    text_hashes,
)
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.workers import executor, threads

__all__ = ["Scenario", "simulate"]

_NS = 1_000_000_000
_SEC, _MIN, _HOUR, _DAY = _NS, 60 * _NS, 3600 * _NS, 86400 * _NS
_JST_OFFSET = 9 * _HOUR  # Japan has had no daylight saving time since 1951
_NAT = np.iinfo(np.int64).min


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """What a shop's orders look like, for :func:`simulate`. Every default is a plausible shop.

    Attributes:
        start: the first order day (its date in Japan time is day 0). Default 2026-04-01 JST, so
            that the default 90 days cover Golden Week.
        days: how many days orders arrive (90).
        orders_per_day: mean orders on an ordinary day (400); each day's count is Poisson.
        weekday_weights: relative order volume Monday..Sunday (weekends busier), normalised.
        holiday_factor: volume multiplier on Japanese public holidays (1.3).
        hour_weights: relative volume per hour of the day in Japan time (evening peak), 24 values.
        payment_mix: share of each payment method: ``card``, ``cvs`` (convenience store), ``cod``
            (cash on delivery, verified at once) and ``points`` (72/12/6/10 %).
        cvs_pay_median_hours, cvs_pay_sigma: a convenience-store payment arrives after a lognormal
            delay (median 20 h); a draw at or past :attr:`Policy.cvs_payment_window` (6 days) never
            arrives.
        cvs_never_pays: share of convenience-store orders never paid (15 %): they expire when the
            window ends.
        afn_share: share of orders fulfilled by Amazon (30 %): Amazon ships them within a day.
        lines_per_order: probabilities of 1, 2, 3, ... lines per order.
        units_per_line: probabilities of quantity 1, 2, 3, ... per line.
        price_median_yen, price_sigma: lognormal unit price (median ¥2,480), rounded to ¥10.
        shipping_fee_yen, free_shipping_min_yen: ¥450 shipping below ¥2,000 of goods.
        cod_fee_yen: the cash-on-delivery fee (¥330).
        handling_days: business days from payment to the latest ship date (``None``: the
            policy's :attr:`~orderkit.policy.Policy.handling_days`).
        dispatch_days: probabilities that the seller dispatches 0, 1, 2, ... business days after
            payment (the day rolls to the next business day; weekends, holidays and Golden Week
            are closed). With 2 handling days, 3 or more is late. With a capacity (below) this is
            the day an order is *ready* to go; the capacity may hold it back further.
        dispatch_capacity: how many seller-fulfilled orders the team can dispatch per business
            day (``None``: no limit, every order leaves on its drawn day). Orders ready on a
            business day leave in the order they were paid, up to the capacity; the rest wait for
            the next business day, ahead of that day's own (a backlog). Late shipments and
            automatic cancellations at the confirmation cutoff follow from the ship-by date as
            usual. Amazon-fulfilled orders are not counted against it.
        staff, orders_per_staff_day: the other way to give the capacity, as a team size and what
            one person dispatches per business day (60): the capacity is
            ``int(staff * orders_per_staff_day)``. Give ``staff`` or ``dispatch_capacity``, not
            both (:attr:`capacity` is the one in force).
        dispatch_hours: the window of the working day (JST) parcels leave in (10:00-18:00).
        confirm_lag_median_hours, confirm_lag_sigma: lognormal lag from dispatch to confirming the
            shipment in Seller Central (median 1.5 h).
        confirm_delayed: share of shipments confirmed 1-8 days after dispatch (2 %), some of
            them after the ship date: late.
        partial_shipment: share of multi-unit seller-fulfilled orders shipped in two parts (5 %);
            the rest follows 1-6 days later.
        never_confirmed: share of paid seller-fulfilled orders never confirmed (1 %): Amazon
            cancels them at the confirmation cutoff (FAQ: 7 days after the ship date), as it does
            any confirmation that would come too late.
        buyer_cancel: share of seller-fulfilled orders the buyer cancels within 5 minutes (1.5 %).
        seller_cancel: share of paid seller-fulfilled orders the seller cancels before shipping
            (1 %), with ``seller_cancel_reasons``.
        seller_cancel_reasons: share of each :class:`~orderkit.events.CancelReason` among them;
            ``buyer_requested`` does not count against the Cancel Rate.
        tracking_missing: share of seller shipments confirmed without a tracking number (3 %).
        carriers: share of each carrier code.
        business_share: share of business orders (5 %); half of them carry a Buyer PO#.
        prime_share: share of Prime orders (40 %).
        ship_date_recorded: share of seller-fulfilled paid orders whose row carries the latest
            ship date (1.0); for the rest it is left empty and both lenses derive it from the
            payment time and :attr:`Policy.handling_days`.
        record_clock_events: whether the book records what Amazon does by the clock — the
            ``payment_expired`` of an unpaid convenience-store order and the ``canceled``
            (reason ``confirm_cutoff``) of an unconfirmed order — as events exactly at their due
            time, as a real source does (``True``), or leaves them to the fold's clock.
        policy: the seller's :class:`~orderkit.policy.Policy` (windows, calendar).

    """

    start: dt.datetime = dt.datetime(2026, 4, 1, tzinfo=JST)
    days: int = 90
    orders_per_day: float = 400.0
    weekday_weights: Sequence[float] = (1.0, 0.95, 0.95, 1.0, 1.05, 1.2, 1.25)
    holiday_factor: float = 1.3
    hour_weights: Sequence[float] = (
        2, 1, 1, 0.5, 0.5, 0.5, 1, 2, 3, 4, 4, 5, 6, 5, 5, 5, 5, 5, 6, 7, 8, 9, 8, 5,
    )  # fmt: skip
    payment_mix: Mapping[str, float] = field(
        default_factory=lambda: {"card": 0.72, "cvs": 0.12, "cod": 0.06, "points": 0.10}
    )
    cvs_pay_median_hours: float = 20.0
    cvs_pay_sigma: float = 1.0
    cvs_never_pays: float = 0.15
    afn_share: float = 0.30
    lines_per_order: Sequence[float] = (0.78, 0.15, 0.05, 0.02)
    units_per_line: Sequence[float] = (0.85, 0.10, 0.05)
    price_median_yen: float = 2480.0
    price_sigma: float = 0.9
    shipping_fee_yen: int = 450
    free_shipping_min_yen: int = 2000
    cod_fee_yen: int = 330
    handling_days: int | None = None
    dispatch_days: Sequence[float] = (0.45, 0.40, 0.12, 0.02, 0.01)
    dispatch_capacity: int | None = None
    staff: int | None = None
    orders_per_staff_day: float = 60.0
    dispatch_hours: tuple[float, float] = (10.0, 18.0)
    confirm_lag_median_hours: float = 1.5
    confirm_lag_sigma: float = 1.2
    confirm_delayed: float = 0.02
    partial_shipment: float = 0.05
    never_confirmed: float = 0.01
    buyer_cancel: float = 0.015
    seller_cancel: float = 0.01
    seller_cancel_reasons: Mapping[str, float] = field(
        default_factory=lambda: {
            CancelReason.OUT_OF_STOCK.value: 0.5,
            CancelReason.BUYER_REQUESTED.value: 0.3,
            CancelReason.ADDRESS_ISSUE.value: 0.1,
            CancelReason.PRICING_ERROR.value: 0.1,
        }
    )
    tracking_missing: float = 0.03
    carriers: Mapping[str, float] = field(
        default_factory=lambda: {"Yamato": 0.5, "Sagawa": 0.25, "JapanPost": 0.25}
    )
    business_share: float = 0.05
    prime_share: float = 0.40
    ship_date_recorded: float = 1.0
    record_clock_events: bool = True
    policy: Policy = DEFAULT_POLICY

    def __post_init__(self) -> None:
        """Raise ``ValueError`` for a naive start or a malformed distribution."""
        if self.start.tzinfo is None:
            raise ValueError("Scenario.start must be timezone-aware")
        if self.days < 1 or self.orders_per_day < 0:
            raise ValueError("Scenario.days must be >= 1 and orders_per_day >= 0")
        if len(self.weekday_weights) != 7 or len(self.hour_weights) != 24:
            raise ValueError("weekday_weights needs 7 values and hour_weights 24")
        for name in (
            "cvs_never_pays", "afn_share", "confirm_delayed", "partial_shipment",
            "never_confirmed", "buyer_cancel", "seller_cancel", "tracking_missing",
            "business_share", "prime_share", "ship_date_recorded",
        ):  # fmt: skip
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"Scenario.{name} must be a share between 0 and 1")
        unknown = set(self.payment_mix) - {"card", "cvs", "cod", "points", "other"}
        if unknown:
            raise ValueError(f"unknown payment methods: {sorted(unknown)}")
        if self.dispatch_capacity is not None and self.staff is not None:
            raise ValueError("give Scenario.dispatch_capacity or Scenario.staff, not both")
        if self.orders_per_staff_day <= 0:
            raise ValueError("Scenario.orders_per_staff_day must be > 0")
        if self.capacity is not None and self.capacity < 1:
            raise ValueError(
                f"the dispatch capacity must be at least 1 order a business day, not {self.capacity}"
            )

    @property
    def capacity(self) -> int | None:
        """The orders the team can dispatch per business day, or ``None`` for no limit."""
        if self.staff is not None:
            return int(self.staff * self.orders_per_staff_day)
        return self.dispatch_capacity

    @property
    def handling(self) -> int:
        """The handling time in business days that sets the latest ship date."""
        return self.policy.handling_days if self.handling_days is None else self.handling_days


# ---- small vectorised helpers ---------------------------------------------------------------


def _p(weights: Sequence[float] | Mapping[str, float]) -> np.ndarray:
    values = np.asarray(list(weights.values() if isinstance(weights, Mapping) else weights), float)
    if values.min(initial=0) < 0 or values.sum() <= 0:
        raise ValueError(f"weights must be non-negative and not all zero: {weights}")
    return values / values.sum()


def _choose(rng: np.random.Generator, p: np.ndarray, size: int) -> np.ndarray:
    """Return ``rng.choice(len(p), size, p=p)``, the same draws, faster for a few choices.

    numpy draws one uniform per row and counts the cumulative probabilities at or below it (a
    binary search); for up to eight choices a comparison per choice is several times faster, and
    the choices are returned as ``int8`` (``int64`` otherwise).
    """
    cdf = p.cumsum()
    cdf /= cdf[-1]
    u = rng.random(size)
    if len(cdf) > 8:
        return cdf.searchsorted(u, side="right").astype(np.int64)
    out = np.zeros(size, np.int8)
    for edge in cdf[:-1]:
        out += u >= edge
    return out


def _jst_day(ns: np.ndarray) -> np.ndarray:
    """Return the Japan-time date of UTC nanoseconds, as ``datetime64[D]``."""
    return ((ns + _JST_OFFSET) // _DAY).astype("datetime64[D]")


def _jst_midnight(day: np.ndarray) -> np.ndarray:
    """Return 00:00 JST of each ``datetime64[D]`` as UTC nanoseconds."""
    return day.astype("datetime64[D]").astype(np.int64) * _DAY - _JST_OFFSET


# Rows handled together by the per-row helpers below: their temporaries stay a few hundred KB,
# in the processor's cache and in memory already mapped, however long the table.
_BLOCK = 1 << 16


def _digits(values: np.ndarray, width: int, out: np.ndarray | None = None) -> np.ndarray:
    """Return zero-padded decimal digits of non-negative ints as a ``(n, width)`` uint8 array.

    ``out`` (optional) receives them: any ``(n, width)`` uint8 view, such as some columns of wider
    rows. A block of rows at a time, nine digits at a time in ``uint32`` (whose division by ten is
    several times cheaper); each digit position is written as one contiguous row of the block,
    and the block is turned into rows once.
    """
    n = len(values)
    if out is None:
        out = np.empty((n, width), np.uint8)
    block = np.empty((width, min(n, _BLOCK)), np.uint8)
    for lo in range(0, n, _BLOCK):
        hi = min(lo + _BLOCK, n)
        digits = block[:, : hi - lo]
        v = values[lo:hi].astype(np.int64)
        end = width
        while end > 0:
            start = max(end - 9, 0)
            scale = 10 ** (end - start)
            chunk = (v % scale).astype(np.uint32)
            v //= scale
            for pos in range(end - 1, start - 1, -1):
                tens = chunk // 10
                tens *= 10
                np.subtract(chunk, tens, out=digits[pos], casting="unsafe")
                tens //= 10
                chunk = tens
            end = start
        digits += 48  # "0"
        out[lo:hi] = digits.T
    return out


def _take_rows(rows: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Return ``rows[index]`` of a ``(n, width)`` uint8 array, each row moved as one item (faster).

    A block of ``index`` at a time: numpy widens an index to ``intp`` first, a block's worth only.
    Every index is in range: ``mode="clip"`` changes none, and spares the copy of ``out`` that
    ``mode="raise"`` makes.
    """
    width = rows.shape[1]
    items = np.ascontiguousarray(rows).view(f"V{width}").ravel()
    out = np.empty(len(index), items.dtype)
    for lo in range(0, len(index), _BLOCK):
        np.take(items, index[lo : lo + _BLOCK], out=out[lo : lo + _BLOCK], mode="clip")
    return out.view(np.uint8).reshape(len(index), width)


def _strings(
    buf: np.ndarray, valid: np.ndarray | None = None, *, compact: bool = False
) -> pd.Series:
    """Return fixed-width ASCII rows of ``buf`` as a ``str`` Series (``valid`` False → missing).

    With ``compact``, ``buf`` holds only the valid rows, in order.
    """
    width = buf.shape[1]
    n = len(buf) if valid is None else len(valid)
    if valid is None or (not compact and valid.all()):
        offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
        data, bitmap = np.ascontiguousarray(buf).ravel(), None
    else:  # a missing row holds no bytes
        offsets = np.empty(n + 1, np.int64)  # (calloc'd zeros would be mapped twice: read, write)
        offsets[0] = 0
        np.cumsum(valid, dtype=np.int64, out=offsets[1:])  # (without dtype, 20x slower)
        offsets *= width
        data = np.ascontiguousarray(buf if compact else buf[valid]).ravel()
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    arr = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data), bitmap)
    return pd.Series(pd.array(arr, dtype=schema.STR), copy=False)


def _labels(codes: np.ndarray, labels: Sequence[str], *, canonical: bool = False) -> pd.Series:
    """Return ``labels[codes]`` as a ``category`` Series (code -1 → missing).

    ``canonical``: the labels are sorted and each is used (see :func:`orderkit.schema.categorical`).
    """
    small = codes.astype(np.int8 if len(labels) < 128 else np.int32, copy=False)
    return pd.Series(schema.categorical(small, labels, canonical=canonical), copy=False)


def _numbers(rng: np.random.Generator, n: int, width: int, *, unique: bool) -> np.ndarray:
    """Draw ``n`` random numbers of at most ``width`` digits (distinct ones if ``unique``).

    Distinct numbers need no sort while ``n`` fits in the last seven digits: those are
    ``(a·i + b) mod 10⁷`` for a random ``a`` prime to 10 (a bijection of ``i``, so no two rows
    share them), the digits before them random.
    """
    if not unique:
        return rng.integers(0, 10**width, n)
    if width > 7 and n <= 10**7:
        a = int(rng.integers(1, 10**6)) * 10 + int(rng.choice([1, 3, 7, 9]))  # prime to 10
        tail = (a * np.arange(n, dtype=np.int64) + int(rng.integers(0, 10**7))) % 10**7
        return rng.integers(0, 10 ** (width - 7), n) * 10**7 + tail
    values = rng.integers(0, 10**width, n)
    while True:  # collisions are rare (n² / 10^width): re-draw only those numbers
        ordered = np.sort(values)
        twice = ordered[1:][ordered[1:] == ordered[:-1]]
        if not len(twice):
            return values
        dup = np.flatnonzero(np.isin(values, twice))
        values[dup] = rng.integers(0, 10**width, len(dup))


def _yen(values: np.ndarray, valid: np.ndarray | None = None) -> pd.Series:
    mask = np.zeros(len(values), bool) if valid is None else ~valid
    return pd.Series(pd.arrays.IntegerArray(values.astype(np.int64, copy=False), mask), copy=False)


def _uniform_ns(rng: np.random.Generator, n: int, low: float, high: float) -> np.ndarray:
    """Draw uniform durations in seconds ``[low, high)``, as whole seconds in ns."""
    return rng.uniform(low, high, n).astype(np.int64) * _NS


def _lognormal_ns(
    rng: np.random.Generator, n: int, median_hours: float, sigma: float
) -> np.ndarray:
    """Draw lognormal durations (median in hours), as whole seconds in ns."""
    return (rng.lognormal(np.log(median_hours), sigma, n) * 3600).astype(np.int64) * _NS


# ---- the simulation, one stage at a time ------------------------------------------------------


def _day_counts(s: Scenario, rng: np.random.Generator) -> np.ndarray:
    """Return how many orders arrive each day: Poisson, shaped by weekday and holiday."""
    first = np.datetime64(s.start.astimezone(JST).date(), "D")
    days = first + np.arange(s.days)
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    weights = np.asarray(s.weekday_weights, float)
    factor = weights[weekday] / weights.mean()
    calendar = BusinessCalendar.from_policy(s.policy)
    holidays = np.array([calendar.holiday_name(d) is not None for d in days.tolist()], bool)
    factor = np.where(holidays, factor * s.holiday_factor, factor)
    return rng.poisson(s.orders_per_day * factor)


def _arrivals(s: Scenario, rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
    """Return sorted purchase times (UTC ns) of each day's ``counts``, shaped by the hour."""
    n = int(counts.sum())
    hours = _choose(rng, _p(s.hour_weights), n) + rng.random(n)
    # Whole seconds (as reports give them) since the first midnight: int32, which sorts faster,
    # while they fit (68 years).
    width = np.int32 if (s.days + 1) * 86_400 < 2**31 else np.int64
    seconds = np.repeat(np.arange(s.days, dtype=width) * 86_400, counts)
    seconds += (hours * 3600).astype(width)
    seconds.sort()
    first = np.datetime64(s.start.astimezone(JST).date(), "D")
    return _jst_midnight(first) + seconds.astype(np.int64) * _NS


@dataclass
class _Fleet:
    """Every order's drawn facts, as parallel numpy arrays (internal)."""

    placed: np.ndarray
    afn: np.ndarray
    method: np.ndarray
    paid: np.ndarray  # payment time, _NAT if never paid (or canceled before paying)
    cvs_expires: np.ndarray  # bool: an unpaid cvs order expires at placed + window
    buyer_cancel: np.ndarray  # buyer's cancel time, _NAT if none
    seller_cancel: np.ndarray
    seller_reason: np.ndarray
    ship_by: np.ndarray
    auto_cancel: np.ndarray  # bool: never confirmed, Amazon cancels at confirm_by
    confirm1: np.ndarray  # first (or only) confirmation, _NAT if none
    confirm2: np.ndarray  # the rest of a partial shipment, _NAT if none


_METHODS = ("card", "cvs", "cod", "points", "other")


def _after(mask: np.ndarray, start: np.ndarray, draw: Callable[[int], np.ndarray]) -> np.ndarray:
    """Return ``start`` plus a drawn delay where ``mask`` holds, ``_NAT`` elsewhere.

    Only the selected rows draw: ``draw(k)`` returns ``k`` delays in nanoseconds.
    """
    out = np.full(len(mask), _NAT)
    rows = np.flatnonzero(mask)
    out[rows] = start[rows] + draw(len(rows))
    return out


def _payments(s: Scenario, rng: np.random.Generator, placed: np.ndarray, n: int) -> tuple:
    methods = list(s.payment_mix)
    codes = np.array([_METHODS.index(m) for m in methods], np.int8)
    method = codes[_choose(rng, _p(s.payment_mix), n)]
    cvs = method == _METHODS.index("cvs")
    window = int(s.policy.cvs_payment_window.total_seconds()) * _NS
    delay = _uniform_ns(rng, n, 2, 60)
    some = np.flatnonzero(cvs)  # draw only what is used: a few percent of the fleet, often
    delay[some] = _lognormal_ns(rng, len(some), s.cvs_pay_median_hours, s.cvs_pay_sigma)
    never = cvs & ((rng.random(n) < s.cvs_never_pays) | (delay >= window - _MIN))
    paid = np.where(never, _NAT, placed + delay)
    return method, paid, never


def _fleet(s: Scenario, rng: np.random.Generator, placed: np.ndarray) -> _Fleet:
    """Draw every order's payment, cancellations, ship date and confirmation (no partials yet)."""
    n = len(placed)
    afn = rng.random(n) < s.afn_share
    method, paid, never = _payments(s, rng, placed, n)
    # The buyer's own cancellation within the 5-minute window (seller-fulfilled only).
    edit = int(s.policy.buyer_edit_window.total_seconds())
    bc = ~afn & (rng.random(n) < s.buyer_cancel)
    buyer_cancel = _after(bc, placed, lambda k: _uniform_ns(rng, k, 10, edit - 10))
    paid = np.where(bc & (paid >= buyer_cancel), _NAT, paid)
    open_paid = (paid != _NAT) & ~bc
    mfn = ~afn & open_paid
    calendar = BusinessCalendar.from_policy(s.policy)
    ship_by = calendar.ship_by_ns(paid, s.handling)
    ship_by = np.where(afn, _NAT, ship_by)
    cutoff = ship_by + int(s.policy.confirm_cutoff.total_seconds()) * _NS
    # The seller's cancellations, within 30 hours of payment: long before any cutoff.
    sc = mfn & (rng.random(n) < s.seller_cancel)
    seller_cancel = _after(sc, paid, lambda k: _uniform_ns(rng, k, 1800, 30 * 3600))
    seller_reason = np.full(n, -1, np.int8)
    seller_reason[sc] = _choose(rng, _p(s.seller_cancel_reasons), int(sc.sum()))
    # Dispatch on a business day, then confirm after a lag; too late a confirmation never comes.
    ships = mfn & ~sc
    k = _choose(rng, _p(s.dispatch_days), n)
    day = calendar.business_days_after(_jst_day(np.where(ships, paid, 0)).view(np.int64), k)
    if s.capacity is not None:  # no draw here: a scenario without a capacity is unchanged
        day[ships] = _backlog(calendar, day[ships], paid[ships], s.capacity)
    dispatch = _jst_midnight(day) + _uniform_ns(rng, n, *(h * 3600 for h in s.dispatch_hours))
    dispatch = np.maximum(dispatch, paid + 10 * _MIN)
    lag = _lognormal_ns(rng, n, s.confirm_lag_median_hours, s.confirm_lag_sigma)
    delayed = np.flatnonzero(rng.random(n) < s.confirm_delayed)
    lag[delayed] += _uniform_ns(rng, len(delayed), 86400, 8 * 86400)
    confirm1 = dispatch + lag
    auto = ships & ((rng.random(n) < s.never_confirmed) | (confirm1 >= cutoff))
    ships &= ~auto
    afn_ships = afn & open_paid
    afn_confirm = _after(afn_ships, paid, lambda k: _uniform_ns(rng, k, 7200, 30 * 3600))
    confirm1 = np.where(ships, confirm1, afn_confirm)
    return _Fleet(
        placed=placed, afn=afn, method=method, paid=paid, cvs_expires=never & ~bc,
        buyer_cancel=buyer_cancel, seller_cancel=seller_cancel, seller_reason=seller_reason,
        ship_by=ship_by, auto_cancel=auto, confirm1=confirm1, confirm2=np.full(n, _NAT),
    )  # fmt: skip


def _backlog(
    calendar: BusinessCalendar, ready: np.ndarray, paid: np.ndarray, capacity: int
) -> np.ndarray:
    """Return the day each order is dispatched when at most ``capacity`` leave per business day.

    ``ready`` holds business days (days since 1970-01-01) and ``paid`` the payment times of the
    same orders. The queue is first in, first out: by ready day, then payment time. With the
    orders ready per business day ``r`` and their running sum ``A``, the backlog at the end of
    day ``d`` is Lindley's ``Q[d] = X[d] - min(0, min(X[:d+1]))`` with ``X[d] = A[d] - (d+1)·C``,
    so ``S = A - Q`` orders have left by then and the ``j``-th in the queue leaves on the first
    day with ``S > j``: vectorised, no loop over days or orders.
    """
    if not len(ready):
        return ready
    origin = np.datetime64(int(ready.min()), "D")
    index = np.busday_count(origin, ready.astype("datetime64[D]"), busdaycal=calendar.numpy)
    queue = np.lexsort((paid, index))  # the last key sorts first
    span = int(index.max()) + 1 + -(-len(ready) // capacity)  # room to clear the backlog
    arrived = np.cumsum(np.bincount(index, minlength=span))
    excess = arrived - capacity * np.arange(1, span + 1, dtype=np.int64)
    backlog = excess - np.minimum(np.minimum.accumulate(excess), 0)
    leaves = np.searchsorted(arrived - backlog, np.arange(len(ready)), side="right")
    out = np.empty_like(ready)
    out[queue] = np.busday_offset(origin, leaves, roll="forward", busdaycal=calendar.numpy).astype(
        np.int64
    )
    return out


def _partials(s: Scenario, rng: np.random.Generator, f: _Fleet, units: np.ndarray) -> None:
    """Split some multi-unit seller shipments in two: the rest follows 1-6 days later."""
    seller_ships = ~f.afn & (f.confirm1 != _NAT)  # the seller-fulfilled orders that ship
    partial = seller_ships & (units >= 2) & (rng.random(len(units)) < s.partial_shipment)
    f.confirm2 = _after(partial, f.confirm1, lambda k: _uniform_ns(rng, k, 86400, 6 * 86400))


@dataclass
class _Lines:
    """Every order line: its order, quantity and yen amounts (internal)."""

    order: np.ndarray
    first: np.ndarray  # index of each order's first line
    count: np.ndarray  # lines per order
    quantity: np.ndarray
    item_price: np.ndarray
    shipping: np.ndarray
    cod_fee: np.ndarray  # set once the payment methods are drawn
    units: np.ndarray  # units per order


def _lines(s: Scenario, rng: np.random.Generator, n: int) -> _Lines:
    count = 1 + _choose(rng, _p(s.lines_per_order), n)
    order = np.repeat(np.arange(n), count)
    first = np.cumsum(count) - count
    quantity = 1 + _choose(rng, _p(s.units_per_line), len(order))
    unit = rng.lognormal(np.log(s.price_median_yen), s.price_sigma, len(order))
    item_price = np.maximum(np.round(unit / 10) * 10, 100).astype(np.int64) * quantity
    goods = np.bincount(order, weights=item_price, minlength=n)
    is_first = np.zeros(len(order), bool)
    is_first[first] = True
    fee = np.where(goods < s.free_shipping_min_yen, s.shipping_fee_yen, 0)
    shipping = np.where(is_first, fee[order], 0)
    units = np.bincount(order, weights=quantity, minlength=n).astype(np.int64)
    return _Lines(
        order, first, count, quantity, item_price, shipping, np.zeros(len(order), np.int64), units
    )


# A block's reasons index this list until the event table maps them to the reasons in use.
_REASONS = [r.value for r in CancelReason]


@dataclass
class _Block:
    """Events of one kind for many orders, as parallel arrays (internal)."""

    order: np.ndarray
    at: np.ndarray
    kind: EventKind
    actor: Actor
    reason: np.ndarray | int | None = None  # codes into _REASONS: one per row, or one for all
    line: np.ndarray | None = None  # index into the lines, or -1
    quantity: np.ndarray | None = None  # -1: missing
    shipment: bool = False


def _blocks(s: Scenario, f: _Fleet, lines: _Lines) -> list[_Block]:
    """Return each kind of event as a block; every timeline is one the rules allow."""
    w = np.flatnonzero
    n = len(f.placed)
    idx = np.arange(n)
    reason = _REASONS.index
    window = int(s.policy.cvs_payment_window.total_seconds()) * _NS
    cutoff = int(s.policy.confirm_cutoff.total_seconds()) * _NS
    mfn = ~f.afn
    partial = f.confirm2 != _NAT
    blocks = [
        _Block(idx, f.placed, EventKind.PLACED, Actor.BUYER),
        _Block(w(f.paid != _NAT), f.paid[f.paid != _NAT], EventKind.PAYMENT_COMPLETED, Actor.AMAZON),
        _Block(
            w(f.buyer_cancel != _NAT), f.buyer_cancel[f.buyer_cancel != _NAT],
            EventKind.CANCELED, Actor.BUYER, reason=reason("buyer_self"),
        ),
        _Block(
            w(f.seller_cancel != _NAT), f.seller_cancel[f.seller_cancel != _NAT],
            EventKind.CANCELED, Actor.SELLER,
            reason=np.array([reason(r) for r in s.seller_cancel_reasons], np.int8)[
                f.seller_reason[f.seller_cancel != _NAT]
            ],
        ),
    ]  # fmt: skip
    if s.record_clock_events:
        blocks += [
            _Block(
                w(f.cvs_expires), f.placed[f.cvs_expires] + window, EventKind.PAYMENT_EXPIRED,
                Actor.AMAZON, reason=reason("payment_expired"),
            ),
            _Block(
                w(f.auto_cancel), f.ship_by[f.auto_cancel] + cutoff, EventKind.CANCELED,
                Actor.AMAZON, reason=reason("confirm_cutoff"),
            ),
        ]  # fmt: skip
    whole = (f.confirm1 != _NAT) & ~partial
    blocks.append(
        _Block(
            w(whole & mfn),
            f.confirm1[whole & mfn],
            EventKind.SHIPMENT_CONFIRMED,
            Actor.SELLER,
            shipment=True,
        )
    )
    blocks.append(
        _Block(
            w(whole & f.afn),
            f.confirm1[whole & f.afn],
            EventKind.SHIPMENT_CONFIRMED,
            Actor.AMAZON,
            shipment=True,
        )
    )
    # A partial shipment confirms the first line (all but one unit of it if it is the only line),
    # then the rest of the order.
    po = w(partial)
    first_line = lines.first[po]
    q1 = np.where(lines.count[po] >= 2, lines.quantity[first_line], lines.quantity[first_line] - 1)
    blocks.append(
        _Block(po, f.confirm1[po], EventKind.SHIPMENT_CONFIRMED, Actor.SELLER,
               line=first_line, quantity=q1, shipment=True)
    )  # fmt: skip
    blocks.append(
        _Block(po, f.confirm2[po], EventKind.SHIPMENT_CONFIRMED, Actor.SELLER, shipment=True)
    )
    for b in blocks:  # one reason for the whole block: one per row
        if b.reason is not None and np.ndim(b.reason) == 0:
            b.reason = np.full(len(b.order), b.reason, np.int8)
    return blocks


# ---- from arrays to the three tables ----------------------------------------------------------


def _with_null(hashed: np.ndarray) -> np.ndarray:
    """Return the value hashes with the missing value's last: code -1 picks it."""
    return np.append(hashed, NULL_HASH)


def _pick(table: np.ndarray, codes: np.ndarray, rows: slice) -> np.ndarray:
    """Return the hashes of ``rows``' codes from ``table`` (see :func:`_with_null`)."""
    return table[codes[rows]]


def _ranks(present: np.ndarray) -> np.ndarray:
    """Return each row's place among the rows ``present`` marks (-1 where it is absent)."""
    ranks = np.cumsum(present, dtype=np.int32)
    ranks -= 1
    ranks[~present] = -1
    return ranks


def _used_hashes(rows: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the hashes of the rows ``codes`` use, and the codes into them (-1 kept)."""
    used, inverse = np.unique(codes[codes >= 0], return_inverse=True)
    compact = np.full(len(codes), -1, np.int32)
    compact[codes >= 0] = inverse
    return hash_text_rows(rows[used]), compact


def _label_hashes(labels: Sequence[str]) -> np.ndarray:
    return text_hashes(pd.Series(list(labels), dtype=schema.STR))


def _placement(blocks: list[_Block]) -> tuple[list[np.ndarray], int]:
    """Return each block's rows in the event table, and the table's length.

    Every order's events lie together, in block sequence (a stable sort by order, by counting:
    each block holds an order at most once).
    """
    n = 1 + max((int(b.order.max()) for b in blocks if len(b.order)), default=-1)
    counts = np.empty(n, np.int64)
    counts.fill(0)  # written before it is read: each page is mapped once
    for b in blocks:
        counts[b.order] += 1
    seen = np.cumsum(counts) - counts  # where each order's next event goes
    rows = []
    for b in blocks:
        rows.append(seen[b.order])
        seen[b.order] += 1
    return rows, int(counts.sum())


def _events_frame(
    s: Scenario,
    rng: np.random.Generator,
    blocks: list[_Block],
    ids: _Ids,
) -> pd.DataFrame:
    """Place the blocks' events in a frame of the event table's schema, each order's in time order.

    The blocks come in the order events happen within any one order (placed, paid, canceled or
    expired, shipments), so placing them by order, in block sequence, gives every timeline in time
    order. Each column is written once, at its own dtype; ``blocks`` is emptied as it is used.
    """
    # Codes index the labels in use, sorted: the canonical categories, with no pass to remap them.
    present = [b for b in blocks if len(b.order)]
    kinds = sorted({b.kind.value for b in present})
    actors = sorted({b.actor.value for b in present})
    used = sorted({_REASONS[c] for b in present if b.reason is not None for c in set(b.reason)})
    to_used = np.array([used.index(r) if r in used else -1 for r in _REASONS], np.int8)
    rows, m = _placement(blocks)

    def column(dtype: type, get: Callable[[_Block], object]) -> np.ndarray:
        """Return one column: each block's values (an array, a scalar or None) at its rows."""
        out = np.full(m, -1, dtype)
        for b, r in zip(blocks, rows, strict=True):
            value = get(b) if len(r) else None
            if value is not None:
                out[r] = value
        return out

    order = column(np.int32, lambda b: b.order)
    at = column(np.int64, lambda b: b.at)
    kind = column(np.int8, lambda b: kinds.index(b.kind.value))
    actor = column(np.int8, lambda b: actors.index(b.actor.value))
    reason = column(np.int8, lambda b: None if b.reason is None else to_used[b.reason])
    line = column(np.int32, lambda b: b.line)
    quantity = column(np.int32, lambda b: b.quantity)
    # Each shipment's carrier, and whether the seller left its tracking number out.
    carriers = sorted(s.carriers)
    share = _p({c: s.carriers[c] for c in carriers})
    carrier = column(np.int8, lambda b: _choose(rng, share, len(b.order)) if b.shipment else None)
    tracked = np.zeros(m, bool)
    for b, r in zip(blocks, rows, strict=True):
        if not b.shipment or not len(r):
            continue
        if b.actor == Actor.SELLER:
            tracked[r] = rng.random(len(r)) >= s.tracking_missing
        else:  # Amazon's own shipments always carry their number
            tracked[r] = True
    blocks.clear()  # the blocks' arrays are in the columns now
    rows.clear()
    tracking_rows = _digits(_numbers(rng, int(tracked.sum()), 12, unique=False), 12)
    tracking = _strings(tracking_rows, tracked, compact=True)

    def hashed() -> pd.Series:
        """The ids, from the arrays: each distinct value hashed once, as ``event_ids`` does."""
        by_order = _with_null(ids.order_hashes)
        item_hashes, item_codes = _used_hashes(ids.item_rows, line)
        by_item = _with_null(item_hashes)
        labels = {
            name: _with_null(_label_hashes(values))
            for name, values in (
                ("kind", kinds), ("actor", actors), ("reason", used), ("carrier", carriers)
            )
        }  # fmt: skip
        codes = {"kind": kind, "actor": actor, "reason": reason, "carrier": carrier}
        hashes: dict[str, ColumnHashes] = {
            "order_id": lambda r: by_order[order[r]],
            "at": lambda r: hash_ints(at[r]),
            "order_item_id": lambda r: by_item[item_codes[r]],
            "quantity": lambda r: hash_ints(quantity[r], quantity[r] >= 0),
            "tracking_number": functools.partial(
                _pick, _with_null(hash_text_rows(tracking_rows)), _ranks(tracked)
            ),
            **{name: functools.partial(_pick, labels[name], codes[name]) for name in codes},
            **dict.fromkeys(("amount", "channel", "due", "ref", "shipped_at"), NULL_HASH),
        }
        return combine_ids(hashes, m, threads=threads())  # the other threads are done by then

    with executor("orderkit-ids", workers=1) as pool:
        event_ids = pool.submit(hashed)  # hashed while the columns are built
        null_str, null_ts, null_int = (
            schema.missing(d, m) for d in (schema.STR, schema.TS, schema.YEN)
        )
        cols: dict[str, pd.Series] = {
            "order_id": remember(
                _strings(_take_rows(ids.order_rows, order)), order, ids.orders_key
            ),
            "at": schema.utc(at),
            "kind": _labels(kind, kinds, canonical=True),  # of the blocks with rows: each used
            "actor": _labels(actor, actors, canonical=True),
            "order_item_id": remember(
                _strings(_take_rows(ids.item_rows, line[line >= 0]), line >= 0, compact=True),
                line,
                ids.items_key,
            ),
            "quantity": _yen(quantity, quantity >= 0),
            "amount": null_int,
            "reason": _labels(reason, used, canonical=True),
            "carrier": _labels(carrier, carriers),
            "tracking_number": tracking,
            "channel": schema.missing(schema.CODE, m),
            "due": null_ts,
            "shipped_at": null_ts,
            "ref": null_str,
        }
        frame = pd.DataFrame({"event_id": event_ids.result(), **cols}, copy=False)
    frame["source"] = pd.Series(schema.filled("simulate", m), copy=False)
    frame["origin"] = pd.Series(schema.filled(Origin.SIMULATION, m), copy=False)
    return frame


@dataclass
class _Ids:
    """Order and item ids, as ASCII rows and as ``str`` Series (internal)."""

    order_rows: np.ndarray
    order_hashes: np.ndarray  # each order id's text hash (see orderkit.events)
    item_rows: np.ndarray
    orders: pd.Series
    items: pd.Series
    orders_key: tuple[str, object]  # what the simulator's order and item codes index
    items_key: tuple[str, object]


def _ids(rng: np.random.Generator, n: int, n_lines: int) -> _Ids:
    """Draw distinct order numbers (3-7-7 digits, prefixes as on Amazon.co.jp) and item ids."""
    rows = np.empty((n, 19), dtype=np.uint8)
    rows[:, 0:3] = np.array([list(b"249"), list(b"250"), list(b"503")], np.uint8)[
        rng.choice(3, size=n)
    ]
    # The 14 digits, written as 15 with a spare 0 between the two groups of seven (then "-").
    body = _numbers(rng, n, 14, unique=True)
    body += body // 10**7 * (9 * 10**7)
    _digits(body, 15, out=rows[:, 4:19])
    rows[:, 3], rows[:, 11] = 45, 45  # "-"
    items = _digits(_numbers(rng, n_lines, 14, unique=True), 14)
    orders_key, items_key = ("orders", object()), ("items", object())
    return _Ids(
        rows,
        hash_text_rows(rows),
        items,
        remember(_strings(rows), np.arange(n, dtype=np.int32), orders_key),
        remember(_strings(items), np.arange(n_lines, dtype=np.int32), items_key),
        orders_key,
        items_key,
    )


def _items_frame(lines: _Lines, ids: _Ids) -> pd.DataFrame:
    m = len(lines.order)
    zero = _yen(np.zeros(m, np.int64))  # one array for every all-zero column
    null = schema.missing(schema.STR, m)
    sku = np.empty((m, 8), np.uint8)
    sku[:, :4] = np.frombuffer(b"SIM-", np.uint8)
    _digits(lines.order % 97, 4, out=sku[:, 4:])
    return pd.DataFrame(
        {
            "order_id": remember(
                _strings(_take_rows(ids.order_rows, lines.order)),
                lines.order.astype(np.int32),
                ids.orders_key,
            ),
            "order_item_id": ids.items,
            "sku": _strings(sku),
            "asin": null,
            "product_name": null,
            "quantity": lines.quantity.astype(np.int64),
            "item_price": _yen(lines.item_price),
            "item_tax": zero,
            "shipping_price": _yen(lines.shipping),
            "shipping_tax": zero,
            "gift_wrap_price": zero,
            "item_promotion_discount": zero,
            "ship_promotion_discount": zero,
            "cod_fee": _yen(lines.cod_fee),
        },
        copy=False,
    )


def _orders_frame(
    s: Scenario, rng: np.random.Generator, f: _Fleet, order_ids: pd.Series, last: np.ndarray
) -> pd.DataFrame:
    n = len(f.placed)
    paid = f.paid != _NAT
    recorded = ~f.afn & paid & (rng.random(n) < s.ship_date_recorded)
    calendar = BusinessCalendar.from_policy(s.policy)
    earliest = calendar.business_days_after(_jst_day(np.where(paid, f.paid, 0)).view(np.int64), 0)
    delivery = np.where(
        f.afn, _jst_midnight(_jst_day(f.paid)) + 3 * _DAY - _SEC, f.ship_by + 2 * _DAY
    )
    business = rng.random(n) < s.business_share
    with_po = business & (rng.random(n) < 0.5)
    po_numbers = rng.integers(0, 10**8, n)[with_po]
    po = np.empty((len(po_numbers), 11), np.uint8)
    po[:, :3] = np.frombuffer(b"PO-", np.uint8)
    _digits(po_numbers, 8, out=po[:, 3:])
    null = schema.missing(schema.STR, n)
    return pd.DataFrame(
        {
            "order_id": order_ids,
            "purchase_date": schema.utc(f.placed),
            "last_updated": schema.utc(last),
            "fulfillment_channel": _labels(f.afn.astype(np.int64), ["MFN", "AFN"]),
            "sales_channel": pd.Series(schema.filled("Amazon.co.jp", n), copy=False),
            "order_type": pd.Series(schema.filled("StandardOrder", n), copy=False),
            "payment_method": _labels(f.method, _METHODS),
            "ship_service_level": _labels(
                (rng.random(n) < 0.15).astype(np.int64), ["Standard", "Expedited"]
            ),
            "earliest_ship_date": schema.utc(np.where(paid, _jst_midnight(earliest), _NAT)),
            "latest_ship_date": schema.utc(np.where(recorded, f.ship_by, _NAT)),
            "latest_delivery_date": schema.utc(np.where(paid, delivery, _NAT)),
            **{c: null for c in ("buyer_email", "buyer_name", "buyer_phone", "recipient_name")},
            **{c: null for c in ("ship_postal_code", "ship_state", "ship_city")},
            **{c: null for c in ("ship_address_1", "ship_address_2", "ship_address_3")},
            "ship_country": pd.Series(schema.filled("JP", n), copy=False),
            "is_business_order": business,
            "purchase_order_number": _strings(po, with_po, compact=True),
            "is_prime": rng.random(n) < s.prime_share,
            "currency": pd.Series(schema.filled("JPY", n), copy=False),
        },
        copy=False,
    )


def simulate(scenario: Scenario, *, seed: int) -> OrderBook:
    """Simulate a shop's orders and their whole timelines under ``scenario``.

    Args:
        scenario: what the shop's orders look like (:class:`Scenario`).
        seed: the random seed; the same scenario and seed give the same book.

    Returns:
        An :class:`~orderkit.book.OrderBook` whose three tables follow :mod:`orderkit.schema`,
        every event with ``source="simulate"``.

    Raises:
        ValueError: a distribution of the scenario is malformed.

    """
    s = scenario
    rng = np.random.default_rng(seed)
    # Independent stages draw from their own streams and overlap on a second thread (numpy and
    # Arrow release the GIL in their loops): the lines and the ids while the arrival times and the
    # fleet are drawn, the order and item tables while the event table is built. The result
    # depends on the seed only.
    id_rng, order_rng, line_rng = rng.spawn(3)
    with executor("orderkit-simulate", workers=1) as pool:
        counts = _day_counts(s, rng)
        n = int(counts.sum())
        drawn_lines = pool.submit(_lines, s, line_rng, n)
        # The worker takes its tasks in turn: the lines are drawn when the ids start.
        drawn_ids = pool.submit(lambda: _ids(id_rng, n, len(drawn_lines.result().order)))
        fleet = _fleet(s, rng, _arrivals(s, rng, counts))
        lines = drawn_lines.result()
        _partials(s, rng, fleet, lines.units)
        cod = fleet.method[lines.order[lines.first]] == _METHODS.index("cod")
        lines.cod_fee[lines.first[cod]] = s.cod_fee_yen
        blocks = _blocks(s, fleet, lines)
        last = np.full(n, _NAT)
        for b in blocks:  # each block holds an order at most once
            last[b.order] = np.maximum(last[b.order], b.at)
        ids = drawn_ids.result()
        tables = pool.submit(_tables, s, order_rng, fleet, lines, ids, last)
        del fleet, lines, last  # the worker holds them until its tables are built
        events = _events_frame(s, rng, blocks, ids)
        orders, items = tables.result()
    return OrderBook(orders, items, events)


def _tables(
    s: Scenario,
    rng: np.random.Generator,
    fleet: _Fleet,
    lines: _Lines,
    ids: _Ids,
    last: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the order and item tables."""
    return _orders_frame(s, rng, fleet, ids.orders, last), _items_frame(lines, ids)
