"""Charts are specs: marks, encodings, fields, the target rule, the shading — and they render offline."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pytest
import vl_convert as vlc

from orderkit import charts
from orderkit.businessdays import JST, BusinessCalendar
from orderkit.metrics import TARGETS, daily, rates
from orderkit.simulate import Scenario, simulate


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
    assert line["encoding"]["y"]["title"] == "注文数"
    assert {r["series"] for r in spec["datasets"][line["data"]["name"]]} == {"保留中", "出荷遅延"}


def test_status_stacked_stacks_an_area_per_status(day_df):
    spec = charts.status_stacked(day_df).to_dict()
    assert spec["mark"]["type"] == "area"
    assert spec["encoding"]["y"]["stack"] == "zero"
    assert spec["encoding"]["color"]["field"] == "status"
    statuses = {r["status"] for r in spec["datasets"][spec["data"]["name"]]}
    assert {"Pending", "Unshipped", "Shipped", "Canceled"} <= statuses


def test_rates_vs_targets_puts_each_target_as_a_tick(rate_df):
    spec = charts.rates_vs_targets(rate_df).to_dict()
    bars, target = spec["spec"]["layer"]
    assert bars["mark"]["type"] == "bar" and target["mark"]["type"] == "tick"
    assert target["encoding"]["y"]["field"] == "target"
    rows = spec["datasets"][spec["data"]["name"]]
    assert {r["metric"]: r["target"] for r in rows} == {k: t.value for k, t in TARGETS.items()}


def test_order_timeline_marks_events_and_deadlines(book):
    late_order = book.events[book.events["reason"] == "confirm_cutoff"]["order_id"].iloc[0]
    view = book.order(late_order)
    spec = charts.order_timeline(view).to_dict()
    rules, _, points = spec["layer"]
    assert rules["mark"]["type"] == "rule" and points["mark"]["type"] == "point"
    deadlines = {r["deadline"] for r in spec["datasets"][rules["data"]["name"]]}
    assert {"Ship by", "Confirm by (auto-cancel)"} <= deadlines
    events = [r["event"] for r in spec["datasets"][points["data"]["name"]]]
    assert events[0] == "Order placed" and events[-1] == "Canceled"


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
