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
#: domain → (the keywords that mark its messages, the locales it is translated into). Letters to
#: buyers are written in Japanese or English only, so their catalog has no Chinese.
DOMAINS = {
    i18n.DOMAIN: ({"_": (1,), "N_": None, "ngettext": (1, 2)}, ("ja", "zh_Hans")),
    i18n.LETTER_DOMAIN: ({"L_": (1,), "letter_ngettext": (1, 2)}, ("ja",)),
}
CATALOGS = [(domain, locale) for domain, (_, locales) in DOMAINS.items() for locale in locales]


def _catalog(locale: str, domain: str = i18n.DOMAIN):
    with open(i18n.LOCALE_DIR / locale / "LC_MESSAGES" / f"{domain}.po", "rb") as f:
        return read_po(f)


def _forms(value) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _messages(locale: str, domain: str = i18n.DOMAIN) -> dict[str, str]:
    """Every message id (each plural form's id too) → its translation (each form's)."""
    out: dict[str, str] = {}
    for m in _catalog(locale, domain):
        if not m.id:
            continue
        ids, texts = _forms(m.id), _forms(m.string)
        for i, mid in enumerate(ids):
            out[mid] = texts[min(i, len(texts) - 1)] if texts else ""
    return out


def _source_ids(domain: str = i18n.DOMAIN) -> set[str]:
    found = extract_from_dir(PACKAGE, method_map=[("**.py", "python")], keywords=DOMAINS[domain][0])
    ids: set[str] = set()
    for _file, _line, message, _comments, _context in found:
        ids.update(_forms(message))
    return ids


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.mark.parametrize(("domain", "locale"), CATALOGS)
def test_every_message_in_the_code_is_in_each_catalog(domain, locale):
    assert _source_ids(domain) - set(_messages(locale, domain)) == set()


@pytest.mark.parametrize(("domain", "locale"), CATALOGS)
def test_every_message_is_translated(domain, locale):
    untranslated = [mid for mid, text in _messages(locale, domain).items() if not text]
    assert untranslated == []


@pytest.mark.parametrize(("domain", "locale"), CATALOGS)
def test_a_translation_has_the_placeholders_of_its_message(domain, locale):
    differ = {
        mid: text
        for mid, text in _messages(locale, domain).items()
        if text and _placeholders(mid) != _placeholders(text)
    }
    assert differ == {}


@pytest.mark.parametrize(("domain", "locale"), CATALOGS)
def test_the_compiled_catalog_says_what_its_po_file_says(domain, locale):
    with open(i18n.LOCALE_DIR / locale / "LC_MESSAGES" / f"{domain}.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)
    singular = {m.id: m.string for m in _catalog(locale, domain) if m.id and isinstance(m.id, str)}
    assert {mid: compiled.gettext(mid) for mid in singular} == singular


def test_a_letter_is_written_in_japanese_or_english_only():
    with pytest.raises(ValueError, match="'ja', 'en'"):
        i18n.L_("Kind regards,", "zh-Hans")


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


@pytest.mark.parametrize("lang", LOCALES)
def test_every_rule_and_its_faq_sentence_read_in_each_language(lang):
    from orderkit.rules import RULES

    untranslated = [
        r.id for r in RULES.values() if r.text(lang) == r.en or r.faq_translation(lang) == r.faq
    ]
    assert untranslated == []


@pytest.mark.parametrize(("lang", "label"), [("ja", "参考訳："), ("zh-Hans", "参考译文：")])
def test_a_faq_quote_keeps_amazons_english_and_labels_our_translation(lang, label):
    from orderkit.rules import rule

    r = rule("pending-no-dispatch")
    quote, ours = r.quote(lang).split("\n")
    assert quote == f"“{r.faq}”" and ours == label + i18n._(r.faq, lang)


def test_an_english_faq_quote_needs_no_translation():
    from orderkit.rules import rule

    r = rule("pending-no-dispatch")
    assert (r.quote("en"), r.faq_translation("en")) == (f"“{r.faq}”", None)
