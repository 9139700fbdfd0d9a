"""工具 → 设置: the salesperson's profile, the idle lock, keep-in-touch cadence per grade.

Built from tabs. To add one (festival choices, greeting templates, backup folder…) append a line to
SETTINGS_TABS: (title, module, class). A tab class is constructed as Tab(ctx, parent) and has
`load()` (fill from the archive/machine settings) and `save()` (validate and store; raise AppError —
ValidationError names the field — to keep the dialog open on that tab).
"""
from __future__ import annotations

import importlib
import logging
from typing import Protocol

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError, ValidationError
from app.services.settings import SalesProfile
from app.validate import check_email, normalise_landline, normalise_mobile
from ui.context import AppContext

logger = logging.getLogger(__name__)

SETTINGS_TABS: list[tuple[str, str, str]] = [
    ("个人资料", "ui.settings_dialog", "ProfileTab"),
    ("联系周期", "ui.settings_dialog", "CadenceTab"),
    ("日历与问候", "ui.settings_calendar_tab", "CalendarSettingsTab"),
    ("打印", "ui.settings_print_tab", "PrintSettingsTab"),
    ("备份", "ui.backup_settings", "BackupSettingsTab"),
    ("安全", "ui.settings_dialog", "SecurityTab"),
]


class SettingsTab(Protocol):
    """What the dialog needs from a tab (it is also a QWidget)."""

    def load(self) -> None:
        """Fill the fields."""

    def save(self) -> None:
        """Validate and store; raise AppError to keep the dialog open."""


class ProfileTab(QWidget):
    """The salesperson, as printed on visit sheets, plans and greeting cards."""

    FIELDS = (("name", "姓名"), ("company", "公司"), ("title", "职务"), ("phone", "电话"), ("wechat", "微信"),
              ("email", "邮箱"), ("address", "地址"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.edits: dict[str, QLineEdit] = {key: QLineEdit() for key, _ in self.FIELDS}
        form = QFormLayout(self)
        intro = QLabel(self.tr("这些信息会印在拜访单、服务计划和贺卡上，也作为“建卡人”和操作记录里的名字。"))
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        form.addRow(intro)
        for key, label in self.FIELDS:
            form.addRow(self.tr(label) + "：", self.edits[key])

    def load(self) -> None:
        """Fill from the archive."""
        profile = self.ctx.svc.settings.profile()
        for key, edit in self.edits.items():
            edit.setText(getattr(profile, key))

    def save(self) -> None:
        """Check the phone and e-mail, then store the profile."""
        values = {key: edit.text().strip() for key, edit in self.edits.items()}
        if values["phone"]:
            values["phone"] = _phone(values["phone"])
        if values["email"]:
            values["email"] = check_email(values["email"])
        profile = SalesProfile(**values)
        if profile != self.ctx.svc.settings.profile():
            self.ctx.svc.settings.set_profile(profile)


def _phone(text: str) -> str:
    """A mobile or a landline (电话 on the profile may be either)."""
    try:
        return normalise_mobile(text, "电话")
    except ValidationError:
        try:
            return normalise_landline(text, "电话")
        except ValidationError:
            raise ValidationError("电话", f"“{text}”不是有效的手机号或固定电话") from None


class CadenceTab(QWidget):
    """Keep-in-touch days per grade: the calendar reminds you when a customer is due."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.spins: dict[str, QSpinBox] = {}
        form = QFormLayout(self)
        intro = QLabel(self.tr("每类客户至少多久联系一次。超过这个天数没有拜访或服务记录，客户会出现在待办里。"
                               "等级越高，联系越勤。"))
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        form.addRow(intro)
        for grade in "ABCD":
            spin = QSpinBox()
            spin.setRange(1, 730)
            spin.setSuffix(self.tr(" 天"))
            self.spins[grade] = spin
            form.addRow(self.tr("{g} 类客户：每").format(g=grade), spin)

    def load(self) -> None:
        """Fill from the archive."""
        for grade, days in self.ctx.svc.settings.cadence().items():
            if grade in self.spins:
                self.spins[grade].setValue(days)

    def save(self) -> None:
        """Store the cadence (the service checks the range)."""
        cadence = {grade: spin.value() for grade, spin in self.spins.items()}
        if cadence != self.ctx.svc.settings.cadence():
            self.ctx.svc.settings.set_cadence(cadence)


class SecurityTab(QWidget):
    """The idle lock of this computer."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.idle_spin = QSpinBox()
        self.idle_spin.setRange(1, 240)
        self.idle_spin.setSuffix(self.tr(" 分钟"))
        form = QFormLayout(self)
        intro = QLabel(self.tr("离开电脑一段时间后，档案会自动锁定：窗口内容隐藏，需要输入密码才能继续。"
                               "随时可以按 Ctrl+L 立即锁定。"))
        intro.setWordWrap(True)
        intro.setProperty("role", "hint")
        form.addRow(intro)
        form.addRow(self.tr("无操作多久后自动锁定："), self.idle_spin)

    def load(self) -> None:
        """Fill from the machine settings."""
        self.idle_spin.setValue(self.ctx.machine.idle_lock_minutes)

    def save(self) -> None:
        """Store in the machine settings file."""
        if self.idle_spin.value() != self.ctx.machine.idle_lock_minutes:
            self.ctx.machine.idle_lock_minutes = self.idle_spin.value()
            try:
                self.ctx.machine.save()
            except OSError as error:
                raise AppError(f"无法保存本机设置：{error.strerror or error}") from None


class SettingsDialog(QDialog):
    """The settings, one tab per topic."""

    def __init__(self, parent: QWidget | None, ctx: AppContext) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(self.tr("设置"))
        self.tabs = QTabWidget()
        self.tab_pages: list[QWidget] = []
        for title, module, cls in SETTINGS_TABS:
            page: QWidget = getattr(importlib.import_module(module), cls)(ctx, self)
            page.load()  # type: ignore[attr-defined]
            self.tabs.addTab(page, self.tr(title))
            self.tab_pages.append(page)
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.resize(560, 420)

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: AppContext) -> bool:
        """Show the settings; True when they were saved."""
        return cls(parent, ctx).exec() == QDialog.DialogCode.Accepted

    def save(self) -> None:
        """Save every tab; the first refusal shows its tab and message and keeps the dialog open."""
        for page in self.tab_pages:
            try:
                page.save()  # type: ignore[attr-defined]
            except AppError as error:
                self.tabs.setCurrentWidget(page)
                self.error_label.setText(str(error))
                return
        self.ctx.bus.settings_changed.emit()
        self.accept()
