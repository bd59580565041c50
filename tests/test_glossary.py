"""The catalogs use Seller Central's own words, as the glossary (orderkit/locale/glossary.toml) says."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from orderkit import i18n

GLOSSARY = tomllib.loads((i18n.LOCALE_DIR / "glossary.toml").read_text(encoding="utf-8"))
# (domain, gettext locale, the glossary's key for the language)
CATALOGS = [("orderkit", "ja", "ja"), ("orderkit", "zh_Hans", "zh"), ("letters", "ja", "ja")]


def _translations(domain: str, locale: str) -> dict[str, str]:
    path: Path = i18n.LOCALE_DIR / locale / "LC_MESSAGES" / f"{domain}.po"
    with open(path, "rb") as f:
        catalog = read_po(f)
    out = {}
    for m in catalog:
        if m.id:
            ids = (m.id,) if isinstance(m.id, str) else m.id
            texts = (m.string,) if isinstance(m.string, str) else m.string
            out[ids[0]] = " ".join(texts)
    return out


def _names_term(english: str, words: list[str]) -> bool:
    return any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", english, re.I) for w in words)


@pytest.mark.parametrize(("domain", "locale", "lang"), CATALOGS)
def test_no_translation_uses_another_word_for_a_glossary_term(domain, locale, lang):
    wrong = {}
    for term, entry in GLOSSARY.items():
        for mid, text in _translations(domain, locale).items():
            rest = text.replace(entry[lang], "")
            found = [v for v in entry[f"{lang}_variants"] if re.search(v, rest)]
            if found:
                wrong[(term, mid)] = found
    assert wrong == {}


@pytest.mark.parametrize(("domain", "locale", "lang"), CATALOGS)
def test_a_message_naming_a_glossary_term_uses_seller_centrals_word(domain, locale, lang):
    missing = {
        (term, mid): entry[lang]
        for term, entry in GLOSSARY.items()
        for mid, text in _translations(domain, locale).items()
        if _names_term(mid, entry["en"])
        and mid not in entry.get("exempt", [])
        and entry[lang] not in text
    }
    assert missing == {}


def test_every_term_has_a_word_in_each_language():
    assert [t for t, e in GLOSSARY.items() if not (e["ja"] and e["zh"])] == []
