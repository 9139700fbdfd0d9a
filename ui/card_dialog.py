"""The base of the small record dialogs (联系人, 成交, 投诉, 生活事件, 记一笔): a form, inline errors, 保存/取消.

A subclass builds its fields in `_build_fields(form)` and turns them into an input dataclass in
`_read()`, which may raise ValidationError; the dialog then stays open with the field highlighted.
`ask()` returns the validated input, or None when the user cancelled.
"""
from __future__ import annotations

from typing import Any

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QVBoxLayout, QWidget

from app.errors import ValidationError
from ui.card_form import FieldErrors, add_field, error_label, muted_label, new_form
from ui.context import AppContext


class FormDialog[T](QDialog):
    """A modal form that returns a checked input dataclass."""

    def __init__(self, parent: QWidget | None, ctx: AppContext, title: str) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.result_value: T | None = None
        self.setWindowTitle(title)
        self.general_error = error_label()
        self.errors = FieldErrors(self.general_error)
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    # ----- to implement -----------------------------------------------------------------
    def _build_fields(self, form: QFormLayout) -> None:
        """Create the editors and add them to the form with self.field(...)."""
        raise NotImplementedError

    def _read(self) -> T:
        """The input the fields describe, checked by the core (raises ValidationError)."""
        raise NotImplementedError

    # ----- building ---------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.form = new_form()
        self._build_fields(self.form)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText(self.tr("保存"))
        self.save_button.setToolTip(self.tr("保存（Ctrl+Enter）"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.hint_label = muted_label(self.tr("Ctrl+Enter 保存 · Esc 取消"))

    def _build_layout(self) -> None:
        column = QVBoxLayout(self)
        column.setContentsMargins(18, 16, 18, 12)
        column.setSpacing(10)
        column.addLayout(self.form)
        column.addWidget(self.general_error)
        column.addStretch(1)
        column.addWidget(self.hint_label)
        column.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self._on_save)
        self.buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self._on_save)

    def field(self, key: str, text: str, widget: Any, *aliases: str) -> Any:
        """Add a row whose errors (core field label `key`) show under the widget."""
        add_field(self.form, self.errors, key, text, widget, *aliases)
        return widget

    # ----- saving -----------------------------------------------------------------------
    def _on_save(self) -> None:
        self.errors.clear()
        try:
            self.result_value = self._read()
        except ValidationError as err:
            widget = self.errors.show(err)
            if widget is not None:
                widget.setFocus()
            return
        self.accept()

    def run(self) -> T | None:
        """Show the dialog modally; the checked input, or None when cancelled."""
        return self.result_value if self.exec() == QDialog.DialogCode.Accepted else None
