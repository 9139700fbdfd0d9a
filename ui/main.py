"""The composition root of the desktop app: `clientfile` → run(args).

QApplication, the bundled CJK font (before any widget), Qt's own Chinese texts, the style, the crash
hook; then the welcome dialog (first start) or the unlock dialog (later starts), and the main window over
one AppContext whose Services are built here.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_NAME, APP_NAME_ZH
from app.config import MachineSettings, default_archive_path
from app.errors import AppError
from ui.error_dialog import CrashHandler
from ui.fonts import install_app_font
from ui.style import apply_style

# Only light modules above: the unlock dialog shows before the database and service layers are imported
# (they load while the password is checked), so the first window appears quickly.
if TYPE_CHECKING:
    from app.archive import Archive
    from ui.context import AppContext
    from ui.main_window import MainWindow

logger = logging.getLogger(__name__)


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with name, font, Chinese standard texts and style (idempotent in tests)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
    if app.property("cf_configured"):
        # Configure once: re-applying a style while widgets exist can crash Qt (seen in the test suite).
        return app
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME_ZH)
    install_app_font(app)  # before any widget exists, so every widget inherits it
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    _install_qt_translations(app)
    apply_style(app)
    app.setProperty("cf_configured", True)
    return app


def _install_qt_translations(app: QApplication) -> None:
    """确定/取消/是/否 … on Qt's own dialogs and buttons."""
    if app.property("cf_translations"):
        return
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load("qtbase_zh_CN", folder):
        app.installTranslator(translator)
        app.setProperty("cf_translations", True)
    else:
        logger.info("Qt's Chinese translations not found; standard buttons stay in English")


def build_context(machine: MachineSettings, archive: Archive | None = None) -> AppContext:
    """The one AppContext: bus, machine settings and, once an archive is open, its Services."""
    from ui.context import AppContext
    from ui.events import Bus

    ctx = AppContext(bus=Bus(), machine=machine)
    if archive is not None:
        use_archive(ctx, archive)
    return ctx


def use_archive(ctx: AppContext, archive: Archive) -> None:
    """Build the Services of an opened archive into the context."""
    from app.services import Services

    ctx.archive_path = archive.path
    ctx.services = Services.build(archive)


def open_sample(machine: MachineSettings) -> Archive:
    """The sample archive (created on first use), opened with its published password."""
    from app import demo
    from app.db import open_archive
    from ui.unlock_dialog import known_salt, remember_open, wait_cursor

    with wait_cursor():
        path = demo.ensure_sample_archive()
        archive = open_archive(path, demo.SAMPLE_PASSWORD, known_salt=known_salt(machine, path))
    remember_open(machine, archive)
    return archive


def first_archive(args: argparse.Namespace, machine: MachineSettings) -> Archive | None:
    """Which archive to start with: --sample, --archive PATH, the last one, or the welcome dialog."""
    from ui.unlock_dialog import WELCOME, UnlockDialog
    from ui.welcome_dialog import WelcomeDialog

    if getattr(args, "sample", False):
        try:
            return open_sample(machine)
        except AppError as error:
            QMessageBox.warning(None, APP_NAME_ZH, str(error))
            return None
    path = _start_path(args, machine)
    if path is not None and path.exists():
        QTimer.singleShot(PRELOAD_DELAY_MS, preload_core_in_background)  # while the password is typed
        answer = UnlockDialog.ask(None, machine, path, while_waiting=preload_main_window)
        if answer is not WELCOME:
            return answer  # type: ignore[return-value]
        path = None
    return WelcomeDialog.ask(None, machine, path)  # a missing --archive PATH is offered as the new file


def _start_path(args: argparse.Namespace, machine: MachineSettings) -> Path | None:
    """--archive PATH (existing or not), the last archive, the default one, or None for a first start."""
    given = getattr(args, "archive", None)
    if given:
        path = Path(given).expanduser()
        if not path.exists():
            QMessageBox.information(None, APP_NAME_ZH, QApplication.translate(
                "Main", "找不到档案文件：\n{path}\n\n可以在下一步在这个位置新建档案，或打开其他档案。").format(path=path))
        return path
    for candidate in (machine.last_archive, str(default_archive_path())):
        if candidate and Path(candidate).exists():
            return Path(candidate)
    return None


def preload_main_window() -> None:
    """Import the services and the main window with its first page (~0.5 s of Python): called while the
    key derivation and the page checks run without the GIL in app.db.OpeningArchive's thread."""
    for name in MAIN_WINDOW_MODULES:
        importlib.import_module(name)


PRELOAD_DELAY_MS = 100  # once the unlock dialog is on screen
CORE_MODULES = ("app.services",)  # SQLAlchemy, the models and the card services: no Qt


def preload_core_in_background() -> threading.Thread:
    """Import the database and service layers (~0.4 s) in a daemon thread while the user types the
    password; the Qt modules stay on the GUI thread (preload_main_window, after Enter)."""
    def work() -> None:
        for name in CORE_MODULES:
            importlib.import_module(name)

    thread = threading.Thread(target=work, name="preload", daemon=True)
    thread.start()
    return thread


MAIN_WINDOW_MODULES = ("app.services", "ui.context", "ui.main_window", "ui.agenda_page", "ui.idle_lock",
                       "ui.background_check")  # 待办 is the start page


def show_main_window(app: QApplication, ctx: AppContext) -> MainWindow:
    """The main window over an open context, with the idle lock and the background page check."""
    from ui.background_check import BackgroundVerifier
    from ui.idle_lock import IdleLock
    from ui.main_window import MainWindow

    idle = IdleLock(app, ctx.machine.idle_lock_minutes)
    window = MainWindow(ctx, idle)
    idle.busy = window.is_busy  # slow work in progress postpones the idle lock
    window.show()
    verifier = BackgroundVerifier(window, ctx)
    verifier.start()  # large archives: the full page check runs now, in the background
    return window


def run(args: argparse.Namespace) -> int:
    """Start the desktop app; returns the exit code."""
    app = create_application()
    machine = MachineSettings.load()
    opened: list[AppContext] = []  # filled once an archive is open; the crash hook closes it

    def close_all() -> None:
        for ctx in opened:
            close_context(ctx)

    crash = CrashHandler(close_all)
    crash.install()
    try:
        archive = first_archive(args, machine)
        if archive is None:
            return 0
        ctx = build_context(machine, archive)
        opened.append(ctx)
        window = show_main_window(app, ctx)
        code = app.exec()
        if window.idle_lock is not None:
            window.idle_lock.uninstall()
        return code
    finally:
        close_all()
        crash.uninstall()


def close_context(ctx: AppContext) -> None:
    """Close the archive if it is still open (quit, crash)."""
    services, ctx.services = ctx.services, None
    if services is not None:
        services.close()
