"""Opening in a worker thread (app.db.OpeningArchive): the same archive, the same errors, and real overlap."""
from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from app import archive as af
from app.db import OpeningArchive
from app.errors import ArchiveDamaged, ArchiveLocked, WrongPassword
from tests.conftest import PASSWORD


@pytest.fixture
def closed_copy(archive_path: Path, _template_archive: Path) -> Path:
    archive_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(_template_archive, archive_path)
    return archive_path


def test_result_is_an_open_verified_archive(closed_copy: Path) -> None:
    arc = OpeningArchive(closed_copy, PASSWORD).result()
    try:
        assert arc.is_open and arc.fully_verified
        with arc.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM customers").scalar() == 0
    finally:
        arc.close()


def test_wrong_password_is_raised_by_result_and_changes_nothing(closed_copy: Path) -> None:
    before = closed_copy.read_bytes()
    opening = OpeningArchive(closed_copy, "not the password")
    with pytest.raises(WrongPassword):
        opening.result()
    assert closed_copy.read_bytes() == before
    OpeningArchive(closed_copy, PASSWORD).result().close()  # the lock was released


def test_damage_and_a_second_instance_are_raised_by_result(closed_copy: Path) -> None:
    arc = OpeningArchive(closed_copy, PASSWORD).result()
    try:
        with pytest.raises(ArchiveLocked):
            OpeningArchive(closed_copy, PASSWORD).result()
    finally:
        arc.close()
    with closed_copy.open("r+b") as fh:  # flip bytes in the last page
        fh.seek(closed_copy.stat().st_size - af.PAGE_SIZE + 100)
        fh.write(b"\xff" * 16)
    with pytest.raises(ArchiveDamaged):
        OpeningArchive(closed_copy, PASSWORD).result()


def test_the_key_derivation_leaves_the_caller_free(closed_copy: Path) -> None:
    """While the worker derives the key (hashlib, without the GIL), this thread keeps running Python."""
    opening = OpeningArchive(closed_copy, PASSWORD)
    spins = 0
    while not opening.done():
        spins += 1
        time.sleep(0.001)
    assert spins > 20, "the caller was blocked while the archive opened"
    opening.result().close()
    assert not [t for t in threading.enumerate() if t.name == "open-archive"]


def test_opening_removes_what_a_killed_password_change_left_beside_it(closed_copy: Path) -> None:
    from app.fileutil import temp_path_beside

    stale = [temp_path_beside(closed_copy) for _ in range(2)]
    for tmp in stale:
        shutil.copyfile(closed_copy, tmp)  # encrypted, as a killed re-key leaves it
    wal = stale[0].with_name(stale[0].name + "-wal")
    wal.write_bytes(b"x")
    keep = [closed_copy.with_name("客户档案.cfdb.bak"), closed_copy.with_name(".other.cfdb.abc.tmp"),
            closed_copy.with_name("note.tmp")]
    for path in keep:
        path.write_bytes(b"keep")
    OpeningArchive(closed_copy, PASSWORD).result().close()
    assert not [p for p in [*stale, wal] if p.exists()]
    assert all(p.exists() for p in keep)
