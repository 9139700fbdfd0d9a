"""The main window's actions: menus, toolbar and shortcuts, and when each is enabled.

Each action is one small function over the window or the current page; none holds business rules.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenuBar, QToolBar

from ui.error_dialog import action_guard
from ui.export_actions import TransferActions

if TYPE_CHECKING:
    from ui.main_window import MainWindow

PRINT_TIP = "打印或导出选中客户的拜访单、客户资料卡、年度服务计划书或邮寄标签"


class MainActions(QObject):
    """Every QAction of the main window."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        tr = self.tr
        self.new_person = self._action(tr("新建个人客户"), self._new_person, "Ctrl+N", tr("新建一张个人客户卡"))
        self.new_org = self._action(tr("新建单位客户"), self._new_org, "Ctrl+Shift+N", tr("新建一张单位（企业）客户卡"))
        self.log_visit = self._action(tr("记一笔"), self._log_visit, "Ctrl+J", tr("记录一次拜访或服务"))
        self.delete = self._action(tr("删除"), self._delete, QKeySequence.StandardKey.Delete,
                                   tr("把选中的客户移入回收站"))
        self.print = self._action(tr("打印…"), self._print, "Ctrl+P", tr(PRINT_TIP))
        self.lock = self._action(tr("锁定"), window.lock, "Ctrl+L", tr("立即锁定档案（需要密码才能继续）"))
        self.find = self._action(tr("查找客户"), window.find_customer, "Ctrl+F", tr("在客户列表中搜索"))
        self.refresh = self._action(tr("刷新"), window.reload_all, "F5", tr("重新读取档案"))
        self.quit = self._action(tr("退出"), window.quit, "Ctrl+Q", "")
        self.new_archive = self._action(tr("新建档案…"), window.new_archive, None, tr("新建另一个加密档案"))
        self.open_archive = self._action(tr("打开档案…"), window.open_other_archive, "Ctrl+O", "")
        self.change_password = self._action(tr("修改密码…"), window.change_password, None, "")
        self.settings = self._action(tr("设置…"), self._settings, "Ctrl+,", "")
        self.about = self._action(tr("关于客户档案"), self._about, None, "")
        self.grade_group = QActionGroup(self)
        self.grade_group.setExclusive(False)
        self.grade_actions = [self._action(tr("改为 {g} 类").format(g=g), None, None, "") for g in "ABCD"]
        for grade, action in zip("ABCD", self.grade_actions, strict=True):
            action.setData(grade)
            self.grade_group.addAction(action)
        self.grade_group.triggered.connect(self._grade_chosen)
        self.add_tag = self._action(tr("添加标签…"), self._add_tag, None, tr("给选中的客户添加标签"))
        self.transfer = TransferActions(window)  # 导入 / 导出 Excel, 撤销上次导入
        self.needs_archive = [self.new_person, self.new_org, self.log_visit, self.delete, self.lock, self.find,
                              self.refresh, self.change_password, self.settings, self.add_tag, self.print, *self.grade_actions]
        self.needs_archive += self.transfer.actions

    def _action(self, text: str, slot: Callable[[], None] | None, shortcut: str | QKeySequence.StandardKey | None,
                tip: str) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        if tip:
            action.setToolTip(tip + (f"（{action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}）"
                                     if shortcut is not None else ""))
            action.setStatusTip(tip)
        if slot is not None:
            action.triggered.connect(slot)  # bound methods only (no lambdas holding the window)
        self.window.addAction(action)
        return action

    def build_menus(self, bar: QMenuBar) -> None:
        """文件, 编辑, 客户, 工具, 帮助."""
        tr = self.tr
        file_menu = bar.addMenu(tr("文件(&F)"))
        for action in (self.new_archive, self.open_archive, *self.transfer.menu_items(), None, self.change_password,
                       self.lock, None, self.quit):
            file_menu.addSeparator() if action is None else file_menu.addAction(action)
        edit_menu = bar.addMenu(tr("编辑(&E)"))
        edit_menu.addAction(self.find)
        edit_menu.addAction(self.refresh)
        customer_menu = bar.addMenu(tr("客户(&C)"))
        for action in (self.new_person, self.new_org, None, self.log_visit, None):
            customer_menu.addSeparator() if action is None else customer_menu.addAction(action)
        grades = customer_menu.addMenu(tr("修改等级"))
        for action in self.grade_actions:
            grades.addAction(action)
        for action in (self.add_tag, None, self.print, None, self.delete):
            customer_menu.addSeparator() if action is None else customer_menu.addAction(action)
        tools_menu = bar.addMenu(tr("工具(&T)"))
        tools_menu.addAction(self.settings)
        help_menu = bar.addMenu(tr("帮助(&H)"))
        help_menu.addAction(self.about)

    def build_toolbar(self) -> QToolBar:
        """The common actions, as text buttons."""
        toolbar = QToolBar(self.tr("常用操作"))
        toolbar.setObjectName("main_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.new_person, self.new_org, None, self.log_visit, self.delete, self.print, None, self.lock):
            toolbar.addSeparator() if action is None else toolbar.addAction(action)
        return toolbar

    def update_enabled(self) -> None:
        """Enable what makes sense: nothing needs the archive while locked; 删除 needs a selection."""
        is_open = self.window.ctx.is_open
        for action in self.needs_archive:
            action.setEnabled(is_open)
        selected = self.window.selected_customer_ids() if is_open else []
        self.delete.setEnabled(is_open and bool(selected) and self._on_list())
        for action in (*self.grade_actions, self.add_tag):
            action.setEnabled(is_open and bool(selected) and self._on_list())

    def _on_list(self) -> bool:
        page = self.window.current_page()
        return page is not None and page is self.window.pages.get(0)

    # ----- slots ----------------------------------------------------------------------------------------
    def _new_person(self) -> None:
        self.window.customer_list().new_card("个人")  # type: ignore[attr-defined]

    def _new_org(self) -> None:
        self.window.customer_list().new_card("单位")  # type: ignore[attr-defined]

    def _log_visit(self) -> None:
        """记一笔 for the selected customer, or pick one first."""
        ids = self.window.selected_customer_ids()
        ctx = self.window.ctx
        if len(ids) != 1:
            from ui.customer_picker import CustomerPicker

            with action_guard(self.window, self.tr("记一笔")):
                row = CustomerPicker.ask(self.window, ctx, title=self.tr("记一笔：选择客户"))
                ids = [row.id] if row is not None else []
        if ids:
            from ui.visit_dialog import log_visit

            log_visit(self.window, ctx, ids[0])

    def _delete(self) -> None:
        if self._on_list():
            self.window.customer_list().delete_selected()  # type: ignore[attr-defined]

    def _grade_chosen(self, action: QAction) -> None:
        if self._on_list():
            self.window.customer_list().set_grade(str(action.data()))  # type: ignore[attr-defined]

    def _add_tag(self) -> None:
        if self._on_list():
            self.window.customer_list().add_tag()  # type: ignore[attr-defined]

    def _print(self) -> None:
        """打印 (Ctrl+P): choose a document for the selected customers, preview, print or export it."""
        from ui.printing import print_selection  # lazy: reportlab loads on the first print

        print_selection(self.window, self.window.ctx, self.window.selected_customer_ids())

    def _settings(self) -> None:
        from ui.settings_dialog import SettingsDialog

        with action_guard(self.window, self.tr("设置")):
            SettingsDialog.ask(self.window, self.window.ctx)

    def _about(self) -> None:
        from ui.about import AboutDialog

        AboutDialog.show_about(self.window, self.window.ctx)
