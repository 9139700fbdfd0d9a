"""文件 menu actions over app.excel: 导出 Excel (the current list or everything, after saying plainly that
the file is not encrypted) and 撤销上次导入."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QWidget

from app.errors import AppError
from app.rows import ListQuery
from ui.context import AppContext
from ui.error_dialog import action_guard, show_app_error
from ui.tasks import run_task


def confirm_plaintext(parent: QWidget | None) -> bool:
    """Say once, plainly, that an export is not encrypted; True to go on."""
    from app.excel.exporter import PLAINTEXT_NOTICE  # the Excel layers load when first used, not at start

    box = QMessageBox(QMessageBox.Icon.Warning, parent.tr("导出为明文") if parent else "导出为明文",
                      PLAINTEXT_NOTICE, QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel,
                      parent)
    box.button(QMessageBox.StandardButton.Ok).setText(box.tr("我知道了，继续导出"))
    box.button(QMessageBox.StandardButton.Cancel).setText(box.tr("取消"))
    return box.exec() == QMessageBox.StandardButton.Ok


def ask_target(parent: QWidget | None, suggested: str) -> Path | None:
    """Where to save the .xlsx (None if the user cancels)."""
    name, _ = QFileDialog.getSaveFileName(parent, parent.tr("导出到 Excel") if parent else "导出到 Excel",
                                          suggested, "Excel (*.xlsx)")
    if not name:
        return None
    path = Path(name)
    return path if path.suffix.lower() == ".xlsx" else path.with_name(path.name + ".xlsx")


def export_list(parent: QWidget, ctx: AppContext, query: ListQuery, selected: list[int] | None = None) -> Path | None:
    """导出当前列表: the filtered list, or only the selected customers when several are selected."""
    if selected and len(selected) > 1:
        query = ListQuery(ids=tuple(selected))
    if not confirm_plaintext(parent):
        return None
    target = ask_target(parent, f"客户名单-{date.today():%Y%m%d}.xlsx")
    if target is None:
        return None
    from app.excel import exporter

    return _run(parent, lambda progress: exporter.export_customers(ctx.svc, target, query, progress=progress))


def export_everything(parent: QWidget, ctx: AppContext) -> Path | None:
    """导出全部: every kind of record, one sheet each."""
    if not confirm_plaintext(parent):
        return None
    target = ask_target(parent, f"客户档案全部数据-{date.today():%Y%m%d}.xlsx")
    if target is None:
        return None
    from app.excel import exporter

    return _run(parent, lambda progress: exporter.export_all(ctx.svc, target, progress=progress))


def _run(parent: QWidget, work) -> Path | None:  # type: ignore[no-untyped-def]
    with action_guard(parent, parent.tr("导出到 Excel")):
        result = run_task(parent, parent.tr("正在导出…"), work)
        if result is None:
            return None
        counts = "，".join(parent.tr("{t} {n} 行").format(t=t, n=n) for t, n in result.sheets.items())
        QMessageBox.information(parent, parent.tr("导出完成"),
                                parent.tr("已导出到：\n{p}\n（{c}）").format(p=result.path, c=counts))
        return result.path
    return None


def undo_last_import(parent: QWidget, ctx: AppContext) -> bool:
    """撤销上次导入, after saying which import it is."""
    from app.services.imports import UndoConflict

    batch = ctx.svc.imports.last_batch()
    if batch is None:
        QMessageBox.information(parent, parent.tr("撤销上次导入"), parent.tr("没有可以撤销的导入。"))
        return False
    text = parent.tr("撤销 {at} 从“{f}”的导入？\n这次导入新建的 {n} 位客户会被删除，被它修改的 {m} 位客户会恢复原样。").format(
        at=f"{batch.at:%Y-%m-%d %H:%M}", f=batch.source, n=batch.created, m=batch.changed)
    if QMessageBox.question(parent, parent.tr("撤销上次导入"), text) != QMessageBox.StandardButton.Yes:
        return False
    try:
        result = run_task(parent, parent.tr("正在撤销导入…"), ctx.svc.imports.undo_last)
    except UndoConflict as conflict:
        again = QMessageBox.question(parent, parent.tr("撤销上次导入"), str(conflict) + parent.tr("\n\n仍然撤销吗？"))
        if again != QMessageBox.StandardButton.Yes:
            return False
        result = None
        with action_guard(parent, parent.tr("撤销上次导入")):
            result = run_task(parent, parent.tr("正在撤销导入…"), ctx.svc.imports.undo_last, force=True)
    except AppError as error:
        show_app_error(parent, parent.tr("撤销上次导入"), error)
        return False
    if result is None:
        return False
    ctx.bus.customers_changed.emit()
    QMessageBox.information(parent, parent.tr("撤销上次导入"),
                            parent.tr("已撤销：删除 {r} 位客户，恢复 {s} 位客户。").format(r=result.removed, s=result.restored))
    return True


class TransferActions(QObject):
    """The 文件 menu's import and export actions over a main window that has .ctx and .customer_list()."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        tr = self.tr
        self.import_file = self._action(tr("导入 Excel/CSV/vCard…"), self._import, tr("从表格或手机导出的名片导入客户"))
        self.export_list = self._action(tr("导出当前列表到 Excel…"), self._export_list,
                                        tr("导出客户列表中显示的客户（有选中的客户时只导出选中的）"))
        self.export_all = self._action(tr("导出全部数据到 Excel…"), self._export_all,
                                       tr("导出客户、联系人、成交、拜访记录、投诉和待办，每类一个工作表"))
        self.undo_import = self._action(tr("撤销上次导入…"), self._undo, tr("删除上次导入新建的客户，恢复被它修改的客户"))
        self.actions = [self.import_file, self.export_list, self.export_all, self.undo_import]

    def _action(self, text: str, slot: object, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())  # type: ignore[operator]
        return action

    def menu_items(self) -> list[QAction | None]:
        """The actions for the 文件 menu, None where a separator goes."""
        return [None, self.import_file, self.export_list, self.export_all, self.undo_import]

    @property
    def ctx(self) -> AppContext:
        """The window's context."""
        return self.window.ctx  # type: ignore[attr-defined]

    def _import(self) -> None:
        from ui.import_wizard import import_excel  # lazy: the wizard loads on first use

        import_excel(self.window, self.ctx)

    def _export_list(self) -> None:
        page = self.window.customer_list()  # type: ignore[attr-defined]
        export_list(self.window, self.ctx, page.list_query(), page.selected_customer_ids())

    def _export_all(self) -> None:
        export_everything(self.window, self.ctx)

    def _undo(self) -> None:
        undo_last_import(self.window, self.ctx)
