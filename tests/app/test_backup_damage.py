"""Bad backups — damaged, truncated, junk, wrong password, not a backup — are refused with a clear message,
and restoring from one touches nothing: the current archive keeps its bytes and its mtime."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlcipher3

from app import archive as af
from app.backup import NotABackup, create_backup, verify_backup
from app.backup_restore import restore_backup
from app.errors import AppError, ArchiveDamaged, ArchiveNotFound, WrongPassword
from app.rows import CustomerInput
from app.services import Services
from tests.app._backup_support import BACKUP_PASSWORD, damage, fill, folder_state
from tests.conftest import PASSWORD

# kind → (error class, words the message must contain)
EXPECTED: dict[str, tuple[type[AppError], str]] = {
    "salt": (WrongPassword, "文件开头已损坏"),  # a changed salt is indistinguishable from a wrong password
    "page1": (ArchiveDamaged, "损坏"),
    "middle": (ArchiveDamaged, "损坏"),
    "last": (ArchiveDamaged, "损坏"),
    "truncated_half_page": (ArchiveDamaged, "不完整"),
    "truncated_pages": (ArchiveDamaged, "备份"),
    "zero": (ArchiveDamaged, "空的"),
    "junk_appended": (ArchiveDamaged, "损坏"),  # a whole page of junk: its HMAC fails
    "junk_file": (WrongPassword, "不是 ClientFile 备份"),
    "text_file": (ArchiveDamaged, "不是 ClientFile 备份"),
}


@pytest.fixture(scope="module")
def good_backup(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One real backup of a filled archive, made once; tests damage copies of it."""
    from app.db import create_archive

    folder = tmp_path_factory.mktemp("source")
    arc = create_archive(folder / "源.cfdb", PASSWORD)
    try:
        fill(Services.build(arc), n=60)
        return create_backup(arc, folder / "good.cfbak").path
    finally:
        arc.close()


@pytest.fixture
def current(archive: af.Archive, svc: Services) -> Path:
    """The current archive with a card, closed (as the app closes it before a restore)."""
    svc.customers.create(CustomerInput(name="当前客户", mobile="13800000001"))
    archive.close()
    return archive.path


def _copy(good: Path, folder: Path, name: str = "bad.cfbak") -> Path:
    folder.mkdir(exist_ok=True)
    dest = folder / name
    shutil.copyfile(good, dest)
    return dest


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_damaged_backup_is_refused_clearly_and_nothing_is_touched(good_backup: Path, current: Path,
                                                                  tmp_path: Path, kind: str) -> None:
    bad = _copy(good_backup, tmp_path / "in")
    damage(bad, kind)
    error, words = EXPECTED[kind]
    with pytest.raises(error, match=words) as caught:
        verify_backup(bad, PASSWORD)
    assert bad.name in str(caught.value)  # the message names the file
    before, bad_state = folder_state(current.parent), folder_state(bad.parent)
    with pytest.raises(error):
        restore_backup(bad, PASSWORD, current)
    assert folder_state(current.parent) == before  # same files, same bytes, same mtimes
    assert folder_state(bad.parent) == bad_state  # the backup itself is only read


def test_wrong_passwords_touch_nothing(good_backup: Path, current: Path, tmp_path: Path) -> None:
    backup = _copy(good_backup, tmp_path / "in")
    before, backup_state = folder_state(current.parent), folder_state(backup.parent)
    for wrong in (BACKUP_PASSWORD, PASSWORD[:-1], PASSWORD.upper(), "", " " + PASSWORD):
        with pytest.raises(WrongPassword, match="备份密码不正确"):
            restore_backup(backup, wrong, current)
    assert folder_state(current.parent) == before
    assert folder_state(backup.parent) == backup_state


def test_the_archive_itself_is_not_taken_for_a_backup(current: Path, tmp_path: Path) -> None:
    copy = _copy(current, tmp_path / "in", "looks-like.cfbak")
    with pytest.raises(NotABackup, match="档案文件，不是备份"):
        verify_backup(copy, PASSWORD)


def test_a_plain_sqlite_file_is_not_a_backup(tmp_path: Path) -> None:
    plain = tmp_path / "plain.cfbak"
    conn = sqlcipher3.connect(str(plain))
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotABackup, match="未加密"):
        verify_backup(plain, PASSWORD)


def test_an_encrypted_database_without_manifest_is_not_a_backup(tmp_path: Path) -> None:
    other = tmp_path / "other.cfbak"
    conn = sqlcipher3.connect(str(other))
    conn.execute(f"PRAGMA key = '{PASSWORD.replace(chr(39), chr(39) * 2)}'")
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(NotABackup, match="没有备份清单"):
        verify_backup(other, PASSWORD)


def test_a_missing_backup_is_named(tmp_path: Path) -> None:
    with pytest.raises(ArchiveNotFound, match="找不到备份文件"):
        verify_backup(tmp_path / "gone.cfbak", PASSWORD)


def test_a_tampered_row_fails_the_manifest_digest(good_backup: Path, tmp_path: Path) -> None:
    copy = _copy(good_backup, tmp_path / "in")
    conn = af.raw_connect(copy, af.derive_key(PASSWORD, af.read_salt(copy)))
    conn.execute("UPDATE customers SET remarks = remarks || '!' WHERE id = 1")  # valid pages, changed data
    conn.close()
    with pytest.raises(ArchiveDamaged, match="与它的清单不符"):
        verify_backup(copy, PASSWORD)
