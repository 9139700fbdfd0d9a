"""The idle lock: no key or mouse input for N minutes → the main window locks the archive.

An event filter on the application notes the time of the last input; a coarse timer checks it. (Restarting
a timer on every mouse move would cost more than reading a clock.)
"""
from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

_INPUT_EVENTS = frozenset({
    QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
    QEvent.Type.MouseMove, QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.TabletPress,
    QEvent.Type.InputMethod,
})
CHECK_EVERY_MS = 5_000


class IdleLock(QObject):
    """Emits `idle` once after `minutes` without input; re-armed by `start()` (after unlocking)."""

    idle = Signal()

    def __init__(self, app: QApplication, minutes: int, busy: Callable[[], bool] = lambda: False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(app)
        self._app = app
        self._clock = clock
        self.busy = busy  # replaceable: the main window knows when slow work runs
        self.minutes = minutes
        self._last_input = clock()
        self._armed = False
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_EVERY_MS)
        self.timer.timeout.connect(self.check)
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Note the time of any key or mouse input; never consumes the event."""
        if event.type() in _INPUT_EVENTS:
            self._last_input = self._clock()
        return False

    def start(self) -> None:
        """Arm the lock (an archive is open), counting from now."""
        self._last_input = self._clock()
        self._armed = True
        self.timer.start()

    def stop(self) -> None:
        """Disarm (locked, or no archive open)."""
        self._armed = False
        self.timer.stop()

    def set_minutes(self, minutes: int) -> None:
        """Change the idle time (settings dialog)."""
        self.minutes = max(1, int(minutes))

    def idle_seconds(self) -> float:
        """Seconds since the last input."""
        return self._clock() - self._last_input

    def check(self) -> None:
        """Lock if idle long enough — unless slow work (an import, a backup) is still running."""
        if not self._armed or self.idle_seconds() < self.minutes * 60:
            return
        if self.busy():
            return  # try again at the next check; the work is the user's, not idleness
        self.stop()
        self.idle.emit()

    def uninstall(self) -> None:
        """Remove the event filter (application shutting down)."""
        self.stop()
        self._app.removeEventFilter(self)
