"""The 统计 page on paper and in Excel: every figure's chart and table (PDF), every table as a sheet (.xlsx).

Charts are drawn straight on the canvas with the shared two-font text (the CJK font has no digits),
in the same shapes the page shows: bars, columns over time, the funnel, the grade matrix, progress.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from app.reports import fontmix
from app.reports.blocks import TitleLine, data_table, heading, para
from app.reports.common import FRAME_W, DocInfo, Output, atomic_output, build_pdf
from app.reports.style import INK, MUTED, RULE, SHADE
from app.services.settings import SalesProfile
from app.services.stats_rows import Figure, StatRow, StatsReport, percent

BAR = HexColor("#3b6ea5")
BAR_LIGHT = HexColor("#c9d8ea")
SIDE_BY_SIDE_ROWS = 12  # longer tables go under their chart (a table inside a table cannot split pages)
MAX_BARS = 20  # the chart shows the first rows; the table lists them all


# ----- PDF -------------------------------------------------------------------------------------

def write_stats_pdf(report: StatsReport, out: Output, profile: SalesProfile, printed_on: date) -> None:
    """The whole page as an A4 report: overview, then each figure's chart, table, summary and note."""
    info = DocInfo(title="客户档案统计", profile=profile, printed_on=printed_on)
    story: list[Flowable] = [TitleLine("客户档案统计", f"{report.period.label} · 截至 {report.today}"),
                             _headline(report.headline), Spacer(1, 4 * mm)]
    for figure in report.figures:
        story += figure_story(figure)
    build_pdf(out, story, info)


def _headline(figure: Figure) -> Table:
    """The overview as a row of boxes: big number, label under it."""
    cells = [[para(str(r.count), "title") for r in figure.rows], [para(r.label, "muted") for r in figure.rows]]
    width = FRAME_W / max(1, len(figure.rows))
    table = Table(cells, colWidths=[width] * len(figure.rows))
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), fontmix.fonts()[0], 8.2),
                               ("BACKGROUND", (0, 0), (-1, -1), SHADE), ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                               ("LINEAFTER", (0, 0), (-2, -1), 0.5, RULE), ("ALIGN", (0, 0), (-1, -1), "CENTER")]))
    return table


def figure_story(figure: Figure) -> list[Flowable]:
    """Heading, chart and table (side by side when short), summary and note of one figure."""
    aside = "本期" if figure.scoped else "当前"
    widths = _widths(figure)
    rows = [figure.cells(r) for r in figure.rows]
    side = _side_by_side(figure)
    chart = FigureChart(figure, FRAME_W * (0.42 if side else 1.0))
    # A chart beside its table cannot split across pages: keep the heading with the whole pair.
    need = max(chart.height, (len(rows) + 1) * 6.5 * mm) + 14 * mm if side else chart.height + 30 * mm
    out: list[Flowable] = heading(figure.title, aside, need=need)
    if side:
        table = data_table(figure.columns, rows, [w * 0.56 for w in widths], empty="（无数据）")
        pair = Table([[chart, table]], colWidths=[FRAME_W * 0.44, FRAME_W * 0.56])
        pair.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                                  ("RIGHTPADDING", (0, 0), (-1, -1), 0)]))
        out.append(pair)
    else:
        out += [chart, Spacer(1, 2 * mm), data_table(figure.columns, rows, widths, empty="（无数据）")]
    tail = [para("　".join(f"{k}：{v}" for k, v in figure.summary), "small")] if figure.summary else []
    if figure.note:
        tail.append(para(f"注：{figure.note}", "muted"))
    if tail:
        out.append(KeepTogether([Spacer(1, 1.5 * mm), *tail]))
    out.append(Spacer(1, 3 * mm))
    return out


def _side_by_side(figure: Figure) -> bool:
    """Short tables sit beside their chart; time series, long lists and money columns get the full width."""
    amounts = any(r.weight is not None for r in figure.rows)
    return (figure.chart != "column" and not amounts and len(figure.rows) <= SIDE_BY_SIDE_ROWS
            and len(figure.columns) <= 5)


def _widths(figure: Figure) -> list[float]:
    """Column widths as fractions: the label column takes what the others leave."""
    others = len(figure.columns) - 1
    each = min(0.16, 0.62 / max(1, others))
    return [1 - each * others] + [each] * others


class FigureChart(Flowable):
    """One figure's chart drawn on the canvas: bars, columns, funnel, matrix or progress."""

    def __init__(self, figure: Figure, width: float) -> None:
        super().__init__()
        self.figure, self.width = figure, width
        self.rows = figure.rows[:MAX_BARS] if figure.chart != "column" else figure.rows
        self.height = self._height()

    def _height(self) -> float:
        if not self.rows or self.figure.chart == "table":
            return 0
        if self.figure.chart == "column":
            return 42 * mm
        if self.figure.chart == "matrix":
            return 5 * 7 * mm
        return len(self.rows) * 6 * mm + 2 * mm

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        if not self.rows or self.figure.chart == "table":
            return
        {"column": self._columns, "matrix": self._matrix}.get(self.figure.chart, self._bars)()

    def _bars(self) -> None:
        c, label_w = self.canv, min((48 if self.width > 120 * mm else 32) * mm, self.width * 0.36)
        top = max((r.bar for r in self.rows), default=0) or 1
        room = max(fontmix.width(_value_text(self.figure, r), 7) for r in self.rows) + 3 * mm
        span = max(self.width - label_w - room, 10 * mm)  # the value text always fits after the bar
        for i, row in enumerate(self.rows):
            y = self.height - (i + 1) * 6 * mm
            c.setFillColor(INK)
            fontmix.draw(c, label_w - 2 * mm, y + 1.2 * mm, _fit(row.label, label_w - 2 * mm, 7.5), 7.5, align="right")
            length = span * row.bar / top
            if self.figure.chart == "progress":
                _rect(c, label_w, y, length, 4 * mm, BAR_LIGHT)
                length = span * row.count / top
            _rect(c, label_w, y, length, 4 * mm, BAR)
            c.setFillColor(MUTED)
            fontmix.draw(c, label_w + max(length, 0) + 1.5 * mm, y + 1.2 * mm, _value_text(self.figure, row), 7)

    def _columns(self) -> None:
        c, base, n = self.canv, 8 * mm, len(self.rows)
        top = max((r.bar for r in self.rows), default=0) or 1
        slot = self.width / max(1, n)
        every = max(1, round(n / 13))  # label every k-th column so labels never overlap
        for i, row in enumerate(self.rows):
            h = (self.height - base - 5 * mm) * row.bar / top
            _rect(c, i * slot + slot * 0.15, base, slot * 0.7, h, BAR)
            if row.count and n <= 24:
                c.setFillColor(MUTED)
                fontmix.draw(c, i * slot + slot / 2, base + h + 1 * mm, str(row.count), 6.5, align="center")
            if i % every == 0:
                text = row.label if fontmix.width(row.label, 6.5) < slot * every - 2 else row.label[:5]
                c.setFillColor(INK)
                fontmix.draw(c, i * slot + slot / 2, base - 4 * mm, text, 6.5, align="center")
        c.setStrokeColor(RULE)
        c.line(0, base, self.width, base)

    def _matrix(self) -> None:
        c, cell = self.canv, 7 * mm
        counts = {r.key: r.count for r in self.rows}
        top = max(counts.values(), default=0) or 1
        grades = "ABCD"
        c.setFillColor(MUTED)
        fontmix.draw(c, 0, self.height - 4 * mm, "期初＼期末", 6.5)
        for j, g in enumerate(grades):
            fontmix.draw(c, (j + 1.5) * cell + 8 * mm, self.height - 4 * mm, g, 8, align="center")
        for i, old in enumerate(grades):
            y = self.height - (i + 2) * cell
            c.setFillColor(INK)
            fontmix.draw(c, 8 * mm, y + 2.2 * mm, old, 8, align="center")
            for j, new in enumerate(grades):
                n = counts.get(f"{old}>{new}", 0)
                shade = _mix(n / top)
                _rect(c, (j + 1) * cell + 8 * mm, y, cell - 0.6 * mm, cell - 0.6 * mm, shade, RULE)
                if n:
                    c.setFillColor(HexColor("#ffffff") if n / top > 0.55 else INK)
                    fontmix.draw(c, (j + 1.5) * cell + 8 * mm - 0.3 * mm, y + 2.2 * mm, str(n), 7.5, align="center")


def _rect(c: object, x: float, y: float, w: float, h: float, fill: Color, stroke: Color | None = None) -> None:
    c.saveState()  # type: ignore[attr-defined]
    c.setFillColor(fill)  # type: ignore[attr-defined]
    if stroke is not None:
        c.setStrokeColor(stroke)  # type: ignore[attr-defined]
    c.rect(x, y, max(w, 0), max(h, 0), stroke=int(stroke is not None), fill=1)  # type: ignore[attr-defined]
    c.restoreState()  # type: ignore[attr-defined]


def _mix(t: float) -> Color:
    """White → the bar colour, by t in 0..1."""
    return Color(1 + (BAR.red - 1) * t, 1 + (BAR.green - 1) * t, 1 + (BAR.blue - 1) * t)


def _fit(text: str, width: float, size: float) -> str:
    while text and fontmix.width(text, size) > width:
        text = text[:-1]
    return text


def _value_text(figure: Figure, row: StatRow) -> str:
    if figure.chart == "progress":
        return f"{row.count} / {row.values[0]}（{percent(row.share)}）"
    if row.weight is not None:
        return f"{row.values[0]}（{percent(row.share)}）"
    return f"{row.count}（{percent(row.share)}）"


# ----- Excel -----------------------------------------------------------------------------------

_NUMBER = re.compile(r"-?[\d,]+(\.\d+)?")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def write_stats_xlsx(report: StatsReport, target: Path) -> None:
    """Every table of the page as a sheet (numbers as numbers, shares as percentages), written atomically."""
    import xlsxwriter

    with atomic_output(Path(target)) as tmp:
        # in_memory: xlsxwriter otherwise assembles the sheets in plaintext temp files outside our control.
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "in_memory": True})
        fmt = {"title": book.add_format({"bold": True, "font_size": 14, "font_color": "#1f4e79"}),
               "head": book.add_format({"bold": True, "bg_color": "#eef2f7", "bottom": 1}),
               "pct": book.add_format({"num_format": "0.0%"}), "num": book.add_format({"num_format": "#,##0.##"}),
               "muted": book.add_format({"font_color": "#66717f"})}
        for index, figure in enumerate((report.headline, *report.figures)):
            _sheet(book, fmt, figure, report, index)
        book.close()


def _sheet(book: object, fmt: dict, figure: Figure, report: StatsReport, index: int) -> None:
    name = _BAD_SHEET_CHARS.sub("", figure.title)[:28] or f"表{index + 1}"
    ws = book.add_worksheet(f"{index + 1:02d}{name}"[:31])  # type: ignore[attr-defined]
    ws.write(0, 0, figure.title, fmt["title"])
    ws.write(1, 0, f"{report.period.label} · 截至 {report.today}", fmt["muted"])
    for col, head in enumerate(figure.columns):
        ws.write(3, col, head, fmt["head"])
    for r, row in enumerate(figure.rows, start=4):
        ws.write(r, 0, row.label)
        ws.write_number(r, 1, row.count)
        ws.write_number(r, 2, row.share, fmt["pct"])
        for col, value in enumerate(row.values, start=3):
            _cell(ws, r, col, value, fmt)
    line = 5 + len(figure.rows)
    for label, value in figure.summary:
        ws.write(line, 0, f"{label}：{value}")
        line += 1
    if figure.note:
        ws.write(line, 0, f"注：{figure.note}", fmt["muted"])
    ws.set_column(0, 0, 28)
    ws.set_column(1, len(figure.columns), 13)
    if figure.rows and figure.chart in ("bar", "column", "funnel", "progress"):
        _chart(book, ws, figure, len(figure.columns) + 1)


def _cell(ws: object, r: int, col: int, value: str, fmt: dict) -> None:
    """Numbers stay numbers in Excel: '53,000.00' → 53000, '75.0%' → 0.75, text as text."""
    text = value.strip()
    if text.endswith("%") and _NUMBER.fullmatch(text[:-1]):
        ws.write_number(r, col, float(text[:-1].replace(",", "")) / 100, fmt["pct"])  # type: ignore[attr-defined]
    elif _NUMBER.fullmatch(text):
        ws.write_number(r, col, float(text.replace(",", "")), fmt["num"])  # type: ignore[attr-defined]
    else:
        ws.write(r, col, value)  # type: ignore[attr-defined]


def _chart(book: object, ws: object, figure: Figure, at_col: int) -> None:
    """A native Excel chart of the count column next to the table."""
    kind = "column" if figure.chart == "column" else "bar"
    chart = book.add_chart({"type": kind})  # type: ignore[attr-defined]
    last = 3 + len(figure.rows)
    sheet = ws.get_name()  # type: ignore[attr-defined]
    chart.add_series({"name": figure.count_label, "categories": [sheet, 4, 0, last, 0],
                      "values": [sheet, 4, 1, last, 1], "fill": {"color": "#3b6ea5"}})
    chart.set_legend({"none": True})
    chart.set_title({"name": figure.title, "name_font": {"size": 11}})
    if kind == "bar":
        chart.set_y_axis({"reverse": True})
    ws.insert_chart(3, at_col, chart, {"x_scale": 1.3, "y_scale": 1.2})  # type: ignore[attr-defined]
