"""An import is all or nothing: cancelled or killed half-way, the archive is exactly as before; and an
import leaves no customer data in plaintext in the program's own files (logs, settings, temp files)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from app.excel import source
from app.progress import Cancelled
from app.rows import CustomerInput
from tests.app.excel._excel_support import full_digest, write_book
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[3]


def _many(tmp_path: Path, n: int, marker: str = "") -> Path:
    rows = [["姓名", "手机", "备注"]] + [[f"客户{i}", f"138{i:08d}", f"{marker}{i}"] for i in range(n)]
    return write_book(tmp_path / "many.xlsx", {"S": rows})


def test_cancel_half_way_changes_nothing(svc: Any, archive: Any, tmp_path: Path) -> None:
    svc.customers.create(CustomerInput(name="已有", mobile="13900000000"))
    before = full_digest(archive)
    plan = source.plan_file(_many(tmp_path, 5_500))
    seen: list[int] = []

    def progress(done: int, total: int, text: str) -> bool:
        seen.append(done)
        return not text.startswith("已写入")  # stop once the first chunk of cards is written

    with pytest.raises(Cancelled):
        svc.imports.run(plan, progress=progress)
    assert full_digest(archive) == before and svc.imports.last_batch() is None
    assert svc.customers.count() == 1


@pytest.mark.slow
def test_kill_9_during_a_large_import_loses_nothing(archive_path: Path, tmp_path: Path) -> None:
    from app.db import create_archive, open_archive

    archive = create_archive(archive_path, PASSWORD)
    try:
        from app.services import Services

        Services.build(archive).customers.create(CustomerInput(name="已有", mobile="13900000000"))
        before = full_digest(archive)
    finally:
        archive.close()
    book = _many(tmp_path, 6_000)
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from app.db import open_archive
        from app.excel import source
        from app.services import Services
        svc = Services.build(open_archive(Path({str(archive_path)!r}), {PASSWORD!r}))
        plan = source.plan_file(Path({str(book)!r}))
        def progress(done, total, text):
            if text.startswith("已写入"):
                print("WRITING", flush=True)
            return True
        svc.imports.run(plan, progress=progress)
        print("COMMITTED", flush=True)
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "WRITING", line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    reopened = open_archive(archive_path, PASSWORD)
    try:
        assert reopened.verify().ok
        assert full_digest(reopened) == before
    finally:
        reopened.close()


def test_no_plaintext_left_in_the_programs_own_files(svc: Any, archive: Any, archive_path: Path, tmp_path: Path,
                                                     _isolated_home: Path) -> None:
    marker = "MARKER7Q9Z"
    folder = tmp_path / "import"
    folder.mkdir()
    plan = source.plan_file(_many(folder, 50, marker))
    result = svc.imports.run(plan)
    assert result.created == 50
    svc.imports.undo_last()
    archive.close()
    needles = [marker.encode("utf-8"), marker.encode("utf-16-le"), "客户7".encode(), "客户7".encode("utf-16-le")]
    for folder in (archive_path.parent, _isolated_home):
        for path in folder.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert not any(n in data for n in needles), path
