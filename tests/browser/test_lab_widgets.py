"""The notebooks' widgets, used in a real JupyterLab the way an operator would (offline).

The notebooks run once a session (``lab_notebook``); these tests act on the same pages.
"""

from __future__ import annotations

import time

import pytest
from labhelpers import code_cell, wait_widgets_rendered

from orderkit import metrics, sample

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

QUICKSTART = "01_quickstart.ipynb"
SIMULATE = "04_simulate_timelines.ipynb"
UPDATE_TIMEOUT_MS = 60_000
#: The order-number cells of the explorer's grid (a DataTables table).
EXPLORER_ORDER_CELLS = ".ok-explorer-table table.dataTable tbody tr td:first-child"


def until(read, expected=None, timeout_s: float = UPDATE_TIMEOUT_MS / 1000):
    """Poll ``read()`` until it is truthy (or equals ``expected``); return the last value."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = read()
        done = value == expected if expected is not None else bool(value)
        if done or time.monotonic() > deadline:
            return value
        time.sleep(0.25)


@pytest.fixture(scope="module")
def book():
    """The sample book, seeded: the same orders the notebooks show."""
    return sample.book()


def single_order_buyer(book):
    """(email, order id) of a buyer with exactly one order, not among the explorer's first page."""
    counts = book.orders["buyer_email"].value_counts()
    single = book.orders[book.orders["buyer_email"].isin(counts[counts == 1].index)]
    order = single.sort_values("purchase_date").iloc[0]  # the oldest: not on the first page
    return str(order["buyer_email"]), str(order["order_id"])


def search_explorer(page, query_text: str):
    """Type ``query_text`` into the workbench explorer's query box and press Enter."""
    wait_widgets_rendered(page)
    workbench = code_cell(page, "Workbench.from_store(").locator(".ok-workbench")
    query = workbench.locator(".ok-explorer-query input")
    query.scroll_into_view_if_needed()
    query.fill(query_text)
    query.press("Enter")
    return workbench


def test_explorer_finds_an_order_by_buyer_email(lab_notebook, book, screenshot) -> None:
    email, order_id = single_order_buyer(book)
    page = lab_notebook(QUICKSTART).page
    workbench = search_explorer(page, email)

    # the grid's rows are exactly the buyer's one order
    cells = workbench.locator(EXPLORER_ORDER_CELLS)
    shown = until(lambda: [t.strip() for t in cells.all_inner_texts()], [order_id])
    assert shown == [order_id], f"searching {email} offers {shown}"
    # one order for that email: the explorer opens it in the workbench's card
    header = workbench.locator(".ok-order-card .ok-card-header")
    header.filter(has_text=order_id).wait_for(timeout=UPDATE_TIMEOUT_MS)
    workbench.locator(".ok-explorer-table").scroll_into_view_if_needed()
    screenshot(page, "lab-01_quickstart-explorer-search-by-email")


def test_explorer_row_click_opens_the_order(lab_notebook, book, screenshot) -> None:
    page = lab_notebook(QUICKSTART).page
    wait_widgets_rendered(page)
    workbench = code_cell(page, "Workbench.from_store(").locator(".ok-workbench")
    cell = workbench.locator(EXPLORER_ORDER_CELLS).first  # (an earlier test may have searched)
    cell.scroll_into_view_if_needed()
    order_id = cell.inner_text().strip()
    cell.click()
    header = workbench.locator(".ok-order-card .ok-card-header")
    header.filter(has_text=order_id).wait_for(timeout=UPDATE_TIMEOUT_MS)
    screenshot(page, "lab-01_quickstart-explorer-row-opens-order")


def test_pending_order_card_disables_confirm_shipment(lab_notebook, screenshot) -> None:
    book = sample.book()
    fleet = metrics.status_at(book, sample.DEFAULT_NOW)
    pending_id = str(fleet.index[fleet["status"] == "Pending"][0])

    page = lab_notebook(QUICKSTART).page
    wait_widgets_rendered(page)
    card = code_cell(page, "OrderCard(book, pending_id").locator(".ok-order-card")
    card.scroll_into_view_if_needed()
    assert pending_id in card.locator(".ok-card-header").inner_text()
    card.locator(".lm-TabBar-tab").nth(1).click()  # the card opens on the order: to its actions
    confirm = card.locator("button.ok-action-confirm_shipment")
    confirm.wait_for(state="visible")
    assert confirm.is_disabled()
    refusal = card.locator(".ok-refusal-confirm_shipment")
    assert "Pending orders must not be dispatched" in refusal.inner_text()
    screenshot(card, "lab-01_quickstart-pending-card-confirm-disabled")


def test_simulation_slider_redraws_the_chart(lab_notebook, screenshot) -> None:
    page = lab_notebook(SIMULATE).page
    wait_widgets_rendered(page)
    # the SimulationPanel: the output that holds the (one) simulation chart
    panel = page.locator(".jp-OutputArea-output", has=page.locator(".ok-sim-chart"))
    assert panel.count() == 1, "expected one SimulationPanel in the notebook"
    chart = panel.locator(".ok-sim-chart")
    chart.locator("svg").first.wait_for(timeout=UPDATE_TIMEOUT_MS)
    before = chart.inner_html()

    slider = panel.locator(".ok-sim-handling-days")
    readout = slider.locator(".widget-readout")
    value = readout.inner_text().strip()
    handle = slider.locator(".noUi-handle")
    chart.scroll_into_view_if_needed()
    screenshot(chart, "lab-04_simulate_timelines-chart-before")
    handle.scroll_into_view_if_needed()
    handle.focus()
    handle.press("ArrowRight")
    # continuous_update is off: the value goes to the kernel on release, then the chart redraws
    page.wait_for_function(
        "([el, before]) => el.innerHTML !== before && el.querySelector('svg, canvas') !== null",
        arg=[chart.element_handle(), before],
        timeout=UPDATE_TIMEOUT_MS,
    )
    assert readout.inner_text().strip() == str(int(value) + 1)
    screenshot(page, "lab-04_simulate_timelines-panel-after-handling-days")
    chart.scroll_into_view_if_needed()
    screenshot(chart, "lab-04_simulate_timelines-chart-after-handling-days")
