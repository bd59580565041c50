"""The shipping-confirmation upload file: exact header rows, carriers, validation before writing."""

from __future__ import annotations

import datetime as dt
import errno
import os

import pandas as pd
import pytest
from iohelpers import SPAPI

from orderkit import ConfirmationError, UnencodableText
from orderkit.io import (
    Confirmation,
    read_spapi_orders,
    validate_confirmations,
    write_shipping_confirmation,
)
from orderkit.io.confirmation import HEADER_ROWS

UTC = dt.UTC
AT = dt.datetime(2026, 11, 2, 12, tzinfo=UTC)
UNSHIPPED = "503-4000002-0000002"
ITEM = "22222222222221"


@pytest.fixture
def book():
    return read_spapi_orders(SPAPI / "orders_v0_pages.json", items=SPAPI / "order_items_v0.json")


def ok(**kw) -> Confirmation:
    base = dict(order_id=UNSHIPPED, order_item_id=ITEM, quantity=3,
                ship_date=dt.date(2026, 11, 2), carrier_code="Yamato Transport",
                tracking_number="1234-5678-9012")  # fmt: skip
    return Confirmation(**{**base, **kw})


def test_the_file_has_the_three_template_header_rows(tmp_path, book):
    path = tmp_path / "upload.txt"
    assert write_shipping_confirmation([ok()], path, book=book, at=AT) == 1
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t")[:2] == ["TemplateType=OrderFulfillment", "Version=2011.1102"]
    assert lines[1].split("\t") == ["注文番号", "注文商品番号", "出荷数", "出荷日", "配送業者コード",
                                    "配送業者名", "お問い合わせ伝票番号", "配送方法", "代金引換"]  # fmt: skip
    assert lines[2].split("\t") == ["order-id", "order-item-id", "quantity", "ship-date",
                                    "carrier-code", "carrier-name", "tracking-number",
                                    "ship-method", "cod-collection-method"]  # fmt: skip
    assert lines[3].split("\t")[:7] == [UNSHIPPED, ITEM, "3", "2026-11-02", "Yamato Transport",
                                        "ヤマト運輸", "1234-5678-9012"]  # fmt: skip
    assert tuple(lines[2].split("\t")) == HEADER_ROWS[2]


def test_japanese_carrier_names_map_to_carrier_codes(tmp_path, book):
    path = tmp_path / "upload.txt"
    rows = [ok(quantity=1, carrier_code="佐川急便"), ok(quantity=1, carrier_code="日本郵便"),
            ok(quantity=1, carrier_code="Other", carrier_name="西濃運輸")]  # fmt: skip
    write_shipping_confirmation(rows, path, book=book, at=AT)
    body = [r.split("\t") for r in path.read_text(encoding="utf-8").splitlines()[3:]]
    assert [(r[4], r[5]) for r in body] == [
        ("Sagawa Express", "佐川急便"),
        ("Japan Post", "日本郵便"),
        ("Other", "西濃運輸"),
    ]


def test_a_dataframe_and_dicts_are_accepted(tmp_path, book):
    frame = pd.DataFrame([{"order-id": UNSHIPPED, "order-item-id": ITEM, "quantity": 2,
                           "ship-date": "2026-11-02", "carrier-code": "Japan Post"}])  # fmt: skip
    assert write_shipping_confirmation(frame, tmp_path / "a.txt", book=book, at=AT) == 1
    rows = [{"order_id": UNSHIPPED, "order_item_id": ITEM, "quantity": 1,
             "ship_date": AT, "carrier_code": "Yamato Transport"}]  # fmt: skip
    assert write_shipping_confirmation(rows, tmp_path / "b.txt", book=book, at=AT) == 1


def test_cp932_encoding_is_offered(tmp_path, book):
    path = tmp_path / "sjis.txt"
    write_shipping_confirmation([ok()], path, book=book, at=AT, encoding="cp932")
    assert "注文番号" in path.read_bytes().decode("cp932")


def _rule(errors):
    return [e.rule.id for e in errors]


def test_pending_order_is_refused_by_pending_no_dispatch(book):
    errors = validate_confirmations(
        [ok(order_id="503-4000001-0000001", order_item_id="11111111111111", quantity=1)],
        book=book, at=AT)  # fmt: skip
    assert _rule(errors) == ["pending-no-dispatch"]
    assert errors[0].index == 0 and errors[0].order_id == "503-4000001-0000001"


def test_canceled_order_is_refused_by_canceled_is_final(book):
    errors = validate_confirmations(
        [ok(order_id="503-4000005-0000005", order_item_id="55555555555551", quantity=1)],
        book=book, at=AT)  # fmt: skip
    assert _rule(errors) == ["canceled-is-final"]


def test_more_than_left_to_ship_is_refused_across_the_batch(book):
    errors = validate_confirmations([ok(quantity=2), ok(quantity=2)], book=book, at=AT)
    assert _rule(errors) == ["no-ship-more-than-ordered"] and errors[0].index == 1


def test_already_shipped_item_has_nothing_left_to_ship(book):
    errors = validate_confirmations(
        [ok(order_id="503-4000003-0000003", order_item_id="33333333333331", quantity=1)],
        book=book, at=AT)  # fmt: skip
    assert _rule(errors) == ["no-ship-more-than-ordered"]


def test_ship_date_after_at_is_refused():
    errors = validate_confirmations([ok(ship_date=dt.date(2026, 11, 3))], at=AT)
    assert _rule(errors) == ["confirm-within-7-days"]


def test_ship_date_is_compared_in_japan_time():
    late_evening = dt.datetime(2026, 11, 2, 16, tzinfo=UTC)  # 01:00 JST on 3 November
    assert not validate_confirmations([ok(ship_date=dt.date(2026, 11, 3))], at=late_evening)


def test_malformed_ids_and_quantities_are_all_reported_at_once():
    errors = validate_confirmations(
        [ok(order_id="5031234567"), ok(order_item_id="123"), ok(quantity=0),
         ok(carrier_code="Kuroneko Express"), ok(carrier_code="Other")], at=AT)  # fmt: skip
    assert [e.index for e in errors] == [0, 1, 2, 3, 4]
    assert _rule(errors) == ["find-order", "no-ship-more-than-ordered",
                             "no-ship-more-than-ordered", "confirm-within-7-days",
                             "confirm-within-7-days"]  # fmt: skip


def test_order_not_in_the_book_is_refused(book):
    errors = validate_confirmations([ok(order_id="503-9999999-9999999")], book=book, at=AT)
    assert _rule(errors) == ["other-seller-order"]


def test_a_bad_confirmation_writes_nothing(tmp_path, book):
    path = tmp_path / "upload.txt"
    with pytest.raises(ConfirmationError) as err:
        write_shipping_confirmation([ok(quantity=1), ok(quantity=9)], path, book=book, at=AT)
    assert err.value.index == 1 and err.value.rule.id == "no-ship-more-than-ordered"
    assert not path.exists() and list(tmp_path.iterdir()) == []


def test_a_bad_confirmation_leaves_an_existing_file_untouched(tmp_path, book):
    path = tmp_path / "upload.txt"
    path.write_text("previous", encoding="utf-8")
    with pytest.raises(ConfirmationError):
        write_shipping_confirmation([ok(quantity=0)], path, book=book, at=AT)
    assert path.read_text(encoding="utf-8") == "previous"


def test_naive_at_is_refused():
    with pytest.raises(ValueError, match="timezone"):
        validate_confirmations([ok()], at=dt.datetime(2026, 11, 2))


# ---- every field validated before writing: one set of rules for validate and write ----------

SMUGGLED = "1234\n250-5555555-6000007\t22345678901234\t2\t2026-11-02\tJapan Post"


def test_a_tracking_number_with_a_line_break_and_tabs_is_refused_and_nothing_written(
    tmp_path, book
):
    path = tmp_path / "upload.txt"
    with pytest.raises(ConfirmationError) as err:
        write_shipping_confirmation([ok(tracking_number=SMUGGLED)], path, book=book, at=AT)
    assert err.value.rule.id == "charge-whole-order" and err.value.order_id == UNSHIPPED
    assert "U+000A" in err.value.detail
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("key", ["order_id", "order_item_id", "carrier_name", "ship_method"])
@pytest.mark.parametrize("control", ["\n", "\r", "\t", "\x1e", "\x85", "\u2028", "\x00"])
def test_no_field_may_hold_a_tab_line_break_or_control_character(key, control):
    value = {"order_id": UNSHIPPED, "order_item_id": ITEM, "carrier_name": "西濃運輸",
             "ship_method": "宅急便"}[key]  # fmt: skip
    fields = {"carrier_code": "Other", "carrier_name": "西濃運輸", key: value + control}
    errors = validate_confirmations([ok(**fields)], at=AT)
    assert _rule(errors) == ["charge-whole-order"]


BAD = [
    ok(tracking_number=SMUGGLED),
    ok(tracking_number="1234 5678 9012"),
    ok(tracking_number="１２３４５６７８９０１２"),
    ok(tracking_number="1234-5678-901"),
    ok(carrier_code="Sagawa Express", tracking_number="5125475143341"),
    ok(order_id=UNSHIPPED + "\n"),
    ok(ship_date="2026-11-02 junk"),
    ok(ship_date="2026-11-02T10:00:00"),
    ok(quantity=2.5),
    ok(quantity=4),
]


@pytest.mark.parametrize("bad", BAD, ids=range(len(BAD)))
def test_validate_and_write_apply_exactly_the_same_rules(tmp_path, book, bad):
    expected = validate_confirmations([ok(quantity=1), bad], book=book, at=AT)
    assert [e.index for e in expected] == [1]
    with pytest.raises(ConfirmationError) as err:
        write_shipping_confirmation([ok(quantity=1), bad], tmp_path / "u.txt", book=book, at=AT)
    assert (err.value.index, err.value.rule, err.value.detail) == (
        1, expected[0].rule, expected[0].detail)  # fmt: skip
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("carrier", "number"),
    [
        ("Yamato Transport", "444413758703"),
        ("Yamato Transport", "4444-1375-8703"),
        ("Sagawa Express", "512547514334"),
        ("Japan Post", "EJ123456789JP"),
        ("Japan Post", "4055-4842-4886"),
        ("Seino Transportation", "1234567890"),
    ],
)
def test_tracking_numbers_as_the_carriers_print_them_are_accepted(carrier, number):
    assert not validate_confirmations([ok(carrier_code=carrier, tracking_number=number)], at=AT)


def test_yamato_and_sagawa_tracking_numbers_are_12_digits():
    errors = validate_confirmations(
        [ok(tracking_number="44441375870"), ok(carrier_code="Sagawa Express",
                                               tracking_number="51254751433A")], at=AT)  # fmt: skip
    assert [e.index for e in errors] == [0, 1]
    assert _rule(errors) == ["confirm-within-7-days"] * 2


def test_the_upload_file_allows_an_empty_tracking_number_the_api_does_not():
    rows = [ok(tracking_number=None, package_reference_id="1")]
    assert not validate_confirmations(rows, at=AT)
    errors = validate_confirmations(rows, at=AT, target="api")
    assert _rule(errors) == ["confirm-within-7-days"] and "tracking-number" in errors[0].detail


@pytest.mark.parametrize("ref", [None, "0", "-1", "A1"])
def test_the_api_needs_a_positive_numeric_package_reference_id(ref):
    errors = validate_confirmations([ok(package_reference_id=ref)], at=AT, target="api")
    assert _rule(errors) == ["confirm-within-7-days"]
    assert not validate_confirmations([ok(package_reference_id="101")], at=AT, target="api")


def test_an_unknown_target_is_refused():
    with pytest.raises(ValueError, match="target"):
        validate_confirmations([ok()], at=AT, target="email")


def test_the_number_returned_is_the_number_of_data_rows_in_the_file(tmp_path, book):
    path = tmp_path / "upload.txt"
    rows = [ok(quantity=1, ship_method="宅急便"), ok(quantity=2, carrier_code="Other",
            carrier_name="西濃運輸", tracking_number="1234567890")]  # fmt: skip
    written = write_shipping_confirmation(rows, path, book=book, at=AT)
    data = path.read_bytes().decode("utf-8").split("\r\n")
    assert data[-1] == ""  # the file ends with a line end
    body = data[len(HEADER_ROWS) : -1]
    assert written == len(body) == 2
    assert all(len(line.split("\t")) == len(HEADER_ROWS[2]) for line in body)


def test_a_full_disk_leaves_the_previous_upload_file(tmp_path, book, monkeypatch):
    path = tmp_path / "upload.txt"
    write_shipping_confirmation([ok(quantity=1)], path, book=book, at=AT)
    before = path.read_bytes()

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError):
        write_shipping_confirmation([ok(quantity=2)], path, book=book, at=AT)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["upload.txt"]


def test_a_carrier_name_cp932_cannot_hold_is_refused_naming_order_and_column(tmp_path, book):
    rows = [ok(carrier_code="Other", carrier_name="はやぶさ便🚚")]
    with pytest.raises(UnencodableText) as err:
        write_shipping_confirmation(rows, tmp_path / "u.txt", book=book, at=AT, encoding="cp932")
    assert (err.value.order_id, err.value.column, err.value.character) == (
        UNSHIPPED, "carrier-name", "🚚")  # fmt: skip
    assert list(tmp_path.iterdir()) == []
