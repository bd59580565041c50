"""The rules of the Manage Orders FAQ, each with the sentence it comes from.

A :class:`Rule` is what orderkit shows when it refuses an action or explains a step of advice: a
short statement in a support person's words (English, the catalogs' message id; Japanese and
Chinese from the catalogs), and the FAQ's own words (``faq``, verbatim from the English edition in
``shared/seed/manage-orders-faq.txt``) so that anyone can check the source.

The FAQ we encode is the English edition: its sentence is quoted as Amazon wrote it, and in another
language it is shown beside our own translation, labelled as ours (:meth:`Rule.quote`), never passed
off as Amazon's wording. Our translation is a catalog message: ``_(rule.faq, lang)``.

>>> RULES["pending-no-dispatch"].text("en")
'Pending orders must not be dispatched, even if the buyer asks: payment is not verified.'
>>> RULES["pending-no-dispatch"].text("ja")
'保留中の注文は、購入者から依頼されても出荷してはいけません。支払いが確認されていません。'
>>> print(RULES["pending-no-dispatch"].quote("ja"))
“Do not dispatch orders if in pending status, even if the buyer requests to do so.”
参考訳：保留中の注文は、購入者から依頼された場合でも出荷しないでください。
"""

from __future__ import annotations

from dataclasses import dataclass

from orderkit.i18n import N_, _, check_lang

__all__ = ["REFERENCE_TRANSLATION", "RULES", "Rule", "rule"]

#: The label beside our translation of an FAQ sentence (参考訳 / 参考译文): it is not Amazon's.
REFERENCE_TRANSLATION = N_("Reference translation")


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the FAQ.

    Attributes:
        id: a stable slug, e.g. ``"pending-no-dispatch"``.
        en: the rule in a support person's words, in English (the catalog's message id).
        faq: the FAQ sentence(s) it comes from, verbatim from the English edition (also a catalog
            message: ``_(rule.faq, lang)`` is our translation).
    """

    id: str
    en: str
    faq: str

    @property
    def ja(self) -> str:
        """The rule in Japanese."""
        return _(self.en, "ja")

    def text(self, lang: str = "en") -> str:
        """Return the rule in ``lang`` (``en``, ``ja`` or ``zh-Hans``).

        Raises:
            ValueError: an unknown language.
        """
        return _(self.en, check_lang(lang))

    def faq_translation(self, lang: str) -> str | None:
        """Return our translation of the FAQ sentence in ``lang``; ``None`` in English (no need)."""
        return None if check_lang(lang) == "en" else _(self.faq, lang)

    def quote(self, lang: str = "en") -> str:
        """Return the FAQ's English sentence in quotes, with our translation labelled as ours.

        In English the quote alone; in another language a second line with our translation,
        labelled as such (``参考訳：…`` / ``参考译文：…``).

        Raises:
            ValueError: an unknown language.
        """
        quoted = f"“{self.faq}”"
        ours = self.faq_translation(lang)
        if ours is None:
            return quoted
        return (
            quoted
            + "\n"
            + _("{label}: {text}", lang, label=_(REFERENCE_TRANSLATION, lang), text=ours)
        )


_RULES: tuple[Rule, ...] = (
    Rule(
        "pending-no-dispatch",
        N_(
            "Pending orders must not be dispatched, even if the buyer asks: payment is not verified."
        ),
        N_("Do not dispatch orders if in pending status, even if the buyer requests to do so."),
    ),
    Rule(
        "dispatch-unshipped",
        N_(
            "Only orders whose payment is settled (Unshipped) can and should be dispatched promptly."
        ),
        N_(
            "You should only dispatch orders that you can verify in Manage Orders. All orders listed as"
            " ‘Unshipped’ in your seller account can and should be dispatched promptly in accordance"
            " with Amazon policies."
        ),
    ),
    Rule(
        "pending-reason",
        N_(
            "An order stays Pending while the payment method is not verified or a convenience-store"
            " payment has not been made."
        ),
        N_(
            "After a buyer initiates an order, the sale stays in pending status if the payment method is"
            " not verified, or payment is not completed if the convenience store payment method is"
            " selected."
        ),
    ),
    Rule(
        "cvs-payment-expiry",
        N_(
            "A convenience-store payment not made within its deadline cancels the order; the buyer is"
            " never charged."
        ),
        N_("payment is not completed if the convenience store payment method is selected."),
    ),
    Rule(
        "find-order",
        N_(
            "Look the order up in Manage Orders by the buyer's email address or the order number and"
            " check that it is valid."
        ),
        N_(
            "Locate the order using the buyer's email address or order number and see if the order is"
            " valid."
        ),
    ),
    Rule(
        "other-seller-order",
        N_(
            "An order that is not in your Manage Orders may be another seller's: refer the buyer to"
            " Amazon Customer Service."
        ),
        N_(
            "The buyer could also be confused with an order from other seller at Amazon. Check Manage"
            " Orders in your seller account to ensure this order is not yours, and refer the buyer to"
            " the Amazon Customer Service."
        ),
    ),
    Rule(
        "not-received-carrier",
        N_(
            "For a package lost in transit, ask the carrier: tracking or insurance lets it locate the"
            " package or file a claim."
        ),
        N_(
            "Contact your carrier: In some instances, if an order was lost in transit, you may be able"
            " to receive assistance from your carrier. If you purchased package tracking or insurance,"
            " the carrier may be able to assist in locating the package or filing an insurance claim."
        ),
    ),
    Rule(
        "not-received-wait",
        N_(
            "You may ask the buyer to wait a bit longer, but the buyer may file an A-to-z Guarantee"
            " claim."
        ),
        N_(
            "Ask the buyer to wait a bit longer for their order to arrive: If you choose this option,"
            " please be aware that your buyer may file an A-to-z Guarantee claim."
        ),
    ),
    Rule(
        "feedback-anyway",
        N_("Whatever you choose, the buyer may still leave feedback for the transaction."),
        N_(
            "Please note that regardless of the option you choose, the buyer may still leave feedback"
            " for the transaction."
        ),
    ),
    Rule(
        "price-breakdown",
        N_(
            "The order's details are in Manage Orders and the Order report; for a multi-item order the"
            " other items are not on the same page, so refer the buyer to Customer Service."
        ),
        N_(
            "The details of an order can be viewed in Manage Orders in your seller account or by"
            " downloading the Order report. However, if the order includes multiple items, the details"
            " of other items will not be shown on the same Order detail page. Tell the buyer to"
            " contact Amazon Customer Service for more information."
        ),
    ),
    Rule(
        "refund-undeliverable",
        N_(
            "An order returned as undeliverable, rejected or with an invalid address is refunded less"
            " the actual shipping cost."
        ),
        N_("Refund the buyer less the actual shipping cost."),
    ),
    Rule(
        "cvs-details-from-amazon",
        N_(
            "Convenience-store payment details and the Payment ID are sent by Amazon, not the seller:"
            " refer the buyer to Amazon."
        ),
        N_(
            "Payment details are sent to buyers from Amazon, not from sellers. Tell the buyer to"
            " contact Amazon Customer Service."
        ),
    ),
    Rule(
        "points-invisible",
        N_(
            "Sellers cannot see how a buyer used Amazon points: refer the buyer to Help & Customer"
            " Service."
        ),
        N_("Merchants are unable to check the Amazon points usage situation of buyers."),
    ),
    Rule(
        "seller-cannot-edit",
        N_("Sellers are not authorised to change an order's price, quantity or shipping address."),
        N_("Sellers are not authorized to change order information."),
    ),
    Rule(
        "buyer-edit-window",
        N_(
            "The buyer can edit the order in Your Account within 5 minutes of checking out"
            " (seller-fulfilled orders only); after that, only cancel and reorder."
        ),
        N_(
            "Tell the buyer to access Your Account and edit order information within 5 minutes after"
            " checking out. After 5 minutes have passed, changes cannot be made and the buyer needs to"
            " cancel the order to place a new order with correct information. This 5 minutes’ rule"
            " applies to merchant-fulfilled orders only."
        ),
    ),
    Rule(
        "combine-same-address",
        N_("Orders can be shipped together only when their shipping address is the same."),
        N_("Multiple orders can be combined if the shipping address is the same"),
    ),
    Rule(
        "combine-confirm-each",
        N_(
            "Combined orders are still treated one by one: send a shipping confirmation for each order"
            " and refund the saving."
        ),
        N_(
            "you still have to treat each order individually. Send the shipping confirmation email for"
            " each order, and refund the buyer for the amount saved due to combined shipment."
        ),
    ),
    Rule(
        "receipt-by-amazon",
        N_(
            "Receipts are issued by Amazon on the seller's behalf, with the seller's name as issuer:"
            " the buyer prints it from Your Account."
        ),
        N_(
            "Receipts are issued by Amazon on your behalf. Tell the buyer to go to Your Account where"
            " the order details and printable receipts are available. For items sold by an Amazon"
            " Marketplace seller, the seller's name will be printed as the receipt issuer."
        ),
    ),
    Rule(
        "partial-unavailable",
        N_(
            "If some items are unavailable: the buyer cancels and reorders, or, with the buyer's"
            " consent, ship what you can, confirm the whole order and refund the items not sent."
        ),
        N_(
            "Request the buyer to cancel the entire order and make a new order for available items"
            " only. Alternatively, inform the buyer that some items are unavailable and you will"
            " dispatch only what you can, with the buyer's consent. You will still send a shipping"
            " confirmation email to the buyer for the entire order, but start refund process for the"
            " items that were not sent."
        ),
    ),
    Rule(
        "contact-channels",
        N_(
            "Contact the buyer through the Contact Customer form, the encrypted email address Amazon"
            " provides, or by telephone."
        ),
        N_(
            "Sellers can communicate with the buyer using this form, via email (using an encrypted"
            " address provided by Amazon), or by telephone."
        ),
    ),
    Rule(
        "no-phone-afn",
        N_("Buyers' phone numbers are not visible for orders fulfilled by Amazon."),
        N_("Buyers' phone numbers will not be visible for orders that are fulfilled by Amazon."),
    ),
    Rule(
        "phone-fulfilment-period",
        N_(
            "For seller-fulfilled orders the phone number connects to the buyer only during the"
            " fulfilment period; after delivery it no longer connects."
        ),
        N_(
            "For seller-fulfilled orders, we provide you with a phone number that connects to the buyer"
            " during the fulfilment period. After delivery is complete, this phone number will no"
            " longer connect to the buyer."
        ),
    ),
    Rule(
        "no-reply-deadline",
        N_(
            "If the buyer does not reply, set a deadline and tell the buyer that the order will be"
            " canceled if you do not hear back by then."
        ),
        N_(
            "If your email attempts don't elicit a response from the buyer, set a deadline and inform"
            " the buyer that the order will be cancelled if you don't hear back by a certain date."
        ),
    ),
    Rule(
        "confirm-within-7-days",
        N_(
            "Confirm shipment within 7 days of the ship date, or Amazon cancels the order"
            " automatically and you are not paid, even if you shipped it."
        ),
        N_(
            "You must confirm shipment of the order with Amazon within 7 days of the ship date."
            " Otherwise, Amazon will automatically cancel the order and you will not be paid, even if"
            " you shipped the order."
        ),
    ),
    Rule(
        "confirm-warning",
        N_(
            'From one week before the cutoff, Manage Orders shows "Confirm as shipped by <date> to'
            ' avoid cancellation" and you get an email.'
        ),
        N_(
            'One week before the 7-day cutoff, you will see a warning in Manage Orders ("Confirm as'
            ' shipped by [date] to avoid cancellation"), and you will receive a notification by email.'
        ),
    ),
    Rule(
        "charge-whole-order",
        N_("Confirming shipment of even one item charges the buyer for the entire order."),
        N_(
            "When you confirm shipment for even one item in an order, we charge the buyer for the"
            " entire order."
        ),
    ),
    Rule(
        "shipment-late",
        N_(
            'If the whole order is not confirmed by the ship date it shows "Shipment is late" — even'
            " after the remaining items are refunded."
        ),
        N_(
            'If the entire order is not confirmed, you will see the "Shipment is late" status in'
            " Manage Orders and a warning message on your seller account home page. These will appear"
            " even if you have refunded the remaining items in the order."
        ),
    ),
    Rule(
        "business-packing-slip",
        N_(
            "Business orders need a packing slip in the box, with the Buyer PO# on it when the order"
            " has one."
        ),
        N_(
            "For an order from a business customer, sellers must enclose a packing slip. If you see the"
            " Buyer PO# (purchase order number) in the Order Details page, enter the Buyer PO# to the"
            " packing slip."
        ),
    ),
    Rule(
        "check-manage-orders",
        N_("Check Manage Orders regularly so that you know every incoming order."),
        N_(
            "We encourage you to check Manage Orders in your seller account regularly to ensure you are"
            " aware of all incoming orders."
        ),
    ),
    # Rules that keep the book consistent; the FAQ implies them rather than stating them.
    Rule(
        "no-ship-more-than-ordered",
        N_("You cannot confirm more of an item than the buyer ordered and is still to ship."),
        N_("Send the shipping confirmation email for each order"),
    ),
    Rule(
        "refund-not-above-charged",
        N_(
            "A refund cannot exceed what the buyer was charged and not yet refunded; an order that was"
            " never charged has nothing to refund."
        ),
        N_(
            "When you confirm shipment for even one item in an order, we charge the buyer for the"
            " entire order."
        ),
    ),
    Rule(
        "no-cancel-after-shipment",
        N_(
            "An order with a confirmed shipment has been charged and cannot be canceled: refund the"
            " items not sent instead."
        ),
        N_(
            "You will still send a shipping confirmation email to the buyer for the entire order, but"
            " start refund process for the items that were not sent."
        ),
    ),
    Rule(
        "canceled-is-final",
        N_("A canceled order is closed: nothing more can be shipped, charged or refunded."),
        N_("the buyer needs to cancel the order to place a new order with correct information."),
    ),
    Rule(
        "buyer-cancel-window",
        N_(
            "A buyer cancels a seller-fulfilled order themselves only within 5 minutes of checkout (or"
            " while it is Pending); after that they ask the seller, who cancels it."
        ),
        N_(
            "After 5 minutes have passed, changes cannot be made and the buyer needs to cancel the"
            " order to place a new order with correct information."
        ),
    ),
    Rule(
        "returned-after-shipment",
        N_(
            "Only a shipped package can come back to the seller as undeliverable, rejected or invalid"
            " address."
        ),
        N_(
            "What do I do if an order is returned due to undeliverable, rejected, or invalid address?"
        ),
    ),
    Rule(
        "not-received-after-shipment",
        N_(
            "A buyer can report a package as not received, or file an A-to-z claim for it, only once"
            " something has shipped."
        ),
        N_("A buyer contacted me saying they did not receive their order."),
    ),
    Rule(
        "not-in-this-status",
        N_("This step does not apply to an order in its current status."),
        N_(
            "All orders listed as ‘Unshipped’ in your seller account can and should be dispatched"
            " promptly in accordance with Amazon policies."
        ),
    ),
    Rule(
        "atoz-window",
        N_(
            "An A-to-z Guarantee claim is possible from 3 days after the latest estimated delivery"
            " date, and up to 90 days after it."
        ),
        N_(
            "If you choose this option, please be aware that your buyer may file an A-to-z Guarantee"
            " claim."
        ),
    ),
    Rule(
        "shipped-before-confirmed",
        N_(
            "A shipment is confirmed when or after the parcel leaves, never before; and a parcel cannot"
            " have left before the order's payment was settled."
        ),
        N_("You must confirm shipment of the order with Amazon within 7 days of the ship date."),
    ),
    Rule(
        "placed-once",
        N_("An order is placed once, before anything else happens to it."),
        N_("After a buyer initiates an order"),
    ),
    Rule(
        "reply-deadline-future",
        N_(
            "A reply deadline must lie after the moment it is set, and only an order not yet shipped"
            " can be canceled for no reply."
        ),
        N_(
            "set a deadline and inform the buyer that the order will be cancelled if you don't hear"
            " back by a certain date."
        ),
    ),
    Rule(
        "events-in-order",
        N_(
            "Events are facts in time order: a new event cannot be dated before the order's last one."
        ),
        N_("Manage Orders"),
    ),
)

RULES: dict[str, Rule] = {r.id: r for r in _RULES}


def rule(rule_id: str) -> Rule:
    """Return the rule with ``rule_id``; raise ``KeyError`` naming the known ids if absent."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise KeyError(f"unknown rule {rule_id!r}; known: {', '.join(sorted(RULES))}") from None
