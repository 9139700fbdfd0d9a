"""The customer list's one table model: rows fetched lazily from SQL, 200 at a time.

Filtering, search and sorting all happen in SQL (ListQuery); this model only holds the pages fetched
so far. Scrolling to the end asks for the next page through canFetchMore/fetchMore, so 100k customers
never reach Python at once.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from app.rows import CustomerRow, ListQuery, Page
from ui.style import GRADE_COLOURS

PAGE_SIZE = 200
ID_ROLE = Qt.ItemDataRole.UserRole + 1

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

Fetcher = Callable[[ListQuery], Page]


def format_date(value: datetime | None) -> str:
    """Dates in the list: 2026-11-22 (time left out: the card shows it)."""
    return value.strftime("%Y-%m-%d") if value is not None else ""


def cell_text(row: CustomerRow, field: str) -> str:
    """The text of one cell."""
    value = getattr(row, field)
    if isinstance(value, datetime):
        return format_date(value)
    return "" if value is None else str(value)


class CustomerTableModel(QAbstractTableModel):
    """Customer rows for a QTableView, fetched page by page from a Fetcher (svc.customers.list)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CustomerRow] = []
        self._total = 0
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
        return self._total

    def load(self, fetch: Fetcher, query: ListQuery) -> None:
        """Run a new query: fetch its first page and reset the view."""
        self._fetch = fetch
        self._query = replace(query, offset=0, limit=PAGE_SIZE)
        page = fetch(self._query)
        self.set_rows(page.rows, page.total)

    def reload(self) -> None:
        """Run the current query again, keeping as many rows loaded as before (after an edit)."""
        if self._fetch is None:
            return
        wanted = max(PAGE_SIZE, len(self._rows))
        page = self._fetch(replace(self._query, offset=0, limit=wanted))
        self.set_rows(page.rows, page.total)

    def clear(self) -> None:
        """Forget every row and the fetcher (the archive is being locked)."""
        self._fetch = None
        self.set_rows((), 0)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        """More matching rows exist in SQL than are loaded."""
        return not parent.isValid() and self._fetch is not None and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008 - Qt's signature
        """Load the next page of rows."""
        if not self.canFetchMore(parent):
            return
        assert self._fetch is not None
        page = self._fetch(replace(self._query, offset=len(self._rows), limit=PAGE_SIZE))
        if not page.rows:
            self._total = len(self._rows)  # the data shrank meanwhile: stop asking
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
        self._rows.extend(page.rows)
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

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Cell text, id, grade colour."""
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = COLUMNS[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return cell_text(row, column.field)
        if role == ID_ROLE:
            return row.id
        if column.field == "grade":
            if role == Qt.ItemDataRole.ForegroundRole:
                return self._grade_colours.get(row.grade)
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return Qt.AlignmentFlag.AlignCenter
        return None
