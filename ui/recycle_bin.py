"""The 回收站 page: deleted cards with who deleted them and when; restore, or purge after typed confirmation."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
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

from app.rows import DeletedRow
from ui.context import AppContext
from ui.error_dialog import action_guard

Index = QModelIndex | QPersistentModelIndex
CONFIRM_WORD = "彻底删除"


class DeletedTableModel(QAbstractTableModel):
    """Rows of the recycle bin."""

    COLUMNS = (("card_no", "编号"), ("name", "姓名/名称"), ("deleted_at", "删除时间"), ("deleted_by", "删除人"))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[DeletedRow] = []

    def set_rows(self, rows: Sequence[DeletedRow]) -> None:
        """The one reset point."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> DeletedRow:
        """The deleted card at a view row."""
        return self._rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Rows."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Columns."""
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.COLUMNS[section][1])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Cell text."""
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        value = getattr(self._rows[index.row()], self.COLUMNS[index.column()][0])
        if hasattr(value, "strftime"):
            return value.strftime("%Y-%m-%d %H:%M")
        return value or ""


class PurgeDialog(QDialog):
    """The explicit confirmation of a purge: the user types 彻底删除."""

    def __init__(self, parent: QWidget | None, names: list[str]) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("彻底删除客户卡"))
        shown = "、".join(names[:8]) + (self.tr(" 等 {n} 张").format(n=len(names)) if len(names) > 8 else "")
        self.warning_label = QLabel(self.tr(
            "将彻底删除 {names}。\n\n彻底删除后，这些客户卡以及上面的联系人、成交、拜访、投诉记录都无法恢复"
            "（只有删除前做的备份里还有）。\n\n如果确定，请在下面输入“{word}”：").format(names=shown, word=CONFIRM_WORD))
        self.warning_label.setWordWrap(True)
        self.warning_label.setProperty("role", "warning")
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setPlaceholderText(CONFIRM_WORD)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.purge_button = self.buttons.addButton(self.tr("彻底删除"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.purge_button.setProperty("role", "danger")
        self.purge_button.setEnabled(False)
        self.confirm_edit.textChanged.connect(self._on_typed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.confirm_edit)
        layout.addWidget(self.buttons)
        self.resize(460, 0)

    def _on_typed(self, text: str) -> None:
        self.purge_button.setEnabled(text.strip() == CONFIRM_WORD)

    @classmethod
    def ask(cls, parent: QWidget | None, names: list[str]) -> bool:
        """True only when the user typed the confirmation word and pressed 彻底删除."""
        dialog = cls(parent, names)
        return dialog.exec() == QDialog.DialogCode.Accepted and dialog.confirm_edit.text().strip() == CONFIRM_WORD


class RecycleBinPage(QWidget):
    """Deleted customer cards (constructed as Page(ctx, parent))."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._build_widgets()
        self._build_layout()
        self._connect_signals()
        self.reload()

    def _build_widgets(self) -> None:
        self.intro_label = QLabel(self.tr("删除的客户卡先放在这里，随时可以恢复；只有“彻底删除”后才无法找回。"))
        self.intro_label.setProperty("role", "hint")
        self.model = DeletedTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for i, width in enumerate((100, 180, 150)):
            header.resizeSection(i, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.restore_button = QPushButton(self.tr("恢复"))
        self.purge_button = QPushButton(self.tr("彻底删除…"))
        self.purge_button.setProperty("role", "danger")
        self.count_label = QLabel()
        self.count_label.setProperty("role", "hint")

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.purge_button)
        buttons.addStretch(1)
        buttons.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.addWidget(self.intro_label)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)

    def _connect_signals(self) -> None:
        self.restore_button.clicked.connect(self.restore_selected)
        self.purge_button.clicked.connect(self.purge_selected)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
        self.ctx.bus.customers_changed.connect(self.reload)

    # ----- page protocol -----------------------------------------------------------------------
    def reload(self) -> None:
        """Fetch the recycle bin."""
        if not self.ctx.is_open:
            return
        with action_guard(self, self.tr("回收站")):
            rows = self.ctx.svc.customers.recycle_bin()
            self.model.set_rows(rows)
            self.count_label.setText(self.tr("回收站里有 {n} 张客户卡").format(n=len(rows)) if rows
                                     else self.tr("回收站是空的"))

    def clear(self) -> None:
        """Forget the rows (locking)."""
        self.model.set_rows(())
        self.count_label.clear()

    def selected_rows(self) -> list[DeletedRow]:
        """The selected deleted cards."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.row_at(r) for r in rows]

    def _update_buttons(self) -> None:
        has = bool(self.table.selectionModel().selectedRows())
        self.restore_button.setEnabled(has)
        self.purge_button.setEnabled(has)

    # ----- actions ------------------------------------------------------------------------------
    def restore_selected(self) -> None:
        """Bring the selected cards back to the customer list."""
        rows = self.selected_rows()
        if not rows:
            return
        with action_guard(self, self.tr("恢复客户卡")):
            self.ctx.svc.customers.restore([r.id for r in rows])
            self.ctx.bus.customers_changed.emit()

    def purge_selected(self) -> None:
        """Destroy the selected cards after the typed confirmation."""
        rows = self.selected_rows()
        if not rows or not PurgeDialog.ask(self, [f"{r.card_no} {r.name}" for r in rows]):
            return
        with action_guard(self, self.tr("彻底删除")):
            self.ctx.svc.customers.purge([r.id for r in rows])
            self.ctx.bus.customers_changed.emit()
