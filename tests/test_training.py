"""Training drills: a balanced seeded session, plausible choices, the FAQ quoted, a summary by rule."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import html
import io
import itertools
import re
from collections import Counter
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderkit import sample
from orderkit.i18n import LANGUAGES, _
from orderkit.rules import rule
from orderkit.training import KINDS, DrillSession, _stock_book, answer_key
from orderkit.widgets import TrainingDrill

NOW = sample.DEFAULT_NOW
SESSION_LENGTH = 200


@cache
def _book(name: str):
    """A small sample book (some kinds have no order in it) or one with no order at all."""
    small = sample.book(40, seed=9)
    return {"small": small, "empty": small.subset([])}[name]


@cache
def _session(name: str, seed: int) -> tuple:
    session = DrillSession(_book(name), seed=seed, now=NOW)
    return tuple(session.next() for _ in range(SESSION_LENGTH))


sessions = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
books = st.sampled_from(["small", "empty"])
seeds = st.integers(0, 2**32 - 1)


# ---- a session is balanced -----------------------------------------------------------------------


@sessions
@given(name=books, seed=seeds)
def test_200_drills_of_a_session_cover_every_kind(name, seed):
    assert {d.kind for d in _session(name, seed)} == set(KINDS)


@sessions
@given(name=books, seed=seeds)
def test_a_session_never_draws_the_same_kind_twice_in_a_row(name, seed):
    kinds = [d.kind for d in _session(name, seed)]
    assert [a for a, b in itertools.pairwise(kinds) if a == b] == []


@sessions
@given(name=books, seed=seeds)
def test_every_drill_has_three_or_four_distinct_choices_one_of_them_right(name, seed):
    for drill in _session(name, seed):
        texts = [c.en for c in drill.choices]
        assert 3 <= len(set(texts)) == len(texts) <= 4
        assert sum(c.correct for c in drill.choices) == 1


def test_the_first_round_of_a_session_covers_every_kind():
    drills = _session("small", 11)[: len(KINDS)]
    assert sorted(d.kind for d in drills) == sorted(KINDS)


@pytest.mark.parametrize("name", ["small", "empty"])
def test_the_same_seed_gives_the_same_session(name):
    again = DrillSession(_book(name), seed=7, now=NOW)
    drawn = [again.next() for _ in range(30)]
    first = _session(name, 7)[:30]
    assert [(d.kind, d.order_id, d.choices) for d in drawn] == [
        (d.kind, d.order_id, d.choices) for d in first
    ]


def test_another_seed_gives_another_session():
    assert [d.kind for d in _session("small", 1)] != [d.kind for d in _session("small", 2)]


# ---- each drill is about an order that fits it --------------------------------------------------


def test_a_drill_is_about_an_order_of_the_book_that_fits_its_kind():
    book = _book("small")
    ids = set(book.orders["order_id"])
    from_book = [d for d in _session("small", 3) if not d.stock]
    assert from_book
    for drill in from_book:
        assert drill.order_id in ids
        assert KINDS[drill.kind].fits(book.order(drill.order_id).state(at=NOW))


def test_a_book_without_a_fitting_order_gives_a_stock_situation():
    assert all(d.stock for d in _session("empty", 3))


@settings(max_examples=8, deadline=None)
@given(hours=st.integers(0, 24 * 365))
def test_the_stock_situation_of_each_kind_fits_that_kind_at_any_moment(hours):
    now = NOW + dt.timedelta(hours=hours)  # weekends, holidays, the New Year
    misfits = []
    for kind, spec in KINDS.items():
        book = _stock_book("503-1234567-7654321", spec.stock, now)
        if not spec.fits(book.order("503-1234567-7654321").state(at=now)):
            misfits.append(kind)
    assert misfits == []


def test_a_session_draws_different_orders_of_a_kind_while_the_book_has_them():
    book = _book("small")
    states = [book.order(str(i)).state(at=NOW) for i in book.orders["order_id"]]
    receipts = [d.order_id for d in _session("small", 5) if d.kind == "receipt"]
    fitting = sum(KINDS["receipt"].fits(s) for s in states)
    assert len(set(receipts[:fitting])) == min(fitting, len(receipts))


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="receipt"):
        DrillSession(_book("empty"), seed=0, now=NOW, kinds=["receipt", "no-such-kind"])


# ---- every kind is declared as data with plausible choices ---------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_declares_one_right_answer_and_two_or_three_wrong_ones(kind):
    choices = KINDS[kind].choices()
    assert [c.correct for c in choices].count(True) == 1
    assert 2 <= len(choices) - 1 <= 3


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_question_fills_its_placeholders_in_every_language(lang):
    drills = {d.kind: d for d in _session("empty", 0)}
    leftovers = {
        k: d.question(lang) for k, d in drills.items() if re.search(r"[{}]", d.question(lang))
    }
    assert leftovers == {}


@pytest.mark.parametrize("lang", ["ja", "zh-Hans"])
def test_a_japanese_or_chinese_question_follows_its_situation_without_a_space(lang):
    drill = _session("empty", 0)[0]
    assert drill.question(lang) == drill.situation(lang) + _(KINDS[drill.kind].question, lang)


def test_a_cutoff_is_written_in_the_trainees_language():
    drill = next(d for d in _session("empty", 0) if d.kind == "at_risk")
    assert "月" in drill.question("ja") and "月" not in drill.question("en")


# ---- feedback quotes the FAQ ---------------------------------------------------------------------


def _wrong_index(drill) -> int:
    return next(i for i, c in enumerate(drill.choices) if not c.correct)


def test_feedback_quotes_the_faq_verbatim_in_english():
    drill = _session("empty", 0)[0]
    text = drill.answer(_wrong_index(drill)).text("en")
    assert drill.right.rule.faq in text and _("Reference translation", "en") not in text


@pytest.mark.parametrize("lang", ["ja", "zh-Hans"])
def test_feedback_gives_our_translation_beside_the_quote_labelled_as_ours(lang):
    drill = _session("empty", 0)[0]
    text = drill.answer(_wrong_index(drill)).text(lang)
    label = {"ja": "参考訳", "zh-Hans": "参考译文"}[lang]
    assert drill.right.rule.faq in text
    assert f"{label}: {_(drill.right.rule.faq, lang)}" in text


def test_wrong_feedback_names_the_right_answer():
    drill = _session("empty", 0)[0]
    assert drill.right.text("ja") in drill.answer(_wrong_index(drill)).text("ja")


# ---- answers and the summary by rule -------------------------------------------------------------


def _answered_session(pattern: str) -> DrillSession:
    """A session on the empty book answered right (R) or wrong (W) drill by drill."""
    session = DrillSession(_book("empty"), seed=4, now=NOW)
    for mark in pattern:
        drill = session.next()
        right = next(i for i, c in enumerate(drill.choices) if c.correct)
        session.answer(right if mark == "R" else _wrong_index(drill))
    return session


def test_the_summary_counts_the_answers_by_rule():
    session = _answered_session("RWRRWWRWRRRW")
    marks = "RWRRWWRWRRRW"
    want = Counter()
    for drill, mark in zip(session.drills, marks, strict=True):
        want[(drill.rule.id, mark)] += 1
    summary = session.summary().set_index("rule")
    got = Counter()
    for rule_id, row in summary.iterrows():
        got[(rule_id, "R")] += row["correct"]
        got[(rule_id, "W")] += row["missed"]
        assert row["drills"] == row["correct"] + row["missed"]
    assert +got == +want


def test_the_summary_lists_the_most_missed_rule_first():
    summary = _answered_session("WWWRRRWRWR").summary()
    assert list(summary["missed"]) == sorted(summary["missed"], reverse=True)


def test_the_summary_says_each_rule_in_the_trainees_language():
    session = _answered_session("RWW")
    summary = session.summary("ja")
    assert list(summary["what"]) == [rule(r).text("ja") for r in summary["rule"]]


def test_a_drill_is_answered_once():
    session = _answered_session("R")
    with pytest.raises(ValueError, match="already answered"):
        session.answer(0)


def test_the_summary_downloads_as_csv_from_a_data_link():
    session = _answered_session("RWW")
    link = session.summary_link("ja")
    href = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', link)
    assert href and 'download="' in link
    rows = list(csv.reader(io.StringIO(base64.b64decode(href.group(1)).decode("utf-8-sig"))))
    assert rows[0][:5] == [
        _(h, "ja") for h in ("Rule", "What the rule says", "Drills", "Right", "Missed")
    ]
    assert [r[0] for r in rows[1:]] == list(session.summary("ja")["rule"])


def test_the_trainers_answer_key_has_the_right_answer_of_each_drill_of_the_seed():
    drills = _session("small", 8)[:5]
    key = answer_key(drills, "ja")
    assert list(key["right_answer"]) == [d.right.text("ja") for d in drills]


# ---- the trainee's widget ------------------------------------------------------------------------


@pytest.fixture
def widget():
    return TrainingDrill(_book("small"), now=NOW, seed=3, lang="ja")


def _shown(widget) -> str:
    return " ".join(
        str(getattr(child, "value", ""))
        for child in (widget.number, widget.question, widget.feedback, widget.summary)
    )


def test_the_trainee_widget_shows_no_answer_before_it_is_checked(widget):
    assert widget.drill.right.text("ja") not in _shown(widget)
    assert widget.feedback.value == "" and widget.summary.value == ""


def test_the_widget_draws_the_sessions_drills_in_order(widget):
    same = DrillSession(_book("small"), seed=3, now=NOW)
    widget.next_button.click()
    assert [d.kind for d in widget.session.drills] == [same.next().kind, same.next().kind]


def test_checking_in_the_widget_records_the_answer_and_shows_the_reference_translation(widget):
    widget.choices.index = _wrong_index(widget.drill)
    widget.check_button.click()
    assert widget.session.score.answered == 1 and widget.check_button.disabled
    assert "参考訳" in widget.feedback.value and "ok-drill-faq" in widget.feedback.value


def test_ending_the_session_in_the_widget_shows_the_summary_with_a_download_link(widget):
    widget.check(_wrong_index(widget.drill))
    widget.finish_button.click()
    assert html.escape(widget.drill.rule.text(widget.lang)) in widget.summary.value
    assert widget.drill.rule.id not in widget.summary.value  # ids are for the trainers' CSV
    assert 'download="training-summary.csv"' in widget.summary.value


def test_the_widget_switches_the_feedback_language(widget):
    widget.check(_wrong_index(widget.drill))
    widget.lang = "en"
    assert "Reference translation" not in widget.feedback.value
    assert widget.drill.rule.faq in widget.feedback_text
