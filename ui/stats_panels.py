"""The pieces of the 统计 page: one panel per figure (chart beside its table) and the overview tiles."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.stats_rows import Figure, StatRow
from ui.stats_charts import FigureChart
from ui.style import MUTED

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
TABLE_ROW_H = 24
MAX_TABLE_ROWS = 14  # taller tables scroll inside the panel

Index = QModelIndex | QPersistentModelIndex


class FigureTableModel(QAbstractTableModel):
    """A figure's rows: label, count, share and the figure's extra columns."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.figure: Figure | None = None

    def set_figure(self, figure: Figure | None) -> None:
        """The one reset point."""
        self.beginResetModel()
        self.figure = figure
        self.endResetModel()

    def row_at(self, row: int) -> StatRow | None:
        """The figure row at a view row."""
        if self.figure is None or not 0 <= row < len(self.figure.rows):
            return None
        return self.figure.rows[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        """The figure's rows."""
        return 0 if parent.isValid() or self.figure is None else len(self.figure.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        """Label, count, share, extras."""
        return 0 if parent.isValid() or self.figure is None else len(self.figure.columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Column titles from the figure."""
        if self.figure is not None and orientation == Qt.Orientation.Horizontal \
                and role == Qt.ItemDataRole.DisplayRole:
            return self.tr(self.figure.columns[section])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Cell text (numbers right-aligned) and the row key."""
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None or self.figure is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.figure.cells(row)[index.column()]
        if role == KEY_ROLE:
            return row.key
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None


class FigurePanel(QFrame):
    """Title, chart and table of one figure, with its summary and note; `drill(figure, key, label)`."""

    drill = Signal(str, str, str)

    def __init__(self, key: str, title: str = "", parent: QWidget | None = None, *, wide: bool = False) -> None:
        super().__init__(parent)
        self.key, self.wide = key, wide
        self.setProperty("role", "card")
        self.setObjectName(f"panel_{key}")
        self._build_widgets()
        self._build_layout()
        self._connect_signals()
        self.title_label.setText(title)

    def _build_widgets(self) -> None:
        self.title_label = QLabel(self)
        self.title_label.setStyleSheet("font-weight: bold; font-size: 11pt;")
        self.scope_label = QLabel(self)
        self.scope_label.setProperty("role", "hint")
        self.chart = FigureChart(self)
        self.model = FigureTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(TABLE_ROW_H)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.horizontalHeader().setMinimumSectionSize(40)
        self.table.setCursor(Qt.CursorShape.PointingHandCursor)
        self.table.setToolTip(self.tr("点击一行，列出这些客户"))
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        self.note_label = QLabel(self)
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet(f"color: {MUTED}; font-size: 8.5pt;")

    def _build_layout(self) -> None:
        head = QHBoxLayout()
        head.addWidget(self.title_label)
        head.addStretch(1)
        head.addWidget(self.scope_label)
        self.body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.body.addWidget(self.chart, 5, Qt.AlignmentFlag.AlignTop)
        self.body.addWidget(self.table, 6, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addLayout(head)
        layout.addLayout(self.body)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.note_label)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)

    def _connect_signals(self) -> None:
        self.chart.bar_clicked.connect(self._bar_clicked)
        self.table.clicked.connect(self._row_clicked)
        self.table.activated.connect(self._row_clicked)

    def set_figure(self, figure: Figure | None, waiting: str = "") -> None:
        """Show a figure; None with `waiting` shows that text (the calendar is still counting)."""
        self.chart.set_figure(figure)
        self.model.set_figure(figure)
        if figure is None:
            self.summary_label.setText(waiting)
            self.summary_label.setVisible(bool(waiting))
            self.note_label.clear()
            self.scope_label.clear()
            return
        self.title_label.setText(figure.title)
        self.scope_label.setText(self.tr("本期") if figure.scoped else self.tr("当前"))
        self.summary_label.setText("　".join(f"{k}：{v}" for k, v in figure.summary))
        self.summary_label.setVisible(bool(figure.summary))
        self.note_label.setText(figure.note)
        self.note_label.setVisible(bool(figure.note))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)  # labels take what numbers leave
        shown = min(len(figure.rows), MAX_TABLE_ROWS)
        frame = 2 * self.table.frameWidth()
        self.table.setFixedHeight(header.sizeHint().height() + shown * TABLE_ROW_H + frame)
        # Time series, and wide tables in a half-width panel: the chart on top, its table under it.
        stacked = figure.chart == "column" or (not self.wide and len(figure.columns) > 3)
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight)

    def _bar_clicked(self, key: str) -> None:
        row = self.model.figure.row(key) if self.model.figure is not None else None
        if row is not None:
            self.drill.emit(self.key, key, row.label)

    def _row_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self.drill.emit(self.key, row.key, row.label)


class HeadlineStrip(QWidget):
    """The overview: one tile per number; clicking a tile lists those customers (`drill`)."""

    drill = Signal(str, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tiles: dict[str, QPushButton] = {}
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(10)

    def set_figure(self, figure: Figure | None) -> None:
        """One tile per row: big number, label and share."""
        for tile in self.tiles.values():
            tile.setParent(None)
            tile.deleteLater()
        self.tiles = {}
        if figure is None:
            return
        for col, row in enumerate(figure.rows):
            tile = QPushButton(f"{row.count}\n{row.label}", self)
            tile.setObjectName(f"headline_{row.key}")
            tile.setCursor(Qt.CursorShape.PointingHandCursor)
            tile.setToolTip(self.tr("点击列出这些客户"))
            tile.setMinimumHeight(64)
            tile.setStyleSheet("QPushButton { background: white; border: 1px solid #dfe3e8; border-radius: 6px;"
                               " font-size: 13pt; text-align: center; padding: 6px; }"
                               " QPushButton:hover { background: #eef4fb; border-color: #9db7d3; }")
            tile.clicked.connect(lambda _=False, r=row: self.drill.emit("headline", r.key, r.label))
            self._layout.addWidget(tile, 0, col)
            self.tiles[row.key] = tile
