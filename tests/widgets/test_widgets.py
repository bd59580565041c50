"""Widgets in plain pytest: drive their traits and callbacks, assert what changed."""

from __future__ import annotations

import datetime as dt

import pytest

from orderkit import OrderStatus, Scenario, sample
from orderkit.metrics import status_at
from orderkit.store import Store
from orderkit.widgets import (
    InquiryAssistant,
    LanguageSwitch,
    LetterLanguageSwitch,
    MetricsDashboard,
    OrderCard,
    OrderExplorer,
    SimulationPanel,
    TrainingDrill,
    Workbench,
)

NOW = sample.DEFAULT_NOW


@pytest.fixture(scope="module")
def base_book():
    return sample.book()


@pytest.fixture
def book(base_book):
    return base_book.copy()


@pytest.fixture(scope="module")
def fleet(base_book):
    return status_at(base_book, NOW)


def first(fleet, **flags):
    mask = True
    for column, value in flags.items():
        mask = mask & (fleet[column] == value)
    return str(fleet.index[mask][0])


# ---- OrderExplorer ---------------------------------------------------------------------------


def test_explorer_finds_an_order_by_buyer_email_and_opens_it(book):
    counts = book.orders["buyer_email"].value_counts()
    email = counts.index[counts == 1][0]
    order_id = book.orders.loc[book.orders["buyer_email"] == email, "order_id"].item()
    explorer = OrderExplorer(book, now=NOW)
    opened = []
    explorer.on_select(opened.append)
    explorer.query.value = email.upper()
    assert explorer.page_ids == [order_id]
    assert (explorer.selected, opened) == (order_id, [order_id])


def test_explorer_reports_an_invalid_order_number(book):
    explorer = OrderExplorer(book, now=NOW)
    explorer.query.value = "503-12345"
    assert "ok-find-invalid_number" in explorer.message.value
    assert explorer.count.value == "No orders match."


def test_explorer_refers_a_foreign_order_number_to_customer_service(book):
    explorer = OrderExplorer(book, now=NOW)
    explorer.query.value = "249-0000000-0000001"
    assert "Customer Service" in explorer.message.value


def test_explorer_filter_shows_only_that_status(book, fleet):
    explorer = OrderExplorer(book, now=NOW)
    explorer.status.value = "Pending"
    shown = explorer.page_ids
    assert shown and all(fleet.loc[o, "status"] == "Pending" for o in shown)
    assert explorer.count.value.endswith(f"of {(fleet['status'] == 'Pending').sum()} orders")


def test_explorer_clearing_a_filter_restores_the_search_results(book):
    explorer = OrderExplorer(book, now=NOW)
    name = book.orders["buyer_name"].dropna().iloc[0][:1]
    explorer.query.value = name
    before = explorer.count.value
    explorer.status.value = "Unshipped"
    explorer.status.value = ""  # All
    assert explorer.count.value == before


def test_explorer_sorting_by_a_column_sorts_every_order_and_again_reverses(book):
    explorer = OrderExplorer(book, now=NOW)
    explorer.sort_column.value = "total"
    totals = explorer.filtered()["total"].tolist()
    assert totals == sorted(totals, reverse=True) and explorer.sort_descending.value
    explorer.sort("total")
    totals = explorer.filtered()["total"].tolist()
    assert totals == sorted(totals) and not explorer.sort_descending.value


def test_explorer_pages_through_the_orders(book):
    explorer = OrderExplorer(book, now=NOW, page_size=10)
    first_page = explorer.page_ids
    explorer.next_button.click()
    assert explorer.count.value.startswith("11–20 of")
    assert set(explorer.page_ids).isdisjoint(first_page) and len(explorer.page_ids) == 10
    assert explorer.prev_button.disabled is False


def test_explorer_relabels_in_japanese(book):
    explorer = OrderExplorer(book, now=NOW)
    explorer.lang = "ja"
    assert explorer.search_button.description == "検索"
    assert "件中" in explorer.count.value


def test_explorer_due_today_shows_the_orders_that_must_ship_today(book):
    from orderkit.today import must_ship_today

    explorer = OrderExplorer(book, now=NOW)
    explorer.due_today.value = True
    assert set(explorer.filtered()["order_id"]) == set(must_ship_today(book, NOW)["order_id"])


def test_explorer_late_choice_tells_open_late_orders_from_orders_shipped_late(book, fleet):
    explorer = OrderExplorer(book, now=NOW)
    explorer.late.value = "open"
    still_open = set(explorer.filtered()["order_id"])
    explorer.late.value = "shipped"
    shipped = set(explorer.filtered()["order_id"])
    late = set(fleet.index[fleet["late"]])
    assert still_open | shipped == late and not still_open & shipped
    assert all(fleet.loc[o, "status"] in ("Unshipped", "PartiallyShipped") for o in still_open)


def test_explorer_shows_ship_by_and_confirm_by_in_japan_time(book, fleet):
    explorer = OrderExplorer(book, now=NOW)
    explorer.query.value = order_id = first(fleet, status="Unshipped", at_risk=False)
    row = explorer.grid._df.iloc[0]
    from orderkit.i18n import datetime

    assert row["Ship by (JST)"] == datetime(fleet.loc[order_id, "ship_by"].to_pydatetime(), "en")
    assert row["Confirm by (JST)"] == datetime(
        fleet.loc[order_id, "confirm_by"].to_pydatetime(), "en"
    )
    assert row["Due today"] in ("✓", "—")


def test_explorer_row_click_opens_that_order(book):
    explorer = OrderExplorer(book, now=NOW)
    opened = []
    explorer.on_select(opened.append)
    explorer.grid.selected_rows = [2]  # what the browser sends on a click
    assert opened == [explorer.page_ids[2]]


def test_explorer_reload_recomputes_at_the_clocks_new_time(book):
    import datetime as dt

    from orderkit.clock import FixedClock

    class Clock:
        at = NOW

        def now(self):
            return self.at

    clock = Clock()
    explorer = OrderExplorer(book, now=clock)
    explorer.due_today.value = True
    clock.at = NOW + dt.timedelta(days=1)
    explorer.reload()
    expected = OrderExplorer(book, now=FixedClock(clock.at))
    expected.due_today.value = True
    assert explorer.page_ids == expected.page_ids and explorer.now == clock.at


# ---- OrderCard -------------------------------------------------------------------------------


def test_card_disables_confirm_shipment_on_a_pending_order_with_its_rule(book, fleet):
    card = OrderCard(book, first(fleet, status="Pending"), now=NOW)
    button = card.buttons["confirm_shipment"]
    assert button.disabled
    assert card.check("confirm_shipment").refusal.rule.id == "pending-no-dispatch"
    assert "Pending orders must not be dispatched" in card.refusals.value


def test_card_enables_only_the_actions_the_rules_allow(book, fleet):
    card = OrderCard(book, first(fleet, status="Unshipped", at_risk=False), now=NOW)
    enabled = {a.value for a, b in card.buttons.items() if not b.disabled}
    assert {"confirm_shipment", "cancel", "contact_email"} <= enabled
    assert "refund" not in enabled  # nothing charged yet


def test_card_action_is_recorded_in_the_book_and_the_store(book, fleet, tmp_path):
    store = Store(path=tmp_path / "store.sqlite")
    store.save(book)
    order_id = first(fleet, status="Unshipped", at_risk=False)
    card = OrderCard(book, order_id, now=NOW, store=store)
    card.tracking.value = "4444-5555-6666"
    card.buttons["confirm_shipment"].click()
    assert card.state.status is OrderStatus.UNSHIPPED  # the button asks first
    card.confirm_yes.click()
    assert card.state.status is OrderStatus.SHIPPED
    stored = store.load().order(order_id).state(at=NOW)
    assert stored.status is OrderStatus.SHIPPED
    assert any(e.tracking_number == "4444-5555-6666" for e in stored.events)
    assert card.last_result == "Recorded: Confirm shipment"


def test_card_refused_action_changes_nothing_and_says_why(book, fleet):
    order_id = first(fleet, status="Shipped")
    card = OrderCard(book, order_id, now=NOW)
    before = len(book.events)
    assert card.act("refund", amount=10**8) is None
    assert len(book.events) == before
    assert card.last_result.startswith("Refused: A refund cannot exceed")


def test_card_shows_the_confirm_warning_on_an_order_at_risk(book, fleet):
    card = OrderCard(book, first(fleet, at_risk=True), now=NOW)
    assert "Confirm as shipped by" in card.banner.value


def test_card_timeline_chart_is_drawn_from_the_order(book, fleet):
    card = OrderCard(book, first(fleet, status="Shipped"), now=NOW)
    card.tabs.selected_index = 2  # drawn when the timeline tab opens
    spec = card.chart.chart.to_dict()
    assert "layer" in spec


# ---- Workbench -------------------------------------------------------------------------------


def test_workbench_opens_the_selected_order_and_updates_its_row(book, fleet):
    bench = Workbench(book, now=NOW)
    order_id = first(fleet, status="Unshipped", at_risk=False)
    bench.explorer.open_order(order_id)
    assert bench.card.order_id == order_id
    bench.card.act("confirm_shipment")
    row = bench.explorer.table.loc[bench.explorer.table["order_id"] == order_id].iloc[0]
    assert row["status"] == "Shipped"


def test_language_switch_relabels_every_linked_widget(book):
    bench = Workbench(book, now=NOW)
    bench.language.value = "ja"
    assert (bench.explorer.lang, bench.card.lang) == ("ja", "ja")
    assert bench.card.buttons["confirm_shipment"].description == "出荷通知を送信"


# ---- InquiryAssistant ------------------------------------------------------------------------


def test_inquiry_assistant_answers_with_the_rule_for_the_chosen_order(book, fleet):
    assistant = InquiryAssistant(book, now=NOW, order_id=first(fleet, status="Pending"))
    assistant.situation.value = "pending_sale"
    assert "[pending-no-dispatch]" in assistant.advice_text
    assert assistant.template.value


def test_inquiry_assistant_refers_an_unknown_order_to_customer_service(book):
    assistant = InquiryAssistant(book, now=NOW)
    assistant.situation.value = "unknown_order"
    assistant.order.value = "249-0000000-0000001"
    assert assistant.advice.refer_to == "Amazon Customer Service"


def test_inquiry_assistant_switches_to_japanese(book, fleet):
    assistant = InquiryAssistant(book, now=NOW, order_id=first(fleet, status="Shipped"))
    assistant.situation.value = "receipt"
    assistant.lang = "ja"
    assert "領収書" in assistant.advice_text


def test_inquiry_assistant_writes_the_letter_in_its_own_language(book, fleet):
    assistant = InquiryAssistant(
        book, now=NOW, order_id=first(fleet, status="Shipped"), lang="zh-Hans"
    )
    assistant.situation.value = "receipt"
    assert "收据" in assistant.advice_text and "領収書" in assistant.template.value
    assistant.letter_switch.value = "en"
    assert "收据" in assistant.advice_text and "Receipts are issued" in assistant.template.value


def test_inquiry_assistant_says_in_japanese_that_another_order_is_not_ours(book, fleet):
    assistant = InquiryAssistant(
        book, now=NOW, order_id=first(fleet, status="Unshipped"), lang="ja"
    )
    assistant.situation.value = "combine_shipments"
    assistant.others.value = "249-0000000-0000009"
    assert "249-0000000-0000009はあなたの注文ではありません" in assistant.answer.value


def test_the_letter_language_offers_japanese_and_english_only():
    assert [code for _, code in LetterLanguageSwitch().options] == ["ja", "en"]


def test_inquiry_assistant_says_what_is_missing(book):
    assistant = InquiryAssistant(book, now=NOW)
    assistant.situation.value = "change_order"
    assert assistant.advice is None
    assert "Select an order" in assistant.answer.value


# ---- TrainingDrill ---------------------------------------------------------------------------


def test_drill_right_answer_scores_a_point(book):
    drill = TrainingDrill(book, now=NOW, seed=1)
    right = next(i for i, c in enumerate(drill.drill.choices) if c.correct)
    feedback = drill.check(right)
    assert feedback.correct and drill.score.text() == "Score: 1 / 1"


def test_drill_wrong_answer_shows_the_right_one_and_its_rule(book):
    drill = TrainingDrill(book, now=NOW, seed=1)
    wrong = next(i for i, c in enumerate(drill.drill.choices) if not c.correct)
    feedback = drill.check(wrong)
    assert not feedback.correct
    assert drill.drill.right.en in drill.feedback_text
    assert drill.drill.right.rule.faq[:20] in drill.feedback.value.replace("&#x27;", "'")


def test_drill_counts_each_situation_once(book):
    drill = TrainingDrill(book, now=NOW, seed=1)
    drill.check(0)
    drill.check(0)
    assert drill.score.answered == 1
    drill.next_button.click()
    assert drill.check_button.disabled is False


# ---- SimulationPanel -------------------------------------------------------------------------


def test_simulation_slider_reruns_the_scenario_and_redraws(book):
    panel = SimulationPanel(Scenario(days=21, orders_per_day=80), seed=3)
    before = panel.chart.chart.to_dict()
    panel.sliders["handling_days"].value = 4
    assert panel.scenario.handling_days == 4
    assert panel.chart.chart.to_dict() != before


def test_simulation_cvs_share_keeps_the_payment_mix_whole():
    panel = SimulationPanel(Scenario(days=14, orders_per_day=50), seed=3)
    panel.sliders["cvs_share"].value = 40
    mix = dict(panel.scenario.payment_mix)
    assert mix["cvs"] == pytest.approx(0.40) and sum(mix.values()) == pytest.approx(1.0)


# ---- MetricsDashboard ------------------------------------------------------------------------


def test_dashboard_date_range_limits_the_daily_metrics(book):
    dashboard = MetricsDashboard(book, now=NOW)
    dashboard.start.value = sample.DEFAULT_NOW.date().replace(day=20)
    assert dashboard.daily.index.min().day == 20


def test_dashboard_draws_a_new_book_once(book, monkeypatch):
    dashboard = MetricsDashboard(book, now=NOW)
    drawn = []
    monkeypatch.setattr(dashboard, "refresh", lambda: drawn.append(1))
    purchased = book.orders["purchase_date"]
    recent = purchased >= purchased.max() - dt.timedelta(days=3)
    before = (dashboard.start.value, dashboard.end.value)
    dashboard.set_book(book.subset(book.orders["order_id"][recent]))
    assert dashboard.start.value != before[0]  # both dates were set
    assert len(drawn) == 1


def test_dashboard_redraws_when_a_date_is_picked(book, monkeypatch):
    dashboard = MetricsDashboard(book, now=NOW)
    drawn = []
    monkeypatch.setattr(dashboard, "refresh", lambda: drawn.append(1))
    dashboard.start.value = dashboard.daily_all.index[3].date()
    assert len(drawn) == 1


def test_dashboard_exports_the_upload_file_for_selected_orders(book, fleet, tmp_path):
    dashboard = MetricsDashboard(book, now=NOW, export_dir=tmp_path)
    dashboard.at_risk.value = tuple(v for _, v in dashboard.at_risk.options)
    path = dashboard.export()
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[2].startswith("order-id\torder-item-id")
    assert {line.split("\t")[0] for line in lines[3:]} == set(fleet.index[fleet["at_risk"]])


def test_dashboard_export_with_nothing_selected_writes_nothing(book, tmp_path):
    dashboard = MetricsDashboard(book, now=NOW, export_dir=tmp_path)
    assert dashboard.export([]) is None
    assert list(tmp_path.iterdir()) == []


def test_dashboard_loads_another_source(book):
    small = sample.book(40, seed=9)
    dashboard = MetricsDashboard(book, now=NOW, sources={"small": lambda: small})
    dashboard.source.value = "small"
    dashboard.load_button.click()
    assert dashboard.book is small


def test_language_switch_links_any_widget_with_a_lang_trait(book):
    drill = TrainingDrill(book, now=NOW, seed=1)
    LanguageSwitch().link(drill).value = "ja"
    assert drill.check_button.description == "答え合わせ"


def test_explorer_grid_shows_only_the_rows_found(book):
    explorer = OrderExplorer(book, now=NOW)
    order_id = book.orders["order_id"].iloc[0]
    explorer.query.value = order_id
    shown = explorer.grid._df
    assert shown.iloc[:, 0].tolist() == [order_id]


def test_explorer_filters_offer_all_as_a_visible_choice(book):
    explorer = OrderExplorer(book, now=NOW)
    assert explorer.status.label == "All" and explorer.status.value == ""


def test_card_cancel_reasons_are_labelled_in_the_chosen_language(book, fleet):
    card = OrderCard(book, first(fleet, status="Unshipped", at_risk=False), now=NOW, lang="ja")
    assert ("在庫切れ", "out_of_stock") in card.cancel_reason.options


def test_card_records_the_day_the_parcel_left_when_confirmed_later(book, fleet):
    import datetime as dt

    order_id = first(fleet, status="Unshipped", at_risk=True)
    card = OrderCard(book, order_id, now=NOW)
    card.shipped_on.value = (NOW - dt.timedelta(days=1)).date()
    state = card.act("confirm_shipment")
    shipped = [e.shipped_at for e in state.events if e.kind == "shipment_confirmed"]
    assert [s.astimezone(NOW.tzinfo).date() for s in shipped] == [
        (NOW - dt.timedelta(days=1)).date()
    ]


def test_rates_are_labelled_in_the_chosen_language(book):
    dashboard = MetricsDashboard(book, now=NOW, lang="ja")
    assert "出荷遅延率" in dashboard.rates_table.value


@pytest.mark.parametrize(
    "make",
    [
        lambda b: OrderExplorer(b, now=NOW, lang="ja"),
        lambda b: OrderCard(b, b.orders["order_id"].iloc[0], now=NOW, lang="ja"),
        lambda b: InquiryAssistant(b, now=NOW, lang="ja"),
        lambda b: TrainingDrill(b, now=NOW, lang="ja"),
        lambda b: SimulationPanel(Scenario(days=14, orders_per_day=30), lang="ja"),
        lambda b: MetricsDashboard(b, now=NOW, lang="ja"),
    ],
    ids=["explorer", "card", "inquiry", "drill", "simulation", "dashboard"],
)
def test_every_widget_can_start_in_japanese(make, book):
    assert make(book).lang == "ja"


def test_dashboard_loads_a_report_downloaded_from_seller_central(book, tmp_path):
    from orderkit.io import write_report

    path = tmp_path / "AllOrders.txt"
    write_report(sample.book(25, seed=5), "all_orders", path, encoding="cp932", at=NOW)
    dashboard = MetricsDashboard(book, now=NOW)
    dashboard.upload.value = (
        {
            "name": "AllOrders.txt",
            "type": "text/plain",
            "size": path.stat().st_size,
            "content": path.read_bytes(),
            "last_modified": NOW,
        },
    )
    assert len(dashboard.book.orders) == 25


def test_dashboard_says_in_japanese_why_an_uploaded_file_is_not_a_report(book):
    from orderkit.widgets.files import Uploaded

    dashboard = MetricsDashboard(book, now=NOW, lang="ja")
    dashboard.load_upload(Uploaded("photo.txt", b"hello\tworld\n"))
    assert dashboard.book is book
    assert "photo.txt を読み込めません" in dashboard.message.value
    assert "Errno" not in dashboard.message.value


def test_dashboard_says_a_missing_file_cannot_be_opened_without_a_raw_errno(book, tmp_path):
    dashboard = MetricsDashboard(book, now=NOW, lang="ja")
    dashboard.load_report(tmp_path / "nowhere.txt")
    assert "nowhere.txt を開けません" in dashboard.message.value
    assert "[Errno" not in dashboard.message.value


def test_dashboard_offers_the_upload_file_as_a_download(book, fleet):
    dashboard = MetricsDashboard(book, now=NOW)
    assert dashboard.export(list(fleet.index[fleet["at_risk"]])) is None  # nothing saved
    assert dashboard.download.filename.startswith("shipping-confirmation-")
    assert dashboard.download.data.decode("utf-8").startswith("TemplateType=OrderFulfillment")
    assert 'download="shipping-confirmation-' in dashboard.download.value


def test_dashboard_shows_rates_as_percentages_with_a_mark_for_each_target(book):
    dashboard = MetricsDashboard(book, now=NOW)
    table = dashboard.rates_table.value
    assert "%" in table
    assert table.count("✓") + table.count("✗") == len(dashboard.rates)


def test_dashboard_says_why_a_report_cannot_be_read(book, tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    dashboard = MetricsDashboard(book, now=NOW)
    dashboard.load_report(str(path))
    assert dashboard.book is book and "empty.txt" in dashboard.message.value


def test_dashboard_offers_the_daily_figures_as_a_csv_a_spreadsheet_reads(book):
    dashboard = MetricsDashboard(book, now=NOW, lang="ja")
    data = dashboard.export_csv()
    assert data.startswith("\ufeff".encode())  # Excel needs the mark to read UTF-8
    rows = data.decode("utf-8-sig").splitlines()
    assert rows[0].startswith('"日",')  # every cell quoted, formula-safe
    assert len(rows) == len(dashboard.daily) + 1
    assert dashboard.csv_download.filename.endswith(".csv")


def test_a_report_loaded_into_the_dashboard_is_imported_into_the_store_with_its_summary(tmp_path):
    from orderkit import Store
    from orderkit.io import write_report

    report = sample.book(25, seed=5)
    path = tmp_path / "AllOrders.txt"
    write_report(report, "all_orders", path, at=NOW)
    with Store(path=tmp_path / "team.sqlite") as store:
        dashboard = MetricsDashboard(sample.book(10, seed=1), now=NOW, lang="ja", store=store)
        dashboard.load_report(path)
        first = dashboard.message.value
        dashboard.load_report(path)  # the same report again: nothing new
        again = dashboard.message.value
        stored = store.load()
    assert len(stored.orders) == len(dashboard.book.orders) == 25
    assert "新規注文 25件" in first
    assert "新規注文 0件" in again and "変更なしの注文 25件" in again


def test_the_workbench_records_the_operator_typed_once_with_every_action(book):
    workbench = Workbench(book, now=NOW)
    workbench.operator.value = "佐藤"
    assert workbench.card.operator == "佐藤"
