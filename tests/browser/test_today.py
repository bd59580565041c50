"""Today in a real JupyterLab (offline): on the sample data, and opening an order from it."""

from __future__ import annotations

import pytest
from labhelpers import code_cell, wait_widgets_rendered

from orderkit import sample
from orderkit.today import today

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

QUICKSTART = "01_quickstart.ipynb"
UPDATE_TIMEOUT_MS = 60_000


def workbench(page):
    wait_widgets_rendered(page)
    return code_cell(page, "Workbench.from_store(").locator(".ok-workbench")


def order_cells(bench, name: str):
    return bench.locator(f".ok-today-{name} table.dataTable tbody tr td:first-child")


def test_today_on_sample_data_lists_the_orders_due_today(lab_notebook, screenshot) -> None:
    page = lab_notebook(QUICKSTART).page
    bench = workbench(page)
    banner = bench.locator(".ok-sample-banner")
    banner.wait_for(timeout=UPDATE_TIMEOUT_MS)
    assert "2026-11-26 18:00 JST" in banner.inner_text()
    expected = today(sample.book(), sample.DEFAULT_NOW).must_ship["order_id"].tolist()
    cells = order_cells(bench, "must_ship")
    cells.first.wait_for(timeout=UPDATE_TIMEOUT_MS)
    assert [t.strip() for t in cells.all_inner_texts()] == expected
    assert bench.locator(".ok-rate").count() == 4
    bench.locator(".ok-today").scroll_into_view_if_needed()
    screenshot(page, "lab-01_quickstart-today-sample")


def test_opening_an_order_from_today_shows_it_in_the_card(lab_notebook, screenshot) -> None:
    page = lab_notebook(QUICKSTART).page
    bench = workbench(page)
    cell = order_cells(bench, "to_confirm").first
    cell.wait_for(timeout=UPDATE_TIMEOUT_MS)
    order_id = cell.inner_text().strip()
    cell.click()
    header = bench.locator(".ok-order-card .ok-card-header")
    header.filter(has_text=order_id).wait_for(timeout=UPDATE_TIMEOUT_MS)
    header.scroll_into_view_if_needed()
    screenshot(page, "lab-01_quickstart-today-opens-order")


def test_orders_marked_in_the_explorer_go_to_bulk_shipping(lab_notebook, screenshot) -> None:
    page = lab_notebook(QUICKSTART).page
    bench = workbench(page)
    rows = bench.locator(".ok-explorer-table table.dataTable tbody tr")
    # the page is shared with the explorer's tests: one of them may have left a search that finds
    # a single order, so the search is cleared first
    query = bench.locator(".ok-explorer-query input")
    query.fill("")
    query.press("Enter")
    rows.nth(2).wait_for(state="attached", timeout=UPDATE_TIMEOUT_MS)
    bench.locator(".ok-explorer-pick").click()
    bulk = bench.locator("button.ok-explorer-bulk")
    bulk.wait_for(state="visible", timeout=UPDATE_TIMEOUT_MS)
    marked = [rows.nth(i).locator("td").first.inner_text().strip() for i in (0, 2)]
    rows.nth(0).click()
    rows.nth(2).click()  # a second click marks a second row: the first stays marked
    bulk.filter(has_text="2").wait_for(timeout=UPDATE_TIMEOUT_MS)
    bulk.click()
    preview = bench.locator(".ok-bulk-preview .ok-bulk-row td:first-child")
    preview.nth(1).wait_for(timeout=UPDATE_TIMEOUT_MS)
    assert [t.strip() for t in preview.all_inner_texts()] == marked
    bench.locator(".ok-workbench-tabs").scroll_into_view_if_needed()
    screenshot(page, "lab-01_quickstart-explorer-marked-to-bulk")


def test_todays_list_goes_to_bulk_shipping_in_one_click(lab_notebook, screenshot) -> None:
    page = lab_notebook(QUICKSTART).page
    bench = workbench(page)
    cells = order_cells(bench, "must_ship")
    cells.first.wait_for(timeout=UPDATE_TIMEOUT_MS)
    listed = [t.strip() for t in cells.all_inner_texts()]
    bench.locator("button.ok-today-bulk-must_ship").click()
    preview = bench.locator(".ok-bulk-preview .ok-bulk-row td:first-child")
    preview.nth(len(listed) - 1).wait_for(timeout=UPDATE_TIMEOUT_MS)
    assert [t.strip() for t in preview.all_inner_texts()] == listed
    bench.locator(".ok-workbench-tabs").scroll_into_view_if_needed()
    screenshot(page, "lab-01_quickstart-today-list-to-bulk")
