"""A real PostgreSQL server for the store tests, and the ``url`` of a fresh store on each database.

A plain module whose fixtures ``conftest.py`` imports, so that every store test module shares one
server per test session.

The PostgreSQL tests (marked ``postgres``) start a throwaway server with pytest-postgresql from
Debian's binaries (``/usr/lib/postgresql/*/bin``). PostgreSQL refuses to run as root, so when the
tests run as root the server is started as the ``postgres`` user and pytest-postgresql connects to
it with its no-process fixture. Without the binaries the tests are skipped, saying why (under CI,
which installs PostgreSQL and must test it, they fail instead).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile

import pytest
from pytest_postgresql import factories

_PG_BINS = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
PG_BIN = _PG_BINS[-1] if _PG_BINS else None
AS_ROOT = os.geteuid() == 0


def free_port() -> int:
    """Return a free port below the ephemeral range (32768+), where kernels and servers started
    later in the same test run (nbval, JupyterLab) cannot take it between collection and use."""
    for port in range(25432, 26432):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 25432-26431 for the test PostgreSQL server")


def _cannot_start(reason: str) -> None:
    """Skip with the reason — or fail under CI, which installs PostgreSQL and must test it."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must test the store on PostgreSQL, but {reason}")
    pytest.skip(reason)


_ROOT_PORT = free_port()

orderkit_pg_proc = factories.postgresql_proc(
    executable=f"{PG_BIN}/pg_ctl" if PG_BIN else "pg_ctl", host="127.0.0.1"
)
orderkit_pg_noproc = factories.postgresql_noproc(host="127.0.0.1", port=_ROOT_PORT, user="postgres")
orderkit_pg = factories.postgresql("orderkit_pg_proc")
orderkit_pg_as_root = factories.postgresql("orderkit_pg_noproc")


@pytest.fixture(scope="session")
def _pg_server_as_postgres_user():
    """Start PostgreSQL as the ``postgres`` OS user (for test runs as root); stop it at the end."""
    if shutil.which("runuser") is None:
        _cannot_start("running as root and runuser is missing: cannot start PostgreSQL as postgres")
    base = tempfile.mkdtemp(prefix="orderkit-pg-")
    shutil.chown(base, "postgres")
    data = os.path.join(base, "data")

    def as_postgres(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *args], capture_output=True, text=True, timeout=120
        )

    try:
        done = as_postgres(f"{PG_BIN}/initdb", "-D", data, "-A", "trust", "-U", "postgres")
        if done.returncode:
            _cannot_start(f"initdb failed: {done.stderr.strip()[-300:]}")
        opts = f"-p {_ROOT_PORT} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
        done = as_postgres(
            f"{PG_BIN}/pg_ctl", "-D", data, "-l", f"{base}/log", "-o", opts, "-w", "start"
        )
        if done.returncode:
            _cannot_start(f"PostgreSQL did not start: {done.stderr.strip()[-300:]}")
        yield
    finally:
        as_postgres(f"{PG_BIN}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(request):
    """The URL of a fresh database on a real PostgreSQL server (dropped after the test)."""
    if PG_BIN is None:
        _cannot_start("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    if AS_ROOT:
        request.getfixturevalue("_pg_server_as_postgres_user")
        conn = request.getfixturevalue("orderkit_pg_as_root")
    else:
        conn = request.getfixturevalue("orderkit_pg")
    info = conn.info
    return f"postgresql://{info.user}@{info.host}:{info.port}/{info.dbname}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    """A new, empty store's URL: a SQLite file, and a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return request.getfixturevalue("pg_url")
