"""The one clock: where *now* comes from, so that it is passed in everywhere and fixed in tests.

Library code never reads the wall clock: it takes ``now=``/``at=``. The widgets and apps hold a
:class:`Clock` and ask it for the time whenever a view is drawn or refreshed:

- :class:`SystemClock` — the real time (in Japan time); with real data (the store, a report, a
  sync). It is the only place in orderkit that reads the wall clock.
- :class:`FixedClock` — one instant: in tests, and for the sample data, whose *now* is its own
  (:data:`orderkit.sample.DEFAULT_NOW`); ``sample=True`` says so, and the workbench shows a banner.

>>> from orderkit.sample import DEFAULT_NOW
>>> FixedClock(DEFAULT_NOW).now().isoformat()
'2026-11-26T18:00:00+09:00'
>>> SystemClock().now().tzinfo is not None
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from orderkit.businessdays import JST

if TYPE_CHECKING:
    from orderkit.book import OrderBook

__all__ = [
    "Clock",
    "ClockLike",
    "FixedClock",
    "SystemClock",
    "as_clock",
    "clock_for",
    "is_sample",
    "is_sample_book",
]


@runtime_checkable
class Clock(Protocol):
    """Something that tells the time: ``now()`` returns a timezone-aware datetime."""

    def now(self) -> dt.datetime:
        """Return the current instant (timezone-aware)."""
        ...


@dataclass(frozen=True, slots=True)
class SystemClock:
    """The real time, in Japan time. ``sample`` is always ``False``: this is real data's clock."""

    sample: bool = False

    def now(self) -> dt.datetime:
        """Return the wall-clock time now, in Japan time."""
        return dt.datetime.now(JST)


@dataclass(frozen=True, slots=True)
class FixedClock:
    """A clock stopped at ``at`` (tests; the sample data's own instant when ``sample`` is set).

    Raises:
        ValueError: ``at`` is naive.
    """

    at: dt.datetime
    sample: bool = False

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError(f"FixedClock needs a timezone-aware instant, not {self.at!r}")

    def now(self) -> dt.datetime:
        """Return ``at``."""
        return self.at


#: What a widget accepts as ``now``: a clock, a fixed instant, or a function returning the time.
ClockLike = Clock | dt.datetime | Callable[[], dt.datetime]


@dataclass(frozen=True, slots=True)
class _CallableClock:
    function: Callable[[], dt.datetime]
    sample: bool = False

    def now(self) -> dt.datetime:
        return self.function()


def as_clock(value: ClockLike) -> Clock:
    """Return ``value`` as a :class:`Clock`: a datetime becomes a :class:`FixedClock`.

    Raises:
        TypeError: ``value`` is neither a clock, a datetime nor a callable.
        ValueError: ``value`` is a naive datetime.
    """
    if isinstance(value, dt.datetime):
        return FixedClock(value)
    if isinstance(value, Clock):
        return value
    if callable(value):
        return _CallableClock(value)
    raise TypeError(f"expected a Clock, a datetime or a function returning one, not {value!r}")


def is_sample(clock: Clock) -> bool:
    """Return whether ``clock`` is the sample data's own fixed instant."""
    return bool(getattr(clock, "sample", False))


@cache
def _sample_ids() -> frozenset[str]:
    from orderkit import sample  # here: the sample is built only when a book is checked

    return frozenset(sample.book().orders["order_id"].astype(str))


def is_sample_book(book: OrderBook) -> bool:
    """Return whether ``book`` holds only the built-in sample's orders (and at least one)."""
    ids = book.orders["order_id"].astype(str)
    return len(ids) > 0 and bool(ids.isin(_sample_ids()).all())


def clock_for(book: OrderBook) -> Clock:
    """Return the clock to show ``book`` at: the sample's own instant for the sample, else real time.

    The sample's orders were placed up to :data:`orderkit.sample.DEFAULT_NOW`; at the real time
    they would all be long canceled or late, so the sample keeps its instant (marked ``sample``,
    for the banner). Any other book — the store's, a report, a sync — is shown at the real time.
    """
    if is_sample_book(book):
        from orderkit.sample import DEFAULT_NOW

        return FixedClock(DEFAULT_NOW, sample=True)
    return SystemClock()
