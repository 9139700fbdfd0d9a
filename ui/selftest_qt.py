"""The Qt part of `clientfile --self-test`: load the bundled font and draw Chinese offscreen."""
from __future__ import annotations

import os
import sys

from app.fonts import cjk_font_path


def check_qt_rendering() -> str:
    """Draw 客户档案 with the bundled font on an offscreen image; raise if nothing was drawn."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QImage, QPainter

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    families = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(cjk_font_path())))
    if not families:
        raise RuntimeError("Qt 无法加载内置中文字体")
    image = QImage(200, 40, QImage.Format.Format_RGB32)
    image.fill(0xFFFFFF)
    painter = QPainter(image)
    painter.setFont(QFont(families[0], 14))
    painter.drawText(5, 30, "客户档案")
    painter.end()
    dark = sum(1 for x in range(200) for y in range(40) if image.pixel(x, y) & 0xFF < 128)
    if dark < 50:
        raise RuntimeError("Qt 未画出中文")
    return f"Qt {app.platformName() or 'offscreen'}：字体 {families[0]}，中文已绘制"
