"""Charts of the fleet lens and of one order, as altair specifications.

Every builder takes what :mod:`orderkit.metrics` returns (already aggregated: one row per day or per
rate, never one per order) and returns an altair chart; every text comes from the message catalogs
(``lang="en"|"ja"|"zh-Hans"``), dates are written as each language writes them (``11月21日(土)``)
and rates as percentages. Charts render without internet once :func:`enable_offline` has run (the
JavaScript is bundled by vl-convert), and ``chart.save("x.svg")`` works offline too.

>>> import pandas as pd
>>> df = pd.DataFrame({"Pending": [1, 2], "late": [0, 1]},
...                   index=pd.DatetimeIndex(["2026-04-01", "2026-04-02"], name="day"))
>>> pending_vs_late(df).to_dict()["layer"][1]["mark"]["type"]
'line'
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import altair as alt
import babel.dates
import pandas as pd

from orderkit import i18n
from orderkit.businessdays import BusinessCalendar, to_jst
from orderkit.i18n import N_, _, check_lang
from orderkit.metrics import TARGETS
from orderkit.state import OrderState
from orderkit.status import OrderStatus

__all__ = [
    "compare_scenarios",
    "day_label_expr",
    "enable_offline",
    "label",
    "order_timeline",
    "pending_vs_late",
    "placeholder",
    "rate_title",
    "rates_vs_targets",
    "status_stacked",
    "sweep_band",
]

#: The charts' words, as catalog messages (English is the message id).
_WORDS: dict[str, str] = {
    "day": N_("Day (JST)"),
    "orders": N_("Orders"),
    "series": N_("Series"),
    "status": N_("Status"),
    "Pending": N_("Pending"),
    "Unshipped": N_("Unshipped"),
    "late": N_("Shipment is late"),
    "late_open": N_("Shipment is late"),
    "at_risk": N_("At risk of auto-cancel"),
    "closed": N_("Closed day"),
    "weekend": N_("Weekend"),
    "rate": N_("Rate"),
    "target": N_("Target"),
    "metric": N_("Metric"),
    "result": N_("Result"),
    "time": N_("Time (JST)"),
    "event": N_("Event"),
    "actor": N_("Who"),
    "deadline": N_("Deadline"),
    "scenario": N_("Scenario"),
    "ship_by": N_("Ship by"),
    "confirm_by": N_("Confirm by (auto-cancel)"),
    "payment_due": N_("Payment due (convenience store)"),
    "reply_deadline": N_("Reply deadline"),
    "late_shipment_rate": N_("Late Shipment Rate"),
    "cancel_rate": N_("Pre-fulfilment Cancel Rate"),
    "valid_tracking_rate": N_("Valid Tracking Rate"),
    "meets": N_("meets target"),
    "below": N_("below target"),
    "buyer": N_("Buyer"),
    "seller": N_("Seller"),
    "amazon": N_("Amazon"),
    "system": N_("System"),
    "setting": N_("Setting"),
    "peak_lsr": N_("Peak 10-day Late Shipment Rate"),
    "median": N_("Median over seeds"),
    "band": N_("5–95% of seeds"),
}
_WINDOW = N_("{days} days")
_GREEN, _RED = "#4c9f70", "#d1495b"


def _t(word: str, lang: str) -> str:
    """Return ``word``'s label in ``lang`` (a word outside the vocabulary as it is).

    Raises:
        ValueError: an unknown ``lang``.
    """
    check_lang(lang)
    return _(_WORDS[word], lang) if word in _WORDS else word


def label(word: str, lang: str = "en") -> str:
    """Return the chart vocabulary's label for ``word`` (a status, series or rate key) in ``lang``.

    >>> label("late_shipment_rate", "ja")
    '出荷遅延率'

    Raises:
        ValueError: an unknown ``lang``.
    """
    return _t(word, lang)


def rate_title(metric: str, window_days: int, lang: str = "en") -> list[str]:
    """Return a rate's panel title as two lines: its name and its window (``10 days``/``10日間``).

    Raises:
        ValueError: an unknown ``lang``.
    """
    return [_t(metric, lang), _(_WINDOW, lang, days=window_days)]


def _weekdays(lang: str) -> list[str]:
    """Return the abbreviated weekday names in ``lang``, Sunday first (as Vega's ``utcday``)."""
    names = babel.dates.get_day_names("abbreviated", locale=_BABEL[lang])
    return [names[(i + 6) % 7] for i in range(7)]  # Babel counts from Monday


_BABEL = {"en": "en", "ja": "ja", "zh-Hans": "zh_Hans"}


def day_label_expr(lang: str) -> str:
    """Return a Vega expression writing a day as :func:`orderkit.i18n.date` does in ``lang``.

    Vega-Lite formats dates in English only and offline there is no locale to load, so the axis
    builds the label itself: ``Sat 21 Nov`` (en), ``11月21日(土)`` (ja), ``11月21日 周六`` (zh).
    The days are UTC instants of Japan's calendar days (see :func:`_days`), hence ``utc*``.

    Raises:
        ValueError: an unknown ``lang``.
    """
    check_lang(lang)
    days = json.dumps(_weekdays(lang), ensure_ascii=False)
    weekday = f"{days}[utcday(datum.value)]"
    if lang == "en":
        return "utcFormat(datum.value, '%a %-d %b')"
    month_day = "utcFormat(datum.value, '%-m月%-d日')"
    return (
        f"{month_day} + '(' + {weekday} + ')'" if lang == "ja" else f"{month_day} + ' ' + {weekday}"
    )


def _y_axis(title: str, lang: str, **kwargs: Any) -> alt.Axis:
    """Return a vertical axis whose title reads horizontally above it in Japanese and Chinese.

    A rotated title suits Latin script; Japanese and Chinese set sideways are hard to read.
    """
    if lang == "en":
        return alt.Axis(title=title, **kwargs)
    return alt.Axis(
        title=title, titleAngle=0, titleAlign="left", titleAnchor="end", titleY=-10, titleX=0,
        titleBaseline="bottom", **kwargs,
    )  # fmt: skip


def _x_days(lang: str) -> alt.X:
    """Return the day axis: UTC scale (days are UTC midnights), labels in ``lang``, horizontal."""
    return alt.X(
        "day:T",
        title=_t("day", lang),
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(labelExpr=day_label_expr(lang), labelAngle=0, tickMinStep=_DAY_MS),
    )


_DAY_MS = 24 * 60 * 60 * 1000


def enable_offline() -> None:
    """Make altair charts render with no internet in Jupyter (JavaScript bundled by vl-convert).

    Turns on ``alt.JupyterChart``'s offline mode and the offline ``jupyter`` renderer.
    """
    alt.JupyterChart.enable_offline()
    alt.renderers.enable("jupyter", offline=True)


def _days(daily_df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the daily frame with its ``day`` index as a column and each day's ``label``.

    ``day`` is an ISO date (read by Vega as that day's UTC midnight); ``label`` is the day in
    ``lang`` for tooltips (:func:`orderkit.i18n.date`).
    """
    frame = daily_df.reset_index() if "day" not in daily_df.columns else daily_df.copy()
    days = pd.to_datetime(frame["day"])
    frame["day"] = days.dt.strftime("%Y-%m-%d")
    frame["label"] = [i18n.date(d.date(), lang) for d in days]
    return frame


def _closed_days(days: pd.Series, calendar: BusinessCalendar, lang: str) -> pd.DataFrame:
    """Return the closed days (weekends, holidays, the seller's days) among ``days``, with why."""
    if days.empty:
        return pd.DataFrame({"day": [], "next_day": [], "why": []})
    first, last = pd.Timestamp(days.min()).date(), pd.Timestamp(days.max()).date()
    rows = []
    for day, why in calendar.closed_between(first, last):
        # the calendar names holidays in Japanese or English; a Chinese reader reads the kanji
        name = None
        if why not in ("weekend", "closed"):
            name = calendar.holiday_name(day, "en" if lang == "en" else "ja")
        rows.append(
            {
                "day": f"{day:%Y-%m-%d}",
                "next_day": f"{day + dt.timedelta(days=1):%Y-%m-%d}",
                "why": f"{i18n.date(day, lang)} {name or _t(why, lang)}",
            }
        )
    return pd.DataFrame(rows, columns=["day", "next_day", "why"])


def _day_tooltip(lang: str) -> alt.Tooltip:
    return alt.Tooltip("label:N", title=_t("day", lang))


def pending_vs_late(
    daily_df: pd.DataFrame, *, lang: str = "en", calendar: BusinessCalendar | None = None
) -> alt.LayerChart:
    """Return Pending and late orders per day, weekends and Japanese holidays shaded.

    Args:
        daily_df: :func:`orderkit.metrics.daily` (columns ``Pending`` and ``late_open`` — orders
            showing "Shipment is late" — or ``late``; index ``day``).
        lang: ``"en"``, ``"ja"`` or ``"zh-Hans"``.
        calendar: the business calendar whose closed days are shaded (default: Japan's).

    Returns:
        A layer of the shading (``rect``) and one line per series.

    Raises:
        ValueError: an unknown ``lang``.

    """
    check_lang(lang)
    frame = _days(daily_df, lang)
    late = "late_open" if "late_open" in frame.columns else "late"
    series = {"Pending": _t("Pending", lang), late: _t("late", lang)}
    long = frame.melt(
        ["day", "label"], value_vars=list(series), var_name="series", value_name="orders"
    )
    long["series"] = long["series"].map(series)
    shade = _closed_days(frame["day"], calendar or BusinessCalendar(), lang)
    closed = (
        alt.Chart(shade)
        .mark_rect(opacity=0.15, color="gray")
        .encode(
            x=_x_days(lang),
            x2="next_day:T",
            tooltip=[alt.Tooltip("why:N", title=_t("closed", lang))],
        )
    )
    lines = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=_x_days(lang),
            y=alt.Y("orders:Q", axis=_y_axis(_t("orders", lang), lang)),
            color=alt.Color("series:N", title=_t("series", lang), sort=list(series.values())),
            tooltip=[
                _day_tooltip(lang),
                alt.Tooltip("series:N", title=_t("series", lang)),
                alt.Tooltip("orders:Q", title=_t("orders", lang)),
            ],
        )
    )
    return alt.layer(closed, lines)


def status_stacked(daily_df: pd.DataFrame, *, lang: str = "en") -> alt.Chart:
    """Return the orders in each status at the end of each day, stacked.

    Args:
        daily_df: :func:`orderkit.metrics.daily`; statuses with no order on any day are left out.
        lang: ``"en"``, ``"ja"`` or ``"zh-Hans"``.

    Raises:
        ValueError: an unknown ``lang``.

    """
    check_lang(lang)
    frame = _days(daily_df, lang)
    statuses = [s for s in OrderStatus if s.value in frame and frame[s.value].sum() > 0]
    long = frame.melt(
        ["day", "label"],
        value_vars=[s.value for s in statuses],
        var_name="status",
        value_name="orders",
    )
    labels = {s.value: s.label(lang) for s in statuses}
    long["status"] = long["status"].map(labels)
    return (
        alt.Chart(long)
        .mark_area()
        .encode(
            x=_x_days(lang),
            y=alt.Y("orders:Q", stack="zero", axis=_y_axis(_t("orders", lang), lang)),
            color=alt.Color(
                "status:N", title=_t("status", lang), sort=[labels[s.value] for s in statuses]
            ),
            tooltip=[
                _day_tooltip(lang),
                alt.Tooltip("status:N", title=_t("status", lang)),
                alt.Tooltip("orders:Q", title=_t("orders", lang)),
            ],
        )
    )


def rates_vs_targets(rates_df: pd.DataFrame, *, lang: str = "en") -> alt.HConcatChart:
    """Return each rate as a bar against its target (a tick), one titled panel per rate and window.

    Panels come in the order of :data:`orderkit.metrics.TARGETS` (then by window), whatever the
    language; each has its own title (name, then window) and its own percentage scale; bars are
    coloured "meets target" or "below target"; rates and targets read as percentages.

    Args:
        rates_df: :func:`orderkit.metrics.rates`.
        lang: ``"en"``, ``"ja"`` or ``"zh-Hans"``.

    Raises:
        ValueError: an unknown ``lang``.

    """
    check_lang(lang)
    order = {metric: i for i, metric in enumerate(TARGETS)}
    frame = rates_df[["metric", "window_days", "value", "target", "met"]].copy()
    frame["rank"] = [order.get(m, len(order)) for m in frame["metric"]]
    frame = frame.sort_values(["rank", "window_days"], kind="stable").reset_index(drop=True)
    meets, below = _t("meets", lang), _t("below", lang)
    frame["result"] = [meets if met else below for met in frame["met"]]
    frame["value"] = frame["value"].astype(float).fillna(0.0)
    frame["value_text"] = [i18n.percent(v, lang, digits=2) for v in frame["value"]]
    frame["target_text"] = [i18n.percent(t, lang) for t in frame["target"]]
    colour = alt.Color(
        "result:N",
        title=_t("result", lang),
        scale=alt.Scale(domain=[meets, below], range=[_GREEN, _RED]),
    )
    tooltip = [
        alt.Tooltip("value_text:N", title=_t("rate", lang)),
        alt.Tooltip("target_text:N", title=_t("target", lang)),
        alt.Tooltip("result:N", title=_t("result", lang)),
    ]
    panels = []
    for row in frame.itertuples(index=False):
        one = frame[(frame["metric"] == row.metric) & (frame["window_days"] == row.window_days)]
        top = min(1.0, max(float(row.value), float(row.target)) * 1.25) or 0.01
        y = alt.Y(
            "value:Q",
            scale=alt.Scale(domain=[0, top]),
            axis=_y_axis(_t("rate", lang), lang, format="%"),
        )
        bars = alt.Chart(one).mark_bar(width=40).encode(y=y, color=colour, tooltip=tooltip)
        target = (
            alt.Chart(one)
            .mark_tick(color="black", thickness=2, size=60)
            .encode(y=alt.Y("target:Q"), tooltip=tooltip)
        )
        panels.append(
            alt.layer(bars, target).properties(
                width=110, height=180, title=rate_title(row.metric, row.window_days, lang)
            )
        )
    return alt.hconcat(*panels, spacing=30).configure_title(anchor="middle", fontSize=12)


def _as_state(state_or_view: Any) -> OrderState:
    if isinstance(state_or_view, OrderState):
        return state_or_view
    events = state_or_view.events
    if not events:
        raise ValueError(f"order {state_or_view.order_id} has no events")
    return state_or_view.state(at=events[-1].at)


def _jst_wall(at: dt.datetime) -> str:
    """Return ``at`` as Japan's wall-clock time written as UTC, so that Vega shows it unshifted."""
    return to_jst(at).strftime("%Y-%m-%dT%H:%M:%SZ")


def order_timeline(state_or_view: Any, *, lang: str = "en") -> alt.LayerChart:
    """Return one order's events on a time axis, with its deadlines as vertical rules.

    Args:
        state_or_view: an :class:`~orderkit.state.OrderState`, or an
            :class:`~orderkit.book.OrderView` (folded at its last event).
        lang: ``"en"``, ``"ja"`` or ``"zh-Hans"``.

    Returns:
        A layer of the deadlines ``ship_by``, ``confirm_by``, ``payment_due`` and
        ``reply_deadline`` that the order has (a ``rule``, then one ``text`` layer per deadline
        naming it) and, last, the events (``point``).

    Raises:
        ValueError: an unknown ``lang``, or a view with no events.

    """
    check_lang(lang)
    state = _as_state(state_or_view)
    events = pd.DataFrame(
        {
            "time": [_jst_wall(e.at) for e in state.events],
            "when": [i18n.datetime(e.at, lang) for e in state.events],
            "event": [e.kind.label(lang) for e in state.events],
            "actor": [_t(str(e.actor), lang) for e in state.events],
        }
    )
    deadlines = pd.DataFrame(
        [
            {"time": _jst_wall(when), "when": i18n.datetime(when, lang), "deadline": _t(name, lang)}
            for name in ("ship_by", "confirm_by", "payment_due", "reply_deadline")
            if (when := getattr(state, name)) is not None
        ],
        columns=["time", "when", "deadline"],
    )
    x = alt.X(
        "time:T",
        title=_t("time", lang),
        scale=alt.Scale(type="utc"),
        axis=alt.Axis(labelExpr=day_label_expr(lang), labelAngle=0, tickMinStep=_DAY_MS),
    )
    when = alt.Tooltip("when:N", title=_t("time", lang))
    points = (
        alt.Chart(events)
        .mark_point(filled=True, size=80)
        .encode(
            x=x,
            y=alt.Y("event:N", axis=_y_axis(_t("event", lang), lang), sort=None),
            color=alt.Color("actor:N", title=_t("actor", lang)),
            tooltip=[when, alt.Tooltip("event:N", title=_t("event", lang)),
                     alt.Tooltip("actor:N", title=_t("actor", lang))],
        )
    )  # fmt: skip
    rules = (
        alt.Chart(deadlines)
        .mark_rule(strokeDash=[4, 4], color=_RED)
        .encode(x=x, tooltip=[alt.Tooltip("deadline:N", title=_t("deadline", lang)), when])
    )
    # deadline names read horizontally, one line each from the top, so that close ones don't
    # collide and Japanese is not set sideways; a name in the right half ends at its rule
    times = pd.concat([events["time"], deadlines["time"]])
    middle = pd.to_datetime(times).agg(["min", "max"]).mean()
    names = [
        alt.Chart(deadlines.iloc[[i]])
        .mark_text(
            align="right" if right else "left", baseline="top", dx=-3 if right else 3, color=_RED
        )
        .encode(x=x, y=alt.value(2 + 14 * i), text="deadline:N")
        for i, right in enumerate(pd.to_datetime(deadlines["time"]) > middle)
    ]
    return alt.layer(rules, *names, points).properties(title=state.order_id)


def compare_scenarios(
    daily_a: pd.DataFrame,
    daily_b: pd.DataFrame,
    *,
    names: Sequence[str] = ("A", "B"),
    columns: Sequence[str] = ("Pending", "Unshipped", "late_open", "at_risk"),
    lang: str = "en",
) -> alt.FacetChart:
    """Return two scenarios' daily series side by side, one panel per series (in ``columns`` order).

    Args:
        daily_a: :func:`orderkit.metrics.daily` of the first scenario.
        daily_b: the same of the second.
        names: the two scenarios' names.
        columns: the daily columns to compare.
        lang: ``"en"``, ``"ja"`` or ``"zh-Hans"``.

    Raises:
        ValueError: an unknown ``lang``, or ``names`` not two names.

    """
    check_lang(lang)
    if len(names) != 2:
        raise ValueError("names must be two names")
    parts = []
    for frame, name in zip((daily_a, daily_b), names, strict=True):
        long = _days(frame, lang).melt(
            ["day", "label"], value_vars=list(columns), var_name="series", value_name="orders"
        )
        long["scenario"] = name
        parts.append(long)
    long = pd.concat(parts, ignore_index=True)
    long["series"] = long["series"].map(lambda c: _t(c, lang))
    return (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=_x_days(lang),
            y=alt.Y("orders:Q", axis=_y_axis(_t("orders", lang), lang)),
            color=alt.Color("scenario:N", title=_t("scenario", lang)),
            tooltip=[
                _day_tooltip(lang),
                alt.Tooltip("scenario:N", title=_t("scenario", lang)),
                alt.Tooltip("series:N", title=_t("series", lang)),
                alt.Tooltip("orders:Q", title=_t("orders", lang)),
            ],
        )
        .properties(width=220, height=160)
        .facet(
            facet=alt.Facet(
                "series:N",
                title=None,
                sort=[_t(c, lang) for c in columns],
                header=alt.Header(labelAngle=0),
            ),
            columns=2,
        )
        .resolve_scale(y="independent")
    )


def sweep_band(
    quantiles: pd.DataFrame,
    *,
    target: float = 0.04,
    setting: str | None = None,
    lang: str = "en",
) -> alt.LayerChart:
    """Return a swept metric per setting: its median over the seeds, its 5–95% band, the target.

    Settings stay in the sweep's order along the x axis; a median point is coloured "meets target"
    when the setting's 95th percentile is under ``target`` (the setting keeps the metric under the
    target in 95% of the seeds), "below target" otherwise; the target is a dashed rule.

    Args:
        quantiles: one metric's rows of :meth:`orderkit.sweep.SweepResult.quantiles` (columns
            ``scenario``, ``q5``, ``q50``, ``q95``), in the sweep's order.
        target: the metric's target (Late Shipment Rate: under 4%).
        setting: the x axis title, already in ``lang`` (default "Setting").
        lang: ``"en"``, ``"ja"`` or ``"zh-Hans"``.

    Returns:
        A layer of the band (``area``), the median (``line`` with points) and the target (``rule``).

    Raises:
        ValueError: an unknown ``lang``, or ``quantiles`` holds more than one metric.

    """
    check_lang(lang)
    if "metric" in quantiles.columns and quantiles["metric"].nunique() > 1:
        raise ValueError("sweep_band draws one metric: filter the quantiles first")
    meets, below = _t("meets", lang), _t("below", lang)
    frame = pd.DataFrame(
        {
            "setting": quantiles["scenario"].astype(str).to_numpy(),
            "q5": quantiles["q5"].astype(float).to_numpy(),
            "q50": quantiles["q50"].astype(float).to_numpy(),
            "q95": quantiles["q95"].astype(float).to_numpy(),
        }
    )
    frame["result"] = [meets if q < target else below for q in frame["q95"]]
    for q in ("q5", "q50", "q95"):
        frame[f"{q}_text"] = [i18n.percent(v, lang, digits=2) for v in frame[q]]
    order = frame["setting"].tolist()
    x = alt.X(
        "setting:O", sort=order, title=setting or _t("setting", lang), axis=alt.Axis(labelAngle=0)
    )
    top = min(1.0, max(float(frame["q95"].max(skipna=True) or 0.0), target) * 1.15) or 0.01
    y = alt.Y(
        "q50:Q",
        scale=alt.Scale(domain=[0, top]),
        axis=_y_axis(_t("peak_lsr", lang), lang, format="%"),
    )
    tooltip = [
        alt.Tooltip("setting:N", title=setting or _t("setting", lang)),
        alt.Tooltip("q50_text:N", title=_t("median", lang)),
        alt.Tooltip("q5_text:N", title="5%"),
        alt.Tooltip("q95_text:N", title="95%"),
        alt.Tooltip("result:N", title=_t("result", lang)),
    ]
    base = alt.Chart(frame)
    band = base.mark_area(opacity=0.25, color="steelblue").encode(
        x=x, y=alt.Y("q5:Q", title=None), y2="q95:Q", tooltip=tooltip
    )
    median = base.mark_line(color="steelblue").encode(x=x, y=y)
    points = base.mark_point(filled=True, size=70).encode(
        x=x,
        y=y,
        color=alt.Color(
            "result:N",
            title=_t("result", lang),
            scale=alt.Scale(domain=[meets, below], range=[_GREEN, _RED]),
        ),
        tooltip=tooltip,
    )
    rule = (
        alt.Chart(pd.DataFrame({"target": [target], "label": [_t("target", lang)]}))
        .mark_rule(color="black", strokeDash=[6, 4])
        .encode(y="target:Q", tooltip=[alt.Tooltip("label:N", title=_t("target", lang))])
    )
    return alt.layer(band, median, points, rule).properties(width=420, height=220)


def placeholder() -> alt.JupyterChart:
    """Return an empty chart widget (a widget's slot before its first chart is drawn)."""
    return alt.JupyterChart(alt.Chart(pd.DataFrame({"x": []})).mark_point())
