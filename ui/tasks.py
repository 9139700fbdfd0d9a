"""Slow work off the GUI thread: one helper with a cancellable progress dialog.

The worker function runs in a QThread and receives a ProgressFn; it must not touch widgets.
Usage:  result = run_task(parent, "正在导入…", importer.run, path, progress=...)  → result or None.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.progress import Cancelled


class _Worker(QObject):
    progressed = Signal(int, int, str)
    finished = Signal(object, object)  # result, exception

    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict) -> None:
        super().__init__()
        self._fn, self._args, self._kwargs = fn, args, kwargs
        self.cancel_event = threading.Event()

    def progress(self, done: int, total: int, text: str) -> bool:
        self.progressed.emit(done, total, text)
        return not self.cancel_event.is_set()

    @Slot()
    def run(self) -> None:
        try:
            result = self._fn(*self._args, progress=self.progress, **self._kwargs)
        except BaseException as exc:  # handed to the GUI thread, shown there
            self.finished.emit(None, exc)
        else:
            self.finished.emit(result, None)


class TaskRunner(QObject):
    """Runs one function in a thread with a modal progress dialog; blocks in a local event loop."""

    def __init__(self, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self._parent, self._title = parent, title
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run fn(*args, progress=..., **kwargs); returns its result, raises its exception."""
        from PySide6.QtCore import QEventLoop

        dialog = QProgressDialog(self._title, self.tr("取消"), 0, 0, self._parent)
        dialog.setWindowTitle(self._title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        thread = QThread()
        worker = _Worker(fn, args, kwargs)
        worker.moveToThread(thread)
        loop = QEventLoop()

        def on_progress(done: int, total: int, text: str) -> None:
            dialog.setMaximum(max(total, 0))
            dialog.setValue(min(done, total) if total else 0)
            if text:
                dialog.setLabelText(text)

        def on_finished(result: Any, error: BaseException | None) -> None:
            self.result, self.error = result, error
            thread.quit()
            loop.quit()

        worker.progressed.connect(on_progress)
        worker.finished.connect(on_finished)
        dialog.canceled.connect(worker.cancel_event.set)
        thread.started.connect(worker.run)
        thread.start()
        loop.exec()
        thread.wait()
        dialog.close()
        dialog.deleteLater()
        if self.error is not None:
            raise self.error
        return self.result


def run_task(parent: QWidget | None, title: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run slow work with progress and cancel. Returns the result, or None if the user cancelled.

    Any other exception propagates to the caller (AppError → a clear dialog at the action boundary).
    """
    try:
        return TaskRunner(parent, title).run(fn, *args, **kwargs)
    except Cancelled:
        return None
