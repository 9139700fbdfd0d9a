"""The application's look: Fusion style, a calm light palette and one small style sheet."""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

ACCENT = "#2f6fb0"
DANGER = "#b3261e"
OK = "#2e7d32"
MUTED = "#6b7280"

GRADE_COLOURS = {"A": "#b3261e", "B": "#c77700", "C": "#2f6fb0", "D": "#6b7280"}

_SHEET = f"""
QListWidget#navigation {{
    background: #eef2f7; border: none; border-right: 1px solid #d5dbe3; outline: 0;
    padding-top: 6px;
}}
QListWidget#navigation::item {{ padding-left: 14px; margin: 1px 6px; border-radius: 4px; }}
QListWidget#navigation::item:selected {{ background: {ACCENT}; color: white; }}
QListWidget#navigation::item:hover:!selected {{ background: #dde5ef; }}
QTableView {{ gridline-color: #e3e7ec; selection-background-color: #cfe0f3; selection-color: black; }}
QHeaderView::section {{ padding: 4px 6px; background: #f3f5f8; border: none;
    border-right: 1px solid #e1e5ea; border-bottom: 1px solid #d5dbe3; }}
QLabel[role="title"] {{ font-size: 16pt; font-weight: bold; }}
QLabel[role="hint"] {{ color: {MUTED}; }}
QLabel[role="error"] {{ color: {DANGER}; }}
QLabel[role="ok"] {{ color: {OK}; }}
QLabel[role="warning"] {{ color: #8a5300; background: #fff6e0; border: 1px solid #f0d9a0;
    border-radius: 4px; padding: 6px; }}
QFrame[role="card"] {{ background: white; border: 1px solid #dfe3e8; border-radius: 6px; }}
QPushButton[role="primary"] {{ background: {ACCENT}; color: white; border: none; border-radius: 4px;
    padding: 6px 16px; }}
QPushButton[role="primary"]:disabled {{ background: #9db7d3; }}
QPushButton[role="danger"] {{ color: {DANGER}; }}
QStatusBar QLabel {{ padding: 0 8px; }}
"""


def apply_style(app: QApplication) -> None:
    """Fusion with a light palette (same look on Windows, macOS and Linux) and the style sheet."""
    fusion = QStyleFactory.create("Fusion")
    if fusion is not None:
        app.setStyle(fusion)
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f7f8fa"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f6f8fb"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor(ACCENT))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.ToolTipBase, QColor("#ffffe8"))
    app.setPalette(palette)
    app.setStyleSheet(_SHEET)
