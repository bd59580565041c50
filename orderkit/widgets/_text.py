"""Every label the widgets show, as catalog messages (one place, so a switch changes all).

The English text is the message id; :func:`orderkit.i18n._` translates it into the chosen language
from the catalogs (``orderkit/locale``).
"""

from __future__ import annotations

from orderkit.i18n import N_, _

TEXT: dict[str, str] = {
    "search": N_("Search"),
    "query": N_("Buyer email or order number"),
    "status": N_("Status"),
    "channel": N_("Fulfilment"),
    "payment": N_("Payment"),
    "late": N_("Late only"),
    "at_risk": N_("At risk only"),
    "all": N_("All"),
    "order_id": N_("Order no."),
    "purchase_date": N_("Purchased (JST)"),
    "buyer_name": N_("Buyer"),
    "total": N_("Total"),
    "flags": N_("Flags"),
    "prev": N_("◀ Prev"),
    "next": N_("Next ▶"),
    "rows": N_("{lo}–{hi} of {n:,} orders"),
    "none": N_("No orders match."),
    "pick_order": N_("Select an order in the explorer."),
    "items": N_("Items"),
    "qty": N_("Qty"),
    "price": N_("Price"),
    "shipping": N_("Shipping"),
    "shipped": N_("Shipped"),
    "actions": N_("Actions"),
    "timeline": N_("Timeline"),
    "carrier": N_("Carrier"),
    "tracking": N_("Tracking no."),
    "shipped_on": N_("Shipped on (if before today)"),
    "amount": N_("Amount (¥)"),
    "recorded": N_("Recorded: {what}"),
    "refused": N_("Refused: {why}"),
    "situation": N_("Buyer's situation"),
    "order": N_("Order"),
    "steps": N_("Steps"),
    "template": N_("Message to the buyer (copy)"),
    "new_drill": N_("New situation"),
    "check": N_("Check answer"),
    "choose": N_("Choose an answer first."),
    "start": N_("From"),
    "end": N_("To"),
    "export": N_("Export shipping confirmation"),
    "at_risk_list": N_("At risk of automatic cancellation"),
    "rates": N_("Performance against targets"),
    "source": N_("Data"),
    "load": N_("Load"),
    "report_path": N_(
        "A report from Seller Central: All Orders, Unshipped Orders or the Order report"
    ),
    "load_report": N_("Upload a report"),
    "loaded": N_("{name}: {n:,} orders loaded."),
    "exported_rows": N_("{n} lines ready to upload to Seller Central: {name}"),
    "confirm_by_left": N_("confirm by {when} ({left})"),
    "rate": N_("Rate"),
    "daily_csv": N_("Daily figures as CSV"),
    "day": N_("Day"),
    "value": N_("Now"),
    "target": N_("Target"),
    "met": N_("Met"),
    "window_days": N_("{n} days"),
    "problems": N_("{n} rows could not be read; the first: {first}"),
    "handling_days": N_("Handling days"),
    "orders_per_day": N_("Orders per day"),
    "never_confirmed": N_("Never confirmed (%)"),
    "late_confirmed": N_("Confirmed late (%)"),
    "cvs_share": N_("Convenience store (%)"),
    "days": N_("Days"),
    "seed": N_("Seed"),
    "language": N_("Language"),
    # Today
    "today": N_("Today"),
    "refresh": N_("Refresh"),
    "sample_banner": N_("Sample data, as of {when}"),
    "today_must_ship": N_("Must ship by today 23:59"),
    "today_to_confirm": N_("Confirm shipment before the cutoff (else automatic cancellation)"),
    "today_cvs": N_("Convenience-store payments expiring"),
    "today_replies": N_("Reply deadlines passing"),
    "today_late_open": N_("Open late orders (not yet shipped)"),
    "ship_by": N_("Ship by (JST)"),
    "confirm_by": N_("Confirm by (JST)"),
    "pay_by": N_("Payment due (JST)"),
    "reply_by": N_("Reply deadline (JST)"),
    "time_left": N_("Time left"),
    "rate_late": N_("Late Shipment Rate"),
    "rate_cancel": N_("Pre-fulfilment Cancel Rate"),
    "rate_tracking": N_("Valid Tracking Rate"),
    "target_under": N_("target: under {value}"),
    "target_at_least": N_("target: {value} or more"),
    # Explorer
    "due_today": N_("Due today"),
    "late_filter": N_("Late"),
    "late_any": N_("Any"),
    "late_open": N_("Late, not shipped"),
    "late_shipped": N_("Shipped late"),
    "sort_by": N_("Sort by"),
    "descending": N_("Newest / largest first"),
    "payment_method": N_("Payment"),
    "flag_at_risk": N_("at risk"),
    # The card, corrections
    "reason": N_("Reason"),
    "late_banner": N_("Shipment is late"),
    "seller_does": N_("What you do"),
    "happened": N_("What happened (record it)"),
    "confirm_title": N_("Please check before recording"),
    "confirm_yes": N_("Yes, record it"),
    "confirm_back": N_("Back"),
    "irreversible": N_("This cannot be undone on Amazon."),
    "operator": N_("Your name"),
    "fix_title": N_("Correct a mistake"),
    "fix_event": N_("Recorded event"),
    "fix_note": N_("Why"),
    "fix_tracking": N_("Right tracking no."),
    "void": N_("Void this event"),
    "amend": N_("Amend the tracking number"),
    "fix_need_note": N_("Say why: a correction records who made it and why."),
    "fix_need_tracking": N_("Enter the right tracking number."),
    "corrected": N_("Corrected: the timeline shows the mistaken event struck through."),
    "void_summary": N_(
        "Void “{what}”: {name} records why: “{why}”. The event stays in the timeline, struck through."
    ),
    "amend_summary": N_("Amend “{what}” to tracking no. {number}: {name} records why: “{why}”."),
    "when": N_("When (JST)"),
    "event": N_("Event"),
    "by": N_("By"),
    "details": N_("Details"),
    "why": N_("Why"),
    "acting_as": N_("Recorded as: {name}"),
    "no_operator": N_("Enter your name above: every action records who did it."),
}


def tr(key: str, lang: str, **values: object) -> str:
    """Return the label ``key`` in ``lang``, formatted with ``values``.

    Raises:
        KeyError: no such label.
        ValueError: ``lang`` is not an interface language of :data:`orderkit.i18n.LANGUAGES`.
    """
    return _(TEXT[key], lang, **values)
