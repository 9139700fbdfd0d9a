"""The tree of touchpoints shared by 待办 (sections: 逾期 / 今天 / 未来7天) and the 日历 day list (flat).

A festival on one day is ONE row ("春节问候 · 123 位客户") whose customers are its children, built only
when the row is expanded, so a 100k-customer 春节 costs one row until someone looks inside.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from app.calendar.model import Touchpoint
from app.services.touchpoint_views import FestivalGroup, group_festivals, status_text, weekday_name
from ui.style import DANGER, MUTED

Index = QModelIndex | QPersistentModelIndex

# One colour per kind: the 日历 badges and the small square before each row use the same.
KIND_COLOURS = {
    "appointment": "#2f6fb0", "followup": "#00838f", "renewal": "#c77700", "competitor_end": "#8d6e63",
    "birthday": "#d81b60", "wedding": "#ad1457", "life_event": "#7b1fa2", "deal_anniversary": "#ef6c00",
    "festival": "#c62828", "cadence": "#546e7a",
}
KIND_NAMES = {
    "appointment": "约见", "followup": "新单回访", "renewal": "续期/到期", "competitor_end": "竞品到期",
    "birthday": "生日", "wedding": "纪念日", "life_event": "人生大事", "deal_anniversary": "成交周年",
    "festival": "节日问候", "cadence": "定期拜访",
}


_ICONS: dict[str, QIcon] = {}


def kind_icon(kind: str) -> QIcon:
    """A small round dot in the kind's colour (made once per kind)."""
    icon = _ICONS.get(kind)
    if icon is None:
        pixmap = QPixmap(12, 12)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(KIND_COLOURS.get(kind, MUTED)))
        painter.drawEllipse(1, 1, 10, 10)
        painter.end()
        icon = _ICONS[kind] = QIcon(pixmap)
    return icon


class _Node:
    """A section header, a touchpoint, a festival group, or one member of a group."""

    __slots__ = ("children", "group", "parent", "row", "title", "tp")

    def __init__(self, parent: _Node | None, row: int, *, title: str = "", tp: Touchpoint | None = None,
                 group: FestivalGroup | None = None) -> None:
        self.parent, self.row, self.title, self.tp, self.group = parent, row, title, tp, group
        self.children: list[_Node] | None = None if group is not None else []

    def kids(self) -> list[_Node]:
        """Children, built on first use for a festival group."""
        if self.children is None:
            assert self.group is not None
            self.children = [_Node(self, i, tp=tp) for i, tp in enumerate(self.group.items)]
        return self.children

    def touchpoints(self) -> list[Touchpoint]:
        """Every touchpoint this row stands for."""
        if self.tp is not None:
            return [self.tp]
        if self.group is not None:
            return list(self.group.items)
        return [tp for child in self.kids() for tp in child.touchpoints()]


class AgendaTreeModel(QAbstractItemModel):
    """Sections of touchpoints (or one flat list) with festival groups; one reset point: set_sections."""

    COLUMNS = (("date", "日期"), ("customer", "客户"), ("title", "事项"), ("kind", "类型"),
               ("suggest", "建议方式"), ("status", "状态"))

    def __init__(self, parent: QObject | None = None, *, one_day: bool = False) -> None:
        """one_day: every row is on the same day (the 日历 day list): the first column shows the time only."""
        super().__init__(parent)
        self._one_day = one_day
        self._top: list[_Node] = []
        self._today = date.today()
        self._bold = QFont()
        self._bold.setBold(True)

    # ----- filling -----------------------------------------------------------------------
    def set_sections(self, sections: Sequence[tuple[str, Sequence[Touchpoint], bool]], today: date,
                     *, flat: bool = False) -> None:
        """Replace everything: (title, touchpoints, group 定期拜访 too) per section.

        flat=True shows the entries of the first section at the top level (the 日历 day list).
        """
        self.beginResetModel()
        self._today = today
        self._top = []
        if flat:
            entries = group_festivals(sections[0][1], cadence=sections[0][2]) if sections else []
            self._top = [self._entry(None, i, e) for i, e in enumerate(entries)]
        else:
            for row, (title, items, cadence) in enumerate(sections):
                node = _Node(None, row, title=title)
                entries = group_festivals(items, cadence=cadence)
                node.children = [self._entry(node, i, e) for i, e in enumerate(entries)]
                self._top.append(node)
        self.endResetModel()

    def clear(self) -> None:
        """Forget every row."""
        self.set_sections([], self._today)

    @staticmethod
    def _entry(parent: _Node | None, row: int, entry: Touchpoint | FestivalGroup) -> _Node:
        if isinstance(entry, FestivalGroup):
            return _Node(parent, row, group=entry)
        return _Node(parent, row, tp=entry)

    # ----- reading back -------------------------------------------------------------------
    def node(self, index: Index) -> _Node | None:
        """The node behind an index."""
        return index.internalPointer() if index.isValid() else None  # type: ignore[return-value]

    def touchpoints_at(self, index: Index) -> list[Touchpoint]:
        """The touchpoints a row stands for (a section or group: all of its members)."""
        node = self.node(index)
        return node.touchpoints() if node is not None else []

    def is_section(self, index: Index) -> bool:
        """True for a 逾期/今天/未来 header row."""
        node = self.node(index)
        return node is not None and node.tp is None and node.group is None

    def section_count(self) -> int:
        """How many top-level rows."""
        return len(self._top)

    # ----- Qt model API -------------------------------------------------------------------
    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        """Index of a child row."""
        siblings = self._siblings(parent)
        if not 0 <= row < len(siblings) or not 0 <= column < len(self.COLUMNS):
            return QModelIndex()
        return self.createIndex(row, column, siblings[row])

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        """Index of the parent row."""
        node = self.node(index)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Rows under a parent."""
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._siblings(parent))

    def hasChildren(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        """Groups say yes without building their children."""
        node = self.node(parent)
        if node is None:
            return bool(self._top)
        if node.group is not None:
            return True
        return bool(node.children)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Columns."""
        return len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Column titles."""
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section == 0 and self._one_day:
                return self.tr("时间")
            return self.tr(self.COLUMNS[section][1])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Cell text, colours and tooltips."""
        node = self.node(index)
        if node is None:
            return None
        column = self.COLUMNS[index.column()][0]
        if node.tp is None and node.group is None:
            return self._section_data(node, column, role)
        if node.group is not None:
            return self._group_data(node.group, column, role)
        assert node.tp is not None
        return self._tp_data(node.tp, column, role)

    def _siblings(self, parent: Index) -> list[_Node]:
        node = self.node(parent)
        return self._top if node is None else node.kids()

    def _section_data(self, node: _Node, column: str, role: int) -> object:
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == Qt.ItemDataRole.DisplayRole and column == "date":
            return self.tr("{title}（{n}）").format(title=node.title, n=len(node.touchpoints()))
        return None

    def _group_data(self, group: FestivalGroup, column: str, role: int) -> object:
        if role == Qt.ItemDataRole.DecorationRole and column == "date":
            return kind_icon(group.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("展开查看每位客户；选中这一行可一次完成、跳过或推迟全部")
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if group.kind == "cadence":
            status = self.tr("最久逾期 {n} 天").format(n=group.most_overdue)
            when = self.tr("更早")
        else:
            status, when = self.tr(status_text(group.items[0], self._today)), self._date_text(group.date, None)
        values = {"date": when, "title": self.tr(group.title), "kind": self.tr(KIND_NAMES[group.kind]),
                  "customer": self.tr("{n} 位客户").format(n=group.customer_count), "status": status}
        return values.get(column, "")

    def _tp_data(self, tp: Touchpoint, column: str, role: int) -> object:
        if role == Qt.ItemDataRole.DecorationRole and column == "date":
            return kind_icon(tp.kind)
        if role == Qt.ItemDataRole.ForegroundRole:
            if tp.status == "overdue" and column == "status":
                return QColor(DANGER)
            return QColor(MUTED) if tp.status in ("done", "skipped") else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return tp.source + (f"\n{tp.place}" if tp.place else "")
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == "date":
            return self._date_text(tp.date, tp)
        if column == "customer":
            return f"{tp.customer_name} · {tp.card_no}"
        if column == "title":
            return tp.title + (f"（{tp.place}）" if tp.place else "")
        if column == "kind":
            return self.tr(KIND_NAMES.get(tp.kind, tp.kind))
        if column == "suggest":
            return "，".join(part for part in (tp.method, tp.gift) if part)
        return self.tr(status_text(tp, self._today))

    def _date_text(self, day: date, tp: Touchpoint | None) -> str:
        if self._one_day:
            return f"{tp.at:%H:%M}" if tp is not None and tp.at is not None else self.tr("全天")
        text = f"{day.month:02d}-{day.day:02d} {self.tr(weekday_name(day))}"
        if tp is not None and tp.at is not None:
            text += f" {tp.at:%H:%M}"
        return text
