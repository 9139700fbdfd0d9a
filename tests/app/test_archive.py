"""The encrypted archive file: create, open, wrong passwords, damage, password change, locking."""
from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from app import archive as af
from app.db import create_archive, open_archive
from app.errors import (
    ArchiveDamaged,
    ArchiveExists,
    ArchiveLocked,
    ArchiveNotFound,
    ValidationError,
    WrongPassword,
)
from app.rows import CustomerInput
from app.services import Services
from tests.conftest import PASSWORD


def _digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


@pytest.fixture
def closed_archive(archive_path: Path) -> Path:
    """An archive with a few cards, closed."""
    arc = create_archive(archive_path, PASSWORD)
    svc = Services.build(arc)
    for i in range(30):
        svc.customers.create(CustomerInput(name=f"测试客户{i}", remarks="备注" * 200))
    arc.close()
    return archive_path


def test_file_never_starts_with_plain_sqlite_header(closed_archive: Path) -> None:
    assert closed_archive.read_bytes()[:16] != b"SQLite format 3\x00"
    assert b"\xe6\xb5\x8b\xe8\xaf\x95\xe5\xae\xa2\xe6\x88\xb7" not in closed_archive.read_bytes()  # 测试客户


def test_create_refuses_to_overwrite(closed_archive: Path) -> None:
    before = _digest(closed_archive)
    with pytest.raises(ArchiveExists):
        create_archive(closed_archive, PASSWORD)
    assert _digest(closed_archive) == before


def test_missing_file_is_an_error_and_never_created(tmp_path: Path) -> None:
    missing = tmp_path / "nope.cfdb"
    with pytest.raises(ArchiveNotFound):
        open_archive(missing, PASSWORD)
    assert not missing.exists()
    assert list(tmp_path.iterdir()) == []


def test_ten_wrong_passwords_leave_the_file_byte_identical(closed_archive: Path) -> None:
    before = _digest(closed_archive)
    wrong = ["", PASSWORD.swapcase(), PASSWORD + " ", PASSWORD[:-1], "x", "测试", "123456",
             PASSWORD.upper(), " " + PASSWORD, "🙂" + PASSWORD]
    for guess in wrong:
        started = time.perf_counter()
        with pytest.raises(WrongPassword, match="密码不正确"):
            open_archive(closed_archive, guess)
        assert time.perf_counter() - started > 0.05  # the full key derivation is paid every time
    assert _digest(closed_archive) == before
    assert not closed_archive.with_name(closed_archive.name + "-wal").exists()


def _damage(path: Path, kind: str) -> None:
    data = bytearray(path.read_bytes())
    page = af.PAGE_SIZE
    if kind == "salt":
        data[3] ^= 0xFF
    elif kind == "page1":
        data[200] ^= 0xFF
    elif kind == "middle":
        data[(len(data) // page // 2) * page + 500] ^= 0xFF
    elif kind == "last":
        data[-100] ^= 0xFF
    elif kind == "truncated_half_page":
        data = data[: len(data) - page // 2]
    elif kind == "truncated_pages":
        data = data[: len(data) - 3 * page]
    elif kind == "zero":
        data = bytearray()
    elif kind == "junk_appended":
        data += os.urandom(page)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind", ["salt", "page1", "middle", "last", "truncated_half_page", "truncated_pages",
                                  "zero", "junk_appended"])
def test_damage_is_reported_as_damage_without_writing(closed_archive: Path, kind: str) -> None:
    _damage(closed_archive, kind)
    before = _digest(closed_archive)
    known_salt = None
    if kind == "salt":
        # The machine settings remember the salt of archives opened here: that tells damage from a wrong password.
        known_salt = bytes(closed_archive.read_bytes()[:16])
        known_salt = bytes([known_salt[0], known_salt[1], known_salt[2], known_salt[3] ^ 0xFF]) + known_salt[4:]
    with pytest.raises(ArchiveDamaged) as err:
        open_archive(closed_archive, PASSWORD, known_salt=known_salt)  # small file: every page checked at open
    assert "损坏" in str(err.value) or "截断" in str(err.value) or "空" in str(err.value) or "整页" in str(err.value)
    assert _digest(closed_archive) == before


def test_password_change_is_proved_by_reopening(closed_archive: Path) -> None:
    arc = open_archive(closed_archive, PASSWORD)
    arc.change_password(PASSWORD, "全新的 密码;%'🙂")
    assert Services.build(arc).customers.count() == 30  # the engine was rebuilt and works
    arc.close()
    with pytest.raises(WrongPassword):
        open_archive(closed_archive, PASSWORD)
    arc = open_archive(closed_archive, "全新的 密码;%'🙂")
    assert Services.build(arc).customers.count() == 30
    arc.close()
    assert sorted(p.name for p in closed_archive.parent.iterdir()) == [closed_archive.name, closed_archive.name + ".lock"]


def test_password_change_with_wrong_old_password_changes_nothing(closed_archive: Path) -> None:
    arc = open_archive(closed_archive, PASSWORD)
    with pytest.raises(WrongPassword):
        arc.change_password("not it", "another-pass")
    arc.close()
    open_archive(closed_archive, PASSWORD).close()


@pytest.mark.parametrize("password", ["", "short", "x'00112233'", " leading", "trailing "])
def test_unsafe_or_weak_new_passwords_are_refused(tmp_path: Path, password: str) -> None:
    with pytest.raises(ValidationError):
        create_archive(tmp_path / "a.cfdb", password)
    assert not (tmp_path / "a.cfdb").exists()


def test_second_instance_is_refused(archive: af.Archive, archive_path: Path) -> None:
    with pytest.raises(ArchiveLocked, match="另一个"):
        open_archive(archive_path, PASSWORD)


def test_files_are_private(closed_archive: Path) -> None:
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    assert closed_archive.stat().st_mode & 0o777 == 0o600
    assert closed_archive.parent.stat().st_mode & 0o777 == 0o700


def test_pool_derives_the_key_once(archive: af.Archive) -> None:
    started = time.perf_counter()
    connections = [archive.engine.connect() for _ in range(4)]  # more than one pooled connection
    for conn in connections:
        assert conn.exec_driver_sql("SELECT count(*) FROM customers").scalar() == 0
        conn.close()
    assert time.perf_counter() - started < 0.5  # four key derivations would take ≥ 1 s


def test_foreign_keys_and_synchronous_full(archive: af.Archive) -> None:
    with archive.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_verify_passes_on_a_healthy_archive(archive: af.Archive) -> None:
    assert archive.verify().ok


def test_big_archives_open_with_quick_checks_and_verify_after(closed_archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(af, "FULL_VERIFY_BYTES", 0)
    _damage(closed_archive, "middle")
    arc = open_archive(closed_archive, PASSWORD)  # cheap checks pass: page 1 and length are fine
    try:
        assert not arc.fully_verified
        check = arc.verify()  # what the GUI runs in the background right after opening
        assert not check.ok and any("HMAC" in p or "page" in p for p in check.problems)
    finally:
        arc.close()
    with pytest.raises(ArchiveDamaged):
        open_archive(closed_archive, PASSWORD, full_check=True)
