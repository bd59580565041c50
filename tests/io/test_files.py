"""Files orderkit writes: whole or not at all, the user's permissions, encodings refused or replaced."""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from iohelpers import REPORTS

from orderkit import UnencodableText
from orderkit.io import files, read_report, write_report

ROOT = Path(__file__).parent.parent.parent
AT = dt.datetime(2026, 11, 3, 12, tzinfo=dt.UTC)
EMOJI_ORDER = "503-1000002-0000002"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(files.TEMP_PREFIX))


@pytest.fixture
def previous(tmp_path) -> Path:
    path = tmp_path / "export.txt"
    path.write_bytes(b"yesterday's good export\n")
    return path


# ---- atomic ---------------------------------------------------------------------------------


def test_a_file_written_twice_holds_the_second_content(tmp_path):
    path = tmp_path / "out.txt"
    files.write_atomic(path, b"first")
    assert files.write_atomic(path, b"second") == path
    assert path.read_bytes() == b"second"
    assert _leftovers(tmp_path) == []


def test_an_exception_half_way_leaves_the_previous_file_and_no_temporary_file(
    previous, monkeypatch
):
    real_write = os.write

    def write_then_fail(fd, data):
        real_write(fd, bytes(data[:10]))
        raise RuntimeError("interrupted")

    monkeypatch.setattr(os, "write", write_then_fail)
    with pytest.raises(RuntimeError):
        files.write_atomic(previous, b"x" * 100)
    assert previous.read_bytes() == b"yesterday's good export\n"
    assert _leftovers(previous.parent) == []


@pytest.mark.parametrize("where", ["write", "fsync"])
def test_a_full_disk_leaves_the_previous_file_and_no_temporary_file(previous, monkeypatch, where):
    def no_space(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, where, no_space)
    with pytest.raises(OSError) as err:
        files.write_atomic(previous, b"today's export\n")
    assert err.value.errno == errno.ENOSPC
    assert previous.read_bytes() == b"yesterday's good export\n"
    assert _leftovers(previous.parent) == []


# The child writes the first chunk, says so, and then blocks inside its next os.write: the parent
# kills it there with SIGKILL, half-way through a large write (no timing guesses).
_KILLED_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from orderkit.io import files
    real_write, calls = os.write, []
    def write(fd, data):
        calls.append(1)
        if len(calls) == 2:
            print("half-way", flush=True)
            time.sleep(600)
        return real_write(fd, data)
    os.write = write
    files.write_atomic(sys.argv[1], b"n" * (8 * files._CHUNK))
    """
)


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_a_killed_write_leaves_the_previous_file_and_the_next_write_sweeps_its_leftover(previous):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, str(previous)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "half-way"
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        child.kill()
        child.stdout.close()
    assert previous.read_bytes() == b"yesterday's good export\n"
    left = _leftovers(previous.parent)
    assert len(left) == 1 and (previous.parent / left[0]).stat().st_size == files._CHUNK

    files.write_atomic(previous.parent / "other.txt", b"next write")
    assert _leftovers(previous.parent) == []


def test_a_live_writers_temporary_file_is_not_swept(tmp_path):
    # our own pid, on this machine: alive, and fresh
    live = tmp_path / f"{files.TEMP_PREFIX}{os.getpid()}-{files._HOST}-0badcafe-out.txt"
    live.write_bytes(b"in progress")
    files.write_atomic(tmp_path / "out.txt", b"done")
    assert live.exists()


def test_a_temporary_file_idle_longer_than_stale_after_is_swept(tmp_path):
    # another machine's writer: its pid means nothing here, only its age counts
    idle = tmp_path / f"{files.TEMP_PREFIX}1-ffffffff-0badcafe-out.txt"
    idle.write_bytes(b"abandoned")
    old = idle.stat().st_mtime - files.STALE_AFTER - 60
    os.utime(idle, (old, old))
    files.write_atomic(tmp_path / "out.txt", b"done")
    assert not idle.exists()


def test_only_files_with_orderkits_prefix_are_swept(tmp_path):
    mine = tmp_path / ".out.txt.tmp"
    mine.write_bytes(b"someone else's")
    os.utime(mine, (0, 0))
    files.write_atomic(tmp_path / "out.txt", b"done")
    assert mine.exists()


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_permissions_follow_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        files.write_atomic(tmp_path / "out.txt", b"data")
    finally:
        os.umask(old)
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == mode


# ---- encodings ------------------------------------------------------------------------------


@pytest.fixture
def emoji_book(tmp_path):
    text = (REPORTS / "all_orders.txt").read_text(encoding="utf-8")
    text = text.replace("今治タオル フェイスタオル 2枚組", "今治タオル 😀 2枚組")
    source = tmp_path / "source.txt"
    source.write_text(text, encoding="utf-8")
    return read_report(source)


def test_an_unencodable_character_is_refused_naming_order_column_and_character(
    emoji_book, previous
):
    with pytest.raises(UnencodableText) as err:
        write_report(emoji_book, "all_orders", previous, encoding="cp932", at=AT)
    assert (err.value.order_id, err.value.column) == (EMOJI_ORDER, "product-name")
    assert (err.value.character, err.value.code_point) == ("😀", "U+1F600")
    assert err.value.encoding == "cp932"


def test_a_refused_export_leaves_yesterdays_file_unchanged(emoji_book, previous):
    with pytest.raises(UnencodableText):
        write_report(emoji_book, "all_orders", previous, encoding="cp932", at=AT)
    assert previous.read_bytes() == b"yesterday's good export\n"
    assert _leftovers(previous.parent) == []


def test_replace_writes_the_geta_mark_and_the_file_reads_back(emoji_book, previous):
    write_report(emoji_book, "all_orders", previous, encoding="cp932", at=AT, unencodable="replace")
    again = read_report(previous)
    items = again.items.set_index("order_id")
    assert items.loc[EMOJI_ORDER, "product_name"] == f"今治タオル {files.REPLACEMENT} 2枚組"
    assert len(again.orders) == len(emoji_book.orders)


def test_first_unencodable_is_the_first_cell_row_by_row():
    frame = pd.DataFrame(
        {"order-id": ["a", "b", "c"], "x": ["ok", "ok", "🙂"], "y": ["ok", "😀", "🙂"]}
    )
    cell = files.first_unencodable(frame, "cp932", key="order-id")
    assert cell == files.UnencodableCell(1, "y", "b", "😀")
    multiline = pd.DataFrame({"order-id": ["a", "b"], "note": ["one\ntwo\nthree", "😀"]})
    assert files.first_unencodable(multiline, "cp932", key="order-id").order_id == "b"
    assert files.first_unencodable(frame.iloc[:1], "cp932", key="order-id") is None


def test_text_without_a_table_is_refused_with_its_line(tmp_path):
    with pytest.raises(UnencodableText) as err:
        files.write_text(tmp_path / "a.txt", "one\ntwo 😀\n", encoding="cp932")
    assert (err.value.line, err.value.character, err.value.order_id) == (2, "😀", None)
    assert not (tmp_path / "a.txt").exists()


def test_replacement_falls_back_to_a_question_mark_where_the_geta_mark_has_no_form(tmp_path):
    files.write_text(tmp_path / "a.txt", "naïve 😀", encoding="latin-1", unencodable="replace")
    assert (tmp_path / "a.txt").read_bytes() == "naïve ?".encode("latin-1")


# ---- one way to write -----------------------------------------------------------------------

_DIRECT_WRITE = re.compile(
    r"(?<!files)\.write_text\(|\.write_bytes\(|\bopen\([^)]*['\"][wax]b?\+?['\"]|\.to_csv\(|"
    r"\bos\.replace\(|\bmkstemp\(|\bNamedTemporaryFile\("
)


def test_every_file_orderkit_writes_goes_through_the_files_helper():
    package = ROOT / "orderkit"
    direct = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for path in package.rglob("*.py")
        if path != package / "io" / "files.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _DIRECT_WRITE.search(line)
    ]
    assert direct == []


def test_a_lock_another_process_holds_is_refused_at_once_and_free_once_it_exits(tmp_path):
    lock = tmp_path / "store.sqlite.sync.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from orderkit.io.files import exclusive_lock\n"
            f"with exclusive_lock({str(lock)!r}):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(files.LockHeld) as refused, files.exclusive_lock(lock):
            pytest.fail("the block ran while another process held the lock")
        assert refused.value.filename == str(lock)
    finally:
        holder.kill()  # killed, not released: the kernel drops a dead holder's lock
        holder.wait()
    with files.exclusive_lock(lock) as held:
        assert held == lock
