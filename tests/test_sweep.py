"""Scenario sweeps: scenarios × seeds, measured in-process or on a real 2-worker LocalCluster."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import orderkit
from orderkit import metrics
from orderkit.businessdays import JST, end_of_day
from orderkit.simulate import Scenario
from orderkit.sweep import (
    PEAK_LSR,
    SweepResult,
    active_client,
    holiday_period,
    measure,
    scenario_for,
    sweep,
    vary,
)

PERIOD = (dt.date(2026, 12, 26), dt.date(2027, 1, 9))
BASE = scenario_for(Scenario(orders_per_day=40), PERIOD, lead_days=7)
SETTINGS = vary(BASE, "dispatch_capacity", [12, 30, 60])


@pytest.fixture(scope="module")
def local() -> SweepResult:
    return sweep(SETTINGS, seeds=[3, 4, 5], period=PERIOD)


@pytest.fixture(scope="module")
def client():
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster, set_as_default=False) as c,
    ):
        yield c


def test_each_scenario_runs_with_each_seed_and_every_metric(local):
    runs = local.runs
    assert list(runs.columns) == ["scenario", "seed", "metric", "value"]
    assert list(runs["scenario"].cat.categories) == ["12", "30", "60"]
    pairs = runs[["scenario", "seed"]].drop_duplicates()
    assert len(pairs) == 3 * 3
    assert runs.groupby(["scenario", "seed"], observed=True).size().eq(len(runs) // 9).all()


def test_a_run_is_its_scenario_and_seed_measured_alone(local):
    alone = measure(SETTINGS["30"], 4, period=PERIOD)
    run = local.runs[(local.runs["scenario"] == "30") & (local.runs["seed"] == 4)]
    assert run["metric"].tolist() == alone["metric"].tolist()
    np.testing.assert_array_equal(run["value"].to_numpy(), alone["value"].to_numpy())


def test_the_peak_late_shipment_rate_is_the_highest_10_day_rate_at_any_day_end_of_the_period():
    scenario = SETTINGS["12"]
    book = orderkit.simulate(scenario, seed=8)
    days = pd.date_range(*PERIOD).date
    by_day = [metrics.rates(book, at=end_of_day(d)).iloc[0]["value"] for d in days]
    got = measure(scenario, 8, period=PERIOD).set_index("metric")["value"]
    assert got[PEAK_LSR] == np.nanmax(by_day)


def test_the_same_seeds_give_the_same_distributions(local):
    again = sweep(SETTINGS, seeds=[3, 4, 5], period=PERIOD)
    pd.testing.assert_frame_equal(again.runs, local.runs)


def test_a_count_of_seeds_means_seeds_from_zero():
    result = sweep({"a": SETTINGS["60"]}, seeds=2, metrics={"orders": _orders}, period=PERIOD)
    assert result.runs["seed"].tolist() == [0, 1]


def _orders(run) -> float:
    return float(run.daily["new_orders"].sum())


def test_custom_metrics_are_measured_by_name(local):
    result = sweep([SETTINGS["60"]], seeds=[1], metrics={"orders": _orders}, period=PERIOD)
    book = orderkit.simulate(SETTINGS["60"], seed=1)
    placed = book.orders["purchase_date"].dt.tz_convert(JST).dt.date
    in_period = ((placed >= PERIOD[0]) & (placed <= PERIOD[1])).sum()
    assert result.runs.to_dict("records") == [
        {"scenario": "0", "seed": 1, "metric": "orders", "value": float(in_period)}
    ]


def test_quantiles_are_each_scenarios_quantiles_over_its_seeds(local):
    q = local.quantiles().set_index(["scenario", "metric"])
    for (label, metric), values in local.runs.groupby(["scenario", "metric"], observed=True)[
        "value"
    ]:
        expected = np.nanquantile(values.to_numpy(), [0.05, 0.5, 0.95])
        np.testing.assert_allclose(q.loc[(label, metric), ["q5", "q50", "q95"]], expected)


def _result(values: dict[str, list[float]]) -> SweepResult:
    """A sweep result with the given peak rates per scenario, one per seed."""
    rows = [
        {"scenario": label, "seed": seed, "metric": PEAK_LSR, "value": v}
        for label, vs in values.items()
        for seed, v in enumerate(vs)
    ]
    runs = pd.DataFrame(rows)
    runs["scenario"] = pd.Categorical(runs["scenario"], categories=list(values), ordered=True)
    return SweepResult(runs, dict.fromkeys(values, Scenario()))


def test_the_smallest_setting_is_the_first_whose_95th_percentile_is_under_target():
    values = {
        "2": [0.02] * 18 + [0.09] * 2,  # two bad seasons in twenty: 95th percentile over 4%
        "3": [0.01] * 20,
        "4": [0.0] * 20,
    }
    assert _result(values).smallest_under(0.04) == "3"


def test_the_answer_follows_the_confidence_asked_for():
    values = {"2": [0.02] * 18 + [0.09] * 2, "3": [0.01] * 20}
    assert _result(values).smallest_under(0.04, confidence=0.9) == "2"


def test_no_setting_under_target_gives_none():
    assert _result({"1": [0.3] * 5, "2": [0.05] * 5}).smallest_under(0.04) is None


def test_a_metric_not_measured_is_refused():
    with pytest.raises(KeyError, match="not measured"):
        _result({"1": [0.0]}).smallest_under(0.04, metric="cancel_rate_7d")


def test_a_sweep_without_seeds_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        sweep(SETTINGS, seeds=[])


def test_two_settings_with_one_label_are_refused():
    with pytest.raises(ValueError, match="labelled"):
        vary(BASE, "staff", [3, 3])


def test_the_new_year_period_spans_the_turn_of_the_year():
    assert holiday_period("new_year", 2027) == (dt.date(2026, 12, 25), dt.date(2027, 1, 15))


def test_a_scenario_for_a_period_takes_orders_from_the_lead_to_the_last_day():
    s = scenario_for(Scenario(), (dt.date(2027, 4, 25), dt.date(2027, 5, 15)), lead_days=10)
    assert s.start == dt.datetime(2027, 4, 15, tzinfo=JST)
    assert s.start.date() + dt.timedelta(days=s.days - 1) == dt.date(2027, 5, 15)


def test_more_capacity_never_raises_the_peak_late_shipment_rate(local):
    """Less backlog, no later dispatch: with the same seeds the peak can only fall."""
    peak = local.runs[local.runs["metric"] == PEAK_LSR].pivot(
        index="seed", columns="scenario", values="value"
    )
    assert (peak["12"] >= peak["30"]).all() and (peak["30"] >= peak["60"]).all()
    assert (peak["12"] > peak["60"]).any()


def test_without_an_active_client_sweeps_run_in_process():
    assert active_client() is None


def test_on_a_cluster_the_same_seeds_give_the_same_distributions(client, local):
    on_cluster = sweep(SETTINGS, seeds=[3, 4, 5], client=client, period=PERIOD)
    pd.testing.assert_frame_equal(on_cluster.runs, local.runs)
    assert on_cluster.smallest_under() == local.smallest_under()


def _process(run) -> float:
    """The id of the process that measured the run."""
    return float(os.getpid())


def test_the_active_client_is_used_when_none_is_given(client):
    with client.as_current():
        assert active_client() is client
        result = sweep([SETTINGS["60"]], seeds=[1, 2], metrics={"pid": _process}, period=PERIOD)
    assert os.getpid() not in set(result.runs["value"].astype(int))


def _dies_once(marker: str):
    """A metric that kills its worker process the first time it runs, then counts orders."""

    def orders(run) -> float:
        if not os.path.exists(marker):
            Path(marker).touch()
            os._exit(1)  # the worker dies mid-task, as a lost machine would
        return float(run.daily["new_orders"].sum())

    return orders


def test_a_worker_lost_mid_sweep_costs_a_retry_not_the_result(client, tmp_path):
    metric = {"orders": _dies_once(str(tmp_path / "died"))}
    on_cluster = sweep(SETTINGS, seeds=[3, 4], client=client, metrics=metric, period=PERIOD)
    assert (tmp_path / "died").exists()
    here = sweep(SETTINGS, seeds=[3, 4], client=None, metrics={"orders": _orders}, period=PERIOD)
    pd.testing.assert_frame_equal(on_cluster.runs, here.runs)
