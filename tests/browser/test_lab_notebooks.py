"""Every numbered notebook runs top to bottom in a real JupyterLab, offline, with its widgets
and charts drawn and no error shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from labhelpers import (
    CHART_MAKERS,
    CHART_SLOTS,
    RENDER_TIMEOUT_MS,
    STDERR_OUTPUT,
    WIDGET_MIME,
    WIDGET_VIEWS,
    cell_locator,
    notebook_paths,
    run_result,
    wait_widgets_rendered,
)

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

#: Text that widget managers and renderers show when something did not load.
BROKEN_TEXT = (
    "Loading widget",
    "Error displaying widget",
    "Error rendering",
    "Error loading script",
    "Javascript Error",
    "Failed to load model class",
)


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda p: p.stem)
def test_notebook_runs_clean_in_jupyterlab(path: Path, lab_notebook, screenshot) -> None:
    run = lab_notebook(path.name)
    page = run.page
    assert run_result(page) == {"ok": True}, f"Run All did not succeed: {run_result(page)}"

    # every non-empty code cell ran, and none left an error behind
    code = [c for c in run.cells if c.type == "code" and c.source.strip()]
    assert code, f"{path.name} has no code cells"
    not_run = [c.index for c in code if c.execution_count is None]
    assert not not_run, f"cells never executed (an earlier cell failed?): {not_run}"
    errors = {c.index: c.errors() for c in code if c.errors()}
    assert not errors, f"error outputs in {path.name}: {errors}"
    shown = page.locator(STDERR_OUTPUT).all_inner_texts()
    assert not [t for t in shown if "Traceback" in t or "Error" in t], shown

    # widgets: every widget output is drawn, none still loading or broken
    wait_widgets_rendered(page)
    widget_cells = [c for c in code if WIDGET_MIME in c.mimes()]
    # Mermaid diagrams (Markdown outputs) are drawn by JupyterLab itself, offline
    mermaid_cells = [c for c in code if "```mermaid" in c.markdown()]
    for cell in mermaid_cells:
        drawn = cell_locator(page, cell.index).locator(".jp-OutputArea svg").first
        drawn.wait_for(state="attached", timeout=RENDER_TIMEOUT_MS)
        text = cell_locator(page, cell.index).locator(".jp-OutputArea").inner_text()
        assert "Syntax error" not in text, f"cell {cell.index}: Mermaid could not draw:\n{text}"
    # a picture of the first widget or diagram (or the top of the notebook when there is none)
    shown = (widget_cells or mermaid_cells or code)[0]
    cell_locator(page, shown.index).scroll_into_view_if_needed()
    screenshot(page, f"lab-{path.stem}-after-run-all")
    for cell in widget_cells:
        area = cell_locator(page, cell.index).locator(".jp-OutputArea")
        assert area.locator(WIDGET_VIEWS).count() > 0, (
            f"cell {cell.index} displays a widget but nothing was drawn:\n{cell.source}\n"
            f"{area.inner_html()[:3000]}"
        )
    outputs_text = " ".join(page.locator(".jp-OutputArea").all_inner_texts())
    broken = [t for t in BROKEN_TEXT if t in outputs_text]
    assert not broken, f"{path.name} shows {broken}"

    # charts: each chart slot holds an SVG or a canvas; cells that make charts show one
    slots = page.locator(f":is({CHART_SLOTS})")
    for i in range(slots.count()):
        slot = slots.nth(i)
        assert slot.locator("svg, canvas").count() > 0, (
            f"chart slot {slot.get_attribute('class')} in {path.name} was not drawn"
        )
    if any(maker in cell.source for cell in widget_cells for maker in CHART_MAKERS):
        drawn = page.locator(".jp-OutputArea .vega-embed :is(svg, canvas)")
        assert drawn.count() > 0, f"{path.name} makes charts but none was drawn"
