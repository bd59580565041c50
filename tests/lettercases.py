"""Every buyer letter orderkit writes, one case per situation and variant, for the golden copies.

A plain module (like ``orderbuilders``) shared by ``tests/test_letters.py``, which compares each
letter with its reviewed copy in ``tests/data/letters/<case>.<lang>.txt``, and by
``scripts/golden_letters.py``, which writes those copies for a person to read and correct.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from orderbuilders import ITEM_A, ITEM_B, ORDER_ID, T0, build_book

from orderkit import Actor, Event, EventKind, advise, make_event
from orderkit.advice import Advice
from orderkit.i18n import LETTER_LANGUAGES

H, D = dt.timedelta(hours=1), dt.timedelta(days=1)
GOLDEN = Path(__file__).parent / "data" / "letters"
SHOP = "さくら雑貨店"
OTHER_ID, THIRD_ID = "503-7654321-7654321", "503-1111111-2222222"
TEAWARE = ("急須（常滑焼）", "湯呑み 5客セット")


def _state(book, at, order_id=ORDER_ID):
    return book.order(order_id).state(at=at)


def _shipped(book, at, **kw):
    book.record(make_event("confirm_shipment", ORDER_ID, at=at, **kw))
    return book


def first_order():
    now = T0 + 2 * H
    return "first_order", _state(build_book(paid=T0 + H), now), now, {}


def first_order_pending_no_name():
    now = T0 + 2 * H
    state = _state(build_book(buyer_name=None), now)
    return "first_order", state, now, {}


def pending_sale_cvs():
    now = T0 + 5 * D
    return "pending_sale", _state(build_book(payment="cvs"), now), now, {}


def pending_sale_expired():
    now = T0 + 7 * D
    return "pending_sale", _state(build_book(payment="cvs"), now), now, {}


def unknown_order_invalid_number():
    book = build_book(paid=T0 + H)
    now = T0 + 2 * H
    from orderkit.lookup import find_text

    found = find_text(book, "12345", at=now) or book.find(order_id="12345", at=now)
    return "unknown_order", None, now, {"lookup": found}


def unknown_order_other_seller():
    book = build_book(paid=T0 + H)
    now = T0 + 2 * H
    return "unknown_order", None, now, {"lookup": book.find(order_id="249-0000000-0000000", at=now)}


def not_received_with_tracking():
    book = build_book(paid=T0 + H, latest_delivery_date=T0 + 4 * D)
    _shipped(book, T0 + 2 * H, carrier="Yamato", tracking_number="1234-5678-9012")
    now = T0 + 5 * D
    return "not_received", _state(book, now), now, {}


def not_received_not_shipped():
    now = T0 + D
    return "not_received", _state(build_book(paid=T0 + H), now), now, {}


def price_breakdown():
    book = build_book(paid=T0 + H, product_names=TEAWARE)
    now = T0 + 2 * H
    return "price_breakdown", _state(book, now), now, {}


def _returned_book(cost: int | None):
    book = build_book(paid=T0 + H, product_names=TEAWARE)
    _shipped(book, T0 + 2 * H)
    book.record(
        Event(
            ORDER_ID, T0 + 4 * D, EventKind.RETURNED_TO_SENDER, reason="undeliverable", amount=cost
        )
    )
    return book


def returned_refund_less_shipping():
    now = T0 + 4 * D + H
    return "returned_undeliverable", _state(_returned_book(820), now), now, {}


def returned_shipping_cost_unknown():
    now = T0 + 4 * D + H
    return "returned_undeliverable", _state(_returned_book(None), now), now, {}


def returned_nothing_left_to_refund():
    book = build_book(paid=T0 + H, lines=((ITEM_A, 1, 600, 0),))
    _shipped(book, T0 + 2 * H)
    book.record(Event(ORDER_ID, T0 + 4 * D, EventKind.RETURNED_TO_SENDER, reason="rejected"))
    now = T0 + 4 * D + H
    return "returned_undeliverable", _state(book, now), now, {"actual_shipping_cost": 900}


def cvs_payment_details():
    now = T0 + D
    return "cvs_payment_details", _state(build_book(payment="cvs"), now), now, {}


def points_details():
    return "points_details", None, T0, {}


def receipt():
    return "receipt", None, T0, {}


def change_order_within_five_minutes():
    now = T0 + dt.timedelta(minutes=3)
    return "change_order", _state(build_book(), now), now, {}


def change_order_after_five_minutes():
    now = T0 + 2 * H
    return "change_order", _state(build_book(paid=T0 + H), now), now, {}


def change_order_shipped():
    book = _shipped(build_book(paid=T0 + H), T0 + 2 * H)
    now = T0 + 3 * H
    return "change_order", _state(book, now), now, {}


def change_order_fulfilled_by_amazon():
    now = T0 + 2 * H
    return "change_order", _state(build_book(channel="AFN", paid=T0 + H), now), now, {}


def combine_two_orders():
    a = build_book(paid=T0 + H)
    b = build_book(order_id=OTHER_ID, paid=T0 + H)
    now = T0 + 2 * H
    others = [_state(b, now, OTHER_ID)]
    return "combine_shipments", _state(a, now), now, {"others": others, "saving": 500}


def combine_with_a_pending_order():
    a = build_book(paid=T0 + H)
    b = build_book(order_id=OTHER_ID, paid=T0 + H)
    c = build_book(order_id=THIRD_ID, payment="cvs")
    now = T0 + 2 * H
    others = [_state(b, now, OTHER_ID), _state(c, now, THIRD_ID)]
    return "combine_shipments", _state(a, now), now, {"others": others, "saving": 600}


def items_unavailable_one():
    book = build_book(paid=T0 + H, product_names=TEAWARE)
    now = T0 + 2 * H
    return "items_unavailable", _state(book, now), now, {"unsent": {ITEM_A: 2}}


def items_unavailable_two():
    book = build_book(paid=T0 + H, product_names=TEAWARE)
    now = T0 + 2 * H
    return "items_unavailable", _state(book, now), now, {"unsent": {ITEM_A: 1, ITEM_B: 1}}


def no_reply_deadline():
    now = dt.datetime(2026, 11, 20, 12, 0, tzinfo=T0.tzinfo)
    book = build_book(placed=now - 2 * H, paid=now - H)
    return "no_reply", _state(book, now), now, {}


def no_reply_overdue():
    book = build_book(paid=T0 + H)
    book.record(make_event("set_reply_deadline", ORDER_ID, at=T0 + 2 * H, due=T0 + 3 * D))
    now = T0 + 3 * D + H
    return "no_reply", _state(book, now), now, {}


def no_reply_after_shipment():
    book = _shipped(build_book(paid=T0 + H), T0 + 2 * H)
    book.record(
        Event(ORDER_ID, T0 + 3 * H, EventKind.BUYER_CONTACTED, Actor.SELLER, channel="email")
    )
    now = T0 + 2 * D
    return "no_reply", _state(book, now), now, {}


#: case name → a function returning (situation, state, now, details).
CASES: dict[str, Callable[[], tuple[str, Any, dt.datetime, dict]]] = {
    f.__name__: f
    for f in (
        first_order,
        first_order_pending_no_name,
        pending_sale_cvs,
        pending_sale_expired,
        unknown_order_invalid_number,
        unknown_order_other_seller,
        not_received_with_tracking,
        not_received_not_shipped,
        price_breakdown,
        returned_refund_less_shipping,
        returned_shipping_cost_unknown,
        returned_nothing_left_to_refund,
        cvs_payment_details,
        points_details,
        receipt,
        change_order_within_five_minutes,
        change_order_after_five_minutes,
        change_order_shipped,
        change_order_fulfilled_by_amazon,
        combine_two_orders,
        combine_with_a_pending_order,
        items_unavailable_one,
        items_unavailable_two,
        no_reply_deadline,
        no_reply_overdue,
        no_reply_after_shipment,
    )
}


@cache
def advice_for(case: str, letter_lang: str, lang: str = "en") -> Advice:
    """Return the advice of ``case`` with its letter in ``letter_lang`` (computed once)."""
    situation, state, now, details = CASES[case]()
    return advise(situation, state, now=now, lang=lang, letter_lang=letter_lang,
                  seller_name=SHOP, **details)  # fmt: skip


def golden_path(case: str, letter_lang: str) -> Path:
    """Return where the reviewed copy of ``case``'s letter in ``letter_lang`` lives."""
    return GOLDEN / f"{case}.{letter_lang}.txt"


def letter_languages() -> list[str]:
    """The languages letters are written in."""
    return list(LETTER_LANGUAGES)
