"""Rotation over a simulated 400 days, the newest verified backup, and when automatic backups are due."""
from __future__ import annotations

import os
import shutil
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import archive as af
from app.backup import BackupInfo, backup_name, create_backup, list_backups, verify_backup
from app.backup_rotation import AutoBackup, RotationPolicy, plan_rotation, rotate_folder
from app.errors import ArchiveDamaged
from app.rows import CustomerInput
from app.services import Services
from tests.app._backup_support import damage
from tests.conftest import Clock

START = datetime(2025, 10, 1, 0, 0)


def _info(when: datetime, verified: bool | None = True, stem: str = "客户档案") -> BackupInfo:
    return BackupInfo(path=Path("/b") / backup_name(stem, when), size=1, modified=when, created_at=when,
                      verified=verified)


def _simulate(times: list[datetime]) -> list[BackupInfo]:
    """Add backups one by one and rotate after each, as the app does; returns what is left."""
    kept: list[BackupInfo] = []
    for when in times:
        kept, deleted = plan_rotation([*kept, _info(when)], when)
        assert all(d.when < when for d in deleted)
    return kept


def test_hourly_backups_for_400_days_keep_about_a_year_by_the_policy() -> None:
    times = [START + timedelta(hours=h) for h in range(400 * 24)]
    now = times[-1]
    kept = _simulate(times)
    whens = [b.when for b in kept]
    assert whens == sorted(whens, reverse=True) and whens[0] == now
    # recent: the last 10 hourly backups
    assert whens[:10] == [now - timedelta(hours=h) for h in range(10)]
    # daily: the newest backup of each of the last 14 days
    for d in range(1, 14):
        day = (now - timedelta(days=d)).date()
        assert datetime.combine(day, datetime.min.time()) + timedelta(hours=23) in whens
    # weekly: the newest of each of the last 8 weeks (Sunday 23:00)
    monday = datetime.combine(now.date() - timedelta(days=now.weekday()), datetime.min.time())
    for w in range(1, 8):
        assert monday - timedelta(weeks=w - 1) - timedelta(hours=1) in whens
    # monthly: the newest of each of the last 12 months (the last hour of the month)
    first = now.replace(day=1, hour=0)
    for _ in range(11):
        assert first - timedelta(hours=1) in whens
        first = (first - timedelta(days=1)).replace(day=1)
    # nothing older than those 12 months, and nothing kept beyond the tiers
    oldest_month = (now.year * 12 + now.month - 1) - 11
    assert all(w.year * 12 + w.month - 1 >= oldest_month for w in whens)
    assert 30 <= len(kept) <= 10 + 14 + 8 + 12
    # rotating step by step keeps exactly what one rotation over the whole history would
    one_shot, _ = plan_rotation([_info(t) for t in times], now)
    assert [b.when for b in one_shot] == whens


def test_daily_backups_for_400_days() -> None:
    times = [START + timedelta(days=d, hours=18) for d in range(400)]
    kept = _simulate(times)
    assert len({b.when.date() for b in kept}) == len(kept)
    assert len([b for b in kept if times[-1] - b.when < timedelta(days=14)]) == 14
    assert min(b.when for b in kept) > times[-1] - timedelta(days=366)


def test_the_newest_verified_backup_is_never_deleted_however_old() -> None:
    now = START + timedelta(days=800)
    good = _info(START)  # two years old: no tier keeps it
    broken = [_info(START + timedelta(days=d), verified=False) for d in range(1, 800, 3)]
    keep, delete = plan_rotation([good, *broken], now)
    assert good in keep and good not in delete
    assert delete  # the tiers still thin out the broken ones


def test_nothing_is_deleted_when_no_backup_is_known_good() -> None:
    infos = [_info(START + timedelta(days=d), verified=d % 2 == 0 and None) for d in range(100)]
    keep, delete = plan_rotation(infos, START + timedelta(days=400))
    assert delete == [] and len(keep) == 100


def test_backups_dated_in_the_future_are_kept() -> None:
    now = START + timedelta(days=30)
    future = _info(now + timedelta(days=3))
    keep, _ = plan_rotation([future, _info(now)], now)
    assert future in keep


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=500 * 24), min_size=1, max_size=60, unique=True),
       st.lists(st.booleans(), min_size=60, max_size=60))
def test_rotation_properties(hours: list[int], good: list[bool]) -> None:
    infos = [_info(START + timedelta(hours=h), verified=g) for h, g in zip(hours, good, strict=False)]
    now = START + timedelta(hours=max(hours))
    keep, delete = plan_rotation(infos, now)
    assert {b.path for b in keep} | {b.path for b in delete} == {b.path for b in infos}
    assert not {b.path for b in keep} & {b.path for b in delete}
    verified = [b for b in infos if b.verified]
    if verified:
        assert max(verified, key=lambda b: b.when) in keep
        assert max(infos, key=lambda b: b.when) in keep  # the newest of all is always kept
        again, more = plan_rotation(keep, now)  # idempotent
        assert more == [] and again == keep
    else:
        assert delete == []


# ----- with real files -------------------------------------------------------------------------------
@pytest.fixture
def real_backup(archive: af.Archive, svc: Services, tmp_path: Path) -> Path:
    """One real backup (default password) to copy under standard names."""
    svc.customers.create(CustomerInput(name="轮换测试"))
    return create_backup(archive, tmp_path / "src.cfbak").path


def _place(src: Path, folder: Path, when: datetime, stem: str = "客户档案") -> Path:
    folder.mkdir(exist_ok=True)
    dest = folder / backup_name(stem, when)
    shutil.copyfile(src, dest)
    return dest


TIGHT = RotationPolicy(recent_hours=0, recent_max=0, days=1, weeks=0, months=0)  # only today's newest


def test_a_damaged_newest_backup_does_not_count_as_verified(archive: af.Archive, real_backup: Path,
                                                            tmp_path: Path) -> None:
    folder, now = tmp_path / "auto", datetime(2026, 11, 22, 12, 0)
    newest = _place(real_backup, folder, now.replace(hour=10))
    good = _place(real_backup, folder, now.replace(hour=9))
    old = _place(real_backup, folder, now - timedelta(days=3))
    damage(newest, "middle")
    result = rotate_folder(folder, "客户档案", archive.key_for_copy(), now, policy=TIGHT)
    assert newest.exists() and good.exists() and not old.exists()  # 09:00 is the newest good one
    assert [b.path for b in result.deleted] == [old]
    assert next(b for b in result.kept if b.path == newest).verified is False


def test_rotation_touches_only_this_archives_standard_names(archive: af.Archive, real_backup: Path,
                                                            tmp_path: Path) -> None:
    folder, now = tmp_path / "auto", datetime(2026, 11, 22, 12, 0)
    _place(real_backup, folder, now)
    others = [_place(real_backup, folder, now - timedelta(days=40), stem="另一个档案"),
              _place(real_backup, folder, now - timedelta(days=40)).rename(folder / "手动备份.cfbak")]
    (folder / "readme.txt").write_text("x")
    old = _place(real_backup, folder, now - timedelta(days=40))
    rotate_folder(folder, "客户档案", archive.key_for_copy(), now, policy=TIGHT)
    assert not old.exists() and all(p.exists() for p in others) and (folder / "readme.txt").exists()


def test_stale_temp_files_of_killed_backups_are_cleaned_after_a_day(archive: af.Archive, real_backup: Path,
                                                                    tmp_path: Path) -> None:
    folder, now = tmp_path / "auto", datetime.now()
    _place(real_backup, folder, now)
    stale, fresh = folder / ".客户档案-1.cfbak.x1.tmp", folder / ".客户档案-2.cfbak.x2.tmp"
    for p in (stale, fresh):
        p.write_bytes(b"\0" * 4096)
    old = time.time() - 2 * 86400
    os.utime(stale, (old, old))
    rotate_folder(folder, "客户档案", archive.key_for_copy(), now)
    assert not stale.exists() and fresh.exists()


# ----- automatic backups -----------------------------------------------------------------------------
def test_auto_backup_is_due_on_change_at_most_every_interval(archive: af.Archive, svc: Services,
                                                             tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 11, 22, 9, 0))
    auto = AutoBackup(archive, tmp_path / "auto", interval_minutes=30, clock=clock)
    assert auto.is_due()  # no backup yet
    first = auto.run()
    assert first is not None and first.path.name == "客户档案-20261122-090000.cfbak"
    assert verify_backup(first.path, "测试 pass'word%;").verified
    assert auto.run() is None  # nothing changed
    svc.customers.create(CustomerInput(name="新客户"))
    clock.value += timedelta(minutes=10)
    assert not auto.is_due()  # changed, but within 30 minutes
    assert auto.is_due(closing=True)  # closing: a change is enough
    clock.value += timedelta(minutes=25)
    second = auto.run()
    assert second is not None and second.counts["customers"] == 1
    clock.value += timedelta(hours=2)
    assert not auto.is_due() and not auto.is_due(closing=True)  # time alone is not a change


def test_a_restarted_app_remembers_the_last_backup_from_its_manifest(archive: af.Archive, svc: Services,
                                                                     tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 11, 22, 9, 0))
    AutoBackup(archive, tmp_path / "auto", clock=clock).run()
    fresh = AutoBackup(archive, tmp_path / "auto", clock=clock)
    assert not fresh.is_due(closing=True)
    svc.settings.set("anything", 1)  # any audited change moves the mark
    assert fresh.is_due(closing=True)


def test_every_kind_of_change_moves_the_mark(archive: af.Archive, svc: Services, tmp_path: Path) -> None:
    auto = AutoBackup(archive, tmp_path / "auto")
    cid = svc.customers.create(CustomerInput(name="甲"))
    marks = [auto.current_mark()]
    svc.customers.update(cid, CustomerInput(name="甲", remarks="改"))
    marks.append(auto.current_mark())
    svc.customers.delete([cid])
    marks.append(auto.current_mark())
    conn = archive.raw()  # a write that bypasses the audit trail
    conn.execute("UPDATE customers SET updated_at = '2030-01-01 00:00:00.000000'")
    conn.close()
    marks.append(auto.current_mark())
    assert len(set(marks)) == len(marks)


def test_no_backup_and_no_rotation_from_an_archive_that_fails_its_checks(archive: af.Archive, svc: Services,
                                                                         real_backup: Path,
                                                                         tmp_path: Path) -> None:
    folder = tmp_path / "auto"
    old = _place(real_backup, folder, datetime(2024, 1, 1))  # a rotation would delete it
    svc.customers.create(CustomerInput(name="x" * 50, remarks="y" * 3000))
    assert archive.verify().ok
    size = archive.path.stat().st_size
    with open(archive.path, "r+b") as fh:
        fh.seek((size // af.PAGE_SIZE - 1) * af.PAGE_SIZE + 300)
        fh.write(b"\xde\xad")
    auto = AutoBackup(archive, folder, clock=Clock(datetime(2026, 11, 22, 9, 0)))
    with pytest.raises(ArchiveDamaged):
        auto.run(force=True)
    assert "完整性检查" in auto.last_error
    assert [b.path for b in list_backups(folder)] == [old]
