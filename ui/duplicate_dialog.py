"""'This customer may already be on file': shows the existing card(s); open one, save anyway, or go back.

`DuplicateDialog.ask(parent, candidates) -> DuplicateChoice | None` (None = back to editing).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.rows import DuplicateCandidate
from ui.card_table import Column, RowTableModel

DUPLICATE_COLUMNS = (
    Column(QT_TRANSLATE_NOOP("DuplicateDialog", "编号"), lambda r: r.card_no),
    Column(QT_TRANSLATE_NOOP("DuplicateDialog", "姓名/名称"), lambda r: r.name),
    Column(QT_TRANSLATE_NOOP("DuplicateDialog", "单位"), lambda r: r.company),
    Column(QT_TRANSLATE_NOOP("DuplicateDialog", "手机"), lambda r: r.mobile),
    Column(QT_TRANSLATE_NOOP("DuplicateDialog", "相同之处"), lambda r: r.reason),
)


@dataclass(frozen=True)
class DuplicateChoice:
    """What the user decided: open an existing card (open_id) or save the new one anyway (open_id None)."""

    open_id: int | None


class DuplicateDialog(QDialog):
    """Lists the likely duplicates with why they match."""

    def __init__(self, parent: QWidget | None, candidates: Sequence[DuplicateCandidate]) -> None:
        super().__init__(parent)
        self.choice: DuplicateChoice | None = None
        self.setWindowTitle(self.tr("可能是同一位客户"))
        self.resize(720, 320)
        self._build_widgets(candidates)
        self._build_layout()
        self._connect_signals()

    @classmethod
    def ask(cls, parent: QWidget | None, candidates: Sequence[DuplicateCandidate]) -> DuplicateChoice | None:
        """Open an existing card, save anyway, or None to go back to editing."""
        dialog = cls(parent, candidates)
        return dialog.choice if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _build_widgets(self, candidates: Sequence[DuplicateCandidate]) -> None:
        self.intro_label = QLabel(self.tr("档案里已有以下客户卡，可能是同一位客户。请先看看，避免重复建卡："))
        self.intro_label.setWordWrap(True)
        self.model = RowTableModel(DUPLICATE_COLUMNS, "DuplicateDialog", self)
        self.model.set_rows(candidates)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.selectRow(0)
        self.open_button = QPushButton(self.tr("打开所选客户卡"))
        self.open_button.setDefault(True)
        self.save_button = QPushButton(self.tr("仍然保存为新客户"))
        self.back_button = QPushButton(self.tr("返回修改"))

    def _build_layout(self) -> None:
        column = QVBoxLayout(self)
        column.addWidget(self.intro_label)
        column.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.open_button)
        column.addLayout(buttons)

    def _connect_signals(self) -> None:
        self.open_button.clicked.connect(self._open)
        self.table.doubleClicked.connect(lambda _i: self._open())
        self.save_button.clicked.connect(lambda: self._done(DuplicateChoice(None)))
        self.back_button.clicked.connect(self.reject)

    def _open(self) -> None:
        index = self.table.currentIndex()
        row = self.model.row_at(index.row() if index.isValid() else 0)
        self._done(DuplicateChoice(row.id))

    def _done(self, choice: DuplicateChoice) -> None:
        self.choice = choice
        self.accept()
