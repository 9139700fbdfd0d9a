"""统计 page: clicking a bar, a table row, a matrix cell or a tile lists exactly those customers."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtCore import QDate, QPoint, Qt

from app.errors import AppError
from app.rows import CustomerInput

TODAY = date(2026, 11, 22)


@pytest.fixture
def people(svc, clock) -> dict[str, list[int]]:
    """Grades A ×2, B ×3, C ×1 (cards of 2026); in November one C moves up to B."""
    clock.value = datetime(2026, 3, 1, 9)
    by_grade: dict[str, list[int]] = {"A": [], "B": [], "C": []}
    for name, grade in (("王甲", "A"), ("李乙", "A"), ("张丙", "B"), ("刘丁", "B"), ("陈戊", "B"), ("杨己", "C"),
                        ("赵庚", "C")):
        cid = svc.customers.create(CustomerInput(name=name, grade=grade, grade_manual=True,
                                                 created_on=date(2026, 3, 1)))
        by_grade[grade].append(cid)
    clock.value = datetime(2026, 11, 10, 9)
    moved = by_grade["C"].pop()
    svc.customers.set_grade([moved], "B")
    by_grade["B"].append(moved)
    by_grade["moved"] = [moved]
    clock.value = datetime(2026, 11, 22, 9, 30)
    return by_grade


@pytest.fixture
def page(shell_ctx, people, qtbot):
    from ui.stats_page import StatsPage

    widget = StatsPage(shell_ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 900)
    widget.show()
    qtbot.waitExposed(widget)
    widget.reload()
    yield widget
    if widget.last_list is not None:
        widget.last_list.close()
    widget.clear()
    widget.wait_for_counts()  # clear() no longer waits; no thread may outlive the page


def _click_bar(qtbot, page, figure: str, key: str) -> object:
    chart = page.panels[figure].chart
    rect = chart.bar_rect(key)
    assert rect is not None, f"no bar {figure}:{key}"
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert page.last_list is not None
    return page.last_list


def test_clicking_a_bar_lists_exactly_those_customers(qtbot, page, people) -> None:
    assert page.report.figure("grade").row("B").count == 4
    dialog = _click_bar(qtbot, page, "grade", "B")
    assert sorted(dialog.listed_ids()) == sorted(people["B"])
    assert "客户等级分布 · B" in dialog.windowTitle()
    assert "共 4 位客户" in dialog.caption.text()
    dialog = _click_bar(qtbot, page, "grade", "A")
    assert sorted(dialog.listed_ids()) == sorted(people["A"])


def test_clicking_a_table_row_lists_those_customers(qtbot, page, people) -> None:
    panel = page.panels["grade"]
    row = [r.key for r in panel.model.figure.rows].index("C")
    index = panel.model.index(row, 0)
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.table.visualRect(index).center())
    assert page.last_list.listed_ids() == people["C"]


def test_clicking_a_grade_matrix_cell_lists_the_customer_who_moved(qtbot, page, people) -> None:
    dialog = _click_bar(qtbot, page, "grade_moves", "C>B")
    assert dialog.listed_ids() == people["moved"]
    assert page.panels["grade_moves"].chart.bar_rect("A>B") is None  # no one: no cell to click


def test_headline_tile_and_empty_space(qtbot, page, people) -> None:
    qtbot.mouseClick(page.headline.tiles["all"], Qt.MouseButton.LeftButton)
    assert len(page.last_list.listed_ids()) == 7
    first = page.last_list
    chart = page.panels["grade"].chart
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=QPoint(chart.width() - 2, chart.height() - 2))
    assert page.last_list is first  # a click beside the bars opens nothing


def test_touchpoints_arrive_from_the_background(qtbot, page, people) -> None:
    qtbot.waitUntil(lambda: page.touchpoints_ready, timeout=60_000)
    figure = page.report.figure("touchpoints")
    assert [r.key for r in figure.rows] == ["month", "year"]
    assert page.panels["touchpoints"].model.rowCount() == 2
    dialog = _click_bar(qtbot, page, "touchpoints", "year")
    # No card has ever been visited: each has its 定期拜访 (and festivals) open this year.
    assert sorted(dialog.listed_ids()) == sorted(people["A"] + people["B"] + people["C"])


def test_period_picker_custom_range_and_a_clear_error(qtbot, page, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr("ui.error_dialog.show_app_error", lambda parent, title, error: shown.append(str(error)))
    page.period_combo.setCurrentIndex(page.period_combo.findData("year"))
    assert page.report.period.kind == "year"
    assert page.report.figure("new_cards").summary[0] == ("本期新建", "7 张")
    page.period_combo.setCurrentIndex(page.period_combo.findData("custom"))
    assert page.from_edit.isVisible() and page.to_edit.isVisible()
    page.from_edit.setDate(QDate(2026, 4, 1))
    page.to_edit.setDate(QDate(2026, 3, 1))
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "早于开始日期" in shown[0]
    page.to_edit.setDate(QDate(2026, 4, 30))
    qtbot.waitUntil(lambda: page.report.period.start == date(2026, 4, 1) and page.report.period.end == date(2026, 4, 30),
                    timeout=5000)
    assert "2026-04-01 至 2026-04-30" in page.status_label.text()


def test_changes_elsewhere_recount_the_page(qtbot, page, svc, shell_ctx) -> None:
    svc.customers.create(CustomerInput(name="新客户", grade="A", grade_manual=True))
    shell_ctx.bus.customers_changed.emit()
    qtbot.waitUntil(lambda: page.report.total == 8, timeout=5000)
    assert page.report.figure("grade").row("A").count == 3


def test_clear_forgets_everything(qtbot, page) -> None:
    qtbot.waitUntil(lambda: page.touchpoints_ready, timeout=60_000)
    page.clear()
    assert page.report is None and not page.headline.tiles
    assert page.panels["grade"].model.rowCount() == 0
    assert not page.pdf_button.isEnabled() and not page.xlsx_button.isEnabled()


def test_export_pdf_and_xlsx(qtbot, page, tmp_path: Path) -> None:
    assert page.write_export(tmp_path / "统计.pdf")
    text = "".join(p.extract_text() or "" for p in PdfReader(str(tmp_path / "统计.pdf")).pages)
    assert "客户等级分布" in text and "服务节点" in text
    assert page.write_export(tmp_path / "统计.xlsx")
    book = load_workbook(tmp_path / "统计.xlsx")
    grade = next(ws for ws in book.worksheets if ws["A1"].value == "客户等级分布")
    assert [grade.cell(r, 2).value for r in range(5, 8)] == [2, 4, 1]


def test_export_into_a_missing_folder_is_a_clear_error(qtbot, page, tmp_path, monkeypatch) -> None:
    shown: list[AppError] = []
    monkeypatch.setattr("ui.error_dialog.show_app_error", lambda parent, title, error: shown.append(error))
    assert not page.write_export(tmp_path / "没有" / "统计.pdf")
    assert "保存位置不存在" in str(shown[0])


def test_double_click_in_the_list_opens_the_card(qtbot, page, people) -> None:
    from PySide6.QtWidgets import QApplication

    from ui.customer_card import CustomerCardWindow

    dialog = _click_bar(qtbot, page, "grade", "A")
    index = dialog.model.index(0, 1)
    wanted = dialog.model.id_at(0)
    qtbot.waitExposed(dialog)
    where = dialog.table.visualRect(index).center()
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=where)  # a real double-click
    qtbot.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=where)  # starts with a press
    cards = [w for w in QApplication.topLevelWidgets() if isinstance(w, CustomerCardWindow) and w.isVisible()]
    try:
        assert [c.customer_id for c in cards] == [wanted]
    finally:
        for card in cards:
            card.close()


def test_the_main_window_shows_the_page_and_the_lock_clears_it(qtbot, main_window, people) -> None:
    from ui.pages import PAGES
    from ui.stats_page import StatsPage

    index = [p.title for p in PAGES].index("统计")
    main_window.show_page(index)
    page = main_window.current_page()
    assert isinstance(page, StatsPage)
    assert page.report is not None and page.report.total == 7
    main_window.close_archive()  # waits for the background count, then forgets every figure
    assert page.report is None and not page.headline.tiles


def test_locking_does_not_wait_for_a_running_touchpoint_count(shell_ctx, people, qtbot, monkeypatch) -> None:
    """clear() (the lock) returns at once; the count stops at its next step and its result is dropped."""
    import threading
    import time

    from app.progress import Cancelled
    from app.services import touchpoint_load
    from ui.stats_page import StatsPage

    entered, release = threading.Event(), threading.Event()
    real_deals = touchpoint_load._Loader.deals

    def slow_deals(loader):  # the load's second query, held until the test lets it go
        entered.set()
        release.wait(10)
        return real_deals(loader)

    monkeypatch.setattr(touchpoint_load._Loader, "deals", slow_deals)
    shell_ctx.svc.touchpoints.invalidate()
    page = StatsPage(shell_ctx)
    qtbot.addWidget(page)
    page.resize(1200, 900)
    page.show()
    qtbot.waitExposed(page)
    page.reload()
    assert entered.wait(10), "the count did not start"
    errors: list[object] = []
    monkeypatch.setattr(page, "_touchpoints_done", lambda _g, _f, error, real=page._touchpoints_done: (
        errors.append(type(error)), real(_g, _f, error)))
    started = time.perf_counter()
    page.clear()  # what locking does before the archive closes
    assert time.perf_counter() - started < 1.0  # did not wait for the count held in its query
    assert page._running and all(job.stopped.is_set() for job in page._running.values())
    assert not page.touchpoints_ready
    release.set()
    qtbot.waitUntil(lambda: not page._running, timeout=10_000)
    assert errors == [Cancelled]  # stopped at the next step, not finished
    assert page.report is None and not page.touchpoints_ready
    # The page still counts normally afterwards.
    page.reload()
    qtbot.waitUntil(lambda: page.touchpoints_ready and not page._running, timeout=10_000)
