"""Form plumbing shared by the card window and its dialogs: bound fields, inline errors, table models.

A `Binder` ties input-dataclass field names to editor widgets (load, read back, snapshot for the
unsaved-change check). `FieldErrors` puts a ValidationError next to the field whose Chinese label it
names, instead of a modal box. Formatting here is display only; every rule lives in `app`.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import (
    QObject,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.errors import ValidationError
from ui.style import DANGER, MUTED

ERROR_COLOR = DANGER
MUTED_COLOR = MUTED
# Looks come from the application style sheet (ui/style.py: roles "title", "hint", "error"); the card
# adds no style sheet of its own, because a window-wide sheet makes Qt re-polish every child and
# costs a visible fraction of a second when a card opens. Only a field marked invalid gets one.
INVALID_CSS = f"border: 1px solid {DANGER}; background: #fff5f5;"
_EDITORS = (QLineEdit, QComboBox, QPlainTextEdit, QCheckBox)


def fmt_date(d: date | None) -> str:
    """2026-11-22, or '' for no date."""
    return d.isoformat() if d else ""


def fmt_datetime(dt: datetime | None) -> str:
    """2026-11-22 09:30, or ''."""
    return dt.strftime("%Y-%m-%d %H:%M") if dt else ""


def fmt_amount(value: Decimal | None) -> str:
    """12,000.50 (no trailing .00), or ''."""
    if value is None:
        return ""
    text = f"{value:,.2f}"
    return text[:-3] if text.endswith(".00") else text


@runtime_checkable
class ValueWidget(Protocol):
    """A composite input (dates, referrer) that reads and writes its own value."""

    changed: Signal

    def value(self) -> Any:
        """The value, checked (ValidationError names the field)."""

    def set_value(self, value: Any) -> None:
        """Show a stored value."""

    def state(self) -> object:
        """Raw state for the unsaved-change check."""

    def set_state(self, state: object) -> None:
        """Put back a raw state."""


def _set_combo_text(combo: QComboBox, text: str) -> None:
    index = combo.findText(text)
    if index < 0 and text:
        combo.addItem(text)  # an old or imported value that is not in today's list: keep it visible
        index = combo.count() - 1
    if combo.isEditable() and index < 0:
        combo.setEditText(text)
    else:
        combo.setCurrentIndex(max(index, 0))


def read_widget(widget: QWidget) -> Any:
    """The plain value of a standard editor (strings stripped, checkbox as bool)."""
    if isinstance(widget, ValueWidget):
        return widget.value()
    if isinstance(widget, QLineEdit):
        return widget.text().strip()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText().strip()
    if isinstance(widget, QComboBox):
        return widget.currentText().strip()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    raise TypeError(type(widget).__name__)


def write_widget(widget: QWidget, value: Any) -> None:
    """Show a value in a standard editor."""
    if isinstance(widget, ValueWidget):
        widget.set_value(value)
    elif isinstance(widget, QLineEdit):
        widget.setText("" if value is None else str(value))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(value or "")
    elif isinstance(widget, QComboBox):
        _set_combo_text(widget, value or "")
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(value))
    else:
        raise TypeError(type(widget).__name__)


def widget_state(widget: QWidget) -> object:
    """The raw state of an editor, for telling whether anything was changed."""
    if isinstance(widget, ValueWidget):
        return widget.state()
    if isinstance(widget, QCheckBox):
        return widget.isChecked()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    return widget.text()  # type: ignore[attr-defined]


def restore_state(widget: QWidget, state: object) -> None:
    """Put back a state taken with widget_state."""
    if isinstance(widget, ValueWidget):
        widget.set_state(state)
    elif isinstance(widget, QCheckBox):
        widget.setChecked(bool(state))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(str(state))
    elif isinstance(widget, QComboBox):
        _set_combo_text(widget, str(state))
    else:
        widget.setText(str(state))  # type: ignore[attr-defined]


def change_signal(widget: QWidget) -> Any:
    """The signal an editor emits when the user changes it."""
    if isinstance(widget, ValueWidget):
        return widget.changed
    if isinstance(widget, QCheckBox):
        return widget.toggled
    if isinstance(widget, QComboBox):
        return widget.currentTextChanged
    return widget.textChanged  # type: ignore[attr-defined]


@dataclass
class _Binding:
    widget: QWidget
    parse: Callable[[QWidget], Any] | None
    show: Callable[[QWidget, Any], None] | None


class Binder(QObject):
    """Field name → editor; loads a dataclass into the editors and reads the values back."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bindings: dict[str, _Binding] = {}
        self._loaded: dict[str, object] = {}
        self._quiet = False

    def bind(self, name: str, widget: QWidget, parse: Callable[[QWidget], Any] | None = None,
             show: Callable[[QWidget, Any], None] | None = None) -> QWidget:
        """Bind a field to a widget (parse/show convert non-text values such as numbers)."""
        self._bindings[name] = _Binding(widget, parse, show)
        change_signal(widget).connect(self._on_change)
        return widget

    def widget(self, name: str) -> QWidget:
        """The editor of a field."""
        return self._bindings[name].widget

    def names(self) -> list[str]:
        """Every bound field name."""
        return list(self._bindings)

    def load(self, data: object) -> None:
        """Show every bound field of `data`; the result is the new unchanged state."""
        self._quiet = True
        try:
            for name, b in self._bindings.items():
                self._show(b, getattr(data, name))
        finally:
            self._quiet = False
        self._loaded = self.snapshot()
        self.changed.emit()

    def merge(self, data: object) -> None:
        """Take stored values into the fields the user has not touched (their edits win)."""
        self._quiet = True
        try:
            for name, b in self._bindings.items():
                if widget_state(b.widget) == self._loaded.get(name):
                    self._show(b, getattr(data, name))
                    self._loaded[name] = widget_state(b.widget)
        finally:
            self._quiet = False
        self.changed.emit()

    def values(self) -> dict[str, Any]:
        """Every field's value; raises ValidationError for a value that cannot be read."""
        out = {}
        for name, b in self._bindings.items():
            out[name] = b.parse(b.widget) if b.parse else read_widget(b.widget)
        return out

    def snapshot(self) -> dict[str, object]:
        """The raw state of every editor."""
        return {name: widget_state(b.widget) for name, b in self._bindings.items()}

    def restore(self, snapshot: dict[str, object]) -> None:
        """Put back a snapshot (a draft kept while the archive was locked)."""
        for name, state in snapshot.items():
            if name in self._bindings:
                restore_state(self._bindings[name].widget, state)

    def is_dirty(self) -> bool:
        """True when any editor differs from what was loaded."""
        return self.snapshot() != self._loaded

    def _show(self, b: _Binding, value: Any) -> None:
        if b.show:
            b.show(b.widget, value)
        else:
            write_widget(b.widget, value)

    def _on_change(self, *_: object) -> None:
        if not self._quiet:
            self.changed.emit()


class FieldErrors:
    """Inline validation messages: the named field is outlined and its message shown right under it.

    The message label is created only when there is something to say (a card has ~50 fields; fifty
    hidden labels would make every card slower to open).
    """

    def __init__(self, fallback: QLabel | None = None) -> None:
        self._fields: dict[str, tuple[QWidget, QLayout]] = {}
        self._fallback = fallback
        self._marked: QWidget | None = None
        self.message: QLabel | None = None  # the message shown beside a field, if any
        self._message_layout: QLayout | None = None

    def register(self, label: str, widget: QWidget, layout: QLayout, *aliases: str) -> None:
        """Errors naming `label` (or an alias) go to this widget, with the message under it in `layout`."""
        for key in (label, *aliases):
            self._fields[key] = (widget, layout)

    def show(self, err: ValidationError) -> QWidget | None:
        """Show an error beside its field; returns the field's widget (None → shown in the fallback)."""
        self.clear()
        found = self._fields.get(err.field)
        if found is None:
            if self._fallback is not None:
                self._fallback.setText(str(err))
                self._fallback.show()
            return None
        widget, layout = found
        self.message, self._message_layout = error_label(err.message), layout
        if isinstance(layout, QFormLayout):
            row, _role = layout.getWidgetPosition(widget)
            layout.insertRow(row + 1, "", self.message)
        elif isinstance(layout, QBoxLayout):
            layout.insertWidget(layout.indexOf(widget) + 1, self.message)
        self.message.show()  # only once it sits in the form (a parentless show would be a window)
        mark_invalid(widget, True)
        self._marked = widget
        return widget

    def clear(self) -> None:
        """Remove the highlight and the message."""
        if self.message is not None and self._message_layout is not None:
            if isinstance(self._message_layout, QFormLayout):
                self._message_layout.removeRow(self.message)  # also deletes the label
            else:
                self._message_layout.removeWidget(self.message)
                self.message.hide()
                self.message.deleteLater()
        self.message = self._message_layout = None
        if self._marked is not None:
            mark_invalid(self._marked, False)
            self._marked = None
        if self._fallback is not None:
            self._fallback.hide()
            self._fallback.clear()


def mark_invalid(widget: QWidget, on: bool) -> None:
    """Outline a field (and the editors inside a composite field) in red."""
    widget.setProperty("invalid", on)
    for w in (widget, *widget.findChildren(QWidget)):
        if isinstance(w, _EDITORS) and not isinstance(w, QCheckBox):
            w.setProperty("invalid", on)
            w.setStyleSheet(f"{type(w).__name__} {{ {INVALID_CSS} }}" if on else "")


def set_role(widget: QWidget, role: str) -> None:
    """Give a label its look from the application style ("hint", "error", "title"), re-polishing it."""
    if widget.property("role") == role:
        return
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def muted_label(text: str = "") -> QLabel:
    """A grey hint label."""
    label = QLabel(text)
    label.setProperty("role", "hint")
    return label


def emphasise(label: QLabel, points: int, bold: bool = True) -> QLabel:
    """A larger (bold) font for one label, without a style sheet."""
    font = label.font()
    font.setPointSize(points)
    font.setBold(bold)
    label.setFont(font)
    return label


def error_label(text: str = "") -> QLabel:
    """A red message label (hidden until shown) for under a field."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setProperty("role", "error")
    label.hide()
    return label


def add_field(form: QFormLayout, errors: FieldErrors, key: str, text: str, widget: QWidget,
              *aliases: str) -> QWidget:
    """Add a labelled row whose errors (field label `key`) appear under the widget."""
    form.addRow(text, widget)
    errors.register(key, widget, form, *aliases)
    return widget


def new_form() -> QFormLayout:
    """A form layout with the calm spacing used on every card page."""
    form = QFormLayout()
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
    form.setHorizontalSpacing(12)
    form.setVerticalSpacing(8)
    return form


def choice_combo(values: Sequence[str], *, blank: bool = True, editable: bool = False) -> QComboBox:
    """A combo box of fixed words, optionally starting with a blank entry."""
    combo = QComboBox()
    if blank:
        combo.addItem("")
    combo.addItems(list(values))
    combo.setEditable(editable)
    combo.setMinimumWidth(combo.fontMetrics().horizontalAdvance("业务联系人") + 40)
    return combo


def plain_text(lines: int = 3) -> QPlainTextEdit:
    """A multi-line field `lines` lines high, where Tab moves on instead of typing a tab."""
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return edit
