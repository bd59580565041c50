"""Real-browser fixtures: a JupyterLab server, Voila servers and Playwright's chromium.

Everything runs against a temporary copy of ``notebooks/`` with every Jupyter, IPython and
Chromium directory pointed at a temporary home, so a run never touches the repository or ``$HOME``.
Pages block every request that does not go to 127.0.0.1/localhost: the workbench must work offline.
What was blocked is recorded and listed at the end of the run (and in
``artifacts/screenshots/blocked-requests.txt``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from labhelpers import (
    APPS,
    BLOCKED,
    JS_ERRORS,
    NOTEBOOKS,
    PAGES,
    SCREENSHOTS,
    isolated_env,
    open_notebook,
    run_all,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
SERVER_START_TIMEOUT_S = 120
SERVER_STOP_TIMEOUT_S = 15
VIEWPORT = {"width": 1400, "height": 1000}


# -- environment ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium: skipped without it, except on CI where it must be installed."""
    if CHROMIUM.exists():
        return CHROMIUM
    message = (
        f"{CHROMIUM} is missing (install it with scripts/system-deps.sh: apt-get install chromium)"
    )
    if os.environ.get("CI"):
        pytest.fail(f"browser tests need {message}", pytrace=False)
    pytest.skip(f"browser tests need {message}")


@pytest.fixture(scope="session")
def browser_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary home for Jupyter, IPython, Chromium and the order store."""
    return tmp_path_factory.mktemp("browser-home")


@pytest.fixture(scope="session")
def server_env(browser_home: Path) -> dict[str, str]:
    """Environment for servers and kernels: every per-user directory inside ``browser_home``."""
    return isolated_env(browser_home, browser_home / "orderkit-store.sqlite")


@pytest.fixture(scope="session")
def notebook_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``notebooks/`` (and ``apps/`` inside it): running them never modifies the
    repository."""
    target = tmp_path_factory.mktemp("notebooks") / "notebooks"
    ignore = shutil.ignore_patterns(".ipynb_checkpoints")
    shutil.copytree(NOTEBOOKS, target, ignore=ignore)
    if APPS.exists():
        shutil.copytree(APPS, target / "apps", ignore=ignore)
    return target


@pytest.fixture(scope="session")
def screenshot() -> Callable[..., Path]:
    """``screenshot(page_or_locator, name)`` → ``artifacts/screenshots/<name>.png``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(target: object, name: str, **kwargs: object) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        target.screenshot(path=str(path), **kwargs)  # type: ignore[attr-defined]
        return path

    return take


# -- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """A server process started in its own session (so its kernels stop with it)."""

    name: str
    proc: subprocess.Popen[bytes]
    url: str
    log: Path
    extra: dict[str, object] = field(default_factory=dict)

    def log_tail(self, n: int = 60) -> str:
        """The last ``n`` lines of the server's log."""
        try:
            lines = self.log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])

    def wait_ready(self, probe: str, timeout: float = SERVER_START_TIMEOUT_S) -> None:
        """Wait until ``probe`` (a path under :attr:`url`) gets any HTTP answer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(self.url + probe, timeout=5):
                    return
            except urllib.error.HTTPError:
                return  # any HTTP answer means the server is up
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM the server's process group; SIGKILL it after a bounded wait."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=SERVER_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=SERVER_STOP_TIMEOUT_S)
        # kernels run in the same process group: make sure none outlives the server
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def api(self, method: str, path: str) -> object:
        """Call the server's REST API (token disabled); return the decoded JSON or None."""
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None


def start_server(
    name: str, args: list[str], *, cwd: Path, env: dict[str, str], log_dir: Path, port: int
) -> Server:
    """Start ``python -m <args>`` in a new session, logging to ``log_dir/<name>.log``."""
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", *args],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Server(name, proc, f"http://127.0.0.1:{port}", log)


def _lab_settings(root: Path) -> Path:
    """User settings: no news or update checks; every cell kept in the DOM (no windowing)."""
    settings = root / "settings"
    for plugin, values in {
        "@jupyterlab/apputils-extension/notification": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return settings


@pytest.fixture(scope="session")
def lab_server(
    chromium: Path, server_env: dict[str, str], notebook_dir: Path, browser_home: Path
) -> Iterator[Server]:
    """A JupyterLab server on a free port serving the copy of the notebooks (no token)."""
    port = free_port()
    lab_state = browser_home / "lab"
    args = [
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        "--ServerApp.ip=127.0.0.1",
        "--IdentityProvider.token=",
        f"--ServerApp.root_dir={notebook_dir}",
        f"--LabServerApp.user_settings_dir={_lab_settings(lab_state)}",
        f"--LabServerApp.workspaces_dir={lab_state / 'workspaces'}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.expose_app_in_browser=True",
        "--ServerApp.terminals_enabled=False",
    ]
    if os.geteuid() == 0:
        args.append("--allow-root")
    server = start_server(
        "jupyterlab", args, cwd=notebook_dir, env=server_env, log_dir=browser_home, port=port
    )
    try:
        server.wait_ready("/api")
        yield server
    finally:
        server.stop()


@pytest.fixture
def voila_server(
    chromium: Path, server_env: dict[str, str], notebook_dir: Path, browser_home: Path
) -> Iterator[Callable[[str], Server]]:
    """``voila_server("apps/playbook.ipynb")`` → a running Voila app of that notebook."""
    servers: list[Server] = []

    def start(notebook: str, *, store: Path | None = None) -> Server:
        """Start Voila on ``notebook``; ``store``: a store of its own (default: the shared one)."""
        if not (notebook_dir / notebook).exists():
            pytest.fail(f"notebooks/{notebook} does not exist", pytrace=False)
        port = free_port()
        args = [
            "voila",
            notebook,
            "--template=orderkit",
            "--no-browser",
            f"--port={port}",
            "--Voila.ip=127.0.0.1",
            "--Voila.port_retries=0",
            "--VoilaConfiguration.show_tracebacks=True",
        ]
        server = start_server(
            f"voila-{Path(notebook).stem}",
            args,
            cwd=notebook_dir,
            env=server_env if store is None else {**server_env, "ORDERKIT_STORE": str(store)},
            log_dir=browser_home,
            port=port,
        )
        servers.append(server)
        # probing "/" would start a kernel: any answer from a static file means Voila is up
        server.wait_ready("/voila/static/extension.js")
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


# -- browser ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(chromium: Path, server_env: dict[str, str]) -> Iterator[object]:
    """Headless Debian chromium through Playwright (never ``playwright install``).

    Playwright gives every launch a fresh, temporary user-data directory; ``TMPDIR`` and ``HOME``
    put it (and anything else chromium writes) inside the temporary home.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(chromium),
            headless=True,
            args=CHROMIUM_ARGS,
            env=server_env,
            timeout=60_000,
        )
        try:
            yield browser
        finally:
            browser.close()


def is_local(url: str) -> bool:
    """Whether ``url`` stays on this machine (or is inline data)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


def new_offline_page(browser: object, label: str) -> object:
    """A page in a fresh browser context that blocks (and records) every non-local request."""
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo"
    )
    context.set_default_timeout(60_000)

    def route(r: object) -> None:
        request = r.request  # type: ignore[attr-defined]
        if is_local(request.url):
            r.continue_()  # type: ignore[attr-defined]
        else:
            BLOCKED.append((label, request.method, request.url))
            r.abort("blockedbyclient")  # type: ignore[attr-defined]

    context.route("**/*", route)
    PAGES.append(label)
    page = context.new_page()
    page.on("pageerror", lambda exc: JS_ERRORS.append((label, f"pageerror: {exc}")))
    page.on(
        "console",
        lambda msg: (
            JS_ERRORS.append((label, f"console.{msg.type}: {msg.text}"))
            if msg.type == "error"
            else None
        ),
    )
    return page


@pytest.fixture
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A fresh page (own context) that lets only 127.0.0.1/localhost requests through."""
    p = new_offline_page(browser, request.node.name)
    try:
        yield p
    finally:
        p.context.close()  # type: ignore[attr-defined]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List what the offline pages blocked, and JavaScript errors, after the run."""
    if not PAGES:
        return  # no browser test ran
    lines = [f"{what}: {method} {url}" for what, method, url in BLOCKED]
    errors = [f"{what}: {text}" for what, text in JS_ERRORS]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "blocked-requests.txt").write_text("\n".join(lines) + "\n")
    (SCREENSHOTS / "js-errors.txt").write_text("\n".join(errors) + "\n")
    terminalreporter.section("browser: non-local requests blocked")
    if not BLOCKED:
        terminalreporter.write_line("none")
    hosts: dict[str, int] = {}
    for _, _, url in BLOCKED:
        host = urlsplit(url).hostname or url
        hosts[host] = hosts.get(host, 0) + 1
    for host, n in sorted(hosts.items()):
        terminalreporter.write_line(f"{n:4d} x {host}")
    if errors:
        terminalreporter.write_line(
            f"{len(errors)} JavaScript errors: see {SCREENSHOTS}/js-errors.txt"
        )


# -- notebooks run in JupyterLab, shared by the tests that look at them -----------------------


@dataclass
class LabRun:
    """A notebook opened in JupyterLab and run top to bottom (its page stays open)."""

    name: str
    page: Any
    cells: list[Any]
    seconds: float


@pytest.fixture(scope="session")
def lab_notebook(
    browser: object, lab_server: Server, notebook_dir: Path
) -> Iterator[Callable[[str], LabRun]]:
    """``lab_notebook("01_quickstart.ipynb")`` → that notebook run in JupyterLab (once a session).

    The run is shared: the test of the whole notebook and the tests of its widgets use one page and
    one kernel, which keeps the suite within its time budget on two cores.
    """
    runs: dict[str, LabRun | BaseException] = {}

    def get(name: str) -> LabRun:
        if name not in runs:
            if not (notebook_dir / name).exists():
                pytest.fail(f"notebooks/{name} does not exist", pytrace=False)
            page = new_offline_page(browser, f"lab:{name}")
            started = time.monotonic()
            try:
                open_notebook(page, lab_server.url, name)
                cells = run_all(page)
            except Exception as exc:
                runs[name] = exc
                with contextlib.suppress(Exception):
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(SCREENSHOTS / f"lab-{Path(name).stem}-FAILED-run.png"))
                raise
            runs[name] = LabRun(name, page, cells, time.monotonic() - started)
        run = runs[name]
        if isinstance(run, BaseException):
            pytest.fail(f"running {name} in JupyterLab failed earlier: {run}", pytrace=False)
        return run

    try:
        yield get
    finally:
        for run in runs.values():
            if isinstance(run, LabRun):
                with contextlib.suppress(Exception):
                    run.page.context.close()
