"""Shared fixtures: a real encrypted archive in a temporary folder, and its services."""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

import pytest

PASSWORD = "测试 pass'word%;"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own CLIENTFILE_HOME (settings, logs, default archive, backups)."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CLIENTFILE_HOME", str(home))
    monkeypatch.delenv("CLIENTFILE_PASSWORD", raising=False)
    monkeypatch.delenv("CLIENTFILE_BACKUP_PASSWORD", raising=False)
    return home


@pytest.fixture
def archive_path(tmp_path: Path) -> Path:
    """Where the test archive lives."""
    return tmp_path / "data" / "客户档案.cfdb"


@pytest.fixture(scope="session")
def _template_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One freshly created and migrated archive per session; tests get copies (same password)."""
    from app.db import create_archive

    path = tmp_path_factory.mktemp("template") / "template.cfdb"
    create_archive(path, PASSWORD).close()
    return path


@pytest.fixture
def archive(archive_path: Path, _template_archive: Path) -> Iterator[object]:
    """A fresh, open, encrypted archive (a copy of the session template, opened with PASSWORD)."""
    from app.db import open_archive
    from app.fileutil import make_private, make_private_dir

    make_private_dir(archive_path.parent)
    shutil.copyfile(_template_archive, archive_path)
    make_private(archive_path)
    arc = open_archive(archive_path, PASSWORD)
    yield arc
    arc.close()


class Clock:
    """A settable clock for services."""

    def __init__(self, now: datetime) -> None:
        self.value = now

    def __call__(self) -> datetime:
        return self.value


@pytest.fixture
def clock() -> Clock:
    """Services' clock, starting at 2026-11-22 09:30."""
    return Clock(datetime(2026, 11, 22, 9, 30))


@pytest.fixture
def svc(archive: object, clock: Clock) -> object:
    """Services over the test archive with the test clock."""
    from app.services import Services

    return Services.build(archive, clock=clock)  # type: ignore[arg-type]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config) -> None:
    """Print the built bundle's self-test in the CI log (tests/test_bundle.py)."""
    lines = getattr(config, "clientfile_bundle_report", [])
    if lines:
        terminalreporter.section("installer bundle self-test")
        for line in lines:
            terminalreporter.write_line(line)
