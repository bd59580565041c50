"""Scenario sweeps: many scenarios × seeds simulated and measured, locally or on a Dask cluster.

:func:`sweep` answers capacity questions such as "how many staff keep the Late Shipment Rate under
4% with 95% confidence over the New Year holidays?": each scenario is simulated with each seed
(:func:`orderkit.simulate`), measured with the fleet lens (:func:`orderkit.metrics.daily` and
:func:`~orderkit.metrics.rates`) over a period, and the runs' values form one distribution per
scenario (:class:`SweepResult`). Runs are independent, so they fan out on a
``dask.distributed.Client`` when one is given or active, each task taking a :class:`Scenario` and a
seed and returning a small frame — never a book. The same seeds give the same distributions
locally and on any cluster.

>>> base = Scenario(days=10, orders_per_day=30)
>>> result = sweep(vary(base, "handling_days", [1, 2]), seeds=2, client=None)
>>> result.runs["scenario"].unique().tolist()
['1', '2']
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from orderkit import metrics as fleet
from orderkit.book import OrderBook
from orderkit.businessdays import JST, end_of_day
from orderkit.policy import Policy
from orderkit.simulate import Scenario, simulate

__all__ = [
    "DEFAULT_METRICS",
    "PEAK_LSR",
    "PERIODS",
    "Run",
    "SweepResult",
    "active_client",
    "holiday_period",
    "measure",
    "scenario_for",
    "sweep",
    "vary",
]

#: The metric the capacity question is about: the highest 10-day Late Shipment Rate over the period.
PEAK_LSR = "peak_late_shipment_rate_10d"


@dataclass(frozen=True)
class Run:
    """One simulated book and what :func:`measure` needs to measure it over a period.

    Attributes:
        book: the simulated book.
        daily: :func:`orderkit.metrics.daily` over the period (one row per day, Japan time).
        first, last: the period's first and last day (Japan time), both included.
        policy: the scenario's policy.

    """

    book: OrderBook
    daily: pd.DataFrame
    first: dt.date
    last: dt.date
    policy: Policy
    _rates: dict[dt.date, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)

    @property
    def days(self) -> list[dt.date]:
        """Return every day of the period, in order."""
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def rates(self, day: dt.date) -> pd.DataFrame:
        """Return :func:`orderkit.metrics.rates` at the end of ``day`` (23:59:59 JST), cached."""
        if day not in self._rates:
            self._rates[day] = fleet.rates(self.book, at=end_of_day(day), policy=self.policy)
        return self._rates[day]

    def rate(self, day: dt.date, metric: str, window_days: int) -> float:
        """Return one rate at the end of ``day`` (NaN for an empty window).

        Raises:
            KeyError: no such metric and window.
        """
        frame = self.rates(day)
        row = frame[(frame["metric"] == metric) & (frame["window_days"] == window_days)]
        if row.empty:
            raise KeyError(f"no rate {metric!r} over {window_days} days")
        return float(row["value"].iloc[0])


Metric = Callable[[Run], float]


def _peak_lsr(run: Run) -> float:
    """The highest 10-day Late Shipment Rate at any day's end in the period (NaN if none due)."""
    values = np.array([run.rate(day, "late_shipment_rate", 10) for day in run.days])
    return float(np.nanmax(values)) if np.isfinite(values).any() else math.nan


def _at_end(metric: str, window_days: int) -> Metric:
    def value(run: Run) -> float:
        return run.rate(run.last, metric, window_days)

    value.__name__ = f"{metric}_{window_days}d"
    return value


def _daily_peak(column: str) -> Metric:
    def value(run: Run) -> float:
        return float(run.daily[column].max()) if len(run.daily) else math.nan

    value.__name__ = f"peak_{column}"
    return value


def _daily_sum(column: str) -> Metric:
    def value(run: Run) -> float:
        return float(run.daily[column].sum())

    value.__name__ = f"sum_{column}"
    return value


#: What :func:`sweep` measures by default: name → function of a :class:`Run` returning a number.
DEFAULT_METRICS: Mapping[str, Metric] = {
    PEAK_LSR: _peak_lsr,
    "late_shipment_rate_30d": _at_end("late_shipment_rate", 30),
    "cancel_rate_7d": _at_end("cancel_rate", 7),
    "valid_tracking_rate_30d": _at_end("valid_tracking_rate", 30),
    "peak_late_open": _daily_peak("late_open"),
    "peak_unshipped": _daily_peak("Unshipped"),
    "auto_canceled": _daily_sum("auto_canceled"),
}

#: Holiday periods a capacity plan is made for: name → (first, last) as (month, day), the first
#: in the year before the last when it falls later in the year (New Year).
PERIODS: Mapping[str, tuple[tuple[int, int], tuple[int, int]]] = {
    "golden_week": ((4, 25), (5, 15)),
    "obon": ((8, 8), (8, 25)),
    "new_year": ((12, 25), (1, 15)),
}


def holiday_period(name: str, year: int) -> tuple[dt.date, dt.date]:
    """Return the first and last day of a holiday period of :data:`PERIODS` ending in ``year``.

    >>> holiday_period("new_year", 2027)
    (datetime.date(2026, 12, 25), datetime.date(2027, 1, 15))

    Raises:
        KeyError: an unknown period.
    """
    (m1, d1), (m2, d2) = PERIODS[name]
    first_year = year - 1 if (m1, d1) > (m2, d2) else year
    return dt.date(first_year, m1, d1), dt.date(year, m2, d2)


def scenario_for(
    base: Scenario, period: tuple[dt.date, dt.date], *, lead_days: int = 14
) -> Scenario:
    """Return ``base`` with orders arriving from ``lead_days`` before the period to its last day.

    The lead lets the backlog and the 10-day windows fill before the period starts, so that the
    period's first days are measured as a running shop, not an empty one.

    Raises:
        ValueError: the period ends before it starts, or ``lead_days`` is negative.
    """
    first, last = period
    if last < first or lead_days < 0:
        raise ValueError(f"period {first}..{last} or lead of {lead_days} days is invalid")
    start = dt.datetime.combine(first - dt.timedelta(days=lead_days), dt.time(), tzinfo=JST)
    return dataclasses.replace(base, start=start, days=(last - first).days + 1 + lead_days)


def vary(base: Scenario, name: str, values: Iterable[Any]) -> dict[str, Scenario]:
    """Return ``base`` with the field ``name`` set to each value, labelled ``str(value)``, in order.

    List the values from the smallest setting up: :meth:`SweepResult.smallest_under` takes the
    first that meets the target.

    >>> list(vary(Scenario(), "staff", [4, 6]))
    ['4', '6']

    Raises:
        TypeError: ``Scenario`` has no field ``name``.
        ValueError: a value the scenario refuses, or two values with the same label.
    """
    out: dict[str, Scenario] = {}
    for value in values:
        label = str(value)
        if label in out:
            raise ValueError(f"two settings labelled {label!r}")
        out[label] = dataclasses.replace(base, **{name: value})
    return out


def _own_days(scenario: Scenario) -> tuple[dt.date, dt.date]:
    first = scenario.start.astimezone(JST).date()
    return first, first + dt.timedelta(days=scenario.days - 1)


def measure(
    scenario: Scenario,
    seed: int,
    *,
    metrics: Mapping[str, Metric] = DEFAULT_METRICS,
    period: tuple[dt.date, dt.date] | None = None,
) -> pd.DataFrame:
    """Simulate ``scenario`` with ``seed`` and measure it: the unit of work of :func:`sweep`.

    Args:
        scenario: what to simulate.
        seed: the simulation's seed.
        metrics: name → function of a :class:`Run` returning a number.
        period: the first and last day measured (default: the scenario's order days).

    Returns:
        A small frame with columns ``metric`` and ``value`` (float), one row per metric in order.

    Raises:
        ValueError: the period ends before it starts.

    """
    first, last = period or _own_days(scenario)
    if last < first:
        raise ValueError(f"period {first}..{last} ends before it starts")
    book = simulate(scenario, seed=seed)
    daily = fleet.daily(book, start=first, end=last, policy=scenario.policy)
    run = Run(book, daily, first, last, scenario.policy)
    values = [float(f(run)) for f in metrics.values()]
    return pd.DataFrame({"metric": list(metrics), "value": np.array(values, float)})


@dataclass(frozen=True)
class SweepResult:
    """The runs of a sweep and their distributions per scenario.

    Attributes:
        runs: the tidy frame: ``scenario`` (the label; categorical, in the sweep's order),
            ``seed``, ``metric`` and ``value``, one row per scenario × seed × metric.
        scenarios: label → scenario, in the sweep's order.

    """

    runs: pd.DataFrame
    scenarios: Mapping[str, Scenario]

    def quantiles(self, qs: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
        """Return each scenario's and metric's quantiles over the seeds (NaN values left out).

        Returns:
            A frame with columns ``scenario``, ``metric``, ``runs`` and one column per quantile
            named ``q5``, ``q50``, ``q95`` (percent), scenarios in the sweep's order.
        """
        grouped = self.runs.groupby(["scenario", "metric"], observed=True, sort=False)["value"]
        out = grouped.quantile(list(qs)).unstack()
        out.columns = [f"q{round(q * 100):g}" for q in qs]
        out.insert(0, "runs", grouped.count())
        return out.reset_index()

    def meeting(
        self, target: float = 0.04, *, metric: str = PEAK_LSR, confidence: float = 0.95
    ) -> list[str]:
        """Return the scenarios whose ``metric`` is under ``target`` with ``confidence``, in order.

        A scenario qualifies when the ``confidence`` quantile of ``metric`` over its seeds is
        below ``target``: in that share of the simulated seasons the metric stays under it.

        Raises:
            KeyError: ``metric`` was not measured.
            ValueError: ``confidence`` is not between 0 and 1.
        """
        if not 0 < confidence < 1:
            raise ValueError(f"confidence must be between 0 and 1, not {confidence}")
        if metric not in set(self.runs["metric"]):
            raise KeyError(f"metric {metric!r} was not measured")
        values = self.runs[self.runs["metric"] == metric]
        upper = values.groupby("scenario", observed=True, sort=False)["value"].quantile(confidence)
        return [label for label in self.scenarios if label in upper.index and upper[label] < target]

    def smallest_under(
        self, target: float = 0.04, *, metric: str = PEAK_LSR, confidence: float = 0.95
    ) -> str | None:
        """Return the first scenario (the smallest setting) under ``target`` with ``confidence``.

        Scenarios are taken in the sweep's order (list settings from the smallest up); see
        :meth:`meeting` for what qualifies.

        Returns:
            The scenario's label, or ``None`` when no scenario qualifies.

        Raises:
            KeyError: ``metric`` was not measured.
            ValueError: ``confidence`` is not between 0 and 1.
        """
        meeting = self.meeting(target, metric=metric, confidence=confidence)
        return meeting[0] if meeting else None


def active_client() -> Any | None:
    """Return the active ``dask.distributed.Client``, or ``None`` (none, or no ``distributed``)."""
    try:
        from distributed import default_client
    except ImportError:  # distributed is optional at run time: sweeps run in-process then
        return None
    try:
        return default_client()
    except ValueError:  # "No clients found": there is no active client
        return None


def sweep(
    scenarios: Mapping[str, Scenario] | Sequence[Scenario],
    seeds: Sequence[int] | int,
    *,
    client: Any | None = None,
    metrics: Mapping[str, Metric] = DEFAULT_METRICS,
    period: tuple[dt.date, dt.date] | None = None,
) -> SweepResult:
    """Simulate and measure each scenario with each seed; return the distributions.

    Args:
        scenarios: label → scenario, or a sequence (labelled ``"0"``, ``"1"``, ...), from the
            smallest setting up.
        seeds: the seeds, or how many (``n`` → seeds ``0 .. n-1``); every scenario runs each.
        client: a ``dask.distributed.Client`` to run on (default: the active one, if any; else
            in-process). Each task ships a scenario and a seed and returns a small frame.
        metrics: name → function of a :class:`Run` (default :data:`DEFAULT_METRICS`).
        period: the days measured (default: each scenario's own order days), e.g.
            :func:`holiday_period`.

    Returns:
        A :class:`SweepResult`; the same seeds give the same result wherever it ran.

    Raises:
        ValueError: no scenarios or no seeds, or an invalid period.

    """
    named = dict(scenarios) if isinstance(scenarios, Mapping) else {
        str(i): s for i, s in enumerate(scenarios)
    }  # fmt: skip
    seed_list = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not named or not seed_list:
        raise ValueError("a sweep needs at least one scenario and one seed")
    tasks = [(label, seed) for label in named for seed in seed_list]
    client = client if client is not None else active_client()
    if client is None:
        frames = [measure(named[lab], seed, metrics=metrics, period=period) for lab, seed in tasks]
    else:
        futures = client.map(
            measure,
            [named[label] for label, _ in tasks],
            [seed for _, seed in tasks],
            metrics=metrics,
            period=period,
            pure=False,
        )
        frames = client.gather(futures)
    return SweepResult(_tidy(tasks, frames, list(named)), named)


def _tidy(
    tasks: list[tuple[str, int]], frames: list[pd.DataFrame], labels: list[str]
) -> pd.DataFrame:
    """Return the runs' frames as one tidy frame, scenarios as an ordered categorical."""
    sizes = [len(f) for f in frames]
    out = pd.concat(frames, ignore_index=True)
    out.insert(0, "seed", np.repeat([seed for _, seed in tasks], sizes).astype(np.int64))
    scenario = np.repeat([label for label, _ in tasks], sizes)
    out.insert(0, "scenario", pd.Categorical(scenario, categories=labels, ordered=True))
    return out
