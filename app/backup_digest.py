"""What a backup is checked against: a canonical digest of every table, row counts, a change mark, and
the helpers that run checks beside the reading (a background thread) and let SQLite stop on cancel.
"""
from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlcipher3

from app import archive as af
from app.progress import Cancelled, ProgressFn, step
from app.walcheck import missing_pages

MANIFEST_TABLE = "cf_backup_manifest"
CACHE_KIB = 64 * 1024


# ----- digest ------------------------------------------------------------------------------------
def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def data_tables(conn: Any, schema: str = "main") -> list[str]:
    """The ordinary tables holding data (not sqlite_*, not the backup manifest), sorted by name."""
    rows = _driver(conn).execute(f"PRAGMA {schema}.table_list").fetchall()
    names = [r[1] for r in rows if r[0] == schema and r[2] == "table"]
    return sorted(n for n in names if not n.startswith("sqlite_") and n != MANIFEST_TABLE)


def _row_sql(conn: sqlcipher3.Connection, schema: str, table: str) -> tuple[list[str], str]:
    info = conn.execute(f"PRAGMA {schema}.table_info({_q(table)})").fetchall()
    columns = [r[1] for r in info]
    parts = [_q(r[1]) if r[3] else f"iif({_q(r[1])} IS NULL, char(0), {_q(r[1])})" for r in info]
    keys = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])] or columns
    order = ", ".join(_q(k) for k in keys)
    select = f"SELECT CAST(concat({', char(31), '.join(parts)}, char(30)) AS BLOB) FROM {schema}.{_q(table)}"
    return columns, f"{select} ORDER BY {order}"


def data_digest(conn: Any, tables: Iterable[str] | None = None, *, schema: str = "main") -> str:
    """SHA-256 over every data table's rows in a canonical order (stable: used to prove copies equal).

    Format: for each table by name, b"T" + name + 0x1F + column names joined by 0x1F + 0x1E; then each row
    ordered by its primary key (all columns when it has none) as SQLite's text form of each value joined
    by 0x1F and ended by 0x1E, NULL written as 0x00. Values compare by their text form (1 and '1' are
    equal). Takes a sqlcipher3 connection or a SQLAlchemy Connection; run it inside a read transaction
    to digest one consistent snapshot.
    """
    driver = _driver(conn)
    digest = hashlib.sha256()
    for table in sorted(tables) if tables is not None else data_tables(driver, schema):
        columns, sql = _row_sql(driver, schema, table)
        digest.update(("T" + table + "\x1f" + "\x1f".join(columns) + "\x1e").encode("utf-8"))
        cursor = driver.execute(sql)
        while rows := cursor.fetchmany(2000):
            digest.update(b"".join(r[0] for r in rows))
    return digest.hexdigest()


def table_counts(conn: Any, tables: Iterable[str] | None = None, *, schema: str = "main") -> dict[str, int]:
    """Rows per data table."""
    driver = _driver(conn)
    names = list(tables) if tables is not None else data_tables(driver, schema)
    return {t: driver.execute(f"SELECT count(*) FROM {schema}.{_q(t)}").fetchone()[0] for t in names}


def change_mark(conn: Any) -> str:
    """A cheap fingerprint that moves whenever the data changes (why it is enough: backup_rotation.py)."""
    driver = _driver(conn)
    tables = data_tables(driver)
    parts = []
    for table in tables:
        count, top = driver.execute(f"SELECT count(*), max(rowid) FROM {_q(table)}").fetchone()
        parts.append(f"{table}:{count}:{top}")
    if "customers" in tables:  # in-place edits of a card move its updated_at
        parts.append(str(driver.execute("SELECT max(updated_at) FROM customers").fetchone()[0]))
    return hashlib.sha256(";".join(parts).encode("utf-8")).hexdigest()[:32]


def _driver(conn: Any) -> sqlcipher3.Connection:
    """The DB-API connection under a SQLAlchemy Connection (or the connection itself)."""
    inner = getattr(conn, "connection", None)
    return getattr(inner, "driver_connection", None) or conn


# ----- cancellation and a background check ----------------------------------------------------------
class Watch:
    """Stages of a long job: reports progress, and lets SQLite abort a long statement on cancel."""

    def __init__(self, progress: ProgressFn, total: int) -> None:
        self.progress, self.total = progress, total
        self.done, self.text, self.cancelled = 0, "", False
        self._last = time.monotonic()

    def stage(self, done: int, text: str) -> None:
        """Enter a stage (reported at once; raises Cancelled if the user stopped)."""
        self.done, self.text = done, text
        step(self.progress, done, self.total, text)

    def handler(self) -> int:
        """SQLite progress handler: ask the callback now and then; nonzero aborts the statement."""
        now = time.monotonic()
        if now - self._last >= 0.2:
            self._last = now
            if not self.progress(self.done, self.total, self.text):
                self.cancelled = True
        return 1 if self.cancelled else 0

    def attach(self, conn: sqlcipher3.Connection) -> None:
        """Let conn's long statements see a cancel."""
        conn.set_progress_handler(self.handler, 20_000)


class Background:
    """Run fn(conn) in a thread on its own connection; join (cancellable), interrupt, re-raise."""

    def __init__(self, conn: sqlcipher3.Connection, fn: Callable[[sqlcipher3.Connection], Any],
                 watch: Watch) -> None:
        self.conn, self.watch, self.result, self.error = conn, watch, None, None
        self._thread = threading.Thread(target=self._run, args=(fn,), name="backup-check", daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[[sqlcipher3.Connection], Any]) -> None:
        try:
            self.result = fn(self.conn)
        except BaseException as exc:  # handed to the caller in join()
            self.error = exc

    def join(self) -> Any:
        """Wait for the result; a cancel while waiting interrupts the check (PRAGMA checks are one step)."""
        while self._thread.is_alive():
            self._thread.join(0.1)
            if self.watch.handler():
                self.abandon()
                raise Cancelled()
        self.conn.close()
        if self.error is not None:
            raise self.error
        return self.result

    def abandon(self) -> None:
        """Stop the check and release its connection."""
        with contextlib.suppress(Exception):
            self.conn.interrupt()
        self._thread.join()
        self.conn.close()


@contextlib.contextmanager
def in_background(conn: sqlcipher3.Connection, fn: Callable[[sqlcipher3.Connection], Any],
                  watch: Watch) -> Iterator[Background]:
    """fn(conn) in a thread while the caller works; abandoned (interrupted, closed) if the caller fails."""
    conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    job = Background(conn, fn, watch)
    try:
        yield job
    except BaseException:
        job.abandon()
        raise


def checking(conn: sqlcipher3.Connection, path: Path | None,
             watch: Watch) -> contextlib.AbstractContextManager[Background]:
    """Full HMAC + b-tree checks (integrity_check) in the background while the caller reads."""
    return in_background(conn, lambda c: file_problems(c, path), watch)


def backup_file_problems(conn: sqlcipher3.Connection, path: Path) -> list[str]:
    """A backup file's checks: page_problems, then structure_problems."""
    return page_problems(conn, path) or structure_problems(conn)


def page_problems(conn: sqlcipher3.Connection, path: Path) -> list[str]:
    """Every page's HMAC (cipher_integrity_check), and the file as long as its header says.

    The HMAC covers the page's bytes and its number: any changed byte, a page moved, or junk appended
    fails; a cut at a page boundary passes it, hence the length check.
    """
    problems = [r[0] for r in conn.execute("PRAGMA cipher_integrity_check")]
    return problems + length_problems(conn, path)


def length_problems(conn: sqlcipher3.Connection, path: Path) -> list[str]:
    """The file as long as its header says (a cut at a page boundary passes every page's HMAC)."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    if pages > path.stat().st_size // af.PAGE_SIZE and missing_pages(path, pages, af.PAGE_SIZE):
        return [f"文件只有 {path.stat().st_size // af.PAGE_SIZE} 页，应有 {pages} 页（文件被截断）"]
    return []


def structure_problems(conn: sqlcipher3.Connection) -> list[str]:
    """The b-trees of every table and index (PRAGMA quick_check).

    quick_check is integrity_check without matching each index against its table: a backup's indexes
    never reach an archive (restore rebuilds them from the rows, and proves the result with the full
    integrity_check), while its rows are proved by the digest.
    """
    return [r[0] for r in conn.execute("PRAGMA quick_check") if r[0] != "ok"]


def file_problems(conn: sqlcipher3.Connection, path: Path | None = None) -> list[str]:
    """cipher_integrity_check, then integrity_check (truncation at a page boundary passes the first)."""
    if path is not None:
        return list(af.verify_connection(conn, path).problems)
    problems = [r[0] for r in conn.execute("PRAGMA cipher_integrity_check")]
    return problems or [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
