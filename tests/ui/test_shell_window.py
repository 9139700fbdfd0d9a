"""The main window: status bar, navigation, shortcuts, settings, password change, crash dialog, Qt regression."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QToolBar

from app.config import MachineSettings, log_dir
from app.db import open_archive
from app.errors import WrongPassword
from app.rows import CustomerInput
from tests.conftest import PASSWORD
from ui.main_window import AGENDA, CALENDAR, CUSTOMERS, RECYCLE, STATS
from ui.placeholder_page import ComingPage


def test_status_bar_shows_file_count_and_lock_state(qtbot, main_window, svc, archive_path):
    assert archive_path.name in main_window.file_label.text()
    assert main_window.count_label.text() == "客户 0 位"
    assert main_window.lock_label.text() == "已解锁"
    svc.customers.create_many([CustomerInput(name=n) for n in ("甲", "乙", "丙")])
    main_window.ctx.bus.customers_changed.emit()
    assert main_window.count_label.text() == "客户 3 位"
    svc.customers.delete([svc.customers.ids(main_window.customer_list().model.query)[0]])
    main_window.ctx.bus.customers_changed.emit()
    assert main_window.count_label.text() == "客户 2 位"


def test_navigation_shows_real_pages_and_what_is_coming(qtbot, main_window):
    for index, title in ((AGENDA, "待办"), (CALENDAR, "日历"), (STATS, "统计")):
        rect = main_window.nav_list.visualItemRect(main_window.nav_list.item(index))
        qtbot.mouseClick(main_window.nav_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        page = main_window.current_page()
        if isinstance(page, ComingPage):  # until the real page lands it says what will be there
            assert page.title_label.text() == title
            assert len(page.LINES) >= 3 and page.lines_label.text().count("•") == len(page.LINES)
        else:
            assert page is main_window.pages[index]
    main_window.show_page(RECYCLE)
    assert "回收站" in main_window.current_page().count_label.text()
    main_window.show_page(CUSTOMERS)
    assert main_window.current_page() is main_window.customer_list()


def test_menus_and_shortcuts(qtbot, main_window):
    actions = main_window.actions
    expected = {actions.new_person: "Ctrl+N", actions.find: "Ctrl+F", actions.lock: "Ctrl+L",
                actions.print: "Ctrl+P", actions.quit: "Ctrl+Q", actions.refresh: "F5", actions.log_visit: "Ctrl+J"}
    for action, keys in expected.items():
        assert action.shortcut() == QKeySequence(keys), action.text()
    menus = [a.text() for a in main_window.menuBar().actions()]
    assert menus == ["文件(&F)", "编辑(&E)", "客户(&C)", "工具(&T)", "帮助(&H)"]
    toolbar = [a.text() for a in main_window.findChild(QToolBar, "main_toolbar").actions() if a.text()]
    assert toolbar[:6] == ["新建个人客户", "新建单位客户", "记一笔", "删除", actions.print.text(), "锁定"]
    assert not actions.delete.isEnabled()  # nothing selected yet
    qtbot.keyClick(main_window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert main_window.customer_list().search_edit.hasFocus()


def test_delete_action_follows_the_selection(qtbot, main_window, svc):
    svc.customers.create(CustomerInput(name="甲"))
    main_window.reload_all()
    page = main_window.customer_list()
    page.table.selectRow(0)
    assert main_window.actions.delete.isEnabled()
    page.table.clearSelection()
    assert not main_window.actions.delete.isEnabled()


def test_settings_dialog_saves_profile_cadence_and_idle_minutes(qtbot, main_window, svc, answer_modal, ime_type):
    from ui.settings_dialog import SettingsDialog

    def fill(dialog: SettingsDialog) -> None:
        tabs = {type(page).__name__: page for page in dialog.tab_pages}
        profile, cadence, security = tabs["ProfileTab"], tabs["CadenceTab"], tabs["SecurityTab"]
        ime_type(profile.edits["name"], "王丽")
        qtbot.keyClicks(profile.edits["phone"], "12345")
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
        assert "电话" in dialog.error_label.text() and dialog.isVisible()  # stays open, names the field
        profile.edits["phone"].setText("+86 139 1234 5678")
        cadence.spins["A"].setValue(21)
        security.idle_spin.setValue(3)
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()

    answer = answer_modal(SettingsDialog, fill)
    with qtbot.waitSignal(main_window.ctx.bus.settings_changed):
        main_window.actions.settings.trigger()
    answer.check()
    assert svc.settings.profile().name == "王丽" and svc.settings.profile().phone == "13912345678"
    assert svc.settings.cadence()["A"] == 21
    assert MachineSettings.load().idle_lock_minutes == 3 and main_window.idle_lock.minutes == 3


def test_settings_tabs_are_a_table_others_extend():
    from ui.settings_dialog import SETTINGS_TABS

    titles = [t[0] for t in SETTINGS_TABS]
    assert titles[:2] == ["个人资料", "联系周期"] and "安全" in titles  # others add their tabs between


def test_change_password_proves_new_works_and_old_fails(qtbot, main_window, svc, archive_path, monkeypatch,
                                                        answer_modal):
    from PySide6.QtWidgets import QMessageBox

    from app import archive as af
    from app.config import MachineSettings
    from ui.unlock_dialog import ChangePasswordDialog

    svc.customers.create(CustomerInput(name="甲"))
    new = "新的-Passw0rd!"
    monkeypatch.setattr(ChangePasswordDialog, "ask", classmethod(lambda cls, parent: (PASSWORD, new)))
    key = str(archive_path.resolve())
    main_window.ctx.machine.remember_archive(archive_path, svc.archive.salt)
    remembered_during_swap: list[object] = []
    real_rekey = af.rekey_file

    def spy(*args, **kwargs):  # dying during the swap must not leave the old salt remembered on disk
        remembered_during_swap.append((main_window.ctx.machine.known_salts.get(key),
                                       MachineSettings.load().known_salts.get(key)))
        return real_rekey(*args, **kwargs)

    monkeypatch.setattr(af, "rekey_file", spy)
    told = answer_modal(QMessageBox, lambda box: box.accept())
    main_window.actions.change_password.trigger()
    told.check()
    assert remembered_during_swap == [(None, None)]
    assert "密码已修改" in told.texts[0]
    assert main_window.ctx.svc.customers.count() == 1  # services rebuilt over the re-keyed file
    assert main_window.ctx.machine.known_salts[str(archive_path.resolve())] == main_window.ctx.svc.archive.salt.hex()
    main_window.ctx.svc.archive.close()
    main_window.ctx.services = None
    open_archive(archive_path, new).close()
    with pytest.raises(WrongPassword):
        open_archive(archive_path, PASSWORD)


def test_change_password_refuses_a_wrong_current_password(qtbot, main_window, svc, monkeypatch, answer_modal):
    from PySide6.QtWidgets import QMessageBox

    from ui.unlock_dialog import ChangePasswordDialog

    monkeypatch.setattr(ChangePasswordDialog, "ask", classmethod(lambda cls, parent: ("wrong-one", "whatever-123")))
    warned = answer_modal(QMessageBox, lambda box: box.accept())
    main_window.actions.change_password.trigger()
    warned.check()
    assert "原密码不正确" in warned.texts[0]
    assert main_window.ctx.is_open


def test_crash_dialog_closes_the_archive_and_names_the_log(qtbot, shell_app, archive, svc, caplog, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from ui.error_dialog import CrashHandler, _crash_text

    exits: list[int] = []  # a real exit() would leave this test process's event loops spent
    monkeypatch.setattr(QApplication, "exit", staticmethod(lambda code=0: exits.append(code)))
    closed = []
    handler = CrashHandler(lambda: (svc.close(), closed.append(True)))
    shown = []
    handler.show_dialog = lambda: shown.append(_crash_text())
    with caplog.at_level(logging.ERROR):
        try:
            raise RuntimeError("客户张三丰的手机 13812345678")
        except RuntimeError as error:
            handler(RuntimeError, error, error.__traceback__)
    assert closed and not archive.is_open and exits == [1]
    assert str(log_dir()) in shown[0]
    assert "uncaught RuntimeError" in caplog.text
    assert "张三丰" not in caplog.text and "13812345678" not in caplog.text  # no customer data in the log


def test_about_names_the_files(qtbot, main_window, archive_path):
    from ui.about import AboutDialog

    dialog = AboutDialog(main_window, main_window.ctx)
    qtbot.addWidget(dialog)
    text = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert str(archive_path) in text and str(log_dir()) in text


def test_void_qt_method_100000_times_does_not_crash(qtbot, shell_app):
    """Regression (issue 2): PySide6 6.12 on Python 3.11 aborts with none_dealloc; we require 3.12+."""
    import sys

    assert sys.version_info >= (3, 12)
    label = QLabel()
    qtbot.addWidget(label)
    calls = 0
    for _ in range(100_000):
        label.setText("客户")
        calls += 1
    assert label.text() == "客户" and calls == 100_000


def test_quit_waits_for_a_card_with_unsaved_edits(qtbot, main_window, svc, answer_modal, monkeypatch, ime_type):
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.customer_card import CustomerCardWindow

    customer_id = svc.customers.create(CustomerInput(name="王五"))
    card = CustomerCardWindow.open(main_window, main_window.ctx, customer_id)
    qtbot.waitExposed(card)
    ime_type(card.basic_page.name_edit, "二")  # an unsaved edit
    quits: list[bool] = []
    monkeypatch.setattr(QApplication, "quit", staticmethod(lambda: quits.append(True)))
    asked = answer_modal(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Cancel).click())
    main_window.actions.quit.trigger()
    asked.check()
    assert "未保存" in asked.texts[0] or "保存" in asked.texts[0]
    assert quits == [] and main_window.isVisible() and card.isVisible() and main_window.ctx.is_open
    card._closing_for_lock = True  # let the teardown close it without asking


def test_a_freshly_opened_window_starts_on_the_agenda_loaded_in_the_background(qtbot, shell_ctx, svc, clock):
    """待办 opens at start; its rows arrive from a worker thread, so the window never waits for them."""
    from app.rows import VisitInput
    from ui.agenda_page import AgendaPage
    from ui.idle_lock import IdleLock
    from ui.main_window import MainWindow

    cid = svc.customers.create(CustomerInput(name="王五", grade="A", grade_manual=True))
    svc.visits.log(VisitInput(customer_id=cid, at=clock() - timedelta(days=60), method="电话"))
    idle = IdleLock(QApplication.instance(), 10)
    window = MainWindow(shell_ctx, idle)
    qtbot.addWidget(window)
    window.show()
    page = window.current_page()
    assert isinstance(page, AgendaPage) and window.nav_list.currentRow() == AGENDA
    assert page.loading and page.date_label.text() == "正在整理待办…"
    assert page.wait_loaded()
    overdue = page.model.touchpoints_at(page.model.index(0, 0))
    assert page.model.section_count() == 3
    assert [(t.customer_id, t.kind) for t in overdue] == [(cid, "cadence")]  # A: every 30 days, last 60 ago
    window.ctx.services = None
    window.close()
    idle.uninstall()
