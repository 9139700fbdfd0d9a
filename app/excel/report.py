"""The error report of an import: every problem (sheet, row, column, value, reason) and, on a second
sheet, the rejected rows exactly as they were — fix them there and import that sheet again."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import xlsxwriter

from app.excel import values as v
from app.excel.importer import ImportPlan, Problem
from app.fileutil import atomic_replace, temp_path_beside

PROBLEMS_SHEET = "问题清单"
ROWS_SHEET = "待修正的行"
HEADERS = ("工作表", "行号", "列", "内容", "原因", "结果")


def report_path(source: Path) -> Path:
    """'客户.xlsx' → '客户_导入问题.xlsx' beside it."""
    source = Path(source)
    return source.with_name(f"{source.stem}_导入问题.xlsx")


def write_report(out: Path, plan: ImportPlan, problems: Sequence[Problem]) -> Path:
    """Write the report atomically; returns its path."""
    out = Path(out)
    tmp = temp_path_beside(out)
    # in_memory: by default xlsxwriter assembles the parts in plaintext temp files in the system temp folder.
    book = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                          "strings_to_urls": False, "in_memory": True})
    try:
        head = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1})
        _problems_sheet(book, head, problems)
        _rows_sheet(book, head, plan, problems)
        book.close()
        atomic_replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out


def _problems_sheet(book: xlsxwriter.Workbook, head: object, problems: Sequence[Problem]) -> None:
    ws = book.add_worksheet(PROBLEMS_SHEET)
    for col, (label, width) in enumerate(zip(HEADERS, (12, 7, 16, 24, 50, 14), strict=True)):
        ws.set_column(col, col, width)
        ws.write_string(0, col, label, head)
    ws.freeze_panes(1, 0)
    for r, p in enumerate(problems, start=1):
        ws.write_number(r, 1, p.row)
        for col, text in ((0, p.sheet), (2, p.column), (3, p.value), (4, p.reason),
                          (5, "未导入" if p.fatal else "已导入（见原因）")):
            if text:
                ws.write_string(r, col, text)
    if problems:
        ws.autofilter(0, 0, len(problems), len(HEADERS) - 1)


def _rows_sheet(book: xlsxwriter.Workbook, head: object, plan: ImportPlan, problems: Sequence[Problem]) -> None:
    """The customer rows that were not imported, under the file's own header, ready to fix and re-import."""
    sheet = plan.customers
    rejected = sorted({p.row for p in problems if p.fatal and not p.duplicate and p.sheet == sheet.table.name})
    ws = book.add_worksheet(ROWS_SHEET)
    ws.write_string(0, 0, "原行号", head)
    for col, label in enumerate(sheet.header.labels, start=1):
        ws.write_string(0, col, label, head)
        ws.set_column(col, col, max(10, min(30, len(label) * 2 + 4)))
    ws.freeze_panes(1, 1)
    by_number = {sheet.table.number(r.index): r.index for r in sheet.rows}
    for out_row, number in enumerate((n for n in rejected if n in by_number), start=1):
        ws.write_number(out_row, 0, number)
        for col, cell in enumerate(sheet.table.rows[by_number[number]], start=1):
            if not v.is_blank(cell):
                ws.write_string(out_row, col, v.text(cell))
