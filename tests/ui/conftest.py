"""Shell fixtures: the configured application, an AppContext over the test archive, the main window,
and a helper that answers modal dialogs the way a user would (from a timer while exec() runs).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget

from app.config import MachineSettings


@pytest.fixture
def shell_app(qapp: QApplication) -> QApplication:
    """The QApplication configured as ui.main does it (bundled font, Chinese Qt texts, style)."""
    from ui.main import create_application

    return create_application()


@pytest.fixture
def shell_ctx(shell_app: QApplication, svc: object, archive_path: Path) -> Iterator[object]:
    """An AppContext over the open test archive (as ui.main builds it)."""
    from ui.main import build_context

    ctx = build_context(MachineSettings())
    ctx.archive_path = archive_path
    ctx.services = svc  # type: ignore[assignment]
    yield ctx


@pytest.fixture
def main_window(shell_ctx: object, svc: object, qtbot: object) -> Iterator[object]:
    """The main window over the test archive, shown; closed (and its card windows with it) afterwards."""
    from ui.idle_lock import IdleLock
    from ui.main_window import MainWindow

    idle = IdleLock(QApplication.instance(), 10)  # type: ignore[arg-type]
    window = MainWindow(shell_ctx, idle)  # type: ignore[arg-type]
    window.resize(1100, 700)
    window.show()
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    start = window.current_page()  # 待办, the start page (tests/ui/test_shell_window.py checks it)
    if hasattr(start, "wait_loaded"):
        start.wait_loaded()
    window.show_page(0)  # most shell tests work on the 客户 list
    yield window
    for widget in QApplication.topLevelWidgets():
        if widget is not window and widget.isVisible():
            widget.setProperty("cf_test_teardown", True)
            widget.close()
    if window.ctx.services is not None and window.ctx.services is not svc:
        window.ctx.services.close()  # reopened by an unlock in the test
    window.ctx.services = None  # the archive fixture closes its own archive
    window.close()
    idle.uninstall()
    QApplication.processEvents()


class ModalAnswerer:
    """Polls for a modal widget of a type and acts on it; records what it saw."""

    def __init__(self, kind: type[QWidget], act: Callable[[QWidget], None], timeout: float) -> None:
        self.kind, self.act, self.deadline = kind, act, time.monotonic() + timeout
        self.seen: list[QWidget] = []
        self.texts: list[str] = []  # message boxes are deleted after a static call: keep their text
        self.error: BaseException | None = None
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(30)

    def _tick(self) -> None:
        modal = QApplication.activeModalWidget()
        if isinstance(modal, self.kind) and modal not in self.seen and modal.isVisible():
            self.seen.append(modal)
            text = getattr(modal, "text", None)
            self.texts.append(text() if callable(text) else "")
            self.timer.stop()
            try:
                self.act(modal)
            except BaseException as error:  # reported by the test, not lost in the event loop
                self.error = error
                modal.close()
        elif time.monotonic() > self.deadline:
            self.timer.stop()
            if isinstance(modal, QWidget):
                modal.close()  # never hang the suite

    def check(self) -> list[QWidget]:
        """Raise what went wrong inside the answer; the widgets answered."""
        self.timer.stop()
        if self.error is not None:
            raise self.error
        return self.seen


@pytest.fixture
def answer_modal() -> Iterator[Callable[..., ModalAnswerer]]:
    """answer_modal(QMessageBox, lambda box: ...) — act on the next modal of that type."""
    made: list[ModalAnswerer] = []

    def make(kind: type[QWidget], act: Callable[[QWidget], None], timeout: float = 15) -> ModalAnswerer:
        answerer = ModalAnswerer(kind, act, timeout)
        made.append(answerer)
        return answerer

    yield make
    for answerer in made:
        answerer.timer.stop()



def _ime_commit(widget: QWidget, text: str) -> None:
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


@pytest.fixture
def ime_type() -> Callable[[QWidget, str], None]:
    """Type Chinese as an input method does: one committed string (QTest only types ASCII keys)."""
    return _ime_commit
