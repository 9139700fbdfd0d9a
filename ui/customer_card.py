"""The customer card window (客户卡): one window per card, every section of the card, inline validation.

Open with `CustomerCardWindow.open(parent, ctx, customer_id_or_None, kind="个人"|"单位")`; opening a
card that is already open raises its window. Edits are saved with Ctrl+S (or 保存); closing with
unsaved edits asks 保存 / 不保存 / 取消; the idle lock closes the card at once and keeps the draft.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import pinyin
from app.errors import AppError, NotFound, ValidationError
from app.rows import CustomerCard, CustomerInput
from app.services.checks import check_customer
from ui import state
from ui.card_basic import BasicPage
from ui.card_form import ERROR_COLOR, Binder, FieldErrors, error_label
from ui.card_header import CardHeader
from ui.card_pages import GradePage, HistoryPage, NeedsPage, RemarksPage
from ui.card_records import COMPLAINTS, CONTACTS, DEALS, LIFE_EVENTS, VISITS, RecordPage, VisitsPage
from ui.card_registry import CardDraft, CardRegistry
from ui.context import AppContext
from ui.duplicate_dialog import DuplicateDialog
from ui.visit_dialog import log_visit

logger = logging.getLogger(__name__)

STATE_KEY = "customer_card"  # one remembered size and place for every card window
BASIC, GRADE, CONTACTS_PAGE, NEEDS, DEALS_PAGE, VISITS_PAGE, COMPLAINTS_PAGE, EVENTS, REMARKS, HISTORY = range(10)


class CustomerCardWindow(QMainWindow):
    """One customer's card: 基本信息, 分级, 联系人与家庭, 需求与状况, 成交, 拜访, 投诉, 生活事件, 备注, 历史."""

    def __init__(self, parent: QWidget | None, ctx: AppContext, customer_id: int | None, kind: str) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx = ctx
        self.customer_id = customer_id
        self.kind = kind
        self.card: CustomerCard | None = None
        self._closing_for_lock = False
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._build_widgets()
        self._build_layout()
        self._connect_signals()
        if not state.restore_window(STATE_KEY, self):
            self.resize(1180, 740)
        try:
            self._load()
        except Exception:
            self.deleteLater()  # never shown: do not leave it listening to the bus
            raise

    @classmethod
    def open(cls, parent: QWidget | None, ctx: AppContext, customer_id: int | None = None,
             kind: str = "个人") -> CustomerCardWindow:
        """Show a card (None: a new card of `kind`); an already open card is raised, not opened twice."""
        registry = CardRegistry.of(ctx, parent)
        window = registry.find(customer_id) if customer_id is not None else None
        if window is None:
            pinyin.warm_up_in_background()  # saving needs the name's pinyin: load it while the card is edited
            window = cls(parent, ctx, customer_id, kind)
            registry.add(window)
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    # ----- building ---------------------------------------------------------------------
    def _build_widgets(self) -> None:
        # Containers first and every page born inside its final parent: with the application style
        # sheet, moving a built subtree re-polishes it (combo boxes especially), which made cards slow.
        central = QWidget()
        self.setCentralWidget(central)
        self.binder = Binder(self)
        self.general_error = error_label()
        self.general_error.setParent(central)
        self.errors = FieldErrors(self.general_error)
        self.header = CardHeader(central)
        self.nav_list = QListWidget(central)
        self.nav_list.setFixedWidth(168)
        self.nav_list.setObjectName("navigation")  # looks from the application style sheet (ui/style.py)
        self.stack = stack = QStackedWidget(central)
        today = lambda: self.ctx.svc.customers.now().date()  # noqa: E731 - the services' clock
        self.basic_page = BasicPage(self.ctx, self.binder, self.errors, today, stack)
        self.grade_page = GradePage(self.binder, self.errors, stack)
        self.needs_page = NeedsPage(self.binder, self.errors, stack)
        self.remarks_page = RemarksPage(self.binder, self.errors, stack)
        self.history_page = HistoryPage(stack)
        self.contacts_page = RecordPage(self.ctx, CONTACTS, self.ensure_saved,
                                        self.tr("决策人、业务联系人和家人：关系、生日、履历与性格爱好"), stack)
        self.deals_page = RecordPage(self.ctx, DEALS, self.ensure_saved, self.tr("周年、续期、续保日会进入日历提醒"),
                                     stack)
        self.visits_page = VisitsPage(self.ctx, VISITS, self.ensure_saved, self.tr("最新的在最上面"), stack)
        self.complaints_page = RecordPage(self.ctx, COMPLAINTS, self.ensure_saved,
                                          self.tr("四个不漏：记录、处理、复查、反馈。未处理的标红。"), stack)
        self.events_page = RecordPage(self.ctx, LIFE_EVENTS, self.ensure_saved,
                                      self.tr("乔迁、晋升、结婚、生子……是问候和加保的时机"), stack)
        self.record_pages = (self.contacts_page, self.deals_page, self.visits_page, self.complaints_page,
                             self.events_page)
        pages = (self.basic_page, self.grade_page, self.contacts_page, self.needs_page, self.deals_page,
                 self.visits_page, self.complaints_page, self.events_page, self.remarks_page, self.history_page)
        for page in pages:
            self.stack.addWidget(page)
            item = QListWidgetItem()
            item.setSizeHint(QSize(0, self.fontMetrics().height() + 18))
            self.nav_list.addItem(item)
        self._set_nav_titles(None)

    def _build_layout(self) -> None:
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.nav_list)
        body.addWidget(self.stack, 1)
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        self.general_error.setContentsMargins(18, 6, 18, 6)
        column.addWidget(self.general_error)
        column.addLayout(body, 1)
        self.centralWidget().setLayout(column)

    def _connect_signals(self) -> None:
        self.nav_list.currentRowChanged.connect(self._show_page)
        self.nav_list.setCurrentRow(BASIC)
        self.binder.changed.connect(self._on_edited)
        self.header.save_button.clicked.connect(self.save)
        self.header.visit_button.clicked.connect(self.log_visit)
        self.header.print_button.clicked.connect(self.show_print_menu)
        self.header.complaints_clicked.connect(lambda: self.nav_list.setCurrentRow(COMPLAINTS_PAGE))
        self.basic_page.referral_opened.connect(lambda i: CustomerCardWindow.open(self.parentWidget(), self.ctx, i))
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        QShortcut(QKeySequence("Ctrl+J"), self, activated=self.log_visit)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.show_print_menu)
        QShortcut(QKeySequence.StandardKey.Close, self, activated=self.close)
        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)  # several bus signals for one change → one reload
        self._reload_timer.timeout.connect(self._reload_from_store)
        bus = self.ctx.bus
        bus.customer_changed.connect(self._on_customer_signal)
        bus.records_changed.connect(self._on_customer_signal)
        bus.customers_changed.connect(self._reload_timer.start)
        bus.archive_locked.connect(self._on_locked)

    # ----- loading ----------------------------------------------------------------------
    def _load(self) -> None:
        if self.customer_id is None:
            svc = self.ctx.svc
            self.binder.load(CustomerInput(name="", kind=self.kind, created_on=svc.customers.now().date(),
                                           created_by=svc.settings.profile().name))
            self._show_card(None)
            return
        card = self.ctx.svc.customers.get(self.customer_id)
        self.kind = card.data.kind
        self.binder.load(card.data)
        self._show_card(card)

    def _show_card(self, card: CustomerCard | None) -> None:
        """Everything that is not an editable field: header, record tables, referrals, history."""
        self.card = card
        self.basic_page.set_own_id(self.customer_id)
        self.basic_page.set_referrals(card.referrals if card else ())
        self.header.show_card(card, self.kind)
        for page in self.record_pages:
            page.set_card(card, self.kind)
        self._set_nav_titles(card)
        read_only = card is not None and card.deleted_at is not None
        self.stack.setEnabled(not read_only)
        self.header.save_button.setEnabled(not read_only)
        if self.stack.currentIndex() == HISTORY:
            self._show_page(HISTORY)
        self._on_edited()

    def _set_nav_titles(self, card: CustomerCard | None) -> None:
        def count(n: int) -> str:
            return f"  {n}" if n else ""
        c = card
        open_complaints = len(c.open_complaints) if c else 0
        titles = (
            self.tr("基本信息"), self.tr("分级"), self.tr("联系人与家庭") + count(len(c.contacts) if c else 0),
            self.tr("需求与状况"), self.tr("成交记录") + count(len(c.deals) if c else 0),
            self.tr("拜访与服务记录") + count(len(c.visits) if c else 0),
            self.tr("投诉") + (self.tr("  {0} 未处理").format(open_complaints) if open_complaints else ""),
            self.tr("生活事件") + count(len(c.life_events) if c else 0), self.tr("备注"), self.tr("历史"),
        )
        for i, title in enumerate(titles):
            item = self.nav_list.item(i)
            item.setText(title)
            item.setForeground(QColor(ERROR_COLOR) if i == COMPLAINTS_PAGE and open_complaints else QColor("#202124"))

    def _show_page(self, index: int) -> None:
        self.stack.setCurrentIndex(index)
        if index == HISTORY and self.customer_id is not None and self.ctx.is_open:
            self.history_page.set_rows(self.ctx.svc.audit.history(self.customer_id))

    def _on_customer_signal(self, customer_id: int) -> None:
        if customer_id == self.customer_id:
            self._reload_timer.start()

    def _reload_from_store(self) -> None:
        """Take in changes made elsewhere (records, batch grade, tags) without losing the user's edits."""
        if self.customer_id is None or not self.ctx.is_open or self._closing_for_lock:
            return
        try:
            card = self.ctx.svc.customers.get(self.customer_id)
        except NotFound:
            self._close_without_asking()  # purged from the recycle bin: nothing left to show or save
            return
        self.binder.merge(card.data)
        self._show_card(card)

    def _on_edited(self) -> None:
        self.kind = self.basic_page.kind_combo.currentText() or self.kind
        if self.card is None:
            self.header.show_card(None, self.kind)
        for page in self.record_pages:
            page.kind = self.kind  # e.g. a new contact on an organisation card is a business contact
        dirty = self.binder.is_dirty()
        self.setWindowModified(dirty)
        name = self.basic_page.name_edit.text().strip() or self.tr("新客户")
        self.setWindowTitle(self.tr("{0} — 客户卡[*]").format(name))
        self.grade_page.update_suggestion(closed=self.basic_page.deal_status_combo.currentText() == "成交")

    # ----- saving -----------------------------------------------------------------------
    def is_dirty(self) -> bool:
        """True when the card has unsaved edits."""
        return self.binder.is_dirty()

    def save(self) -> bool:
        """Validate and store the card; errors are shown beside their field. True when saved."""
        if self.card is not None and self.card.deleted_at is not None:
            return False
        self.errors.clear()
        try:
            data = CustomerInput(**self.binder.values())
            if self.customer_id is None:
                return self._save_new(data)
            self.ctx.svc.customers.update(self.customer_id, data)
        except ValidationError as err:
            self._show_error(err)
            return False
        except AppError as err:
            QMessageBox.warning(self, self.tr("未能保存"), str(err))
            return False
        self._after_save()
        return True

    def _save_new(self, data: CustomerInput) -> bool:
        checked = check_customer(data)
        candidates = self.ctx.svc.customers.duplicates(checked)
        if candidates:
            choice = DuplicateDialog.ask(self, candidates)
            if choice is None:
                return False
            if choice.open_id is not None:
                CustomerCardWindow.open(self.parentWidget(), self.ctx, choice.open_id)
                return False
        self.customer_id = self.ctx.svc.customers.create(data)
        CardRegistry.of(self.ctx).saved_as(self, self.customer_id)
        self._after_save()
        return True

    def _after_save(self) -> None:
        assert self.customer_id is not None
        self._load()
        self.ctx.bus.customers_changed.emit()
        self.ctx.bus.customer_changed.emit(self.customer_id)
        self._reload_timer.stop()  # our own signals: already up to date

    def _show_error(self, err: ValidationError) -> None:
        widget = self.errors.show(err)
        if widget is None:
            return
        for index in range(self.stack.count()):
            if self.stack.widget(index).isAncestorOf(widget):
                self.nav_list.setCurrentRow(index)
                break
        widget.setFocus()

    def ensure_saved(self) -> int | None:
        """The card's id, saving a new card first (None when it could not be saved)."""
        if self.customer_id is None and not self.save():
            return None
        return self.customer_id

    def log_visit(self) -> None:
        """记一笔 for this card (a new card is saved first)."""
        if self.ensure_saved() is not None and self.customer_id is not None:
            log_visit(self, self.ctx, self.customer_id)

    def show_print_menu(self) -> None:
        """打印: this card's visit sheet, whole card or service plan (a new card is saved first)."""
        from ui.printing import print_menu  # lazy: reportlab loads on the first print

        button = self.header.print_button
        menu = print_menu(self, self.ctx, lambda: [i for i in (self.ensure_saved(),) if i is not None])
        menu.exec(button.mapToGlobal(button.rect().bottomLeft()))

    # ----- closing and locking ----------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        """Ask before dropping unsaved edits (never while the archive is being locked)."""
        if not self._closing_for_lock and self.binder.is_dirty() and not self._confirm_close():
            event.ignore()
            return
        CardRegistry.of(self.ctx).remove(self)
        self._reload_timer.stop()
        state.save_window(STATE_KEY, self)
        event.accept()

    def _confirm_close(self) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("客户卡有未保存的修改"),
                          self.tr("“{0}”的修改还没有保存。要保存吗？").format(
                              self.basic_page.name_edit.text().strip() or self.tr("新客户")),
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Save).setText(self.tr("保存"))
        box.button(QMessageBox.StandardButton.Discard).setText(self.tr("不保存"))
        box.button(QMessageBox.StandardButton.Cancel).setText(self.tr("取消"))
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    def _on_locked(self) -> None:
        """The archive is locking: keep the draft in memory and close at once."""
        snapshot = self.binder.snapshot() if self.binder.is_dirty() else None
        CardRegistry.of(self.ctx).keep(CardDraft(self.customer_id, self.kind, snapshot,
                                                 self.nav_list.currentRow(), self.saveGeometry()))
        self._close_without_asking()

    def _close_without_asking(self) -> None:
        self._closing_for_lock = True
        self.close()

    def restore_draft(self, draft: CardDraft) -> None:
        """Reopened after unlocking: put back the page, geometry and unsaved edits."""
        self.restoreGeometry(draft.geometry)
        if draft.snapshot is not None:
            self.binder.restore(draft.snapshot)
        self.nav_list.setCurrentRow(draft.page)

