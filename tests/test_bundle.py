"""The installer: build the PyInstaller bundle and run the BUILT program's self-test (issue 8)."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.mark.slow
@pytest.mark.timeout(2400)
def test_built_bundle_passes_its_self_test(tmp_path: Path, request: pytest.FixtureRequest) -> None:
    started = time.perf_counter()
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(tmp_path / "dist"), "--workpath", str(tmp_path / "build"), str(ROOT / "build_installer.spec")],
        cwd=ROOT, capture_output=True, text=True, timeout=2200,
    )
    build_s = time.perf_counter() - started
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    bundle = tmp_path / "dist" / "ClientFile"
    program = bundle / ("clientfile.exe" if os.name == "nt" else "clientfile")
    assert program.exists() and (bundle / ("ClientFile.exe" if os.name == "nt" else "ClientFile")).exists()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CLIENTFILE_HOME=str(tmp_path / "home"))
    env.pop("PYTHONPATH", None)
    started = time.perf_counter()
    run = subprocess.run([str(program), "--self-test"], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=600)
    test_s = time.perf_counter() - started
    # Printed in the CI log by tests/conftest.py's terminal summary.
    request.config.clientfile_bundle_report = [  # type: ignore[attr-defined]
        f"bundle built in {build_s:.0f} s; size {_folder_size(bundle) / 1024 / 1024:.0f} MB; "
        f"self-test of the built program took {test_s:.1f} s (exit {run.returncode})",
        *run.stdout.splitlines(),
    ]
    assert run.returncode == 0, run.stdout + run.stderr
    assert "✗" not in run.stdout
    assert not list((tmp_path / "home").rglob("*.cfdb")), "the self-test leaves no archive behind"

