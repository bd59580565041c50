"""Order statuses and the transition table between them.

The table is data (:data:`TRANSITIONS`): for each status, the triggers it accepts and the status each
leads to. It is checked once, at import, by small pure functions over the graph
(:func:`check_definition`): exactly one initial status, no way out of a terminal status, every
status reachable from the initial one, and every status able to reach a terminal one. A table that
fails raises :class:`~orderkit.errors.InvalidDefinition`.

>>> OrderStatus.PENDING.ja
'保留中'
>>> TRANSITIONS[OrderStatus.PENDING][Trigger.PAYMENT_COMPLETED]
<OrderStatus.UNSHIPPED: 'Unshipped'>
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from enum import StrEnum

from orderkit.errors import InvalidDefinition
from orderkit.i18n import N_, _

__all__ = [
    "INITIAL",
    "TRANSITIONS",
    "Diagram",
    "OrderStatus",
    "Trigger",
    "check_definition",
    "diagram",
    "mermaid",
    "transition_table",
]


class OrderStatus(StrEnum):
    """An order's status, spelled as SP-API Orders v0 spells it.

    Each member has a label in each language (:meth:`label`, as Seller Central shows it) and
    predicates.
    """

    PENDING_AVAILABILITY = "PendingAvailability"
    PENDING = "Pending"
    UNSHIPPED = "Unshipped"
    PARTIALLY_SHIPPED = "PartiallyShipped"
    SHIPPED = "Shipped"
    INVOICE_UNCONFIRMED = "InvoiceUnconfirmed"
    CANCELED = "Canceled"
    UNFULFILLABLE = "Unfulfillable"

    @property
    def en(self) -> str:
        """The English label."""
        return _LABELS[self]

    @property
    def ja(self) -> str:
        """The Japanese label."""
        return self.label("ja")

    def label(self, lang: str = "en") -> str:
        """Return the label in ``lang`` (``en``, ``ja``, ``zh-Hans``), as Seller Central shows it.

        Raises:
            ValueError: an unknown language.
        """
        return _(_LABELS[self], lang)

    @property
    def is_terminal(self) -> bool:
        """Whether no transition leads out of this status."""
        return not TRANSITIONS.get(self)

    @property
    def is_pending(self) -> bool:
        """Whether payment is not yet settled: such an order must not be dispatched."""
        return self in (OrderStatus.PENDING, OrderStatus.PENDING_AVAILABILITY)

    @property
    def can_ship(self) -> bool:
        """Whether a shipment may be confirmed in this status."""
        return Trigger.SHIPMENT_COMPLETE in TRANSITIONS.get(self, {})

    @property
    def is_canceled(self) -> bool:
        """Whether the order is canceled."""
        return self is OrderStatus.CANCELED


_LABELS: dict[OrderStatus, str] = {
    OrderStatus.PENDING_AVAILABILITY: N_("Pending availability (pre-order)"),
    OrderStatus.PENDING: N_("Pending"),
    OrderStatus.UNSHIPPED: N_("Unshipped"),
    OrderStatus.PARTIALLY_SHIPPED: N_("Partially shipped"),
    OrderStatus.SHIPPED: N_("Shipped"),
    OrderStatus.INVOICE_UNCONFIRMED: N_("Invoice unconfirmed"),
    OrderStatus.CANCELED: N_("Canceled"),
    OrderStatus.UNFULFILLABLE: N_("Unfulfillable"),
}


class Trigger(StrEnum):
    """What moves an order from one status to another.

    Most triggers are event kinds of the same name. A confirmed shipment is one event kind,
    ``shipment_confirmed``, that triggers ``shipment_partial`` or ``shipment_complete`` depending
    on whether every item is now confirmed in full.
    """

    AWAITING_RELEASE = "awaiting_release"
    RELEASED = "released"
    PAYMENT_COMPLETED = "payment_completed"
    PAYMENT_EXPIRED = "payment_expired"
    CANCELED = "canceled"
    SHIPMENT_PARTIAL = "shipment_partial"
    SHIPMENT_COMPLETE = "shipment_complete"
    INVOICE_PENDING = "invoice_pending"
    INVOICE_CONFIRMED = "invoice_confirmed"
    UNFULFILLABLE = "unfulfillable"


S, T = OrderStatus, Trigger

#: Every order starts here: placed, payment not yet authorised.
INITIAL: OrderStatus = S.PENDING

#: status → {trigger → next status}. A status with no entry is terminal.
TRANSITIONS: Mapping[OrderStatus, Mapping[Trigger, OrderStatus]] = {
    S.PENDING: {
        T.PAYMENT_COMPLETED: S.UNSHIPPED,
        T.PAYMENT_EXPIRED: S.CANCELED,
        T.CANCELED: S.CANCELED,
        T.AWAITING_RELEASE: S.PENDING_AVAILABILITY,
    },
    S.PENDING_AVAILABILITY: {
        T.RELEASED: S.PENDING,
        T.CANCELED: S.CANCELED,
    },
    S.UNSHIPPED: {
        T.SHIPMENT_PARTIAL: S.PARTIALLY_SHIPPED,
        T.SHIPMENT_COMPLETE: S.SHIPPED,
        T.CANCELED: S.CANCELED,
        T.INVOICE_PENDING: S.INVOICE_UNCONFIRMED,
        T.UNFULFILLABLE: S.UNFULFILLABLE,
    },
    S.PARTIALLY_SHIPPED: {
        T.SHIPMENT_PARTIAL: S.PARTIALLY_SHIPPED,
        T.SHIPMENT_COMPLETE: S.SHIPPED,
    },
    S.INVOICE_UNCONFIRMED: {
        T.INVOICE_CONFIRMED: S.SHIPPED,
    },
    S.SHIPPED: {},
    S.CANCELED: {},
    S.UNFULFILLABLE: {},
}
del S, T


# ---- checks made once at import: each a small pure function over the graph ------------------

Table = Mapping[OrderStatus, Mapping[Trigger, OrderStatus]]


def _states(table: Table) -> set[OrderStatus]:
    return set(table) | {dst for row in table.values() for dst in row.values()}


def _reachable(table: Table, start: OrderStatus) -> set[OrderStatus]:
    seen, queue = {start}, deque([start])
    while queue:
        for dst in table.get(queue.popleft(), {}).values():
            if dst not in seen:
                seen.add(dst)
                queue.append(dst)
    return seen


def check_initial(table: Table, initial: object) -> None:
    """Raise ``InvalidDefinition`` unless ``initial`` is exactly one status of the table."""
    if not isinstance(initial, OrderStatus):
        raise InvalidDefinition(f"exactly one initial status expected, got {initial!r}")
    if initial not in table:
        raise InvalidDefinition(f"initial status {initial} has no row in the table")


def check_terminal_states_are_final(table: Table, terminal: set[OrderStatus]) -> None:
    """Raise ``InvalidDefinition`` if a declared terminal status has a way out."""
    leaking = sorted(s for s in terminal if table.get(s))
    if leaking:
        raise InvalidDefinition(f"terminal statuses with a way out: {leaking}")


def check_all_reachable(table: Table, initial: OrderStatus) -> None:
    """Raise ``InvalidDefinition`` if some status cannot be reached from ``initial``."""
    unreachable = sorted(_states(table) - _reachable(table, initial))
    if unreachable:
        raise InvalidDefinition(f"statuses unreachable from {initial}: {unreachable}")


def check_all_can_end(table: Table) -> None:
    """Raise ``InvalidDefinition`` if some status cannot reach a terminal status."""
    terminal = {s for s in _states(table) if not table.get(s)}
    stuck = sorted(s for s in _states(table) if not (_reachable(table, s) & terminal))
    if stuck:
        raise InvalidDefinition(f"statuses from which no terminal status can be reached: {stuck}")


def check_definition(
    table: Table,
    initial: object,
    *,
    terminal: set[OrderStatus] | None = None,
) -> None:
    """Run every check on a transition table; raise ``InvalidDefinition`` on the first failure.

    Args:
        table: status → {trigger → next status}.
        initial: the one status orders start in.
        terminal: statuses declared final (default: those with no outgoing row).

    """
    check_initial(table, initial)
    if terminal is not None:
        check_terminal_states_are_final(table, terminal)
    check_all_reachable(table, initial)
    check_all_can_end(table)


check_definition(
    TRANSITIONS,
    INITIAL,
    terminal={OrderStatus.SHIPPED, OrderStatus.CANCELED, OrderStatus.UNFULFILLABLE},
)


# ---- renderings ------------------------------------------------------------------------------


def transition_table(lang: str = "en") -> list[dict[str, str]]:
    """Return the table as rows ``{"from", "trigger", "to"}``, labels in ``lang``.

    >>> transition_table()[0]
    {'from': 'Pending', 'trigger': 'payment_completed', 'to': 'Unshipped'}
    """
    return [
        {"from": src.label(lang), "trigger": str(trig), "to": dst.label(lang)}
        for src, row in TRANSITIONS.items()
        for trig, dst in row.items()
    ]


def mermaid(lang: str = "en") -> str:
    """Return the table as a Mermaid ``stateDiagram-v2``, with labels in ``lang``.

    >>> print(mermaid().splitlines()[1])
        [*] --> Pending
    """
    lines = ["stateDiagram-v2", f"    [*] --> {INITIAL.value}"]
    for status in OrderStatus:
        if status.label(lang) != status.value:
            lines.append(f"    {status.value} : {status.label(lang)}")
    for src, row in TRANSITIONS.items():
        for trig, dst in row.items():
            lines.append(f"    {src.value} --> {dst.value} : {trig.value}")
    lines += [f"    {s.value} --> [*]" for s in OrderStatus if s.is_terminal]
    return "\n".join(lines)


class Diagram:
    """The state diagram as a notebook shows it: Mermaid in Markdown (JupyterLab draws it)."""

    def __init__(self, lang: str = "en") -> None:
        self.lang = lang

    def __str__(self) -> str:
        return mermaid(self.lang)

    def __repr__(self) -> str:
        return mermaid(self.lang)

    def _repr_markdown_(self) -> str:
        return f"```mermaid\n{mermaid(self.lang)}\n```"


def diagram(lang: str = "en") -> Diagram:
    """Return the transition table as a diagram that renders in JupyterLab (Mermaid)."""
    return Diagram(lang)
