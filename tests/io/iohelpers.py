"""Shared paths and instants of the io tests (a plain module: tests/conftest.py is the conftest)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

DATA = Path(__file__).parent.parent / "data"
REPORTS = DATA / "reports"
SPAPI = DATA / "spapi"
LATER = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
