"""A large archive opens with the cheap checks; the full page check runs in the background and, when a
page is damaged, closes the archive and offers the newest verified backup."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app import archive as af
from app.db import open_archive
from app.rows import CustomerInput
from tests.conftest import PASSWORD


def _damage_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[(len(data) // af.PAGE_SIZE // 2) * af.PAGE_SIZE + 300] ^= 0xFF
    path.write_bytes(bytes(data))


def test_damage_found_in_the_background_closes_the_archive_and_offers_backups(
        svc: object, archive: af.Archive, archive_path: Path, main_window: object, qtbot: object,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import restore_dialog
    from ui.background_check import BackgroundVerifier

    svc.customers.create_many([CustomerInput(name=f"客户{i}", remarks="很长的备注" * 50) for i in range(300)])
    main_window.close_archive()  # the window lets go of the fixture's archive
    archive.close()
    _damage_middle(archive_path)
    monkeypatch.setattr(af, "FULL_VERIFY_BYTES", 0)  # treat it as a big archive: cheap checks at open
    big = open_archive(archive_path, PASSWORD)
    assert not big.fully_verified
    shown, offered = [], []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: shown.append(a[2]))
    monkeypatch.setattr(restore_dialog, "offer_restore", lambda *a, **k: offered.append(a[2]))
    monkeypatch.setattr(main_window, "ask_unlock", lambda: None)
    verifier = BackgroundVerifier(main_window, main_window.ctx)
    main_window.attach(big)  # emits archive_opened → the verifier starts
    qtbot.waitUntil(lambda: bool(offered), timeout=60_000)
    assert main_window.ctx.services is None, "the damaged archive is closed"
    assert "损坏" in shown[0] and offered == [archive_path]
    verifier.wait(5)
    big.close()


def test_healthy_archive_is_left_alone(svc: object, main_window: object, qtbot: object,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.background_check import BackgroundVerifier

    verifier = BackgroundVerifier(main_window, main_window.ctx)
    monkeypatch.setattr(svc.archive, "_fully_verified", False)
    verifier.start()
    verifier.wait(60)
    qtbot.wait(50)
    assert main_window.ctx.services is svc and svc.archive.fully_verified
