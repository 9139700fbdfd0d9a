"""The later pages of the import wizard: preview with every bad cell marked, the duplicate choice, and
the run with its summary (open the error report, undo this import)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QUrl
from PySide6.QtGui import QBrush, QColor, QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.excel import values as cell_values
from app.excel.importer import ImportPlan, OnDuplicate, PlannedRow
from app.excel.source import Source
from app.services.imports import DuplicatePreview, ImportResult
from ui.context import AppContext
from ui.error_dialog import action_guard
from ui.tasks import run_task

Index = QModelIndex | QPersistentModelIndex
PREVIEW_LIMIT = 1000
BAD = QColor("#f8d7da")
NOTE = QColor("#fff3cd")


@dataclass
class ImportSession:
    """What the wizard has learned so far (each page fills in its part)."""

    ctx: AppContext
    path: Path | None = None
    sheet: str | None = None
    source: Source | None = None
    plan: ImportPlan | None = None
    duplicates: DuplicatePreview | None = None
    policy: OnDuplicate = OnDuplicate.SKIP
    result: ImportResult | None = None
    report: Path | None = None
    undone: bool = False


class PreviewModel(QAbstractTableModel):
    """The parsed rows under the file's own headers; a bad cell is red and says why in its tooltip."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers: list[str] = []
        self._columns: list[int] = []
        self._rows: list[PlannedRow] = []
        self._problems: dict[tuple[int, str], str] = {}

    def set_rows(self, plan: ImportPlan, rows: Sequence[PlannedRow]) -> None:
        """The one reset point: which rows to show, under the mapped columns of the plan."""
        sheet = plan.customers
        self.beginResetModel()
        self._columns = [i for i, key in enumerate(sheet.mapping) if key]
        self._headers = [sheet.header.labels[i] or f"第{i + 1}列" for i in self._columns]
        self._rows = list(rows)
        self._problems = {(p.row, p.column): p.reason for r in self._rows for p in r.problems}
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Rows shown."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """行号, then the mapped columns."""
        return 0 if parent.isValid() else len(self._columns) + 1

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """The file's own header words."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr("行号") if section == 0 else self._headers[section - 1]
        return None

    def problem(self, row: int, column: int) -> str:
        """The reason a shown cell is bad ('' when it is fine); column 0 holds the row's other problems."""
        planned = self._rows[row]
        if column == 0:
            shown = set(self._headers)
            return "；".join(p.reason for p in planned.problems if p.column not in shown)
        return self._problems.get((planned.number, self._headers[column - 1]), "")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Cell text, red background and tooltip for bad cells."""
        if not index.isValid():
            return None
        planned = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return planned.number
            col = self._columns[index.column() - 1]
            return cell_values.text(planned.raw[col]) if col < len(planned.raw) else ""
        reason = self.problem(index.row(), index.column())
        if role == Qt.ItemDataRole.ToolTipRole and reason:
            return reason
        if role == Qt.ItemDataRole.BackgroundRole and reason:
            return QBrush(BAD)
        return None


class PreviewPage(QWizardPage):
    """Step 3: what will be imported, with the problem of every bad cell."""

    def __init__(self, session: ImportSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    def _build_widgets(self) -> None:
        self.setTitle(self.tr("预览"))
        self.setSubTitle(self.tr("红色的格子有问题，鼠标停在上面可以看到原因；有问题的行不会导入，会写进问题清单。"))
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.only_bad_check = QCheckBox(self.tr("只看有问题的行"))
        self.model = PreviewModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.reason_label = QLabel()
        self.reason_label.setProperty("role", "error")
        self.reason_label.setWordWrap(True)

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.only_bad_check)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.reason_label)

    def _connect_signals(self) -> None:
        self.only_bad_check.toggled.connect(self._show_rows)
        self.table.clicked.connect(self._explain)

    def initializePage(self) -> None:
        """Count and show the rows of the plan."""
        plan = self.session.plan
        assert plan is not None
        sheet = plan.customers
        good, bad = len(sheet.good), len(sheet.bad)
        text = self.tr("共 {n} 行：可以导入 {good} 行，有问题 {bad} 行。").format(n=len(sheet.rows), good=good, bad=bad)
        if sheet.blank_rows:
            text += self.tr("（{n} 个空行已忽略）").format(n=sheet.blank_rows)
        for child in plan.children.values():
            text += self.tr("\n另有工作表“{t}”：{n} 行。").format(t=child.table.name, n=len(child.rows))
        self.summary_label.setText(text)
        self.only_bad_check.setChecked(bad > 0)
        self._show_rows()

    def _show_rows(self) -> None:
        plan = self.session.plan
        assert plan is not None
        rows = plan.customers.bad if self.only_bad_check.isChecked() else plan.customers.rows
        self.model.set_rows(plan, rows[:PREVIEW_LIMIT])
        self.table.resizeColumnsToContents()
        if len(rows) > PREVIEW_LIMIT:
            self.reason_label.setText(self.tr("只显示前 {n} 行；全部问题会写进问题清单。").format(n=PREVIEW_LIMIT))
        else:
            self.reason_label.clear()

    def _explain(self, index: QModelIndex) -> None:
        reason = self.model.problem(index.row(), index.column()) or self.model.problem(index.row(), 0)
        self.reason_label.setText(reason)


class DuplicatePage(QWizardPage):
    """Step 4: duplicates against the archive and within the file, and one choice for the whole file."""

    CHOICES = ((OnDuplicate.SKIP, "跳过重复的行（不改动已有客户）"),
               (OnDuplicate.FILL, "补全空白字段：只填写已有客户卡上空着的项目"),
               (OnDuplicate.OVERWRITE, "覆盖：文件中填了的项目替换已有客户卡上的内容"),
               (OnDuplicate.CREATE, "仍然新建：当作新客户另建一张卡"))

    def __init__(self, session: ImportSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    def _build_widgets(self) -> None:
        self.setTitle(self.tr("重复的客户"))
        self.setSubTitle(self.tr("同一手机或电话、同名且同单位、同名且同生日，都算同一位客户。请为整个文件选一种处理方式。"))
        self.count_label = QLabel()
        self.count_label.setWordWrap(True)
        self.examples_table = QTableWidget(0, 3)
        self.examples_table.setHorizontalHeaderLabels([self.tr("行号"), self.tr("与谁重复"), self.tr("原因")])
        self.examples_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.examples_table.verticalHeader().setVisible(False)
        self.examples_table.horizontalHeader().setStretchLastSection(True)
        self.choice_group = QButtonGroup(self)
        self.choice_buttons: dict[OnDuplicate, QRadioButton] = {}
        for policy, text in self.CHOICES:
            button = QRadioButton(self.tr(text))
            self.choice_group.addButton(button)
            self.choice_buttons[policy] = button
        self.choice_buttons[OnDuplicate.SKIP].setChecked(True)
        self.setCommitPage(True)  # after 导入 there is no going back, only 撤销本次导入
        self.setButtonText(self.wizard_button(), self.tr("导入"))

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.count_label)
        layout.addWidget(self.examples_table, 1)
        for button in self.choice_buttons.values():
            layout.addWidget(button)

    def _connect_signals(self) -> None:
        self.choice_group.buttonToggled.connect(self._chosen)

    def validatePage(self) -> bool:
        """导入: run it now (background, cancellable); stay here if it was cancelled or refused."""
        return bool(self.wizard().run_import())  # type: ignore[attr-defined]

    def _chosen(self, *_: object) -> None:
        self.session.policy = next(p for p, b in self.choice_buttons.items() if b.isChecked())

    def initializePage(self) -> None:
        """Show the duplicate counts and examples found by the service (one query, in bulk)."""
        preview = self.session.duplicates
        assert preview is not None
        if not preview.in_archive and not preview.in_file:
            self.count_label.setText(self.tr("没有发现重复：{n} 行都是新客户。").format(n=preview.new))
        else:
            self.count_label.setText(self.tr("新客户 {new} 行；与档案中已有客户重复 {a} 行；文件内重复 {f} 行。").format(
                new=preview.new, a=preview.in_archive, f=preview.in_file))
        self.examples_table.setRowCount(len(preview.examples))
        for r, (number, other, reason) in enumerate(preview.examples):
            for c, value in enumerate((str(number), other, reason)):
                self.examples_table.setItem(r, c, QTableWidgetItem(value))
        self.examples_table.resizeColumnsToContents()
        self._chosen()


    @staticmethod
    def wizard_button() -> QWizard.WizardButton:
        """The button that leaves a commit page."""
        return QWizard.WizardButton.CommitButton


class ResultPage(QWizardPage):
    """Step 5: the import itself (background, with progress and 取消), then what happened."""

    def __init__(self, session: ImportSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    def _build_widgets(self) -> None:
        self.setTitle(self.tr("导入结果"))
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.report_button = QPushButton(self.tr("打开错误报告"))
        self.undo_button = QPushButton(self.tr("撤销本次导入"))
        self.undo_button.setProperty("role", "danger")

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        buttons = QHBoxLayout()
        buttons.addWidget(self.report_button)
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def _connect_signals(self) -> None:
        self.report_button.clicked.connect(self.open_report)
        self.undo_button.clicked.connect(self.undo)

    def initializePage(self) -> None:
        """Show what the import did (the wizard ran it when leaving the duplicate page)."""
        result = self.session.result
        assert result is not None
        self.summary_label.setText("\n".join(self.summary(result)))
        self.report_button.setVisible(self.session.report is not None)
        self.undo_button.setEnabled(result.batch_id is not None)

    def summary(self, result: ImportResult) -> list[str]:
        """The counts in words."""
        tr = self.tr
        lines = [tr("从“{f}”读取 {n} 行：新建 {c} 位客户，更新 {u} 位已有客户。").format(
            f=result.source, n=result.rows, c=result.created, u=result.updated)]
        for count, text in ((result.merged, tr("文件内重复、已合并 {n} 行")),
                            (result.skipped, tr("与已有客户重复、已跳过 {n} 行")),
                            (result.unchanged, tr("重复但没有可补充的内容 {n} 行")),
                            (result.rejected, tr("有问题、未导入 {n} 行（见错误报告）"))):
            if count:
                lines.append(text.format(n=count))
        lines += [tr("{t}：新增 {n} 条").format(t=t, n=n) for t, n in result.children.items()]
        if self.session.report is not None:
            lines.append(tr("错误报告：{p}").format(p=self.session.report))
        lines.append(tr("如果结果不对，可以点“撤销本次导入”，档案会回到导入之前的样子。"))
        return lines

    def open_report(self) -> None:
        """Open the error report in the user's spreadsheet program."""
        if self.session.report is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.session.report)))

    def undo(self) -> None:
        """撤销本次导入, after confirmation."""
        ctx = self.session.ctx
        answer = QMessageBox.question(self, self.tr("撤销本次导入"),
                                      self.tr("删除这次导入新建的客户，并把被修改的客户恢复原样？"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        with action_guard(self, self.tr("撤销本次导入")):
            done = run_task(self, self.tr("正在撤销导入…"), ctx.svc.imports.undo_last)
            if done is None:
                return
            self.session.undone = True
            ctx.bus.customers_changed.emit()
            self.undo_button.setEnabled(False)
            self.summary_label.setText(self.tr("已撤销：删除 {r} 位新建的客户，恢复 {s} 位被修改的客户。").format(
                r=done.removed, s=done.restored))
