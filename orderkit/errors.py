"""The exceptions orderkit raises.

Every error orderkit raises on purpose is an :class:`OrderkitError`, so a notebook or a widget can
catch the whole family in one place and show its message::

    OrderkitError                  anything orderkit refuses, on purpose
    ├── InvalidDefinition          the transition table itself is wrong (a programmer's bug)
    ├── TransitionNotAllowed       the rules forbid this event for this order now (a user's situation)
    ├── OrderNotFound              no order with that id in the book
    ├── InvalidOrderId             not an Amazon order number (3-7-7 digits)
    ├── ReportFormatError          a malformed report: file, line, column, value, what was expected
    │   └── DuplicateRowError      a row repeating an earlier row field for field (read once)
    ├── ConfirmationError          a shipping confirmation the upload file must not carry
    ├── UnencodableText            a character the file's encoding cannot hold: order, column, character
    └── StoreError                 the event store refused a write (nothing was changed)

``TransitionNotAllowed`` and ``ConfirmationError`` carry the :class:`~orderkit.rules.Rule` that
refuses, so the rule can be shown in English or Japanese; tests check these attributes, not the
message text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from orderkit.rules import Rule

__all__ = [
    "ConfirmationError",
    "DuplicateRowError",
    "InvalidDefinition",
    "InvalidOrderId",
    "OrderNotFound",
    "OrderkitError",
    "ReportFormatError",
    "StoreError",
    "TransitionNotAllowed",
    "UnencodableText",
]


class OrderkitError(Exception):
    """Base class of every error orderkit raises on purpose."""


class InvalidDefinition(OrderkitError):
    """The transition table breaks one of the checks made at import."""


class TransitionNotAllowed(OrderkitError):
    """An event that the FAQ's rules forbid for this order at this moment.

    Attributes:
        order_id: the Amazon order id.
        status: the order's status when the event was refused.
        event: the refused :class:`~orderkit.events.Event`.
        rule: the :class:`~orderkit.rules.Rule` that forbids it.
        detail: the facts of this order that made the rule apply (English).

    """

    def __init__(
        self, order_id: str, status: Any, event: Any, rule: Rule, detail: str = ""
    ) -> None:
        self.order_id = order_id
        self.status = status
        self.event = event
        self.rule = rule
        self.detail = detail
        kind = getattr(event, "kind", event)
        text = f"{order_id} ({status}): {kind} is not allowed. {rule.en}"
        if detail:
            text += f" ({detail})"
        super().__init__(text)

    def explain(self, lang: str = "en") -> str:
        """Return the refusal in a support person's words, in ``lang`` (``en``, ``ja``, ``zh-Hans``)."""
        return self.rule.text(lang)


class OrderNotFound(OrderkitError, KeyError):
    """No order with that id in the book."""

    def __init__(self, order_id: str) -> None:
        self.order_id = order_id
        super().__init__(f"no order {order_id!r} in this book")

    def __str__(self) -> str:
        return str(self.args[0])


class InvalidOrderId(OrderkitError, ValueError):
    """A string that is not an Amazon order number (3-7-7 digits, e.g. 503-1234567-1234567)."""

    def __init__(self, value: str) -> None:
        self.value = value
        super().__init__(
            f"{value!r} is not an Amazon order number (3-7-7 digits, e.g. 503-1234567-1234567)"
        )


class ReportFormatError(OrderkitError, ValueError):
    """A malformed report: where it is, what was there and what was expected.

    Attributes:
        path: the file (or a description of the source).
        line: 1-based line number in the file, or ``None`` for the whole file.
        column: the column name (or ``None``).
        value: the offending value as read.
        expected: what a valid value looks like.

    """

    def __init__(
        self,
        path: str,
        line: int | None,
        column: str | None,
        value: object,
        expected: str,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.value = value
        self.expected = expected
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: got {value!r}; expected {expected}")


class DuplicateRowError(ReportFormatError):
    """A report row that repeats an earlier row field for field; the reader counts it once.

    Listed in ``book.problems`` so that an analyst can compare the two lines.

    Attributes:
        line: the repeating row's 1-based line.
        first_line: the line of the row it repeats.

    """

    def __init__(
        self, path: str, line: int, first_line: int, column: str | None, value: object
    ) -> None:
        self.first_line = first_line
        super().__init__(
            path,
            line,
            column,
            value,
            f"each row once: this row repeats line {first_line} field for field, so it is read"
            " once",
        )


class ConfirmationError(OrderkitError, ValueError):
    """A shipping confirmation refused before anything is written.

    Attributes:
        index: position of the confirmation in the input.
        order_id: its order id.
        rule: the :class:`~orderkit.rules.Rule` it breaks.
        detail: the facts that break it.

    """

    def __init__(self, index: int, order_id: str, rule: Rule, detail: str) -> None:
        self.index = index
        self.order_id = order_id
        self.rule = rule
        self.detail = detail
        super().__init__(f"confirmation #{index} ({order_id}): {detail}. {rule.en}")


class UnencodableText(OrderkitError, ValueError):
    """A character that the target encoding cannot hold; nothing was written.

    Attributes:
        path: the file that was not written.
        encoding: the target encoding (e.g. ``"cp932"``).
        character: the character, e.g. ``"😀"``; ``code_point`` gives ``"U+1F600"``.
        order_id: the order of the row that holds it, or ``None`` outside a table of orders.
        column: the column that holds it, or ``None`` when it is not known.
        line: the 1-based line of the file it would have been written to, or ``None``.

    """

    def __init__(
        self,
        path: str,
        encoding: str,
        character: str,
        *,
        order_id: str | None = None,
        column: str | None = None,
        line: int | None = None,
    ) -> None:
        self.path = path
        self.encoding = encoding
        self.character = character
        self.order_id = order_id
        self.column = column
        self.line = line
        where = str(path)
        if line is not None:
            where += f", line {line}"
        if order_id is not None:
            where += f", order {order_id}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(
            f"{where}: {character!r} ({self.code_point}) has no {encoding} form; nothing was"
            " written (pass unencodable='replace' to write a substitute instead)"
        )

    @property
    def code_point(self) -> str:
        """Return the character's code point(s) as ``U+XXXX``."""
        return " ".join(f"U+{ord(c):04X}" for c in self.character)


class StoreError(OrderkitError):
    """The event store refused a write; nothing stored was changed."""
