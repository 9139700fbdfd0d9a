"""Charts of the 统计 page, painted with QPainter: bars, the funnel, progress, columns over time, the grade
matrix.  Every bar (or matrix cell) is a hit area: clicking it emits the row's key, and the page lists
exactly the customers behind it.
"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.services.stats_rows import Figure, StatRow, percent

BAR = QColor("#3b6ea5")
BAR_HOVER = QColor("#24527f")
BAR_LIGHT = QColor("#c9d8ea")
TEXT = QColor("#1f2933")
MUTED = QColor("#66717f")
GRID = QColor("#dfe3e8")
ROW_H = 24
MAX_BARS = 20  # long lists (tags) show their first rows as bars; the table beside lists them all
GRADES = "ABCD"


class FigureChart(QWidget):
    """One figure's chart; `bar_clicked(key)` when the user clicks a bar, column or matrix cell."""

    bar_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.figure: Figure | None = None
        self._hits: list[tuple[QRectF, str]] = []
        self._hover: str | None = None
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    # ----- data ------------------------------------------------------------------------------
    def set_figure(self, figure: Figure | None) -> None:
        """Show a figure (None: empty, while locked or loading)."""
        self.figure = figure
        self._hover = None
        self.updateGeometry()
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def rows(self) -> tuple[StatRow, ...]:
        """The rows drawn (the first MAX_BARS of a bar chart)."""
        if self.figure is None:
            return ()
        if self.figure.chart in ("column", "matrix"):
            return self.figure.rows
        return self.figure.rows[:MAX_BARS]

    def sizeHint(self) -> QSize:
        """Tall enough for every bar."""
        kind = self.figure.chart if self.figure is not None else "bar"
        if self.figure is None or not self.figure.rows or kind == "table":
            return QSize(320, 40)
        if kind == "column":
            return QSize(480, 190)
        if kind == "matrix":
            return QSize(320, 6 * 34)
        return QSize(320, len(self.rows()) * ROW_H + 12)

    # ----- hits ------------------------------------------------------------------------------
    def bar_rect(self, key: str) -> QRectF | None:
        """Where the bar (or cell) of row `key` is drawn, in widget coordinates (None if not drawn)."""
        self._layout()
        return next((rect for rect, k in self._hits if k == key), None)

    def key_at(self, pos: QPointF) -> str | None:
        """The row key under a point, if any."""
        self._layout()
        return next((k for rect, k in self._hits if rect.contains(pos)), None)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        """Highlight the bar under the mouse and show the hand cursor over it."""
        key = self.key_at(event.position())
        if key != self._hover:
            self._hover = key
            self.setCursor(Qt.CursorShape.PointingHandCursor if key else Qt.CursorShape.ArrowCursor)
            self.setToolTip(self._tip(key) if key else "")
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """A click on a bar asks for its customers."""
        if event.button() == Qt.MouseButton.LeftButton:
            key = self.key_at(event.position())
            if key is not None:
                self.bar_clicked.emit(key)

    def leaveEvent(self, event: object) -> None:
        """Forget the hover highlight."""
        self._hover = None
        self.update()

    def _tip(self, key: str) -> str:
        row = self.figure.row(key) if self.figure is not None else None
        return self.tr("{label}：{n}（点击列出这些客户）").format(label=row.label, n=row.count) if row else ""

    # ----- geometry (one place, shared by painting and hit tests) --------------------------------
    def _layout(self) -> list[tuple[QRectF, str]]:
        self._hits = []
        if self.figure is None or not self.figure.rows:
            return self._hits
        kind = self.figure.chart
        if kind == "column":
            self._layout_columns()
        elif kind == "matrix":
            self._layout_matrix()
        elif kind != "table":
            self._layout_bars()
        return self._hits

    def _label_width(self) -> float:
        fm = QFontMetrics(self.font())
        widest = max((fm.horizontalAdvance(r.label) for r in self.rows()), default=0)
        return min(widest + 10, self.width() * 0.38)

    def _value_room(self) -> float:
        fm = QFontMetrics(self.font())
        return max((fm.horizontalAdvance(self._value_text(r)) for r in self.rows()), default=0) + 12

    def _layout_bars(self) -> None:
        rows = self.rows()
        left = self._label_width()
        span = max(self.width() - left - self._value_room() - 4, 20)
        top = max((r.bar for r in rows), default=0) or 1
        centred = self.figure is not None and self.figure.chart == "funnel"
        for i, row in enumerate(rows):
            length = max(span * row.bar / top, 2)
            x = left + (span - length) / 2 if centred else left
            self._hits.append((QRectF(x, 6 + i * ROW_H + 3, length, ROW_H - 8), row.key))

    def _layout_columns(self) -> None:
        rows = self.rows()
        base, head = self.height() - 22, 16
        slot = self.width() / max(1, len(rows))
        top = max((r.bar for r in rows), default=0) or 1
        for i, row in enumerate(rows):
            h = max((base - head) * row.bar / top, 1 if row.count else 0)
            self._hits.append((QRectF(i * slot + slot * 0.15, base - h, max(slot * 0.7, 1), h), row.key))

    def _matrix_cell(self) -> tuple[float, float, float]:
        left = QFontMetrics(self.font()).horizontalAdvance(self.tr("期初＼期末")) + 12.0
        cell = min((self.height() - 8) / 5, (self.width() - left - 10) / 5, 46)
        return cell, left, 4 + cell  # size, left of the grid, top of the grid

    def _layout_matrix(self) -> None:
        cell, left, top = self._matrix_cell()
        counts = {r.key for r in self.rows() if r.count}
        for i, old in enumerate(GRADES):
            for j, new in enumerate(GRADES):
                key = f"{old}>{new}"
                if key in counts:
                    self._hits.append((QRectF(left + j * cell, top + i * cell, cell - 2, cell - 2), key))

    # ----- painting --------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        """Draw the figure's chart."""
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.figure is None or not self.figure.rows or self.figure.chart == "table":
            p.setPen(MUTED)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                       self.tr("（无数据）") if self.figure is not None and not self.figure.rows else "")
            p.end()
            return
        self._layout()
        {"column": self._paint_columns, "matrix": self._paint_matrix}.get(self.figure.chart, self._paint_bars)(p)
        p.end()

    def _value_text(self, row: StatRow) -> str:
        if self.figure is not None and self.figure.chart == "progress":
            return f"{row.count} / {row.values[0]}（{percent(row.share)}）"
        if row.weight is not None:
            return f"{row.values[0]}（{percent(row.share)}）"
        return f"{row.count}（{percent(row.share)}）"

    def _paint_bars(self, p: QPainter) -> None:
        fm = QFontMetrics(self.font())
        left = self._label_width()
        rows = {r.key: r for r in self.rows()}
        span = max(self.width() - left - self._value_room() - 4, 20)
        top = max((r.bar for r in rows.values()), default=0) or 1
        for rect, key in self._hits:
            row = rows[key]
            label_box = QRectF(0, rect.y() - 3, left - 8, ROW_H - 2)
            p.setPen(TEXT)
            p.drawText(label_box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(row.label, Qt.TextElideMode.ElideRight, int(label_box.width())))
            colour = BAR_HOVER if key == self._hover else BAR
            if self.figure is not None and self.figure.chart == "progress":
                p.fillRect(rect, BAR_LIGHT)
                done = QRectF(rect.x(), rect.y(), span * row.count / top, rect.height())
                p.fillRect(done, colour)
            else:
                p.fillRect(rect, colour)
            p.setPen(MUTED)
            p.drawText(QRectF(rect.right() + 6, rect.y() - 3, self.width(), ROW_H - 2),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self._value_text(row))

    def _paint_columns(self, p: QPainter) -> None:
        fm = QFontMetrics(self.font())
        rows = self.rows()
        base = self.height() - 22
        slot = self.width() / max(1, len(rows))
        every = max(1, round(len(rows) / 12))  # a label every k-th column, so labels never overlap
        p.setPen(GRID)
        p.drawLine(QPointF(0, base), QPointF(self.width(), base))
        by_key = {k: r for r, k in self._hits}
        for i, row in enumerate(rows):
            rect = by_key[row.key]
            p.fillRect(rect, BAR_HOVER if row.key == self._hover else BAR)
            if row.count and len(rows) <= 24:
                p.setPen(MUTED)
                p.drawText(QRectF(i * slot, rect.y() - 16, slot, 14), Qt.AlignmentFlag.AlignCenter, str(row.count))
            if i % every == 0:
                room = slot * every
                text = row.label if fm.horizontalAdvance(row.label) < room - 4 else row.label[:5]  # week: its Monday
                p.setPen(TEXT)
                p.drawText(QRectF(i * slot - room / 2 + slot / 2, base + 3, room, 16), Qt.AlignmentFlag.AlignCenter, text)

    def _paint_matrix(self, p: QPainter) -> None:
        cell, left, top = self._matrix_cell()
        counts = {r.key: r.count for r in self.rows()}
        most = max(counts.values(), default=0) or 1
        p.setPen(MUTED)
        p.drawText(QRectF(0, 4, left - 4, cell), Qt.AlignmentFlag.AlignCenter, self.tr("期初＼期末"))
        for j, g in enumerate(GRADES):
            p.setPen(TEXT)
            p.drawText(QRectF(left + j * cell, 4, cell, cell), Qt.AlignmentFlag.AlignCenter, g)
            p.drawText(QRectF(0, top + j * cell, left - 4, cell), Qt.AlignmentFlag.AlignCenter, g)
        for i, old in enumerate(GRADES):
            for j, new in enumerate(GRADES):
                key = f"{old}>{new}"
                n = counts.get(key, 0)
                rect = QRectF(left + j * cell, top + i * cell, cell - 2, cell - 2)
                shade = _mix(n / most) if n else QColor("#f6f8fb")
                p.fillRect(rect, BAR_HOVER if key == self._hover else shade)
                if n:
                    p.setPen(QColor("white") if n / most > 0.5 or key == self._hover else TEXT)
                    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(n))
        p.setPen(MUTED)
        p.drawText(QRectF(left + 4 * cell + 8, top, self.width(), cell * 4),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                   self.tr("对角线左下：升级\n对角线右上：降级\n对角线：变动后回到原级"))


def _mix(t: float) -> QColor:
    """Pale blue → the bar colour, by t in 0..1."""
    light = QColor("#e4edf7")
    return QColor(int(light.red() + (BAR.red() - light.red()) * t), int(light.green() + (BAR.green() - light.green()) * t),
                  int(light.blue() + (BAR.blue() - light.blue()) * t))
