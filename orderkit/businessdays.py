"""The Japanese business-day calendar: weekends, public holidays and the seller's closed days.

Japanese public holidays (with substitute holidays) come from the ``holidays`` package. The
calendar also exposes a ``numpy.busdaycalendar`` so that the simulator and the fleet metrics can
count business days for a million orders at once with the same rules.

>>> cal = BusinessCalendar()
>>> cal.is_business_day(dt.date(2026, 5, 4))   # Greenery Day, Golden Week
False
>>> cal.add_business_days(dt.date(2026, 5, 1), 1)
datetime.date(2026, 5, 7)
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import numpy as np
from holidays.countries.japan import Japan  # imported with the module, not at the first use

from orderkit.policy import DEFAULT_POLICY, Policy

__all__ = ["JST", "UTC", "BusinessCalendar", "end_of_day", "to_jst"]

JST = ZoneInfo("Asia/Tokyo")
UTC = dt.UTC

_YEARS = range(2015, 2041)
_DAY_NS = 86_400 * 1_000_000_000
_JST_NS = 9 * 3_600 * 1_000_000_000
_NAT_NS = np.iinfo(np.int64).min
_SEC_NS = 1_000_000_000


@functools.cache
def _jp_holidays() -> dict[dt.date, str]:
    return dict(Japan(years=_YEARS, language="ja"))


@functools.cache
def _jp_holidays_en() -> dict[dt.date, str]:
    return dict(Japan(years=_YEARS, language="en_US"))


def to_jst(ts: dt.datetime) -> dt.datetime:
    """Return ``ts`` in Japan time; raise ``ValueError`` if it is naive."""
    if ts.tzinfo is None:
        raise ValueError(f"timestamp {ts!r} has no timezone; orderkit needs tz-aware times")
    return ts.astimezone(JST)


def end_of_day(day: dt.date) -> dt.datetime:
    """Return the last second of ``day`` in Japan time (23:59:59 JST) as a UTC timestamp."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=JST).astimezone(UTC)


class BusinessCalendar:
    """Business days in Japan for one seller.

    A day is a business day unless it is one of ``closed_weekdays``, a Japanese public holiday, or
    one of the seller's ``closed_days``.
    """

    def __init__(
        self,
        *,
        closed_weekdays: Iterable[int] = (5, 6),
        closed_days: Iterable[dt.date] = (),
    ) -> None:
        self.closed_weekdays = frozenset(closed_weekdays)
        self.closed_days = frozenset(closed_days)
        self._closed = frozenset(_jp_holidays()) | self.closed_days

    @classmethod
    def from_policy(cls, policy: Policy = DEFAULT_POLICY) -> BusinessCalendar:
        """Return the calendar a ``Policy`` describes."""
        return _calendar_for(policy.closed_weekdays, policy.closed_days)

    def holiday_name(self, day: dt.date, lang: str = "ja") -> str | None:
        """Return the public holiday's name on ``day`` (or ``None``)."""
        return (_jp_holidays() if lang == "ja" else _jp_holidays_en()).get(day)

    def is_business_day(self, day: dt.date) -> bool:
        """Return whether ``day`` is a business day."""
        return day.weekday() not in self.closed_weekdays and day not in self._closed

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        """Return the ``n``-th business day after ``day`` (``n=0``: ``day`` or the next one open)."""
        if n < 0:
            raise ValueError("n must not be negative")
        while not self.is_business_day(day):
            day += dt.timedelta(days=1)
        for _ in range(n):
            day += dt.timedelta(days=1)
            while not self.is_business_day(day):
                day += dt.timedelta(days=1)
        return day

    def business_days_between(self, start: dt.date, end: dt.date) -> int:
        """Return how many business days lie in ``[start, end)``."""
        return int(np.busday_count(start, end, busdaycal=self.numpy))

    def ship_by(self, paid_at: dt.datetime, handling_days: int) -> dt.datetime:
        """Return the latest ship date for an order paid at ``paid_at``.

        The order must ship by the end (23:59:59 JST) of the ``handling_days``-th business day
        after the day it was paid in Japan time; an order paid on a closed day counts from the
        next business day.
        """
        return end_of_day(self.add_business_days(to_jst(paid_at).date(), handling_days))

    def ship_by_ns(self, paid_ns: np.ndarray, handling_days: int) -> np.ndarray:
        """Return :meth:`ship_by` for many payments at once, as UTC nanoseconds (vectorised).

        ``paid_ns`` holds UTC nanoseconds; a missing payment (``NaT``'s integer, the int64
        minimum) gives a missing ship date. Japan has kept no daylight saving time since 1951, so
        Japan time is UTC+9 throughout.
        """
        paid = np.asarray(paid_ns, dtype=np.int64)
        missing = paid == _NAT_NS
        day = (np.where(missing, 0, paid) + _JST_NS) // _DAY_NS  # days since 1970-01-01, JST
        end = self.business_days_after(day, handling_days) * _DAY_NS - _JST_NS + _DAY_NS - _SEC_NS
        return np.where(missing, _NAT_NS, end)

    def business_days_after(self, day: np.ndarray, n: int | np.ndarray) -> np.ndarray:
        """Return the ``n``-th business day from each ``day``, vectorised (days since 1970-01-01).

        A closed ``day`` first rolls forward to the next business day, as :meth:`add_business_days`
        does; ``n`` is one count or one per day. When the days span fewer dates than there are
        rows, each date (and count) is looked up once.
        """
        day = np.asarray(day, dtype=np.int64)
        n = np.asarray(n)
        if not len(day):
            return day.copy()
        first, last = int(day.min()), int(day.max())
        low, high = int(n.min()), int(n.max())
        width = last - first + 1
        if width * (high - low + 1) > max(len(day), 1024):
            return np.busday_offset(
                day.astype("datetime64[D]"), n.astype(np.int64), roll="forward",
                busdaycal=self.numpy,
            ).astype(np.int64)  # fmt: skip
        span = np.arange(first, last + 1).astype("datetime64[D]")
        counts = np.arange(low, high + 1)[:, None]
        table = np.busday_offset(span, counts, roll="forward", busdaycal=self.numpy)
        # One flat index per row, built in place: (count - low) * width + (day - first).
        index = day - first
        if n.ndim:
            index += (n.astype(np.int64) - low) * width
        else:
            index += (int(n) - low) * width
        return np.take(table.astype(np.int64).ravel(), index, mode="clip")  # all in range

    def closed_between(self, start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
        """Return each closed day in ``[start, end]`` with why: a holiday name, or 'weekend'."""
        out: list[tuple[dt.date, str]] = []
        day = start
        while day <= end:
            if not self.is_business_day(day):
                reason = self.holiday_name(day) or (
                    "closed" if day in self.closed_days else "weekend"
                )
                out.append((day, reason))
            day += dt.timedelta(days=1)
        return out

    @functools.cached_property
    def numpy(self) -> np.busdaycalendar:
        """The same calendar as a ``numpy.busdaycalendar`` for vectorised business-day maths."""
        weekmask = [0 if d in self.closed_weekdays else 1 for d in range(7)]
        return np.busdaycalendar(
            weekmask=weekmask, holidays=np.array(sorted(self._closed), dtype="datetime64[D]")
        )


@functools.cache
def _calendar_for(
    closed_weekdays: frozenset[int], closed_days: frozenset[dt.date]
) -> BusinessCalendar:
    return BusinessCalendar(closed_weekdays=closed_weekdays, closed_days=closed_days)
