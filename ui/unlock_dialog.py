"""Unlocking an archive (later starts, and after the idle lock) and changing its password.

UnlockDialog.ask(parent, machine, path) → the opened Archive, WELCOME (the user wants to create or
pick another archive; start mode only) or None. A wrong password, a damaged file, a file open in another
window and a missing file each get their own clear message. A damaged file goes to `_offer_backup`, the
hook the backup feature replaces with a real restore.
"""
from __future__ import annotations

import contextlib
import enum
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.config import ARCHIVE_SUFFIX, MachineSettings
from app.errors import AppError, ArchiveDamaged, ArchiveLocked, ArchiveNotFound, WrongPassword
from ui.style import DANGER, MUTED

if TYPE_CHECKING:  # app.archive loads SQLAlchemy: imported when a password is tried, not to show the dialog
    from app.archive import Archive

logger = logging.getLogger(__name__)


class Choice(enum.Enum):
    """What else the unlock dialog can answer."""

    WELCOME = "welcome"  # create a new archive or open another one


WELCOME = Choice.WELCOME


@contextlib.contextmanager
def wait_cursor() -> Iterator[None]:
    """A busy cursor around blocking work (key derivation, page checks)."""
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        yield
    finally:
        QGuiApplication.restoreOverrideCursor()


def known_salt(machine: MachineSettings, path: Path) -> bytes | None:
    """The salt recorded the last time this archive opened (tells a damaged salt from a wrong password)."""
    salt = machine.known_salts.get(str(path.resolve()))
    return bytes.fromhex(salt) if salt else None


def remember_open(machine: MachineSettings, archive: Archive) -> None:
    """After every successful open: put the archive first in the recent list, record its salt, save."""
    machine.remember_archive(archive.path, archive.salt)
    try:
        machine.save()
    except OSError as error:
        logger.warning("machine settings not saved: %s", type(error).__name__)


def forget_salt(machine: MachineSettings, path: Path) -> None:
    """Before a password change (MachineSettings.forget_salt), saved at once."""
    machine.forget_salt(path)
    try:
        machine.save()
    except OSError as error:
        logger.warning("machine settings not saved: %s", type(error).__name__)


def is_sample(path: Path) -> bool:
    """True for the sample archive (its password is published in the dialog)."""
    if path.name != "示例档案.cfdb":
        return False  # decided without importing the sample generator (and the services behind it)
    from app.demo import sample_archive_path

    return path.resolve() == sample_archive_path().resolve()


class UnlockDialog(QDialog):
    """Ask for the password of one archive file and open it."""

    def __init__(self, parent: QWidget | None, machine: MachineSettings, path: Path, *, locked: bool = False,
                 while_waiting: Callable[[], object] | None = None) -> None:
        super().__init__(parent)
        self.machine = machine
        self.while_waiting = while_waiting
        self.path = Path(path)
        self.locked = locked
        self.archive: Archive | None = None
        self.damage: ArchiveDamaged | None = None
        self.attempts = 0
        self.setWindowTitle(self.tr("档案已锁定") if locked else self.tr("打开客户档案"))
        self._build_widgets()
        self._build_layout()
        self._connect_signals()
        self._show_path()
        self.resize(520, 0)

    @classmethod
    def ask(cls, parent: QWidget | None, machine: MachineSettings, path: Path, *, locked: bool = False,
            while_waiting: Callable[[], object] | None = None) -> Archive | Choice | None:
        """The opened archive, WELCOME (start mode: another or a new archive), or None (quit/cancel).

        while_waiting runs on the GUI thread while the key is derived and the pages are checked in a worker
        thread (work in C that leaves the interpreter free): the start uses it to import the main window.
        """
        dialog = cls(parent, machine, path, locked=locked, while_waiting=while_waiting)
        result = dialog.exec()
        if result == QDialog.DialogCode.Accepted:
            return dialog.archive
        return WELCOME if result == _WELCOME_CODE else None

    # ----- building ---------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.title_label = QLabel()
        self.title_label.setProperty("role", "title")
        self.intro_label = QLabel()
        self.intro_label.setWordWrap(True)
        self.file_label = QLabel()
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_label.setWordWrap(True)
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("档案密码"))
        self.hint_label = QLabel()
        self.hint_label.setProperty("role", "hint")
        self.message_label = QLabel()
        self.message_label.setProperty("role", "error")
        self.message_label.setWordWrap(True)
        self.unlock_button = QPushButton(self.tr("解锁"))
        self.unlock_button.setProperty("role", "primary")
        self.unlock_button.setDefault(True)
        self.other_button = QPushButton(self.tr("打开其他档案…"))
        self.new_button = QPushButton(self.tr("新建档案…"))
        self.quit_button = QPushButton(self.tr("退出程序") if self.locked else self.tr("取消"))
        for button in (self.other_button, self.new_button):
            button.setVisible(not self.locked)

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("档案文件："), self.file_label)
        form.addRow(self.tr("密码："), self.password_edit)
        form.addRow("", self.hint_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.other_button)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        buttons.addWidget(self.unlock_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 18)
        layout.setSpacing(10)
        layout.addWidget(self.title_label)
        layout.addWidget(self.intro_label)
        layout.addLayout(form)
        layout.addWidget(self.message_label)
        layout.addLayout(buttons)

    def _connect_signals(self) -> None:
        self.unlock_button.clicked.connect(self.try_unlock)
        self.password_edit.returnPressed.connect(self.try_unlock)
        self.quit_button.clicked.connect(self.reject)
        self.other_button.clicked.connect(self._pick_other)
        self.new_button.clicked.connect(self._want_welcome)

    def _show_path(self) -> None:
        if self.locked:
            self.title_label.setText(self.tr("档案已锁定"))
            self.intro_label.setText(self.tr("为保护客户资料，档案已关闭，窗口内容已隐藏。输入密码后回到刚才的位置。"))
        else:
            self.title_label.setText(self.tr("打开客户档案"))
            self.intro_label.setText(self.tr("请输入这个档案的密码："))
        self.file_label.setText(f"<b>{self.path.name}</b><br><span style='color:#6b7280'>{self.path.parent}</span>")
        self.file_label.setToolTip(str(self.path))
        sample = is_sample(self.path)
        self.hint_label.setVisible(sample)
        if sample:
            from app.demo import SAMPLE_PASSWORD

            self.hint_label.setText(self.tr("示例档案的密码是：{p}").format(p=SAMPLE_PASSWORD))
        self.message_label.clear()
        self.password_edit.setFocus()

    # ----- unlocking ----------------------------------------------------------------------------
    def try_unlock(self) -> None:
        """Open the archive with the typed password; each kind of failure gets its own message."""
        from app.db import OpeningArchive

        password = self.password_edit.text()
        if not password:
            self._say(self.tr("请输入密码。"))
            return
        self.unlock_button.setEnabled(False)
        self._say(self.tr("正在验证密码并检查档案…"), role="hint")
        try:
            with wait_cursor():
                QApplication.processEvents()
                opening = OpeningArchive(self.path, password, known_salt=known_salt(self.machine, self.path))
                if self.while_waiting is not None:
                    self.while_waiting()  # e.g. load the main window's modules while the key is derived
                archive = opening.result()
        except WrongPassword as error:
            self._wrong_password(error)
        except ArchiveDamaged as error:
            self._damaged(error)
        except ArchiveLocked:
            self._say(self.tr("这个档案已在另一个 ClientFile 窗口中打开。请切换到那个窗口，或先把它关闭再解锁。"))
        except ArchiveNotFound:
            self._say(self.tr("找不到档案文件：{path}\n它可能被移动、改名或删除了，也可能所在的U盘或网络盘没有连接。")
                      .format(path=self.path))
            self._lost()
        except AppError as error:
            self._say(str(error))
        else:
            self.password_edit.clear()
            remember_open(self.machine, archive)
            self.archive = archive
            logger.info("archive unlocked")
            self.accept()
        finally:
            self.unlock_button.setEnabled(True)

    def _say(self, text: str, role: str = "error") -> None:
        # Error red or hint grey for the one message line (set directly: no re-polishing of a property).
        self.message_label.setStyleSheet(f"color: {DANGER if role == 'error' else MUTED};")
        self.message_label.setText(text)

    def _wrong_password(self, error: WrongPassword) -> None:
        self.attempts += 1
        count = self.tr("（已输错 {n} 次）").format(n=self.attempts) if self.attempts > 1 else ""
        self._say(str(error) + count)
        self.password_edit.selectAll()
        self.password_edit.setFocus()

    def _damaged(self, error: ArchiveDamaged) -> None:
        self.damage = error
        self.password_edit.clear()
        self._say(self.tr("档案文件已损坏，没有做任何改动。") + "\n" + str(error))
        restored = self._offer_backup(self.path)
        if restored is not None:
            remember_open(self.machine, restored)
            self.archive = restored
            self.accept()

    def _offer_backup(self, path: Path) -> Archive | None:
        """Offer the newest verified backups of a damaged (self.damage) or missing archive; the restored,
        opened Archive or None. The damaged file is kept renamed beside the restored one (ui.restore_dialog)."""
        from ui.restore_dialog import offer_restore

        return offer_restore(self, self.machine, path, self.damage)

    def _lost(self) -> None:
        self.damage = None
        restored = self._offer_backup(self.path)
        if restored is not None:
            remember_open(self.machine, restored)
            self.archive = restored
            self.accept()

    def _want_welcome(self) -> None:
        self.done(_WELCOME_CODE)

    def _pick_other(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("打开客户档案"), str(self.path.parent),
                                              self.tr("客户档案 (*{s});;所有文件 (*)").format(s=ARCHIVE_SUFFIX))
        if path:
            self.path = Path(path)
            self.attempts = 0
            self._show_path()


_WELCOME_CODE = 2


class ChangePasswordDialog(QDialog):
    """Ask for the current password and a new one (typed twice)."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        from ui.welcome_dialog import NewPasswordFields  # the same fields as creating an archive

        self.setWindowTitle(self.tr("修改档案密码"))
        self.old_edit = QLineEdit()
        self.old_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.new_fields = NewPasswordFields()
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("修改密码"))
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("当前密码："), self.old_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.new_fields)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(520, 0)

    @classmethod
    def ask(cls, parent: QWidget | None) -> tuple[str, str] | None:
        """(current password, new password), or None when cancelled."""
        dialog = cls(parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.old_edit.text(), dialog.new_fields.password_edit.text()

    def _check(self) -> None:
        from app.archive import check_new_password

        try:
            if not self.old_edit.text():
                raise AppError(self.tr("请输入当前密码。"))
            check_new_password(self.new_fields.password())
        except AppError as error:
            self.error_label.setText(str(error))
            return
        self.accept()
