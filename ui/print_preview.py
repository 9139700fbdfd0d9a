"""See the printed pages before they go to paper, then the system print dialog.

The PDF stays in memory (a QBuffer): nothing with customer data is written to disk unless the user
exports it.  Printing paints each page as an image at up to 300 dpi onto the whole sheet (full page,
no scaling margins), so label sheets land where the labels are.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, QRectF, QSize, QStandardPaths
from PySide6.QtGui import QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import AppError
from app.reports.common import save_pdf_bytes
from ui.error_dialog import action_guard

logger = logging.getLogger(__name__)

PRINT_DPI = 300


def _tr(text: str) -> str:
    return QCoreApplication.translate("PrintPreview", text)


class PrintPreviewDialog(QDialog):
    """The pages of one PDF, with 打印… and 导出PDF…."""

    def __init__(self, parent: QWidget | None, title: str, data: bytes, filename: str, note: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("打印预览 - {title}").format(title=title))
        self.title, self.filename, self.note = title, filename, note
        self._bytes = QByteArray(data)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.printed_pages = 0
        self._build_widgets()
        self._build_layout()
        self._connect_signals()
        self.resize(860, 960)

    @classmethod
    def show_pdf(cls, parent: QWidget | None, title: str, data: bytes, filename: str, note: str = "") -> int:
        """Show the preview until closed; returns how many pages were sent to a printer."""
        dialog = cls(parent, title, data, filename, note)
        dialog.exec()
        return dialog.printed_pages

    # ----- building ---------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.pages_label = QLabel(self.tr("共 {n} 页").format(n=self.document.pageCount()))
        self.pages_label.setProperty("role", "hint")
        self.note_label = QLabel(self.note)
        self.note_label.setProperty("role", "warning")
        self.note_label.setWordWrap(True)
        self.note_label.setVisible(bool(self.note))
        self.zoom_out_button = QPushButton(self.tr("缩小"))
        self.zoom_in_button = QPushButton(self.tr("放大"))
        self.fit_button = QPushButton(self.tr("适合宽度"))
        self.export_button = QPushButton(self.tr("导出PDF…"))
        self.print_button = QPushButton(self.tr("打印…"))
        self.print_button.setProperty("role", "primary")
        self.print_button.setDefault(True)
        self.close_button = QPushButton(self.tr("关闭"))

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        for widget in (self.zoom_out_button, self.zoom_in_button, self.fit_button, self.pages_label):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (self.export_button, self.print_button, self.close_button):
            bar.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note_label)
        layout.addWidget(self.view, 1)
        layout.addLayout(bar)

    def _connect_signals(self) -> None:
        self.zoom_in_button.clicked.connect(lambda: self._zoom(1.25))
        self.zoom_out_button.clicked.connect(lambda: self._zoom(0.8))
        self.fit_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        self.print_button.clicked.connect(self.print_pages)
        self.export_button.clicked.connect(self.export)
        self.close_button.clicked.connect(self.reject)

    def _zoom(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.25, min(4.0, self.view.zoomFactor() * factor)))

    # ----- printing and exporting ---------------------------------------------------------
    def print_pages(self) -> None:
        """The system print dialog, then every chosen page onto the printer."""
        printer = make_printer(self.title)
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, self.document.pageCount())
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        with action_guard(self, self.tr("打印")):
            self.printed_pages += paint_pages(self.document, printer, printer.fromPage(), printer.toPage())

    def export(self) -> None:
        """Save the previewed PDF where the user says."""
        path = ask_pdf_path(self, self.filename)
        if path is None:
            return
        with action_guard(self, self.tr("导出PDF")):
            save_pdf_bytes(bytes(self._bytes.data()), path)
            QMessageBox.information(self, self.tr("导出PDF"), self.tr("已保存到：\n{path}").format(path=path))


def make_printer(title: str) -> QPrinter:
    """An A4 printer at high resolution that paints on the whole sheet (the PDF has its own margins)."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setFullPage(True)
    printer.setDocName(title)
    return printer


def paint_pages(document: QPdfDocument, printer: QPrinter, first: int = 0, last: int = 0) -> int:
    """Paint pages first..last (1-based; 0 = from the start / to the end) onto the printer; returns the count."""
    count = document.pageCount()
    first = max(1, first or 1)
    last = min(count, last or count)
    painter = QPainter()
    if count == 0 or not painter.begin(printer):
        raise AppError("无法开始打印：请检查打印机是否连接、是否有纸。")
    try:
        sheet = printer.paperRect(QPrinter.Unit.DevicePixel)
        dpi = min(printer.resolution(), PRINT_DPI)
        for number in range(first, last + 1):
            if number > first:
                printer.newPage()
            size = document.pagePointSize(number - 1)
            image = document.render(number - 1, QSize(round(size.width() * dpi / 72), round(size.height() * dpi / 72)))
            painter.drawImage(_fit(sheet, image.width(), image.height()), image)
    finally:
        painter.end()
    logger.info("printed %s pages", last - first + 1)
    return last - first + 1


def _fit(sheet: QRectF, width: int, height: int) -> QRectF:
    """The largest rectangle of the image's shape inside the sheet, centred (A4 on A4: the whole sheet)."""
    scale = min(sheet.width() / width, sheet.height() / height)
    w, h = width * scale, height * scale
    return QRectF(sheet.x() + (sheet.width() - w) / 2, sheet.y() + (sheet.height() - h) / 2, w, h)


def ask_pdf_path(parent: QWidget | None, filename: str) -> Path | None:
    """Where to save a PDF (the Documents folder to start with); None when cancelled."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    chosen, _ = QFileDialog.getSaveFileName(parent, _tr("导出PDF"), str(Path(folder) / filename),
                                            _tr("PDF 文件 (*.pdf)"))
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")
