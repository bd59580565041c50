"""The Japanese business-day calendar."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from orderkit.businessdays import JST, BusinessCalendar, end_of_day


def test_japanese_public_holidays_are_not_business_days():
    cal = BusinessCalendar()
    assert not cal.is_business_day(dt.date(2026, 11, 3))  # 文化の日
    assert not cal.is_business_day(dt.date(2026, 11, 23))  # 勤労感謝の日


def test_substitute_holidays_are_not_business_days():
    # 2026-05-06 is a substitute holiday (振替休日) for Constitution Day falling on a Sunday.
    assert not BusinessCalendar().is_business_day(dt.date(2026, 5, 6))


def test_sellers_own_closed_days_are_not_business_days():
    cal = BusinessCalendar(closed_days={dt.date(2026, 12, 30)})
    assert not cal.is_business_day(dt.date(2026, 12, 30))
    assert BusinessCalendar().is_business_day(dt.date(2026, 12, 30))


def test_a_seller_open_on_saturdays_counts_them():
    cal = BusinessCalendar(closed_weekdays={6})
    assert cal.add_business_days(dt.date(2026, 11, 27), 1) == dt.date(2026, 11, 28)


def test_golden_week_pushes_the_ship_date_past_the_holidays():
    paid = dt.datetime(2026, 5, 1, 12, 0, tzinfo=JST)  # Friday before Golden Week
    ship_by = BusinessCalendar().ship_by(paid, 2)
    assert ship_by.astimezone(JST).date() == dt.date(2026, 5, 8)


def test_ship_by_is_the_end_of_the_day_in_japan():
    assert end_of_day(dt.date(2026, 11, 2)).astimezone(JST).time() == dt.time(23, 59, 59)


def test_numpy_calendar_agrees_with_the_python_calendar():
    cal = BusinessCalendar()
    days = [dt.date(2026, 1, 1) + dt.timedelta(d) for d in range(365)]
    vectorised = np.is_busday(np.array(days, dtype="datetime64[D]"), busdaycal=cal.numpy)
    assert list(vectorised) == [cal.is_business_day(d) for d in days]


def test_naive_timestamps_are_refused():
    with pytest.raises(ValueError, match="timezone"):
        BusinessCalendar().ship_by(dt.datetime(2026, 11, 2, 10, 0), 1)


def test_closed_days_are_listed_with_their_reason():
    closed = BusinessCalendar().closed_between(dt.date(2026, 11, 1), dt.date(2026, 11, 3))
    assert closed == [(dt.date(2026, 11, 1), "weekend"), (dt.date(2026, 11, 3), "文化の日")]


@pytest.mark.parametrize(
    "paid",
    [
        pd.date_range("2026-04-20", "2026-05-12", freq="37min", tz="UTC"),  # looked up per day
        pd.date_range("2020-01-01", "2030-12-31", freq="97D", tz="UTC"),  # days apart: per row
    ],
    ids=["dense", "sparse"],
)
def test_vectorised_ship_by_is_the_calendars_ship_by_and_keeps_missing_payments(paid):
    cal = BusinessCalendar()
    ns = np.append(paid.as_unit("ns").asi8, np.iinfo(np.int64).min)  # and one missing payment
    got = cal.ship_by_ns(ns, 2)
    want = [int(pd.Timestamp(cal.ship_by(p.to_pydatetime(), 2)).value) for p in paid]
    assert list(got[:-1]) == want
    assert got[-1] == np.iinfo(np.int64).min


@pytest.mark.parametrize("days", [20, 20_000], ids=["few-rows-per-day", "a-row-per-day"])
def test_business_days_after_counts_each_rows_own_number_of_days(days):
    """The lookup table and the direct path give what ``add_business_days`` gives, row by row."""
    cal = BusinessCalendar()
    rng = np.random.default_rng(0)
    start = (dt.date(2026, 4, 1) - dt.date(1970, 1, 1)).days
    day = start + rng.integers(0, days, 3000)
    n = rng.integers(0, 5, 3000)
    got = cal.business_days_after(day, n)
    epoch = dt.date(1970, 1, 1)
    for d, k, g in zip(day[:300], n[:300], got[:300], strict=True):
        want = cal.add_business_days(epoch + dt.timedelta(days=int(d)), int(k))
        assert epoch + dt.timedelta(days=int(g)) == want
