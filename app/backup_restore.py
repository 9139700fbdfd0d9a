"""Restore a backup as an archive: into the current archive (keeping a copy of it first) or as a new one.

Nothing is touched before the backup has passed every check with its password. The restored archive is
built in a temporary file beside the target and proved (HMAC, b-tree, digest equal to the manifest) before
one atomic rename puts it in place. The file that was there is kept byte for byte under a new name
(客户档案.恢复前-20261122-093000.cfdb) — hard-linked before the rename, so there is never a moment without
either file — with its write-ahead log, if any. The restored archive opens with the backup's password.
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

import sqlcipher3

from app import archive as af
from app.backup import MANIFEST_TABLE, BackupInfo, check_backup_key, data_digest, precheck_backup, remove_temp
from app.backup_digest import Watch, checking
from app.errors import ArchiveDamaged, ArchiveError
from app.fileutil import (
    ProcessLock,
    atomic_replace,
    fsync_dir,
    make_private,
    make_private_dir,
    temp_path_beside,
)
from app.progress import Cancelled, ProgressFn, no_progress

logger = logging.getLogger(__name__)

KEPT_MARK = "恢复前"
_SIDE_FILES = ("-wal", "-shm")


@dataclass(frozen=True)
class Restored:
    """What a restore did: the archive now in place, the copy kept of what was there, the backup used."""

    archive: Path
    kept: Path | None
    backup: BackupInfo


def restore_backup(path: Path, password: str, target_archive_path: Path, *, keep_copy: bool = True,
                   progress: ProgressFn = no_progress) -> Path:
    """Restore the backup at path as the archive at target_archive_path; returns that path.

    The archive must be closed (its lock is taken here). See restore_detailed for what was kept.
    """
    return restore_detailed(path, password, target_archive_path, keep_copy=keep_copy, progress=progress).archive


def restore_detailed(path: Path, password: str, target: Path, *, keep_copy: bool = True,
                     progress: ProgressFn = no_progress, now: datetime | None = None) -> Restored:
    """restore_backup, also telling where the previous archive was kept."""
    path, target = Path(path), Path(target)
    precheck_backup(path)
    key = af.derive_key(password, af.read_salt(path))
    watch = Watch(progress, 4)
    watch.stage(0, "正在校验备份…")
    info = check_backup_key(path, key, progress=progress)  # refuses a bad backup before anything is touched
    _check_schema(info)
    try:
        make_private_dir(target.parent)
        lock = ProcessLock(target)
        lock.acquire()  # refuses while the archive is open here or in another window
        try:
            watch.stage(1, "正在还原档案…")
            with _restored_copy(path, key, target, info, watch) as tmp:
                watch.stage(3, "正在替换档案…")
                kept = keep_current(target, now or datetime.now()) if keep_copy else None
                _drop_side_files(target)
                atomic_replace(tmp, target)
        finally:
            lock.release()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ArchiveError(f"无法写入档案所在的文件夹：{target.parent}（{reason}）。磁盘可能已满或没有写入权限。") from None
    progress(4, 4, "恢复完成")  # done: the answer (cancel or not) no longer matters
    logger.info("backup restored (copy kept: %s)", kept is not None)
    return Restored(archive=target, kept=kept, backup=info)


def _check_schema(info: BackupInfo) -> None:
    from app.migrate import known_revisions

    if info.schema_version and info.schema_version not in known_revisions():
        raise ArchiveError(
            f"这个备份来自更新版本的 ClientFile（结构版本 {info.schema_version}），请先升级程序再恢复。"
        )


@contextlib.contextmanager
def _restored_copy(path: Path, key: bytes, target: Path, info: BackupInfo, watch: Watch) -> Iterator[Path]:
    """Export the backup into a temp file beside target (same key and salt), prove it, yield it."""
    tmp = temp_path_beside(target)
    try:
        _export_archive(path, key, tmp, watch)
        watch.stage(2, "正在校验还原的档案…")
        _prove(tmp, key, info, watch)
        yield tmp
    except sqlcipher3.Error:
        if watch.cancelled:
            raise Cancelled() from None
        raise
    finally:
        remove_temp(tmp)


def _prove(tmp: Path, key: bytes, info: BackupInfo, watch: Watch) -> None:
    """Every page's HMAC and the b-trees (in a thread) while the digest is recomputed against the manifest."""
    af.precheck_file(tmp)
    conn = af.raw_connect(tmp, key, readonly=True)
    try:
        with checking(af.raw_connect(tmp, key, readonly=True), tmp, watch) as check:
            watch.attach(conn)
            conn.execute("BEGIN")
            digest = data_digest(conn)
            conn.execute("COMMIT")
            problems = check.join()
    finally:
        conn.close()
    if problems:
        raise ArchiveDamaged("还原出的档案没有通过校验，已放弃恢复，原档案未改动。", tuple(problems[:20]))
    if digest != info.digest:
        raise ArchiveDamaged("还原出的档案与备份内容不一致，已放弃恢复，原档案未改动。")


def _export_archive(path: Path, key: bytes, tmp: Path, watch: Watch) -> None:
    conn = af.raw_connect(path, key, readonly=True)
    try:
        watch.attach(conn)
        # The backup is opened read-only; the new file is attached by URI so it may be created.
        uri = f"file:{quote(str(tmp.resolve()))}?mode=rwc"
        conn.execute("ATTACH DATABASE ? AS cf_new KEY ?", (uri, af.same_key_spec(key, af.read_salt(path))))
        try:
            conn.execute("PRAGMA cf_new.journal_mode = OFF")  # a temp file, proved before it is used
            conn.execute("PRAGMA cf_new.synchronous = OFF")
            conn.execute("SELECT sqlcipher_export('cf_new')")
            conn.execute(f"DROP TABLE cf_new.{MANIFEST_TABLE}")
            version = conn.execute("PRAGMA main.user_version").fetchone()[0]
            conn.execute(f"PRAGMA cf_new.user_version = {int(version)}")
            conn.execute(f"PRAGMA cf_new.application_id = {af.APPLICATION_ID}")
        finally:
            conn.execute("DETACH DATABASE cf_new")
    finally:
        conn.close()
    _set_wal(tmp, key)
    make_private(tmp)


def _set_wal(path: Path, key: bytes) -> None:
    """Archives run in WAL mode (persistent in the header); the temp file gets it before the rename."""
    conn = af.raw_connect(path, key)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def kept_name(target: Path, now: datetime) -> Path:
    """A free name beside target for the copy kept before a restore."""
    base = f"{target.stem}.{KEPT_MARK}-{now:%Y%m%d-%H%M%S}"
    for n in range(1000):
        candidate = target.with_name(f"{base}{f'-{n}' if n else ''}{target.suffix}")
        if not any(candidate.with_name(candidate.name + s).exists() for s in ("", *_SIDE_FILES)):
            return candidate
    raise ArchiveError(f"无法为原档案找到备用文件名：{target}")


def keep_current(target: Path, now: datetime) -> Path | None:
    """Keep the file at target (and its write-ahead log) byte for byte under a new name; None if absent."""
    if not target.exists():
        return None
    kept = kept_name(target, now)
    _preserve(target, kept)
    wal = target.with_name(target.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        _preserve(wal, kept.with_name(kept.name + "-wal"))  # commits not yet in the main file live here
    fsync_dir(target.parent)
    return kept


def _preserve(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)  # the same bytes under a second name: no copy, no window without the file
    except OSError:
        shutil.copy2(src, dest)
        fd = os.open(dest, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    make_private(dest)


def _drop_side_files(target: Path) -> None:
    """A write-ahead log left beside the old file must never be replayed into the restored one."""
    for suffix in _SIDE_FILES:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target.with_name(target.name + suffix))


def kept_copies(target: Path) -> list[Path]:
    """Copies kept beside an archive by earlier restores, newest name first."""
    pattern = f"{Path(target).stem}.{KEPT_MARK}-*{Path(target).suffix}"
    return sorted(Path(target).parent.glob(pattern), reverse=True)
