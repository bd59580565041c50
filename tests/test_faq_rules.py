"""Every rule of the Manage Orders FAQ, one or more tests each, named after the rule.

The numbers in the section comments are those of the rule list in issue 2.
"""

from __future__ import annotations

import datetime as dt

import pytest
from orderbuilders import ITEM_A, ITEM_B, ORDER_ID, T0, build_book

from orderkit import (
    Actor,
    CancelReason,
    Channel,
    Event,
    EventKind,
    OrderStatus,
    Policy,
    TransitionNotAllowed,
    advise,
    make_event,
)
from orderkit.lookup import FindOutcome
from orderkit.refunds import refund_for_unavailable, refund_for_undeliverable, split_saving

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def ship(book, at, item=None, qty=None, **kw):
    return book.record(
        make_event("confirm_shipment", ORDER_ID, at=at, order_item_id=item, quantity=qty, **kw)
    )


# 1. Pending orders must not be dispatched ----------------------------------------------------


def test_pending_order_cannot_be_shipped(make_book):
    book = make_book()
    with pytest.raises(TransitionNotAllowed) as err:
        ship(book, T0 + H)
    assert err.value.rule.id == "pending-no-dispatch"
    assert err.value.status is OrderStatus.PENDING
    assert err.value.order_id == ORDER_ID
    assert err.value.event.kind is EventKind.SHIPMENT_CONFIRMED


def test_pending_order_cannot_be_shipped_even_when_buyer_asks(make_book):
    book = make_book(payment="cvs")
    book.record(Event(ORDER_ID, T0 + H, EventKind.BUYER_CONTACTED, Actor.SELLER, channel="email"))
    book.record(Event(ORDER_ID, T0 + 2 * H, EventKind.BUYER_REPLIED, Actor.BUYER))
    with pytest.raises(TransitionNotAllowed) as err:
        ship(book, T0 + 3 * H)
    assert err.value.rule.id == "pending-no-dispatch"


def test_refused_action_leaves_the_book_unchanged(make_book):
    book = make_book()
    before = book.events.copy()
    with pytest.raises(TransitionNotAllowed):
        ship(book, T0 + H)
    assert book.events.equals(before)


# 2. Only settled orders (Unshipped) are dispatched --------------------------------------------


def test_payment_makes_a_pending_order_unshipped(make_book):
    book = make_book(paid=T0 + H)
    assert book.order(ORDER_ID).state(at=T0 + 2 * H).status is OrderStatus.UNSHIPPED


def test_unshipped_order_can_be_confirmed_as_shipped(paid_book):
    state = ship(paid_book, T0 + 2 * H, carrier="Yamato", tracking_number="1234-5678-9012")
    assert state.status is OrderStatus.SHIPPED


# 3. Convenience-store payments expire --------------------------------------------------------


def test_unpaid_convenience_store_order_is_canceled_when_payment_window_ends(make_book):
    book = make_book(payment="cvs")
    view = book.order(ORDER_ID)
    assert view.state(at=T0 + 6 * D - H).status is OrderStatus.PENDING
    after = view.state(at=T0 + 6 * D)
    assert after.status is OrderStatus.CANCELED
    assert after.cancel_reason == CancelReason.PAYMENT_EXPIRED


def test_expired_convenience_store_order_is_never_charged(make_book):
    book = make_book(payment="cvs")
    state = book.order(ORDER_ID).state(at=T0 + 30 * D)
    assert (state.charged, state.charged_amount) == (False, 0)


def test_convenience_store_payment_after_expiry_is_refused(make_book):
    book = make_book(payment="cvs")
    with pytest.raises(TransitionNotAllowed) as err:
        book.record(Event(ORDER_ID, T0 + 7 * D, EventKind.PAYMENT_COMPLETED, Actor.AMAZON))
    assert err.value.rule.id == "cvs-payment-expiry"


def test_payment_window_follows_the_policy(make_book):
    book = make_book(payment="cvs")
    state = book.order(ORDER_ID).state(at=T0 + 4 * D, policy=Policy(cvs_payment_window=3 * D))
    assert state.status is OrderStatus.CANCELED


def test_only_convenience_store_orders_expire(make_book):
    book = make_book(payment="card")
    assert book.order(ORDER_ID).state(at=T0 + 30 * D).status is OrderStatus.PENDING


# 4. Finding an order -------------------------------------------------------------------------


def test_order_number_that_is_not_3_7_7_digits_is_invalid(make_book):
    found = make_book().find(order_id="503-123456-1234567", at=T0 + H)
    assert found.outcome is FindOutcome.INVALID_NUMBER


def test_valid_number_not_in_book_may_be_another_sellers_order(make_book):
    found = make_book().find(order_id="249-7654321-7654321", at=T0 + H)
    assert found.outcome is FindOutcome.NOT_IN_BOOK
    assert found.refer_to_customer_service
    assert found.rule.id == "other-seller-order"


def test_pending_order_is_reported_as_pending_for_unsettled_payment(make_book):
    found = make_book().find(order_id=ORDER_ID, at=T0 + H)
    assert found.outcome is FindOutcome.PENDING
    assert found.rule.id == "pending-reason"
    assert list(found.orders["status"]) == ["Pending"]


def test_order_is_found_by_buyer_email_whatever_the_case(paid_book):
    found = paid_book.find(email="BUYER1@marketplace.amazon.co.jp", at=T0 + 2 * H)
    assert found.outcome is FindOutcome.FOUND
    assert list(found.orders["order_id"]) == [ORDER_ID]


def test_order_number_typed_with_full_width_digits_is_found(paid_book):
    found = paid_book.find(order_id="５０３－１２３４５６７－１２３４５６７", at=T0 + 2 * H)
    assert list(found.orders["order_id"]) == [ORDER_ID]


def test_unknown_email_refers_buyer_to_customer_service(paid_book):
    found = paid_book.find(email="someone@marketplace.amazon.co.jp", at=T0 + 2 * H)
    assert found.outcome is FindOutcome.NO_ORDER_FOR_EMAIL
    assert found.refer_to_customer_service


# 5. Not received -----------------------------------------------------------------------------


def _shipped_with_delivery_window(tracking: str | None = "1234-5678-9012"):
    book = build_book(paid=T0 + H, latest_delivery_date=T0 + 4 * D)
    ship(book, T0 + 2 * H, carrier="Yamato", tracking_number=tracking)
    return book


def test_not_received_advice_asks_carrier_with_tracking_number():
    book = _shipped_with_delivery_window()
    now = T0 + 5 * D
    advice = advise("not_received", book.order(ORDER_ID).state(at=now), now=now)
    assert [s.rule.id for s in advice.steps] == [
        "not-received-carrier",
        "not-received-wait",
        "feedback-anyway",
    ]
    assert advice.facts["tracking_number"] == "1234-5678-9012"
    assert "1234-5678-9012" in advice.steps[0].text


def test_not_received_advice_gives_the_date_an_atoz_claim_becomes_possible():
    book = _shipped_with_delivery_window()
    now = T0 + 5 * D
    advice = advise("not_received", book.order(ORDER_ID).state(at=now), now=now)
    assert advice.facts["atoz_claim_from"] == T0 + 4 * D + Policy().atoz_claim_after


def test_atoz_claim_before_it_is_possible_is_refused():
    book = _shipped_with_delivery_window()
    with pytest.raises(TransitionNotAllowed) as err:
        book.record(Event(ORDER_ID, T0 + 5 * D, EventKind.ATOZ_CLAIM_FILED, Actor.BUYER))
    assert err.value.rule.id == "atoz-window"


def test_not_received_cannot_be_reported_before_shipment(paid_book):
    with pytest.raises(TransitionNotAllowed) as err:
        paid_book.record(Event(ORDER_ID, T0 + 2 * H, EventKind.NOT_RECEIVED_REPORTED, Actor.BUYER))
    assert err.value.rule.id == "not-received-after-shipment"


# 6. Price breakdown --------------------------------------------------------------------------


def test_price_breakdown_of_multi_item_order_refers_buyer_to_customer_service(paid_book):
    now = T0 + 2 * H
    advice = advise(
        "price_breakdown", paid_book.order(ORDER_ID).state(at=now), now=now, letter_lang="en"
    )
    assert advice.refer_to == "Amazon Customer Service"
    assert advice.facts["total"] == 3000 + 500 + 1000
    assert "¥3,000" in advice.template and "¥1,000" in advice.template


def test_price_breakdown_of_single_item_order_needs_no_referral():
    book = build_book(paid=T0 + H, lines=((ITEM_A, 1, 2480, 0),))
    now = T0 + 2 * H
    advice = advise("price_breakdown", book.order(ORDER_ID).state(at=now), now=now)
    assert advice.refer_to is None


# 7. Returned to sender: refund less the actual shipping cost -----------------------------------


def test_undeliverable_refund_is_amount_paid_less_actual_shipping_cost():
    assert refund_for_undeliverable(paid=4500, actual_shipping_cost=820) == 3680


def test_undeliverable_refund_is_never_negative():
    assert refund_for_undeliverable(paid=500, actual_shipping_cost=820) == 0


def test_returned_order_advice_refunds_what_was_charged_less_shipping_cost(paid_book):
    ship(paid_book, T0 + 2 * H)
    paid_book.record(
        Event(ORDER_ID, T0 + 4 * D, EventKind.RETURNED_TO_SENDER, reason="undeliverable")
    )
    now = T0 + 4 * D
    advice = advise(
        "returned_undeliverable",
        paid_book.order(ORDER_ID).state(at=now),
        now=now,
        actual_shipping_cost=820,
    )
    assert advice.facts["refund"] == 4500 - 820


# 8, 9, 12. What only Amazon can do: refer the buyer ---------------------------------------------


@pytest.mark.parametrize(
    ("situation", "rule_id"),
    [
        ("cvs_payment_details", "cvs-details-from-amazon"),
        ("points_details", "points-invisible"),
        ("receipt", "receipt-by-amazon"),
    ],
)
def test_what_only_amazon_knows_is_referred_to_amazon(situation, rule_id):
    advice = advise(situation, None, now=T0)
    assert advice.rules[0].id == rule_id
    assert advice.refer_to
    assert advice.cannot


# 10. Changing an order -----------------------------------------------------------------------


def test_seller_cannot_change_an_order(make_book):
    book = make_book()
    with pytest.raises(TransitionNotAllowed) as err:
        book.record(
            Event(ORDER_ID, T0 + dt.timedelta(minutes=1), EventKind.BUYER_EDITED, Actor.SELLER)
        )
    assert err.value.rule.id == "seller-cannot-edit"


def test_buyer_can_edit_within_five_minutes_of_checkout(make_book):
    book = make_book()
    book.record(Event(ORDER_ID, T0 + dt.timedelta(minutes=4), EventKind.BUYER_EDITED, Actor.BUYER))
    assert len(book.order(ORDER_ID).events) == 2


def test_buyer_cannot_edit_after_five_minutes(make_book):
    book = make_book()
    with pytest.raises(TransitionNotAllowed) as err:
        book.record(
            Event(ORDER_ID, T0 + dt.timedelta(minutes=6), EventKind.BUYER_EDITED, Actor.BUYER)
        )
    assert err.value.rule.id == "buyer-edit-window"


def test_five_minute_rule_applies_to_seller_fulfilled_orders_only(make_book):
    book = make_book(channel="AFN")
    with pytest.raises(TransitionNotAllowed) as err:
        book.record(
            Event(ORDER_ID, T0 + dt.timedelta(minutes=1), EventKind.BUYER_EDITED, Actor.BUYER)
        )
    assert err.value.rule.id == "buyer-edit-window"


def test_change_advice_counts_the_minutes_left(make_book):
    now = T0 + dt.timedelta(minutes=3)
    advice = advise("change_order", make_book().order(ORDER_ID).state(at=now), now=now)
    assert advice.facts["can_edit"] is True
    assert "2 minutes" in advice.summary


def test_change_advice_after_the_window_says_cancel_and_reorder(make_book):
    now = T0 + dt.timedelta(minutes=7)
    advice = advise("change_order", make_book().order(ORDER_ID).state(at=now), now=now, lang="ja")
    assert advice.facts["can_edit"] is False
    assert "10:05" in advice.summary and "キャンセル" in advice.summary


def test_buyer_cannot_cancel_an_unshipped_order_after_five_minutes(paid_book):
    with pytest.raises(TransitionNotAllowed) as err:
        paid_book.record(Event(ORDER_ID, T0 + 2 * H, EventKind.CANCELED, Actor.BUYER))
    assert err.value.rule.id == "buyer-cancel-window"


# 11. Combined shipments ----------------------------------------------------------------------


def _two_orders(address_b: str):
    a = build_book(paid=T0 + H)
    b = build_book(order_id="503-7654321-7654321", paid=T0 + H, address=address_b)
    now = T0 + 2 * H
    return a.order(ORDER_ID).state(at=now), b.order("503-7654321-7654321").state(at=now), now


def test_orders_to_different_addresses_cannot_be_combined():
    a, b, now = _two_orders("大阪府大阪市北区梅田1-1")
    advice = advise("combine_shipments", a, now=now, others=[b], saving=500)
    assert advice.facts["can_combine"] is False
    assert advice.rules[0].id == "combine-same-address"


def test_combined_orders_are_each_confirmed_and_the_saving_refunded():
    a, b, now = _two_orders("東京都千代田区千代田1-1")
    advice = advise("combine_shipments", a, now=now, others=[b], saving=501)
    assert advice.facts["can_combine"] is True
    assert "combine-confirm-each" in [r.id for r in advice.rules]
    assert sum(advice.facts["refunds"].values()) == 501


def test_saving_split_is_in_whole_yen_and_adds_up_exactly():
    shares = split_saving(1000, [700, 700, 700])
    assert shares == [334, 333, 333]


# 13. Some items unavailable ------------------------------------------------------------------


def test_partial_dispatch_confirms_the_whole_order_and_refunds_items_not_sent(paid_book):
    state = ship(paid_book, T0 + 2 * H)  # the whole order, as the FAQ asks
    assert state.status is OrderStatus.SHIPPED
    refund = refund_for_unavailable(state, {ITEM_B: 1})
    after = paid_book.record(make_event("refund", ORDER_ID, at=T0 + 3 * H, amount=refund))
    assert (after.refunded, after.status) == (1000, OrderStatus.SHIPPED)


def test_unavailable_refund_is_the_unsent_units_share_of_the_line(paid_book):
    state = paid_book.order(ORDER_ID).state(at=T0 + 2 * H)
    assert refund_for_unavailable(state, {ITEM_A: 1}) == 1500


def test_items_unavailable_advice_offers_cancel_or_partial_dispatch(paid_book):
    now = T0 + 2 * H
    advice = advise(
        "items_unavailable", paid_book.order(ORDER_ID).state(at=now), now=now, unsent={ITEM_B: 1}
    )
    assert advice.facts["refund"] == 1000
    assert [r.id for r in advice.rules][:1] == ["partial-unavailable"]


# 14. Contacting the buyer --------------------------------------------------------------------


def test_no_phone_for_orders_fulfilled_by_amazon():
    book = build_book(channel="AFN", paid=T0 + H)
    with pytest.raises(TransitionNotAllowed) as err:
        book.record(make_event("contact_phone", ORDER_ID, at=T0 + 2 * H))
    assert err.value.rule.id == "no-phone-afn"


def test_phone_connects_during_the_fulfilment_period(paid_book):
    state = paid_book.order(ORDER_ID).state(at=T0 + 2 * H)
    assert Channel.PHONE in state.contact_channels


def test_phone_no_longer_connects_after_delivery(paid_book):
    ship(paid_book, T0 + 2 * H)
    paid_book.record(make_event("record_delivery", ORDER_ID, at=T0 + 2 * D))
    with pytest.raises(TransitionNotAllowed) as err:
        paid_book.record(make_event("contact_phone", ORDER_ID, at=T0 + 3 * D))
    assert err.value.rule.id == "phone-fulfilment-period"


def test_form_and_email_are_always_open(paid_book):
    ship(paid_book, T0 + 2 * H)
    paid_book.record(make_event("record_delivery", ORDER_ID, at=T0 + 2 * D))
    state = paid_book.order(ORDER_ID).state(at=T0 + 3 * D)
    assert state.contact_channels == {Channel.FORM, Channel.EMAIL}


# 15. No reply --------------------------------------------------------------------------------


def test_reply_deadline_becomes_overdue_without_a_reply(paid_book):
    due = T0 + 3 * D
    paid_book.record(make_event("set_reply_deadline", ORDER_ID, at=T0 + 2 * H, due=due))
    view = paid_book.order(ORDER_ID)
    assert view.state(at=due - H).reply_overdue is False
    assert view.state(at=due + H).reply_overdue is True


def test_buyer_reply_clears_the_reply_deadline(paid_book):
    paid_book.record(make_event("set_reply_deadline", ORDER_ID, at=T0 + 2 * H, due=T0 + 3 * D))
    paid_book.record(make_event("record_reply", ORDER_ID, at=T0 + D))
    state = paid_book.order(ORDER_ID).state(at=T0 + 4 * D)
    assert (state.reply_deadline, state.reply_overdue) == (None, False)


def test_order_may_be_canceled_after_the_reply_deadline(paid_book):
    paid_book.record(make_event("set_reply_deadline", ORDER_ID, at=T0 + 2 * H, due=T0 + D))
    state = paid_book.record(
        make_event("cancel", ORDER_ID, at=T0 + D + H, reason=CancelReason.NO_REPLY)
    )
    assert state.status is OrderStatus.CANCELED


def test_reply_deadline_must_lie_in_the_future(paid_book):
    with pytest.raises(TransitionNotAllowed) as err:
        paid_book.record(make_event("set_reply_deadline", ORDER_ID, at=T0 + 2 * H, due=T0 + H))
    assert err.value.rule.id == "reply-deadline-future"


def test_no_reply_advice_proposes_a_deadline_on_a_business_day():
    now = dt.datetime(2026, 11, 20, 12, 0, tzinfo=T0.tzinfo)  # Friday; Mon 23 Nov is a holiday
    book = build_book(placed=now - 2 * H, paid=now - H)
    advice = advise("no_reply", book.order(ORDER_ID).state(at=now), now=now)
    # Three business days after Friday 20 Nov, skipping the weekend and Labour Thanksgiving Day.
    assert advice.facts["deadline"].date() == dt.date(2026, 11, 26)


def test_shipped_order_cannot_be_canceled_for_no_reply(paid_book):
    ship(paid_book, T0 + 2 * H)
    now = T0 + 3 * H
    advice = advise("no_reply", paid_book.order(ORDER_ID).state(at=now), now=now)
    assert advice.rules[0].id == "no-cancel-after-shipment"


def test_reply_deadline_ends_when_the_order_ships(paid_book):
    paid_book.record(make_event("set_reply_deadline", ORDER_ID, at=T0 + 2 * H, due=T0 + D))
    ship(paid_book, T0 + 3 * H)
    state = paid_book.order(ORDER_ID).state(at=T0 + 2 * D)
    assert (state.reply_deadline, state.reply_overdue) == (None, False)


# 16. Confirm within 7 days of the ship date --------------------------------------------------


def test_unconfirmed_order_is_canceled_automatically_seven_days_after_ship_date(paid_book):
    state = paid_book.order(ORDER_ID).state(at=T0 + H)
    cutoff = state.ship_by + dt.timedelta(days=7)
    view = paid_book.order(ORDER_ID)
    assert view.state(at=cutoff - H).status is OrderStatus.UNSHIPPED
    after = view.state(at=cutoff)
    assert (after.status, after.cancel_reason, after.canceled_by) == (
        OrderStatus.CANCELED,
        CancelReason.CONFIRM_CUTOFF,
        Actor.AMAZON,
    )


def test_confirming_after_the_cutoff_is_refused_and_not_paid(paid_book):
    cutoff = paid_book.order(ORDER_ID).state(at=T0 + H).confirm_by
    with pytest.raises(TransitionNotAllowed) as err:
        ship(paid_book, cutoff + H)
    assert err.value.rule.id == "confirm-within-7-days"
    assert paid_book.order(ORDER_ID).state(at=cutoff + H).charged is False


def test_confirm_warning_shows_from_one_week_before_the_cutoff(paid_book):
    view = paid_book.order(ORDER_ID)
    ship_by = view.state(at=T0 + H).ship_by
    assert view.state(at=ship_by - H).confirm_warning is False
    warned = view.state(at=ship_by + H)
    assert (warned.confirm_warning, warned.at_risk) == (True, True)


def test_confirm_warning_text_names_the_cutoff_date(paid_book):
    from orderkit.deadlines import confirm_warning_text

    view = paid_book.order(ORDER_ID)
    state = view.state(at=view.state(at=T0 + H).ship_by + H)
    assert confirm_warning_text(state) == (
        "Confirm as shipped by 2026-11-12 (Thu) to avoid cancellation"
    )  # paid Mon 2 Nov; Tue 3 Nov is Culture Day: ship by Thu 5, cutoff Thu 12


def test_ship_date_counts_handling_days_on_the_japanese_calendar():
    # Paid Friday 20 Nov 2026; Monday 23 Nov is Labour Thanksgiving Day: two business days → Wed 25.
    paid = dt.datetime(2026, 11, 20, 15, 0, tzinfo=T0.tzinfo)
    book = build_book(placed=paid - H, paid=paid)
    ship_by = book.order(ORDER_ID).state(at=paid + H).ship_by
    assert ship_by.astimezone(T0.tzinfo).date() == dt.date(2026, 11, 25)


# 17. One confirmed item charges the entire order ---------------------------------------------


def test_confirming_one_item_charges_the_entire_order(paid_book):
    state = ship(paid_book, T0 + 2 * H, item=ITEM_A, qty=1)
    assert state.status is OrderStatus.PARTIALLY_SHIPPED
    assert (state.charged, state.charged_amount) == (True, 4500)


def test_unshipped_order_is_not_charged(paid_book):
    assert paid_book.order(ORDER_ID).state(at=T0 + 2 * H).charged is False


def test_partially_shipped_order_cannot_be_canceled(paid_book):
    ship(paid_book, T0 + 2 * H, item=ITEM_A, qty=1)
    with pytest.raises(TransitionNotAllowed) as err:
        paid_book.record(make_event("cancel", ORDER_ID, at=T0 + 3 * H))
    assert err.value.rule.id == "no-cancel-after-shipment"


def test_partially_shipped_order_is_not_canceled_at_the_cutoff(paid_book):
    ship(paid_book, T0 + 2 * H, item=ITEM_A, qty=1)
    state = paid_book.order(ORDER_ID).state(at=T0 + 30 * D)
    assert state.status is OrderStatus.PARTIALLY_SHIPPED


# 18. Shipment is late ------------------------------------------------------------------------


def test_order_not_wholly_confirmed_by_ship_date_is_late(paid_book):
    ship_by = paid_book.order(ORDER_ID).state(at=T0 + H).ship_by
    ship(paid_book, ship_by - H, item=ITEM_A, qty=2)
    state = paid_book.order(ORDER_ID).state(at=ship_by + H)
    assert (state.late, state.shows_late) == (True, True)


def test_late_status_stays_after_the_remaining_items_are_refunded(paid_book):
    ship_by = paid_book.order(ORDER_ID).state(at=T0 + H).ship_by
    ship(paid_book, ship_by - H, item=ITEM_A, qty=2)
    paid_book.record(make_event("refund", ORDER_ID, at=ship_by + H, amount=1000))
    state = paid_book.order(ORDER_ID).state(at=ship_by + 2 * D)
    assert (state.late, state.shows_late, state.refunded) == (True, True, 1000)


def test_order_wholly_confirmed_by_ship_date_is_not_late(paid_book):
    ship_by = paid_book.order(ORDER_ID).state(at=T0 + H).ship_by
    ship(paid_book, ship_by - H)
    assert paid_book.order(ORDER_ID).state(at=ship_by + D).late is False


def test_refund_cannot_exceed_what_was_charged(paid_book):
    ship(paid_book, T0 + 2 * H)
    with pytest.raises(TransitionNotAllowed) as err:
        paid_book.record(make_event("refund", ORDER_ID, at=T0 + 3 * H, amount=4501))
    assert err.value.rule.id == "refund-not-above-charged"


# 19. Business orders -------------------------------------------------------------------------


def test_business_order_requires_a_packing_slip_with_buyer_po_number():
    book = build_book(business=True, po="PO-2026-118", paid=T0 + H)
    now = T0 + 2 * H
    state = book.order(ORDER_ID).state(at=now)
    advice = advise("business_order", state, now=now)
    assert state.packing_slip_required
    assert advice.facts == {"packing_slip_required": True, "purchase_order_number": "PO-2026-118"}
    assert "PO-2026-118" in advice.summary


def test_consumer_order_needs_no_packing_slip(paid_book):
    now = T0 + 2 * H
    state = paid_book.order(ORDER_ID).state(at=now)
    assert state.packing_slip_required is False


# Ship date versus confirmation --------------------------------------------------------------


def test_shipment_confirmed_after_the_parcel_left_keeps_its_ship_date(paid_book):
    left = T0 + 2 * H
    state = ship(paid_book, T0 + D, shipped_at=left)
    assert [e.shipped_at for e in state.events if e.kind is EventKind.SHIPMENT_CONFIRMED] == [left]


def test_a_ship_date_after_the_confirmation_is_refused(paid_book):
    with pytest.raises(TransitionNotAllowed) as err:
        ship(paid_book, T0 + 2 * H, shipped_at=T0 + D)
    assert err.value.rule.id == "shipped-before-confirmed"


def test_a_parcel_sent_before_payment_was_dispatched_while_pending(paid_book):
    with pytest.raises(TransitionNotAllowed) as err:
        ship(paid_book, T0 + 2 * H, shipped_at=T0 + dt.timedelta(minutes=30))
    assert err.value.rule.id == "pending-no-dispatch"


def test_the_ship_date_is_part_of_the_shipments_identity():
    a = Event(ORDER_ID, T0 + D, EventKind.SHIPMENT_CONFIRMED, Actor.SELLER)
    b = Event(ORDER_ID, T0 + D, EventKind.SHIPMENT_CONFIRMED, Actor.SELLER, shipped_at=T0 + H)
    assert a.event_id != b.event_id


def test_typed_text_is_looked_up_as_an_email_or_an_order_number(paid_book):
    from orderkit.lookup import find_text

    assert (
        find_text(paid_book, " buyer1@marketplace.amazon.co.jp ", at=T0 + 2 * H).outcome
        is FindOutcome.FOUND
    )
    assert find_text(paid_book, "503-12345", at=T0 + 2 * H).outcome is FindOutcome.INVALID_NUMBER
    assert find_text(paid_book, "山田", at=T0 + 2 * H) is None
