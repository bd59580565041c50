"""Bulk shipment confirmation: a carrier's CSV mapped once, unmatched rows, the preview, files."""

from __future__ import annotations

import pytest

from orderkit import OrderStatus, bulk, sample
from orderkit.metrics import status_at
from orderkit.widgets import BulkShipping
from orderkit.widgets.files import Uploaded

NOW = sample.DEFAULT_NOW
B2_HEADER = "お客様管理番号,送り状種類,クール区分,伝票番号,出荷予定日,お届け先名"


@pytest.fixture(scope="module")
def base_book():
    return sample.book()


@pytest.fixture
def book(base_book):
    return base_book.copy()


@pytest.fixture(scope="module")
def unshipped(base_book):
    fleet = status_at(base_book, NOW)
    mask = (fleet["status"] == "Unshipped") & (fleet["fulfillment_channel"] == "MFN")
    return [str(o) for o in fleet.index[mask]][:4]


def b2_csv(rows: list[tuple[str, str]]) -> bytes:
    """A Yamato B2 Cloud export as its users download it: cp932, Japanese headers."""
    body = "\r\n".join(f"{o},0,0,{t},2026/11/26,山田 太郎" for o, t in rows)
    return (B2_HEADER + "\r\n" + body + "\r\n").encode("cp932")


def test_carrier_csv_in_cp932_is_read_with_its_japanese_headers():
    file = bulk.read_carrier_csv(b2_csv([("249-1234567-7654321", "1234-5678-9012")]), "b2.csv")
    assert file.columns[0] == "お客様管理番号"
    assert file.rows[0][3] == "1234-5678-9012"


def test_order_and_tracking_columns_are_guessed_from_the_values_and_headers():
    file = bulk.read_carrier_csv(b2_csv([("249-1234567-7654321", "1234")]), "b2.csv")
    assert bulk.guess_columns(file) == ("お客様管理番号", "伝票番号")


def test_rows_for_orders_not_selected_are_listed_as_unmatched(unshipped):
    rows = [(unshipped[0], "111"), ("249-1234567-7654321", "222"), ("", "333")]
    file = bulk.read_carrier_csv(b2_csv(rows), "b2.csv")
    match = bulk.match_tracking(file, "お客様管理番号", "伝票番号", unshipped[:1])
    assert match.numbers == {unshipped[0]: "111"}
    assert [(u.line, u.why) for u in match.unmatched] == [
        (3, bulk.UnmatchedWhy.NOT_SELECTED),
        (4, bulk.UnmatchedWhy.NO_ORDER_NUMBER),
    ]


def test_selected_orders_the_file_does_not_name_are_listed_as_missing(unshipped):
    file = bulk.read_carrier_csv(b2_csv([(unshipped[0], "111")]), "b2.csv")
    match = bulk.match_tracking(file, "お客様管理番号", "伝票番号", unshipped[:2])
    assert match.missing == (unshipped[1],)


def test_preview_charges_each_order_its_total_when_nothing_was_confirmed(book, unshipped):
    lines = bulk.preview(book, unshipped, at=NOW)
    assert [line.charge for line in lines] == [book.order(o).state(at=NOW).total for o in unshipped]


def test_preview_names_the_rule_refusing_a_pending_order(book):
    fleet = status_at(book, NOW)
    pending = str(fleet.index[fleet["status"] == "Pending"][0])
    (line,) = bulk.preview(book, [pending], at=NOW)
    assert line.refusal.rule.id == "pending-no-dispatch"


def test_widget_maps_the_carrier_columns_from_an_upload(book, unshipped):
    widget = BulkShipping(book, unshipped[:2], now=NOW)
    widget.use_file(bulk.read_carrier_csv(b2_csv([(unshipped[0], "111")]), "b2.csv"))
    assert (widget.order_column, widget.tracking_column) == ("お客様管理番号", "伝票番号")
    assert [line.tracking_number for line in widget.lines] == ["111", None]


def test_widget_remembers_the_mapping_for_the_next_file(book, unshipped):
    widget = BulkShipping(book, unshipped[:1], now=NOW)
    widget.use_file(bulk.read_carrier_csv(b2_csv([(unshipped[0], "111")]), "b2.csv"))
    widget.map_columns("お客様管理番号", "送り状種類")  # the user's own choice
    widget.use_file(bulk.read_carrier_csv(b2_csv([(unshipped[0], "222")]), "b2-next.csv"))
    assert widget.tracking_column == "送り状種類"


def test_widget_lists_unmatched_rows_in_the_chosen_language(book, unshipped):
    widget = BulkShipping(book, unshipped[:1], now=NOW, lang="ja")
    widget.use_file(bulk.read_carrier_csv(b2_csv([("249-1234567-7654321", "9")]), "b2.csv"))
    assert "249-1234567-7654321" in widget.unmatched.value
    assert "選択されていない注文" in widget.unmatched.value


def test_bulk_confirmation_asks_then_records_and_offers_the_upload_file(book, unshipped):
    widget = BulkShipping(book, unshipped[:2], now=NOW)
    widget.use_pasted(f"{unshipped[0]}\t4000-0000-1111\n{unshipped[1]}, 4000-0000-2222")
    widget.confirm_button.click()
    assert book.order(unshipped[0]).state(at=NOW).status is OrderStatus.UNSHIPPED
    assert "2 orders" in widget.confirm_text.value
    widget.yes.click()
    assert book.order(unshipped[0]).state(at=NOW).status is OrderStatus.SHIPPED
    lines = widget.download.data.decode("utf-8").splitlines()
    assert widget.download.filename.startswith("shipping-confirmation-")
    assert {line.split("\t")[6] for line in lines[3:]} == {"4000-0000-1111", "4000-0000-2222"}
    assert 'download="shipping-confirmation-' in widget.download.value


def test_a_carrier_file_that_is_not_text_says_so_in_the_chosen_language(book, unshipped):
    widget = BulkShipping(book, unshipped[:1], now=NOW, lang="ja")
    widget.upload.value = (
        {
            "name": "label.pdf",
            "type": "application/pdf",
            "size": 6,
            "content": b"%PDF\x00\x01",
            "last_modified": NOW,
        },
    )
    assert "label.pdf" in widget.last_result
    assert "読み込めません" in widget.last_result


def test_packing_slips_due_today_print_as_one_document_with_page_breaks(book):
    due = bulk.due_today(book, at=NOW)
    doc = bulk.packing_slips(book, due, at=NOW)
    assert doc.count('<section class="ok-slip-page">') == len(due)
    assert "page-break-after:always" in doc


def test_uploaded_file_is_read_by_the_name_the_user_knows(tmp_path):
    from orderkit.errors import ReportFormatError
    from orderkit.widgets.files import read_uploaded_report

    with pytest.raises(ReportFormatError) as caught:
        read_uploaded_report(Uploaded("AllOrders.txt", b"not\ta\treport\n"))
    assert caught.value.path == "AllOrders.txt"


def test_a_tracking_number_not_of_the_carrier_is_refused_in_the_preview(book, unshipped):
    from orderkit.clock import FixedClock

    shipping = BulkShipping(book, [unshipped[0]], now=FixedClock(NOW), lang="ja")
    shipping.use_pasted(f"{unshipped[0]},T1")
    (line,) = shipping.lines
    assert line.bad_tracking and not line.allowed
    assert "ヤマト" in shipping.table.value and shipping.confirm_button.disabled
