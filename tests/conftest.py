"""Fixtures shared by the core tests (builders live in ``orderbuilders``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from orderbuilders import T0, build_book
from pgserver import (  # noqa: F401 (fixtures: one PostgreSQL server for every store test)
    _pg_server_as_postgres_user,
    orderkit_pg,
    orderkit_pg_as_root,
    orderkit_pg_noproc,
    orderkit_pg_proc,
    pg_url,
    url,
)

from orderkit import OrderBook


@pytest.fixture
def make_book() -> Callable[..., OrderBook]:
    """The :func:`build_book` factory."""
    return build_book


@pytest.fixture
def paid_book() -> OrderBook:
    """A seller-fulfilled card order paid an hour after it was placed (ship by Thu 5 Nov JST:
    Tue 3 Nov is Culture Day)."""
    return build_book(paid=T0 + dt.timedelta(hours=1))
