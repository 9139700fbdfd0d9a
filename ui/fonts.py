"""Register the bundled CJK font with Qt so Chinese renders with or without system fonts."""
from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.fonts import cjk_font_path

logger = logging.getLogger(__name__)


def install_app_font(app: QApplication, point_size: int = 10) -> str:
    """Load the bundled font and make it the application default; returns its family name."""
    font_id = QFontDatabase.addApplicationFont(str(cjk_font_path()))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        logger.warning("bundled CJK font could not be loaded")
        return app.font().family()
    font = QFont(families[0], point_size)
    app.setFont(font)
    return families[0]
