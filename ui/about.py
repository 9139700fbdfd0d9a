"""帮助 → 关于: what ClientFile is, its version, and where its files are."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app import APP_NAME_ZH, __version__
from app.config import config_dir, data_dir, default_backup_dir, log_dir
from ui.context import AppContext


class AboutDialog(QDialog):
    """Version, archive and folders (selectable text, so a path can be copied for support)."""

    def __init__(self, parent: QWidget | None, ctx: AppContext) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("关于 客户档案"))
        title = QLabel(f"{APP_NAME_ZH} ClientFile {__version__}")
        title.setProperty("role", "title")
        intro = QLabel(self.tr("为保险代理人、银行和证券客户经理、油站和农资业务员做的客户档案：客户卡、分级、"
                               "拜访记录、生日节日提醒。所有资料加密保存在您自己的电脑上，不上传到任何地方。"))
        intro.setWordWrap(True)
        archive = str(ctx.archive_path) if ctx.archive_path else self.tr("（未打开）")
        rows = (
            (self.tr("当前档案"), archive),
            (self.tr("数据文件夹"), str(data_dir())),
            (self.tr("备份文件夹"), ctx.machine.backup_dir or str(default_backup_dir())),
            (self.tr("本机设置"), str(config_dir())),
            (self.tr("日志文件夹"), str(log_dir())),
        )
        details = QLabel("<br>".join(f"<b>{k}：</b>{v}" for k, v in rows))
        details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        details.setWordWrap(True)
        font_note = QLabel(self.tr("界面和打印使用的中文字体：Droid Sans Fallback（Apache 2.0 许可）。"))
        font_note.setProperty("role", "hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        for widget in (title, intro, details, font_note, buttons):
            layout.addWidget(widget)
        self.resize(560, 0)

    @classmethod
    def show_about(cls, parent: QWidget | None, ctx: AppContext) -> None:
        """Show the dialog until closed."""
        cls(parent, ctx).exec()
