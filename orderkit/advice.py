"""Advice for each question of the Manage Orders FAQ, for *this* order at *this* moment.

:func:`advise` takes a :class:`Situation` (one per FAQ question), the order's
:class:`~orderkit.state.OrderState` (``None`` where the order is not known, e.g. a buyer asking
about an order you cannot find) and ``now``, and returns :class:`Advice`: the steps to take, each
with the FAQ rule behind it; what the seller cannot do and whom to refer the buyer to; and a message
to send the buyer, filled in with the order's details — in English or Japanese.

Each situation is answered by one small function registered in :data:`HANDLERS`; every handler
reads the state and the policy, never the wall clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from orderkit.deadlines import confirm_warning_text, format_jst, propose_reply_deadline, time_left
from orderkit.events import Channel
from orderkit.lookup import FindOutcome, FindResult
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.refunds import refund_for_unavailable, refund_for_undeliverable, split_saving
from orderkit.rules import Rule, rule
from orderkit.state import OrderState
from orderkit.status import OrderStatus

__all__ = ["HANDLERS", "Advice", "Situation", "Step", "advise", "applies"]


class Situation(StrEnum):
    """One question of the Manage Orders FAQ (and its "Additional information")."""

    FIRST_ORDER = "first_order"
    PENDING_SALE = "pending_sale"
    UNKNOWN_ORDER = "unknown_order"
    NOT_RECEIVED = "not_received"
    PRICE_BREAKDOWN = "price_breakdown"
    RETURNED_UNDELIVERABLE = "returned_undeliverable"
    CVS_PAYMENT_DETAILS = "cvs_payment_details"
    POINTS_DETAILS = "points_details"
    CHANGE_ORDER = "change_order"
    COMBINE_SHIPMENTS = "combine_shipments"
    RECEIPT = "receipt"
    ITEMS_UNAVAILABLE = "items_unavailable"
    CONTACT_BUYER = "contact_buyer"
    NO_REPLY = "no_reply"
    CONFIRM_DEADLINE = "confirm_deadline"
    SHIPMENT_LATE = "shipment_late"
    BUSINESS_ORDER = "business_order"

    def question(self, lang: str = "en") -> str:
        """Return the FAQ's question for this situation, in ``lang``."""
        return _QUESTIONS[self][1 if lang == "ja" else 0]


_QUESTIONS: Mapping[Situation, tuple[str, str]] = {
    Situation.FIRST_ORDER: (
        "I have just received my first order. What do I do?",
        "初めての注文を受けました。何をすればよいですか？",
    ),
    Situation.PENDING_SALE: (
        "What does it mean when a sale is pending?",
        "注文が「保留中」とはどういう意味ですか？",
    ),
    Situation.UNKNOWN_ORDER: (
        "A buyer has contacted me about an order, but I don't find any information regarding this transaction.",
        "購入者から注文について問い合わせがありましたが、該当する取引が見つかりません。",
    ),
    Situation.NOT_RECEIVED: (
        "A buyer contacted me saying they did not receive their order.",
        "購入者から商品が届かないと連絡がありました。",
    ),
    Situation.PRICE_BREAKDOWN: (
        "A buyer wants to know the price breakdown for the order.",
        "購入者が注文の金額の内訳を知りたがっています。",
    ),
    Situation.RETURNED_UNDELIVERABLE: (
        "An order is returned due to undeliverable, rejected, or invalid address.",
        "住所不明・受取拒否・宛先不備で注文が返送されました。",
    ),
    Situation.CVS_PAYMENT_DETAILS: (
        "A buyer who pays at a convenience store wants the payment details resent.",
        "コンビニ払いの購入者が支払い情報の再送を求めています。",
    ),
    Situation.POINTS_DETAILS: (
        "A buyer who paid with Amazon points asks about the points they used.",
        "Amazonポイントで支払った購入者が、利用したポイントの詳細を知りたがっています。",
    ),
    Situation.CHANGE_ORDER: (
        "How can I change the price, quantity or shipping address after the order is confirmed?",
        "注文確定後に価格・数量・お届け先住所を変更するには？",
    ),
    Situation.COMBINE_SHIPMENTS: (
        "Can I combine the shipment of several orders from the same buyer?",
        "同じ購入者の複数の注文を同梱発送できますか？",
    ),
    Situation.RECEIPT: (
        "A buyer wants a receipt for the purchase.",
        "購入者が領収書の発行を希望しています。",
    ),
    Situation.ITEMS_UNAVAILABLE: (
        "Some items of a multi-item order turn out to be unavailable.",
        "複数商品の注文で、一部の商品が在庫切れになりました。",
    ),
    Situation.CONTACT_BUYER: ("How can I contact the buyer?", "購入者に連絡するには？"),
    Situation.NO_REPLY: (
        "I have been contacting the buyer but there is no reply.",
        "購入者に連絡していますが返信がありません。",
    ),
    Situation.CONFIRM_DEADLINE: (
        "By when must I confirm shipment?",
        "いつまでに出荷を通知すればよいですか？",
    ),
    Situation.SHIPMENT_LATE: (
        'Why does the order show "Shipment is late"?',
        "なぜ「出荷遅延」と表示されるのですか？",
    ),
    Situation.BUSINESS_ORDER: (
        "The order is from a business customer.",
        "法人のお客様からの注文です。",
    ),
}


@dataclass(frozen=True, slots=True)
class Step:
    """One thing to do (or know), with the FAQ rule behind it."""

    text: str
    rule: Rule


@dataclass(frozen=True, slots=True)
class Advice:
    """What to do about one buyer's inquiry, for one order, now.

    Attributes:
        situation: the FAQ question answered.
        lang: ``"en"`` or ``"ja"``.
        summary: the answer in one sentence for this order at this moment.
        steps: what to do, each with its rule.
        cannot: what the seller cannot do here.
        refer_to: whom to refer the buyer to, if anyone (Amazon Customer Service, ...).
        template: a message to send the buyer, filled in with the order's details.
        facts: the figures behind the advice (deadlines, amounts), keyed by name.
    """

    situation: Situation
    lang: str
    summary: str
    steps: tuple[Step, ...]
    cannot: tuple[str, ...] = ()
    refer_to: str | None = None
    template: str = ""
    facts: Mapping[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """The FAQ question this advice answers."""
        return self.situation.question(self.lang)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules behind the steps, in order, without repeats."""
        return tuple(dict.fromkeys(s.rule for s in self.steps))

    def to_markdown(self) -> str:
        """Return the advice as Markdown: summary, steps with their FAQ rule, limits, template."""
        ja = self.lang == "ja"
        out = [f"### {self.title}", "", f"**{self.summary}**", ""]
        for i, s in enumerate(self.steps, 1):
            out.append(
                f"{i}. {s.text}  \n   <small>{'ルール' if ja else 'Rule'}: “{s.rule.faq}”</small>"
            )
        if self.cannot:
            out += ["", f"**{'できないこと' if ja else 'You cannot'}:**"]
            out += [f"- {c}" for c in self.cannot]
        if self.refer_to:
            out += ["", f"**{'案内先' if ja else 'Refer the buyer to'}:** {self.refer_to}"]
        if self.template:
            out += [
                "",
                f"**{'購入者へのメッセージ' if ja else 'Message to the buyer'}:**",
                "",
                "```text",
                self.template,
                "```",
            ]
        return "\n".join(out)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def to_html(self) -> str:
        """Return the advice as HTML (for widgets): summary, steps with their rule, limits."""
        import html

        ja = self.lang == "ja"
        e = html.escape
        steps = "".join(
            f"<li class='ok-step'>{e(s.text)}<br><small class='ok-rule' title='{e(s.rule.id)}'>"
            f"{'ルール' if ja else 'Rule'}: “{e(s.rule.faq)}”</small></li>"
            for s in self.steps
        )
        out = [
            f"<h4 class='ok-advice-title'>{e(self.title)}</h4>",
            f"<p class='ok-advice-summary'><b>{e(self.summary)}</b></p>",
            f"<ol>{steps}</ol>",
        ]
        if self.cannot:
            items = "".join(f"<li>{e(c)}</li>" for c in self.cannot)
            out.append(
                f"<p><b>{'できないこと' if ja else 'You cannot'}:</b></p><ul class='ok-advice-cannot'>{items}</ul>"
            )
        if self.refer_to:
            out.append(
                f"<p class='ok-advice-refer'><b>{'案内先' if ja else 'Refer the buyer to'}:</b> {e(self.refer_to)}</p>"
            )
        return "".join(out)

    def __str__(self) -> str:
        lines = [self.title, self.summary]
        lines += [f"{i}. {s.text} [{s.rule.id}]" for i, s in enumerate(self.steps, 1)]
        lines += [f"✗ {c}" for c in self.cannot]
        if self.refer_to:
            lines.append(f"→ {self.refer_to}")
        return "\n".join(lines)


# ---- helpers shared by the handlers ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Ctx:
    state: OrderState | None
    now: dt.datetime
    lang: str
    policy: Policy
    seller: str
    details: Mapping[str, Any]

    def t(self, en: str, ja: str) -> str:
        """Pick the English or Japanese text."""
        return ja if self.lang == "ja" else en

    def when(self, ts: dt.datetime | None, *, with_time: bool = True) -> str:
        return "—" if ts is None else format_jst(ts, self.lang, with_time=with_time)

    def yen(self, amount: int) -> str:
        return f"{amount:,}円" if self.lang == "ja" else f"¥{amount:,}"

    def step(self, rule_id: str, en: str, ja: str) -> Step:
        return Step(self.t(en, ja), rule(rule_id))

    @property
    def s(self) -> OrderState:
        if self.state is None:
            raise ValueError("this situation needs the order's state")
        return self.state

    def letter(self, body_en: str, body_ja: str) -> str:
        """Wrap a message body in a polite greeting and signature."""
        name = (self.state.facts.buyer_name if self.state else None) or self.t("Customer", "お客")
        oid = self.state.order_id if self.state else ""
        if self.lang == "ja":
            head = f"{name} 様\n\nこの度は{self.seller}をご利用いただき、誠にありがとうございます。"
            ref = f"\nご注文番号：{oid}" if oid else ""
            return f"{head}{ref}\n\n{body_ja}\n\n何卒よろしくお願い申し上げます。\n{self.seller}"
        ref = f"\nOrder number: {oid}" if oid else ""
        return f"Dear {name},\n\nThank you for shopping with {self.seller}.{ref}\n\n{body_en}\n\nKind regards,\n{self.seller}"


CS = ("Amazon Customer Service", "Amazonカスタマーサービス")
HELP = ("Amazon's Help & Customer Service page", "Amazonのヘルプ&カスタマーサービスページ")
YOUR_ACCOUNT = ("Your Account on Amazon.co.jp", "Amazon.co.jpのアカウントサービス")


def _advice(ctx: _Ctx, sit: Situation, summary: str, steps: Sequence[Step], **kw: Any) -> Advice:
    return Advice(sit, ctx.lang, summary, tuple(steps), **kw)


# ---- one handler per FAQ question -------------------------------------------------------------


def _first_order(c: _Ctx) -> Advice:
    s = c.s
    steps = [
        c.step(
            "check-manage-orders",
            "Check Manage Orders regularly: every new order appears there.",
            "注文管理を定期的に確認しましょう。新しい注文はすべてそこに表示されます。",
        )
    ]
    if s.status.is_pending:
        summary = c.t(
            "This order is Pending: wait for payment, do not dispatch.",
            "この注文は保留中です。支払いを待ち、出荷しないでください。",
        )
        steps.append(
            c.step(
                "pending-no-dispatch",
                "Do not dispatch while it is Pending, even if the buyer asks.",
                "保留中の間は、購入者から依頼されても出荷しないでください。",
            )
        )
    elif s.status is OrderStatus.UNSHIPPED:
        summary = c.t(
            f"Ship it by {c.when(s.ship_by)} and confirm the shipment.",
            f"{c.when(s.ship_by)}までに出荷し、出荷を通知してください。",
        )
        steps.append(
            c.step(
                "dispatch-unshipped",
                f"Pack and dispatch it promptly: ship by {c.when(s.ship_by)}.",
                f"速やかに梱包・出荷しましょう。出荷期限は{c.when(s.ship_by)}です。",
            )
        )
        steps.append(
            c.step(
                "confirm-within-7-days",
                f"Confirm the shipment in Manage Orders; Amazon cancels it automatically after {c.when(s.confirm_by)}.",
                f"注文管理で出荷を通知します。{c.when(s.confirm_by)}を過ぎるとAmazonが自動キャンセルします。",
            )
        )
        steps.append(
            c.step(
                "charge-whole-order",
                "Confirming even one item charges the buyer for the entire order.",
                "1点でも出荷を通知すると、注文全体が購入者に請求されます。",
            )
        )
    else:
        summary = c.t(
            f"This order is {s.status.en}: nothing to dispatch now.",
            f"この注文は{s.status.ja}です。今出荷するものはありません。",
        )
    if s.facts.is_business_order:
        steps.append(_slip_step(c))
    return _advice(
        c,
        Situation.FIRST_ORDER,
        summary,
        steps,
        template=c.letter(
            "We have received your order and will ship it promptly. We will let you know when it is on its way.",
            "ご注文を承りました。準備が整い次第、速やかに発送いたします。発送後にあらためてご連絡いたします。",
        ),
        facts={"ship_by": s.ship_by, "confirm_by": s.confirm_by},
    )


def _pending_sale(c: _Ctx) -> Advice:
    s = c.s
    cvs = s.facts.payment_method == "cvs"
    if s.status.is_pending:
        due = s.payment_due
        reason = (
            c.t(
                f"The buyer chose to pay at a convenience store and has not paid yet; the payment expires {c.when(due)} ({time_left(due, c.now, c.lang)} left).",
                f"購入者はコンビニ払いを選び、まだ支払っていません。支払期限は{c.when(due)}です（残り{time_left(due, c.now, c.lang)}）。",
            )
            if cvs and due
            else c.t(
                "The buyer's payment method is not verified yet.",
                "購入者の支払い方法がまだ確認されていません。",
            )
        )
        steps = [
            c.step("pending-reason", reason, reason),
            c.step(
                "pending-no-dispatch",
                "Do not dispatch it, even if the buyer asks you to.",
                "購入者から依頼されても出荷しないでください。",
            ),
            c.step(
                "dispatch-unshipped",
                "Once it turns Unshipped, dispatch it promptly.",
                "未出荷に変わったら、速やかに出荷します。",
            ),
        ]
        if cvs:
            steps.append(
                c.step(
                    "cvs-payment-expiry",
                    "If the payment is not made in time the order is canceled and the buyer is never charged.",
                    "期限までに支払われない場合、注文はキャンセルされ、購入者に請求されることはありません。",
                )
            )
        summary = c.t(
            "Pending: payment is not settled. Do not dispatch.",
            "保留中：支払いが未確定です。出荷しないでください。",
        )
        template = c.letter(
            "Your order is waiting for payment to be confirmed by Amazon. We will ship it as soon as the payment is confirmed."
            + (
                f" Please complete the convenience-store payment by {c.when(due)}."
                if cvs and due
                else ""
            ),
            "ご注文は現在、Amazonでのお支払い確認待ちです。お支払いが確認され次第、発送いたします。"
            + (
                f"{c.when(due)}までにコンビニでのお支払いをお願いいたします。"
                if cvs and due
                else ""
            ),
        )
        return _advice(
            c,
            Situation.PENDING_SALE,
            summary,
            steps,
            cannot=(c.t("Dispatch a Pending order.", "保留中の注文を出荷すること。"),),
            template=template,
            facts={"payment_due": due},
        )
    if s.status is OrderStatus.CANCELED and s.cancel_reason == "payment_expired":
        steps = [
            c.step(
                "cvs-payment-expiry",
                "The convenience-store payment expired: the order is canceled and was never charged.",
                "コンビニ払いの期限が切れたため、注文はキャンセルされ、請求もされていません。",
            )
        ]
        return _advice(
            c,
            Situation.PENDING_SALE,
            c.t("Canceled: the payment expired.", "キャンセル済み：支払期限切れです。"),
            steps,
            template=c.letter(
                "The payment period for your order has expired, so the order was canceled automatically and you have not been charged. You are welcome to order again.",
                "お支払い期限を過ぎたため、ご注文は自動的にキャンセルされました。代金は請求されておりません。よろしければ改めてご注文ください。",
            ),
        )
    steps = [
        c.step(
            "dispatch-unshipped",
            f"It is no longer pending: it is {s.status.en}.",
            f"この注文はもう保留中ではありません（{s.status.ja}）。",
        )
    ]
    return _advice(
        c,
        Situation.PENDING_SALE,
        c.t(f"Not pending: {s.status.en}.", f"保留中ではありません：{s.status.ja}"),
        steps,
    )


def _unknown_order(c: _Ctx) -> Advice:
    found: FindResult | None = c.details.get("lookup")
    if c.state is not None and found is None:
        steps = [
            c.step(
                "find-order",
                f"The order is yours: {c.state.order_id}, {c.state.status.en}.",
                f"この注文はあなたの注文です：{c.state.order_id}（{c.state.status.ja}）。",
            )
        ]
        return _advice(
            c,
            Situation.UNKNOWN_ORDER,
            c.t("Found in your orders.", "あなたの注文に見つかりました。"),
            steps,
        )
    if found is None:
        raise ValueError("unknown_order needs lookup=<FindResult from book.find(...)>")
    steps = [
        c.step(
            "find-order",
            "Search Manage Orders by the buyer's email address or the order number.",
            "購入者のメールアドレスまたは注文番号で注文管理を検索します。",
        )
    ]
    refer = None
    if found.outcome is FindOutcome.INVALID_NUMBER:
        steps.append(c.step("find-order", found.message(c.lang), found.message(c.lang)))
        body = (
            "The order number you gave us does not look like an Amazon order number (3-7-7 digits, e.g. 503-1234567-1234567). Could you check it on Your Orders and send it again?",
            "いただいた注文番号はAmazonの注文番号の形式（3桁-7桁-7桁、例：503-1234567-1234567）ではないようです。お手数ですが「注文履歴」でご確認のうえ、再度お知らせください。",
        )
    elif found.refer_to_customer_service:
        refer = c.t(*CS)
        steps.append(c.step("other-seller-order", found.message(c.lang), found.message(c.lang)))
        body = (
            "We could not find this order among our orders. It may have been placed with another seller on Amazon. Please contact Amazon Customer Service, who can help you locate it.",
            "当店の注文にはこのご注文が見つかりませんでした。Amazonの別の出品者からのご注文の可能性がございます。お手数ですがAmazonカスタマーサービスにお問い合わせください。",
        )
    elif found.outcome is FindOutcome.PENDING:
        steps.append(c.step("pending-reason", found.message(c.lang), found.message(c.lang)))
        body = (
            "We have found your order. It is waiting for payment to be confirmed; we will ship it once Amazon confirms the payment.",
            "ご注文を確認いたしました。現在お支払いの確認待ちです。Amazonでお支払いが確認され次第、発送いたします。",
        )
    else:
        steps.append(c.step("find-order", found.message(c.lang), found.message(c.lang)))
        body = (
            "We have found your order and are looking into your question.",
            "ご注文を確認いたしました。お問い合わせの件、確認いたします。",
        )
    return _advice(
        c,
        Situation.UNKNOWN_ORDER,
        found.message(c.lang),
        steps,
        refer_to=refer,
        template=c.letter(*body),
        facts={"outcome": str(found.outcome)},
    )


def _not_received(c: _Ctx) -> Advice:
    s = c.s
    if not s.charged:
        steps = [
            c.step(
                "dispatch-unshipped",
                f"Nothing has been confirmed as shipped yet ({s.status.en}); ship by {c.when(s.ship_by)}.",
                f"まだ出荷通知がありません（{s.status.ja}）。{c.when(s.ship_by)}までに出荷してください。",
            )
        ]
        return _advice(
            c, Situation.NOT_RECEIVED, c.t("Not shipped yet.", "まだ出荷されていません。"), steps
        )
    tracking = [e.tracking_number for e in s.events if e.tracking_number]
    claim_from = s.atoz_claim_from
    if claim_from is None:
        claim_note = c.t(
            "the buyer may file an A-to-z Guarantee claim.",
            "購入者はAマケプレ保証を申請する可能性があります。",
        )
    elif c.now >= claim_from:
        claim_note = c.t(
            f"an A-to-z Guarantee claim is already possible (since {c.when(claim_from, with_time=False)}).",
            f"Aマケプレ保証の申請はすでに可能です（{c.when(claim_from, with_time=False)}から）。",
        )
    else:
        claim_note = c.t(
            f"the buyer can file an A-to-z Guarantee claim from {c.when(claim_from, with_time=False)}.",
            f"購入者は{c.when(claim_from, with_time=False)}からAマケプレ保証を申請できます。",
        )
    carrier = (
        c.t(
            f"Contact the carrier with tracking number {tracking[-1]}: they can locate the package or help with an insurance claim.",
            f"お問い合わせ伝票番号{tracking[-1]}で配送業者に問い合わせます。荷物の捜索や保険請求の手助けが受けられます。",
        )
        if tracking
        else c.t(
            "Contact the carrier: without tracking they may still be able to help locate the package.",
            "配送業者に問い合わせます。追跡番号がなくても荷物を探せる場合があります。",
        )
    )
    steps = [
        c.step("not-received-carrier", carrier, carrier),
        Step(
            c.t(
                f"Or ask the buyer to wait a bit longer — {claim_note}",
                f"または、購入者にもう少し待つよう依頼します。{claim_note}",
            ),
            rule("not-received-wait"),
        ),
        c.step(
            "feedback-anyway",
            "Whichever you choose, the buyer may still leave feedback.",
            "どちらを選んでも、購入者は評価を投稿する可能性があります。",
        ),
    ]
    template = c.letter(
        "We are sorry your order has not arrived yet. We are checking with the carrier"
        + (f" (tracking number {tracking[-1]})" if tracking else "")
        + " and will get back to you as soon as we know more. Thank you for your patience.",
        "ご注文の商品がまだお手元に届いていないとのこと、大変申し訳ございません。現在、配送業者に確認しております"
        + (f"（お問い合わせ伝票番号：{tracking[-1]}）" if tracking else "")
        + "。分かり次第ご連絡いたしますので、今しばらくお待ちください。",
    )
    return _advice(
        c,
        Situation.NOT_RECEIVED,
        c.t(
            "Ask the carrier, or ask the buyer to wait.",
            "配送業者に確認するか、購入者に待ってもらいます。",
        ),
        steps,
        template=template,
        facts={
            "atoz_claim_from": claim_from,
            "tracking_number": tracking[-1] if tracking else None,
        },
    )


def _price_breakdown(c: _Ctx) -> Advice:
    s = c.s
    lines = [
        f"- {i.product_name or i.sku or i.order_item_id} × {i.quantity}: {c.yen(i.item_amount)} (+ {c.yen(i.amount - i.item_amount)} {c.t('shipping and fees', '送料・手数料')})"
        for i in s.facts.items
    ]
    steps = [
        c.step(
            "price-breakdown",
            "The breakdown is on the Order Details page and in the Order report.",
            "内訳は注文詳細ページと注文レポートで確認できます。",
        )
    ]
    multi = len(s.facts.items) > 1
    if multi:
        steps.append(
            c.step(
                "price-breakdown",
                "This order has several items: the other items' details are not on the same page — tell the buyer to contact Amazon Customer Service for more.",
                "この注文は複数商品のため、他の商品の詳細は同じページに表示されません。詳しくはAmazonカスタマーサービスに問い合わせるよう伝えます。",
            )
        )
    total = c.yen(s.total)
    body_items = "\n".join(lines)
    template = c.letter(
        f"Here is the breakdown of your order:\n{body_items}\nTotal: {total}"
        + ("\nFor more details, please contact Amazon Customer Service." if multi else ""),
        f"ご注文の内訳は以下のとおりです。\n{body_items}\n合計：{total}"
        + ("\nさらに詳しい内訳はAmazonカスタマーサービスにお問い合わせください。" if multi else ""),
    )
    return _advice(
        c,
        Situation.PRICE_BREAKDOWN,
        c.t(
            f"Total {total} for {len(s.facts.items)} item line(s).",
            f"{len(s.facts.items)}商品で合計{total}です。",
        ),
        steps,
        refer_to=c.t(*CS) if multi else None,
        template=template,
        facts={"total": s.total},
    )


def _returned(c: _Ctx) -> Advice:
    s = c.s
    cost = c.details.get("actual_shipping_cost")
    paid = s.charged_amount - s.refunded
    if cost is None:
        summary = c.t(
            f"Refund {c.yen(paid)} less the actual shipping cost you paid.",
            f"{c.yen(paid)}から実際にかかった送料を差し引いて返金します。",
        )
        refund = None
    else:
        refund = refund_for_undeliverable(paid=paid, actual_shipping_cost=int(cost))
        summary = c.t(
            f"Refund {c.yen(refund)} ({c.yen(paid)} − {c.yen(int(cost))} actual shipping).",
            f"{c.yen(refund)}を返金します（{c.yen(paid)} − 実際の送料{c.yen(int(cost))}）。",
        )
    steps = [c.step("refund-undeliverable", summary, summary)]
    amount = (
        c.yen(refund)
        if refund is not None
        else c.t(
            "the amount paid less the actual shipping cost",
            "お支払い額から実際の送料を差し引いた金額",
        )
    )
    template = c.letter(
        f"Your package was returned to us as it could not be delivered. We have refunded {amount}.",
        f"お届けできなかったため、商品が当店に返送されました。{amount}を返金いたしました。",
    )
    return _advice(
        c,
        Situation.RETURNED_UNDELIVERABLE,
        summary,
        steps,
        template=template,
        facts={"refund": refund, "paid": paid},
    )


def _cvs_details(c: _Ctx) -> Advice:
    steps = [
        c.step(
            "cvs-details-from-amazon",
            "Payment details are sent by Amazon, not by you: tell the buyer to contact Amazon Customer Service.",
            "支払い情報は出品者ではなくAmazonから送られます。Amazonカスタマーサービスに問い合わせるよう伝えます。",
        ),
        c.step(
            "cvs-details-from-amazon",
            "For the Payment ID, refer the buyer to the Help & Customer Service page.",
            "お支払い番号については、ヘルプ&カスタマーサービスページを案内します。",
        ),
    ]
    due = c.state.payment_due if c.state else None
    extra_en = f" Please note the payment must be made by {c.when(due)}." if due else ""
    extra_ja = f"なお、お支払い期限は{c.when(due)}です。" if due else ""
    return _advice(
        c,
        Situation.CVS_PAYMENT_DETAILS,
        c.t(
            "Refer the buyer to Amazon: sellers cannot resend payment details.",
            "Amazonに案内します。出品者は支払い情報を再送できません。",
        ),
        steps,
        cannot=(
            c.t(
                "See or resend convenience-store payment details or the Payment ID.",
                "コンビニ払いの支払い情報やお支払い番号の確認・再送。",
            ),
        ),
        refer_to=c.t(*CS),
        template=c.letter(
            f"Convenience-store payment details are sent by Amazon, and we cannot access them. Please contact Amazon Customer Service, or see the Help & Customer Service page for your Payment ID.{extra_en}",
            f"コンビニ払いのお支払い情報はAmazonからお送りしており、当店では確認できません。Amazonカスタマーサービスにお問い合わせいただくか、お支払い番号はヘルプ&カスタマーサービスページをご確認ください。{extra_ja}",
        ),
        facts={"payment_due": due},
    )


def _points(c: _Ctx) -> Advice:
    steps = [
        c.step(
            "points-invisible",
            "You cannot see how the buyer used Amazon points: direct them to the Help & Customer Service page.",
            "出品者は購入者のAmazonポイント利用状況を確認できません。ヘルプ&カスタマーサービスページを案内します。",
        )
    ]
    return _advice(
        c,
        Situation.POINTS_DETAILS,
        c.t(
            "Refer the buyer to Amazon: sellers cannot see points usage.",
            "Amazonに案内します。出品者はポイント利用状況を確認できません。",
        ),
        steps,
        cannot=(
            c.t(
                "See the buyer's Amazon points usage or payment details.",
                "購入者のAmazonポイントの利用状況や支払い情報の確認。",
            ),
        ),
        refer_to=c.t(*HELP),
        template=c.letter(
            "We are unable to see Amazon points usage. Please check the status and details of your points on Amazon's Help & Customer Service page.",
            "当店ではAmazonポイントのご利用状況を確認できません。ポイントの状況や詳細は、Amazonのヘルプ&カスタマーサービスページでご確認ください。",
        ),
    )


def _change_order(c: _Ctx) -> Advice:
    s = c.s
    steps = [
        c.step(
            "seller-cannot-edit",
            "You cannot change the price, quantity or shipping address yourself.",
            "出品者は価格・数量・お届け先住所を変更できません。",
        )
    ]
    if not s.facts.seller_fulfilled:
        summary = c.t(
            "Fulfilled by Amazon: the 5-minute edit rule does not apply; refer the buyer to Amazon.",
            "Amazon出荷の注文には5分ルールは適用されません。Amazonに案内します。",
        )
        steps.append(c.step("buyer-edit-window", summary, summary))
        body = (
            "This order is fulfilled by Amazon. Please contact Amazon Customer Service about changes.",
            "このご注文はAmazonから出荷されます。変更についてはAmazonカスタマーサービスにお問い合わせください。",
        )
        refer = c.t(*CS)
    elif s.can_edit and (s.status.is_pending or s.status is OrderStatus.UNSHIPPED):
        left = time_left(s.edit_window_ends, c.now, c.lang)  # type: ignore[arg-type]
        summary = c.t(
            f"The buyer can still edit the order in Your Account for {left} (until {c.when(s.edit_window_ends)}).",
            f"購入者はあと{left}（{c.when(s.edit_window_ends)}まで）アカウントサービスから注文を変更できます。",
        )
        steps.append(c.step("buyer-edit-window", summary, summary))
        body = (
            f"You can change the order yourself in Your Account until {c.when(s.edit_window_ends)}.",
            f"{c.when(s.edit_window_ends)}まで、アカウントサービスからご自身で注文内容を変更いただけます。",
        )
        refer = c.t(*YOUR_ACCOUNT)
    elif not (s.status.is_pending or s.status is OrderStatus.UNSHIPPED):
        summary = c.t(
            f"The order is {s.status.en}: it can no longer be changed or canceled. If the buyer wants something else, they place a new order.",
            f"この注文は{s.status.ja}のため、変更もキャンセルもできません。別の内容をご希望の場合は、新しく注文していただきます。",
        )
        rule_id = "no-cancel-after-shipment" if s.charged else "canceled-is-final"
        steps.append(Step(summary, rule(rule_id)))
        body = (
            "Your order can no longer be changed. If you would like something different, please place a new order.",
            "ご注文は変更できない状態です。別の内容をご希望の場合は、お手数ですが新たにご注文ください。",
        )
        refer = None
    else:
        summary = c.t(
            f"The edit window closed at {c.when(s.edit_window_ends)}: the buyer must cancel and place a new order.",
            f"変更可能な時間は{c.when(s.edit_window_ends)}に終了しました。購入者は注文をキャンセルして注文し直す必要があります。",
        )
        steps.append(c.step("buyer-edit-window", summary, summary))
        steps.append(
            c.step(
                "buyer-cancel-window",
                'The buyer asks you to cancel; cancel it with the reason "buyer requested" and they reorder.',
                "購入者からキャンセルの依頼を受け、理由「購入者の依頼」でキャンセルし、購入者に再注文してもらいます。",
            )
        )
        body = (
            "The order can no longer be changed. If you wish, we can cancel it so that you can place a new order with the correct details.",
            "ご注文は変更できない状態です。ご希望であればこちらでキャンセルいたしますので、正しい内容で改めてご注文ください。",
        )
        refer = None
    return _advice(
        c,
        Situation.CHANGE_ORDER,
        summary,
        steps,
        cannot=(
            c.t("Change an order's price, quantity or address.", "注文の価格・数量・住所の変更。"),
        ),
        refer_to=refer,
        template=c.letter(*body),
        facts={"edit_window_ends": s.edit_window_ends, "can_edit": s.can_edit},
    )


def _combine(c: _Ctx) -> Advice:
    s = c.s
    others: Sequence[OrderState] = c.details.get("others", ())
    group = [s, *others]
    addresses = {o.facts.ship_to for o in group}
    if len(group) < 2:
        raise ValueError("combine_shipments needs others=[OrderState, ...]")
    if len(addresses) != 1 or None in addresses:
        steps = [
            c.step(
                "combine-same-address",
                "These orders do not go to the same address: ship them separately.",
                "お届け先住所が異なるため、別々に発送します。",
            )
        ]
        return _advice(
            c,
            Situation.COMBINE_SHIPMENTS,
            c.t(
                "Cannot combine: different shipping addresses.",
                "同梱できません：お届け先住所が異なります。",
            ),
            steps,
            cannot=(
                c.t("Combine orders going to different addresses.", "住所の異なる注文の同梱。"),
            ),
            facts={"can_combine": False},
        )
    saving = int(c.details.get("saving", 0))
    weights = [sum(i.amount - i.item_amount for i in o.facts.items) for o in group]
    shares = split_saving(saving, weights)
    refunds = {o.order_id: sh for o, sh in zip(group, shares, strict=True)}
    share_text = ", ".join(f"{oid}: {c.yen(v)}" for oid, v in refunds.items())
    steps = [
        c.step(
            "combine-same-address",
            "The orders go to the same address: you may pack them together.",
            "お届け先住所が同じなので、同梱できます。",
        ),
        c.step(
            "combine-confirm-each",
            "Still treat each order on its own: confirm the shipment of every order.",
            "注文は個別に扱い、注文ごとに出荷を通知します。",
        ),
        c.step(
            "combine-confirm-each",
            f"Refund the saving of {c.yen(saving)}: {share_text}.",
            f"節約できた送料{c.yen(saving)}を返金します：{share_text}。",
        ),
    ]
    template = c.letter(
        f"We have shipped your orders together in one package and refunded the shipping saved ({c.yen(saving)}).",
        f"ご注文をまとめて1つの荷物でお送りし、節約できた送料（{c.yen(saving)}）を返金いたしました。",
    )
    return _advice(
        c,
        Situation.COMBINE_SHIPMENTS,
        c.t(
            f"Combine {len(group)} orders; confirm each and refund {c.yen(saving)}.",
            f"{len(group)}件を同梱し、各注文の出荷通知と{c.yen(saving)}の返金を行います。",
        ),
        steps,
        template=template,
        facts={"can_combine": True, "refunds": refunds},
    )


def _receipt(c: _Ctx) -> Advice:
    steps = [
        c.step(
            "receipt-by-amazon",
            "Amazon issues receipts on your behalf, with your name as issuer: the buyer prints it from Your Account.",
            "領収書はAmazonが出品者に代わって発行し、発行者として出品者名が記載されます。購入者はアカウントサービスから印刷できます。",
        )
    ]
    return _advice(
        c,
        Situation.RECEIPT,
        c.t(
            "Refer the buyer to Your Account: Amazon issues the receipt.",
            "アカウントサービスを案内します。領収書はAmazonが発行します。",
        ),
        steps,
        cannot=(c.t("Issue a receipt yourself.", "出品者自身による領収書の発行。"),),
        refer_to=c.t(*YOUR_ACCOUNT),
        template=c.letter(
            "Receipts are issued by Amazon on our behalf. You can print it from Your Account (Your Orders → the order → Receipt); our shop's name is printed as the issuer. See the Help & Customer Service page for details.",
            "領収書はAmazonが当店に代わって発行しております。アカウントサービスの「注文履歴」から該当のご注文の領収書を印刷いただけます。発行者として当店名が記載されます。詳しくはヘルプ&カスタマーサービスページをご覧ください。",
        ),
    )


def _unavailable(c: _Ctx) -> Advice:
    s = c.s
    unsent: Mapping[str, int] = c.details.get("unsent", {})
    refund = refund_for_unavailable(s, unsent) if unsent else None
    names = {i.order_item_id: i.product_name or i.order_item_id for i in s.facts.items}
    missing = (
        "、".join(names.get(k, k) for k in unsent)
        if c.lang == "ja"
        else ", ".join(names.get(k, k) for k in unsent)
    )
    refund_text = (
        c.yen(refund) if refund is not None else c.t("the items not sent", "未発送の商品の代金")
    )
    steps = [
        c.step(
            "partial-unavailable",
            "Option 1: ask the buyer to cancel the entire order and order the available items again.",
            "方法1：購入者に注文全体をキャンセルしてもらい、在庫のある商品だけで再注文してもらいます。",
        ),
        c.step(
            "partial-unavailable",
            "Option 2: with the buyer's consent, ship only what you can.",
            "方法2：購入者の同意を得て、発送できる商品だけを送ります。",
        ),
        c.step(
            "partial-unavailable",
            f"Then confirm shipment for the entire order and refund {refund_text}.",
            f"その場合も注文全体の出荷を通知し、{refund_text}を返金します。",
        ),
        c.step(
            "charge-whole-order",
            "Confirming even one item charges the buyer for the entire order.",
            "1点でも出荷を通知すると、注文全体が請求されます。",
        ),
        c.step(
            "shipment-late",
            'Refunding the rest without confirming the whole order leaves it "Shipment is late".',
            "注文全体の出荷通知をせずに残りを返金すると「出荷遅延」のままになります。",
        ),
    ]
    template = c.letter(
        f"We are very sorry: {missing or 'some items'} of your order are out of stock. We can either cancel the whole order so that you can reorder the available items, or, with your consent, ship the available items now and refund {refund_text}. Please let us know which you prefer.",
        f"大変申し訳ございません。ご注文の{missing or '一部の商品'}が在庫切れとなりました。ご注文全体をキャンセルして在庫のある商品で改めてご注文いただくか、ご了承いただければ在庫のある商品のみを発送し、{refund_text}を返金いたします。ご希望をお知らせください。",
    )
    return _advice(
        c,
        Situation.ITEMS_UNAVAILABLE,
        c.t(
            "Cancel and reorder, or ship what you can with consent and refund the rest.",
            "キャンセルして再注文してもらうか、同意を得て発送できる分を送り残りを返金します。",
        ),
        steps,
        template=template,
        facts={"refund": refund},
    )


def _contact(c: _Ctx) -> Advice:
    s = c.s
    steps = [
        c.step(
            "contact-channels",
            "Open the Contact Customer form from the buyer's name under Order Details, or write to the encrypted email address in the order report.",
            "注文詳細の購入者名から購入者連絡フォームを開くか、注文レポートにある暗号化メールアドレスに連絡します。",
        )
    ]
    cannot = []
    if Channel.PHONE in s.contact_channels:
        steps.append(
            c.step(
                "phone-fulfilment-period",
                "You may phone the buyer: the number connects during the fulfilment period only.",
                "電話も可能です。電話番号は配送期間中のみ購入者につながります。",
            )
        )
    elif not s.facts.seller_fulfilled:
        cannot.append(rule("no-phone-afn").text(c.lang))
        steps.append(
            c.step(
                "no-phone-afn",
                "No phone: the order is fulfilled by Amazon.",
                "電話はできません：Amazon出荷の注文です。",
            )
        )
    else:
        cannot.append(rule("phone-fulfilment-period").text(c.lang))
        steps.append(
            c.step(
                "phone-fulfilment-period",
                "No phone now: the number only connects during the fulfilment period.",
                "現在は電話できません：電話番号は配送期間中のみつながります。",
            )
        )
    steps.append(
        c.step(
            "contact-channels",
            "Review the conversation on the Buyer-Seller Messages page (Messages tab).",
            "やり取りは「購入者とのメッセージ」ページ（メッセージタブ）で確認できます。",
        )
    )
    channels = ", ".join(sorted(ch.value for ch in s.contact_channels))
    return _advice(
        c,
        Situation.CONTACT_BUYER,
        c.t(f"Open channels: {channels}.", f"利用できる連絡手段：{channels}"),
        steps,
        cannot=tuple(cannot),
        facts={"channels": sorted(ch.value for ch in s.contact_channels)},
    )


def _no_reply(c: _Ctx) -> Advice:
    s = c.s
    if not (s.status.is_pending or s.status is OrderStatus.UNSHIPPED):
        summary = c.t(
            f"This order is {s.status.en}: it can no longer be canceled for no reply. Keep writing through the Contact Customer form or email.",
            f"この注文は{s.status.ja}のため、返信なしを理由にキャンセルすることはできません。購入者連絡フォームやメールで連絡を続けます。",
        )
        steps = [
            Step(summary, rule("no-cancel-after-shipment")),
            c.step(
                "contact-channels",
                "Review the conversation on the Buyer-Seller Messages page.",
                "やり取りは「購入者とのメッセージ」ページで確認します。",
            ),
        ]
        template = c.letter(
            "We have tried to reach you about your order but have not heard back yet. Please reply to this message at your convenience.",
            "ご注文についてご連絡しておりますが、まだご返信をいただいておりません。お手すきの際にご返信いただけますと幸いです。",
        )
        return _advice(
            c,
            Situation.NO_REPLY,
            summary,
            steps,
            template=template,
            facts={"deadline": None, "overdue": False},
        )
    due = s.reply_deadline or c.details.get("due") or propose_reply_deadline(c.now, policy=c.policy)
    if s.reply_overdue:
        summary = c.t(
            f"The deadline {c.when(due)} has passed with no reply: you may cancel the order (reason: no reply).",
            f"返信期限{c.when(due)}を過ぎても返信がありません。注文をキャンセルできます（理由：返信なし）。",
        )
    else:
        summary = c.t(
            f"Set a deadline — {c.when(due)} — and tell the buyer the order will be canceled without a reply.",
            f"期限（{c.when(due)}）を設け、返信がなければ注文をキャンセルすると伝えます。",
        )
    template = c.letter(
        f"We have tried to reach you about your order but have not heard back. If we do not hear from you by {c.when(due)}, we will cancel the order.",
        f"ご注文についてご連絡しておりますが、まだご返信をいただいておりません。{c.when(due)}までにご返信がない場合は、ご注文をキャンセルさせていただきます。",
    )
    return _advice(
        c,
        Situation.NO_REPLY,
        summary,
        [Step(summary, rule("no-reply-deadline"))],
        template=template,
        facts={"deadline": due, "overdue": s.reply_overdue},
    )


def _confirm_deadline(c: _Ctx) -> Advice:
    s = c.s
    if s.fully_confirmed or s.status is OrderStatus.CANCELED or s.confirm_by is None:
        summary = c.t(
            f"No confirmation is due ({s.status.en}).",
            f"出荷通知の期限はありません（{s.status.ja}）。",
        )
        return _advice(
            c,
            Situation.CONFIRM_DEADLINE,
            summary,
            [c.step("confirm-within-7-days", summary, summary)],
            facts={"confirm_by": s.confirm_by},
        )
    if c.now >= s.confirm_by:
        summary = c.t(
            f"The confirmation cutoff {c.when(s.confirm_by)} has passed; part of the order is confirmed, so it was not canceled — confirm the rest or refund what you cannot send.",
            f"出荷通知の期限{c.when(s.confirm_by)}を過ぎました。一部が出荷通知済みのためキャンセルされていません。残りを出荷通知するか、送れない分を返金してください。",
        )
        return _advice(
            c,
            Situation.CONFIRM_DEADLINE,
            summary,
            [Step(summary, rule("confirm-within-7-days"))],
            facts={"confirm_by": s.confirm_by, "warning": None, "at_risk": False},
        )
    warning = confirm_warning_text(s, c.lang)
    summary = c.t(
        f"Confirm the shipment by {c.when(s.confirm_by)} ({time_left(s.confirm_by, c.now, 'en')} left) or Amazon cancels the order and you are not paid.",
        f"{c.when(s.confirm_by)}までに出荷を通知してください（残り{time_left(s.confirm_by, c.now, 'ja')}）。過ぎるとAmazonが注文をキャンセルし、代金は支払われません。",
    )
    steps = [c.step("confirm-within-7-days", summary, summary)]
    if warning:
        steps.append(
            Step(
                c.t(
                    f'Manage Orders now shows: "{warning}".',
                    f"注文管理に「{warning}」と表示されています。",
                ),
                rule("confirm-warning"),
            )
        )
    else:
        start = s.confirm_by - c.policy.confirm_warning_lead
        txt = c.t(
            f"The warning will show from {c.when(start)}.",
            f"{c.when(start)}から警告が表示されます。",
        )
        steps.append(Step(txt, rule("confirm-warning")))
    return _advice(
        c,
        Situation.CONFIRM_DEADLINE,
        summary,
        steps,
        facts={"confirm_by": s.confirm_by, "warning": warning, "at_risk": s.at_risk},
    )


def _late(c: _Ctx) -> Advice:
    s = c.s
    if not s.late:
        summary = c.t(
            f"Not late: ship by {c.when(s.ship_by)}.",
            f"遅延していません。{c.when(s.ship_by)}までに出荷してください。",
        )
        return _advice(
            c,
            Situation.SHIPMENT_LATE,
            summary,
            [Step(summary, rule("shipment-late"))],
            facts={"late": False},
        )
    summary = c.t(
        f"Late: the whole order was not confirmed by the ship date {c.when(s.ship_by)}.",
        f"遅延：出荷予定日{c.when(s.ship_by)}までに注文全体の出荷通知がありませんでした。",
    )
    steps = [Step(summary, rule("shipment-late"))]
    if s.status is OrderStatus.PARTIALLY_SHIPPED:
        steps.append(
            c.step(
                "charge-whole-order",
                "Part of it is confirmed, so the buyer was charged for the entire order; confirm the rest, or refund what you cannot send — the late status stays either way.",
                "一部を出荷通知済みのため注文全体が請求されています。残りを出荷通知するか、送れない分を返金します。いずれにせよ遅延表示は残ります。",
            )
        )
    elif s.status is OrderStatus.UNSHIPPED:
        steps.append(
            c.step(
                "confirm-within-7-days",
                f"Ship and confirm now: Amazon cancels it at {c.when(s.confirm_by)}.",
                f"すぐに出荷・通知してください。{c.when(s.confirm_by)}にAmazonがキャンセルします。",
            )
        )
    return _advice(
        c, Situation.SHIPMENT_LATE, summary, steps, facts={"late": True, "ship_by": s.ship_by}
    )


def _slip_step(c: _Ctx) -> Step:
    po = c.s.facts.purchase_order_number
    return c.step(
        "business-packing-slip",
        f"Business order: enclose a packing slip{f' with Buyer PO# {po}' if po else ''}.",
        f"法人注文：納品書を同梱してください{f'（購入者の発注番号 {po} を記載）' if po else ''}。",
    )


def _business(c: _Ctx) -> Advice:
    s = c.s
    if not s.facts.is_business_order:
        summary = c.t(
            "Not a business order: a packing slip is optional.",
            "法人注文ではありません。納品書は任意です。",
        )
        return _advice(
            c,
            Situation.BUSINESS_ORDER,
            summary,
            [Step(summary, rule("business-packing-slip"))],
            facts={"packing_slip_required": False},
        )
    step = _slip_step(c)
    return _advice(
        c,
        Situation.BUSINESS_ORDER,
        step.text,
        [step],
        facts={
            "packing_slip_required": True,
            "purchase_order_number": s.facts.purchase_order_number,
        },
    )


#: One handler per situation.
HANDLERS: Mapping[Situation, Callable[[_Ctx], Advice]] = {
    Situation.FIRST_ORDER: _first_order,
    Situation.PENDING_SALE: _pending_sale,
    Situation.UNKNOWN_ORDER: _unknown_order,
    Situation.NOT_RECEIVED: _not_received,
    Situation.PRICE_BREAKDOWN: _price_breakdown,
    Situation.RETURNED_UNDELIVERABLE: _returned,
    Situation.CVS_PAYMENT_DETAILS: _cvs_details,
    Situation.POINTS_DETAILS: _points,
    Situation.CHANGE_ORDER: _change_order,
    Situation.COMBINE_SHIPMENTS: _combine,
    Situation.RECEIPT: _receipt,
    Situation.ITEMS_UNAVAILABLE: _unavailable,
    Situation.CONTACT_BUYER: _contact,
    Situation.NO_REPLY: _no_reply,
    Situation.CONFIRM_DEADLINE: _confirm_deadline,
    Situation.SHIPMENT_LATE: _late,
    Situation.BUSINESS_ORDER: _business,
}


def advise(
    situation: Situation | str,
    state: OrderState | None = None,
    *,
    now: dt.datetime,
    lang: str = "en",
    policy: Policy = DEFAULT_POLICY,
    seller_name: str = "orderkit shop",
    **details: Any,
) -> Advice:
    """Answer one FAQ question for this order at this moment.

    Args:
        situation: a :class:`Situation` (or its value, e.g. ``"change_order"``).
        state: the order's state at ``now`` (``book.order(id).state(at=now)``); may be ``None``
            only for situations that need no order (unknown order, receipts, points, payment
            details).
        now: the moment of the inquiry (tz-aware).
        lang: ``"en"`` or ``"ja"``.
        policy: the seller's :class:`~orderkit.policy.Policy`.
        seller_name: the shop's name for the message template.
        **details: what some situations need: ``lookup=`` (a :class:`~orderkit.lookup.FindResult`)
            for ``unknown_order``; ``actual_shipping_cost=`` (yen) for ``returned_undeliverable``;
            ``others=`` (states of the other orders) and ``saving=`` (yen) for
            ``combine_shipments``; ``unsent=`` ({order_item_id: quantity}) for
            ``items_unavailable``; ``due=`` (a proposed deadline) for ``no_reply``.

    Returns:
        :class:`Advice` with steps, rules, limits, referral and a message template.

    Raises:
        ValueError: an unknown situation or language, a naive ``now``, or a situation that needs
            the order's state or a detail that was not given.
    """
    if lang not in ("en", "ja"):
        raise ValueError(f"lang must be 'en' or 'ja', not {lang!r}")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    sit = Situation(situation)
    ctx = _Ctx(state, now, lang, policy, seller_name, details)
    return HANDLERS[sit](ctx)


# ---- which situations an order's state illustrates ------------------------------------------

_APPLIES: Mapping[Situation, Callable[[OrderState], bool]] = {
    Situation.FIRST_ORDER: lambda s: s.status is OrderStatus.UNSHIPPED,
    Situation.PENDING_SALE: lambda s: s.status.is_pending,
    Situation.NOT_RECEIVED: lambda s: s.not_received_at is not None,
    Situation.PRICE_BREAKDOWN: lambda s: len(s.facts.items) > 1,
    Situation.RETURNED_UNDELIVERABLE: lambda s: s.returned_reason is not None,
    Situation.CVS_PAYMENT_DETAILS: lambda s: (
        s.facts.payment_method == "cvs" and s.status.is_pending
    ),
    Situation.POINTS_DETAILS: lambda s: s.facts.payment_method == "points",
    Situation.CHANGE_ORDER: lambda s: (
        s.status is OrderStatus.UNSHIPPED and s.facts.seller_fulfilled
    ),
    Situation.COMBINE_SHIPMENTS: lambda s: s.combined_ref is not None,
    Situation.RECEIPT: lambda s: s.status is OrderStatus.SHIPPED,
    Situation.ITEMS_UNAVAILABLE: lambda s: (
        s.status is OrderStatus.UNSHIPPED and len(s.facts.items) > 1
    ),
    Situation.CONTACT_BUYER: lambda s: not s.facts.seller_fulfilled,
    Situation.NO_REPLY: lambda s: (
        s.reply_deadline is not None
        or (s.status is OrderStatus.UNSHIPPED and s.facts.seller_fulfilled)
    ),
    Situation.CONFIRM_DEADLINE: lambda s: s.at_risk,
    Situation.SHIPMENT_LATE: lambda s: s.shows_late,
    Situation.BUSINESS_ORDER: lambda s: (
        s.facts.is_business_order and bool(s.facts.purchase_order_number)
    ),
}


def applies(situation: Situation | str, state: OrderState) -> bool:
    """Return whether ``state`` is a typical order for ``situation`` (for examples and drills).

    ``unknown_order`` applies to no order: it is about an order that is not in the book.
    """
    check = _APPLIES.get(Situation(situation))
    return bool(check and check(state))
