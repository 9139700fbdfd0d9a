"""The 客户 page: search as you type, quick filters, a lazily fetched table, batch actions.

Everything is filtered and sorted in SQL (svc.customers.list); the table only holds the pages fetched.
"""
from __future__ import annotations

import logging
from dataclasses import replace

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.rows import ListQuery
from ui.context import AppContext
from ui.customer_list_model import COLUMNS, PAGE_SIZE, CustomerTableModel
from ui.customer_list_widgets import ColumnLayout, EmptyState, FilterBar, SearchEdit, TagDialog
from ui.error_dialog import action_guard

logger = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
STATE_KEY = "customer_list"


class CustomerListPage(QWidget):
    """The customer list: a page of the main window (constructed as Page(ctx, parent))."""

    selection_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._stale = False
        self._resume: tuple[str, ListQuery] | None = None
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    # ----- building ---------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.search_edit = SearchEdit()
        self.search_edit.setPlaceholderText(self.tr("搜索姓名、拼音首字母、电话、单位、编号"))
        self.search_edit.setToolTip(self.tr("输入即搜索（Ctrl+F）：如 zsf 找张三丰，1381234 找手机号"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(320)
        self.filters = FilterBar(self)
        self.count_label = QLabel()
        self.count_label.setProperty("role", "hint")
        self.search_timer = QTimer(self)
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_DELAY_MS)
        self.count_timer = QTimer(self)  # the total after the first page is painted
        self.count_timer.setSingleShot(True)
        self.count_timer.setInterval(0)
        self.model = CustomerTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.columns = ColumnLayout(self.table.horizontalHeader(), STATE_KEY, self)
        self.empty_state = EmptyState()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_state)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.search_edit, 2)
        top.addWidget(self.filters, 5)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 6)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.count_label)

    def _connect_signals(self) -> None:
        self.search_edit.textChanged.connect(self.search_timer.start)
        self.search_edit.returnPressed.connect(self._open_from_search)
        self.search_edit.down_pressed.connect(self._focus_table)
        self.search_timer.timeout.connect(self.requery)
        self.count_timer.timeout.connect(self._count_later)
        self.model.total_known.connect(self._show_counts)
        self.filters.changed.connect(self.requery)
        self.filters.tags_wanted.connect(self._load_tags)
        self.table.activated.connect(self._open_index)
        self.table.installEventFilter(self)  # Enter opens the card on every platform (macOS has no activated)
        self.table.customContextMenuRequested.connect(self._row_menu)
        # Bound methods and signals only: a lambda holding self is a cycle PySide 6.12 may free twice.
        self.table.selectionModel().selectionChanged.connect(self.selection_changed)
        self.model.modelReset.connect(self.selection_changed)
        header = self.table.horizontalHeader()
        header.sortIndicatorChanged.connect(self._on_sort)
        self.empty_state.new_person_button.clicked.connect(self._new_person)
        self.empty_state.new_org_button.clicked.connect(self._new_org)
        self.empty_state.import_button.clicked.connect(self._import_excel)
        bus = self.ctx.bus
        bus.customers_changed.connect(self._data_changed)
        bus.customer_changed.connect(self._data_changed)
        bus.records_changed.connect(self._data_changed)

    # ----- the page protocol ----------------------------------------------------------------------
    def reload(self) -> None:
        """Fetch again with the current search, filters and sort (after unlock, F5, or a change)."""
        if not self.ctx.is_open:
            return
        if self._resume is not None:
            text, query = self._resume
            self._resume = None
            self.filters.set_query(query)
            self.search_edit.blockSignals(True)
            self.search_edit.setText(text)
            self.search_edit.blockSignals(False)
        self._stale = False
        self.requery()

    def clear(self) -> None:
        """Forget every row and every typed word (the archive is being locked); remembered for reload."""
        self.search_timer.stop()
        self.count_timer.stop()
        self._resume = (self.search_edit.text(), self._query())
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)
        self.filters.clear_tags()
        self.model.clear()
        self.count_label.clear()
        self.stack.setCurrentWidget(self.table)

    def focus_search(self) -> None:
        """Ctrl+F: put the cursor in the search box with its text selected."""
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def list_query(self) -> ListQuery:
        """The search, filters and sort as shown (导出当前列表 exports exactly this list)."""
        return self._query()

    def selected_customer_ids(self) -> list[int]:
        """Ids of the selected rows, top to bottom."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [i for i in (self.model.id_at(r) for r in rows) if i is not None]

    # ----- querying ---------------------------------------------------------------------------------
    def _query(self) -> ListQuery:
        column = COLUMNS[self.table.horizontalHeader().sortIndicatorSection()]
        descending = self.table.horizontalHeader().sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        base = self.filters.query(search=self.search_edit.text().strip())
        return replace(base, sort=column.sort or "name", descending=descending, limit=PAGE_SIZE)

    def requery(self, resort: bool = False) -> None:
        """Run the query now and show its first page; the total is counted right after the repaint."""
        self.search_timer.stop()
        if not self.ctx.is_open:
            return
        with action_guard(self, self.tr("客户列表")):
            self.model.load(self.ctx.svc.customers.list, self._query(), resort=resort)
        if not self.model.total_is_known:
            self._show_counts()
            self.count_timer.start()

    def _count_later(self) -> None:
        if self.ctx.is_open:
            with action_guard(self, self.tr("客户列表")):
                self.model.count_total()  # total_known → _show_counts

    def _show_counts(self, *_: object) -> None:
        query, total, exact = self.model.query, self.model.rowCount(), self.model.total_is_known
        if exact:
            total = self.model.total
        filtered = bool(query.search or query.grades or query.deal_status or query.stage or query.tag
                        or query.tier or query.kind)
        self.stack.setCurrentWidget(self.empty_state if exact and total == 0 and not filtered else self.table)
        if not exact:
            text = self.tr("找到 {n} 位以上客户").format(n=total)
        elif filtered:
            text = self.tr("找到 {n} 位客户").format(n=total) if total else self.tr("没有找到符合条件的客户")
        else:
            text = self.tr("共 {n} 位客户").format(n=total)
        self.count_label.setText(text + self.tr("　·　双击或回车打开客户卡，右键可批量操作"))

    def _on_sort(self, section: int, order: Qt.SortOrder) -> None:
        header = self.table.horizontalHeader()
        if COLUMNS[section].sort is None:  # 标签 cannot be sorted: put the indicator back on 姓名
            header.blockSignals(True)
            header.setSortIndicator(1, Qt.SortOrder.AscendingOrder)
            header.blockSignals(False)
        self.columns.save()
        self.requery(resort=True)

    def _data_changed(self, *_: object) -> None:
        if not self.ctx.is_open:
            return
        if self.isVisible():
            self._refresh_keeping_selection()
        else:
            self._stale = True  # refreshed when shown again

    def _refresh_keeping_selection(self) -> None:
        selected = self.selected_customer_ids()
        with action_guard(self, self.tr("客户列表")):
            self.model.reload()
        self._select_ids(selected)

    def showEvent(self, event: object) -> None:
        """Catch up with changes made while the page was hidden."""
        super().showEvent(event)  # type: ignore[arg-type]
        if self._stale and self.ctx.is_open:
            self._stale = False
            self._refresh_keeping_selection()

    def _select_ids(self, ids: list[int]) -> None:
        selection = self.table.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for customer_id in ids:
            row = self.model.row_of_id(customer_id)
            if row is not None:
                selection.select(self.model.index(row, 0), flags)

    def _load_tags(self) -> None:
        if self.ctx.is_open:
            with action_guard(self, self.tr("标签")):
                self.filters.set_tags([name for name, _ in self.ctx.svc.customers.tags()])

    # ----- actions ------------------------------------------------------------------------------------
    def _focus_table(self) -> None:
        if self.model.rowCount() == 0:
            return
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)

    def _open_from_search(self) -> None:
        self.requery()
        if self.model.rowCount() == 1:
            self.open_card(self.model.id_at(0))
        else:
            self._focus_table()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter or Return on the table opens the current card."""
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):  # type: ignore[attr-defined]
            index = self.table.currentIndex()
            if index.isValid():
                self.open_card(self.model.id_at(index.row()))
            return True
        return super().eventFilter(watched, event)

    def _open_index(self, index: QModelIndex) -> None:
        self.open_card(self.model.id_at(index.row()))

    def open_card(self, customer_id: int | None) -> None:
        """Open a customer's card window."""
        if customer_id is None:
            return
        from ui.customer_card import CustomerCardWindow  # lazy: the card is heavier than the list

        with action_guard(self, self.tr("打开客户卡")):
            CustomerCardWindow.open(self.window(), self.ctx, customer_id)

    def new_card(self, kind: str) -> None:
        """Open an empty card of kind 个人 or 单位."""
        from ui.customer_card import CustomerCardWindow

        with action_guard(self, self.tr("新建客户卡")):
            CustomerCardWindow.open(self.window(), self.ctx, None, kind=kind)

    def _new_person(self) -> None:
        self.new_card("个人")

    def _new_org(self) -> None:
        self.new_card("单位")

    def log_visit(self) -> None:
        """记一笔 for the selected customer."""
        ids = self.selected_customer_ids()
        if len(ids) == 1:
            from ui.visit_dialog import log_visit

            log_visit(self.window(), self.ctx, ids[0])

    def set_grade(self, grade: str) -> None:
        """Change the grade of every selected customer."""
        ids = self.selected_customer_ids()
        if not ids or not self._confirm_batch(ids, self.tr("把选中的 {n} 位客户改为 {g} 类？").format(n=len(ids), g=grade)):
            return
        with action_guard(self, self.tr("修改等级")):
            self.ctx.svc.customers.set_grade(ids, grade)
            self.ctx.bus.customers_changed.emit()

    def add_tag(self) -> None:
        """Add a tag to every selected customer."""
        ids = self.selected_customer_ids()
        if not ids:
            return
        with action_guard(self, self.tr("添加标签")):
            known = [name for name, _ in self.ctx.svc.customers.tags()]
            tag = TagDialog.ask(self, known, len(ids))
            if tag:
                self.ctx.svc.customers.add_tag(ids, tag)
                self.ctx.bus.customers_changed.emit()

    def delete_selected(self) -> None:
        """Move the selected customers to the recycle bin after a confirmation."""
        ids = self.selected_customer_ids()
        if not ids:
            return
        names = "、".join(r.name for r in (self.model.row_at(self.model.row_of_id(i) or 0) for i in ids[:5]) if r)
        more = self.tr(" 等 {n} 位客户").format(n=len(ids)) if len(ids) > 5 else ""
        answer = QMessageBox.question(
            self, self.tr("删除客户"),
            self.tr("把 {names}{more} 移入回收站？\n\n删除的客户卡可以在“回收站”里恢复。").format(names=names, more=more),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        with action_guard(self, self.tr("删除客户")):
            self.ctx.svc.customers.delete(ids)
            self.ctx.bus.customers_changed.emit()

    def print_selected(self) -> None:
        """打印: visit sheets, cards, plans or labels for the selected customers."""
        from ui.printing import print_selection  # lazy: reportlab loads on the first print

        print_selection(self.window(), self.ctx, self.selected_customer_ids())

    def _confirm_batch(self, ids: list[int], text: str) -> bool:
        if len(ids) == 1:
            return True
        return QMessageBox.question(self, self.tr("批量操作"), text) == QMessageBox.StandardButton.Yes

    def _import_excel(self) -> None:
        from ui.import_wizard import import_excel  # lazy: the wizard loads on first use

        import_excel(self.window(), self.ctx)

    def _row_menu(self, pos: QPoint) -> None:
        ids = self.selected_customer_ids()
        if not ids:
            return
        menu = QMenu(self)
        single = len(ids) == 1
        menu.addAction(self.tr("打开客户卡")).setData(("open",) if single else None)
        menu.addAction(self.tr("记一笔…")).setData(("visit",) if single else None)
        menu.addSeparator()
        grades = menu.addMenu(self.tr("修改等级"))
        for grade in "ABCD":
            grades.addAction(self.tr("{g} 类").format(g=grade)).setData(("grade", grade))
        menu.addAction(self.tr("添加标签…")).setData(("tag",))
        menu.addAction(self.tr("打印…")).setData(("print",))
        menu.addSeparator()
        menu.addAction(self.tr("删除（移入回收站）…")).setData(("delete",))
        for action in menu.actions()[:2]:
            action.setEnabled(single)
        chosen = menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()
        if chosen is not None and chosen.data():
            self._row_action(tuple(chosen.data()), ids)

    def _row_action(self, what: tuple, ids: list[int]) -> None:
        kind = what[0]
        if kind == "open":
            self.open_card(ids[0])
        elif kind == "visit":
            self.log_visit()
        elif kind == "grade":
            self.set_grade(what[1])
        elif kind == "tag":
            self.add_tag()
        elif kind == "delete":
            self.delete_selected()
        elif kind == "print":
            self.print_selected()
