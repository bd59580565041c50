"""Read saved SP-API Orders responses into an :class:`~orderkit.book.OrderBook`.

Two shapes are read:

- **Orders v0**: getOrders pages ``{"payload": {"Orders": [...], "NextToken": ...}}`` and
  getOrderItems responses ``{"payload": {"AmazonOrderId": ..., "OrderItems": [...]}}`` (passed as
  ``items=``, or embedded in an order under ``OrderItems``);
- **Orders 2026-01-01**: searchOrders pages ``{"orders": [...], "pagination": {...}}`` with nested
  ``buyer``, ``recipient``, ``fulfillment``, ``orderItems`` and statuses spelled ``UNSHIPPED``,
  ``CANCELLED`` …

Amounts (strings such as ``"1980.00"``) become integer yen; fields orderkit has no column for are
kept as extra columns under their API names (objects and lists as JSON text). Anything malformed
raises :class:`~orderkit.errors.ReportFormatError` with the JSON path (``$.payload.Orders[2].
PurchaseDate``) as ``column`` — and, for a file that is not JSON at all, the line.

A **PartiallyShipped** order read without its items (getOrders pages without the getOrderItems
responses) is left out and listed in ``book.problems``: only the items say what was shipped, and
without them the order would fold to Unshipped.

Events follow the same choices as the flat-file reader (:mod:`orderkit.io.reports`): ``placed`` at
the purchase date; ``payment_completed`` at the purchase date for an order past Pending (the API
gives no payment time); Shipped → one ``shipment_confirmed`` of the whole order and
PartiallyShipped → one per item with its quantity shipped, at the last update (placed before the
automatic-cancellation cutoff, which evidently did not strike); Canceled → ``canceled`` at the last
update, by whoever ``cancelledBy`` names in 2026-01-01 (Amazon when unknown), except that an unpaid
convenience-store order canceled after its payment window is recorded as the ``payment_expired``
Amazon applies at the end of the window.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd

from orderkit import schema
from orderkit.book import OrderBook
from orderkit.errors import ReportFormatError
from orderkit.events import Actor, CancelReason, EventKind, Origin, event_ids
from orderkit.io._infer import ORDER_STATUS, PAYMENT_METHOD, confirm_by
from orderkit.policy import DEFAULT_POLICY
from orderkit.status import OrderStatus

__all__ = ["read_spapi_orders"]

S = OrderStatus
_PAID = frozenset(
    {S.UNSHIPPED, S.PARTIALLY_SHIPPED, S.SHIPPED, S.INVOICE_UNCONFIRMED, S.UNFULFILLABLE}
)

Pages = str | os.PathLike[str] | Mapping[str, Any] | Iterable[Mapping[str, Any]]
_WHERE = "__status_path"  # each order status's JSON path, kept while reading (not in the book)


class _Ctx:
    """Where a value came from: the source name and its JSON path."""

    def __init__(self, source: str, path: str = "$") -> None:
        self.source = source
        self.path = path

    def at(self, key: str | int) -> _Ctx:
        return _Ctx(
            self.source, f"{self.path}[{key}]" if isinstance(key, int) else f"{self.path}.{key}"
        )

    def error(self, value: object, expected: str) -> ReportFormatError:
        return ReportFormatError(self.source, None, self.path, value, expected)


def _load(pages: Pages, name: str) -> tuple[list[Any], str]:
    """Return the pages as a list of parsed JSON values, and a name for error messages."""
    if isinstance(pages, str | os.PathLike):
        path = Path(pages)
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except json.JSONDecodeError as exc:
            raise ReportFormatError(
                str(path),
                exc.lineno,
                "$",
                exc.doc[exc.pos : exc.pos + 20],
                f"JSON ({exc.msg} at column {exc.colno})",
            ) from exc
        except UnicodeDecodeError as exc:
            raise ReportFormatError(
                str(path), None, "$", exc.object[exc.start : exc.start + 8], "JSON in UTF-8"
            ) from exc
        return (data if isinstance(data, list) else [data]), str(path)
    if isinstance(pages, Mapping):
        return [pages], name
    return list(pages), name


def _get(obj: Mapping[str, Any], ctx: _Ctx, *keys: str) -> Any:
    """Return ``obj[k1][k2]…`` or ``None`` if any level is absent."""
    for key in keys:
        if obj is None:
            return None
        if not isinstance(obj, Mapping):
            raise ctx.error(obj, "a JSON object")
        obj, ctx = obj.get(key), ctx.at(key)
    return obj


def _ts(value: Any, ctx: _Ctx, *, required: bool = False) -> pd.Timestamp | None:
    if value is None:
        if required:
            raise ctx.error(None, "an ISO 8601 date-time (required)")
        return None
    try:
        ts = pd.Timestamp(value) if isinstance(value, str) else None
    except ValueError:
        ts = None
    if ts is None or ts.tzinfo is None:
        raise ctx.error(value, "an ISO 8601 date-time with its offset, e.g. 2026-11-02T01:15:00Z")
    return ts.tz_convert("UTC")


def _yen(money: Any, ctx: _Ctx) -> int | None:
    """Return a Money object's (or a bare amount's) value in whole yen."""
    if money is None:
        return None
    amount = money.get("Amount", money.get("amount")) if isinstance(money, Mapping) else money
    if amount is None:
        return None
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or value != value.to_integral_value():
        raise ctx.error(amount, 'an amount in whole yen, e.g. "1980.00"')
    return int(value)


def _int(value: Any, ctx: _Ctx, *, required: bool = False) -> int | None:
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
        raise ctx.error(value, "a whole number ≥ 0")
    return int(value)


def _status(value: Any, ctx: _Ctx) -> OrderStatus:
    if value not in ORDER_STATUS:
        raise ctx.error(value, "an order status (Pending, Unshipped, Shipped, CANCELLED, …)")
    return ORDER_STATUS[value]


def _extra(value: Any) -> Any:
    return (
        json.dumps(value, ensure_ascii=False, sort_keys=True)
        if isinstance(value, dict | list)
        else value
    )


def _payment_v0(order: Mapping[str, Any]) -> str | None:
    method = order.get("PaymentMethod")
    if method in ("COD", "CVS"):
        return str(method).lower()
    details = [str(d) for d in order.get("PaymentMethodDetails") or []]
    details += [
        str(p.get("PaymentMethod"))
        for p in order.get("PaymentExecutionDetail") or []
        if isinstance(p, Mapping)
    ]
    for name in ("COD", "CVS", "CreditCard"):
        if name in details:
            return PAYMENT_METHOD[name.lower()]
    if details and all(d == "PointsAccount" for d in details):
        return "points"
    return None if method is None else "other"


# ---- v0 -----------------------------------------------------------------------------------------

_V0_ORDER = {
    "AmazonOrderId",
    "PurchaseDate",
    "LastUpdateDate",
    "OrderStatus",
    "FulfillmentChannel",
    "SalesChannel",
    "OrderType",
    "ShipServiceLevel",
    "ShipmentServiceLevelCategory",
    "EarliestShipDate",
    "LatestShipDate",
    "LatestDeliveryDate",
    "PaymentMethod",
    "PaymentMethodDetails",
    "PaymentExecutionDetail",
    "IsBusinessOrder",
    "IsPrime",
    "BuyerInfo",
    "BuyerEmail",
    "BuyerName",
    "ShippingAddress",
    "OrderTotal",
    "OrderItems",
}
_V0_ITEM = {
    "OrderItemId",
    "ASIN",
    "SellerSKU",
    "Title",
    "QuantityOrdered",
    "QuantityShipped",
    "ItemPrice",
    "ItemTax",
    "ShippingPrice",
    "ShippingTax",
    "GiftWrapPrice",
    "PromotionDiscount",
    "ShippingDiscount",
    "CODFee",
}


def _order_v0(o: Mapping[str, Any], c: _Ctx) -> dict[str, Any]:
    if not isinstance(o, Mapping):
        raise c.error(o, "an Order object")
    oid = _get(o, c, "AmazonOrderId")
    if not isinstance(oid, str):
        raise c.at("AmazonOrderId").error(oid, "an Amazon order number (required)")
    addr = o.get("ShippingAddress") or {}
    buyer = o.get("BuyerInfo") or {}
    g = lambda *k: _get(o, c, *k)  # noqa: E731
    row: dict[str, Any] = {
        "order_id": oid,
        "purchase_date": _ts(g("PurchaseDate"), c.at("PurchaseDate"), required=True),
        "last_updated": _ts(g("LastUpdateDate"), c.at("LastUpdateDate")),
        "status": _status(g("OrderStatus"), c.at("OrderStatus")),
        "fulfillment_channel": g("FulfillmentChannel"),
        "sales_channel": g("SalesChannel"),
        "order_type": g("OrderType"),
        "payment_method": _payment_v0(o),
        "ship_service_level": g("ShipmentServiceLevelCategory") or g("ShipServiceLevel"),
        "earliest_ship_date": _ts(g("EarliestShipDate"), c.at("EarliestShipDate")),
        "latest_ship_date": _ts(g("LatestShipDate"), c.at("LatestShipDate")),
        "latest_delivery_date": _ts(g("LatestDeliveryDate"), c.at("LatestDeliveryDate")),
        "buyer_email": buyer.get("BuyerEmail") or o.get("BuyerEmail"),
        "buyer_name": buyer.get("BuyerName") or o.get("BuyerName"),
        "buyer_phone": addr.get("Phone"),
        "recipient_name": addr.get("Name"),
        "ship_postal_code": addr.get("PostalCode"),
        "ship_state": addr.get("StateOrRegion"),
        "ship_city": addr.get("City"),
        "ship_address_1": addr.get("AddressLine1"),
        "ship_address_2": addr.get("AddressLine2"),
        "ship_address_3": addr.get("AddressLine3"),
        "ship_country": addr.get("CountryCode"),
        "is_business_order": bool(o.get("IsBusinessOrder", False)),
        "purchase_order_number": buyer.get("PurchaseOrderNumber"),
        "is_prime": bool(o.get("IsPrime", False)),
        "currency": _get(o, c, "OrderTotal", "CurrencyCode"),
        "order_total": _yen(o.get("OrderTotal"), c.at("OrderTotal")),
        "cancelled_by": None,
    }
    row.update({k: _extra(v) for k, v in o.items() if k not in _V0_ORDER})
    return row


def _item_v0(oid: str, it: Mapping[str, Any], c: _Ctx) -> dict[str, Any]:
    if not isinstance(it, Mapping):
        raise c.error(it, "an OrderItem object")
    item_id = it.get("OrderItemId")
    if not isinstance(item_id, str):
        raise c.at("OrderItemId").error(item_id, "an order item id (required)")
    promo = _yen(it.get("PromotionDiscount"), c.at("PromotionDiscount"))
    row = {
        "order_id": oid,
        "order_item_id": item_id,
        "sku": it.get("SellerSKU"),
        "asin": it.get("ASIN"),
        "product_name": it.get("Title"),
        "quantity": _int(it.get("QuantityOrdered"), c.at("QuantityOrdered"), required=True),
        "quantity_shipped": _int(it.get("QuantityShipped"), c.at("QuantityShipped")) or 0,
        "item_price": _yen(it.get("ItemPrice"), c.at("ItemPrice")),
        "item_tax": _yen(it.get("ItemTax"), c.at("ItemTax")),
        "shipping_price": _yen(it.get("ShippingPrice"), c.at("ShippingPrice")),
        "shipping_tax": _yen(it.get("ShippingTax"), c.at("ShippingTax")),
        "gift_wrap_price": _yen(it.get("GiftWrapPrice"), c.at("GiftWrapPrice")),
        "item_promotion_discount": None if promo is None else abs(promo),
        "ship_promotion_discount": _yen(it.get("ShippingDiscount"), c.at("ShippingDiscount")),
        "cod_fee": _yen(it.get("CODFee"), c.at("CODFee")),
    }
    row.update({k: _extra(v) for k, v in it.items() if k not in _V0_ITEM})
    return row


# ---- 2026-01-01 ---------------------------------------------------------------------------------

_V1_ORDER = {
    "orderId",
    "createdTime",
    "lastUpdatedTime",
    "programs",
    "salesChannel",
    "buyer",
    "recipient",
    "fulfillment",
    "orderItems",
    "proceeds",
    "cancellation",
}
_V1_ITEM = {"orderItemId", "quantityOrdered", "product", "proceeds", "fulfillment"}
_FULFILLED_BY = {"MERCHANT": "MFN", "AMAZON": "AFN"}
_CANCELLED_BY = {"BUYER": Actor.BUYER, "MERCHANT": Actor.SELLER, "AMAZON": Actor.AMAZON}


def _breakdown(proceeds: Any, kind: str, c: _Ctx) -> int | None:
    for i, b in enumerate((proceeds or {}).get("breakdowns") or []):
        if isinstance(b, Mapping) and b.get("type") == kind:
            return _yen(b.get("subtotal"), c.at("breakdowns").at(i).at("subtotal"))
    return None


def _order_v1(o: Mapping[str, Any], c: _Ctx) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if not isinstance(o, Mapping):
        raise c.error(o, "an order object")
    oid = o.get("orderId")
    if not isinstance(oid, str):
        raise c.at("orderId").error(oid, "an Amazon order number (required)")
    g = lambda *k: _get(o, c, *k)  # noqa: E731
    addr = g("recipient", "deliveryAddress") or {}
    programs = o.get("programs") or []
    cancel = g("cancellation", "cancellationExecution", "cancelledBy")
    items = []
    for i, it in enumerate(o.get("orderItems") or []):
        ic = c.at("orderItems").at(i)
        if not isinstance(it, Mapping) or not isinstance(it.get("orderItemId"), str):
            raise ic.at("orderItemId").error(it, "an order item with its orderItemId")
        qty = _int(it.get("quantityOrdered"), ic.at("quantityOrdered"), required=True)
        unit = _yen(_get(it, ic, "product", "price", "unitPrice"), ic.at("product.price.unitPrice"))
        price = _breakdown(it.get("proceeds"), "ITEM", ic.at("proceeds"))
        cancel = cancel or _get(it, ic, "cancellation", "cancellationExecution", "cancelledBy")
        row = {
            "order_id": oid,
            "order_item_id": it["orderItemId"],
            "sku": _get(it, ic, "product", "sellerSku"),
            "asin": _get(it, ic, "product", "asin"),
            "product_name": _get(it, ic, "product", "title"),
            "quantity": qty,
            "quantity_shipped": _int(
                _get(it, ic, "fulfillment", "quantityFulfilled"),
                ic.at("fulfillment.quantityFulfilled"),
            )
            or 0,
            "item_price": price if price is not None else (None if unit is None else unit * qty),  # type: ignore[operator]
            "item_tax": _breakdown(it.get("proceeds"), "TAX", ic.at("proceeds")),
            "shipping_price": _breakdown(it.get("proceeds"), "SHIPPING", ic.at("proceeds")),
        }
        row.update({k: _extra(v) for k, v in it.items() if k not in _V1_ITEM})
        items.append(row)
    # Only the methods: the rest of a PaymentExecution (its amount's "currencyCode") would match.
    executions = _get(o, c, "payment", "paymentExecutions") or []
    pay = " ".join(
        str(p.get("paymentMethod")) for p in executions if isinstance(p, Mapping)
    ).upper()
    payment = next(
        (
            m
            for k, m in (
                ("CASH_ON_DELIVERY", "cod"),
                ("COD", "cod"),
                ("CONVENIENCE", "cvs"),
                ("CVS", "cvs"),
                ("CREDIT", "card"),
                ("POINTS", "points"),
            )
            if k in pay
        ),
        None,
    )
    row = {
        "order_id": oid,
        "purchase_date": _ts(o.get("createdTime"), c.at("createdTime"), required=True),
        "last_updated": _ts(o.get("lastUpdatedTime"), c.at("lastUpdatedTime")),
        "status": _status(
            g("fulfillment", "fulfillmentStatus"), c.at("fulfillment.fulfillmentStatus")
        ),
        "fulfillment_channel": _FULFILLED_BY.get(g("fulfillment", "fulfilledBy")),
        "sales_channel": g("salesChannel", "marketplaceName"),
        "payment_method": payment,
        "ship_service_level": g("fulfillment", "fulfillmentServiceLevel"),
        "earliest_ship_date": _ts(
            g("fulfillment", "shipByWindow", "earliestDateTime"),
            c.at("fulfillment.shipByWindow.earliestDateTime"),
        ),
        "latest_ship_date": _ts(
            g("fulfillment", "shipByWindow", "latestDateTime"),
            c.at("fulfillment.shipByWindow.latestDateTime"),
        ),
        "latest_delivery_date": _ts(
            g("fulfillment", "deliverByWindow", "latestDateTime"),
            c.at("fulfillment.deliverByWindow.latestDateTime"),
        ),
        "buyer_email": g("buyer", "buyerEmail"),
        "buyer_name": g("buyer", "buyerName"),
        "buyer_phone": addr.get("phone"),
        "recipient_name": addr.get("name"),
        "ship_postal_code": addr.get("postalCode"),
        "ship_state": addr.get("stateOrRegion"),
        "ship_city": addr.get("city"),
        "ship_address_1": addr.get("addressLine1"),
        "ship_address_2": addr.get("addressLine2"),
        "ship_address_3": addr.get("addressLine3"),
        "ship_country": addr.get("countryCode"),
        "is_business_order": "AMAZON_BUSINESS" in programs,
        "purchase_order_number": g("buyer", "buyerPurchaseOrderNumber"),
        "is_prime": "PRIME" in programs,
        "currency": g("proceeds", "grandTotal", "currencyCode"),
        "order_total": _yen(g("proceeds", "grandTotal"), c.at("proceeds.grandTotal")),
        "cancelled_by": cancel,
    }
    row.update({k: _extra(v) for k, v in o.items() if k not in _V1_ORDER})
    return row, items


# ---- the pages ----------------------------------------------------------------------------------


def _collect(pages: list[Any], items: list[Any], name: str) -> tuple[list[dict], list[dict]]:
    orders: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    for p, page in enumerate([*pages, *items]):
        c = _Ctx(name, f"$[{p}]" if len(pages) + len(items) > 1 else "$")
        if not isinstance(page, Mapping):
            raise c.error(page, "a JSON object (a getOrders, getOrderItems or searchOrders page)")
        if "orders" in page:  # 2026-01-01
            for i, o in enumerate(page["orders"] or []):
                row, its = _order_v1(o, c.at("orders").at(i))
                status = c.at("orders").at(i).at("fulfillment").at("fulfillmentStatus")
                orders.append({**row, _WHERE: status.path})
                lines += its
            continue
        payload = page.get("payload", page)
        pc = c.at("payload") if "payload" in page else c
        if not isinstance(payload, Mapping):
            raise pc.error(payload, "a payload object")
        if "OrderItems" in payload:  # getOrderItems
            oid = payload.get("AmazonOrderId")
            for i, it in enumerate(payload["OrderItems"] or []):
                lines.append(_item_v0(oid, it, pc.at("OrderItems").at(i)))
        elif "Orders" in payload:
            for i, o in enumerate(payload["Orders"] or []):
                oc = pc.at("Orders").at(i)
                orders.append({**_order_v0(o, oc), _WHERE: oc.at("OrderStatus").path})
                for j, it in enumerate(o.get("OrderItems") or []):
                    lines.append(_item_v0(o["AmazonOrderId"], it, oc.at("OrderItems").at(j)))
        else:
            raise c.error(sorted(page)[:5], "payload.Orders, payload.OrderItems or orders")
    return orders, lines


def read_spapi_orders(
    pages: Pages, *, items: Pages | None = None, source: str | None = None
) -> OrderBook:
    """Read saved SP-API Orders responses (v0 or 2026-01-01) into an :class:`OrderBook`.

    Args:
        pages: a JSON file (one page or a list of pages), one page as a dict, or a list of pages.
        items: getOrderItems responses for v0 orders (same forms), unless embedded in the orders.
        source: recorded in the events' ``source`` column (default: the file name, or "spapi").

    Returns:
        The orders, items and inferred events (see the module docstring). An order listed on two
        pages keeps its last listing. A PartiallyShipped order read without its items is left out
        and listed in ``book.problems`` (its JSON path as ``column``).

    Raises:
        ReportFormatError: a file that is not JSON (with its line), or a malformed value (with its
            JSON path as ``column``).

    """
    page_list, name = _load(pages, source or "spapi")
    item_list = _load(items, name)[0] if items is not None else []
    src = source or (Path(name).name if isinstance(pages, str | os.PathLike) else "spapi")
    orders_rows, item_rows = _collect(page_list, item_list, name)
    orders = pd.DataFrame(orders_rows).drop_duplicates("order_id", keep="last")
    lines = pd.DataFrame(item_rows)
    if lines.empty:
        lines = pd.DataFrame(columns=["order_id", "order_item_id", "quantity", "quantity_shipped"])
    lines = lines.drop_duplicates(["order_id", "order_item_id"], keep="last").reset_index(drop=True)
    if orders.empty:
        return OrderBook()
    orders = orders.reset_index(drop=True)
    orders, problems = _without_items(orders, lines, name)
    if orders.empty:
        return OrderBook(problems=problems)
    events = _events(orders, lines)
    events["source"] = src
    events["origin"] = str(Origin.IMPORT)
    events = schema.conform(events, "events")
    events["event_id"] = event_ids(events)
    extra = ["status", "cancelled_by", _WHERE]
    return OrderBook(
        orders.drop(columns=extra),
        lines.drop(columns=["quantity_shipped"]).astype({"quantity": "int64"}),
        events,
        problems=problems,
    )


def _without_items(
    orders: pd.DataFrame, lines: pd.DataFrame, name: str
) -> tuple[pd.DataFrame, list[ReportFormatError]]:
    """Leave out each PartiallyShipped order read without its items, listed as a problem.

    Only the items' ``QuantityShipped`` says what was shipped (getOrders pages alone do not carry
    items): read without them, the order would fold to Unshipped.
    """
    partial = (orders["status"] == S.PARTIALLY_SHIPPED) & ~orders["order_id"].isin(
        lines["order_id"]
    )
    problems = [
        ReportFormatError(
            name,
            None,
            where,
            "PartiallyShipped",
            f"the items of order {oid} with their quantity shipped (getOrderItems, passed as"
            " items=): without them what was shipped is unknown, so the order is left out",
        )
        for oid, where in zip(
            orders.loc[partial, "order_id"], orders.loc[partial, _WHERE], strict=True
        )
    ]
    return orders[~partial].reset_index(drop=True), problems


def _events(orders: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Infer events per order (the JSON is small: a loop per order is fine here)."""
    for col in ("purchase_date", "last_updated", "latest_ship_date"):
        orders[col] = pd.to_datetime(orders[col], utc=True).astype(schema.TS)
    paid = orders["status"].isin(_PAID)
    mfn = (orders["fulfillment_channel"] == "MFN") | orders["fulfillment_channel"].isna()
    cutoff = confirm_by(orders["latest_ship_date"], orders["purchase_date"].where(paid), mfn)
    rows: list[dict[str, Any]] = []
    by_order = {k: g for k, g in lines.groupby("order_id", sort=False)} if len(lines) else {}
    window = DEFAULT_POLICY.cvs_payment_window
    for o, limit in zip(orders.itertuples(index=False), cutoff, strict=True):
        placed = o.purchase_date.to_pydatetime()
        last = o.last_updated.to_pydatetime() if pd.notna(o.last_updated) else placed
        ship_at = last
        if pd.notna(limit) and ship_at >= limit:
            ship_at = limit.to_pydatetime() - dt.timedelta(seconds=1)
        ship_at = max(ship_at, placed)
        ev = lambda at, kind, actor, oid=o.order_id, **kw: rows.append(  # noqa: E731
            {"order_id": oid, "at": at, "kind": str(kind), "actor": str(actor), **kw}
        )
        ev(placed, EventKind.PLACED, Actor.BUYER)
        status = OrderStatus(o.status)
        if status is S.PENDING_AVAILABILITY:
            ev(placed, EventKind.AWAITING_RELEASE, Actor.AMAZON)
        if status in _PAID:
            ev(placed, EventKind.PAYMENT_COMPLETED, Actor.AMAZON)
        if status in (S.SHIPPED, S.INVOICE_UNCONFIRMED):
            ev(ship_at, EventKind.SHIPMENT_CONFIRMED, Actor.SELLER)
        if status is S.INVOICE_UNCONFIRMED:
            ev(ship_at, EventKind.INVOICE_PENDING, Actor.AMAZON)
        if status is S.PARTIALLY_SHIPPED and o.order_id in by_order:
            for it in by_order[o.order_id].itertuples(index=False):
                if it.quantity_shipped > 0:
                    ev(
                        ship_at,
                        EventKind.SHIPMENT_CONFIRMED,
                        Actor.SELLER,
                        order_item_id=it.order_item_id,
                        quantity=int(it.quantity_shipped),
                    )
        if status is S.UNFULFILLABLE:
            ev(last, EventKind.UNFULFILLABLE, Actor.AMAZON)
        if status is S.CANCELED:
            if o.payment_method == "cvs" and last >= placed + window:
                ev(
                    placed + window,
                    EventKind.PAYMENT_EXPIRED,
                    Actor.AMAZON,
                    reason=str(CancelReason.PAYMENT_EXPIRED),
                )
            else:
                actor = _CANCELLED_BY.get(o.cancelled_by, Actor.AMAZON)
                reason = {Actor.BUYER: CancelReason.BUYER_SELF}.get(actor)
                ev(last, EventKind.CANCELED, actor, reason=None if reason is None else str(reason))
    return pd.DataFrame(rows)
