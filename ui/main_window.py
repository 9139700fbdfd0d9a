"""The main window: navigation between the pages, toolbar, menus, status bar, lock and unlock.

The window owns the lock cycle: lock → every page clears, card windows close (keeping drafts), the
archive closes (ctx.services = None) → the unlock dialog → services rebuilt, pages reload, the user is
back on the same page with the same search.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QStackedWidget,
    QWidget,
)

from app.archive import Archive
from app.errors import AppError
from app.services import Services
from ui import state
from ui.backup_actions import backup_on_close, install_backup
from ui.context import AppContext
from ui.error_dialog import action_guard
from ui.idle_lock import IdleLock
from ui.main_window_actions import MainActions
from ui.pages import PAGES, build_page
from ui.unlock_dialog import ChangePasswordDialog, UnlockDialog, forget_salt, remember_open, wait_cursor

logger = logging.getLogger(__name__)

STATE_KEY = "main_window"
CUSTOMERS, AGENDA, CALENDAR, STATS, RECYCLE = range(5)
START_PAGE = AGENDA  # the salesperson's day starts with who is due (its rows load in the background)


class MainWindow(QMainWindow):
    """The application window over one AppContext."""

    locked_changed = Signal(bool)

    def __init__(self, ctx: AppContext, idle_lock: IdleLock | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.idle_lock = idle_lock
        self.pages: dict[int, QWidget] = {}
        self.setWindowTitle(self.tr("客户档案"))
        self._build_widgets()
        self._build_layout()
        self._connect_signals()
        install_backup(self, ctx)  # 文件 menu: backups and restore; automatic backups while open
        self.resize(1200, 760)
        state.restore_window(STATE_KEY, self)
        if ctx.is_open:
            self._after_open()

    # ----- building ------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.nav_list = QListWidget()
        self.nav_list.setObjectName("navigation")
        self.nav_list.setFixedWidth(120)
        for spec in PAGES:
            item = QListWidgetItem(self.tr(spec.title))
            item.setToolTip(self.tr(spec.hint))
            item.setSizeHint(QSize(0, self.fontMetrics().height() + 22))
            self.nav_list.addItem(item)
        self.stack = QStackedWidget()
        for _ in PAGES:
            self.stack.addWidget(QWidget())  # real pages replace these the first time they are shown
        self.locked_label = QLabel(self.tr("档案已锁定"))
        self.locked_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.locked_label.setProperty("role", "title")
        self.stack.addWidget(self.locked_label)
        self.actions = MainActions(self)
        self.file_label = QLabel()
        self.count_label = QLabel()
        self.lock_label = QLabel()
        for label in (self.file_label, self.count_label, self.lock_label):
            self.statusBar().addPermanentWidget(label)

    def _build_layout(self) -> None:
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav_list)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.actions.build_menus(self.menuBar())
        self.addToolBar(self.actions.build_toolbar())

    def _connect_signals(self) -> None:
        self.nav_list.currentRowChanged.connect(self.show_page)
        bus = self.ctx.bus
        bus.customers_changed.connect(self._update_count)
        bus.settings_changed.connect(self._apply_settings)
        if self.idle_lock is not None:
            self.idle_lock.idle.connect(self.lock)

    # ----- pages ------------------------------------------------------------------------------------
    def page(self, index: int) -> QWidget:
        """The page at a navigation index, built on first use."""
        if index not in self.pages:
            page = build_page(PAGES[index], self.ctx, self.stack)
            placeholder = self.stack.widget(index)
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self.pages[index] = page
            selection_changed = getattr(page, "selection_changed", None)
            if selection_changed is not None:
                selection_changed.connect(self.actions.update_enabled)
            if self.ctx.is_open and index != RECYCLE:  # the recycle bin loads itself when built
                page.reload()  # type: ignore[attr-defined]
        return self.pages[index]

    def show_page(self, index: int) -> None:
        """Show a page (navigation list, Ctrl+F …)."""
        if index < 0 or not self.ctx.is_open:
            return
        page = self.page(index)
        self.stack.setCurrentWidget(page)
        if self.nav_list.currentRow() != index:
            self.nav_list.setCurrentRow(index)
        self.actions.update_enabled()

    def current_page(self) -> QWidget | None:
        """The page on screen (None while locked)."""
        widget = self.stack.currentWidget()
        return widget if widget in self.pages.values() else None

    def selected_customer_ids(self) -> list[int]:
        """Customers selected on the current page (pages that list customers offer this)."""
        getter = getattr(self.current_page(), "selected_customer_ids", None)
        return list(getter()) if callable(getter) else []

    def customer_list(self) -> QWidget:
        """The 客户 page."""
        return self.page(CUSTOMERS)

    def reload_all(self) -> None:
        """F5: fetch every built page again."""
        if self.ctx.is_open:
            for page in self.pages.values():
                page.reload()  # type: ignore[attr-defined]
            self._update_count()

    # ----- status -------------------------------------------------------------------------------------
    def _after_open(self) -> None:
        path = self.ctx.archive_path
        self.setWindowTitle(self.tr("客户档案 — {name}").format(name=path.name if path else ""))
        self.file_label.setText(self.tr("档案：{name}").format(name=path.name if path else ""))
        self.file_label.setToolTip(str(path or ""))
        self._set_locked(False)
        self._update_count()
        if self.current_page() is None:  # first open: 待办 (what is due today); after a lock: where the user was
            row = self.nav_list.currentRow()
            self.show_page(row if row >= 0 else START_PAGE)

    def _update_count(self) -> None:
        if not self.ctx.is_open:
            self.count_label.clear()
            return
        try:
            self.count_label.setText(self.tr("客户 {n} 位").format(n=self.ctx.svc.customers.count()))
        except AppError:
            self.count_label.clear()

    def _set_locked(self, locked: bool) -> None:
        self.lock_label.setText(self.tr("已锁定") if locked else self.tr("已解锁"))
        self.nav_list.setEnabled(not locked)
        self.actions.update_enabled()
        if self.idle_lock is not None:
            if locked:
                self.idle_lock.stop()
            else:
                self.idle_lock.set_minutes(self.ctx.machine.idle_lock_minutes)
                self.idle_lock.start()
        self.locked_changed.emit(locked)

    def _apply_settings(self) -> None:
        if self.idle_lock is not None:
            self.idle_lock.set_minutes(self.ctx.machine.idle_lock_minutes)

    def is_busy(self) -> bool:
        """True while slow work shows its progress dialog (the idle lock waits for it)."""
        return any(isinstance(w, QProgressDialog) and w.isVisible() for w in QApplication.topLevelWidgets())

    # ----- lock and unlock ---------------------------------------------------------------------------
    def lock(self) -> None:
        """Ctrl+L or idle: close the archive and clear every view, then ask for the password."""
        if not self.ctx.is_open:
            return
        self.close_archive()
        QTimer.singleShot(0, self.ask_unlock)

    def close_archive(self) -> None:
        """Clear every view, close every card window, close the archive (ctx.services = None)."""
        self.ctx.bus.archive_locked.emit()  # card windows close themselves and keep their drafts
        for page in self.pages.values():
            page.clear()  # type: ignore[attr-defined]
        self._close_secondary_windows()
        services, self.ctx.services = self.ctx.services, None
        if services is not None:
            services.close()
        self.stack.setCurrentWidget(self.locked_label)
        self.count_label.clear()
        self._set_locked(True)
        logger.info("archive locked")

    def _close_secondary_windows(self) -> None:
        for widget in QApplication.topLevelWidgets():
            if widget is self or not widget.isVisible():
                continue
            if isinstance(widget, QDialog):
                widget.reject()
            else:
                widget.close()

    def ask_unlock(self) -> None:
        """Show the unlock dialog over the window; quit when the user chooses to."""
        if self.ctx.is_open or self.ctx.archive_path is None:
            return
        answer = UnlockDialog.ask(self, self.ctx.machine, self.ctx.archive_path, locked=True)
        if isinstance(answer, Archive):
            self.attach(answer)
        else:
            self.quit()

    def attach(self, archive: Archive) -> None:
        """Use an opened archive: build its services, reload the pages, reopen the locked cards."""
        self.ctx.archive_path = archive.path
        self.ctx.services = Services.build(archive)
        self._after_open()
        index = max(0, self.nav_list.currentRow())
        for page in self.pages.values():
            page.reload()  # type: ignore[attr-defined]
        self.show_page(index)
        self.ctx.bus.archive_opened.emit()

    # ----- archives ------------------------------------------------------------------------------------
    def switch_to(self, archive: Archive) -> None:
        """Close the current archive (if any) and continue with another one."""
        if self.ctx.is_open:
            self.close_archive()
        self.attach(archive)

    def open_other_archive(self) -> None:
        """文件 → 打开档案: pick a file, unlock it, switch to it."""
        from PySide6.QtWidgets import QFileDialog

        from app.config import ARCHIVE_SUFFIX

        start = str(self.ctx.archive_path.parent) if self.ctx.archive_path else ""
        name, _ = QFileDialog.getOpenFileName(self, self.tr("打开客户档案"), start,
                                              self.tr("客户档案 (*{s});;所有文件 (*)").format(s=ARCHIVE_SUFFIX))
        if not name:
            return
        path = Path(name)
        if self.ctx.archive_path and path.resolve() == self.ctx.archive_path.resolve() and self.ctx.is_open:
            QMessageBox.information(self, self.tr("打开档案"), self.tr("这个档案已经打开了。"))
            return
        answer = UnlockDialog.ask(self, self.ctx.machine, path)
        if isinstance(answer, Archive):
            self.switch_to(answer)

    def new_archive(self) -> None:
        """文件 → 新建档案: the welcome dialog (create, open another, or the sample)."""
        from ui.welcome_dialog import WelcomeDialog

        archive = WelcomeDialog.ask(self, self.ctx.machine)
        if archive is not None:
            self.switch_to(archive)

    def change_password(self) -> None:
        """文件 → 修改密码: re-key with every connection closed, prove it, rebuild the services."""
        if not self.ctx.is_open:
            return
        answer = ChangePasswordDialog.ask(self)
        if answer is None:
            return
        archive = self.ctx.svc.archive
        with action_guard(self, self.tr("修改密码")):
            forget_salt(self.ctx.machine, archive.path)  # see MachineSettings.forget_salt
            try:
                with wait_cursor():
                    archive.change_password(*answer)
            finally:
                remember_open(self.ctx.machine, archive)  # the new salt, or the old one if nothing changed
            self.ctx.services = Services.build(archive)
            QMessageBox.information(self, self.tr("修改密码"), self.tr(
                "密码已修改，并已用新密码重新打开验证。\n\n注意：以前做的备份仍然使用旧密码，恢复旧备份时需要输入旧密码。"))

    # ----- quitting ----------------------------------------------------------------------------------------
    def quit(self) -> None:
        """Close the window and the application — unless a card with unsaved edits asked to stay open."""
        if self.close():
            QApplication.quit()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Let card windows save or refuse, remember the layout, close the archive."""
        for widget in QApplication.topLevelWidgets():
            if widget is not self and isinstance(widget, QMainWindow) and widget.isVisible() and not widget.close():
                event.ignore()  # a card with unsaved edits asked to stay open
                return
        state.save_window(STATE_KEY, self)
        backup_on_close(self.ctx, self)  # a last backup if anything changed since the previous one
        if self.ctx.is_open:
            self.ctx.bus.archive_locked.emit()
            services, self.ctx.services = self.ctx.services, None
            services.close()  # type: ignore[union-attr]
        if self.idle_lock is not None:
            self.idle_lock.stop()
        event.accept()

    def find_customer(self) -> None:
        """Ctrl+F: the customer list with the cursor in its search box."""
        if not self.ctx.is_open:
            return
        self.show_page(CUSTOMERS)
        self.customer_list().focus_search()  # type: ignore[attr-defined]

