"""The record pages of a card: 联系人与家庭, 成交记录, 拜访与服务记录 (with quick add), 投诉, 生活事件.

Each page is one table (newest first, as the service returns them) with 添加 / 修改 / 删除; the
dialogs return checked inputs, the page saves them through the service and emits records_changed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.enums import Method
from app.errors import AppError
from app.rows import CustomerCard, VisitInput
from app.services import Services
from ui.card_form import fmt_amount, fmt_date, fmt_datetime, muted_label
from ui.card_table import Column, RowTableModel
from ui.context import AppContext
from ui.date_input import birthday_text
from ui.record_dialogs import ComplaintDialog, ContactDialog, DealDialog, LifeEventDialog
from ui.visit_dialog import VisitDialog

CTX = "CardRecords"
WRAP_ROWS = 100  # up to this many records rows grow to show wrapped text; beyond, one line each (fast)


def _t(text: str) -> str:
    return QT_TRANSLATE_NOOP(CTX, text)


def _yes(flag: bool) -> str:
    return QCoreApplication.translate(CTX, "是") if flag else ""


def _next(v: Any) -> str:
    if v.next_at is None:
        return ""
    return " ".join(p for p in (fmt_datetime(v.next_at), v.next_place, v.next_agenda) if p)


@dataclass(frozen=True)
class RecordKind:
    """One kind of record: its columns, where it lives on the card, its dialog and its service."""

    noun: str
    columns: tuple[Column, ...]
    rows: Callable[[CustomerCard], tuple]
    service: Callable[[Services], Any]
    ask: Callable[[RecordPage, Any], Any]
    stretch: int  # the column that takes the spare width (the free text)
    flagged: Callable[[Any], bool] | None = None


CONTACTS = RecordKind(
    _t("联系人"),
    (Column(_t("姓名"), lambda r: r.name), Column(_t("角色"), lambda r: r.role),
     Column(_t("关系"), lambda r: r.relation), Column(_t("手机"), lambda r: r.mobile or r.phone),
     Column(_t("生日"), lambda r: birthday_text(r.birthday)), Column(_t("职务"), lambda r: r.title),
     Column(_t("性格爱好"), lambda r: "；".join(p for p in (r.personality, r.hobbies) if p))),
    lambda card: card.contacts, lambda svc: svc.contacts,
    lambda page, row: ContactDialog.ask(page.window(), page.ctx, row, kind=page.kind), stretch=6,
)
DEALS = RecordKind(
    _t("成交记录"),
    (Column(_t("产品"), lambda r: r.product), Column(_t("金额(元)"), lambda r: fmt_amount(r.amount)),
     Column(_t("起始日期"), lambda r: fmt_date(r.start_date)), Column(_t("日期类型"), lambda r: r.renewal_kind),
     Column(_t("续期/周年日"), lambda r: fmt_date(r.renewal_date)), Column(_t("状态"), lambda r: r.status),
     Column(_t("合同/保单号"), lambda r: r.contract_no)),
    lambda card: card.deals, lambda svc: svc.deals,
    lambda page, row: DealDialog.ask(page.window(), page.ctx, row), stretch=0,
)
VISITS = RecordKind(
    _t("拜访与服务记录"),
    (Column(_t("时间"), lambda r: fmt_datetime(r.at)), Column(_t("方式"), lambda r: r.method),
     Column(_t("访问情况"), lambda r: r.content), Column(_t("洽谈结果"), lambda r: r.result),
     Column(_t("满意度"), lambda r: str(r.satisfaction or "")), Column(_t("下次约见"), _next)),
    lambda card: card.visits, lambda svc: svc.visits,
    lambda page, row: VisitDialog.ask(page.window(), page.ctx, page.customer_id, row), stretch=2,
)
COMPLAINTS = RecordKind(
    _t("投诉"),
    (Column(_t("收到时间"), lambda r: fmt_datetime(r.received_at)), Column(_t("状态"), lambda r: r.status),
     Column(_t("投诉内容"), lambda r: r.content), Column(_t("处理结果"), lambda r: r.resolution),
     Column(_t("已复查"), lambda r: _yes(r.reviewed)), Column(_t("已反馈"), lambda r: _yes(r.fed_back))),
    lambda card: card.complaints, lambda svc: svc.complaints,
    lambda page, row: ComplaintDialog.ask(page.window(), page.ctx, row), stretch=2,
    flagged=lambda r: r.status in ("待处理", "处理中"),
)
LIFE_EVENTS = RecordKind(
    _t("生活事件"),
    (Column(_t("日期"), lambda r: fmt_date(r.on)), Column(_t("事件"), lambda r: r.kind),
     Column(_t("说明"), lambda r: r.note)),
    lambda card: card.life_events, lambda svc: svc.life_events,
    lambda page, row: LifeEventDialog.ask(page.window(), page.ctx, row,
                                          page.card.contacts if page.card else ()), stretch=2,
)


class RecordPage(QWidget):
    """A table of one kind of record with 添加 / 修改 / 删除 (double-click edits)."""

    def __init__(self, ctx: AppContext, spec: RecordKind, ensure_saved: Callable[[], int | None],
                 hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.spec, self._ensure_saved = ctx, spec, ensure_saved
        self.card: CustomerCard | None = None
        self.kind = "个人"
        self._stale = False
        self._hint = hint
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    @property
    def customer_id(self) -> int:
        """The card's id (pages act only on saved cards)."""
        assert self.card is not None
        return self.card.id

    def _noun(self) -> str:
        return QCoreApplication.translate(CTX, self.spec.noun)

    def _build_widgets(self) -> None:
        self.add_button = QPushButton(self.tr("添加{0}…").format(self._noun()))
        self.edit_button = QPushButton(self.tr("修改…"))
        self.delete_button = QPushButton(self.tr("删除"))
        self.hint_label = muted_label(self._hint)
        self.model = RowTableModel(self.spec.columns, CTX, self, self.spec.flagged)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setMinimumSectionSize(30)
        rows.setDefaultSectionSize(30)
        rows.setResizeContentsPrecision(WRAP_ROWS)  # column widths are measured on the first rows only
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(self.spec.stretch, QHeaderView.ResizeMode.Stretch)
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setProperty("role", "hint")
        self.empty_label.setMargin(24)

    def _toolbar(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.edit_button)
        row.addWidget(self.delete_button)
        row.addSpacing(12)
        row.addWidget(self.hint_label, 1)
        return row

    def _build_layout(self) -> None:
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(16, 12, 16, 12)
        self.column.addLayout(self._toolbar())
        self.column.addWidget(self.table, 1)
        self.column.addWidget(self.empty_label)

    def _connect_signals(self) -> None:
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit)
        self.delete_button.clicked.connect(self.delete)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

    def set_card(self, card: CustomerCard | None, kind: str) -> None:
        """Take the records of a card (None: a new card not saved yet); shown when the page is visible."""
        self.card, self.kind = card, kind
        self._stale = True
        if self.isVisible():
            self._fill()

    def showEvent(self, event: QShowEvent) -> None:
        """Fill the table the first time the page is looked at (opening a card stays quick)."""
        super().showEvent(event)
        if self._stale:
            self._fill()

    def _fill(self) -> None:
        self._stale = False
        card = self.card
        rows = self.spec.rows(card) if card is not None else ()
        self.model.set_rows(rows)
        wrap = len(rows) <= WRAP_ROWS  # wrapped rows are measured one by one: only for a readable few
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents if wrap else QHeaderView.ResizeMode.Fixed)
        self._fit_columns()
        self.table.setVisible(bool(rows))
        self.empty_label.setVisible(not rows)
        if card is None:
            self.empty_label.setText(self.tr("保存客户卡后即可添加{0}（点“添加”会先保存）").format(self._noun()))
        else:
            self.empty_label.setText(self.tr("还没有{0}").format(self._noun()))
        self._update_buttons()

    def _fit_columns(self) -> None:
        header = self.table.horizontalHeader()
        for i in range(self.model.columnCount()):
            if i != self.spec.stretch:  # a card holds tens of records: measuring them is cheap
                header.resizeSection(i, max(72, min(self.table.sizeHintForColumn(i) + 16, 300)))

    def _update_buttons(self) -> None:
        has = self._selected() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def _selected(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    # ----- actions ----------------------------------------------------------------------
    def add(self) -> None:
        """Ask for a new record (saving a new card first) and store it."""
        if self._ensure_saved() is None:
            return
        data = self.spec.ask(self, None)
        if data is not None:
            self._commit(lambda service: service.add(self.customer_id, data))

    def edit(self) -> None:
        """Edit the selected record."""
        row = self._selected()
        if row is None:
            return
        data = self.spec.ask(self, row)
        if data is not None:
            self._commit(lambda service: service.update(row.id, data))

    def delete(self) -> None:
        """Delete the selected record after confirmation (its content stays in the history)."""
        row = self._selected()
        if row is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("删除{0}").format(self._noun()),
                          self.tr("删除这条{0}？删除后内容仍保留在“历史”里。").format(self._noun()),
                          QMessageBox.StandardButton.NoButton, self.window())
        delete = box.addButton(self.tr("删除"), QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(box.addButton(self.tr("取消"), QMessageBox.ButtonRole.RejectRole))
        box.exec()
        if box.clickedButton() is delete:
            self._commit(lambda service: service.delete(row.id))

    def _commit(self, action: Callable[[Any], object]) -> bool:
        customer_id = self.customer_id
        try:
            action(self.spec.service(self.ctx.svc))
        except AppError as err:
            QMessageBox.warning(self.window(), self.tr("未能保存"), str(err))
            return False
        self.ctx.bus.records_changed.emit(customer_id)
        self.ctx.bus.customer_changed.emit(customer_id)  # 成交状态, 上次联系 … may have moved
        return True


class VisitsPage(RecordPage):
    """Visits and services, newest first, with a one-line quick add (method + what happened + Enter)."""

    def _build_widgets(self) -> None:
        super()._build_widgets()
        self.add_button.setText(self.tr("记一笔…"))
        self.add_button.setToolTip(self.tr("完整记录一次拜访或服务（Ctrl+J）"))
        self.quick_method_combo = QComboBox()
        self.quick_method_combo.addItems([m.value for m in Method])
        self.quick_edit = QLineEdit()
        self.quick_edit.setPlaceholderText(self.tr("快速记一笔：写下刚才的情况，回车保存"))
        self.quick_button = QPushButton(self.tr("记下"))

    def _build_layout(self) -> None:
        super()._build_layout()
        quick = QHBoxLayout()
        quick.addWidget(self.quick_method_combo)
        quick.addWidget(self.quick_edit, 1)
        quick.addWidget(self.quick_button)
        self.column.insertLayout(0, quick)

    def _connect_signals(self) -> None:
        super()._connect_signals()
        self.quick_edit.returnPressed.connect(self.quick_add)
        self.quick_button.clicked.connect(self.quick_add)

    def quick_add(self) -> None:
        """Store the one-line visit, dated now."""
        content = self.quick_edit.text().strip()
        if not content:
            self.quick_edit.setFocus()
            return
        if self._ensure_saved() is None:
            return
        data = VisitInput(customer_id=self.customer_id, at=self.ctx.svc.visits.now(),
                          method=self.quick_method_combo.currentText(), content=content)
        if self._commit(lambda service: service.log(data)):
            self.quick_edit.clear()
