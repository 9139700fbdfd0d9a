"""First start and later starts: the welcome dialog creates an archive; the unlock dialog opens the last one."""
from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.config import MachineSettings, default_archive_path
from app.db import create_archive, open_archive
from app.errors import WrongPassword
from ui.main import first_archive
from ui.unlock_dialog import UnlockDialog
from ui.welcome_dialog import WelcomeDialog

NEW_PASSWORD = "Kehu-2026-dang'an"


def _args(**kw) -> argparse.Namespace:
    return argparse.Namespace(archive=kw.get("archive"), sample=kw.get("sample", False))


def _fill_new(qtbot, dialog: WelcomeDialog, password: str, repeat: str | None = None) -> None:
    qtbot.keyClicks(dialog.password_fields.password_edit, password)
    qtbot.keyClicks(dialog.password_fields.repeat_edit, password if repeat is None else repeat)


def test_first_start_creates_an_archive_through_the_welcome_dialog(qtbot, shell_app, answer_modal):
    machine = MachineSettings()
    seen = {}

    def create(dialog: WelcomeDialog) -> None:
        seen["location"] = dialog.location_edit.text()
        _fill_new(qtbot, dialog, NEW_PASSWORD)
        seen["strength"] = dialog.password_fields.strength_label.text()
        seen["warning"] = dialog.password_fields.warning_label.text()
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)

    answer = answer_modal(WelcomeDialog, create)
    archive = first_archive(_args(), machine)
    answer.check()
    assert archive is not None
    try:
        assert seen["location"] == str(default_archive_path())
        assert seen["strength"].startswith("密码强度：")
        assert "无法找回" in seen["warning"]
        assert archive.path == default_archive_path() and archive.path.exists()
        assert archive.path.read_bytes()[:16] != b"SQLite format 3\x00"
        stored = MachineSettings.load()  # remembered on disk, with the salt
        assert stored.last_archive == str(archive.path.resolve())
        assert stored.known_salts[stored.last_archive] == archive.salt.hex()
    finally:
        archive.close()
    open_archive(archive.path, NEW_PASSWORD).close()
    with pytest.raises(WrongPassword):
        open_archive(archive.path, NEW_PASSWORD + "x")


def test_welcome_refuses_mismatched_or_weak_passwords_and_existing_files(qtbot, shell_app, tmp_path):
    dialog = WelcomeDialog(None, MachineSettings())
    qtbot.addWidget(dialog)
    target = tmp_path / "新档案.cfdb"
    dialog.location_edit.setText(str(target))
    _fill_new(qtbot, dialog, NEW_PASSWORD, NEW_PASSWORD + "!")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert "两次输入的密码不一致" in dialog.error_label.text()
    dialog.password_fields.clear()
    _fill_new(qtbot, dialog, "abc")
    assert "太弱" in dialog.password_fields.strength_label.text()
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert "至少需要" in dialog.error_label.text()
    assert not target.exists() and dialog.archive is None
    target.write_bytes(b"mine")
    dialog.password_fields.clear()
    _fill_new(qtbot, dialog, NEW_PASSWORD)
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert "已存在" in dialog.error_label.text()
    assert target.read_bytes() == b"mine"


def test_welcome_suggests_a_free_name_when_the_default_exists(qtbot, shell_app):
    default_archive_path().parent.mkdir(parents=True, exist_ok=True)
    default_archive_path().write_bytes(b"x")
    dialog = WelcomeDialog(None, MachineSettings())
    qtbot.addWidget(dialog)
    assert Path(dialog.location_edit.text()).name == "客户档案 2.cfdb"


def test_later_start_unlocks_the_last_archive(qtbot, shell_app, archive_path, answer_modal):
    from tests.conftest import PASSWORD

    create_archive(archive_path, PASSWORD).close()
    machine = MachineSettings(last_archive=str(archive_path))
    seen = {}

    def unlock(dialog: UnlockDialog) -> None:
        seen["file"] = dialog.file_label.text()
        qtbot.keyClicks(dialog.password_edit, "wrong-one")
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
        seen["wrong"] = dialog.message_label.text()
        dialog.password_edit.setText(PASSWORD)
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)

    answer = answer_modal(UnlockDialog, unlock)
    archive = first_archive(_args(), machine)
    answer.check()
    try:
        assert archive is not None and archive.path == archive_path
        assert archive_path.name in seen["file"]
        assert "密码不正确" in seen["wrong"]
        assert machine.known_salts[str(archive_path.resolve())] == archive.salt.hex()
    finally:
        archive.close()


def test_unlock_can_go_to_the_welcome_dialog(qtbot, shell_app, archive_path, answer_modal):
    from tests.conftest import PASSWORD

    create_archive(archive_path, PASSWORD).close()
    answer_modal(UnlockDialog, lambda d: qtbot.mouseClick(d.new_button, Qt.MouseButton.LeftButton))
    welcomed = answer_modal(WelcomeDialog, lambda d: d.reject())
    assert first_archive(_args(archive=str(archive_path)), MachineSettings()) is None
    assert len(welcomed.check()) == 1


@pytest.mark.slow
def test_sample_archive_opens_with_one_click(qtbot, shell_app):
    from app import demo

    dialog = WelcomeDialog(None, MachineSettings())
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.sample_button, Qt.MouseButton.LeftButton)
    archive = dialog.archive
    assert archive is not None
    try:
        assert archive.path == demo.sample_archive_path()
        from app.services import Services

        assert Services.build(archive).customers.count() > 100
    finally:
        archive.close()


_RUN_SCRIPT = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ui.main import create_application, run
from ui.main_window import MainWindow
from ui.unlock_dialog import UnlockDialog

create_application()
password, seen = sys.argv[2], {}

def answer():
    modal = QApplication.activeModalWidget()
    if not isinstance(modal, UnlockDialog):
        QTimer.singleShot(30, answer)
        return
    seen["path"] = str(modal.path)
    modal.password_edit.setText(password)
    modal.unlock_button.click()

def look_and_quit():
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    if not shown:
        QTimer.singleShot(30, look_and_quit)
        return
    seen["title"], seen["count"] = shown[0].windowTitle(), shown[0].count_label.text()
    shown[0].quit()

QTimer.singleShot(30, answer)
QTimer.singleShot(30, look_and_quit)
from app.cli import build_parser
seen["code"] = run(build_parser().parse_args(["--archive", sys.argv[1]]))
print("RESULT" + json.dumps(seen, ensure_ascii=False))
"""


def test_clientfile_archive_path_runs_the_app_on_that_archive(archive_path):
    """`clientfile --archive PATH`: the unlock dialog names that file; the main window opens on it; quitting
    closes the archive. Run in a fresh process: app.exec() and quit() would leave this one's event loop spent."""
    import json
    import os
    import subprocess
    import sys

    from tests.conftest import PASSWORD

    create_archive(archive_path, PASSWORD).close()
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(root))
    done = subprocess.run([sys.executable, "-c", _RUN_SCRIPT, str(archive_path), PASSWORD], env=env, cwd=root,
                          capture_output=True, text=True, timeout=120)
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT")]
    assert lines, done.stderr[-2000:]
    seen = json.loads(lines[0][len("RESULT"):])
    assert seen["code"] == 0 and seen["path"] == str(archive_path)
    assert archive_path.name in seen["title"] and seen["count"] == "客户 0 位"
    stored = MachineSettings.load()
    assert stored.last_archive == str(archive_path.resolve())
    open_archive(archive_path, PASSWORD).close()  # closed cleanly: the lock was released


def test_missing_archive_argument_is_offered_as_the_new_file(qtbot, shell_app, tmp_path, answer_modal):
    from PySide6.QtWidgets import QMessageBox

    wanted = tmp_path / "U盘" / "我的客户.cfdb"
    told = answer_modal(QMessageBox, lambda box: box.accept())
    seen = {}

    def create(dialog: WelcomeDialog) -> None:
        seen["location"] = dialog.location_edit.text()
        _fill_new(qtbot, dialog, NEW_PASSWORD)
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)

    answer_modal(WelcomeDialog, create)
    archive = first_archive(_args(archive=str(wanted)), MachineSettings())
    told.check()
    assert "找不到档案文件" in told.texts[0]
    assert seen["location"] == str(wanted)
    assert archive is not None and archive.path == wanted
    archive.close()
