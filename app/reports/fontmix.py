"""Two fonts per line: the bundled CJK font has no Latin letters, digits or ASCII punctuation.

Droid Sans Fallback is made to sit behind a Latin font (it lacks 0-9, A-Z, '-', ':', '@', '“' …), so every
run of characters it lacks is set in Bitstream Vera Sans — the TrueType font that ships inside reportlab
(its licence is reportlab/fonts/bitstream-vera-license.txt) — and both are embedded as subsets.
Paragraph text goes through `markup()`; text drawn straight on the canvas through `draw()`.
"""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import textsplit
from reportlab.pdfbase.pdfmetrics import getFont, getRegisteredFontNames, registerFont, stringWidth
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import paragraph

from app.fonts import PDF_FONT_NAME, cjk_font_path
from app.reports.fontcache import load_ttfont

LATIN_FONT = "CFLatin"
LATIN_FILE = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"
# Chinese punctuation that must not start a line; reportlab's list is Japanese and lacks most of it
# (a lone '！' on the last line looks careless on a letter to a customer).
CHINESE_CANNOT_START = "！，；：？》〉”’】』｝〕…·%"


@cache
def fonts() -> tuple[str, str]:
    """Register both fonts (once); returns (cjk, latin) font names."""
    cjk = PDF_FONT_NAME  # the name app.fonts.register_pdf_font() gives it; registered once, whoever is first
    if cjk not in getRegisteredFontNames():
        registerFont(load_ttfont(cjk, cjk_font_path()))  # parsed tables from the cache: 0.25 s saved
    registerFont(TTFont(LATIN_FONT, str(LATIN_FILE)))
    _chinese_line_rules()
    return cjk, LATIN_FONT


def _chinese_line_rules() -> None:
    """Teach reportlab's CJK line breaking the Chinese 避头点 (it reads this module-level string)."""
    missing = "".join(ch for ch in CHINESE_CANNOT_START if ch not in textsplit.ALL_CANNOT_START)
    if missing:
        textsplit.ALL_CANNOT_START += missing
        paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START


@cache
def _latin_run() -> re.Pattern[str]:
    """Runs of characters the CJK font lacks and Vera has (spaces inside a run stay with it)."""
    cjk, latin = fonts()
    have = getFont(cjk).face.charToGlyph
    only_latin = sorted(code for code in getFont(latin).face.charToGlyph if code not in have and code > 32)
    cls = "".join(re.escape(chr(code)) for code in only_latin)
    return re.compile(f"([{cls}]+(?: +[{cls}]+)*)")


def runs(text: str) -> list[tuple[str, str]]:
    """(font name, chunk) pieces of one line of text, in order."""
    cjk, latin = fonts()
    parts = _latin_run().split(text)
    return [(latin if i % 2 else cjk, part) for i, part in enumerate(parts) if part]


def markup(text: object) -> str:
    """Plain text → Paragraph markup: escaped, Latin runs in the Latin font, line breaks kept."""
    if text is None:
        return ""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    pattern = _latin_run()
    out = []
    for line in lines:
        parts = pattern.split(line)
        out.append("".join(
            f'<font face="{LATIN_FONT}">{escape(part)}</font>' if i % 2 else escape(part)
            for i, part in enumerate(parts) if part
        ))
    return "<br/>".join(out)


def width(text: str, size: float) -> float:
    """The printed width of a line of mixed text."""
    return sum(stringWidth(chunk, font, size) for font, chunk in runs(text))


def draw(c: Canvas, x: float, y: float, text: str, size: float, *, align: str = "left",
         bold: bool = False) -> None:
    """Draw one line of mixed text; align 'left', 'right' (x is the right edge) or 'center'."""
    pieces = runs(text)
    if align != "left":
        total = sum(stringWidth(chunk, font, size) for font, chunk in pieces)
        x -= total if align == "right" else total / 2
    if bold:  # the fonts have no bold face: fill and stroke the outline a little
        c.saveState()  # the text render mode outlives the text object: restore it afterwards
        c.setStrokeColor(c._fillColorObj)
        c.setLineWidth(size * 0.014)
    t = c.beginText(x, y)
    if bold:
        t.setTextRenderMode(2)
    for font, chunk in pieces:
        t.setFont(font, size)
        t.textOut(chunk)
    c.drawText(t)
    if bold:
        c.restoreState()
