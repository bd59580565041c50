from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

DATA = Path(__file__).parent.parent / "data"
REPORTS = DATA / "reports"
SPAPI = DATA / "spapi"
LATER = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def all_orders() -> Path:
    return REPORTS / "all_orders.txt"


@pytest.fixture
def unshipped() -> Path:
    return REPORTS / "unshipped_cp932.txt"


@pytest.fixture
def order_report() -> Path:
    return REPORTS / "order_report_bom.txt"
