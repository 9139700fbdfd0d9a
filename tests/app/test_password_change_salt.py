"""A password change forgets the remembered salt before the file is swapped, so dying half-way can never
make the old password look like a damaged file (it is reported as a wrong password, which it is)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app import archive as af
from app.cli import main
from app.config import MachineSettings
from app.db import open_archive
from app.errors import WrongPassword
from tests.conftest import PASSWORD

NEW = "新的密码 2026!"


@pytest.fixture
def closed_copy(archive_path: Path, _template_archive: Path) -> Path:
    archive_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template_archive, archive_path)
    settings = MachineSettings.load()
    settings.remember_archive(archive_path, af.read_salt(archive_path))
    settings.save()
    return archive_path


def test_dying_between_the_swap_and_recording_the_salt(closed_copy: Path) -> None:
    settings = MachineSettings.load()
    settings.forget_salt(closed_copy)  # what both the window and the command line do first
    settings.save()
    arc = open_archive(closed_copy, PASSWORD)
    af.rekey_file(closed_copy, arc.key_for_copy(), NEW)  # the swap … and the program dies here
    arc.engine.dispose()
    arc._lock.release()
    known = MachineSettings.load().known_salts.get(str(closed_copy.resolve()))
    salt = bytes.fromhex(known) if known else None
    with pytest.raises(WrongPassword):
        open_archive(closed_copy, PASSWORD, known_salt=salt)
    open_archive(closed_copy, NEW, known_salt=salt).close()


def test_the_command_line_forgets_the_salt_before_the_swap(closed_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str | None] = []
    real = af.rekey_file

    def spy(path: Path, key: bytes, new_password: str) -> bytes:
        seen.append(MachineSettings.load().known_salts.get(str(closed_copy.resolve())))
        return real(path, key, new_password)

    monkeypatch.setattr(af, "rekey_file", spy)
    monkeypatch.setenv("CLIENTFILE_PASSWORD", PASSWORD)
    monkeypatch.setenv("CLIENTFILE_NEW_PASSWORD", NEW)
    assert main(["--archive", str(closed_copy), "passwd"]) == 0
    assert seen == [None]
    assert MachineSettings.load().known_salts[str(closed_copy.resolve())] == af.read_salt(closed_copy).hex()
