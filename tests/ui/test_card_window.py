"""The customer card window, driven as a salesperson would: type into the fields, press the buttons."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from _card_fixtures import (  # noqa: F401
    answer,
    card_ctx_fixture,
    make_customer,
    open_card_fixture,
    press,
    type_text,
    when_modal,
)
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.grading import action_for
from app.rows import Birthday, ComplaintInput, DealInput
from ui.card_registry import CardRegistry
from ui.customer_card import COMPLAINTS_PAGE, CONTACTS_PAGE, DEALS_PAGE, GRADE, HISTORY, CustomerCardWindow
from ui.record_dialogs import ContactDialog


def _save(qtbot, window: CustomerCardWindow) -> None:
    press(qtbot, window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def test_add_individual_card(qtbot, card_ctx, open_card):
    window = open_card(None, "个人")
    page = window.basic_page
    assert page.person_box.isVisible() and not page.org_box.isVisible()
    type_text(qtbot, page.name_edit, "张 三丰")
    type_text(qtbot, page.mobile_edit, "+86 138-1234-5678")
    page.gender_combo.setCurrentText("男")
    type_text(qtbot, page.birthday_input.year_edit, "1985")
    page.birthday_input.month_combo.setCurrentIndex(3)
    page.birthday_input.day_combo.setCurrentIndex(8)
    type_text(qtbot, page.occupation_edit, "教师")
    type_text(qtbot, page.asset_edit, "80")
    assert "中高端" in page.tier_label.text()
    assert window.isWindowModified()
    with qtbot.waitSignals([card_ctx.bus.customers_changed, card_ctx.bus.customer_changed]):
        qtbot.mouseClick(window.header.save_button, Qt.MouseButton.LeftButton)
    assert card_ctx.svc.customers.count() == 1
    card = card_ctx.svc.customers.get(window.customer_id)
    assert card.data.mobile == "13812345678"  # normalised by the core
    assert card.data.birthday == Birthday("solar", 3, 8, 1985)
    assert card.data.occupation == "教师" and card.data.gender == "男"
    assert card.data.asset_wan == Decimal("80")
    assert page.mobile_edit.text() == "13812345678"  # the card shows what was stored
    assert not window.isWindowModified()
    assert card.card_no in window.header.meta_label.text()
    assert "张 三丰" in window.windowTitle()
    assert CardRegistry.of(card_ctx).find(window.customer_id) is window


def test_add_organisation_card_with_decision_maker(qtbot, card_ctx, open_card):
    window = open_card(None, "单位")
    page = window.basic_page
    assert page.org_box.isVisible() and not page.person_box.isVisible()
    type_text(qtbot, page.name_edit, "宏达建材有限公司")
    page.org_nature_combo.setCurrentText("民营企业")
    type_text(qtbot, page.employees_edit, "120")
    type_text(qtbot, page.parent_org_edit, "市建材协会")
    window.nav_list.setCurrentRow(CONTACTS_PAGE)

    def fill_contact(dialog: ContactDialog) -> None:
        assert isinstance(dialog, ContactDialog)
        type_text(qtbot, dialog.name_edit, "李建国")
        dialog.role_combo.setCurrentText("决策人")
        type_text(qtbot, dialog.title_edit, "总经理")
        type_text(qtbot, dialog.mobile_edit, "13900001111")
        qtbot.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    seen = when_modal(fill_contact)
    # 添加 on a new card saves the card first, then asks for the contact
    qtbot.mouseClick(window.contacts_page.add_button, Qt.MouseButton.LeftButton)
    assert seen, "the contact dialog was not shown"
    card = card_ctx.svc.customers.get(window.customer_id)
    assert card.data.kind == "单位" and card.data.org_nature == "民营企业" and card.data.employee_count == 120
    (contact,) = card.contacts
    assert (contact.name, contact.role, contact.title, contact.mobile) == ("李建国", "决策人", "总经理", "13900001111")
    qtbot.waitUntil(lambda: window.contacts_page.model.rowCount() == 1)
    assert window.contacts_page.model.index(0, 1).data() == "决策人"
    assert window.nav_list.item(CONTACTS_PAGE).text() == "联系人与家庭  1"


def test_bad_mobile_is_shown_beside_the_field_and_nothing_is_saved(qtbot, card_ctx, open_card):
    window = open_card()
    page = window.basic_page
    type_text(qtbot, page.name_edit, "王五")
    type_text(qtbot, page.mobile_edit, "1381234")
    rows_before = page.identity_box.layout().rowCount()
    _save(qtbot, window)
    assert card_ctx.svc.customers.count() == 0
    assert QApplication.activeModalWidget() is None  # no modal box, the message is inline
    assert page.mobile_edit.property("invalid") is True
    message = window.errors.message
    assert message.isVisible() and "不是有效的手机号" in message.text()
    form = page.identity_box.layout()
    assert form.getWidgetPosition(message)[0] == form.getWidgetPosition(page.mobile_edit)[0] + 1  # right under it
    assert page.name_edit.property("invalid") in (None, False)
    page.mobile_edit.clear()
    type_text(qtbot, page.mobile_edit, "13812345678")
    _save(qtbot, window)
    assert card_ctx.svc.customers.count() == 1
    assert page.mobile_edit.property("invalid") is False
    assert window.errors.message is None and form.rowCount() == rows_before


def test_error_on_another_page_switches_to_it(qtbot, card_ctx, open_card):
    window = open_card()
    type_text(qtbot, window.basic_page.name_edit, "赵六")
    window.nav_list.setCurrentRow(GRADE)
    window.basic_page.stage_combo.setCurrentText("流失")  # needs a reason
    _save(qtbot, window)
    assert window.stack.currentWidget() is window.basic_page
    assert window.basic_page.loss_edit.property("invalid") is True
    assert card_ctx.svc.customers.count() == 0


def test_duplicate_phone_shows_the_existing_card(qtbot, card_ctx, open_card):
    existing = make_customer(card_ctx, "张三", mobile="13812345678")
    window = open_card()
    type_text(qtbot, window.basic_page.name_edit, "张叁")
    type_text(qtbot, window.basic_page.mobile_edit, "138 1234 5678")

    seen = answer("返回修改")
    _save(qtbot, window)
    assert seen and seen[0].model.row_at(0).id == existing and seen[0].model.row_at(0).reason == "电话相同"
    assert card_ctx.svc.customers.count() == 1 and window.customer_id is None

    seen = answer("打开所选客户卡")
    _save(qtbot, window)
    assert seen and card_ctx.svc.customers.count() == 1
    other = CardRegistry.of(card_ctx).find(existing)
    assert other is not None and other.basic_page.name_edit.text() == "张三"

    seen = answer("仍然保存为新客户")
    _save(qtbot, window)
    assert seen and card_ctx.svc.customers.count() == 2 and window.customer_id not in (None, existing)


def test_unsaved_changes_are_guarded_on_close(qtbot, card_ctx, open_card):
    cid = make_customer(card_ctx, "孙七", hobbies="钓鱼")
    window = open_card(cid)
    window.basic_page.hobbies_edit.clear()
    type_text(qtbot, window.basic_page.hobbies_edit, "登山")
    assert window.isWindowModified()

    seen = answer("取消")
    window.close()
    assert seen and "孙七" in seen[0].text()
    assert window.isVisible()

    seen = answer("保存")
    window.close()
    assert seen and not window.isVisible()
    assert card_ctx.svc.customers.get(cid).data.hobbies == "登山"

    window = open_card(cid)
    type_text(qtbot, window.basic_page.hobbies_edit, "、象棋")
    seen = answer("不保存")
    window.close()
    assert seen and not window.isVisible()
    assert card_ctx.svc.customers.get(cid).data.hobbies == "登山"
    assert CardRegistry.of(card_ctx).find(cid) is None


def test_typing_back_the_old_value_is_not_a_change(qtbot, open_card, card_ctx):
    window = open_card(make_customer(card_ctx, "周八"))
    type_text(qtbot, window.basic_page.wechat_edit, "x")
    assert window.isWindowModified()
    window.basic_page.wechat_edit.clear()
    assert not window.isWindowModified()
    window.close()  # no question asked
    assert not window.isVisible()


def test_grade_follows_the_three_factors_and_the_override_sticks(qtbot, card_ctx, open_card):
    cid = make_customer(card_ctx, "吴九")
    window = open_card(cid)
    window.nav_list.setCurrentRow(GRADE)
    grade = window.grade_page
    grade.economy_combo.setCurrentText("好")
    grade.awareness_combo.setCurrentText("强")
    assert grade.suggestion_label.text() == "—"
    grade.influence_combo.setCurrentText("广")
    assert grade.suggestion_label.text() == "A 级" and grade.grade_combo.currentText() == "A"
    assert not grade.grade_combo.isEnabled()
    grade.influence_combo.setCurrentText("一般")
    assert grade.grade_combo.currentText() == "B"
    assert grade.action_label.text() == action_for("B", closed=False)
    window.basic_page.deal_status_combo.setCurrentText("成交")
    assert grade.action_label.text() == action_for("B", closed=True)

    qtbot.mouseClick(grade.manual_check, Qt.MouseButton.LeftButton)
    assert grade.grade_combo.isEnabled()
    grade.grade_combo.setCurrentText("A")
    _save(qtbot, window)
    stored = card_ctx.svc.customers.get(cid).data
    assert (stored.grade, stored.grade_manual, stored.economy) == ("A", True, "好")

    window.close()
    window = open_card(cid)
    grade = window.grade_page
    assert grade.manual_check.isChecked() and grade.grade_combo.currentText() == "A"
    grade.economy_combo.setCurrentText("一般")  # the suggestion moves, the chosen grade does not
    assert grade.suggestion_label.text() == "C 级" and grade.grade_combo.currentText() == "A"
    _save(qtbot, window)
    assert card_ctx.svc.customers.get(cid).data.grade == "A"
    assert window.header.grade_label.text() == "A 级（手动）"


def test_opening_an_open_card_raises_the_same_window(card_ctx, open_card):
    cid = make_customer(card_ctx, "郑十")
    first = open_card(cid)
    assert open_card(cid) is first
    assert len(CardRegistry.of(card_ctx).windows()) == 1


def test_pick_referrer_and_see_referrals(qtbot, card_ctx, open_card):
    referrer = make_customer(card_ctx, "钱多多", influence_center=True)
    cid = make_customer(card_ctx, "陈小明")
    window = open_card(cid)

    def pick(dialog) -> None:
        type_text(qtbot, dialog.search_edit, "qdd")  # pinyin initials
        qtbot.waitUntil(lambda: dialog.model.rowCount() == 1)
        qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)

    seen = when_modal(pick)
    qtbot.mouseClick(window.basic_page.referrer_field.choose_button, Qt.MouseButton.LeftButton)
    assert seen
    assert window.basic_page.referrer_field.name_label.text() == "钱多多"
    assert window.basic_page.source_combo.currentText() == "转介绍"
    _save(qtbot, window)
    assert card_ctx.svc.customers.get(cid).data.referrer_id == referrer

    other = open_card(referrer)
    items = other.basic_page.referrals_list
    assert items.count() == 1 and "陈小明" in items.item(0).text()
    items.itemClicked.emit(items.item(0))
    assert CardRegistry.of(card_ctx).find(cid) is window


def test_records_added_elsewhere_show_up_without_losing_edits(qtbot, card_ctx, open_card):
    cid = make_customer(card_ctx, "冯一")
    window = open_card(cid)
    type_text(qtbot, window.remarks_page.remarks_edit, "喜欢喝茶")
    card_ctx.svc.deals.add(cid, DealInput(product="年金险", amount=Decimal("12000"), start_date=date(2026, 11, 1)))
    card_ctx.bus.records_changed.emit(cid)
    window.nav_list.setCurrentRow(DEALS_PAGE)
    qtbot.waitUntil(lambda: window.deals_page.model.rowCount() == 1)
    assert window.basic_page.deal_status_combo.currentText() == "成交"  # changed by the service, taken in
    assert window.remarks_page.remarks_edit.toPlainText() == "喜欢喝茶"  # the user's edit is kept
    assert window.isWindowModified()
    _save(qtbot, window)
    stored = card_ctx.svc.customers.get(cid).data
    assert (stored.deal_status, stored.remarks) == ("成交", "喜欢喝茶")


def test_open_complaint_is_flagged(qtbot, card_ctx, open_card):
    cid = make_customer(card_ctx, "褚二")
    window = open_card(cid)
    assert not window.header.complaint_button.isVisible()
    card_ctx.svc.complaints.add(cid, ComplaintInput(content="理赔太慢"))
    card_ctx.bus.records_changed.emit(cid)
    qtbot.waitUntil(lambda: window.header.complaint_button.isVisible())
    assert window.header.complaint_button.text() == "1 条投诉未处理"
    assert "1 未处理" in window.nav_list.item(COMPLAINTS_PAGE).text()
    qtbot.mouseClick(window.header.complaint_button, Qt.MouseButton.LeftButton)
    assert window.stack.currentWidget() is window.complaints_page
    assert window.complaints_page.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) is not None


def test_history_shows_field_changes(qtbot, card_ctx, open_card):
    cid = make_customer(card_ctx, "卫三", mobile="13800000000")
    window = open_card(cid)
    window.basic_page.mobile_edit.clear()
    type_text(qtbot, window.basic_page.mobile_edit, "13900000000")
    _save(qtbot, window)
    window.nav_list.setCurrentRow(HISTORY)
    tree = window.history_page.tree
    assert tree.topLevelItemCount() == 2  # 修改, 新建
    top = tree.topLevelItem(0)
    assert top.text(2) == "修改"
    changes = {top.child(i).text(2): top.child(i).text(3) for i in range(top.childCount())}
    assert changes == {"手机": "13800000000 → 13900000000"}


def test_lock_closes_cards_without_asking_and_unlock_brings_the_draft_back(qtbot, card_ctx, open_card):
    cid = make_customer(card_ctx, "蒋四")
    window = open_card(cid)
    type_text(qtbot, window.basic_page.address_edit, "人民路 8 号")
    services = card_ctx.services
    card_ctx.services = None  # the shell closes the archive, then tells every view
    card_ctx.bus.archive_locked.emit()
    assert not window.isVisible()
    assert CardRegistry.of(card_ctx).windows() == []
    assert QApplication.activeModalWidget() is None
    card_ctx.services = services
    card_ctx.bus.archive_opened.emit()
    reopened = CardRegistry.of(card_ctx).find(cid)
    assert reopened is not None and reopened is not window
    assert reopened.basic_page.address_edit.text() == "人民路 8 号"
    assert reopened.isWindowModified()
    assert card_ctx.svc.customers.get(cid).data.address == ""


def test_tags_are_edited_with_completion_from_existing_tags(qtbot, card_ctx, open_card):
    make_customer(card_ctx, "老王", tags=("车险", "老客户"))
    cid = make_customer(card_ctx, "小李")
    window = open_card(cid)
    tags = window.basic_page.tags_edit
    type_text(qtbot, tags, "新客户，车")
    completer = window.basic_page.tag_completer
    assert completer.currentCompletion() == "新客户，车险"  # only the tag being typed is completed
    popup = completer.popup()
    qtbot.waitUntil(popup.isVisible)
    index = completer.completionModel().index(0, 0)
    qtbot.mouseClick(popup.viewport(), Qt.MouseButton.LeftButton, pos=popup.visualRect(index).center())
    assert tags.text() == "新客户，车险"
    _save(qtbot, window)
    assert set(card_ctx.svc.customers.get(cid).data.tags) == {"新客户", "车险"}
    assert set(tags.text().split("、")) == {"新客户", "车险"}  # shown back as stored, 、-separated


def test_every_field_of_a_card_has_an_editor(open_card):
    from dataclasses import fields

    from app.rows import CustomerInput

    window = open_card()
    assert sorted(window.binder.names()) == sorted(f.name for f in fields(CustomerInput))
