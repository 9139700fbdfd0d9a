"""First start: create a new archive, open an existing one, or try the sample archive.

WelcomeDialog.ask(parent, machine) returns the opened Archive, or None when the user closes the dialog.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.archive import Archive, password_strength
from app.config import ARCHIVE_SUFFIX, MachineSettings, default_archive_path
from app.errors import AppError, ValidationError
from ui.unlock_dialog import UnlockDialog, remember_open, wait_cursor

logger = logging.getLogger(__name__)


class NewPasswordFields(QWidget):
    """A new password typed twice, with a strength meter and the can't-be-recovered warning."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.password_edit = QLineEdit()
        self.repeat_edit = QLineEdit()
        for edit in (self.password_edit, self.repeat_edit):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("至少 6 位，建议 8 位以上并混合字母、数字和符号"))
        self.strength_bar = QProgressBar()
        self.strength_bar.setRange(0, 4)
        self.strength_bar.setTextVisible(False)
        self.strength_bar.setFixedHeight(6)
        self.strength_label = QLabel()
        self.strength_label.setProperty("role", "hint")
        self.warning_label = QLabel(self.tr(
            "请牢记这个密码。客户资料用它加密保存，忘记密码后任何人（包括我们）都无法找回，档案也就打不开了。"
            "建议把密码写下来放在安全的地方。"))
        self.warning_label.setWordWrap(True)
        self.warning_label.setProperty("role", "warning")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.tr("密码："), self.password_edit)
        form.addRow("", self.strength_bar)
        form.addRow("", self.strength_label)
        form.addRow(self.tr("再输入一次："), self.repeat_edit)
        form.addRow(self.warning_label)
        # Bound methods only: a lambda holding self keeps a cycle PySide 6.12 may free twice.
        self.password_edit.textChanged.connect(self._update_strength)
        self.repeat_edit.textChanged.connect(self._on_repeat)
        self._update_strength("")

    def _on_repeat(self, _text: str) -> None:
        self.changed.emit()

    def _update_strength(self, text: str) -> None:
        self.changed.emit()
        score, hint = password_strength(text)
        self.strength_bar.setValue(score if text else 0)
        self.strength_label.setText(self.tr("密码强度：{hint}").format(hint=hint) if text else "")

    def password(self) -> str:
        """The new password, or raise ValidationError when the two entries differ or one is empty."""
        first, second = self.password_edit.text(), self.repeat_edit.text()
        if not first:
            raise ValidationError("密码", "请输入密码")
        if first != second:
            raise ValidationError("再输入一次", "两次输入的密码不一致")
        return first

    def clear(self) -> None:
        """Forget what was typed."""
        self.password_edit.clear()
        self.repeat_edit.clear()


def free_archive_path(preferred: Path) -> Path:
    """The preferred path, or '客户档案 2.cfdb', '… 3' beside it when it is taken."""
    if not preferred.exists():
        return preferred
    n = 2
    while (candidate := preferred.with_name(f"{preferred.stem} {n}{preferred.suffix}")).exists():
        n += 1
    return candidate


class WelcomeDialog(QDialog):
    """The first-start dialog."""

    def __init__(self, parent: QWidget | None, machine: MachineSettings, location: Path | None = None) -> None:
        super().__init__(parent)
        self.machine = machine
        self._suggested = location or free_archive_path(default_archive_path())
        self.archive: Archive | None = None
        self.setWindowTitle(self.tr("欢迎使用 客户档案"))
        self._build_widgets()
        self._build_layout()
        self._connect_signals()
        self.resize(620, 0)

    @classmethod
    def ask(cls, parent: QWidget | None, machine: MachineSettings, location: Path | None = None) -> Archive | None:
        """The archive the user created or opened, or None; `location` is offered for a new archive."""
        dialog = cls(parent, machine, location)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.archive

    def _build_widgets(self) -> None:
        self.title_label = QLabel(self.tr("欢迎使用 客户档案"))
        self.title_label.setProperty("role", "title")
        self.intro_label = QLabel(self.tr(
            "客户档案把您的客户卡、拜访记录和成交记录加密保存在这台电脑上的一个文件里。\n"
            "第一次使用，请新建一个档案并设置密码："))
        self.intro_label.setWordWrap(True)
        self.location_edit = QLineEdit(str(self._suggested))
        self.browse_button = QPushButton(self.tr("选择位置…"))
        self.password_fields = NewPasswordFields()
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.create_button = QPushButton(self.tr("创建档案"))
        self.create_button.setProperty("role", "primary")
        self.create_button.setDefault(True)
        self.open_button = QPushButton(self.tr("打开已有档案…"))
        self.sample_button = QPushButton(self.tr("先看看示例档案"))
        self.sample_button.setToolTip(self.tr("一个装满虚构客户的档案，随便试，不影响您自己的档案"))

    def _build_layout(self) -> None:
        location = QHBoxLayout()
        location.addWidget(self.location_edit, 1)
        location.addWidget(self.browse_button)
        card = QFrame()
        card.setProperty("role", "card")
        form = QFormLayout(card)
        form.setContentsMargins(18, 16, 18, 16)
        form.addRow(self.tr("保存位置："), location)
        form.addRow(self.password_fields)
        form.addRow(self.error_label)
        others = QHBoxLayout()
        others.addWidget(QLabel(self.tr("已经有档案，或者想先试试？")))
        others.addWidget(self.open_button)
        others.addWidget(self.sample_button)
        others.addStretch(1)
        others.addWidget(self.create_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 18)
        layout.setSpacing(12)
        layout.addWidget(self.title_label)
        layout.addWidget(self.intro_label)
        layout.addWidget(card)
        layout.addLayout(others)

    def _connect_signals(self) -> None:
        self.browse_button.clicked.connect(self._browse)
        self.create_button.clicked.connect(self.create_archive)
        self.open_button.clicked.connect(self.open_existing)
        self.sample_button.clicked.connect(self.open_sample)
        self.password_fields.changed.connect(self.error_label.clear)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("新档案保存到"), self.location_edit.text(), self.tr("客户档案 (*{s})").format(s=ARCHIVE_SUFFIX))
        if path:
            self.location_edit.setText(path if path.endswith(ARCHIVE_SUFFIX) else path + ARCHIVE_SUFFIX)

    def location(self) -> Path:
        """Where the new archive goes (the suffix added when missing)."""
        text = self.location_edit.text().strip()
        if not text:
            raise ValidationError("保存位置", "请选择新档案的保存位置")
        path = Path(text).expanduser()
        return path if path.suffix == ARCHIVE_SUFFIX else path.with_name(path.name + ARCHIVE_SUFFIX)

    def create_archive(self) -> None:
        """Create the archive with the typed password and accept."""
        from app.db import create_archive

        try:
            path, password = self.location(), self.password_fields.password()
            with wait_cursor():
                self.error_label.setText(self.tr("正在创建加密档案…"))
                QApplication.processEvents()
                archive = create_archive(path, password)
        except AppError as error:
            self.error_label.setText(str(error))
            return
        except OSError as error:
            self.error_label.setText(self.tr("无法在这个位置创建档案：{e}").format(e=error.strerror or error))
            return
        self.password_fields.clear()
        logger.info("new archive created from the welcome dialog")
        self._accept_with(archive)

    def open_existing(self) -> None:
        """Pick an archive file and unlock it."""
        start = str(default_archive_path().parent)
        path, _ = QFileDialog.getOpenFileName(self, self.tr("打开客户档案"), start,
                                              self.tr("客户档案 (*{s});;所有文件 (*)").format(s=ARCHIVE_SUFFIX))
        if path:
            self.unlock_path(Path(path))

    def unlock_path(self, path: Path) -> None:
        """Ask for the password of an existing archive; accept when it opens."""
        answer = UnlockDialog.ask(self, self.machine, path)
        if isinstance(answer, Archive):
            self._accept_with(answer)

    def open_sample(self) -> None:
        """Create the sample archive if needed and open it with its published password."""
        from app import demo
        from app.db import open_archive

        try:
            with wait_cursor():
                self.error_label.setText(self.tr("正在准备示例档案…"))
                QApplication.processEvents()
                path = demo.ensure_sample_archive()
                archive = open_archive(path, demo.SAMPLE_PASSWORD, known_salt=self._known_salt(path))
        except AppError as error:
            self.error_label.setText(str(error))
            return
        self._accept_with(archive)

    def _known_salt(self, path: Path) -> bytes | None:
        salt = self.machine.known_salts.get(str(path.resolve()))
        return bytes.fromhex(salt) if salt else None

    def _accept_with(self, archive: Archive) -> None:
        remember_open(self.machine, archive)
        self.archive = archive
        self.error_label.clear()
        self.accept()
