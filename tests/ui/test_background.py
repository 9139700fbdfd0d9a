"""ui.background.BackgroundCall: results come back on the GUI thread; stale and cancelled ones are dropped."""
from __future__ import annotations

import threading
import time


def test_only_the_newest_result_is_delivered_on_the_gui_thread(qtbot, shell_app) -> None:
    from ui.background import BackgroundCall

    call = BackgroundCall(None, "test-call")
    got: list[tuple[object, object, bool]] = []
    call.finished.connect(lambda r, e: got.append((r, e, threading.current_thread() is threading.main_thread())))
    call.start(lambda: (time.sleep(0.2), "old")[1])
    call.start(lambda: "new", delay_ms=20)
    assert call.busy
    assert call.wait(10)
    time.sleep(0.3)
    qtbot.wait(50)  # the old call ends now: dropped
    assert got == [("new", None, True)]


def test_cancel_drops_the_result_and_errors_are_handed_over(qtbot, shell_app) -> None:
    from ui.background import BackgroundCall

    call = BackgroundCall(None, "test-call")
    got: list[tuple[object, object]] = []
    call.finished.connect(lambda r, e: got.append((r, e)))
    call.start(lambda: "never seen", delay_ms=50)
    call.cancel()
    assert not call.busy
    qtbot.wait(150)
    assert got == []
    call.start(lambda: 1 / 0)
    assert call.wait(10)
    assert got[0][0] is None and isinstance(got[0][1], ZeroDivisionError)
