"""Fixtures of the data-safety suite: closed archives with planted markers, the app's file logging, and
the application logging restored after each test (handlers added by the program are removed)."""
from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """configure_logging() adds a file handler to the root logger: take it away again after the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.fixture
def app_logging() -> Path:
    """The program's own log file (as the CLI and the GUI set it up), at DEBUG: the strictest setting."""
    from app.cli import configure_logging
    from app.config import log_dir

    configure_logging()
    logging.getLogger().setLevel(logging.DEBUG)
    return log_dir() / "clientfile.log"


@pytest.fixture
def fresh_archive(tmp_path: Path, _template_archive: Path) -> Path:
    """A closed, empty, migrated archive (a copy of the session template; password PASSWORD)."""
    from app.fileutil import make_private, make_private_dir

    path = tmp_path / "data" / "客户档案.cfdb"
    make_private_dir(path.parent)
    shutil.copyfile(_template_archive, path)
    make_private(path)
    return path


@pytest.fixture(scope="module")
def marked_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed archive with 40 sample cards and one card carrying every marker (made once per module)."""
    from datetime import date

    from app.db import create_archive
    from app.demo import generate
    from app.services import Services
    from tests.safety._safety_support import plant

    path = tmp_path_factory.mktemp("marked") / "客户档案.cfdb"
    arc = create_archive(path, PASSWORD)
    try:
        svc = Services.build(arc)
        generate(svc, n=40, seed=9, today=date(2026, 11, 22))
        plant(svc)
    finally:
        arc.close()
    return path


@pytest.fixture
def marked_archive(tmp_path: Path, marked_template: Path) -> Path:
    """A private copy of the marked archive, closed."""
    from app.fileutil import make_private, make_private_dir

    path = tmp_path / "data" / "客户档案.cfdb"
    make_private_dir(path.parent)
    shutil.copyfile(marked_template, path)
    make_private(path)
    return path


class ModalScript:
    """Answers the modal dialogs a flow opens, in order, as a user would (from a timer while exec() runs).

    steps: (widget class, action). Progress dialogs are left alone. A step whose dialog never comes, or an
    action that raises, is reported by check(); a dialog nobody answers is closed after `timeout` seconds
    so the suite never hangs.
    """

    def __init__(self, steps: list[tuple[type, object]], timeout: float = 120) -> None:
        from PySide6.QtCore import QTimer

        self.steps = list(steps)
        self.seen: list[object] = []
        self.error: BaseException | None = None
        self.timeout = timeout
        self._last = time.monotonic()
        self.timer = QTimer()
        self.timer.timeout.connect(self._tick)
        self.timer.start(30)

    def _tick(self) -> None:
        from PySide6.QtWidgets import QApplication, QProgressDialog

        modal = QApplication.activeModalWidget()
        if modal is None or isinstance(modal, QProgressDialog) or any(modal is s for s in self.seen):
            return
        if self.steps and isinstance(modal, self.steps[0][0]) and modal.isVisible():
            _kind, act = self.steps.pop(0)
            self.seen.append(modal)
            self._last = time.monotonic()
            try:
                act(modal)  # type: ignore[operator]
            except BaseException as error:  # reported by check(), not lost in the event loop
                self.error = error
                modal.close()
        elif time.monotonic() - self._last > self.timeout:
            self.error = AssertionError(f"unexpected modal {type(modal).__name__}: {modal.windowTitle()}")
            modal.close()

    def check(self) -> None:
        """Raise what went wrong; fail if a step was never reached."""
        self.timer.stop()
        if self.error is not None:
            raise self.error
        assert not self.steps, f"dialogs never shown: {[k.__name__ for k, _ in self.steps]}"


@pytest.fixture
def modal_script(qapp: object) -> Iterator[type[ModalScript]]:
    """ModalScript, with every script stopped after the test."""
    made: list[ModalScript] = []

    def make(steps: list[tuple[type, object]], timeout: float = 120) -> ModalScript:
        script = ModalScript(steps, timeout)
        made.append(script)
        return script

    yield make  # type: ignore[misc]
    for script in made:
        script.timer.stop()
