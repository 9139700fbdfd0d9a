"""备份文件 (.cfbak): one encrypted SQLCipher file carrying every table plus a manifest; write, verify, list.

A backup is a page copy of one snapshot of the archive (app/backup_copy.py: the encrypted bytes when it
keeps the archive's key, else SQLite's backup API into a keyed file — never plaintext), holding one extra
table, `cf_backup_manifest` (app and schema version, time, row counts per table, and a digest of every
row) of that snapshot. It is written to a temporary file beside the target, made durable, verified as
verify_backup does (read back with its key: every page's HMAC, the b-trees, and its rows' digest equal to
the manifest's), then atomically renamed. By default it keeps the archive's salt and key, so the
archive's password opens it; with its own password it gets a fresh salt and the key derived from both,
as SQLCipher would. Restore lives in app/backup_restore.py, rotation and automatic backups in
app/backup_rotation.py.
"""
from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlcipher3

from app import __version__
from app import archive as af
from app.backup_copy import copy_snapshot
from app.backup_digest import (
    CACHE_KIB,
    MANIFEST_TABLE,
    Watch,
    backup_file_problems,
    change_mark,
    data_digest,
    data_tables,
    file_problems,
    in_background,
    length_problems,
    page_problems,
    structure_problems,
    table_counts,
)
from app.config import BACKUP_SUFFIX
from app.errors import AppError, ArchiveDamaged, ArchiveError, ArchiveExists, ArchiveNotFound, WrongPassword
from app.fileutil import atomic_replace, make_private, make_private_dir, temp_path_beside
from app.progress import Cancelled, ProgressFn, no_progress

logger = logging.getLogger(__name__)

__all__ = [
    "BACKUP_APPLICATION_ID", "MANIFEST_TABLE", "BackupInfo", "NotABackup", "backup_name", "change_mark",
    "check_backup_key", "create_backup", "data_digest", "data_tables", "examine", "file_problems",
    "free_backup_path", "list_backups", "name_time", "parse_name", "precheck_backup", "read_manifest",
    "remove_temp", "table_counts", "verify_backup",
]

BACKUP_APPLICATION_ID = 0x4346424B  # "CFBK": tells a backup from an archive ("CFDB") before any manifest read
FORMAT_VERSION = 1
SOURCE_BAD = "档案没有通过完整性检查，这次没有写备份（以前的备份都保留着）。请在“档案校验”中查看详情。"
_STORAGE_ERRORS = (10, 13, 14)  # SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN: the disk, not the data
COPY_BAD = "刚写出的备份没有通过校验（磁盘可能有问题），这次备份已放弃，以前的备份都保留着。"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<ts>\d{8}-\d{6})(?:-(?P<n>\d+))?" + re.escape(BACKUP_SUFFIX) + "$")


class NotABackup(ArchiveError):
    """The file opens but is not a ClientFile backup (e.g. the archive itself, or another database)."""


@dataclass(frozen=True)
class BackupInfo:
    """One backup file: what the folder says (always) and what its manifest says (when read)."""

    path: Path
    size: int
    modified: datetime
    created_at: datetime | None = None
    app_version: str = ""
    schema_version: str = ""
    archive_name: str = ""
    counts: dict[str, int] = field(default_factory=dict, hash=False)
    digest: str = ""
    change_mark: str = ""
    verified: bool | None = None  # None: not checked; True: passed every check; False: see problem
    problem: str = ""

    @property
    def when(self) -> datetime:
        """When it was made: the manifest's time, else the time in its name, else the file's mtime."""
        return self.created_at or name_time(self.path.name) or self.modified

    @property
    def customers(self) -> int:
        """How many customer cards it holds (recycle bin included); 0 before the manifest is read."""
        return int(self.counts.get("customers", 0))


# ----- names -------------------------------------------------------------------------------------
def backup_name(archive_stem: str, when: datetime, n: int = 0) -> str:
    """The standard name of a backup of an archive: 客户档案-20261122-093000.cfbak."""
    return f"{archive_stem}-{when:%Y%m%d-%H%M%S}{f'-{n}' if n else ''}{BACKUP_SUFFIX}"


def parse_name(name: str) -> tuple[str, datetime] | None:
    """(archive stem, time) from a standard backup name, or None for any other name."""
    match = _NAME.match(name)
    if not match or name.startswith("."):
        return None
    try:
        return match["stem"], datetime.strptime(match["ts"], "%Y%m%d-%H%M%S")
    except ValueError:
        return None


def name_time(name: str) -> datetime | None:
    """The time in a standard backup name."""
    parsed = parse_name(name)
    return parsed[1] if parsed else None


def free_backup_path(folder: Path, archive_stem: str, when: datetime) -> Path:
    """A standard backup path in folder that does not exist yet."""
    for n in range(100):
        path = folder / backup_name(archive_stem, when, n)
        if not path.exists():
            return path
    raise ArchiveExists(f"备份文件夹里同一时刻的备份太多：{folder}")


# ----- writing -----------------------------------------------------------------------------------
def create_backup(archive: af.Archive, dest: Path, password: str | None = None, *,
                  progress: ProgressFn = no_progress, overwrite: bool = False,
                  now: datetime | None = None) -> BackupInfo:
    """Write a verified, encrypted backup of the open archive to dest, atomically.

    password None → the archive's own password opens it. Refuses (writing nothing) when the archive
    fails its integrity checks. Raises Cancelled when progress asks to stop; dest is then untouched.
    """
    dest = Path(dest)
    if dest.exists() and not overwrite:
        raise ArchiveExists(f"备份文件已存在，不会覆盖：{dest}")
    if password is not None:
        af.check_new_password(password)
    key = (archive.key_for_copy(), archive.salt)
    if password is None:
        backup_key = key
    else:  # what SQLCipher does with a password: a fresh random salt, the page key derived from both
        salt = os.urandom(af.SALT_SIZE)
        backup_key = (af.derive_key(password, salt), salt)
    watch = Watch(progress, 4)
    try:
        make_private_dir(dest.parent)
        tmp = temp_path_beside(dest)
    except OSError as exc:
        raise AppError(_cannot_write(dest, exc)) from None
    try:
        watch.stage(0, "正在检查档案并写入备份…")
        written, copy_problems = _write(archive, tmp, key, backup_key, watch, now or datetime.now())
        if copy_problems:
            raise _damaged(archive, tuple(copy_problems))
        watch.stage(2, "正在校验备份…")
        _fsync(tmp)
        try:  # what verify_backup checks: pages (their HMACs were checked right after the copy; the pages the
            # manifest changed are read again here, which checks theirs), b-trees, the rows against the manifest
            info = _check(tmp, backup_key[0], watch, pages_checked=True)
        except ArchiveDamaged as exc:
            raise _damaged(archive, (str(exc), *exc.details)) from None
        if (info.counts, info.digest) != (written["counts"], written["digest"]):
            raise _damaged(archive, ("备份清单读回的行数或校验值与写入的不同",))
        watch.stage(3, "正在保存备份…")
        atomic_replace(tmp, dest)
    except sqlcipher3.Error as exc:
        if watch.cancelled:
            raise Cancelled() from None
        if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in _STORAGE_ERRORS:
            raise AppError(_cannot_write(dest, exc)) from None
        raise _damaged(archive, (str(exc),)) from None
    except OSError as exc:
        raise AppError(_cannot_write(dest, exc)) from None
    finally:
        remove_temp(tmp)
    stat = dest.stat()
    progress(4, 4, "备份完成")  # the backup is in place: too late to cancel, so the answer is ignored
    logger.info("backup written: %s tables, %s bytes", len(info.counts), stat.st_size)
    return replace(info, path=dest, size=stat.st_size, modified=datetime.fromtimestamp(stat.st_mtime))


def _cannot_write(dest: Path, exc: BaseException) -> str:
    reason = getattr(exc, "strerror", None) or str(exc)
    return f"无法写入备份：{dest.parent}（{reason}）。磁盘可能已满、拔出或没有写入权限；以前的备份都保留着。"


def _damaged(archive: af.Archive, details: tuple[str, ...]) -> ArchiveDamaged:
    """A check of the copy failed: blame the archive if it fails its own checks, else the copy (the disk).

    The copy holds the archive's pages, so a bad page of the archive shows up in the copy first; the
    archive is checked here, on this rare path only, to tell the user which one is damaged.
    """
    try:
        conn = archive.raw()
        try:
            problems = page_problems(conn, archive.path) or structure_problems(conn)
        finally:
            conn.close()
    except sqlcipher3.Error as exc:
        problems = [str(exc)]
    if problems:
        return ArchiveDamaged(SOURCE_BAD, tuple(problems[:20]))
    return ArchiveDamaged(COPY_BAD, details[:20])


def _write(archive: af.Archive, tmp: Path, key: tuple[bytes, bytes], backup_key: tuple[bytes, bytes],
           watch: Watch, now: datetime) -> tuple[dict[str, Any], list[str]]:
    """Copy one snapshot of the archive into tmp, digest that snapshot, and give the copy its manifest.

    Every page of the copy has its HMAC checked in a thread while the snapshot is digested here (two
    independent passes, one per core); returns (manifest, the copy's page problems).
    """
    src = archive.raw()
    try:
        helper = archive.raw()
        try:
            helper.execute("PRAGMA wal_checkpoint(PASSIVE)")  # saved work still in the log goes into the file
            src.execute("BEGIN")
            src.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot begins here
            how = copy_snapshot(src, helper, archive.path, tmp, key, backup_key, watch)
        finally:
            helper.close()
        make_private(tmp)
        with open(tmp, "rb") as fh:
            if fh.read(len(af.PLAIN_HEADER)) == af.PLAIN_HEADER:  # belt and braces: never a plaintext backup
                raise ArchiveDamaged(COPY_BAD, ("副本未加密",))
        with in_background(af.raw_connect(tmp, backup_key[0], readonly=True), lambda c: page_problems(c, tmp),
                           watch) as pages:
            watch.attach(src)
            src.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            tables = data_tables(src)
            manifest = {  # what was copied: the same snapshot, still open
                "format": FORMAT_VERSION, "app_version": __version__, "schema_version": _schema_version(src),
                "created_at": now.replace(microsecond=0).isoformat(), "archive_name": archive.path.stem,
                "counts": table_counts(src, tables), "digest": data_digest(src, tables),
                "change_mark": change_mark(src),
            }
            problems = pages.join()
    finally:
        src.close()
    if problems:
        return manifest, problems
    _add_manifest(tmp, backup_key[0], manifest)
    logger.debug("backup copied (%s)", how)
    return manifest, []


def _add_manifest(tmp: Path, key: bytes, manifest: dict[str, Any]) -> None:
    """Make the copy a backup: one file (no log), the manifest table, the backup's application id."""
    conn = af.raw_connect(tmp, key)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")  # a byte copy keeps the archive's WAL mode
        conn.execute("PRAGMA journal_mode = OFF")  # a temp file: a crash leaves junk that is never renamed
        conn.execute("PRAGMA synchronous = OFF")  # one fsync before the rename
        conn.execute("BEGIN")
        conn.execute(f"CREATE TABLE {MANIFEST_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        conn.executemany(f"INSERT INTO {MANIFEST_TABLE} VALUES (?, ?)",
                         [(k, json.dumps(v, ensure_ascii=False)) for k, v in manifest.items()])
        conn.execute("COMMIT")
        conn.execute(f"PRAGMA application_id = {BACKUP_APPLICATION_ID}")
    finally:
        conn.close()


def _schema_version(conn: sqlcipher3.Connection, schema: str = "main") -> str:
    try:
        row = conn.execute(f"SELECT version_num FROM {schema}.alembic_version").fetchone()
    except sqlcipher3.OperationalError:
        return ""
    return row[0] if row else ""


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_temp(tmp: Path) -> None:
    """Delete a temporary file and any journal SQLite left beside it."""
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            os.unlink(tmp.with_name(tmp.name + suffix))


# ----- reading and verifying -------------------------------------------------------------------------
def precheck_backup(path: Path) -> None:
    """Cheap checks before any key is tried, worded for a backup file."""
    path = Path(path)
    if not path.exists():
        raise ArchiveNotFound(f"找不到备份文件：{path}")
    if not path.is_file():
        raise NotABackup(f"这不是文件：{path}")
    size = path.stat().st_size
    if size == 0:
        raise ArchiveDamaged(f"备份文件是空的（0 字节）：{path.name}", ("文件长度为 0",))
    with open(path, "rb") as fh:
        head = fh.read(af.SALT_SIZE)
    if head == af.PLAIN_HEADER:
        raise NotABackup(f"这不是 ClientFile 备份（是未加密的 SQLite 数据库）：{path.name}")
    if size < af.PAGE_SIZE or size % af.PAGE_SIZE:
        raise ArchiveDamaged(
            f"备份文件不完整或不是 ClientFile 备份（{size} 字节，不是整页）：{path.name}",
            (f"文件长度 {size} 字节，不是 {af.PAGE_SIZE} 的整数倍",),
        )


def verify_backup(path: Path, password: str, *, progress: ProgressFn = no_progress) -> BackupInfo:
    """Check a backup completely with its password; raises WrongPassword, ArchiveDamaged or NotABackup."""
    path = Path(path)
    precheck_backup(path)
    return check_backup_key(path, af.derive_key(password, af.read_salt(path)), progress=progress)


def check_backup_key(path: Path, key: bytes, *, progress: ProgressFn = no_progress) -> BackupInfo:
    """verify_backup with a derived key (rotation and listing verify many files with one key)."""
    precheck_backup(path)
    watch = Watch(progress, 1)
    try:
        return _check(path, key, watch)
    except sqlcipher3.Error as exc:
        if watch.cancelled:
            raise Cancelled() from None
        raise ArchiveDamaged(f"备份文件已损坏，读取时出错：{path.name}", (str(exc),)) from None


def _check(path: Path, key: bytes, watch: Watch, *, pages_checked: bool = False) -> BackupInfo:
    """Every page's HMAC and the b-trees (in a thread) while counts and digest are recomputed.

    pages_checked: every page's HMAC was checked since the file was written, except for the pages a
    later write changed; those are b-tree pages, which quick_check and the digest read (and reading a
    page checks its HMAC), so only the length check and the b-trees run in the thread.
    """
    conn = af.raw_connect(path, key, readonly=True)
    try:
        _probe(conn, path)
        info = _manifest_info(conn, path)
        checks = _length_and_structure if pages_checked else backup_file_problems
        with in_background(af.raw_connect(path, key, readonly=True), lambda c: checks(c, path), watch) as check:
            watch.attach(conn)
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            conn.execute("BEGIN")
            tables = data_tables(conn)
            counts, digest = table_counts(conn, tables), data_digest(conn, tables)
            conn.execute("COMMIT")
            problems = check.join()
    finally:
        conn.close()
    if problems:
        raise ArchiveDamaged(f"备份文件已损坏：{path.name}", tuple(problems[:20]))
    if counts != info.counts or digest != info.digest:
        raise ArchiveDamaged(f"备份内容与它的清单不符（文件被改动或损坏）：{path.name}",
                             tuple(f"{t}: 清单 {info.counts.get(t)} 行，实际 {n} 行" for t, n in counts.items()
                                   if info.counts.get(t) != n)[:20])
    return replace(info, verified=True)


def _length_and_structure(conn: sqlcipher3.Connection, path: Path) -> list[str]:
    return length_problems(conn, path) or structure_problems(conn)


def _probe(conn: sqlcipher3.Connection, path: Path) -> None:
    """Tell a wrong password from damage: with the wrong key every page fails its HMAC, with damage few."""
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return
    except sqlcipher3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", None) != 26 and "not a database" not in str(exc):
            raise ArchiveDamaged(f"备份文件已损坏，读取时出错：{path.name}", (str(exc),)) from None
    failed = conn.execute("PRAGMA cipher_integrity_check").fetchall()
    total = max(1, path.stat().st_size // af.PAGE_SIZE)
    if len(failed) < total:
        raise ArchiveDamaged(f"备份文件已损坏（{len(failed)} 页校验失败）：{path.name}",
                             tuple(r[0] for r in failed[:20]))
    raise WrongPassword(
        f"备份密码不正确：{path.name}。备份默认使用做备份时档案的密码（区分大小写）。"
        "若密码无误，则文件开头已损坏或它不是 ClientFile 备份。"
    )


def read_manifest(path: Path, key: bytes) -> BackupInfo:
    """The manifest only (fast: no page checks); raises like verify_backup."""
    path = Path(path)
    precheck_backup(path)
    conn = af.raw_connect(path, key, readonly=True)
    try:
        _probe(conn, path)
        return _manifest_info(conn, path)
    except sqlcipher3.Error as exc:
        raise ArchiveDamaged(f"备份文件已损坏，读取时出错：{path.name}", (str(exc),)) from None
    finally:
        conn.close()


def _manifest_info(conn: sqlcipher3.Connection, path: Path) -> BackupInfo:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    present = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                           (MANIFEST_TABLE,)).fetchone()
    if not present:
        if app_id == af.APPLICATION_ID:
            raise NotABackup(f"这是 ClientFile 档案文件，不是备份文件：{path.name}。请用“打开档案”直接打开它。")
        raise NotABackup(f"这不是 ClientFile 备份文件（里面没有备份清单）：{path.name}")
    try:
        raw = {k: json.loads(v) for k, v in conn.execute(f"SELECT key, value FROM {MANIFEST_TABLE}")}
        if int(raw["format"]) > FORMAT_VERSION:
            raise NotABackup(f"这个备份由更新版本的 ClientFile 制作，请先升级程序：{path.name}")
        stat = path.stat()
        return BackupInfo(
            path=path, size=stat.st_size, modified=datetime.fromtimestamp(stat.st_mtime),
            created_at=datetime.fromisoformat(raw["created_at"]), app_version=str(raw["app_version"]),
            schema_version=str(raw["schema_version"]), archive_name=str(raw.get("archive_name", "")),
            counts={str(k): int(v) for k, v in raw["counts"].items()}, digest=str(raw["digest"]),
            change_mark=str(raw.get("change_mark", "")),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise ArchiveDamaged(f"备份清单不完整或已损坏：{path.name}") from None


# ----- listing -------------------------------------------------------------------------------------
def list_backups(folder: Path, password: str | None = None, *, key: bytes | None = None,
                 verify: bool = False) -> list[BackupInfo]:
    """Backups in a folder, newest first. Names, sizes and times only, unless a password or key is given:
    then each manifest is read (verify=True: every backup is checked completely; failures are marked)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    infos = []
    for entry in os.scandir(folder):
        if entry.name.startswith(".") or not entry.name.endswith(BACKUP_SUFFIX) or not entry.is_file():
            continue  # temp files of unfinished backups start with "." and never end in .cfbak
        stat = entry.stat()
        infos.append(BackupInfo(path=Path(entry.path), size=stat.st_size,
                                modified=datetime.fromtimestamp(stat.st_mtime)))
    infos.sort(key=lambda i: (i.when, i.path.name), reverse=True)
    if password is None and key is None:
        return infos
    keys: dict[bytes, bytes] = {}
    return [examine(info, _key_for(info.path, password, key, keys), verify=verify) for info in infos]


def _key_for(path: Path, password: str | None, key: bytes | None, cache: dict[bytes, bytes]) -> bytes | None:
    if password is None:
        return key
    try:
        salt = af.read_salt(path)
    except OSError:
        return key
    if salt not in cache:  # backups made with the archive's password share its salt: derive once
        cache[salt] = af.derive_key(password, salt)
    return cache[salt]


def examine(info: BackupInfo, key: bytes | None, *, verify: bool = False) -> BackupInfo:
    """info with its manifest (and, with verify, the full check) — failures marked, never raised."""
    if key is None:
        return info
    try:
        found = check_backup_key(info.path, key) if verify else read_manifest(info.path, key)
    except ArchiveError as exc:
        return replace(info, verified=False, problem=str(exc))
    return replace(found, size=info.size, modified=info.modified)
