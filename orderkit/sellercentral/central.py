"""The front door: :class:`SellerCentral`, a connection to one seller's account (or the sandbox)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any

import httpx

from orderkit.book import OrderBook
from orderkit.clock import ClockLike, SystemClock, as_clock
from orderkit.sellercentral.client import Transport
from orderkit.sellercentral.confirm import ConfirmResult, run_confirm
from orderkit.sellercentral.credentials import JP, Credentials, load_credentials
from orderkit.sellercentral.ratelimit import DOCUMENTED, RateLimiter, RatePlan
from orderkit.sellercentral.sync import (
    Progress,
    SyncResult,
    SyncStatus,
    fetch_order,
    run_sync,
    state_name,
    sync_status,
)

__all__ = ["SellerCentral"]


class SellerCentral:
    """A connection to the Selling Partner API for one marketplace (Amazon.co.jp by default).

    Args:
        endpoint: the SP-API base URL (default: the credentials', i.e. ``ORDERKIT_SPAPI_ENDPOINT``
            or the Far East region's); a local URL also serves the LWA token endpoint.
        credentials: the LWA credentials (default: :func:`~orderkit.sellercentral.credentials.
            load_credentials`, from the environment or the keyring).
        plan: the usage plans to keep to (default: the documented ones).
        version: ``"2026-01-01"`` (searchOrders) or ``"v0"`` (getOrders + getOrderItems, for an
            account not yet migrated).
        marketplace: the marketplace id.
        clock: *now* (windows and token lifetimes); the real time by default.
        pii: ask for the buyer and the recipient (the packing slip, the letters need them):
            only if the app holds the PII roles.
        page_size: orders per page (1–100).
        batch_orders: pages are read and saved once at least this many orders are fetched
            (and at the end of the window): each save has a fixed cost.
        max_attempts: tries per request (429, 5xx and network errors are retried).
        backoff: the first retry's pause in seconds (doubled each time, with jitter).
        monotonic, sleep: the rate limiter's and the retries' time (tests pass fakes).
        http: an ``httpx.Client`` to send with.
        seed: the jitter's seed.

    Raises:
        CredentialsMissing: no credentials given nor configured.
        ValueError: an unknown ``version``.
    """

    def __init__(
        self,
        endpoint: str | None = None,
        credentials: Credentials | None = None,
        *,
        plan: RatePlan | None = None,
        version: str = "2026-01-01",
        marketplace: str = JP,
        clock: ClockLike | None = None,
        pii: bool = True,
        page_size: int = 100,
        batch_orders: int = 2000,
        max_attempts: int = 6,
        backoff: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        http: httpx.Client | None = None,
        seed: int | None = None,
    ) -> None:
        if version not in ("2026-01-01", "v0"):
            raise ValueError(f"version must be '2026-01-01' or 'v0', not {version!r}")
        creds = credentials if credentials is not None else load_credentials()
        if endpoint is not None:
            creds = dataclasses.replace(creds, endpoint=endpoint)
        self.version = version
        self.marketplace = marketplace
        self.clock = as_clock(clock) if clock is not None else SystemClock()
        self.pii = pii
        self.page_size = page_size
        self.batch_orders = batch_orders
        self.limiter = RateLimiter(plan or DOCUMENTED, monotonic=monotonic, sleep=sleep)
        self.transport = Transport(
            creds,
            self.limiter,
            clock=self.clock,
            max_attempts=max_attempts,
            backoff=backoff,
            sleep=sleep,
            http=http,
            seed=seed,
        )

    @property
    def endpoint(self) -> str:
        """Return the SP-API base URL requests go to."""
        return self.transport.credentials.endpoint

    def __repr__(self) -> str:
        return f"<SellerCentral {self.endpoint} {self.marketplace} orders {self.version}>"

    def close(self) -> None:
        """Close the HTTP connections."""
        self.transport.close()

    def __enter__(self) -> SellerCentral:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        """Check the connection: exchange the refresh token for an access token.

        Raises:
            AuthorizationError: the credentials were refused.
            ApiError: the token endpoint could not be reached.

        """
        self.transport.access_token()

    def status(self, store: Any) -> SyncStatus:
        """Return where this marketplace's syncs into ``store`` stand (last sync, watermark).

        Raises:
            StoreError: the store cannot be read.

        """
        return sync_status(store, self.marketplace)

    def state_name(self) -> str:
        """Return the name this connection's sync state is kept under in the store."""
        return state_name(self.marketplace)

    def sync(
        self,
        store_or_book: Any = None,
        *,
        progress: Progress | None = None,
        since: Any = None,
    ) -> SyncResult:
        """Fetch the orders updated since the last sync and import them by reconciliation.

        Args:
            store_or_book: a :class:`~orderkit.store.Store` (the watermark is kept in it, pages
                saved as they come) or an :class:`~orderkit.book.OrderBook` (merged; the result's
                ``book``); ``None`` for an empty book.
            progress: called ``(pages_done, orders_done)`` after each page is fetched.
            since: the first window's start when there is no watermark (tz-aware; default 30
                days before now).

        Returns:
            What was fetched and what the import did (:class:`SyncResult`).

        Raises:
            ApiError: an operation failed for good (the message says what was fetched before;
                the watermark did not move and the next sync restarts the window).
            AuthorizationError: the credentials were refused.
            StoreError: a page could not be saved.

        """
        target = OrderBook() if store_or_book is None else store_or_book
        return run_sync(
            self.transport,
            target,
            marketplace=self.marketplace,
            version=self.version,
            now=self.clock.now(),
            since=since,
            pii=self.pii,
            page_size=self.page_size,
            batch_orders=self.batch_orders,
            progress=progress,
        )

    def order(self, order_id: str) -> OrderBook:
        """Return one order as it stands at Amazon now (getOrder), as a book to merge or save.

        Raises:
            ApiError: no such order (HTTP 404), or the API kept failing.
            ReportFormatError: the order Amazon returned is malformed.

        """
        return fetch_order(
            self.transport,
            order_id,
            version=self.version,
            marketplace=self.marketplace,
            pii=self.pii,
        )

    def confirm(
        self,
        confirmations: Any,
        *,
        store: Any = None,
        book: OrderBook | None = None,
        dry_run: bool = True,
    ) -> ConfirmResult:
        """Confirm shipments through ``confirmShipment`` (a dry run unless ``dry_run=False``).

        Args:
            confirmations: as :func:`orderkit.io.write_shipping_confirmation` takes them, each
                with a tracking number and a ``package_reference_id``.
            store: the store: the orders are checked against it, results recorded in it, and
                packages it says went already are skipped (required to send).
            book: the book to check against when there is no store.
            dry_run: only build and return the requests.

        Returns:
            The requests, and for a send which went, which failed, which were skipped.

        Raises:
            ValueError: a real send without a store.
            StoreError: the store could not be read or written.

        """
        if book is None and store is not None:
            book = store.load()
        return run_confirm(
            self.transport,
            confirmations,
            store=store,
            book=book,
            at=self.clock.now(),
            marketplace=self.marketplace,
            dry_run=dry_run,
        )
