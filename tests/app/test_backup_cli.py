"""`clientfile backup create|verify|restore|list` with passwords from the environment."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from app import archive as af
from app.backup import list_backups, verify_backup
from app.cli import main
from app.config import MachineSettings
from app.db import open_archive
from app.services import Services
from tests.app._backup_support import BACKUP_PASSWORD, damage, fill, folder_state
from tests.conftest import PASSWORD


@pytest.fixture
def closed(archive: af.Archive, svc: Services) -> Path:
    """A filled archive, closed: the command line opens it itself."""
    fill(svc, n=15)
    archive.close()
    return archive.path


def _run(monkeypatch: pytest.MonkeyPatch, *argv: str, backup_password: str | None = None) -> int:
    monkeypatch.setenv("CLIENTFILE_PASSWORD", PASSWORD)
    if backup_password is None:
        monkeypatch.delenv("CLIENTFILE_BACKUP_PASSWORD", raising=False)
    else:
        monkeypatch.setenv("CLIENTFILE_BACKUP_PASSWORD", backup_password)
    return main(list(argv))


def test_create_verify_and_restore(closed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.cfbak"
    assert _run(monkeypatch, "--archive", str(closed), "backup", "create", str(out)) == 0
    assert "已写出并校验备份" in capsys.readouterr().out
    assert verify_backup(out, PASSWORD).customers == 16
    assert _run(monkeypatch, "backup", "verify", str(out)) == 0
    assert "备份完好" in capsys.readouterr().out
    target = tmp_path / "恢复" / "新.cfdb"
    assert _run(monkeypatch, "backup", "restore", str(out), "--to", str(target)) == 0
    printed = capsys.readouterr().out
    assert "已恢复档案" in printed and "改名保留" not in printed
    assert MachineSettings.load().known_salts[str(target.resolve())] == af.read_salt(target).hex()
    arc = open_archive(target, PASSWORD)
    assert Services.build(arc).customers.count() == 16
    arc.close()


def test_restore_into_the_archive_keeps_the_old_one(closed: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a.cfbak"
    assert _run(monkeypatch, "--archive", str(closed), "backup", "create", str(out)) == 0
    assert _run(monkeypatch, "--archive", str(closed), "backup", "restore", str(out)) == 0
    assert "原来的档案已改名保留" in capsys.readouterr().out
    assert len(list(closed.parent.glob("*.恢复前-*.cfdb"))) == 1


def test_own_backup_password_from_the_environment(closed: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "own.cfbak"
    assert _run(monkeypatch, "--archive", str(closed), "backup", "create", str(out),
                backup_password=BACKUP_PASSWORD) == 0
    assert "单独的密码" in capsys.readouterr().out
    assert _run(monkeypatch, "backup", "verify", str(out), backup_password=BACKUP_PASSWORD) == 0
    assert _run(monkeypatch, "backup", "verify", str(out)) == 1  # the archive's password does not open it
    assert "备份密码不正确" in capsys.readouterr().err


def test_create_without_out_writes_into_the_backup_folder(closed: Path, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "我的备份"
    settings = MachineSettings.load()
    settings.backup_dir = str(folder)
    settings.save()
    assert _run(monkeypatch, "--archive", str(closed), "backup", "create") == 0
    [info] = list_backups(folder)
    assert info.path.name.startswith(closed.stem + "-") and verify_backup(info.path, PASSWORD).verified
    assert _run(monkeypatch, "backup", "list") == 0
    assert info.path.name in capsys.readouterr().out
    assert _run(monkeypatch, "backup", "list", "--check") == 0
    assert "完好" in capsys.readouterr().out


def test_damaged_backup_is_reported_and_nothing_restored(closed: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "d.cfbak"
    assert _run(monkeypatch, "--archive", str(closed), "backup", "create", str(out)) == 0
    damage(out, "middle")
    capsys.readouterr()
    assert _run(monkeypatch, "backup", "verify", str(out)) == 1
    assert "已损坏" in capsys.readouterr().err
    before = folder_state(closed.parent)
    assert _run(monkeypatch, "--archive", str(closed), "backup", "restore", str(out)) == 1
    assert "错误" in capsys.readouterr().err
    assert folder_state(closed.parent) == before
    assert _run(monkeypatch, "backup", "list", "--folder", str(tmp_path), "--check") == 1


def test_missing_file_and_no_password_give_clear_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("CLIENTFILE_PASSWORD", raising=False)
    assert main(["backup", "verify", str(tmp_path / "none.cfbak")]) == 1
    assert "找不到备份文件" in capsys.readouterr().err
    (tmp_path / "x.cfbak").write_bytes(os.urandom(8192))
    assert main(["backup", "verify", str(tmp_path / "x.cfbak")]) == 1  # stdin is not a terminal here
    assert "CLIENTFILE_BACKUP_PASSWORD" in capsys.readouterr().err
