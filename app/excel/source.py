"""Opening a file for import: which sheets it has, which table holds the customers, and — for a full
ClientFile export — the other sheets that come with them."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.excel.children import CHILD_BY_TITLE, plan_child
from app.excel.columns import CUSTOMER_VOCABULARY, Header, auto_map
from app.excel.importer import ImportPlan, find_header, plan_customers
from app.excel.readers import Table, is_spreadsheet, read_table, sheet_names
from app.progress import ProgressFn, no_progress

CUSTOMER_SHEET = "客户"
ALL_SHEETS = "（完整导出的全部工作表）"
VCARD_SUFFIXES = (".vcf", ".vcard")


@dataclass
class Source:
    """The tables read from one file: customers, plus child sheets of a full export."""

    path: Path
    customers: Table
    children: dict[str, Table] = field(default_factory=dict)  # child sheet title → table

    @property
    def name(self) -> str:
        """The file's name, as reports and the audit log mention it."""
        return self.path.name


def is_vcard(path: Path) -> bool:
    """True for .vcf/.vcard files."""
    return Path(path).suffix.lower() in VCARD_SUFFIXES


def is_full_export(names: Sequence[str]) -> bool:
    """A workbook with a 客户 sheet and at least one of our child sheets (联系人, 成交, …)."""
    return CUSTOMER_SHEET in names and any(n in CHILD_BY_TITLE for n in names)


def choices(path: Path) -> list[str]:
    """The sheets a user may import from: for a full export, first the choice of all of them."""
    path = Path(path)
    if is_vcard(path):
        return [path.stem]
    names = sheet_names(path)
    return ([ALL_SHEETS, *names] if is_full_export(names) else names) if is_spreadsheet(path) else names


def load(path: Path, sheet: str | None = None, *, progress: ProgressFn = no_progress) -> Source:
    """Read a file: a vCard, a CSV, one sheet, or (sheet None/ALL_SHEETS on a full export) every sheet."""
    path = Path(path)
    if is_vcard(path):
        from app.vcard import read_vcards

        return Source(path, read_vcards(path, progress=progress))
    if not is_spreadsheet(path):
        return Source(path, read_table(path, progress=progress))
    names = sheet_names(path)
    if sheet in (None, ALL_SHEETS) and is_full_export(names):
        children = {n: read_table(path, n, progress=progress) for n in names if n in CHILD_BY_TITLE}
        return Source(path, read_table(path, CUSTOMER_SHEET, progress=progress), children)
    return Source(path, read_table(path, None if sheet == ALL_SHEETS else sheet, progress=progress))


def suggest(source: Source, remembered: Sequence[str] | None = None) -> tuple[Header, tuple[str, ...]]:
    """The detected header and a mapping: the remembered one when it fits this header, else automatic."""
    header = find_header(source.customers, CUSTOMER_VOCABULARY)
    if remembered is not None and len(remembered) == len(header.labels):
        return header, tuple(remembered)
    return header, auto_map(header.labels)


def build_plan(source: Source, header: Header, mapping: Sequence[str], *,
               progress: ProgressFn = no_progress) -> ImportPlan:
    """Parse the customer rows (and child sheets) into a plan; nothing is written."""
    plan = ImportPlan(source=source.name, customers=plan_customers(source.customers, header, mapping,
                                                                   progress=progress))
    for title, table in source.children.items():
        child = plan_child(CHILD_BY_TITLE[title], table)
        if child is not None:
            plan.children[CHILD_BY_TITLE[title].key] = child
    return plan


def plan_file(path: Path, sheet: str | None = None, *,
              remembered: Callable[[Sequence[str]], Sequence[str] | None] | None = None,
              progress: ProgressFn = no_progress) -> ImportPlan:
    """Read, detect the header, map (as remembered for this header, else automatically) and plan a file."""
    src = load(path, sheet, progress=progress)
    header = find_header(src.customers, CUSTOMER_VOCABULARY)
    header, mapping = suggest(src, remembered(header.labels) if remembered is not None else None)
    return build_plan(src, header, mapping, progress=progress)
