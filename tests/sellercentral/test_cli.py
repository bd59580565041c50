"""``orderkit sync``: one runner at a time, a line to alert on, exit codes."""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import sys

import pytest

from orderkit.clock import SystemClock
from orderkit.sellercentral.cli import EXIT_FAILED, EXIT_LOCKED, lock_path, main


def _env(fake_secrets, endpoint):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERKIT_")}
    env.update(
        ORDERKIT_LWA_REFRESH_TOKEN=fake_secrets[0],
        ORDERKIT_LWA_CLIENT_ID=fake_secrets[1],
        ORDERKIT_LWA_CLIENT_SECRET=fake_secrets[2],
        ORDERKIT_SPAPI_ENDPOINT=endpoint,
        PYTHONPATH=os.pathsep.join(sys.path),
    )
    return env


def _run(args, env):
    return subprocess.run(
        [sys.executable, "-m", "orderkit.sellercentral.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_second_sync_exits_at_once_while_one_holds_the_lock(tmp_path, fake_secrets):
    path = tmp_path / "store.sqlite"
    lock = lock_path(f"sqlite:///{path}")
    with open(lock, "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the first runner, in this process
        done = _run(["sync", "--store", str(path)], _env(fake_secrets, "http://127.0.0.1:9"))
    assert done.returncode == EXIT_LOCKED
    assert "another sync is running" in done.stderr
    assert not any(s in done.stderr + done.stdout for s in fake_secrets)


def test_a_sync_logs_one_line_and_moves_the_watermark(tmp_path, fake_secrets, documents):
    from orderkit.sellercentral import Sandbox
    from orderkit.store import Store

    path = tmp_path / "store.sqlite"
    with Sandbox(documents=documents, clock=SystemClock(), credentials=fake_secrets) as sb:
        done = _run(
            ["sync", "--store", str(path), "--since", "2026-09-01T00:00:00+09:00"],
            _env(fake_secrets, sb.url),
        )
    assert done.returncode == 0, done.stderr
    assert [line for line in done.stderr.splitlines() if "orderkit sync ok" in line]
    with Store(path=path) as store:
        assert store.sync_state("orders:A1VC38T7YXB528")["watermark"]
        assert len(store.load().orders) == len(documents)


def test_a_failed_sync_exits_non_zero_with_a_line_to_alert_on(
    tmp_path, fake_secrets, monkeypatch, caplog
):
    for key, value in _env(fake_secrets, "http://127.0.0.1:9").items():
        monkeypatch.setenv(key, value)
    caplog.set_level(logging.INFO)
    code = main(["sync", "--store", str(tmp_path / "store.sqlite")])
    assert code == EXIT_FAILED
    failed = [r for r in caplog.records if r.getMessage().startswith("orderkit sync FAILED")]
    assert len(failed) == 1 and failed[0].levelno == logging.ERROR


def test_without_credentials_the_sync_says_which_settings_are_missing(
    tmp_path, monkeypatch, caplog
):
    for key in list(os.environ):
        if key.startswith("ORDERKIT_"):
            monkeypatch.delenv(key)
    monkeypatch.setattr("orderkit.sellercentral.credentials._from_keyring", lambda backend: {})
    caplog.set_level(logging.INFO)
    code = main(["sync", "--store", str(tmp_path / "store.sqlite")])
    assert code == 78
    assert "ORDERKIT_LWA_REFRESH_TOKEN" in caplog.text


@pytest.mark.parametrize("url", ["sqlite:////var/x/store.sqlite", "postgresql://db/orders"])
def test_the_lock_file_is_one_per_store(url):
    assert lock_path(url) == lock_path(url) and lock_path(url) != lock_path(url + "2")
