"""Private files and one instance: everything the program writes under CLIENTFILE_HOME and beside the archive
is 0600 (folders 0700) on POSIX, even under a permissive umask; an archive open in another process is
refused with a clear message, and a SIGKILLed holder releases it."""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.backup import create_backup
from app.backup_restore import restore_backup
from app.backup_rotation import AutoBackup
from app.cli import main as cli
from app.config import MachineSettings, default_archive_path, default_backup_dir
from app.db import create_archive, open_archive
from app.errors import ArchiveLocked
from app.rows import CustomerInput
from app.services import Services
from tests.conftest import PASSWORD
from tests.safety._safety_support import start_child

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and flock")


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """A umask that would make new files world-readable: privacy must not depend on the user's umask."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _not_private(root: Path, skip: Path) -> list[str]:
    """Files not 0600 and folders not 0700 under root (root itself, made by the test, excluded)."""
    bad = []
    for path in root.rglob("*"):
        if path == skip or skip in path.parents:
            continue
        mode = stat.S_IMODE(path.lstat().st_mode)
        want = 0o700 if path.is_dir() else 0o600
        if mode != want:
            bad.append(f"{path.relative_to(root)} {mode:o}")
    return bad


def test_every_file_and_folder_the_program_writes_is_private(
        permissive_umask: None, app_logging: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = Path(os.environ["CLIENTFILE_HOME"])
    path = default_archive_path()
    archive = create_archive(path, PASSWORD)
    try:
        svc = Services.build(archive)
        svc.customers.create_many([CustomerInput(name=f"客户{i}") for i in range(50)])
        assert path.with_name(path.name + "-wal").exists()
        open_now = _not_private(home, skip=home / "导出")  # the write-ahead log and -shm while open
        AutoBackup(archive, default_backup_dir()).run(force=True)
        backup = create_backup(archive, home / "U盘" / "备份" / "手动.cfbak", password="备份专用密码!").path
        machine = MachineSettings.load()
        machine.remember_archive(path, archive.salt)
        machine.save()
    finally:
        archive.close()
    assert open_now == []
    restore_backup(backup, "备份专用密码!", path)  # keeps the current archive under a new name first
    monkeypatch.setenv("CLIENTFILE_PASSWORD", "备份专用密码!")
    assert cli(["--archive", str(path), "export", str(home / "导出" / "客户.xlsx")]) == 0
    assert cli(["--archive", str(path), "backup", "create"]) == 0
    assert cli(["--archive", str(path), "verify"]) == 0
    written = {p.relative_to(home).as_posix() for p in home.rglob("*")}
    assert {"客户档案.cfdb", "备份", "logs/clientfile.log", "config/settings.json", "U盘/备份/手动.cfbak"} <= written
    assert any("恢复前" in name for name in written)
    assert _not_private(home, skip=home / "导出") == []
    assert stat.S_IMODE((home / "导出" / "客户.xlsx").stat().st_mode) == 0o600  # even the export the user asked for


def test_an_archive_open_in_another_process_is_refused_until_that_process_dies(fresh_archive: Path) -> None:
    holder = start_child("hold", fresh_archive, old=PASSWORD)
    try:
        holder.wait_for("READY")
        for attempt in range(2):
            with pytest.raises(ArchiveLocked, match="另一个 ClientFile 窗口") as caught:
                open_archive(fresh_archive, PASSWORD)
            assert fresh_archive.name in str(caught.value), attempt
        with pytest.raises(ArchiveLocked):
            create_archive(fresh_archive, PASSWORD)  # not even "create" may touch it
    finally:
        assert holder.kill()  # SIGKILL: no clean-up ran in the holder
    assert (fresh_archive.with_name(fresh_archive.name + ".lock")).read_text() == str(holder.proc.pid)
    archive = open_archive(fresh_archive, PASSWORD)  # the kernel released the flock with the process
    try:
        assert archive.verify().ok
        assert Services.build(archive).customers.count() == 0
    finally:
        archive.close()


def test_the_window_state_file_of_the_gui_is_private(permissive_umask: None, svc: object, archive_path: Path,
                                                     qtbot: object) -> None:
    from ui.idle_lock import IdleLock
    from ui.main import build_context, create_application
    from ui.main_window import MainWindow

    home = Path(os.environ["CLIENTFILE_HOME"])
    app = create_application()
    ctx = build_context(MachineSettings())
    ctx.archive_path, ctx.services = archive_path, svc  # type: ignore[assignment]
    idle = IdleLock(app, 10)
    window = MainWindow(ctx, idle)
    window.show()
    qtbot.waitExposed(window)  # type: ignore[attr-defined]
    ctx.services = None  # the archive fixture closes its archive; closing the window saves its geometry
    window.close()
    idle.uninstall()
    ini = home / "config" / "window-state.ini"
    assert ini.exists() and ini.stat().st_size
    assert _not_private(home, skip=home / "none") == []


def test_an_existing_folder_the_user_picks_keeps_its_permissions(permissive_umask: None, tmp_path: Path) -> None:
    """Only folders the program creates are made 0700; a chosen ~/Documents is not taken over."""
    from app.fileutil import make_private_dir

    documents = tmp_path / "Documents"
    documents.mkdir(mode=0o755)
    os.chmod(documents, 0o755)
    make_private_dir(documents)
    assert stat.S_IMODE(documents.stat().st_mode) == 0o755
    make_private_dir(documents / "客户档案备份" / "2026")
    assert stat.S_IMODE(documents.stat().st_mode) == 0o755
    assert stat.S_IMODE((documents / "客户档案备份").stat().st_mode) == 0o700
    assert stat.S_IMODE((documents / "客户档案备份" / "2026").stat().st_mode) == 0o700
