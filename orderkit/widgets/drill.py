"""TrainingDrill: a realistic situation, a choice, feedback with the FAQ's rule, and a score."""

from __future__ import annotations

import html

import ipywidgets as w
import numpy as np
import traitlets

from orderkit.book import OrderBook
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.training import Drill, Feedback, Score, make_drill
from orderkit.widgets._text import tr
from orderkit.widgets.card import Clock, _now

__all__ = ["TrainingDrill"]


class TrainingDrill(w.VBox):
    """Practise the FAQ on real-looking orders: read, choose, see the rule, keep score.

    Args:
        book: the orders to draw situations from (the sample book for training).
        now: the moment of the situations.
        seed: seed of the random draw, so that a class can share one sequence.
        policy: the seller's policy.
        lang: ``"en"`` or ``"ja"``.

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
        self.book, self.clock, self.policy = book, now, policy
        self.rng = np.random.default_rng(seed)
        self.score = Score()
        self.drill: Drill | None = None
        self.answered = False
        self.question = w.HTML().add_class("ok-drill-question")
        self.choices = w.RadioButtons(layout=w.Layout(width="auto")).add_class("ok-drill-choices")
        self.check_button = w.Button(button_style="primary").add_class("ok-drill-check")
        self.next_button = w.Button().add_class("ok-drill-next")
        self.feedback = w.HTML().add_class("ok-drill-feedback")
        self.score_label = w.HTML().add_class("ok-drill-score")
        self.check_button.on_click(lambda _: self.check())
        self.next_button.on_click(lambda _: self.new())
        self.children = (
            self.question,
            self.choices,
            w.HBox([self.check_button, self.next_button, self.score_label]),
            self.feedback,
        )
        self.lang = lang
        self.new()

    @traitlets.observe("lang")
    def _lang_changed(self, _: object) -> None:
        if self.drill is not None:
            self._show()

    def new(self) -> Drill:
        """Draw a new situation and show it."""
        self.drill = make_drill(self.book, rng=self.rng, now=_now(self.clock), policy=self.policy)
        self.answered = False
        self.feedback.value, self.feedback_text = "", ""
        self._show(reset=True)
        return self.drill

    def _show(self, *, reset: bool = False) -> None:
        lang, drill = self.lang, self.drill
        assert drill is not None
        self.check_button.description = tr("check", lang)
        self.next_button.description = tr("new_drill", lang)
        self.question.value = f"<p style='font-size:1.1em'>{html.escape(drill.question(lang))}</p>"
        index = None if reset else self.choices.index
        self.choices.options = [c.text(lang) for c in drill.choices]
        self.choices.index = index
        self.check_button.disabled = self.answered
        self.score_label.value = self.score.text(lang)

    def check(self, index: int | None = None) -> Feedback | None:
        """Check the chosen answer (or ``index``); show the feedback with the rule and the score."""
        if index is not None:
            self.choices.index = index
        if self.drill is None or self.choices.index is None:
            self.feedback.value = f"<i>{tr('choose', self.lang)}</i>"
            return None
        if self.answered:
            return None
        result = self.drill.answer(self.choices.index)
        self.score.add(result)
        self.answered = True
        self.check_button.disabled = True
        colour = "#1b5e20" if result.correct else "#b00020"
        quote = html.escape(result.right.rule.faq)
        self.feedback_text = result.text(self.lang)
        self.feedback.value = (
            f"<div class='ok-drill-{'right' if result.correct else 'wrong'}' style='color:{colour}'>"
            f"{html.escape(self.feedback_text)}</div><small>FAQ: “{quote}”</small>"
        )
        self.score_label.value = self.score.text(self.lang)
        return result
