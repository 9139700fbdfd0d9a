"""The one application context handed to every window and page (no globals, no singletons)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.config import MachineSettings
from app.services import Services
from ui.events import Bus


@dataclass
class AppContext:
    """What the GUI shares: the open services (None while locked), the bus and machine settings."""

    bus: Bus
    machine: MachineSettings
    archive_path: Path | None = None
    services: Services | None = None
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def svc(self) -> Services:
        """The services of the open archive (raises if locked: views are cleared before that)."""
        if self.services is None:
            raise RuntimeError("archive is locked")
        return self.services

    @property
    def is_open(self) -> bool:
        """True while an archive is unlocked."""
        return self.services is not None
