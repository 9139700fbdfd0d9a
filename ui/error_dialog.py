"""How errors reach the user: AppError as a clear message at the action boundary; anything else through
one sys.excepthook dialog that says where the log is and closes the archive cleanly.
"""
from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.config import log_dir
from app.errors import AppError, ArchiveDamaged

logger = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("ErrorDialog", text)


def show_app_error(parent: QWidget | None, title: str, error: AppError) -> None:
    """Show an AppError (already a clear Chinese message) as a warning dialog."""
    text = str(error)
    details = getattr(error, "details", ()) if isinstance(error, ArchiveDamaged) else ()
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText("\n".join(details))
    box.exec()


@contextmanager
def action_guard(parent: QWidget | None, title: str) -> Iterator[None]:
    """Run a user action; an AppError becomes a clear dialog instead of a crash."""
    try:
        yield
    except AppError as error:
        logger.info("action refused: %s", type(error).__name__)
        show_app_error(parent, title, error)


def _crash_text() -> str:
    return _tr(
        "程序遇到了一个意外错误。为保护您的数据，档案已安全关闭，程序将退出。\n\n"
        "已经保存的内容不会丢失。错误的详细信息已写入日志文件，位于：\n{folder}\n\n"
        "如果问题反复出现，请把这个文件夹里的 clientfile.log 发给技术支持（日志中不含客户资料和密码）。"
    ).format(folder=log_dir())


class CrashHandler:
    """sys.excepthook: log the traceback, close the archive, tell the user where the log is, quit."""

    def __init__(self, close_archive: Callable[[], None]) -> None:
        self._close_archive = close_archive
        self._handling = False
        self.previous = sys.excepthook

    def install(self) -> None:
        """Become sys.excepthook."""
        sys.excepthook = self

    def uninstall(self) -> None:
        """Put the previous hook back."""
        if sys.excepthook is self:
            sys.excepthook = self.previous

    def __call__(self, kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        """Handle an uncaught exception raised in a Qt slot or the main code."""
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        # Where it happened (file, line, function) — not the message or source text, which may hold data.
        frames = "\n".join(f"  {f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(tb))
        logger.error("uncaught %s\n%s", kind.__name__, frames)
        if self._handling:
            return
        self._handling = True
        try:
            self._close_archive()
        except Exception:
            logger.exception("closing the archive after a crash failed")
        self.show_dialog()
        QApplication.exit(1)

    def show_dialog(self) -> None:
        """The one crash dialog (replaceable in tests)."""
        QMessageBox.critical(None, _tr("ClientFile 出错了"), _crash_text())
