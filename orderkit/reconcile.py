"""Import is reconciliation: a snapshot adds only what is new for each order.

Amazon's reports and SP-API responses are **snapshots** of each order's current state, not event
logs. :func:`reconcile` decides, once for every caller (``OrderBook.merge``, ``Store.save``,
``Store.append``, the readers' books and the SP-API sync), what a snapshot adds to what is already
known: which order and item fields change, which events are new, which are already known (or
satisfied by a fact the seller recorded) and which contradict what is known. It returns the rows
to write and an :class:`ImportSummary` an analyst can read.

The rules (``docs/data-layer.md`` has the same table with the reasons):

==================  ===========================================================================
what                rule
==================  ===========================================================================
order, item fields  A value a snapshot lacks (blank: the Unshipped report has no prices, All
                    Orders no buyer) never erases a known one. A snapshot *newer* than what is
                    known overwrites the fields it carries; an older one only fills blanks.
"newer"             All Orders and SP-API: a later ``last_updated``; the Unshipped and Order
                    reports carry no such time and are never newer (they fill blanks only).
items across kinds  Matched by order-item id where both have it, else by SKU (unique in the
                    order); All Orders keys items ``sku:<SKU>``. A matched item keeps the id it
                    was first stored under, so the events that name it still do.
one-off facts       ``placed``, ``payment_completed``, ``awaiting_release``, ``canceled``,
                    ``unfulfillable``, ``invoice_pending``, ``payment_expired``: added only if the
                    order has no such fact yet — from any origin (a fact the seller recorded
                    satisfies the same fact in a snapshot).
shipments           A snapshot's shipment adds only the quantity not yet confirmed: nothing for
                    an order already confirmed whole (by the seller or an earlier snapshot), the
                    rest of each item otherwise.
shipment time       The earliest wins: a snapshot's shipment time is when it last saw the order
                    change (``last_updated``), an upper bound of the confirmation; the earliest
                    such bound is the closest to the truth, and Amazon moves the date later for
                    refunds and other changes, never earlier. So a snapshot that shows an
                    imported shipment earlier than the stored one voids the stored one and adds
                    its own (a correction, append-only). A shipment the seller recorded in
                    orderkit is exact and is never replaced.
contradictions      A snapshot fact that the rules refuse after what is known (a ``Canceled``
                    snapshot of a shipped order, ...) is not added: it is listed in the summary's
                    ``conflicts`` with the order, the rule and the file line. The rest of the
                    snapshot is imported.
seller's events     Actions, contacts, deadlines and corrections are facts recorded once: added
                    when new (by id), never changed by an import. If one of them would leave an
                    order that does not fold, nothing is imported: :class:`TransitionNotAllowed`.
==================  ===========================================================================

Importing anything twice adds nothing; importing snapshots of one kind in any order leaves each
order as the newest alone would (status, charge, shipped quantities, totals).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from orderkit import schema
from orderkit.book import OrderBook
from orderkit.errors import ReportFormatError, TransitionNotAllowed
from orderkit.events import Actor, EventKind, Origin, event_ids, live
from orderkit.i18n import ngettext
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.status import Trigger

__all__ = ["Conflict", "ImportSummary", "Reconciled", "reconcile", "superseded", "unfolded"]

K = EventKind
#: Facts an order has at most once: a snapshot repeats them, an import adds them once.
ONCE = frozenset(
    {K.PLACED, K.PAYMENT_COMPLETED, K.AWAITING_RELEASE, K.RELEASED, K.CANCELED, K.UNFULFILLABLE,
     K.INVOICE_PENDING, K.PAYMENT_EXPIRED}
)  # fmt: skip
#: Kinds the fleet lens replays (and so checks); the per-order lens checks the others.
_FLEET_CHECKED = frozenset(
    {K.PLACED, K.SHIPMENT_CONFIRMED} | {k for k in EventKind if k.value in set(Trigger)}
)
_IMPORT = str(Origin.IMPORT)


@dataclass(frozen=True, slots=True)
class Conflict:
    """A fact of a snapshot that contradicts what is known: not imported.

    Attributes:
        order_id: the order.
        kind: the event kind the snapshot implied (e.g. ``canceled``).
        rule: the id of the rule that refuses it (:data:`orderkit.rules.RULES`).
        detail: the facts of this order that made the rule apply (English).
        source: the file or response it came from.
        line: the line of the file where the order starts, when the reader knows it.
    """

    order_id: str
    kind: str
    rule: str
    detail: str
    source: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}, line {self.line}: " if self.source and self.line else ""
        return f"{where}{self.order_id}: {self.kind} not imported ({self.rule}: {self.detail})"


@dataclass(frozen=True)
class ImportSummary:
    """What an import did, for an analyst: see :meth:`describe`.

    Attributes:
        sources: the files or responses imported.
        new_orders: orders not known before.
        status_changes: known orders whose status changed: ``order_id``, ``before``, ``after``.
        unchanged: orders of the snapshot to which nothing was added.
        events_added: facts added (corrections included).
        duplicates_skipped: facts of the snapshot already known (or satisfied), not added again.
        conflicts: facts not imported because they contradict what is known.
        problems: rows the reader could not read (see ``OrderBook.problems``).
    """

    sources: tuple[str, ...] = ()
    new_orders: tuple[str, ...] = ()
    status_changes: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["order_id", "before", "after"])
    )
    unchanged: int = 0
    events_added: int = 0
    duplicates_skipped: int = 0
    conflicts: tuple[Conflict, ...] = ()
    problems: tuple[ReportFormatError, ...] = ()

    def describe(self, lang: str = "en") -> str:
        """Return the summary as a few lines an analyst reads, in ``lang``."""
        lines = [
            ngettext("{n} new order", "{n} new orders", len(self.new_orders), lang,
                     n=len(self.new_orders)),
            ngettext("{n} status change", "{n} status changes", len(self.status_changes), lang,
                     n=len(self.status_changes)),
            ngettext("{n} order unchanged", "{n} orders unchanged", self.unchanged, lang,
                     n=self.unchanged),
            ngettext("{n} duplicate skipped", "{n} duplicates skipped", self.duplicates_skipped,
                     lang, n=self.duplicates_skipped),
        ]  # fmt: skip
        if self.conflicts:
            lines.append(
                ngettext(
                    "{n} conflict (not imported):",
                    "{n} conflicts (not imported):",
                    len(self.conflicts),
                    lang,
                    n=len(self.conflicts),
                )
            )
            lines += [f"  {c}" for c in self.conflicts]
        if self.problems:
            lines.append(
                ngettext(
                    "{n} row could not be read:",
                    "{n} rows could not be read:",
                    len(self.problems),
                    lang,
                    n=len(self.problems),
                )
            )
            lines += [f"  {p}" for p in self.problems]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.describe("en")

    def __add__(self, other: ImportSummary) -> ImportSummary:
        """Return the summary of two imports one after the other."""
        changes = pd.concat([self.status_changes, other.status_changes], ignore_index=True)
        return ImportSummary(
            self.sources + other.sources,
            self.new_orders + other.new_orders,
            changes.drop_duplicates("order_id", keep="last") if len(changes) else changes,
            self.unchanged + other.unchanged,
            self.events_added + other.events_added,
            self.duplicates_skipped + other.duplicates_skipped,
            self.conflicts + other.conflicts,
            self.problems + other.problems,
        )


@dataclass(frozen=True)
class Reconciled:
    """What a snapshot adds: the rows to write and the summary.

    Attributes:
        orders: order rows to upsert (merged field by field with the known ones).
        items: item rows to upsert, under the known item ids.
        events: events to append (new facts, then corrections).
        summary: what happened, for the analyst.
    """

    orders: pd.DataFrame
    items: pd.DataFrame
    events: pd.DataFrame
    summary: ImportSummary


def _ids(values: pd.Series | pd.Index) -> set[str]:
    """Return the distinct ids of a column as a set of ``str`` (without visiting Arrow values one by one)."""
    unique = pd.unique(values.to_numpy(dtype=object, na_value=None))
    return set(pa.array(unique, pa.large_string()).drop_null().to_pylist())


# ---- rows: orders and items --------------------------------------------------------------------


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with its ``category`` columns as ``str`` (rows can then mix freely)."""
    cats = [c for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)]
    return frame.astype({c: schema.STR for c in cats}) if cats else frame


def _merge_rows(known: pd.DataFrame, incoming: pd.DataFrame, key: list[str], newer: np.ndarray):  # noqa: ANN202
    """Return ``incoming``'s rows merged field by field into the ``known`` rows of the same key.

    A blank never erases a value; where both have one, ``newer`` rows win.
    """
    if incoming.empty or known.empty:
        return incoming
    inc = _plain(incoming).reset_index(drop=True)
    old = _plain(known).drop_duplicates(key, keep="last").set_index(key)
    pos = old.index.get_indexer(pd.MultiIndex.from_frame(inc[key]) if len(key) > 1 else inc[key[0]])
    hit = pos >= 0
    if not hit.any():
        return incoming
    out = inc.copy()
    rows = np.flatnonzero(hit)
    for c in inc.columns:
        if c in key or c not in old.columns:
            continue
        have = old[c].to_numpy(dtype=object)[pos[rows]]
        mine = inc[c].iloc[rows]
        blank = mine.isna().to_numpy()
        old_blank = pd.isna(have)
        keep_old = ~old_blank & (blank | ~newer[rows])
        if keep_old.any():
            col = out[c].astype(object)
            col.iloc[rows[keep_old]] = have[keep_old]
            out[c] = col
    return schema.conform(out, "orders" if key == ["order_id"] else "items")


def _with_placed_orders(
    orders: pd.DataFrame, events: pd.DataFrame, known: set[str]
) -> pd.DataFrame:
    """Return ``orders`` plus a row for each order first known by its ``placed`` event alone.

    Such an order (events appended without their book) has its id and purchase date and nothing
    else yet: a later snapshot fills the rest.
    """
    placed = events.loc[events["kind"] == K.PLACED, ["order_id", "at"]]
    have = known | _ids(orders["order_id"])
    placed = placed.loc[~schema.is_in(placed["order_id"], have)].drop_duplicates("order_id")
    if placed.empty:
        return orders
    rows = schema.conform(placed.rename(columns={"at": "purchase_date"}), "orders")
    return schema.concat([orders, rows]) if len(orders) else rows


def _newer(known: pd.DataFrame, incoming: pd.DataFrame) -> np.ndarray:
    """Return, for each incoming order row, whether it is newer than the known row (see table)."""
    old = known.drop_duplicates("order_id", keep="last").set_index("order_id")["last_updated"]
    have = old.reindex(incoming["order_id"]).to_numpy()
    mine = incoming["last_updated"].to_numpy()
    return ~pd.isna(mine) & (pd.isna(have) | (mine >= have))


def _item_ids(known: pd.DataFrame, incoming: pd.DataFrame) -> pd.Series:
    """Return each incoming item's id under the known one it matches (its own id if none).

    By order-item id where both have it, else by SKU where the SKU is unique in the order on
    both sides (All Orders keys items ``sku:<SKU>``, the other kinds by Amazon's item id).
    """
    ids = incoming["order_item_id"].astype(schema.STR).reset_index(drop=True)
    if known.empty or incoming.empty:
        return ids
    exact = pd.MultiIndex.from_frame(known[["order_id", "order_item_id"]].astype(schema.STR))
    mine = pd.MultiIndex.from_frame(incoming[["order_id", "order_item_id"]].astype(schema.STR))
    unmatched = ~mine.isin(exact)
    if not unmatched.any():
        return ids

    def skus(frame: pd.DataFrame) -> pd.DataFrame:
        sku = frame["sku"].astype(schema.STR)
        key = frame["order_item_id"].astype(schema.STR)
        from_key = key.str.removeprefix("sku:").str.replace(r"#\d+$", "", regex=True)
        sku = sku.fillna(from_key.where(key.str.startswith("sku:")))
        out = pd.DataFrame({"order_id": frame["order_id"].astype(schema.STR), "sku": sku,
                            "item": key}).dropna()  # fmt: skip
        return out[~out.duplicated(["order_id", "sku"], keep=False)]

    k, i = skus(known), skus(incoming)
    k_index = pd.MultiIndex.from_frame(k[["order_id", "sku"]])
    i_pos = pd.MultiIndex.from_frame(i[["order_id", "sku"]])
    found = k_index.get_indexer(i_pos)
    hit = found >= 0
    mapping = dict(  # (order, item) → the known item: an All Orders key repeats across orders
        zip(zip(i["order_id"].to_numpy()[hit], i["item"].to_numpy()[hit], strict=True),
            k["item"].to_numpy()[found[hit]], strict=True)
    )  # fmt: skip
    orders = incoming["order_id"].astype(schema.STR).to_numpy(dtype=object)
    values = ids.to_numpy(dtype=object)
    rows = np.flatnonzero(unmatched)
    values[rows] = [mapping.get((orders[r], values[r]), values[r]) for r in rows]
    return pd.Series(values, dtype=schema.STR)


# ---- events ----------------------------------------------------------------------------------------


def _pairs(frame: pd.DataFrame, *cols: str) -> pd.MultiIndex:
    return pd.MultiIndex.from_frame(frame[list(cols)].astype(schema.STR))


def _shipped(events: pd.DataFrame) -> tuple[set[str], pd.Series]:
    """Return the orders confirmed whole and the confirmed quantity of each (order, item)."""
    ships = events.loc[events["kind"] == K.SHIPMENT_CONFIRMED]
    whole = _ids(ships.loc[ships["order_item_id"].isna(), "order_id"])
    per_item = ships.loc[ships["order_item_id"].notna()]
    qty = per_item.groupby(
        [per_item["order_id"].astype(str), per_item["order_item_id"].astype(str)]
    )["quantity"].sum()
    return whole, qty


def _complete(whole: set[str], qty: pd.Series, items: pd.DataFrame) -> set[str]:
    """Return the orders whose every item is confirmed (whole, or item by item)."""
    if items.empty:
        return set(whole)
    ordered = items.groupby([items["order_id"].astype(str), items["order_item_id"].astype(str)])[
        "quantity"
    ].sum()
    done = qty.reindex(ordered.index).fillna(0) >= ordered
    by_order = done.groupby(level=0).all()
    return set(whole) | _ids(by_order.index[by_order.to_numpy()])


def _import_events(
    known: pd.DataFrame, incoming: pd.DataFrame, items: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the snapshot's events that are new (see the table) and the corrections they need."""
    ones = incoming["kind"].isin(ONCE).to_numpy()
    once = incoming.loc[ones].sort_values("at", kind="stable")
    once = once.loc[~_pairs(once, "order_id", "kind").isin(_pairs(known, "order_id", "kind"))]
    once = once.loc[~once.duplicated(["order_id", "kind"])]

    ships = incoming.loc[incoming["kind"] == K.SHIPMENT_CONFIRMED].sort_values("at", kind="stable")
    whole, qty = _shipped(known)
    done = _complete(whole, qty, items)
    oid = ships["order_id"].astype(str)
    add_whole = ships.loc[ships["order_item_id"].isna() & ~oid.isin(done)]
    add_whole = add_whole.loc[~add_whole["order_id"].duplicated()]
    voids = _earlier_shipments(known, ships.loc[ships["order_item_id"].isna() & oid.isin(done)])
    add_whole = pd.concat([add_whole, voids[1]]) if len(voids[1]) else add_whole

    parts = ships.loc[ships["order_item_id"].notna() & ~oid.isin(done)]
    fresh = ~parts["order_id"].astype(str).isin(_ids(qty.index.get_level_values(0)) | whole)
    as_given, parts = parts.loc[fresh], parts.loc[~fresh]  # nothing confirmed yet: as they are
    if len(parts):
        ordered = items.set_index(
            [items["order_id"].astype(str), items["order_item_id"].astype(str)]
        )["quantity"]
        key = [parts["order_id"].astype(str), parts["order_item_id"].astype(str)]
        snap = parts.groupby(key, sort=False).agg(at=("at", "min"), quantity=("quantity", "sum"))
        full = ordered.reindex(snap.index).to_numpy()
        snap_qty = snap["quantity"].to_numpy(dtype=float, na_value=np.nan)
        snap_qty = np.where(np.isnan(snap_qty), full, snap_qty)
        delta = snap_qty - qty.reindex(snap.index).fillna(0).to_numpy(dtype=float)
        delta = np.nan_to_num(delta, nan=0.0)  # an item the order does not have: nothing to add
        first = parts.loc[~parts.duplicated(["order_id", "order_item_id"])].copy()
        first["quantity"] = pd.array(np.round(delta).astype("int64"), dtype="Int64")
        parts = first.loc[delta > 0]
    other = incoming.loc[~ones & (incoming["kind"] != K.SHIPMENT_CONFIRMED)]
    new = schema.concat([once, add_whole, as_given, parts, other])
    new = schema.conform(new, "events") if len(new) else schema.empty("events")
    new["event_id"] = event_ids(new)
    return new, voids[0]


def _earlier_shipments(
    known: pd.DataFrame, ships: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return voids of imported whole-order shipments that ``ships`` shows earlier, and those.

    Only an order confirmed by exactly one imported whole-order shipment, and by nothing else,
    has its time corrected (see the table: the earliest snapshot time wins).
    """
    empty = schema.empty("events")
    if ships.empty:
        return empty, empty
    mine = known.loc[known["kind"] == K.SHIPMENT_CONFIRMED]
    counts = mine.groupby(mine["order_id"].astype(str)).size()
    solo = mine.loc[
        mine["order_item_id"].isna()
        & (mine["origin"].astype(str) == _IMPORT)
        & mine["order_id"].astype(str).map(counts).eq(1)
    ]
    solo = solo.set_index(solo["order_id"].astype(str))
    first = ships.loc[~ships["order_id"].duplicated()]
    oid = first["order_id"].astype(str)
    stored = solo.reindex(oid)
    earlier = (first["at"].to_numpy() < stored["at"].to_numpy()) & stored[
        "event_id"
    ].notna().to_numpy()
    if not earlier.any():
        return empty, empty
    replaced = stored.loc[earlier].reset_index(drop=True)
    voids = _voids(
        replaced, "an earlier snapshot shows the order shipped sooner: the earliest time is kept"
    )
    # the void is recorded when it is learnt: at the snapshot's time, or after the voided event
    voids["at"] = np.maximum(first["at"].to_numpy()[earlier], replaced["at"].to_numpy())
    voids["source"] = schema.codes(
        first["source"].astype(schema.STR).iloc[np.flatnonzero(earlier)].reset_index(drop=True)
    )
    voids["event_id"] = event_ids(voids)
    return voids, first.loc[earlier]


# ---- the check ---------------------------------------------------------------------------------


def _horizon(times: Sequence[pd.Timestamp]) -> pd.Timestamp:
    """Return the instant to check at: the latest event's, up to a whole microsecond.

    (Python's datetimes, which the per-order lens takes, stop at microseconds.)
    """
    latest = max(times) if len(times) else pd.Timestamp("2000-01-01", tz="UTC")
    return latest.ceil("us")


def _refusals(book: OrderBook, orders: Sequence[str], at: pd.Timestamp, policy: Policy) -> set[str]:
    """Return the orders of ``orders`` that do not fold (fleet lens, then the per-order lens)."""
    from orderkit.metrics import status_at

    if not len(orders):
        return set()
    sub = book.subset(orders)
    events = sub.live_events
    placed = _ids(events.loc[events["kind"] == K.PLACED, "order_id"])
    bad = set(orders) - (placed & _ids(sub.orders["order_id"]))
    if len(placed - bad):
        fleet = status_at(sub.subset(placed - bad), at.to_pydatetime(), policy=policy)
        bad |= _ids(fleet.index[fleet["refused"].to_numpy()]) | (placed - bad - _ids(fleet.index))
    unchecked = events.loc[~events["kind"].isin(_FLEET_CHECKED), "order_id"].astype(str)
    for order_id in _ids(unchecked) - bad:
        try:
            sub.order(order_id).state(at=at.to_pydatetime(), policy=policy)
        except TransitionNotAllowed:
            bad.add(order_id)
    return bad


def _why(book: OrderBook, order_id: str, at: pd.Timestamp, policy: Policy) -> TransitionNotAllowed:
    """Return the refusal the per-order lens gives for ``order_id`` (which does not fold)."""
    try:
        book.order(order_id).state(at=at.to_pydatetime(), policy=policy)
    except TransitionNotAllowed as exc:
        return exc
    except (KeyError, ValueError) as exc:  # no order row, or no placed event
        from orderkit.rules import rule

        return TransitionNotAllowed(order_id, None, "placed", rule("placed-once"), str(exc))
    raise AssertionError(f"{order_id} folds")  # pragma: no cover - only called on refusals


def unfolded(book: OrderBook, *, policy: Policy = DEFAULT_POLICY) -> pd.DataFrame:
    """Return every order of ``book`` that does not fold, with the event and the rule that refuse.

    Checked at the latest event's instant: the fleet lens first, the per-order lens for the kinds
    it does not replay and to name the rule (:meth:`orderkit.store.Store.check` uses it).

    Returns:
        A frame with ``order_id``, ``kind`` (the refused event's), ``rule`` and ``detail``;
        empty when every order folds.
    """
    rows = []
    if len(book.events):
        horizon = _horizon([book.events["at"].max()])
        ids = sorted(_ids(book.orders["order_id"]) | _ids(book.events["order_id"]))
        for order_id in sorted(_refusals(book, ids, horizon, policy)):
            exc = _why(book, order_id, horizon, policy)
            kind = str(getattr(exc.event, "kind", exc.event))
            rows.append((order_id, kind, exc.rule.id, exc.detail or exc.rule.en))
    return pd.DataFrame(rows, columns=["order_id", "kind", "rule", "detail"])


def _statuses(
    book: OrderBook, orders: Iterable[str], at: pd.Timestamp, policy: Policy
) -> pd.Series:
    from orderkit.metrics import status_at

    ids = list(orders)
    if not ids:
        return pd.Series(dtype=schema.STR)
    return status_at(book.subset(ids), at.to_pydatetime(), policy=policy)["status"]


# ---- reconcile -------------------------------------------------------------------------------------


def reconcile(
    known: OrderBook,
    incoming: OrderBook,
    *,
    policy: Policy = DEFAULT_POLICY,
    lines: pd.Series | None = None,
) -> Reconciled:
    """Return what ``incoming`` adds to ``known`` (see the module's table), checked.

    Args:
        known: what is already known — at least every order ``incoming`` touches, with all
            their events (a store reads just those).
        incoming: a snapshot (a reader's book, an SP-API response) or any book to merge; its
            events of origin ``import`` are reconciled, the others added when new.
        policy: the seller's policy (for the check).
        lines: the file line where each order starts (``order_id`` → line), to name it in a
            conflict.

    Returns:
        The rows to write (orders, items, events) and the :class:`ImportSummary`.

    Raises:
        TransitionNotAllowed: an event that is not a snapshot's (an action, a correction, a
            simulated or sample fact) would leave its order not folding; nothing is returned.
    """
    ev = incoming.events.drop_duplicates("event_id")
    touched = _ids(incoming.orders["order_id"]) | _ids(ev["order_id"])
    before = known.subset(touched) if len(known) or len(known.events) else known
    known_ids = _ids(before.orders["order_id"])

    rows = _with_placed_orders(incoming.orders, ev, _ids(before.orders["order_id"]))
    newer = _newer(before.orders, rows)
    orders = _merge_rows(before.orders, rows, ["order_id"], newer)
    item_ids = _item_ids(before.items, incoming.items)
    inc_items = incoming.items.reset_index(drop=True).assign(order_item_id=item_ids)
    item_newer = pd.Series(newer, index=rows["order_id"].astype(str).to_numpy())
    item_newer = item_newer[~item_newer.index.duplicated()]
    flags = item_newer.reindex(inc_items["order_id"].astype(str)).fillna(False).to_numpy(bool)
    items = _merge_rows(before.items, inc_items, ["order_id", "order_item_id"], flags)

    seen = ev["event_id"].isin(before.events["event_id"]).to_numpy()
    fresh = ev.loc[~seen]
    imported = (fresh["origin"].astype(str) == _IMPORT).to_numpy()
    logs = fresh.loc[~imported]
    snap = fresh.loc[imported]
    if len(snap) and snap["order_item_id"].notna().any():
        # keyed by order and item: All Orders' ``sku:<SKU>`` keys repeat from order to order
        rename = dict(
            zip(
                zip(incoming.items["order_id"].astype(str),
                    incoming.items["order_item_id"].astype(str), strict=True),
                item_ids, strict=True,
            )
        )  # fmt: skip
        iid = [
            rename.get((str(o), str(i)), i) if not pd.isna(i) else i
            for o, i in zip(snap["order_id"], snap["order_item_id"], strict=True)
        ]
        snap = snap.assign(order_item_id=pd.array(iid, dtype=schema.STR))
    all_items = schema.concat([before.items, items])
    all_items = all_items.drop_duplicates(["order_id", "order_item_id"], keep="last")
    known_live = schema.concat([live(before.events), logs])
    snap_new, voids = _import_events(known_live, snap, all_items)
    snap_new = snap_new.loc[~snap_new["event_id"].isin(before.events["event_id"])]

    after = _book(before, orders, items, [logs, snap_new, voids])
    times = [f["at"].max() for f in (before.events, ev) if len(f)]
    horizon = _horizon(times)
    touched_now = sorted(
        _ids(logs["order_id"]) | _ids(snap_new["order_id"]) | _ids(voids["order_id"])
    )
    bad = _refusals(after, touched_now, horizon, policy)
    conflicts: list[Conflict] = []
    if bad:
        snap_new = snap_new.loc[~snap_new["order_id"].isin(bad)]
        voids = voids.loc[~voids["order_id"].isin(bad)]
        kept = _book(before, orders, items, [logs, snap_new, voids])
        has_events = _ids(kept.events["order_id"])
        still = _refusals(kept, sorted(bad & has_events), horizon, policy)
        if still:  # not the snapshot's doing: a seller's (or a program's) event does not fold
            raise _why(kept, min(still), horizon, policy)
        for order_id in sorted(bad):
            exc = _why(after, order_id, horizon, policy)
            src = snap.loc[snap["order_id"] == order_id, "source"]
            line = None if lines is None else lines.get(order_id)
            conflicts.append(
                Conflict(
                    order_id,
                    str(getattr(exc.event, "kind", exc.event)),
                    exc.rule.id,
                    exc.detail or exc.rule.en,
                    str(src.iloc[0]) if len(src) else None,
                    None if line is None or pd.isna(line) else int(line),
                )
            )
        after = kept

    added = schema.concat([f for f in (logs, snap_new, voids) if len(f)])
    added = schema.conform(added, "events") if len(added) else schema.empty("events")
    changed_orders = _ids(added["order_id"])
    status_before = _statuses(before, known_ids & changed_orders, horizon, policy)
    status_after = _statuses(after, known_ids & changed_orders, horizon, policy)
    moved = status_before.ne(status_after.reindex(status_before.index))
    changes = pd.DataFrame(
        {
            "order_id": status_before.index[moved.to_numpy()].astype(str),
            "before": status_before[moved].to_numpy(),
            "after": status_after.reindex(status_before.index)[moved].to_numpy(),
        }
    )
    snapshot_orders = _ids(incoming.orders["order_id"])
    summary = ImportSummary(
        sources=tuple(sorted({str(s) for s in ev["source"].dropna().unique()})),
        new_orders=tuple(sorted(snapshot_orders - known_ids)),
        status_changes=changes,
        unchanged=len((snapshot_orders & known_ids) - changed_orders),
        events_added=len(added),
        duplicates_skipped=int(seen.sum())
        + max(len(snap) - len(snap_new) - int(snap["order_id"].isin(bad).sum()), 0),
        conflicts=tuple(conflicts),
        problems=tuple(incoming.problems),
    )  # fmt: skip
    return Reconciled(orders, items, added, summary)


def _book(
    before: OrderBook, orders: pd.DataFrame, items: pd.DataFrame, events: list[pd.DataFrame]
) -> OrderBook:
    """Return ``before`` with merged ``orders``/``items`` rows and ``events`` added."""
    from orderkit.book import _upsert

    frames = [before.events, *[e for e in events if len(e)]]
    return OrderBook(
        _upsert(before.orders, orders, ["order_id"]),
        _upsert(before.items, items, ["order_id", "order_item_id"]),
        schema.concat(frames) if len(frames) > 1 else before.events,
    )


def superseded(book: OrderBook, *, policy: Policy = DEFAULT_POLICY) -> pd.DataFrame:
    """Return what repairs a book whose snapshots were appended, not reconciled (older stores).

    The imported events of each source are replayed through :func:`reconcile`, source after
    source in the order they were stored, on top of every other event. Each stored event the
    reconciliation would not have added gets a ``voided`` event (origin ``correction``) saying it
    was superseded; the facts reconciliation adds instead (the remaining quantity of a shipment,
    an earlier shipment time) come with them. Nothing is deleted.

    A source whose events cannot be reconciled without leaving some order not folding (a seller's
    event that depends on it) is kept as it is; :meth:`orderkit.store.Store.check` then lists
    those orders.

    Returns:
        The events to append (voids, then the facts added instead), in the event table's schema.
    """
    events = book.events
    imported = (events["origin"].astype(str) == _IMPORT).to_numpy()
    known = OrderBook(book.orders, book.items, events.loc[~imported])
    out: list[pd.DataFrame] = []
    batches = events.loc[imported]
    for source in pd.unique(batches["source"].astype(str).to_numpy(dtype=object)):
        batch = batches.loc[(batches["source"].astype(str) == source).to_numpy()]
        snapshot = OrderBook(book.orders, book.items, batch).subset(_ids(batch["order_id"]))
        try:
            rec = reconcile(known, snapshot, policy=policy)
        except TransitionNotAllowed:
            known = OrderBook(book.orders, book.items, schema.concat([known.events, batch]))
            continue
        kept = schema.is_in(batch["event_id"].astype(str), _ids(rec.events["event_id"].astype(str)))
        dropped = batch.loc[~kept]
        added = rec.events.loc[~schema.is_in(rec.events["event_id"].astype(str),
                                             _ids(batch["event_id"].astype(str)))]  # fmt: skip
        voids = _voids(dropped, "a repeat of what an earlier import or the seller already recorded")
        out += [voids, added]
        known = OrderBook(
            book.orders, book.items, schema.concat([known.events, batch.loc[kept], added, voids])
        )
    frames = [f for f in out if len(f)]
    return schema.conform(schema.concat(frames), "events") if frames else schema.empty("events")


def _voids(events: pd.DataFrame, note: str) -> pd.DataFrame:
    """Return a ``voided`` event (origin ``correction``, by the system) for each of ``events``."""
    if events.empty:
        return schema.empty("events")
    voids = pd.DataFrame(
        {
            "order_id": events["order_id"].astype(schema.STR).to_numpy(),
            "at": events["at"].to_numpy(),
            "kind": str(K.VOIDED),
            "actor": str(Actor.SYSTEM),
            "ref": events["event_id"].astype("int64").astype(str).to_numpy(),
            "origin": str(Origin.CORRECTION),
            "source": events["source"].astype(schema.STR).to_numpy(),
            "note": note,
        }
    )
    voids = schema.conform(voids, "events")
    voids["event_id"] = event_ids(voids)
    return voids
