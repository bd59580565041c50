"""The data grid the widgets show tables in: itables' ``ITable`` widget (DataTables), offline.

Why this grid (measured, see the closing note of issue 12): ``ITable`` is an anywidget whose
JavaScript (DataTables and its extensions) ships inside the wheel, so it renders with no network in
JupyterLab and Voila; it selects rows (``selected_rows`` is synced back to Python) and DataTables'
own texts are replaced through its ``language`` option, from orderkit's catalogs. It sends the
browser every row it is given (and would silently *downsample* a frame bigger than ``maxBytes``),
so the widgets hand it one page at a time and page, filter and sort on the server, over the whole
book.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
from itables.widget import ITable

from orderkit.i18n import N_, _

__all__ = ["grid", "grid_language", "on_pick", "on_row", "show"]

_LANGUAGE = {
    "emptyTable": N_("No orders."),
    "zeroRecords": N_("No orders match."),
    "loadingRecords": N_("Loading…"),
    "processing": N_("Loading…"),
}


def grid_language(lang: str) -> dict[str, str]:
    """Return DataTables' ``language`` option in ``lang`` (the texts the grid itself shows)."""
    return {key: _(text, lang) for key, text in _LANGUAGE.items()}


def _options(lang: str, wide: bool = False, multi: bool = False) -> dict[str, object]:
    # Paging, sorting and searching are done on the server over every order: the grid only shows
    # the rows it is given and lets one be picked. A wide grid scrolls sideways inside its box
    # rather than running past the notebook's output area.
    return {
        **({"scrollX": True} if wide else {}),
        "paging": False,
        "ordering": False,
        "select": {"style": "multi" if multi else "single", "info": False},
        "showIndex": False,
        "language": grid_language(lang),
        "layout": {"topStart": None, "topEnd": None, "bottomStart": None, "bottomEnd": None},
        "classes": "display compact nowrap ok-grid",
        "style": "table-layout:auto;width:auto;margin:0;caption-side:bottom",  # left, not centred
        "maxBytes": 0,  # never downsample: the widgets give a page at a time
        "allow_html": False,
    }


def grid(frame: pd.DataFrame, lang: str, *, wide: bool = False) -> ITable:
    """Return a grid showing ``frame`` (its columns' names as headers), rows selectable one at a time.

    ``wide``: the grid scrolls sideways when it is wider than its box. Setting the grid's
    ``multi`` attribute (then :func:`show`) lets a click mark several rows instead (:func:`on_pick`).
    """
    options = _options(lang, wide)
    table = ITable(frame, **options)  # type: ignore[arg-type]
    table.wide, table.multi, table.quiet = wide, False, False
    table.shown_options = options
    return table


def show(table: ITable, frame: pd.DataFrame, lang: str, *, marked: Sequence[int] = ()) -> None:
    """Show ``frame`` in ``table`` (headers, rows and the grid's own texts in ``lang``).

    ``marked``: the positions of the rows shown as selected (when the grid marks several rows).
    """
    options = _options(lang, table.wide, table.multi)
    if _showing(table, frame, options, marked):
        # ITable.update formats every row and rebuilds DataTables' arguments (about as long as
        # the rest of a page's redraw, measured in benchmarks/browser_latency.py) even when
        # nothing changed, as on a Refresh of the same data: a grid already showing these rows,
        # texts and marks is left alone.
        return
    table.quiet = True  # the selection set here is not a user's click
    try:
        table.update(frame, selected_rows=list(marked), **options)  # type: ignore[arg-type]
    finally:
        table.quiet = False
    table.shown_options = options


def _showing(
    table: ITable, frame: pd.DataFrame, options: dict[str, object], marked: Sequence[int]
) -> bool:
    """Whether ``table`` shows exactly ``frame`` (values and headers), ``options`` and ``marked``.

    The marks are compared with the grid's selection now, which the user may have changed.
    """
    return (
        getattr(table, "shown_options", None) == options
        and list(table.selected_rows) == list(marked)
        and table.df is not None
        and table.df.equals(frame)
    )


def on_pick(table: ITable, handler: Callable[[list[int]], None]) -> None:
    """Call ``handler(row positions)`` when the user marks or unmarks rows of a ``multi`` grid."""

    def selected(change: dict[str, object]) -> None:
        if table.multi and not table.quiet:
            handler([int(r) for r in change["new"]])  # type: ignore[attr-defined]

    table.observe(selected, names="selected_rows")


def on_row(table: ITable, handler: Callable[[int], None]) -> None:
    """Call ``handler(row position)`` when a row is selected; the selection is then cleared.

    Clearing it lets the same row be opened again with one more click. A grid that marks several
    rows (``multi``) opens none: :func:`on_pick` is told instead.
    """

    def selected(change: dict[str, object]) -> None:
        rows = change["new"]
        if rows and not table.multi and not table.quiet:
            position = int(rows[0])  # type: ignore[index]
            table.selected_rows = []
            handler(position)

    table.observe(selected, names="selected_rows")
