"""The incremental sync of the Orders API into a store (or a book), by time window.

A sync fetches the orders updated in one *window* ``[after, before]``: ``after`` is the
watermark (where the last complete sync ended), ``before`` two minutes before *now* (Amazon
refuses a later ``lastUpdatedBefore``). Each page is read by :func:`orderkit.io.read_spapi_orders`
and saved at once through the store's reconciling import, so what was fetched is kept even if the
sync stops; the watermark moves to ``before`` only when every page of the window is saved.

The store keeps, under the sync's name (``orders:<marketplace>``), ``{"watermark": …, "window":
…}``: ``window`` is set while a window is being fetched. A sync that finds one left by a sync that
stopped (killed between pages, a network failure) starts again from that window's start — never
from a saved pagination token, which expires after 24 hours — and, since the reconciliation adds
nothing it already has, the pages fetched twice change nothing: nothing lost, nothing doubled.

Versions: **2026-01-01** ``searchOrders`` brings each order with its items (``includedData``:
fulfillment for statuses, ship-by and shipped quantities; proceeds for prices; cancellation for
who canceled; payment for the payment method; buyer and recipient when ``pii``). **v0** (order
reads deprecated; for accounts not yet migrated): ``getOrders`` pages, with a Restricted Data
Token for the buyer and address when ``pii``, then ``getOrderItems`` per order.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from orderkit.book import OrderBook
from orderkit.errors import ReportFormatError
from orderkit.io.spapi import read_spapi_orders
from orderkit.reconcile import ImportSummary
from orderkit.sellercentral.client import Transport
from orderkit.sellercentral.errors import ApiError

__all__ = [
    "DEFAULT_LOOKBACK",
    "SyncResult",
    "SyncStatus",
    "Window",
    "fetch_order",
    "run_sync",
    "sync_status",
]

#: How far back the first sync of a store looks, without ``since``.
DEFAULT_LOOKBACK: Final = dt.timedelta(days=30)
_EPOCH: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SETTLE: Final = dt.timedelta(minutes=2)  # lastUpdatedBefore: at least 2 minutes before the call
_INCLUDED: Final = ("FULFILLMENT", "PROCEEDS", "CANCELLATION", "PAYMENT")
_PII: Final = ("BUYER", "RECIPIENT")
_V0_PII: Final = ("buyerInfo", "shippingAddress")
#: Where the reader found a malformed value: ``$[n].`` (n-th response), the list, the index, the rest.
_AT: Final = re.compile(
    r"^\$(?:\[(\d+)\])?\.(orders|payload\.Orders|payload\.OrderItems)\[(\d+)\](.*)$"
)

#: progress(pages_done, orders_done), called after each page is saved.
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class Window:
    """The orders updated in ``[after, before]`` (UTC instants)."""

    after: dt.datetime
    before: dt.datetime

    def as_json(self) -> dict[str, str]:
        """Return the window as ISO 8601 texts."""
        return {"after": _iso(self.after), "before": _iso(self.before)}


@dataclass(frozen=True)
class SyncResult:
    """What a sync did.

    Attributes:
        version: the Orders API version used (``"2026-01-01"`` or ``"v0"``).
        window: the window fetched.
        pages: pages fetched (of searchOrders or getOrders).
        orders: orders read and saved (the malformed ones not counted).
        summary: the reconciling import's summary (new orders, status changes, …), all pages.
        watermark_before: the watermark when the sync started (``None`` for a first sync).
        watermark_after: the watermark now: ``window.before``.
        restarted: a window left unfinished by an earlier sync was fetched again from its start.
        problems: orders that could not be read (each with its page and JSON path); the rest of
            their page was kept.
        book: the merged book, when the sync was into a book (``None`` for a store).
        calls: HTTP requests sent (retries included).
    """

    version: str
    window: Window
    pages: int
    orders: int
    summary: ImportSummary
    watermark_before: dt.datetime | None
    watermark_after: dt.datetime
    restarted: bool = False
    problems: tuple[ReportFormatError, ...] = ()
    book: OrderBook | None = field(default=None, repr=False)
    calls: int = 0

    def describe(self) -> str:
        """Return a one-line account of the sync (English, for logs)."""
        s = self.summary
        return (
            f"synced {self.orders} orders in {self.pages} pages ({self.version},"
            f" updated {_iso(self.window.after)}..{_iso(self.window.before)}):"
            f" {len(s.new_orders)} new, {len(s.status_changes)} status changes,"
            f" {s.events_added} events added, {len(self.problems)} unreadable"
        )


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """Where the syncs of a store stand (for the workbench and the operators).

    Attributes:
        last_sync: when the last complete sync ran (``None``: never).
        watermark: orders updated up to here are in the store.
        unfinished: the window a sync started and did not finish (the next sync restarts it).
    """

    last_sync: dt.datetime | None
    watermark: dt.datetime | None
    unfinished: Window | None


def sync_status(store: Any, marketplace: str) -> SyncStatus:
    """Return where the syncs of ``marketplace`` into ``store`` stand.

    Raises:
        StoreError: the store cannot be read.

    """
    state = store.sync_state(state_name(marketplace)) or {}
    window = state.get("window")
    return SyncStatus(
        _when(state.get("last_sync")),
        _when(state.get("watermark")),
        Window(_when(window["after"]), _when(window["before"])) if window else None,  # type: ignore[arg-type]
    )


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(text: str | None) -> dt.datetime | None:
    return None if text is None else dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def state_name(marketplace: str) -> str:
    """Return the name a sync's state is kept under in the store."""
    return f"orders:{marketplace}"


def plan_window(
    state: Mapping[str, Any] | None, *, now: dt.datetime, since: dt.datetime | None
) -> tuple[Window, dt.datetime | None, bool]:
    """Return the window to fetch, the watermark before, and whether a window is restarted.

    The window is empty (``after >= before``) when the last sync ended less than two minutes
    ago: there is nothing Amazon would let us ask for yet.

    Raises:
        ValueError: ``since`` or ``now`` is naive.

    """
    if now.tzinfo is None or (since is not None and since.tzinfo is None):
        raise ValueError("now and since must be timezone-aware")
    state = state or {}
    watermark = _when(state.get("watermark"))
    unfinished = state.get("window")
    before = (now - _SETTLE).astimezone(dt.UTC)
    if unfinished:  # restart it from its start: its pagination tokens may have expired
        after = _when(unfinished["after"])
    else:
        after = since or watermark or before - DEFAULT_LOOKBACK
    assert after is not None  # a stored window always has its start
    return Window(after.astimezone(dt.UTC), before), watermark, bool(unfinished)


def _size(page: Mapping[str, Any]) -> int:
    orders = page.get("orders")
    if orders is None:
        orders = (page.get("payload") or {}).get("Orders")
    return len(orders) if isinstance(orders, list) else 0


def _orders_of(page: Mapping[str, Any]) -> list[Any]:
    found = page.get("orders") if "orders" in page else (page.get("payload") or {}).get("Orders")
    return list(found) if isinstance(found, list) else []


def _read(orders: list[Any], items: list[Any], version: str) -> OrderBook:
    if version == "v0":
        return read_spapi_orders({"payload": {"Orders": orders}}, items=items, source="spapi")
    return read_spapi_orders({"orders": orders}, source="spapi")


def read_batch(
    batch: Sequence[tuple[Mapping[str, Any], list[Any] | None]],
    *,
    version: str = "2026-01-01",
    first_page: int = 1,
) -> tuple[OrderBook, list[ReportFormatError]]:
    """Read a batch of pages in one reader pass; a malformed order is left out, the rest kept.

    The reader names the JSON path of what it cannot read; the order at that path (or whose
    getOrderItems response it is) is taken out and the rest read again — one more pass per
    malformed order.

    Returns:
        The book of the readable orders, and one problem per unreadable order: its source is
        the page (``"2026-01-01 page 3"``) or the items response (``"getOrderItems <id>"``),
        its column the JSON path there.

    Raises:
        ReportFormatError: a value the reader refuses that belongs to no order.

    """
    orders, origin = [], []
    for n, (page, _) in enumerate(batch, start=first_page):
        for i, order in enumerate(_orders_of(page)):
            orders.append(order)
            origin.append((n, i))
    items = [i for _, its in batch for i in its or []]
    problems: list[ReportFormatError] = []
    while True:
        try:
            return _read(orders, items, version), problems
        except ReportFormatError as exc:
            found = _AT.match(str(exc.column))
            if found is None:
                raise
            problems.append(_drop(found, exc, orders, origin, items, version))


def _drop(
    found: re.Match[str],
    exc: ReportFormatError,
    orders: list[Any],
    origin: list[tuple[int, int]],
    items: list[Any],
    version: str,
) -> ReportFormatError:
    """Take the order ``found`` points at (and its items) out of the batch; return its problem."""
    where, index, rest = found.group(2), int(found.group(3)), found.group(4)
    if where == "payload.OrderItems":  # in a getOrderItems response: $[n] counts the page first
        oid = (items[int(found.group(1)) - 1].get("payload") or {}).get("AmazonOrderId")
        source, path = f"getOrderItems {oid}", f"$.payload.OrderItems[{index}]"
        matches = [k for k, o in enumerate(orders) if o.get("AmazonOrderId") == oid]
    else:
        n, i = origin[index]
        key = "payload.Orders" if version == "v0" else "orders"
        source, path, matches = f"{version} page {n}", f"$.{key}[{i}]", [index]
        oid = orders[index].get("AmazonOrderId") if isinstance(orders[index], Mapping) else None
    items[:] = [r for r in items if oid is None or r["payload"].get("AmazonOrderId") != oid]
    for k in reversed(matches):
        del orders[k], origin[k]
    return ReportFormatError(source, None, path + rest, exc.value, exc.expected)


class _Pages:
    """The pages of one window, for one API version."""

    def __init__(self, transport: Transport, marketplace: str, window: Window, pii: bool) -> None:
        self.t = transport
        self.marketplace = marketplace
        self.window = window
        self.pii = pii

    def v2026(self, page_size: int) -> Any:
        included = ",".join(_INCLUDED + (_PII if self.pii else ()))
        query = {
            "lastUpdatedAfter": _iso(self.window.after),
            "lastUpdatedBefore": _iso(self.window.before),
            "marketplaceIds": self.marketplace,
            "includedData": included,
            "maxResultsPerPage": page_size,
        }
        while True:
            page = self.t.call(
                "searchOrders", "GET", "/orders/2026-01-01/orders", params=query
            ).json()
            yield page, None
            token = (page.get("pagination") or {}).get("nextToken")
            if not token:
                return
            # The same parameters with the token (includedData and the page size may change).
            query = {**query, "paginationToken": token}

    def v0(self, page_size: int) -> Any:
        query: dict[str, Any] = {
            "LastUpdatedAfter": _iso(self.window.after),
            "LastUpdatedBefore": _iso(self.window.before),
            "MarketplaceIds": self.marketplace,
            "MaxResultsPerPage": page_size,
        }
        path = "/orders/v0/orders"
        token = (lambda: self.t.restricted_token(path, _V0_PII)) if self.pii else None
        while True:
            page = self.t.call("getOrders", "GET", path, params=query, token=token).json()
            orders = (page.get("payload") or {}).get("Orders") or []
            yield page, [self._items(o.get("AmazonOrderId")) for o in orders if isinstance(o, dict)]
            following = (page.get("payload") or {}).get("NextToken")
            if not following:
                return
            query = {"NextToken": following, "MarketplaceIds": self.marketplace}

    def _items(self, order_id: Any) -> dict[str, Any]:
        """Return one getOrderItems response, its pages joined."""
        path = f"/orders/v0/orders/{order_id}/orderItems"
        body = self.t.call("getOrderItems", "GET", path).json()
        items = list(body["payload"].get("OrderItems") or [])
        while body["payload"].get("NextToken"):
            params = {"NextToken": body["payload"]["NextToken"]}
            body = self.t.call("getOrderItems", "GET", path, params=params).json()
            items += body["payload"].get("OrderItems") or []
        return {"payload": {"AmazonOrderId": order_id, "OrderItems": items}}


def run_sync(
    transport: Transport,
    target: Any,
    *,
    marketplace: str,
    version: str,
    now: dt.datetime,
    since: dt.datetime | None = None,
    pii: bool = True,
    page_size: int = 100,
    batch_orders: int = 2000,
    progress: Progress | None = None,
) -> SyncResult:
    """Sync the orders updated since the watermark into ``target`` (a Store or an OrderBook).

    See the module docstring; :meth:`SellerCentral.sync` is the public face. Pages are read and
    saved in batches of at least ``batch_orders`` orders (and at the window's end): a save has a
    fixed cost that one page of 100 orders would not repay.

    Raises:
        ApiError: an operation failed for good; its message says how many pages and orders were
            fetched and saved before (the watermark did not move).
        AuthorizationError: the credentials were refused.
        StoreError: a page could not be saved.
        ValueError: ``version`` is unknown, or ``now``/``since`` naive.

    """
    from orderkit.store import Store

    if version not in ("2026-01-01", "v0"):
        raise ValueError(f"version must be '2026-01-01' or 'v0', not {version!r}")
    store = target if isinstance(target, Store) else None
    name = state_name(marketplace)
    state = store.sync_state(name) if store is not None else None
    window, watermark, restarted = plan_window(state, now=now, since=since)
    if window.after >= window.before:  # synced less than 2 minutes ago: nothing to ask for yet
        book = target if store is None else None
        last = watermark or window.before
        return SyncResult(version, window, 0, 0, ImportSummary(), watermark, last, book=book)
    if store is not None:
        store.set_sync_state(name, {**(state or {}), "window": window.as_json()})
    pages = _Pages(transport, marketplace, window, pii)
    source = pages.v2026(page_size) if version == "2026-01-01" else pages.v0(page_size)
    book = None if store is not None else target
    summary, problems, done, count = ImportSummary(), [], 0, 0
    batch: list[tuple[Any, Any]] = []

    def flush() -> None:
        nonlocal summary, book, count
        read, bad = read_batch(batch, version=version, first_page=done - len(batch) + 1)
        problems.extend(bad)
        if store is not None:
            summary = summary + store.save(read)
        else:
            book = book.merge(read)
            summary = summary + book.summary
        count += len(read.orders)
        batch.clear()

    try:
        for page, items in source:
            batch.append((page, items))
            done += 1
            if sum(_size(p) for p, _ in batch) >= batch_orders:
                flush()
            if progress is not None:
                progress(done, count + sum(_size(p) for p, _ in batch))
        if batch:
            flush()
    except ApiError as exc:
        if batch:
            flush()  # keep what was fetched: the rerun's reconciliation skips it
        raise exc.with_fetched(
            f"{done} page(s) were fetched and {count} orders saved before; the watermark"
            f" stays at {_iso(watermark) if watermark else 'none'} and the next sync restarts"
            f" the window from {_iso(window.after)}"
        ) from exc
    if store is not None:
        store.set_sync_state(
            name, {"watermark": _iso(window.before), "window": None, "last_sync": _iso(now)}
        )
    return SyncResult(
        version,
        window,
        done,
        count,
        summary,
        watermark,
        window.before,
        restarted,
        tuple(problems),
        None if store is not None else book,
        transport.calls,
    )


def fetch_order(
    transport: Transport, order_id: str, *, version: str, marketplace: str, pii: bool
) -> OrderBook:
    """Return one order, fetched now with getOrder (v0: with getOrderItems), as a book.

    Raises:
        ApiError: the order is unknown (404) or the API kept failing.
        ReportFormatError: the order is malformed.

    """
    pages = _Pages(transport, marketplace, Window(_EPOCH, _EPOCH), pii)
    if version == "2026-01-01":
        included = ",".join(_INCLUDED + (_PII if pii else ()))
        path = f"/orders/2026-01-01/orders/{order_id}"
        body = transport.call("getOrder", "GET", path, params={"includedData": included}).json()
        return read_spapi_orders({"orders": [body["order"]]}, source="spapi")
    path = f"/orders/v0/orders/{order_id}"
    token = (lambda: transport.restricted_token(path, _V0_PII)) if pii else None
    body = transport.call("getOrder", "GET", path, token=token).json()
    page = {"payload": {"Orders": [body["payload"]]}}
    return read_spapi_orders(page, items=[pages._items(order_id)], source="spapi")
