"""导入客户: a wizard over app.excel — file & sheet → column mapping → preview → duplicates → import →
summary (open the error report, undo this import). Every step calls the core; nothing here decides."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app import pinyin
from app.errors import AppError
from app.excel import columns, report, source
from app.excel import values as cell_values
from app.excel.importer import ImportPlan, MappingError, check_mapping
from app.excel.readers import Table
from app.progress import ProgressFn
from app.services.imports import DuplicatePreview, ImportResult
from ui.context import AppContext
from ui.error_dialog import action_guard, show_app_error
from ui.import_pages import DuplicatePage, ImportSession, PreviewPage, ResultPage
from ui.tasks import run_task

FILE_FILTER = "表格和名片 (*.xlsx *.xlsm *.xls *.ods *.csv *.txt *.vcf);;所有文件 (*)"
NOT_IMPORTED = "（不导入）"
SAMPLES = 3


class FilePage(QWizardPage):
    """Step 1: the file, and which sheet of it."""

    def __init__(self, session: ImportSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    def _build_widgets(self) -> None:
        self.setTitle(self.tr("选择文件"))
        self.setSubTitle(self.tr("支持 Excel（.xlsx、.xls）、CSV（UTF-8 或 GBK）和手机导出的名片（.vcf）。"
                                 "导入前会先预览，确认后才写入档案，并且可以撤销。"))
        self.path_edit = QLineEdit()
        self.path_edit.setReadOnly(True)
        self.browse_button = QPushButton(self.tr("选择文件…"))
        self.sheet_combo = QComboBox()
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)

    def _build_layout(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        form = QFormLayout(self)
        form.addRow(self.tr("文件"), row)
        form.addRow(self.tr("工作表"), self.sheet_combo)
        form.addRow(self.error_label)

    def _connect_signals(self) -> None:
        self.browse_button.clicked.connect(self._browse)

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("选择要导入的文件"), "", self.tr(FILE_FILTER))
        if name:
            self.set_path(Path(name))

    def set_path(self, path: Path) -> None:
        """Take a file: list its sheets, or say plainly why it cannot be read."""
        self.path_edit.setText(str(path))
        self.sheet_combo.clear()
        self.error_label.clear()
        try:
            self.sheet_combo.addItems(source.choices(path))
        except AppError as error:
            self.error_label.setText(str(error))
        self.session.path = path
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        """A readable file with at least one sheet."""
        return self.sheet_combo.count() > 0

    def validatePage(self) -> bool:
        """Read the chosen sheet (in the background: big files take a few seconds)."""
        assert self.session.path is not None
        sheet = self.sheet_combo.currentText() or None
        try:
            loaded = run_task(self, self.tr("正在读取文件…"), source.load, self.session.path, sheet)
        except AppError as error:
            show_app_error(self, self.tr("读取文件"), error)
            return False
        if loaded is None:
            return False
        self.session.source = loaded
        return True


class MappingPage(QWizardPage):
    """Step 2: which row holds the headers, and what each column is (guessed, adjustable, remembered)."""

    def __init__(self, session: ImportSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.labels: tuple[str, ...] = ()
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    def _build_widgets(self) -> None:
        self.setTitle(self.tr("对应列"))
        self.setSubTitle(self.tr("已按列名自动对应，请检查并调整。下次导入同样格式的文件时会记住您的选择。"))
        self.header_spin = QSpinBox()
        self.header_spin.setMinimum(1)
        self.header_spin.setMaximumWidth(90)
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setHorizontalHeaderLabels([self.tr("文件中的列"), self.tr("示例"), self.tr("导入为")])
        self.mapping_table.verticalHeader().setVisible(False)
        self.mapping_table.horizontalHeader().setStretchLastSection(True)
        self.warning_label = QLabel()
        self.warning_label.setProperty("role", "error")

    def _build_layout(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.addRow(self.tr("表头在第几行"), self.header_spin)
        layout.addLayout(form)
        layout.addWidget(self.mapping_table, 1)
        layout.addWidget(self.warning_label)

    def _connect_signals(self) -> None:
        self.header_spin.valueChanged.connect(lambda value: self._show(value - 1))

    def initializePage(self) -> None:
        """Find the header row and the mapping (remembered for this header, else by synonyms)."""
        table = self._table()
        found = columns.detect_header(table.rows, merged=table.merged)
        self.header_spin.blockSignals(True)
        self.header_spin.setMaximum(max(1, min(len(table.rows), columns.HEADER_SCAN_ROWS)))
        self.header_spin.setValue((found.row if found else 0) + 1)
        self.header_spin.blockSignals(False)
        self._show(found.row if found else 0)

    def _table(self) -> Table:
        assert self.session.source is not None
        return self.session.source.customers

    def _show(self, header_row: int) -> None:
        table = self._table()
        self.labels = columns.header_labels(table.rows, header_row, table.merged)
        remembered = self.session.ctx.svc.imports.remembered_mapping(self.labels)
        mapping = remembered or columns.auto_map(self.labels)
        self.mapping_table.setRowCount(len(self.labels))
        for i, label in enumerate(self.labels):
            self.mapping_table.setItem(i, 0, QTableWidgetItem(label or self.tr("（{c} 列无表头）").format(
                c=columns.column_name(i))))
            self.mapping_table.setItem(i, 1, QTableWidgetItem(self._samples(header_row, i)))
            self.mapping_table.setCellWidget(i, 2, self._combo(mapping[i]))
        self.mapping_table.resizeColumnsToContents()
        self._check()

    def _samples(self, header_row: int, col: int) -> str:
        found: list[str] = []
        for row in self._table().rows[header_row + 1:]:
            if col < len(row) and not cell_values.is_blank(row[col]):
                found.append(cell_values.text(row[col])[:20])
            if len(found) == SAMPLES:
                break
        return "、".join(found)

    def _combo(self, key: str) -> QComboBox:
        combo = QComboBox()
        combo.addItem(self.tr(NOT_IMPORTED), "")
        for field in columns.CUSTOMER_FIELDS:
            combo.addItem(field.label, field.key)
        combo.setCurrentIndex(max(0, combo.findData(key)))
        combo.currentIndexChanged.connect(self._check)
        return combo

    def mapping(self) -> tuple[str, ...]:
        """The chosen field key of every column ('' = not imported)."""
        return tuple(self.mapping_table.cellWidget(i, 2).currentData() or ""  # type: ignore[union-attr]
                     for i in range(self.mapping_table.rowCount()))

    def set_field(self, column: int, key: str) -> None:
        """Choose what a column is (as a user picks it in the combo box)."""
        combo = self.mapping_table.cellWidget(column, 2)
        combo.setCurrentIndex(combo.findData(key))  # type: ignore[union-attr]

    def _check(self) -> None:
        try:
            check_mapping(self.mapping())
            self.warning_label.clear()
        except MappingError as error:
            self.warning_label.setText(str(error))

    def validatePage(self) -> bool:
        """Parse every row with this mapping (background, cancellable) and look for duplicates."""
        try:
            check_mapping(self.mapping())
        except MappingError as error:
            show_app_error(self, self.tr("对应列"), error)
            return False
        header = columns.Header(self.header_spin.value() - 1, self.labels)
        svc = self.session.ctx.svc
        assert self.session.source is not None
        loaded, mapping = self.session.source, self.mapping()

        def prepare(progress: ProgressFn) -> tuple[ImportPlan, DuplicatePreview]:
            plan = source.build_plan(loaded, header, mapping, progress=progress)
            return plan, svc.imports.preview(plan)  # one query for the whole file, off the GUI thread

        with action_guard(self, self.tr("检查数据")):
            prepared = run_task(self, self.tr("正在检查每一行…"), prepare)
            if prepared is None:
                return False
            self.session.plan, self.session.duplicates = prepared
            return True
        return False


class ImportWizard(QWizard):
    """The whole import, start to finish."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, path: Path | None = None) -> None:
        super().__init__(parent)
        pinyin.warm_up_in_background()  # the import writes every name's pinyin: load it while the file is picked
        self.session = ImportSession(ctx)
        self.setWindowTitle(self.tr("导入客户"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.resize(960, 640)
        self.file_page = FilePage(self.session)
        self.mapping_page = MappingPage(self.session)
        self.preview_page = PreviewPage(self.session)
        self.duplicate_page = DuplicatePage(self.session)
        self.result_page = ResultPage(self.session)
        for page in (self.file_page, self.mapping_page, self.preview_page, self.duplicate_page, self.result_page):
            self.addPage(page)
        if path is not None:
            self.file_page.set_path(path)

    def run_import(self) -> bool:
        """Import in one transaction in the background; False (nothing changed) if cancelled or refused."""
        session, ctx = self.session, self.session.ctx
        assert session.plan is not None
        with action_guard(self, self.tr("导入")):
            result = run_task(self, self.tr("正在导入…"), ctx.svc.imports.run, session.plan, session.policy)
            if result is None:
                QMessageBox.information(self, self.tr("导入"), self.tr("已取消，档案没有任何改变。"))
                return False
            session.result = result
            ctx.bus.customers_changed.emit()
            session.report = self._write_report(result)
            return True
        return False

    def _write_report(self, result: ImportResult) -> Path | None:
        """The error report beside the file; if that folder is read-only, ask where to put it."""
        session = self.session
        if not result.problems or session.path is None or session.plan is None:
            return None
        target = report.report_path(session.path)
        try:
            return report.write_report(target, session.plan, result.problems)
        except OSError:
            name, _ = QFileDialog.getSaveFileName(self, self.tr("保存错误报告"), target.name, "Excel (*.xlsx)")
            return report.write_report(Path(name), session.plan, result.problems) if name else None


def import_excel(parent: QWidget | None, ctx: AppContext, path: Path | None = None) -> ImportResult | None:
    """文件 → 导入 Excel/CSV/vCard…: run the wizard; the import's result, or None if nothing was imported."""
    wizard = ImportWizard(ctx, parent, path)
    wizard.exec()
    session = wizard.session
    return None if session.undone else session.result
