"""The full page check of a large archive, run in the background right after it opens.

Archives above app.archive.FULL_VERIFY_BYTES open with the cheap checks only (so 100k customers open in
well under a second); this runs Archive.verify() on its own read-only connection in a worker thread and,
if a page fails, closes the archive and offers the newest verified backup.
"""
from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.archive import Archive, Check
from app.errors import ArchiveDamaged
from ui.context import AppContext

logger = logging.getLogger(__name__)


class BackgroundVerifier(QObject):
    """Verifies every newly opened archive that was not fully checked at open."""

    finished = Signal(object, object)  # archive, Check

    def __init__(self, window: QWidget, ctx: AppContext) -> None:
        super().__init__(window)
        self._window, self._ctx = window, ctx
        self._thread: threading.Thread | None = None
        self.finished.connect(self._on_finished)
        ctx.bus.archive_opened.connect(self.start)

    def start(self) -> None:
        """Check the open archive in a worker thread unless it was fully verified at open."""
        services = self._ctx.services
        if services is None or services.archive.fully_verified:
            return
        archive = services.archive
        self._thread = threading.Thread(target=self._work, args=(archive,), name="verify-archive", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a running check (tests, quit)."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _work(self, archive: Archive) -> None:
        try:
            check = archive.verify()
        except Exception as exc:  # the archive was closed or locked meanwhile: nothing to report
            logger.info("background verification stopped: %s", type(exc).__name__)
            return
        self.finished.emit(archive, check)  # queued to the GUI thread

    def _on_finished(self, archive: Archive, check: Check) -> None:
        services = self._ctx.services
        if check.ok or services is None or services.archive is not archive:
            return
        logger.warning("background verification found %d problems", len(check.problems))
        path = archive.path
        self._window.close_archive()  # type: ignore[attr-defined]
        QMessageBox.critical(self._window, self.tr("档案已损坏"), self.tr(
            "后台完整校验发现档案“{name}”有页面损坏，已关闭档案，程序没有再写入它。\n\n{details}").format(
            name=path.name, details="\n".join(check.problems[:5])))
        from ui.restore_dialog import offer_restore

        restored = offer_restore(self._window, self._ctx.machine, path, ArchiveDamaged("档案文件已损坏", check.problems))
        if restored is not None:
            self._window.switch_to(restored)  # type: ignore[attr-defined]
        else:
            self._window.ask_unlock()  # type: ignore[attr-defined]
