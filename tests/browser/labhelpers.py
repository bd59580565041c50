"""Driving JupyterLab 4 from Playwright (needs ``--LabApp.expose_app_in_browser=True``).

A plain helper module, imported by the browser tests (a second conftest would shadow the first).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
#: The apps' own notebooks (``make app-…``), copied beside the notebooks as ``apps/``.
APPS = REPO / "apps"
SCREENSHOTS = REPO / "artifacts" / "screenshots"

#: Requests the offline pages blocked during the session: (page label, method, URL).
BLOCKED: list[tuple[str, str, str]] = []
#: Labels of the offline pages opened during the session.
PAGES: list[str] = []
#: Uncaught JavaScript errors and console errors the pages reported: (page label, text).
JS_ERRORS: list[tuple[str, str]] = []

KERNEL_TIMEOUT_MS = 120_000
RUN_TIMEOUT_MS = 180_000
RENDER_TIMEOUT_MS = 60_000

#: Where a chart widget is drawn: the JupyterChart's element gets ``vega-embed`` once drawn, and
#: orderkit's widgets put these classes on their chart slots.
CHART_SLOTS = (
    ".vega-embed, .ok-card-chart, .ok-sim-chart, .ok-sim-rates,"
    " .ok-dash-status, .ok-dash-late, .ok-dash-rates"
)
#: A widget view's element (a ToggleButtons' element has no ``jupyter-widgets`` class).
WIDGET_VIEWS = ':is(.jupyter-widgets, [class*="widget-"], .vega-embed)'
#: A notebook that displays widgets and names one of these must show at least one drawn chart.
CHART_MAKERS = ("JupyterChart", "SimulationPanel", "MetricsDashboard", "OrderCard(", "charts.")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: JupyterLab renders both stderr streams and error outputs (tracebacks) with this MIME type.
STDERR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'

_NOTEBOOK_READY = """(name) => {
  const app = window.jupyterapp;
  const panel = app && app.shell && app.shell.currentWidget;
  if (!panel || !panel.context || panel.context.path !== name || !panel.sessionContext) return false;
  if (!panel.context.isReady || !panel.content || panel.content.widgets.length === 0) return false;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  return !!kernel && kernel.status === 'idle';
}"""

_RUN_ALL = """() => {
  window.__okRun = null;
  window.jupyterapp.commands.execute('notebook:run-all-cells').then(
    (ok) => { window.__okRun = {ok: ok}; },
    (err) => { window.__okRun = {error: String(err)}; });
}"""

_RUN_FINISHED = """() => {
  if (window.__okRun === null || window.__okRun === undefined) return false;
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  for (const prompt of panel.node.querySelectorAll('.jp-InputPrompt')) {
    if (prompt.textContent.includes('*')) return false;
  }
  return true;
}"""

_CELLS = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets.map((cell, index) => {
    const model = cell.model;
    const code = model.type === 'code';
    return {
      index: index,
      type: model.type,
      source: model.sharedModel.getSource(),
      execution_count: code ? model.executionCount : null,
      outputs: code ? model.outputs.toJSON() : [],
    };
  });
}"""

_SHUTDOWN_KERNEL = """async () => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (panel && panel.sessionContext) { await panel.sessionContext.shutdown(); }
}"""


def notebook_paths() -> list[Path]:
    """The numbered notebooks (``NN_topic.ipynb``), found when the tests are collected."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def blocked_for(label: str) -> list[str]:
    """The URLs blocked so far for pages labelled ``label``."""
    return [url for what, _, url in BLOCKED if what == label]


@dataclass
class Cell:
    """A notebook cell as JupyterLab's model holds it after a run."""

    index: int
    type: str
    source: str
    execution_count: int | None
    outputs: list[dict[str, Any]]

    def mimes(self) -> set[str]:
        """The MIME types of the cell's display outputs."""
        return {m for o in self.outputs for m in o.get("data", {})}

    def markdown(self) -> str:
        """The cell's ``text/markdown`` outputs, joined."""
        parts = [o.get("data", {}).get("text/markdown", "") for o in self.outputs]
        return "\n".join("".join(p) if isinstance(p, list) else p for p in parts)

    def errors(self) -> list[str]:
        """Error outputs and stderr text that reads like an error, as text."""
        found = []
        for o in self.outputs:
            if o["output_type"] == "error":
                found.append(f"{o['ename']}: {o['evalue']}")
            elif o["output_type"] == "stream" and o.get("name") == "stderr":
                text = "".join(o["text"]) if isinstance(o["text"], list) else o["text"]
                if "Traceback" in text or "Error" in text:
                    found.append(text.strip())
        return found

    def stderr(self) -> str:
        """Everything the cell wrote to stderr (warnings included)."""
        parts = []
        for o in self.outputs:
            if o["output_type"] == "stream" and o.get("name") == "stderr":
                parts.append("".join(o["text"]) if isinstance(o["text"], list) else o["text"])
        return "".join(parts)


def open_notebook(page: Any, base_url: str, name: str) -> None:
    """Open ``name`` in a fresh workspace and wait for its kernel to be idle."""
    page.goto(f"{base_url}/lab/tree/{name}?reset", wait_until="domcontentloaded")
    page.wait_for_function(_NOTEBOOK_READY, arg=name, timeout=KERNEL_TIMEOUT_MS, polling=250)
    # more room for the notebook in screenshots: fold the file browser away
    page.evaluate(
        "() => { const s = window.jupyterapp.shell; if (!s.leftCollapsed) s.collapseLeft(); }"
    )


def run_all(page: Any) -> list[Cell]:
    """Run all cells of the current notebook; wait until every execution ended and the kernel is
    idle; return the cells as the model holds them."""
    page.evaluate(_RUN_ALL)
    page.wait_for_function(_RUN_FINISHED, timeout=RUN_TIMEOUT_MS, polling=250)
    time.sleep(0.5)  # a last comm message may still be on its way
    page.wait_for_function(_RUN_FINISHED, timeout=RUN_TIMEOUT_MS, polling=250)
    return cells(page)


def cells(page: Any) -> list[Cell]:
    """The current notebook's cells."""
    return [Cell(**c) for c in page.evaluate(_CELLS)]


def run_result(page: Any) -> dict[str, Any]:
    """What ``notebook:run-all-cells`` resolved to (``{"ok": bool}`` or ``{"error": text}``)."""
    return page.evaluate("() => window.__okRun")


def wait_widgets_rendered(page: Any, timeout_ms: int = RENDER_TIMEOUT_MS) -> None:
    """Wait until no output area says "Loading widget..." any more."""
    page.wait_for_function(
        """() => ![...document.querySelectorAll('.jp-OutputArea')]
                 .some(a => a.textContent.includes('Loading widget'))""",
        timeout=timeout_ms,
        polling=250,
    )


def shutdown_kernel(page: Any) -> None:
    """Shut down the current notebook's kernel (frees memory on a 2-core machine)."""
    page.evaluate(_SHUTDOWN_KERNEL)


def code_cell(page: Any, source_snippet: str) -> Any:
    """The locator of the one code cell whose source contains ``source_snippet``."""
    index = [c.index for c in cells(page) if c.type == "code" and source_snippet in c.source]
    assert len(index) == 1, f"expected one code cell containing {source_snippet!r}, got {index}"
    return cell_locator(page, index[0])


def cell_locator(page: Any, index: int) -> Any:
    """The locator of cell number ``index`` (tagged with ``data-ok-cell`` on first use)."""
    page.evaluate(
        """(i) => window.jupyterapp.shell.currentWidget.content.widgets[i]
                 .node.setAttribute('data-ok-cell', String(i))""",
        index,
    )
    return page.locator(f'[data-ok-cell="{index}"]')


def isolated_env(home: Path, store: Path) -> dict[str, str]:
    """Environment for servers and kernels: every per-user directory inside ``home``.

    ``JUPYTER_DATA_DIR`` only replaces the *user* data directory: the venv's labextensions and
    kernel (under ``sys.prefix/share/jupyter``) are always searched as well. ``store`` is the
    order store they share (``ORDERKIT_STORE``); kernels import this checkout (``PYTHONPATH``), a
    worktree's rather than whatever the venv installed.
    """
    dirs = {
        "HOME": home,
        "JUPYTER_CONFIG_DIR": home / "jupyter-config",
        "JUPYTER_DATA_DIR": home / "jupyter-data",
        "JUPYTER_RUNTIME_DIR": home / "jupyter-runtime",
        "IPYTHONDIR": home / "ipython",
        "XDG_CONFIG_HOME": home / "xdg-config",
        "XDG_CACHE_HOME": home / "xdg-cache",
        "XDG_DATA_HOME": home / "xdg-data",
        "TMPDIR": home / "tmp",
        "MPLCONFIGDIR": home / "matplotlib",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
    env.update({k: str(v) for k, v in dirs.items()})
    env.update(ORDERKIT_STORE=str(store), PYTHONUNBUFFERED="1", PYTHONPATH=str(REPO))
    return env
