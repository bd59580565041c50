"""Bytes in, text out: the encodings Seller Central's files come in.

Reports downloaded from the Japanese Seller Central are UTF-8 (sometimes with a byte-order mark)
or Shift_JIS — in practice Microsoft's superset, cp932. :func:`sniff` decides which without
decoding a large file twice: a BOM means UTF-8, otherwise the caller tries UTF-8 first (pyarrow
checks it while parsing) and falls back to cp932 (:func:`decode_cp932`).
"""

from __future__ import annotations

from typing import Final

from orderkit.errors import ReportFormatError

__all__ = ["BOM", "ENCODINGS", "EXPECTED_TEXT", "check_not_binary", "decode_cp932", "strip_bom"]

BOM: Final = b"\xef\xbb\xbf"

#: The encodings :func:`orderkit.io.write_report` writes and :func:`orderkit.io.read_report` reads.
ENCODINGS: Final = ("utf-8", "utf-8-sig", "cp932")

EXPECTED_TEXT: Final = "tab-separated text in UTF-8 (with or without BOM) or Shift_JIS (cp932)"


def _line_of(data: bytes, offset: int) -> int:
    """Return the 1-based line number of byte ``offset`` in ``data``."""
    return data.count(b"\n", 0, offset) + 1


def strip_bom(data: bytes) -> tuple[bytes, bool]:
    """Return ``data`` without a leading UTF-8 byte-order mark, and whether there was one."""
    if data.startswith(BOM):
        return data[len(BOM) :], True
    return data, False


def check_not_binary(data: bytes, path: str) -> None:
    """Raise ``ReportFormatError`` if ``data`` holds a NUL byte (no text report does).

    Only the first 64 KiB are looked at: enough for any binary format's header.
    """
    nul = data.find(b"\x00", 0, 65536)
    if nul >= 0:
        raise ReportFormatError(
            path,
            _line_of(data, nul),
            None,
            data[max(0, nul - 8) : nul + 8],
            EXPECTED_TEXT + ", not a binary file",
        )


def decode_cp932(data: bytes, path: str) -> str:
    """Return ``data`` decoded as cp932, after UTF-8 has failed.

    Raises:
        ReportFormatError: the bytes are valid in no supported encoding; ``line`` is the line of
            the first byte that is not UTF-8, ``value`` the bytes around it.

    """
    try:
        return data.decode("cp932")
    except UnicodeDecodeError:
        pass
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    else:  # pragma: no cover - the caller only comes here when UTF-8 failed
        bad = 0
    raise ReportFormatError(
        path, _line_of(data, bad), None, data[max(0, bad - 8) : bad + 8], EXPECTED_TEXT
    )
