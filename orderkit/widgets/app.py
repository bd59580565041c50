"""The top of an app (a Voila page): its title, and the sample banner when it shows sample data.

The title and the banner follow the language switch like every other widget.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as w
import traitlets

from orderkit.clock import Clock, clock_for, is_sample
from orderkit.i18n import N_, _
from orderkit.i18n import datetime as when

if TYPE_CHECKING:
    from orderkit.book import OrderBook

__all__ = ["TITLES", "AppHeader", "OperatorName", "Shared", "open_shared", "sample_store"]

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


@dataclass(frozen=True, slots=True)
class Shared:
    """The one store every app opens, what it shows now, and the clock to show it at.

    While the seller's store is empty the apps work on the sample, kept in a store of its own
    beside it (:func:`sample_store`): actions on the sample are recorded and shared between the
    apps, and the seller's store never holds a sample order (it is append-only: a sample order
    there would stay among the real ones for good). Once real data reaches the seller's store (a
    report uploaded, a sync), the next :meth:`reload` shows it at the real time.

    Attributes:
        store: the store the apps read and record into now (the sample's while showing it).
        book: what that store holds now.
        clock: the sample's own instant for the sample (``clock.sample``), else the real time.
        real: the seller's store (``$ORDERKIT_STORE``): reports are imported into this one.
    """

    store: Any
    book: OrderBook
    clock: Clock
    real: Any

    @property
    def sample_at(self) -> dt.datetime | None:
        """The sample's instant while the apps show the sample (for the banner), else ``None``."""
        return self.clock.now() if is_sample(self.clock) else None

    def reload(self) -> Shared:
        """Return what the apps show now: the seller's store once it has orders, else the sample."""
        return open_shared(self.real)


def sample_store(store: Any) -> Any:
    """Return the store of the sample shown while ``store`` is empty: a SQLite file beside it.

    ``shop.sqlite`` → ``shop.sample.sqlite``; for a server store (PostgreSQL), a file in the
    temporary folder. An empty one is seeded with the sample book.

    Raises:
        orderkit.errors.StoreError: the file cannot be opened or written.
    """
    import tempfile
    from pathlib import Path

    import sqlalchemy as sa

    from orderkit import sample
    from orderkit.store import Store

    url = sa.engine.make_url(store.url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        where = Path(url.database)
        path = where.with_name(f"{where.stem}.sample{where.suffix or '.sqlite'}")
    else:
        path = Path(tempfile.gettempdir()) / "orderkit-sample-store.sqlite"
    shown = Store(path=path)
    if len(shown.load().orders) == 0:
        shown.save(sample.book())
    return shown


def open_shared(store: Any = None) -> Shared:
    """Open the store every app shares and return what to show, with its clock.

    The seller's orders at the real time once the store has some; until then the sample, in
    its own store beside it (:func:`sample_store`), at the sample's own instant
    (:func:`orderkit.clock.clock_for`).

    Args:
        store: an :class:`orderkit.store.Store`, a SQLite path or a URL (default: the
            environment's store, ``$ORDERKIT_STORE``).

    Raises:
        orderkit.errors.StoreError: a store cannot be opened or read.
    """
    from orderkit.store import Store

    if store is None or isinstance(store, (str, os.PathLike)):
        where = None if store is None else os.fspath(store)
        store = Store(where) if where and "://" in where else Store(path=where)
    book = store.load()
    shown = store
    if len(book.orders) == 0:
        shown = sample_store(store)
        book = shown.load()
    return Shared(shown, book, clock_for(book), store)
