"""The shipping-confirmation upload file: exact header rows, carriers, validation before writing."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from iohelpers import SPAPI

from orderkit import ConfirmationError
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
