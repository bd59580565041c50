"""Every word a user reads, from message catalogs: English, 日本語 and 简体中文.

Texts are written in English where they are used, marked for extraction, and translated when they
are shown, in the language the user chose (a widget's switch, an ``advise(..., lang=…)`` call)::

    from orderkit.i18n import _, N_

    _("Search", lang)                       # translated now
    TITLE = N_("Orders due today")          # marked only: translated later with _(TITLE, lang)
    _("{n} orders", lang, n=3)              # placeholders filled after translating
    ngettext("{n} order", "{n} orders", n, lang, n=n)

The catalogs are gettext ``.po`` files beside the package (``orderkit/locale/<locale>/LC_MESSAGES/
orderkit.po``), extracted and compiled with Babel (``make catalogs``); the compiled ``.mo`` files are
committed, and a test checks that they match their ``.po`` files and that every message has a
Japanese and a Chinese translation with the same placeholders. English is the source language: its
text is the message id.

Exceptions raised for developers stay in English; every message a *user* reads comes from here.
Numbers, money and dates are formatted for the language with Babel (:func:`yen`, :func:`date`,
:func:`datetime`, :func:`percent`), in Japan time.

>>> _("Search", "ja")
'検索'
>>> yen(13260, "en"), yen(13260, "ja")
('¥13,260', '13,260円')
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as _gettext
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Final

import babel.dates
import babel.numbers

__all__ = [
    "DOMAIN",
    "LANGUAGES",
    "LETTER_DOMAIN",
    "LETTER_LANGUAGES",
    "LOCALE_DIR",
    "L_",
    "N_",
    "_",
    "check_lang",
    "date",
    "datetime",
    "language_options",
    "letter_ngettext",
    "ngettext",
    "percent",
    "yen",
]

DOMAIN: Final = "orderkit"
#: Letters to buyers have their own catalog, in Japanese only: buyers read Japanese or English, so
#: a letter's text needs no Chinese (the interface around it does).
LETTER_DOMAIN: Final = "letters"
LOCALE_DIR: Final = Path(__file__).parent / "locale"

#: The interface languages: code → the language's name in itself (as a switch shows it).
LANGUAGES: Final[Mapping[str, str]] = {"ja": "日本語", "en": "English", "zh-Hans": "简体中文"}
#: The languages of letters to buyers on Amazon.co.jp.
LETTER_LANGUAGES: Final[Mapping[str, str]] = {"ja": "日本語", "en": "English"}

# interface language → gettext/Babel locale
_LOCALES: Final[Mapping[str, str]] = {"en": "en", "ja": "ja", "zh-Hans": "zh_Hans"}


def check_lang(lang: str, allowed: Mapping[str, str] = LANGUAGES) -> str:
    """Return ``lang`` if it is one of ``allowed``; raise ``ValueError`` naming the choices."""
    if lang not in allowed:
        raise ValueError(f"lang must be one of {', '.join(map(repr, allowed))}, not {lang!r}")
    return lang


def language_options() -> list[tuple[str, str]]:
    """Return the interface languages as ``(label, code)`` pairs for a switch."""
    return [(name, code) for code, name in LANGUAGES.items()]


@cache
def _translation(lang: str) -> _gettext.NullTranslations:
    check_lang(lang)
    if lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALE_DIR, languages=[_LOCALES[lang]])


@cache
def _letter_translation(lang: str) -> _gettext.NullTranslations:
    check_lang(lang, LETTER_LANGUAGES)
    if lang == "en":
        return _gettext.NullTranslations()
    return _gettext.translation(LETTER_DOMAIN, LOCALE_DIR, languages=[_LOCALES[lang]])


def L_(message: str, letter_lang: str, /, **values: object) -> str:
    """Return a sentence of a letter to a buyer in ``letter_lang`` (``ja`` or ``en``), filled in.

    Raises:
        ValueError: ``letter_lang`` is not one of :data:`LETTER_LANGUAGES`.
        KeyError: a placeholder of the message has no value.
    """
    text = _letter_translation(letter_lang).gettext(message)
    return text.format(**values) if values else text


def letter_ngettext(
    singular: str, plural: str, n: int, letter_lang: str, /, **values: object
) -> str:
    """Return the singular or plural form of a letter's sentence for ``n`` in ``letter_lang``."""
    text = _letter_translation(letter_lang).ngettext(singular, plural, n)
    return text.format(**values) if values else text


def _(message: str, lang: str, /, **values: object) -> str:
    """Return ``message`` in ``lang``, with ``values`` filled into its ``{placeholders}``.

    Raises:
        ValueError: ``lang`` is not one of :data:`LANGUAGES`.
        KeyError: a placeholder of the message has no value.
    """
    text = _translation(lang).gettext(message)
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, n: int, lang: str, /, **values: object) -> str:
    """Return the singular or plural form for ``n`` in ``lang``, with ``values`` filled in."""
    text = _translation(lang).ngettext(singular, plural, n)
    return text.format(**values) if values else text


def N_(message: str) -> str:
    """Mark ``message`` for the catalogs without translating it; return it unchanged."""
    return message


# ---- numbers, money and dates, as each language writes them ----------------------------------------

_JST = dt.timezone(dt.timedelta(hours=9), "JST")


def yen(amount: int, lang: str) -> str:
    """Return a yen amount as the language writes it: ``¥13,260`` (en), ``13,260円`` (ja, zh)."""
    check_lang(lang)
    if lang == "en":
        return _yen_en(int(amount))
    return f"{amount:,}円"


@functools.lru_cache(maxsize=8192)
def _yen_en(amount: int) -> str:
    # Babel's currency formatting costs ~0.15 ms a call; a day's lists repeat the same amounts.
    return babel.numbers.format_currency(amount, "JPY", locale="en")


def percent(value: float, lang: str, *, digits: int = 1) -> str:
    """Return a ratio (0.043) as a percentage in ``lang`` (``4.3%``)."""
    check_lang(lang)
    pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    return babel.numbers.format_percent(value, pattern, locale=_LOCALES[lang])


def date(value: dt.date | dt.datetime, lang: str, *, weekday: bool = True) -> str:
    """Return a day in ``lang``: ``Sat 21 Nov`` (en), ``11月21日(土)`` (ja), ``11月21日 周六`` (zh).

    A datetime is shown as its day in Japan time.
    """
    check_lang(lang)
    if isinstance(value, dt.datetime):
        value = value.astimezone(_JST).date()
    pattern = {
        "en": "EEE d MMM" if weekday else "d MMM",
        "ja": "M月d日(E)" if weekday else "M月d日",
        "zh-Hans": "M月d日 EEE" if weekday else "M月d日",
    }[lang]
    return babel.dates.format_date(value, pattern, locale=_LOCALES[lang])


def datetime(value: dt.datetime, lang: str) -> str:
    """Return an instant in Japan time in ``lang``: ``Sat 21 Nov 18:00`` / ``11月21日(土) 18:00``."""
    jst = value.astimezone(_JST)
    return f"{date(jst, lang)} {jst:%H:%M}"
