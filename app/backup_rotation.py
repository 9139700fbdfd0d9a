"""Automatic backups and their rotation: about a year of history in the backup folder, never the last good one.

Rotation keeps, per archive (files named 客户档案-YYYYmmdd-HHMMSS.cfbak): everything newer than now (a
clock set back must not cost a backup), the newest 10 of the last 24 hours, the newest of each of the last
14 days, of the last 8 ISO weeks and of the last 12 months — and always the newest backup that passes its
full check. If no backup can be verified it deletes nothing. Files with other names are never touched.

When is an automatic backup due? While the archive is open: something changed since the last backup and
the interval (MachineSettings.auto_backup_minutes, default 30) has passed; on close: something changed.
"Something changed" compares a change mark (app.backup_digest.change_mark): per table, the row count and
the largest rowid, plus the newest customers.updated_at. Every service write appends to audit_log
(ServiceBase.audit), so its count and top rowid move with every saved change; inserts and deletes that
bypass the audit trail move their own table's figures; edits of a card move updated_at. SQLite's
`PRAGMA data_version` and total_changes() are per connection, and the pool hands out several, so they
cannot tell. The mark of each backup is stored in its manifest, so after a restart the first check
compares against the newest backup on disk, and a session that crashed before its backup is caught up.
"""
from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from app import archive as af
from app.backup import (
    BackupInfo,
    create_backup,
    examine,
    free_backup_path,
    list_backups,
    parse_name,
    read_manifest,
)
from app.backup_digest import change_mark
from app.config import BACKUP_SUFFIX, MachineSettings, default_backup_dir
from app.errors import AppError
from app.progress import ProgressFn, no_progress, step

logger = logging.getLogger(__name__)

STALE_TEMP = timedelta(days=1)


@dataclass(frozen=True)
class RotationPolicy:
    """How many backups each tier keeps."""

    recent_hours: int = 24
    recent_max: int = 10
    days: int = 14
    weeks: int = 8
    months: int = 12


def plan_rotation(backups: Sequence[BackupInfo], now: datetime, policy: RotationPolicy = RotationPolicy(),
                  time_of: Callable[[BackupInfo], datetime] = lambda b: b.when,
                  ) -> tuple[list[BackupInfo], list[BackupInfo]]:
    """Split backups (of one archive) into (keep, delete), newest first. Pure: touches no file."""
    timed = sorted(((time_of(b), b.path.name, b) for b in backups), key=lambda t: t[:2], reverse=True)
    ordered = [b for _, _, b in timed]
    anchor = next((i for i, b in enumerate(ordered) if b.verified is True), None)
    if anchor is None:
        return ordered, []  # nothing known to be good: deleting anything could lose the last copy
    keep = {anchor} | {i for i, (t, _, _) in enumerate(timed) if t > now}
    past = [(i, t) for i, (t, _, _) in enumerate(timed) if t <= now]
    recent = [i for i, t in past if now - t <= timedelta(hours=policy.recent_hours)]
    keep.update(recent[: policy.recent_max])
    for period, limit in ((_day, policy.days), (_week, policy.weeks), (_month, policy.months)):
        current, seen = period(now), set()
        for i, t in past:  # newest first: the first one met in a period is the one kept
            age = current - period(t)
            if age < limit and age not in seen:
                seen.add(age)
                keep.add(i)
            elif age >= limit:
                break  # older ones are older still
    return ([b for i, b in enumerate(ordered) if i in keep],
            [b for i, b in enumerate(ordered) if i not in keep])


def _day(t: datetime) -> int:
    return t.date().toordinal()


def _week(t: datetime) -> int:
    return (t.date().toordinal() - t.weekday()) // 7  # Monday-based, like ISO weeks


def _month(t: datetime) -> int:
    return t.year * 12 + t.month - 1


@dataclass(frozen=True)
class Rotation:
    """What one rotation kept and deleted."""

    kept: list[BackupInfo]
    deleted: list[BackupInfo]


def rotate_folder(folder: Path, archive_stem: str, key: bytes, now: datetime, *,
                  known_good: Iterable[Path] = (), policy: RotationPolicy = RotationPolicy()) -> Rotation:
    """Apply the policy to one archive's standard-named backups in folder, verifying the newest first."""
    folder = Path(folder)
    ours = archive_backups(folder, archive_stem)
    marked = _mark_newest_verified(ours, key, {Path(p) for p in known_good})
    keep, delete = plan_rotation(marked, now, policy, time_of=_name_time)
    for b in delete:
        try:
            b.path.unlink()
        except OSError as exc:
            logger.warning("could not delete an old backup: %s", type(exc).__name__)
    _clean_stale_temps(folder, now)
    if delete:
        logger.info("rotation: kept %s, deleted %s backups", len(keep), len(delete))
    return Rotation(kept=keep, deleted=delete)


def _name_time(b: BackupInfo) -> datetime:
    parsed = parse_name(b.path.name)
    return parsed[1] if parsed else b.when


def _mark_newest_verified(infos: list[BackupInfo], key: bytes, known_good: set[Path]) -> list[BackupInfo]:
    """Verify from the newest down until one passes; a damaged newest one does not count."""
    by_path = {b.path: b for b in infos}
    for info in sorted(infos, key=lambda b: (_name_time(b), b.path.name), reverse=True):
        if info.path in known_good:
            by_path[info.path] = replace(info, verified=True)
            break
        found = examine(info, key, verify=True)
        by_path[info.path] = replace(info, verified=found.verified, problem=found.problem)
        if found.verified:
            break
        logger.warning("a backup failed its check; trying the next older one")
    return list(by_path.values())


def _clean_stale_temps(folder: Path, now: datetime) -> None:
    """Temp files of backups killed mid-write (hidden names, never .cfbak) are removed after a day."""
    for entry in os.scandir(folder):
        name = entry.name
        if not (name.startswith(".") and BACKUP_SUFFIX + "." in name and ".tmp" in name):
            continue
        with contextlib.suppress(OSError):
            if now - datetime.fromtimestamp(entry.stat().st_mtime) > STALE_TEMP:
                os.unlink(entry.path)


def archive_backups(folder: Path, archive_stem: str) -> list[BackupInfo]:
    """One archive's standard-named backups in a folder, newest first (names only: cheap)."""
    return [b for b in list_backups(folder) if (parsed := parse_name(b.path.name)) and parsed[0] == archive_stem]


def newest_verified(infos: Sequence[BackupInfo], password: str, *, wanted: int = 3, at_most: int = 8,
                    progress: ProgressFn = no_progress) -> list[BackupInfo]:
    """Check backups from the newest down until `wanted` pass (at most `at_most` checks: each reads every
    page); returns every one checked, good and bad, newest first."""
    checked: list[BackupInfo] = []
    keys: dict[bytes, bytes] = {}
    total = min(len(infos), at_most)
    for i, info in enumerate(infos[:at_most]):
        step(progress, i, total, f"正在校验备份 {info.when:%Y-%m-%d %H:%M}…")
        try:
            salt = af.read_salt(info.path)
        except OSError:
            salt = b""
        if salt not in keys:  # backups made with the archive's password share its salt: derive once
            keys[salt] = af.derive_key(password, salt)
        checked.append(examine(info, keys[salt], verify=True))
        if sum(1 for c in checked if c.verified) >= wanted:
            break
    return checked


def backup_folder(machine: MachineSettings) -> Path:
    """The automatic backup folder: the user's choice, else the default under the data folder."""
    return Path(machine.backup_dir).expanduser() if machine.backup_dir else default_backup_dir()


class AutoBackup:
    """When an automatic backup is due, and writing it (then rotating). No Qt: the UI calls it from a timer."""

    def __init__(self, archive: af.Archive, folder: Path, interval_minutes: int = 30,
                 clock: Callable[[], datetime] = datetime.now) -> None:
        self.archive, self.folder, self.clock = archive, Path(folder), clock
        self.interval = timedelta(minutes=max(1, int(interval_minutes)))
        self.last_error = ""
        self._last_mark: str | None = None
        self._last_try: datetime | None = None
        self._loaded = False
        self._lock = threading.Lock()

    @property
    def stem(self) -> str:
        """The archive's file name without suffix: the prefix of its backups' names."""
        return self.archive.path.stem

    def current_mark(self) -> str:
        """The archive's change mark now (a few fast counts)."""
        conn = self.archive.raw()
        try:
            conn.execute("BEGIN")
            mark = change_mark(conn)
            conn.execute("COMMIT")
            return mark
        finally:
            conn.close()

    def _load(self) -> None:
        """Start from the newest backup on disk: its manifest holds the mark and the time."""
        if self._loaded:
            return
        self._loaded = True
        for info in archive_backups(self.folder, self.stem)[:1]:
            self._last_try = _name_time(info)
            with contextlib.suppress(AppError, OSError):
                self._last_mark = read_manifest(info.path, self.archive.key_for_copy()).change_mark

    def reload_state(self) -> None:
        """Forget what is known about the last backup; the next check reads the newest one on disk."""
        with self._lock:
            self._loaded, self._last_mark, self._last_try = False, None, None

    def is_due(self, *, closing: bool = False) -> bool:
        """True when something changed since the last backup (and, while open, the interval has passed)."""
        self._load()
        now = self.clock()
        if not closing and self._last_try is not None and timedelta(0) <= now - self._last_try < self.interval:
            return False
        return self.current_mark() != self._last_mark

    def run(self, progress: ProgressFn = no_progress, *, closing: bool = False,
            force: bool = False) -> BackupInfo | None:
        """Write a backup if due (or forced), then rotate; None when nothing was due.

        A failure (the archive fails its checks, the disk is full) is recorded in last_error and raised;
        the next try waits for the interval. Nothing is rotated after a failure.
        """
        with self._lock:
            if not force and not self.is_due(closing=closing):
                return None
            now = self.clock()
            self._last_try = now
            try:
                info = create_backup(self.archive, free_backup_path(self.folder, self.stem, now),
                                     progress=progress, now=now)
            except AppError as exc:
                self.last_error = str(exc)
                raise
            self.last_error = ""
            self._last_mark = info.change_mark
            rotate_folder(self.folder, self.stem, self.archive.key_for_copy(), now, known_good=[info.path])
            return info
