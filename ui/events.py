"""The change-notification bus: pages listen here instead of calling each other."""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class Bus(QObject):
    """A few signals that say what changed; emitted after a service call succeeded."""

    customers_changed = Signal()  # cards added, edited, deleted, restored, imported
    customer_changed = Signal(int)  # one card (id) changed: its window and the list row refresh
    records_changed = Signal(int)  # visits/deals/complaints/… of a card changed (customer id)
    settings_changed = Signal()
    archive_opened = Signal()
    archive_locked = Signal()  # every view must clear itself
