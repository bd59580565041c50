"""open_shared: every app opens the one store, seeded with the sample, at the clock that fits it."""

from __future__ import annotations

from orderkit import sample
from orderkit.actions import make_event
from orderkit.clock import SystemClock, is_sample
from orderkit.metrics import status_at
from orderkit.widgets.app import open_shared


def test_an_empty_store_shows_the_sample_at_its_own_instant(tmp_path):
    shared = open_shared(tmp_path / "store.sqlite")
    assert len(shared.book.orders) == len(sample.book().orders)
    assert is_sample(shared.clock) and shared.sample_at == sample.DEFAULT_NOW


def test_the_sample_lives_beside_the_sellers_store_never_in_it(tmp_path):
    shared = open_shared(tmp_path / "shop.sqlite")
    assert (tmp_path / "shop.sample.sqlite").exists()
    assert len(shared.real.load().orders) == 0


def test_the_environments_store_is_the_default(tmp_path, monkeypatch):
    path = tmp_path / "env-store.sqlite"
    monkeypatch.setenv("ORDERKIT_STORE", str(path))
    shared = open_shared()
    assert shared.real.url.endswith(str(path))


def test_reload_shows_what_another_app_recorded(tmp_path):
    path = tmp_path / "store.sqlite"
    first = open_shared(path)
    fleet = status_at(first.book, sample.DEFAULT_NOW)
    order_id = str(fleet.index[fleet["status"] == "Unshipped"][0])
    other = open_shared(path)
    other.store.record(make_event("cancel", order_id, at=sample.DEFAULT_NOW, reason="no_stock"))
    again = first.reload()
    assert status_at(again.book, sample.DEFAULT_NOW).loc[order_id, "status"] == "Canceled"


def test_real_orders_in_the_store_are_shown_at_the_real_time(tmp_path):
    path = tmp_path / "store.sqlite"
    shared = open_shared(path)
    shared.real.save(sample.book(25, seed=5))  # the seller's own report arrived
    again = shared.reload()
    assert isinstance(again.clock, SystemClock) and again.sample_at is None
    assert len(again.book.orders) == 25 and again.store is again.real
