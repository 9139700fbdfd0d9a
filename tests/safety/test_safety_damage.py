"""Damaged archives — seventeen kinds — are detected without writing to them: by the full check at open
(small files) and by Archive.verify() after a quick open (big files); and the unlock dialog then offers
the newest backup that passes its check, restores it and keeps the damaged file, byte for byte."""
from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from app import archive as af
from app.backup import backup_name, create_backup, list_backups
from app.config import MachineSettings, default_backup_dir
from app.db import open_archive
from app.errors import ArchiveDamaged, ArchiveNotFound
from app.rows import CustomerInput
from app.services import Services
from app.walcheck import wal_path
from tests.conftest import PASSWORD
from tests.safety._safety_support import state

PAGE = af.PAGE_SIZE
FRAME = 24 + PAGE
KINDS = (
    "salt", "page1", "middle", "last", "zeroed_page", "swapped_pages", "truncated_half_page", "truncated_pages",
    "truncated_to_one_page", "truncated_to_100_bytes", "truncated_to_zero", "junk_appended_pages",
    "junk_appended_odd", "missing", "plain_sqlite", "wal_frame", "wal_header",
)
WAL_KINDS = ("wal_frame", "wal_header")


def _flip(data: bytearray, offset: int) -> None:
    data[offset] ^= 0x5A


def damage(path: Path, kind: str) -> None:
    """Damage an archive (or its -wal) the ways disks, copies, sync tools and people do."""
    if kind == "missing":
        path.unlink()
        return
    if kind == "plain_sqlite":
        path.unlink()
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE customers (name TEXT)")
        conn.commit()
        conn.close()
        return
    target = wal_path(path) if kind in WAL_KINDS else path
    data = bytearray(target.read_bytes())
    pages = len(data) // PAGE
    if kind == "salt":
        _flip(data, 5)
    elif kind == "page1":
        _flip(data, 300)
    elif kind == "middle":
        _flip(data, pages // 2 * PAGE + 1000)
    elif kind == "last":
        _flip(data, len(data) - 700)
    elif kind == "zeroed_page":
        data[pages // 2 * PAGE:(pages // 2 + 1) * PAGE] = bytes(PAGE)
    elif kind == "swapped_pages":
        a, b = pages // 3 * PAGE, pages // 3 * 2 * PAGE
        data[a:a + PAGE], data[b:b + PAGE] = data[b:b + PAGE], data[a:a + PAGE]
    elif kind == "truncated_half_page":
        del data[len(data) - PAGE // 2:]
    elif kind == "truncated_pages":
        del data[len(data) - 3 * PAGE:]
    elif kind == "truncated_to_one_page":
        del data[PAGE:]
    elif kind == "truncated_to_100_bytes":
        del data[100:]
    elif kind == "truncated_to_zero":
        data.clear()
    elif kind == "junk_appended_pages":
        data += os.urandom(2 * PAGE)
    elif kind == "junk_appended_odd":
        data += b"\x00junk appended by a sync tool\n" * 3
    elif kind == "wal_frame":
        frames = (len(data) - 32) // FRAME
        _flip(data, 32 + frames // 2 * FRAME + 24 + 2000)  # page data of a middle frame
    elif kind == "wal_header":
        _flip(data, 17)  # the log's salt: SQLite would then ignore the whole log
    target.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def crashed_image(marked_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive as a crash leaves it: commits of several transactions only in its -wal (a hot copy)."""
    work = tmp_path_factory.mktemp("crashing") / "客户档案.cfdb"
    shutil.copyfile(marked_template, work)
    image = tmp_path_factory.mktemp("crashed") / "客户档案.cfdb"
    archive = open_archive(work, PASSWORD)
    try:
        svc = Services.build(archive)
        for i in range(6):
            svc.customers.create_many([CustomerInput(name=f"日志客户{i}-{j}", remarks="只在日志里" * 30)
                                       for j in range(20)])
        shutil.copyfile(work, image)
        shutil.copyfile(wal_path(work), wal_path(image))  # taken while open: exactly what kill -9 leaves
    finally:
        archive.close()
    assert wal_path(image).stat().st_size > 10 * FRAME
    return image


def _placed(kind: str, marked_template: Path, crashed_image: Path, folder: Path) -> Path:
    """A healthy archive for a damage kind: the crash image (with its -wal) for log damage."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "客户档案.cfdb"
    source = crashed_image if kind in WAL_KINDS else marked_template
    shutil.copyfile(source, path)
    if kind in WAL_KINDS:
        shutil.copyfile(wal_path(source), wal_path(path))
    return path


def _prepared(kind: str, marked_template: Path, crashed_image: Path, folder: Path) -> tuple[Path, bytes]:
    path = _placed(kind, marked_template, crashed_image, folder)
    salt = af.read_salt(path)  # what the machine settings remember from the last open
    damage(path, kind)
    return path, salt


def _files(folder: Path) -> dict[str, tuple[str, int]]:
    """State of every file that holds data. Not the lock file, SQLite's -shm scratch file, nor an empty -wal:
    a read-only SQLite connection to a WAL-mode file creates those two empty files and leaves them."""
    return {p.name: state(p) for p in sorted(folder.iterdir()) if p.is_file()
            and not p.name.endswith((".lock", "-shm")) and not (p.name.endswith("-wal") and not p.stat().st_size)}


def test_crashed_image_itself_opens_with_every_commit(crashed_image: Path, tmp_path: Path) -> None:
    path = tmp_path / "客户档案.cfdb"
    shutil.copyfile(crashed_image, path)
    shutil.copyfile(wal_path(crashed_image), wal_path(path))
    archive = open_archive(path, PASSWORD, full_check=True)  # the control: without damage it is fine
    try:
        assert Services.build(archive).customers.count() == 41 + 120
        assert archive.verify().ok
    finally:
        archive.close()


@pytest.mark.parametrize("kind", KINDS)
def test_damage_is_found_by_the_full_check_at_open_without_writing(
        kind: str, marked_template: Path, crashed_image: Path, tmp_path: Path) -> None:
    path, salt = _prepared(kind, marked_template, crashed_image, tmp_path / "data")
    before = _files(path.parent)
    with pytest.raises(ArchiveNotFound if kind == "missing" else ArchiveDamaged) as caught:
        open_archive(path, PASSWORD, known_salt=salt)
    message = str(caught.value)
    assert path.name in message and any(w in message for w in ("损坏", "不完整", "截断", "整页", "空的", "未加密", "找不到"))
    assert _files(path.parent) == before  # not one byte written, no mtime moved, nothing created or removed


@pytest.mark.parametrize("kind", KINDS)
def test_damage_in_a_big_archive_is_found_by_verify_after_a_quick_open(
        kind: str, marked_template: Path, crashed_image: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(af, "FULL_VERIFY_BYTES", 0)  # every file counts as big: open does the cheap checks only
    path, salt = _prepared(kind, marked_template, crashed_image, tmp_path / "data")
    before = _files(path.parent)
    try:
        archive = open_archive(path, PASSWORD, known_salt=salt)
    except (ArchiveDamaged, ArchiveNotFound):
        found_at = "open"
    else:
        try:
            assert not archive.fully_verified
            check = archive.verify()  # what ui/background_check.py runs right after the open
            assert not check.ok and check.problems, kind
            found_at = "verify"
        finally:
            archive.close()
    assert _files(path.parent) == before, found_at
    if kind in ("middle", "zeroed_page", "swapped_pages"):
        assert found_at == "verify"  # the cheap checks cannot see these: the background check must


@pytest.mark.parametrize("kind", ["middle", "wal_frame", "missing"])
def test_the_unlock_dialog_offers_the_newest_verified_backup(
        kind: str, marked_template: Path, crashed_image: Path, tmp_path: Path, modal_script: object) -> None:
    from PySide6.QtWidgets import QMessageBox

    from ui.restore_dialog import BackupChoiceDialog, BackupPasswordDialog
    from ui.unlock_dialog import UnlockDialog

    path = _placed(kind, marked_template, crashed_image, tmp_path / "data")
    salt = af.read_salt(path)
    newest_good = _backups(path, default_backup_dir())
    damage(path, kind)
    damaged_bytes = {p.name: p.read_bytes() for p in path.parent.iterdir() if not p.name.endswith(".lock")}
    machine = MachineSettings(known_salts={str(path.resolve()): salt.hex()})
    seen: dict[str, object] = {}

    def choose(dialog: BackupChoiceDialog) -> None:
        items = [dialog.backups_list.item(i) for i in range(dialog.backups_list.count())]
        seen["items"] = [item.text() for item in items]
        seen["selected"] = dialog.backups_list.currentItem().text()
        dialog.accept()

    script = modal_script([  # type: ignore[operator]
        (QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Yes).click()),
        (BackupPasswordDialog, lambda d: (d.password_edit.setText(PASSWORD), d.accept())),
        (BackupChoiceDialog, choose),
        (QMessageBox, lambda box: (seen.__setitem__("done", box.text()), box.accept())),
    ])
    dialog = UnlockDialog(None, machine, path)
    dialog.password_edit.setText(PASSWORD)
    dialog.try_unlock()
    script.check()
    assert "不能用" in seen["items"][0]  # the newest backup is damaged: shown, not offered
    assert "11-21" in seen["selected"] and "完好" in seen["selected"]  # the newest verified one is chosen
    restored = dialog.archive
    assert restored is not None
    try:
        assert Services.build(restored).customers.count() == newest_good
        assert restored.verify().ok
    finally:
        restored.close()
    kept = sorted(p for p in path.parent.iterdir() if "恢复前" in p.name)
    if kind == "missing":
        assert kept == []
    else:  # the damaged archive (and its log) kept byte for byte under a new name
        assert sorted(p.read_bytes() for p in kept) == sorted(damaged_bytes.values())
        assert "原来的档案已改名保留" in str(seen["done"])


def _backups(path: Path, folder: Path) -> int:
    """Three backups of the archive: good (11-20), good (11-21, one more card), damaged (11-22)."""
    work = path.with_name("work.cfdb")
    for suffix in ("", "-wal"):
        if path.with_name(path.name + suffix).exists():
            shutil.copyfile(path.with_name(path.name + suffix), work.with_name(work.name + suffix))
    archive = open_archive(work, PASSWORD)
    try:
        svc = Services.build(archive)
        create_backup(archive, folder / backup_name(path.stem, datetime(2026, 11, 20, 9, 0)),
                      now=datetime(2026, 11, 20, 9, 0))
        svc.customers.create(CustomerInput(name="备份前新客户"))
        newest_good = svc.customers.count()
        create_backup(archive, folder / backup_name(path.stem, datetime(2026, 11, 21, 9, 0)),
                      now=datetime(2026, 11, 21, 9, 0))
        svc.customers.create(CustomerInput(name="最新备份里的客户"))
        bad = create_backup(archive, folder / backup_name(path.stem, datetime(2026, 11, 22, 9, 0)),
                            now=datetime(2026, 11, 22, 9, 0)).path
    finally:
        archive.close()
    for suffix in ("", ".lock", "-wal", "-shm"):
        work.with_name(work.name + suffix).unlink(missing_ok=True)
    data = bytearray(bad.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bad.write_bytes(bytes(data))
    assert list_backups(folder)[0].path == bad  # the newest of all is the damaged one
    return newest_good
