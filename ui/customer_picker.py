"""Pick a customer by typing (name, pinyin initials, phone, card number) — used for 介绍人 (referrer).

`CustomerPicker.ask(parent, ctx, exclude_id=None) -> CustomerRow | None`; `ReferrerField` is the card's
介绍人 field: the chosen customer's name with 选择… and 清除 buttons.
"""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QModelIndex, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.rows import CustomerRow, ListQuery
from ui.card_form import muted_label, set_role
from ui.card_table import Column, RowTableModel
from ui.context import AppContext

PICKER_COLUMNS = (
    Column(QT_TRANSLATE_NOOP("CustomerPicker", "编号"), lambda r: r.card_no),
    Column(QT_TRANSLATE_NOOP("CustomerPicker", "姓名/名称"), lambda r: r.name),
    Column(QT_TRANSLATE_NOOP("CustomerPicker", "单位"), lambda r: r.company),
    Column(QT_TRANSLATE_NOOP("CustomerPicker", "手机"), lambda r: r.mobile),
    Column(QT_TRANSLATE_NOOP("CustomerPicker", "状态"), lambda r: r.deal_status),
)
PAGE = 50


class CustomerPicker(QDialog):
    """Search as you type; Enter or double-click picks."""

    def __init__(self, parent: QWidget | None, ctx: AppContext, exclude_id: int | None, title: str) -> None:
        super().__init__(parent)
        self.ctx, self._exclude = ctx, exclude_id
        self.chosen: CustomerRow | None = None
        self.setWindowTitle(title)
        self.resize(640, 460)
        self._build_widgets()
        self._build_layout()
        self._connect_signals()
        self._search()

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: AppContext, exclude_id: int | None = None,
            title: str = "") -> CustomerRow | None:
        """The customer picked, or None."""
        dialog = cls(parent, ctx, exclude_id, title or QDialog.tr("选择客户"))
        return dialog.chosen if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _build_widgets(self) -> None:
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText(self.tr("输入姓名、拼音首字母、电话或编号"))
        self.search_edit.setClearButtonEnabled(True)
        self.model = RowTableModel(PICKER_COLUMNS, "CustomerPicker", self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.count_label = muted_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("选择"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)  # wait for a pause in typing before querying

    def _build_layout(self) -> None:
        column = QVBoxLayout(self)
        column.addWidget(self.search_edit)
        column.addWidget(self.table, 1)
        column.addWidget(self.count_label)
        column.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.search_edit.textChanged.connect(self._timer.start)
        self.search_edit.returnPressed.connect(self._pick)
        self._timer.timeout.connect(self._search)
        self.table.doubleClicked.connect(lambda _i: self._pick())
        self.buttons.accepted.connect(self._pick)
        self.buttons.rejected.connect(self.reject)

    def _search(self) -> None:
        self._timer.stop()
        page = self.ctx.svc.customers.list(ListQuery(search=self.search_edit.text().strip(), limit=PAGE + 1))
        rows = [r for r in page.rows if r.id != self._exclude][:PAGE]
        self.model.set_rows(rows)
        if rows:
            self.table.selectRow(0)
        total = page.total - (1 if any(r.id == self._exclude for r in page.rows) else 0)
        shown = self.tr("共 {0} 位，显示前 {1} 位").format(total, len(rows)) if total > len(rows) else \
            self.tr("共 {0} 位").format(total)
        self.count_label.setText(shown)

    def _pick(self) -> None:
        if self._timer.isActive():
            self._search()  # Enter pressed before the pause: use what is typed now
        index = self.table.currentIndex()
        if not index.isValid() and self.model.rowCount():
            index = self.model.index(0, 0, QModelIndex())
        if not index.isValid():
            return
        self.chosen = self.model.row_at(index.row())
        self.accept()


class ReferrerField(QWidget):
    """介绍人: who referred this customer (value: customer id or None)."""

    changed = Signal()
    picked = Signal()  # the user chose someone (the card sets 来源 to 转介绍 if blank)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.own_id: int | None = None
        self._id: int | None = None
        self._name = ""
        self.name_label = QLabel()
        self.choose_button = QPushButton(self.tr("选择…"))
        self.clear_button = QPushButton(self.tr("清除"))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.name_label, 1)
        row.addWidget(self.choose_button)
        row.addWidget(self.clear_button)
        self.choose_button.clicked.connect(self._choose)
        self.clear_button.clicked.connect(lambda: self._set(None, ""))
        self._show()

    def value(self) -> int | None:
        """The referrer's id."""
        return self._id

    def set_value(self, value: int | None) -> None:
        """Show a stored referrer (looked up by id; a card in the recycle bin shows as such)."""
        name = ""
        if value is not None:
            rows = self.ctx.svc.customers.list(ListQuery(ids=(value,), limit=1)).rows
            name = rows[0].name if rows else self.tr("（已删除的客户）")
        self._set(value, name, emit=False)

    def state(self) -> object:
        """Raw state for the unsaved-change check."""
        return (self._id, self._name)

    def set_state(self, state: object) -> None:
        """Put back a raw state."""
        ident, name = state  # type: ignore[misc]
        self._set(ident, name)

    def _choose(self) -> None:
        row = CustomerPicker.ask(self.window(), self.ctx, exclude_id=self.own_id, title=self.tr("选择介绍人"))
        if row is not None:
            self._set(row.id, row.name)
            self.picked.emit()

    def _set(self, ident: int | None, name: str, emit: bool = True) -> None:
        self._id, self._name = ident, name
        self._show()
        if emit:
            self.changed.emit()

    def _show(self) -> None:
        self.name_label.setText(self._name or self.tr("（无）"))
        set_role(self.name_label, "" if self._name else "hint")
        self.clear_button.setEnabled(self._id is not None)
