"""Which card windows are open (one per customer), and the drafts kept while the archive is locked.

Kept on ctx.extras (no globals). When the idle lock closes the cards, each hands over its unsaved
edits; once the same archive is unlocked again the cards reopen with those edits in place.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject
from PySide6.QtWidgets import QWidget

from app.errors import AppError
from ui.context import AppContext

if TYPE_CHECKING:
    from ui.customer_card import CustomerCardWindow

logger = logging.getLogger(__name__)
EXTRAS_KEY = "card_registry"


@dataclass(frozen=True)
class CardDraft:
    """A card that was open when the archive locked, with its unsaved edits (None when clean)."""

    customer_id: int | None
    kind: str
    snapshot: dict[str, object] | None
    page: int
    geometry: QByteArray


class CardRegistry(QObject):
    """The open card windows of one application context."""

    def __init__(self, ctx: AppContext, parent_widget: QWidget | None) -> None:
        super().__init__()
        self.ctx = ctx
        self.parent_widget = parent_widget
        self._by_id: dict[int, CustomerCardWindow] = {}
        self._new: list[CustomerCardWindow] = []  # unsaved new cards (no id yet)
        self._drafts: list[CardDraft] = []
        self._drafts_for: Path | None = None
        ctx.bus.archive_opened.connect(self._reopen)

    @classmethod
    def of(cls, ctx: AppContext, parent_widget: QWidget | None = None) -> CardRegistry:
        """The registry stored on ctx.extras (created on first use)."""
        registry = ctx.extras.get(EXTRAS_KEY)
        if not isinstance(registry, CardRegistry):
            registry = cls(ctx, parent_widget)
            ctx.extras[EXTRAS_KEY] = registry
        elif registry.parent_widget is None:
            registry.parent_widget = parent_widget
        return registry

    def find(self, customer_id: int) -> CustomerCardWindow | None:
        """The open window of a card, if any."""
        return self._by_id.get(customer_id)

    def windows(self) -> list[CustomerCardWindow]:
        """Every open card window."""
        return [*self._by_id.values(), *self._new]

    def add(self, window: CustomerCardWindow) -> None:
        """Remember an open window (a new card until it gets its id)."""
        if window.customer_id is None:
            self._new.append(window)
        else:
            self._by_id[window.customer_id] = window

    def saved_as(self, window: CustomerCardWindow, customer_id: int) -> None:
        """A new card was saved and now has an id."""
        if window in self._new:
            self._new.remove(window)
        self._by_id[customer_id] = window

    def remove(self, window: CustomerCardWindow) -> None:
        """Forget a closed window."""
        if window in self._new:
            self._new.remove(window)
        for key, value in list(self._by_id.items()):
            if value is window:
                del self._by_id[key]

    def keep(self, draft: CardDraft) -> None:
        """Hold a card closed by the lock, to reopen after unlocking the same archive."""
        if self._drafts_for != self.ctx.archive_path:
            self._drafts = []
        self._drafts_for = self.ctx.archive_path
        self._drafts.append(draft)

    def _reopen(self) -> None:
        drafts, self._drafts = self._drafts, []
        if not drafts or self._drafts_for != self.ctx.archive_path:
            return  # another archive was opened: its customers are not these
        from ui.customer_card import CustomerCardWindow

        for draft in drafts:
            try:
                window = CustomerCardWindow.open(self.parent_widget, self.ctx, draft.customer_id, draft.kind)
            except AppError:
                logger.info("a card open before the lock no longer exists; not reopened")
                continue
            window.restore_draft(draft)
