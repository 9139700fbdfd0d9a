"""Copying one snapshot of the archive into a backup file page for page, without rebuilding its b-trees.

sqlcipher_export rebuilds every table and index (decrypt, insert row by row, re-encrypt). A backup needs
none of that: its pages can be the archive's pages, copied inside the caller's read transaction, so what
is copied is exactly the snapshot the caller digests.
- Same key and salt (the default: the archive's password opens the backup), and the archive file holds
  the whole snapshot: the encrypted bytes themselves are copied, with no cryptography at all.
- Otherwise (the backup's own password, or commits still only in the -wal): SQLite's online backup API
  into a file keyed with the backup's key. It reads through the snapshot (checking each page's HMAC)
  and re-encrypts each page.
Either way the caller proves the copy afterwards: every page's HMAC, the b-trees, and a digest of the
copy's rows equal to the digest of the snapshot (app/backup.py).
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from urllib.parse import quote

import sqlcipher3

from app import archive as af
from app.backup_digest import Watch
from app.progress import Cancelled

FILE_COPY = "file"  # the encrypted bytes, as they are
PAGE_COPY = "pages"  # SQLite's backup API: decrypted and re-encrypted page by page
_CHUNK = 4 * 1024 * 1024
_STEP_PAGES = 4096  # 16 MiB per backup step: a cancel is seen within a fraction of a second


class _NotCopyable(Exception):
    """The file cannot be copied as bytes (shorter than the snapshot, or unreadable): copy pages instead."""


def copy_snapshot(src: sqlcipher3.Connection, helper: sqlcipher3.Connection, path: Path, tmp: Path,
                  key: tuple[bytes, bytes], dest: tuple[bytes, bytes], watch: Watch) -> str:
    """Copy the snapshot src reads (inside its BEGIN) to the new file tmp under dest (key, salt).

    helper is a second connection to the same archive, outside any transaction. Returns FILE_COPY or
    PAGE_COPY (how it was done).
    """
    pages = src.execute("PRAGMA page_count").fetchone()[0]
    if dest == key and file_holds_snapshot(helper):
        try:
            _copy_bytes(path, tmp, pages * af.PAGE_SIZE, watch)
            return FILE_COPY
        except _NotCopyable:
            _remove(tmp)
    _copy_pages(src, tmp, dest, watch)
    return PAGE_COPY


def file_holds_snapshot(helper: sqlcipher3.Connection) -> bool:
    """True when the archive file itself holds the snapshot that another connection began reading.

    Asked after that snapshot began. A passive checkpoint copies committed frames of the -wal into the
    file, but never frames newer than a reader's snapshot while the reader lasts. So if every frame of
    the log is now in the file, no frame newer than the snapshot exists, the file is the snapshot, and it
    stays so until that reader ends. Not in WAL mode (log -1): a reader's shared lock keeps writers out.
    """
    busy, log, done = helper.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return not busy and log == done


def _copy_bytes(path: Path, tmp: Path, length: int, watch: Watch) -> None:
    """The first length bytes of path into a new private file tmp (read and written: never a reflink,
    which would share the disk blocks of the archive and so its bad sectors)."""
    try:
        source = open(path, "rb", buffering=0)  # noqa: SIM115 (closed below, after tmp is created)
    except OSError as exc:
        raise _NotCopyable() from exc
    with source:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "wb", buffering=0) as out:
            buf = memoryview(bytearray(_CHUNK))
            left = length
            while left:
                if watch.handler():
                    raise Cancelled()
                try:
                    n = source.readinto(buf[: min(_CHUNK, left)])
                except OSError as exc:  # e.g. a byte range another process keeps locked (Windows)
                    raise _NotCopyable() from exc
                if not n:
                    raise _NotCopyable()  # shorter than its header says: let SQLite read and report it
                out.write(buf[:n])
                left -= n


def _copy_pages(src: sqlcipher3.Connection, tmp: Path, dest: tuple[bytes, bytes], watch: Watch) -> None:
    """SQLite's backup API from src's snapshot into tmp, encrypted with dest (key, salt)."""
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # private from its first byte
    target = sqlcipher3.connect(f"file:{_quoted(tmp)}?mode=rw", uri=True, isolation_level=None,
                                check_same_thread=False)
    try:
        target.execute("PRAGMA cipher_log_level = NONE")
        target.execute(f"PRAGMA key = \"{af.same_key_spec(*dest)}\"")  # raw key and salt: never KEY ''
        target.execute("PRAGMA journal_mode = OFF")  # a temp file, checked before it is used
        target.execute("PRAGMA synchronous = OFF")

        def step(status: int, remaining: int, total: int) -> None:
            if watch.handler():
                raise Cancelled()

        src.backup(target, pages=_STEP_PAGES, progress=step)
    finally:
        target.close()


def _quoted(path: Path) -> str:
    return quote(str(path.resolve()))


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
