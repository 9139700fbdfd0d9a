"""Imports from Excel, CSV and vCard: preview duplicates, run in ONE transaction, undo the last one,
and remember how a file's columns were mapped."""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from app.excel.columns import FIELD_BY_KEY, signature
from app.excel.dedupe import decide
from app.excel.importer import ImportPlan, OnDuplicate
from app.gcpause import gc_paused
from app.models import Setting
from app.progress import ProgressFn, no_progress, step
from app.services.base import ServiceBase
from app.services.import_job import ImportJob, ImportResult, existing_cards
from app.services.import_undo import (
    BatchInfo,
    NothingToUndo,
    UndoConflict,
    UndoResult,
    batch_info,
    last_batch,
    undo,
)

logger = logging.getLogger(__name__)

MAPPINGS_KEY = "import_mappings"
_MAX_REMEMBERED = 50

__all__ = ["BatchInfo", "DuplicatePreview", "ImportResult", "ImportService", "NothingToUndo", "UndoConflict",
           "UndoResult"]


@dataclass(frozen=True)
class DuplicatePreview:
    """How the good rows of a plan would be treated: counts and the duplicate rows themselves."""

    new: int
    in_archive: int
    in_file: int
    examples: tuple[tuple[int, str, str], ...]  # (row number, matched card or row, reason)


class _DryRun(Exception):
    def __init__(self, result: ImportResult) -> None:
        super().__init__("dry run")
        self.result = result


class ImportService(ServiceBase):
    """Everything an import writes goes through here, in one transaction per import."""

    # ----- remembered column mappings ----------------------------------------------------------
    def remembered_mapping(self, labels: Sequence[str]) -> tuple[str, ...] | None:
        """The mapping chosen last time for a header row like this one, or None."""
        with self.read() as s:
            row = s.get(Setting, MAPPINGS_KEY)
            stored = (row.value or {}) if row is not None else {}
        mapping = stored.get(signature(labels)) if isinstance(stored, dict) else None
        if not isinstance(mapping, list) or len(mapping) != len(labels):
            return None
        return tuple(k if k in FIELD_BY_KEY else "" for k in mapping)

    def _remember(self, s: Session, labels: Sequence[str], mapping: Sequence[str]) -> None:
        row = s.get(Setting, MAPPINGS_KEY)
        stored = dict(row.value or {}) if row is not None and isinstance(row.value, dict) else {}
        key = signature(labels)
        stored.pop(key, None)
        stored[key] = list(mapping)
        while len(stored) > _MAX_REMEMBERED:  # oldest first: dicts keep insertion order
            stored.pop(next(iter(stored)))
        if row is None:
            s.add(Setting(key=MAPPINGS_KEY, value=stored))
        else:
            row.value = stored

    # ----- preview, run ------------------------------------------------------------------------
    def preview(self, plan: ImportPlan, policy: OnDuplicate = OnDuplicate.SKIP) -> DuplicatePreview:
        """Duplicates of the plan's good rows against the archive and within the file (read only)."""
        with self.read() as s:
            existing = existing_cards(s)
        decisions = decide(plan.customers.good, existing, OnDuplicate.SKIP).items
        dups = [d for d in decisions if d.action != "create"]
        kinds = Counter(d.target[0] for d in dups if d.target is not None)
        examples = tuple((d.row.number, d.other, d.reason) for d in dups[:200])
        return DuplicatePreview(new=len(decisions) - len(dups), in_archive=kinds["card"], in_file=kinds["new"],
                                examples=examples)

    def run(self, plan: ImportPlan, policy: OnDuplicate = OnDuplicate.SKIP, *, dry_run: bool = False,
            remember: bool = True, progress: ProgressFn = no_progress) -> ImportResult:
        """Import the plan in ONE transaction (all or nothing). A dry run does everything, then rolls back."""
        try:
            with gc_paused(), self.write() as s:
                job = ImportJob(s, plan, OnDuplicate(policy), now=self.now(), actor=self.actor(),
                                progress=progress, audit=self.audit)
                result = job.execute()
                if remember:
                    self._remember(s, plan.customers.header.labels, plan.customers.mapping)
                if dry_run:
                    raise _DryRun(result)
        except _DryRun as dry:
            return replace(dry.result, batch_id=None, dry_run=True)
        logger.info("import committed: %s created, %s updated", result.created, result.updated)
        return result

    # ----- undo --------------------------------------------------------------------------------
    def last_batch(self) -> BatchInfo | None:
        """The newest import that can still be undone, or None."""
        with self.read() as s:
            batch = last_batch(s)
            return batch_info(batch) if batch is not None else None

    def undo_last(self, *, force: bool = False, progress: ProgressFn = no_progress) -> UndoResult:
        """Undo the newest import: remove the cards it created, restore the cards it changed.

        Raises UndoConflict when those cards were edited since (force=True then moves edited new cards
        to the recycle bin instead of deleting them), NothingToUndo when there is no import left.
        """
        step(progress, 0, 0, "正在撤销导入…")
        with self.write() as s:
            batch = last_batch(s)
            if batch is None:
                raise NothingToUndo("没有可以撤销的导入。")
            result = undo(s, batch, force=force, now=self.now(), actor=self.actor(), audit=self.audit)
        logger.info("import %s undone", result.batch_id)
        return result

