"""``orderkit sync``: one incremental sync for cron or a systemd timer.

One runner at a time: the command takes an exclusive lock on a file beside the store
(``<store>.sync.lock``; for a database URL, in the temporary directory) and a second run exits at
once with :data:`EXIT_LOCKED`, saying so. Each run logs one line (``orderkit sync ok: …`` or
``orderkit sync FAILED: …`` — the line to alert on) and exits non-zero on failure. No secret is
logged: credentials come from the environment or the keyring and are never printed.

Exit codes: 0 ok; 1 the sync failed (API, store); 75 another sync holds the lock (EX_TEMPFAIL);
78 no credentials (EX_CONFIG); 2 bad arguments.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import logging
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final, TextIO

__all__ = ["EXIT_CONFIG", "EXIT_FAILED", "EXIT_LOCKED", "lock_path", "main"]

EXIT_FAILED: Final = 1
EXIT_LOCKED: Final = 75
EXIT_CONFIG: Final = 78
log = logging.getLogger("orderkit.sync")


def lock_path(store_url: str) -> Path:
    """Return the lock file of the syncs of ``store_url`` (beside a SQLite file)."""
    if store_url.startswith("sqlite:///") and len(store_url) > len("sqlite:///"):
        return Path(store_url[len("sqlite:///") :] + ".sync.lock")
    digest = hashlib.sha256(store_url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"orderkit-sync-{digest}.lock"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="orderkit", description="orderkit from the command line")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sync", help="fetch the orders updated since the last sync into the store")
    s.add_argument("--store", help="a SQLite file or a database URL (default: $ORDERKIT_STORE)")
    s.add_argument("--endpoint", help="the SP-API URL (default: $ORDERKIT_SPAPI_ENDPOINT or FE)")
    s.add_argument(
        "--since", type=dt.datetime.fromisoformat, help="first sync: from (ISO 8601, with offset)"
    )
    s.add_argument("--version", choices=("2026-01-01", "v0"), default="2026-01-01")
    s.add_argument("--no-pii", action="store_true", help="do not ask for buyer and recipient")
    return p


def _sync(args: argparse.Namespace) -> int:
    from orderkit.clock import SystemClock
    from orderkit.errors import OrderkitError
    from orderkit.io.files import LockHeld, exclusive_lock
    from orderkit.sellercentral import CredentialsMissing, SellerCentral
    from orderkit.store import Store

    store_arg = args.store
    url = store_arg if store_arg and "://" in store_arg else None
    try:
        store = Store(url, path=None if url else store_arg)
    except OrderkitError as exc:
        log.error("orderkit sync FAILED: %s", exc)
        return EXIT_FAILED
    try:
        with exclusive_lock(lock_path(store.url)), store:
            client = SellerCentral(
                args.endpoint, version=args.version, clock=SystemClock(), pii=not args.no_pii
            )
            with client:
                result = client.sync(store, since=args.since)
    except LockHeld as exc:
        log.warning("orderkit sync skipped: another sync is running (lock %s)", exc.filename)
        return EXIT_LOCKED
    except CredentialsMissing as exc:
        log.error("orderkit sync FAILED: %s", exc)
        return EXIT_CONFIG
    except (OrderkitError, ValueError) as exc:
        log.error("orderkit sync FAILED: %s", exc)
        return EXIT_FAILED
    log.info("orderkit sync ok: %s", result.describe())
    return 0


def main(argv: Sequence[str] | None = None, *, stream: TextIO | None = None) -> int:
    """Run the ``orderkit`` command; return its exit code (see the module docstring)."""
    args = _parser().parse_args(argv)
    logging.basicConfig(
        stream=stream or sys.stderr,
        level=os.environ.get("ORDERKIT_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(message)s",
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per sync, not per request
    return _sync(args)


def run() -> None:
    """The console script's entry point: exit with :func:`main`'s code."""
    sys.exit(main())


if __name__ == "__main__":
    run()
