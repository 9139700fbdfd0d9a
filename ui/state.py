"""Window geometry and table layout remembered between runs — the only place that touches QSettings.

Nothing here is customer data: only sizes, positions, splitter sizes and header state (column order,
widths, hidden columns, sort indicator).
"""
from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QHeaderView, QSplitter, QWidget

from app.config import config_dir
from app.fileutil import make_private, make_private_dir

_FILE = "window-state.ini"


def _settings() -> QSettings:
    # Beside the machine settings (so CLIENTFILE_HOME isolates it too), never in the registry.
    path = config_dir() / _FILE
    if not path.exists():  # private from the start: QSettings rewrites it keeping the file's permissions
        make_private_dir(path.parent)
        path.touch()
        make_private(path)
    return QSettings(str(path), QSettings.Format.IniFormat)


def _load(key: str) -> QByteArray | None:
    value = _settings().value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def save_window(key: str, window: QWidget) -> None:
    """Remember a top-level window's geometry (and a QMainWindow's toolbar/dock state)."""
    settings = _settings()
    settings.setValue(f"{key}/geometry", window.saveGeometry())
    save_state = getattr(window, "saveState", None)
    if callable(save_state):
        settings.setValue(f"{key}/state", save_state())


def restore_window(key: str, window: QWidget) -> bool:
    """Put a window back where it was; False when nothing was remembered."""
    geometry = _load(f"{key}/geometry")
    if geometry is None:
        return False
    window.restoreGeometry(geometry)
    state = _load(f"{key}/state")
    restore_state = getattr(window, "restoreState", None)
    if state is not None and callable(restore_state):
        restore_state(state)
    return True


def save_header(key: str, header: QHeaderView) -> None:
    """Remember column order, widths and which columns are hidden."""
    _settings().setValue(f"{key}/header", header.saveState())


def restore_header(key: str, header: QHeaderView) -> bool:
    """Restore a remembered header layout; False when none was remembered or it did not fit."""
    state = _load(f"{key}/header")
    return state is not None and header.restoreState(state)


def save_splitter(key: str, splitter: QSplitter) -> None:
    """Remember a splitter's sizes."""
    _settings().setValue(f"{key}/splitter", splitter.saveState())


def restore_splitter(key: str, splitter: QSplitter) -> bool:
    """Restore a remembered splitter; False when none was remembered."""
    state = _load(f"{key}/splitter")
    return state is not None and splitter.restoreState(state)


def forget(key: str) -> None:
    """Drop everything remembered under a key (used by 恢复默认列)."""
    settings = _settings()
    settings.remove(key)
