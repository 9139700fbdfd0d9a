"""ui.tasks.run_task: slow work off the GUI thread, with progress and cancel."""
from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

from app.errors import ValidationError
from app.progress import ProgressFn, step
from ui.tasks import run_task


def test_work_that_finishes_at_once_never_hangs(qapp: QApplication) -> None:
    # The worker may finish before the local event loop starts; run_task must still return.
    for _ in range(200):
        assert run_task(None, "测试", lambda progress: 42) == 42


def test_progress_is_shown_on_the_gui_thread_and_the_result_returned(qapp: QApplication) -> None:
    seen: list[str] = []

    def work(progress: ProgressFn) -> str:
        for i in range(5):
            step(progress, i, 5, f"第 {i} 步")
            time.sleep(0.01)
        return threading.current_thread().name

    original = QProgressDialog.setLabelText
    QProgressDialog.setLabelText = lambda self, text: (seen.append(threading.current_thread().name),  # type: ignore[method-assign]
                                                       original(self, text))
    try:
        worker_thread = run_task(None, "测试", work)
    finally:
        QProgressDialog.setLabelText = original  # type: ignore[method-assign]
    assert worker_thread != threading.main_thread().name
    assert seen and set(seen) == {threading.main_thread().name}


def test_cancel_returns_none(qapp: QApplication) -> None:
    def work(progress: ProgressFn) -> str:
        for i in range(1000):
            step(progress, i, 1000, "")
            time.sleep(0.01)
        return "finished"

    def cancel() -> None:
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QProgressDialog):
                widget.canceled.emit()  # what the 取消 button does

    QTimer.singleShot(400, cancel)
    assert run_task(None, "测试", work) is None


def test_errors_reach_the_caller(qapp: QApplication) -> None:
    def work(progress: ProgressFn) -> None:
        raise ValidationError("手机", "不是有效的手机号")

    with pytest.raises(ValidationError, match="手机"):
        run_task(None, "测试", work)
