"""Packing slips: printable, self-contained, escaped, with the Buyer PO# for business orders."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from iohelpers import REPORTS

from orderkit import OrderNotFound
from orderkit.io import read_report, render_packing_slip

AT = dt.datetime(2026, 11, 3, 1, tzinfo=dt.UTC)
BUSINESS = "250-3000002-0000002"


@pytest.fixture
def book():
    return read_report(REPORTS / "order_report_bom.txt")


def test_business_order_slip_shows_the_buyer_po_prominently(book):
    html = render_packing_slip(book, BUSINESS, at=AT, lang="en", seller_name="Tea Shop")
    assert '<p class="po">Buyer PO#: PO-&lt;script&gt;</p>' in html
    assert html.index('class="po"') < html.index("Ship to")


def test_every_value_is_html_escaped(book):
    html = render_packing_slip(book, BUSINESS, at=AT, seller_name="<b>Shop</b>")
    assert "<script>" not in html and "<b>Shop</b>" not in html
    assert "急須 替え蓋 &lt;限定&gt; &amp; &quot;特価&quot;" in html


def test_slip_lists_items_quantities_prices_address_and_order_date(book):
    html = render_packing_slip(book, "250-3000001-0000001", at=AT, lang="ja")
    assert "ボトルインク 青" in html and '<td class="num">2</td>' in html
    assert "¥4,400" in html
    assert "〒460-0008" in html and "名古屋市中区" in html
    assert "2026-11-02" in html  # order date in Japan time
    assert "納品書" in html and 'class="po"' not in html  # no PO#: no PO block


def test_slip_is_self_contained_and_sized_for_a4(book):
    html = render_packing_slip(book, BUSINESS, at=AT)
    assert "@page { size: A4" in html
    assert not re.search(r"<(script|link|img|iframe)\b", html)
    assert "http://" not in html and "https://" not in html


def test_unknown_order_and_language_are_refused(book):
    with pytest.raises(OrderNotFound):
        render_packing_slip(book, "503-0000000-0000000", at=AT)
    with pytest.raises(ValueError, match="lang"):
        render_packing_slip(book, BUSINESS, at=AT, lang="fr")
