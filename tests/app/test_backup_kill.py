"""kill -9 while a big backup is written (and while a restore replaces the archive): the target is either
absent (or the old archive) or complete and verified — never partial — and leftovers are never listed."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import archive as af
from app.backup import create_backup, data_digest, list_backups, verify_backup
from app.db import create_archive
from tests.conftest import PASSWORD

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
RUNS = 10

CHILD = """
import sys, time
from pathlib import Path
from app import archive as af
from app.fileutil import ProcessLock
mode, source, dest = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
if mode == "backup":
    from app.backup import create_backup
    lock = ProcessLock(source)
    lock.acquire()
    archive = af.Archive(af.unlock(source, sys.argv[4], full=False), lock)  # the parent verified it
    print("ready", flush=True)
    started = time.perf_counter()
    create_backup(archive, dest)
else:
    from app.backup_restore import restore_backup
    print("ready", flush=True)
    started = time.perf_counter()
    restore_backup(source, sys.argv[4], dest)
print(f"done {time.perf_counter() - started:.3f}", flush=True)
"""


def _insert_sql(conn: object, table: str, given: dict[str, str], rows: str) -> str:
    """INSERT … SELECT filling every NOT NULL column the caller did not give with '' or 0."""
    exprs = dict(given)
    for _, name, kind, notnull, _default, _pk in conn.execute(f"PRAGMA table_info({table})"):  # type: ignore[attr-defined]
        if name not in exprs and notnull and not _pk:
            exprs[name] = "0" if kind.upper().startswith(("INT", "BOOL", "NUM")) else "''"
    columns = ", ".join(exprs)
    return (f"WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {rows}) "
            f"INSERT INTO {table} ({columns}) SELECT {', '.join(exprs.values())} FROM seq")


def _bulk_fill(archive: af.Archive, n: int) -> None:
    """n realistic-sized cards and 2n visits, inserted in SQL (the services would take minutes)."""
    conn = archive.raw()
    conn.execute("BEGIN")
    conn.execute(_insert_sql(conn, "customers", {
        "id": "i", "card_no": "printf('KH%06d', i)", "kind": "'个人'", "name": "'客户' || i",
        "mobile": "printf('138%08d', i)", "address": "'北京市朝阳区建国路' || i || '号'",
        "company": "'某某科技有限公司' || (i % 97)", "needs": "'想给孩子买教育金，关注养老规划'",
        "remarks": "'每季度回访一次。' || i", "created_on": "'2025-01-01'",
        "created_at": "'2025-01-01 10:00:00.000000'", "updated_at": "'2025-01-01 10:00:00.000000'",
    }, str(n)))
    conn.execute(_insert_sql(conn, "visits", {
        "customer_id": f"1 + i % {n}", "at": "'2025-03-01 10:00:00.000000'", "method": "'亲自拜访'",
        "content": "'谈了养老规划和孩子教育金的安排' || i", "created_at": "'2025-03-01 10:00:00.000000'",
    }, str(2 * n)))
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A closed archive big enough that a backup takes a while; and its data digest."""
    path = tmp_path_factory.mktemp("big") / "大档案.cfdb"
    arc = create_archive(path, PASSWORD)
    try:
        _bulk_fill(arc, 8_000)
        conn = arc.raw()
        digest = data_digest(conn)
        conn.close()
    finally:
        arc.close()
    return path, digest


def _run_child(mode: str, source: Path, dest: Path, kill_after: float | None) -> float | None:
    """Run the child; kill -9 it kill_after seconds after it is ready. Returns its own duration if it finished."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, mode, str(source), str(dest), PASSWORD],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready", child.stderr.read() if child.stderr else ""
    if kill_after is not None:
        time.sleep(kill_after)
        child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=300)
    if child.returncode == 0:
        return float(out.split()[-1])
    assert child.returncode == -signal.SIGKILL, err
    return None


def test_kill_during_backup_never_leaves_a_partial_backup(big: tuple[Path, str], tmp_path: Path) -> None:
    source, digest = big
    duration = _run_child("backup", source, tmp_path / "calibrate.cfbak", None)
    assert duration is not None and verify_backup(tmp_path / "calibrate.cfbak", PASSWORD).digest == digest
    outcomes = []
    for seed in range(RUNS):
        folder = tmp_path / f"run{seed}"
        dest = folder / "大档案-20261122-093000.cfbak"
        finished = _run_child("backup", source, dest, random.Random(seed).uniform(0.0, duration * 1.05))
        listed = list_backups(folder)
        if dest.exists():
            assert verify_backup(dest, PASSWORD).digest == digest  # complete and verified
            assert [b.path for b in listed] == [dest]
        else:
            assert listed == []  # leftovers (hidden .tmp names) are never taken for a backup
        outcomes.append(dest.exists() or finished is not None)
    assert not all(outcomes), "no run was killed mid-write: the test proved nothing"
    opened = af.unlock(source, PASSWORD, full=True)  # the source survived every kill, lock released
    assert opened.check.ok


def test_kill_during_restore_leaves_the_old_or_the_restored_archive(big: tuple[Path, str], tmp_path: Path) -> None:
    source, digest = big
    backup_path = tmp_path / "b.cfbak"
    arc = af.Archive(af.unlock(source, PASSWORD), _NoLock())
    try:
        create_backup(arc, backup_path)
    finally:
        arc.close()
    target = tmp_path / "当前.cfdb"
    small = create_archive(target, PASSWORD)
    small.close()
    old_bytes = target.read_bytes()
    duration = _run_child("restore", backup_path, tmp_path / "calibrate.cfdb", None)
    assert duration is not None
    killed = 0
    for seed in range(4):
        finished = _run_child("restore", backup_path, target, random.Random(100 + seed).uniform(0.0, duration))
        killed += finished is None
        key = af.derive_key(PASSWORD, af.read_salt(target))
        conn = af.raw_connect(target, key, readonly=True)
        try:
            now = data_digest(conn)
        finally:
            conn.close()
        if target.read_bytes() == old_bytes:
            continue
        assert now == digest  # not the old archive: then the complete restored one
        kept = sorted(tmp_path.glob("当前.恢复前-*.cfdb"))
        assert kept and any(k.read_bytes() == old_bytes for k in kept)  # the old one was kept first
        target.unlink()
        target.write_bytes(old_bytes)  # start the next run from the old archive again
    assert killed, "no run was killed: the test proved nothing"


class _NoLock:
    """Stands in for the process lock of an archive opened only to write one backup here."""

    def release(self) -> None:
        """Nothing to release."""
