"""记一笔: log a visit in a few keystrokes and see it on the card; the record dialogs of a card."""
from __future__ import annotations

from datetime import datetime

from _card_fixtures import (  # noqa: F401
    answer,
    card_ctx_fixture,
    make_customer,
    open_card_fixture,
    press,
    type_text,
    when_modal,
)
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QApplication

from app.rows import ContactInput
from ui.customer_card import CONTACTS_PAGE, EVENTS, VISITS_PAGE
from ui.visit_dialog import VisitDialog, log_visit

NOW = datetime(2026, 11, 22, 9, 30)  # the test clock


def test_log_a_visit_in_a_few_keystrokes_and_see_it_on_the_card(qtbot, card_ctx, open_card):
    cid = make_customer(card_ctx, "刘备")
    window = open_card(cid)

    def fill(dialog: VisitDialog) -> None:
        assert QApplication.focusWidget() is dialog.content_edit  # type straight away
        type_text(qtbot, dialog.content_edit, "介绍了年金险，客户有兴趣")
        qtbot.keyClick(dialog.content_edit, Qt.Key.Key_Tab)  # Tab moves on to 洽谈结果
        type_text(qtbot, QApplication.focusWidget(), "下周带方案")
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    seen = when_modal(fill)
    with qtbot.waitSignal(card_ctx.bus.records_changed):
        qtbot.mouseClick(window.header.visit_button, Qt.MouseButton.LeftButton)
    assert seen
    (visit,) = card_ctx.svc.visits.list(cid)
    assert (visit.method, visit.at, visit.content, visit.result) == ("亲自拜访", NOW, "介绍了年金险，客户有兴趣", "下周带方案")
    qtbot.waitUntil(lambda: "上次联系：2026-11-22 09:30" in window.header.dates_label.text())
    window.nav_list.setCurrentRow(VISITS_PAGE)
    qtbot.waitUntil(lambda: window.visits_page.model.rowCount() == 1)
    assert window.visits_page.model.index(0, 2).data() == "介绍了年金险，客户有兴趣"
    assert window.nav_list.item(VISITS_PAGE).text() == "拜访与服务记录  1"


def test_next_appointment_and_satisfaction(qtbot, card_ctx):
    cid = make_customer(card_ctx, "关羽")

    def fill(dialog: VisitDialog) -> None:
        dialog.method_combo.setCurrentText("电话")
        type_text(qtbot, dialog.content_edit, "电话回访")
        dialog.satisfaction_combo.setCurrentIndex(5)
        qtbot.mouseClick(dialog.next_check, Qt.MouseButton.LeftButton)
        assert dialog.next_place_edit.isEnabled()
        dialog.next_at_edit.setDateTime(QDateTime(datetime(2026, 11, 20, 10, 0)))  # before this visit
        type_text(qtbot, dialog.next_place_edit, "客户公司")
        type_text(qtbot, dialog.next_agenda_edit, "签单")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert dialog.isVisible()  # refused inline, the dialog stays open
        assert dialog.next_at_edit.property("invalid") is True
        dialog.next_at_edit.setDateTime(QDateTime(datetime(2026, 11, 29, 14, 0)))
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    seen = when_modal(fill)
    visit_id = log_visit(None, card_ctx, cid)
    assert seen and visit_id is not None
    (visit,) = card_ctx.svc.visits.list(cid)
    assert (visit.method, visit.satisfaction) == ("电话", 5)
    assert (visit.next_at, visit.next_place, visit.next_agenda) == (datetime(2026, 11, 29, 14, 0), "客户公司", "签单")
    assert card_ctx.svc.customers.get(cid).next_appointment_at == datetime(2026, 11, 29, 14, 0)


def test_cancel_saves_nothing(qtbot, card_ctx):
    cid = make_customer(card_ctx, "张飞")
    seen = answer("取消")
    assert log_visit(None, card_ctx, cid) is None
    assert seen and card_ctx.svc.visits.list(cid) == []


def test_quick_add_on_the_visits_page(qtbot, card_ctx, open_card):
    cid = make_customer(card_ctx, "赵云")
    window = open_card(cid)
    window.nav_list.setCurrentRow(VISITS_PAGE)
    page = window.visits_page
    page.quick_method_combo.setCurrentText("微信")
    type_text(qtbot, page.quick_edit, "发了生日祝福")
    qtbot.keyClick(page.quick_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.quick_edit.text() == ""
    (visit,) = card_ctx.svc.visits.list(cid)
    assert (visit.method, visit.content, visit.at) == ("微信", "发了生日祝福", NOW)


def test_life_event_for_a_family_member(qtbot, card_ctx, open_card):
    cid = make_customer(card_ctx, "黄忠")
    child = card_ctx.svc.contacts.add(cid, ContactInput(name="黄叙", role="家属", relation="儿子"))
    window = open_card(cid)
    window.nav_list.setCurrentRow(EVENTS)

    def fill(dialog) -> None:
        dialog.kind_combo.setCurrentText("结婚")
        dialog.person_combo.setCurrentIndex(1)
        type_text(qtbot, dialog.note_edit, "儿子结婚，送了贺礼")
        qtbot.keyClick(dialog.note_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    seen = when_modal(fill)
    qtbot.mouseClick(window.events_page.add_button, Qt.MouseButton.LeftButton)
    assert seen
    (event,) = card_ctx.svc.life_events.list(cid)
    assert (event.kind, event.contact_id, event.on) == ("结婚", child, NOW.date())
    qtbot.waitUntil(lambda: window.events_page.model.rowCount() == 1)


def test_delete_a_record_after_confirmation(qtbot, card_ctx, open_card):
    cid = make_customer(card_ctx, "马超")
    card_ctx.svc.contacts.add(cid, ContactInput(name="马岱", relation="兄弟"))
    window = open_card(cid)
    window.nav_list.setCurrentRow(CONTACTS_PAGE)
    page = window.contacts_page
    page.table.selectRow(0)
    seen = answer("取消")
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert seen and len(card_ctx.svc.contacts.list(cid)) == 1
    page.table.selectRow(0)
    seen = answer("删除")
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert seen and card_ctx.svc.contacts.list(cid) == []
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    assert card_ctx.svc.audit.history(cid)[0].summary.startswith("删除联系人")
