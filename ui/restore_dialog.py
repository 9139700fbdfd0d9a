"""Restoring from a backup: from the menu (into the current archive or as a new one) and from the unlock
dialog when the archive is damaged or lost (the newest verified backups of that archive).

Every check and every file operation is app.backup_restore's; a bad or wrong-password backup is refused
before anything is touched, and the file that was there is always kept under a new name.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app import archive as af
from app.backup import BackupInfo
from app.backup_restore import Restored, restore_detailed
from app.backup_rotation import archive_backups, backup_folder, newest_verified
from app.config import ARCHIVE_SUFFIX, BACKUP_SUFFIX, MachineSettings
from app.errors import AppError, ArchiveDamaged, WrongPassword
from ui.error_dialog import show_app_error
from ui.tasks import run_task

if TYPE_CHECKING:
    from ui.context import AppContext
    from ui.main_window import MainWindow

logger = logging.getLogger(__name__)

MAX_CHECKED = 8  # backups verified at most when looking for good ones (each check reads every page)
MAX_OFFERED = 3


def _tr(text: str) -> str:
    return QCoreApplication.translate("Restore", text)


def _when(info: BackupInfo) -> str:
    return f"{info.when:%Y-%m-%d %H:%M}"


class BackupPasswordDialog(QDialog):
    """Ask for a backup's password (by default the archive's password when the backup was made)."""

    def __init__(self, parent: QWidget | None, file: Path, message: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("备份密码"))
        intro = QLabel(self.tr("请输入备份“{name}”的密码。\n备份默认使用做备份时档案的密码。").format(name=file.name))
        intro.setWordWrap(True)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.error_label = QLabel(message)
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        for widget in (intro, self.password_edit, self.error_label, self.buttons):
            layout.addWidget(widget)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.resize(460, 0)

    @classmethod
    def ask(cls, parent: QWidget | None, file: Path, message: str = "") -> str | None:
        """The typed password, or None when cancelled."""
        dialog = cls(parent, file, message)
        if dialog.exec() != QDialog.DialogCode.Accepted or not dialog.password_edit.text():
            return None
        return dialog.password_edit.text()


def _verify_with_password(parent: QWidget | None, file: Path) -> tuple[BackupInfo, str] | None:
    """Ask the password until the backup verifies; None when cancelled or the file is bad (shown)."""
    from app.backup import verify_backup

    message = ""
    while True:
        password = BackupPasswordDialog.ask(parent, file, message)
        if password is None:
            return None
        try:
            info = run_task(parent, _tr("正在校验备份…"), verify_backup, file, password)
        except WrongPassword as error:
            message = str(error)
            continue
        except AppError as error:
            show_app_error(parent, _tr("备份不能用"), error)
            return None
        return (info, password) if info is not None else None


class RestoreTargetDialog(QDialog):
    """What to do with a verified backup: replace the current archive (keeping a copy) or make a new one."""

    def __init__(self, parent: QWidget | None, info: BackupInfo, current: Path | None) -> None:
        super().__init__(parent)
        self.current = current
        self.setWindowTitle(self.tr("从备份恢复"))
        self._build_widgets(info)
        self._build_layout()
        self._connect_signals()
        self.resize(580, 0)

    @classmethod
    def ask(cls, parent: QWidget | None, info: BackupInfo, current: Path | None) -> Path | None:
        """The archive file to restore into (current means: replace it), or None when cancelled."""
        dialog = cls(parent, info, current)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        if dialog.current_radio.isChecked() and current is not None:
            return current
        return Path(dialog.path_edit.text().strip())

    def _build_widgets(self, info: BackupInfo) -> None:
        self.info_label = QLabel(self.tr(
            "备份完好（每一页都已校验）。\n时间：{when}\n客户：{n} 位\n由 ClientFile {v} 制作").format(
            when=_when(info), n=info.customers, v=info.app_version))
        self.current_radio = QRadioButton(self.tr("替换当前档案（当前档案先改名保留在原文件夹，不会删除）"))
        self.new_radio = QRadioButton(self.tr("恢复为一个新档案："))
        self.group = QButtonGroup(self)
        for radio in (self.current_radio, self.new_radio):
            self.group.addButton(radio)
        self.current_radio.setEnabled(self.current is not None)
        (self.current_radio if self.current is not None else self.new_radio).setChecked(True)
        stem = info.archive_name or self.tr("恢复的档案")
        folder = self.current.parent if self.current is not None else Path.home()
        name = self.tr("{stem}-恢复-{when}").format(stem=stem, when=f"{info.when:%Y%m%d-%H%M}")
        self.path_edit = QLineEdit(str(folder / f"{name}{ARCHIVE_SUFFIX}"))
        self.browse_button = QPushButton(self.tr("浏览…"))
        self.hint_label = QLabel(self.tr("恢复后的档案使用这个备份的密码。"))
        self.hint_label.setProperty("role", "hint")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("恢复"))

    def _build_layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info_label)
        layout.addWidget(self.current_radio)
        layout.addWidget(self.new_radio)
        layout.addLayout(row)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.browse_button.clicked.connect(self._browse)
        self.new_radio.toggled.connect(self.path_edit.setEnabled)
        self.new_radio.toggled.connect(self.browse_button.setEnabled)
        self.path_edit.setEnabled(self.new_radio.isChecked())
        self.browse_button.setEnabled(self.new_radio.isChecked())
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("恢复为新档案"), self.path_edit.text(),
                                              self.tr("客户档案 (*{s})").format(s=ARCHIVE_SUFFIX))
        if name:
            self.path_edit.setText(name if name.endswith(ARCHIVE_SUFFIX) else name + ARCHIVE_SUFFIX)

    def _check(self) -> None:
        if self.new_radio.isChecked():
            target = Path(self.path_edit.text().strip())
            if not self.path_edit.text().strip():
                return
            if self.current is not None and target.resolve() == self.current.resolve():
                self.current_radio.setChecked(True)  # the same file: that is replacing the current one
        self.accept()


def _done_text(done: Restored) -> str:
    text = _tr("已从 {when} 的备份恢复（客户 {n} 位）。").format(when=_when(done.backup), n=done.backup.customers)
    if done.kept is not None:
        text += "\n\n" + _tr("原来的档案已改名保留：\n{kept}").format(kept=done.kept)
    return text + "\n\n" + _tr("恢复后的档案使用这个备份的密码。")


def _restore_and_open(parent: QWidget | None, machine: MachineSettings, backup: Path, password: str,
                      target: Path) -> tuple[Restored, af.Archive] | None:
    """Restore (with progress), remember the new salt, open the restored archive."""
    from app.db import open_archive
    from ui.unlock_dialog import remember_open, wait_cursor

    done = run_task(parent, _tr("正在恢复…"), restore_detailed, backup, password, target)
    if done is None:
        return None
    with wait_cursor():
        archive = open_archive(done.archive, password)
    remember_open(machine, archive)  # the restored file carries the backup's salt
    return done, archive


def restore_from_menu(window: MainWindow, ctx: AppContext) -> None:
    """文件 → 从备份恢复…: choose a backup, its password, then replace the current archive or make a new one."""
    start = backup_folder(ctx.machine)
    name, _ = QFileDialog.getOpenFileName(window, _tr("选择备份文件"), str(start),
                                          _tr("ClientFile 备份 (*{s});;所有文件 (*)").format(s=BACKUP_SUFFIX))
    if not name:
        return
    verified = _verify_with_password(window, Path(name))
    if verified is None:
        return
    info, password = verified
    current = ctx.archive_path if ctx.is_open else None
    target = RestoreTargetDialog.ask(window, info, current)
    if target is None:
        return
    replacing = current is not None and target.resolve() == current.resolve()
    if replacing:
        from ui.backup_actions import auto_runner

        runner = auto_runner(ctx)
        if runner is not None:
            runner.wait()
        window.close_archive()  # the file must be closed (and unlocked) before it is replaced
    try:
        result = _restore_and_open(window, ctx.machine, Path(name), password, target)
    except AppError as error:
        show_app_error(window, _tr("从备份恢复"), error)
        result = None
    if result is None:
        if replacing:
            window.ask_unlock()  # nothing was replaced: open the current archive again
        return
    done, archive = result
    window.switch_to(archive)
    QMessageBox.information(window, _tr("从备份恢复"), _done_text(done))


# ----- from the unlock dialog --------------------------------------------------------------------------
class BackupChoiceDialog(QDialog):
    """The newest verified backups of a damaged or lost archive; pick one to restore it from."""

    def __init__(self, parent: QWidget | None, archive_path: Path, checked: list[BackupInfo]) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("从备份恢复档案"))
        self.checked = checked
        intro = QLabel(self.tr(
            "可以用下面校验完好的备份恢复“{name}”。原来的文件会改名保留在同一个文件夹里，不会删除；"
            "备份之后的改动不在备份里。").format(name=archive_path.name))
        intro.setWordWrap(True)
        self.backups_list = QListWidget()
        for info in checked:
            text = (self.tr("{when}　客户 {n} 位　完好").format(when=_when(info), n=info.customers) if info.verified
                    else self.tr("{when}　不能用：{why}").format(when=_when(info), why=info.problem))
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, str(info.path))
            if not info.verified:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsSelectable)
            self.backups_list.addItem(item)
        first = next((i for i, info in enumerate(checked) if info.verified), None)
        if first is not None:
            self.backups_list.setCurrentRow(first)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("用选中的备份恢复"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(first is not None)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.backups_list)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.resize(560, 320)

    @classmethod
    def ask(cls, parent: QWidget | None, archive_path: Path, checked: list[BackupInfo]) -> BackupInfo | None:
        """The chosen verified backup, or None."""
        dialog = cls(parent, archive_path, checked)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        item = dialog.backups_list.currentItem()
        chosen = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return next((c for c in checked if str(c.path) == chosen and c.verified), None)


def offer_restore(parent: QWidget | None, machine: MachineSettings, archive_path: Path,
                  damage: ArchiveDamaged | None = None) -> af.Archive | None:
    """The unlock dialog's offer for a damaged (damage given) or missing archive: restore the newest verified
    backup in its place, keeping the damaged file renamed beside it. Returns the opened archive or None."""
    infos = archive_backups(backup_folder(machine), archive_path.stem)
    if not infos:
        return _explain_without_backups(parent, machine, archive_path, damage) if damage is not None else None
    what = (_tr("档案“{name}”已损坏（程序没有修改它）。") if damage is not None
            else _tr("找不到档案“{name}”。")).format(name=archive_path.name)
    ask = QMessageBox.question(parent, _tr("从备份恢复"), what + "\n\n" + _tr(
        "备份文件夹里有这个档案的 {n} 个备份，最新的是 {when}。\n要校验这些备份并从中恢复吗？").format(
        n=len(infos), when=_when(infos[0])))
    if ask != QMessageBox.StandardButton.Yes:
        return None
    return _pick_and_restore(parent, machine, archive_path, infos)


def _pick_and_restore(parent: QWidget | None, machine: MachineSettings, archive_path: Path,
                      infos: list[BackupInfo]) -> af.Archive | None:
    message = ""
    while True:
        password = BackupPasswordDialog.ask(parent, infos[0].path, message)
        if password is None:
            return None
        checked = run_task(parent, _tr("正在校验备份…"), newest_verified, infos, password,
                           wanted=MAX_OFFERED, at_most=MAX_CHECKED)
        if checked is None:
            return None
        if any(c.verified for c in checked) or not all("密码" in c.problem for c in checked):
            break
        message = _tr("这个密码打不开这些备份，请再试一次。")
    chosen = BackupChoiceDialog.ask(parent, archive_path, checked)
    if chosen is None:
        return None
    try:
        result = _restore_and_open(parent, machine, chosen.path, password, archive_path)
    except AppError as error:
        show_app_error(parent, _tr("从备份恢复"), error)
        return None
    if result is None:
        return None
    done, archive = result
    QMessageBox.information(parent, _tr("从备份恢复"), _done_text(done))
    return archive


def _explain_without_backups(parent: QWidget | None, machine: MachineSettings, archive_path: Path,
                             damage: ArchiveDamaged) -> af.Archive | None:
    """No backup of this archive in the folder: say so, and let the user pick a backup file elsewhere."""
    box = QMessageBox(QMessageBox.Icon.Warning, _tr("档案文件已损坏"), _tr(
        "档案“{name}”没有通过完整性检查，可能是磁盘错误、拷贝不完整或文件被改动。程序没有修改它。\n\n"
        "备份文件夹里没有这个档案的备份：\n{folder}\n\n如果别处（U盘、同步盘）有备份，可以选择它来恢复；"
        "损坏的文件会改名保留，不会删除。").format(name=archive_path.name, folder=backup_folder(machine)),
        QMessageBox.StandardButton.Close, parent)
    pick = box.addButton(_tr("选择备份文件…"), QMessageBox.ButtonRole.AcceptRole)
    if damage.details:
        box.setDetailedText("\n".join(damage.details))
    box.exec()
    if box.clickedButton() is not pick:
        return None
    name, _ = QFileDialog.getOpenFileName(parent, _tr("选择备份文件"), str(archive_path.parent),
                                          _tr("ClientFile 备份 (*{s});;所有文件 (*)").format(s=BACKUP_SUFFIX))
    verified = _verify_with_password(parent, Path(name)) if name else None
    if verified is None:
        return None
    try:
        result = _restore_and_open(parent, machine, Path(name), verified[1], archive_path)
    except AppError as error:
        show_app_error(parent, _tr("从备份恢复"), error)
        return None
    if result is None:
        return None
    QMessageBox.information(parent, _tr("从备份恢复"), _done_text(result[0]))
    return result[1]
