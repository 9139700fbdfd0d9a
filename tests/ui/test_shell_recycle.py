"""Deleting is recoverable: a card goes to 回收站, comes back with 恢复, and only a typed confirmation purges it."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.errors import NotFound
from app.rows import CustomerInput
from ui.main_window import RECYCLE
from ui.recycle_bin import CONFIRM_WORD, PurgeDialog


def _click_nav(qtbot, window, index: int) -> None:
    rect = window.nav_list.visualItemRect(window.nav_list.item(index))
    qtbot.mouseClick(window.nav_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_delete_a_card_and_restore_it_from_the_recycle_bin(qtbot, main_window, svc, answer_modal):
    keep, gone = svc.customers.create(CustomerInput(name="留下")), svc.customers.create(CustomerInput(name="删掉"))
    main_window.reload_all()
    page = main_window.customer_list()
    page.table.selectRow(page.model.row_of_id(gone))
    confirm = answer_modal(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    main_window.actions.delete.trigger()
    confirm.check()
    assert "删掉" in confirm.texts[0]
    assert [page.model.row_at(r).id for r in range(page.model.rowCount())] == [keep]
    assert main_window.count_label.text() == "客户 1 位"
    _click_nav(qtbot, main_window, RECYCLE)
    bin_page = main_window.current_page()
    assert bin_page.model.rowCount() == 1
    assert bin_page.model.index(0, 1).data() == "删掉"
    assert bin_page.model.index(0, 2).data() == "2026-11-22 09:30"  # when (the services' clock)
    assert not bin_page.restore_button.isEnabled()
    bin_page.table.selectRow(0)
    qtbot.mouseClick(bin_page.restore_button, Qt.MouseButton.LeftButton)
    assert bin_page.model.rowCount() == 0 and "空的" in bin_page.count_label.text()
    main_window.show_page(0)
    assert sorted(page.model.row_at(r).id for r in range(page.model.rowCount())) == sorted([keep, gone])
    assert [e.action for e in svc.audit.history(gone)][:2] == ["恢复", "删除"]  # recorded, newest first


def test_purge_needs_the_typed_word(qtbot, main_window, svc, answer_modal, ime_type):
    gone = svc.customers.create(CustomerInput(name="彻底删掉"))
    svc.customers.delete([gone])
    main_window.show_page(RECYCLE)
    bin_page = main_window.current_page()
    bin_page.table.selectRow(0)
    seen = {}

    def type_word(dialog: PurgeDialog) -> None:
        seen["enabled_before"] = dialog.purge_button.isEnabled()
        ime_type(dialog.confirm_edit, "删除")
        seen["enabled_wrong"] = dialog.purge_button.isEnabled()
        dialog.confirm_edit.clear()
        ime_type(dialog.confirm_edit, CONFIRM_WORD)
        seen["warning"] = dialog.warning_label.text()
        qtbot.mouseClick(dialog.purge_button, Qt.MouseButton.LeftButton)

    answer = answer_modal(PurgeDialog, type_word)
    qtbot.mouseClick(bin_page.purge_button, Qt.MouseButton.LeftButton)
    answer.check()
    assert seen["enabled_before"] is False and seen["enabled_wrong"] is False
    assert "无法恢复" in seen["warning"] and "彻底删掉" in seen["warning"]
    assert bin_page.model.rowCount() == 0
    with pytest.raises(NotFound):
        svc.customers.get(gone)


def test_cancelled_purge_destroys_nothing(qtbot, main_window, svc, answer_modal):
    gone = svc.customers.create(CustomerInput(name="还在"))
    svc.customers.delete([gone])
    main_window.show_page(RECYCLE)
    bin_page = main_window.current_page()
    bin_page.table.selectRow(0)
    answer = answer_modal(PurgeDialog, lambda d: d.reject())
    bin_page.purge_selected()
    answer.check()
    assert svc.customers.get(gone).deleted_at is not None
