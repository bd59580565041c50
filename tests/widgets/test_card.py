"""The order card's safety: fresh inputs per order, a confirmation step, the VTR warning."""

from __future__ import annotations

import dataclasses

import pytest

from orderkit import OrderStatus, sample
from orderkit.actions import Action, ActionGroup, describe, package_value
from orderkit.metrics import status_at
from orderkit.policy import DEFAULT_POLICY
from orderkit.widgets import OrderCard

NOW = sample.DEFAULT_NOW


@pytest.fixture(scope="module")
def base_book():
    return sample.book()


@pytest.fixture
def book(base_book):
    return base_book.copy()


@pytest.fixture(scope="module")
def fleet(base_book):
    return status_at(base_book, NOW)


def orders(fleet, **flags):
    mask = True
    for column, value in flags.items():
        mask = mask & (fleet[column] == value)
    return [str(o) for o in fleet.index[mask]]


def shipped_with_refundable(book, fleet):
    """Two shipped orders with different refundable amounts."""
    seen = {}
    for oid in orders(fleet, status="Shipped"):
        left = book.order(oid).state(at=NOW).refundable
        if left > 0 and left not in seen:
            seen[left] = oid
        if len(seen) == 2:
            return list(seen.values())
    raise AssertionError("the sample has no two shipped orders with different totals")


def test_refund_amount_defaults_to_what_is_refundable_on_each_order(book, fleet):
    first, second = shipped_with_refundable(book, fleet)
    card = OrderCard(book, first, now=NOW)
    assert card.amount.value == card.state.refundable
    card.amount.value = 1
    card.show(second)
    assert card.amount.value == book.order(second).state(at=NOW).refundable


def test_tracking_number_does_not_carry_over_to_the_next_order(book, fleet):
    first, second = orders(fleet, status="Unshipped", at_risk=False)[:2]
    card = OrderCard(book, first, now=NOW)
    card.tracking.value = "1234-5678-9012"
    card.show(second)
    assert card.tracking.value == ""


def test_inputs_start_afresh_after_an_action(book, fleet):
    order_id = orders(fleet, status="Unshipped", at_risk=False)[0]
    card = OrderCard(book, order_id, now=NOW)
    card.tracking.value = "1234-5678-9012"
    card.request("confirm_shipment")
    card.confirm()
    assert card.tracking.value == ""
    assert card.amount.value == card.state.refundable  # now charged: the whole order


def test_cancel_button_asks_before_recording(book, fleet):
    order_id = orders(fleet, status="Unshipped", at_risk=False)[0]
    card = OrderCard(book, order_id, now=NOW)
    before = len(book.events)
    card.buttons[Action.CANCEL].click()
    assert len(book.events) == before
    assert card.pending == "cancel"
    assert card.confirm_box.layout.display != "none"
    assert order_id in card.confirm_text.value


def test_confirming_the_pending_cancel_records_it(book, fleet):
    order_id = orders(fleet, status="Unshipped", at_risk=False)[0]
    card = OrderCard(book, order_id, now=NOW)
    card.buttons[Action.CANCEL].click()
    card.confirm_yes.click()
    assert card.state.status is OrderStatus.CANCELED
    assert card.pending == ""


def test_going_back_from_the_confirmation_records_nothing(book, fleet):
    order_id = orders(fleet, status="Unshipped", at_risk=False)[0]
    card = OrderCard(book, order_id, now=NOW)
    before = len(book.events)
    card.buttons[Action.CANCEL].click()
    card.confirm_back.click()
    assert len(book.events) == before
    assert card.confirm_box.layout.display == "none"


def test_a_pending_confirmation_is_dropped_when_another_order_opens(book, fleet):
    first, second = orders(fleet, status="Unshipped", at_risk=False)[:2]
    card = OrderCard(book, first, now=NOW)
    card.buttons[Action.CANCEL].click()
    card.show(second)
    assert card.pending == ""
    assert card.confirm() is None


def test_recording_what_happened_needs_no_confirmation(book, fleet):
    order_id = orders(fleet, status="Shipped")[0]
    card = OrderCard(book, order_id, now=NOW)
    card.buttons[Action.RECORD_DELIVERY].click()
    assert card.state.delivered_at is not None


def test_shipment_summary_names_items_order_and_the_charge(book, fleet):
    order_id = orders(fleet, status="Unshipped", at_risk=False)[0]
    state = book.order(order_id).state(at=NOW)
    n = sum(state.remaining.values())
    text = describe("confirm_shipment", state, "en", tracking_number="1234")
    assert text.startswith(f"Confirm shipment of {n} item")
    assert order_id in text
    assert f"¥{state.total:,}" in text


def test_summary_is_in_the_chosen_language(book, fleet):
    order_id = orders(fleet, status="Unshipped", at_risk=False)[0]
    state = book.order(order_id).state(at=NOW)
    text = describe("confirm_shipment", state, "ja", tracking_number="1234")
    assert f"{state.total:,}円" in text
    assert "出荷通知" in text


def test_missing_tracking_on_a_parcel_of_1000_yen_warns_about_the_vtr(book, fleet):
    order_id = next(
        o
        for o in orders(fleet, status="Unshipped", at_risk=False)
        if package_value(book.order(o).state(at=NOW)) >= 1000
    )
    card = OrderCard(book, order_id, now=NOW)
    assert "Valid Tracking Rate" in card.vtr.value
    card.tracking.value = "1234-5678-9012"
    assert card.vtr.value == ""


def test_a_parcel_under_the_vtr_threshold_needs_no_tracking_warning(book, fleet):
    order_id = orders(fleet, status="Unshipped", at_risk=False)[0]
    value = package_value(book.order(order_id).state(at=NOW))
    policy = dataclasses.replace(DEFAULT_POLICY, valid_tracking_min_yen=value + 1)
    card = OrderCard(book, order_id, now=NOW, policy=policy)
    assert card.vtr.value == ""


def test_confirmation_of_a_shipment_without_tracking_repeats_the_vtr_warning(book, fleet):
    order_id = next(
        o
        for o in orders(fleet, status="Unshipped", at_risk=False)
        if package_value(book.order(o).state(at=NOW)) >= 1000
    )
    card = OrderCard(book, order_id, now=NOW)
    card.buttons[Action.CONFIRM_SHIPMENT].click()
    assert "Valid Tracking Rate" in card.confirm_text.value


def test_actions_are_grouped_into_what_the_seller_does_and_what_happened():
    assert Action.RECORD_DELIVERY.group is ActionGroup.HAPPENED
    assert Action.RECORD_REPLY.group is ActionGroup.HAPPENED
    assert Action.CANCEL.group is ActionGroup.SELLER


def test_card_opens_on_the_order_not_the_actions(book, fleet):
    card = OrderCard(book, orders(fleet, status="Shipped")[0], now=NOW)
    assert card.tabs.selected_index == 0
    assert card.tabs.get_title(0) == "Order"


def test_input_descriptions_are_never_cut_to_a_fixed_width(book, fleet):
    card = OrderCard(book, orders(fleet, status="Shipped")[0], now=NOW, lang="ja")
    for field in (card.carrier, card.tracking, card.shipped_on, card.amount, card.cancel_reason):
        assert field.style.description_width == "initial"


# ---- who did what, and corrections ----------------------------------------------------------


def test_every_action_records_the_operator(book, fleet):
    order_id = orders(fleet, status="Unshipped", at_risk=False)[0]
    card = OrderCard(book, order_id, now=NOW, operator="佐藤")
    card.act("confirm_shipment", tracking_number="1234")
    (event,) = [e for e in book.order(order_id).events if e.tracking_number == "1234"]
    assert event.operator == "佐藤"


def confirmed_by_mistake(book, fleet, operator="佐藤"):
    """A card whose operator just recorded "Delivered" on a shipped, undelivered order."""
    order_id = next(
        o
        for o in orders(fleet, status="Shipped")
        if book.order(o).state(at=NOW).delivered_at is None
    )
    card = OrderCard(book, order_id, now=NOW, operator=operator)
    card.act("record_delivery")
    return card, card.fix_event.options[0][1]


def test_a_mistaken_delivery_is_voided_by_a_new_event_with_who_and_why(book, fleet):
    card, event_id = confirmed_by_mistake(book, fleet)
    before = len(book.events)
    card.fix_note.value = "clicked by mistake"
    card.void_button.click()
    assert len(book.events) == before  # asked first
    card.confirm_yes.click()
    assert len(book.events) == before + 1  # appended, nothing deleted
    assert card.state.delivered_at is None
    void = book.events.iloc[-1]
    assert (void["kind"], void["ref"], void["operator"], void["note"]) == (
        "voided",
        str(event_id),
        "佐藤",
        "clicked by mistake",
    )


def test_the_timeline_shows_the_voided_event_struck_through_with_why(book, fleet):
    card, event_id = confirmed_by_mistake(book, fleet)
    card.correct(event_id, note="clicked by mistake")
    assert "<s>" in card.timeline.value
    assert "clicked by mistake" in card.timeline.value


def test_a_correction_without_a_reason_is_refused_and_says_so(book, fleet):
    card, _ = confirmed_by_mistake(book, fleet)
    before = len(book.events)
    card.void_button.click()
    assert card.pending == ""
    assert len(book.events) == before
    assert "why" in card.last_result


def test_a_wrong_tracking_number_is_amended_by_a_correction(book, fleet):
    order_id = orders(fleet, status="Unshipped", at_risk=False)[0]
    card = OrderCard(book, order_id, now=NOW, operator="佐藤")
    card.act("confirm_shipment", tracking_number="1111")
    card.correct(card.fix_event.options[0][1], note="typo", tracking_number="2222")
    numbers = [e.tracking_number for e in book.order(order_id).events if e.tracking_number]
    assert numbers == ["2222"]
    assert card.state.status is OrderStatus.SHIPPED
