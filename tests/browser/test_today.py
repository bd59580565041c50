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
