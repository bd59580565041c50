"""A local Selling Partner API for tests, demos and training: the sample book in Amazon's shapes.

``Sandbox(book)`` starts an HTTP server on ``127.0.0.1`` (a free port) in a thread; ``sb.url``
is its base URL, usable as both the SP-API endpoint and the LWA token endpoint
(``<url>/auth/o2/token``). It serves, faithful to the models of
``amzn/selling-partner-api-models`` (``orders_2026-01-01.json``, ``ordersV0.json``,
``tokens_2021-03-01.json``):

========================================================  ==========================================
``POST /auth/o2/token``                                   LWA: a refresh token → an access token
                                                          that expires after ``token_ttl`` seconds
``GET /orders/2026-01-01/orders``                         searchOrders (``includedData``, pages
                                                          with ``pagination.nextToken``, 24 h)
``GET /orders/2026-01-01/orders/{orderId}``               getOrder
``GET /orders/v0/orders``                                 getOrders (PII only with an RDT)
``GET /orders/v0/orders/{orderId}``                       getOrder (v0)
``GET /orders/v0/orders/{orderId}/orderItems``            getOrderItems
``POST /tokens/2021-03-01/restrictedDataToken``           createRestrictedDataToken
``POST /orders/v0/orders/{orderId}/shipmentConfirmation``  confirmShipment: 204, or 400 with errors
========================================================  ==========================================

Every operation is limited by ``rate_plan`` (a token bucket per operation, the documented plan by
default): a request beyond it gets 429 ``QuotaExceeded`` with ``x-amzn-RateLimit-Limit``. With
``fail_every=n`` every n-th API request gets 503. ``sb.requests`` logs every request (time,
operation, status) so tests can measure what a client did. ``sb.documents`` holds each order's
2026-01-01 document: a test may change one (a malformed value, a status) to see what a client does.

The book is shown as it stands at the sandbox's clock when it starts (the sample's own instant for
the sample book). A confirmed shipment updates the order (status, quantities, last update).

Run ``python -m orderkit.sellercentral.sandbox --port 8765`` for a demo server.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Final
from urllib.parse import parse_qs, urlsplit

import pandas as pd

from orderkit.book import OrderBook
from orderkit.clock import ClockLike, SystemClock, as_clock, clock_for
from orderkit.sellercentral.credentials import JP
from orderkit.sellercentral.ratelimit import DOCUMENTED, RatePlan, TokenBucket

__all__ = ["JP", "Sandbox", "SandboxRequest", "order_documents"]

log = logging.getLogger("orderkit.sellercentral.sandbox")

_STATUS_2026: Final = {
    "PendingAvailability": "PENDING_AVAILABILITY",
    "Pending": "PENDING",
    "Unshipped": "UNSHIPPED",
    "PartiallyShipped": "PARTIALLY_SHIPPED",
    "Shipped": "SHIPPED",
    "InvoiceUnconfirmed": "SHIPPED",
    "Canceled": "CANCELLED",
    "Unfulfillable": "UNFULFILLABLE",
}
_STATUS_V0: Final = {
    "PENDING_AVAILABILITY": "PendingAvailability",
    "PENDING": "Pending",
    "UNSHIPPED": "Unshipped",
    "PARTIALLY_SHIPPED": "PartiallyShipped",
    "SHIPPED": "Shipped",
    "CANCELLED": "Canceled",
    "UNFULFILLABLE": "Unfulfillable",
}
_PAYMENT: Final = {"card": "CreditCard", "cod": "COD", "cvs": "CVS", "points": "PointsAccount"}
_CANCELLED_BY: Final = {"buyer": "BUYER", "seller": "MERCHANT", "amazon": "AMAZON"}
#: Event kinds that change what the Orders API shows (so its ``lastUpdatedTime``).
_UPDATES: Final = frozenset(
    {
        "placed",
        "payment_completed",
        "awaiting_release",
        "released",
        "shipment_confirmed",
        "canceled",
        "payment_expired",
        "unfulfillable",
        "invoice_pending",
        "refunded",
    }
)
_TOKEN_LIFE: Final = dt.timedelta(hours=24)  # a pagination token's
_SETTLE: Final = dt.timedelta(minutes=2)  # lastUpdatedBefore must be this far in the past
#: includedData value → the keys it adds to an order (and to each of its items).
_INCLUDED: Final = {
    "BUYER": ("buyer",),
    "RECIPIENT": ("recipient",),
    "PROCEEDS": ("proceeds",),
    "FULFILLMENT": ("fulfillment",),
    "CANCELLATION": ("cancellation",),
    "PAYMENT": ("payment",),
}
_ALWAYS: Final = ("orderId", "createdTime", "lastUpdatedTime", "programs", "salesChannel")
_ITEM_ALWAYS: Final = ("orderItemId", "quantityOrdered", "product")


def _iso(ts: Any) -> str | None:
    if ts is None or pd.isna(ts):
        return None
    return pd.Timestamp(ts).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(yen: Any) -> dict[str, str] | None:
    if yen is None or pd.isna(yen):
        return None
    return {"amount": str(int(yen)), "currencyCode": "JPY"}


def _absent(value: Any) -> bool:
    return value is None or (not isinstance(value, dict | list | str) and bool(pd.isna(value)))


def _clean(obj: Any) -> Any:
    """Drop absent values and empty objects (the API leaves absent fields out)."""
    if isinstance(obj, dict):
        out = {k: _clean(v) for k, v in obj.items() if not _absent(v)}
        return {k: v for k, v in out.items() if v != {}}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    return obj


def _shipped(book: OrderBook, oid: str, status: str, items: pd.DataFrame, at: dt.datetime) -> dict:
    if status == "SHIPPED":
        return dict(zip(items["order_item_id"], items["quantity"], strict=True))
    if status != "PARTIALLY_SHIPPED":
        return {}
    state = book.order(oid).state(at=at)
    return {k: q - state.remaining.get(k, 0) for k, q in state.ordered.items()}


def order_documents(book: OrderBook, at: dt.datetime) -> dict[str, dict[str, Any]]:
    """Return each order of ``book`` placed by ``at`` as an Orders 2026-01-01 ``Order`` document.

    Every included-data part is present (buyer, recipient, proceeds, fulfillment, payment, the
    items' cancellation); :class:`Sandbox` leaves out what a request does not ask for.
    """
    from orderkit import metrics

    fleet = metrics.status_at(book, at)
    ev = book.events
    ev = ev[ev["kind"].isin(_UPDATES) & (ev["at"] <= pd.Timestamp(at))]
    last = ev.groupby("order_id")["at"].max()
    cancels = ev[ev["kind"] == "canceled"].groupby("order_id")["actor"].last()
    items_by = dict(tuple(book.items.groupby("order_id", sort=False)))
    docs: dict[str, dict[str, Any]] = {}
    for o in book.orders[book.orders["order_id"].isin(fleet.index)].itertuples(index=False):
        status = _STATUS_2026[str(fleet.at[o.order_id, "status"])]
        items = items_by.get(o.order_id, book.items.iloc[:0])
        shipped = _shipped(book, o.order_id, status, items, at)
        by = _CANCELLED_BY.get(str(cancels.get(o.order_id))) if status == "CANCELLED" else None
        lines = [_item(it, shipped.get(it.order_item_id, 0), by) for it in items.itertuples()]
        total = sum(int(x) for it in lines for x in _item_total(it))
        docs[o.order_id] = _order(o, status, last.get(o.order_id, o.purchase_date), lines, total)
    return docs


def _item(it: Any, shipped: int, cancelled_by: str | None) -> dict[str, Any]:
    breakdowns = [
        {"type": kind, "subtotal": _money(getattr(it, col))}
        for kind, col in (
            ("ITEM", "item_price"),
            ("TAX", "item_tax"),
            ("SHIPPING", "shipping_price"),
        )
        if not pd.isna(getattr(it, col))
    ]
    unit = None if pd.isna(it.item_price) else int(it.item_price) // max(int(it.quantity), 1)
    return _clean(
        {
            "orderItemId": it.order_item_id,
            "quantityOrdered": int(it.quantity),
            "product": {
                "asin": it.asin,
                "title": it.product_name,
                "sellerSku": it.sku,
                "price": {"unitPrice": _money(unit)},
            },
            "proceeds": {"breakdowns": breakdowns} if breakdowns else None,
            "fulfillment": {
                "quantityFulfilled": int(shipped),
                "quantityUnfulfilled": int(it.quantity) - int(shipped),
            },
            "cancellation": {"cancellationExecution": {"cancelledBy": cancelled_by}}
            if cancelled_by
            else None,
        }
    )


def _item_total(item: Mapping[str, Any]) -> list[str]:
    return [
        b["subtotal"]["amount"]
        for b in item.get("proceeds", {}).get("breakdowns", [])
        if b["type"] in ("ITEM", "SHIPPING")
    ]


def _order(o: Any, status: str, last: Any, items: list, total: int) -> dict[str, Any]:
    programs = [
        p
        for p, on in (("PRIME", o.is_prime), ("AMAZON_BUSINESS", o.is_business_order))
        if on is True
    ]
    return _clean(
        {
            "orderId": o.order_id,
            "createdTime": _iso(o.purchase_date),
            "lastUpdatedTime": _iso(last),
            "programs": programs,
            "salesChannel": {
                "channelName": "AMAZON",
                "marketplaceId": JP,
                "marketplaceName": "Amazon.co.jp",
            },
            "buyer": {
                "buyerName": o.buyer_name,
                "buyerEmail": o.buyer_email,
                "buyerPurchaseOrderNumber": o.purchase_order_number,
            },
            "recipient": {
                "deliveryAddress": {
                    "name": o.recipient_name,
                    "addressLine1": o.ship_address_1,
                    "addressLine2": o.ship_address_2,
                    "addressLine3": o.ship_address_3,
                    "city": o.ship_city,
                    "stateOrRegion": o.ship_state,
                    "postalCode": o.ship_postal_code,
                    "countryCode": o.ship_country,
                    "phone": o.buyer_phone,
                }
            },
            "proceeds": {"grandTotal": _money(total)} if total else None,
            "payment": {"paymentExecutions": [{"paymentMethod": _PAYMENT.get(o.payment_method)}]}
            if o.payment_method in _PAYMENT
            else None,
            "fulfillment": {
                "fulfillmentStatus": status,
                "fulfilledBy": "AMAZON" if o.fulfillment_channel == "AFN" else "MERCHANT",
                "fulfillmentServiceLevel": o.ship_service_level,
                "shipByWindow": {
                    "earliestDateTime": _iso(o.earliest_ship_date),
                    "latestDateTime": _iso(o.latest_ship_date),
                },
                "deliverByWindow": {"latestDateTime": _iso(o.latest_delivery_date)},
            },
            "orderItems": items,
        }
    )


def _project(doc: Mapping[str, Any], included: set[str]) -> dict[str, Any]:
    """Return ``doc`` with only the parts ``includedData`` asks for."""
    keys = {k for name in included for k in _INCLUDED.get(name, ())}
    out = {k: doc[k] for k in (*_ALWAYS, *sorted(keys)) if k in doc}
    out["orderItems"] = [
        {k: it[k] for k in it if k in _ITEM_ALWAYS or k in keys} for it in doc.get("orderItems", [])
    ]
    return out


def _v0_money(money: Mapping[str, str] | None) -> dict[str, str] | None:
    return (
        None
        if money is None
        else {"CurrencyCode": money["currencyCode"], "Amount": money["amount"]}
    )


def _v0_order(doc: Mapping[str, Any], *, pii: bool) -> dict[str, Any]:
    f = doc.get("fulfillment", {})
    items = doc.get("orderItems", [])
    method = (doc.get("payment", {}).get("paymentExecutions") or [{}])[0].get("paymentMethod")
    addr = doc.get("recipient", {}).get("deliveryAddress", {})
    buyer = doc.get("buyer", {})
    shipped = sum(it.get("fulfillment", {}).get("quantityFulfilled", 0) for it in items)
    ordered = sum(it["quantityOrdered"] for it in items)
    return _clean(
        {
            "AmazonOrderId": doc["orderId"],
            "PurchaseDate": doc["createdTime"],
            "LastUpdateDate": doc["lastUpdatedTime"],
            "OrderStatus": _STATUS_V0[f["fulfillmentStatus"]],
            "FulfillmentChannel": "AFN" if f.get("fulfilledBy") == "AMAZON" else "MFN",
            "SalesChannel": "Amazon.co.jp",
            "OrderType": "StandardOrder",
            "ShipmentServiceLevelCategory": f.get("fulfillmentServiceLevel"),
            "EarliestShipDate": f.get("shipByWindow", {}).get("earliestDateTime"),
            "LatestShipDate": f.get("shipByWindow", {}).get("latestDateTime"),
            "LatestDeliveryDate": f.get("deliverByWindow", {}).get("latestDateTime"),
            "PaymentMethod": method if method in ("COD", "CVS") else "Other",
            "PaymentMethodDetails": [method] if method else None,
            "IsBusinessOrder": "AMAZON_BUSINESS" in doc.get("programs", []),
            "IsPrime": "PRIME" in doc.get("programs", []),
            "OrderTotal": _v0_money(doc.get("proceeds", {}).get("grandTotal")),
            "MarketplaceId": JP,
            "NumberOfItemsShipped": shipped,
            "NumberOfItemsUnshipped": ordered - shipped,
            # Without a Restricted Data Token v0 shows no buyer and only the address's region.
            "BuyerInfo": {
                "BuyerEmail": buyer.get("buyerEmail"),
                "BuyerName": buyer.get("buyerName"),
                "PurchaseOrderNumber": buyer.get("buyerPurchaseOrderNumber"),
            }
            if pii
            else None,
            "ShippingAddress": {
                **(
                    {
                        "Name": addr.get("name"),
                        "AddressLine1": addr.get("addressLine1"),
                        "AddressLine2": addr.get("addressLine2"),
                        "AddressLine3": addr.get("addressLine3"),
                        "Phone": addr.get("phone"),
                    }
                    if pii
                    else {}
                ),
                "City": addr.get("city"),
                "StateOrRegion": addr.get("stateOrRegion"),
                "PostalCode": addr.get("postalCode"),
                "CountryCode": addr.get("countryCode"),
            },
        }
    )


def _v0_item(it: Mapping[str, Any]) -> dict[str, Any]:
    sub = {b["type"]: b["subtotal"] for b in it.get("proceeds", {}).get("breakdowns", [])}
    return _clean(
        {
            "OrderItemId": it["orderItemId"],
            "ASIN": it.get("product", {}).get("asin"),
            "SellerSKU": it.get("product", {}).get("sellerSku"),
            "Title": it.get("product", {}).get("title"),
            "QuantityOrdered": it["quantityOrdered"],
            "QuantityShipped": it.get("fulfillment", {}).get("quantityFulfilled", 0),
            "ItemPrice": _v0_money(sub.get("ITEM")),
            "ItemTax": _v0_money(sub.get("TAX")),
            "ShippingPrice": _v0_money(sub.get("SHIPPING")),
        }
    )


@dataclass(frozen=True, slots=True)
class SandboxRequest:
    """One request the sandbox answered: when (monotonic seconds), which operation, the status."""

    at: float
    operation: str
    status: int


class _Reply(Exception):
    """An HTTP answer other than 200 (raised inside a handler, turned into the response)."""

    def __init__(
        self, status: int, code: str, message: str, headers: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body: dict[str, Any] = {"errors": [{"code": code, "message": message}]}
        self.headers = dict(headers or {})


def _bad(message: str) -> _Reply:
    return _Reply(400, "InvalidInput", message)


def _when(value: str | None, name: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        ts = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(f"{name} {value!r} is not an ISO 8601 date-time") from None
    if ts.tzinfo is None:
        raise _bad(f"{name} {value!r} has no offset")
    return ts


class Sandbox:
    """A local Selling Partner API serving ``book`` (the sample by default); see the module.

    Args:
        book: the orders to serve (default :func:`orderkit.sample.book`).
        page_size: the most orders per page (searchOrders and getOrders).
        rate_plan: the usage plan enforced (default: the documented one); ``RatePlan.unlimited()``
            switches limiting off.
        token_ttl: seconds an access token lives (by the sandbox's clock).
        fail_every: every n-th API request gets 503 (0: never).
        clock: the sandbox's *now* (default: the book's own clock, the sample's instant for the
            sample); tokens expire and orders change by it.
        credentials: ``(refresh_token, client_id, client_secret)`` accepted by the token
            endpoint (default: any non-empty values).
        port: the port (0: a free one).
        monotonic: the clock of the rate limits (real seconds by default).
        documents: serve these :func:`order_documents` (copied) instead of building them from
            ``book``.
    """

    def __init__(
        self,
        book: OrderBook | None = None,
        *,
        page_size: int = 100,
        rate_plan: RatePlan | None = None,
        token_ttl: float = 3600,
        fail_every: int = 0,
        clock: ClockLike | None = None,
        credentials: tuple[str, str, str] | None = None,
        port: int = 0,
        monotonic: Callable[[], float] = time.monotonic,
        documents: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        if book is None and documents is None:
            from orderkit import sample

            book = sample.book()
        if clock is not None:
            self.clock = as_clock(clock)
        else:
            self.clock = clock_for(book) if book is not None else SystemClock()
        if documents is not None:  # made once by order_documents, served many times (tests)
            self.documents = copy.deepcopy(dict(documents))
        else:
            self.documents = order_documents(book, self.clock.now())
        self.page_size = page_size
        self.rate_plan = rate_plan if rate_plan is not None else DOCUMENTED
        self.token_ttl = token_ttl
        self.fail_every = fail_every
        self.credentials = credentials
        self.requests: list[SandboxRequest] = []
        self._monotonic = monotonic
        self._buckets = {
            op: TokenBucket(lim, monotonic=monotonic)
            for op, lim in self.rate_plan.limits.items()
            if lim is not None
        }
        self._tokens: dict[str, tuple[dt.datetime, bool]] = {}  # token → (expiry, RDT)
        self._pages: dict[str, tuple[list[str], int, dt.datetime, str]] = {}
        self._confirmed: set[tuple[str, str]] = set()
        self._lock = threading.RLock()
        self._count = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Return the base URL (``http://127.0.0.1:<port>``)."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Sandbox:
        """Serve in a background thread; return the sandbox."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever, name="orderkit-sandbox", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<Sandbox {self.url} {len(self.documents)} orders>"

    def served(self, operation: str | None = None) -> list[SandboxRequest]:
        """Return the logged requests (of ``operation`` only, when given)."""
        with self._lock:
            return [r for r in self.requests if operation is None or r.operation == operation]

    # -- dispatch -------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sandbox = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # small replies, sent at once (no 40 ms stalls)

            def do_GET(self) -> None:
                sandbox._serve(self, "GET")

            def do_POST(self) -> None:
                sandbox._serve(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: the request log is sandbox.requests

        return Handler

    def _route(self, method: str, path: str) -> tuple[str, Callable[..., Any], str | None]:
        parts = path.strip("/").split("/")
        table = {
            ("POST", "auth/o2/token"): ("token", self._token),
            ("POST", "tokens/2021-03-01/restrictedDataToken"): (
                "createRestrictedDataToken",
                self._rdt,
            ),
            ("GET", "orders/2026-01-01/orders"): ("searchOrders", self._search),
            ("GET", "orders/v0/orders"): ("getOrders", self._get_orders),
        }
        key = (method, "/".join(parts))
        if key in table:
            return (*table[key], None)
        if method == "GET" and parts[:3] == ["orders", "2026-01-01", "orders"] and len(parts) == 4:
            return "getOrder", self._get_order, parts[3]
        if method == "GET" and parts[:3] == ["orders", "v0", "orders"] and len(parts) == 4:
            return "getOrder", self._get_order_v0, parts[3]
        if parts[:3] == ["orders", "v0", "orders"] and len(parts) == 5:
            if method == "GET" and parts[4] == "orderItems":
                return "getOrderItems", self._order_items, parts[3]
            if method == "POST" and parts[4] == "shipmentConfirmation":
                return "confirmShipment", self._confirm, parts[3]
        raise _Reply(404, "NotFound", f"no operation {method} {path}")

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        operation, status, headers, body = "unknown", 200, {}, None
        try:
            operation, work, arg = self._route(method, url.path)
            query = {k: v for k, v in parse_qs(url.query).items()}
            if operation != "token":
                headers = self._admit(operation, handler.headers.get("x-amz-access-token"))
            body = work(raw, query, handler.headers.get("x-amz-access-token"), arg)
            if body is None:
                status = 204
        except _Reply as reply:
            status, body, headers = reply.status, reply.body, {**headers, **reply.headers}
        except Exception as exc:  # a sandbox bug: answered as Amazon would, and logged in full
            log.exception("sandbox: %s %s failed", method, url.path)
            status, body = 500, {"errors": [{"code": "InternalFailure", "message": repr(exc)}]}
        with self._lock:
            self.requests.append(SandboxRequest(self._monotonic(), operation, status))
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("x-amzn-RequestId", secrets.token_hex(8))
        for k, v in headers.items():
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(data)

    def _admit(self, operation: str, token: str | None) -> dict[str, str]:
        """Check the access token, the injected failures and the rate limit of one API call."""
        limit = self.rate_plan.get(operation)
        headers = {} if limit is None else {"x-amzn-RateLimit-Limit": f"{limit.rate:g}"}
        with self._lock:
            self._count += 1
            count = self._count
            expiry = self._tokens.get(token or "", (None, False))[0]
        if expiry is None:
            raise _Reply(403, "Unauthorized", "Access to requested resource is denied.")
        if self.clock.now() >= expiry:
            raise _Reply(403, "Unauthorized", "The access token you provided has expired.")
        if self.fail_every and count % self.fail_every == 0:
            raise _Reply(503, "ServiceUnavailable", "Service temporarily unavailable.", headers)
        bucket = self._buckets.get(operation)
        if bucket is not None and not bucket.try_acquire():
            raise _Reply(
                429, "QuotaExceeded", "You exceeded your quota for the requested resource.", headers
            )
        return headers

    # -- operations -----------------------------------------------------------------------------
    def _new_token(self, prefix: str, rdt: bool) -> str:
        token = prefix + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = (self.clock.now() + dt.timedelta(seconds=self.token_ttl), rdt)
        return token

    def _token(self, raw: bytes, query: Any, token: str | None, arg: None) -> dict[str, Any]:
        form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        given = (form.get("refresh_token"), form.get("client_id"), form.get("client_secret"))
        if form.get("grant_type") != "refresh_token":
            raise _Reply(400, "unsupported_grant_type", "grant_type must be refresh_token")
        if not all(given) or (self.credentials is not None and given != self.credentials):
            # LWA's own shape: {"error": …, "error_description": …}
            reply = _Reply(400, "invalid_grant", "invalid grant")
            reply.body = {
                "error": "invalid_grant",
                "error_description": "The request has an invalid grant parameter : refresh_token",
            }
            raise reply
        access = self._new_token("Atza|sandbox-", rdt=False)
        return {"access_token": access, "token_type": "bearer", "expires_in": int(self.token_ttl)}

    def _rdt(self, raw: bytes, query: Any, token: str | None, arg: None) -> dict[str, Any]:
        try:
            resources = json.loads(raw or b"{}")["restrictedResources"]
            assert isinstance(resources, list) and resources
        except (ValueError, KeyError, AssertionError):
            raise _bad("restrictedResources is required") from None
        rdt = self._new_token("Atz.sprdt|sandbox-", rdt=True)
        return {"restrictedDataToken": rdt, "expiresIn": int(self.token_ttl)}

    def _window(self, query: Mapping[str, list[str]], names: tuple[str, ...]) -> list[str]:
        """Return the ids of the orders of a search, by last update (then id)."""
        after, before = (_when(query.get(n, [None])[0], n) for n in names[:2])
        if after is None:
            raise _bad(f"{names[0]} is required")
        now = self.clock.now()
        if before is not None and (before < after or before > now - _SETTLE):
            raise _bad(f"{names[1]} must be after {names[0]} and at least 2 minutes ago")
        before = before or now - _SETTLE
        with self._lock:
            found = [
                (d["lastUpdatedTime"], oid)
                for oid, d in self.documents.items()
                if after <= _when(d["lastUpdatedTime"], "lastUpdatedTime") <= before  # type: ignore[operator]
            ]
        return [oid for _, oid in sorted(found)]

    def _page(
        self, query: Mapping[str, list[str]], token_name: str, names: tuple[str, ...]
    ) -> tuple[list[str], str | None, str]:
        marketplaces = ",".join(query.get(names[2], [])).split(",")
        if JP not in marketplaces:
            raise _bad(f"{names[2]} must include {JP}")
        token = query.get(token_name, [None])[0]
        now = self.clock.now()
        if token is None:
            ids = self._window(query, names)
            before = query.get(names[1], [None])[0] or _iso(now - _SETTLE)
            offset, born = 0, now
        else:
            with self._lock:
                found = self._pages.get(token)
            if found is None or now - found[2] > _TOKEN_LIFE:
                raise _bad(f"{token_name} is invalid or has expired")
            ids, offset, born, before = found
        size = min(
            self.page_size,
            int(
                query.get("maxResultsPerPage", query.get("MaxResultsPerPage", [self.page_size]))[0]
            ),
        )
        page = ids[offset : offset + size]
        following = None
        if offset + size < len(ids):
            following = secrets.token_urlsafe(16)
            with self._lock:
                self._pages[following] = (ids, offset + size, born, before)
        return page, following, str(before)

    def _search(self, raw: bytes, query: Any, token: str | None, arg: None) -> dict[str, Any]:
        if "createdAfter" in query:
            raise _bad("the sandbox searches by lastUpdatedAfter only")
        ids, following, before = self._page(
            query, "paginationToken", ("lastUpdatedAfter", "lastUpdatedBefore", "marketplaceIds")
        )
        included = set(",".join(query.get("includedData", [])).split(","))
        with self._lock:
            orders = [_project(self.documents[oid], included) for oid in ids]
        body: dict[str, Any] = {"orders": orders, "lastUpdatedBefore": before}
        if following:
            body["pagination"] = {"nextToken": following}
        return body

    def _doc(self, order_id: str) -> dict[str, Any]:
        with self._lock:
            doc = self.documents.get(order_id)
        if doc is None:
            raise _Reply(404, "NotFound", f"no order {order_id}")
        return doc

    def _get_order(self, raw: bytes, query: Any, token: str | None, oid: str) -> dict[str, Any]:
        included = set(",".join(query.get("includedData", [])).split(","))
        return {"order": _project(self._doc(oid), included)}

    def _get_order_v0(self, raw: bytes, query: Any, token: str | None, oid: str) -> dict[str, Any]:
        with self._lock:
            pii = self._tokens.get(token or "", (None, False))[1]
        return {"payload": _v0_order(self._doc(oid), pii=pii)}

    def _get_orders(self, raw: bytes, query: Any, token: str | None, arg: None) -> dict[str, Any]:
        ids, following, before = self._page(
            query, "NextToken", ("LastUpdatedAfter", "LastUpdatedBefore", "MarketplaceIds")
        )
        with self._lock:
            pii = self._tokens.get(token or "", (None, False))[1]
            orders = [_v0_order(self.documents[oid], pii=pii) for oid in ids]
        payload: dict[str, Any] = {"Orders": orders, "LastUpdatedBefore": before}
        if following:
            payload["NextToken"] = following
        return {"payload": payload}

    def _order_items(self, raw: bytes, query: Any, token: str | None, oid: str) -> dict[str, Any]:
        doc = self._doc(oid)
        return {
            "payload": {
                "AmazonOrderId": oid,
                "OrderItems": [_v0_item(i) for i in doc["orderItems"]],
            }
        }

    def _confirm(self, raw: bytes, query: Any, token: str | None, oid: str) -> None:
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            raise _bad("the body is not JSON") from None
        pkg = self._checked_package(body)
        with self._lock:
            doc = self._doc(oid)
            status = doc.get("fulfillment", {}).get("fulfillmentStatus")
            if status not in ("UNSHIPPED", "PARTIALLY_SHIPPED"):
                raise _bad(f"order {oid} is {status}: only an unshipped order can be confirmed")
            if (oid, str(pkg["packageReferenceId"])) in self._confirmed:
                raise _bad(
                    f"package {pkg['packageReferenceId']} of order {oid} is already confirmed"
                )
            items = {it["orderItemId"]: it for it in doc["orderItems"]}
            for line in pkg["orderItems"]:
                it = items.get(line.get("orderItemId"))
                if it is None:
                    raise _bad(f"order {oid} has no item {line.get('orderItemId')}")
                left = it["fulfillment"]["quantityUnfulfilled"]
                if line["quantity"] > left:
                    raise _bad(
                        f"item {it['orderItemId']}: {line['quantity']} confirmed, {left} unshipped"
                    )
            for line in pkg["orderItems"]:
                f = items[line["orderItemId"]]["fulfillment"]
                f["quantityFulfilled"] += line["quantity"]
                f["quantityUnfulfilled"] -= line["quantity"]
            done = all(it["fulfillment"]["quantityUnfulfilled"] == 0 for it in items.values())
            doc["fulfillment"]["fulfillmentStatus"] = "SHIPPED" if done else "PARTIALLY_SHIPPED"
            doc["lastUpdatedTime"] = _iso(self.clock.now())
            self._confirmed.add((oid, str(pkg["packageReferenceId"])))

    @staticmethod
    def _checked_package(body: Any) -> dict[str, Any]:
        """Return ``packageDetail`` after checking the body as confirmShipment's model does."""
        if not isinstance(body, dict) or body.get("marketplaceId") != JP:
            raise _bad(f"marketplaceId must be {JP}")
        pkg = body.get("packageDetail")
        if not isinstance(pkg, dict):
            raise _bad("packageDetail is required")
        missing = [
            k
            for k in (
                "packageReferenceId",
                "carrierCode",
                "trackingNumber",
                "shipDate",
                "orderItems",
            )
            if not pkg.get(k)
        ]
        if missing:
            raise _bad(f"packageDetail lacks {', '.join(missing)}")
        _when(pkg["shipDate"], "shipDate")
        for line in pkg["orderItems"]:
            qty = line.get("quantity") if isinstance(line, dict) else None
            if (
                not isinstance(qty, int)
                or isinstance(qty, bool)
                or qty < 1
                or not line.get("orderItemId")
            ):
                raise _bad(
                    "each of packageDetail.orderItems needs an orderItemId and a quantity ≥ 1"
                )
        return pkg


def main(argv: list[str] | None = None) -> None:
    """Serve the sample book until interrupted (``python -m orderkit.sellercentral.sandbox``)."""
    parser = argparse.ArgumentParser(description="orderkit's local Selling Partner API")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--fail-every", type=int, default=0)
    args = parser.parse_args(argv)
    sandbox = Sandbox(page_size=args.page_size, fail_every=args.fail_every, port=args.port)
    print(f"orderkit sandbox serving {len(sandbox.documents)} orders at {sandbox.url}", flush=True)
    try:
        sandbox._server.serve_forever()
    except KeyboardInterrupt:
        pass  # Ctrl-C is how a demo server ends
    finally:
        sandbox._server.server_close()


if __name__ == "__main__":
    main()
