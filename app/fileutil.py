"""Private files and folders, atomic writes, and the one-process-per-archive lock."""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from pathlib import Path
from typing import IO

from app.errors import ArchiveLocked

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def make_private_dir(path: Path) -> None:
    """Create a folder (and parents) readable only by the user.

    Only the folders created here are made private: an existing folder the user picked (say ~/Documents
    as the backup folder) keeps its permissions; the files written into it are 0600 anyway.
    """
    created = [p for p in (path, *path.parents) if not p.exists()]  # mkdir's mode reaches only the last one
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    if os.name == "posix":
        for folder in created:
            with contextlib.suppress(OSError):
                os.chmod(folder, PRIVATE_DIR)


def make_private(path: Path) -> None:
    """Make an existing file readable only by the user."""
    if os.name == "posix" and path.exists():
        os.chmod(path, PRIVATE_FILE)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entry list so a rename survives power loss (POSIX only)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_path_beside(target: Path) -> Path:
    """A fresh private temporary file name in the target's folder (same file system → atomic rename)."""
    make_private_dir(target.parent)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.unlink(name)
    return Path(name)


def atomic_replace(tmp: Path, target: Path) -> None:
    """Rename tmp over target atomically and make the rename durable."""
    make_private(tmp)
    os.replace(tmp, target)
    fsync_dir(target.parent)


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Write a whole file via a temporary file, fsync and rename."""
    tmp = temp_path_beside(target)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        atomic_replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


class ProcessLock:
    """An exclusive lock file beside the archive, held while it is open (a second instance is refused)."""

    def __init__(self, archive: Path) -> None:
        self.path = archive.with_name(archive.name + ".lock")
        self._fh: IO[bytes] | None = None

    def acquire(self) -> None:
        """Take the lock or raise ArchiveLocked."""
        fh = open(self.path, "a+b")  # noqa: SIM115 - held open for the lock's lifetime
        make_private(self.path)
        try:
            _lock_file(fh)
        except OSError:
            fh.close()
            raise ArchiveLocked(
                f"档案“{self.path.name[:-5]}”已在另一个 ClientFile 窗口中打开，请先关闭那个窗口。"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()).encode())
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        """Drop the lock (the lock file itself stays; it holds no data)."""
        if self._fh is not None:
            with contextlib.suppress(OSError):
                _unlock_file(self._fh)
            self._fh.close()
            self._fh = None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _lock_file(fh: IO[bytes]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock_file(fh: IO[bytes]) -> None:
        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_file(fh: IO[bytes]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(fh: IO[bytes]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
