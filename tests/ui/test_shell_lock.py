"""Locking (Ctrl+L and idle): views cleared, connections closed; unlocking returns to the same place."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.rows import CustomerInput
from tests.conftest import PASSWORD
from ui.unlock_dialog import UnlockDialog


def _open_files(path: Path) -> list[str]:
    """Files of this process that belong to the archive (the file itself, its -wal and -shm)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(path.resolve())) and not target.endswith(".lock"):
            found.append(target)
    return found


def test_ctrl_l_locks_and_unlock_returns_to_the_same_search(qtbot, main_window, svc, archive, archive_path,
                                                             answer_modal):
    for name in ("张三丰", "张无忌", "李四"):
        svc.customers.create(CustomerInput(name=name))
    main_window.reload_all()
    page = main_window.customer_list()
    qtbot.keyClicks(page.search_edit, "zwj")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=3000)
    assert _open_files(archive_path)  # open while unlocked: the check below can fail
    seen = {}

    def while_locked(dialog: UnlockDialog) -> None:
        seen["rows"] = page.model.rowCount()
        seen["search"] = page.search_edit.text()
        seen["services"] = main_window.ctx.services
        seen["archive_open"] = archive.is_open
        seen["files"] = _open_files(archive_path)
        seen["status"] = main_window.lock_label.text()
        seen["nav"] = main_window.nav_list.isEnabled()
        seen["locked_dialog"] = dialog.locked
        qtbot.keyClicks(dialog.password_edit, "wrong")
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
        seen["wrong"] = dialog.message_label.text()
        dialog.password_edit.setText(PASSWORD)
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)

    answer = answer_modal(UnlockDialog, while_locked)
    qtbot.keyClick(main_window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(answer.seen) and main_window.ctx.is_open, timeout=15000)
    answer.check()
    assert seen["rows"] == 0 and seen["search"] == ""  # nothing of the customers stays on screen
    assert seen["services"] is None and seen["archive_open"] is False
    assert seen["files"] == []  # every database connection closed
    assert seen["status"] == "已锁定" and seen["nav"] is False and seen["locked_dialog"]
    assert "密码不正确" in seen["wrong"]
    assert page.search_edit.text() == "zwj"  # where the user was
    assert [page.model.row_at(r).name for r in range(page.model.rowCount())] == ["张无忌"]
    assert main_window.current_page() is page and main_window.lock_label.text() == "已解锁"


def test_lock_keeps_the_current_page(qtbot, main_window, svc, answer_modal):
    from ui.main_window import RECYCLE

    main_window.show_page(RECYCLE)
    answer = answer_modal(UnlockDialog, lambda d: (d.password_edit.setText(PASSWORD), d.try_unlock()))
    main_window.lock()
    qtbot.waitUntil(lambda: main_window.ctx.is_open, timeout=15000)
    answer.check()
    assert main_window.current_page() is main_window.pages[RECYCLE]


def test_idle_time_locks_the_archive(qtbot, main_window, svc, answer_modal):
    now = [1000.0]
    idle = main_window.idle_lock
    idle._clock = lambda: now[0]
    idle.set_minutes(1)
    idle.start()
    now[0] += 30
    idle.check()
    assert main_window.ctx.is_open  # 30 s is not idle
    qtbot.keyClick(main_window.customer_list().search_edit, Qt.Key.Key_A)  # input resets the idle time
    assert idle.idle_seconds() == 0
    seen = {}

    def while_locked(dialog: UnlockDialog) -> None:
        seen["open"] = main_window.ctx.is_open
        dialog.password_edit.setText(PASSWORD)
        dialog.try_unlock()

    answer = answer_modal(UnlockDialog, while_locked)
    now[0] += 61
    idle.check()
    qtbot.waitUntil(lambda: bool(answer.seen) and main_window.ctx.is_open, timeout=15000)
    answer.check()
    assert seen["open"] is False


def test_idle_lock_waits_for_slow_work(qtbot, main_window, svc):
    now = [0.0]
    idle = main_window.idle_lock
    idle._clock = lambda: now[0]
    idle.start()
    idle.busy = lambda: True
    now[0] += 3600
    idle.check()
    assert main_window.ctx.is_open


def test_lock_closes_card_windows(qtbot, main_window, svc, answer_modal):
    from ui.customer_card import CustomerCardWindow

    customer_id = svc.customers.create(CustomerInput(name="王五"))
    card = CustomerCardWindow.open(main_window, main_window.ctx, customer_id)
    qtbot.waitExposed(card)
    seen = {}

    def while_locked(dialog: UnlockDialog) -> None:
        seen["cards"] = [w for w in QApplication.topLevelWidgets()
                         if isinstance(w, CustomerCardWindow) and w.isVisible()]
        dialog.password_edit.setText(PASSWORD)
        dialog.try_unlock()

    answer = answer_modal(UnlockDialog, while_locked)
    main_window.lock()
    qtbot.waitUntil(lambda: bool(answer.seen) and main_window.ctx.is_open, timeout=15000)
    answer.check()
    assert seen["cards"] == []


def test_quit_from_the_lock_dialog_closes_the_window(qtbot, main_window, svc, answer_modal, monkeypatch):
    quits = []
    monkeypatch.setattr(QApplication, "quit", staticmethod(lambda: quits.append(True)))
    answer = answer_modal(UnlockDialog, lambda d: qtbot.mouseClick(d.quit_button, Qt.MouseButton.LeftButton))
    main_window.lock()
    qtbot.waitUntil(lambda: bool(answer.seen) and not main_window.isVisible(), timeout=15000)
    assert quits and not main_window.ctx.is_open
