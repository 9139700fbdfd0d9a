"""文件 → 备份设置: the backup folder and the interval of automatic backups (per-machine settings).

BackupSettingsTab follows the settings dialog's tab protocol (load/save), so it can also sit in 工具 → 设置.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.backup import list_backups
from app.backup_rotation import backup_folder
from app.errors import AppError
from ui.context import AppContext


class BackupSettingsTab(QWidget):
    """The backup folder and the interval of automatic backups (per-machine settings)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    def _build_widgets(self) -> None:
        self.folder_edit = QLineEdit()
        self.browse_button = QPushButton(self.tr("选择…"))
        self.open_button = QPushButton(self.tr("打开文件夹"))
        self.minutes_spin = QSpinBox()
        self.minutes_spin.setRange(5, 24 * 60)
        self.minutes_spin.setSuffix(self.tr(" 分钟"))
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.hint_label = QLabel(self.tr(
            "档案打开期间，有改动时最多每隔这么久自动备份一次；关闭程序时有改动也会备份。"
            "备份文件夹保留最近 24 小时、14 天、8 周和 12 个月的备份（约一年），最新一个完好的备份永远不会被删除。"
            "建议把备份文件夹放在另一块硬盘、U盘或同步盘上。"))
        self.hint_label.setWordWrap(True)
        self.hint_label.setProperty("role", "hint")

    def _build_layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(self.browse_button)
        row.addWidget(self.open_button)
        form = QFormLayout()
        form.addRow(self.tr("备份文件夹："), row)
        form.addRow(self.tr("自动备份间隔："), self.minutes_spin)
        form.addRow("", self.status_label)
        layout = QVBoxLayout(self)  # a box, not a form row: the wrapped hint gets its full height
        layout.addLayout(form)
        layout.addWidget(self.hint_label)
        layout.addStretch(1)

    def _connect_signals(self) -> None:
        self.browse_button.clicked.connect(self._browse)
        self.open_button.clicked.connect(self._open_folder)

    def load(self) -> None:
        """Fill from the machine settings; say how many backups the folder holds."""
        folder = backup_folder(self.ctx.machine)
        self.folder_edit.setText(str(folder))
        self.minutes_spin.setValue(max(5, int(self.ctx.machine.auto_backup_minutes or 30)))
        backups = list_backups(folder)
        if backups:
            self.status_label.setText(self.tr("文件夹里有 {n} 个备份，最新的是 {when}。")
                                      .format(n=len(backups), when=f"{backups[0].when:%Y-%m-%d %H:%M}"))
        else:
            self.status_label.setText(self.tr("文件夹里还没有备份。"))

    def save(self) -> None:
        """Store the folder (created privately now, so a bad choice is reported here) and the interval."""
        from app.config import default_backup_dir
        from app.fileutil import make_private_dir

        text = self.folder_edit.text().strip()
        folder = Path(text).expanduser() if text else default_backup_dir()
        try:
            make_private_dir(folder)
        except OSError as error:
            raise AppError(self.tr("无法使用这个备份文件夹：{f}（{e}）").format(f=folder, e=error.strerror)) from None
        self.ctx.machine.backup_dir = "" if folder == default_backup_dir() else str(folder)
        self.ctx.machine.auto_backup_minutes = self.minutes_spin.value()
        self.ctx.machine.save()

    def _browse(self) -> None:
        name = QFileDialog.getExistingDirectory(self, self.tr("选择备份文件夹"), self.folder_edit.text())
        if name:
            self.folder_edit.setText(name)

    def _open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(self.folder_edit.text()))


class BackupSettingsDialog(QDialog):
    """文件 → 备份设置: the settings tab in a dialog of its own."""

    def __init__(self, parent: QWidget | None, ctx: AppContext) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("备份设置"))
        self.tab = BackupSettingsTab(ctx, self)
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tab)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # wrapped hint: never squash the rows
        self.tab.load()
        self.resize(640, self.sizeHint().height())

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: AppContext) -> bool:
        """True when the settings were saved."""
        dialog = cls(parent, ctx)
        return dialog.exec() == QDialog.DialogCode.Accepted

    def _save(self) -> None:
        try:
            self.tab.save()
        except AppError as error:
            self.error_label.setText(str(error))
            return
        self.accept()


def backup_settings(parent: QWidget, ctx: AppContext) -> None:
    """文件 → 备份设置…; the automatic backups follow the new folder and interval at once."""
    if BackupSettingsDialog.ask(parent, ctx):
        ctx.bus.settings_changed.emit()
