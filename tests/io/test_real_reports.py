"""Reports in the shape Amazon writes them today, not only as orderkit's writer does.

``all_orders_spapi.txt`` follows the All Orders columns of a current SP-API report document
(``number-of-items``, ``tax-collection-*``, ``address-type``, ``url``, ``is-iba``; no ``cpf``;
offsets ``+00:00``); ``unshipped_spapi.txt`` the current Unshipped report (``payment-method-details``,
``ship-service-name``, ``is-buyer-requested-cancellation``, ``verge-of-*``, a negative
``days-past-promise``) with Japan's columns (``payment-method``, ``cod-collectible-amount``, …).
"""

from __future__ import annotations

import pandas as pd
import pytest
from iohelpers import REPORTS

from orderkit import schema
from orderkit.io import read_report

ALL = REPORTS / "all_orders_spapi.txt"
UNSHIPPED = REPORTS / "unshipped_spapi.txt"


@pytest.mark.parametrize("path", [ALL, UNSHIPPED], ids=["all_orders", "unshipped"])
def test_a_report_in_amazons_current_shape_reads_every_row(path):
    book = read_report(path)
    rows = len(path.read_text(encoding="utf-8").splitlines()) - 1
    assert not book.problems and len(book.items) == rows
    for table in ("orders", "items", "events"):
        schema.validate(getattr(book, table), table)


@pytest.mark.parametrize("path", [ALL, UNSHIPPED], ids=["all_orders", "unshipped"])
def test_number_of_items_is_a_fact_of_each_item_not_of_the_order(path):
    """Its rows of one order differ (a pack of 3 beside a single item): no contradiction."""
    book = read_report(path)
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    assert list(book.items["number-of-items"]) == list(frame["number-of-items"])
    assert "number-of-items" not in book.orders.columns


def test_offsets_of_utc_read_as_the_same_instants():
    book = read_report(ALL)
    placed = book.orders.set_index("order_id").loc["503-7000001-0000001", "purchase_date"]
    assert placed == pd.Timestamp("2026-11-01T01:15:22Z")


def test_columns_of_other_marketplaces_and_versions_are_kept_on_the_items():
    book = read_report(UNSHIPPED)
    item = book.items.set_index("order_item_id").loc["71000020000001"]
    assert item["is-buyer-requested-cancellation"] == "true"
    assert item["buyer-requested-cancel-reason"] == "注文を間違えた"
    assert book.orders.set_index("order_id").loc["249-7100001-0000001", "address-type"] == (
        "Residential"
    )
