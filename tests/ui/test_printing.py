"""Printing in the GUI: rendering off the GUI thread, the preview, painting pages onto a printer,
exporting, the document choice and the plan-template settings tab."""
from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox

from app.config import MachineSettings
from app.errors import ValidationError
from app.reports.templates import DEFAULTS, plan_template
from app.reports.visit_sheet import render_visit_sheets
from app.rows import ComplaintInput, CustomerInput, VisitInput
from app.services.settings import SalesProfile
from ui import printing
from ui.context import AppContext
from ui.events import Bus
from ui.print_preview import PrintPreviewDialog, paint_pages
from ui.settings_print_tab import PrintSettingsTab

NAMES = ("甲先生", "乙女士", "丙老板")


@pytest.fixture
def ctx(qapp: object, svc: object) -> AppContext:
    """A context over the test archive with three customers (one without an address)."""
    svc.settings.set_profile(SalesProfile(name="李明", phone="13800138000"))  # type: ignore[attr-defined]
    for i, name in enumerate(NAMES):
        cid = svc.customers.create(CustomerInput(name=name, address="" if i == 2 else f"杭州市文三路{i}号",  # type: ignore[attr-defined]
                                                 postcode="310000", grade="A", grade_manual=True))
        svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 11, 1, 9), method="电话", content=f"记录{i}"))  # type: ignore[attr-defined]
    svc.complaints.add(1, ComplaintInput(content="等待回电"))  # type: ignore[attr-defined]
    return AppContext(bus=Bus(), machine=MachineSettings(), services=svc)  # type: ignore[arg-type]


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes, str, str]]:
    """What the preview would have shown (title, PDF, file name, note), instead of a modal dialog."""
    seen: list[tuple[str, bytes, str, str]] = []

    def fake(parent: object, title: str, data: bytes, filename: str, note: str = "") -> int:
        seen.append((title, data, filename, note))
        return 0

    monkeypatch.setattr(PrintPreviewDialog, "show_pdf", staticmethod(fake))
    return seen


def texts(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]


def test_visit_sheets_render_in_a_worker_then_preview(ctx: AppContext, shown: list) -> None:
    printing.print_visit_sheets(None, ctx, [1, 2, 3])
    (title, data, filename, note), = shown
    pages = texts(data)
    assert title == "拜访单" and filename == "拜访单_2026-11-22.pdf" and note == ""
    assert [next(n for n in NAMES if n in p) for p in pages] == list(NAMES)
    assert "等待回电" in pages[0]


def test_cards_plan_and_labels_jobs(ctx: AppContext, shown: list) -> None:
    printing.print_cards(None, ctx, [2])
    printing.print_plan(None, ctx, 1, year=2027)
    printing.print_labels(None, ctx, [1, 2, 3], "2x7")
    (card_title, card, card_file, _), (plan_title, plan, plan_file, _), (_, labels, _, note) = shown
    assert card_title == "客户资料卡" and card_file == "客户资料卡_乙女士.pdf" and "乙女士" in texts(card)[0]
    assert plan_title == "2027年度服务计划书" and plan_file == "2027年度服务计划书_甲先生.pdf"
    assert "2027 年度服务计划书" in texts(plan)[0]
    assert "1 位客户没有可用的地址，未打印标签" in note and "丙老板" in texts(labels)[-1]


def test_errors_become_a_message_not_a_crash(ctx: AppContext, shown: list, monkeypatch: pytest.MonkeyPatch) -> None:
    messages: list[str] = []
    monkeypatch.setattr("ui.error_dialog.show_app_error", lambda parent, title, error: messages.append(str(error)))
    printing.print_cards(None, ctx, [999])
    assert shown == [] and messages and "找不到" in messages[0]


def test_export_writes_the_chosen_file(ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "导出" / "拜访单.pdf"
    target.parent.mkdir()
    monkeypatch.setattr(printing, "ask_pdf_path", lambda parent, name: target)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: told.append(text))
    assert printing.export_visit_sheets(None, ctx, [1, 2]) == target
    assert len(texts(target.read_bytes())) == 2 and str(target) in told[0]
    assert printing.export_labels(None, ctx, [3]) == target  # only the customer without an address
    assert "名单在最后一页" in told[1] and "丙老板" in texts(target.read_bytes())[0]


def test_preview_shows_every_page_and_prints_them_onto_a_printer(ctx: AppContext, qtbot: object,
                                                                 tmp_path: Path) -> None:
    buffer = io.BytesIO()
    render_visit_sheets(ctx.svc, [1, 2, 3], buffer)
    dialog = PrintPreviewDialog(None, "拜访单", buffer.getvalue(), "拜访单.pdf", note="提示文字")
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    assert dialog.document.pageCount() == 3 and dialog.pages_label.text() == "共 3 页"
    assert not dialog.note_label.isHidden() and dialog.note_label.text() == "提示文字"
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setFullPage(True)
    assert paint_pages(dialog.document, printer, 2, 3) == 2
    printed = PdfReader(str(tmp_path / "printed.pdf"))
    assert len(printed.pages) == 2
    width, height = (float(v) for v in printed.pages[0].mediabox.upper_right)
    assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2  # A4, one sheet per page


def test_zoom_buttons(ctx: AppContext, qtbot: object) -> None:
    buffer = io.BytesIO()
    render_visit_sheets(ctx.svc, [1], buffer)
    dialog = PrintPreviewDialog(None, "拜访单", buffer.getvalue(), "x.pdf")
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    before = dialog.view.zoomFactor()
    dialog.zoom_in_button.click()
    assert dialog.view.zoomFactor() > before
    dialog.fit_button.click()
    assert dialog.view.zoomMode() == dialog.view.ZoomMode.FitToWidth


def test_choice_dialog_offers_the_right_options(ctx: AppContext, qtbot: object) -> None:
    dialog = printing.PrintChoiceDialog(None, ctx, 3)
    qtbot.addWidget(dialog)  # type: ignore[attr-defined]
    assert dialog.windowTitle() == "打印 3 位客户"
    assert dialog.document() == "visit_sheet" and not dialog.year_spin.isEnabled()
    dialog.radios["plan"].setChecked(True)
    assert dialog.year_spin.isEnabled() and dialog.year_spin.value() == 2027  # November: next year's plan
    dialog.radios["labels"].setChecked(True)
    dialog.layout_combo.setCurrentIndex(dialog.layout_combo.findData("2x7"))
    assert dialog.skip_spin.maximum() == 13 and not dialog.year_spin.isEnabled()
    dialog.skip_spin.setValue(4)
    dialog.export_button.click()
    assert dialog.choice() == printing.PrintChoice("labels", 2027, "2x7", 4, True)


def test_print_selection_follows_the_choice(ctx: AppContext, shown: list, monkeypatch: pytest.MonkeyPatch) -> None:
    choice = printing.PrintChoice("plan", 2028, "3x8", 0, False)
    monkeypatch.setattr(printing.PrintChoiceDialog, "ask", classmethod(lambda cls, parent, ctx, n: choice))
    printing.print_selection(None, ctx, [1, 2])
    (title, data, _, _), = shown
    assert title == "2028年度服务计划书" and "甲先生" in "".join(texts(data)) and "乙女士" in "".join(texts(data))
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: told.append(text))
    printing.print_selection(None, ctx, [])
    assert "请先在客户列表中选择" in told[0] and len(shown) == 1


def test_print_menu_of_the_card(ctx: AppContext, shown: list, qtbot: object) -> None:
    from PySide6.QtWidgets import QWidget

    host = QWidget()
    qtbot.addWidget(host)  # type: ignore[attr-defined]
    menu = printing.print_menu(host, ctx, lambda: [2])
    texts_ = [a.text() for a in menu.actions() if a.text()]
    assert texts_[:3] == ["打印拜访单…", "打印客户资料卡…", "打印年度服务计划书…"] and len(texts_) == 6
    menu.actions()[0].trigger()
    assert shown[0][0] == "拜访单" and "乙女士" in texts(shown[0][1])[0]


def test_settings_tab_edits_templates_per_grade(ctx: AppContext, qtbot: object) -> None:
    tab = PrintSettingsTab(ctx)
    qtbot.addWidget(tab)  # type: ignore[attr-defined]
    tab.load()
    assert tab.commitments_edit.toPlainText().splitlines() == list(DEFAULTS["A"].commitments)
    tab.commitments_edit.setPlainText("承诺一\n\n  承诺二  ")
    tab.grade_combo.setCurrentIndex(1)  # B keeps its own text; A's edit is kept in memory
    assert tab.topic_edit.text() == DEFAULTS["B"].visit_topic
    tab.focus_check.setChecked(False)
    tab.save()
    assert plan_template(ctx.svc, "A").commitments == ("承诺一", "承诺二")
    assert plan_template(ctx.svc, "B") == replace(DEFAULTS["B"], show_focus=False)
    assert plan_template(ctx.svc, "C") == DEFAULTS["C"]
    tab.grade_combo.setCurrentIndex(0)
    tab.reset_current()
    tab.save()
    assert plan_template(ctx.svc, "A") == DEFAULTS["A"]


def test_settings_tab_refuses_an_empty_promise_list(ctx: AppContext, qtbot: object) -> None:
    tab = PrintSettingsTab(ctx)
    qtbot.addWidget(tab)  # type: ignore[attr-defined]
    tab.load()
    tab.grade_combo.setCurrentIndex(2)
    tab.commitments_edit.setPlainText("   ")
    tab.grade_combo.setCurrentIndex(0)
    with pytest.raises(ValidationError) as err:
        tab.save()
    assert err.value.field == "C 类计划书模板·服务承诺"
    assert tab.grade_combo.currentData() == "C"  # the dialog shows the grade that needs fixing
    assert plan_template(ctx.svc, "C") == DEFAULTS["C"]


def test_plan_year_defaults_from_the_services_clock(ctx: AppContext) -> None:
    assert ctx.svc.settings.clock().date() == date(2026, 11, 22)
    job = printing.job_for(ctx, [1], "plan")
    assert job.title == "2027年度服务计划书"
