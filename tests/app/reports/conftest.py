"""Printing fixtures: the test archive with the salesperson's profile set."""
from __future__ import annotations

import pytest
from _report_pdf import PROFILE


@pytest.fixture
def psvc(svc: object) -> object:
    """Services over the test archive with a salesperson profile (printed in every header)."""
    svc.settings.set_profile(PROFILE)  # type: ignore[attr-defined]
    return svc


@pytest.fixture
def outdir(tmp_path: object) -> object:
    """An empty folder for PDFs (tmp_path also holds the test archive)."""
    folder = tmp_path / "pdf"  # type: ignore[operator]
    folder.mkdir()
    return folder
