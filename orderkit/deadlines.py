"""Deadlines as a support person reads them: in Japan time, with the words Manage Orders uses.

These format what :class:`~orderkit.state.OrderState` derives; the dates themselves come from the
fold and the :class:`~orderkit.policy.Policy`.
"""

from __future__ import annotations

import datetime as dt

from orderkit.businessdays import BusinessCalendar, end_of_day, to_jst
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.state import OrderState

__all__ = ["confirm_warning_text", "format_jst", "propose_reply_deadline", "time_left"]

_WEEKDAYS_JA = "月火水木金土日"


def format_jst(ts: dt.datetime, lang: str = "en", *, with_time: bool = True) -> str:
    """Return ``ts`` in Japan time as ``2026-11-26 (Thu) 18:00 JST`` or ``2026年11月26日(木) 18:00``.

    >>> import datetime as dt
    >>> format_jst(dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC), "ja")
    '2026年11月26日(木) 18:00'
    """
    j = to_jst(ts)
    if lang == "ja":
        text = f"{j.year}年{j.month}月{j.day}日({_WEEKDAYS_JA[j.weekday()]})"
        return text + (f" {j:%H:%M}" if with_time else "")
    return f"{j:%Y-%m-%d (%a)}" + (f" {j:%H:%M} JST" if with_time else "")


def confirm_warning_text(state: OrderState, lang: str = "en") -> str | None:
    """Return the warning Manage Orders shows, or ``None`` when it does not show.

    FAQ: 'you will see a warning in Manage Orders ("Confirm as shipped by [date] to avoid
    cancellation")'.
    """
    if not state.confirm_warning or state.confirm_by is None:
        return None
    date = format_jst(state.confirm_by, lang, with_time=False)
    if lang == "ja":
        return f"キャンセルを避けるため、{date}までに出荷を通知してください"
    return f"Confirm as shipped by {date} to avoid cancellation"


def time_left(until: dt.datetime, now: dt.datetime, lang: str = "en") -> str:
    """Return how long until ``until`` from ``now`` in words ("2 days 3 hours", "4 minutes").

    >>> import datetime as dt
    >>> t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> time_left(t + dt.timedelta(minutes=2, seconds=30), t)
    '2 minutes'
    """
    secs = int((until - now).total_seconds())
    if secs <= 0:
        return "期限切れ" if lang == "ja" else "passed"
    days, rem = divmod(secs, 86400)
    hours, rem = divmod(rem, 3600)
    minutes = rem // 60
    parts = [(days, "day", "日"), (hours, "hour", "時間"), (minutes, "minute", "分")]
    shown = [(n, en, ja) for n, en, ja in parts if n][:2] or [(1, "minute", "分")]
    if lang == "ja":
        return "".join(f"{n}{ja}" for n, _, ja in shown)
    return " ".join(f"{n} {en}{'s' if n != 1 else ''}" for n, en, _ in shown)


def propose_reply_deadline(now: dt.datetime, *, policy: Policy = DEFAULT_POLICY) -> dt.datetime:
    """Return a reply deadline to tell a silent buyer: the end of the N-th business day from now.

    FAQ: "set a deadline and inform the buyer that the order will be cancelled if you don't hear
    back by a certain date." N is :attr:`Policy.reply_deadline_days`.
    """
    cal = BusinessCalendar.from_policy(policy)
    return end_of_day(cal.add_business_days(to_jst(now).date(), policy.reply_deadline_days))
