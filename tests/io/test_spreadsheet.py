"""CSV files for spreadsheets: formulas neutralised, UTF-8 with BOM; Amazon formats stay exact."""

from __future__ import annotations

import csv
import datetime as dt
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from iohelpers import REPORTS

from orderkit.io import read_report, write_report, write_spreadsheet_csv
from orderkit.io.spreadsheet import FORMULA_STARTS, neutralise

AT = dt.datetime(2026, 11, 3, 12, tzinfo=dt.UTC)
HYPERLINK = '=HYPERLINK("http://example.com/x","詳細")'
ORDER = "503-1000002-0000002"


def _read(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_with_a_formula_character_is_neutralised(start):
    assert neutralise(start + "1+cmd|' /C calc'!A0") == "'" + start + "1+cmd|' /C calc'!A0"


@pytest.mark.parametrize("number", ["-500", "1,980", "-1,980", "-0.5", "42"])
def test_plain_numbers_stay_numbers(number):
    assert neutralise(number) == number


def test_a_phone_number_with_a_plus_is_text_not_a_formula():
    assert neutralise("+81-90-1234-5678") == "'+81-90-1234-5678"


@pytest.fixture
def hyperlink_book(tmp_path):
    text = (REPORTS / "all_orders.txt").read_text(encoding="utf-8")
    text = text.replace("今治タオル フェイスタオル 2枚組", HYPERLINK)
    source = tmp_path / "source.txt"
    source.write_text(text, encoding="utf-8")
    return read_report(source)


def test_a_formula_in_a_product_name_is_neutralised_in_the_spreadsheet_csv(
    hyperlink_book, tmp_path
):
    path = write_spreadsheet_csv(hyperlink_book.items, tmp_path / "orders.csv")
    header, *rows = _read(path)
    cells = [dict(zip(header, r, strict=True)) for r in rows]
    names = {c["order_id"]: c["product_name"] for c in cells}
    assert names[ORDER] == "'" + HYPERLINK
    assert len(rows) == len(hyperlink_book.items)


def test_a_formula_in_a_product_name_round_trips_exactly_through_the_report(
    hyperlink_book, tmp_path
):
    out = tmp_path / "all_orders.txt"
    write_report(hyperlink_book, "all_orders", out, at=AT)
    again = read_report(out).items.set_index("order_id")
    assert again.loc[ORDER, "product_name"] == HYPERLINK


def test_the_spreadsheet_csv_is_utf8_with_bom_and_crlf(tmp_path):
    path = write_spreadsheet_csv(pd.DataFrame({"商品名": ["緑茶"]}), tmp_path / "a.csv")
    assert path.read_bytes() == '\ufeff"商品名"\r\n"緑茶"\r\n'.encode()


def test_times_are_written_in_japan_time_and_missing_values_as_empty_cells(tmp_path):
    frame = pd.DataFrame(
        {"at": [pd.Timestamp("2026-11-02T01:15:00Z"), pd.NaT], "sku": ["TEA-050", None]}
    )
    path = write_spreadsheet_csv(frame, tmp_path / "a.csv")
    assert _read(path)[1:] == [["2026-11-02 10:15:00", "TEA-050"], ["", ""]]


@given(st.text())
def test_no_neutralised_cell_starts_a_formula_and_nothing_else_changes(text):
    cell = neutralise(text)
    assert not cell.startswith(FORMULA_STARTS) or re.fullmatch(r"-[0-9,.]+", cell)
    assert cell in (text, "'" + text)
