"""Benchmark: the workbench's latency in a real browser, from the user's input to the updated DOM.

Run: ``PYTHONPATH=$PWD .venv/bin/python benchmarks/browser_latency.py`` (options: ``--repeat N``
(default 15), ``--quiet-ms N`` (default 400), ``--lab`` (JupyterLab too, after Voila),
``--profile`` (cProfile of the kernel side), ``--trace`` (each interaction's websocket messages,
timed)).

It prints figures and asserts nothing: speed is measured, not asserted. Target (issue 12): search →
order card, the "due today" filter, and opening an order from Today each under 300 ms on the
sample book; the explorer's next page and Today's Refresh are measured too.

How. Voila serves a small app notebook written to a temporary directory that shows
``Workbench.from_store()`` on a temporary, empty store (so the sample book, at its own instant),
with every Jupyter, IPython and Chromium directory in a temporary home (as
``tests/browser/conftest.py`` does, whose server and browser helpers are reused). Debian's chromium
(through Playwright) opens it offline: every non-local request is blocked and counted. With
``--lab`` the same notebook is then opened and run in JupyterLab (the tests' settings: no news,
every cell in the DOM) and measured the same way, on a store of its own.

Each interaction is a Playwright action (typing an email and Enter, a click). Before it, a script
in the page installs a listener for that input (capture phase) and a ``MutationObserver`` on the
workbench; both record ``performance.now()`` inside the page, so Playwright's own round-trips are
not counted:

- **shown**: from the input event (``keydown`` Enter, or ``click``) to the first DOM mutation after
  which the expected text is in place (the card's header shows the order; the explorer's count and
  first row are the expected ones) — the figure the target is about;
- **settled**: from the input to the last DOM mutation in the workbench before ``--quiet-ms`` of
  quiet (what else the action redrew);
- **answered**: from the input to the kernel's "idle" status after it (a script added to the page
  before its own watches every websocket message): the handlers are done. Today's Refresh of the
  sample at its own instant changes no text, so only this is measured for it;
- **blocked**: the page's long tasks (over 50 ms, ``PerformanceObserver``) after the input,
  summed: the browser busy, mostly rebuilding a grid (itables' widget destroys and re-creates its
  DataTable on every change of its rows). A message's time is when the page's handler ran, so
  messages that arrive while the page is busy are timed after it (``--trace`` shows it).

The expected texts come from a twin: the same workbench built in this process on a copy of the
sample, driven by the same messages the browser sends (``benchmarks/widgets.py``'s
``from_frontend``/``click``: an ``update`` of the text box, check box or grid selection, a
button's ``click``) through ``Widget._handle_msg``, with every comm JSON-encoding what it would send.
Timing that twin with ``time.perf_counter`` gives the **kernel** share of each interaction (the same
Python handlers; the kernel's own message parsing and the websocket are not in it), and the number
of messages and bytes the kernel sends; the websocket frames the page received between the input
and the quiet are counted too. What the user waits for may be sent before the handlers end (the
card's header comes first), so *shown* can be under *kernel*; *answered* minus *kernel* is roughly
comm and the real kernel's overhead, *blocked* the browser's own work (and, on a loaded machine,
every figure includes waiting for a core).

Each interaction runs once to warm up, then ``--repeat`` times. The load average is printed at the
start and the end: the machine is shared, and the figures are wall-clock.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import html
import io
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BROWSER_TESTS = ROOT / "tests" / "browser"
sys.path[:0] = [str(ROOT), str(BROWSER_TESTS), str(Path(__file__).parent)]

# The browser tests' server and page helpers (a plain import: the fixtures are not used).
from conftest import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    Server,
    _lab_settings,
    free_port,
    is_local,
    start_server,
)
from labhelpers import isolated_env, open_notebook  # noqa: E402
from labhelpers import run_all as run_cells  # noqa: E402
from widgets import OUTBOX, click, from_frontend, install_json_comm  # noqa: E402

TARGET_MS = 300.0
LOAD_TIMEOUT_MS = 180_000
STEP_TIMEOUT_MS = 30_000

APP_SOURCE = """\
from orderkit.widgets import Workbench

Workbench.from_store()
"""

#: Installed in the page before each input: records when the input happened, when the expected
#: texts were first all in place, and the last mutation of the workbench (page clock, ms).
ARM = """(spec) => {
  if (window.__okM && window.__okM.stop) window.__okM.stop();
  const m = {t0: null, shown: null, last: null, mutations: 0};
  const root = document.querySelector('.ok-workbench') || document.body;
  const type = spec.event === 'enter' ? 'keydown' : 'click';
  const expected = () => spec.expect.length > 0 && spec.expect.every(([sel, text]) => {
    const el = document.querySelector(sel);
    return !!el && el.textContent.includes(text);
  });
  const onInput = (e) => {
    if (m.t0 === null && (spec.event !== 'enter' || e.key === 'Enter')) {
      m.t0 = performance.now();
      window.__okWs.since = m.t0;
    }
  };
  const observer = new MutationObserver(() => {
    if (m.t0 === null) return;
    const now = performance.now();
    m.last = now;
    m.mutations += 1;
    if (m.shown === null && expected()) m.shown = now;
  });
  window.addEventListener(type, onInput, true);
  observer.observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
  window.__okWs.since = window.__okWs.first = null;
  window.__okWs.log = [];
  m.frames0 = window.__okWs.count;
  m.bytes0 = window.__okWs.bytes;
  m.stop = () => { observer.disconnect(); window.removeEventListener(type, onInput, true); };
  window.__okM = m;
}"""

SHOWN = "() => window.__okM.shown !== null"
QUIET = """(ms) => { const m = window.__okM, ws = window.__okWs;
  if (m.t0 === null || ws.state !== 'idle' || ws.idle === null || ws.idle < m.t0) return false;
  return performance.now() - Math.max(ws.last, m.last || 0) > ms; }"""
RESULT = """() => { const m = window.__okM, ws = window.__okWs; m.stop();
  return {t0: m.t0, shown: m.shown, last: m.last, mutations: m.mutations, answered: ws.idle, first: ws.first, log: ws.log,
          blocked: ws.tasks.filter(([start]) => start >= m.t0).reduce((a, [, d]) => a + d, 0),
          frames: ws.count - m.frames0, bytes: ws.bytes - m.bytes0}; }"""
#: Installed before the page's own scripts: every websocket message the page receives (the
#: kernel's) is counted and its arrival time kept, on the page's clock.
WS_HOOK = r"""(() => {
  const ws = window.__okWs = {
    last: null, count: 0, bytes: 0, since: null, first: null, state: null, idle: null, log: [],
    tasks: []};
  // Long tasks (over 50 ms) block the page's main thread: what the browser spends redrawing.
  new PerformanceObserver((list) => {
    for (const t of list.getEntries()) ws.tasks.push([t.startTime, t.duration]);
  }).observe({type: 'longtask', buffered: true});
  const Native = window.WebSocket;
  const decoder = new TextDecoder();
  const STATUS = /"execution_state":\s*"(\w+)"/;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        ws.last = performance.now();
        if (ws.since !== null && ws.first === null && ws.last >= ws.since) ws.first = ws.last;
        ws.count += 1;
        const text = typeof e.data === 'string' ? e.data
          : e.data instanceof ArrayBuffer ? decoder.decode(e.data) : '';
        ws.bytes += typeof e.data === 'string' ? e.data.length : (e.data.byteLength || e.data.size || 0);
        const status = text.length < 4096 && STATUS.exec(text);
        if (ws.since !== null) {
          const size = typeof e.data === 'string' ? e.data.length : e.data.byteLength;
          const head = text.slice(0, 4096);
          const kind = /"msg_type":\s*"(\w+)"/.exec(head);
          const method = /"method":\s*"(\w+)"/.exec(head);
          ws.log.push([ws.last - ws.since, size, status ? status[1] : (kind ? kind[1] : '?')
                       + (method ? ':' + method[1] : '')]);
        }
        if (status) {
          ws.state = status[1];
          if (ws.state === 'idle') ws.idle = ws.last;
        }
      });
    }
  };
})();"""

LEGEND = """
shown: input → the expected texts in the DOM (the target's figure); settled: input → the last
DOM mutation of the workbench (then {quiet} ms of quiet); 1st msg: input → the first websocket
message from the kernel after it (its "busy" status: the kernel took the message up);
answered: input → the kernel's "idle" status (its handlers are done); blocked: the page's
long tasks (over 50 ms) after the input, summed (the browser busy redrawing); kernel: the same
handlers run in this process (perf_counter), msgs and kB out: what they send; frames and kB in:
websocket messages the page received. Times in ms, medians unless said."""


def plain(value: str) -> str:
    """The text an HTML widget's value shows (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", value)).strip()


# -- measuring ------------------------------------------------------------------------------
@dataclass
class Figures:
    """What was measured of one interaction, one entry per timed run."""

    label: str
    shown_ms: list[float] = field(default_factory=list)
    settled_ms: list[float] = field(default_factory=list)
    answered_ms: list[float] = field(default_factory=list)
    first_ms: list[float] = field(default_factory=list)
    blocked_ms: list[float] = field(default_factory=list)
    kernel_ms: list[float] = field(default_factory=list)
    kernel_msgs: list[int] = field(default_factory=list)
    kernel_bytes: list[int] = field(default_factory=list)
    frames: list[int] = field(default_factory=list)
    frame_bytes: list[int] = field(default_factory=list)
    #: The first timed run's websocket messages: (ms after the input, size, kind), and *shown*.
    trace: list[tuple[float, int, str]] = field(default_factory=list)
    trace_shown: float | None = None


@dataclass
class Step:
    """One interaction, in the twin and in the page.

    ``twin`` drives the in-process twin (timed as the kernel share) and returns the texts the page
    must then show, as ``(selector, text)`` pairs (none: only *settled* is measured); ``act`` is
    the Playwright input; ``event`` the DOM event that starts the clock.
    """

    twin: Callable[[], list[tuple[str, str]]]
    act: Callable[[], None]
    event: str = "click"


def measure(page: Any, step: Step, figures: Figures | None, quiet_ms: int) -> None:
    """Run ``step`` in the twin then in the page; add its figures (``None``: a warm-up run)."""
    sent, size = OUTBOX.messages, OUTBOX.bytes
    t0 = time.perf_counter()
    expect = step.twin()
    kernel_ms = (time.perf_counter() - t0) * 1000
    msgs, sent_bytes = OUTBOX.messages - sent, OUTBOX.bytes - size
    page.evaluate(ARM, {"event": step.event, "expect": expect})
    step.act()
    if expect:
        page.wait_for_function(SHOWN, timeout=STEP_TIMEOUT_MS, polling=20)
    page.wait_for_function(QUIET, arg=quiet_ms, timeout=STEP_TIMEOUT_MS, polling=50)
    got = page.evaluate(RESULT)
    if figures is None:
        return
    if got["t0"] is None:
        raise RuntimeError(f"{figures.label}: the page saw no {step.event} event")
    if expect:
        figures.shown_ms.append(got["shown"] - got["t0"])
    if got["last"] is not None:
        figures.settled_ms.append(got["last"] - got["t0"])
    figures.answered_ms.append(got["answered"] - got["t0"])
    figures.first_ms.append(got["first"] - got["t0"])
    figures.blocked_ms.append(got["blocked"])
    figures.kernel_ms.append(kernel_ms)
    figures.kernel_msgs.append(msgs)
    figures.kernel_bytes.append(sent_bytes)
    if not figures.trace:
        figures.trace = [(t, n, kind) for t, n, kind in got["log"]]
        figures.trace_shown = got["shown"] - got["t0"] if expect else None
    figures.frames.append(got["frames"])
    figures.frame_bytes.append(got["bytes"])


def settle(page: Any, expect: list[tuple[str, str]]) -> None:
    """Wait until the page shows every expected text (an untimed step between runs)."""
    page.wait_for_function(
        """(expect) => expect.every(([sel, text]) => {
             const el = document.querySelector(sel); return !!el && el.textContent.includes(text); })""",
        arg=expect,
        timeout=STEP_TIMEOUT_MS,
        polling=50,
    )


# -- the interactions -------------------------------------------------------------------------
HEADER = ".ok-workbench .ok-order-card .ok-card-header"
COUNT = ".ok-workbench .ok-explorer-count"
FIRST_ROW = ".ok-workbench .ok-explorer-table table.dataTable tbody tr:first-child td:first-child"


def explorer_shows(twin: Any) -> list[tuple[str, str]]:
    """The explorer's count and first row as the twin shows them."""
    expect = [(COUNT, plain(twin.explorer.count.value))]
    if twin.explorer.page_ids:
        expect.append((FIRST_ROW, twin.explorer.page_ids[0]))
    return expect


def query(page: Any, twin: Any, text: str) -> Step:
    """Type ``text`` into the explorer's query box and press Enter."""
    box = page.locator(".ok-workbench .ok-explorer-query input")

    def in_twin() -> list[tuple[str, str]]:
        from_frontend(twin.explorer.query, {"value": text})
        shown = twin.card.order_id
        return [(HEADER, shown)] if shown and text else explorer_shows(twin)

    def act() -> None:
        box.fill(text)
        box.press("Enter")

    return Step(in_twin, act, "enter")


def search_steps(page: Any, twin: Any, n: int, avoid: set[str]) -> Iterator[Step]:
    """Emails of buyers with one order (so the card opens it), none of them in ``avoid``."""
    orders = twin.book.orders
    counts = orders["buyer_email"].value_counts()
    single = orders[orders["buyer_email"].map(counts) == 1]
    emails = [
        e for e, o in zip(single["buyer_email"], single["order_id"], strict=True) if o not in avoid
    ]
    for i in range(n):
        yield query(page, twin, emails[i % len(emails)])


def toggle_due_today(page: Any, twin: Any) -> Step:
    box = page.locator(".ok-workbench .ok-explorer-due-today input")

    def in_twin() -> list[tuple[str, str]]:
        from_frontend(twin.explorer.due_today, {"value": not twin.explorer.due_today.value})
        return explorer_shows(twin)

    return Step(in_twin, box.click)


def button(page: Any, twin_button: Any, selector: str, expect: Callable[[], list]) -> Step:
    target = page.locator(f".ok-workbench {selector}")

    def in_twin() -> list[tuple[str, str]]:
        click(twin_button)
        return expect()

    return Step(in_twin, target.click)


def open_from_today(page: Any, twin: Any, row: int) -> Step:
    grid = twin.today.grids["must_ship"]
    cell = page.locator(
        ".ok-workbench .ok-today-must_ship table.dataTable tbody tr td:first-child"
    ).nth(row)

    def in_twin() -> list[tuple[str, str]]:
        from_frontend(grid, {"selected_rows": [row]})
        return [(HEADER, twin.card.order_id)]

    return Step(in_twin, cell.click)


def untimed(page: Any, step: Step) -> None:
    """Run ``step`` in the twin and the page without timing it; wait until the page caught up."""
    expect = step.twin()
    step.act()
    if expect:
        settle(page, expect)


def run_all(page: Any, twin: Any, repeat: int, quiet_ms: int, trace: bool = False) -> list[Figures]:
    """Measure every interaction ``repeat`` times after a warm-up run; return the figures."""
    results: list[Figures] = []
    report_header()

    def series(
        label: str, steps: Callable[[int], Step], between: Callable[[], None] = lambda: None
    ) -> None:
        figures = Figures(label)
        for i in range(repeat + 1):
            measure(page, steps(i), figures if i else None, quiet_ms)
            between()
        results.append(figures)
        report_line(figures)
        if trace:
            print_trace(figures)

    must_ship = list(twin.today.view.lists()["must_ship"]["order_id"])
    emails = list(search_steps(page, twin, repeat + 1, set(must_ship)))
    series("search an email → order card", lambda i: emails[i])
    untimed(page, query(page, twin, ""))
    series("'Due today' on/off → grid rows", lambda _: toggle_due_today(page, twin))
    if twin.explorer.due_today.value:
        untimed(page, toggle_due_today(page, twin))
    if not must_ship:
        raise RuntimeError("Today lists no order to ship on the sample: nothing to open")
    series(
        "open from Today → order card", lambda i: open_from_today(page, twin, i % len(must_ship))
    )
    explorer = twin.explorer
    series(
        "explorer next page → grid rows",
        lambda _: button(
            page, explorer.next_button, ".ok-explorer-next", lambda: explorer_shows(twin)
        ),
        lambda: untimed(
            page,
            button(page, explorer.prev_button, ".ok-explorer-prev", lambda: explorer_shows(twin)),
        ),
    )
    series(
        "Today's Refresh → kernel idle",
        lambda _: button(page, twin.today.refresh_button, ".ok-today-refresh", lambda: []),
    )
    return results


# -- reporting --------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def _median(values: list[float], width: int, digits: int = 0) -> str:
    return f"{statistics.median(values):{width}.{digits}f}" if values else f"{'—':>{width}}"


def report_header() -> None:
    """Print the table's header."""
    head = (
        f"{'interaction':<34} {'shown ms: median':>16} {'p95':>6} {'max':>6}  {'settled':>7} "
        f"{'1st msg':>7} {'answered':>8} {'blocked':>7}  {'kernel':>6} {'msgs':>4} {'kB out':>6}  {'frames':>6} {'kB in':>6}"
        "  target"
    )
    print(head)
    print("-" * len(head), flush=True)


def report_line(f: Figures) -> None:
    """Print one interaction's medians (and p95 and max of *shown*)."""
    if f.shown_ms:
        shown = f"{_median(f.shown_ms, 16)} {pct(f.shown_ms, 0.95):6.0f} {max(f.shown_ms):6.0f}"
        verdict = "met" if statistics.median(f.shown_ms) < TARGET_MS else "MISSED"
    else:
        shown, verdict = f"{'—':>16} {'—':>6} {'—':>6}", "—"
    print(
        f"{f.label:<34} {shown}  {_median(f.settled_ms, 7)} "
        f"{_median(f.first_ms, 7)} {_median(f.answered_ms, 8)} {_median(f.blocked_ms, 7)}  "
        f"{_median(f.kernel_ms, 6, 1)} {_median(f.kernel_msgs, 4)} "
        f"{statistics.median(f.kernel_bytes) / 1000:6.1f}  {_median(f.frames, 6)} "
        f"{statistics.median(f.frame_bytes) / 1000:6.1f}  {verdict}",
        flush=True,
    )


def print_trace(f: Figures) -> None:
    """Print the first timed run's websocket messages (ms after the input) and *shown*."""
    shown = f"{f.trace_shown:.0f} ms" if f.trace_shown is not None else "—"
    print(f"    first timed run: shown at {shown}; messages from the kernel:")
    for t, size, kind in f.trace:
        print(f"    {t:8.1f} ms {size:7d} B  {kind}")


def profile_twin(twin: Any) -> None:
    """Print where the kernel's time goes for the three targeted interactions (cProfile)."""
    orders = twin.book.orders
    counts = orders["buyer_email"].value_counts()
    email = orders[orders["buyer_email"].map(counts) == 1]["buyer_email"].iloc[0]
    actions = {
        "search an email": lambda: from_frontend(twin.explorer.query, {"value": email}),
        "clear the search": lambda: from_frontend(twin.explorer.query, {"value": ""}),
        "'Due today' on": lambda: from_frontend(twin.explorer.due_today, {"value": True}),
        "'Due today' off": lambda: from_frontend(twin.explorer.due_today, {"value": False}),
        "open from Today": lambda: from_frontend(
            twin.today.grids["must_ship"], {"selected_rows": [1]}
        ),
    }
    profiler = cProfile.Profile()
    for _ in range(5):
        for act in actions.values():
            profiler.runcall(act)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    print("\n### cProfile of the kernel side (5 rounds of: " + ", ".join(actions) + ")")
    print(out.getvalue())


# -- servers and browser ------------------------------------------------------------------------
def write_app(directory: Path) -> Path:
    """Write the app notebook (one cell showing the workbench) into ``directory``."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(APP_SOURCE)]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    path = directory / "bench_app.ipynb"
    nbformat.write(notebook, path)
    return path


def voila(app: Path, env: dict[str, str], log_dir: Path) -> contextlib.AbstractContextManager:
    """A Voila server on ``app`` (stopped, with its kernel, on exit)."""
    port = free_port()
    args = [
        "voila", app.name, "--template=orderkit", "--no-browser", f"--port={port}",
        "--Voila.ip=127.0.0.1", "--Voila.port_retries=0", "--VoilaConfiguration.show_tracebacks=True",
    ]  # fmt: skip
    server = start_server("voila-bench", args, cwd=app.parent, env=env, log_dir=log_dir, port=port)
    # probing "/" would start a kernel: any answer from a static file means Voila is up
    return _serving(server, "/voila/static/extension.js")


def offline_page(browser: Any, blocked: list[str]) -> Any:
    """A page that blocks (and records) every non-local request and counts websocket frames."""
    context = browser.new_context(viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo")
    context.set_default_timeout(STEP_TIMEOUT_MS)

    def route(r: Any) -> None:
        if is_local(r.request.url):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort("blockedbyclient")

    context.route("**/*", route)
    page = context.new_page()
    page.add_init_script(WS_HOOK)
    return page


def lab(app: Path, env: dict[str, str], log_dir: Path) -> contextlib.AbstractContextManager:
    """A JupyterLab server on ``app``'s folder (no token, no news, every cell in the DOM)."""
    port = free_port()
    state = log_dir / "lab"
    args = [
        "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.port_retries=0",
        "--ServerApp.ip=127.0.0.1", "--IdentityProvider.token=",
        f"--ServerApp.root_dir={app.parent}",
        f"--LabServerApp.user_settings_dir={_lab_settings(state)}",
        f"--LabServerApp.workspaces_dir={state / 'workspaces'}", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.expose_app_in_browser=True", "--ServerApp.terminals_enabled=False",
        *(["--allow-root"] if os.geteuid() == 0 else []),
    ]  # fmt: skip
    return _serving(
        start_server("jupyterlab", args, cwd=app.parent, env=env, log_dir=log_dir, port=port),
        "/api",
    )


@contextlib.contextmanager
def _serving(server: Server, probe: str) -> Iterator[Server]:
    try:
        server.wait_ready(probe)
        yield server
    finally:
        server.stop()


def open_voila(page: Any, server: Server, app: Path) -> None:
    """Load the Voila app (Voila runs the notebook)."""
    page.goto(server.url + "/", wait_until="domcontentloaded", timeout=LOAD_TIMEOUT_MS)


def open_lab(page: Any, server: Server, app: Path) -> None:
    """Open the app notebook in JupyterLab and run it."""
    open_notebook(page, server.url, app.name)
    run_cells(page)


#: Where the workbench is measured: how a server starts and how the page shows the workbench.
TARGETS = {"voila": (voila, open_voila), "lab": (lab, open_lab)}


def measure_in(where: str, browser: Any, home: Path, app: Path, args: argparse.Namespace) -> None:
    """Serve the app in ``where`` ("voila" or "lab"), open it, and measure every interaction."""
    from orderkit.widgets import Workbench

    serve, show = TARGETS[where]
    twin_dir = home / f"twin-{where}"
    twin_dir.mkdir()
    twin = Workbench.from_store(twin_dir / "orderkit-store.sqlite")
    env = isolated_env(home, home / f"store-{where}" / "orderkit-store.sqlite")
    (home / f"store-{where}").mkdir()
    blocked: list[str] = []
    with serve(app, env, home) as server:
        page = offline_page(browser, blocked)
        try:
            started = time.perf_counter()
            show(page, server, app)
            page.locator(
                ".ok-workbench .ok-today-must_ship table.dataTable tbody tr"
            ).first.wait_for(timeout=LOAD_TIMEOUT_MS)
            print(
                f"\n## {where}: workbench drawn {time.perf_counter() - started:.1f} s after "
                f"opening; {args.repeat} timed runs each (after one warm-up); "
                f"target {TARGET_MS:.0f} ms\n"
            )
            run_all(page, twin, args.repeat, args.quiet_ms, args.trace)
        finally:
            page.context.close()
    print(f"\nnon-local requests blocked: {len(blocked)}", *sorted(set(blocked)), sep="\n  ")
    if args.profile:
        profile_twin(twin)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed runs per interaction")
    parser.add_argument("--quiet-ms", type=int, default=400, help="quiet that ends 'settled'")
    parser.add_argument("--profile", action="store_true", help="cProfile the kernel side")
    parser.add_argument(
        "--trace", action="store_true", help="list each interaction's websocket messages"
    )
    parser.add_argument("--lab", action="store_true", help="measure in JupyterLab too")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing (scripts/system-deps.sh installs it)")
    from playwright.sync_api import sync_playwright

    from orderkit import sample

    load_start = os.getloadavg()
    print(f"# Browser latency (headless chromium), {os.cpu_count()} cores")
    print(f"load average at start: {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}")
    print(
        f"sample book: {len(sample.book())} orders, shown at {sample.DEFAULT_NOW:%Y-%m-%d %H:%M %Z}"
    )
    install_json_comm()
    with (
        tempfile.TemporaryDirectory(prefix="orderkit-browserbench-") as tmp,
        sync_playwright() as pw,
    ):
        home = Path(tmp)
        app = write_app(home)
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            env=isolated_env(home, home / "unused.sqlite"),
        )  # fmt: skip
        try:
            for where in ("voila", "lab") if args.lab else ("voila",):
                measure_in(where, browser, home, app, args)
        finally:
            browser.close()
    load_end = os.getloadavg()
    print(f"\nload average at end: {load_end[0]:.2f} {load_end[1]:.2f} {load_end[2]:.2f}")
    print(LEGEND.format(quiet=args.quiet_ms))


if __name__ == "__main__":
    main()
