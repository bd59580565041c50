"""SimulationPanel: move the scenario's sliders; pending versus late and the rates redraw.

In sweep mode the panel varies one setting (handling days, staff, orders per day) over a range,
simulates each value with several seeds over a period (a holiday period such as the New Year, or
the scenario's own days) and charts the peak 10-day Late Shipment Rate per setting with its 5–95%
band against the 4% target, with the answer in words: the smallest setting that keeps the rate
under target with 95% confidence. Sweeps run in-process, or on the active Dask client if there is
one (:func:`orderkit.sweep.sweep`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Final

import ipywidgets as w
import pandas as pd
import traitlets

from orderkit import charts, i18n, metrics
from orderkit.i18n import N_, _
from orderkit.simulate import Scenario, simulate
from orderkit.sweep import PEAK_LSR, SweepResult, holiday_period, scenario_for, sweep, vary
from orderkit.widgets._text import tr

__all__ = ["SimulationPanel"]

# slider → (Scenario field, scale from the slider's value to the field's)
_FIELDS: dict[str, tuple[str, float]] = {
    "orders_per_day": ("orders_per_day", 1.0),
    "handling_days": ("handling_days", 1.0),
    "never_confirmed": ("never_confirmed", 0.01),
    "late_confirmed": ("confirm_delayed", 0.01),
    "cvs_share": ("payment_mix", 0.01),
    "days": ("days", 1.0),
}


@dataclasses.dataclass(frozen=True, slots=True)
class _Sweepable:
    """A setting the sweep can vary: its label, the slider's bounds, a first range and a step.

    ``more_is_safer``: a larger value lowers the late rate (staff, handling days), so the answer
    is the smallest value under target; otherwise (orders per day) it is the largest.
    """

    label: str
    low: int
    high: int
    first: tuple[int, int]
    step: int
    more_is_safer: bool = True


#: Scenario field → how the sweep varies it (``staff``: the dispatch capacity, see ``Scenario``).
_SWEEPABLE: Final[Mapping[str, _Sweepable]] = {
    "handling_days": _Sweepable(N_("Handling days"), 0, 10, (1, 4), 1),
    "staff": _Sweepable(N_("Staff"), 1, 80, (2, 8), 1),
    "orders_per_day": _Sweepable(N_("Orders per day"), 20, 3000, (100, 500), 50, False),
}

#: Period choice → its label; the holiday periods are the next ones from the scenario's start.
_PERIODS: Final[Mapping[str, str]] = {
    "new_year": N_("New Year holidays"),
    "golden_week": N_("Golden Week"),
    "obon": N_("Obon"),
    "scenario": N_("The scenario's own days"),
}

_SWEEP_TEXT: Final[Mapping[str, str]] = {
    "mode_single": N_("One scenario"),
    "mode_sweep": N_("Sweep"),
    "parameter": N_("Vary"),
    "range": N_("From – to"),
    "step": N_("Step"),
    "staff": N_("Staff (0: no limit)"),
    "per_staff": N_("Orders per person a day"),
    "period": N_("Period"),
    "seeds": N_("Seeds"),
    "run": N_("Run sweep"),
    "answer_largest": N_(
        "The largest setting under target with 95% confidence is {name} = {value}: the peak "
        "10-day Late Shipment Rate stays at or below {q95} in 95% of {seeds} simulated seasons "
        "({first} to {last})."
    ),
    "answer": N_(
        "The smallest setting under target with 95% confidence is {name} = {value}: the peak "
        "10-day Late Shipment Rate stays at or below {q95} in 95% of {seeds} simulated seasons "
        "({first} to {last})."
    ),
    "none": N_(
        "No setting from {lo} to {hi} keeps the peak 10-day Late Shipment Rate under {target} "
        "with 95% confidence ({first} to {last})."
    ),
}


class SimulationPanel(w.VBox):
    """Simulate a fleet of order timelines and watch pending and late orders respond.

    Args:
        scenario: the starting :class:`~orderkit.simulate.Scenario` (its values set the sliders).
        seed: the simulation's seed (same seed, same fleet).
        lang: ``"en"`` or ``"ja"``.

    Traits:
        lang: the display language.
        scenario: the scenario last simulated.
        mode: ``"single"`` (the sliders' one scenario) or ``"sweep"``.

    Attributes:
        daily: the last :func:`orderkit.metrics.daily` frame; ``rates``: the last rates frame.
        sweep_controls: the sweep's widgets by name (``parameter``, ``range``, ``step``,
            ``staff``, ``per_staff``, ``period``, ``seeds``, ``run``).
        sweep_result: the last :class:`~orderkit.sweep.SweepResult` (``None`` before the first).
        sweep_answer: the last sweep's answer: the label of the smallest setting under target with
            95% confidence (the largest for orders per day), or ``None``.
    """

    lang = traitlets.Unicode("en")
    scenario = traitlets.Instance(Scenario)
    mode = traitlets.Unicode("single")

    def __init__(
        self, scenario: Scenario | None = None, *, seed: int = 0, lang: str = "en"
    ) -> None:
        super().__init__()
        charts.enable_offline()
        base = scenario or Scenario(days=60, orders_per_day=150)
        self.seed = seed
        cvs = float(dict(base.payment_mix).get("cvs", 0.0))
        handling = (
            base.handling_days if base.handling_days is not None else base.policy.handling_days
        )
        style = {"description_width": "180px"}
        layout = w.Layout(width="460px")
        self.sliders = {
            "orders_per_day": w.IntSlider(
                value=int(base.orders_per_day),
                min=20,
                max=2000,
                step=10,
                style=style,
                layout=layout,
            ),
            "handling_days": w.IntSlider(value=handling, min=0, max=5, style=style, layout=layout),
            "never_confirmed": w.FloatSlider(
                value=base.never_confirmed * 100,
                min=0,
                max=10,
                step=0.5,
                style=style,
                layout=layout,
            ),
            "late_confirmed": w.FloatSlider(
                value=base.confirm_delayed * 100, min=0, max=30, step=1, style=style, layout=layout
            ),
            "cvs_share": w.FloatSlider(
                value=cvs * 100, min=0, max=60, step=1, style=style, layout=layout
            ),
            "days": w.IntSlider(
                value=base.days, min=14, max=120, step=7, style=style, layout=layout
            ),
        }
        for name, slider in self.sliders.items():
            slider.continuous_update = False
            slider.add_class(f"ok-sim-{name.replace('_', '-')}")
            slider.observe(lambda _: self.run(), names="value")
        self.summary = w.HTML().add_class("ok-sim-summary")
        self.chart = charts.placeholder().add_class("ok-sim-chart")
        self.rates_chart = charts.placeholder().add_class("ok-sim-rates")
        self._base = base
        self.daily = pd.DataFrame()
        self.rates = pd.DataFrame()
        self.sweep_result: SweepResult | None = None
        self.sweep_answer: str | None = None
        self._sweep_period: tuple[dt.date, dt.date] | None = None
        self._swept = "handling_days"  # the parameter of the last sweep (the chart's labels)
        self.mode_switch = w.ToggleButtons(
            options=[("single", "single"), ("sweep", "sweep")], value="single"
        ).add_class("ok-sim-mode")
        self.mode_switch.observe(lambda c: setattr(self, "mode", c["new"]), names="value")
        self.sweep_controls = self._sweep_widgets(style, layout)
        self.sweep_text = w.HTML().add_class("ok-sweep-answer")
        self.sweep_chart = charts.placeholder().add_class("ok-sweep-chart")
        self.sweep_box = w.VBox(
            [*self.sweep_controls.values(), self.sweep_text, self.sweep_chart],
            layout=w.Layout(display="none"),
        )
        self.children = (
            self.mode_switch,
            w.VBox(list(self.sliders.values())),
            self.summary,
            self.chart,
            self.rates_chart,
            self.sweep_box,
        )
        self.lang = lang
        self.run()

    def _sweep_widgets(self, style: dict, layout: w.Layout) -> dict[str, w.Widget]:
        """Return the sweep's controls (labelled in :meth:`_relabel`)."""
        first = _SWEEPABLE["handling_days"]
        controls: dict[str, w.Widget] = {
            "parameter": w.Dropdown(options=list(_SWEEPABLE), value="handling_days"),
            "range": w.IntRangeSlider(value=first.first, min=first.low, max=first.high),
            "step": w.IntSlider(value=first.step, min=1, max=first.step * 10),
            "staff": w.IntSlider(value=0, min=0, max=80),
            "per_staff": w.IntSlider(value=int(self._base.orders_per_staff_day), min=10, max=300),
            "period": w.Dropdown(options=list(_PERIODS), value="new_year"),
            "seeds": w.IntSlider(value=10, min=2, max=100),
            "run": w.Button(icon="play"),
        }
        for name, control in controls.items():
            control.add_class(f"ok-sweep-{name.replace('_', '-')}")
            if name != "run":
                control.style, control.layout = style, layout
        controls["parameter"].observe(lambda _: self._parameter_changed(), names="value")
        controls["run"].on_click(lambda _: self.run_sweep())
        return controls

    def _parameter_changed(self) -> None:
        spec = _SWEEPABLE[self.sweep_controls["parameter"].value]
        span, step = self.sweep_controls["range"], self.sweep_controls["step"]
        span.min, span.max = min(span.min, spec.low), max(span.max, spec.high)
        span.value = spec.first
        span.min, span.max = spec.low, spec.high
        step.min = 1  # widen first: a bound never clamps the value being set
        step.max, step.value = spec.step * 10, spec.step
        step.min = spec.step

    @traitlets.validate("mode")
    def _valid_mode(self, proposal: dict) -> str:
        if proposal["value"] not in ("single", "sweep"):
            raise traitlets.TraitError(
                f"mode must be 'single' or 'sweep', not {proposal['value']!r}"
            )
        return proposal["value"]

    @traitlets.observe("mode")
    def _mode_changed(self, change: dict) -> None:
        self.mode_switch.value = change["new"]
        self.sweep_box.layout.display = None if change["new"] == "sweep" else "none"

    @traitlets.observe("lang")
    def _lang_changed(self, _: object) -> None:
        if len(self.daily):  # not before the first simulation
            self._relabel()
            self._draw()
        if self.sweep_result is not None:
            self._draw_sweep()

    def _relabel(self) -> None:
        lang = self.lang
        for name, slider in self.sliders.items():
            slider.description = tr(name, lang)
        self.mode_switch.options = [
            (_(_SWEEP_TEXT[f"mode_{m}"], lang), m) for m in ("single", "sweep")
        ]
        for name, control in self.sweep_controls.items():
            if name == "run":
                control.description = _(_SWEEP_TEXT["run"], lang)
            else:
                control.description = _(_SWEEP_TEXT[name], lang)
        parameter, period = self.sweep_controls["parameter"], self.sweep_controls["period"]
        parameter.options = [(_(s.label, lang), key) for key, s in _SWEEPABLE.items()]
        period.options = [(_(label, lang), key) for key, label in _PERIODS.items()]

    def sweep_settings(self) -> dict[str, Scenario]:
        """Return the scenarios the sweep controls describe, labelled by value, smallest first.

        The base is the sliders' scenario, with the sweep's staff (0: no capacity limit) and
        orders per person, over the chosen period.
        """
        c = self.sweep_controls
        base = self.current_scenario()
        staff = int(c["staff"].value) or None
        if staff is not None or c["parameter"].value == "staff":  # staff sets the capacity
            base = dataclasses.replace(base, dispatch_capacity=None)
        base = dataclasses.replace(
            base, staff=staff, orders_per_staff_day=float(c["per_staff"].value)
        )
        period = self.sweep_period()
        if c["period"].value != "scenario":
            base = scenario_for(base, period)
        lo, hi = c["range"].value
        values = list(range(int(lo), int(hi) + 1, int(c["step"].value)))
        return vary(base, c["parameter"].value, values)

    def sweep_period(self) -> tuple[dt.date, dt.date]:
        """Return the chosen period's first and last day (the next one from the scenario's start)."""
        choice = self.sweep_controls["period"].value
        start = self._base.start.date()
        if choice == "scenario":
            s = self.current_scenario()
            first = s.start.date()
            return first, first + dt.timedelta(days=s.days - 1)
        for year in (start.year, start.year + 1):
            first, last = holiday_period(choice, year)
            if first >= start:
                return first, last
        return holiday_period(choice, start.year + 2)

    def run_sweep(self) -> None:
        """Run the sweep the controls describe (on the active Dask client if any) and draw it."""
        settings = self.sweep_settings()
        self._sweep_period = self.sweep_period()
        self._swept = self.sweep_controls["parameter"].value
        self.sweep_result = sweep(
            settings, seeds=int(self.sweep_controls["seeds"].value), period=self._sweep_period
        )
        target = metrics.TARGETS["late_shipment_rate"].value
        meeting = self.sweep_result.meeting(target)
        safer = _SWEEPABLE[self._swept].more_is_safer
        self.sweep_answer = (meeting[0] if safer else meeting[-1]) if meeting else None
        self._draw_sweep()

    def _draw_sweep(self) -> None:
        result, lang = self.sweep_result, self.lang
        if result is None or self._sweep_period is None:
            return
        target = metrics.TARGETS["late_shipment_rate"].value
        q = result.quantiles()
        q = q[q["metric"] == PEAK_LSR].reset_index(drop=True)
        name = _(_SWEEPABLE[self._swept].label, lang)
        self.sweep_chart.chart = charts.sweep_band(q, target=target, setting=name, lang=lang)
        first, last = (i18n.date(d, lang, weekday=False) for d in self._sweep_period)
        if self.sweep_answer is None:
            labels = list(result.scenarios)
            text = _(
                _SWEEP_TEXT["none"], lang, lo=labels[0], hi=labels[-1],
                target=i18n.percent(target, lang, digits=0), first=first, last=last,
            )  # fmt: skip
        else:
            row = q[q["scenario"] == self.sweep_answer].iloc[0]
            key = "answer" if _SWEEPABLE[self._swept].more_is_safer else "answer_largest"
            text = _(
                _SWEEP_TEXT[key], lang, name=name, value=self.sweep_answer,
                q95=i18n.percent(float(row["q95"]), lang, digits=2),
                seeds=int(row["runs"]), first=first, last=last,
            )  # fmt: skip
        self.sweep_text.value = f"<b>{text}</b>"

    def current_scenario(self) -> Scenario:
        """Return the scenario the sliders describe."""
        values = {name: s.value for name, s in self.sliders.items()}
        mix = dict(self._base.payment_mix)
        cvs = values["cvs_share"] / 100
        others = {k: v for k, v in mix.items() if k != "cvs"}
        scale = (1 - cvs) / (sum(others.values()) or 1)
        mix = {**{k: v * scale for k, v in others.items()}, "cvs": cvs}
        return dataclasses.replace(
            self._base,
            orders_per_day=float(values["orders_per_day"]),
            handling_days=int(values["handling_days"]),
            never_confirmed=values["never_confirmed"] / 100,
            confirm_delayed=values["late_confirmed"] / 100,
            payment_mix=mix,
            days=int(values["days"]),
        )

    def run(self) -> None:
        """Simulate the sliders' scenario and redraw the charts."""
        self.scenario = scenario = self.current_scenario()
        book = simulate(scenario, seed=self.seed)
        self.daily = metrics.daily(book, policy=scenario.policy)
        end = scenario.start + pd.Timedelta(days=scenario.days)
        self.rates = metrics.rates(book, at=end, policy=scenario.policy)
        self._relabel()
        self._draw()

    def _draw(self) -> None:
        lang = self.lang
        self.chart.chart = charts.pending_vs_late(self.daily, lang=lang)
        self.rates_chart.chart = charts.rates_vs_targets(self.rates, lang=lang)
        rows = "".join(
            f"<tr><td>{charts.label(r.metric, lang)} ({r.window_days}{'日' if lang == 'ja' else ' days'})</td>"
            f"<td>{r.value:.1%}</td><td>{'✔' if r.met else '✘'}</td></tr>"
            for r in self.rates.itertuples()
            if pd.notna(r.value)
        )
        orders = int(self.daily["new_orders"].sum()) if len(self.daily) else 0
        head = (
            f"{orders:,} orders simulated"
            if lang == "en"
            else f"{orders:,}件の注文をシミュレーション"
        )
        self.summary.value = f"<b>{head}</b><table class='ok-table'>{rows}</table>"
