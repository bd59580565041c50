"""advise(): every FAQ situation answered in both languages, for this order at this moment."""

from __future__ import annotations

import datetime as dt

import pytest
from orderbuilders import ITEM_B, ORDER_ID, T0, build_book

from orderkit import RULES, Situation, advise, make_event

H = dt.timedelta(hours=1)


def details_for(situation: Situation, book) -> dict:
    """Return the details each situation needs."""
    now = T0 + 2 * H
    if situation is Situation.UNKNOWN_ORDER:
        return {"lookup": book.find(order_id="249-0000000-0000000", at=now)}
    if situation is Situation.COMBINE_SHIPMENTS:
        other = build_book(order_id="503-7654321-7654321", paid=T0 + H)
        return {"others": [other.order("503-7654321-7654321").state(at=now)], "saving": 400}
    if situation is Situation.ITEMS_UNAVAILABLE:
        return {"unsent": {ITEM_B: 1}}
    if situation is Situation.RETURNED_UNDELIVERABLE:
        return {"actual_shipping_cost": 700}
    return {}


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("situation", list(Situation))
def test_every_situation_is_answered_with_rules_in_both_languages(situation, lang):
    book = build_book(paid=T0 + H, business=True, po="PO-7")
    now = T0 + 2 * H
    advice = advise(situation, book.order(ORDER_ID).state(at=now), now=now, lang=lang,
                    **details_for(situation, book))  # fmt: skip
    assert advice.situation is situation and advice.lang == lang
    assert advice.steps, "every answer has at least one step"
    assert all(step.rule.id in RULES for step in advice.steps)
    assert advice.summary and advice.title == situation.question(lang)
    if lang == "ja":
        assert any("\u3040" <= ch <= "\u30ff" for ch in advice.summary), "Japanese text expected"


def test_every_step_quotes_the_faq_sentence_of_its_rule(paid_book):
    now = T0 + 2 * H
    markdown = advise(
        "not_received", paid_book.order(ORDER_ID).state(at=now), now=now
    ).to_markdown()
    assert "Contact your carrier" in markdown or "Nothing has been confirmed" in markdown


def test_template_is_filled_with_the_buyers_name_and_order_number(paid_book):
    now = T0 + 2 * H
    advice = advise("first_order", paid_book.order(ORDER_ID).state(at=now), now=now, lang="ja",
                    seller_name="さくら雑貨店")  # fmt: skip
    assert advice.template.startswith("山田 太郎 様")
    assert ORDER_ID in advice.template and "さくら雑貨店" in advice.template


def test_pending_advice_counts_down_the_convenience_store_payment():
    book = build_book(payment="cvs")
    now = T0 + dt.timedelta(days=5)
    advice = advise("pending_sale", book.order(ORDER_ID).state(at=now), now=now)
    assert advice.facts["payment_due"] == T0 + dt.timedelta(days=6)
    assert "1 day" in advice.summary or "1 day" in advice.steps[0].text


def test_unknown_order_needs_a_lookup():
    with pytest.raises(ValueError, match="lookup"):
        advise("unknown_order", None, now=T0)


def test_situation_needing_an_order_refuses_none():
    with pytest.raises(ValueError, match="state"):
        advise("change_order", None, now=T0)


def test_advice_refuses_an_unknown_language(paid_book):
    with pytest.raises(ValueError, match="lang"):
        advise("receipt", None, now=T0, lang="fr")


def test_advice_refuses_a_naive_now():
    with pytest.raises(ValueError, match="timezone"):
        advise("receipt", None, now=dt.datetime(2026, 11, 2, 10, 0))


def test_confirm_deadline_advice_shows_the_warning_once_it_shows(paid_book):
    view = paid_book.order(ORDER_ID)
    now = view.state(at=T0 + 2 * H).ship_by + H
    advice = advise("confirm_deadline", view.state(at=now), now=now)
    assert advice.facts["warning"].startswith("Confirm as shipped by")
    assert advice.facts["at_risk"] is True


def test_late_advice_after_partial_shipment_says_the_status_stays(paid_book):
    view = paid_book.order(ORDER_ID)
    ship_by = view.state(at=T0 + 2 * H).ship_by
    paid_book.record(
        make_event(
            "confirm_shipment", ORDER_ID, at=ship_by - H, order_item_id="12345678901234", quantity=2
        )
    )
    now = ship_by + H
    advice = advise("shipment_late", paid_book.order(ORDER_ID).state(at=now), now=now)
    assert advice.facts["late"] is True
    assert [r.id for r in advice.rules] == ["shipment-late", "charge-whole-order"]


def test_change_advice_for_a_shipped_order_says_it_cannot_be_changed_or_canceled(paid_book):
    paid_book.record(make_event("confirm_shipment", ORDER_ID, at=T0 + 2 * H))
    now = T0 + 3 * H
    advice = advise("change_order", paid_book.order(ORDER_ID).state(at=now), now=now)
    assert [r.id for r in advice.rules] == ["seller-cannot-edit", "no-cancel-after-shipment"]
