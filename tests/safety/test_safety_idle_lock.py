"""The idle lock, on its real timer: input keeps the archive open; without input it locks — every
connection closed (no pooled connection, no file of the archive open in this process, no services), and
no customer's data left on screen in any view, label, field or card window. Unlocking brings it back."""
from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.config import MachineSettings
from app.db import open_archive
from app.rows import CustomerInput
from tests.conftest import PASSWORD

NAMES = ("欧阳锁屏", "司马空闲", "诸葛定时")
IDLE_MINUTES = 0.05  # 3 s: IdleLock counts in minutes; set_minutes() rounds to whole ones, the attribute does not


def _archive_files(path: Path) -> list[str]:
    """Files of the archive (itself, -wal, -shm, lock) this process has open."""
    prefix = str(path.resolve())
    return [f.path for f in psutil.Process().open_files() if f.path.startswith(prefix)]


def _on_screen() -> str:
    """Every text a user could see in a visible widget: labels, fields, buttons, titles, item views."""
    texts = []
    for widget in QApplication.allWidgets():
        if not widget.isVisible():
            continue
        if isinstance(widget, (QLabel, QLineEdit, QAbstractButton)):
            texts.append(widget.text())
        if widget.isWindow():
            texts.append(widget.windowTitle())
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            columns = 1 if isinstance(model, QAbstractListModel) else model.columnCount(QModelIndex())
            for row in range(min(model.rowCount(), 200)):
                for col in range(columns):
                    texts.append(str(model.data(model.index(row, col)) or ""))
    return "\n".join(texts)


def _views_with_rows(window: QWidget) -> list[str]:
    """Item views in the main window that still hold rows (navigation and drop-down choices excepted)."""
    fixed = {window.nav_list, *(c.view() for c in window.findChildren(QComboBox))}  # type: ignore[attr-defined]
    return [f"{type(v).__name__} {v.objectName()} {type(v.parent()).__name__}"
            for v in window.findChildren(QAbstractItemView)
            if v not in fixed and v.model() is not None and v.model().rowCount()]


@pytest.fixture
def locking_window(qtbot: object, svc: object, archive_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """The main window over the test archive with an IdleLock checking every 50 ms."""
    import ui.idle_lock
    from ui.main import build_context, create_application
    from ui.main_window import MainWindow

    monkeypatch.setattr(ui.idle_lock, "CHECK_EVERY_MS", 50)
    app = create_application()
    ctx = build_context(MachineSettings())
    ctx.archive_path = archive_path
    ctx.services = svc  # type: ignore[assignment]
    idle = ui.idle_lock.IdleLock(app, 10)
    window = MainWindow(ctx, idle)
    idle.busy = window.is_busy
    window.resize(1100, 700)
    window.show()
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    yield window
    for widget in QApplication.topLevelWidgets():
        if widget is not window and widget.isVisible():
            widget.close()
    if ctx.services is not None and ctx.services is not svc:
        ctx.services.close()  # reopened by the unlock in the test
    ctx.services = None  # the archive fixture closes its own archive
    window.close()
    idle.uninstall()
    QApplication.processEvents()


def test_idle_lock_closes_everything_and_input_keeps_it_open(
        locking_window: object, svc: object, archive: object, archive_path: Path, qtbot: object,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.customer_card import CustomerCardWindow
    from ui.main_window import AGENDA, CUSTOMERS
    from ui.unlock_dialog import UnlockDialog

    window = locking_window
    ids = [svc.customers.create(CustomerInput(name=n, mobile=f"1391234567{i}")) for i, n in enumerate(NAMES)]  # type: ignore[attr-defined]
    window.reload_all()  # type: ignore[attr-defined]
    window.page(AGENDA)  # type: ignore[attr-defined]
    window.show_page(CUSTOMERS)  # type: ignore[attr-defined]
    page = window.customer_list()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=10000)  # type: ignore[attr-defined]
    card = CustomerCardWindow.open(window, window.ctx, ids[0])  # type: ignore[attr-defined]
    qtbot.waitExposed(card)  # type: ignore[attr-defined]
    assert NAMES[0] in _on_screen() and _archive_files(archive_path)  # the checks below can fail
    seen: dict[str, object] = {}

    def at_lock(parent: QWidget, machine: MachineSettings, path: Path, *, locked: bool = False) -> object:
        seen.update(locked=locked, services=window.ctx.services, archive_open=archive.is_open,  # type: ignore[attr-defined]
                    checked_out=archive.engine.pool.checkedout(), files=_archive_files(archive_path),  # type: ignore[attr-defined]
                    views=_views_with_rows(window), screen=_on_screen(),  # type: ignore[arg-type]
                    cards=[w for w in QApplication.topLevelWidgets() if isinstance(w, CustomerCardWindow) and w.isVisible()])
        return open_archive(path, PASSWORD)  # the user types the password

    monkeypatch.setattr(UnlockDialog, "ask", staticmethod(at_lock))
    idle = window.idle_lock  # type: ignore[attr-defined]
    idle.minutes = IDLE_MINUTES
    presses, started = [time.monotonic()], time.monotonic()
    while time.monotonic() - started < IDLE_MINUTES * 60 * 1.6 and not seen:  # input for longer than the timeout
        qtbot.keyClick(window, Qt.Key.Key_Shift)  # type: ignore[attr-defined]
        presses.append(time.monotonic())
        assert idle.idle_seconds() < IDLE_MINUTES * 60
        qtbot.wait(150)  # type: ignore[attr-defined]
    longest_gap = max(b - a for a, b in itertools.pairwise(presses))
    assert not seen or longest_gap >= IDLE_MINUTES * 60, "locked although input kept coming"
    qtbot.waitUntil(lambda: bool(seen), timeout=60000)  # no more input: the timer locks  # type: ignore[attr-defined]
    assert seen["locked"] is True and seen["services"] is None and seen["archive_open"] is False
    assert seen["checked_out"] == 0 and seen["files"] == []  # every connection closed, the lock released
    assert seen["views"] == [] and seen["cards"] == []
    leaked = [n for n in (*NAMES, "13912345670") if n in str(seen["screen"])]
    assert not leaked, f"still on screen while locked: {leaked}"
    qtbot.waitUntil(lambda: window.ctx.is_open and page.model.rowCount() == 3, timeout=15000)  # type: ignore[attr-defined]
    assert idle.minutes == 10 and idle.idle_seconds() < 5  # re-armed with the configured time after unlocking
