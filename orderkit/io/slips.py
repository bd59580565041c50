"""Packing slips (納品書) as printable HTML.

The FAQ: "For an order from a business customer, sellers must enclose a packing slip. If you see
the Buyer PO# (purchase order number) in the Order Details page, enter the Buyer PO# to the
packing slip." :func:`render_packing_slip` prints the PO# at the top, large, whenever the order
has one. The page is self-contained (inline CSS, no scripts, fonts or images), sized for A4, and
every value from the book is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any, Final

import pandas as pd

from orderkit.book import OrderBook
from orderkit.businessdays import to_jst

__all__ = ["render_packing_slip"]

_TEXT: Final[dict[str, dict[str, str]]] = {
    "ja": {
        "title": "納品書",
        "order": "注文番号",
        "date": "注文日",
        "po": "発注番号（Buyer PO#）",
        "ship_to": "お届け先",
        "sku": "SKU",
        "item": "商品名",
        "qty": "数量",
        "price": "金額",
        "total": "合計",
        "business": "法人のお客様",
        "thanks": "このたびはご注文いただき誠にありがとうございます。",
        "seller": "出品者",
        "printed": "発行日",
    },
    "en": {
        "title": "Packing slip",
        "order": "Order ID",
        "date": "Order date",
        "po": "Buyer PO#",
        "ship_to": "Ship to",
        "sku": "SKU",
        "item": "Item",
        "qty": "Qty",
        "price": "Price",
        "total": "Total",
        "business": "Business customer",
        "thanks": "Thank you for your order.",
        "seller": "Seller",
        "printed": "Issued",
    },
}

_CSS: Final = """
@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
body { font-family: "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif; color: #000;
       font-size: 10.5pt; margin: 0; }
.slip { width: 180mm; margin: 0 auto; }
h1 { font-size: 20pt; margin: 0 0 4mm; border-bottom: 2px solid #000; }
.po { font-size: 16pt; font-weight: bold; border: 2px solid #000; padding: 3mm; margin: 0 0 4mm; }
.meta { width: 100%; margin-bottom: 4mm; }
.meta th { text-align: left; padding-right: 4mm; white-space: nowrap; }
.addr { border: 1px solid #000; padding: 3mm; margin-bottom: 4mm; white-space: pre-line; }
table.items { width: 100%; border-collapse: collapse; }
table.items th, table.items td { border: 1px solid #000; padding: 1.5mm 2mm; }
table.items td.num, table.items th.num { text-align: right; white-space: nowrap; }
tfoot td { font-weight: bold; }
.badge { display: inline-block; border: 1px solid #000; padding: 0 2mm; font-size: 9pt; }
footer { margin-top: 6mm; font-size: 9pt; }
@media print { .slip { width: auto; } }
"""


def _v(value: Any) -> str:
    """Return ``value`` as escaped text ('' for missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return escape(str(value), quote=True)


def _yen(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    return f"¥{int(value):,}"


def render_packing_slip(
    book: OrderBook,
    order_id: str,
    *,
    at: dt.datetime,
    lang: str = "ja",
    seller_name: str = "",
) -> str:
    """Return a printable A4 packing slip for ``order_id`` as a self-contained HTML page.

    The slip carries the order id and date, the Buyer PO# (prominently) when the order has one,
    the ship-to address, and each item with its quantity and price.

    Args:
        book: the order book.
        order_id: the order.
        at: the issue date printed on the slip (no wall clock is read).
        lang: ``"ja"`` or ``"en"``.
        seller_name: printed as the sender.

    Raises:
        OrderNotFound: no such order.
        ValueError: an unknown ``lang`` or a naive ``at``.

    """
    if lang not in _TEXT:
        raise ValueError(f"lang must be 'ja' or 'en', not {lang!r}")
    t = _TEXT[lang]
    view = book.order(order_id)
    row = view.row
    items = view.items
    purchased = row["purchase_date"]
    order_date = "" if pd.isna(purchased) else f"{to_jst(purchased.to_pydatetime()):%Y-%m-%d}"
    issued = f"{to_jst(at):%Y-%m-%d}"
    po = _v(row.get("purchase_order_number"))
    business = bool(row.get("is_business_order"))
    address = "\n".join(
        _v(row.get(c))
        for c in (
            "recipient_name",
            "ship_postal_code",
            "ship_state",
            "ship_city",
            "ship_address_1",
            "ship_address_2",
            "ship_address_3",
        )
        if _v(row.get(c))
    )
    if address and _v(row.get("ship_postal_code")):
        address = address.replace(
            _v(row["ship_postal_code"]), "〒" + _v(row["ship_postal_code"]), 1
        )
    lines, total = [], 0
    for it in items.itertuples(index=False):
        price = getattr(it, "item_price", None)
        total += 0 if price is None or pd.isna(price) else int(price)
        lines.append(
            f"<tr><td>{_v(it.sku)}</td><td>{_v(it.product_name)}</td>"
            f'<td class="num">{int(it.quantity)}</td><td class="num">{_yen(price)}</td></tr>'
        )
    po_block = f'<p class="po">{t["po"]}: {po}</p>' if po else ""
    badge = f' <span class="badge">{t["business"]}</span>' if business else ""
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{t["title"]} {_v(order_id)}</title>
<style>{_CSS}</style>
</head>
<body>
<div class="slip">
<h1>{t["title"]}{badge}</h1>
{po_block}
<table class="meta">
<tr><th>{t["order"]}</th><td>{_v(order_id)}</td><th>{t["date"]}</th><td>{order_date}</td></tr>
<tr><th>{t["seller"]}</th><td>{_v(seller_name)}</td><th>{t["printed"]}</th><td>{issued}</td></tr>
</table>
<h2>{t["ship_to"]}</h2>
<div class="addr">{address}</div>
<table class="items">
<thead><tr><th>{t["sku"]}</th><th>{t["item"]}</th><th class="num">{t["qty"]}</th><th class="num">{t["price"]}</th></tr></thead>
<tbody>
{"".join(lines)}
</tbody>
<tfoot><tr><td colspan="3">{t["total"]}</td><td class="num">{_yen(total)}</td></tr></tfoot>
</table>
<footer>{t["thanks"]}</footer>
</div>
</body>
</html>
"""
