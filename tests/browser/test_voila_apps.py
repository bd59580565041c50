"""The support playbook as a Voila app: no code on screen, the assistant answers, offline."""

from __future__ import annotations

import json

import pytest
from labhelpers import APPS, CHART_MAKERS, CHART_SLOTS, NOTEBOOKS, blocked_for, notebook_paths

from orderkit import metrics, sample
from orderkit.advice import Situation

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PLAYBOOK = "apps/playbook.ipynb"
APP_TIMEOUT_MS = 120_000  # Voila runs the whole notebook before it shows the page
UPDATE_TIMEOUT_MS = 60_000


def voila_apps() -> list[str]:
    """The apps' notebooks (``apps/*.ipynb``), and any numbered notebook that says it runs as
    an app (``voila notebooks/NN_….ipynb``)."""
    apps = [f"apps/{p.name}" for p in sorted(APPS.glob("*.ipynb"))]
    for path in notebook_paths():
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        if f"voila notebooks/{path.name}" in text:
            apps.append(path.name)
    return apps


#: What Voila shows when a cell fails, and what a widget that did not load shows.
BROKEN_TEXT = (
    "There was an error when executing cell",
    "Traceback (most recent call last)",
    "Loading widget",
    "Error displaying widget",
    "Error loading script",
    "Failed to load model class",
)


def source_of(notebook: str):
    """The repository's copy of an app's notebook (``apps/…`` or a numbered notebook)."""
    return APPS.parent / notebook if notebook.startswith("apps/") else NOTEBOOKS / notebook


@pytest.mark.parametrize("notebook", voila_apps())
def test_app_loads_offline_without_code(voila_server, page, notebook, screenshot, request) -> None:
    assert source_of(notebook).exists()
    server = voila_server(notebook)
    page.goto(server.url + "/", wait_until="domcontentloaded", timeout=APP_TIMEOUT_MS)
    widgets = page.locator('.jp-OutputArea-output :is(.jupyter-widgets, [class*="widget-"])')
    widgets.first.wait_for(state="visible", timeout=APP_TIMEOUT_MS)
    # Voila has run every cell once the kernel is idle and the spinner is gone
    page.wait_for_function(
        """() => !document.body.innerText.includes('Loading widget')
              && !document.querySelector('#loading, .voila-spinner-color1')""",
        timeout=APP_TIMEOUT_MS,
    )
    source = "".join(
        "".join(c["source"])
        for c in json.loads(source_of(notebook).read_text(encoding="utf-8"))["cells"]
        if c["cell_type"] == "code"
    )
    if any(maker in source for maker in CHART_MAKERS):
        drawn = page.locator(".vega-embed :is(svg, canvas)")
        drawn.first.wait_for(state="attached", timeout=APP_TIMEOUT_MS)
    widgets.first.scroll_into_view_if_needed()
    screenshot(page, f"voila-{notebook.removesuffix('.ipynb').replace('/', '-')}-app")
    text = page.locator("body").inner_text()
    assert not [t for t in BROKEN_TEXT if t in text], text[:3000]
    stderr = page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
    assert not [t for t in stderr if "Error" in t or "Traceback" in t], stderr
    # nothing asked of the internet (Voila's own "lab" template links Font Awesome from a CDN;
    # the apps' template, orderkit, leaves it out)
    page.wait_for_load_state("networkidle")
    assert blocked_for(request.node.name) == []
    code = page.locator(".jp-CodeCell .jp-InputArea, .jp-InputPrompt, .cm-editor, .highlight")
    assert code.count() == 0, code.all_inner_texts()[:3]
    for chart in page.locator(f":is({CHART_SLOTS})").all():
        assert chart.locator("svg, canvas").count() > 0, (
            f"chart {chart.get_attribute('class')} was not drawn"
        )


def test_support_playbook_app_answers_an_inquiry(voila_server, page, request, screenshot) -> None:
    book = sample.book()
    now = sample.DEFAULT_NOW
    fleet = metrics.status_at(book, now)
    pending_id = str(fleet.index[fleet["status"] == "Pending"][0])
    assert pending_id != str(book.orders["order_id"].iloc[0])  # not the order the app opens with
    buyer = str(book.orders.set_index("order_id").loc[pending_id, "buyer_name"])

    server = voila_server(PLAYBOOK)
    page.goto(server.url + "/", wait_until="domcontentloaded", timeout=APP_TIMEOUT_MS)
    assistant_situation = page.locator(".ok-inquiry-situation select")
    assistant_situation.wait_for(state="visible", timeout=APP_TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.body.innerText.includes('Loading widget')", timeout=UPDATE_TIMEOUT_MS
    )
    screenshot(page, "voila-apps-playbook-loaded")

    # an app: no code on screen (markdown cells keep their .jp-InputArea; code cells lose theirs)
    code = page.locator(".jp-CodeCell .jp-InputArea, .jp-InputPrompt, .cm-editor, .highlight")
    assert code.count() == 0, code.all_inner_texts()[:3]
    text = page.locator("body").inner_text()
    assert not [s for s in ("import orderkit", "InquiryAssistant(", "print(ok.advise") if s in text]

    # the buyer asks about a pending sale: choose the situation, type the order number
    question = Situation.PENDING_SALE.question("ja")  # the notebook's assistant speaks Japanese
    assistant_situation.select_option(label=question)
    order_box = page.locator(".ok-inquiry-order input")
    order_box.fill(pending_id)
    order_box.press("Enter")

    advice = page.locator(".ok-inquiry-advice")
    template = page.locator(".ok-inquiry-template textarea")
    page.wait_for_function(
        "([t, id]) => t.value.includes(id)",
        arg=[template.element_handle(), pending_id],
        timeout=UPDATE_TIMEOUT_MS,
    )
    assert question in advice.inner_text()
    assert "出荷しないでください" in advice.inner_text()  # do not ship a pending order
    filled = template.input_value()
    assert pending_id in filled
    assert buyer in filled
    assert "さくら雑貨店" in filled  # the seller name the notebook gives the assistant
    advice.scroll_into_view_if_needed()
    screenshot(page, "voila-apps-playbook-pending-sale-advice")

    # everything above worked with every non-local request blocked; list what was blocked
    blocked = blocked_for(request.node.name)
    print(f"blocked for the Voila app: {blocked}")


TRAINING = "apps/training.ipynb"  # the trainee app (make app-training)
#: What an answer key would show before the trainee answers (the old "For trainers" table).
ANSWER_KEY_TEXT = ("For trainers", "right answer", "right_answer", "解答", "正しい対応")


def test_training_app_shows_no_answer_key(voila_server, page, screenshot) -> None:
    from orderkit.rules import RULES
    from orderkit.training import DrillSession

    first = DrillSession(sample.book(), seed=2026, now=sample.DEFAULT_NOW).next()  # the app's
    server = voila_server(TRAINING)
    page.goto(server.url + "/", wait_until="domcontentloaded", timeout=APP_TIMEOUT_MS)
    question = page.locator(".ok-drill-question")
    question.wait_for(state="visible", timeout=APP_TIMEOUT_MS)
    page.wait_for_function(
        "() => !document.body.innerText.includes('Loading widget')", timeout=UPDATE_TIMEOUT_MS
    )
    assert first.order_id in question.inner_text()  # the app runs the session of seed 2026

    # before answering: the choices, and nothing that tells which one is right
    text = page.locator("body").inner_text()
    assert [t for t in ANSWER_KEY_TEXT if t in text] == []
    assert [r for r in RULES if r in text] == []  # no rule ids (the key's last column)
    assert text.count(first.right.text("ja")) == 1  # only as one of the choices
    assert page.locator(".jp-OutputArea-output table").count() == 0
    assert page.locator(".ok-drill-feedback").inner_text().strip() == ""
    screenshot(page, "voila-06_training_drills-ja")

    # a wrong answer: the FAQ quoted in English, our translation labelled 参考訳
    wrong = next(c for c in first.choices if not c.correct).text("ja")
    page.locator(".ok-drill-choices label", has_text=wrong).click()
    page.locator(".ok-drill-check").click()
    feedback = page.locator(".ok-drill-feedback")
    feedback.locator(".ok-drill-translation").wait_for(state="visible", timeout=UPDATE_TIMEOUT_MS)
    assert first.rule.faq in feedback.inner_text()
    assert "参考訳" in feedback.inner_text()
    page.locator(".ok-drill-finish").click()
    link = page.locator(".ok-drill-summary a[download]")
    link.wait_for(state="visible", timeout=UPDATE_TIMEOUT_MS)
    assert (link.get_attribute("href") or "").startswith("data:text/csv")
    screenshot(page, "voila-06_training_drills-ja-feedback", full_page=True)

    page.locator(".ok-lang button", has_text="English").click()
    page.wait_for_function(
        "() => document.querySelector('.ok-drill-check').innerText.includes('Check answer')",
        timeout=UPDATE_TIMEOUT_MS,
    )
    page.wait_for_function(  # the feedback is redrawn in English too: the quote alone
        "() => !document.querySelector('.ok-drill-feedback').innerText.includes('参考訳')",
        timeout=UPDATE_TIMEOUT_MS,
    )
    assert first.rule.faq in feedback.inner_text()
    screenshot(page, "voila-06_training_drills-en", full_page=True)
