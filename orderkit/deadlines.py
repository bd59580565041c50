"""Deadlines as a support person reads them: in Japan time, with the words Manage Orders uses.

These format what :class:`~orderkit.state.OrderState` derives; the dates themselves come from the
fold and the :class:`~orderkit.policy.Policy`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from orderkit.businessdays import BusinessCalendar, end_of_day, to_jst
from orderkit.i18n import _, check_lang, ngettext
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.state import OrderState

__all__ = ["confirm_warning_text", "format_jst", "propose_reply_deadline", "time_left"]

_WEEKDAYS: dict[str, tuple[str, ...]] = {
    "ja": tuple("月火水木金土日"),
    "zh-Hans": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}


def format_jst(ts: dt.datetime, lang: str = "en", *, with_time: bool = True) -> str:
    """Return ``ts`` in Japan time in ``lang``: ``2026-11-26 (Thu) 18:00 JST`` (en).

    In Japanese ``2026年11月26日(木) 18:00``, in Chinese ``2026年11月26日(周四) 18:00``.

    >>> import datetime as dt
    >>> format_jst(dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC), "ja")
    '2026年11月26日(木) 18:00'

    Raises:
        ValueError: an unknown language.
    """
    j = to_jst(ts)
    if check_lang(lang) in _WEEKDAYS:
        text = f"{j.year}年{j.month}月{j.day}日({_WEEKDAYS[lang][j.weekday()]})"
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
    return _("Confirm as shipped by {date} to avoid cancellation", lang, date=date)


def time_left(until: dt.datetime, now: dt.datetime, lang: str = "en") -> str:
    """Return how long until ``until`` from ``now`` in words ("2 days 3 hours", "4 minutes").

    The deadline itself still counts as in time (orderkit's deadlines are inclusive): at that very
    moment, and in the last minute before it, "less than a minute" is left; only after it has it
    "passed".

    >>> import datetime as dt
    >>> t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> time_left(t + dt.timedelta(minutes=2, seconds=30), t)
    '2 minutes'
    >>> time_left(t, t, "ja")
    '1分未満'
    """
    secs = int((until - now).total_seconds())
    if secs < 0:
        return _("passed", lang)
    if secs < 60:
        return _("less than a minute", lang)
    days, rem = divmod(secs, 86400)
    hours, rem = divmod(rem, 3600)
    minutes = rem // 60
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    shown = [(n, unit) for n, unit in parts if n][:2]
    sep = " " if lang == "en" else ""  # 2日3時間, 2天3小时: no space in Japanese or Chinese
    return sep.join(_UNITS[unit](n, lang) for n, unit in shown)


_UNITS: dict[str, Callable[[int, str], str]] = {
    "day": lambda n, lang: ngettext("{n} day", "{n} days", n, lang, n=n),
    "hour": lambda n, lang: ngettext("{n} hour", "{n} hours", n, lang, n=n),
    "minute": lambda n, lang: ngettext("{n} minute", "{n} minutes", n, lang, n=n),
}


def propose_reply_deadline(now: dt.datetime, *, policy: Policy = DEFAULT_POLICY) -> dt.datetime:
    """Return a reply deadline to tell a silent buyer: the end of the N-th business day from now.

    FAQ: "set a deadline and inform the buyer that the order will be cancelled if you don't hear
    back by a certain date." N is :attr:`Policy.reply_deadline_days`.
    """
    cal = BusinessCalendar.from_policy(policy)
    return end_of_day(cal.add_business_days(to_jst(now).date(), policy.reply_deadline_days))
