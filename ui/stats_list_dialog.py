"""The customers behind one bar or row of the 统计 page, in a window of their own.

The ids come from StatsService.customers_for (already in list order); rows are fetched lazily, 200 at a
time, through the customer list's own model, so a bar of 60 000 customers opens as fast as one of six.
Double-click (or Enter) opens a card.
"""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.rows import ListQuery, Page
from ui.context import AppContext
from ui.customer_list_model import COLUMNS, CustomerTableModel
from ui.error_dialog import action_guard


class CustomerListDialog(QDialog):
    """A non-modal list of exactly the given customers; several can be open side by side."""

    def __init__(self, ctx: AppContext, title: str, ids: Sequence[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.ids = tuple(ids)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(900, 520)
        self._build_widgets(title)
        self._build_layout()
        self._connect_signals()
        self.model.load(self._fetch, ListQuery())

    @classmethod
    def show_for(cls, parent: QWidget | None, ctx: AppContext, title: str, ids: Sequence[int]) -> CustomerListDialog:
        """Open (non-modal) and return the window listing these customers."""
        dialog = cls(ctx, title, ids, parent)
        dialog.show()
        dialog.raise_()
        return dialog

    def _build_widgets(self, title: str) -> None:
        self.caption = QLabel(self.tr("{title}：共 {n} 位客户（双击打开客户卡）").format(title=title, n=len(self.ids)),
                              self)
        self.caption.setWordWrap(True)
        self.model = CustomerTableModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("stats_customers")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for i, column in enumerate(COLUMNS):
            self.table.setColumnWidth(i, column.width)
        header.setStretchLastSection(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.table.activated.connect(self.open_card)
        self.buttons.rejected.connect(self.close)
        self.ctx.bus.archive_locked.connect(self.close)  # a snapshot of the click; it never outlives the lock

    def _fetch(self, query: ListQuery, *, count: bool = True) -> Page:
        """One page of the listed customers: a slice of the ids, read through the customer list's query.

        The total is always known here (the ids), so `count` (the list model's hint) changes nothing.
        """
        chunk = self.ids[query.offset:query.offset + query.limit]
        if not chunk:
            return Page(rows=(), total=len(self.ids), offset=query.offset)
        page = self.ctx.svc.customers.list(ListQuery(ids=chunk, limit=len(chunk)))
        return Page(rows=page.rows, total=len(self.ids), offset=query.offset)

    def listed_ids(self) -> list[int]:
        """The ids of the rows loaded so far, in view order."""
        return [row.id for r in range(self.model.rowCount()) if (row := self.model.row_at(r)) is not None]

    def open_card(self, index: QModelIndex) -> None:
        """Open the card of the double-clicked customer."""
        customer_id = self.model.id_at(index.row())
        if customer_id is None or not self.ctx.is_open:
            return
        from ui.customer_card import CustomerCardWindow

        with action_guard(self, self.tr("打开客户卡")):
            CustomerCardWindow.open(self, self.ctx, customer_id)
