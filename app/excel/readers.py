"""Reading spreadsheets into plain rows: .xlsx/.xls/.ods via python-calamine (openpyxl as a fallback),
and .csv/.txt in UTF-8 (with or without BOM), GBK/GB18030 or UTF-16, with the delimiter sniffed.

Every failure is a FileReadError whose message names the file and, where it can, the row or part.
"""
from __future__ import annotations

import csv
import io
import logging
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path

from app.errors import AppError
from app.progress import ProgressFn, no_progress, step

logger = logging.getLogger(__name__)

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
Merged = tuple[tuple[int, int], tuple[int, int]]


class FileReadError(AppError):
    """A file that cannot be read as a table; the message says which file and what is wrong."""


@dataclass
class Table:
    """The cells of one sheet (or CSV/vCard file). rows[i] is shown to the user as number i + offset."""

    name: str
    rows: list[list[object]]
    merged: tuple[Merged, ...] = ()
    offset: int = 1
    unit: str = "行"

    def number(self, index: int) -> int:
        """The row number the user sees for rows[index] (Excel row, or card number in a vCard file)."""
        return index + self.offset

    def where(self, index: int) -> str:
        """'第 12 行' or '第 3 张名片'."""
        return f"第 {self.number(index)} {self.unit}"


def _check_file(path: Path) -> None:
    if not path.exists():
        raise FileReadError(f"找不到文件：{path}")
    if path.is_dir():
        raise FileReadError(f"“{path.name}”是文件夹，不是文件。")
    if path.stat().st_size == 0:
        raise FileReadError(f"文件“{path.name}”是空的（0 字节）。")


def is_spreadsheet(path: Path) -> bool:
    """True for Excel/ODS files by suffix (everything else is read as text)."""
    return path.suffix.lower() in SPREADSHEET_SUFFIXES


def sheet_names(path: Path) -> list[str]:
    """The visible sheet names of a workbook; a CSV file has one 'sheet' named after the file."""
    path = Path(path)
    _check_file(path)
    if not is_spreadsheet(path):
        return [path.stem]
    try:
        import python_calamine as pc

        with pc.CalamineWorkbook.from_path(str(path)) as wb:
            return _visible(wb)
    except Exception as exc:  # any library failure becomes one clear message
        logger.info("calamine could not list sheets (%s); trying openpyxl", type(exc).__name__)
        return _openpyxl_sheet_names(path, exc)


def _visible(wb: object) -> list[str]:
    names = [m.name for m in wb.sheets_metadata  # type: ignore[attr-defined]
             if str(m.visible).endswith(".Visible") and str(m.typ).endswith(".WorkSheet")]
    return names or list(wb.sheet_names)  # type: ignore[attr-defined]


def read_table(path: Path, sheet: str | None = None, *, progress: ProgressFn = no_progress) -> Table:
    """One sheet of a workbook (the first visible one when sheet is None), or a whole CSV file."""
    path = Path(path)
    _check_file(path)
    step(progress, 0, 0, f"正在读取“{path.name}”…")
    table = _read_sheet(path, sheet) if is_spreadsheet(path) else read_csv(path)
    step(progress, 0, 0, f"已读取 {len(table.rows)} 行")
    return table


def read_tables(path: Path, names: Sequence[str], *, progress: ProgressFn = no_progress) -> dict[str, Table]:
    """Several sheets of one workbook, read with one open (for a full ClientFile export)."""
    return {name: read_table(path, name, progress=progress) for name in names}


# ---- workbooks ----------------------------------------------------------------------------------

def _read_sheet(path: Path, sheet: str | None) -> Table:
    try:
        return _calamine_sheet(path, sheet)
    except FileReadError:
        raise
    except Exception as exc:  # fall back, then explain
        logger.info("calamine could not read the sheet (%s); trying openpyxl", type(exc).__name__)
        return _openpyxl_sheet(path, sheet, exc)


def _calamine_sheet(path: Path, sheet: str | None) -> Table:
    import python_calamine as pc

    with pc.CalamineWorkbook.from_path(str(path)) as wb:
        names = list(wb.sheet_names)
        name = sheet if sheet is not None else _visible(wb)[0]
        if name not in names:
            raise FileReadError(f"“{path.name}”中没有名为“{name}”的工作表（有：{'、'.join(names)}）。")
        ws = wb.get_sheet_by_name(name)
        # The values are used as they come (times and durations read as text where a cell is parsed).
        rows = ws.to_python(skip_empty_area=False)
        merged = tuple(ws.merged_cell_ranges or ())
    return Table(name=name, rows=_trim(rows), merged=merged)


def _plain(cell: object) -> object:
    if isinstance(cell, time):
        return cell.strftime("%H:%M")
    if isinstance(cell, timedelta):
        return str(cell)
    return cell


def _trim(rows: list[list[object]]) -> list[list[object]]:
    """Drop trailing empty rows (formatting often extends a sheet far below its data)."""
    end = len(rows)
    while end and all(c in (None, "") for c in rows[end - 1]):
        end -= 1
    return rows[:end]


def _explain(path: Path, exc: BaseException) -> FileReadError:
    """One clear sentence for a workbook neither library could read."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    name = path.name
    if head == _OLE_MAGIC and path.suffix.lower() != ".xls":
        return FileReadError(f"“{name}”有打开密码或是旧版加密格式，请在 Excel 中去掉密码并另存为 .xlsx 后再导入。")
    if not head.startswith(b"PK"):
        return FileReadError(f"“{name}”不是 Excel 文件（文件内容不是 .xlsx 格式），可能已损坏或扩展名不对。")
    try:
        with zipfile.ZipFile(path) as zf:
            bad = _bad_part(zf)
            parts = set(zf.namelist())
    except zipfile.BadZipFile:
        return FileReadError(f"“{name}”不完整（文件末尾缺失，可能下载或复制时被截断），无法读取。")
    except _ZIP_ERRORS:  # a damaged directory: offsets past the end, bad sizes
        return FileReadError(f"“{name}”已损坏（文件的目录结构无法读取，可能下载或复制时出错），无法读取。")
    if bad:
        return FileReadError(f"“{name}”已损坏：其中的部件“{bad}”校验失败。")
    missing = [p for p in ("[Content_Types].xml", "xl/workbook.xml") if p not in parts]
    if missing:
        return FileReadError(f"“{name}”不是有效的 Excel 工作簿：缺少部件“{missing[0]}”。")
    return FileReadError(f"“{name}”无法读取：{_short(exc)}")


# What reading a damaged zip can raise besides BadZipFile (zipfile's testzip() lets these through).
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, RuntimeError, NotImplementedError)


def _bad_part(zf: zipfile.ZipFile) -> str | None:
    """The first part that cannot be read back whole (bad CRC, corrupt deflate data, unsupported), or None."""
    for info in zf.infolist():
        try:
            with zf.open(info) as fh:
                while fh.read(1 << 20):
                    pass
        except _ZIP_ERRORS:
            return info.filename
    return None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def _openpyxl_book(path: Path, first_error: BaseException, *, read_only: bool):  # type: ignore[no-untyped-def]
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise _explain(path, first_error)
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=read_only, data_only=True)
    except Exception:
        raise _explain(path, first_error) from None


def _openpyxl_sheet_names(path: Path, first_error: BaseException) -> list[str]:
    wb = _openpyxl_book(path, first_error, read_only=True)
    try:
        return [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    finally:
        wb.close()


def _openpyxl_sheet(path: Path, sheet: str | None, first_error: BaseException) -> Table:
    wb = _openpyxl_book(path, first_error, read_only=False)
    try:
        names = wb.sheetnames
        name = sheet if sheet is not None else names[0]
        if name not in names:
            raise FileReadError(f"“{path.name}”中没有名为“{name}”的工作表（有：{'、'.join(names)}）。")
        ws = wb[name]
        rows = [["" if c is None else _plain(c) for c in row] for row in ws.iter_rows(values_only=True)]
        merged = tuple(((r.min_row - 1, r.min_col - 1), (r.max_row - 1, r.max_col - 1))
                       for r in ws.merged_cells.ranges)
    except FileReadError:
        raise
    except Exception as exc:
        raise _explain(path, exc) from None
    finally:
        wb.close()
    return Table(name=name, rows=_trim(rows), merged=merged)


# ---- text files ---------------------------------------------------------------------------------

def decode_text(data: bytes, name: str) -> str:
    """Bytes → text: UTF-16 (BOM), UTF-8 (BOM or not), then GB18030 (a superset of GBK and GB2312)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _encoding_error(data, exc, name) from None
    if b"\x00" in data[:4096]:
        raise FileReadError(f"“{name}”不是文本文件（含有二进制数据），无法按 CSV 读取。")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _encoding_error(data, exc, name) from None


def _encoding_error(data: bytes, exc: UnicodeDecodeError, name: str) -> FileReadError:
    line = data[: exc.start].count(b"\n") + 1
    return FileReadError(
        f"无法识别“{name}”的文字编码（第 {line} 行有无法识别的字节）。支持 UTF-8、GBK/GB18030 和 UTF-16；"
        "请在 Excel 中“另存为 CSV UTF-8”后再导入。"
    )


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel


def read_csv(path: Path) -> Table:
    """A whole CSV/TSV file as rows of strings."""
    path = Path(path)
    _check_file(path)
    text = decode_text(path.read_bytes(), path.name)
    if not text.strip():
        raise FileReadError(f"文件“{path.name}”里没有内容。")
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text[:64 * 1024]))
    rows: list[list[object]] = []
    try:
        for row in reader:
            rows.append(list(row))
    except csv.Error as exc:
        raise FileReadError(f"“{path.name}”第 {reader.line_num} 行格式有误：{_short(exc)}") from None
    return Table(name=path.stem, rows=_trim(rows))
