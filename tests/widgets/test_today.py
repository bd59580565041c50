"""TodayPanel in plain pytest: drive the clock, the Refresh button and the rows' selection."""

from __future__ import annotations

import datetime as dt

import pytest

from orderkit import sample
from orderkit.clock import FixedClock
from orderkit.today import today
from orderkit.widgets import Workbench
from orderkit.widgets.today import TodayPanel

NOW = sample.DEFAULT_NOW


class SteppingClock:
    """A clock the test moves forward."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def now(self) -> dt.datetime:
        return self.at


@pytest.fixture(scope="module")
def book():
    return sample.book()


def test_refresh_after_midnight_moves_today_to_the_next_day(book):
    clock = SteppingClock(NOW)
    panel = TodayPanel(book, now=clock)
    due_today = panel.view.must_ship["order_id"].tolist()
    clock.at = NOW.replace(hour=0, minute=5) + dt.timedelta(days=1)
    panel.refresh_button.click()
    assert panel.view.now == clock.at
    assert (
        panel.view.must_ship["order_id"].tolist()
        == today(book, clock.at).must_ship["order_id"].tolist()
    )
    assert set(due_today) & set(panel.view.late_open["order_id"])  # yesterday's now late


def test_nothing_moves_until_refresh(book):
    clock = SteppingClock(NOW)
    panel = TodayPanel(book, now=clock)
    clock.at = NOW + dt.timedelta(days=1)
    assert panel.view.now == NOW


def test_a_row_click_calls_on_open_with_the_order_id(book):
    panel = TodayPanel(book, now=NOW)
    opened: list[str] = []
    panel.on_open(opened.append)
    panel.grids["must_ship"].selected_rows = [1]  # what the browser sends on a click
    expected = panel.view.must_ship["order_id"].iloc[1]
    assert opened == [expected] and panel.opened == expected
    assert panel.grids["must_ship"].selected_rows == []  # the same row can be opened again


def test_each_list_shows_its_countdown_in_the_chosen_language(book):
    panel = TodayPanel(book, now=NOW, lang="ja")
    shown = panel.grids["must_ship"]._df
    assert shown["残り時間"].iloc[0] == "あと5時間59分"
    assert shown["合計"].iloc[0].endswith("円")


def test_rates_are_green_when_met_and_red_when_missed(book):
    panel = TodayPanel(book, now=NOW)
    rates = panel.view.rates
    assert panel.rates.value.count("ok-rate-met") == int(rates["met"].sum())
    assert panel.rates.value.count("ok-rate-missed") == int((~rates["met"]).sum())


def test_sample_data_shows_its_instant_in_a_banner(book):
    panel = TodayPanel(book, now=FixedClock(NOW, sample=True), lang="ja")
    assert "サンプルデータ（2026-11-26 18:00 JST 時点）" in panel.banner.value


def test_real_data_shows_no_sample_banner(book):
    assert TodayPanel(book, now=FixedClock(NOW)).banner.value == ""


def test_workbench_opens_an_order_from_today_in_its_card(book):
    bench = Workbench(book.copy(), now=NOW)
    bench.today.grids["to_confirm"].selected_rows = [0]
    assert bench.card.order_id == bench.today.view.to_confirm["order_id"].iloc[0]


def test_workbench_from_an_empty_store_shows_the_sample_at_its_own_instant(tmp_path):
    bench = Workbench.from_store(tmp_path / "store.sqlite")
    assert bench.clock.now() == NOW and "ok-sample-banner" in bench.today.banner.value
    assert len(bench.store.load().orders) == len(bench.book.orders) > 0


def test_workbench_refresh_shows_what_another_app_recorded_in_the_store(tmp_path):
    from orderkit.actions import make_event

    path = tmp_path / "store.sqlite"
    bench = Workbench.from_store(path)
    order_id = bench.today.view.must_ship["order_id"].iloc[0]
    other = Workbench.from_store(path)
    other.store.record(make_event("confirm_shipment", order_id, at=NOW, tracking_number="1"))
    bench.today.refresh_button.click()
    assert order_id not in set(bench.today.view.must_ship["order_id"])
    assert bench.explorer.table.set_index("order_id").loc[order_id, "status"] == "Shipped"


def test_workbench_switches_to_the_real_clock_once_real_orders_reach_the_store(tmp_path):
    from orderkit.clock import SystemClock
    from orderkit.store import Store

    path = tmp_path / "store.sqlite"
    bench = Workbench.from_store(path)
    Store(path=path).save(sample.book(25, seed=5))  # a report of the seller's own orders
    bench.today.refresh_button.click()
    assert isinstance(bench.clock, SystemClock) and bench.today.banner.value == ""
    assert len(bench.book.orders) == 25  # the seller's orders alone: no sample among them


def test_the_sample_is_never_written_into_the_sellers_store(tmp_path):
    from orderkit.store import Store

    path = tmp_path / "store.sqlite"
    bench = Workbench.from_store(path)
    assert len(bench.book.orders) > 0
    assert len(Store(path=path).load().orders) == 0
