"""Colours and paragraph styles of every printout: calm ink, one navy accent, CJK line breaking."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle

from app.reports.fontmix import fonts, markup

INK = HexColor("#1f2933")
ACCENT = HexColor("#1f4e79")
MUTED = HexColor("#66717f")
RULE = HexColor("#c3cad4")
SHADE = HexColor("#eef2f7")
ZEBRA = HexColor("#f7f9fb")
WARN = HexColor("#a8322d")
WARN_BG = HexColor("#fcf0ee")
WRITE_LINE = HexColor("#9aa5b1")


@dataclass(frozen=True)
class Styles:
    """The paragraph styles documents use."""

    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    label: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    cover_title: ParagraphStyle
    cover_line: ParagraphStyle
    cover_company: ParagraphStyle
    warn: ParagraphStyle
    month: ParagraphStyle


@cache
def styles() -> Styles:
    """The shared styles (built once, after the CJK font is registered)."""
    font, latin = fonts()
    base = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, textColor=INK, wordWrap="CJK",
                          alignment=TA_LEFT, bulletFontName=latin)

    def derive(name: str, **kw: object) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **kw)

    return Styles(
        body=base,
        small=derive("small", fontSize=8.5, leading=12),
        muted=derive("muted", fontSize=8.5, leading=12, textColor=MUTED),
        cell=derive("cell", fontSize=8.2, leading=10.8),
        cell_head=derive("cell_head", fontSize=8.2, leading=10.8, textColor=ACCENT),
        label=derive("label", fontSize=8.2, leading=10.8, textColor=MUTED),
        title=derive("title", fontSize=17, leading=22, textColor=ACCENT),
        subtitle=derive("subtitle", fontSize=9.5, leading=13, textColor=MUTED),
        cover_title=derive("cover_title", fontSize=28, leading=36, textColor=ACCENT, alignment=TA_CENTER),
        cover_line=derive("cover_line", fontSize=13, leading=22, alignment=TA_CENTER),
        cover_company=derive("cover_company", fontSize=12, leading=18, textColor=MUTED, alignment=TA_CENTER),
        warn=derive("warn", fontSize=8.5, leading=11.5, textColor=WARN),
        month=derive("month", fontSize=9.5, leading=12, textColor=ACCENT),
    )


def esc(text: object) -> str:
    """Text → Paragraph markup: XML-escaped, Latin runs in the Latin font, line breaks kept."""
    return markup(text)
