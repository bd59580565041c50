"""The data grid's redraws: a grid is rebuilt only when what it shows changes, and after the order
the user waits for (a rebuild keeps the browser busy: benchmarks/browser_latency.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from orderkit import sample
from orderkit.widgets import OrderExplorer
from orderkit.widgets._grid import grid, show


@pytest.fixture
def rows() -> pd.DataFrame:
    return pd.DataFrame({"Order": ["249-1", "249-2"], "Total": ["¥1,000", "¥2,000"]})


def rebuilds(table, monkeypatch) -> list[pd.DataFrame]:
    """The frames ``table`` is rebuilt with from now on (its ``update`` calls)."""
    calls: list[pd.DataFrame] = []
    update = table.update

    def spy(frame, **kwargs):
        calls.append(frame)
        update(frame, **kwargs)

    monkeypatch.setattr(table, "update", spy)
    return calls


def test_a_grid_shown_the_rows_it_shows_is_not_rebuilt(rows, monkeypatch) -> None:
    table = grid(pd.DataFrame(), "en")
    show(table, rows, "en")
    calls = rebuilds(table, monkeypatch)
    show(table, rows.copy(), "en")
    assert calls == []


def test_a_grid_shown_other_rows_shows_them(rows, monkeypatch) -> None:
    table = grid(pd.DataFrame(), "en")
    show(table, rows, "en")
    other = rows.iloc[::-1].reset_index(drop=True)
    show(table, other, "en")
    assert table.df.equals(other)
    assert table._dt_args["data_json"] == grid(other, "en")._dt_args["data_json"]


def test_a_grid_shown_the_same_rows_in_another_language_is_relabelled(rows) -> None:
    table = grid(pd.DataFrame(), "en")
    show(table, rows, "en")
    show(table, rows, "ja")
    assert table._dt_args["language"] == grid(rows, "ja")._dt_args["language"]


def test_a_grid_whose_marks_the_user_changed_is_shown_the_marks_again(rows) -> None:
    table = grid(pd.DataFrame(), "en")
    table.multi = True
    show(table, rows, "en", marked=[0])
    table.selected_rows = [0, 1]  # the user marked another row in the browser
    show(table, rows, "en", marked=[0])
    assert table.selected_rows == [0]


def test_a_search_opens_the_order_found_before_the_grid_is_redrawn() -> None:
    book = sample.book()
    counts = book.orders["buyer_email"].value_counts()
    email = counts.index[counts == 1][0]
    explorer = OrderExplorer(book, now=sample.DEFAULT_NOW)
    first_page = list(explorer.page_ids)
    rows_when_opened = []
    explorer.on_select(lambda _: rows_when_opened.append(list(explorer.page_ids)))
    explorer.query.value = email
    assert rows_when_opened == [first_page]
    assert len(explorer.page_ids) == 1
