"""The 日历 page: a painted month grid (农历 day, festival, badges by kind) and the chosen day's list."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.calendar.engine import KINDS, Touchpoint
from app.progress import ProgressFn, step
from app.services.touchpoint_views import DayCell, MonthView, day_caption, shift_month
from ui.agenda_model import KIND_COLOURS, KIND_NAMES, AgendaTreeModel
from ui.agenda_page import LOAD_DELAY_MS, TouchpointFilters, TouchpointPage, by_time
from ui.background import BackgroundCall
from ui.context import AppContext
from ui.error_dialog import action_guard
from ui.style import ACCENT, DANGER, MUTED
from ui.tasks import run_task

WEEKDAY_TITLES = ("一", "二", "三", "四", "五", "六", "日")
HEADER_HEIGHT = 26
ICS_YEARS = 10  # 农历 dates are written out one event per year for this many years


def _export(tps: object, path: Path, progress: ProgressFn) -> int:
    """Worker: write the .ics (no widgets touched here)."""
    step(progress, 0, 1, "")
    size = tps.export_ics(path, years=ICS_YEARS)  # type: ignore[attr-defined]
    step(progress, 1, 1, "")
    return size


class MonthGrid(QWidget):
    """Six weeks of days; each cell: the day, its 农历, festivals and one badge per kind with a count."""

    day_clicked = Signal(object)  # date

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view: MonthView | None = None
        self.selected: date | None = None
        self.setMinimumSize(QSize(7 * 92, HEADER_HEIGHT + 6 * 84))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def set_view(self, view: MonthView | None, selected: date | None) -> None:
        """Show a month (None: an empty grid while locked)."""
        self.view, self.selected = view, selected
        self.update()

    def cell_rect(self, i: int) -> QRect:
        """Where cell i (0–41) is drawn."""
        w = self.width() / 7
        h = (self.height() - HEADER_HEIGHT) / 6
        row, col = divmod(i, 7)
        return QRect(int(col * w), int(HEADER_HEIGHT + row * h), int(w) - 1, int(h) - 1)

    def cell_at(self, x: float, y: float) -> DayCell | None:
        """The day under a point."""
        if self.view is None or y < HEADER_HEIGHT:
            return None
        col = min(6, int(x / (self.width() / 7)))
        row = min(5, int((y - HEADER_HEIGHT) / ((self.height() - HEADER_HEIGHT) / 6)))
        return self.view.cells[row * 7 + col]

    def mousePressEvent(self, event: QMouseEvent) -> None:
        """Select the clicked day."""
        cell = self.cell_at(event.position().x(), event.position().y())
        if cell is not None:
            self.selected = cell.date
            self.update()
            self.day_clicked.emit(cell.date)

    def paintEvent(self, event: QPaintEvent) -> None:
        """Weekday titles, then each day."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("#e3e7ec"))
        w = self.width() / 7
        for col, title in enumerate(WEEKDAY_TITLES):
            rect = QRect(int(col * w), 0, int(w), HEADER_HEIGHT)
            painter.fillRect(rect, QColor("#f3f5f8"))
            painter.setPen(QColor(DANGER if col >= 5 else "#333333"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.tr(title))
        if self.view is not None:
            for i, cell in enumerate(self.view.cells):
                self._paint_cell(painter, self.cell_rect(i), cell)
        painter.end()

    def _paint_cell(self, p: QPainter, rect: QRect, cell: DayCell) -> None:
        background = "#ffffff" if cell.in_month else "#f6f7f9"
        if cell.date == self.selected:
            background = "#dbe8f6"
        p.fillRect(rect, QColor(background))
        if cell.is_today:
            p.setPen(QPen(QColor(ACCENT), 2))
            p.drawRect(rect.adjusted(1, 1, -1, -1))
        inner = rect.adjusted(6, 4, -6, -4)
        base = QFont(self.font())
        bold = QFont(base)
        bold.setBold(True)
        bold.setPointSizeF(base.pointSizeF() * 1.15)
        p.setFont(bold)
        p.setPen(QColor("#1f2328" if cell.in_month else "#a0a6ad"))
        p.drawText(inner, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, str(cell.date.day))
        small = QFont(base)
        small.setPointSizeF(base.pointSizeF() * 0.85)
        p.setFont(small)
        month_start = cell.lunar_label.endswith("月")
        p.setPen(QColor(ACCENT if month_start else MUTED))
        p.drawText(inner, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop, cell.lunar_label)
        line = QFontMetrics(small).height()
        top = inner.top() + QFontMetrics(bold).height() + 1
        if cell.festivals:
            p.setPen(QColor(DANGER))
            p.drawText(QRect(inner.left(), top, inner.width(), line), Qt.AlignmentFlag.AlignLeft,
                       QFontMetrics(small).elidedText("、".join(cell.festivals), Qt.TextElideMode.ElideRight,
                                                      inner.width()))
            top += line + 1
        self._paint_badges(p, QRect(inner.left(), top, inner.width(), inner.bottom() - top), cell, small)

    def _paint_badges(self, p: QPainter, area: QRect, cell: DayCell, font: QFont) -> None:
        metrics = QFontMetrics(font)
        height = metrics.height() + 2
        x, y = area.left(), area.top()
        kinds = [k for k in KINDS if cell.counts.get(k)]
        for n, kind in enumerate(kinds):
            text = f"{self.tr(KIND_NAMES[kind])} {cell.counts[kind]}"
            width = metrics.horizontalAdvance(text) + 8
            if x + width > area.right() and x > area.left():
                x, y = area.left(), y + height + 2
            if y + height > area.bottom() + 1:
                rest = sum(cell.counts[k] for k in kinds[n:])
                p.setPen(QColor(MUTED))
                p.drawText(QRect(area.left(), y - height - 2, area.width(), height),
                           Qt.AlignmentFlag.AlignRight, self.tr("+{n}").format(n=rest))
                return
            colour = QColor(KIND_COLOURS[kind])
            fill = QColor(colour)
            fill.setAlpha(36)
            p.setPen(QPen(colour, 1))
            p.setBrush(fill)
            p.drawRoundedRect(QRectF(x, y, width, height), 4, 4)
            p.setPen(colour.darker(120))
            p.drawText(QRect(int(x), int(y), int(width), int(height)), Qt.AlignmentFlag.AlignCenter, text)
            x += width + 4


class CalendarPage(TouchpointPage):
    """日历: the month grid beside the chosen day's touchpoints; double-click a touchpoint to open the card."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.year, self.month = date.today().year, date.today().month
        self.selected: date | None = None
        self.view: MonthView | None = None
        self.loader = BackgroundCall(self, "calendar")  # the first month after opening takes seconds at 100k
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    # ----- building ---------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.title_label = QLabel(self.tr("日历"))
        self.title_label.setProperty("role", "title")
        self.prev_button = QPushButton(self.tr("◀ 上月"))
        self.caption_label = QLabel()
        self.caption_label.setMinimumWidth(220)
        self.caption_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_button = QPushButton(self.tr("下月 ▶"))
        self.today_button = QPushButton(self.tr("今天"))
        self.ics_button = QPushButton(self.tr("导出到手机日历 (.ics)…"))
        self.ics_button.setToolTip(self.tr("生日、纪念日、续期和约见，可导入手机或电脑日历"))
        self.filters = TouchpointFilters()
        self.grid = MonthGrid()
        self.legend = QLabel(" ".join(
            f'<span style="color:{KIND_COLOURS[k]}">●</span>{self.tr(KIND_NAMES[k])}' for k in KINDS))
        self.legend.setProperty("role", "hint")
        self.day_label = QLabel()
        self.day_label.setProperty("role", "title")
        self.day_model = AgendaTreeModel(self, one_day=True)
        self.day_list = QTreeView()
        self.day_list.setModel(self.day_model)
        self.day_list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.day_list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.day_list.setUniformRowHeights(True)
        self.day_list.setExpandsOnDoubleClick(False)
        self.day_list.setColumnHidden(4, True)  # 建议方式: in the tooltip-sized day list it only crowds
        header = self.day_list.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in ((0, 100), (1, 150), (2, 300), (3, 70)):
            header.resizeSection(column, width)
        self.complete_button = QPushButton(self.tr("完成…"))
        self.skip_button = QPushButton(self.tr("跳过…"))
        self.snooze_button = QPushButton(self.tr("推迟…"))
        self.copy_button = QPushButton(self.tr("复制问候语"))
        self.open_button = QPushButton(self.tr("打开客户卡"))
        self.message_label = QLabel()
        self.message_label.setProperty("role", "ok")
        self.message_label.setWordWrap(True)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.title_label)
        top.addSpacing(16)
        for widget in (self.prev_button, self.caption_label, self.next_button, self.today_button):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.filters)
        top.addWidget(self.ics_button)
        left = QVBoxLayout()
        left.addWidget(self.grid, 1)
        left.addWidget(self.legend)
        buttons = QHBoxLayout()
        for button in (self.complete_button, self.skip_button, self.snooze_button, self.copy_button,
                       self.open_button):
            buttons.addWidget(button)
        right = QVBoxLayout()
        right.addWidget(self.day_label)
        right.addWidget(self.day_list, 1)
        right.addLayout(buttons)
        right.addWidget(self.message_label)
        body = QHBoxLayout()
        body.addLayout(left, 3)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(body, 1)

    def _connect_signals(self) -> None:
        self.prev_button.clicked.connect(lambda: self.go_month(-1))
        self.next_button.clicked.connect(lambda: self.go_month(1))
        self.today_button.clicked.connect(self.go_today)
        self.ics_button.clicked.connect(self.export_ics)
        self.filters.changed.connect(self.reload)
        self.grid.day_clicked.connect(self.select_day)
        self.day_list.doubleClicked.connect(self._on_double_click)
        self.day_list.activated.connect(self._on_double_click)
        self.complete_button.clicked.connect(self.complete_selected)
        self.skip_button.clicked.connect(self.skip_selected)
        self.snooze_button.clicked.connect(self.snooze_selected)
        self.copy_button.clicked.connect(self.copy_greeting)
        self.open_button.clicked.connect(lambda: self.open_card())
        bus = self.ctx.bus
        for signal in (bus.records_changed, bus.customer_changed, bus.customers_changed, bus.settings_changed,
                       bus.archive_opened):
            signal.connect(self._changed)
        bus.archive_locked.connect(self.clear)
        self.loader.finished.connect(self._show_month)

    # ----- Page protocol ----------------------------------------------------------------
    def clear(self) -> None:
        """Forget every touchpoint (the archive is being locked)."""
        self.loader.cancel()
        self.view = None
        self.grid.set_view(None, None)
        self.day_model.clear()
        self.caption_label.clear()
        self.day_label.clear()
        self.message_label.clear()
        self._stale = True

    @property
    def loading(self) -> bool:
        """True while the month is being worked out in the background."""
        return self.loader.busy

    def wait_loaded(self, timeout: float = 60.0) -> bool:
        """Wait (processing events) until the month is shown (tests, screenshots)."""
        return self.loader.wait(timeout)

    def reload(self) -> None:
        """Work the month (and the selected day's list) out again, off the GUI thread."""
        if not self.ctx.is_open:
            self.clear()
            return
        self._stale = False
        svc = self.ctx.svc.touchpoints
        if self.selected is None:
            today = svc.today()
            self.year, self.month, self.selected = today.year, today.month, today
        year, month, selected = self.year, self.month, self.selected
        kinds, grades = self.filters.kinds(), self.filters.grades()
        if self.view is None or (self.view.year, self.view.month) != (year, month):
            self.caption_label.setText(self.tr("{y}年{m}月 · 正在计算…").format(y=year, m=month))

        def work() -> tuple[MonthView, date, list[Touchpoint]]:
            view = svc.month(year, month, kinds=kinds, grades=grades)
            day = selected if selected in {c.date for c in view.cells} else date(year, month, 1)
            return view, day, svc.day(day, kinds=kinds, grades=grades)

        # The first month after opening loads every customer's dates (seconds at 100k): never on the GUI thread.
        self.loader.start(work, delay_ms=LOAD_DELAY_MS)

    def _show_month(self, result: object, error: object) -> None:
        if not self.usable(error, self.tr("日历")):
            return
        self.view, self.selected, items = result  # type: ignore[misc]
        self.caption_label.setText(self.view.caption)
        self.grid.set_view(self.view, self.selected)
        self._fill_day(items)

    # ----- navigation -------------------------------------------------------------------
    def go_month(self, delta: int) -> None:
        """Show the previous (-1) or next (+1) month."""
        self.year, self.month = shift_month(self.year, self.month, delta)
        self.selected = date(self.year, self.month, 1)
        self.reload()

    def go_today(self) -> None:
        """Back to today's month, today selected."""
        self.selected = None
        self.reload()

    def select_day(self, day: date) -> None:
        """Show one day's touchpoints beside the grid (a day of the next month turns the page)."""
        self.selected = day
        if (day.year, day.month) != (self.year, self.month):
            self.year, self.month = day.year, day.month
            self.reload()
            return
        self._show_day()

    def _show_day(self) -> None:
        if self.view is None or self.selected is None or not self.ctx.is_open:
            return
        items: list[Touchpoint] = []
        with action_guard(self, self.tr("日历")):
            items = self.ctx.svc.touchpoints.day(self.selected, kinds=self.filters.kinds(),
                                                 grades=self.filters.grades())
        self._fill_day(items)

    def _fill_day(self, items: list[Touchpoint]) -> None:
        if self.selected is None:
            return
        self.day_label.setText(day_caption(self.selected))
        self.day_model.set_sections([("", by_time(items), False)], self._today(), flat=True)
        self.message_label.setText(self.tr("这一天没有待办") if not items else "")

    def _today(self) -> date:
        return self.ctx.svc.touchpoints.today() if self.ctx.is_open else date.today()

    def export_ics(self) -> None:
        """Save every customer's dates as .ics after saying plainly that the file is not encrypted."""
        if not self.ctx.is_open:
            return
        answer = QMessageBox.question(self, self.tr("导出 .ics 日历"), self.tr(
            ".ics 文件是明文（不加密），里面有客户姓名、生日和约见。请只保存在自己的电脑上，"
            "导入手机或电脑日历后把文件删掉。\n\n继续导出吗？"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        start = str(Path.home() / "客户日历.ics")
        name, _ = QFileDialog.getSaveFileName(self, self.tr("导出 .ics 日历"), start, self.tr("日历文件 (*.ics)"))
        if not name:
            return
        path = Path(name) if name.lower().endswith(".ics") else Path(name + ".ics")
        with action_guard(self, self.tr("导出 .ics 日历")):
            result = run_task(self, self.tr("正在导出日历…"), _export, self.ctx.svc.touchpoints, path)
            if result is not None:
                self.show_message(self.tr("已导出 {path}").format(path=path))

    # ----- selection --------------------------------------------------------------------
    def selected_touchpoints(self) -> list[Touchpoint]:
        """The selected rows of the day list (a festival row stands for all of its customers)."""
        seen: dict[str, Touchpoint] = {}
        for index in self.day_list.selectionModel().selectedRows(0):
            for tp in self.day_model.touchpoints_at(index):
                seen.setdefault(tp.key, tp)
        return list(seen.values())

    def show_message(self, text: str) -> None:
        """A short confirmation under the day list."""
        self.message_label.setText(text)

    def _on_double_click(self, index: QModelIndex) -> None:
        node = self.day_model.node(index)
        if node is not None and node.tp is not None:
            self.open_card(node.tp)
        elif node is not None:
            first = index.siblingAtColumn(0)
            self.day_list.setExpanded(first, not self.day_list.isExpanded(first))

