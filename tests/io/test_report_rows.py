"""Rows of one report checked against each other, and exact line numbers in every error.

Each test builds a small file from the All Orders and Unshipped fixtures (read as text) and
changes one thing in it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from iohelpers import REPORTS

from orderkit import ReportFormatError
from orderkit.errors import DuplicateRowError
from orderkit.io import read_report

ALL = (REPORTS / "all_orders.txt").read_text(encoding="utf-8").splitlines()
UNSHIPPED = (REPORTS / "unshipped_cp932.txt").read_text(encoding="cp932").splitlines()
KYUSU = 3  # ALL[3]: the first row of order 503-1000003 (a teapot at ¥8,800); ALL[4] its second
KYUSU_ORDER = "503-1000003-0000003"


def _write(tmp_path: Path, lines: list[str], *, encoding: str = "utf-8", end: str = "\n") -> Path:
    path = tmp_path / "report.txt"
    path.write_bytes(end.join(lines).encode(encoding) + end.encode())
    return path


def _set(lines: list[str], row: int, column: str, value: str) -> str:
    """Return row ``row`` of ``lines`` with ``column`` set to ``value``."""
    fields = lines[row].split("\t")
    fields[lines[0].split("\t").index(column)] = value
    return "\t".join(fields)


def _total(book, order_id: str) -> int:
    items = book.items[book.items["order_id"] == order_id]
    return int((items["item_price"].fillna(0)).sum())


# ---- exactly repeated rows ----------------------------------------------------------------------


def test_an_exactly_repeated_row_is_counted_once(tmp_path):
    clean = read_report(_write(tmp_path, ALL[: KYUSU + 1]))
    lines = [*ALL[: KYUSU + 1], ALL[KYUSU]]
    book = read_report(_write(tmp_path, lines))
    assert _total(book, KYUSU_ORDER) == _total(clean, KYUSU_ORDER)
    assert len(book.items) == len(clean.items)


def test_an_exactly_repeated_row_is_listed_with_both_line_numbers(tmp_path):
    lines = [*ALL[:6], ALL[KYUSU]]  # line 7 repeats line 4
    (problem,) = read_report(_write(tmp_path, lines)).problems
    assert isinstance(problem, DuplicateRowError) and isinstance(problem, ReportFormatError)
    assert (problem.line, problem.first_line) == (7, KYUSU + 1)
    assert "line 4" in str(problem)


def test_a_repeated_row_keeps_its_order_in_the_book(tmp_path):
    book = read_report(_write(tmp_path, [*ALL[: KYUSU + 2], ALL[KYUSU]]))
    assert KYUSU_ORDER in book


def test_two_rows_of_one_sku_that_differ_in_one_field_stay_two_items(tmp_path):
    other = _set(ALL, KYUSU, "quantity", "2")
    book = read_report(_write(tmp_path, [*ALL[: KYUSU + 1], other]))
    assert not book.problems
    skus = book.items.loc[book.items["order_id"] == KYUSU_ORDER, "sku"]
    assert list(skus) == ["KYUSU-06", "KYUSU-06"]


def test_a_repeated_row_in_the_unshipped_report_is_read_once(tmp_path):
    clean = read_report(_write(tmp_path, UNSHIPPED[:3], encoding="cp932"))
    book = read_report(_write(tmp_path, [*UNSHIPPED[:3], UNSHIPPED[2]], encoding="cp932"))
    assert len(book.items) == len(clean.items)
    assert [(p.line, p.first_line) for p in book.problems] == [(4, 3)]


def test_one_order_item_id_on_two_different_rows_leaves_the_order_out(tmp_path):
    other = _set(UNSHIPPED, 2, "quantity-purchased", "3")
    book = read_report(_write(tmp_path, [*UNSHIPPED[:3], other], encoding="cp932"))
    order = UNSHIPPED[2].split("\t")[0]
    assert order not in book
    assert any(p.line == 4 and p.column == "order-item-id" for p in book.problems)


# ---- rows of one order that contradict each other -----------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("order-status", "Unshipped"),
        ("ship-city", "花巻市"),
        ("purchase-date", "2026-11-01T09:31:00+09:00"),
        ("fulfillment-channel", "Amazon"),
        ("is-business-order", "true"),
    ],
)
def test_rows_of_one_order_that_contradict_each_other_are_listed(tmp_path, column, value):
    second = _set(ALL, KYUSU + 1, column, value)
    book = read_report(_write(tmp_path, [*ALL[: KYUSU + 1], second]))
    (problem,) = [p for p in book.problems if p.column == column]
    assert (problem.line, problem.value) == (KYUSU + 2, value)
    assert f"line {KYUSU + 1}" in problem.expected


def test_an_order_whose_rows_contradict_each_other_is_left_out_whole(tmp_path):
    second = _set(ALL, KYUSU + 1, "order-status", "Unshipped")
    book = read_report(_write(tmp_path, [*ALL[: KYUSU + 1], second]))
    assert KYUSU_ORDER not in book
    assert sorted(p.line for p in book.problems) == [KYUSU + 1, KYUSU + 2]


def test_a_contradiction_is_found_when_the_rows_of_the_order_lie_apart(tmp_path):
    second = _set(ALL, KYUSU + 1, "ship-postal-code", "999-9999")
    book = read_report(_write(tmp_path, [ALL[0], ALL[KYUSU], ALL[1], second]))
    (problem,) = [p for p in book.problems if p.column == "ship-postal-code"]
    assert problem.line == 4 and "line 2" in problem.expected
    assert KYUSU_ORDER not in book and "503-1000001-0000001" in book


def test_an_order_column_left_empty_on_one_row_takes_the_value_of_the_others(tmp_path):
    first = _set(ALL, KYUSU, "ship-city", "")
    book = read_report(_write(tmp_path, [ALL[0], first, ALL[KYUSU + 1]]))
    assert not book.problems
    city = ALL[KYUSU].split("\t")[ALL[0].split("\t").index("ship-city")]
    assert book.orders.set_index("order_id").loc[KYUSU_ORDER, "ship_city"] == city


# ---- exact line numbers -------------------------------------------------------------------------


def _cp932_lines(n: int) -> list[str]:
    """A header and ``n`` rows, each with Japanese text (so that every line is cp932 bytes)."""
    rows = []
    for k in range(n):
        row = ALL[1].replace("503-1000001-0000001", f"503-1000001-{k:07d}")
        rows.append(_set([ALL[0], row], 1, "product-name", f"緑茶 {k}"))
    return [ALL[0], *rows]


def test_a_cp932_file_cut_inside_a_character_names_the_line_of_the_cut(tmp_path):
    data = "\n".join(_cp932_lines(7)).encode("cp932")  # line 8 is the last
    cut = data.rindex("緑".encode("cp932")) + 1  # inside the two bytes of 緑
    path = tmp_path / "cut.txt"
    path.write_bytes(data[:cut])
    with pytest.raises(ReportFormatError) as err:
        read_report(path)
    assert err.value.line == 8


def test_a_utf8_line_in_a_cp932_file_is_reported_with_its_line(tmp_path):
    lines = _cp932_lines(6)
    lines[5] = _set(lines, 5, "ship-city", "渋谷区")
    data = b"\n".join(line.encode("utf-8" if k == 5 else "cp932") for k, line in enumerate(lines))
    path = tmp_path / "mixed.txt"
    path.write_bytes(data + b"\n")
    book = read_report(path)
    (problem,) = book.problems
    assert problem.line == 6 and "渋谷区" in problem.value
    assert "another encoding" in problem.expected and problem.path == str(path)


def test_a_utf8_line_in_a_cp932_file_is_not_read_garbled(tmp_path):
    lines = _cp932_lines(6)
    lines[5] = _set(lines, 5, "ship-city", "渋谷区")
    data = b"\n".join(line.encode("utf-8" if k == 5 else "cp932") for k, line in enumerate(lines))
    path = tmp_path / "mixed.txt"
    path.write_bytes(data + b"\n")
    book = read_report(path)
    garbled = "渋谷区".encode().decode("cp932")
    assert not book.orders["ship_city"].astype(str).str.contains(garbled).any()
    assert len(book.orders) == 5


def test_a_cp932_line_in_a_utf8_file_is_reported_with_its_line(tmp_path):
    lines = _cp932_lines(6)
    data = b"\n".join(line.encode("cp932" if k == 3 else "utf-8") for k, line in enumerate(lines))
    path = tmp_path / "mixed.txt"
    path.write_bytes(data + b"\n")
    book = read_report(path)
    (problem,) = book.problems
    assert problem.line == 4 and "another encoding" in problem.expected
    assert "緑茶 2" in problem.value
    assert len(book.orders) == 5


def test_a_lone_cr_inside_a_field_is_listed_with_its_line_and_column(tmp_path):
    broken = _set(ALL, 2, "product-name", "今治タオル\r2枚組")
    book = read_report(_write(tmp_path, [ALL[0], ALL[1], broken, ALL[6]]))
    (problem,) = book.problems
    assert (problem.line, problem.column) == (3, "product-name")
    assert problem.value == "今治タオル\r2枚組"


def test_a_lone_cr_does_not_move_the_line_numbers_after_it(tmp_path):
    broken = _set(ALL, 2, "product-name", "今治タオル\r2枚組")
    bad = _set(ALL, 8, "quantity", "-1")
    book = read_report(_write(tmp_path, [ALL[0], ALL[1], broken, ALL[7], bad]))
    assert sorted(p.line for p in book.problems) == [3, 5]
    assert {p.column for p in book.problems if p.line == 5} == {"quantity"}


def test_cr_cr_lf_line_ends_keep_the_line_numbers(tmp_path):
    bad = _set(ALL, 2, "quantity", "-1")
    book = read_report(_write(tmp_path, [ALL[0], ALL[1], bad, ALL[5]], end="\r\r\n"))
    (problem,) = book.problems
    assert (problem.line, problem.column) == (3, "quantity")
    assert len(book.orders) == 2


def test_a_bom_makes_the_file_utf8_so_its_cp932_line_is_the_odd_one(tmp_path):
    lines = _cp932_lines(2)
    data = b"\n".join(line.encode("utf-8" if k != 2 else "cp932") for k, line in enumerate(lines))
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + data + b"\n")
    (problem,) = read_report(path).problems
    assert problem.line == 3 and "Shift_JIS" in problem.expected


def test_strict_raises_an_exactly_repeated_row(tmp_path):
    with pytest.raises(DuplicateRowError) as err:
        read_report(_write(tmp_path, [*ALL[: KYUSU + 1], ALL[KYUSU]]), strict=True)
    assert (err.value.line, err.value.first_line) == (KYUSU + 2, KYUSU + 1)


def test_an_empty_channel_on_the_first_row_takes_the_channel_of_the_others(tmp_path):
    first = _set(ALL, KYUSU, "fulfillment-channel", "")
    second = _set(ALL, KYUSU + 1, "fulfillment-channel", "Amazon")
    book = read_report(_write(tmp_path, [ALL[0], first, second]))
    assert not book.problems
    assert book.orders.set_index("order_id").loc[KYUSU_ORDER, "fulfillment_channel"] == "AFN"
