"""app/ never imports PySide6: every module imported in a fresh interpreter leaves Qt unloaded."""
from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import app

ROOT = Path(__file__).resolve().parents[2]


def test_every_app_module_imports_without_pyside6() -> None:
    modules = sorted(m.name for m in pkgutil.walk_packages(app.__path__, "app.") if ".migrations" not in m.name)
    assert len(modules) > 15
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print('LOADED', bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
