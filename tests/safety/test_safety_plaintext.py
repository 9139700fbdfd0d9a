"""No customer data in plaintext in any file the program writes: markers planted in every kind of field are
searched (UTF-8, UTF-16-LE/BE; inside zip members and PDF text too) in every file under CLIENTFILE_HOME and
the archive's folder — while the archive is open, after a crash (SIGKILL mid-write) and after close.
The exports the user asked for are the only files with hits, and they do hold the markers (the scan works)."""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from app.cli import main as cli
from app.config import MachineSettings, default_archive_path, default_backup_dir
from app.db import open_archive
from app.rows import CustomerInput, ListQuery
from app.services import Services
from tests.conftest import PASSWORD
from tests.safety._safety_support import CRASH_MARKERS, MARKERS, all_markers, files_under, scan, start_child

pytestmark = pytest.mark.slow
UPDATED = "改后备注标记壬癸"


def _home() -> Path:
    return Path(os.environ["CLIENTFILE_HOME"])


def _open_phase(path: Path) -> None:
    """What a working session writes: edits, searches, automatic and own-password backups, settings."""
    from app.backup import create_backup
    from app.backup_rotation import AutoBackup

    archive = open_archive(path, PASSWORD)
    try:
        svc = Services.build(archive)
        (row,) = svc.customers.list(ListQuery(search=MARKERS["name"])).rows
        card = svc.customers.get(row.id)
        svc.customers.update(row.id, replace(card.data, remarks=f"{MARKERS['remarks']} {UPDATED}"))
        assert svc.customers.list(ListQuery(search=MARKERS["mobile"])).total == 1
        svc.customers.create(CustomerInput(name=MARKERS["name"] + "二", mobile="13911112222"))
        assert svc.audit.history(row.id)
        AutoBackup(archive, default_backup_dir()).run(force=True)
        create_backup(archive, default_backup_dir() / "自己的密码.cfbak", password="备份 专用;%'密码🙂")
        machine = MachineSettings.load()
        machine.remember_archive(path, archive.salt)
        machine.save()
        wal = path.with_name(path.name + "-wal")
        assert wal.exists() and wal.stat().st_size > 0  # the scan below covers a live write-ahead log
        hits = scan(files_under(_home(), path.parent, Path(tempfile.gettempdir())), all_markers() | {"updated": UPDATED})
        assert hits == {}, f"plaintext while open: {hits}"
    finally:
        archive.close()


def _exports(path: Path, out: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The plaintext files a user asks for, through the command line: Excel, a card PDF, a calendar."""
    monkeypatch.setenv("CLIENTFILE_PASSWORD", PASSWORD)
    archive = open_archive(path, PASSWORD)
    try:
        (row,) = Services.build(archive).customers.list(ListQuery(search=MARKERS["mobile"])).rows
    finally:
        archive.close()
    out.mkdir()
    asked = [out / "全部.xlsx", out / "资料卡.pdf", out / "日历.ics"]
    base = ["--archive", str(path)]
    assert cli([*base, "export", str(asked[0]), "--what", "all"]) == 0
    assert cli([*base, "card", row.card_no, "-o", str(asked[1])]) == 0
    assert cli([*base, "ics", str(asked[2]), "--years", "2"]) == 0
    for command in (["info"], ["verify"], ["stats"], ["agenda", "--from", "2026-11-01", "--to", "2026-12-31"],
                    ["backup", "create"]):
        assert cli([*base, *command]) == 0, command
    return asked


@pytest.fixture
def system_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The system temp folder, redirected (for this process and its children) to a folder the scan covers."""
    folder = tmp_path / "系统临时文件夹"
    folder.mkdir()
    for name in ("TMPDIR", "TEMP", "TMP"):
        monkeypatch.setenv(name, str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _crash_report(qapp: object) -> None:
    """The GUI's crash hook handling an uncaught error whose text carries customer data."""
    from ui.error_dialog import CrashHandler

    handler = CrashHandler(lambda: None)
    handler.show_dialog = lambda: None  # type: ignore[method-assign]
    try:
        customer = MARKERS["name"]  # a local holding customer data, as real code has
        raise ValueError(f"无法处理客户 {customer}（{MARKERS['mobile']}）：{MARKERS['remarks']}")
    except ValueError as error:
        handler(type(error), error, error.__traceback__)


def test_markers_never_appear_outside_the_exports_the_user_asked_for(
        marked_template: Path, app_logging: Path, tmp_path: Path, system_temp: Path, qapp: object,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = default_archive_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(marked_template, path)
    markers = all_markers() | {"updated": UPDATED}
    _open_phase(path)
    _crash_report(qapp)
    roots = (_home(), path.parent, system_temp)
    assert "uncaught ValueError" in app_logging.read_text("utf-8")  # the crash report is in the scanned log
    assert scan(files_under(*roots), markers) == {}, "plaintext after close"

    asked = _exports(path, tmp_path / "导出", monkeypatch)
    hits = scan(files_under(*roots, tmp_path / "导出"), markers)
    assert set(hits) == {p.resolve() for p in asked}, f"plaintext outside the exports: {hits}"
    found = set().union(*hits.values())
    lost = set(markers) - found - {f"crash{i}" for i in range(len(CRASH_MARKERS))}
    assert not lost, f"no export holds {lost}: the scanner or the planting is broken"
    assert {"name", "mobile", "contact_name", "visit_content", "complaint_content"} <= hits[asked[0].resolve()]
    assert {"name", "mobile", "remarks"} <= hits[asked[1].resolve()]  # PDF text is found too
    assert "name" in hits[asked[2].resolve()]

    child = start_child("write", path, 100_000, old=PASSWORD)
    child.wait_for("COMMITTED", 3)
    assert child.kill()
    wal = path.with_name(path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0  # the crash left commits in the log: scanned too
    crash_hits = scan(files_under(*roots), markers)
    assert crash_hits == {}, f"plaintext after a crash: {crash_hits}"
    monkeypatch.setenv("CLIENTFILE_PASSWORD", PASSWORD)
    assert cli(["--archive", str(path), "verify"]) == 0  # reopened: the log replayed, checked, closed
    archive = open_archive(path, PASSWORD)
    try:
        assert Services.build(archive).customers.list(ListQuery(search=CRASH_MARKERS[0])).total >= 3
    finally:
        archive.close()
    assert scan(files_under(*roots), markers) == {}, "plaintext after the crash was recovered"
    logs = list((_home() / "logs").iterdir())
    assert logs and all(p.stat().st_size > 0 for p in logs if p.suffix == ".log")  # there was a log to scan


def test_a_crash_during_an_excel_export_leaves_plaintext_only_in_the_folder_the_user_chose(
        fresh_archive: Path, tmp_path: Path, system_temp: Path) -> None:
    archive = open_archive(fresh_archive, PASSWORD)
    try:
        Services.build(archive).customers.create_many(
            [CustomerInput(name=f"{MARKERS['name']}{i}", remarks=MARKERS["remarks"] * 5) for i in range(3000)])
    finally:
        archive.close()
    chosen = tmp_path / "导出"
    child = start_child("export", fresh_archive, chosen / "全部.xlsx", old=PASSWORD)  # TMPDIR: system_temp
    child.wait_for("PROGRESS 正在导出")  # the customer sheet is written; the other sheets are being written
    assert child.kill()
    assert not (chosen / "全部.xlsx").exists()  # a partial export never takes the export's name
    hits = scan(files_under(_home(), fresh_archive.parent, system_temp, chosen), MARKERS)
    outside = [p for p in hits if chosen.resolve() not in p.parents]
    assert not outside, f"plaintext left outside the folder the user chose: {outside}"
