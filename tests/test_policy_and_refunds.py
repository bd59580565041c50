"""Policy numbers and the refund arithmetic."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit import Policy
from orderkit.refunds import refund_for_undeliverable, split_saving


def test_policy_defaults_are_the_faqs_numbers():
    p = Policy()
    assert p.buyer_edit_window == dt.timedelta(minutes=5)
    assert p.confirm_cutoff == dt.timedelta(days=7)
    assert p.confirm_warning_lead == dt.timedelta(days=7)
    assert p.cvs_payment_window == dt.timedelta(days=6)


def test_policy_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Policy().confirm_cutoff = dt.timedelta(days=30)  # type: ignore[misc]


def test_seller_can_override_a_policy_number():
    assert Policy(confirm_cutoff=dt.timedelta(days=30)).confirm_cutoff.days == 30


def test_policy_refuses_a_non_positive_window():
    with pytest.raises(ValueError, match="buyer_edit_window"):
        Policy(buyer_edit_window=dt.timedelta(0))


def test_policy_refuses_a_week_with_no_business_day():
    with pytest.raises(ValueError, match="closed_weekdays"):
        Policy(closed_weekdays=frozenset(range(7)))


@given(st.integers(0, 10**6), st.lists(st.integers(0, 10**5), min_size=1, max_size=8))
def test_saving_shares_always_add_up_to_the_saving(saving, weights):
    shares = split_saving(saving, weights)
    assert sum(shares) == saving and all(s >= 0 for s in shares)


@given(st.integers(0, 10**6), st.lists(st.integers(1, 10**5), min_size=2, max_size=8))
def test_saving_shares_follow_the_weights_within_one_yen(saving, weights):
    shares = split_saving(saving, weights)
    total = sum(weights)
    assert all(abs(s - saving * w / total) < 1 for s, w in zip(shares, weights, strict=True))


@given(st.integers(0, 10**7), st.integers(0, 10**7))
def test_undeliverable_refund_is_paid_less_cost_and_never_negative(paid, cost):
    assert refund_for_undeliverable(paid=paid, actual_shipping_cost=cost) == max(0, paid - cost)


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        refund_for_undeliverable(paid=-1, actual_shipping_cost=0)
