"""Charts are specs: marks, encodings, fields, the target rule, the shading — and they render offline."""

from __future__ import annotations

import datetime as dt
import html

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

from orderkit import charts, i18n
from orderkit.businessdays import JST, BusinessCalendar
from orderkit.metrics import TARGETS, daily, rates
from orderkit.simulate import Scenario, simulate

LANGS = ["en", "ja", "zh-Hans"]
WORDS = {
    "late_shipment_rate": "Late Shipment Rate",
    "cancel_rate": "Pre-fulfilment Cancel Rate",
    "valid_tracking_rate": "Valid Tracking Rate",
}


@pytest.fixture(scope="module")
def book():
    return simulate(Scenario(days=40, orders_per_day=25), seed=4)


@pytest.fixture(scope="module")
def day_df(book):
    return daily(book)


@pytest.fixture(scope="module")
def rate_df(book):
    return rates(book, at=dt.datetime(2026, 5, 1, tzinfo=JST))


def _layers(spec):
    return spec.get("layer") or spec.get("spec", {}).get("layer", [])


def test_pending_vs_late_draws_two_lines_over_days(day_df):
    spec = charts.pending_vs_late(day_df).to_dict()
    line = _layers(spec)[1]
    assert line["mark"]["type"] == "line"
    assert line["encoding"]["x"]["field"] == "day" and line["encoding"]["y"]["field"] == "orders"
    rows = spec["datasets"][line["data"]["name"]]
    assert {r["series"] for r in rows} == {"Pending", "Shipment is late"}


def test_pending_vs_late_shades_weekends_and_japanese_holidays(day_df):
    spec = charts.pending_vs_late(day_df).to_dict()
    shade = _layers(spec)[0]
    assert shade["mark"]["type"] == "rect"
    days = {r["day"] for r in spec["datasets"][shade["data"]["name"]]}
    first, last = day_df.index.min().date(), day_df.index.max().date()
    want = {f"{d:%Y-%m-%d}" for d, _ in BusinessCalendar().closed_between(first, last)}
    assert days == want
    assert "2026-05-04" in days  # Greenery Day, Golden Week


def test_pending_vs_late_speaks_japanese(day_df):
    spec = charts.pending_vs_late(day_df, lang="ja").to_dict()
    line = _layers(spec)[1]
    assert line["encoding"]["y"]["axis"]["title"] == "注文数"
    assert {r["series"] for r in spec["datasets"][line["data"]["name"]]} == {"保留中", "出荷遅延"}


def test_status_stacked_stacks_an_area_per_status(day_df):
    spec = charts.status_stacked(day_df).to_dict()
    assert spec["mark"]["type"] == "area"
    assert spec["encoding"]["y"]["stack"] == "zero"
    assert spec["encoding"]["color"]["field"] == "status"
    statuses = {r["status"] for r in spec["datasets"][spec["data"]["name"]]}
    assert {"Pending", "Unshipped", "Shipped", "Canceled"} <= statuses


def _panels(spec):
    return spec["hconcat"]


def _rows(spec, part):
    return spec["datasets"][part["data"]["name"]]


def test_rates_vs_targets_puts_each_target_as_a_tick(rate_df):
    spec = charts.rates_vs_targets(rate_df).to_dict()
    targets = {}
    for panel in _panels(spec):
        bars, target = panel["layer"]
        assert bars["mark"]["type"] == "bar" and target["mark"]["type"] == "tick"
        assert target["encoding"]["y"]["field"] == "target"
        targets.update({r["metric"]: r["target"] for r in _rows(spec, panel)})
    assert targets == {k: t.value for k, t in TARGETS.items()}


@pytest.mark.parametrize("lang", LANGS)
def test_each_rate_panel_has_its_own_title_name_then_window(rate_df, lang):
    spec = charts.rates_vs_targets(rate_df, lang=lang).to_dict()
    titles = [panel["title"] for panel in _panels(spec)]
    want = [
        [i18n._(WORDS[m], lang), i18n._("{days} days", lang, days=w)]
        for m, w in zip(rate_df["metric"], rate_df["window_days"], strict=True)
    ]
    assert sorted(map(tuple, titles)) == sorted(map(tuple, want))
    assert len(set(map(tuple, titles))) == len(titles)


def _panel_keys(rates_df, lang):
    spec = charts.rates_vs_targets(rates_df, lang=lang).to_dict()
    return [(r["metric"], r["window_days"]) for p in _panels(spec) for r in _rows(spec, p)]


def test_rate_panels_come_in_the_same_order_in_every_language(rate_df):
    shuffled = rate_df.sample(frac=1, random_state=3)
    english = _panel_keys(rate_df, "en")
    assert _panel_keys(shuffled, "ja") == _panel_keys(rate_df, "zh-Hans") == english
    metrics = [m for m, _ in english]
    assert metrics == sorted(metrics, key=list(TARGETS).index)


@pytest.mark.parametrize(
    ("lang", "meets", "below"),
    [
        ("en", "meets target", "below target"),
        ("ja", "目標達成", "目標未達"),
        ("zh-Hans", "达到目标", "未达目标"),
    ],
)
def test_rate_legend_says_meets_or_below_target(rate_df, lang, meets, below):
    spec = charts.rates_vs_targets(rate_df, lang=lang).to_dict()
    bars = _panels(spec)[0]["layer"][0]
    assert bars["encoding"]["color"]["field"] == "result"
    assert bars["encoding"]["color"]["scale"]["domain"] == [meets, below]
    rows = [r for panel in _panels(spec) for r in _rows(spec, panel)]
    assert {r["result"] for r in rows if r["met"]} <= {meets}
    assert {r["result"] for r in rows if not r["met"]} <= {below}


@pytest.mark.parametrize("lang", LANGS)
def test_rates_and_targets_read_as_percentages(rate_df, lang):
    spec = charts.rates_vs_targets(rate_df, lang=lang).to_dict()
    for panel in _panels(spec):
        bars = panel["layer"][0]
        assert bars["encoding"]["y"]["axis"]["format"] == "%"
        assert [t["field"] for t in bars["encoding"]["tooltip"][:2]] == [
            "value_text",
            "target_text",
        ]
        for row in _rows(spec, panel):
            assert row["target_text"] == i18n.percent(row["target"], lang)
            assert row["value_text"] == i18n.percent(row["value"], lang, digits=2)


def test_a_four_percent_target_reads_as_4_percent(rate_df):
    spec = charts.rates_vs_targets(rate_df, lang="ja").to_dict()
    rows = [r for panel in _panels(spec) for r in _rows(spec, panel)]
    assert {r["target_text"] for r in rows if r["metric"] == "late_shipment_rate"} == {"4.0%"}


@pytest.mark.parametrize("lang", ["ja", "zh-Hans"])
def test_axis_titles_read_horizontally_in_japanese_and_chinese(rate_df, day_df, lang):
    axes = [
        panel["layer"][0]["encoding"]["y"]["axis"]
        for panel in _panels(charts.rates_vs_targets(rate_df, lang=lang).to_dict())
    ]
    axes.append(
        _layers(charts.pending_vs_late(day_df, lang=lang).to_dict())[1]["encoding"]["y"]["axis"]
    )
    axes.append(charts.status_stacked(day_df, lang=lang).to_dict()["encoding"]["y"]["axis"])
    assert {a["titleAngle"] for a in axes} == {0}


def test_english_axis_titles_keep_the_usual_rotation(day_df):
    axis = charts.status_stacked(day_df, lang="en").to_dict()["encoding"]["y"]["axis"]
    assert "titleAngle" not in axis


@pytest.mark.parametrize(
    ("lang", "label"), [("en", "Sat 21 Nov"), ("ja", "11月21日(土)"), ("zh-Hans", "11月21日 周六")]
)
def test_chart_days_are_written_in_the_chosen_language(lang, label):
    frame = pd.DataFrame(
        {"Pending": [1, 2, 3], "late_open": [0, 1, 0]},
        index=pd.DatetimeIndex(["2026-11-20", "2026-11-21", "2026-11-22"], name="day"),
    )
    chart = charts.pending_vs_late(frame, lang=lang)
    rows = _rows(chart.to_dict(), _layers(chart.to_dict())[1])
    assert {r["label"] for r in rows if r["day"] == "2026-11-21"} == {label}  # tooltips
    svg = vlc.vegalite_to_svg(chart.to_json())
    assert html.escape(label) in svg  # the axis, drawn by Vega from the label expression


@pytest.mark.parametrize("lang", LANGS)
def test_every_chart_word_comes_from_the_catalogs(day_df, lang):
    spec = charts.pending_vs_late(day_df, lang=lang).to_dict()
    line = _layers(spec)[1]["encoding"]
    assert line["y"]["axis"]["title"] == i18n._("Orders", lang)
    assert line["x"]["title"] == i18n._("Day (JST)", lang)
    assert line["color"]["title"] == i18n._("Series", lang)


def test_order_timeline_marks_events_and_deadlines(book):
    late_order = book.events[book.events["reason"] == "confirm_cutoff"]["order_id"].iloc[0]
    view = book.order(late_order)
    spec = charts.order_timeline(view).to_dict()
    rules, *names, points = spec["layer"]
    assert {n["mark"]["type"] for n in names} == {"text"}
    assert rules["mark"]["type"] == "rule" and points["mark"]["type"] == "point"
    deadlines = {r["deadline"] for r in spec["datasets"][rules["data"]["name"]]}
    assert {"Ship by", "Confirm by (auto-cancel)"} <= deadlines
    events = [r["event"] for r in spec["datasets"][points["data"]["name"]]]
    assert events[0] == "Order placed" and events[-1] == "Canceled"


@pytest.mark.parametrize("lang", ["ja", "zh-Hans"])
def test_timeline_names_its_deadlines_horizontally_in_its_language(book, lang):
    late_order = book.events[book.events["reason"] == "confirm_cutoff"]["order_id"].iloc[0]
    spec = charts.order_timeline(book.order(late_order), lang=lang).to_dict()
    names = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert [n["mark"].get("angle", 0) for n in names] == [0] * len(names)
    shown = {r["deadline"] for n in names for r in spec["datasets"][n["data"]["name"]]}
    assert i18n._("Ship by", lang) in shown


def test_compare_scenarios_colours_by_scenario(day_df):
    spec = charts.compare_scenarios(day_df, day_df.iloc[:10], names=("now", "faster")).to_dict()
    assert spec["spec"]["encoding"]["color"]["field"] == "scenario"
    assert {r["scenario"] for r in spec["datasets"][spec["data"]["name"]]} == {"now", "faster"}


def test_compare_scenarios_needs_two_names(day_df):
    with pytest.raises(ValueError):
        charts.compare_scenarios(day_df, day_df, names=("only",))


def test_an_unknown_language_is_refused(day_df):
    with pytest.raises(ValueError):
        charts.status_stacked(day_df, lang="fr")


def test_chart_data_stays_small(day_df, rate_df):
    for chart in (
        charts.pending_vs_late(day_df),
        charts.status_stacked(day_df),
        charts.rates_vs_targets(rate_df),
    ):
        spec = chart.to_dict()
        assert all(len(rows) < 5000 for rows in spec["datasets"].values())


def test_every_chart_renders_to_svg_offline(book, day_df, rate_df, tmp_path):
    """vl-convert bundles vega: rendering needs no network."""
    view = book.order(book.orders["order_id"].iloc[0])
    built = {
        "pending_vs_late": charts.pending_vs_late(day_df, lang="ja"),
        "status_stacked": charts.status_stacked(day_df),
        "rates_vs_targets": charts.rates_vs_targets(rate_df),
        "order_timeline": charts.order_timeline(view),
        "compare": charts.compare_scenarios(day_df, day_df, names=("a", "b")),
    }
    for name, chart in built.items():
        svg = vlc.vegalite_to_svg(chart.to_json())
        assert svg.lstrip().startswith("<svg"), name
    built["pending_vs_late"].save(tmp_path / "x.svg")
    assert (tmp_path / "x.svg").read_text().lstrip().startswith("<svg")


def test_enable_offline_turns_on_the_offline_renderer():
    before = alt.renderers.active
    try:
        charts.enable_offline()
        assert alt.renderers.active == "jupyter"
        assert alt.renderers.options.get("offline") is True
    finally:
        alt.renderers.enable(before)
