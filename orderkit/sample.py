"""Realistic sample data: the order book every notebook and widget opens with.

:func:`book` generates the orders of a small Amazon.co.jp seller over a few weeks, with the
situations the Manage Orders FAQ talks about: card, convenience-store, cash-on-delivery and points
payments (some convenience-store orders still Pending, some expired), seller- and
Amazon-fulfilled orders, business buyers with and without a Buyer PO#, shipments confirmed on time,
late, partially, or never (at risk, then canceled by Amazon at the cutoff), seller and buyer
cancellations, partial unavailability refunded, returns to sender refunded less the actual
shipping cost, deliveries, contacts and reply deadlines, not-received reports, an A-to-z claim and
a combined shipment.

Every order's events fold through the rules (:func:`orderkit.state.fold`): each order is folded at
``now`` while it is generated. The same arguments give the same book; nothing reads the wall clock.

>>> b = book(40, seed=1)
>>> len(b), bool(b.orders["order_id"].str.fullmatch(r"[0-9]{3}-[0-9]{7}-[0-9]{7}").all())
(40, True)
>>> str(b.order(b.orders["order_id"].iloc[0]).state(at=DEFAULT_NOW).status) in set(OrderStatus)
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from faker import Faker

from orderkit.book import OrderBook
from orderkit.businessdays import JST, UTC, BusinessCalendar, end_of_day, to_jst
from orderkit.deadlines import propose_reply_deadline
from orderkit.events import (
    Actor,
    CancelReason,
    Channel,
    Event,
    EventKind,
    Origin,
    ReturnReason,
    events_frame,
)
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.refunds import refund_for_undeliverable, split_saving
from orderkit.state import ItemFacts, OrderFacts, OrderState, fold
from orderkit.status import OrderStatus

__all__ = ["CATALOGUE", "DEFAULT_NOW", "DEFAULT_START", "Product", "book"]

DEFAULT_START = dt.datetime(2026, 11, 2, 0, 0, tzinfo=JST)
"""First instant purchases are drawn from (Monday 2 November 2026, JST)."""

DEFAULT_NOW = dt.datetime(2026, 11, 26, 18, 0, tzinfo=JST)
"""The sample's "now" (Thursday 26 November 2026, 18:00 JST): no event lies after it."""

SOURCE = "sample"


@dataclass(frozen=True, slots=True)
class Product:
    """One product of the sample seller's catalogue (price in yen, tax included)."""

    sku: str
    asin: str
    name: str
    price: int


CATALOGUE: tuple[Product, ...] = tuple(
    Product(*row)
    for row in (
        ("TWL-IMB-FT3", "B0C7K2M4QX", "今治タオル フェイスタオル 3枚セット 綿100% 日本製", 1980),
        ("TEA-UJI-MT40", "B08F3N7R2L", "宇治抹茶 粉末 40g 缶入り 石臼挽き", 1620),
        ("TEA-HOJ-TB50", "B09Q4W8Z6D", "国産ほうじ茶 ティーバッグ 2.5g×50包", 980),
        ("KTL-NBT-065", "B07H9G2C5T", "南部鉄器 急須 0.65L 茶こし付き 黒", 8800),
        ("MUG-ARI-300", "B0B2X6P8NJ", "有田焼 マグカップ 300ml 藍染め 電子レンジ対応", 2420),
        ("TNG-CHU-FUJ", "B0CDZ4H7RM", "注染 手ぬぐい 富士山柄 綿100% 90cm", 1320),
        ("HSI-WKS-5P", "B08L6T3V9K", "若狭塗 箸 5膳セット 食洗機対応 23cm", 2750),
        ("DNB-IGA-6G", "B09R8M1F4S", "伊賀焼 土鍋 6号 1〜2人用", 4980),
        ("SNS-KYO-M", "B0BJ5N2W7P", "京扇子 男性用 竹骨 22.5cm 扇子袋付き", 3300),
        ("WSH-BIN-SET", "B07Y3Q9D1H", "和紙 便箋・封筒セット 季節の花 縦書き", 880),
        ("FRK-HNG-01", "B0C1R7T5GZ", "風呂敷 綿 二巾 68cm 唐草 緑", 1650),
        ("CBL-USBC-2M", "B0BNK3V8XC", "USB-C to USB-C ケーブル 2m 60W PD急速充電", 1280),
        ("BAT-10K-WH", "B0CJH5M2QA", "モバイルバッテリー 10000mAh 軽量 PSE認証 ホワイト", 3480),
        ("STD-ALU-SV", "B09X2F6L8R", "スマホスタンド 折りたたみ アルミ 角度調整 シルバー", 1890),
        ("KBD-JIS-BT", "B0B8Z1N4KE", "Bluetooth キーボード 日本語配列 JIS 充電式", 4280),
        ("NTE-A5-DOT", "B07T6M3H2W", "ノート A5 ドット方眼 5冊パック", 1100),
        ("PEN-GEL-10", "B08C9R4X7N", "ゲルインクボールペン 0.5mm 10色セット", 1430),
        ("RIC-KOS-5K", "B0CPL7D3VQ", "新潟県産 コシヒカリ 5kg 令和8年産", 3980),
        ("NRI-ARI-100", "B09D5K8G1Y", "有明海産 焼海苔 全形 100枚", 4200),
        ("SOY-KIK-1L", "B07Z4R6P3M", "丸大豆醤油 本醸造 1L 瓶", 860),
        ("KNF-SEK-SNT", "B08W1H9J5T", "関の刃物 三徳包丁 165mm ステンレス", 5980),
        ("BLK-LAP-2W", "B0CF3T8N6R", "着る毛布 ルームウェア フリーサイズ グレー", 3290),
        ("HTR-USB-MINI", "B0BSK2Q7LJ", "USB ひざ掛け 電気毛布 3段階温度調節", 2580),
        ("CAL-2027-WALL", "B0DHW6Z3PC", "2027年 壁掛けカレンダー 日本の風景 A3", 1540),
    )
)

# Relative purchase intensity by weekday (Mon..Sun) and by hour of the day in Japan time: online
# shopping in Japan peaks in the evening, with a lunch bump and a busier Sunday.
_WEEKDAY_WEIGHT = np.array([1.0, 0.95, 0.95, 1.0, 1.05, 1.15, 1.3])
# fmt: off
_HOUR_WEIGHT = np.array([3, 2, 1, 0.5, 0.3, 0.3, 0.6, 1.2, 1.8, 2, 2.2, 2.5,
                         3.5, 3, 2.4, 2.3, 2.4, 2.8, 3.2, 3.8, 4.6, 5.2, 5, 4])
# fmt: on
_HOUR_WEIGHT = _HOUR_WEIGHT / _HOUR_WEIGHT.sum()

_PAYMENTS = ("card", "cvs", "cod", "points")
_PAYMENT_WEIGHT = (0.62, 0.14, 0.10, 0.14)
_CARRIERS = ("Yamato", "Sagawa", "JapanPost", "Other")
_CARRIER_WEIGHT = (0.5, 0.25, 0.2, 0.05)
_OTHER_CARRIERS = ("西濃運輸", "福山通運")
_REMOTE = frozenset({"北海道", "沖縄県"})  # longer transit and a dearer shipping charge
_FREE_SHIPPING_FROM = 3500
_COD_FEE = 330


# ---- drafts: one order being generated ---------------------------------------------------------


@dataclass
class _Buyer:
    name: str
    email: str
    phone: str
    postal_code: str
    state: str
    city: str
    address_1: str
    address_2: str | None


@dataclass
class _Draft:
    """An order being generated: its row facts, its items and its events so far."""

    order_id: str
    channel: str
    payment: str
    buyer: _Buyer
    recipient: str
    items: list[dict[str, Any]]
    is_business: bool = False
    po_number: str | None = None
    service_level: str = "Standard"
    is_prime: bool = False
    purchase: dt.datetime = DEFAULT_START
    paid_at: dt.datetime | None = None
    lsd: dt.datetime | None = None
    ldd: dt.datetime | None = None
    events: list[Event] = field(default_factory=list)

    def reset(self, purchase: dt.datetime) -> None:
        self.purchase, self.paid_at, self.lsd, self.ldd = purchase, None, None, None
        self.events = [
            Event(
                self.order_id,
                purchase,
                EventKind.PLACED,
                Actor.BUYER,
                source=SOURCE,
                origin=Origin.SAMPLE,
            )
        ]

    def add(self, at: dt.datetime, kind: EventKind, actor: Actor, **kw: Any) -> dt.datetime:
        """Append an event strictly after the previous one (a tie would make the order ambiguous)."""
        at = max(at, self.events[-1].at + dt.timedelta(seconds=1))
        self.events.append(
            Event(self.order_id, at, kind, actor, source=SOURCE, origin=Origin.SAMPLE, **kw)
        )
        return at

    @property
    def last(self) -> dt.datetime:
        return self.events[-1].at

    @property
    def seller_fulfilled(self) -> bool:
        return self.channel == "MFN"

    def facts(self) -> OrderFacts:
        """The order's facts as :class:`~orderkit.book.OrderView` builds them from the tables."""
        items = tuple(
            ItemFacts(
                order_item_id=i["order_item_id"],
                quantity=i["quantity"],
                amount=i["item_price"] + i["shipping_price"] + i["gift_wrap_price"] + i["cod_fee"]
                - i["item_promotion_discount"],
                item_amount=i["item_price"] - i["item_promotion_discount"],
                sku=i["sku"],
                product_name=i["product_name"],
            )
            for i in self.items
        )  # fmt: skip
        return OrderFacts(
            order_id=self.order_id,
            purchase_date=self.purchase,
            fulfillment_channel=self.channel,
            payment_method=self.payment,
            latest_ship_date=self.lsd,
            latest_delivery_date=self.ldd,
            is_business_order=self.is_business,
            purchase_order_number=self.po_number,
            items=items,
        )


# A fate builds one order's (or a pair's) timeline; it returns False when the purchase times drawn
# cannot give that story (then new times are drawn). ``expect`` checks the states at ``now``.
Build = Callable[["_Generator", Sequence[_Draft]], bool]
Expect = Callable[[Sequence[OrderState]], bool]


@dataclass(frozen=True, slots=True)
class _Fate:
    size: int
    build: Build
    expect: Expect | None = None
    channel: str | None = None
    payment: str | None = None


class _Generator:
    """Draws orders; holds the seeded random sources, the calendar and the clock."""

    def __init__(self, *, seed: int, start: dt.datetime, now: dt.datetime, policy: Policy) -> None:
        self.rng = np.random.default_rng(seed)
        self.fake = Faker("ja_JP")
        self.fake.seed_instance(seed)
        self.start, self.now, self.policy = start.astimezone(UTC), now.astimezone(UTC), policy
        self.cal = BusinessCalendar.from_policy(policy)
        self.buyers: list[_Buyer] = []
        self.order_ids: set[str] = set()
        self.item_ids: set[str] = set()

    # -- small draws ---------------------------------------------------------------------------
    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def pick(self, options: Sequence[Any], weights: Sequence[float] | None = None) -> Any:
        p = None if weights is None else np.asarray(weights, float) / sum(weights)
        return options[int(self.rng.choice(len(options), p=p))]

    def between(self, lo: dt.datetime, hi: dt.datetime) -> dt.datetime:
        """A time drawn uniformly in ``[lo, hi)``, to the second."""
        span = max(1, int((hi - lo).total_seconds()))
        return lo + dt.timedelta(seconds=int(self.rng.integers(0, span)))

    def digits(self, n: int) -> str:
        return "".join(str(d) for d in self.rng.integers(0, 10, n))

    def order_id(self) -> str:
        while True:
            oid = f"{self.pick(('249', '250', '503'))}-{self.digits(7)}-{self.digits(7)}"
            if oid not in self.order_ids:
                self.order_ids.add(oid)
                return oid

    def item_id(self) -> str:
        while True:
            iid = str(int(self.rng.integers(10**13, 10**14)))
            if iid not in self.item_ids:
                self.item_ids.add(iid)
                return iid

    def purchase_time(self, lo: dt.datetime, hi: dt.datetime) -> dt.datetime | None:
        """A purchase time in ``[lo, hi)`` following the weekday and hour-of-day pattern."""
        lo, hi = max(lo, self.start), min(hi, self.now)
        if lo >= hi:
            return None
        first = to_jst(lo).date()
        days = [first + dt.timedelta(d) for d in range((to_jst(hi).date() - first).days + 1)]
        weights = np.array([_WEEKDAY_WEIGHT[d.weekday()] for d in days])
        for _ in range(20):
            day = days[int(self.rng.choice(len(days), p=weights / weights.sum()))]
            hour = int(self.rng.choice(24, p=_HOUR_WEIGHT))
            t = dt.datetime.combine(day, dt.time(hour), tzinfo=JST).astimezone(UTC)
            t += dt.timedelta(seconds=int(self.rng.integers(0, 3600)))
            if lo <= t < hi:
                return t
        return self.between(lo, hi)

    def work_time(self, day: dt.date, after: dt.datetime) -> dt.datetime | None:
        """A time on ``day`` in the seller's shipping hours (13:00-19:00 JST) after ``after``."""
        lo = max(dt.datetime.combine(day, dt.time(13), tzinfo=JST).astimezone(UTC), after)
        hi = dt.datetime.combine(day, dt.time(19), tzinfo=JST).astimezone(UTC)
        lo += dt.timedelta(minutes=10)
        return self.between(lo, hi) if lo < hi else None

    def business_days(self, first: dt.date, n: int) -> list[dt.date]:
        """``first`` (or the next business day) and the ``n - 1`` business days after it."""
        return [self.cal.add_business_days(first, k) for k in range(n)]

    # -- buyers, items, drafts -------------------------------------------------------------------
    def buyer(self) -> _Buyer:
        if self.buyers and self.chance(0.12):  # a repeat customer
            return self.buyers[int(self.rng.integers(len(self.buyers)))]
        f = self.fake
        local = "".join(self.pick("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(15))
        building = (
            f"{f.building_name()} {int(self.rng.integers(1, 12))}0{int(self.rng.integers(1, 9))}"
        )
        b = _Buyer(
            name=f.name(),
            email=f"{local}@marketplace.amazon.co.jp",
            phone=f"050-{self.digits(4)}-{self.digits(4)}",
            postal_code=f.zipcode(),
            state=f.prefecture(),
            city=f.city(),
            address_1=f"{f.town()}{f.chome()}{f.ban()}{f.gou()}",
            address_2=building if self.chance(0.5) else None,
        )
        self.buyers.append(b)
        return b

    def items(self, *, payment: str, remote: bool, lines: int, cheap: bool = False) -> list[dict]:
        catalogue = [p for p in CATALOGUE if p.price < 2500] if cheap else list(CATALOGUE)
        chosen = self.rng.choice(len(catalogue), size=lines, replace=False)
        rows = []
        for k in chosen:
            p = catalogue[int(k)]
            qty = 1 if cheap else int(self.pick((1, 2, 3), (0.8, 0.15, 0.05)))
            promo = int(self.pick((100, 200, 300))) if self.chance(0.08) else 0
            rows.append(
                {
                    "order_item_id": self.item_id(), "sku": p.sku, "asin": p.asin,
                    "product_name": p.name, "quantity": qty, "item_price": p.price * qty,
                    "item_tax": 0, "shipping_price": 0, "shipping_tax": 0,
                    "gift_wrap_price": 330 if self.chance(0.03) else 0,
                    "item_promotion_discount": promo, "ship_promotion_discount": 0, "cod_fee": 0,
                }
            )  # fmt: skip
        subtotal = sum(r["item_price"] for r in rows)
        if cheap or subtotal < _FREE_SHIPPING_FROM:
            rows[0]["shipping_price"] = 1100 if remote else 550
        if payment == "cod":
            rows[0]["cod_fee"] = _COD_FEE
        return rows

    def draft(
        self,
        *,
        channel: str | None = None,
        payment: str | None = None,
        buyer: _Buyer | None = None,
        lines: int | None = None,
        cheap: bool = False,
    ) -> _Draft:
        channel = channel or ("AFN" if self.chance(0.12) else "MFN")
        business = payment is None and self.chance(0.08)
        payment = payment or self.pick(_PAYMENTS, _PAYMENT_WEIGHT)
        if business and payment == "cvs":
            payment = "card"
        buyer = buyer or self.buyer()
        lines = lines or int(self.pick((1, 2, 3), (0.72, 0.2, 0.08)))
        return _Draft(
            order_id=self.order_id(),
            channel=channel,
            payment=payment,
            buyer=buyer,
            recipient=buyer.name if self.chance(0.9) else self.fake.name(),
            items=self.items(
                payment=payment, remote=buyer.state in _REMOTE, lines=lines, cheap=cheap
            ),
            is_business=business,
            po_number=f"PO-{self.digits(8)}" if business and self.chance(0.6) else None,
            service_level="Expedited" if self.chance(0.15) else "Standard",
            is_prime=self.chance(0.7 if channel == "AFN" else 0.03),
        )

    # -- timeline steps shared by the fates ------------------------------------------------------
    def pay(self, d: _Draft, *, must: bool = False) -> dt.datetime | None:
        """Record the payment (if the buyer pays before ``now``) and the ship and delivery dates.

        Returns the payment time, or ``None`` for an unpaid convenience-store order (expired at
        the window's end, either written explicitly or left to the fold's clock).
        """
        window = self.policy.cvs_payment_window
        if d.payment == "cvs":
            if not must and self.chance(0.08):
                delay = None
            else:
                hours = float(
                    np.clip(
                        self.rng.lognormal(np.log(16), 0.9),
                        0.2,
                        0.95 * window / dt.timedelta(hours=1),
                    )
                )
                delay = dt.timedelta(hours=hours)
        elif d.payment == "card" and self.chance(0.05):  # held for verification
            delay = dt.timedelta(hours=float(self.rng.uniform(1, 8)))
        else:
            delay = dt.timedelta(seconds=int(self.rng.integers(8, 150)))
        if delay is None or d.purchase + delay > self.now:
            if delay is None and d.purchase + window <= self.now and self.chance(0.5):
                d.add(d.purchase + window, EventKind.PAYMENT_EXPIRED, Actor.AMAZON,
                      reason=CancelReason.PAYMENT_EXPIRED)  # fmt: skip
            return None
        d.paid_at = d.add(d.purchase + delay, EventKind.PAYMENT_COMPLETED, Actor.AMAZON)
        transit = 3 if d.buyer.state in _REMOTE else 2
        if d.seller_fulfilled:
            d.lsd = self.cal.ship_by(d.paid_at, self.policy.handling_days)
            d.ldd = end_of_day(to_jst(d.lsd).date() + dt.timedelta(transit))
        else:
            d.ldd = end_of_day(to_jst(d.paid_at).date() + dt.timedelta(transit - 1))
        return d.paid_at

    def on_time_slot(self, d: _Draft, after: dt.datetime) -> dt.datetime | None:
        """A shipping time after ``after`` and no later than the ship date (``None`` if none)."""
        assert d.lsd is not None
        last_day = to_jst(d.lsd).date()
        days = [day for day in self.business_days(to_jst(after).date(), 4) if day <= last_day]
        if not days:
            return None
        first = int(self.pick(range(len(days)), (0.55, 0.3, 0.1, 0.05)[: len(days)]))
        for day in days[first:] + days[:first]:
            t = self.work_time(day, after)
            if t is not None and t <= d.lsd:
                return t
        return None

    def late_slot(self, d: _Draft) -> dt.datetime | None:
        """A shipping time after the ship date but before Amazon's cutoff."""
        assert d.lsd is not None
        cutoff = d.lsd + self.policy.confirm_cutoff
        day = self.cal.add_business_days(
            to_jst(d.lsd).date() + dt.timedelta(1), int(self.rng.integers(0, 3))
        )
        t = self.work_time(day, max(d.lsd, d.last))
        return t if t is not None and t < cutoff else None

    def tracking(self) -> dict[str, Any]:
        carrier = self.pick(_CARRIERS, _CARRIER_WEIGHT)
        ref = self.pick(_OTHER_CARRIERS) if carrier == "Other" else None
        untracked = self.chance(0.25 if carrier == "JapanPost" else 0.02)  # e.g. 定形外郵便
        number = None if untracked else self.digits(10 if carrier == "Other" else 12)
        return {"carrier": carrier, "tracking_number": number, "ref": ref}

    def ship(self, d: _Draft, at: dt.datetime, *, deliver: bool = True, **kw: Any) -> dt.datetime:
        """Confirm the whole order shipped at ``at`` (Amazon ships its own), then deliver it."""
        actor = Actor.SELLER if d.seller_fulfilled else Actor.AMAZON
        track = kw.pop("track", None) or self.tracking()
        shipped = d.add(at, EventKind.SHIPMENT_CONFIRMED, actor, **track, **kw)
        if deliver:
            self.deliver(d, shipped)
        return shipped

    def deliver(self, d: _Draft, shipped: dt.datetime) -> None:
        days = int(self.rng.integers(1, 3)) + (1 if d.buyer.state in _REMOTE else 0)
        day = to_jst(shipped).date() + dt.timedelta(days)
        at = dt.datetime.combine(day, dt.time(9), tzinfo=JST).astimezone(UTC)
        at += dt.timedelta(seconds=int(self.rng.integers(0, 11 * 3600)))
        if at <= self.now:
            d.add(at, EventKind.DELIVERED, Actor.SYSTEM)

    def seller_contact(self, d: _Draft, after: dt.datetime, channel: Channel) -> dt.datetime:
        return d.add(
            after + dt.timedelta(minutes=int(self.rng.integers(20, 300))),
            EventKind.BUYER_CONTACTED,
            Actor.SELLER,
            channel=channel,
        )

    def purchase(
        self, d: _Draft, lo: dt.timedelta | None = None, hi: dt.timedelta | None = None
    ) -> bool:
        """Draw ``d``'s purchase time, ``lo``..``hi`` before now (default: the whole period)."""
        t = self.purchase_time(
            self.start if lo is None else self.now - lo, self.now if hi is None else self.now - hi
        )
        if t is None:
            return False
        d.reset(t)
        return True


# ---- the fates -----------------------------------------------------------------------------------

_DAY = dt.timedelta(days=1)


def _shipped(g: _Generator, ds: Sequence[_Draft]) -> bool:
    """Paid, shipped on time (or whenever the handling allows), delivered; the common case."""
    d = ds[0]
    if not g.purchase(d):
        return False
    paid = g.pay(d)
    if paid is None:
        return True
    if d.is_business and g.chance(0.3):
        g.seller_contact(d, paid, Channel.EMAIL)
    if not d.seller_fulfilled:
        g.ship(d, d.last + dt.timedelta(hours=float(g.rng.uniform(2, 20))))
        return True
    at = g.on_time_slot(d, d.last) or g.late_slot(d)
    if at is None:
        return False
    g.ship(d, at)
    return True


def _unshipped(g: _Generator, ds: Sequence[_Draft]) -> bool:
    """Paid, ship date still ahead at ``now``: waiting to be dispatched."""
    d = ds[0]
    if not g.purchase(d, lo=2 * _DAY, hi=dt.timedelta(hours=1)):
        return False
    paid = g.pay(d, must=True)
    return paid is not None and d.lsd is not None and d.lsd > g.now


def _late(g: _Generator, ds: Sequence[_Draft]) -> bool:
    """Confirmed after the ship date but before the cutoff: "Shipment is late"."""
    d = ds[0]
    if not g.purchase(d, hi=2 * _DAY) or g.pay(d, must=True) is None:
        return False
    at = g.late_slot(d)
    if at is None or at > g.now:
        return False
    g.ship(d, at)
    return True


def _never_confirmed(g: _Generator, ds: Sequence[_Draft]) -> bool:
    """Paid but never confirmed: at risk from the ship date, canceled by Amazon at the cutoff."""
    d = ds[0]
    if not g.purchase(d, hi=2 * _DAY) or g.pay(d, must=True) is None:
        return False
    assert d.lsd is not None
    cutoff = d.lsd + g.policy.confirm_cutoff
    if g.chance(0.4) and d.paid_at is not None:
        g.seller_contact(d, d.paid_at, Channel.EMAIL)
    if cutoff <= g.now and g.chance(0.6):  # the rest is left to the fold's clock
        d.add(cutoff, EventKind.CANCELED, Actor.AMAZON, reason=CancelReason.CONFIRM_CUTOFF)
    return True


def _partial(g: _Generator, ds: Sequence[_Draft]) -> bool:
    """Some lines confirmed, the rest later (or not yet at ``now``): PartiallyShipped."""
    d = ds[0]
    if len(d.items) < 2 or not d.seller_fulfilled:
        return False
    if not g.purchase(d, hi=_DAY) or g.pay(d, must=True) is None:
        return False
    at = g.on_time_slot(d, d.last)
    if at is None:
        return False
    first, rest = d.items[0], d.items[1:]
    g.ship(d, at, deliver=False, order_item_id=first["order_item_id"], quantity=first["quantity"])
    g.deliver(d, d.last)
    if g.chance(0.5):  # the rest follows later (late, most likely), or is still to come
        day = g.cal.add_business_days(
            to_jst(at).date() + dt.timedelta(int(g.rng.integers(1, 5))), 0
        )
        later = g.work_time(day, at) or at + _DAY
        for line in rest:
            later = g.ship(d, later, deliver=False, order_item_id=line["order_item_id"],
                           quantity=line["quantity"])  # fmt: skip
    return True


def _unavailable(g: _Generator, ds: Sequence[_Draft]) -> bool:
    """One line unavailable: the buyer agrees, the whole order is confirmed, that line refunded."""
    d = ds[0]
    if len(d.items) < 2 or not d.seller_fulfilled:
        return False
    if not g.purchase(d, hi=2 * _DAY) or g.pay(d, must=True) is None:
        return False
    contacted = g.seller_contact(d, d.last, Channel.EMAIL)
    replied = d.add(
        contacted + dt.timedelta(hours=float(g.rng.uniform(1, 12))),
        EventKind.BUYER_REPLIED,
        Actor.BUYER,
    )
    at = g.on_time_slot(d, replied) or g.late_slot(d)
    if at is None:
        return False
    shipped = g.ship(d, at, deliver=False)
    line = d.items[-1]
    d.add(
        shipped + dt.timedelta(minutes=int(g.rng.integers(10, 120))),
        EventKind.REFUNDED, Actor.SELLER, amount=line["item_price"] - line["item_promotion_discount"],
        order_item_id=line["order_item_id"], quantity=line["quantity"], reason="partial_unavailable",
    )  # fmt: skip
    g.deliver(d, shipped)
    return True


def _seller_cancel(g: _Generator, ds: Sequence[_Draft]) -> bool:
    """The seller cancels: out of stock, or at the buyer's request."""
    d = ds[0]
    if not g.purchase(d, hi=_DAY) or g.pay(d, must=True) is None:
        return False
    if g.chance(0.35):
        after = g.seller_contact(d, d.last, Channel.EMAIL)
        reason = CancelReason.BUYER_REQUESTED
    else:
        after, reason = d.last, CancelReason.OUT_OF_STOCK
    at = after + dt.timedelta(hours=float(g.rng.uniform(0.5, 20)))
    assert d.lsd is not None
    if at >= d.lsd or at > g.now:
        return False
    d.add(at, EventKind.CANCELED, Actor.SELLER, reason=reason)
    return True


def _buyer_cancel(g: _Generator, ds: Sequence[_Draft]) -> bool:
    """The buyer cancels in Your Account within the 5-minute window (seller-fulfilled only)."""
    d = ds[0]
    if not d.seller_fulfilled or not g.purchase(d):
        return False
    window = g.policy.buyer_edit_window.total_seconds()
    at = d.purchase + dt.timedelta(seconds=int(g.rng.integers(20, int(window) - 5)))
    if d.payment != "cvs" and g.chance(0.5):
        g.pay(d, must=True)
    if at <= d.last or at > g.now:
        return False
    d.add(at, EventKind.CANCELED, Actor.BUYER, reason=CancelReason.BUYER_SELF)
    return True


def _buyer_edit(g: _Generator, ds: Sequence[_Draft]) -> bool:
    """The buyer corrects the order within 5 minutes, then it is paid and ships as usual."""
    d = ds[0]
    if not d.seller_fulfilled or not g.purchase(d, hi=_DAY):
        return False
    window = int(g.policy.buyer_edit_window.total_seconds())
    d.add(
        d.purchase + dt.timedelta(seconds=int(g.rng.integers(1, window))),
        EventKind.BUYER_EDITED,
        Actor.BUYER,
    )
    if g.pay(d) is None:
        return True
    at = g.on_time_slot(d, d.last)
    if at is not None:
        g.ship(d, at)
    return True


def _returned(g: _Generator, ds: Sequence[_Draft]) -> bool:
    """Returned as undeliverable, rejected or invalid address: refunded less the shipping cost."""
    d = ds[0]
    if not d.seller_fulfilled or not g.purchase(d, hi=5 * _DAY) or g.pay(d, must=True) is None:
        return False
    at = g.on_time_slot(d, d.last)
    if at is None:
        return False
    shipped = g.ship(d, at, deliver=False)
    back = shipped + dt.timedelta(days=float(g.rng.uniform(3, 8)))
    if back > g.now:
        return False
    cost = int(g.rng.integers(70, 131)) * 10
    reason = g.pick(tuple(ReturnReason), (0.5, 0.3, 0.2))
    returned = d.add(back, EventKind.RETURNED_TO_SENDER, Actor.SYSTEM, reason=reason, amount=cost)
    refund = refund_for_undeliverable(paid=d.facts().total, actual_shipping_cost=cost)
    if refund > 0:
        d.add(
            returned + dt.timedelta(hours=float(g.rng.uniform(2, 30))),
            EventKind.REFUNDED, Actor.SELLER, amount=refund, reason=reason,
        )  # fmt: skip
    return True


def _not_received(g: _Generator, ds: Sequence[_Draft], *, claim: bool = False) -> bool:
    """The buyer says the parcel never came; the seller asks them to wait (maybe an A-to-z claim)."""
    d = ds[0]
    if not d.seller_fulfilled or not g.purchase(d, hi=4 * _DAY) or g.pay(d, must=True) is None:
        return False
    at = g.on_time_slot(d, d.last)
    if at is None or d.ldd is None:
        return False
    g.ship(d, at, deliver=False)
    reported = d.add(
        d.ldd + dt.timedelta(hours=float(g.rng.uniform(4, 40))),
        EventKind.NOT_RECEIVED_REPORTED,
        Actor.BUYER,
    )
    g.seller_contact(d, reported, Channel.EMAIL)
    if claim:
        filed = d.ldd + g.policy.atoz_claim_after + dt.timedelta(hours=float(g.rng.uniform(1, 48)))
        if filed > g.now:
            return False
        d.add(filed, EventKind.ATOZ_CLAIM_FILED, Actor.BUYER)
    elif g.chance(0.4):
        g.deliver(d, d.last)
    return True


def _atoz(g: _Generator, ds: Sequence[_Draft]) -> bool:
    return _not_received(g, ds, claim=True)


def _no_reply(g: _Generator, ds: Sequence[_Draft]) -> bool:
    """The seller needs an answer (e.g. the address), sets a deadline; replied, canceled or open."""
    d = ds[0]
    if not d.seller_fulfilled or not g.purchase(d, hi=dt.timedelta(hours=6)):
        return False
    if g.pay(d, must=True) is None:
        return False
    channel = g.pick((Channel.EMAIL, Channel.PHONE, Channel.FORM))
    contacted = g.seller_contact(d, d.last, channel)
    due = propose_reply_deadline(contacted, policy=g.policy)
    set_at = d.add(
        contacted + dt.timedelta(minutes=5), EventKind.REPLY_DEADLINE_SET, Actor.SELLER, due=due
    )
    assert d.lsd is not None
    cutoff = d.lsd + g.policy.confirm_cutoff
    outcome = g.pick(("replied", "canceled", "open"), (0.4, 0.4, 0.2))
    if outcome == "replied":
        replied = d.add(g.between(set_at, due), EventKind.BUYER_REPLIED, Actor.BUYER)
        at = g.on_time_slot(d, replied) or g.late_slot(d)
        if at is not None:
            g.ship(d, at)
    elif outcome == "canceled":
        at = due + dt.timedelta(hours=float(g.rng.uniform(1, 20)))
        if at >= cutoff:
            return False
        d.add(at, EventKind.CANCELED, Actor.SELLER, reason=CancelReason.NO_REPLY)
    return outcome != "open" or due > g.now


def _cvs_pending(g: _Generator, ds: Sequence[_Draft]) -> bool:
    """A convenience-store order the buyer has not paid for yet at ``now``."""
    d = ds[0]
    window = g.policy.cvs_payment_window
    return g.purchase(d, lo=window - dt.timedelta(hours=2), hi=dt.timedelta(minutes=5)) and (
        g.pay(d) is None
    )


def _cvs_expired(g: _Generator, ds: Sequence[_Draft]) -> bool:
    """A convenience-store payment never made: canceled when the window ends."""
    d = ds[0]
    window = g.policy.cvs_payment_window
    if not g.purchase(d, lo=None, hi=window):
        return False
    d.add(
        d.purchase + window,
        EventKind.PAYMENT_EXPIRED,
        Actor.AMAZON,
        reason=CancelReason.PAYMENT_EXPIRED,
    )
    return True


def _combined(g: _Generator, ds: Sequence[_Draft]) -> bool:
    """Two orders of one buyer to one address, shipped in one parcel; the saving is refunded."""
    a, b = ds
    if not g.purchase(a, lo=None, hi=3 * _DAY):
        return False
    b.reset(a.purchase + dt.timedelta(minutes=int(g.rng.integers(20, 600))))
    if g.pay(a, must=True) is None or g.pay(b, must=True) is None:
        return False
    assert a.lsd is not None and b.lsd is not None
    at = g.on_time_slot(a, max(a.last, b.last))
    if at is None or at > b.lsd:
        return False
    ref = f"CMB-{a.order_id}"
    track = g.tracking()
    charged = [d.items[0]["shipping_price"] for d in ds]
    shares = split_saving(min(charged), charged)
    for d, share in zip(ds, shares, strict=True):
        combined = d.add(
            at - dt.timedelta(minutes=3), EventKind.SHIPMENTS_COMBINED, Actor.SELLER, ref=ref
        )
        shipped = g.ship(d, combined + dt.timedelta(minutes=3), deliver=False, track=track)
        if share:
            d.add(shipped + dt.timedelta(hours=2), EventKind.REFUNDED, Actor.SELLER, amount=share,
                  reason="combined_shipment")  # fmt: skip
        g.deliver(d, shipped)
    return True


def _is(status: OrderStatus, **flags: bool) -> Expect:
    def expect(states: Sequence[OrderState]) -> bool:
        s = states[0]
        return s.status is status and all(getattr(s, k) == v for k, v in flags.items())

    return expect


_FATES: dict[str, _Fate] = {
    "shipped": _Fate(1, _shipped),
    "unshipped": _Fate(1, _unshipped, _is(OrderStatus.UNSHIPPED, late=False), channel="MFN"),
    "late": _Fate(1, _late, _is(OrderStatus.SHIPPED, late=True), channel="MFN"),
    "never_confirmed": _Fate(1, _never_confirmed, channel="MFN"),
    "partial": _Fate(1, _partial, channel="MFN"),
    "unavailable": _Fate(1, _unavailable, channel="MFN"),
    "seller_cancel": _Fate(1, _seller_cancel, _is(OrderStatus.CANCELED), channel="MFN"),
    "buyer_cancel": _Fate(1, _buyer_cancel, _is(OrderStatus.CANCELED), channel="MFN"),
    "buyer_edit": _Fate(1, _buyer_edit, channel="MFN"),
    "returned": _Fate(1, _returned, channel="MFN"),
    "not_received": _Fate(1, _not_received, channel="MFN"),
    "atoz": _Fate(1, _atoz, lambda s: s[0].atoz_claimed, channel="MFN"),
    "no_reply": _Fate(1, _no_reply, channel="MFN"),
    "cvs_pending": _Fate(1, _cvs_pending, _is(OrderStatus.PENDING), payment="cvs"),
    "cvs_expired": _Fate(1, _cvs_expired, _is(OrderStatus.CANCELED), payment="cvs"),
    "combined": _Fate(2, _combined, lambda s: all(x.combined_ref for x in s), channel="MFN"),
    # the showcase variants of the random fates, each with what it must show at ``now``
    "at_risk": _Fate(1, _never_confirmed, _is(OrderStatus.UNSHIPPED, at_risk=True), channel="MFN"),
    "auto_canceled": _Fate(1, _never_confirmed, _is(OrderStatus.CANCELED), channel="MFN"),
    "partially_shipped": _Fate(1, _partial, _is(OrderStatus.PARTIALLY_SHIPPED), channel="MFN"),
    "afn": _Fate(1, _shipped, _is(OrderStatus.SHIPPED), channel="AFN"),
    "business_po": _Fate(1, _shipped, _is(OrderStatus.SHIPPED), channel="MFN"),
}

# One of each, first, so that any book of ~30 orders or more over ~3 weeks shows every situation.
_SHOWCASE = (
    "at_risk", "auto_canceled", "late", "partially_shipped", "unshipped", "cvs_pending",
    "cvs_expired", "business_po", "afn", "atoz", "combined", "returned", "buyer_cancel",
    "seller_cancel", "unavailable", "no_reply", "not_received", "buyer_edit", "shipped",
)  # fmt: skip

_RANDOM_WEIGHT = {
    "shipped": 0.7, "late": 0.04, "never_confirmed": 0.02, "partial": 0.02, "unavailable": 0.02,
    "seller_cancel": 0.025, "buyer_cancel": 0.02, "buyer_edit": 0.02, "returned": 0.02,
    "not_received": 0.02, "no_reply": 0.03, "cvs_pending": 0.02, "combined": 0.01,
    "unshipped": 0.04,
}  # fmt: skip

_ATTEMPTS = 60


def _plan(g: _Generator, n: int) -> list[str]:
    plan: list[str] = []
    size = 0
    for name in _SHOWCASE:
        if size + _FATES[name].size <= n:
            plan.append(name)
            size += _FATES[name].size
    names, weights = list(_RANDOM_WEIGHT), list(_RANDOM_WEIGHT.values())
    while size < n:
        name = g.pick(names, weights)
        if size + _FATES[name].size <= n:
            plan.append(name)
            size += _FATES[name].size
    return plan


def _generate(g: _Generator, name: str) -> list[_Draft]:
    """Return the drafts of one fate, folded and checked; fall back to a plain order if it cannot be."""
    fate = _FATES[name]
    drafts = _drafts_for(g, name, fate)
    for _ in range(_ATTEMPTS):
        if fate.build(g, drafts) and _folds(g, drafts, fate.expect):
            return drafts
    for d in drafts:
        _fallback(g, d)
    return drafts


def _drafts_for(g: _Generator, name: str, fate: _Fate) -> list[_Draft]:
    if name == "combined":
        first = g.draft(channel="MFN", payment="card", lines=1, cheap=True)
        second = g.draft(channel="MFN", payment="card", buyer=first.buyer, lines=1, cheap=True)
        second.recipient = first.recipient
        return [first, second]
    if name in ("partial", "partially_shipped", "unavailable"):
        d = g.draft(channel=fate.channel, payment=fate.payment, lines=int(g.pick((2, 3))))
    else:
        d = g.draft(channel=fate.channel, payment=fate.payment)
    if name == "business_po":
        d.is_business, d.po_number = True, f"PO-{g.digits(8)}"
        d.payment = "card"
    return [d]


def _fallback(g: _Generator, d: _Draft) -> None:
    """Make ``d`` a plain card order placed at ``now``'s edge that can only be Pending or Unshipped."""
    d.payment = "card"
    d.reset(g.between(max(g.start, g.now - dt.timedelta(minutes=30)), g.now))
    g.pay(d)


def _folds(g: _Generator, drafts: Sequence[_Draft], expect: Expect | None) -> bool:
    for d in drafts:
        d.events = [e for e in d.events if e.at <= g.now]
    states = [fold(d.facts(), d.events, at=g.now, policy=g.policy) for d in drafts]
    return expect is None or expect(states)


# ---- into the three tables -----------------------------------------------------------------------


def _order_row(d: _Draft, now: dt.datetime) -> dict[str, Any]:
    shown = d.paid_at is not None  # Amazon shows the address once the order is Unshipped
    b = d.buyer
    return {
        "order_id": d.order_id,
        "purchase_date": d.purchase,
        "last_updated": d.events[-1].at,
        "fulfillment_channel": d.channel,
        "sales_channel": "Amazon.co.jp",
        "order_type": "StandardOrder",
        "payment_method": d.payment,
        "ship_service_level": d.service_level,
        "earliest_ship_date": d.paid_at if d.seller_fulfilled else None,
        "latest_ship_date": d.lsd,
        "latest_delivery_date": d.ldd,
        "buyer_email": b.email,
        "buyer_name": b.name,
        "buyer_phone": b.phone if shown and d.seller_fulfilled else None,
        "recipient_name": d.recipient if shown else None,
        "ship_postal_code": b.postal_code if shown else None,
        "ship_state": b.state if shown else None,
        "ship_city": b.city if shown else None,
        "ship_address_1": b.address_1 if shown else None,
        "ship_address_2": b.address_2 if shown else None,
        "ship_address_3": None,
        "ship_country": "JP",
        "is_business_order": d.is_business,
        "purchase_order_number": d.po_number,
        "is_prime": d.is_prime,
        "currency": "JPY",
    }


def _to_book(drafts: list[_Draft], now: dt.datetime) -> OrderBook:
    drafts = sorted(drafts, key=lambda d: d.purchase)
    orders = pd.DataFrame([_order_row(d, now) for d in drafts])
    items = pd.DataFrame([{"order_id": d.order_id, **i} for d in drafts for i in d.items])
    events = [e for d in drafts for e in d.events]
    frame = events_frame(events).sort_values(["at", "order_id"], kind="stable", ignore_index=True)
    return OrderBook(orders, items, frame)


def book(
    n_orders: int = 300,
    *,
    seed: int = 0,
    start: dt.datetime = DEFAULT_START,
    now: dt.datetime = DEFAULT_NOW,
    policy: Policy = DEFAULT_POLICY,
) -> OrderBook:
    """Return a realistic sample order book of ``n_orders`` orders placed in ``[start, now)``.

    The first orders are a showcase, one of each situation (at risk, canceled by Amazon at the
    cutoff, late, partially shipped, unshipped, convenience-store payment pending and expired,
    business order with a Buyer PO#, Amazon-fulfilled, A-to-z claim, combined shipment, return to
    sender, buyer and seller cancellations, partial unavailability, reply deadline, not received,
    buyer edit); the rest are drawn at random, mostly plain shipped orders. A situation that the
    period cannot hold (e.g. an A-to-z claim needs about two weeks between ``start`` and ``now``)
    is replaced by a plain order. Every order's events fold without error at ``now``.

    Args:
        n_orders: how many orders.
        seed: the seed of every random draw: the same arguments give the same book.
        start: the first instant purchases are drawn from (tz-aware).
        now: the sample's present: no event lies after it (tz-aware).
        policy: the seller's policy (handling days, calendar, windows) the timelines follow.

    Returns:
        An :class:`~orderkit.book.OrderBook` whose events all have ``source="sample"``.

    Raises:
        ValueError: ``n_orders`` is negative, ``start``/``now`` is naive, or ``start >= now``.

    """
    if n_orders < 0:
        raise ValueError(f"n_orders must not be negative, got {n_orders}")
    if start.tzinfo is None or now.tzinfo is None:
        raise ValueError("start and now must be timezone-aware")
    if start >= now:
        raise ValueError(f"start ({start}) must be before now ({now})")
    g = _Generator(seed=seed, start=start, now=now, policy=policy)
    drafts = [d for name in _plan(g, n_orders) for d in _generate(g, name)]
    return _to_book(drafts, g.now)
