"""Backup files: round trip with an equal digest, the manifest, passwords, privacy, cancel, bad sources."""
from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from app import __version__, migrate
from app import archive as af
from app.backup import (
    BACKUP_APPLICATION_ID,
    create_backup,
    data_digest,
    list_backups,
    read_manifest,
    verify_backup,
)
from app.backup_restore import restore_backup
from app.db import open_archive
from app.errors import AppError, ArchiveDamaged, ArchiveExists, ValidationError, WrongPassword
from app.progress import Cancelled
from app.services import Services
from tests.app._backup_support import BACKUP_PASSWORD, MARKERS, all_files, fill, plaintext_hits
from tests.conftest import PASSWORD


def _digest_of(path: Path, password: str) -> str:
    key = af.derive_key(password, af.read_salt(path))
    conn = af.raw_connect(path, key, readonly=True)
    try:
        return data_digest(conn)
    finally:
        conn.close()


@pytest.fixture
def filled(svc: Services) -> int:
    """The test archive with sample customers and one marked card; the marked card's id."""
    return fill(svc)


def test_round_trip_restores_identical_data(archive: af.Archive, filled: int, tmp_path: Path) -> None:
    conn = archive.raw()
    source = data_digest(conn)
    conn.close()
    info = create_backup(archive, tmp_path / "备份" / "a.cfbak")
    assert info.verified and info.digest == source
    assert info.counts["customers"] == 41 and info.counts["visits"] > 41
    restored = restore_backup(info.path, PASSWORD, tmp_path / "new" / "恢复.cfdb")
    assert _digest_of(restored, PASSWORD) == source
    reopened = open_archive(restored, PASSWORD)
    try:
        card = Services.build(reopened).customers.get(filled)
        assert card.data.remarks == MARKERS[1] and card.name == MARKERS[0]
    finally:
        reopened.close()


def test_digest_sees_every_change_and_only_changes(archive: af.Archive, svc: Services, filled: int) -> None:
    with archive.engine.connect() as conn:  # a SQLAlchemy connection works as well as a raw one
        before = data_digest(conn)
    raw = archive.raw()
    try:
        assert data_digest(raw) == before
        card = svc.customers.get(filled)
        svc.customers.update(filled, replace(card.data, remarks=card.data.remarks + "。"))
        assert data_digest(raw) != before
    finally:
        raw.close()


def test_digest_tells_null_from_empty_text(tmp_path: Path) -> None:
    import sqlcipher3

    a, b = sqlcipher3.connect(":memory:"), sqlcipher3.connect(":memory:")
    for conn, value in ((a, None), (b, "")):
        conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        conn.execute("INSERT INTO t VALUES (1, ?)", (value,))
    assert data_digest(a) != data_digest(b)


def test_manifest_records_versions_counts_and_time(archive: af.Archive, filled: int, tmp_path: Path) -> None:
    when = datetime(2026, 11, 22, 9, 30, 15)
    info = create_backup(archive, tmp_path / "m.cfbak", now=when)
    key = af.derive_key(PASSWORD, af.read_salt(info.path))
    manifest = read_manifest(info.path, key)
    assert manifest.app_version == __version__
    assert manifest.schema_version == migrate.head_revision()
    assert manifest.created_at == when and manifest.archive_name == archive.path.stem
    assert manifest.counts == info.counts and manifest.digest == info.digest
    conn = af.raw_connect(info.path, key, readonly=True)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == BACKUP_APPLICATION_ID
    conn.close()


def test_default_backup_opens_with_the_archive_password_only(archive: af.Archive, filled: int,
                                                             tmp_path: Path) -> None:
    info = create_backup(archive, tmp_path / "default.cfbak")
    assert af.read_salt(info.path) == archive.salt  # same_key_spec keeps the salt: same password
    assert verify_backup(info.path, PASSWORD).verified
    with pytest.raises(WrongPassword, match="备份密码不正确"):
        verify_backup(info.path, BACKUP_PASSWORD)


def test_backup_with_its_own_password_opens_only_with_it(archive: af.Archive, filled: int,
                                                         tmp_path: Path) -> None:
    info = create_backup(archive, tmp_path / "own.cfbak", BACKUP_PASSWORD)
    assert af.read_salt(info.path) != archive.salt
    assert verify_backup(info.path, BACKUP_PASSWORD).digest == info.digest
    for wrong in (PASSWORD, BACKUP_PASSWORD[:-1], BACKUP_PASSWORD + " ", ""):
        with pytest.raises(WrongPassword):
            verify_backup(info.path, wrong)
    restored = restore_backup(info.path, BACKUP_PASSWORD, tmp_path / "r" / "own.cfdb")
    open_archive(restored, BACKUP_PASSWORD).close()  # the restored archive takes the backup's password
    with pytest.raises(WrongPassword):
        open_archive(restored, PASSWORD)


@pytest.mark.parametrize("password", ["short", "x'00112233'", " leading"])
def test_weak_or_unsafe_backup_passwords_are_refused(archive: af.Archive, tmp_path: Path, password: str) -> None:
    with pytest.raises(ValidationError):
        create_backup(archive, tmp_path / "b" / "x.cfbak", password)
    assert not (tmp_path / "b").exists() or list((tmp_path / "b").iterdir()) == []


def test_no_plaintext_customer_data_in_any_file_written(archive: af.Archive, filled: int, tmp_path: Path) -> None:
    own = create_backup(archive, tmp_path / "bk" / "own.cfbak", BACKUP_PASSWORD)
    default = create_backup(archive, tmp_path / "bk" / "default.cfbak")
    archive.close()
    restore_backup(default.path, PASSWORD, archive.path)  # keeps a copy of the current archive
    restore_backup(own.path, BACKUP_PASSWORD, tmp_path / "new" / "x.cfdb")
    files = all_files(tmp_path) + all_files(Path(os.environ["CLIENTFILE_HOME"]))
    assert len(files) >= 6
    assert plaintext_hits(files) == []
    # The scan can fail: the same markers are there once decrypted.
    conn = af.raw_connect(own.path, af.derive_key(BACKUP_PASSWORD, af.read_salt(own.path)), readonly=True)
    assert conn.execute("SELECT count(*) FROM customers WHERE remarks = ?", (MARKERS[1],)).fetchone()[0] == 1
    conn.close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_backup_files_and_folders_are_private(archive: af.Archive, tmp_path: Path) -> None:
    folder = tmp_path / "new" / "备份"
    info = create_backup(archive, folder / "p.cfbak")
    assert info.path.stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    restored = restore_backup(info.path, PASSWORD, tmp_path / "r" / "p.cfdb")
    assert restored.stat().st_mode & 0o777 == 0o600
    assert restored.parent.stat().st_mode & 0o777 == 0o700


def test_existing_file_is_not_overwritten_unless_asked(archive: af.Archive, tmp_path: Path) -> None:
    dest = tmp_path / "x.cfbak"
    dest.write_bytes(b"keep me")
    with pytest.raises(ArchiveExists):
        create_backup(archive, dest)
    assert dest.read_bytes() == b"keep me"
    create_backup(archive, dest, overwrite=True)
    assert verify_backup(dest, PASSWORD).verified


@pytest.mark.parametrize("stage", ["正在检查档案并写入备份…", "正在校验备份…", "正在保存备份…"])
def test_cancel_at_any_stage_leaves_nothing(archive: af.Archive, filled: int, tmp_path: Path, stage: str) -> None:
    folder = tmp_path / "bk"
    with pytest.raises(Cancelled):
        create_backup(archive, folder / "c.cfbak", progress=lambda done, total, text: text != stage)
    assert list(folder.iterdir()) == []


def test_a_cancel_after_the_rename_is_too_late_and_harmless(archive: af.Archive, tmp_path: Path) -> None:
    info = create_backup(archive, tmp_path / "c.cfbak", progress=lambda done, total, text: text != "备份完成")
    assert verify_backup(info.path, PASSWORD).verified


def test_no_backup_is_written_from_an_archive_that_fails_its_checks(archive: af.Archive, filled: int,
                                                                     tmp_path: Path) -> None:
    assert archive.verify().ok  # checkpoints the log into the file
    size = archive.path.stat().st_size
    with open(archive.path, "r+b") as fh:  # a bad sector in the middle of the open archive
        fh.seek((size // af.PAGE_SIZE // 2) * af.PAGE_SIZE + 700)
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0x5A]))
    folder = tmp_path / "bk"
    with pytest.raises(ArchiveDamaged, match="完整性检查"):
        create_backup(archive, folder / "d.cfbak")
    assert list(folder.iterdir()) == []


def test_listing_reads_names_cheaply_and_manifests_when_asked(archive: af.Archive, filled: int,
                                                             tmp_path: Path) -> None:
    folder = tmp_path / "bk"
    create_backup(archive, folder / "客户档案-20261120-080000.cfbak", now=datetime(2026, 11, 20, 8))
    create_backup(archive, folder / "客户档案-20261121-080000.cfbak", BACKUP_PASSWORD, now=datetime(2026, 11, 21, 8))
    (folder / ".客户档案-20261122-080000.cfbak.abc.tmp").write_bytes(b"\0" * 4096)  # an unfinished write
    (folder / "notes.txt").write_text("x")
    cheap = list_backups(folder)
    assert [b.path.name for b in cheap] == ["客户档案-20261121-080000.cfbak", "客户档案-20261120-080000.cfbak"]
    assert all(b.verified is None and not b.digest for b in cheap)
    read = list_backups(folder, PASSWORD)
    assert read[1].customers == 41 and read[1].verified is None
    assert read[0].verified is False and "密码" in read[0].problem
    checked = list_backups(folder, BACKUP_PASSWORD, verify=True)
    assert [b.verified for b in checked] == [True, False]


def test_an_unwritable_destination_gets_a_clear_message(archive: af.Archive, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the backup folder should be")
    with pytest.raises(AppError, match="无法写入备份"):
        create_backup(archive, blocker / "x.cfbak")
    assert blocker.read_text().startswith("a file")
