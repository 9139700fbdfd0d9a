"""Draw the application icon (resources/icons/clientfile.png, .ico) with the bundled font. Run once."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QFont, QFontDatabase, QGuiApplication, QImage, QPainter  # noqa: E402

from app.fonts import cjk_font_path  # noqa: E402


def draw(size: int) -> QImage:
    """A calm blue card with 客 on it."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor("#1f5f99"))
    painter.setPen(Qt.PenStyle.NoPen)
    margin = size * 0.06
    painter.drawRoundedRect(QRectF(margin, margin, size - 2 * margin, size - 2 * margin), size * 0.18, size * 0.18)
    painter.setBrush(QColor("#f2b134"))
    painter.drawRect(QRectF(margin, size * 0.70, size - 2 * margin, size * 0.08))
    family = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(cjk_font_path())))[0]
    font = QFont(family)
    font.setPixelSize(int(size * 0.52))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, size * 0.02, size, size * 0.68), Qt.AlignmentFlag.AlignCenter, "客")
    painter.end()
    return image


def main() -> None:
    QGuiApplication(sys.argv)
    out = ROOT / "resources" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    draw(256).save(str(out / "clientfile.png"))
    draw(256).save(str(out / "clientfile.ico"))
    print("written", sorted(p.name for p in out.iterdir()))


if __name__ == "__main__":
    main()
