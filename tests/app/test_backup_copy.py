"""The page copy behind a backup: which way it copies, that it copies one snapshot, and that a bad page —
in the archive or in the copy — is caught and blamed on the right file."""
from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import pytest

from app import archive as af
from app import backup as backup_module
from app.backup import create_backup, verify_backup
from app.backup_copy import FILE_COPY, PAGE_COPY, copy_snapshot, file_holds_snapshot
from app.backup_digest import Watch, data_digest, page_problems, structure_problems
from app.errors import ArchiveDamaged
from app.progress import no_progress
from app.services import Services
from tests.app._backup_support import BACKUP_PASSWORD, fill
from tests.conftest import PASSWORD


@pytest.fixture
def filled(svc: Services) -> int:
    """The test archive with sample customers and one marked card."""
    return fill(svc)


def _commit_a_row(arc: af.Archive) -> None:
    conn = arc.raw()
    try:
        conn.execute("INSERT INTO tags (name) VALUES ('快照之后')")
    finally:
        conn.close()


def _tags(path: Path, key: bytes) -> set[str]:
    conn = af.raw_connect(path, key, readonly=True)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM tags")}
    finally:
        conn.close()


def _snapshot_copy(arc: af.Archive, tmp: Path, dest: tuple[bytes, bytes], *, commit_after_begin: bool) -> str:
    src, helper = arc.raw(), arc.raw()
    try:
        helper.execute("PRAGMA wal_checkpoint(PASSIVE)")
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if commit_after_begin:
            _commit_a_row(arc)  # another connection saves while the snapshot is read
        return copy_snapshot(src, helper, arc.path, tmp, (arc.key_for_copy(), arc.salt), dest,
                             Watch(no_progress, 1))
    finally:
        helper.close()
        src.close()


def test_same_key_copies_the_encrypted_bytes(archive: af.Archive, filled: int, tmp_path: Path) -> None:
    key = (archive.key_for_copy(), archive.salt)
    how = _snapshot_copy(archive, tmp_path / "c.db", key, commit_after_begin=False)
    assert how == FILE_COPY
    copied = (tmp_path / "c.db").read_bytes()
    assert copied == archive.path.read_bytes()[: len(copied)]
    assert (tmp_path / "c.db").stat().st_mode & 0o777 == 0o600


def test_a_save_after_the_snapshot_began_is_not_copied(archive: af.Archive, filled: int, tmp_path: Path) -> None:
    key = (archive.key_for_copy(), archive.salt)
    how = _snapshot_copy(archive, tmp_path / "c.db", key, commit_after_begin=True)
    assert how == PAGE_COPY  # the log holds a frame newer than the snapshot: the file is not the snapshot
    assert "快照之后" not in _tags(tmp_path / "c.db", key[0])
    assert "快照之后" in _tags(archive.path, key[0])


def test_the_file_stays_the_snapshot_while_it_is_read(archive: af.Archive, filled: int) -> None:
    """What the byte copy relies on: while a reader's snapshot is the file, a checkpoint cannot change it."""
    reader, helper = archive.raw(), archive.raw()
    try:
        helper.execute("PRAGMA wal_checkpoint(PASSIVE)")
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
        assert file_holds_snapshot(helper)
        before = hashlib.sha256(archive.path.read_bytes()).hexdigest()
        _commit_a_row(archive)
        assert not file_holds_snapshot(helper)  # the new frame may not go into the file yet
        assert hashlib.sha256(archive.path.read_bytes()).hexdigest() == before
        reader.execute("COMMIT")
        assert file_holds_snapshot(helper)  # the reader is gone: now it may
    finally:
        helper.close()
        reader.close()


def test_own_password_copies_pages_under_a_fresh_salt(archive: af.Archive, filled: int, tmp_path: Path) -> None:
    salt = os.urandom(af.SALT_SIZE)
    dest = (af.derive_key(BACKUP_PASSWORD, salt), salt)
    how = _snapshot_copy(archive, tmp_path / "c.db", dest, commit_after_begin=False)
    assert how == PAGE_COPY
    assert af.read_salt(tmp_path / "c.db") == salt
    conn = af.raw_connect(tmp_path / "c.db", dest[0], readonly=True)
    try:
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []
        assert data_digest(conn) == data_digest(archive.raw())
    finally:
        conn.close()


@pytest.mark.parametrize("password", [None, BACKUP_PASSWORD], ids=["archive password", "own password"])
def test_backup_logs_how_it_copied(archive: af.Archive, filled: int, tmp_path: Path, password: str | None,
                                   caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="app.backup"):
        info = create_backup(archive, tmp_path / "b.cfbak", password)
    assert f"({FILE_COPY if password is None else PAGE_COPY})" in caplog.text
    assert verify_backup(info.path, password or PASSWORD).digest == data_digest(archive.raw())


@pytest.mark.parametrize("password", [None, BACKUP_PASSWORD], ids=["file copy", "page copy"])
@pytest.mark.parametrize("where", ["first data page", "last page"])
def test_a_bad_page_in_the_archive_writes_no_backup(archive: af.Archive, filled: int, tmp_path: Path,
                                                    password: str | None, where: str) -> None:
    assert archive.verify().ok  # checkpoints the log into the file
    pages = archive.path.stat().st_size // af.PAGE_SIZE
    page = 2 if where == "first data page" else pages
    with open(archive.path, "r+b") as fh:
        fh.seek((page - 1) * af.PAGE_SIZE + 300)
        byte = fh.read(1)
        fh.seek(-1, os.SEEK_CUR)
        fh.write(bytes([byte[0] ^ 0x21]))
    folder = tmp_path / "bk"
    with pytest.raises(ArchiveDamaged, match="完整性检查"):
        create_backup(archive, folder / "d.cfbak", password)
    assert list(folder.iterdir()) == []


def _spoil_page(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.seek(3 * af.PAGE_SIZE + 1000)
        fh.write(b"\x00\xff")


@pytest.mark.parametrize("when", ["copy_snapshot", "_fsync"])
def test_a_page_damaged_on_its_way_to_disk_is_blamed_on_the_copy(archive: af.Archive, filled: int, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """Spoiled right after the copy (the copy's HMAC pass catches it) or after the manifest went in (the final
    b-tree check and digest read the page again, which checks its HMAC)."""
    real = getattr(backup_module, when)

    def flaky_disk(*args: object) -> object:
        result = real(*args)
        _spoil_page(args[3] if when == "copy_snapshot" else args[0])  # type: ignore[arg-type]  # the backup file
        return result

    monkeypatch.setattr(backup_module, when, flaky_disk)
    folder = tmp_path / "bk"
    with pytest.raises(ArchiveDamaged, match="刚写出的备份没有通过校验"):
        create_backup(archive, folder / "d.cfbak")
    assert list(folder.iterdir()) == []
    assert archive.verify().ok


def test_a_copy_whose_rows_differ_from_the_snapshot_is_refused(archive: af.Archive, filled: int, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    real = backup_module.copy_snapshot

    def torn(*args: object) -> str:
        how = real(*args)  # type: ignore[arg-type]
        conn = af.raw_connect(args[3], archive.key_for_copy())  # type: ignore[arg-type]
        try:  # a valid, well-formed page that is not the snapshot's (what a torn copy would hold)
            conn.execute("UPDATE customers SET name = name || '改' WHERE id = (SELECT max(id) FROM customers)")
        finally:
            conn.close()
        return how

    monkeypatch.setattr(backup_module, "copy_snapshot", torn)
    folder = tmp_path / "bk"
    with pytest.raises(ArchiveDamaged, match="刚写出的备份没有通过校验"):
        create_backup(archive, folder / "d.cfbak")
    assert list(folder.iterdir()) == []


def test_quick_check_finds_a_broken_b_tree_that_passes_every_hmac(archive: af.Archive, filled: int,
                                                                   tmp_path: Path) -> None:
    """A page rewritten with the right key but wrong content (a bug, not the disk) fails verify."""
    info = create_backup(archive, tmp_path / "b.cfbak")
    conn = af.raw_connect(info.path, archive.key_for_copy())
    try:  # an index pointed at a table's root page: every page is authentic, the tree is not
        table_root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'customers'").fetchone()[0]
        index = conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'visits' "
                             "AND sql IS NOT NULL").fetchone()[0]
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = ?", (table_root, index))
        conn.execute("PRAGMA writable_schema = OFF")
    finally:
        conn.close()
    conn = af.raw_connect(info.path, archive.key_for_copy(), readonly=True)
    try:
        assert page_problems(conn, info.path) == []
        assert structure_problems(conn)
    finally:
        conn.close()
    with pytest.raises(ArchiveDamaged, match="损坏"):
        verify_backup(info.path, PASSWORD)


@pytest.mark.parametrize("password", [None, BACKUP_PASSWORD], ids=["archive password", "own password"])
def test_a_truncated_archive_writes_no_backup(archive: af.Archive, filled: int, tmp_path: Path,
                                              password: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shorter than its header says: the byte copy gives way to SQLite, and the archive is blamed."""
    import app.backup_copy as backup_copy

    page_copies = []
    real = backup_copy._copy_pages
    monkeypatch.setattr(backup_copy, "_copy_pages", lambda *a: (page_copies.append(1), real(*a)))
    assert archive.verify().ok  # checkpoints the log into the file
    size = archive.path.stat().st_size
    os.truncate(archive.path, size - 2 * af.PAGE_SIZE)
    folder = tmp_path / "bk"
    with pytest.raises(ArchiveDamaged, match="完整性检查"):
        create_backup(archive, folder / "t.cfbak", password)
    assert list(folder.iterdir()) == []
    assert page_copies == [1]  # the archive's password too: its bytes were not all there
