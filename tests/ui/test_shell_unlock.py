"""The unlock dialog tells a wrong password, a damaged file, a file open elsewhere and a missing file apart."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.archive import PAGE_SIZE
from app.config import MachineSettings
from app.db import create_archive, open_archive
from tests.conftest import PASSWORD
from ui.unlock_dialog import UnlockDialog


@pytest.fixture
def closed_archive(archive_path: Path) -> Path:
    """An archive on disk, closed, with a few pages of data."""
    from app.rows import CustomerInput
    from app.services import Services

    arc = create_archive(archive_path, PASSWORD)
    Services.build(arc).customers.create_many([CustomerInput(name=f"客户{i}") for i in range(300)])
    arc.close()
    return archive_path


@pytest.fixture
def dialog_for(qtbot, shell_app):
    def make(path: Path, machine: MachineSettings | None = None, **kw) -> UnlockDialog:
        dialog = UnlockDialog(None, machine or MachineSettings(), path, **kw)
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog
    return make


def _unlock(qtbot, dialog: UnlockDialog, password: str) -> None:
    dialog.password_edit.setText(password)  # the test password has Chinese: QTest types only ASCII
    qtbot.mouseClick(dialog.unlock_button, Qt.MouseButton.LeftButton)


def _digest(path: Path) -> tuple[str, int]:
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def test_wrong_password_says_so_and_changes_nothing(qtbot, dialog_for, closed_archive):
    before = _digest(closed_archive)
    dialog = dialog_for(closed_archive)
    _unlock(qtbot, dialog, "not-the-password")
    assert "密码不正确" in dialog.message_label.text()
    assert dialog.isVisible() and dialog.archive is None
    _unlock(qtbot, dialog, "still-wrong")
    assert "已输错 2 次" in dialog.message_label.text()
    assert _digest(closed_archive) == before
    _unlock(qtbot, dialog, PASSWORD)
    assert dialog.archive is not None
    dialog.archive.close()


def test_damaged_file_is_reported_as_damage_and_offers_the_backup(qtbot, dialog_for, closed_archive, monkeypatch):
    offered: list[Path] = []
    monkeypatch.setattr(UnlockDialog, "_offer_backup", lambda self, path: offered.append(path))
    data = bytearray(closed_archive.read_bytes())
    middle = (len(data) // PAGE_SIZE // 2) * PAGE_SIZE + 100
    data[middle:middle + 16] = bytes(16)
    closed_archive.write_bytes(bytes(data))
    before = _digest(closed_archive)
    dialog = dialog_for(closed_archive)
    _unlock(qtbot, dialog, PASSWORD)
    text = dialog.message_label.text()
    assert "已损坏" in text and "密码不正确" not in text
    assert offered == [closed_archive]
    assert dialog.damage is not None and dialog.archive is None
    assert _digest(closed_archive) == before


def test_damaged_salt_is_told_from_a_wrong_password_by_the_remembered_salt(qtbot, dialog_for, closed_archive,
                                                                          monkeypatch):
    offered: list[Path] = []
    monkeypatch.setattr(UnlockDialog, "_offer_backup", lambda self, path: offered.append(path))
    machine = MachineSettings()
    first = dialog_for(closed_archive, machine)
    _unlock(qtbot, first, PASSWORD)  # a successful open records the salt
    first.archive.close()
    assert str(closed_archive.resolve()) in machine.known_salts
    data = bytearray(closed_archive.read_bytes())
    data[3] ^= 0xFF
    closed_archive.write_bytes(bytes(data))
    dialog = dialog_for(closed_archive, machine)
    _unlock(qtbot, dialog, PASSWORD)
    assert "盐值" in dialog.message_label.text()
    assert offered == [closed_archive]


def test_archive_open_in_another_window_is_refused_clearly(qtbot, dialog_for, closed_archive):
    holder = open_archive(closed_archive, PASSWORD)
    try:
        dialog = dialog_for(closed_archive)
        _unlock(qtbot, dialog, PASSWORD)
        assert "另一个 ClientFile 窗口" in dialog.message_label.text()
    finally:
        holder.close()


def test_missing_file_is_named_and_never_created(qtbot, dialog_for, tmp_path):
    missing = tmp_path / "U盘" / "客户档案.cfdb"
    dialog = dialog_for(missing)
    _unlock(qtbot, dialog, PASSWORD)
    assert "找不到档案文件" in dialog.message_label.text()
    assert not missing.exists()


def test_default_offer_backup_names_the_backup_folder(qtbot, dialog_for, closed_archive, answer_modal):
    from PySide6.QtWidgets import QMessageBox

    from app.config import default_backup_dir

    closed_archive.write_bytes(closed_archive.read_bytes()[: PAGE_SIZE * 3 + 10])  # truncated, not page-aligned
    seen = {}

    def read(box: QMessageBox) -> None:
        seen["text"] = box.text()
        box.accept()

    answer = answer_modal(QMessageBox, read)
    dialog = dialog_for(closed_archive)
    _unlock(qtbot, dialog, PASSWORD)
    answer.check()
    assert str(default_backup_dir()) in seen["text"]
    assert "已损坏" in dialog.message_label.text()


def test_sample_archive_shows_its_password(qtbot, dialog_for):
    from app import demo

    dialog = dialog_for(demo.sample_archive_path())
    assert demo.SAMPLE_PASSWORD in dialog.hint_label.text()


def test_the_main_window_loads_while_the_key_is_derived(qtbot, dialog_for, closed_archive):
    """while_waiting runs on the GUI thread during the open, with the worker still busy; errors still show."""
    import threading

    calls: list[bool] = []

    def while_waiting() -> None:
        calls.append(any(t.name == "open-archive" for t in threading.enumerate()))

    dialog = dialog_for(closed_archive, while_waiting=while_waiting)
    _unlock(qtbot, dialog, "not-the-password")
    assert "密码不正确" in dialog.message_label.text()
    _unlock(qtbot, dialog, PASSWORD)
    assert dialog.archive is not None
    dialog.archive.close()
    assert calls == [True, True]
