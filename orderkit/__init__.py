"""orderkit: order operations for an Amazon.co.jp seller, by the rules of the Manage Orders FAQ.

The front door. Everything a notebook or a user needs is importable from here; submodules
(``orderkit.io``, ``orderkit.metrics``, ``orderkit.charts``, ``orderkit.widgets``,
``orderkit.sample``, ``orderkit.store``) are imported on first use.

>>> import orderkit as ok
>>> ok.OrderStatus.PENDING.ja
'保留中'
>>> callable(ok.simulate) and ok.Scenario().days
90
>>> callable(ok.sweep)
True
"""

from __future__ import annotations

import importlib
from typing import Any

from orderkit.actions import Action, available, make_event
from orderkit.advice import Advice, Situation, advise
from orderkit.book import OrderBook, OrderView
from orderkit.businessdays import JST, BusinessCalendar
from orderkit.errors import (
    ConfirmationError,
    DuplicateRowError,
    InvalidDefinition,
    InvalidOrderId,
    OrderkitError,
    OrderNotFound,
    ReportFormatError,
    StoreError,
    TransitionNotAllowed,
    UnencodableText,
)
from orderkit.events import Actor, CancelReason, Channel, Event, EventKind, Origin, ReturnReason
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.rules import RULES, Rule
from orderkit.simulate import Scenario, simulate
from orderkit.state import OrderState
from orderkit.status import OrderStatus
from orderkit.sweep import sweep

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_POLICY",
    "JST",
    "RULES",
    "Action",
    "Actor",
    "Advice",
    "BusinessCalendar",
    "CancelReason",
    "Channel",
    "ConfirmationError",
    "DuplicateRowError",
    "Event",
    "EventKind",
    "InvalidDefinition",
    "InvalidOrderId",
    "OrderBook",
    "OrderNotFound",
    "OrderState",
    "OrderStatus",
    "OrderView",
    "OrderkitError",
    "Origin",
    "Policy",
    "ReportFormatError",
    "ReturnReason",
    "Rule",
    "Scenario",
    "Situation",
    "Store",
    "StoreError",
    "TransitionNotAllowed",
    "UnencodableText",
    "advise",
    "available",
    "make_event",
    "simulate",
    "sweep",
]

# Heavier parts load on first use (``orderkit.io``, ``orderkit.widgets``, ...). ``orderkit.simulate``
# and ``orderkit.sweep`` are the functions; their modules are in ``sys.modules`` under the same
# names (``from orderkit.simulate import Scenario`` works as usual). Both are imported here, before
# anyone else can import them: importing a submodule binds the package's attribute to the module
# only the first time, and the function is bound after that.
_LAZY_MODULES = {
    "io", "metrics", "charts", "widgets", "sample", "store", "training", "display", "reconcile",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        return importlib.import_module(f"orderkit.{name}")
    if name == "Store":  # SQLAlchemy loads on first use
        from orderkit.store import Store

        globals()["Store"] = Store
        return Store
    raise AttributeError(f"module 'orderkit' has no attribute {name!r}")
