"""Fixtures of the Excel/CSV/vCard tests (helpers live in _excel_support.py)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def import_file(svc: Any):  # type: ignore[no-untyped-def]
    """Import a file the way the CLI does: detect, map (remembered or automatic), plan, run."""
    from app.excel import source
    from app.excel.importer import OnDuplicate

    def run(path: Path, policy: str = "skip", sheet: str | None = None, dry_run: bool = False):  # type: ignore[no-untyped-def]
        plan = source.plan_file(path, sheet, remembered=svc.imports.remembered_mapping)
        return plan, svc.imports.run(plan, OnDuplicate(policy), dry_run=dry_run)

    return run
