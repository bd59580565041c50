"""Every buyer letter, in both letter languages, as a support person would send it.

Each letter is compared with its reviewed golden copy (``tests/data/letters/<case>.<lang>.txt``,
written by ``scripts/golden_letters.py`` and read and corrected by a person); the rules a reviewer
checks are also tests of their own, so that a new letter keeps them before anyone reads it.
"""

from __future__ import annotations

import re

import pytest
from lettercases import CASES, advice_for, golden_path

from orderkit import Situation
from orderkit.i18n import LETTER_LANGUAGES

LANGS = list(LETTER_LANGUAGES)
WRITTEN = [(case, lang) for case in CASES for lang in LANGS]


@pytest.mark.parametrize(("case", "lang"), WRITTEN)
def test_every_letter_is_its_reviewed_golden_copy(case, lang):
    letter = advice_for(case, lang).template
    path = golden_path(case, lang)
    assert path.exists(), f"no golden copy: run scripts/golden_letters.py {case} and review it"
    assert letter + "\n" == path.read_text(encoding="utf-8")


def test_every_situation_that_writes_a_letter_has_a_golden_case():
    covered = {CASES[case]()[0] for case in CASES}
    silent = {"contact_buyer", "confirm_deadline", "shipment_late", "business_order"}
    assert {s.value for s in Situation} - silent <= covered


@pytest.mark.parametrize("case", list(CASES))
def test_a_japanese_letter_uses_japanese_punctuation(case):
    letter = advice_for(case, "ja").template
    # ASCII commas, full stops and colons only inside numbers (3,000円, 10:00) and order numbers.
    stray = re.findall(r"(?<!\d)[,.:;!?](?!\d)|[,.:;!?] ", letter.replace("Amazon.co.jp", ""))
    assert stray == []
    assert "「" in letter or "」" not in letter


@pytest.mark.parametrize("case", list(CASES))
def test_a_letter_opens_with_a_salutation_and_closes_with_the_shop(case):
    for lang in LANGS:
        letter = advice_for(case, lang).template
        first, last = letter.splitlines()[0], letter.splitlines()[-1]
        assert first in ("山田 太郎 様", "お客様", "Dear 山田 太郎,", "Dear customer,")
        assert last == "さくら雑貨店"


@pytest.mark.parametrize("case", list(CASES))
def test_a_letter_announces_no_refund_of_nothing(case):
    for lang in LANGS:
        letter = advice_for(case, lang).template
        assert "¥0" not in letter and not re.search(r"(?<![\d,])0円", letter)


@pytest.mark.parametrize("case", [c for c in CASES if "refund" in c or "combine" in c])
def test_a_letter_says_a_refund_will_be_made_not_that_it_was(case):
    advice = advice_for(case, "en")
    assert "have refunded" not in advice.template
    assert "返金いたしました" not in advice_for(case, "ja").template
