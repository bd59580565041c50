"""Workbench: Today first, then the explorer and the order card, with a language switch.

With a store, a "Seller Central" section (:class:`~orderkit.widgets.SellerCentralPanel`) syncs
orders from Amazon and confirms shipments to it; without credentials it says how to configure
them, and the offline sample stays.

``Workbench.from_store()`` opens the one store (``$ORDERKIT_STORE``; ``.workbench/orderkit-store.sqlite``
under ``make lab``) that every app shares; an empty store is seeded with the sample book, which is
shown at its own instant under a banner until real data arrives.
"""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as w

from orderkit.book import OrderBook
from orderkit.clock import Clock, ClockLike, as_clock, clock_for
from orderkit.events import Event
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.state import OrderState
from orderkit.widgets.app import OperatorName
from orderkit.widgets.card import OrderCard
from orderkit.widgets.explorer import OrderExplorer
from orderkit.widgets.language import LanguageSwitch
from orderkit.widgets.sellercentral import SellerCentralPanel
from orderkit.widgets.today import TodayPanel

__all__ = ["Workbench"]


class Workbench(w.VBox):
    """What must be done today, then find an order, open it, act on it.

    :class:`TodayPanel` above :class:`OrderExplorer` above :class:`OrderCard`. Opening a row in
    Today or the explorer shows the order in the card; an action recorded in the card updates the
    explorer's row. Refresh (Today's button, or :meth:`refresh`) asks the clock for the time again,
    reloads the store if there is one (what other apps recorded shows up) and redraws everything.

    Args:
        book: the order book.
        now: the clock (:class:`orderkit.clock.Clock`), a fixed instant, or a function returning
            the time — asked on every refresh; :meth:`from_store` picks it from the data.
        policy: the seller's policy.
        store: an :class:`orderkit.store.Store`; actions are recorded there and Refresh reloads it.
        lang: ``"en"``, ``"ja"`` or ``"zh-Hans"``.
        page_size: the explorer's rows per page.
        seller_central: the :class:`~orderkit.sellercentral.SellerCentral` client of the Seller
            Central section (shown with a store); by default one from the configured
            credentials, if any.
    """

    def __init__(
        self,
        book: OrderBook,
        *,
        now: ClockLike,
        policy: Policy = DEFAULT_POLICY,
        store: Any = None,
        lang: str = "en",
        page_size: int = 12,
        seller_central: Any = None,
    ) -> None:
        super().__init__()
        self.clock: Clock = as_clock(now)
        self.book, self.store = book, store
        self.today = TodayPanel(book, now=self.clock, policy=policy, lang=lang)
        self.today.refresher = self.refresh
        self.explorer = OrderExplorer(
            book, now=self.clock, policy=policy, lang=lang, page_size=page_size
        )
        self.card = OrderCard(book, now=self.clock.now, policy=policy, store=store, lang=lang)
        #: The operator's name, typed once: the card records it with every action.
        self.operator = OperatorName(lang=lang).link(self.card)
        #: The Seller Central section (``None`` without a store: a sync needs somewhere to go).
        self.sellercentral = (
            None
            if store is None
            else SellerCentralPanel(
                store, client=seller_central, lang=lang, check=seller_central is not None
            )
        )
        parts = [self.operator, self.today, self.explorer, self.card]
        if self.sellercentral is not None:
            self.sellercentral.on_sync(lambda _result: self.refresh())
            parts.append(self.sellercentral)
        self.language = LanguageSwitch(lang).link(*parts)
        self.today.on_open(self.card.show)
        self.explorer.on_select(self.card.show)
        self.card.on_change(self._recorded)
        #: Whether Refresh picks the clock from the data (:meth:`from_store` without ``now``).
        self.follows_data = False
        self.children = (self.language, *parts)
        self.add_class("ok-workbench")

    @classmethod
    def from_store(
        cls,
        store: Any = None,
        *,
        now: ClockLike | None = None,
        policy: Policy = DEFAULT_POLICY,
        lang: str = "en",
        page_size: int = 12,
        seller_central: Any = None,
    ) -> Workbench:
        """Return a workbench on the shared store (``$ORDERKIT_STORE`` when ``store`` is not given).

        An empty store is seeded with the sample book, so that a first ``make lab`` shows orders;
        the sample is shown at its own instant with a banner, any other data at the real time
        (:func:`orderkit.clock.clock_for`), unless ``now`` is given.

        Args:
            store: an :class:`orderkit.store.Store`, a SQLite path or a URL (default: the
                environment's store).
            now: the clock to use instead of the data's own (tests).
            policy: the seller's policy.
            lang: the display language.
            page_size: the explorer's rows per page.
            seller_central: the Seller Central client (default: from the configured
                credentials, if any).

        Raises:
            orderkit.errors.StoreError: the store cannot be opened or read.
        """
        from orderkit import sample
        from orderkit.store import Store

        if store is None or isinstance(store, (str, os.PathLike)):
            where = None if store is None else os.fspath(store)
            store = Store(where) if where and "://" in where else Store(path=where)
        book = store.load()
        if len(book.orders) == 0:
            store.save(sample.book())
            book = store.load()
        clock = clock_for(book) if now is None else now
        bench = cls(
            book,
            now=clock,
            policy=policy,
            store=store,
            lang=lang,
            page_size=page_size,
            seller_central=seller_central,
        )
        bench.follows_data = now is None
        return bench

    def refresh(self) -> None:
        """Reload the store (if any), ask the clock for the time, and redraw every part."""
        if self.store is not None:
            self.book = self.store.load()
            self.card.book = self.book
        if self.follows_data:  # real data arrived in the store: the real clock from now on
            self._use_clock(clock_for(self.book))
        self.today.set_book(self.book)
        self.explorer.reload(self.book)
        self.card.refresh()

    def _use_clock(self, clock: Clock) -> None:
        self.clock = self.today.clock = self.explorer.clock = clock
        self.card.clock = clock.now

    def _recorded(self, event: Event, state: OrderState) -> None:
        self.explorer.update_row(state)
        self.today.refresh()
