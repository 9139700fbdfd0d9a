"""The bundled CJK font (Droid Sans Fallback, Apache-2.0), for Qt and for every PDF."""
from __future__ import annotations

from functools import cache
from pathlib import Path

from app.config import resource_path

FONT_FILE = "DroidSansFallbackFull.ttf"
PDF_FONT_NAME = "CFSans"


def cjk_font_path() -> Path:
    """Path of the bundled CJK TrueType font."""
    return resource_path("fonts", FONT_FILE)


@cache
def register_pdf_font() -> str:
    """Register the font with reportlab (embedded as a subset in every PDF); returns its name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(PDF_FONT_NAME, str(cjk_font_path())))
    return PDF_FONT_NAME
