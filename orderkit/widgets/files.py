"""Files the app way: uploads read from the browser, exports offered as downloads.

A download is an HTML anchor holding the file as a ``data:`` URL with a ``download`` attribute:
it works in JupyterLab and in Voila alike, needs no server path and no extra front-end package,
and the browser saves it under the name given. Files are small here (an upload file, a CSV,
packing slips), so carrying them inside the page is cheap.
"""

from __future__ import annotations

import base64
import html
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ipywidgets as w

from orderkit.book import OrderBook
from orderkit.errors import OrderkitError, ReportFormatError
from orderkit.i18n import N_, _
from orderkit.io.files import write_atomic

__all__ = ["Download", "Uploaded", "download_link", "read_uploaded_report", "uploaded_files"]

_MESSAGES = {
    "at_column": N_(
        "{name} could not be read: line {line}, column “{column}”: expected {expected}"
        " (found: {value})."
    ),
    "at_line": N_("{name} could not be read: line {line}: expected {expected} (found: {value})."),
    "whole": N_("{name} could not be read: expected {expected}."),
    "os": N_("{name} could not be opened ({why})."),
    "download": N_("Download {name}"),
}


@dataclass(frozen=True, slots=True)
class Uploaded:
    """One file the user uploaded: its name as on their machine and its bytes."""

    name: str
    content: bytes


def uploaded_files(upload: w.FileUpload) -> list[Uploaded]:
    """Return the files in ``upload``'s value (ipywidgets 8: a tuple of dicts), oldest first."""
    return [Uploaded(str(f["name"]), bytes(f["content"])) for f in upload.value]


def download_link(data: bytes, filename: str, *, mime: str, label: str) -> str:
    """Return an HTML anchor that downloads ``data`` as ``filename`` when clicked.

    >>> download_link(b"a,b", "x.csv", mime="text/csv", label="CSV")[:40]
    '<a class="ok-download" download="x.csv" '
    """
    url = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    return (
        f'<a class="ok-download" download="{html.escape(filename)}" href="{url}" '
        f'style="display:inline-block;padding:4px 10px;border:1px solid #1a73e8;'
        f'border-radius:3px;color:#1a73e8;text-decoration:none">⬇ {html.escape(label)}</a>'
    )


class Download(w.HTML):
    """A download link for the last file offered (empty until :meth:`offer` is called).

    Attributes:
        filename: the name of the file offered (``""`` before).
        data: its bytes.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.add_class("ok-download-box")
        self.filename = ""
        self.data = b""

    def offer(self, data: bytes, filename: str, *, mime: str, lang: str) -> None:
        """Offer ``data`` for download as ``filename``, labelled in ``lang``."""
        self.filename, self.data = filename, data
        label = _(_MESSAGES["download"], lang, name=filename)
        self.value = download_link(data, filename, mime=mime, label=label)

    def clear(self) -> None:
        """Offer nothing."""
        self.filename, self.data, self.value = "", b"", ""


def error_text(exc: Exception, name: str, lang: str) -> str:
    """Return what a user reads when the file ``name`` cannot be used, in ``lang``.

    A malformed report names the line, the column and what was expected there.
    """
    if isinstance(exc, ReportFormatError):
        key = "whole" if exc.line is None else "at_column" if exc.column else "at_line"
        return _(
            _MESSAGES[key], lang, name=name, line=exc.line, column=exc.column,
            expected=exc.expected, value=str(exc.value)[:80],
        )  # fmt: skip
    return _(_MESSAGES["os"], lang, name=name, why=getattr(exc, "strerror", None) or exc)


def read_uploaded_report(file: Uploaded, read: Callable[..., OrderBook] | None = None) -> OrderBook:
    """Read an uploaded Seller Central report (:func:`orderkit.io.read_report`).

    The bytes go to a private temporary file (the reader maps files), removed afterwards; the
    book's source is the uploaded file's name.

    Raises:
        ReportFormatError: the file is not a report (line, column, what was expected).
        OSError: the temporary file cannot be written.
    """
    if read is None:
        from orderkit.io import read_report as read
    folder = Path(tempfile.mkdtemp(prefix="orderkit-upload-"))
    try:
        tmp = write_atomic(folder / (Path(file.name).name or "report.txt"), file.content)
        try:
            return read(tmp, source=file.name)
        except ReportFormatError as exc:
            # the user knows the file by its name, not by our temporary path
            raise ReportFormatError(
                file.name, exc.line, exc.column, exc.value, exc.expected
            ) from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # our own private folder, whatever it holds


def is_user_error(exc: BaseException) -> bool:
    """Return whether ``exc`` is about the user's file (shown to them), not a bug."""
    return isinstance(exc, OrderkitError | OSError | UnicodeDecodeError)
