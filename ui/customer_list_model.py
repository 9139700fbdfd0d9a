"""The customer list's one table model: rows fetched lazily from SQL, 200 at a time.

Filtering, search and sorting all happen in SQL (ListQuery); this model only holds the pages fetched
so far. Scrolling to the end asks for the next page through canFetchMore/fetchMore, so 100k customers
never reach Python at once. A new query fetches its first page without the total (a search would scan
the index twice); the total follows right after the repaint (`count_total`), or at once when the first
page already shows everything, or when only the sort changed.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from operator import attrgetter
from typing import Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from app.rows import CustomerRow, ListQuery, Page
from ui.style import GRADE_COLOURS

PAGE_SIZE = 200
ID_ROLE = Qt.ItemDataRole.UserRole + 1
# Plain ints: data() runs for every role of every visible cell on every repaint; enum lookups add up.
_DISPLAY, _TOOLTIP = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.ToolTipRole)
_FOREGROUND, _FONT = int(Qt.ItemDataRole.ForegroundRole), int(Qt.ItemDataRole.FontRole)
_ALIGN, _ID = int(Qt.ItemDataRole.TextAlignmentRole), int(ID_ROLE)
_GRADE_ROLES = frozenset({_FOREGROUND, _FONT, _ALIGN})

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    """One list column: the CustomerRow field, its title and the ListQuery sort key (None: not sortable)."""

    field: str
    title: str
    sort: str | None
    width: int


COLUMNS: tuple[Column, ...] = (
    Column("card_no", "编号", "card_no", 90),
    Column("name", "姓名/名称", "name", 200),
    Column("grade", "等级", "grade", 50),
    Column("deal_status", "状态", "deal_status", 64),
    Column("stage", "阶段", "stage", 80),
    Column("mobile", "手机", "mobile", 115),
    Column("company", "单位", "company", 180),
    Column("last_contact_at", "上次联系", "last_contact_at", 95),
    Column("next_appointment_at", "下次约见", "next_appointment_at", 95),
    Column("tags", "标签", None, 160),
)
COLUMN_INDEX = {c.field: i for i, c in enumerate(COLUMNS)}
_GRADE = COLUMN_INDEX["grade"]
_VALUES = attrgetter(*(c.field for c in COLUMNS))
_DATES = tuple(i for i, c in enumerate(COLUMNS) if c.field.endswith("_at"))


class Fetcher(Protocol):
    """svc.customers.list: one page of a query, with or without the total."""

    def __call__(self, query: ListQuery, *, count: bool = True) -> Page:
        """The page (total -1 when count=False)."""


def format_date(value: datetime | None) -> str:
    """Dates in the list: 2026-11-22 (time left out: the card shows it)."""
    return value.date().isoformat() if value is not None else ""


def row_texts(row: CustomerRow) -> tuple[str, ...]:
    """The text of every cell of a row, in COLUMNS order."""
    values = list(_VALUES(row))
    for i in _DATES:
        values[i] = format_date(values[i])
    return tuple(v if isinstance(v, str) else ("" if v is None else str(v)) for v in values)


class CustomerTableModel(QAbstractTableModel):
    """Customer rows for a QTableView, fetched page by page from a Fetcher (svc.customers.list)."""

    total_known = Signal(int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CustomerRow] = []
        self._texts: list[tuple[str, ...] | None] = []  # made when a row is first painted
        self._total = 0
        self._exact = True  # False: _total is a guess until count_total() runs
        self._query = ListQuery(limit=PAGE_SIZE)
        self._fetch: Fetcher | None = None
        self._bold = QFont()
        self._bold.setBold(True)
        self._grade_colours = {g: QColor(c) for g, c in GRADE_COLOURS.items()}

    # ----- the one reset point -----------------------------------------------------------------
    def set_rows(self, rows: Sequence[CustomerRow], total: int) -> None:
        """Replace everything shown (first page of a new query, or nothing while locked)."""
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = [None] * len(self._rows)
        self._total = max(total, len(self._rows))
        self.endResetModel()

    # ----- querying -------------------------------------------------------------------------
    @property
    def query(self) -> ListQuery:
        """The query whose results are shown."""
        return self._query

    @property
    def total(self) -> int:
        """How many customers match the query (not just the rows fetched so far)."""
        self.count_total()
        return self._total

    @property
    def total_is_known(self) -> bool:
        """False between a new query's first page and its count."""
        return self._exact

    def load(self, fetch: Fetcher, query: ListQuery, *, resort: bool = False) -> None:
        """Run a new query: fetch its first page (the total follows) and reset the view.

        resort: only the order changed (a header click), so the known total still holds.
        """
        query = replace(query, offset=0, limit=PAGE_SIZE)
        same_matches = (resort and self._fetch is not None and self._exact
                        and replace(query, sort="", descending=False) == replace(self._query, sort="", descending=False))
        known: int | None = self._total if same_matches else None
        self._fetch, self._query = fetch, query
        page = fetch(query, count=False)
        if len(page.rows) < PAGE_SIZE:
            known = len(page.rows)  # the first page already holds every match
        self._exact = known is not None
        self.set_rows(page.rows, known if known is not None else len(page.rows) + 1)
        if self._exact:
            self.total_known.emit(self._total)

    def count_total(self) -> None:
        """Fetch the total of the current query if it is still a guess."""
        if self._exact or self._fetch is None:
            return
        page = self._fetch(replace(self._query, offset=0, limit=0))
        self._total, self._exact = max(page.total, len(self._rows)), True
        self.total_known.emit(self._total)

    def reload(self) -> None:
        """Run the current query again, keeping as many rows loaded as before (after an edit)."""
        if self._fetch is None:
            return
        wanted = max(PAGE_SIZE, len(self._rows))
        page = self._fetch(replace(self._query, offset=0, limit=wanted))
        self._exact = True
        self.set_rows(page.rows, page.total)
        self.total_known.emit(self._total)

    def clear(self) -> None:
        """Forget every row and the fetcher (the archive is being locked)."""
        self._fetch, self._exact = None, True
        self.set_rows((), 0)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        """More matching rows exist in SQL than are loaded."""
        return not parent.isValid() and self._fetch is not None and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008 - Qt's signature
        """Load the next page of rows (without counting again)."""
        if not self.canFetchMore(parent):
            return
        assert self._fetch is not None
        page = self._fetch(replace(self._query, offset=len(self._rows), limit=PAGE_SIZE), count=False)
        if not self._exact and len(page.rows) < PAGE_SIZE:
            self._total, self._exact = len(self._rows) + len(page.rows), True  # reached the end: exact
            self.total_known.emit(self._total)
        elif not self._exact:
            self._total = len(self._rows) + len(page.rows) + 1
        if not page.rows:
            self._total = len(self._rows)  # the data shrank meanwhile: stop asking
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
        self._rows.extend(page.rows)
        self._texts.extend([None] * len(page.rows))
        self.endInsertRows()

    # ----- reading -----------------------------------------------------------------------------
    def row_at(self, row: int) -> CustomerRow | None:
        """The customer row at a view row, or None."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def id_at(self, row: int) -> int | None:
        """The customer id at a view row, or None."""
        found = self.row_at(row)
        return found.id if found is not None else None

    def row_of_id(self, customer_id: int) -> int | None:
        """The view row of a customer among the loaded rows, or None."""
        for i, row in enumerate(self._rows):
            if row.id == customer_id:
                return i
        return None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Loaded rows."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """The fixed columns."""
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(COLUMNS[section].title)
        return None

    def data(self, index: Index, role: int = _DISPLAY) -> object:
        """Cell text, id, grade colour (kept lean: it runs for every visible cell on every repaint)."""
        if role in (_DISPLAY, _TOOLTIP):
            row = index.row()
            texts = self._texts[row]
            if texts is None:
                texts = self._texts[row] = row_texts(self._rows[row])
            return texts[index.column()]
        if role == _ID:
            return self._rows[index.row()].id
        if role not in _GRADE_ROLES or index.column() != _GRADE:
            return None
        if role == _FOREGROUND:
            return self._grade_colours.get(self._rows[index.row()].grade)
        if role == _FONT:
            return self._bold
        return Qt.AlignmentFlag.AlignCenter
