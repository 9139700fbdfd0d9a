"""Backups in the desktop app: 立即备份, 备份到其他位置, 备份设置, automatic backups and the backup on close.

Every rule lives in app.backup / app.backup_rotation; this module only asks, shows progress and reports.
Automatic backups run in a plain thread (no dialog: the user keeps working); a lock or a close waits for
a running one before the archive closes.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.backup import BackupInfo, create_backup, free_backup_path, parse_name
from app.backup_rotation import AutoBackup, backup_folder, rotate_folder
from app.config import BACKUP_SUFFIX
from app.errors import AppError, ArchiveDamaged
from app.progress import ProgressFn
from ui.context import AppContext
from ui.error_dialog import action_guard, show_app_error
from ui.tasks import run_task

if TYPE_CHECKING:
    from app.archive import Archive

logger = logging.getLogger(__name__)

RUNNER_KEY = "auto_backup"
CHECK_EVERY_MS = 60_000


def _tr(text: str) -> str:
    from PySide6.QtCore import QCoreApplication

    return QCoreApplication.translate("Backup", text)


def describe(info: BackupInfo) -> str:
    """One line about a backup for messages and lists."""
    size = f"{info.size / 1024 / 1024:.1f} MB"
    who = _tr("客户 {n} 位，").format(n=info.customers) if info.counts else ""
    return _tr("{when}（{who}{size}）").format(when=f"{info.when:%Y-%m-%d %H:%M}", who=who, size=size)


# ----- 立即备份 and 备份到其他位置 -----------------------------------------------------------------------
def _backup_into_folder(archive: Archive, folder: Path, *, progress: ProgressFn) -> BackupInfo:
    """The work of 立即备份 (in the task thread): a standard-named backup, then the rotation."""
    now = datetime.now()
    info = create_backup(archive, free_backup_path(folder, archive.path.stem, now), progress=progress, now=now)
    rotate_folder(folder, archive.path.stem, archive.key_for_copy(), now, known_good=[info.path])
    return info


def backup_now(parent: QWidget, ctx: AppContext) -> BackupInfo | None:
    """文件 → 立即备份: a verified backup into the backup folder, with progress; None if cancelled or refused."""
    if not ctx.is_open:
        return None
    folder = backup_folder(ctx.machine)
    runner = auto_runner(ctx)
    with action_guard(parent, _tr("立即备份")):
        if runner is not None:
            runner.wait()
        info = run_task(parent, _tr("正在备份…"), _backup_into_folder, ctx.svc.archive, folder)
        if info is None:
            return None
        if runner is not None:
            runner.note_backup(info)
        QMessageBox.information(parent, _tr("立即备份"), _tr(
            "备份已写好并校验通过：\n{file}\n{what}\n\n它用档案的密码打开。").format(file=info.path, what=describe(info)))
        return info
    return None


class SaveBackupDialog(QDialog):
    """Where to write a backup, and whether it gets its own password."""

    def __init__(self, parent: QWidget | None, start: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("备份到其他位置"))
        self._build_widgets(start)
        self._build_layout()
        self._connect_signals()
        self.resize(560, 0)

    @classmethod
    def ask(cls, parent: QWidget | None, start: Path) -> tuple[Path, str | None] | None:
        """(file, own password or None for the archive's), or None when cancelled."""
        dialog = cls(parent, start)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        own = dialog.own_check.isChecked()
        return Path(dialog.path_edit.text().strip()), dialog.password_edit.text() if own else None

    def _build_widgets(self, start: Path) -> None:
        self.path_edit = QLineEdit(str(start))
        self.browse_button = QPushButton(self.tr("浏览…"))
        self.own_check = QCheckBox(self.tr("给这个备份单独设密码（例如交给别人保管的U盘）"))
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("备份密码（至少 6 位）"))
        self.again_edit = QLineEdit()
        self.again_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.again_edit.setPlaceholderText(self.tr("再输入一次"))
        for edit in (self.password_edit, self.again_edit):
            edit.setEnabled(False)
        self.hint_label = QLabel(self.tr("不单独设密码时，备份用档案现在的密码打开。备份文件是加密的，可以放心拷走。"))
        self.hint_label.setWordWrap(True)
        self.hint_label.setProperty("role", "hint")
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("备份"))

    def _build_layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow(self.tr("备份文件："), row)
        form.addRow("", self.own_check)
        form.addRow(self.tr("备份密码："), self.password_edit)
        form.addRow("", self.again_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.browse_button.clicked.connect(self._browse)
        self.own_check.toggled.connect(self.password_edit.setEnabled)
        self.own_check.toggled.connect(self.again_edit.setEnabled)
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("备份到"), self.path_edit.text(),
                                              self.tr("ClientFile 备份 (*{s})").format(s=BACKUP_SUFFIX))
        if name:
            self.path_edit.setText(name if name.endswith(BACKUP_SUFFIX) else name + BACKUP_SUFFIX)

    def _check(self) -> None:
        from app.archive import check_new_password

        try:
            if not self.path_edit.text().strip():
                raise AppError(self.tr("请选择备份文件的位置。"))
            if self.own_check.isChecked():
                check_new_password(self.password_edit.text())
                if self.password_edit.text() != self.again_edit.text():
                    raise AppError(self.tr("两次输入的备份密码不一致。"))
        except AppError as error:
            self.error_label.setText(str(error))
            return
        self.accept()


def backup_elsewhere(parent: QWidget, ctx: AppContext) -> BackupInfo | None:
    """文件 → 备份到其他位置: a chosen file (e.g. a USB stick), optionally with its own password."""
    if not ctx.is_open:
        return None
    archive = ctx.svc.archive
    start = Path.home() / f"{archive.path.stem}-{datetime.now():%Y%m%d-%H%M}{BACKUP_SUFFIX}"
    answer = SaveBackupDialog.ask(parent, start)
    if answer is None:
        return None
    dest, password = answer
    with action_guard(parent, _tr("备份到其他位置")):
        info = run_task(parent, _tr("正在备份…"), create_backup, archive, dest, password, overwrite=True)
        if info is not None:
            extra = _tr("\n\n这个备份有单独的密码，请牢记：忘记后无法打开。") if password else ""
            QMessageBox.information(parent, _tr("备份到其他位置"), _tr("备份已写好并校验通过：\n{file}\n{what}")
                                    .format(file=info.path, what=describe(info)) + extra)
        return info
    return None


# ----- automatic backups ---------------------------------------------------------------------------------
class AutoBackupRunner(QObject):
    """A minute timer asking AutoBackup whether a backup is due, running it in a thread."""

    finished = Signal(object, object)  # BackupInfo | None, AppError | None — delivered on the GUI thread
    started = Signal()

    def __init__(self, window: QWidget, ctx: AppContext) -> None:
        super().__init__(window)
        self.window, self.ctx = window, ctx
        self.auto: AutoBackup | None = None
        self._thread: threading.Thread | None = None
        self._warned = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        self.finished.connect(self._report)
        ctx.bus.archive_locked.connect(self.wait)  # never close the archive under a running backup
        ctx.bus.settings_changed.connect(self._forget)
        ctx.bus.archive_opened.connect(self._forget)

    def policy(self) -> AutoBackup | None:
        """The policy object of the open archive (rebuilt when the archive or the settings change)."""
        if not self.ctx.is_open:
            return None
        archive = self.ctx.svc.archive
        if self.auto is None or self.auto.archive is not archive:
            self.auto = AutoBackup(archive, backup_folder(self.ctx.machine), self.ctx.machine.auto_backup_minutes)
        return self.auto

    def _forget(self) -> None:
        self.wait()
        self.auto = None

    def is_running(self) -> bool:
        """True while a backup thread works."""
        return self._thread is not None and self._thread.is_alive()

    def check(self) -> None:
        """The timer: start a background run (it returns at once when nothing is due)."""
        auto = self.policy()
        if auto is None or self.is_running():
            return
        self._thread = threading.Thread(target=self._work, args=(auto,), name="auto-backup", daemon=True)
        self._thread.start()

    def _work(self, auto: AutoBackup) -> None:
        try:
            info = auto.run()
        except AppError as error:
            self.finished.emit(None, error)
        except Exception as error:  # a worker must not die silently: the log gets the type, the user a line
            logger.exception("automatic backup failed")
            self.finished.emit(None, AppError(_tr("自动备份失败：{e}").format(e=type(error).__name__)))
        else:
            self.finished.emit(info, None)

    def wait(self) -> None:
        """Block until a running backup has finished (before the archive closes)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def note_backup(self, info: BackupInfo) -> None:
        """A manual backup into the folder counts as the latest automatic one."""
        auto = self.policy()
        if auto is not None and parse_name(info.path.name):
            auto.reload_state()

    def _report(self, info: BackupInfo | None, error: AppError | None) -> None:
        bar = getattr(self.window, "statusBar", None)
        if info is not None and callable(bar):
            bar().showMessage(self.tr("已自动备份（{t}）").format(t=f"{info.when:%H:%M}"), 15_000)
        if error is None:
            self._warned = False
            return
        logger.warning("automatic backup refused: %s", type(error).__name__)
        if callable(bar):
            bar().showMessage(self.tr("自动备份没有完成：{e}").format(e=error), 60_000)
        if not self._warned:  # once per problem, not every minute
            self._warned = True
            show_app_error(self.window, self.tr("自动备份"), error)

    def backup_on_close(self, parent: QWidget | None) -> BackupInfo | None:
        """When closing: wait for a running backup, then back up if anything changed (with progress)."""
        self.wait()
        auto = self.policy()
        if auto is None:
            return None
        try:
            return run_task(parent, self.tr("正在备份后关闭…"), _closing_run, auto)
        except AppError as error:
            if isinstance(error, ArchiveDamaged) or not self._warned:
                show_app_error(parent, self.tr("关闭前的备份没有完成"), error)
            return None


def _closing_run(auto: AutoBackup, *, progress: ProgressFn) -> BackupInfo | None:
    return auto.run(progress, closing=True)


def install_auto_backup(window: QWidget, ctx: AppContext) -> AutoBackupRunner:
    """Start automatic backups for the window's context (checked every minute while an archive is open)."""
    runner = AutoBackupRunner(window, ctx)
    ctx.extras[RUNNER_KEY] = runner
    runner.timer.start()
    return runner


def auto_runner(ctx: AppContext) -> AutoBackupRunner | None:
    """The runner installed for this context, if any."""
    runner: Any = ctx.extras.get(RUNNER_KEY)
    return runner if isinstance(runner, AutoBackupRunner) else None


def backup_on_close(ctx: AppContext, parent: QWidget | None = None) -> BackupInfo | None:
    """Call before the archive closes on quit: a last backup if anything changed since the previous one."""
    runner = auto_runner(ctx)
    if runner is None or not ctx.is_open:
        return None
    runner.timer.stop()
    try:
        return runner.backup_on_close(parent)
    except Exception:  # quitting must never be blocked by a backup problem; the log keeps the type
        logger.exception("backup on close failed")
        return None


# ----- the 文件 menu -------------------------------------------------------------------------------------
class BackupMenu(QObject):
    """The backup actions of the main window's 文件 menu, enabled while an archive is open."""

    def __init__(self, window: QMainWindow, ctx: AppContext) -> None:
        super().__init__(window)
        self.window, self.ctx = window, ctx
        tr = self.tr
        self.backup_now = self._action(tr("立即备份"), self._backup_now, tr("马上写一个已校验的加密备份到备份文件夹"),
                                       "Ctrl+Shift+B")
        self.backup_elsewhere = self._action(tr("备份到其他位置…"), self._backup_elsewhere,
                                             tr("把加密备份写到U盘或其他文件夹，可单独设密码"))
        self.restore = self._action(tr("从备份恢复…"), self._restore,
                                    tr("用备份替换当前档案（先保留一份），或恢复成新档案"))
        self.settings = self._action(tr("备份设置…"), self._settings, tr("备份文件夹和自动备份间隔"))
        self.needs_archive = [self.backup_now, self.backup_elsewhere]

    def _action(self, text: str, slot: Callable[[], object], tip: str, shortcut: str | None = None) -> QAction:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)  # bound methods only: a lambda holding the window double-frees on delete
        self.window.addAction(action)
        return action

    def _backup_now(self) -> None:
        backup_now(self.window, self.ctx)

    def _backup_elsewhere(self) -> None:
        backup_elsewhere(self.window, self.ctx)

    def _restore(self) -> None:
        from ui.restore_dialog import restore_from_menu

        restore_from_menu(self.window, self.ctx)  # type: ignore[arg-type]

    def _settings(self) -> None:
        from ui.backup_settings import backup_settings

        backup_settings(self.window, self.ctx)

    def install(self) -> None:
        """Insert the actions into the first menu (文件) before its first separator; follow the lock."""
        menus = [a.menu() for a in self.window.menuBar().actions() if a.menu() is not None]
        if not menus:
            return
        file_menu = menus[0]
        anchor = next((a for a in file_menu.actions() if a.isSeparator()), None)
        file_menu.insertSeparator(anchor) if anchor is not None else file_menu.addSeparator()
        for action in (self.backup_now, self.backup_elsewhere, self.restore, self.settings):
            file_menu.insertAction(anchor, action) if anchor is not None else file_menu.addAction(action)
        locked_changed = getattr(self.window, "locked_changed", None)
        if locked_changed is not None:
            locked_changed.connect(self.update_enabled)
        self.update_enabled()

    def update_enabled(self, *_args: object) -> None:
        """Backups need an open archive; restoring does not (it can replace a locked one only by unlocking)."""
        for action in self.needs_archive:
            action.setEnabled(self.ctx.is_open)


def install_backup(window: QMainWindow, ctx: AppContext) -> AutoBackupRunner:
    """Everything backup in the main window: the 文件 menu entries and the automatic backups."""
    BackupMenu(window, ctx).install()
    return install_auto_backup(window, ctx)
