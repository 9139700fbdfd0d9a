"""Backups in the window: the 文件 menu, 立即备份, automatic backups and the backup on close, restoring from
the menu (keeping a copy) and from the unlock dialog when the archive is damaged or lost."""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from app import archive as af
from app.backup import backup_name, create_backup, list_backups, verify_backup
from app.config import MachineSettings
from app.rows import CustomerInput
from app.services import Services
from tests.conftest import PASSWORD
from ui.backup_actions import auto_runner, backup_now, backup_on_close
from ui.restore_dialog import (
    BackupChoiceDialog,
    BackupPasswordDialog,
    RestoreTargetDialog,
    offer_restore,
    restore_from_menu,
)


class Script:
    """Answers a sequence of modal dialogs in order, as a user would; records what each one said."""

    def __init__(self, steps: list[tuple[type[QWidget], Callable[[QWidget], None]]], timeout: float = 60) -> None:
        self.steps, self.seen, self.error = list(steps), [], None
        self.texts: list[str] = []  # what each answered dialog said (widgets may be gone afterwards)
        self.deadline = time.monotonic() + timeout
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(30)

    def _tick(self) -> None:
        modal = QApplication.activeModalWidget()
        if not self.steps or time.monotonic() > self.deadline:
            self.timer.stop()
            return
        kind, act = self.steps[0]
        if isinstance(modal, kind) and modal.isVisible() and modal not in self.seen:
            self.seen.append(modal)
            self.texts.append(_text_of(modal))
            self.steps.pop(0)
            try:
                act(modal)
            except BaseException as error:
                self.error = error
                modal.close()

    def done(self) -> list[str]:
        """Raise a failure inside an answer; every step must have been answered. The dialogs' texts."""
        self.timer.stop()
        if self.error is not None:
            raise self.error
        assert not self.steps, f"unanswered dialogs: {[k.__name__ for k, _ in self.steps]}"
        return self.texts


def _text_of(modal: QWidget) -> str:
    parts = [modal.text()] if isinstance(modal, QMessageBox) else []
    error = getattr(modal, "error_label", None)
    if error is not None:
        parts.append(error.text())
    return "\n".join(parts)


def _password(value: str) -> Callable[[QWidget], None]:
    def act(dialog: QWidget) -> None:
        dialog.password_edit.setText(value)  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]
    return act


def _accept(dialog: QWidget) -> None:
    dialog.accept()  # type: ignore[attr-defined]


def _yes(box: QWidget) -> None:
    box.button(QMessageBox.StandardButton.Yes).click()  # type: ignore[attr-defined]


@pytest.fixture
def folder(shell_ctx: object, tmp_path: Path) -> Path:
    """The backup folder of the test machine settings."""
    path = tmp_path / "自动备份"
    shell_ctx.machine.backup_dir = str(path)  # type: ignore[attr-defined]
    return path


def _menu_texts(window: QWidget) -> list[str]:
    file_menu = window.menuBar().actions()[0].menu()  # type: ignore[attr-defined]
    return [a.text() for a in file_menu.actions()]


def test_file_menu_has_the_backup_actions_and_they_follow_the_lock(main_window: object) -> None:
    texts = _menu_texts(main_window)  # type: ignore[arg-type]
    for text in ("立即备份", "备份到其他位置…", "从备份恢复…", "备份设置…"):
        assert text in texts
    menu = next(a for a in main_window.findChildren(type(main_window.actions.lock)) if a.text() == "立即备份")  # type: ignore[attr-defined]
    assert menu.isEnabled()
    main_window.close_archive()  # type: ignore[attr-defined]
    assert not menu.isEnabled()


def test_backup_now_writes_a_verified_backup(main_window: object, shell_ctx: object, svc: Services,
                                             folder: Path) -> None:
    svc.customers.create(CustomerInput(name="立即备份的客户"))
    script = Script([(QMessageBox, _accept)])
    info = backup_now(main_window, shell_ctx)  # type: ignore[arg-type]
    [text] = script.done()
    assert info is not None and info.path.parent == folder
    assert "校验通过" in text
    assert verify_backup(info.path, PASSWORD).customers == 1


def test_automatic_backup_runs_in_the_background_and_a_lock_waits_for_it(main_window: object, shell_ctx: object,
                                                                         svc: Services, folder: Path,
                                                                         qtbot: object) -> None:
    svc.customers.create(CustomerInput(name="自动备份的客户"))
    runner = auto_runner(shell_ctx)  # type: ignore[arg-type]
    assert runner is not None and runner.timer.isActive()
    runner.check()
    main_window.close_archive()  # type: ignore[attr-defined]  # waits for the running backup
    assert not runner.is_running()
    [info] = list_backups(folder)
    assert verify_backup(info.path, PASSWORD).customers == 1
    qtbot.waitUntil(lambda: "已自动备份" in main_window.statusBar().currentMessage(), timeout=5000)  # type: ignore[attr-defined]


def test_backup_on_close_only_when_something_changed(main_window: object, shell_ctx: object, svc: Services,
                                                     folder: Path) -> None:
    assert backup_on_close(shell_ctx, main_window) is not None  # type: ignore[arg-type]  # never backed up yet
    assert backup_on_close(shell_ctx, main_window) is None  # type: ignore[arg-type]  # nothing changed since
    svc.customers.create(CustomerInput(name="关闭前新建"))
    info = backup_on_close(shell_ctx, main_window)  # type: ignore[arg-type]
    assert info is not None and info.customers == 1 and len(list_backups(folder)) == 2


def test_restore_from_the_menu_replaces_the_archive_keeping_a_copy(main_window: object, shell_ctx: object,
                                                                   svc: Services, archive: af.Archive,
                                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    svc.customers.create(CustomerInput(name="备份里的客户"))
    backup = create_backup(archive, tmp_path / "menu.cfbak").path
    svc.customers.create(CustomerInput(name="备份之后的客户"))
    monkeypatch.setattr("ui.restore_dialog.QFileDialog.getOpenFileName", lambda *a, **k: (str(backup), ""))
    script = Script([(BackupPasswordDialog, _password("wrong-password")),
                     (BackupPasswordDialog, _password(PASSWORD)),
                     (RestoreTargetDialog, _accept),
                     (QMessageBox, _accept)])
    restore_from_menu(main_window, shell_ctx)  # type: ignore[arg-type]
    texts = script.done()
    assert "备份密码不正确" in texts[1]
    assert "原来的档案已改名保留" in texts[3]
    assert shell_ctx.is_open  # type: ignore[attr-defined]
    names = {r.name for r in shell_ctx.svc.customers.list().rows}  # type: ignore[attr-defined]
    assert names == {"备份里的客户"}
    assert len(list(archive.path.parent.glob("*.恢复前-*.cfdb"))) == 1


def _damaged_with_backups(path: Path, folder: Path) -> None:
    """Two backups of the archive at path in folder, then the archive is damaged in the middle."""
    from app.db import open_archive

    arc = open_archive(path, PASSWORD)
    try:
        Services.build(arc).customers.create_many([CustomerInput(name=f"客户{i}") for i in range(200)])
        for hour in (8, 9):
            when = datetime(2026, 11, 22, hour)
            create_backup(arc, folder / backup_name(path.stem, when), now=when)
    finally:
        arc.close()
    data = bytearray(path.read_bytes())
    data[(len(data) // af.PAGE_SIZE // 2) * af.PAGE_SIZE + 99] ^= 0xFF
    path.write_bytes(bytes(data))


def test_unlock_dialog_restores_a_damaged_archive_from_the_newest_verified_backup(
        shell_app: object, archive: af.Archive, tmp_path: Path, qtbot: object) -> None:
    from ui.unlock_dialog import UnlockDialog

    path, folder = archive.path, tmp_path / "备份"
    archive.close()
    _damaged_with_backups(path, folder)
    damaged = path.read_bytes()
    newest = folder / backup_name(path.stem, datetime(2026, 11, 22, 9))
    newest.write_bytes(newest.read_bytes()[:-af.PAGE_SIZE])  # the newest backup is truncated: not offered
    machine = MachineSettings(backup_dir=str(folder))
    dialog = UnlockDialog(None, machine, path)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    dialog.show()
    chosen = {}

    def choose(d: QWidget) -> None:
        chosen["rows"] = [d.backups_list.item(i).text() for i in range(d.backups_list.count())]  # type: ignore[attr-defined]
        d.accept()  # type: ignore[attr-defined]

    script = Script([(QMessageBox, _yes), (BackupPasswordDialog, _password(PASSWORD)),
                     (BackupChoiceDialog, choose), (QMessageBox, _accept)])
    dialog.password_edit.setText(PASSWORD)
    dialog.try_unlock()
    script.done()
    assert dialog.archive is not None and dialog.result() == QDialog.DialogCode.Accepted
    try:
        assert Services.build(dialog.archive).customers.count() == 200
    finally:
        dialog.archive.close()
    assert "不能用" in chosen["rows"][0] and "完好" in chosen["rows"][1]
    [kept] = path.parent.glob("*.恢复前-*.cfdb")
    assert kept.read_bytes() == damaged  # the damaged file is kept, never deleted
    assert machine.known_salts[str(path.resolve())] == af.read_salt(path).hex()


def test_a_lost_archive_is_offered_its_backups(shell_app: object, archive: af.Archive, tmp_path: Path) -> None:
    path, folder = archive.path, tmp_path / "备份"
    archive.close()
    _damaged_with_backups(path, folder)
    path.unlink()
    script = Script([(QMessageBox, _yes), (BackupPasswordDialog, _password(PASSWORD)),
                     (BackupChoiceDialog, _accept), (QMessageBox, _accept)])
    opened = offer_restore(None, MachineSettings(backup_dir=str(folder)), path)
    texts = script.done()
    assert "找不到档案" in texts[0]
    assert opened is not None
    opened.close()
    assert list(path.parent.glob("*.恢复前-*")) == []  # nothing was there to keep


def test_no_offer_for_a_lost_archive_without_backups(shell_app: object, tmp_path: Path) -> None:
    assert offer_restore(None, MachineSettings(backup_dir=str(tmp_path / "none")), tmp_path / "x.cfdb") is None
