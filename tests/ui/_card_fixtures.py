"""Fixtures and helpers for the card-window tests (kept out of tests/ui/conftest.py, which the shell owns)."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QDialog, QMessageBox, QWidget

from app.config import MachineSettings
from app.rows import CustomerInput
from ui.card_registry import CardRegistry
from ui.context import AppContext
from ui.customer_card import CustomerCardWindow
from ui.events import Bus

WATCHDOG_SECONDS = 15  # a modal nobody answers is rejected instead of hanging the suite


@pytest.fixture(name="card_ctx")
def card_ctx_fixture(qapp: QApplication, svc: object, archive_path: Path) -> Iterator[AppContext]:
    """An application context over the test archive; every card window is closed afterwards."""
    from ui.main import create_application

    create_application()  # the bundled font, Qt's Chinese texts and the application style, as in the app
    ctx = AppContext(bus=Bus(), machine=MachineSettings(), archive_path=archive_path, services=svc)  # type: ignore[arg-type]
    watchdog = _Watchdog()
    yield ctx
    watchdog.stop()
    for window in CardRegistry.of(ctx).windows():
        window._closing_for_lock = True  # never ask about unsaved edits while tearing down
        window.close()
    QApplication.processEvents()


class _Watchdog:
    def __init__(self) -> None:
        self.seen: dict[int, int] = {}
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(500)

    def _tick(self) -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            return
        ticks = self.seen.get(id(modal), 0) + 1
        self.seen[id(modal)] = ticks
        if ticks > WATCHDOG_SECONDS * 2 and isinstance(modal, QDialog):
            modal.reject()

    def stop(self) -> None:
        self.timer.stop()


@pytest.fixture(name="open_card")
def open_card_fixture(card_ctx: AppContext, qtbot: object) -> Callable[..., CustomerCardWindow]:
    """Open a card window as the shell does: open_card(customer_id=None, kind='个人')."""

    def _open(customer_id: int | None = None, kind: str = "个人") -> CustomerCardWindow:
        window = CustomerCardWindow.open(None, card_ctx, customer_id, kind)
        qtbot.waitExposed(window)  # type: ignore[attr-defined]
        return window

    return _open


def make_customer(ctx: AppContext, name: str, **fields: object) -> int:
    """Store a card directly through the service."""
    return ctx.svc.customers.create(CustomerInput(name=name, **fields))  # type: ignore[arg-type]


def when_modal(action: Callable[[QWidget], None], timeout_ms: int = 5000) -> list[QWidget]:
    """Run `action(dialog)` on the next modal dialog as soon as it is shown; returns the dialogs seen."""
    seen: list[QWidget] = []
    waited = [0]

    def poll() -> None:
        modal = QApplication.activeModalWidget()
        if modal is not None and modal.isVisible():
            if QApplication.activeWindow() is not modal:
                modal.activateWindow()  # as when the user's window manager focuses the new dialog
            else:
                seen.append(modal)
                action(modal)
                return
        waited[0] += 20
        if waited[0] < timeout_ms:
            QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    return seen


def click_button(dialog: QWidget, text: str) -> None:
    """Click the dialog's button labelled `text` (as the user reads it)."""
    for button in dialog.findChildren(QAbstractButton):
        if button.text().replace("&", "") == text and button.isVisible():
            button.click()
            return
    names = [b.text() for b in dialog.findChildren(QAbstractButton)]
    raise AssertionError(f"no button {text!r} in {type(dialog).__name__}: {names}")


def answer(text: str) -> list[QWidget]:
    """Click `text` in the next modal dialog (message box or ours)."""
    return when_modal(lambda d: click_button(d, text))


def message_text(dialog: QWidget) -> str:
    """The text of a message box."""
    return dialog.text() if isinstance(dialog, QMessageBox) else ""


def type_text(qtbot: object, widget: QWidget, text: str) -> None:
    """Type like a user: ASCII as key presses, Chinese as the input method commits it.

    (QTest.keyClicks aborts on non-ASCII characters; a real IME sends a QInputMethodEvent.)
    """
    if isinstance(widget, QComboBox) and widget.isEditable():
        widget = widget.lineEdit()
    window = widget.window()
    if QApplication.activeWindow() is not window:
        window.activateWindow()  # the user clicks into the window before typing
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)  # type: ignore[attr-defined]
    widget.setFocus()
    for chunk in re.findall(r"[\x00-\x7f]+|[^\x00-\x7f]+", text):
        if chunk.isascii():
            qtbot.keyClicks(widget, chunk)  # type: ignore[attr-defined]
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(chunk)
            QApplication.sendEvent(widget, event)


def press(qtbot: object, window: QWidget, key: object, modifier: object) -> None:
    """A keyboard shortcut in a window, once the window has the focus (as it does when the user types)."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=2000)  # type: ignore[attr-defined]
    focus = QApplication.focusWidget()
    target = focus if focus is not None and window.isAncestorOf(focus) else window
    qtbot.keyClick(target, key, modifier)  # type: ignore[attr-defined]
