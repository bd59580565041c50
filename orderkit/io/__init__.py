"""Amazon's formats in and out: flat-file reports, SP-API Orders JSON, the upload file, slips.

- :func:`read_report` / :func:`write_report`: the All Orders, Unshipped Orders and Order reports;
- :func:`read_spapi_orders`: saved SP-API Orders responses (v0 and 2026-01-01);
- :func:`write_shipping_confirmation` / :func:`validate_confirmations`: the upload template;
- :func:`render_packing_slip`: a printable packing slip (with the Buyer PO# for business orders);
- :func:`write_spreadsheet_csv`: a CSV file for Excel, formulas neutralised (not an Amazon format).

Every file is written atomically through :mod:`orderkit.io.files`.
"""

from __future__ import annotations

from orderkit.io.confirmation import (
    Confirmation,
    validate_confirmations,
    write_shipping_confirmation,
)
from orderkit.io.reports import read_report
from orderkit.io.slips import render_packing_slip
from orderkit.io.spapi import read_spapi_orders
from orderkit.io.spreadsheet import write_spreadsheet_csv
from orderkit.io.writer import write_report

__all__ = [
    "Confirmation",
    "read_report",
    "read_spapi_orders",
    "render_packing_slip",
    "validate_confirmations",
    "write_report",
    "write_shipping_confirmation",
    "write_spreadsheet_csv",
]
