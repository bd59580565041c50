"""The flat-file readers and writer: formats, encodings, bad rows, inferred events, round trips."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from iohelpers import LATER, REPORTS

from orderkit import OrderStatus, ReportFormatError, schema
from orderkit.events import event_ids as core_event_ids
from orderkit.io import read_report, write_report
from orderkit.io._fast import event_ids as fast_event_ids

UTC = dt.UTC


@pytest.fixture
def all_orders() -> Path:
    return REPORTS / "all_orders.txt"


@pytest.fixture
def unshipped() -> Path:
    return REPORTS / "unshipped_cp932.txt"


@pytest.fixture
def order_report() -> Path:
    return REPORTS / "order_report_bom.txt"


def _states(book, at=LATER):
    return {o: book.order(o).state(at=at).status for o in book.orders["order_id"]}


# ---- formats and encodings ------------------------------------------------------------------


def test_all_orders_report_is_detected_and_mapped(all_orders):
    book = read_report(all_orders)
    assert not book.problems
    assert len(book.orders) == 8 and len(book.items) == 10
    row = book.orders.set_index("order_id").loc["503-1000007-0000007"]
    assert row["is_business_order"] and row["purchase_order_number"] == "PO-2026-0042"
    assert row["purchase_date"] == pd.Timestamp("2026-11-02T05:00:00Z")
    assert (
        book.orders.set_index("order_id").loc["503-1000006-0000006", "fulfillment_channel"] == "AFN"
    )


def test_columns_have_the_schema_dtypes(all_orders, unshipped, order_report):
    for path in (all_orders, unshipped, order_report):
        book = read_report(path)
        schema.validate(book.orders, "orders")
        schema.validate(book.items, "items")
        schema.validate(book.events, "events")


def test_yen_amounts_are_integers_and_discounts_positive(all_orders):
    items = read_report(all_orders).items.set_index("order_item_id")
    assert str(items["item_price"].dtype) == "Int64"
    kyusu = items.loc["sku:KYUSU-06"]
    assert kyusu["item_price"] == 8800 and kyusu["item_promotion_discount"] == 500


def test_unknown_columns_are_kept(all_orders, unshipped):
    book = read_report(all_orders)
    assert "is-iba" in book.items.columns and "promotion-ids" in book.items.columns
    assert "merchant-order-id" in book.orders.columns
    un = read_report(unshipped)
    gift = un.items.set_index("order_item_id").loc["52345678901234", "gift-message-text"]
    assert gift == "いつもありがとうございます"


def test_cp932_file_with_crlf_reads_japanese_names(unshipped):
    assert b"\r\n" in unshipped.read_bytes()
    book = read_report(unshipped)
    row = book.orders.set_index("order_id").loc["249-2000001-0000001"]
    assert row["buyer_name"] == "山田 太郎" and row["ship_state"] == "東京都"
    assert row["latest_ship_date"] == pd.Timestamp("2026-11-04T14:59:59Z")


def test_utf8_bom_file_reads_its_first_column(order_report):
    assert order_report.read_bytes().startswith(b"\xef\xbb\xbf")
    book = read_report(order_report)
    assert list(book.orders["order_id"]) == ["250-3000001-0000001", "250-3000002-0000002"]


def test_japanese_payment_methods_map_to_the_schema_values(unshipped):
    pm = read_report(unshipped).orders.set_index("order_id")["payment_method"]
    assert pm["249-2000002-0000002"] == "cvs" and pm["249-2000003-0000003"] == "cod"
    assert pm["249-2000001-0000001"] == "other"


def test_columns_in_any_order_read_the_same(all_orders, tmp_path):
    frame = pd.read_csv(all_orders, sep="\t", dtype=str, keep_default_na=False)
    shuffled = tmp_path / "shuffled.txt"
    frame[frame.columns[::-1]].to_csv(shuffled, sep="\t", index=False)
    a, b = read_report(all_orders), read_report(shuffled)
    pd.testing.assert_frame_equal(a.orders[list(schema.ORDERS)], b.orders[list(schema.ORDERS)])
    assert set(a.events["event_id"]) == set(b.events["event_id"])


# ---- inferred events ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["all_orders", "unshipped", "order_report"])
def test_every_inferred_order_folds(name, request):
    book = read_report(request.getfixturevalue(name))
    for at in (dt.datetime(2026, 11, 2, 12, tzinfo=UTC), LATER):
        for order_id in book.orders["order_id"]:
            if book.order(order_id).row["purchase_date"] <= at:
                book.order(order_id).state(at=at)  # raises TransitionNotAllowed if not


def test_all_orders_statuses_become_events(all_orders):
    book = read_report(all_orders)
    at = dt.datetime(2026, 11, 3, 12, tzinfo=UTC)
    got = _states(book, at)
    assert got["503-1000001-0000001"] is OrderStatus.PENDING
    assert got["503-1000002-0000002"] is OrderStatus.UNSHIPPED
    assert got["503-1000003-0000003"] is OrderStatus.SHIPPED
    assert got["503-1000004-0000004"] is OrderStatus.PARTIALLY_SHIPPED
    assert got["503-1000005-0000005"] is OrderStatus.CANCELED
    assert got["503-1000006-0000006"] is OrderStatus.SHIPPED


def test_canceled_is_recorded_as_amazon_with_unknown_reason(all_orders):
    ev = read_report(all_orders).events
    cancel = ev[ev["kind"] == "canceled"].iloc[0]
    assert cancel["actor"] == "amazon" and pd.isna(cancel["reason"])
    assert cancel["at"] == pd.Timestamp("2026-11-01T03:00:00Z")


def test_shipment_is_placed_before_the_automatic_cancellation(all_orders):
    book = read_report(all_orders)
    state = book.order("503-1000008-0000008").state(at=LATER)
    assert state.status is OrderStatus.SHIPPED
    assert state.first_confirmed_at < state.confirm_by


def test_payment_is_at_payments_date_when_the_file_has_it(unshipped):
    book = read_report(unshipped)
    state = book.order("249-2000002-0000002").state(at=dt.datetime(2026, 11, 3, 4, tzinfo=UTC))
    assert state.paid_at == dt.datetime(2026, 11, 3, 3, 0, tzinfo=UTC)


def test_quantity_shipped_in_the_unshipped_report_is_a_partial_shipment(unshipped):
    state = (
        read_report(unshipped)
        .order("249-2000004-0000004")
        .state(at=dt.datetime(2026, 11, 2, 12, tzinfo=UTC))
    )
    assert state.status is OrderStatus.PARTIALLY_SHIPPED
    assert state.shipped["42345678901234"] == 1


def test_source_defaults_to_the_file_name_and_can_be_given(all_orders):
    assert set(read_report(all_orders).events["source"]) == {"all_orders.txt"}
    assert set(read_report(all_orders, source="nightly").events["source"]) == {"nightly"}


def test_the_same_report_twice_adds_nothing(all_orders):
    book = read_report(all_orders)
    merged = book.merge(read_report(all_orders, source="again"))
    assert len(merged.events) == len(book.events)
    assert len(merged.orders) == len(book.orders) and len(merged.items) == len(book.items)


def test_a_later_report_adds_only_the_new_facts(all_orders, tmp_path):
    text = all_orders.read_text(encoding="utf-8")
    later = text.replace(
        "503-1000002-0000002\t\t2026-11-02T11:00:00+09:00\t2026-11-02T11:05:00+09:00\tUnshipped",
        "503-1000002-0000002\t\t2026-11-02T11:00:00+09:00\t2026-11-03T15:00:00+09:00\tShipped",
    )
    assert later != text
    path = tmp_path / "later.txt"
    path.write_text(later, encoding="utf-8")
    book = read_report(all_orders)
    merged = book.merge(read_report(path))
    new = merged.events[~merged.events["event_id"].isin(book.events["event_id"])]
    assert list(new["kind"]) == ["shipment_confirmed"]
    assert list(new["order_id"]) == ["503-1000002-0000002"]
    assert merged.order("503-1000002-0000002").state(at=LATER).status is OrderStatus.SHIPPED


def test_fast_event_ids_equal_the_core_ids(all_orders):
    events = read_report(all_orders).events
    pd.testing.assert_series_equal(fast_event_ids(events), core_event_ids(events))


def test_the_readers_event_ids_are_the_content_hashes_of_the_events_it_infers(all_orders):
    """The reader combines ids from hashes it computed on the way (the order ids' among them)."""
    events = read_report(all_orders).events
    pd.testing.assert_series_equal(events["event_id"], core_event_ids(events), check_names=False)


# ---- round trips ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind", "encoding"),
    [
        ("all_orders", "all_orders", "utf-8"),
        ("all_orders", "all_orders", "cp932"),
        ("unshipped", "unshipped", "cp932"),
        ("unshipped", "unshipped", "utf-8-sig"),
        ("order_report", "order_report", "utf-8-sig"),
    ],
)
def test_write_then_read_gives_the_same_book(name, kind, encoding, request, tmp_path):
    book = read_report(request.getfixturevalue(name))
    at = book.events["at"].max().to_pydatetime()
    out = tmp_path / "out.txt"
    write_report(book, kind, out, encoding=encoding, at=at)
    again = read_report(out, source=request.getfixturevalue(name).name)
    assert not again.problems
    key = ["order_id"]
    pd.testing.assert_frame_equal(
        again.orders.sort_values(key).reset_index(drop=True),
        book.orders.sort_values(key).reset_index(drop=True),
        check_like=True,
    )
    ikey = ["order_id", "order_item_id"]
    pd.testing.assert_frame_equal(
        again.items.sort_values(ikey).reset_index(drop=True),
        book.items.sort_values(ikey).reset_index(drop=True),
        check_like=True,
    )
    assert set(again.events["event_id"]) == set(book.events["event_id"])


def test_unshipped_report_lists_only_unshipped_seller_orders(all_orders, tmp_path):
    book = read_report(all_orders)
    at = dt.datetime(2026, 11, 3, 12, tzinfo=UTC)
    out = tmp_path / "unshipped.txt"
    write_report(book, "unshipped", out, at=at)
    # read back raw: All Orders items have no 14-digit order-item-id to satisfy the reader
    listed = set(pd.read_csv(out, sep="\t", dtype=str)["order-id"])
    assert listed == {"503-1000002-0000002", "503-1000004-0000004", "503-1000007-0000007"}


def test_write_report_refuses_an_unknown_kind(all_orders, tmp_path):
    with pytest.raises(ValueError, match="kind"):
        write_report(read_report(all_orders), "returns", tmp_path / "x.txt")


# ---- broken files ---------------------------------------------------------------------------

HEADER = (
    (Path(__file__).parent.parent / "data" / "reports" / "all_orders.txt")
    .read_text(encoding="utf-8")
    .splitlines()
)


def _write(tmp_path: Path, lines: list[str], name: str = "broken.txt") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _replace(line: str, column: str, value: str) -> str:
    cols = HEADER[0].split("\t")
    fields = line.split("\t")
    fields[cols.index(column)] = value
    return "\t".join(fields)


def test_empty_file_raises_at_line_1(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(ReportFormatError) as err:
        read_report(path)
    assert err.value.line == 1 and err.value.path == str(path)


def test_header_only_is_a_report_of_no_orders(tmp_path):
    book = read_report(_write(tmp_path, HEADER[:1]))
    assert len(book.orders) == 0 and not book.problems
    schema.validate(book.orders, "orders")


def test_unrecognised_header_raises_at_line_1(tmp_path):
    with pytest.raises(ReportFormatError) as err:
        read_report(_write(tmp_path, ["sku\tprice\tquantity", "A\t1\t2"]))
    assert err.value.line == 1 and "All Orders" in err.value.expected


def test_duplicated_column_in_header_raises_at_line_1(tmp_path):
    with pytest.raises(ReportFormatError) as err:
        read_report(_write(tmp_path, [HEADER[0] + "\tsku", *HEADER[1:3]]))
    assert err.value.line == 1 and err.value.column == "sku"


def test_duplicated_header_row_in_the_body_is_a_bad_row(tmp_path):
    book = read_report(_write(tmp_path, [*HEADER[:3], HEADER[0], *HEADER[3:5]]))
    bad = [p for p in book.problems if p.line == 4]
    assert bad and bad[0].column == "amazon-order-id" and bad[0].value == "amazon-order-id"
    assert len(book.orders) == 3


def test_truncated_last_row_is_listed_with_its_line_and_its_order_left_out(tmp_path):
    lines = [*HEADER[:4], HEADER[4][:40]]
    path = tmp_path / "truncated.txt"
    path.write_text("\n".join(lines), encoding="utf-8")  # no final newline: cut off mid-row
    book = read_report(path)
    assert [p.line for p in book.problems] == [4, 5]  # line 4: the same order's good row
    assert "503-1000003-0000003" not in book
    assert len(book.orders) == 2


def test_wrong_column_count_is_listed_with_its_line(tmp_path):
    book = read_report(_write(tmp_path, [*HEADER[:2], HEADER[2] + "\textra", *HEADER[3:4]]))
    problem = next(p for p in book.problems if p.line == 3)
    assert "fields" in problem.expected
    assert "503-1000002-0000002" not in book and "503-1000001-0000001" in book


def test_cp932_file_with_a_wrong_column_count_lists_the_row_in_japanese(tmp_path):
    """UTF-8 is tried first: a cp932 file fails it (even in a row of the wrong width) and is
    read as cp932, the bad row quoted in Japanese."""
    good = _replace(HEADER[1], "product-name", "煎茶 100g")
    bad = _replace(HEADER[2], "product-name", "抹茶 30g") + "\t余分"
    path = tmp_path / "cp932.txt"
    path.write_bytes("\r\n".join([HEADER[0], good, bad]).encode("cp932") + b"\r\n")
    book = read_report(path)
    (problem,) = [p for p in book.problems if p.line == 3]
    assert "抹茶 30g" in str(problem.value) and "fields" in problem.expected
    assert book.items["product_name"].tolist() == ["煎茶 100g"]


def test_unparseable_date_names_line_column_and_value(tmp_path):
    line = _replace(HEADER[2], "purchase-date", "2026/11/02 11:00")
    book = read_report(_write(tmp_path, [HEADER[0], HEADER[1], line]))
    (problem,) = book.problems
    assert (problem.line, problem.column, problem.value) == (3, "purchase-date", "2026/11/02 11:00")
    assert "ISO 8601" in problem.expected


def test_negative_quantity_is_a_bad_row(tmp_path):
    line = _replace(HEADER[2], "quantity", "-2")
    (problem,) = read_report(_write(tmp_path, [HEADER[0], line])).problems
    assert (problem.line, problem.column, problem.value) == (2, "quantity", "-2")


@pytest.mark.parametrize(
    ("column", "value", "read"),
    [
        ("quantity", "99999999999999999999", None),  # too large to hold: bad, not a crash
        ("quantity", "1.5", None),
        ("item-price", "1000.0", 1000),  # a whole number written as a decimal is fine
        ("item-price", "abc", None),
        ("item-promotion-discount", "-100.0", 100),
    ],
)
def test_numbers_outside_plain_integers(tmp_path, column, value, read):
    line = _replace(HEADER[2], column, value)
    book = read_report(_write(tmp_path, [HEADER[0], line]))
    if read is None:
        (problem,) = book.problems
        assert (problem.line, problem.column, problem.value) == (2, column, value)
    else:
        assert not book.problems
        assert book.items[column.replace("-", "_")].tolist() == [read]


def test_unknown_status_is_a_bad_row(tmp_path):
    line = _replace(HEADER[2], "order-status", "Teleported")
    (problem,) = read_report(_write(tmp_path, [HEADER[0], line])).problems
    assert (problem.line, problem.column, problem.value) == (2, "order-status", "Teleported")


def test_an_order_with_one_bad_row_is_left_out_whole(tmp_path):
    line = _replace(HEADER[4], "item-price", "abc")  # second row of order 503-1000003
    book = read_report(_write(tmp_path, [*HEADER[:4], line, *HEADER[5:]]))
    assert "503-1000003-0000003" not in book
    assert sorted(p.line for p in book.problems) == [4, 5]
    assert len(book.orders) == 7


def test_strict_raises_the_first_bad_row(tmp_path):
    first = _replace(HEADER[2], "quantity", "x")
    second = _replace(HEADER[3], "purchase-date", "yesterday")
    with pytest.raises(ReportFormatError) as err:
        read_report(_write(tmp_path, [HEADER[0], HEADER[1], first, second]), strict=True)
    assert (err.value.line, err.value.column) == (3, "quantity")


def test_bytes_invalid_in_every_encoding_raise(tmp_path):
    path = tmp_path / "garbled.txt"
    path.write_bytes(HEADER[0].encode() + b"\n" + HEADER[1].encode() + b"\n503-\xff\xfe\x80\x80\n")
    with pytest.raises(ReportFormatError) as err:
        read_report(path)
    assert err.value.line == 3 and "cp932" in err.value.expected


def test_binary_file_raises(tmp_path):
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4)
    with pytest.raises(ReportFormatError) as err:
        read_report(path)
    assert "binary" in err.value.expected


def test_blank_lines_are_not_rows_and_do_not_shift_line_numbers(tmp_path):
    line = _replace(HEADER[3], "quantity", "-1")
    book = read_report(_write(tmp_path, [HEADER[0], HEADER[1], "", line]))
    (problem,) = book.problems
    assert problem.line == 4
    assert list(book.orders["order_id"]) == ["503-1000001-0000001"]


def test_no_row_is_dropped_silently(tmp_path):
    lines = [HEADER[0], *HEADER[1:], _replace(HEADER[2], "quantity", "1.5")]
    book = read_report(_write(tmp_path, lines))
    rows = len(lines) - 1
    kept = len(book.items)
    listed = {p.line for p in book.problems}
    assert kept + len(listed) == rows
    assert np.all(np.array(sorted(listed)) >= 2)


def test_item_keys_and_first_rows_from_order_codes_equal_the_plain_pandas_ones():
    from orderkit.io.reports import _first_rows, _item_ids, _order_codes

    rows = pd.DataFrame(
        {
            "order_id": pd.Series(["a", "b", "a", "c", "b", "a", "c"], dtype="str"),
            "sku": pd.Series(["x", "x", "x", "y", None, "y", "y"], dtype="str"),
            "asin": pd.Series([None, None, None, None, "B0", None, None], dtype="str"),
        }
    )
    codes, _ = _order_codes(rows)
    pd.testing.assert_series_equal(_item_ids(rows, codes), _item_ids(rows))
    assert _item_ids(rows, codes).tolist()[:3] == ["sku:x", "sku:x", "sku:x#2"]
    assert (_first_rows(codes) == ~rows["order_id"].duplicated().to_numpy()).all()


def test_a_sku_repeated_in_an_order_is_numbered_whether_its_rows_lie_together_or_apart():
    import numpy as np

    from orderkit.io.reports import _item_ids, _order_codes, _repeats

    together = pd.DataFrame(
        {
            "order_id": pd.Series(list("aaaabcc"), dtype="str"),
            "sku": pd.Series(list("xxyxyzz"), dtype="str"),
        }
    )
    codes, _ = _order_codes(together)
    expected = ["sku:x", "sku:x#2", "sku:y", "sku:x#3", "sku:y", "sku:z", "sku:z#2"]
    assert _item_ids(together, codes).tolist() == expected
    # The same rows, an order's rows apart: the pairs are hashed instead, with the same result.
    apart = together.iloc[[0, 4, 1, 5, 2, 6, 3]].reset_index(drop=True)
    codes, _ = _order_codes(apart)
    assert _item_ids(apart, codes).tolist() == [expected[i] for i in (0, 4, 1, 5, 2, 6, 3)]
    # An order of more rows than the neighbour passes go to: hashed, found all the same.
    many = np.zeros(40, np.int64)
    skus = np.arange(40) % 3
    assert _repeats(many, skus, 3).all()


def test_a_date_that_parses_but_breaks_a_rule_is_quoted_as_the_file_has_it(tmp_path):
    # The reader parses well-formed date-times itself; a rule broken by one (last updated before
    # the purchase) still names the line and quotes the text, not a parsed timestamp.
    purchase = HEADER[2].split("\t")[HEADER[0].split("\t").index("purchase-date")]
    line = _replace(HEADER[2], "last-updated-date", "2020-01-01T00:00:00+09:00")
    (problem,) = read_report(_write(tmp_path, [HEADER[0], HEADER[1], line])).problems
    assert (problem.line, problem.column) == (3, "last-updated-date")
    assert problem.value == "2020-01-01T00:00:00+09:00" and purchase > "2020"
    assert "purchase-date" in problem.expected


def test_a_date_without_its_offset_is_a_bad_row(tmp_path):
    line = _replace(HEADER[2], "purchase-date", "2026-11-02T11:00:00")
    (problem,) = read_report(_write(tmp_path, [HEADER[0], HEADER[1], line])).problems
    assert (problem.line, problem.column, problem.value) == (
        3,
        "purchase-date",
        "2026-11-02T11:00:00",
    )
