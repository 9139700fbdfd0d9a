"""Restore: into the current archive (a copy of it kept first, byte for byte) or as a new archive;
never while the archive is open; never from a backup of a newer program."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from app import archive as af
from app.backup import MANIFEST_TABLE, create_backup, data_digest
from app.backup_restore import kept_copies, restore_backup, restore_detailed
from app.db import open_archive
from app.errors import ArchiveError, ArchiveLocked
from app.rows import CustomerInput
from app.services import Services
from tests.app._backup_support import damage, fill, folder_state, state
from tests.conftest import PASSWORD


@pytest.fixture
def backed_up(archive: af.Archive, svc: Services, tmp_path: Path) -> Path:
    """A filled archive's backup; afterwards the archive gets one more card and is closed."""
    fill(svc, n=20)
    backup = create_backup(archive, tmp_path / "bk" / "b.cfbak").path
    svc.customers.create(CustomerInput(name="备份之后新建的客户"))
    archive.close()
    return backup


def _names(path: Path, password: str = PASSWORD) -> set[str]:
    arc = open_archive(path, password)
    try:
        return {row.name for row in Services.build(arc).customers.list().rows}
    finally:
        arc.close()


def _digest(path: Path, password: str = PASSWORD) -> str:
    conn = af.raw_connect(path, af.derive_key(password, af.read_salt(path)), readonly=True)
    try:
        return data_digest(conn)
    finally:
        conn.close()


def test_restore_into_the_current_archive_keeps_a_copy_first(backed_up: Path, archive_path: Path) -> None:
    before = state(archive_path)
    done = restore_detailed(backed_up, PASSWORD, archive_path)
    assert done.archive == archive_path and done.kept is not None
    assert done.kept.parent == archive_path.parent and "恢复前" in done.kept.name
    assert state(done.kept) == before  # the very same bytes (and mtime): nothing rewritten
    assert kept_copies(archive_path) == [done.kept]
    assert _digest(archive_path) == done.backup.digest
    assert "备份之后新建的客户" not in _names(archive_path)
    assert "备份之后新建的客户" in _names(done.kept)  # the kept copy opens and has the later card


def test_restored_archive_has_no_manifest_and_is_an_archive(backed_up: Path, tmp_path: Path) -> None:
    target = restore_backup(backed_up, PASSWORD, tmp_path / "new" / "新档案.cfdb")
    assert sorted(p.name for p in target.parent.iterdir()) == ["新档案.cfdb", "新档案.cfdb.lock"]
    conn = af.raw_connect(target, af.derive_key(PASSWORD, af.read_salt(target)), readonly=True)
    try:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == af.APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert MANIFEST_TABLE not in tables and "customers" in tables
    finally:
        conn.close()


def test_restore_as_a_new_archive_leaves_the_current_one_alone(backed_up: Path, archive_path: Path,
                                                               tmp_path: Path) -> None:
    before = folder_state(archive_path.parent)
    done = restore_detailed(backed_up, PASSWORD, tmp_path / "other" / "另一个.cfdb")
    assert done.kept is None
    assert folder_state(archive_path.parent) == before
    assert len(_names(done.archive)) == 21


def test_restore_is_refused_while_the_archive_is_open(backed_up: Path, archive_path: Path) -> None:
    arc = open_archive(archive_path, PASSWORD)
    try:
        before = folder_state(archive_path.parent)
        with pytest.raises(ArchiveLocked):
            restore_backup(backed_up, PASSWORD, archive_path)
        assert folder_state(archive_path.parent) == before
    finally:
        arc.close()


def test_a_lost_archive_is_restored_in_place(backed_up: Path, archive_path: Path) -> None:
    archive_path.unlink()
    done = restore_detailed(backed_up, PASSWORD, archive_path)
    assert done.kept is None and len(_names(archive_path)) == 21


def test_a_damaged_archive_is_kept_renamed_never_deleted(backed_up: Path, archive_path: Path) -> None:
    damage(archive_path, "middle")
    damaged = archive_path.read_bytes()
    done = restore_detailed(backed_up, PASSWORD, archive_path)
    assert done.kept is not None and done.kept.read_bytes() == damaged
    assert len(_names(archive_path)) == 21


def test_a_leftover_write_ahead_log_goes_with_the_kept_copy(backed_up: Path, archive_path: Path) -> None:
    wal = archive_path.with_name(archive_path.name + "-wal")
    wal.write_bytes(b"commits that never reached the main file")
    done = restore_detailed(backed_up, PASSWORD, archive_path)
    assert done.kept is not None
    assert done.kept.with_name(done.kept.name + "-wal").read_bytes() == b"commits that never reached the main file"
    assert not wal.exists() or wal.read_bytes() != b"commits that never reached the main file"
    assert len(_names(archive_path)) == 21


def test_two_restores_keep_two_distinct_copies(backed_up: Path, archive_path: Path) -> None:
    first = restore_detailed(backed_up, PASSWORD, archive_path).kept
    second = restore_detailed(backed_up, PASSWORD, archive_path).kept
    assert first and second and first != second and first.exists() and second.exists()


def test_a_backup_from_a_newer_program_is_refused(backed_up: Path, archive_path: Path) -> None:
    key = af.derive_key(PASSWORD, af.read_salt(backed_up))
    conn = af.raw_connect(backed_up, key)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.execute(f"UPDATE {MANIFEST_TABLE} SET value = ? WHERE key = 'digest'", (json.dumps(data_digest(conn)),))
    conn.execute(f"UPDATE {MANIFEST_TABLE} SET value = ? WHERE key = 'schema_version'", (json.dumps("9999_future"),))
    conn.close()
    before = folder_state(archive_path.parent)
    with pytest.raises(ArchiveError, match="更新版本"):
        restore_backup(backed_up, PASSWORD, archive_path)
    assert folder_state(archive_path.parent) == before


def test_restore_without_keeping_a_copy_when_asked(backed_up: Path, archive_path: Path) -> None:
    done = restore_detailed(backed_up, PASSWORD, archive_path, keep_copy=False)
    assert done.kept is None and kept_copies(archive_path) == []
    assert replace(done, kept=None).archive == archive_path
