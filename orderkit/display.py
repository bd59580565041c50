"""Tables a person reads: one order's state and timeline, labelled in English or Japanese.

Times are shown in Japan time; amounts in yen. Widgets and notebooks use these so that every view
of an order says the same thing in the same words.
"""

from __future__ import annotations

import pandas as pd

from orderkit.deadlines import confirm_warning_text, format_jst
from orderkit.events import EventKind
from orderkit.state import OrderState

__all__ = ["summary", "timeline_table"]

_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("status", "Status", "ステータス"),
    ("channel", "Fulfilment", "出荷方法"),
    ("payment", "Payment", "支払い方法"),
    ("total", "Order total", "注文合計"),
    ("charged", "Charged", "請求済み"),
    ("refunded", "Refunded", "返金済み"),
    ("ship_by", "Ship by", "出荷期限"),
    ("confirm_by", "Confirm by (else auto-cancel)", "出荷通知期限（過ぎると自動キャンセル）"),
    ("warning", "Warning shown", "表示中の警告"),
    ("late", "Shipment is late", "出荷遅延"),
    ("payment_due", "Convenience-store payment due", "コンビニ払い期限"),
    ("edit_window", "Buyer may edit until", "購入者が変更できる期限"),
    ("reply_deadline", "Reply deadline", "返信期限"),
    ("channels", "Contact channels open", "利用できる連絡手段"),
    ("packing_slip", "Packing slip", "納品書"),
)

_PAYMENTS = {
    "card": ("Credit card", "クレジットカード"),
    "cvs": ("Convenience store", "コンビニ払い"),
    "cod": ("Cash on delivery", "代金引換"),
    "points": ("Amazon points", "Amazonポイント"),
    "other": ("Other", "その他"),
}
_CHANNELS = {
    "MFN": ("Seller-fulfilled", "出品者出荷"),
    "AFN": ("Fulfilled by Amazon", "Amazon出荷"),
}


def _yen(amount: int, lang: str) -> str:
    return f"{amount:,}円" if lang == "ja" else f"¥{amount:,}"


def summary(state: OrderState, lang: str = "en") -> pd.Series:
    """Return the order's state as a labelled Series (labels and values in ``lang``).

    Notebook 02 (order lifecycle) shows it at each step of an order's life.
    """
    ja = lang == "ja"
    yes, no = ("はい", "いいえ") if ja else ("yes", "no")

    def when(ts: object) -> str:
        return "—" if ts is None else format_jst(ts, lang)  # type: ignore[arg-type]

    facts = state.facts
    po = facts.purchase_order_number
    slip = (
        (f"必要（発注番号 {po}）" if ja else f"required (Buyer PO# {po})")
        if facts.is_business_order and po
        else ("必要" if ja else "required")
        if facts.is_business_order
        else ("任意" if ja else "optional")
    )
    values = {
        "status": state.status.label(lang),
        "channel": _CHANNELS.get(facts.fulfillment_channel, (facts.fulfillment_channel,) * 2)[ja],
        "payment": _PAYMENTS.get(facts.payment_method, (facts.payment_method,) * 2)[ja],
        "total": _yen(state.total, lang),
        "charged": _yen(state.charged_amount, lang) if state.charged else no,
        "refunded": _yen(state.refunded, lang),
        "ship_by": when(state.ship_by),
        "confirm_by": when(state.confirm_by),
        "warning": confirm_warning_text(state, lang) or "—",
        "late": yes if state.late else no,
        "payment_due": when(state.payment_due),
        "edit_window": when(state.edit_window_ends) if state.can_edit else "—",
        "reply_deadline": when(state.reply_deadline),
        "channels": ", ".join(sorted(c.value for c in state.contact_channels)),
        "packing_slip": slip,
    }
    labels = {key: (ja_label if ja else en) for key, en, ja_label in _FIELDS}
    return pd.Series({labels[k]: v for k, v in values.items()}, name=state.order_id)


def timeline_table(state: OrderState, lang: str = "en") -> pd.DataFrame:
    """Return the order's events (those folded into ``state``) as a table in Japan time.

    Events the clock applied (automatic cancellations) are included and marked as Amazon's.
    """
    ja = lang == "ja"
    rows = []
    for e in state.events:
        detail = [
            str(v)
            for v in (
                e.order_item_id,
                e.quantity,
                e.carrier,
                e.tracking_number,
                e.channel,
                e.reason,
            )
            if v is not None
        ]
        if e.amount is not None:
            detail.append(_yen(e.amount, lang))
        if e.due is not None:
            detail.append(format_jst(e.due, lang))
        if e.shipped_at is not None:
            detail.append(("発送 " if ja else "shipped ") + format_jst(e.shipped_at, lang))
        rows.append(
            {
                ("日時" if ja else "When (JST)"): format_jst(e.at, lang),
                ("出来事" if ja else "Event"): EventKind(e.kind).label(lang),
                ("実行者" if ja else "By"): str(e.actor),
                ("詳細" if ja else "Details"): " · ".join(detail),
            }
        )
    return pd.DataFrame(rows)
