"""Shipment confirmations out through Orders v0 ``confirmShipment`` (current, not deprecated).

The confirmations are the ones the upload file takes (:class:`orderkit.io.Confirmation`, dicts or
a frame), checked by the same rules with the ``"api"`` rule set
(:func:`orderkit.io.confirmation.validate_confirmations`: a tracking number and a package
reference id required). If any is refused, nothing is sent. The lines are grouped into one
request per order and package (``packageDetail`` with its ``orderItems``), the body built from the
exact texts the rules checked.

A dry run (the default) returns the requests that would be sent. A real send needs the store: it
first skips every package the store's ``orderkit_sent`` says went already (so sending again never
confirms an order twice), sends the rest one by one, records each result as it comes back (``ok``
or Amazon's error code), and records each confirmed shipment in the order's history as an action
event (origin ``action``, source ``spapi``). A failure of one order does not stop the others; the
result says which went and which did not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from orderkit.actions import Action, make_event
from orderkit.businessdays import JST, to_jst
from orderkit.errors import ConfirmationError, OrderkitError

# The one place the rules are applied and the checked texts made (what is sent is what was checked).
from orderkit.io.confirmation import _as_confirmations, _checked
from orderkit.sellercentral.client import Transport
from orderkit.sellercentral.errors import ApiError

__all__ = ["ConfirmRequest", "ConfirmResult", "Failure", "run_confirm"]

_SOURCE: Final = "spapi"
_NOON: Final = dt.time(12, 0)  # a past ship date without a time: noon of that day in Japan


@dataclass(frozen=True, slots=True)
class ConfirmRequest:
    """One ``confirmShipment`` call: an order's package and the exact body sent."""

    order_id: str
    package_reference_id: str
    body: Mapping[str, Any]

    @property
    def lines(self) -> list[tuple[str, int]]:
        """Return ``(order item id, quantity)`` of the package."""
        return [(i["orderItemId"], i["quantity"]) for i in self.body["packageDetail"]["orderItems"]]


@dataclass(frozen=True, slots=True)
class Failure:
    """A request Amazon refused (or that failed after the retries): its code and message."""

    request: ConfirmRequest
    code: str
    message: str


@dataclass(frozen=True)
class ConfirmResult:
    """What a confirmation run did (or, dry, would do).

    Attributes:
        dry_run: nothing was sent.
        requests: every request, in order: what would be / was sent.
        sent: the requests Amazon accepted (204).
        failed: the requests refused or failed, with Amazon's code and message.
        skipped: the requests not sent because the store says they went already.
        problems: the confirmations the rules refuse (then nothing is sent at all).
        not_recorded: accepted requests whose action event could not be recorded (the store
            refused it: the message says why); Amazon has them all the same.
    """

    dry_run: bool
    requests: tuple[ConfirmRequest, ...] = ()
    sent: tuple[ConfirmRequest, ...] = ()
    failed: tuple[Failure, ...] = ()
    skipped: tuple[ConfirmRequest, ...] = ()
    problems: tuple[ConfirmationError, ...] = ()
    not_recorded: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether every request went (or, dry, could be sent): no problem, no failure."""
        return not self.problems and not self.failed

    def describe(self) -> str:
        """Return a short English account (which orders went, which did not)."""
        if self.problems:
            return f"nothing sent: {len(self.problems)} confirmation(s) refused: {self.problems[0]}"
        if self.dry_run:
            return f"dry run: {len(self.requests)} request(s) would be sent"
        went = ", ".join(r.order_id for r in self.sent) or "none"
        lines = [f"sent {len(self.sent)}: {went}"]
        lines += [f"failed {f.request.order_id}: {f.code} {f.message}" for f in self.failed]
        if self.skipped:
            lines.append(f"skipped (sent before): {', '.join(r.order_id for r in self.skipped)}")
        return "\n".join(lines)


def _ship_date(text: str, original: Any, at: dt.datetime) -> str:
    """Return the API's ``shipDate``: the confirmation's time, else noon JST of its day (≤ at)."""
    if isinstance(original, dt.datetime) and original.tzinfo is not None:
        when = original
    else:
        day = dt.date.fromisoformat(text)
        when = (
            min(dt.datetime.combine(day, _NOON, tzinfo=JST), at) if day < to_jst(at).date() else at
        )
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_requests(
    confirmations: Any, *, book: Any, at: dt.datetime, marketplace: str
) -> tuple[list[ConfirmRequest], list[ConfirmationError]]:
    """Return the requests of ``confirmations`` (one per order and package), or their problems."""
    rows, problems = _checked(confirmations, book=book, at=at, target="api")
    if problems:
        return [], problems
    originals = _as_confirmations(confirmations)
    packages: dict[tuple[str, str], dict[str, Any]] = {}
    for fields, raw in zip(rows, originals, strict=True):
        key = (fields["order-id"], fields["package-reference-id"])
        detail = packages.setdefault(
            key,
            {
                "packageReferenceId": fields["package-reference-id"],
                "carrierCode": fields["carrier-code"],
                "carrierName": fields["carrier-name"] or None,
                "shippingMethod": fields["ship-method"] or None,
                "trackingNumber": fields["tracking-number"],
                "shipDate": _ship_date(fields["ship-date"], raw.get("ship_date"), at),
                "orderItems": [],
            },
        )
        detail["orderItems"].append(
            {"orderItemId": fields["order-item-id"], "quantity": int(fields["quantity"])}
        )
    requests = [
        ConfirmRequest(
            oid,
            ref,
            {
                "marketplaceId": marketplace,
                "packageDetail": {k: v for k, v in detail.items() if v is not None},
            },
        )
        for (oid, ref), detail in packages.items()
    ]
    return requests, []


def _went(store: Any, rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Return (order id, package reference id) of every package the store says went."""
    if store is None or not rows:
        return set()
    sent = store.sent({str(r.get("order_id")) for r in rows})
    ok = sent[sent["result"] == "ok"]
    return set(zip(ok["order_id"], ok["package_reference_id"], strict=True))


def _rows(request: ConfirmRequest, at: dt.datetime, result: str, message: str | None) -> list:
    pkg = request.body["packageDetail"]
    return [
        {
            "order_id": request.order_id,
            "order_item_id": item,
            "quantity": qty,
            "package_reference_id": request.package_reference_id,
            "tracking_number": pkg.get("trackingNumber"),
            "carrier": pkg.get("carrierCode"),
            "sent_at": at,
            "result": result,
            "message": message,
        }
        for item, qty in request.lines
    ]


def _record_action(store: Any, request: ConfirmRequest, at: dt.datetime) -> str | None:
    """Record the confirmed shipment in the order's history; return why not, or ``None``."""
    pkg = request.body["packageDetail"]
    left = dt.datetime.fromisoformat(pkg["shipDate"].replace("Z", "+00:00"))
    try:
        for item, qty in request.lines:
            store.record(
                make_event(
                    Action.CONFIRM_SHIPMENT,
                    request.order_id,
                    at=at,
                    order_item_id=item,
                    quantity=qty,
                    carrier=pkg.get("carrierCode"),
                    tracking_number=pkg.get("trackingNumber"),
                    shipped_at=left if left < at else None,
                    source=_SOURCE,
                )
            )
    except OrderkitError as exc:  # said in the result: Amazon has the confirmation regardless
        return f"{request.order_id}: {exc}"
    return None


def run_confirm(
    transport: Transport | None,
    confirmations: Iterable[Any] | Any,
    *,
    store: Any,
    book: Any,
    at: dt.datetime,
    marketplace: str,
    dry_run: bool,
) -> ConfirmResult:
    """Check, then (unless ``dry_run``) send the confirmations; see the module docstring.

    Raises:
        ValueError: a real send without a store (its results must be recorded), or ``at`` naive.

    """
    if not dry_run and store is None:
        raise ValueError("a real send needs the store, to record what went and never send twice")
    rows = _as_confirmations(confirmations)
    went = _went(store, rows)
    done = [(str(r.get("order_id")), str(r.get("package_reference_id"))) in went for r in rows]
    fresh = [r for r, d in zip(rows, done, strict=True) if not d]
    # What went already is not checked against the book (it shows those items shipped now).
    skipped = build_requests(
        [r for r, d in zip(rows, done, strict=True) if d], book=None, at=at, marketplace=marketplace
    )[0]
    requests, problems = build_requests(fresh, book=book, at=at, marketplace=marketplace)
    if problems or dry_run:
        return ConfirmResult(
            dry_run, tuple(requests), skipped=tuple(skipped), problems=tuple(problems)
        )
    assert transport is not None
    sent, failed, not_recorded = [], [], []
    for request in requests:
        path = f"/orders/v0/orders/{request.order_id}/shipmentConfirmation"
        try:
            transport.call("confirmShipment", "POST", path, json=dict(request.body))
        except ApiError as exc:
            failed.append(Failure(request, exc.code or str(exc.status), exc.detail))
            store.record_sent(_rows(request, at, exc.code or str(exc.status), exc.detail))
            continue
        store.record_sent(_rows(request, at, "ok", None))
        sent.append(request)
        why = _record_action(store, request, at)
        if why is not None:
            not_recorded.append(why)
    return ConfirmResult(
        False, tuple(requests), tuple(sent), tuple(failed), tuple(skipped), (), tuple(not_recorded)
    )
