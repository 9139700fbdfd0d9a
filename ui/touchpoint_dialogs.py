"""Small dialogs of the 待办 and 日历 pages: complete (method + note), skip (reason), snooze (to a day)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.enums import Method
from app.services.touchpoint_views import snooze_choices

SKIP_REASONS = ("客户在外地/出国", "已通过其他方式联系过", "客户不方便打扰", "不再跟进此客户")


@dataclass(frozen=True)
class Completion:
    """How a touchpoint was done: the visit method and what happened."""

    method: str
    note: str


class CompleteDialog(QDialog):
    """完成：how it was done and a note; becomes the service record on each customer's card."""

    def __init__(self, parent: QWidget | None, what: str, method: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("完成待办"))
        self._what, self._method = what, method
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    @classmethod
    def ask(cls, parent: QWidget | None, what: str, method: str = "电话") -> Completion | None:
        """The method and note, or None when cancelled; `what` says what is being completed."""
        dialog = cls(parent, what, method)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.value()

    def value(self) -> Completion:
        """What the dialog holds now."""
        return Completion(self.method_combo.currentText(), self.note_edit.toPlainText().strip())

    def _build_widgets(self) -> None:
        self.what_label = QLabel(self._what)
        self.what_label.setWordWrap(True)
        self.method_combo = QComboBox()
        self.method_combo.addItems([m.value for m in Method])
        self.method_combo.setCurrentText(self._method)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setPlaceholderText(self.tr("例如：电话问候，客户说下月想了解教育金（可不填）"))
        self.note_edit.setFixedHeight(90)
        self.hint_label = QLabel(self.tr("完成后会在客户卡上记一笔服务记录，“上次联系”随之更新。"))
        self.hint_label.setProperty("role", "hint")
        self.hint_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("完成"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("方式："), self.method_combo)
        form.addRow(self.tr("情况："), self.note_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.what_label)
        layout.addLayout(form)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.buttons)
        self.resize(420, 0)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)


class SkipDialog(QDialog):
    """跳过：why (required), picked from common reasons or typed."""

    def __init__(self, parent: QWidget | None, what: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("跳过待办"))
        self._what = what
        self._build_widgets()
        self._build_layout()
        self._connect_signals()
        self._refresh()

    @classmethod
    def ask(cls, parent: QWidget | None, what: str) -> str | None:
        """The reason, or None when cancelled."""
        dialog = cls(parent, what)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.reason()

    def reason(self) -> str:
        """The reason as typed or picked."""
        return self.reason_combo.currentText().strip()

    def _build_widgets(self) -> None:
        self.what_label = QLabel(self._what)
        self.what_label.setWordWrap(True)
        self.reason_combo = QComboBox()
        self.reason_combo.setEditable(True)
        self.reason_combo.addItems([self.tr(r) for r in SKIP_REASONS])
        self.reason_combo.setCurrentText("")
        self.reason_combo.lineEdit().setPlaceholderText(self.tr("为什么跳过（必填）"))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("跳过"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("原因："), self.reason_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(self.what_label)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(400, 0)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason_combo.currentTextChanged.connect(self._refresh)

    def _refresh(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.reason()))


class SnoozeDialog(QDialog):
    """推迟：to which day (quick choices or a date picker)."""

    def __init__(self, parent: QWidget | None, what: str, today: date) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("推迟待办"))
        self._what, self._today = what, today
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    @classmethod
    def ask(cls, parent: QWidget | None, what: str, today: date) -> date | None:
        """The new day, or None when cancelled."""
        dialog = cls(parent, what, today)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.day()

    def day(self) -> date:
        """The chosen day."""
        return self.date_edit.date().toPython()  # type: ignore[return-value]

    def _build_widgets(self) -> None:
        self.what_label = QLabel(self._what)
        self.what_label.setWordWrap(True)
        self.choice_buttons: list[tuple[QPushButton, date]] = [
            (QPushButton(self.tr(label)), day) for label, day in snooze_choices(self._today)]
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.setMinimumDate(QDate(self._today))
        self.date_edit.setDate(QDate(self.choice_buttons[0][1]))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("推迟"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))

    def _build_layout(self) -> None:
        quick = QHBoxLayout()
        for button, _day in self.choice_buttons:
            quick.addWidget(button)
        form = QFormLayout()
        form.addRow(self.tr("推迟到："), self.date_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.what_label)
        layout.addLayout(quick)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for button, day in self.choice_buttons:
            button.clicked.connect(lambda _=False, d=day: self.date_edit.setDate(QDate(d)))
