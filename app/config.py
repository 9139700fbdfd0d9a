"""Where ClientFile keeps things, and the small per-machine settings file (no customer data in it)."""
from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import platformdirs

from app import APP_NAME
from app.fileutil import atomic_write_bytes, make_private_dir

logger = logging.getLogger(__name__)

ARCHIVE_SUFFIX = ".cfdb"
BACKUP_SUFFIX = ".cfbak"


def resource_path(*parts: str) -> Path:
    """A file under resources/, in the source tree or inside the PyInstaller bundle."""
    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return base.joinpath("resources", *parts)


def data_dir() -> Path:
    """The user's data folder (archive and backups), overridable with CLIENTFILE_HOME."""
    override = os.environ.get("CLIENTFILE_HOME")
    base = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return base


def config_dir() -> Path:
    """The folder of the per-machine settings file and logs."""
    override = os.environ.get("CLIENTFILE_HOME")
    if override:
        return Path(override) / "config"
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    """The folder of the log files."""
    override = os.environ.get("CLIENTFILE_HOME")
    if override:
        return Path(override) / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_archive_path() -> Path:
    """The archive used when no --archive is given."""
    return data_dir() / f"客户档案{ARCHIVE_SUFFIX}"


def default_backup_dir() -> Path:
    """Where automatic backups go unless the user picks another folder."""
    return data_dir() / "备份"


@dataclass
class MachineSettings:
    """Settings of this computer, not of the customer file (those live in the archive)."""

    last_archive: str = ""
    recent_archives: list[str] = field(default_factory=list)
    # Archive path → hex salt (first 16 bytes). Not secret; lets us tell a damaged salt from a wrong password.
    known_salts: dict[str, str] = field(default_factory=dict)
    idle_lock_minutes: int = 10
    backup_dir: str = ""
    auto_backup_minutes: int = 30

    @classmethod
    def load(cls, path: Path | None = None) -> MachineSettings:
        """Read the settings file; a missing or broken file gives the defaults (and is logged)."""
        path = path or settings_path()
        try:
            raw = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError) as exc:
            logger.warning("settings file unreadable, using defaults: %s", type(exc).__name__)
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})

    def save(self, path: Path | None = None) -> None:
        """Write the settings file atomically and privately."""
        path = path or settings_path()
        make_private_dir(path.parent)
        atomic_write_bytes(path, json.dumps(asdict(self), ensure_ascii=False, indent=2).encode("utf-8"))

    def remember_archive(self, archive: Path, salt: bytes | None) -> None:
        """Put an archive first in the recent list and record its salt."""
        key = str(archive.resolve())
        self.last_archive = key
        self.recent_archives = [key, *[p for p in self.recent_archives if p != key][:9]]
        if salt:
            self.known_salts[key] = salt.hex()


    def forget_salt(self, archive: Path) -> None:
        """Before a password change: the file gets a new salt, and if the program dies after the swap but
        before the new salt is recorded, a remembered old salt would make the old password read as a
        damaged salt. With none remembered it reads as a wrong password, which it is."""
        self.known_salts.pop(str(archive.resolve()), None)


def settings_path() -> Path:
    """The per-machine settings file."""
    return config_dir() / "settings.json"
