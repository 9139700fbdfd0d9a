"""Slow work off the GUI thread: one helper with a cancellable progress dialog.

The worker function runs in a QThread and receives a ProgressFn; it must not touch widgets.
Usage:  result = run_task(parent, "正在导入…", importer.run, path, progress=...)  → result or None.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, Signal, Slot
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
    """Runs one function in a thread with a modal progress dialog; blocks in a local event loop.

    The worker's signals are connected to slots of this GUI-thread object, so Qt queues them: the
    dialog is only touched on the GUI thread, and a worker that finishes before the local loop starts
    still ends it (its queued `finished` is delivered once the loop runs).
    """

    def __init__(self, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self._parent, self._title = parent, title
        self.result: Any = None
        self.error: BaseException | None = None
        self._dialog: QProgressDialog | None = None
        self._loop: QEventLoop | None = None

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run fn(*args, progress=..., **kwargs); returns its result, raises its exception."""
        self._dialog = dialog = QProgressDialog(self._title, self.tr("取消"), 0, 0, self._parent)
        dialog.setWindowTitle(self._title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        thread = QThread()
        worker = _Worker(fn, args, kwargs)
        worker.moveToThread(thread)
        self._loop = QEventLoop()
        worker.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        worker.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        dialog.canceled.connect(worker.cancel_event.set)
        thread.started.connect(worker.run)
        thread.start()
        self._loop.exec()
        thread.quit()
        thread.wait()
        dialog.close()
        dialog.deleteLater()
        self._dialog = None
        if self.error is not None:
            raise self.error
        return self.result

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self._dialog is None:
            return
        self._dialog.setMaximum(max(total, 0))
        self._dialog.setValue(min(done, total) if total else 0)
        if text:
            self._dialog.setLabelText(text)

    @Slot(object, object)
    def _on_finished(self, result: Any, error: BaseException | None) -> None:
        self.result, self.error = result, error
        if self._loop is not None:
            self._loop.quit()


def run_task(parent: QWidget | None, title: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run slow work with progress and cancel. Returns the result, or None if the user cancelled.

    Any other exception propagates to the caller (AppError → a clear dialog at the action boundary).
    """
    try:
        return TaskRunner(parent, title).run(fn, *args, **kwargs)
    except Cancelled:
        return None
