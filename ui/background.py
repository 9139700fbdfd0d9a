"""Work a page needs but the window must not wait for (the 待办 list at start), run in a daemon thread.

The result comes back on the GUI thread through a queued signal, tagged with a generation: a result that
arrives after a newer request, or after the archive was locked, is dropped. No widget is touched in the
thread. Locking does not wait for a running call: its result is simply ignored.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

logger = logging.getLogger(__name__)


class BackgroundCall(QObject):
    """Run one function at a time off the GUI thread; `finished(result, error)` only for the newest call."""

    finished = Signal(object, object)  # result, exception (one of them is None)
    _delivered = Signal(int, object, object)  # generation, result, exception — queued to the GUI thread

    def __init__(self, parent: QObject | None, name: str) -> None:
        super().__init__(parent)
        self._name = name
        self._generation = 0
        self._running = 0  # the generation still in flight (0: none)
        self._delivered.connect(self._on_delivered)

    @property
    def busy(self) -> bool:
        """True while the newest call has not reported back."""
        return self._running != 0

    def start(self, fn: Callable[[], Any], *, delay_ms: int = 0) -> None:
        """Run fn in a daemon thread (after delay_ms, e.g. to let a window paint first without sharing the
        interpreter); any older call still running will be ignored when it ends."""
        self._generation += 1
        generation = self._running = self._generation

        def work() -> None:
            try:
                result, error = fn(), None
            except Exception as exc:  # handed to the GUI thread
                result, error = None, exc
            self._delivered.emit(generation, result, error)

        def launch() -> None:
            if generation == self._generation:  # not cancelled or superseded meanwhile
                threading.Thread(target=work, name=self._name, daemon=True).start()

        if delay_ms > 0:
            QTimer.singleShot(delay_ms, self, launch)
        else:
            launch()

    def cancel(self) -> None:
        """Forget the running call (its result will be dropped): the archive is being locked."""
        self._generation += 1
        self._running = 0

    def wait(self, timeout: float = 60.0) -> bool:
        """Process events until the newest call reported back (tests, screenshots); False on timeout."""
        deadline = time.monotonic() + timeout
        while self.busy and time.monotonic() < deadline:
            QApplication.processEvents()
            time.sleep(0.002)
        QApplication.processEvents()
        return not self.busy

    def _on_delivered(self, generation: int, result: object, error: object) -> None:
        if generation != self._generation:
            logger.debug("%s: dropped a stale result", self._name)
            return
        self._running = 0
        self.finished.emit(result, error)
