"""Workbench: Today first, then the explorer, then the order card or bulk shipping, with a language switch.

With a store, a "Seller Central" section (:class:`~orderkit.widgets.SellerCentralPanel`) syncs
orders from Amazon and confirms shipments to it; without credentials it says how to configure
them, and the offline sample stays.

``Workbench.from_store()`` opens the one store (``$ORDERKIT_STORE``; ``.workbench/orderkit-store.sqlite``
under ``make lab``) that every app shares; while it is empty the sample book is shown (from a store
of its own beside it) at its own instant under a banner, until real data arrives.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from orderkit.book import OrderBook
from orderkit.clock import Clock, ClockLike, as_clock, clock_for
from orderkit.events import Event
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.state import OrderState
from orderkit.widgets._text import tr
from orderkit.widgets.app import OperatorName, Shared, open_shared
from orderkit.widgets.bulk import BulkShipping
from orderkit.widgets.card import OrderCard
from orderkit.widgets.explorer import OrderExplorer
from orderkit.widgets.language import LanguageSwitch
from orderkit.widgets.sellercentral import SellerCentralPanel
from orderkit.widgets.today import TodayPanel

__all__ = ["Workbench"]


class Workbench(w.VBox):
    """What must be done today, then find an order, open it, act on it — one order or many.

    :class:`TodayPanel` above :class:`OrderExplorer` above two tabs: the :class:`OrderCard` and
    :class:`BulkShipping`. Opening a row in Today or the explorer shows the order in the card; a
    list of Today ("Confirm shipment of these N…") or the orders selected in the explorer go to
    bulk shipping. An action recorded in the card updates the explorer's row; confirmations
    recorded in bulk redraw every part. Refresh (Today's button, or :meth:`refresh`) asks the
    clock for the time again, reloads the store if there is one (what other apps recorded shows
    up) and redraws everything.

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
        seller_store: where a sync imports (default ``store``): the seller's own store, which
            differs from ``store`` while the sample is shown (:meth:`from_store`).
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
        seller_store: Any = None,
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
        self.shipping = BulkShipping(
            book, now=self.clock.now, store=store, policy=policy, lang=lang
        )
        self.tabs = w.Tab(children=[self.card, self.shipping]).add_class("ok-workbench-tabs")
        #: The operator's name, typed once: the card and bulk shipping record it with every action.
        self.operator = OperatorName(lang=lang).link(self.card, self.shipping)
        #: The Seller Central section (``None`` without a store: a sync needs somewhere to go).
        seller_store = store if seller_store is None else seller_store
        self.sellercentral = (
            None
            if seller_store is None
            else SellerCentralPanel(
                seller_store, client=seller_central, lang=lang, check=seller_central is not None
            )
        )
        parts = [self.operator, self.today, self.explorer, self.tabs]
        linked = [self.operator, self.today, self.explorer, self.card, self.shipping]
        if self.sellercentral is not None:
            self.sellercentral.on_sync(lambda _result: self.refresh())
            parts.append(self.sellercentral)
            linked.append(self.sellercentral)
        self.language = LanguageSwitch(lang).link(*linked)
        self.language.observe(lambda _: self._title_tabs(), names="value")
        self.today.on_open(self.open_order)
        self.explorer.on_select(self.open_order)
        self.today.on_bulk(self.ship_in_bulk)
        self.explorer.on_bulk(self.ship_in_bulk)
        self.card.on_change(self._recorded)
        self.shipping.on_recorded(lambda _: self.refresh())
        #: Whether Refresh picks the clock from the data (:meth:`from_store` without ``now``).
        self.follows_data = False
        #: The shared store and what it shows (:meth:`from_store`), or ``None``.
        self.shared: Shared | None = None
        self._title_tabs()
        self.children = (self.language, *parts)
        self.add_class("ok-workbench")

    def open_order(self, order_id: str) -> None:
        """Show ``order_id`` in the card, and the card's tab."""
        self.card.show(order_id)
        self.tabs.selected_index = 0

    def ship_in_bulk(self, order_ids: list[str]) -> None:
        """Hand ``order_ids`` to bulk shipping, and show its tab."""
        self.shipping.order_ids = list(order_ids)
        self.tabs.selected_index = 1

    def _title_tabs(self) -> None:
        lang = self.language.value
        self.tabs.titles = (tr("order_tab", lang), tr("bulk_tab", lang))

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

        While the store is empty the sample is shown, from a store of its own beside it
        (:func:`orderkit.widgets.app.open_shared`), so that a first ``make lab`` shows orders and
        the seller's store never holds a sample order; the sample is shown at its own instant
        with a banner, the seller's data at the real time (:func:`orderkit.clock.clock_for`),
        unless ``now`` is given.

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
        shared = open_shared(store)
        clock = shared.clock if now is None else now
        bench = cls(
            shared.book, now=clock, policy=policy, store=shared.store, lang=lang,
            page_size=page_size, seller_central=seller_central, seller_store=shared.real,
        )  # fmt: skip
        bench.shared, bench.follows_data = shared, now is None
        return bench

    def refresh(self) -> None:
        """Reload the store (if any), ask the clock for the time, and redraw every part.

        A workbench on the shared store (:meth:`from_store`) moves from the sample to the seller's
        orders as soon as they reach the store.
        """
        if self.shared is not None:
            self.shared = self.shared.reload()
            self.store = self.card.store = self.shipping.store = self.shared.store
        if self.store is not None:
            self.book = self.store.load()
            self.card.book = self.shipping.book = self.book
        if self.follows_data:  # real data arrived in the store: the real clock from now on
            self._use_clock(clock_for(self.book))
        self.today.set_book(self.book)
        self.explorer.reload(self.book)
        self.card.refresh()
        self.shipping.refresh()

    def _use_clock(self, clock: Clock) -> None:
        self.clock = self.today.clock = self.explorer.clock = clock
        self.card.clock = self.shipping.clock = clock.now

    def _recorded(self, event: Event, state: OrderState) -> None:
        self.explorer.update_row(state)
        self.today.refresh()
