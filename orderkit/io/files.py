"""Files orderkit writes: whole or not at all, in the encoding asked for, with the user's permissions.

Every file orderkit writes — report exports, the shipping-confirmation upload file, spreadsheet
CSVs — goes through :func:`write_atomic` (bytes) or :func:`write_text` (text):

1. a temporary file is created beside the target, named ``.orderkit-tmp-<pid>-<host>-<random>-<name>``
   (same directory, so the final rename never crosses a file system), with mode ``0o666`` so that
   the user's umask applies as for any new file (``tempfile.mkstemp`` would give ``0o600``);
2. the data is written, flushed and ``os.fsync``-ed;
3. it is ``os.replace``-d onto the target — atomic on POSIX and Windows — and the directory is
   fsynced where the OS allows, so the rename itself survives a power cut.

On any failure (an encoding error, a full disk, an exception or a signal half-way) the temporary
file is removed and the previous target is left as it was. A process killed with ``SIGKILL``
cannot clean up: its temporary file is swept by the next write to the same directory
(:func:`sweep`), which removes only files with orderkit's prefix that are *stale*:

- written on this machine by a process that no longer runs (the pid is in the name; a live pid is
  never swept, even if it is a reused one — that only delays the sweep), or
- last modified more than :data:`STALE_AFTER` before the new temporary file (the file system's own
  clock, no wall clock is read). This covers a writer on another machine sharing the folder, whose
  pid means nothing here: a live writer touches its file continuously, so ten idle minutes mean it
  is gone.

Text that the encoding cannot hold raises :class:`~orderkit.errors.UnencodableText` naming the
order, the column and the character (give :func:`write_text` the table the text was made from), or
— with ``unencodable="replace"`` — each such character becomes :data:`REPLACEMENT`.
"""

from __future__ import annotations

import bisect
import codecs
import errno
import hashlib
import itertools
import os
import re
import secrets
import socket
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import pandas as pd

from orderkit.errors import UnencodableText

__all__ = [
    "REPLACEMENT",
    "STALE_AFTER",
    "TEMP_PREFIX",
    "LockHeld",
    "Unencodable",
    "UnencodableCell",
    "exclusive_lock",
    "first_unencodable",
    "sweep",
    "write_atomic",
    "write_text",
]

#: The prefix of every temporary file orderkit creates; :func:`sweep` touches nothing else.
TEMP_PREFIX: Final = ".orderkit-tmp-"

#: A temporary file idle this long (seconds, by the file system's clock) is a dead writer's.
STALE_AFTER: Final = 600.0

#: What ``unencodable="replace"`` writes for a character the encoding cannot hold: 〓 (U+3013,
#: ゲタ記号), the Japanese typesetters' mark for "a character that could not be set". It is in JIS
#: X 0208, so every Shift_JIS variant holds it (not only cp932, unlike the NEC/IBM extensions that
#: Amazon JP's templates warn against as 機種依存文字); it is full-width like the emoji it stands
#: for; and unlike ``?`` or ``？`` it never occurs in a real product name, so a reader can find what
#: was replaced. Where an encoding cannot hold it either, ``?`` is written.
REPLACEMENT: Final = "\u3013"

#: What to do with a character the encoding cannot hold: refuse the whole file, or replace it.
Unencodable = Literal["refuse", "replace"]

_CHUNK: Final = 1 << 20
_TEMP_NAME = re.compile(r"^\.orderkit-tmp-(\d+)-([0-9a-f]{8})-[0-9a-f]{8}-")
_HOST: Final = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
# fsync on a directory: some file systems answer "not supported" rather than doing it
_NO_DIR_FSYNC: Final = frozenset({errno.EINVAL, errno.ENOTSUP, errno.EBADF, errno.EACCES})


@dataclass(frozen=True, slots=True)
class UnencodableCell:
    """The first cell of a table that an encoding cannot hold.

    Attributes:
        row: 0-based position of the row in the table.
        column: the column's name.
        order_id: the row's order id (``None`` if the table has no such column).
        character: the first character of the cell that has no form in the encoding.

    """

    row: int
    column: str
    order_id: str | None
    character: str


def write_atomic(path: str | os.PathLike[str], data: bytes | Iterable[bytes]) -> Path:
    """Write ``data`` (bytes, or chunks of bytes) to ``path`` whole or not at all; return the path.

    Chunks are written as they come (a large export is never held whole), and an exception
    raised while making them leaves ``path`` as it was, like any other failure.

    The bytes go to a temporary file beside ``path`` (created with the user's umask), which is
    fsynced and renamed onto ``path``; stale temporary files of earlier writes to the directory
    are swept. If anything fails, ``path`` keeps its previous content (or stays absent) and the
    temporary file is removed.

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        OSError: the directory cannot be written, the disk is full, etc. (``path`` unchanged).

    """
    target = Path(path)
    tmp, fd = _create_temp(target)
    try:
        try:
            for chunk in [data] if isinstance(data, (bytes, bytearray, memoryview)) else data:
                _write_all(fd, chunk)
            os.fsync(fd)
        finally:
            os.close(fd)
        sweep(target.parent, keep=tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_directory(target.parent)
    return target


def write_text(
    path: str | os.PathLike[str],
    text: str,
    *,
    encoding: str = "utf-8",
    unencodable: Unencodable = "refuse",
    table: pd.DataFrame | None = None,
    key: str | None = None,
) -> Path:
    """Encode ``text`` and write it with :func:`write_atomic`; return the path written.

    Line ends are written as they are in ``text`` (no translation).

    Args:
        path: the file to write.
        text: the whole content.
        encoding: a Python codec name (``"utf-8"``, ``"utf-8-sig"``, ``"cp932"``, ...).
        unencodable: ``"refuse"`` (default) raises when a character has no form in ``encoding``
            and writes nothing; ``"replace"`` writes :data:`REPLACEMENT` for it instead.
        table: the values ``text`` was made from (one row per data line), so that a refusal names
            the order and the column rather than a line of the file.
        key: the column of ``table`` that holds the order id (e.g. ``"order-id"``).

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        UnencodableText: a character ``encoding`` cannot hold, with ``unencodable="refuse"``.
        LookupError: an unknown ``encoding``.
        ValueError: an unknown ``unencodable``.
        OSError: as :func:`write_atomic`.

    """
    if unencodable not in ("refuse", "replace"):
        raise ValueError(f"unencodable must be 'refuse' or 'replace', not {unencodable!r}")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError as err:
        if unencodable == "refuse":
            raise _refusal(str(path), text, err, table, key) from None
        data = _replaced(text, encoding)
    return write_atomic(path, data)


def first_unencodable(
    frame: pd.DataFrame, encoding: str, *, key: str | None = None
) -> UnencodableCell | None:
    """Return the first cell of ``frame`` (row by row) that ``encoding`` cannot hold, or ``None``.

    Each column is encoded once as a whole (C speed); only a column that fails is searched for its
    row, so a table that encodes costs one pass.

    Returns:
        The cell (its row position, column, order id and character), or ``None`` if all encode.

    Raises:
        LookupError: an unknown ``encoding``.

    """
    found: list[tuple[int, int, str]] = []
    for position, column in enumerate(frame.columns):
        values = ["" if _missing(v) else str(v) for v in frame[column]]
        joined = "\n".join(values)
        try:
            joined.encode(encoding)
        except UnicodeEncodeError as err:
            # a cell may hold a line break itself: find the row by the cells' lengths
            ends = list(itertools.accumulate(len(v) + 1 for v in values))
            row = bisect.bisect_right(ends, err.start)
            found.append((row, position, joined[err.start]))
    if not found:
        return None
    row, position, character = min(found)
    column = str(frame.columns[position])
    order_id = None
    if key is not None and key in frame.columns:
        order_id = str(frame[key].iloc[row])
    return UnencodableCell(row, column, order_id, character)


def sweep(directory: str | os.PathLike[str], *, keep: Path | None = None) -> list[Path]:
    """Remove stale temporary files that killed writes left in ``directory``; return them.

    Only files named with :data:`TEMP_PREFIX` are looked at, and only stale ones removed (see the
    module's docstring); ``keep`` (the caller's own temporary file) is the clock's reference and
    is never removed. A file that another writer sweeps first is simply gone; a file that cannot be
    removed (permissions) is left with a warning, since a failed clean-up must not fail a write.

    Returns:
        The paths removed.

    """
    folder = Path(directory)
    now = keep.stat().st_mtime if keep is not None else None
    removed = []
    for entry in os.scandir(folder):
        if not entry.name.startswith(TEMP_PREFIX) or (keep is not None and entry.name == keep.name):
            continue
        if not entry.is_file(follow_symlinks=False) or not _stale(entry, now):
            continue
        try:
            os.unlink(entry.path)
        except FileNotFoundError:
            continue
        except OSError as err:
            warnings.warn(f"cannot remove stale {entry.path}: {err}", RuntimeWarning, stacklevel=2)
            continue
        removed.append(Path(entry.path))
    return removed


class LockHeld(BlockingIOError):
    """Another process holds the lock :func:`exclusive_lock` was asked for."""


@contextmanager
def exclusive_lock(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold an exclusive, non-blocking ``flock`` on ``path`` (created empty if missing) for the block.

    The file is only a handle for the lock: nothing is written to it, and it stays after the block
    (removing it would let a third process lock a new file while a second still holds the old one).
    The kernel drops the lock when the holder exits, even when it is killed.

    Yields:
        The lock file's path.

    Raises:
        LockHeld: another process holds the lock; the block does not run.

    """
    import fcntl  # POSIX only: imported here so that the rest of this module imports anywhere

    target = Path(path)
    fd = os.open(target, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(
                errno.EWOULDBLOCK, "another process holds the lock", str(target)
            ) from None
        try:
            yield target
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _create_temp(target: Path) -> tuple[Path, int]:
    """Create an empty temporary file beside ``target``; return its path and an open descriptor."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        name = f"{TEMP_PREFIX}{os.getpid()}-{_HOST}-{secrets.token_hex(4)}-{target.name}"
        tmp = target.with_name(name[:255])
        try:
            # 0o666: the kernel applies the umask, exactly as for a file the user creates
            return tmp, os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(target.parent))


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (``os.write`` may write fewer than asked)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view[:_CHUNK])
        view = view[written:]


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable by fsyncing its directory, where the OS allows it."""
    if os.name == "nt":  # Windows cannot open a directory as a file; NTFS journals the rename
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError as err:
        if err.errno in _NO_DIR_FSYNC:
            return
        raise
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in _NO_DIR_FSYNC:
            raise
    finally:
        os.close(fd)


def _stale(entry: os.DirEntry[str], now: float | None) -> bool:
    """Whether a temporary file with orderkit's prefix belongs to a writer that is gone."""
    match = _TEMP_NAME.match(entry.name)
    if match and match[2] == _HOST and os.name != "nt" and not _alive(int(match[1])):
        return True
    if now is None:
        return False
    try:
        return now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER
    except FileNotFoundError:
        return False


def _alive(pid: int) -> bool:
    """Whether a process with ``pid`` runs on this machine (POSIX: signal 0 only checks)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def _refusal(
    path: str, text: str, err: UnicodeEncodeError, table: pd.DataFrame | None, key: str | None
) -> UnencodableText:
    """Return the error naming where ``err`` happened: the table's cell, else the file's line."""
    cell = first_unencodable(table, err.encoding, key=key) if table is not None else None
    if cell is not None:
        return UnencodableText(
            path, err.encoding, cell.character, order_id=cell.order_id, column=cell.column
        )
    line = text.count("\n", 0, err.start) + 1
    return UnencodableText(path, err.encoding, text[err.start], line=line)


def _replaced(text: str, encoding: str) -> bytes:
    """Return ``text`` encoded, each character ``encoding`` cannot hold replaced."""
    try:
        REPLACEMENT.encode(encoding)
    except UnicodeEncodeError:
        return text.encode(encoding, errors="replace")  # the codec's own "?"
    return text.encode(encoding, errors=_GETA)


def _geta(err: UnicodeError) -> tuple[str, int]:
    """Codec error handler: one :data:`REPLACEMENT` per character that has no form."""
    if not isinstance(err, UnicodeEncodeError):
        raise err
    return REPLACEMENT * (err.end - err.start), err.end


_GETA: Final = "orderkit-geta"
codecs.register_error(_GETA, _geta)


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))  # type: ignore[arg-type]
