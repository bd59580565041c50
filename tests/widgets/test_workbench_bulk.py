"""Bulk work from a selection: a list of Today or the orders marked in the explorer go to bulk
shipping in the workbench, which confirms them all at once."""

from __future__ import annotations

import pytest

from orderkit import sample
from orderkit.clock import FixedClock
from orderkit.widgets import Workbench
from orderkit.widgets.explorer import OrderExplorer
from orderkit.widgets.today import SHIPPABLE, TodayPanel

NOW = sample.DEFAULT_NOW


@pytest.fixture(scope="module")
def book():
    return sample.book()


def sample_clock() -> FixedClock:
    return FixedClock(NOW, sample=True)


def test_today_sends_a_whole_list_to_bulk_shipping(book):
    panel = TodayPanel(book, now=sample_clock())
    sent: list[list[str]] = []
    panel.on_bulk(sent.append)
    panel.bulk_buttons["must_ship"].click()
    assert sent == [panel.view.must_ship["order_id"].astype(str).tolist()]


def test_today_offers_bulk_shipping_only_under_lists_of_orders_to_ship(book):
    panel = TodayPanel(book, now=sample_clock())
    assert set(panel.bulk_buttons) == set(SHIPPABLE)
    with pytest.raises(KeyError, match="not a list of orders to ship"):
        panel.bulk("cvs_expiring")


def test_today_hides_the_bulk_button_of_an_empty_list(book):
    panel = TodayPanel(book, now=sample_clock())
    for name in SHIPPABLE:
        empty = len(panel.view.lists()[name]) == 0
        assert (panel.bulk_buttons[name].layout.display == "none") == empty


def test_a_click_opens_the_order_until_selecting_is_turned_on(book):
    explorer = OrderExplorer(book, now=sample_clock())
    opened: list[str] = []
    explorer.on_select(opened.append)
    explorer.grid.selected_rows = [1]
    explorer.picking.value = True
    explorer.grid.selected_rows = [2]
    assert opened == [explorer.page_ids[1]]
    assert explorer.chosen == [explorer.page_ids[2]]


def test_marked_orders_are_kept_across_pages(book):
    explorer = OrderExplorer(book, now=sample_clock(), page_size=5)
    explorer.picking.value = True
    explorer.grid.selected_rows = [0, 3]
    first = [explorer.page_ids[0], explorer.page_ids[3]]
    explorer.go(1)
    explorer.grid.selected_rows = [1]
    second = explorer.page_ids[1]
    explorer.go(0)
    assert explorer.chosen == [*first, second]
    assert explorer.grid.selected_rows == [0, 3]  # the marks are shown again on the first page


def test_unmarking_a_row_drops_only_that_order(book):
    explorer = OrderExplorer(book, now=sample_clock())
    explorer.picking.value = True
    explorer.grid.selected_rows = [0, 1]
    explorer.grid.selected_rows = [1]
    assert explorer.chosen == [explorer.page_ids[1]]


def test_select_all_marks_every_order_matching_the_filters(book):
    explorer = OrderExplorer(book, now=sample_clock())
    explorer.due_today.value = True
    explorer.picking.value = True
    explorer.pick_all.click()
    assert explorer.chosen == explorer.filtered()["order_id"].astype(str).tolist()
    explorer.pick_none.click()
    assert explorer.chosen == []


def test_the_bulk_button_counts_the_marked_orders_and_is_off_with_none(book):
    explorer = OrderExplorer(book, now=sample_clock(), lang="ja")
    explorer.picking.value = True
    assert explorer.bulk_button.disabled
    explorer.grid.selected_rows = [0, 1, 2]
    assert "3" in explorer.bulk_button.description and not explorer.bulk_button.disabled


def test_workbench_shows_bulk_shipping_with_the_orders_marked_in_the_explorer(book):
    bench = Workbench(book, now=sample_clock())
    bench.explorer.due_today.value = True
    bench.explorer.picking.value = True
    bench.explorer.grid.selected_rows = [0, 1]
    bench.explorer.bulk_button.click()
    assert bench.shipping.order_ids == bench.explorer.page_ids[:2]
    assert bench.tabs.selected_index == 1


def test_workbench_returns_to_the_card_when_an_order_is_opened(book):
    bench = Workbench(book, now=sample_clock())
    bench.today.bulk("must_ship")
    bench.explorer.open_order(bench.explorer.page_ids[0])
    assert bench.tabs.selected_index == 0
    assert bench.card.order_id == bench.explorer.page_ids[0]


def test_confirming_todays_list_in_bulk_empties_it_in_every_part(tmp_path):
    bench = Workbench.from_store(tmp_path / "store.sqlite")
    bench.operator.value = "Sato"
    due = bench.today.bulk("must_ship")
    bench.shipping.use_pasted("\n".join(f"{o},{i:012d}" for i, o in enumerate(due)))
    bench.shipping.ask()
    bench.shipping.yes.click()
    assert set(due).isdisjoint(bench.today.view.must_ship["order_id"])
    statuses = bench.explorer.table.set_index("order_id").loc[due, "status"]
    assert set(statuses) <= {"Shipped", "PartiallyShipped"}
    stored = bench.store.load().events
    confirmed = stored[(stored["kind"] == "shipment_confirmed") & (stored["origin"] == "action")]
    assert set(confirmed["order_id"]) == set(due) and set(confirmed["operator"]) == {"Sato"}
