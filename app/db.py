"""Opening and creating archives: lock, unlock, verify, migrate (after a verified copy), hand back an Archive."""
from __future__ import annotations

import logging
import threading
from datetime import datetime
from glob import escape as glob_escape
from pathlib import Path

from app import archive as af
from app import migrate
from app.errors import ArchiveDamaged, ArchiveError
from app.fileutil import ProcessLock, make_private_dir

logger = logging.getLogger(__name__)


def create_archive(path: Path, password: str) -> af.Archive:
    """Create a new archive (never overwrites), bring it to the newest schema and open it."""
    path = Path(path)
    make_private_dir(path.parent)
    lock = ProcessLock(path)
    lock.acquire()
    try:
        af.create_file(path, password)
        opened = af.unlock(path, password)
        archive = af.Archive(opened, lock)
    except BaseException:
        lock.release()
        raise
    try:
        migrate.upgrade(archive.engine)
    except BaseException:
        archive.close()
        af.remove_archive_files(path)
        raise
    logger.info("archive created")
    return archive


def open_archive(path: Path, password: str, *, known_salt: bytes | None = None,
                 upgrade: bool = True, echo: bool = False, full_check: bool | None = None) -> af.Archive:
    """Open an existing archive: refuse a second instance, verify, migrate if needed.

    full_check=None verifies every page of archives up to af.FULL_VERIFY_BYTES and does the cheap checks
    above that (then `archive.fully_verified` is False and the caller runs archive.verify() soon).
    """
    path = Path(path)
    af.precheck_file(path)
    lock = ProcessLock(path)
    lock.acquire()
    try:
        remove_stale_temps(path)
        opened = af.unlock(path, password, known_salt, full=full_check)
        archive = af.Archive(opened, lock, echo=echo)
    except BaseException:
        lock.release()
        raise
    if upgrade:
        try:
            upgrade_with_copy(archive)
        except BaseException:
            archive.close()
            raise
    return archive


class OpeningArchive:
    """open_archive() in a worker thread, so the caller can load and build the main window meanwhile.

    Key derivation (hashlib's PBKDF2) and the page checks (SQLite) run in C without holding the GIL, so on
    two cores they cost the start-up nothing while the interpreter imports the services and the widgets.
    result() waits and returns the Archive or raises exactly what open_archive raised.
    """

    def __init__(self, path: Path, password: str, *, known_salt: bytes | None = None,
                 full_check: bool | None = None) -> None:
        self._archive: af.Archive | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(Path(path), password, known_salt, full_check), name="open-archive", daemon=True
        )
        self._thread.start()

    def _run(self, path: Path, password: str, known_salt: bytes | None, full_check: bool | None) -> None:
        try:
            self._archive = open_archive(path, password, known_salt=known_salt, full_check=full_check)
        except BaseException as error:  # handed to the caller's thread by result()
            self._error = error

    def done(self) -> bool:
        """True once the archive is open or the attempt failed."""
        return not self._thread.is_alive()

    def result(self) -> af.Archive:
        """Wait for the open; the Archive, or the error open_archive raised (wrong password, damage …)."""
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        assert self._archive is not None
        return self._archive


def remove_stale_temps(path: Path) -> list[Path]:
    """Remove what a killed password change, restore or upgrade left beside the archive: encrypted
    `.NAME.*.tmp` files (and their journals). Only called with the archive's lock held, so no other
    ClientFile process can be writing them. Returns what was removed."""
    removed = []
    for tmp in path.parent.glob(f".{glob_escape(path.name)}.*.tmp*"):
        if tmp.is_file() and tmp.name.endswith((".tmp", ".tmp-wal", ".tmp-shm", ".tmp-journal")):
            try:
                tmp.unlink()
                removed.append(tmp)
            except OSError as error:
                logger.warning("stale temporary file not removed: %s", type(error).__name__)
    if removed:
        logger.info("removed %d stale temporary files beside the archive", len(removed))
    return removed


def schema_revision(archive: af.Archive) -> str:
    """The archive's schema revision."""
    with archive.engine.connect() as conn:
        return migrate.current_revision(conn)


def upgrade_with_copy(archive: af.Archive) -> Path | None:
    """Apply pending migrations after keeping a verified encrypted copy; returns the copy's path."""
    current, head = schema_revision(archive), migrate.head_revision()
    if current == head:
        return None
    if current and current not in migrate.known_revisions():
        raise ArchiveError(f"档案的结构版本（{current}）比本程序新，请升级 ClientFile 后再打开。")
    copy = archive.path.with_name(
        f"{archive.path.stem}.升级前-{current or 'new'}-{datetime.now():%Y%m%d%H%M%S}{archive.path.suffix}"
    )
    key = archive.key_for_copy()
    with af.exported_copy(archive.path, key, copy, af.same_key_spec(key, archive.salt)) as tmp:
        check = af.diagnose(tmp, key, full=True)
        if not check.ok:
            raise ArchiveDamaged("升级前的备份副本校验失败，未升级。", check.problems)
    logger.info("schema %s -> %s (copy kept)", current or "-", head)
    migrate.upgrade(archive.engine)
    return copy

