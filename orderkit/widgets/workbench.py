"""Workbench: the explorer and the order card together, with a language switch."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from orderkit.book import OrderBook
from orderkit.events import Event
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.state import OrderState
from orderkit.widgets.card import Clock, OrderCard
from orderkit.widgets.explorer import OrderExplorer
from orderkit.widgets.language import LanguageSwitch

__all__ = ["Workbench"]


class Workbench(w.VBox):
    """Find an order, open it, act on it: :class:`OrderExplorer` above :class:`OrderCard`.

    Opening a row shows the order in the card; an action recorded in the card updates the
    explorer's row. Arguments are those of the two widgets.
    """

    def __init__(
        self,
        book: OrderBook,
        *,
        now: Clock,
        policy: Policy = DEFAULT_POLICY,
        store: Any = None,
        lang: str = "en",
        page_size: int = 12,
    ) -> None:
        from orderkit.widgets.card import _now

        super().__init__()
        self.explorer = OrderExplorer(
            book, now=_now(now), policy=policy, lang=lang, page_size=page_size
        )
        self.card = OrderCard(book, now=now, policy=policy, store=store, lang=lang)
        self.language = LanguageSwitch(lang).link(self.explorer, self.card)
        self.explorer.on_select(self.card.show)
        self.card.on_change(self._recorded)
        self.children = (self.language, self.explorer, self.card)
        self.add_class("ok-workbench")

    def _recorded(self, event: Event, state: OrderState) -> None:
        self.explorer.update_row(state)
