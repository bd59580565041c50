"""Bytes in, text out: the encodings Seller Central's files come in.

Reports downloaded from the Japanese Seller Central are UTF-8 (sometimes with a byte-order mark)
or Shift_JIS — in practice Microsoft's superset, cp932. :func:`sniff` decides which without
decoding a large file twice: a BOM means UTF-8, otherwise the caller tries UTF-8 first (pyarrow
checks it while parsing) and falls back to :func:`to_utf8`.

A file that is not valid UTF-8 is judged **line by line** (vectorised): a line holding non-ASCII
bytes is either valid UTF-8 or not. The file's encoding is that of the majority of such lines (UTF-8
if the file starts with a BOM); a line in the other encoding — one cp932 file with a UTF-8 line pasted
in, or the reverse — is not decoded in the wrong one (渋谷区 would read as 貂玖ｰｷ蛹ｺ) but blanked and
returned as a :class:`ForeignLine`, so that the reader can list it with its line. Bytes valid in
neither encoding raise at their own line (e.g. a cp932 file cut inside a two-byte character).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np

from orderkit.errors import ReportFormatError

__all__ = [
    "BOM",
    "ENCODINGS",
    "EXPECTED_TEXT",
    "ForeignLine",
    "check_not_binary",
    "strip_bom",
    "to_utf8",
]

BOM: Final = b"\xef\xbb\xbf"

#: The encodings :func:`orderkit.io.write_report` writes and :func:`orderkit.io.read_report` reads.
ENCODINGS: Final = ("utf-8", "utf-8-sig", "cp932")

EXPECTED_TEXT: Final = "tab-separated text in UTF-8 (with or without BOM) or Shift_JIS (cp932)"

UTF8: Final = "UTF-8"
CP932: Final = "Shift_JIS (cp932)"
_CODEC: Final = {UTF8: "utf-8", CP932: "cp932"}
_NOT_SJIS: Final = ("\x80", "\uf8f0", "\uf8f1", "\uf8f2", "\uf8f3")  # cp932's stray bytes
_CHUNK: Final = 1 << 23  # bytes classified at a time: bounded temporary arrays


def _follow_table() -> np.ndarray:
    """Return, for each byte, the continuation bytes it announces in UTF-8.

    0 (ASCII) to 3; 4 marks a continuation byte, 5 a byte UTF-8 never holds.
    """
    table = np.zeros(256, np.uint8)
    table[0x80:0xC0] = 4
    table[0xC0:0xC2] = 5
    table[0xC2:0xE0] = 1
    table[0xE0:0xF0] = 2
    table[0xF0:0xF5] = 3
    table[0xF5:] = 5
    return table


_FOLLOW: Final = _follow_table()


@dataclass(frozen=True, slots=True)
class ForeignLine:
    """A line in the other encoding than the rest of its file (left out by :func:`to_utf8`).

    Attributes:
        line: its 1-based line number.
        text: the line decoded in its own encoding (without its line end).
        encoding: its own encoding, ``"UTF-8"`` or ``"Shift_JIS (cp932)"``.
        file_encoding: the encoding of the rest of the file.

    """

    line: int
    text: str
    encoding: str
    file_encoding: str


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


def _line_classes(data: bytes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return each line's start, whether it holds non-ASCII bytes, and whether it is UTF-8.

    A line's bytes include its line end. UTF-8 is checked structurally, vectorised (each lead byte
    followed by as many continuation bytes as it announces, and no continuation byte elsewhere):
    enough to tell UTF-8 from cp932, whose two-byte characters almost never form that pattern.
    """
    b = np.frombuffer(data, np.uint8)
    starts = np.r_[0, np.flatnonzero(b == 10) + 1]
    if starts[-1] == len(b):
        starts = starts[:-1]
    high = np.zeros(len(starts), bool)
    wrong = np.zeros(len(starts), bool)
    i = 0
    while i < len(starts):
        lo = int(starts[i])
        j = max(int(np.searchsorted(starts, lo + _CHUNK)), i + 1)
        seg = b[lo : int(starts[j]) if j < len(starts) else len(b)]
        follow = _FOLLOW[seg]  # continuation bytes each byte announces (4: a continuation byte)
        need = np.zeros(len(seg), bool)
        need[1:] = (follow[:-1] >= 1) & (follow[:-1] <= 3)
        need[2:] |= (follow[:-2] >= 2) & (follow[:-2] <= 3)
        need[3:] |= follow[:-3] == 3
        bad = (follow == 4) != need
        bad |= follow == 5
        local = starts[i:j] - lo
        high[i:j] = np.logical_or.reduceat(seg >= 0x80, local)
        wrong[i:j] = np.logical_or.reduceat(bad, local)
        i = j
    if len(starts):  # a sequence cut by the end of the file has no byte after it to fail on
        try:
            data[int(starts[-1]) :].decode("utf-8")
        except UnicodeDecodeError:
            wrong[-1] = True
    return starts, high, high & ~wrong


def _decode(data: bytes, encoding: str, path: str, offset: int = 0, whole: bytes = b"") -> str:
    """Return ``data`` decoded, or raise at the line of the first byte invalid in ``encoding``.

    cp932 is held to Shift_JIS: Python's codec also maps the bytes 0x80, 0xA0 and 0xFD-0xFF,
    which begin no character of Shift_JIS text, to placeholders; those are invalid here.
    """
    whole = whole or data
    try:
        text = data.decode(_CODEC[encoding])
    except UnicodeDecodeError as exc:
        bad = offset + exc.start
    else:
        strays = [text.find(c) for c in _NOT_SJIS] if encoding == CP932 else []
        found = [k for k in strays if k >= 0]
        if not found:
            return text
        bad = offset + len(text[: min(found)].encode("cp932"))
    raise ReportFormatError(
        path,
        _line_of(whole, bad),
        None,
        whole[max(0, bad - 8) : bad + 8],
        f"{EXPECTED_TEXT}: this line's bytes are valid in neither (the rest of the file is"
        f" {encoding}; a file cut inside a multibyte character?)",
    )


def to_utf8(data: bytes, path: str, *, bom: bool = False) -> tuple[bytes, list[ForeignLine]]:
    """Return ``data`` (not valid UTF-8 as a whole) re-encoded as UTF-8, judged line by line.

    Args:
        data: the file's bytes after any BOM; line 1 is its first line.
        path: named in errors.
        bom: the file started with a UTF-8 byte-order mark (then it is UTF-8, whatever the lines).

    Returns:
        The text as UTF-8 bytes, each line in the file's other encoding left empty (its line end
        kept, so that line numbers do not move), and those lines as :class:`ForeignLine`.

    Raises:
        ReportFormatError: bytes valid in neither encoding, with their line.

    """
    starts, high, utf8 = _line_classes(data)
    file_enc = UTF8 if bom or utf8.sum() > (high & ~utf8).sum() else CP932
    other = CP932 if file_enc == UTF8 else UTF8
    odd = np.flatnonzero(high & ~utf8) if file_enc == UTF8 else np.flatnonzero(utf8)
    ends = np.r_[starts[1:], len(data)]
    foreign: list[ForeignLine] = []
    pieces: list[bytes] = []
    pos = 0
    for k in odd:  # lines in the other encoding: few, or the file is in that one
        lo, hi = int(starts[k]), int(ends[k])
        text = _decode(data[lo:hi], other, path, lo, data).rstrip("\r\n")
        foreign.append(ForeignLine(int(k) + 1, text, other, file_enc))
        pieces.append(data[pos:lo])
        pos = hi - 1 if data[hi - 1 : hi] == b"\n" else hi  # keep the line end
    rest = b"".join([*pieces, data[pos:]]) if foreign else data
    text = _decode(rest, file_enc, path)
    return (rest if file_enc == UTF8 else text.encode("utf-8")), foreign
