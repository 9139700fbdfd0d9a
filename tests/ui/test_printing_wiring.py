"""Where printing is reached from: 打印 (Ctrl+P) on the list selection, the card's 打印 menu, 设置 → 打印."""
from __future__ import annotations

from typing import ClassVar

from _card_fixtures import card_ctx_fixture, open_card_fixture  # noqa: F401 - fixtures
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from app.rows import CustomerInput
from tests.conftest import PASSWORD
from ui.settings_dialog import SettingsDialog
from ui.settings_print_tab import PrintSettingsTab
from ui.unlock_dialog import UnlockDialog


def test_ctrl_p_prints_the_list_selection(qtbot, main_window, svc, monkeypatch) -> None:
    ids = [svc.customers.create(CustomerInput(name=n)) for n in ("打印甲", "打印乙")]
    main_window.reload_all()
    calls: list[list[int]] = []
    monkeypatch.setattr("ui.printing.print_selection", lambda parent, ctx, chosen: calls.append(sorted(chosen)))
    action = main_window.actions.print
    assert action.shortcut() == QKeySequence("Ctrl+P")
    main_window.actions.update_enabled()
    assert action.isEnabled()
    page = main_window.customer_list()
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.table.selectAll()
    action.trigger()
    page.print_selected()  # the row menu's 打印…
    assert calls == [sorted(ids), sorted(ids)]


def test_print_action_is_off_while_locked(qtbot, main_window, svc, answer_modal) -> None:
    seen: list[bool] = []

    def while_locked(dialog: UnlockDialog) -> None:
        seen.append(main_window.actions.print.isEnabled())
        dialog.password_edit.setText(PASSWORD)
        dialog.try_unlock()

    answer = answer_modal(UnlockDialog, while_locked)
    main_window.lock()
    qtbot.waitUntil(lambda: main_window.ctx.is_open, timeout=15000)
    answer.check()
    assert seen == [False] and main_window.actions.print.isEnabled()


class FakeMenu:
    """Stands in for the 打印 menu (a real QMenu.exec would wait for a click)."""

    shown: ClassVar[list[list[int]]] = []

    def __init__(self, parent: object, ctx: object, ids: object) -> None:
        self.ids = ids

    def exec(self, *_: object) -> None:
        FakeMenu.shown.append(list(self.ids()))  # type: ignore[operator]


def test_card_print_button_opens_the_menu_for_this_card(qtbot, svc, monkeypatch, open_card) -> None:
    cid = svc.customers.create(CustomerInput(name="卡上打印"))
    window = open_card(cid)
    monkeypatch.setattr("ui.printing.print_menu", FakeMenu)
    FakeMenu.shown = []
    qtbot.mouseClick(window.header.print_button, Qt.MouseButton.LeftButton)
    assert FakeMenu.shown == [[cid]]


def test_settings_dialog_has_the_print_tab(qtbot, shell_ctx) -> None:
    dialog = SettingsDialog(None, shell_ctx)
    qtbot.addWidget(dialog)
    titles = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert "打印" in titles
    assert isinstance(dialog.tabs.widget(titles.index("打印")), PrintSettingsTab)
