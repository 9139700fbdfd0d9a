"""The 统计 page: the questions a salesperson asks of the file, as charts beside their tables.

Every figure comes from StatsService in one call; the touchpoint figure needs the whole calendar (seconds
at 100k customers), so it is counted in a background thread and fills its panel when ready.  Clicking a
bar, a table row or an overview tile lists exactly those customers.
"""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate, QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.progress import Cancelled
from app.reports.stats_report import write_stats_pdf, write_stats_xlsx
from app.services.stats import FIGURE_KEYS
from app.services.stats_rows import PERIOD_KINDS, PERIOD_NAMES, Figure, Period, StatsReport
from ui.context import AppContext
from ui.error_dialog import action_guard, show_app_error
from ui.stats_list_dialog import CustomerListDialog
from ui.stats_panels import FigurePanel, HeadlineStrip
from ui.tasks import run_task

# Rows of the page: two half-width panels side by side, or one full-width panel.
LAYOUT: tuple[tuple[str, ...], ...] = (
    ("grade", "deal_status"), ("stage", "tier"), ("funnel",), ("source", "tag"), ("overdue", "grade_moves"),
    ("touchpoints",), ("visits_weekly",), ("new_cards",), ("top_deals",), ("referrals",),
    ("complaints", "resolve_days"), ("influence",),
)
TOUCHPOINT_TITLE = "服务节点：已完成 / 应办"


class _Job(QObject):
    """Counts the touchpoint figure in a worker thread (no widgets touched there); `stop` abandons it."""

    done = Signal(int, object, object)  # generation, figure, error

    def __init__(self, generation: int, ctx: AppContext, period: Period, today: date) -> None:
        super().__init__()
        self.generation, self.svc, self.period, self.today = generation, ctx.svc, period, today
        self.stopped = threading.Event()  # set from the GUI thread, read between the count's steps

    def stop(self) -> None:
        """Ask the count to give up at its next step (it then ends with Cancelled, dropped by the page)."""
        self.stopped.set()

    @Slot()
    def run(self) -> None:
        try:
            figure = self.svc.stats.touchpoint_figure(self.svc.touchpoints, self.period, self.today,
                                                      cancelled=self.stopped.is_set)
        except Exception as exc:  # handed to the GUI thread, shown there (or dropped when stale)
            # Without its frames: they hold this job, the session and the loaded dates after the archive closed.
            self.done.emit(self.generation, None, exc.with_traceback(None))
        else:
            self.done.emit(self.generation, figure, None)


class StatsPage(QWidget):
    """统计: overview tiles, then one panel per figure; period picker, PDF and Excel export."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: StatsReport | None = None
        self.last_list: CustomerListDialog | None = None
        self._stale = False
        self._generation = 0
        self._running: dict[QThread, _Job] = {}  # counts still going (results of old ones are dropped)
        self._build_widgets()
        self._build_layout()
        self._connect_signals()
        self.clear()

    # ----- building ----------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.period_combo = QComboBox(self)
        for kind in PERIOD_KINDS:
            self.period_combo.addItem(self.tr(PERIOD_NAMES[kind]), kind)
        self.from_edit, self.to_edit = self._date_edit(), self._date_edit()
        self.dash_label = QLabel(self.tr("至"), self)
        self.refresh_button = QPushButton(self.tr("刷新"), self)
        self.pdf_button = QPushButton(self.tr("导出 PDF…"), self)
        self.xlsx_button = QPushButton(self.tr("导出 Excel…"), self)
        self.status_label = QLabel(self)
        self.status_label.setProperty("role", "hint")
        self.headline = HeadlineStrip(self)
        wide = {keys[0] for keys in LAYOUT if len(keys) == 1}
        self.panels = {key: FigurePanel(key, self.tr(TOUCHPOINT_TITLE) if key == "touchpoints" else "", self,
                                        wide=key in wide) for key in FIGURE_KEYS}
        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.custom_timer = QTimer(self)
        self.custom_timer.setSingleShot(True)
        self.custom_timer.setInterval(600)
        self.stale_timer = QTimer(self)
        self.stale_timer.setSingleShot(True)
        self.stale_timer.setInterval(400)

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("统计期间"), self))
        for widget in (self.period_combo, self.from_edit, self.dash_label, self.to_edit, self.refresh_button):
            bar.addWidget(widget)
        bar.addWidget(self.status_label, 1)
        bar.addWidget(self.pdf_button)
        bar.addWidget(self.xlsx_button)
        body = QWidget(self.scroll)
        grid = QGridLayout(body)
        grid.setSpacing(10)
        grid.addWidget(self.headline, 0, 0, 1, 2)
        for row, keys in enumerate(LAYOUT, start=1):
            for col, key in enumerate(keys):
                grid.addWidget(self.panels[key], row, col, 1, 2 if len(keys) == 1 else 1, Qt.AlignmentFlag.AlignTop)
        grid.setRowStretch(len(LAYOUT) + 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.scroll, 1)

    def _connect_signals(self) -> None:
        self.period_combo.currentIndexChanged.connect(self._period_kind_changed)
        self.from_edit.dateChanged.connect(self.custom_timer.start)
        self.to_edit.dateChanged.connect(self.custom_timer.start)
        self.custom_timer.timeout.connect(self.reload)
        self.refresh_button.clicked.connect(self.reload)
        self.pdf_button.clicked.connect(self.export_pdf)
        self.xlsx_button.clicked.connect(self.export_xlsx)
        self.headline.drill.connect(self.drill)
        for panel in self.panels.values():
            panel.drill.connect(self.drill)
        bus = self.ctx.bus
        for signal in (bus.customers_changed, bus.settings_changed):  # unlock: the window calls reload()
            signal.connect(self._mark_stale)
        bus.customer_changed.connect(self._mark_stale)
        bus.records_changed.connect(self._mark_stale)
        self.stale_timer.timeout.connect(self.reload)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.wait_for_counts)

    # ----- the page protocol -------------------------------------------------------------------
    def clear(self) -> None:
        """Forget every figure (the archive is being locked); a running count is abandoned, not waited for.

        Its thread stops at the count's next step (between queries or tables) and its result is dropped
        (the generation moved on); the archive it read is closed under it, which it may notice first.
        """
        self._generation += 1
        self.stop_counts()
        self.report = None
        self.headline.set_figure(None)
        for panel in self.panels.values():
            panel.set_figure(None)
        self.status_label.clear()
        self._show_custom(self.period_combo.currentData() == "custom")
        for button in (self.pdf_button, self.xlsx_button, self.refresh_button):
            button.setEnabled(False)

    def reload(self) -> None:
        """Compute every figure for the chosen period; the touchpoint figure follows from a thread."""
        self.custom_timer.stop()
        self.stale_timer.stop()
        if not self.ctx.is_open:
            self.clear()
            return
        with action_guard(self, self.tr("统计")):
            today = self.today()
            period = self.period(today)
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                report = self.ctx.svc.stats.compute(period, today)
            finally:
                QGuiApplication.restoreOverrideCursor()
            self._show(report)
            self._count_touchpoints(period, today)

    def today(self) -> date:
        """Today by the services' clock."""
        return self.ctx.svc.stats.now().date()

    def period(self, today: date) -> Period:
        """The period picked (ValidationError for an impossible custom range)."""
        kind = self.period_combo.currentData()
        return Period.of(kind, today, self.from_edit.date().toPython(), self.to_edit.date().toPython())

    def _show(self, report: StatsReport) -> None:
        self._stale = False
        self.report = report
        self.headline.set_figure(report.headline)
        for figure in report.figures:
            self.panels[figure.key].set_figure(figure)
        self.panels["touchpoints"].set_figure(None, self.tr("正在统计服务节点（生日、节日、续期、定期拜访）…"))
        self.status_label.setText(self.tr("{period}　截至 {today}　共 {n} 位客户").format(
            period=report.period.label, today=report.today, n=report.total))
        self._set_dates(report.period)
        for button in (self.pdf_button, self.xlsx_button, self.refresh_button):
            button.setEnabled(True)

    def _set_dates(self, period: Period) -> None:
        """Show the period's dates in the custom fields (a start for editing), without reloading."""
        for edit, day in ((self.from_edit, period.start), (self.to_edit, period.end)):
            edit.blockSignals(True)
            edit.setDate(QDate(day.year, day.month, day.day))
            edit.blockSignals(False)

    # ----- the touchpoint figure, off the GUI thread ---------------------------------------------
    def _count_touchpoints(self, period: Period, today: date) -> None:
        """Start a count; an older one still running is abandoned (its result would be dropped anyway)."""
        self.stop_counts()
        self._generation += 1
        thread, job = QThread(self), _Job(self._generation, self.ctx, period, today)
        job.moveToThread(thread)
        thread.started.connect(job.run)
        job.done.connect(self._touchpoints_done)
        job.done.connect(thread.quit, Qt.ConnectionType.DirectConnection)  # not queued: wait() may be blocking
        thread.finished.connect(lambda t=thread: self._forget(t))
        self._running[thread] = job
        thread.start()

    def _forget(self, thread: QThread) -> None:
        if self._running.pop(thread, None) is not None:
            thread.deleteLater()

    def stop_counts(self) -> None:
        """Ask every running count to give up at its next step (does not wait)."""
        for job in self._running.values():
            job.stop()

    def wait_for_counts(self) -> None:
        """Stop every running count and block until its thread has ended (quitting: a QThread must not outlive the page)."""
        self.stop_counts()
        for thread in list(self._running):
            thread.quit()  # the loop ends once the count in progress returns
            thread.wait()
            self._forget(thread)

    def _touchpoints_done(self, generation: int, figure: Figure | None, error: Exception | None) -> None:
        if generation != self._generation or self.report is None or isinstance(error, Cancelled):
            return
        if error is not None:
            self.panels["touchpoints"].set_figure(None, self.tr("服务节点暂时无法统计"))
            if isinstance(error, AppError):
                show_app_error(self, self.tr("统计服务节点"), error)
                return
            raise error
        self.panels["touchpoints"].set_figure(figure)
        figures = {f.key: f for f in self.report.figures} | {"touchpoints": figure}
        self.report = replace(self.report, figures=tuple(figures[k] for k in FIGURE_KEYS if k in figures))

    @property
    def touchpoints_ready(self) -> bool:
        """True once the touchpoint figure is on the page."""
        return self.report is not None and any(f.key == "touchpoints" for f in self.report.figures)

    # ----- drilling down -------------------------------------------------------------------------
    def drill(self, figure: str, key: str, label: str) -> None:
        """List exactly the customers behind one bar, row or tile."""
        if self.report is None or not self.ctx.is_open:
            return
        title = f"{self.report.figure(figure).title if figure != 'touchpoints' else self.tr(TOUCHPOINT_TITLE)}" \
                f" · {label}"
        with action_guard(self, self.tr("列出客户")):
            QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                ids = self.ctx.svc.stats.customers_for(figure, key, self.report.period, self.report.today,
                                                       touchpoints=self.ctx.svc.touchpoints)
            finally:
                QGuiApplication.restoreOverrideCursor()
            self.last_list = CustomerListDialog.show_for(self, self.ctx, title, ids)

    # ----- export ---------------------------------------------------------------------------------
    def export_pdf(self) -> None:
        """Save the page as a PDF report (after saying plainly the file is not encrypted)."""
        path = self._ask_path(self.tr("导出 PDF 报告"), "pdf", self.tr("PDF 文件 (*.pdf)"))
        if path is not None:
            self.write_export(path)

    def export_xlsx(self) -> None:
        """Save every table of the page as an Excel workbook."""
        path = self._ask_path(self.tr("导出 Excel 表格"), "xlsx", self.tr("Excel 工作簿 (*.xlsx)"))
        if path is not None:
            self.write_export(path)

    def _ask_path(self, title: str, suffix: str, filter_text: str) -> Path | None:
        if self.report is None:
            return None
        answer = QMessageBox.question(self, title, self.tr(
            "导出的文件不加密，里面有客户姓名（成交金额和转介绍排行）。请妥善保管，用完及时删除。\n\n继续导出吗？"))
        if answer != QMessageBox.StandardButton.Yes:
            return None
        start = str(Path.home() / f"客户档案统计-{self.report.period.start:%Y%m%d}-{self.report.period.end:%Y%m%d}.{suffix}")
        name, _ = QFileDialog.getSaveFileName(self, title, start, filter_text)
        if not name:
            return None
        return Path(name) if name.lower().endswith(f".{suffix}") else Path(f"{name}.{suffix}")

    def write_export(self, path: Path) -> bool:
        """Write the PDF or .xlsx (by suffix) with the touchpoint figure included; True when saved."""
        if self.report is None or not self.ctx.is_open:
            return False
        svc, period, today = self.ctx.svc, self.report.period, self.report.today
        profile = svc.settings.profile()
        pdf = path.suffix.lower() == ".pdf"

        def work(progress: object) -> Path:
            report = svc.stats.compute(period, today, touchpoints=svc.touchpoints)
            if pdf:
                write_stats_pdf(report, path, profile, today)
            else:
                write_stats_xlsx(report, path)
            return path

        with action_guard(self, self.tr("导出统计")):
            if run_task(self, self.tr("正在导出统计…"), work) is not None:
                self.status_label.setText(self.tr("已导出 {path}").format(path=path))
                return True
        return False

    # ----- keeping up with changes -------------------------------------------------------------------
    def _period_kind_changed(self) -> None:
        self._show_custom(self.period_combo.currentData() == "custom")
        self.reload()

    def _show_custom(self, visible: bool) -> None:
        for widget in (self.from_edit, self.dash_label, self.to_edit):
            widget.setVisible(visible)

    def _mark_stale(self, *_args: object) -> None:
        """Something changed: recount soon if the page is on screen, else when it is next shown."""
        self._stale = True
        if self.isVisible() and self.ctx.is_open:
            self.stale_timer.start()

    def showEvent(self, event: QShowEvent) -> None:
        """Recount when the page comes back after changes elsewhere."""
        super().showEvent(event)
        if self._stale and self.ctx.is_open:
            self.stale_timer.start()
