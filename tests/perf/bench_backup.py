"""Backup benchmarks: write, verify and restore a .cfbak next to the raw floors measured in the same run.

Floors: sqlcipher_export alone (a bare keyed connection exporting into a keyed attached file — the copy
every backup makes, without the checks and the digest), cipher_integrity_check alone (the HMAC pass a
verify makes), and a plain file copy (what the disk costs). The other passes a backup and a verify are made
of — quick_check, integrity_check, data_digest — are printed alone too (stderr). A default backup copies
the encrypted file and runs: a digest of the archive's snapshot and one of the copy (in parallel), then
cipher_integrity_check and quick_check of the copy (in parallel); a verify runs those three on the backup.
Target: backup and verify of 100k customers ≤ 5 s each.

Run:  python tests/perf/bench_backup.py [--sizes 10000 100000] [--repeat 3]
Archives are the sample archives of tests/perf/bench_core.py (app.demo), generated once under perf-results/.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app import archive as af  # noqa: E402
from app.backup import create_backup, verify_backup  # noqa: E402
from app.backup_restore import restore_backup  # noqa: E402
from app.db import create_archive, open_archive  # noqa: E402
from app.demo import generate  # noqa: E402
from app.services import Services  # noqa: E402

PASSWORD = "bench-password"  # the same cached sample archives as bench_core.py
CACHE = ROOT / "perf-results"
TARGET_S = 5.0


def archive_for(n: int) -> Path:
    """The cached sample archive of n customers (generated on first use, shared with bench_core.py)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"bench-{n}.cfdb"
    if not path.exists():
        print(f"generating {n} customers (once)…", file=sys.stderr)
        arc = create_archive(path, PASSWORD)
        try:
            generate(Services.build(arc), n=n, seed=7)
        finally:
            arc.close()
    return path


def timed(fn: Callable[[int], object], repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time (all threads of this process) in seconds over repeat runs.

    Both matter on a shared machine: wall is what the user waits, CPU is the work, independent of load.
    """
    walls, cpus = [], []
    for i in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        fn(i)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def raw_export(src: Path, key: bytes, salt: bytes, dest: Path) -> None:
    """The floor of a backup: sqlcipher_export into a keyed attached file, nothing else."""
    conn = af.raw_connect(src, key, readonly=True)
    try:
        conn.execute("ATTACH DATABASE ? AS cf_copy KEY ?", (f"file:{dest}?mode=rwc", af.same_key_spec(key, salt)))
        conn.execute("SELECT sqlcipher_export('cf_copy')")
        conn.execute("DETACH DATABASE cf_copy")
    finally:
        conn.close()


def raw_hmac_pass(path: Path, key: bytes) -> None:
    """The floor of a verify: one cipher_integrity_check over every page."""
    conn = af.raw_connect(path, key, readonly=True)
    try:
        conn.execute("PRAGMA cipher_integrity_check").fetchall()
    finally:
        conn.close()


def raw_passes(path: Path, key: bytes, repeat: int) -> dict[str, tuple[float, float]]:
    """The single passes a backup and a verify are made of, each alone on one connection."""
    from app.backup_digest import data_digest

    conn = af.raw_connect(path, key, readonly=True)
    try:
        conn.execute("PRAGMA cache_size = -65536")
        return {
            "quick_check": timed(lambda i: conn.execute("PRAGMA quick_check").fetchall(), repeat),
            "integrity_check": timed(lambda i: conn.execute("PRAGMA integrity_check").fetchall(), repeat),
            "data_digest": timed(lambda i: data_digest(conn), repeat),
        }
    finally:
        conn.close()


def bench_size(n: int, repeat: int, work: Path) -> list[tuple]:
    """Rows of the table for one archive size."""
    cached = archive_for(n)
    src = work / f"a{n}.cfdb"
    copy_s = timed(lambda i: shutil.copyfile(cached, src if i == 0 else work / f"copy{n}-{i}.bin"), repeat)
    size_mb = src.stat().st_size / 1024 / 1024
    salt = af.read_salt(src)
    key = af.derive_key(PASSWORD, salt)
    export_s = timed(lambda i: raw_export(src, key, salt, work / f"raw{n}-{i}.db"), repeat)
    arc = open_archive(src, PASSWORD)
    try:
        backup_s = timed(lambda i: create_backup(arc, work / f"b{n}-{i}.cfbak"), repeat)
    finally:
        arc.close()
    backup = work / f"b{n}-0.cfbak"
    hmac_s = timed(lambda i: raw_hmac_pass(backup, key), repeat)
    verify_s = timed(lambda i: verify_backup(backup, PASSWORD), repeat)
    restore_s = timed(lambda i: restore_backup(backup, PASSWORD, work / f"r{n}-{i}.cfdb"), repeat)
    for name, (wall, cpu) in raw_passes(backup, key, repeat).items():
        print(f"{n:>9} customers: {name} alone {wall:.2f} s wall, {cpu:.2f} s cpu", file=sys.stderr)
    return [
        (n, size_mb, "backup (write+verify)", backup_s, "sqlcipher_export", export_s, copy_s),
        (n, size_mb, "verify backup", verify_s, "cipher_integrity_check", hmac_s, copy_s),
        (n, size_mb, "restore (as new archive)", restore_s, "sqlcipher_export", export_s, copy_s),
    ]


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for n in args.sizes:
        with tempfile.TemporaryDirectory(prefix="cf-bench-backup-") as tmp:
            rows += bench_size(n, args.repeat, Path(tmp))
    print(f"{'customers':>9} | {'MB':>6} | {'what':<24} | {'app wall':>8} | {'app cpu':>7} | {'floor':<22} | "
          f"{'fl. wall':>8} | {'fl. cpu':>7} | {'ratio':>5} | {'file copy':>9} | target")
    print("-" * 136)
    for n, mb, what, (app_s, app_cpu), floor_name, (floor_s, floor_cpu), (copy_s, _) in rows:
        targeted = n >= 100_000 and not what.startswith("restore")
        verdict = ("≤ 5 s ok" if app_s <= TARGET_S else "> 5 s") if targeted else ""
        print(f"{n:>9} | {mb:>6.1f} | {what:<24} | {app_s:>7.2f}s | {app_cpu:>6.2f}s | {floor_name:<22} | "
              f"{floor_s:>7.2f}s | {floor_cpu:>6.2f}s | {app_s / floor_s:>5.1f} | {copy_s:>8.2f}s | {verdict}")
    kdf_wall, kdf_cpu = timed(lambda i: af.derive_key(PASSWORD, b"0" * 16), 3)
    print(f"\nkey derivation alone (paid once by verify and restore): {kdf_wall:.2f} s wall, {kdf_cpu:.2f} s cpu"
          f" (0.26 s on an idle core: the wall/cpu gap is the load of other processes)")


if __name__ == "__main__":
    main()
