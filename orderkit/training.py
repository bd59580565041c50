"""Training drills for new support staff: a realistic situation, a choice, feedback with the rule.

A :class:`Drill` is built from a real order of a book at a given moment: the question depends on the
order's state (a Pending order the buyer wants shipped, an order at risk of automatic cancellation,
a business order…). Exactly one answer is right by the FAQ; every answer carries the rule that makes
it right or wrong, so the feedback can quote the FAQ.

>>> import numpy as np
>>> from orderkit import sample
>>> drill = make_drill(sample.book(60), rng=np.random.default_rng(1), now=sample.DEFAULT_NOW)
>>> sum(choice.correct for choice in drill.choices)
1
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from orderkit.book import OrderBook
from orderkit.deadlines import format_jst
from orderkit.policy import DEFAULT_POLICY, Policy
from orderkit.rules import Rule, rule
from orderkit.state import OrderState
from orderkit.status import OrderStatus

__all__ = ["DRILLS", "Choice", "Drill", "Feedback", "Score", "make_drill"]


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer a trainee can pick, with the rule that decides it."""

    en: str
    ja: str
    correct: bool
    rule: Rule

    def text(self, lang: str = "en") -> str:
        """Return the answer in ``lang``."""
        return self.ja if lang == "ja" else self.en


@dataclass(frozen=True, slots=True)
class Feedback:
    """What the trainee is told after answering."""

    correct: bool
    choice: Choice
    right: Choice

    def text(self, lang: str = "en") -> str:
        """Return the verdict and the rule in ``lang``."""
        ja = lang == "ja"
        verdict = (
            ("正解です。" if self.correct else "不正解です。")
            if ja
            else ("Correct." if self.correct else "Not quite.")
        )
        answer = (
            ""
            if self.correct
            else (f" 正しい対応：{self.right.ja}" if ja else f" The right answer: {self.right.en}")
        )
        return f"{verdict}{answer} {self.right.rule.text(lang)}"


@dataclass(frozen=True, slots=True)
class Drill:
    """One situation to practise on.

    Attributes:
        kind: which drill (a key of :data:`DRILLS`).
        order_id: the order it is about.
        now: the moment of the situation.
        question_en, question_ja: what happened and what the trainee must decide.
        choices: the answers, shuffled; exactly one is correct.
    """

    kind: str
    order_id: str
    now: dt.datetime
    question_en: str
    question_ja: str
    choices: tuple[Choice, ...]

    def question(self, lang: str = "en") -> str:
        """Return the question in ``lang``."""
        return self.question_ja if lang == "ja" else self.question_en

    @property
    def right(self) -> Choice:
        """The correct answer."""
        return next(c for c in self.choices if c.correct)

    def answer(self, index: int) -> Feedback:
        """Return the feedback for choosing ``choices[index]``; raise ``IndexError`` if out of range."""
        choice = self.choices[index]
        return Feedback(choice.correct, choice, self.right)


@dataclass(slots=True)
class Score:
    """A trainee's running score."""

    answered: int = 0
    correct: int = 0
    missed_rules: list[str] = field(default_factory=list)

    def add(self, feedback: Feedback) -> None:
        """Count one answered drill."""
        self.answered += 1
        if feedback.correct:
            self.correct += 1
        else:
            self.missed_rules.append(feedback.right.rule.id)

    def text(self, lang: str = "en") -> str:
        """Return the score as "3 / 4" with a label in ``lang``."""
        return f"{'スコア' if lang == 'ja' else 'Score'}: {self.correct} / {self.answered}"


# ---- the drills: each (applies to state?, build question and choices) -------------------------

_Builder = Callable[[OrderState, dt.datetime], tuple[str, str, list[Choice]]]


def _c(en: str, ja: str, correct: bool, rule_id: str) -> Choice:
    return Choice(en, ja, correct, rule(rule_id))


def _pending_ship(s: OrderState, now: dt.datetime) -> tuple[str, str, list[Choice]]:
    return (
        f'Order {s.order_id} is Pending. The buyer writes: "Please ship today, I\'ll pay soon." What do you do?',
        f"注文 {s.order_id} は保留中です。購入者から「今日発送してください。支払いはすぐにします」と連絡がありました。どうしますか？",
        [
            _c(
                "Ship it today to keep the buyer happy.",
                "購入者のために今日発送する。",
                False,
                "pending-no-dispatch",
            ),
            _c(
                "Do not ship until the order turns Unshipped.",
                "未出荷（支払い確定）になるまで発送しない。",
                True,
                "pending-no-dispatch",
            ),
            _c(
                "Cancel the order at once.", "すぐに注文をキャンセルする。", False, "pending-reason"
            ),
        ],
    )


def _at_risk(s: OrderState, now: dt.datetime) -> tuple[str, str, list[Choice]]:
    cutoff_en, cutoff_ja = format_jst(s.confirm_by, "en"), format_jst(s.confirm_by, "ja")  # type: ignore[arg-type]
    return (
        f'Order {s.order_id} shows "Confirm as shipped by …"; it went out yesterday but nobody confirmed it. The cutoff is {cutoff_en}. What happens if you wait?',
        f"注文 {s.order_id} に「出荷を通知してください」の警告が出ています。昨日発送しましたが出荷通知をしていません。期限は{cutoff_ja}です。待つとどうなりますか？",
        [
            _c(
                "Nothing: Amazon sees the parcel moving and confirms it.",
                "何も起きない。Amazonが荷物の動きを見て自動で通知する。",
                False,
                "confirm-within-7-days",
            ),
            _c(
                "Amazon cancels the order at the cutoff and you are not paid, even though it shipped.",
                "期限にAmazonが注文をキャンセルし、発送済みでも代金は支払われない。",
                True,
                "confirm-within-7-days",
            ),
            _c(
                "The buyer is charged anyway once delivered.",
                "配達されれば購入者に請求される。",
                False,
                "charge-whole-order",
            ),
        ],
    )


def _late_refund(s: OrderState, now: dt.datetime) -> tuple[str, str, list[Choice]]:
    return (
        f'Order {s.order_id} is partially shipped and shows "Shipment is late". You refund the item you cannot send. Does the late status go away?',
        f"注文 {s.order_id} は一部出荷済みで「出荷遅延」と表示されています。送れない商品を返金すると、遅延表示は消えますか？",
        [
            _c(
                "Yes, once the rest is refunded the order is complete.",
                "はい。残りを返金すれば注文は完了する。",
                False,
                "shipment-late",
            ),
            _c(
                "No, it stays even after the remaining items are refunded.",
                "いいえ。残りの商品を返金しても表示は残る。",
                True,
                "shipment-late",
            ),
        ],
    )


def _change_address(s: OrderState, now: dt.datetime) -> tuple[str, str, list[Choice]]:
    return (
        f"The buyer of order {s.order_id} (placed more than 5 minutes ago) asks you to change the shipping address. What do you tell them?",
        f"注文 {s.order_id}（注文から5分以上経過）の購入者が、お届け先住所の変更を依頼してきました。どう伝えますか？",
        [
            _c(
                "I will change the address for you in Seller Central.",
                "セラーセントラルで住所を変更します。",
                False,
                "seller-cannot-edit",
            ),
            _c(
                "Edit it yourself in Your Account.",
                "アカウントサービスでご自身で変更してください。",
                False,
                "buyer-edit-window",
            ),
            _c(
                "It can no longer be changed: cancel and place a new order with the right address.",
                "変更はできないため、キャンセルして正しい住所で注文し直してください。",
                True,
                "buyer-edit-window",
            ),
        ],
    )


def _receipt(s: OrderState, now: dt.datetime) -> tuple[str, str, list[Choice]]:
    return (
        f"The buyer of order {s.order_id} asks for a receipt (領収書). What do you do?",
        f"注文 {s.order_id} の購入者から領収書を求められました。どうしますか？",
        [
            _c(
                "Make a PDF receipt with your shop's stamp and email it.",
                "店の印を押した領収書PDFを作ってメールで送る。",
                False,
                "receipt-by-amazon",
            ),
            _c(
                "Tell them to print it from Your Account: Amazon issues it with your name.",
                "アカウントサービスから印刷できると案内する（Amazonが出品者名で発行）。",
                True,
                "receipt-by-amazon",
            ),
        ],
    )


def _cvs_details(s: OrderState, now: dt.datetime) -> tuple[str, str, list[Choice]]:
    return (
        f"The buyer of order {s.order_id} lost the convenience-store payment number and asks you to resend it. What do you do?",
        f"注文 {s.order_id} の購入者がコンビニ払いのお支払い番号をなくし、再送を依頼してきました。どうしますか？",
        [
            _c(
                "Look it up in Manage Orders and send it.",
                "注文管理で調べて送る。",
                False,
                "cvs-details-from-amazon",
            ),
            _c(
                "Refer the buyer to Amazon: payment details come from Amazon.",
                "Amazonに案内する（支払い情報はAmazonから送られる）。",
                True,
                "cvs-details-from-amazon",
            ),
            _c(
                "Cancel the order and ask them to reorder.",
                "注文をキャンセルして再注文してもらう。",
                False,
                "cvs-payment-expiry",
            ),
        ],
    )


def _afn_phone(s: OrderState, now: dt.datetime) -> tuple[str, str, list[Choice]]:
    return (
        f"Order {s.order_id} is fulfilled by Amazon. You need to reach the buyer urgently. How?",
        f"注文 {s.order_id} はAmazonから出荷されています。購入者に急いで連絡したいとき、どうしますか？",
        [
            _c(
                "Call the phone number on the order.",
                "注文の電話番号に電話する。",
                False,
                "no-phone-afn",
            ),
            _c(
                "Use the Contact Customer form or the encrypted email address.",
                "購入者連絡フォームか暗号化メールアドレスを使う。",
                True,
                "no-phone-afn",
            ),
        ],
    )


def _returned(s: OrderState, now: dt.datetime) -> tuple[str, str, list[Choice]]:
    return (
        f"The parcel of order {s.order_id} came back: the address was invalid. How much do you refund?",
        f"注文 {s.order_id} の荷物が宛先不備で返送されてきました。いくら返金しますか？",
        [
            _c(
                "Nothing: the buyer gave a wrong address.",
                "返金しない（購入者の住所誤りのため）。",
                False,
                "refund-undeliverable",
            ),
            _c(
                "The amount paid, less the actual shipping cost.",
                "支払額から実際の送料を差し引いた額。",
                True,
                "refund-undeliverable",
            ),
            _c(
                "The full amount including shipping.",
                "送料も含めた全額。",
                False,
                "refund-undeliverable",
            ),
        ],
    )


def _business(s: OrderState, now: dt.datetime) -> tuple[str, str, list[Choice]]:
    po = s.facts.purchase_order_number
    return (
        f"Order {s.order_id} has the Business Buyer badge"
        + (f" and Buyer PO# {po}" if po else "")
        + ". What goes in the box?",
        f"注文 {s.order_id} には法人購入者のバッジがあります"
        + (f"（発注番号 {po}）" if po else "")
        + "。箱に何を入れますか？",
        [
            _c(
                "Just the goods: Amazon emails the invoice.",
                "商品だけ（請求書はAmazonがメールする）。",
                False,
                "business-packing-slip",
            ),
            _c(
                "A packing slip" + (" with the Buyer PO#." if po else "."),
                "納品書" + ("（発注番号を記載）。" if po else "。"),
                True,
                "business-packing-slip",
            ),
        ],
    )


def _is(*statuses: OrderStatus) -> Callable[[OrderState], bool]:
    return lambda s: s.status in statuses


#: kind → (does it apply to this state?, build the question).
DRILLS: dict[str, tuple[Callable[[OrderState], bool], _Builder]] = {
    "pending_ship_request": (_is(OrderStatus.PENDING), _pending_ship),
    "at_risk": (lambda s: s.at_risk, _at_risk),
    "late_refund": (lambda s: s.late and s.status is OrderStatus.PARTIALLY_SHIPPED, _late_refund),
    "change_address": (
        lambda s: s.facts.seller_fulfilled and not s.can_edit and s.status is OrderStatus.UNSHIPPED,
        _change_address,
    ),
    "receipt": (_is(OrderStatus.SHIPPED), _receipt),
    "cvs_details": (
        lambda s: s.facts.payment_method == "cvs" and s.status.is_pending,
        _cvs_details,
    ),
    "afn_phone": (
        lambda s: not s.facts.seller_fulfilled and s.status is not OrderStatus.CANCELED,
        _afn_phone,
    ),
    "returned": (lambda s: s.returned_reason is not None, _returned),
    "business_slip": (
        lambda s: s.facts.is_business_order and s.status is OrderStatus.UNSHIPPED,
        _business,
    ),
}


def make_drill(
    book: OrderBook,
    *,
    rng: np.random.Generator,
    now: dt.datetime,
    policy: Policy = DEFAULT_POLICY,
    kinds: Sequence[str] | None = None,
) -> Drill:
    """Return a random drill about a random order of ``book`` to which it applies at ``now``.

    Args:
        book: the order book to draw orders from (the sample book by default in the widgets).
        rng: the random generator (seed it for a repeatable session).
        now: the moment of the situation.
        policy: the seller's policy.
        kinds: restrict to these drill kinds (keys of :data:`DRILLS`).

    Raises:
        ValueError: no order of the book fits any of the drill kinds.
    """
    wanted = list(kinds) if kinds is not None else list(DRILLS)
    order_ids = book.orders["order_id"].to_numpy()
    for order_id in rng.permutation(order_ids):
        state = book.order(str(order_id)).state(at=now, policy=policy)
        fits = [k for k in wanted if DRILLS[k][0](state)]
        if not fits:
            continue
        kind = fits[int(rng.integers(len(fits)))]
        q_en, q_ja, choices = DRILLS[kind][1](state, now)
        order = rng.permutation(len(choices))
        return Drill(kind, str(order_id), now, q_en, q_ja, tuple(choices[i] for i in order))
    raise ValueError(f"no order in the book fits the drills {wanted}")
