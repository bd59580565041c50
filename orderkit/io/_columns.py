"""The flat-file reports' columns: which are which, and how each maps onto :mod:`orderkit.schema`.

Kept apart from the reader and the writer so that both use one table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

__all__ = [
    "BOOL",
    "CONSUMED",
    "DISCOUNTS",
    "INT",
    "ITEM_FIELDS",
    "KINDS",
    "ORDER_EXTRAS",
    "ORDER_FIELDS",
    "ORDER_LEVEL",
    "TIMESTAMPS",
    "YEN",
    "ReportKind",
]


@dataclass(frozen=True, slots=True)
class ReportKind:
    """One of the three flat-file reports.

    Attributes:
        name: ``"all_orders"``, ``"unshipped"`` or ``"order_report"``.
        title: what Seller Central calls it.
        order_id: the column holding the order id.
        signature: columns whose presence identifies the report in a header.
        required: columns a file must have to be read.
        columns: the standard columns, in Amazon's order (what the writer writes).

    """

    name: str
    title: str
    order_id: str
    signature: frozenset[str]
    required: tuple[str, ...]
    columns: tuple[str, ...]


_ADDRESS = (
    "recipient-name",
    "ship-address-1",
    "ship-address-2",
    "ship-address-3",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
)

ALL_ORDERS = ReportKind(
    "all_orders",
    "All Orders report",
    "amazon-order-id",
    frozenset({"amazon-order-id", "order-status"}),
    ("amazon-order-id", "purchase-date", "last-updated-date", "order-status", "quantity"),
    (
        "amazon-order-id",
        "merchant-order-id",
        "purchase-date",
        "last-updated-date",
        "order-status",
        "fulfillment-channel",
        "sales-channel",
        "order-channel",
        "ship-service-level",
        "product-name",
        "sku",
        "asin",
        "item-status",
        "quantity",
        "currency",
        "item-price",
        "item-tax",
        "shipping-price",
        "shipping-tax",
        "gift-wrap-price",
        "gift-wrap-tax",
        "item-promotion-discount",
        "ship-promotion-discount",
        "ship-city",
        "ship-state",
        "ship-postal-code",
        "ship-country",
        "promotion-ids",
        "cpf",
        "is-business-order",
        "purchase-order-number",
        "price-designation",
    ),
)

UNSHIPPED = ReportKind(
    "unshipped",
    "Unshipped Orders report",
    "order-id",
    frozenset({"order-id", "quantity-to-ship"}),
    ("order-id", "order-item-id", "purchase-date", "quantity-purchased"),
    (
        "order-id",
        "order-item-id",
        "purchase-date",
        "payments-date",
        "reporting-date",
        "promise-date",
        "days-past-promise",
        "buyer-email",
        "buyer-name",
        "buyer-phone-number",
        "sku",
        "product-name",
        "quantity-purchased",
        "quantity-shipped",
        "quantity-to-ship",
        "ship-service-level",
        *_ADDRESS,
        "is-business-order",
        "purchase-order-number",
        "price-designation",
        "is-prime",
        "payment-method",
        "cod-collectible-amount",
        "already-paid",
        "payment-method-fee",
        "scheduled-delivery-start-date",
        "scheduled-delivery-end-date",
        "points-granted",
    ),
)

ORDER_REPORT = ReportKind(
    "order_report",
    "Order report",
    "order-id",
    frozenset({"order-id", "order-item-id", "payments-date"}),
    ("order-id", "order-item-id", "purchase-date", "quantity-purchased"),
    (
        "order-id",
        "order-item-id",
        "purchase-date",
        "payments-date",
        "buyer-email",
        "buyer-name",
        "buyer-phone-number",
        "sku",
        "product-name",
        "quantity-purchased",
        "currency",
        "item-price",
        "item-tax",
        "shipping-price",
        "shipping-tax",
        "ship-service-level",
        *_ADDRESS,
        "ship-phone-number",
        "delivery-start-date",
        "delivery-end-date",
        "delivery-time-zone",
        "delivery-Instructions",
        "sales-channel",
        "is-business-order",
        "purchase-order-number",
    ),
)

#: Detection order matters: the Unshipped report also has payments-date and order-item-id.
KINDS: Final[Mapping[str, ReportKind]] = {k.name: k for k in (ALL_ORDERS, UNSHIPPED, ORDER_REPORT)}

#: File column → ``orders`` column.
ORDER_FIELDS: Final[Mapping[str, str]] = {
    "amazon-order-id": "order_id",
    "order-id": "order_id",
    "purchase-date": "purchase_date",
    "last-updated-date": "last_updated",
    "fulfillment-channel": "fulfillment_channel",
    "sales-channel": "sales_channel",
    "ship-service-level": "ship_service_level",
    "promise-date": "latest_ship_date",
    "scheduled-delivery-end-date": "latest_delivery_date",
    "delivery-end-date": "latest_delivery_date",
    "payment-method": "payment_method",
    "buyer-email": "buyer_email",
    "buyer-name": "buyer_name",
    "buyer-phone-number": "buyer_phone",
    "recipient-name": "recipient_name",
    "ship-address-1": "ship_address_1",
    "ship-address-2": "ship_address_2",
    "ship-address-3": "ship_address_3",
    "ship-city": "ship_city",
    "ship-state": "ship_state",
    "ship-postal-code": "ship_postal_code",
    "ship-country": "ship_country",
    "is-business-order": "is_business_order",
    "purchase-order-number": "purchase_order_number",
    "is-prime": "is_prime",
    "currency": "currency",
}

#: File column → ``items`` column.
ITEM_FIELDS: Final[Mapping[str, str]] = {
    "order-item-id": "order_item_id",
    "sku": "sku",
    "asin": "asin",
    "product-name": "product_name",
    "quantity": "quantity",
    "quantity-purchased": "quantity",
    "item-price": "item_price",
    "item-tax": "item_tax",
    "shipping-price": "shipping_price",
    "shipping-tax": "shipping_tax",
    "gift-wrap-price": "gift_wrap_price",
    "item-promotion-discount": "item_promotion_discount",
    "ship-promotion-discount": "ship_promotion_discount",
    "payment-method-fee": "cod_fee",
}

#: Columns that are facts about the order's life, turned into events, not kept as columns (an
#: order's status is never stored a second time).
CONSUMED: Final = frozenset(
    {
        "order-status",
        "item-status",
        "payments-date",
        "quantity-shipped",
        "quantity-to-ship",
        "days-past-promise",
    }
)

#: Known columns with no schema column that describe the order (kept on ``orders``); every other
#: unknown column is kept on ``items`` (one row per file row, so nothing is lost).
ORDER_EXTRAS: Final = frozenset(
    {
        "merchant-order-id",
        "order-channel",
        "reporting-date",
        "ship-phone-number",
        "delivery-start-date",
        "delivery-time-zone",
        "delivery-Instructions",
        "scheduled-delivery-start-date",
        "cod-collectible-amount",
        "already-paid",
        "address-type",
        "fulfilled-by",
    }
)

#: Columns that state a fact about the whole order: the reader keeps one value per order, so the
#: rows of an order must not state two different values (see :mod:`orderkit.io.reports`).
ORDER_LEVEL: Final = (
    frozenset(ORDER_FIELDS) - {"amazon-order-id", "order-id"}
    | ORDER_EXTRAS
    | {"order-status", "payments-date"}
)

TIMESTAMPS: Final = frozenset(
    {
        "purchase-date",
        "last-updated-date",
        "payments-date",
        "reporting-date",
        "promise-date",
        "scheduled-delivery-end-date",
        "delivery-end-date",
    }
)
YEN: Final = frozenset(
    {
        "item-price",
        "item-tax",
        "shipping-price",
        "shipping-tax",
        "gift-wrap-price",
        "item-promotion-discount",
        "ship-promotion-discount",
        "payment-method-fee",
    }
)
#: Discounts: All Orders writes them negative; the schema holds them positive.
DISCOUNTS: Final = frozenset({"item-promotion-discount", "ship-promotion-discount"})
INT: Final = frozenset({"quantity", "quantity-purchased", "quantity-shipped", "quantity-to-ship"})
BOOL: Final = frozenset({"is-business-order", "is-prime"})
