"""The transition table: every allowed and forbidden move, the checks made at import, renderings."""

from __future__ import annotations

import datetime as dt
from collections import deque

import pytest
from orderbuilders import ITEM_A, ORDER_ID, T0, build_book

from orderkit import Actor, Event, EventKind, InvalidDefinition, OrderStatus, TransitionNotAllowed
from orderkit.status import (
    INITIAL,
    TRANSITIONS,
    Trigger,
    check_all_can_end,
    check_all_reachable,
    check_definition,
    check_initial,
    check_terminal_states_are_final,
    mermaid,
    transition_table,
)

S, T = OrderStatus, Trigger


def event_for(trigger: Trigger, at: dt.datetime) -> Event:
    """Return an event that fires ``trigger`` on the test order."""
    if trigger is T.SHIPMENT_PARTIAL:
        return Event(
            ORDER_ID,
            at,
            EventKind.SHIPMENT_CONFIRMED,
            Actor.SELLER,
            order_item_id=ITEM_A,
            quantity=1,
        )
    if trigger is T.SHIPMENT_COMPLETE:
        return Event(ORDER_ID, at, EventKind.SHIPMENT_CONFIRMED, Actor.SELLER)
    actor = Actor.SELLER if trigger is T.CANCELED else Actor.AMAZON
    return Event(ORDER_ID, at, EventKind(trigger.value), actor)


def path_to(status: OrderStatus) -> list[Trigger]:
    """Return the shortest list of triggers from the initial status to ``status``."""
    queue, seen = deque([(INITIAL, [])]), {INITIAL}
    while queue:
        here, path = queue.popleft()
        if here is status:
            return path
        for trig, nxt in TRANSITIONS[here].items():
            if nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, [*path, trig]))
    raise AssertionError(f"{status} unreachable")


def book_in(status: OrderStatus):
    book = build_book(payment="cvs")
    at = T0
    for trig in path_to(status):
        at += dt.timedelta(minutes=10)
        book.record(event_for(trig, at))
    return book, at + dt.timedelta(minutes=10)


MATRIX = [(src, trig) for src in S for trig in T]


@pytest.mark.parametrize(("status", "trigger"), MATRIX, ids=[f"{s}-{t}" for s, t in MATRIX])
def test_transition_matrix_follows_the_table(status, trigger):
    book, at = book_in(status)
    assert book.order(ORDER_ID).state(at=at).status is status
    target = TRANSITIONS[status].get(trigger)
    if target is None:
        with pytest.raises(TransitionNotAllowed) as err:
            book.record(event_for(trigger, at))
        assert err.value.status is status
        assert err.value.rule.id
    else:
        assert book.record(event_for(trigger, at)).status is target


def test_terminal_statuses_have_no_way_out():
    assert {s for s in S if s.is_terminal} == {S.SHIPPED, S.CANCELED, S.UNFULFILLABLE}


def test_every_status_has_english_and_japanese_labels():
    assert all(s.en and s.ja and s.en != s.ja for s in S)


def test_pending_statuses_cannot_ship():
    assert [s for s in S if s.is_pending] == [S.PENDING_AVAILABILITY, S.PENDING]
    assert not any(s.can_ship for s in S if s.is_pending)


def test_the_table_passes_every_check():
    check_definition(TRANSITIONS, INITIAL, terminal={S.SHIPPED, S.CANCELED, S.UNFULFILLABLE})


def test_two_initial_statuses_are_an_invalid_definition():
    with pytest.raises(InvalidDefinition):
        check_initial(TRANSITIONS, {S.PENDING, S.UNSHIPPED})


def test_initial_status_without_a_row_is_an_invalid_definition():
    table = {k: v for k, v in TRANSITIONS.items() if k is not S.PENDING}
    with pytest.raises(InvalidDefinition):
        check_initial(table, S.PENDING)


def test_way_out_of_a_terminal_status_is_an_invalid_definition():
    table = {**TRANSITIONS, S.CANCELED: {T.PAYMENT_COMPLETED: S.UNSHIPPED}}
    with pytest.raises(InvalidDefinition):
        check_terminal_states_are_final(table, {S.CANCELED})


def test_unreachable_status_is_an_invalid_definition():
    table = {**TRANSITIONS, S.UNSHIPPED: {T.SHIPMENT_COMPLETE: S.SHIPPED}, S.UNFULFILLABLE: {}}
    table[S.INVOICE_UNCONFIRMED] = {T.INVOICE_CONFIRMED: S.SHIPPED}
    with pytest.raises(InvalidDefinition, match="unreachable"):
        check_all_reachable(table, S.PENDING)


def test_status_that_cannot_end_is_an_invalid_definition():
    table = {**TRANSITIONS, S.INVOICE_UNCONFIRMED: {T.INVOICE_PENDING: S.INVOICE_UNCONFIRMED}}
    with pytest.raises(InvalidDefinition, match="no terminal"):
        check_all_can_end(table)


def test_table_renders_as_rows_in_japanese():
    rows = transition_table("ja")
    assert {"from": "保留中", "trigger": "payment_completed", "to": "未出荷"} in rows
    assert len(rows) == sum(len(r) for r in TRANSITIONS.values())


def test_mermaid_diagram_has_every_transition():
    text = mermaid()
    assert text.startswith("stateDiagram-v2")
    for src, row in TRANSITIONS.items():
        for trig, dst in row.items():
            assert f"{src.value} --> {dst.value} : {trig.value}" in text
