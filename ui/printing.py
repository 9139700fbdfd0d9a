"""打印 and 导出PDF: visit sheets, cards, service plans and labels, rendered off the GUI thread.

Each document is a Job (what to render and how to name it); `preview` renders it into memory with a
cancellable progress dialog and shows the pages with 打印…; `export` asks for a file and writes it there.
The list's 打印 (Ctrl+P) asks which document first (PrintChoiceDialog); the card's 打印 button is a menu.
"""
from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.progress import ProgressFn
from app.reports.card import render_cards
from app.reports.labels import LAYOUTS, LabelResult, render_labels
from app.reports.plan import default_plan_year, render_plans
from app.reports.visit_sheet import render_visit_sheets
from ui.context import AppContext
from ui.error_dialog import action_guard
from ui.print_preview import PrintPreviewDialog, ask_pdf_path
from ui.tasks import run_task

Output = Path | BinaryIO


def _tr(text: str) -> str:
    return QCoreApplication.translate("Printing", text)


@dataclass(frozen=True)
class Job:
    """One document to render: its title, a file name to suggest, and the renderer."""

    title: str
    filename: str
    render: Callable[[Output, ProgressFn], Any]


# ----- the documents ------------------------------------------------------------------------------
def visit_sheets_job(ctx: AppContext, ids: Sequence[int]) -> Job:
    """拜访单 for the customers, one PDF."""
    svc = ctx.svc
    return Job(_tr("拜访单"), _tr("拜访单_{day}.pdf").format(day=_today(ctx)),
               lambda out, progress: render_visit_sheets(svc, ids, out, progress=progress))


def cards_job(ctx: AppContext, ids: Sequence[int]) -> Job:
    """客户资料卡 for the customers, one PDF."""
    svc = ctx.svc
    name = _one_name(ctx, ids) or _tr("{n}位客户").format(n=len(ids))
    return Job(_tr("客户资料卡"), _tr("客户资料卡_{name}.pdf").format(name=name),
               lambda out, progress: render_cards(svc, ids, out, progress=progress))


def plans_job(ctx: AppContext, ids: Sequence[int], year: int) -> Job:
    """年度服务计划书 for the customers and year, one PDF."""
    svc = ctx.svc
    name = _one_name(ctx, ids) or _tr("{n}位客户").format(n=len(ids))
    return Job(_tr("{year}年度服务计划书").format(year=year), _tr("{year}年度服务计划书_{name}.pdf").format(year=year, name=name),
               lambda out, progress: render_plans(svc, ids, year, out, progress=progress))


def labels_job(ctx: AppContext, ids: Sequence[int], layout: str = "3x8", skip: int = 0) -> Job:
    """邮寄标签 for the customers on an A4 label sheet."""
    svc = ctx.svc
    return Job(_tr("邮寄标签"), _tr("邮寄标签_{day}.pdf").format(day=_today(ctx)),
               lambda out, progress: render_labels(svc, ids, out, layout, skip=skip, progress=progress))


def _today(ctx: AppContext) -> str:
    return ctx.svc.settings.clock().date().isoformat()


def _one_name(ctx: AppContext, ids: Sequence[int]) -> str:
    return ctx.svc.customers.get(ids[0]).name if len(ids) == 1 else ""


# ----- preview and print, export ------------------------------------------------------------------
def preview(parent: QWidget | None, make: Callable[[], Job]) -> int | None:
    """Render into memory with progress and cancel, then show the pages; pages printed, None if cancelled."""
    with action_guard(parent, _tr("打印")):
        job = make()
        rendered = run_task(parent, _tr("正在生成{title}…").format(title=job.title), _to_bytes, job)
        if rendered is None:
            return None
        data, result = rendered
        return PrintPreviewDialog.show_pdf(parent, job.title, data, job.filename, _note(result))
    return None


def export(parent: QWidget | None, make: Callable[[], Job]) -> Path | None:
    """Write the document to a PDF file the user chooses; returns the path, None if cancelled."""
    with action_guard(parent, _tr("导出PDF")):
        job = make()
        path = ask_pdf_path(parent, job.filename)
        if path is None:
            return None
        result = run_task(parent, _tr("正在导出{title}…").format(title=job.title), _to_file, job, path)
        if result is None:
            return None
        note = _note(result[0])
        QMessageBox.information(parent, _tr("导出PDF"),
                                _tr("已保存到：\n{path}").format(path=path) + (f"\n\n{note}" if note else ""))
        return path
    return None


def _to_bytes(job: Job, progress: ProgressFn) -> tuple[bytes, Any]:
    buffer = io.BytesIO()
    result = job.render(buffer, progress)
    return buffer.getvalue(), result


def _to_file(job: Job, path: Path, progress: ProgressFn) -> tuple[Any]:
    return (job.render(path, progress),)  # a tuple: run_task's None means cancelled


def _note(result: Any) -> str:
    if not isinstance(result, LabelResult):
        return ""
    parts = []
    if result.missing:
        parts.append(_tr("{n} 位客户没有可用的地址，未打印标签").format(n=len(result.missing)))
    if result.no_postcode:
        parts.append(_tr("{n} 张标签缺邮编").format(n=len(result.no_postcode)))
    return "；".join(parts) + _tr("。名单在最后一页。") if parts else ""


# ----- the functions other pages call --------------------------------------------------------------
def print_visit_sheets(parent: QWidget | None, ctx: AppContext, ids: Sequence[int]) -> None:
    """Preview and print visit sheets (e.g. the day's appointments from 待办)."""
    if ids:
        preview(parent, lambda: visit_sheets_job(ctx, ids))


def print_cards(parent: QWidget | None, ctx: AppContext, ids: Sequence[int]) -> None:
    """Preview and print whole cards."""
    if ids:
        preview(parent, lambda: cards_job(ctx, ids))


def print_plan(parent: QWidget | None, ctx: AppContext, customer_id: int, year: int | None = None) -> None:
    """Ask the year (unless given), then preview and print one customer's service plan."""
    year = year or ask_plan_year(parent, ctx)
    if year:
        preview(parent, lambda: plans_job(ctx, [customer_id], year))


def print_labels(parent: QWidget | None, ctx: AppContext, ids: Sequence[int], layout: str = "3x8",
                 skip: int = 0) -> None:
    """Preview and print address labels."""
    if ids:
        preview(parent, lambda: labels_job(ctx, ids, layout, skip))


def export_visit_sheets(parent: QWidget | None, ctx: AppContext, ids: Sequence[int]) -> Path | None:
    """导出PDF: visit sheets."""
    return export(parent, lambda: visit_sheets_job(ctx, ids)) if ids else None


def export_cards(parent: QWidget | None, ctx: AppContext, ids: Sequence[int]) -> Path | None:
    """导出PDF: whole cards."""
    return export(parent, lambda: cards_job(ctx, ids)) if ids else None


def export_plan(parent: QWidget | None, ctx: AppContext, customer_id: int, year: int | None = None) -> Path | None:
    """导出PDF: one customer's service plan."""
    year = year or ask_plan_year(parent, ctx)
    return export(parent, lambda: plans_job(ctx, [customer_id], year)) if year else None


def export_labels(parent: QWidget | None, ctx: AppContext, ids: Sequence[int], layout: str = "3x8",
                  skip: int = 0) -> Path | None:
    """导出PDF: address labels."""
    return export(parent, lambda: labels_job(ctx, ids, layout, skip)) if ids else None


def ask_plan_year(parent: QWidget | None, ctx: AppContext) -> int | None:
    """Which year the plan is for (this year; next year from November)."""
    today = ctx.svc.settings.clock().date()
    year, ok = QInputDialog.getInt(parent, _tr("年度服务计划书"), _tr("计划年份："), default_plan_year(today),
                                   today.year - 1, today.year + 5)
    return year if ok else None


def print_selection(parent: QWidget | None, ctx: AppContext, ids: Sequence[int]) -> None:
    """The list's 打印 (Ctrl+P): choose the document, then preview and print or export it."""
    if not ids:
        QMessageBox.information(parent, _tr("打印"), _tr("请先在客户列表中选择要打印的客户（可按住 Ctrl 或 Shift 多选）。"))
        return
    choice = PrintChoiceDialog.ask(parent, ctx, len(ids))
    if choice is None:
        return
    def make() -> Job:
        return job_for(ctx, ids, choice.document, year=choice.year, layout=choice.layout, skip=choice.skip)

    if choice.export:
        export(parent, make)
    else:
        preview(parent, make)


def job_for(ctx: AppContext, ids: Sequence[int], document: str, *, year: int | None = None, layout: str = "3x8",
            skip: int = 0) -> Job:
    """The job for a document key: visit_sheet, card, plan or labels."""
    if document == "card":
        return cards_job(ctx, ids)
    if document == "plan":
        return plans_job(ctx, ids, year or default_plan_year(ctx.svc.settings.clock().date()))
    if document == "labels":
        return labels_job(ctx, ids, layout, skip)
    return visit_sheets_job(ctx, ids)


def print_menu(parent: QWidget, ctx: AppContext, ids: Callable[[], Sequence[int]]) -> QMenu:
    """The card's 打印 menu: print or export its visit sheet, card or plan (ids() read when chosen)."""
    menu = QMenu(parent)

    def add(text: str, action: Callable[[Sequence[int]], object]) -> None:
        menu.addAction(text, lambda: _with_ids(ids, action))

    add(_tr("打印拜访单…"), lambda i: print_visit_sheets(parent, ctx, i))
    add(_tr("打印客户资料卡…"), lambda i: print_cards(parent, ctx, i))
    add(_tr("打印年度服务计划书…"), lambda i: print_plan(parent, ctx, i[0]))
    menu.addSeparator()
    add(_tr("导出拜访单PDF…"), lambda i: export_visit_sheets(parent, ctx, i))
    add(_tr("导出客户资料卡PDF…"), lambda i: export_cards(parent, ctx, i))
    add(_tr("导出年度服务计划书PDF…"), lambda i: export_plan(parent, ctx, i[0]))
    return menu


def _with_ids(ids: Callable[[], Sequence[int]], action: Callable[[Sequence[int]], object]) -> None:
    chosen = list(ids())
    if chosen:
        action(chosen)


# ----- which document (the list's 打印) -----------------------------------------------------------
DOCUMENTS = (("visit_sheet", "拜访单（每位客户一页，带手写记录栏）"), ("card", "客户资料卡（整张卡）"),
             ("plan", "年度服务计划书（交给客户签字）"), ("labels", "邮寄标签（A4 标签纸）"))


@dataclass(frozen=True)
class PrintChoice:
    """What to print for the selection, and whether to export instead of printing."""

    document: str
    year: int
    layout: str
    skip: int
    export: bool


class PrintChoiceDialog(QDialog):
    """打印 N 位客户: the document, the plan's year, the label sheet; 预览并打印 or 导出PDF."""

    def __init__(self, parent: QWidget | None, ctx: AppContext, count: int) -> None:
        super().__init__(parent)
        self.ctx, self.count = ctx, count
        self.export_chosen = False
        self.setWindowTitle(self.tr("打印 {n} 位客户").format(n=count))
        self._build_widgets()
        self._build_layout()
        self._connect_signals()
        self._update_options()

    def _build_widgets(self) -> None:
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        for key, text in DOCUMENTS:
            self.radios[key] = QRadioButton(self.tr(text))
            self.group.addButton(self.radios[key])
        self.radios["visit_sheet"].setChecked(True)
        today = self.ctx.svc.settings.clock().date()
        self.year_spin = QSpinBox()
        self.year_spin.setRange(today.year - 1, today.year + 5)
        self.year_spin.setValue(default_plan_year(today))
        self.layout_combo = QComboBox()
        for key, sheet in LAYOUTS.items():
            self.layout_combo.addItem(self.tr(sheet.name), key)
        self.layout_combo.setCurrentIndex(self.layout_combo.findData("3x8"))
        self.skip_spin = QSpinBox()
        self.hint = QLabel(self.tr("先预览再打印；导出的 PDF 含客户资料，请妥善保管。"))
        self.hint.setProperty("role", "hint")
        self.hint.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.print_button = self.buttons.addButton(self.tr("预览并打印…"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.print_button.setProperty("role", "primary")
        self.export_button = self.buttons.addButton(self.tr("导出PDF…"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        for key, _ in DOCUMENTS:
            layout.addWidget(self.radios[key])
        form = QFormLayout()
        form.addRow(self.tr("计划年份："), self.year_spin)
        form.addRow(self.tr("标签纸："), self.layout_combo)
        form.addRow(self.tr("第一张已用掉："), self.skip_spin)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.group.buttonToggled.connect(lambda *_: self._update_options())
        self.layout_combo.currentIndexChanged.connect(lambda *_: self._update_options())
        self.print_button.clicked.connect(lambda: self._finish(export=False))
        self.export_button.clicked.connect(lambda: self._finish(export=True))
        self.buttons.rejected.connect(self.reject)

    def _update_options(self) -> None:
        document = self.document()
        self.year_spin.setEnabled(document == "plan")
        for widget in (self.layout_combo, self.skip_spin):
            widget.setEnabled(document == "labels")
        sheet = LAYOUTS[self.layout_combo.currentData()]
        self.skip_spin.setRange(0, sheet.per_page - 1)
        self.skip_spin.setSuffix(self.tr(" 格（共 {n} 格）").format(n=sheet.per_page))

    def document(self) -> str:
        """The chosen document key."""
        return next(key for key, radio in self.radios.items() if radio.isChecked())

    def _finish(self, *, export: bool) -> None:
        self.export_chosen = export
        self.accept()

    def choice(self) -> PrintChoice:
        """What the dialog shows now."""
        return PrintChoice(self.document(), self.year_spin.value(), self.layout_combo.currentData(),
                           self.skip_spin.value(), self.export_chosen)

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: AppContext, count: int) -> PrintChoice | None:
        """The choice, or None when cancelled."""
        dialog = cls(parent, ctx, count)
        return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
