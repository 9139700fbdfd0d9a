"""Building blocks of the printouts: headings, label/value grids, data tables, writing lines."""
from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.colors import Color
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Table, TableStyle

from app.reports import fontmix
from app.reports.common import FRAME_W
from app.reports.style import ACCENT, INK, RULE, SHADE, ZEBRA, esc, styles

Cell = str | Flowable


def draw_bold(c: Canvas, x: float, y: float, text: str, size: float, color: Color = ACCENT) -> None:
    """Draw text in a firmer weight (fill + thin stroke): the bundled fonts have no bold face."""
    c.saveState()
    c.setFillColor(color)
    fontmix.draw(c, x, y, text, size, bold=True)
    c.restoreState()


def heading(text: str, aside: str = "", *, size: float = 11, need: float = 28 * mm,
            color: Color = ACCENT) -> list[Flowable]:
    """A section heading that starts a new page when less than `need` is left under it.

    (Not keepWithNext: that would carry a long table whole onto the next page and leave a gap.)
    """
    return [CondPageBreak(need), Heading(text, aside, size=size, color=color)]


class Heading(Flowable):
    """A section heading with a rule under it."""

    def __init__(self, text: str, aside: str = "", *, size: float = 11, color: Color = ACCENT) -> None:
        super().__init__()
        self.text, self.aside, self.size, self.color = text, aside, size, color
        self.spaceBefore = 6
        self.spaceAfter = 2.5

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.size + 6

    def draw(self) -> None:
        c = self.canv
        draw_bold(c, 0, 5, self.text, self.size, self.color)
        if self.aside:
            c.setFillColor(INK)
            fontmix.draw(c, self.width, 5, self.aside, 8, align="right")
        c.setStrokeColor(self.color)
        c.setLineWidth(0.8)
        c.line(0, 1.5, self.width, 1.5)


class TitleLine(Flowable):
    """The document's big title with a line of details to its right."""

    def __init__(self, title: str, details: str = "", size: float = 17) -> None:
        super().__init__()
        self.title, self.details, self.size = title, details, size
        self.spaceAfter = 6

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.size + 6

    def draw(self) -> None:
        draw_bold(self.canv, 0, 5, self.title, self.size)
        if self.details:
            self.canv.setFillColor(INK)
            fontmix.draw(self.canv, self.width, 5, self.details, 9, align="right")


CELL_PADDING = 9  # left + right padding of every table, with a point to spare


def table_base() -> list[tuple]:
    """Commands every table starts with: its own font (reportlab would name Helvetica, which is not embedded)."""
    return [("FONT", (0, 0), (-1, -1), fontmix.fonts()[0], 8.2)]


def para(text: object, style: str = "cell") -> Paragraph:
    """A Paragraph of plain text in one of the shared styles."""
    return Paragraph(esc(text), getattr(styles(), style))


class TextLine(Flowable):
    """A table cell's text that fits on one line: drawn as it stands, skipping a Paragraph's markup parsing
    and line breaking (most cells are a name, a date or a phone; this halves the time of a batch)."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text, self.size, self.leading, self.color = text, style.fontSize, style.leading, style.textColor

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return availWidth, self.leading

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []

    def draw(self) -> None:
        self.canv.setFillColor(self.color)
        fontmix.draw(self.canv, 0, self.leading - self.size, self.text, self.size)  # a Paragraph's baseline


def cell(value: Cell, width: float, style: str = "cell") -> Flowable:
    """A cell of `width` points (padding included): one line drawn directly when it fits, else a Paragraph."""
    if isinstance(value, Flowable):
        return value
    text = "" if value is None else str(value)
    st = getattr(styles(), style)
    if "\n" not in text and "\r" not in text and fontmix.width(text, st.fontSize) <= width - CELL_PADDING:
        return TextLine(text, st)
    return Paragraph(esc(text), st)


def field_grid(pairs: Sequence[tuple[str, Cell]], *, columns: int = 2, label_mm: float = 22) -> Table:
    """Label/value pairs in a ruled grid, `columns` pairs per row (blank values stay as space to fill)."""
    label_w = label_mm * mm
    value_w = FRAME_W / columns - label_w
    rows: list[list[Flowable]] = []
    for start in range(0, len(pairs), columns):
        row: list[Flowable] = []
        for label, value in pairs[start:start + columns]:
            row += [cell(label, label_w, "label"), cell(value, value_w)]
        row += [cell("", label_w, "label"), cell("", value_w)] * (columns - len(pairs[start:start + columns]))
        rows.append(row)
    table = Table(rows, colWidths=[label_w, value_w] * columns, splitByRow=1, splitInRow=1)
    commands: list[tuple] = [
        *table_base(),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    commands += [("BACKGROUND", (2 * i, 0), (2 * i, -1), SHADE) for i in range(columns)]
    table.setStyle(TableStyle(commands))
    return table


def data_table(header: Sequence[str], rows: Sequence[Sequence[Cell]], widths: Sequence[float], *,
               empty: str = "（无）", zebra: bool = True, extra: Sequence[tuple] = ()) -> Flowable:
    """A table with a repeated header row; widths are fractions of the text width; rows may split."""
    if not rows:
        return para(empty, "muted")
    col_widths = [w * FRAME_W for w in widths]
    data = [[cell(h, w, "cell_head") for h, w in zip(header, col_widths, strict=True)]]
    data += [[cell(v, w) for v, w in zip(row, col_widths, strict=True)] for row in rows]
    table = Table(data, colWidths=col_widths, repeatRows=1, splitByRow=1, splitInRow=1)
    commands: list[tuple] = [
        *table_base(),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.35, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
    ]
    if zebra and len(data) > 2:
        commands.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [None, ZEBRA]))
    table.setStyle(TableStyle(commands + list(extra)))
    return table
