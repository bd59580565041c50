"""TrainingDrill: a situation, a choice, feedback quoting the FAQ, a score and a summary by rule.

The trainee's widget shows no answer key: the right answer appears only in the feedback, after
the trainee has answered. The trainers' reference is :func:`orderkit.training.answer_key`
(``notebooks/06_trainers_reference.ipynb``).
"""

from __future__ import annotations

import html

import ipywidgets as w
import traitlets

from orderkit.book import OrderBook
from orderkit.i18n import N_, _
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.training import HEADINGS, Drill, DrillSession, Feedback, Score, faq_quote
from orderkit.widgets._text import tr
from orderkit.widgets.card import Clock, _now

__all__ = ["TrainingDrill"]

FINISH = N_("End the session")
SUMMARY = N_("What to review, by rule")
FAQ = N_("Manage Orders FAQ")
NOTHING_YET = N_("Answer a drill first: the summary counts the answered drills.")
NUMBER = N_("Drill {n}")

_CELL = "text-align:left;vertical-align:top;padding:2px 10px 2px 0;border-bottom:1px solid #ddd"
_WRAPPED = frozenset({"what", "faq", "translation"})
_QUOTE = "margin:0.5em 0;padding:0.2em 0.8em;border-left:3px solid #bbb;line-height:1.5"


class TrainingDrill(w.VBox):
    """Practise the FAQ on real-looking orders: read, choose, see the rule, keep score.

    Args:
        book: the orders to draw situations from (the sample book for training).
        now: the moment of the situations.
        seed: seed of the session, so that a class (and its trainer's reference) share one sequence.
        policy: the seller's policy.
        lang: ``"en"``, ``"ja"`` or ``"zh-Hans"``.

    Traits:
        lang: the display language.
        feedback_text: the last feedback shown (plain text).
    """

    lang = traitlets.Unicode("en")
    feedback_text = traitlets.Unicode("")

    def __init__(
        self,
        book: OrderBook,
        *,
        now: Clock,
        seed: int = 0,
        policy: Policy = DEFAULT_POLICY,
        lang: str = "en",
    ) -> None:
        super().__init__()
        self.book = book
        self.session = DrillSession(book, seed=seed, now=_now(now), policy=policy)
        self.drill: Drill | None = None
        self.result: Feedback | None = None
        self.number = w.HTML().add_class("ok-drill-number")
        self.question = w.HTML().add_class("ok-drill-question")
        self.choices = w.RadioButtons(layout=w.Layout(width="auto")).add_class("ok-drill-choices")
        self.check_button = w.Button(button_style="primary").add_class("ok-drill-check")
        self.next_button = w.Button().add_class("ok-drill-next")
        self.finish_button = w.Button(layout=w.Layout(width="auto")).add_class("ok-drill-finish")
        self.feedback = w.HTML().add_class("ok-drill-feedback")
        self.score_label = w.HTML().add_class("ok-drill-score")
        self.summary = w.HTML().add_class("ok-drill-summary")
        self.check_button.on_click(lambda _: self.check())
        self.next_button.on_click(lambda _: self.new())
        self.finish_button.on_click(lambda _: self.finish())
        self.children = (
            self.number,
            self.question,
            self.choices,
            w.HBox([self.check_button, self.next_button, self.finish_button, self.score_label]),
            self.feedback,
            self.summary,
        )
        self.lang = lang
        self.new()

    @property
    def score(self) -> Score:
        """The session's running score."""
        return self.session.score

    @property
    def answered(self) -> bool:
        """Whether the current drill has been answered."""
        return self.result is not None

    @traitlets.observe("lang")
    def _lang_changed(self, _: object) -> None:
        if self.drill is not None:
            self._show()
            self._show_feedback()
            if self.summary.value:
                self.finish()

    def new(self) -> Drill:
        """Draw the session's next situation and show it."""
        self.drill = self.session.next()
        self.result = None
        self.summary.value = ""  # a summary shown earlier no longer counts every answer
        self._show(reset=True)
        self._show_feedback()
        return self.drill

    def _show(self, *, reset: bool = False) -> None:
        lang, drill = self.lang, self.drill
        assert drill is not None
        self.check_button.description = tr("check", lang)
        self.next_button.description = tr("new_drill", lang)
        self.finish_button.description = _(FINISH, lang)
        self.number.value = f"<b>{html.escape(_(NUMBER, lang, n=len(self.session.drills)))}</b>"
        self.question.value = f"<p style='font-size:1.1em'>{html.escape(drill.question(lang))}</p>"
        index = None if reset else self.choices.index
        self.choices.options = [c.text(lang) for c in drill.choices]
        self.choices.index = index
        self.check_button.disabled = self.answered
        self.score_label.value = html.escape(self.score.text(lang))

    def _show_feedback(self) -> None:
        result, lang = self.result, self.lang
        if result is None:
            self.feedback.value, self.feedback_text = "", ""
            return
        colour = "#1b5e20" if result.correct else "#b00020"
        quote = faq_quote(result.right.rule, lang)
        parts = [
            f"<div class='ok-drill-{'right' if result.correct else 'wrong'}' "
            f"style='color:{colour};font-weight:bold'>{html.escape(result.verdict(lang))}</div>",
            f"<blockquote class='ok-drill-faq' lang='en' style='{_QUOTE}'>"
            f"<small>{html.escape(_(FAQ, lang))}</small><br>“{html.escape(quote['faq'])}”"
            f"</blockquote>",
        ]
        if "translation" in quote:
            parts.append(
                f"<div class='ok-drill-translation' style='{_QUOTE}'>"
                f"<small>{html.escape(quote['label'])}</small>"
                f"<br>{html.escape(quote['translation'])}</div>"
            )
        self.feedback.value = "".join(parts)
        self.feedback_text = result.text(lang)

    def check(self, index: int | None = None) -> Feedback | None:
        """Check the chosen answer (or ``index``); show the feedback quoting the FAQ and the score.

        Returns:
            The feedback, or ``None`` when nothing is chosen or the drill was answered already.
        """
        if index is not None:
            self.choices.index = index
        if self.drill is None or self.choices.index is None:
            self.feedback.value = f"<i>{html.escape(tr('choose', self.lang))}</i>"
            return None
        if self.answered:
            return None
        self.result = self.session.answer(self.choices.index)
        self.check_button.disabled = True
        self._show_feedback()
        self.score_label.value = html.escape(self.score.text(self.lang))
        return self.result

    def finish(self) -> str:
        """Show the summary by rule (what to review) with a CSV download link; return its HTML."""
        lang = self.lang
        if not self.session.answers:
            self.summary.value = f"<i>{html.escape(_(NOTHING_YET, lang))}</i>"
            return self.summary.value
        # a trainee reads the rule in words, not its id (the CSV keeps the id, for trainers)
        frame = self.session.summary(lang).drop(columns="rule")
        # counts stay on one line; the rule and the FAQ's sentences wrap
        style = [_CELL + (";white-space:nowrap" if c not in _WRAPPED else "") for c in frame]
        head = "".join(
            f"<th style='{_CELL};white-space:nowrap'>{html.escape(_(HEADINGS[c], lang))}</th>"
            for c in frame
        )
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td style='{css}'>{html.escape(str(v))}</td>"
                for css, v in zip(style, row, strict=True)
            )
            + "</tr>"
            for row in frame.itertuples(index=False)
        )
        self.summary.value = (
            f"<h4>{html.escape(_(SUMMARY, lang))}</h4>"
            f"<table class='ok-drill-summary-table' style='border-collapse:collapse'>"
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            f"<p>{self.session.summary_link(lang)}</p>"
        )
        return self.summary.value
