"""Charts of the fleet lens and of one order, as altair specifications.

Every builder takes what :mod:`orderkit.metrics` returns (already aggregated: one row per day or per
rate, never one per order) and returns an altair chart; labels are in English or Japanese
(``lang="en"|"ja"``). Charts render without internet once :func:`enable_offline` has run (the
JavaScript is bundled by vl-convert), and ``chart.save("x.svg")`` works offline too.

>>> import pandas as pd
>>> df = pd.DataFrame({"Pending": [1, 2], "late": [0, 1]},
...                   index=pd.DatetimeIndex(["2026-04-01", "2026-04-02"], name="day"))
>>> pending_vs_late(df).to_dict()["layer"][1]["mark"]["type"]
'line'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import altair as alt
import pandas as pd

from orderkit.businessdays import BusinessCalendar, to_jst
from orderkit.state import OrderState
from orderkit.status import OrderStatus

__all__ = [
    "compare_scenarios",
    "enable_offline",
    "label",
    "order_timeline",
    "pending_vs_late",
    "placeholder",
    "rates_vs_targets",
    "status_stacked",
]

_WORDS: dict[str, tuple[str, str]] = {
    "day": ("Day (JST)", "日付（日本時間）"),
    "orders": ("Orders", "注文数"),
    "series": ("Series", "系列"),
    "status": ("Status", "ステータス"),
    "Pending": ("Pending", "保留中"),
    "late": ("Shipment is late", "出荷遅延"),
    "late_open": ("Shipment is late", "出荷遅延"),
    "at_risk": ("At risk of auto-cancel", "自動キャンセルの恐れ"),
    "closed": ("Closed day", "休業日"),
    "rate": ("Rate", "率"),
    "target": ("Target", "目標"),
    "metric": ("Metric", "指標"),
    "time": ("Time (JST)", "時刻（日本時間）"),
    "event": ("Event", "イベント"),
    "deadline": ("Deadline", "期限"),
    "scenario": ("Scenario", "シナリオ"),
    "ship_by": ("Ship by", "出荷期限"),
    "confirm_by": ("Confirm by (auto-cancel)", "出荷通知期限（自動キャンセル）"),
    "payment_due": ("Payment due (convenience store)", "コンビニ払い期限"),
    "reply_deadline": ("Reply deadline", "返信期限"),
    "late_shipment_rate": ("Late Shipment Rate", "出荷遅延率"),
    "cancel_rate": ("Pre-fulfilment Cancel Rate", "出荷前キャンセル率"),
    "valid_tracking_rate": ("Valid Tracking Rate", "有効な追跡率"),
}


def _t(word: str, lang: str) -> str:
    """Return ``word``'s label in ``lang``; raise ``ValueError`` for an unknown language."""
    if lang not in ("en", "ja"):
        raise ValueError(f"lang must be 'en' or 'ja', not {lang!r}")
    en, ja = _WORDS.get(word, (word, word))
    return ja if lang == "ja" else en


def label(word: str, lang: str = "en") -> str:
    """Return the chart vocabulary's label for ``word`` (a status, series or rate key) in ``lang``.

    >>> label("late_shipment_rate", "ja")
    '出荷遅延率'

    Raises:
        ValueError: an unknown ``lang``.
    """
    return _t(word, lang)


def enable_offline() -> None:
    """Make altair charts render with no internet in Jupyter (JavaScript bundled by vl-convert).

    Turns on ``alt.JupyterChart``'s offline mode and the offline ``jupyter`` renderer.
    """
    alt.JupyterChart.enable_offline()
    alt.renderers.enable("jupyter", offline=True)


def _days(daily_df: pd.DataFrame) -> pd.DataFrame:
    """Return the daily frame with its ``day`` index as a column (dates as ISO strings)."""
    frame = daily_df.reset_index() if "day" not in daily_df.columns else daily_df.copy()
    frame["day"] = pd.to_datetime(frame["day"]).dt.strftime("%Y-%m-%d")
    return frame


def _closed_days(days: pd.Series, calendar: BusinessCalendar, lang: str) -> pd.DataFrame:
    """Return the closed days (weekends, holidays, the seller's days) among ``days``, with why."""
    if days.empty:
        return pd.DataFrame({"day": [], "next_day": [], "why": []})
    first, last = pd.Timestamp(days.min()).date(), pd.Timestamp(days.max()).date()
    rows = []
    for day, why in calendar.closed_between(first, last):
        name = calendar.holiday_name(day, lang) if why not in ("weekend", "closed") else None
        label = name or (_t("closed", lang) if why == "closed" else why)
        rows.append(
            {
                "day": f"{day:%Y-%m-%d}",
                "next_day": f"{day + dt.timedelta(days=1):%Y-%m-%d}",
                "why": label,
            }
        )
    return pd.DataFrame(rows, columns=["day", "next_day", "why"])


def pending_vs_late(
    daily_df: pd.DataFrame, *, lang: str = "en", calendar: BusinessCalendar | None = None
) -> alt.LayerChart:
    """Return Pending and late orders per day, weekends and Japanese holidays shaded.

    Args:
        daily_df: :func:`orderkit.metrics.daily` (columns ``Pending`` and ``late_open`` — orders
            showing "Shipment is late" — or ``late``; index ``day``).
        lang: ``"en"`` or ``"ja"``.
        calendar: the business calendar whose closed days are shaded (default: Japan's).

    Returns:
        A layer of the shading (``rect``) and one line per series.

    Raises:
        ValueError: an unknown ``lang``.

    """
    frame = _days(daily_df)
    late = "late_open" if "late_open" in frame.columns else "late"
    series = {"Pending": _t("Pending", lang), late: _t("late", lang)}
    long = frame.melt("day", value_vars=list(series), var_name="series", value_name="orders")
    long["series"] = long["series"].map(series)
    shade = _closed_days(frame["day"], calendar or BusinessCalendar(), lang)
    closed = (
        alt.Chart(shade)
        .mark_rect(opacity=0.15, color="gray")
        .encode(
            x="day:T", x2="next_day:T", tooltip=[alt.Tooltip("why:N", title=_t("closed", lang))]
        )
    )
    lines = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("day:T", title=_t("day", lang)),
            y=alt.Y("orders:Q", title=_t("orders", lang)),
            color=alt.Color("series:N", title=_t("series", lang)),
            tooltip=["day:T", "series:N", "orders:Q"],
        )
    )
    return alt.layer(closed, lines)


def status_stacked(daily_df: pd.DataFrame, *, lang: str = "en") -> alt.Chart:
    """Return the orders in each status at the end of each day, stacked.

    Args:
        daily_df: :func:`orderkit.metrics.daily`; statuses with no order on any day are left out.
        lang: ``"en"`` or ``"ja"``.

    Raises:
        ValueError: an unknown ``lang``.

    """
    frame = _days(daily_df)
    statuses = [s for s in OrderStatus if s.value in frame and frame[s.value].sum() > 0]
    long = frame.melt(
        "day", value_vars=[s.value for s in statuses], var_name="status", value_name="orders"
    )
    labels = {s.value: s.label(lang) for s in statuses}
    _t("status", lang)  # validates lang
    long["status"] = long["status"].map(labels)
    return (
        alt.Chart(long)
        .mark_area()
        .encode(
            x=alt.X("day:T", title=_t("day", lang)),
            y=alt.Y("orders:Q", stack="zero", title=_t("orders", lang)),
            color=alt.Color(
                "status:N", title=_t("status", lang), sort=[labels[s.value] for s in statuses]
            ),
            tooltip=["day:T", "status:N", "orders:Q"],
        )
    )


def rates_vs_targets(rates_df: pd.DataFrame, *, lang: str = "en") -> alt.FacetChart:
    """Return each rate as a bar against its target (a rule), one panel per rate and window.

    Args:
        rates_df: :func:`orderkit.metrics.rates`.
        lang: ``"en"`` or ``"ja"``.

    Raises:
        ValueError: an unknown ``lang``.

    """
    frame = rates_df[["metric", "window_days", "value", "target", "met"]].copy()
    suffix = "日" if lang == "ja" else " days"
    frame["rate"] = [
        f"{_t(m, lang)} ({w}{suffix})"
        for m, w in zip(frame["metric"], frame["window_days"], strict=True)
    ]
    frame["value"] = frame["value"].fillna(0.0)
    base = alt.Chart().encode(x=alt.X("rate:N", title=None, axis=alt.Axis(labels=False)))
    bars = base.mark_bar().encode(
        y=alt.Y("value:Q", title=_t("rate", lang), axis=alt.Axis(format="%")),
        # green when met, red when not: no legend of raw true/false (the rates table says it)
        color=alt.Color(
            "met:N",
            scale=alt.Scale(domain=[True, False], range=["#4c9f70", "#d1495b"]),
            legend=None,
        ),
        tooltip=[
            "rate:N",
            alt.Tooltip("value:Q", format=".2%"),
            alt.Tooltip("target:Q", format=".1%"),
        ],
    )
    target = base.mark_tick(color="black", thickness=2, size=40).encode(y="target:Q")
    return (
        alt.layer(bars, target, data=frame)
        .properties(width=150)  # wide enough for the longest rate's name under its bar
        .facet(column=alt.Column("rate:N", title=None, header=alt.Header(labelLimit=0)))
        .resolve_scale(x="independent", y="independent")
    )


def _as_state(state_or_view: Any) -> OrderState:
    if isinstance(state_or_view, OrderState):
        return state_or_view
    events = state_or_view.events
    if not events:
        raise ValueError(f"order {state_or_view.order_id} has no events")
    return state_or_view.state(at=events[-1].at)


def order_timeline(state_or_view: Any, *, lang: str = "en") -> alt.LayerChart:
    """Return one order's events on a time axis, with its deadlines as vertical rules.

    Args:
        state_or_view: an :class:`~orderkit.state.OrderState`, or an
            :class:`~orderkit.book.OrderView` (folded at its last event).
        lang: ``"en"`` or ``"ja"``.

    Returns:
        A layer of the events (``point`` with labels) and the deadlines ``ship_by``,
        ``confirm_by``, ``payment_due`` and ``reply_deadline`` that the order has (``rule``).

    Raises:
        ValueError: an unknown ``lang``, or a view with no events.

    """
    state = _as_state(state_or_view)
    _t("event", lang)
    events = pd.DataFrame(
        {
            "time": [to_jst(e.at).strftime("%Y-%m-%dT%H:%M:%S") for e in state.events],
            "event": [e.kind.label(lang) for e in state.events],
            "actor": [str(e.actor) for e in state.events],
        }
    )
    deadlines = pd.DataFrame(
        [
            {"time": to_jst(when).strftime("%Y-%m-%dT%H:%M:%S"), "deadline": _t(name, lang)}
            for name in ("ship_by", "confirm_by", "payment_due", "reply_deadline")
            if (when := getattr(state, name)) is not None
        ],
        columns=["time", "deadline"],
    )
    x = alt.X("time:T", title=_t("time", lang))
    points = (
        alt.Chart(events)
        .mark_point(filled=True, size=80)
        .encode(
            x=x,
            y=alt.Y("event:N", title=_t("event", lang), sort=None),
            color="actor:N",
            tooltip=["time:T", "event:N", "actor:N"],
        )
    )
    rules = (
        alt.Chart(deadlines)
        .mark_rule(strokeDash=[4, 4], color="#d1495b")
        .encode(x="time:T", tooltip=["deadline:N", "time:T"])
    )
    names = (
        alt.Chart(deadlines)
        .mark_text(angle=270, align="left", dy=-4, color="#d1495b")
        .encode(x="time:T", text="deadline:N")
    )
    return alt.layer(rules, names, points).properties(title=state.order_id)


def compare_scenarios(
    daily_a: pd.DataFrame,
    daily_b: pd.DataFrame,
    *,
    names: Sequence[str] = ("A", "B"),
    columns: Sequence[str] = ("Pending", "Unshipped", "late_open", "at_risk"),
    lang: str = "en",
) -> alt.FacetChart:
    """Return two scenarios' daily series side by side, one panel per series.

    Args:
        daily_a: :func:`orderkit.metrics.daily` of the first scenario.
        daily_b: the same of the second.
        names: the two scenarios' names.
        columns: the daily columns to compare.
        lang: ``"en"`` or ``"ja"``.

    Raises:
        ValueError: an unknown ``lang``, or ``names`` not two names.

    """
    if len(names) != 2:
        raise ValueError("names must be two names")
    parts = []
    for frame, name in zip((daily_a, daily_b), names, strict=True):
        long = _days(frame).melt(
            "day", value_vars=list(columns), var_name="series", value_name="orders"
        )
        long["scenario"] = name
        parts.append(long)
    long = pd.concat(parts, ignore_index=True)
    long["series"] = long["series"].map(lambda c: _t(c, lang))
    return (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X("day:T", title=_t("day", lang)),
            y=alt.Y("orders:Q", title=_t("orders", lang)),
            color=alt.Color("scenario:N", title=_t("scenario", lang)),
            tooltip=["day:T", "scenario:N", "series:N", "orders:Q"],
        )
        .properties(width=220, height=160)
        .facet(facet=alt.Facet("series:N", title=None), columns=2)
        .resolve_scale(y="independent")
    )


def placeholder() -> alt.JupyterChart:
    """Return an empty chart widget (a widget's slot before its first chart is drawn)."""
    return alt.JupyterChart(alt.Chart(pd.DataFrame({"x": []})).mark_point())
