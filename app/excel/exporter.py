"""Exports to .xlsx with rustpy-xlsxwriter: the current list (filters and selection respected) or
everything, one sheet per kind. Headers are the importer's own, so an export re-imports with nothing lost.

rustpy-xlsxwriter (rust_xlsxwriter under a Python API) writes the same cells 3-4x faster than xlsxwriter
in CPU time (tests/perf/bench_excel.py measures both). Rows stream from SQL through generators, and the
writer keeps each sheet in constant memory: its scratch files are unnamed (O_TMPFILE on Linux, deleted on
close on Windows, unlinked at once on macOS), so a crash leaves no plaintext behind. The workbook is
written to a temporary name beside the target and renamed only when complete.
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import rustpy_xlsxwriter as rxw
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import aliased

from app.calendar.lunar import LunarDate, format_lunar
from app.errors import AppError
from app.excel import sheets_spec as spec
from app.fileutil import atomic_replace, temp_path_beside
from app.models import Customer, CustomerTag, Tag
from app.progress import ProgressFn, no_progress, step
from app.rows import Birthday, ListQuery
from app.services.customers import apply_filters

logger = logging.getLogger(__name__)

PLAINTEXT_NOTICE = ("导出的 Excel 文件没有加密：任何拿到这个文件的人都能看到其中的客户信息。"
                    "请只保存在自己的电脑或加密的U盘上，用完及时删除，不要通过微信或邮件随意转发。")
_BATCH = 2000
_MAX_TEXT = 32767  # Excel's limit for one cell; longer text is cut as xlsxwriter did (the writer refuses it)


class ExportError(AppError):
    """The export could not be written (the message says where and why)."""


@dataclass(frozen=True)
class ExportResult:
    """What was written: the file and how many rows each sheet got."""

    path: Path
    sheets: dict[str, int]


def birthday_text(b: Birthday | None) -> str | date:
    """A birthday as a cell: a real date for 公历 with year; '3月8日'; '农历1985年三月初八'."""
    if b is None:
        return ""
    if b.calendar == "solar":
        return date(b.year, b.month, b.day) if b.year else f"{b.month}月{b.day}日"
    return "农历" + format_lunar(LunarDate(b.year, b.month, b.day, b.leap), with_year=True)


def cell(value: Any) -> Any:
    """A value as the writer takes it: blank → None (no cell), 是 for True, money as float, long text cut."""
    kind = type(value)
    if kind is str:
        return value[:_MAX_TEXT] if value else None
    if kind is bool:
        return "是" if value else None  # a blank cell reads back as 否: no need to write 否 on every row
    if kind is Decimal:
        return float(value)
    return value


@dataclass
class _Sheet:
    """One sheet to write: its columns, its rows (pulled lazily by the writer) and how many were written."""

    title: str
    columns: Sequence[spec.Column]
    rows: Iterable[Sequence[Any]]
    count: int = 0

    def records(self) -> Iterator[dict[str, Any]]:
        """The rows as the writer's records (label → value); the first record's keys are the header."""
        labels = [c.label for c in self.columns]
        if len(set(labels)) != len(labels):  # a repeated label would merge two columns of a record
            raise ValueError(f"repeated column label in sheet {self.title}")
        for values in self.rows:
            self.count += 1
            yield dict(zip(labels, map(cell, values), strict=True))
        if not self.count:
            yield dict.fromkeys(labels)  # an empty sheet still gets its header row (and no data cells)


def _save(path: Path, sheets: Sequence[_Sheet]) -> None:
    header = rxw.Format().set_bold().set_background_color("#DDEBF7").set_border("thin").set_align("vcenter")
    rxw.write_worksheets(
        [(s.title, s.records()) for s in sheets], str(path),
        freeze_panes={"general": {"row": 1, "col": 0}},
        column_widths={s.title: [float(c.width) for c in s.columns] for s in sheets},
        column_formats={s.title: [_number_format(c.number_format) for c in s.columns] for s in sheets},
        header_format={s.title: header for s in sheets},
        row_heights={s.title: {0: 20.0} for s in sheets},
    )


def _number_format(text: str) -> Any:
    fmt = rxw.Format()
    return fmt.set_num_format(text) if text else fmt


def _write_atomically(out: Path, sheets: Callable[[], list[_Sheet]]) -> ExportResult:
    out = Path(out)
    try:
        tmp = temp_path_beside(out)
    except OSError as exc:
        raise ExportError(f"无法在“{out.parent}”中写入文件：{exc.strerror or exc}") from None
    try:
        written = sheets()
        _save(tmp, written)
        atomic_replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    logger.info("exported %s sheets", len(written))
    return ExportResult(out, {s.title: s.count for s in written})


def export_customers(svc: Any, out: Path, query: ListQuery | None = None, *,
                     progress: ProgressFn = no_progress) -> ExportResult:
    """The customer list as shown (ListQuery filters, search and ids=selection) to one 客户 sheet."""
    query = query or ListQuery()
    return _write_atomically(out, lambda: [_customers(svc, query, progress, 1.0)])


def export_all(svc: Any, out: Path, *, progress: ProgressFn = no_progress) -> ExportResult:
    """Everything: 客户, 联系人, 成交, 拜访记录, 投诉, 生活事件 and (when available) 待办."""
    def sheets() -> list[_Sheet]:
        todo = _todo(svc)
        return [_customers(svc, ListQuery(), progress, 0.6),
                *(_children(svc, sheet, progress) for sheet in spec.CHILD_EXPORTS),
                *([todo] if todo else [])]
    return _write_atomically(out, sheets)


def _customers(svc: Any, query: ListQuery, progress: ProgressFn, share: float) -> _Sheet:
    return _Sheet(spec.CUSTOMER_SHEET, spec.CUSTOMER_COLUMNS, _customer_rows(svc, query, progress, share))


def _customer_rows(svc: Any, query: ListQuery, progress: ProgressFn, share: float) -> Iterator[list[Any]]:
    referrer = aliased(Customer)
    columns = [getattr(Customer, c) for c in spec.CUSTOMER_DB_COLUMNS]
    stmt = (select(Customer.id, *columns, referrer.card_no, referrer.name)
            .outerjoin(referrer, referrer.id == Customer.referrer_id))
    stmt = apply_filters(stmt, query).order_by(Customer.name_pinyin, Customer.id)
    with svc.customers.read() as s:  # one read transaction: a consistent snapshot of the whole sheet
        total = s.scalar(apply_filters(select(func.count(Customer.id)), query)) or 0
        tags = _tags(s, query)
        for done, row in enumerate(s.execute(stmt.execution_options(yield_per=_BATCH)), start=1):
            yield spec.customer_cells(row, tags.get(row[0], ""), birthday_text)
            if done % _BATCH == 0:
                step(progress, int(done * share), total, f"已导出 {done}/{total} 位客户…")
    step(progress, int(total * share), total, f"已导出 {total} 位客户")


def _tags(s: Any, query: ListQuery) -> dict[int, str]:
    wanted = apply_filters(select(Customer.id), query)
    stmt = (select(CustomerTag.customer_id, Tag.name).join(Tag, Tag.id == CustomerTag.tag_id)
            .where(CustomerTag.customer_id.in_(wanted)).order_by(literal_column("customer_tags.rowid")))
    out: dict[int, list[str]] = {}
    for cid, name in s.execute(stmt):
        out.setdefault(cid, []).append(name)
    return {cid: "、".join(names) for cid, names in out.items()}


def _children(svc: Any, sheet: spec.ChildExport, progress: ProgressFn) -> _Sheet:
    def rows() -> Iterator[list[Any]]:
        step(progress, 0, 0, f"正在导出{sheet.title}…")
        with svc.customers.read() as s:
            for row in s.execute(sheet.query().execution_options(yield_per=_BATCH)):
                yield sheet.cells(row, birthday_text)
    return _Sheet(sheet.title, sheet.columns, rows())


def _todo(svc: Any) -> _Sheet | None:
    """待办 of the next 30 days (and overdue), or None when this build has no touchpoint service."""
    touchpoints = getattr(svc, "touchpoints", None)
    if touchpoints is None:
        return None
    try:
        from app.services.touchpoint_views import KIND_LABELS, STATUS_LABELS
    except ImportError:
        return None

    def rows() -> Iterator[list[Any]]:
        agenda = touchpoints.agenda(days_ahead=30)
        for t in (*agenda.overdue, *agenda.due_today, *agenda.upcoming):
            yield [t.date, STATUS_LABELS.get(t.status, t.status), t.card_no, t.customer_name, t.person_name,
                   KIND_LABELS.get(t.kind, t.kind), t.title, t.method, t.gift, t.overdue_days or ""]
    return _Sheet(spec.TODO_SHEET, spec.TODO_COLUMNS, rows())
