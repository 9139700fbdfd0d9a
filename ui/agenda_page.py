"""The 待办 page: overdue / today / next 7 days, filters, batch complete, skip, snooze, copy greeting."""
from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Sequence
from dataclasses import replace

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.calendar.model import KINDS, Touchpoint  # the engine and the service load in the worker thread
from app.services.touchpoint_views import Agenda, day_caption
from ui.agenda_model import KIND_NAMES, AgendaTreeModel
from ui.background import BackgroundCall
from ui.context import AppContext
from ui.error_dialog import action_guard
from ui.touchpoint_dialogs import CompleteDialog, SkipDialog, SnoozeDialog

logger = logging.getLogger(__name__)
LOAD_DELAY_MS = 30
FOLD_OVERDUE_ABOVE = 15  # overdue rows (after grouping) shown unfolded at most
GRADE_CHOICES = (("A", "A 类"), ("B", "B 类"), ("C", "C 类"), ("D", "D 类"), ("", "未定级"))


class TouchpointFilters(QWidget):
    """Kind and grade filters shared by 待办 and 日历."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(self.tr("全部类型"), None)
        for kind in KINDS:
            self.kind_combo.addItem(self.tr(KIND_NAMES[kind]), kind)
        self.grade_combo = QComboBox()
        self.grade_combo.addItem(self.tr("全部等级"), None)
        for grade, label in GRADE_CHOICES:
            self.grade_combo.addItem(self.tr(label), grade)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.kind_combo)
        layout.addWidget(self.grade_combo)
        self.kind_combo.currentIndexChanged.connect(self.changed)
        self.grade_combo.currentIndexChanged.connect(self.changed)

    def kinds(self) -> tuple[str, ...]:
        """The chosen kind, or () for all."""
        kind = self.kind_combo.currentData()
        return () if kind is None else (kind,)

    def grades(self) -> tuple[str, ...]:
        """The chosen grade ('' = 未定级), or () for all."""
        grade = self.grade_combo.currentData()
        return () if grade is None else (grade,)


class TouchpointPage(QWidget):
    """What 待办 and the 日历 day list do with selected touchpoints (the base of both pages)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._stale = True  # the rows need fetching (again) before they are shown

    def reload(self) -> None:  # pragma: no cover - each page overrides
        """Fetch the rows again."""
        raise NotImplementedError

    def _changed(self, *_args: object) -> None:
        """Something changed in the archive: reload now if shown, else on next show."""
        self._stale = True
        if self.isVisible():
            QTimer.singleShot(0, self._reload_if_stale)

    def _reload_if_stale(self) -> None:
        if self._stale:
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        """Reload when shown after something changed while hidden."""
        super().showEvent(event)
        if self._stale and self.ctx.is_open:
            self.reload()

    def selected_touchpoints(self) -> list[Touchpoint]:  # pragma: no cover - each page overrides
        """The touchpoints the user has selected."""
        raise NotImplementedError

    def forget(self, tps: Sequence[Touchpoint]) -> None:
        """Touchpoints just completed or skipped: a page that lists only open ones takes them off at once."""

    def usable(self, error: object, what: str) -> bool:
        """Whether a result worked out in the background may be shown: the archive is still open and the work
        did not fail (a failure is shown the usual way: AppError as a message, anything else the crash dialog)."""
        if not self.ctx.is_open:
            return False
        if error is not None:
            with action_guard(self, what):
                raise error  # type: ignore[misc]
            return False
        return True

    def show_message(self, text: str) -> None:  # pragma: no cover - each page overrides
        """A short confirmation under the list."""
        raise NotImplementedError

    def _open_ones(self) -> list[Touchpoint]:
        return [t for t in self.selected_touchpoints() if t.status in ("due", "overdue", "snoozed")]

    def _describe(self, tps: Sequence[Touchpoint]) -> str:
        if len(tps) == 1:
            return self.tr("“{title}”").format(title=tps[0].title)
        people = len({t.customer_id for t in tps})
        return self.tr("选中的 {n} 项待办（{m} 位客户）").format(n=len(tps), m=people)

    def complete_selected(self) -> None:
        """Ask how it was done, then record it on each customer's card in one transaction."""
        tps = self._open_ones()
        if not tps:
            return
        from app.services.touchpoints import suggested_method

        answer = CompleteDialog.ask(self, self._describe(tps), suggested_method(tps[0]))
        if answer is None:
            return
        with action_guard(self, self.tr("完成待办")):
            self.ctx.svc.touchpoints.complete_many(tps, answer.method, answer.note)
            self.forget(tps)
            self._announce(tps, self.tr("已完成 {n} 项，服务记录已记到客户卡上"))

    def skip_selected(self) -> None:
        """Ask why, then skip."""
        tps = self._open_ones()
        if not tps:
            return
        reason = SkipDialog.ask(self, self._describe(tps))
        if reason is None:
            return
        with action_guard(self, self.tr("跳过待办")):
            self.ctx.svc.touchpoints.skip_many(tps, reason)
            self.forget(tps)
            self._announce(tps, self.tr("已跳过 {n} 项"))

    def snooze_selected(self) -> None:
        """Ask to which day, then snooze."""
        tps = self._open_ones()
        if not tps:
            return
        day = SnoozeDialog.ask(self, self._describe(tps), self.ctx.svc.touchpoints.today())
        if day is None:
            return
        with action_guard(self, self.tr("推迟待办")):
            self.ctx.svc.touchpoints.snooze_many(tps, day)
            self._announce(tps, self.tr("已推迟 {n} 项"))

    def copy_greeting(self) -> None:
        """Put the greeting(s) on the clipboard, ready for 微信 or SMS."""
        texts = []
        with action_guard(self, self.tr("复制问候语")):
            tps = self.selected_touchpoints()
            for tp in tps:
                text = self.ctx.svc.touchpoints.greeting(tp)
                if text:
                    texts.append(text if len(tps) == 1 else f"【{tp.person_name}】{text}")
        if not texts:
            self.show_message(self.tr("选中的待办没有问候语（生日、纪念日、人生大事和节日才有）"))
            return
        QGuiApplication.clipboard().setText("\n\n".join(texts))
        self.show_message(self.tr("已复制 {n} 条问候语，可直接粘贴到微信或短信").format(n=len(texts)))

    def open_card(self, tp: Touchpoint | None = None) -> None:
        """Open the customer's card."""
        from ui.customer_card import CustomerCardWindow

        tps = [tp] if tp is not None else self.selected_touchpoints()
        if tps:
            CustomerCardWindow.open(self, self.ctx, tps[0].customer_id)

    def _announce(self, tps: Sequence[Touchpoint], message: str) -> None:
        for customer_id in dict.fromkeys(t.customer_id for t in tps):
            self.ctx.bus.records_changed.emit(customer_id)
        self.show_message(message.format(n=len(tps)))


def by_time(tps: Sequence[Touchpoint]) -> list[Touchpoint]:
    """Each day's appointments in the order of their hour (first), then the rest as the engine gave them."""
    return sorted(tps, key=lambda t: (t.date, t.at is None, t.at.time() if t.at is not None else None))


def printing_available() -> bool:
    """Whether the printing module (visit sheets) is installed."""
    return importlib.util.find_spec("ui.printing") is not None


class AgendaPage(TouchpointPage):
    """待办: what to do, overdue first; festivals grouped; batch actions on the selection."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.loader = BackgroundCall(self, "agenda")  # at 100k customers the first agenda takes seconds
        self._agenda: Agenda | None = None  # what the list shows
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    # ----- building ---------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.title_label = QLabel(self.tr("待办"))
        self.title_label.setProperty("role", "title")
        self.date_label = QLabel()
        self.date_label.setProperty("role", "hint")
        self.filters = TouchpointFilters()
        self.model = AgendaTreeModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setExpandsOnDoubleClick(False)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((175, 190, 330, 80, 190)):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.complete_button = QPushButton(self.tr("完成…"))
        self.complete_button.setProperty("role", "primary")
        self.skip_button = QPushButton(self.tr("跳过…"))
        self.snooze_button = QPushButton(self.tr("推迟…"))
        self.copy_button = QPushButton(self.tr("复制问候语"))
        self.open_button = QPushButton(self.tr("打开客户卡"))
        self.print_button = QPushButton(self.tr("打印这些客户的拜访单"))
        self.print_button.setVisible(printing_available())
        self.message_label = QLabel()
        self.message_label.setProperty("role", "ok")
        self._update_buttons()

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title_label)
        top.addWidget(self.date_label)
        top.addStretch(1)
        top.addWidget(self.filters)
        actions = QHBoxLayout()
        for button in (self.complete_button, self.skip_button, self.snooze_button, self.copy_button,
                       self.open_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.message_label)

    def _connect_signals(self) -> None:
        self.filters.changed.connect(self.reload)
        self.tree.selectionModel().selectionChanged.connect(self._update_buttons)
        self.tree.doubleClicked.connect(self._on_double_click)
        self.complete_button.clicked.connect(self.complete_selected)
        self.skip_button.clicked.connect(self.skip_selected)
        self.snooze_button.clicked.connect(self.snooze_selected)
        self.copy_button.clicked.connect(self.copy_greeting)
        self.open_button.clicked.connect(lambda: self.open_card())
        self.print_button.clicked.connect(self.print_visit_sheets)
        bus = self.ctx.bus
        bus.records_changed.connect(self._changed)
        bus.customer_changed.connect(self._changed)
        bus.customers_changed.connect(self._changed)
        bus.settings_changed.connect(self._changed)
        bus.archive_opened.connect(self._changed)
        bus.archive_locked.connect(self.clear)
        self.loader.finished.connect(self._show_agenda)

    # ----- Page protocol ----------------------------------------------------------------
    def clear(self) -> None:
        """Forget every row (the archive is being locked)."""
        self.loader.cancel()
        self._agenda = None
        self.model.clear()
        self.date_label.clear()
        self.message_label.clear()
        self._stale = True
        self._update_buttons()

    @property
    def loading(self) -> bool:
        """True while the agenda is being worked out in the background."""
        return self.loader.busy

    def reload(self) -> None:
        """Work the agenda out again, off the GUI thread; the rows appear when it is ready."""
        if not self.ctx.is_open:
            self.clear()
            return
        self._stale = False
        svc = self.ctx.svc.touchpoints
        kinds, grades = self.filters.kinds(), self.filters.grades()
        if self.model.section_count() == 0:
            self.date_label.setText(self.tr("正在整理待办…"))
        # A moment's delay lets the window paint before the worker shares the interpreter with it.
        self.loader.start(lambda: svc.agenda(kinds=kinds, grades=grades), delay_ms=LOAD_DELAY_MS)

    def wait_loaded(self, timeout: float = 60.0) -> bool:
        """Wait (processing events) until the rows are in (tests, screenshots)."""
        return self.loader.wait(timeout)

    def _show_agenda(self, agenda: object, error: object) -> None:
        if not self.usable(error, self.tr("待办")):
            return
        with action_guard(self, self.tr("待办")):
            self._agenda = agenda
            self.model.set_sections([(self.tr("逾期"), agenda.overdue, True),
                                     (self.tr("今天"), by_time(agenda.due_today), False),
                                     (self.tr("未来 7 天"), by_time(agenda.upcoming), False)], agenda.today)
            self.date_label.setText(day_caption(agenda.today))
            for row in range(self.model.section_count()):
                section = self.model.index(row, 0)
                # A long overdue list would push today's work off the screen: it starts folded, its
                # header still says how many.
                self.tree.setExpanded(section, row > 0 or self.model.rowCount(section) <= FOLD_OVERDUE_ABOVE)
                self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self._update_buttons()

    def forget(self, tps: Sequence[Touchpoint]) -> None:
        """Take done or skipped rows off the list now: the reload that confirms it takes seconds at 100k customers
        (every customer's dates are read again after a change)."""
        agenda = self._agenda
        if agenda is None:
            return
        gone = {t.key for t in tps}

        def left(rows: tuple[Touchpoint, ...]) -> tuple[Touchpoint, ...]:
            return tuple(t for t in rows if t.key not in gone)

        self._show_agenda(replace(agenda, overdue=left(agenda.overdue), due_today=left(agenda.due_today),
                                  upcoming=left(agenda.upcoming)), None)

    # ----- selection and actions --------------------------------------------------------
    def selected_touchpoints(self) -> list[Touchpoint]:
        """Every selected touchpoint (a group or section row stands for all of its members), each once."""
        seen: dict[str, Touchpoint] = {}
        for index in self.tree.selectionModel().selectedRows(0):
            for tp in self.model.touchpoints_at(index):
                seen.setdefault(tp.key, tp)
        return list(seen.values())

    def show_message(self, text: str) -> None:
        """A short confirmation under the list."""
        self.message_label.setText(text)

    def print_visit_sheets(self) -> None:
        """Visit sheets for the selected customers (or every customer listed when nothing is selected)."""
        tps = self.selected_touchpoints()
        if not tps:
            tps = [tp for row in range(self.model.section_count())
                   for tp in self.model.touchpoints_at(self.model.index(row, 0))]
        ids = list(dict.fromkeys(t.customer_id for t in tps))
        if ids:
            importlib.import_module("ui.printing").print_visit_sheets(self, self.ctx, ids)

    def _on_double_click(self, index: QModelIndex) -> None:
        node = self.model.node(index)
        if node is not None and node.tp is not None:
            self.open_card(node.tp)
        elif node is not None:
            self.tree.setExpanded(index.siblingAtColumn(0), not self.tree.isExpanded(index.siblingAtColumn(0)))

    def _update_buttons(self) -> None:
        selected = self.selected_touchpoints() if self.model.section_count() else []
        has_open = any(t.status in ("due", "overdue", "snoozed") for t in selected)
        for button in (self.complete_button, self.skip_button, self.snooze_button):
            button.setEnabled(has_open)
        self.copy_button.setEnabled(bool(selected))
        self.open_button.setEnabled(bool(selected))
