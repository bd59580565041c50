"""The message catalogs: complete in every language, placeholders intact, compiled as written."""

from __future__ import annotations

import datetime as dt
import gettext
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from orderkit import i18n

LOCALES = {"ja": "ja", "zh-Hans": "zh_Hans"}
PACKAGE = Path(i18n.__file__).parent


def _catalog(locale: str):
    with open(i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "orderkit.po", "rb") as f:
        return read_po(f)


def _messages(locale: str) -> dict[str, str]:
    """Every message id (a plural's singular and plural forms each) → its translation(s)."""
    out: dict[str, str] = {}
    for m in _catalog(locale):
        if not m.id:
            continue
        if isinstance(m.id, str):
            out[m.id] = m.string
        else:  # plural: one id per form, each translated by every plural form of the language
            forms = "\x00".join(m.string) if all(m.string) else ""
            out.update(dict.fromkeys(m.id, forms))
    return out


def _source_ids() -> set[str]:
    found = extract_from_dir(
        PACKAGE,
        method_map=[("**.py", "python")],
        keywords={"_": (1,), "N_": None, "ngettext": (1, 2)},
    )
    ids: set[str] = set()
    for _file, _line, message, _comments, _context in found:
        ids.update([message] if isinstance(message, str) else message)
    return ids


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize("locale", LOCALES.values())
def test_every_message_in_the_code_is_in_each_catalog(locale):
    assert _source_ids() - set(_messages(locale)) == set()


@pytest.mark.parametrize("locale", LOCALES.values())
def test_every_message_is_translated(locale):
    untranslated = [mid for mid, text in _messages(locale).items() if not text]
    assert untranslated == []


@pytest.mark.parametrize("locale", LOCALES.values())
def test_a_translation_has_the_placeholders_of_its_message(locale):
    differ = {
        mid: text
        for mid, text in _messages(locale).items()
        if any(text and _placeholders(mid) != _placeholders(form) for form in text.split("\x00"))
    }
    assert differ == {}


@pytest.mark.parametrize("locale", LOCALES.values())
def test_the_compiled_catalog_says_what_its_po_file_says(locale):
    with open(i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "orderkit.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)
    singular = {m.id: m.string for m in _catalog(locale) if m.id and isinstance(m.id, str)}
    plural = {m.id: tuple(m.string) for m in _catalog(locale) if m.id and not isinstance(m.id, str)}
    assert {mid: compiled.gettext(mid) for mid in singular} == singular
    assert {
        ids: tuple(compiled.ngettext(*ids, n) for n in range(len(forms)))
        for ids, forms in plural.items()
    } == plural


@pytest.mark.parametrize("lang", LOCALES)
def test_a_message_is_shown_in_the_chosen_language(lang):
    assert i18n._("Search", lang) == _messages(LOCALES[lang])["Search"] != "Search"


def test_an_unknown_language_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="zh-Hans"):
        i18n._("Search", "fr")


def test_yen_is_written_as_each_language_writes_it():
    assert [i18n.yen(13260, lang) for lang in ("en", "ja", "zh-Hans")] == [
        "¥13,260",
        "13,260円",
        "13,260円",
    ]


def test_a_day_is_written_with_its_weekday_in_each_language():
    day = dt.date(2026, 11, 21)
    assert [i18n.date(day, lang) for lang in ("en", "ja", "zh-Hans")] == [
        "Sat 21 Nov",
        "11月21日(土)",
        "11月21日 周六",
    ]


def test_an_instant_is_shown_as_its_day_and_time_in_japan():
    late_evening_utc = dt.datetime(2026, 11, 20, 15, 30, tzinfo=dt.UTC)  # 00:30 on the 21st, JST
    assert i18n.datetime(late_evening_utc, "ja") == "11月21日(土) 00:30"
