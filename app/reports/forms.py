"""Forms to fill in by hand on printed sheets: the visit record at the foot of every 拜访单."""
from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from app.reports import fontmix
from app.reports.style import INK, MUTED, WRITE_LINE

LINE_GAP = 6.5 * mm
METHODS = ("亲自拜访", "电话", "短信", "微信", "邮件", "礼仪专送")
# (label, lines); the first block grows to use what is left of the page.
BLOCKS = (("访问情况", 2), ("洽谈结果", 1), ("了解到的决策关系", 1))
FIXED_ROWS = 2  # 下次约见, 下次方式 / 满意度
MIN_HEIGHT = (sum(n for _, n in BLOCKS) + FIXED_ROWS) * LINE_GAP
MAX_EXTRA_LINES = 10


class VisitForm(Flowable):
    """Ruled lines for 访问情况, 洽谈结果, 决策关系, then 下次约见 and tick boxes; never split across pages.

    It grows by up to MAX_EXTRA_LINES lines into whatever the page has left, so the sheet ends at the foot.
    """

    def __init__(self) -> None:
        super().__init__()
        self.extra = 0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        spare = int((availHeight - MIN_HEIGHT) // LINE_GAP) if availHeight > MIN_HEIGHT else 0
        self.extra = max(0, min(MAX_EXTRA_LINES, spare))
        return availWidth, MIN_HEIGHT + self.extra * LINE_GAP

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []  # a form torn in two is worse than a form on the next page

    def draw(self) -> None:
        c = self.canv
        c.setLineWidth(0.5)
        y = MIN_HEIGHT + self.extra * LINE_GAP
        # spare lines: three fifths to 访问情况, the rest to 洽谈结果
        extra = (self.extra - self.extra * 2 // 5, self.extra * 2 // 5, 0)
        for (label, count), more in zip(BLOCKS, extra, strict=True):
            for n in range(count + more):
                y -= LINE_GAP
                self._ruled(c, y, label if n == 0 else "")
        y -= LINE_GAP
        self._appointment(c, y)
        y -= LINE_GAP
        self._ticks(c, y)

    def _ruled(self, c: Canvas, y: float, label: str) -> None:
        indent = 0.0
        if label:
            c.setFillColor(INK)
            fontmix.draw(c, 0, y + 2.2, label, 9)
            indent = fontmix.width(label, 9) + 4
        c.setStrokeColor(WRITE_LINE)
        c.line(indent, y + 1, self.width, y + 1)

    def _appointment(self, c: Canvas, y: float) -> None:
        """下次约见  时间 ____  地点 ____  内容 ____ (three blanks sharing the line)."""
        c.setFillColor(INK)
        fontmix.draw(c, 0, y + 2.2, "下次约见", 9)
        x = fontmix.width("下次约见", 9) + 8
        shares = (("时间", 0.3), ("地点", 0.3), ("内容", 0.4))
        room = self.width - x - sum(fontmix.width(f"{lbl} ", 8.5) + 6 for lbl, _ in shares)
        for lbl, share in shares:
            c.setFillColor(MUTED)
            fontmix.draw(c, x, y + 2.2, lbl, 8.5)
            x += fontmix.width(lbl, 8.5) + 3
            c.setStrokeColor(WRITE_LINE)
            c.line(x, y + 1, x + room * share, y + 1)
            x += room * share + 3

    def _ticks(self, c: Canvas, y: float) -> None:
        """下次方式 □亲自拜访 □电话 …   满意度 □1 … □5."""
        c.setFillColor(INK)
        fontmix.draw(c, 0, y + 2.2, "下次方式", 9)
        x = fontmix.width("下次方式", 9) + 8
        for method in METHODS:
            x = self._box(c, x, y, method)
        x += 10
        c.setFillColor(INK)
        fontmix.draw(c, x, y + 2.2, "客户满意度", 9)
        x += fontmix.width("客户满意度", 9) + 6
        for score in "12345":
            x = self._box(c, x, y, score)

    @staticmethod
    def _box(c: Canvas, x: float, y: float, text: str) -> float:
        side = 3 * mm
        c.setStrokeColor(INK)
        c.rect(x, y + 1.5, side, side, stroke=1, fill=0)
        c.setFillColor(INK)
        fontmix.draw(c, x + side + 2, y + 2.2, text, 8.5)
        return x + side + 2 + fontmix.width(text, 8.5) + 7
