"""Today's rules: each list built from one order placed just before or after its boundary."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from orderbuilders import ORDER_ID, T0, build_book

from orderkit import Actor, Event, EventKind, sample
from orderkit.actions import make_event
from orderkit.businessdays import JST
from orderkit.metrics import TARGETS
from orderkit.today import (
    countdown,
    cvs_expiring,
    late_open,
    must_ship_today,
    reply_deadlines,
    to_confirm,
    today,
)

#: The order's latest ship date: Thursday 5 November 2026, 23:59:59 JST.
SHIP_BY = dt.datetime(2026, 11, 5, 23, 59, 59, tzinfo=JST)
#: Its confirmation cutoff: the ship date + 7 days.
CONFIRM_BY = SHIP_BY + dt.timedelta(days=7)


def paid_order():
    return build_book(paid=T0 + dt.timedelta(hours=1), latest_ship_date=SHIP_BY)


def jst(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=JST)


def ids(frame) -> list[str]:
    return frame["order_id"].tolist()


# ---- must ship today -------------------------------------------------------------------------


def test_an_order_due_at_2359_today_is_in_must_ship_today():
    assert ids(must_ship_today(paid_order(), jst(5, 9))) == [ORDER_ID]


def test_an_order_due_at_2359_tomorrow_is_not_in_must_ship_today():
    assert ids(must_ship_today(paid_order(), jst(4, 23, 59))) == []


def test_a_shipped_order_due_today_is_not_in_must_ship_today():
    book = paid_order()
    book.extend([make_event("confirm_shipment", ORDER_ID, at=jst(5, 8), tracking_number="1234")])
    assert ids(must_ship_today(book, jst(5, 9))) == []


def test_must_ship_today_counts_down_to_the_ship_date():
    book = paid_order()
    row = must_ship_today(book, jst(5, 20, 39)).iloc[0]
    assert row["seconds_left"] == int((SHIP_BY - jst(5, 20, 39)).total_seconds())
    assert row["total"] == book.order(ORDER_ID).state(at=jst(5, 20, 39)).total


# ---- confirm before the cutoff ---------------------------------------------------------------


def test_an_order_whose_cutoff_is_tomorrow_is_in_to_confirm():
    assert ids(to_confirm(paid_order(), jst(11, 10))) == [ORDER_ID]


def test_an_order_whose_cutoff_is_the_day_after_tomorrow_is_not_in_to_confirm():
    assert ids(to_confirm(paid_order(), jst(10, 23, 59))) == []


def test_an_order_past_its_cutoff_is_not_in_to_confirm():
    # Amazon canceled it at the cutoff: there is nothing left to confirm.
    assert ids(to_confirm(paid_order(), CONFIRM_BY + dt.timedelta(minutes=1))) == []


# ---- convenience-store payments --------------------------------------------------------------


def test_an_unpaid_cvs_order_expiring_tomorrow_is_in_cvs_expiring():
    book = build_book(payment="cvs")  # due at T0 + 6 days: Sunday 8 November, 10:00
    assert ids(cvs_expiring(book, jst(7, 10))) == [ORDER_ID]


def test_an_unpaid_cvs_order_expiring_the_day_after_tomorrow_is_not_in_cvs_expiring():
    assert ids(cvs_expiring(build_book(payment="cvs"), jst(6, 23, 59))) == []


def test_a_paid_cvs_order_is_not_in_cvs_expiring():
    book = build_book(payment="cvs", paid=T0 + dt.timedelta(days=1))
    assert ids(cvs_expiring(book, jst(7, 10))) == []


# ---- reply deadlines -------------------------------------------------------------------------


def with_reply_deadline(due: dt.datetime):
    book = paid_order()
    book.extend([Event(ORDER_ID, jst(3, 10), EventKind.REPLY_DEADLINE_SET, Actor.SELLER, due=due)])
    return book


def test_a_reply_deadline_due_tomorrow_is_in_reply_deadlines():
    book = with_reply_deadline(jst(5, 18))
    assert ids(reply_deadlines(book, jst(4, 12))) == [ORDER_ID]


def test_a_reply_deadline_due_the_day_after_tomorrow_is_not_in_reply_deadlines():
    book = with_reply_deadline(jst(6, 18))
    assert ids(reply_deadlines(book, jst(4, 12))) == []


def test_a_reply_deadline_the_buyer_answered_is_not_in_reply_deadlines():
    book = with_reply_deadline(jst(5, 18))
    book.extend([Event(ORDER_ID, jst(4, 9), EventKind.BUYER_REPLIED, Actor.BUYER)])
    assert ids(reply_deadlines(book, jst(4, 12))) == []


# ---- open late orders ------------------------------------------------------------------------


def test_an_unshipped_order_past_its_ship_date_is_in_late_open():
    assert ids(late_open(paid_order(), jst(6, 0, 1))) == [ORDER_ID]


def test_an_order_shipped_late_is_not_in_late_open():
    book = paid_order()
    book.extend([make_event("confirm_shipment", ORDER_ID, at=jst(6, 9), tracking_number="1234")])
    assert ids(late_open(book, jst(6, 10))) == []


def test_an_order_not_yet_past_its_ship_date_is_not_in_late_open():
    assert ids(late_open(paid_order(), SHIP_BY)) == []


# ---- the whole day ---------------------------------------------------------------------------


def test_today_shows_the_four_rates_against_their_targets():
    rates = today(paid_order(), jst(6, 10)).rates
    assert sorted(set(rates["metric"])) == sorted(TARGETS)
    assert len(rates) == 4
    late = rates[rates["metric"] == "late_shipment_rate"]
    assert not late["met"].any()  # one order due, shipped late: 100% late


def test_today_refuses_a_naive_now():
    with pytest.raises(ValueError, match="timezone"):
        today(paid_order(), dt.datetime(2026, 11, 5, 9))


def test_today_day_follows_now_past_midnight():
    book = paid_order()
    before, after = today(book, jst(5, 23, 59)), today(book, jst(6, 0, 1))
    assert (ids(before.must_ship), ids(after.must_ship)) == ([ORDER_ID], [])
    assert (ids(before.late_open), ids(after.late_open)) == ([], [ORDER_ID])


@pytest.mark.parametrize(
    ("seconds", "lang", "text"),
    [
        (3 * 3600 + 20 * 60, "en", "3 h 20 min left"),
        (3 * 3600 + 20 * 60, "ja", "あと3時間20分"),
        (2 * 86400 + 3 * 3600, "en", "2 d 3 h left"),
        (-45 * 60, "ja", "45分超過"),
    ],
)
def test_countdown_reads_hours_and_minutes_in_the_chosen_language(seconds, lang, text):
    assert countdown(seconds, lang) == text


def test_today_reads_a_book_imported_from_a_report_whose_payment_method_is_blank(tmp_path):
    from orderkit.io import read_report, write_report

    path = tmp_path / "AllOrders.txt"
    write_report(sample.book(25, seed=5), "all_orders", path, at=sample.DEFAULT_NOW)
    report = read_report(path)  # All Orders has no payment method
    view = today(report, sample.DEFAULT_NOW)
    lists = (view.must_ship, view.to_confirm, view.cvs_expiring, view.replies, view.late_open)
    every = pd.concat(lists)
    assert len(every) > 0
    assert set(every["payment_method"]) == {""}
