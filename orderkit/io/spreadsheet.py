"""CSV files meant for a spreadsheet (Excel, LibreOffice): order lists a person opens.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula — and a
product name or a buyer's note is text a stranger wrote: ``=HYPERLINK("http://…", "詳細")`` in a
product name becomes a link in the operator's sheet ("CSV injection"). :func:`neutralise` follows
OWASP's CSV-injection guidance: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'`` (Excel shows the text and does not evaluate it), and every cell is
quoted. Plain numbers (``-500``, ``1,980``, ``-0.5``) are left alone: they cannot be formulas, and
a refund must stay a number to be summed.

Why not ``defusedcsv`` (3.0, maintained): it does not neutralise a leading tab or carriage return,
which OWASP lists, and it puts a backslash before every ``|`` in the cells it escapes, changing
what the reader sees; the rule is a few lines, written out here.

Files are UTF-8 with a byte-order mark (Excel opens Japanese correctly only with it), CRLF line
ends, and written atomically (:func:`orderkit.io.files.write_text`).

Only files for spreadsheets are neutralised: Amazon-format files (reports, the upload file) keep
every value exact so that they round-trip.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from pathlib import Path
from typing import Any, Final

import pandas as pd

from orderkit.businessdays import JST
from orderkit.io import files

__all__ = [
    "FORMULA_STARTS",
    "neutralise",
    "spreadsheet_csv",
    "write_spreadsheet_csv",
]

#: The first characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")

_PLAIN_NUMBER = re.compile(r"-?(?:[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.[0-9]+)?")


def neutralise(value: str) -> str:
    """Return ``value`` as a spreadsheet shows it as text: ``'`` before a formula's first character.

    A cell that starts with one of :data:`FORMULA_STARTS` and is not a plain number gets a leading
    ``'``; any other value is returned unchanged. Raises nothing.

    >>> print(neutralise('=HYPERLINK("http://example.com")'))
    '=HYPERLINK("http://example.com")
    >>> neutralise("+81-90-1234-5678"), neutralise("-500"), neutralise("緑茶")
    ("'+81-90-1234-5678", '-500', '緑茶')
    """
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_spreadsheet_csv(
    frame: pd.DataFrame, path: str | os.PathLike[str], *, key: str | None = "order_id"
) -> Path:
    """Write ``frame`` as a CSV file for a spreadsheet; return the path written.

    Every cell, the header included, is :func:`neutralise`-d and quoted; a missing value is an empty
    cell; a tz-aware time is written in Japan time as ``yyyy-mm-dd hh:mm:ss`` (a form Excel reads
    as a date). UTF-8 with BOM, CRLF line ends, written atomically.

    Args:
        frame: the table to write, columns in order.
        path: the ``.csv`` file to write.
        key: the column holding the order id, named in an error (absent: not named).

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        UnencodableText: a value UTF-8 cannot hold (a lone surrogate), naming order and column.
        OSError: as :func:`orderkit.io.files.write_atomic` (a previous file is left as it was).

    """
    text, cells = _render(frame)
    table = cells.assign(**{key: frame[key].astype(str)}) if key in frame.columns else cells
    return files.write_text(path, text, encoding="utf-8-sig", table=table, key=key)


def spreadsheet_csv(frame: pd.DataFrame) -> bytes:
    """Return ``frame`` as the bytes :func:`write_spreadsheet_csv` writes (for a download).

    Raises:
        UnicodeEncodeError: a value UTF-8 cannot hold (a lone surrogate).
    """
    return _render(frame)[0].encode("utf-8-sig")


def _render(frame: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """Return the CSV text of ``frame`` (neutralised, quoted, CRLF) and its cells."""
    cells = pd.DataFrame(
        {c: [neutralise(_cell(v)) for v in frame[c]] for c in frame.columns}, index=frame.index
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(neutralise(str(c)) for c in frame.columns)
    writer.writerows(cells.itertuples(index=False, name=None))
    return buffer.getvalue(), cells


def _cell(value: Any) -> str:
    """Return ``value`` as the text of one cell."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return pd.Timestamp(value).tz_convert(JST).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)
