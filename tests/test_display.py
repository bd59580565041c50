"""What a person reads about an order: codes shown by their names, in the chosen language."""

from __future__ import annotations

import datetime as dt

import pytest
from orderbuilders import ORDER_ID, T0, build_book

from orderkit import Actor, CancelReason, Channel, Event, EventKind, OrderStatus
from orderkit.display import (
    channels_label,
    fulfilment_label,
    payment_label,
    summary,
    timeline_table,
)

LANGS = ["en", "ja", "zh-Hans"]
CODES = [*Actor, *Channel, *CancelReason, *EventKind, *OrderStatus]


@pytest.mark.parametrize("lang", LANGS)
def test_a_payment_method_is_shown_by_its_name_not_its_code(lang):
    codes = ["card", "cvs", "cod", "points", "other"]
    names = [payment_label(code, lang) for code in codes]
    assert not set(names) & set(codes) and len(set(names)) == len(codes)


@pytest.mark.parametrize("lang", ["ja", "zh-Hans"])
def test_every_code_has_a_label_in_each_language(lang):
    same = [code for code in CODES if code.label(lang) == code.label("en")]
    brand = [Actor.AMAZON] if lang == "ja" else []  # Japanese writes the brand as "Amazon"
    assert same == brand


def test_contact_channels_are_listed_in_seller_centrals_words():
    channels = {Channel.PHONE, Channel.FORM, Channel.EMAIL}
    assert channels_label(channels, "ja") == "購入者連絡フォーム、メール、電話"
    assert channels_label(channels, "en") == "Contact Buyer form, Email, Phone"


def test_an_unknown_code_is_shown_as_it_is():
    assert (payment_label("paypay", "ja"), fulfilment_label("XYZ", "ja")) == ("paypay", "XYZ")


def test_the_timeline_says_who_acted_in_the_chosen_language():
    book = build_book(paid=T0 + dt.timedelta(hours=1))
    table = timeline_table(book.order(ORDER_ID).state(at=T0 + dt.timedelta(hours=2)), "ja")
    assert list(table["実行者"]) == [Actor.BUYER.label("ja"), Actor.AMAZON.label("ja")]
    assert "buyer" not in set(table["実行者"])


def test_a_canceled_order_shows_no_ship_by_or_confirm_by_date():
    book = build_book(paid=T0 + dt.timedelta(minutes=5))
    open_dates = summary(book.order(ORDER_ID).state(at=T0 + dt.timedelta(hours=1)))
    book.record(
        Event(ORDER_ID, T0 + dt.timedelta(hours=2), EventKind.CANCELED, Actor.SELLER,
              reason="NoInventory")
    )  # fmt: skip
    canceled = summary(book.order(ORDER_ID).state(at=T0 + dt.timedelta(hours=3)))
    assert (open_dates["Ship by"], open_dates["Confirm by (else auto-cancel)"]) != ("—", "—")
    assert (canceled["Ship by"], canceled["Confirm by (else auto-cancel)"]) == ("—", "—")
