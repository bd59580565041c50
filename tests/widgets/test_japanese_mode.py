"""日本語 mode: the drill, its feedback, the inquiry assistant and the order card show no English.

Everything a widget shows is collected from its tree (labels, descriptions, options, HTML with the
tags stripped); Latin-letter words are allowed only where they are data or Amazon's own words: order
ids, SKUs and ASINs, the Buyer PO#, carrier codes, the FAQ's English quote (shown beside our
labelled translation), Amazon's names (Amazon, Prime, Seller Central …) and units such as JST.
"""

from __future__ import annotations

import html
import re

import ipywidgets as w
import pytest

from orderkit import sample
from orderkit.advice import Situation
from orderkit.widgets import InquiryAssistant, OrderCard, TrainingDrill

NOW = sample.DEFAULT_NOW
#: Latin words a Japanese screen may show: Amazon's names and the codes it uses.
ALLOWED = {
    "amazon", "amazon.co.jp", "prime", "po", "jst", "faq", "sku", "asin", "a-to-z", "fba", "mfn",
    "afn", "yamato", "sagawa", "japanpost", "other", "seller", "central", "csv", "id", "pdf",
    "orderkit", "shop",
}  # fmt: skip
#: Names shown as they are: Seller Central's own term, a carrier's brand, a language's own name.
PHRASES = ("Buyer PO#", "Japan Post", "English")


@pytest.fixture(scope="module")
def book():
    return sample.book(60, seed=3)


def _texts(widget: w.Widget) -> list[str]:
    """Every text a widget tree shows."""
    out: list[str] = []
    selection = isinstance(widget, w.widgets.widget_selection._Selection)
    for name in ("description", "placeholder", "tooltip") + (() if selection else ("value",)):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            out.append(value)
    options = getattr(widget, "options", None)
    if options:
        out += [o[0] if isinstance(o, tuple) else str(o) for o in options]
    titles = getattr(widget, "titles", None)
    if titles:
        out += [t for t in titles if t]
    for child in getattr(widget, "children", ()):
        out += _texts(child)
    return out


def _english(widget: w.Widget, book) -> set[str]:
    """The Latin-letter words shown that are neither data nor allowed."""
    data = set()
    for col in ("order_id", "sku", "asin", "purchase_order_number", "product_name"):
        frame = book.items if col in ("sku", "asin", "product_name") else book.orders
        data |= {word.lower() for v in frame[col].dropna() for word in str(v).split()}
    words: set[str] = set()
    for text in _texts(widget):
        plain = html.unescape(re.sub(r"<style.*?</style>|<[^>]+>", " ", text, flags=re.S))
        plain = re.sub(r"“[^”]*”", " ", plain)  # the FAQ's own English, quoted on purpose
        for phrase in PHRASES:
            plain = plain.replace(phrase, " ")
        for word in re.findall(r"[A-Za-z][A-Za-z.\-]*[A-Za-z]", plain):
            w_ = word.lower()
            if w_ in ALLOWED or w_ in data or any(w_ in d for d in data):
                continue
            words.add(word)
    return words


def test_the_drill_and_its_feedback_show_no_english_in_japanese(book):
    drill = TrainingDrill(book, now=NOW, seed=2, lang="ja")
    found = set()
    for _ in range(9):  # every kind of drill once
        drill.new()
        found |= _english(drill, book)
        drill.check(0)
        found |= _english(drill, book)
    assert found == set()


def test_the_inquiry_assistant_shows_no_english_in_japanese(book):
    order_id = book.orders["order_id"].iloc[0]
    assistant = InquiryAssistant(book, now=NOW, order_id=order_id, lang="ja")
    found = set()
    for situation in Situation:
        assistant.situation.value = situation
        found |= _english(assistant, book)
    assert found == set()


def test_the_order_card_shows_no_english_in_japanese(book):
    card = OrderCard(book, now=NOW, lang="ja")
    found = set()
    for order_id in book.orders["order_id"].iloc[:15]:
        card.show(order_id)
        found |= _english(card, book)
    assert found == set()
