"""The rules of the Manage Orders FAQ, each with the sentence it comes from.

A :class:`Rule` is what orderkit shows when it refuses an action or explains a step of advice: a
short statement in English and in Japanese, and the FAQ's own words (``faq``, verbatim from
``shared/seed/manage-orders-faq.txt``) so that anyone can check the source.

>>> RULES["pending-no-dispatch"].text("en")
'Pending orders must not be dispatched, even if the buyer asks: payment is not verified.'
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RULES", "Rule", "rule"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the FAQ.

    Attributes:
        id: a stable slug, e.g. ``"pending-no-dispatch"``.
        en: the rule in a support person's words, in English.
        ja: the same in Japanese.
        faq: the FAQ sentence(s) it comes from, verbatim.

    """

    id: str
    en: str
    ja: str
    faq: str

    def text(self, lang: str = "en") -> str:
        """Return the rule in ``lang`` (``"en"`` or ``"ja"``)."""
        if lang not in ("en", "ja"):
            raise ValueError(f"lang must be 'en' or 'ja', not {lang!r}")
        return self.ja if lang == "ja" else self.en


_RULES: tuple[Rule, ...] = (
    Rule(
        "pending-no-dispatch",
        "Pending orders must not be dispatched, even if the buyer asks: payment is not verified.",
        "保留中（Pending）の注文は、購入者から依頼されても出荷してはいけません。支払いが確認されていません。",
        "Do not dispatch orders if in pending status, even if the buyer requests to do so.",
    ),
    Rule(
        "dispatch-unshipped",
        "Only orders whose payment is settled (Unshipped) can and should be dispatched promptly.",
        "支払いが確定した未出荷（Unshipped）の注文だけを、速やかに出荷します。",
        "You should only dispatch orders that you can verify in Manage Orders. All orders listed as"
        " ‘Unshipped’ in your seller account can and should be dispatched promptly in accordance"
        " with Amazon policies.",
    ),
    Rule(
        "pending-reason",
        "An order stays Pending while the payment method is not verified or a convenience-store"
        " payment has not been made.",
        "支払い方法が確認されていない場合や、コンビニ払いの支払いが完了していない場合、注文は保留中のままです。",
        "After a buyer initiates an order, the sale stays in pending status if the payment method is"
        " not verified, or payment is not completed if the convenience store payment method is"
        " selected.",
    ),
    Rule(
        "cvs-payment-expiry",
        "A convenience-store payment not made within its deadline cancels the order; the buyer is"
        " never charged.",
        "コンビニ払いが期限までに支払われない場合、注文はキャンセルされ、購入者に請求されることはありません。",
        "payment is not completed if the convenience store payment method is selected.",
    ),
    Rule(
        "find-order",
        "Look the order up in Manage Orders by the buyer's email address or the order number and"
        " check that it is valid.",
        "購入者のメールアドレスまたは注文番号で注文管理から注文を検索し、有効な注文か確認します。",
        "Locate the order using the buyer's email address or order number and see if the order is"
        " valid.",
    ),
    Rule(
        "other-seller-order",
        "An order that is not in your Manage Orders may be another seller's: refer the buyer to"
        " Amazon Customer Service.",
        "注文管理に見つからない注文は他の出品者の注文かもしれません。購入者をAmazonカスタマーサービスに案内します。",
        "The buyer could also be confused with an order from other seller at Amazon. Check Manage"
        " Orders in your seller account to ensure this order is not yours, and refer the buyer to"
        " the Amazon Customer Service.",
    ),
    Rule(
        "not-received-carrier",
        "For a package lost in transit, ask the carrier: tracking or insurance lets it locate the"
        " package or file a claim.",
        "配送中に紛失した場合は配送業者に問い合わせます。追跡や保険があれば荷物の捜索や保険請求ができます。",
        "Contact your carrier: In some instances, if an order was lost in transit, you may be able"
        " to receive assistance from your carrier. If you purchased package tracking or insurance,"
        " the carrier may be able to assist in locating the package or filing an insurance claim.",
    ),
    Rule(
        "not-received-wait",
        "You may ask the buyer to wait a bit longer, but the buyer may file an A-to-z Guarantee"
        " claim.",
        "購入者にもう少し待つよう依頼できますが、購入者はAマケプレ保証の申請をする可能性があります。",
        "Ask the buyer to wait a bit longer for their order to arrive: If you choose this option,"
        " please be aware that your buyer may file an A-to-z Guarantee claim.",
    ),
    Rule(
        "feedback-anyway",
        "Whatever you choose, the buyer may still leave feedback for the transaction.",
        "どの対応を選んでも、購入者は取引の評価を投稿する可能性があります。",
        "Please note that regardless of the option you choose, the buyer may still leave feedback"
        " for the transaction.",
    ),
    Rule(
        "price-breakdown",
        "The order's details are in Manage Orders and the Order report; for a multi-item order the"
        " other items are not on the same page, so refer the buyer to Customer Service.",
        "注文の詳細は注文管理と注文レポートで確認できます。複数商品の注文では他の商品の詳細は同じページに表示されないため、"
        "購入者をカスタマーサービスに案内します。",
        "The details of an order can be viewed in Manage Orders in your seller account or by"
        " downloading the Order report. However, if the order includes multiple items, the details"
        " of other items will not be shown on the same Order detail page. Tell the buyer to"
        " contact Amazon Customer Service for more information.",
    ),
    Rule(
        "refund-undeliverable",
        "An order returned as undeliverable, rejected or with an invalid address is refunded less"
        " the actual shipping cost.",
        "住所不明・受取拒否・宛先不備で返送された注文は、実際の送料を差し引いて返金します。",
        "Refund the buyer less the actual shipping cost.",
    ),
    Rule(
        "cvs-details-from-amazon",
        "Convenience-store payment details and the Payment ID are sent by Amazon, not the seller:"
        " refer the buyer to Amazon.",
        "コンビニ払いの支払い情報とお支払い番号はAmazonから送られます。出品者からは送れないため、購入者をAmazonに案内します。",
        "Payment details are sent to buyers from Amazon, not from sellers. Tell the buyer to"
        " contact Amazon Customer Service.",
    ),
    Rule(
        "points-invisible",
        "Sellers cannot see how a buyer used Amazon points: refer the buyer to Help & Customer"
        " Service.",
        "出品者は購入者のAmazonポイントの利用状況を確認できません。購入者をヘルプ&カスタマーサービスに案内します。",
        "Merchants are unable to check the Amazon points usage situation of buyers.",
    ),
    Rule(
        "seller-cannot-edit",
        "Sellers are not authorised to change an order's price, quantity or shipping address.",
        "出品者は注文の価格・数量・お届け先住所を変更できません。",
        "Sellers are not authorized to change order information.",
    ),
    Rule(
        "buyer-edit-window",
        "The buyer can edit the order in Your Account within 5 minutes of checking out"
        " (seller-fulfilled orders only); after that, only cancel and reorder.",
        "購入者は注文確定後5分以内ならアカウントサービスから注文を変更できます（出品者出荷の注文のみ）。"
        "それ以降はキャンセルして注文し直す必要があります。",
        "Tell the buyer to access Your Account and edit order information within 5 minutes after"
        " checking out. After 5 minutes have passed, changes cannot be made and the buyer needs to"
        " cancel the order to place a new order with correct information. This 5 minutes’ rule"
        " applies to merchant-fulfilled orders only.",
    ),
    Rule(
        "combine-same-address",
        "Orders can be shipped together only when their shipping address is the same.",
        "同梱発送できるのは、お届け先住所が同じ注文だけです。",
        "Multiple orders can be combined if the shipping address is the same",
    ),
    Rule(
        "combine-confirm-each",
        "Combined orders are still treated one by one: send a shipping confirmation for each order"
        " and refund the saving.",
        "同梱しても注文は個別に扱います。注文ごとに出荷通知を送り、節約できた送料を返金します。",
        "you still have to treat each order individually. Send the shipping confirmation email for"
        " each order, and refund the buyer for the amount saved due to combined shipment.",
    ),
    Rule(
        "receipt-by-amazon",
        "Receipts are issued by Amazon on the seller's behalf, with the seller's name as issuer:"
        " the buyer prints it from Your Account.",
        "領収書はAmazonが出品者に代わって発行し、発行者として出品者名が記載されます。購入者はアカウントサービスから印刷できます。",
        "Receipts are issued by Amazon on your behalf. Tell the buyer to go to Your Account where"
        " the order details and printable receipts are available. For items sold by an Amazon"
        " Marketplace seller, the seller's name will be printed as the receipt issuer.",
    ),
    Rule(
        "partial-unavailable",
        "If some items are unavailable: the buyer cancels and reorders, or, with the buyer's"
        " consent, ship what you can, confirm the whole order and refund the items not sent.",
        "一部の商品が在庫切れの場合：購入者に注文全体をキャンセルして再注文してもらうか、購入者の同意を得て発送できる商品だけを送り、"
        "注文全体の出荷通知を送って未発送の商品を返金します。",
        "Request the buyer to cancel the entire order and make a new order for available items"
        " only. Alternatively, inform the buyer that some items are unavailable and you will"
        " dispatch only what you can, with the buyer's consent. You will still send a shipping"
        " confirmation email to the buyer for the entire order, but start refund process for the"
        " items that were not sent.",
    ),
    Rule(
        "contact-channels",
        "Contact the buyer through the Contact Customer form, the encrypted email address Amazon"
        " provides, or by telephone.",
        "購入者への連絡は、購入者連絡フォーム、Amazonが提供する暗号化メールアドレス、または電話で行います。",
        "Sellers can communicate with the buyer using this form, via email (using an encrypted"
        " address provided by Amazon), or by telephone.",
    ),
    Rule(
        "no-phone-afn",
        "Buyers' phone numbers are not visible for orders fulfilled by Amazon.",
        "Amazonから出荷される注文では、購入者の電話番号は表示されません。",
        "Buyers' phone numbers will not be visible for orders that are fulfilled by Amazon.",
    ),
    Rule(
        "phone-fulfilment-period",
        "For seller-fulfilled orders the phone number connects to the buyer only during the"
        " fulfilment period; after delivery it no longer connects.",
        "出品者出荷の注文では、電話番号は配送期間中のみ購入者につながります。配達完了後はつながりません。",
        "For seller-fulfilled orders, we provide you with a phone number that connects to the buyer"
        " during the fulfilment period. After delivery is complete, this phone number will no"
        " longer connect to the buyer.",
    ),
    Rule(
        "no-reply-deadline",
        "If the buyer does not reply, set a deadline and tell the buyer that the order will be"
        " canceled if you do not hear back by then.",
        "購入者から返信がない場合は期限を設け、その日までに返信がなければ注文をキャンセルすると伝えます。",
        "If your email attempts don't elicit a response from the buyer, set a deadline and inform"
        " the buyer that the order will be cancelled if you don't hear back by a certain date.",
    ),
    Rule(
        "confirm-within-7-days",
        "Confirm shipment within 7 days of the ship date, or Amazon cancels the order"
        " automatically and you are not paid, even if you shipped it.",
        "出荷予定日から7日以内に出荷通知を送らないと、Amazonが注文を自動キャンセルし、発送済みでも代金は支払われません。",
        "You must confirm shipment of the order with Amazon within 7 days of the ship date."
        " Otherwise, Amazon will automatically cancel the order and you will not be paid, even if"
        " you shipped the order.",
    ),
    Rule(
        "confirm-warning",
        'From one week before the cutoff, Manage Orders shows "Confirm as shipped by <date> to'
        ' avoid cancellation" and you get an email.',
        "期限の1週間前から、注文管理に「キャンセルを避けるため<日付>までに出荷通知を送信してください」と表示され、メールも届きます。",
        'One week before the 7-day cutoff, you will see a warning in Manage Orders ("Confirm as'
        ' shipped by [date] to avoid cancellation"), and you will receive a notification by email.',
    ),
    Rule(
        "charge-whole-order",
        "Confirming shipment of even one item charges the buyer for the entire order.",
        "1つの商品でも出荷通知を送ると、購入者には注文全体の金額が請求されます。",
        "When you confirm shipment for even one item in an order, we charge the buyer for the"
        " entire order.",
    ),
    Rule(
        "shipment-late",
        'If the whole order is not confirmed by the ship date it shows "Shipment is late" — even'
        " after the remaining items are refunded.",
        "出荷予定日までに注文全体の出荷通知がないと「出荷遅延」と表示されます。残りの商品を返金しても表示は消えません。",
        'If the entire order is not confirmed, you will see the "Shipment is late" status in'
        " Manage Orders and a warning message on your seller account home page. These will appear"
        " even if you have refunded the remaining items in the order.",
    ),
    Rule(
        "business-packing-slip",
        "Business orders need a packing slip in the box, with the Buyer PO# on it when the order"
        " has one.",
        "法人のお客様の注文には納品書を同梱し、購入者の発注番号（Buyer PO#）があれば納品書に記載します。",
        "For an order from a business customer, sellers must enclose a packing slip. If you see the"
        " Buyer PO# (purchase order number) in the Order Details page, enter the Buyer PO# to the"
        " packing slip.",
    ),
    Rule(
        "check-manage-orders",
        "Check Manage Orders regularly so that you know every incoming order.",
        "すべての新規注文を把握できるよう、注文管理を定期的に確認します。",
        "We encourage you to check Manage Orders in your seller account regularly to ensure you are"
        " aware of all incoming orders.",
    ),
    # Rules that keep the book consistent; the FAQ implies them rather than stating them.
    Rule(
        "no-ship-more-than-ordered",
        "You cannot confirm more of an item than the buyer ordered and is still to ship.",
        "注文数量のうち未出荷の数量を超えて出荷通知を送ることはできません。",
        "Send the shipping confirmation email for each order",
    ),
    Rule(
        "refund-not-above-charged",
        "A refund cannot exceed what the buyer was charged and not yet refunded; an order that was"
        " never charged has nothing to refund.",
        "返金額は請求済みで未返金の金額を超えられません。請求されていない注文には返金するものがありません。",
        "When you confirm shipment for even one item in an order, we charge the buyer for the"
        " entire order.",
    ),
    Rule(
        "no-cancel-after-shipment",
        "An order with a confirmed shipment has been charged and cannot be canceled: refund the"
        " items not sent instead.",
        "出荷通知済みの注文は請求済みのためキャンセルできません。代わりに未発送の商品を返金します。",
        "You will still send a shipping confirmation email to the buyer for the entire order, but"
        " start refund process for the items that were not sent.",
    ),
    Rule(
        "canceled-is-final",
        "A canceled order is closed: nothing more can be shipped, charged or refunded.",
        "キャンセルされた注文は完了しています。出荷・請求・返金はできません。",
        "the buyer needs to cancel the order to place a new order with correct information.",
    ),
    Rule(
        "buyer-cancel-window",
        "A buyer cancels a seller-fulfilled order themselves only within 5 minutes of checkout (or"
        " while it is Pending); after that they ask the seller, who cancels it.",
        "購入者が自分でキャンセルできるのは注文確定後5分以内（または保留中）のみです。それ以降は出品者に依頼し、出品者がキャンセルします。",
        "After 5 minutes have passed, changes cannot be made and the buyer needs to cancel the"
        " order to place a new order with correct information.",
    ),
    Rule(
        "returned-after-shipment",
        "Only a shipped package can come back to the seller as undeliverable, rejected or invalid"
        " address.",
        "住所不明・受取拒否などで返送されるのは、出荷済みの荷物だけです。",
        "What do I do if an order is returned due to undeliverable, rejected, or invalid address?",
    ),
    Rule(
        "not-received-after-shipment",
        "A buyer can report a package as not received, or file an A-to-z claim for it, only once"
        " something has shipped.",
        "未着の連絡やAマケプレ保証の申請は、商品が出荷された後にのみ起こります。",
        "A buyer contacted me saying they did not receive their order.",
    ),
    Rule(
        "not-in-this-status",
        "This step does not apply to an order in its current status.",
        "この操作は、現在のステータスの注文には行えません。",
        "All orders listed as ‘Unshipped’ in your seller account can and should be dispatched"
        " promptly in accordance with Amazon policies.",
    ),
    Rule(
        "atoz-window",
        "An A-to-z Guarantee claim is possible from 3 days after the latest estimated delivery"
        " date, and up to 90 days after it.",
        "Aマケプレ保証の申請は、お届け予定日の最終日から3日後以降、90日以内に可能です。",
        "If you choose this option, please be aware that your buyer may file an A-to-z Guarantee"
        " claim.",
    ),
    Rule(
        "shipped-before-confirmed",
        "A shipment is confirmed when or after the parcel leaves, never before; and a parcel cannot"
        " have left before the order's payment was settled.",
        "出荷通知は荷物の発送時またはその後に行います。発送前に通知することはできず、支払い確定前に発送したことにもできません。",
        "You must confirm shipment of the order with Amazon within 7 days of the ship date.",
    ),
    Rule(
        "placed-once",
        "An order is placed once, before anything else happens to it.",
        "注文確定は一度だけ、他のすべてのイベントより先に起こります。",
        "After a buyer initiates an order",
    ),
    Rule(
        "reply-deadline-future",
        "A reply deadline must lie after the moment it is set, and only an order not yet shipped"
        " can be canceled for no reply.",
        "返信期限は設定時点より後の日時でなければならず、未出荷の注文にのみ設定できます。",
        "set a deadline and inform the buyer that the order will be cancelled if you don't hear"
        " back by a certain date.",
    ),
    Rule(
        "events-in-order",
        "Events are facts in time order: a new event cannot be dated before the order's last one.",
        "イベントは時系列の事実です。注文の最後のイベントより前の日時で記録することはできません。",
        "Manage Orders",
    ),
)

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


def rule(rule_id: str) -> Rule:
    """Return the rule with ``rule_id``; raise ``KeyError`` naming the known ids if absent."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule {rule_id!r}; known: {', '.join(sorted(RULES))}") from None
