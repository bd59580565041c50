"""Property-based tests of the state machine: random event sequences never break the invariants."""

from __future__ import annotations

import datetime as dt

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from orderbuilders import ITEM_A, ITEM_B, ORDER_ID, T0, build_book

from orderkit import (
    Actor,
    CancelReason,
    Channel,
    Event,
    EventKind,
    OrderStatus,
    TransitionNotAllowed,
)
from orderkit.state import fold

# Facts of an order's life (corrections void one of them: tests/test_corrections.py).
KINDS = [k for k in EventKind if k not in (EventKind.PLACED, EventKind.VOIDED)]


class OrderLife(RuleBasedStateMachine):
    """One order receives random events at random, increasing times; refused ones change nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.payment = "card"
        self.book = None
        self.now = T0
        self.accepted = 0
        self._state = None
        self._events = 0

    @precondition(lambda self: self.book is None)
    @rule(
        payment=st.sampled_from(["card", "cvs", "cod", "points"]),
        channel=st.sampled_from(["MFN", "AFN"]),
    )
    def open_order(self, payment: str, channel: str) -> None:
        self.payment = payment
        self.book = build_book(
            payment=payment, channel=channel, latest_delivery_date=T0 + dt.timedelta(days=6)
        )

    @precondition(lambda self: self.book is not None)
    @rule(
        minutes=st.integers(0, 60 * 24 * 4),
        kind=st.sampled_from(KINDS),
        actor=st.sampled_from(list(Actor)),
        item=st.sampled_from([None, ITEM_A, ITEM_B, "99999999999999"]),
        quantity=st.one_of(st.none(), st.integers(0, 3)),
        amount=st.one_of(st.none(), st.integers(0, 6000)),
        channel=st.sampled_from([None, *Channel]),
        reason=st.sampled_from([None, *CancelReason]),
        due_days=st.one_of(st.none(), st.integers(-1, 5)),
    )
    def happen(
        self, minutes, kind, actor, item, quantity, amount, channel, reason, due_days
    ) -> None:
        self.now += dt.timedelta(minutes=minutes)
        due = None if due_days is None else self.now + dt.timedelta(days=due_days)
        event = Event(ORDER_ID, self.now, kind, actor, order_item_id=item, quantity=quantity,
                      amount=amount, channel=channel, reason=reason, due=due)  # fmt: skip
        before = self.book.events.copy()
        try:
            state = self.book.record(event)
        except TransitionNotAllowed as exc:
            assert exc.rule.id and exc.order_id == ORDER_ID
            assert self.book.events.equals(before), "a refused event changed the book"
            return
        self.accepted += 1
        assert state.status is self.state().status

    def state(self):
        if (
            self._state is None
            or self._state.at != self.now
            or self._events != len(self.book.events)
        ):
            self._state = self.book.order(ORDER_ID).state(at=self.now)
            self._events = len(self.book.events)
        return self._state

    @invariant()
    def refunds_never_exceed_what_was_charged(self) -> None:
        if self.book is not None:
            s = self.state()
            assert 0 <= s.refunded <= s.charged_amount

    @invariant()
    def canceled_before_shipment_is_never_charged(self) -> None:
        if self.book is not None:
            s = self.state()
            if s.status is OrderStatus.CANCELED:
                assert not s.charged and s.charged_amount == 0 and not any(s.shipped.values())

    @invariant()
    def shipped_quantity_never_exceeds_ordered(self) -> None:
        if self.book is not None:
            s = self.state()
            assert all(0 <= s.shipped[k] <= q for k, q in s.ordered.items())

    @invariant()
    def status_is_the_fold_of_the_events(self) -> None:
        if self.book is not None:
            view = self.book.order(ORDER_ID)
            # Hand the events over newest instant first: the fold must put them in time order.
            events = view.events
            instants = sorted({e.at for e in events}, reverse=True)
            shuffled = [e for t in instants for e in events if e.at == t]
            refolded = fold(view.facts, shuffled, at=self.now)
            assert refolded.status is self.state().status

    @invariant()
    def status_agrees_with_shipped_quantities(self) -> None:
        if self.book is not None:
            s = self.state()
            if s.status is OrderStatus.SHIPPED:
                assert s.fully_confirmed
            if s.status is OrderStatus.PARTIALLY_SHIPPED:
                assert any(s.shipped.values()) and not s.fully_confirmed
            if s.status in (OrderStatus.PENDING, OrderStatus.UNSHIPPED):
                assert not any(s.shipped.values()) and not s.charged

    @invariant()
    def charged_is_the_whole_order_total(self) -> None:
        if self.book is not None:
            s = self.state()
            assert s.charged_amount in (0, s.total)
            assert s.charged == any(s.shipped.values())


TestOrderLife = OrderLife.TestCase
TestOrderLife.settings = settings(
    max_examples=80, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)  # fmt: skip
