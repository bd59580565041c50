"""ipywidgets front ends. Thin: they call orderkit and display; no rule lives here.

- :class:`OrderExplorer` — find by buyer email or order number, filter, sort, open.
- :class:`OrderCard` — one order: items, timeline, deadlines, the actions the rules allow.
- :class:`TodayPanel` — what must be done today: lists with countdowns, the rates; rows open orders.
- :class:`Workbench` — Today, the explorer and the card together, on the shared store.
- :class:`InquiryAssistant` — a buyer's inquiry → steps, rules, message template.
- :class:`SimulationPanel` — scenario sliders; pending versus late and the rates redraw.
- :class:`SellerCentralPanel` — live Seller Central: sync orders in, confirm shipments out.
- :class:`BulkShipping` — confirm many orders' shipment from a carrier's CSV; packing slips.
- :class:`MetricsDashboard` — daily metrics, rates against targets, at-risk list, export.
- :class:`TrainingDrill` — realistic situations, feedback with the FAQ's rule, a score.
- :class:`LanguageSwitch` — 日本語 / English / 简体中文 for all of them; :class:`LetterLanguageSwitch`
  — the language of letters to buyers (日本語 / English), apart from it.
"""

from orderkit.widgets.bulk import BulkShipping
from orderkit.widgets.card import OrderCard
from orderkit.widgets.dashboard import MetricsDashboard
from orderkit.widgets.drill import TrainingDrill
from orderkit.widgets.explorer import OrderExplorer
from orderkit.widgets.inquiry import InquiryAssistant
from orderkit.widgets.language import LanguageSwitch, LetterLanguageSwitch
from orderkit.widgets.sellercentral import SellerCentralPanel
from orderkit.widgets.simulation import SimulationPanel
from orderkit.widgets.today import TodayPanel
from orderkit.widgets.workbench import Workbench

__all__ = [
    "BulkShipping",
    "InquiryAssistant",
    "LanguageSwitch",
    "LetterLanguageSwitch",
    "MetricsDashboard",
    "OrderCard",
    "OrderExplorer",
    "SellerCentralPanel",
    "SimulationPanel",
    "TodayPanel",
    "TrainingDrill",
    "Workbench",
]
