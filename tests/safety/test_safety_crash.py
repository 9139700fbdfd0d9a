"""kill -9 at random moments: during a batched import, while a backup is written, during a password change.
What was reported committed is there, nothing is partial, and the files pass every check afterwards."""
from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from app import archive as af
from app.backup import list_backups, parse_name, verify_backup
from app.db import open_archive
from app.errors import WrongPassword
from app.rows import CustomerInput
from app.services import Services
from tests.conftest import PASSWORD
from tests.safety._safety_support import MARKERS, files_under, scan, start_child

pytestmark = pytest.mark.slow
RUNS = 10
BATCH = 250
TOTAL = 5000  # thousands of cards; no run lives long enough to import them all
NEW_PASSWORD = "新 密码;%'🙂 x"


def _counts(archive: af.Archive) -> dict[str, int]:
    with archive.engine.connect() as conn:
        def one(sql: str) -> int:
            return int(conn.exec_driver_sql(sql).scalar() or 0)

        return {
            "customers": one("SELECT count(*) FROM customers"),
            "max_id": one("SELECT max(id) FROM customers"),
            "search": one("SELECT count(*) FROM search_index WHERE customer_id IN (SELECT id FROM customers)"),
            "grades": one("SELECT count(DISTINCT customer_id) FROM grade_changes"),
            "tagged": one("SELECT count(DISTINCT customer_id) FROM customer_tags"),
            "batches": one("SELECT count(*) FROM audit_log WHERE summary LIKE '批量新建%'"),
        }


def _reopened_and_verified(path: Path, password: str) -> af.Archive:
    archive = open_archive(path, password, full_check=True)  # HMAC of every page, then the b-trees
    check = archive.verify()  # and again as the GUI does: cipher_integrity_check + integrity_check
    assert check.ok, check.problems
    return archive


def _kill_times(duration: float, seed: int) -> float:
    """Stratified over the runs: run i is killed somewhere in the i-th tenth of the duration (and a bit)."""
    return (seed + random.Random(seed).random()) / RUNS * duration * 1.05


def test_kill_during_a_batched_import_keeps_every_reported_batch(fresh_archive: Path) -> None:
    pristine = fresh_archive.read_bytes()
    outcomes = []
    for seed in range(RUNS):
        rng = random.Random(seed)
        fresh_archive.write_bytes(pristine)
        child = start_child("import", fresh_archive, BATCH, TOTAL, old=PASSWORD)
        child.wait_for("READY")
        batches = rng.randrange(0, 5)
        if batches:
            child.wait_for("COMMITTED", batches)
        time.sleep(rng.uniform(0, 0.4))  # somewhere inside the next batch's transaction (or its commit)
        assert child.kill(), "the child finished: nothing was killed mid-import"
        reported = int(max(child.numbers("COMMITTED"), default=0))
        assert fresh_archive.with_name(fresh_archive.name + "-wal").exists()  # a crash leaves its log
        archive = _reopened_and_verified(fresh_archive, PASSWORD)
        try:
            counts = _counts(archive)
        finally:
            archive.close()
        n = counts["customers"]
        assert n % BATCH == 0 and reported <= n <= reported + BATCH, (seed, reported, counts)
        assert counts["max_id"] == n  # no gap, no half batch
        assert counts["search"] == counts["grades"] == counts["tagged"] == n, counts  # every card whole
        assert counts["batches"] == n // BATCH
        outcomes.append((reported, n))
    assert len({n for _, n in outcomes}) > 2, outcomes  # the kills landed at different moments


def test_kill_while_a_backup_is_written_leaves_no_partial_backup(marked_archive: Path, tmp_path: Path) -> None:
    folder = tmp_path / "备份"
    calibrate = start_child("backup", marked_archive, folder / "calibrate.cfbak", old=PASSWORD)
    calibrate.finish()
    duration = calibrate.numbers("DONE")[0]
    (folder / "calibrate.cfbak").unlink()
    killed, finished = 0, []
    for seed in range(RUNS):
        dest = folder / f"客户档案-20261122-0930{seed:02d}.cfbak"
        child = start_child("backup", marked_archive, dest, old=PASSWORD)
        child.wait_for("READY")
        time.sleep(_kill_times(duration, seed))
        killed += child.kill()
        if dest.exists():
            assert verify_backup(dest, PASSWORD).verified  # complete and verified, never partial
            finished.append(dest)
        leftovers = [p for p in folder.iterdir() if p not in finished]
        for leftover in leftovers:  # temp files of killed runs: hidden, never named or suffixed like a backup
            assert leftover.name.startswith(".") and leftover.suffix != ".cfbak", leftover.name
            assert parse_name(leftover.name) is None
        assert sorted(b.path for b in list_backups(folder)) == sorted(finished)
        assert scan(files_under(folder), MARKERS) == {}  # temp files are encrypted too
    assert killed >= RUNS // 2, f"only {killed} runs were killed mid-backup: the test proved little"
    _reopened_and_verified(marked_archive, PASSWORD).close()  # the source survived every kill


def test_kill_during_a_password_change_leaves_the_old_or_the_new_password(fresh_archive: Path) -> None:
    archive = open_archive(fresh_archive, PASSWORD)
    Services.build(archive).customers.create_many([CustomerInput(name=f"客户{i}") for i in range(300)])
    archive.close()
    pristine = fresh_archive.read_bytes()
    calibrate = start_child("rekey", fresh_archive, old=PASSWORD, new=NEW_PASSWORD)
    calibrate.finish()
    duration = calibrate.numbers("DONE")[0]
    outcomes: list[str] = []
    for seed in range(RUNS):
        for side in fresh_archive.parent.iterdir():
            if side != fresh_archive:
                side.unlink()
        fresh_archive.write_bytes(pristine)
        child = start_child("rekey", fresh_archive, old=PASSWORD, new=NEW_PASSWORD)
        child.wait_for("READY")
        time.sleep(_kill_times(duration, seed))
        child.kill()
        try:
            archive = _reopened_and_verified(fresh_archive, PASSWORD)
            outcomes.append("old")
        except WrongPassword:
            archive = _reopened_and_verified(fresh_archive, NEW_PASSWORD)  # never neither
            outcomes.append("new")
        try:
            assert Services.build(archive).customers.count() == 300
        finally:
            archive.close()
    assert "old" in outcomes, outcomes


def test_kill_during_a_one_transaction_file_import_is_all_or_nothing(fresh_archive: Path, tmp_path: Path) -> None:
    rows = ["姓名,手机,生日,备注"] + [f"文件客户{i},139{i:08d},1980-0{1 + i % 9}-1{i % 9},第{i}行的备注" for i in range(4000)]
    csv_file = tmp_path / "客户名单.csv"
    csv_file.write_text("\n".join(rows), encoding="utf-8-sig")
    pristine = fresh_archive.read_bytes()
    seen = []
    for seed in range(4):
        fresh_archive.write_bytes(pristine)
        child = start_child("importfile", fresh_archive, csv_file, old=PASSWORD)
        child.wait_for("READY", timeout=300)
        time.sleep(random.Random(seed).uniform(0, 1.5))
        killed = child.kill()
        archive = _reopened_and_verified(fresh_archive, PASSWORD)
        try:
            n = Services.build(archive).customers.count()
        finally:
            archive.close()
        assert n in (0, 4000), n  # one transaction: all or nothing
        assert n == 4000 or killed
        seen.append((killed, n))
    assert any(killed and n == 0 for killed, n in seen), seen  # at least one kill landed inside the import
