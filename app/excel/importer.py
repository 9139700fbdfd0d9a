"""Turning a table into an import plan: every row parsed, every bad cell explained, nothing written yet.

The plan is pure (no archive): `plan_customers(table, header, mapping)` parses each data row with the
field parsers of app/excel/columns.py and applies the card's cross-field rules (the same rules as
app.services.checks.check_customer, which tests/app/excel/test_rules_match_checks.py keeps in step).
The ImportService then finds duplicates against the archive and writes it in one transaction.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from app.calendar.lunar import solar_to_lunar
from app.enums import DealStatus, Stage
from app.errors import AppError, ValidationError
from app.excel import values as v
from app.excel.columns import (
    CUSTOMER_VOCABULARY,
    FIELD_BY_KEY,
    Field,
    Header,
    Vocabulary,
    column_name,
    detect_header,
)
from app.excel.readers import Table
from app.gcpause import gc_paused
from app.progress import ProgressFn, no_progress, step
from app.rows import Birthday

NAME_LABEL = FIELD_BY_KEY["name"].label


class OnDuplicate(StrEnum):
    """What to do with a row that matches an existing card (or an earlier row of the same file)."""

    SKIP = "skip"
    FILL = "fill"
    OVERWRITE = "overwrite"
    CREATE = "create"

    @property
    def label(self) -> str:
        """The Chinese wording shown to the user."""
        return {"skip": "跳过", "fill": "补全空白字段", "overwrite": "覆盖已有内容", "create": "仍然新建"}[self.value]


@dataclass(frozen=True)
class Problem:
    """Why a cell or row was not imported (fatal) or was imported without one part (a note)."""

    row: int
    column: str
    value: str
    reason: str
    fatal: bool = True
    sheet: str = ""
    duplicate: bool = False  # skipped as a duplicate: nothing to fix in the row itself


@dataclass(slots=True)  # 100k of these live through an import
class PlannedRow:
    """One data row: its parsed values by field key, and its problems."""

    index: int
    number: int
    values: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)
    raw: Sequence[object] = ()  # the row's cells as read
    col_of: dict[str, int] = field(default_factory=dict)  # field key → column (shared by a sheet's rows)

    def cell(self, key: str) -> str:
        """The text of the cell mapped to a field, as typed ('' when there is none)."""
        col = self.col_of.get(key)
        return v.text(self.raw[col]) if col is not None and col < len(self.raw) else ""

    @property
    def ok(self) -> bool:
        """True when no problem stops the row from being imported."""
        return not any(p.fatal for p in self.problems)


@dataclass
class SheetPlan:
    """The parsed rows of one sheet and how its columns were read."""

    table: Table
    header: Header
    mapping: tuple[str, ...]
    rows: list[PlannedRow]
    blank_rows: int = 0

    def column_label(self, key: str) -> str:
        """The file's own header of the column mapped to a field (or the field's label)."""
        for index, mapped in enumerate(self.mapping):
            if mapped == key:
                return self.header.labels[index] or f"{column_name(index)}列"
        return FIELD_BY_KEY[key].label if key in FIELD_BY_KEY else key

    @property
    def good(self) -> list[PlannedRow]:
        """Rows that can be imported."""
        return [r for r in self.rows if r.ok]

    @property
    def bad(self) -> list[PlannedRow]:
        """Rows with at least one fatal problem."""
        return [r for r in self.rows if not r.ok]


@dataclass
class ImportPlan:
    """Everything to import from one file: the customer sheet and, for a full export, the other sheets."""

    source: str
    customers: SheetPlan
    children: dict[str, SheetPlan] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        """Every problem of every sheet, in file order."""
        out = [p for r in self.customers.rows for p in r.problems]
        for sheet in self.children.values():
            out += [p for r in sheet.rows for p in r.problems]
        return out


class MappingError(AppError):
    """The columns cannot be imported as mapped (e.g. no column is the customer's name)."""


def find_header(table: Table, vocabulary: Vocabulary = CUSTOMER_VOCABULARY) -> Header:
    """The header row of a table, or a clear error when no row looks like one."""
    header = detect_header(table.rows, vocabulary, table.merged)
    if header is None:
        raise MappingError(f"在“{table.name}”的前 30 行中找不到表头（例如“姓名”“手机”“生日”这样的列名）。")
    return header


def check_mapping(mapping: Sequence[str]) -> None:
    """A customer mapping must have a name column and use each field once."""
    used = [k for k in mapping if k]
    if "name" not in used:
        raise MappingError(f"请指定哪一列是“{NAME_LABEL}”。")
    twice = sorted({k for k in used if used.count(k) > 1})
    if twice:
        labels = "、".join(FIELD_BY_KEY[k].label if k in FIELD_BY_KEY else k for k in twice)
        raise MappingError(f"“{labels}”被指定给了多列，每项只能对应一列。")


def plan_customers(table: Table, header: Header, mapping: Sequence[str], *,
                   progress: ProgressFn = no_progress) -> SheetPlan:
    """Parse every data row below the header with the mapped fields."""
    check_mapping(mapping)
    mapping = tuple(mapping) + ("",) * (len(header.labels) - len(mapping))
    columns = [(i, key, header.labels[i] or f"{column_name(i)}列") for i, key in enumerate(mapping) if key]
    plan = SheetPlan(table=table, header=header, mapping=mapping, rows=[])
    col_of = {key: i for i, key, _ in columns}
    header_of = {key: label for _, key, label in columns}
    memos: list[dict[str, object]] = [{} for _ in columns]
    total = len(table.rows)
    with gc_paused():
        for index in range(header.row + 1, total):
            if index % 2000 == 0:
                step(progress, index, total, f"正在检查第 {table.number(index)} {table.unit}…")
            cells = table.rows[index]
            if all(v.is_blank(c) for c in cells):
                plan.blank_rows += 1
                continue
            plan.rows.append(parse_row(table, index, cells, columns, col_of, header_of, memos))
    return plan


_UNSEEN = object()
_BLANK = object()
_MEMO_LIMIT = 20_000  # distinct texts remembered per column (names and phones rarely repeat: they stop there)
_SHAREABLE = (str, int, float, Decimal, date, tuple, Birthday, type(None))  # immutable: one result, many rows


@dataclass(frozen=True)
class _Bad:
    """A cell that failed to parse: the text shown to the user and the reason."""

    shown: str
    reason: str


def _parse_cell(field_: Field, cell: object) -> object:
    """A non-empty cell parsed: the value, _BLANK (text that cleans to nothing) or _Bad."""
    if type(cell) is str:
        cell = v.clean(cell)  # once here; the parsers then see tidy text
        if not cell:
            return _BLANK
    try:
        return field_.parse(cell, field_.label)
    except ValidationError as exc:
        return _Bad(v.text(cell), exc.message)


def _remembered(field_: Field, cell: object, memo: dict[str, object]) -> object:
    """_parse_cell, once per distinct text of a column: 性别, 等级, 单位, 标签… repeat on most rows.

    Parsing is a pure function of the text (and today's date), and only immutable results are shared.
    Numbers and dates are parsed every time: 1, 1.0 and True would share one key.
    """
    if type(cell) is not str:
        return _parse_cell(field_, cell)
    parsed = memo.get(cell, _UNSEEN)
    if parsed is _UNSEEN:
        parsed = _parse_cell(field_, cell)
        if len(memo) < _MEMO_LIMIT and (parsed is _BLANK or isinstance(parsed, (_Bad, *_SHAREABLE))):
            memo[cell] = parsed
    return parsed


def parse_row(table: Table, index: int, cells: Sequence[object], columns: Sequence[tuple[int, str, str]],
              col_of: dict[str, int] | None = None, header_of: dict[str, str] | None = None,
              memos: Sequence[dict[str, object]] | None = None) -> PlannedRow:
    """One row: each mapped cell parsed (every bad cell recorded), then the card's cross-field rules.

    memos (one dict per column, shared by the rows of a sheet) remember the parse of repeated texts."""
    number = table.number(index)
    if col_of is None or header_of is None:
        col_of = {key: i for i, key, _ in columns}
        header_of = {key: label for _, key, label in columns}
    if memos is None:
        memos = [{} for _ in columns]
    row = PlannedRow(index=index, number=number, values={}, raw=cells, col_of=col_of)
    labels: dict[str, str] = {}
    width = len(cells)
    for (col, key, label), memo in zip(columns, memos, strict=True):
        cell = cells[col] if col < width else None
        if cell is None or cell == "":
            continue
        parsed = _remembered(FIELD_BY_KEY[key], cell, memo)
        if parsed is _BLANK:
            continue
        labels[key] = label
        if type(parsed) is _Bad:
            row.problems.append(Problem(number, label, parsed.shown, parsed.reason))
        else:
            row.values[key] = parsed
    _combine_phones(row, labels)
    _combine_birthdays(row)
    _row_rules(row, labels, header_of)
    if row.problems:
        row.problems = [replace(p, sheet=table.name) for p in row.problems]
    return row


def _combine_phones(row: PlannedRow, labels: dict[str, str]) -> None:
    """手机 column: first mobile → 手机, a landline → 电话 when that is empty; the rest → 备注."""
    mobiles = row.values.pop("mobile", [])
    phones = row.values.pop("phone", [])
    if not mobiles and not phones:
        return
    pool = list(mobiles)
    first_mobile = next((n for kind, n in pool if kind == "mobile"), "")
    if first_mobile:
        row.values["mobile"] = first_mobile
        pool.remove(("mobile", first_mobile))
    if phones:
        row.values["phone"] = phones[0][1]
        extra = [n for _, n in pool] + [n for _, n in phones[1:]]
    else:
        if pool:  # a landline is what 电话 usually means; a second mobile only when there is none
            chosen = next((n for n in pool if n[0] == "phone"), pool[0])
            pool.remove(chosen)
            row.values["phone"] = chosen[1]
        extra = [n for _, n in pool]
    if extra:
        note = "其他电话：" + "、".join(dict.fromkeys(extra))
        remarks = row.values.get("remarks", "")
        row.values["remarks"] = f"{remarks}\n{note}" if remarks else note


def _combine_birthdays(row: PlannedRow) -> None:
    """A 农历生日 column wins over 生日; a solar date of the same day lends the lunar year."""
    lunar: Birthday | None = row.values.pop("lunar_birthday", None)
    if lunar is None:
        return
    solar: Birthday | None = row.values.get("birthday")
    if lunar.year is None and solar is not None and solar.calendar == "solar" and solar.year:
        ld = solar_to_lunar(date(solar.year, solar.month, solar.day))
        if (ld.month, ld.day, ld.leap) == (lunar.month, lunar.day, lunar.leap):
            lunar = replace(lunar, year=ld.year)
    row.values["birthday"] = lunar


def _row_rules(row: PlannedRow, labels: dict[str, str], header_of: dict[str, str]) -> None:
    """The cross-field rules of check_customer: name required, 流失 needs a reason, 成交 stage → 成交 status."""
    values = row.values
    name = " ".join(values.get("name", "").split())
    if not name:
        row.problems.append(Problem(row.number, header_of.get("name", NAME_LABEL), "", "姓名/名称不能为空"))
    elif len(name) > 100:
        row.problems.append(Problem(row.number, labels["name"], name[:30] + "…", "太长（最多 100 字）"))
    if name:
        values["name"] = name
    if values.get("stage") == Stage.LOST and not values.get("loss_reason", "").strip():
        row.problems.append(Problem(row.number, labels.get("stage", "阶段"), Stage.LOST,
                                    "阶段为“流失”时请写明流失原因"))
    if values.get("stage") == Stage.WON:
        values["deal_status"] = DealStatus.CLOSED
    if "grade" in values:
        values["grade"] = values["grade"].upper()

