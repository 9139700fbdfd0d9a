"""待办 and 日历 driven as a user would: select, complete through the dialog, see the card and cadence move."""
from __future__ import annotations

from datetime import date, datetime

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from app.rows import Birthday, CustomerInput, VisitInput
from app.services.settings import SalesProfile


def add(svc, name: str, grade: str = "A", **kw) -> int:
    return svc.customers.create(CustomerInput(name=name, grade=grade, grade_manual=True, **kw))


def find_rows(model, predicate, parent: QModelIndex | None = None) -> list[QModelIndex]:
    """Every index (column 0) whose node matches, searching groups too."""
    parent = parent if parent is not None else QModelIndex()
    found = []
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        node = model.node(index)
        if predicate(node):
            found.append(index)
        found += find_rows(model, predicate, index)
    return found


@pytest.fixture
def agenda(shell_ctx, qtbot):
    from ui.agenda_page import AgendaPage

    page = AgendaPage(shell_ctx)
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    qtbot.waitExposed(page)
    return page


def test_complete_from_agenda_records_the_visit_and_resets_cadence(svc, agenda, answer_modal, qtbot) -> None:
    from ui.touchpoint_dialogs import CompleteDialog

    cid = add(svc, "张三")
    svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 10, 1, 10), method="电话"))
    agenda.reload()
    assert agenda.wait_loaded()
    (row,) = find_rows(agenda.model, lambda n: n.tp is not None and n.tp.customer_id == cid and n.tp.kind == "cadence")
    assert agenda.model.node(row.parent()).group is not None  # overdue 定期拜访 are grouped
    agenda.tree.expand(row.parent())
    agenda.tree.selectionModel().select(row, agenda.tree.selectionModel().SelectionFlag.ClearAndSelect
                                        | agenda.tree.selectionModel().SelectionFlag.Rows)
    assert agenda.complete_button.isEnabled()

    def answer(dialog: CompleteDialog) -> None:
        dialog.method_combo.setCurrentText("亲自拜访")
        dialog.note_edit.setPlainText("上门聊了教育金")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    answerer = answer_modal(CompleteDialog, answer)
    qtbot.mouseClick(agenda.complete_button, Qt.MouseButton.LeftButton)
    assert len(answerer.check()) == 1
    # Off the list at once, before the reload (seconds at 100k customers) has had a chance to run.
    assert not find_rows(agenda.model, lambda n: n.tp is not None and n.tp.customer_id == cid)
    card = svc.customers.get(cid)
    (visit,) = [v for v in card.visits if v.touchpoint_key]
    assert visit.method == "亲自拜访" and visit.content == "上门聊了教育金" and visit.touchpoint_key.startswith("cadence:")
    assert card.last_contact_at == datetime(2026, 11, 22, 9, 30)
    qtbot.waitUntil(lambda: not find_rows(agenda.model, lambda n: n.tp is not None and n.tp.customer_id == cid))
    assert "已完成 1 项" in agenda.message_label.text()
    cadence = [t for t in svc.touchpoints.for_customer(cid, date(2026, 11, 22), date(2027, 1, 31))
               if t.kind == "cadence"]
    assert [t.date for t in cadence] == [date(2026, 12, 22)]


def test_festival_is_one_row_and_a_group_can_be_skipped(svc, agenda, clock, answer_modal, qtbot) -> None:
    from ui.touchpoint_dialogs import SkipDialog

    ids = {add(svc, n) for n in ("赵一", "钱二", "孙三")}
    clock.value = datetime(2026, 12, 20, 9)
    agenda.reload()
    assert agenda.wait_loaded()
    groups = find_rows(agenda.model, lambda n: n.group is not None and n.group.festival_key == "dongzhi")
    (group,) = groups
    assert agenda.model.index(group.row(), 1, group.parent()).data() == "3 位客户"
    assert agenda.model.rowCount(group) == 3
    agenda.tree.selectionModel().select(group, agenda.tree.selectionModel().SelectionFlag.ClearAndSelect
                                        | agenda.tree.selectionModel().SelectionFlag.Rows)

    def answer(dialog: SkipDialog) -> None:
        dialog.reason_combo.setCurrentText("今年改为寄贺卡")
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    answerer = answer_modal(SkipDialog, answer)
    agenda.skip_button.click()
    answerer.check()
    assert not find_rows(agenda.model, lambda n: n.group is not None and n.group.festival_key == "dongzhi")
    skipped = [t for t in svc.touchpoints.between(date(2026, 12, 22), date(2026, 12, 22), kinds=("festival",))]
    assert {t.customer_id for t in skipped} == ids and {t.status for t in skipped} == {"skipped"}
    assert svc.touchpoints.mark_of(skipped[0].key).reason == "今年改为寄贺卡"


def test_copy_greeting_puts_a_signed_text_on_the_clipboard(svc, agenda) -> None:
    svc.settings.set_profile(SalesProfile(name="李明"))
    cid = add(svc, "王建国", gender="男", birthday=Birthday("solar", 11, 24))
    agenda.reload()
    assert agenda.wait_loaded()
    (row,) = find_rows(agenda.model, lambda n: n.tp is not None and n.tp.customer_id == cid and n.tp.kind == "birthday")
    agenda.tree.setCurrentIndex(row)
    agenda.copy_button.click()
    text = QApplication.clipboard().text()
    assert text.startswith("王先生，生日快乐") and text.endswith("——李明")


def test_a_days_appointments_are_listed_by_their_hour(svc, agenda) -> None:
    late, early = add(svc, "安下午"), add(svc, "张上午")  # by name the late one would come first
    for cid, hour in ((late, 14), (early, 9)):
        svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 11, 20, 10), method="电话",
                                  next_at=datetime(2026, 11, 24, hour), next_place="公司"))
    agenda.reload()
    assert agenda.wait_loaded()
    rows = find_rows(agenda.model, lambda n: n.tp is not None and n.tp.kind == "appointment")
    assert [agenda.model.node(r).tp.customer_id for r in rows] == [early, late]
    assert rows[0].data() == "11-24 周二 09:00"  # 待办 spans days: date, weekday and hour


def test_lock_clears_the_agenda(shell_ctx, svc, agenda) -> None:
    add(svc, "锁定客户", birthday=Birthday("solar", 11, 23))
    agenda.reload()
    assert agenda.wait_loaded()
    assert agenda.model.rowCount() == 3
    shell_ctx.bus.archive_locked.emit()
    assert agenda.model.rowCount() == 0 and agenda.date_label.text() == ""
    assert agenda._agenda is None  # nothing of the archive is kept behind the lock


def test_print_action_only_with_the_printing_module(agenda) -> None:
    from ui.agenda_page import printing_available

    assert agenda.print_button.isVisibleTo(agenda) == printing_available()


def test_month_grid_shows_festival_and_birthday_on_the_day(svc, shell_ctx, qtbot) -> None:
    from ui.calendar_page import CalendarPage

    # 冬月十四 = 2026-12-22; grade B: 冬至 greeting (A and B), first 定期拜访 only in February.
    cid = add(svc, "冬至客户", grade="B", birthday=Birthday("lunar", 11, 14, year=1980))
    page = CalendarPage(shell_ctx)
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show()
    qtbot.waitExposed(page)
    assert page.wait_loaded()
    assert page.view is not None and page.view.month == 11
    page.next_button.click()
    assert page.caption_label.text() == "2026年12月 · 正在计算…"  # worked out off the GUI thread
    assert page.wait_loaded()
    assert page.caption_label.text().startswith("2026年12月")
    index = next(i for i, c in enumerate(page.view.cells) if c.date == date(2026, 12, 22))
    cell = page.view.cells[index]
    assert cell.festivals == ("冬至",) and cell.counts["birthday"] == 1 and cell.lunar_label == "十四"
    qtbot.mouseClick(page.grid, Qt.MouseButton.LeftButton, pos=page.grid.cell_rect(index).center())
    assert page.selected == date(2026, 12, 22) and page.day_label.text().startswith("2026年12月22日")
    rows = find_rows(page.day_model, lambda n: n.tp is not None and n.tp.customer_id == cid)
    assert [page.day_model.node(r).tp.kind for r in rows] == ["birthday", "festival"]
    # One day's list: the first column is the time (an appointment's hour, else 全天), not the same date again.
    assert page.day_model.headerData(0, Qt.Orientation.Horizontal) == "时间"
    assert {page.day_model.index(r.row(), 0, r.parent()).data() for r in rows} == {"全天"}
    winter = next(i for i, c in enumerate(page.view.cells) if c.date == date(2026, 12, 9))
    assert page.view.cells[winter].lunar_label == "冬月"
    image = page.grid.grab().toImage()  # the painted cell really carries the birthday badge colour
    rect = page.grid.cell_rect(index)
    colours = {image.pixelColor(QPoint(x, y)).name() for x in range(rect.left(), rect.right(), 2)
               for y in range(rect.top(), rect.bottom(), 2)}
    assert "#d81b60" in colours or any(c.startswith("#d8") for c in colours)


def test_settings_tab_round_trip_and_refusal(svc, shell_ctx, qtbot) -> None:
    from app.errors import AppError
    from ui.settings_calendar_tab import CalendarSettingsTab

    tab = CalendarSettingsTab(shell_ctx)
    qtbot.addWidget(tab)
    tab.load()
    row = next(i for i in range(tab.festival_table.rowCount())
               if tab.festival_table.verticalHeaderItem(i).text() == "春节")
    tab.festival_table.item(row, 3).setCheckState(Qt.CheckState.Unchecked)  # no 春节 greeting for D
    tab.lead_spins["renewal_lead_days"].setValue(45)
    tab.template_combo.setCurrentIndex(tab.template_combo.findData("birthday"))
    tab.template_edit.setPlainText("{称呼}生日快乐！")
    tab.save()
    assert svc.touchpoints.festival_grades()["chunjie"] == "ABC"
    assert svc.touchpoints.options().renewal_lead_days == 45
    assert svc.touchpoints.greeting_templates()["birthday"] == "{称呼}生日快乐！"
    tab.template_edit.setPlainText("{称乎}生日快乐！")
    with pytest.raises(AppError, match="称乎"):
        tab.save()


def test_calendar_exports_ics_after_the_plaintext_warning(svc, shell_ctx, qtbot, tmp_path, monkeypatch) -> None:
    from icalendar import Calendar
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from ui.calendar_page import CalendarPage

    add(svc, "日历导出", birthday=Birthday("solar", 12, 1, year=1980))
    page = CalendarPage(shell_ctx)
    qtbot.addWidget(page)
    asked: list[str] = []
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda _p, _t, text, *a: asked.append(text) or next(answers))
    folder = tmp_path / "export"
    folder.mkdir()
    target = folder / "我的客户"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    page.export_ics()  # the user says no after reading the warning: nothing is written
    assert "明文" in asked[0] and not list(folder.iterdir())
    page.export_ics()
    out = folder / "我的客户.ics"
    qtbot.waitUntil(out.exists)
    summaries = [str(e.get("summary")) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")]
    assert any("日历导出" in s for s in summaries) and "已导出" in page.message_label.text()


def test_main_window_navigation_shows_both_pages(svc, main_window, qtbot) -> None:
    from ui.agenda_page import AgendaPage
    from ui.calendar_page import CalendarPage
    from ui.main_window import AGENDA, CALENDAR

    add(svc, "导航客户", birthday=Birthday("solar", 11, 23))
    main_window.show_page(AGENDA)
    page = main_window.current_page()
    assert isinstance(page, AgendaPage)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    main_window.show_page(CALENDAR)
    assert isinstance(main_window.current_page(), CalendarPage)
    assert main_window.current_page().wait_loaded()
    assert main_window.current_page().view is not None


def test_a_failed_background_load_is_shown_as_a_message(shell_ctx, svc, agenda, monkeypatch) -> None:
    from app.errors import AppError

    shown = []
    monkeypatch.setattr("ui.error_dialog.show_app_error", lambda parent, title, error: shown.append((title, str(error))))

    def broken(**_kw: object) -> None:
        raise AppError("档案暂时读不了")

    monkeypatch.setattr(svc.touchpoints, "agenda", broken)
    agenda.reload()
    assert agenda.wait_loaded()
    assert shown == [("待办", "档案暂时读不了")] and agenda.model.section_count() == 0
    monkeypatch.setattr(shell_ctx, "services", None)  # locked: a late failure is dropped, not shown
    agenda._show_agenda(None, AppError("迟到的错误"))
    assert len(shown) == 1
