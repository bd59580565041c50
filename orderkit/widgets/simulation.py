"""SimulationPanel: move the scenario's sliders; pending versus late and the rates redraw."""

from __future__ import annotations

import dataclasses

import ipywidgets as w
import pandas as pd
import traitlets

from orderkit import charts, metrics
from orderkit.simulate import Scenario, simulate
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


class SimulationPanel(w.VBox):
    """Simulate a fleet of order timelines and watch pending and late orders respond.

    Args:
        scenario: the starting :class:`~orderkit.simulate.Scenario` (its values set the sliders).
        seed: the simulation's seed (same seed, same fleet).
        lang: ``"en"`` or ``"ja"``.

    Traits:
        lang: the display language.
        scenario: the scenario last simulated.

    Attributes:
        daily: the last :func:`orderkit.metrics.daily` frame; ``rates``: the last rates frame.
    """

    lang = traitlets.Unicode("en")
    scenario = traitlets.Instance(Scenario)

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
        self.children = (
            w.VBox(list(self.sliders.values())),
            self.summary,
            self.chart,
            self.rates_chart,
        )
        self.lang = lang
        self.run()

    @traitlets.observe("lang")
    def _lang_changed(self, _: object) -> None:
        if len(self.daily):  # not before the first simulation
            self._relabel()
            self._draw()

    def _relabel(self) -> None:
        for name, slider in self.sliders.items():
            slider.description = tr(name, self.lang)

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
