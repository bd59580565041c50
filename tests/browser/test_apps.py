"""The apps (``apps/*.ipynb`` under Voila), used in a real browser as their users would, offline.

Playbook: the order card's safety (inputs reset, a confirmation before cancel, no label cut at
1024 and 1440 px in every language). Dashboard: a report uploaded through the browser, bulk
confirmation from a carrier's CSV, and a download that arrives.
"""

from __future__ import annotations

import time

import pytest
from labhelpers import APPS, SCREENSHOTS

from orderkit import metrics, sample
from orderkit.io import write_report
from orderkit.today import today
from orderkit.widgets._text import tr

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]

APP_TIMEOUT_MS = 120_000
UPDATE_TIMEOUT_MS = 60_000
LANGUAGES = {"en": "English", "ja": "日本語", "zh-Hans": "简体中文"}
#: Elements whose text must be whole: labels, buttons, tab titles, dropdowns, headings.
TEXT_ELEMENTS = (
    ".widget-label, .widget-button, .widget-toggle-button, .lm-TabBar-tabLabel,"
    " .widget-dropdown select, .widget-upload, .ok-download"
)
_CUT = """(selector) => {
  const cut = [];
  for (const el of document.querySelectorAll(selector)) {
    if (!el.offsetParent) continue;               // hidden (another tab): not on screen
    if (el.scrollWidth > el.clientWidth + 1) {
      cut.push(`${el.className}: "${el.textContent.trim().slice(0, 60)}" ` +
               `(${el.scrollWidth} > ${el.clientWidth})`);
    }
  }
  return cut;
}"""


def open_app(page, server) -> None:
    """Load the app and wait until Voila ran every cell and the widgets are drawn."""
    page.goto(server.url + "/", wait_until="domcontentloaded", timeout=APP_TIMEOUT_MS)
    page.locator(".ok-app-header").first.wait_for(state="visible", timeout=APP_TIMEOUT_MS)
    page.wait_for_function(
        """() => !document.body.innerText.includes('Loading widget')
              && !document.querySelector('#loading, .voila-spinner-color1')""",
        timeout=APP_TIMEOUT_MS,
    )


def switch_language(page, lang: str) -> None:
    """Click the language switch and wait until the app header has been relabelled."""
    header = page.locator(".ok-app-header").first
    before = header.inner_text()
    page.locator(".ok-lang button", has_text=LANGUAGES[lang]).first.click()
    deadline = time.monotonic() + UPDATE_TIMEOUT_MS / 1000
    while header.inner_text() == before and time.monotonic() < deadline:
        time.sleep(0.2)
    # the kernel relabels the widgets one after the other: the order card is among the last
    if page.locator(".ok-order-card").count():
        page.wait_for_function(
            """(title) => [...document.querySelectorAll('.ok-order-card .lm-TabBar-tabLabel')]
                 .some(t => t.textContent.trim() === title)""",
            arg=tr("order", lang),
            timeout=UPDATE_TIMEOUT_MS,
        )
    page.wait_for_load_state("networkidle")
    time.sleep(0.5)


def upload(page, widget: str, path) -> None:
    """Choose ``path`` in the file dialog that the upload button ``widget`` opens (ipywidgets
    keeps its file input out of the document: the dialog is the way in, as for a person)."""
    with page.expect_file_chooser(timeout=UPDATE_TIMEOUT_MS) as chooser:
        page.locator(widget).click()
    chooser.value.set_files(str(path))


def app_names() -> list[str]:
    return sorted(p.name for p in APPS.glob("*.ipynb"))


@pytest.fixture(scope="module")
def book():
    return sample.book()


@pytest.fixture(scope="module")
def fleet(book):
    return metrics.status_at(book, sample.DEFAULT_NOW)


# -- every app --------------------------------------------------------------------------------


@pytest.mark.parametrize("app", app_names())
def test_app_shows_widgets_not_notebook_prose_code_or_raw_frames(
    voila_server, page, app, screenshot
) -> None:
    server = voila_server(f"apps/{app}")
    open_app(page, server)
    for lang in ("ja", "en"):
        switch_language(page, lang)
        screenshot(page, f"app-{app.removesuffix('.ipynb')}-{lang}", full_page=True)
    text = page.locator("body").inner_text()
    for notebook_talk in ("voila notebooks/", "This notebook", "from code", "Wrote ", "import "):
        assert notebook_talk not in text
    assert page.locator(".jp-InputArea, .jp-InputPrompt, .cm-editor, .highlight").count() == 0
    assert page.locator("table.dataframe").count() == 0  # no raw DataFrame
    assert "+09:00" not in text and "False" not in text and "True" not in text


# -- the order card, in the playbook app ------------------------------------------------------


def open_order(page, order_id: str) -> None:
    """Type ``order_id`` into the assistant's order box: the card follows it."""
    box = page.locator(".ok-inquiry-order input")
    box.fill(order_id)
    box.press("Enter")
    page.locator(".ok-order-card .ok-card-header", has_text=order_id).wait_for(
        timeout=UPDATE_TIMEOUT_MS
    )


def actions_tab(page) -> None:
    page.locator(".ok-order-card .lm-TabBar-tab").nth(1).click()
    page.locator(".ok-card-actions").wait_for(state="visible")


def test_card_inputs_start_afresh_on_the_next_order(voila_server, page, fleet, screenshot):
    first, second = [str(o) for o in fleet.index[fleet["status"] == "Unshipped"][:2]]
    open_app(page, voila_server("apps/playbook.ipynb"))
    switch_language(page, "en")
    open_order(page, first)
    actions_tab(page)
    tracking = page.locator(".ok-card-tracking input")
    tracking.fill("1234-5678-9012")
    tracking.press("Tab")
    screenshot(page.locator(".ok-order-card"), "app-playbook-card-tracking-typed")
    open_order(page, second)
    page.wait_for_function(
        "(el) => el.value === ''", arg=tracking.element_handle(), timeout=UPDATE_TIMEOUT_MS
    )
    screenshot(page.locator(".ok-order-card"), "app-playbook-card-next-order-fresh")
    assert tracking.input_value() == ""


def test_cancel_asks_for_confirmation_before_recording(voila_server, page, fleet, screenshot):
    order_id = str(fleet.index[(fleet["status"] == "Unshipped") & ~fleet["at_risk"]][0])
    open_app(page, voila_server("apps/playbook.ipynb"))
    switch_language(page, "en")
    open_order(page, order_id)
    actions_tab(page)
    page.locator("button.ok-action-cancel").click()
    dialog = page.locator(".ok-card-confirm")
    dialog.wait_for(state="visible", timeout=UPDATE_TIMEOUT_MS)
    assert f"Cancel order {order_id}" in dialog.inner_text()
    dialog.scroll_into_view_if_needed()
    screenshot(page.locator(".ok-order-card"), "app-playbook-card-cancel-confirmation")
    assert "Canceled" not in page.locator(".ok-card-header").inner_text()
    page.locator(".ok-card-confirm-back").click()
    dialog.wait_for(state="hidden", timeout=UPDATE_TIMEOUT_MS)
    assert "Canceled" not in page.locator(".ok-card-header").inner_text()


def test_playbook_shows_the_shared_store_and_its_refresh_shows_what_others_recorded(
    voila_server, page, fleet, tmp_path, screenshot
):
    from orderkit.actions import make_event
    from orderkit.widgets.app import open_shared

    store = tmp_path / "store.sqlite"
    shared = open_shared(store)  # what `make lab` does on a first start: the sample, beside it
    first, second = [
        str(o) for o in fleet.index[(fleet["status"] == "Unshipped") & ~fleet["at_risk"]][:2]
    ]
    cancel = {"at": sample.DEFAULT_NOW, "reason": "no_stock", "operator": "workbench"}
    shared.store.record(make_event("cancel", first, **cancel))  # recorded in another app
    open_app(page, voila_server("apps/playbook.ipynb", store=store))
    switch_language(page, "en")
    header = page.locator(".ok-order-card .ok-card-header")
    open_order(page, first)
    assert "Canceled" in header.inner_text()
    shared.store.record(make_event("cancel", second, **cancel))  # while the app is open
    open_order(page, second)
    assert "Canceled" not in header.inner_text()  # nothing moves until Refresh
    page.locator("button.ok-app-refresh").click()
    header.filter(has_text="Canceled").wait_for(timeout=UPDATE_TIMEOUT_MS)
    screenshot(page.locator(".ok-order-card"), "app-playbook-refreshed-from-the-store")


@pytest.mark.parametrize("width", [1024, 1440])
def test_no_label_is_cut_in_any_language(voila_server, page, fleet, width, screenshot):
    order_id = str(fleet.index[(fleet["status"] == "Unshipped") & ~fleet["at_risk"]][0])
    page.set_viewport_size({"width": width, "height": 1000})
    open_app(page, voila_server("apps/playbook.ipynb"))
    open_order(page, order_id)
    cut = {}
    for lang in LANGUAGES:
        switch_language(page, lang)
        for tab in (0, 1):
            page.locator(".ok-order-card .lm-TabBar-tab").nth(tab).click()
            time.sleep(0.3)
            found = page.evaluate(_CUT, TEXT_ELEMENTS)
            if found:
                cut[(lang, tab)] = found
        screenshot(page.locator(".ok-order-card"), f"app-playbook-{width}px-{lang}-card-actions")
    assert cut == {}


# -- the dashboard app --------------------------------------------------------------------------


def dashboard_tab(page, index: int) -> None:
    """Open the dashboard app's tab ``index`` (0 Today, 1 the rates and reports, 2 bulk shipping)."""
    page.locator(".ok-app-tabs > .lm-TabBar .lm-TabBar-tab").nth(index).click()


def test_the_dashboard_opens_on_today_and_a_row_opens_its_order(
    voila_server, page, tmp_path, screenshot
):
    expected = today(sample.book(), sample.DEFAULT_NOW).must_ship["order_id"].tolist()
    open_app(page, voila_server("apps/dashboard.ipynb", store=tmp_path / "store.sqlite"))
    switch_language(page, "ja")
    cells = page.locator(".ok-today-must_ship table.dataTable tbody tr td:first-child")
    cells.first.wait_for(state="visible", timeout=UPDATE_TIMEOUT_MS)  # the first tab: Today
    assert [t.strip() for t in cells.all_inner_texts()] == expected
    assert page.locator(".ok-app .ok-rate").count() == 4
    cells.nth(1).click()
    header = page.locator(".ok-order-card .ok-card-header")
    header.filter(has_text=expected[1]).wait_for(state="visible", timeout=UPDATE_TIMEOUT_MS)
    screenshot(page, "app-dashboard-today-ja", full_page=True)


def test_the_rates_tab_shows_what_was_recorded_since_it_was_drawn(
    voila_server, page, fleet, tmp_path, screenshot
):
    from orderkit.actions import make_event
    from orderkit.widgets.app import open_shared

    store = tmp_path / "store.sqlite"
    shared = open_shared(store)  # what `make lab` does on a first start: the sample, beside it
    order_id = str(fleet.index[fleet["at_risk"] & (fleet["status"] == "Unshipped")][0])
    open_app(page, voila_server("apps/dashboard.ipynb", store=store))
    switch_language(page, "en")
    dashboard_tab(page, 1)
    risky = page.locator(".ok-dash-at-risk select option").filter(has_text=order_id)
    risky.wait_for(state="attached", timeout=UPDATE_TIMEOUT_MS)
    cancel = {"at": sample.DEFAULT_NOW, "reason": "no_stock", "operator": "workbench"}
    shared.store.record(make_event("cancel", order_id, **cancel))  # in another app, meanwhile
    dashboard_tab(page, 0)
    page.locator("button.ok-today-refresh").click()
    page.locator(".ok-today-must_ship table.dataTable tbody tr").filter(has_text=order_id).wait_for(
        state="detached", timeout=UPDATE_TIMEOUT_MS
    )  # Today has it
    dashboard_tab(page, 1)
    risky.wait_for(state="detached", timeout=UPDATE_TIMEOUT_MS)  # and so has the rates tab
    screenshot(page, "app-dashboard-rates-after-refresh", full_page=True)


def test_report_uploaded_through_the_browser_replaces_the_sample(
    voila_server, page, tmp_path, screenshot
):
    report = tmp_path / "AllOrders.txt"
    write_report(
        sample.book(25, seed=5), "all_orders", report, encoding="cp932", at=sample.DEFAULT_NOW
    )
    # its own store: the upload imports the report into it, which the other tests must not see
    open_app(page, voila_server("apps/dashboard.ipynb", store=tmp_path / "upload.sqlite"))
    switch_language(page, "ja")
    assert page.locator(".ok-sample-banner").count() == 1
    dashboard_tab(page, 1)
    upload(page, ".ok-dash-upload", report)
    message = page.locator(".ok-dash-message")
    message.filter(has_text="AllOrders.txt").wait_for(timeout=UPDATE_TIMEOUT_MS)
    assert "25件の注文を読み込みました" in message.inner_text()
    page.locator(".ok-sample-banner").wait_for(state="detached", timeout=UPDATE_TIMEOUT_MS)
    screenshot(page, "app-dashboard-report-uploaded-ja", full_page=True)


def test_a_file_that_is_not_a_report_says_why_in_japanese(voila_server, page, tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("hello\tworld\n", encoding="utf-8")
    open_app(page, voila_server("apps/dashboard.ipynb"))
    switch_language(page, "ja")
    dashboard_tab(page, 1)
    upload(page, ".ok-dash-upload", bad)
    message = page.locator(".ok-dash-message")
    message.filter(has_text="notes.txt").wait_for(timeout=UPDATE_TIMEOUT_MS)
    assert "を読み込めません" in message.inner_text()
    assert "Errno" not in message.inner_text()


def test_bulk_confirmation_from_a_carrier_csv_and_the_upload_file_arrives(
    voila_server, page, tmp_path, screenshot
):
    from orderkit import bulk

    due = bulk.due_today(sample.book(), at=sample.DEFAULT_NOW)
    rows = "\r\n".join(f"{o},0,0,4000-0000-{i:04d},2026/11/26,山田 太郎" for i, o in enumerate(due))
    csv = tmp_path / "B2.csv"
    csv.write_bytes(
        ("お客様管理番号,送り状種類,クール区分,伝票番号,出荷予定日,お届け先名\r\n" + rows + "\r\n"
         "999-0000000-0000000,0,0,4000-9999-9999,2026/11/26,他店\r\n").encode("cp932")
    )  # fmt: skip
    # its confirmations are recorded in the store: a store of its own, which the later tests
    # (Today in JupyterLab lists the orders still to ship) must not see
    open_app(page, voila_server("apps/dashboard.ipynb", store=tmp_path / "store.sqlite"))
    switch_language(page, "en")
    dashboard_tab(page, 2)
    page.locator("button.ok-bulk-due").click()
    page.locator(".ok-bulk-row").first.wait_for(timeout=UPDATE_TIMEOUT_MS)
    upload(page, ".ok-bulk-upload", csv)
    preview = page.locator(".ok-bulk-preview")
    preview.filter(has_text="4000-0000-0000").wait_for(timeout=UPDATE_TIMEOUT_MS)
    unmatched = page.locator(".ok-bulk-unmatched")
    assert "999-0000000-0000000" in unmatched.inner_text()
    assert "order not selected" in unmatched.inner_text()
    screenshot(page, "app-dashboard-bulk-preview-en", full_page=True)
    page.locator("button.ok-bulk-confirm").click()
    dialog = page.locator(".ok-bulk-confirm-box")
    dialog.wait_for(state="visible", timeout=UPDATE_TIMEOUT_MS)
    assert f"{len(due)} orders" in dialog.inner_text()
    page.locator("button.ok-bulk-yes").click()
    link = page.locator(".ok-bulk .ok-download").first
    link.wait_for(timeout=UPDATE_TIMEOUT_MS)
    # recorded: nothing left to confirm, the preview says so
    page.locator("button.ok-bulk-confirm:disabled").wait_for(timeout=UPDATE_TIMEOUT_MS)
    screenshot(page, "app-dashboard-bulk-recorded-en", full_page=True)
    with page.expect_download(timeout=UPDATE_TIMEOUT_MS) as info:
        link.click()
    download = info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert download.suggested_filename.startswith("shipping-confirmation-")
    assert lines[0].startswith("TemplateType=OrderFulfillment")
    assert {line.split("\t")[0] for line in lines[3:]} == set(due)
    assert "4000-0000-0000" in saved.read_text(encoding="utf-8")
    (SCREENSHOTS / "downloaded-shipping-confirmation.txt").write_text("\n".join(lines[:6]))
    from orderkit.widgets.app import open_shared

    stored = open_shared(tmp_path / "store.sqlite").book.events
    recorded = stored[(stored["kind"] == "shipment_confirmed") & (stored["origin"] == "action")]
    assert set(recorded["order_id"]) == set(due)  # in the store the other apps show
