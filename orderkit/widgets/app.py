"""The top of an app (a Voila page): its title, and the sample banner when it shows sample data.

The title and the banner follow the language switch like every other widget.
"""

from __future__ import annotations

import datetime as dt
import html

import ipywidgets as w
import traitlets

from orderkit.i18n import N_, _
from orderkit.i18n import datetime as when

__all__ = ["TITLES", "AppHeader", "OperatorName"]

#: The apps' titles (catalog messages).
TITLES = {
    "playbook": N_("Support playbook"),
    "dashboard": N_("Performance and shipping"),
    "training": N_("Training"),
}
_SUBTITLES = {
    "playbook": N_("Answer a buyer: choose their situation and the order."),
    "dashboard": N_("Amazon's rates against their targets, the orders at risk, shipping in bulk."),
    "training": N_("Practice the Manage Orders rules on realistic situations."),
}
_SAMPLE = N_("Sample data, as of {when} JST")

#: Tab titles as wide as their text (Lumino caps a tab at a fixed width and cuts the rest).
_STYLE = (
    "<style>.ok-app .lm-TabBar-tab{flex:0 0 auto!important;max-width:none!important;"
    "min-width:0!important}.ok-app .lm-TabBar-tabLabel{overflow:visible}</style>"
)


class AppHeader(w.HTML):
    """An app's title and subtitle in the chosen language, and the sample banner.

    Args:
        app: ``"playbook"``, ``"dashboard"`` or ``"training"``.
        sample_at: the sample's own instant while the app shows sample data (``None``: real
            data, no banner).
        lang: the display language.

    >>> AppHeader("playbook", lang="ja").value.count("プレイブック") >= 1
    True
    """

    lang = traitlets.Unicode("en")
    sample_at = traitlets.Instance(dt.datetime, allow_none=True)

    def __init__(self, app: str, *, sample_at: dt.datetime | None = None, lang: str = "en") -> None:
        super().__init__()
        self.app = app
        self.add_class("ok-app-header")
        self.sample_at = sample_at
        self.lang = lang
        self._draw()

    @traitlets.observe("lang", "sample_at")
    def _changed(self, _: object) -> None:
        if hasattr(self, "app"):
            self._draw()

    def _draw(self) -> None:
        lang = self.lang
        banner = ""
        if self.sample_at is not None:
            text = _(_SAMPLE, lang, when=when(self.sample_at, lang))
            banner = (
                "<div class='ok-sample-banner' style='background:#e8f0fe;border-left:4px solid"
                f" #1a73e8;padding:4px 8px;margin:4px 0'>ℹ {html.escape(text)}</div>"
            )
        self.value = _STYLE + (
            f"<h2 style='margin:4px 0'>{html.escape(_(TITLES[self.app], lang))}</h2>"
            f"<div style='color:#555'>{html.escape(_(_SUBTITLES[self.app], lang))}</div>{banner}"
        )


_OPERATOR = N_("Your name")
_OPERATOR_HINT = N_("recorded with every action")


class OperatorName(w.Text):
    """The operator's name, typed once: every linked widget records it with its actions.

    >>> from orderkit import sample
    >>> from orderkit.widgets import OrderCard
    >>> book = sample.book(20)
    >>> card = OrderCard(book, now=sample.DEFAULT_NOW)
    >>> name = OperatorName().link(card)
    >>> name.value = "佐藤"
    >>> card.operator
    '佐藤'
    """

    lang = traitlets.Unicode("en")

    def __init__(self, value: str = "", *, lang: str = "en") -> None:
        super().__init__(value=value, style={"description_width": "initial"})
        self.add_class("ok-operator")
        self._links: list[traitlets.dlink] = []
        self.lang = lang
        self._relabel(None)

    @traitlets.observe("lang")
    def _relabel(self, change: object) -> None:
        self.description = _(_OPERATOR, self.lang)
        self.placeholder = _(_OPERATOR_HINT, self.lang)

    def link(self, *widgets: w.Widget) -> OperatorName:
        """Make each widget's ``operator`` follow this name; return the field."""
        for widget in widgets:
            self._links.append(traitlets.dlink((self, "value"), (widget, "operator")))
        return self
