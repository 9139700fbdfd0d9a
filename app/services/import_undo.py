"""Undoing the last import exactly: its new cards are removed, the cards it changed get back the very
values they had (the before-image holds them as stored), and nothing edited since is lost silently."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.errors import AppError
from app.models import AuditEntry, Customer, CustomerTag, GradeChange, ImportBatch, Tag
from app.services.bulk import Bulk
from app.services.import_children import MODELS

CUSTOMERS = Customer.__table__


@dataclass(frozen=True)
class BatchInfo:
    """One recorded import."""

    id: int
    at: datetime
    source: str
    created: int
    changed: int
    undone_at: datetime | None


@dataclass(frozen=True)
class UndoResult:
    """What undoing an import did."""

    batch_id: int
    source: str
    removed: int
    restored: int
    recycled: int


class UndoConflict(AppError):
    """Cards of the import were edited afterwards; undoing would lose those edits."""

    def __init__(self, message: str, cards: tuple[str, ...]) -> None:
        super().__init__(message)
        self.cards = cards


class NothingToUndo(AppError):
    """There is no import left to undo."""


def batch_info(batch: ImportBatch) -> BatchInfo:
    """The plain row of a batch."""
    images = batch.before_images or {}
    return BatchInfo(batch.id, batch.at, batch.source, len(batch.created_ids or []),
                     len(images.get("customers", {})), batch.undone_at)


def last_batch(s: Session) -> ImportBatch | None:
    """The newest import that has not been undone."""
    return s.scalar(select(ImportBatch).where(ImportBatch.undone_at.is_(None)).order_by(ImportBatch.id.desc())
                    .limit(1))


def conflicts(s: Session, batch: ImportBatch) -> dict[int, str]:
    """Cards of the batch changed since (any audit entry after the import's), and cards that now name
    an imported card as their referrer: {id: 'KH000012 张三'}."""
    images = batch.before_images or {}
    created = list(batch.created_ids or [])
    touched = created + [int(k) for k in images.get("customers", {})]
    mark = int(images.get("audit_mark", 0))
    found: set[int] = set()
    for start in range(0, len(touched), 900):
        chunk = touched[start:start + 900]
        found.update(s.scalars(select(AuditEntry.customer_id).where(
            AuditEntry.id > mark, AuditEntry.customer_id.in_(chunk)).distinct()))
    restored = set(touched[len(created):])
    for start in range(0, len(created), 900):
        chunk = created[start:start + 900]
        referring = s.execute(select(Customer.id, Customer.referrer_id).where(
            Customer.referrer_id.in_(chunk),
            or_(Customer.import_batch_id.is_(None), Customer.import_batch_id != batch.id)))
        found.update(ref for cid, ref in referring if cid not in restored)
    if not found:
        return {}
    rows = s.execute(select(Customer.id, Customer.card_no, Customer.name).where(Customer.id.in_(sorted(found))))
    return {i: f"{c} {n}" for i, c, n in rows}


def undo(s: Session, batch: ImportBatch, *, force: bool, now: datetime, actor: str,
         audit: Any) -> UndoResult:
    """Undo one batch inside the caller's write transaction."""
    changed = conflicts(s, batch)
    if changed and not force:
        names = tuple(changed.values())
        shown = "、".join(names[:5]) + ("等" if len(names) > 5 else "")
        raise UndoConflict(f"导入后又修改过 {len(names)} 张相关客户卡（{shown}）。撤销会丢失这些修改；"
                           "如仍要撤销，被修改过的新卡会移入回收站而不是删除。", names)
    bulk = Bulk(s)
    images: dict[str, Any] = batch.before_images or {}
    created = list(batch.created_ids or [])
    for key, ids in (images.get("children") or {}).items():
        bulk.delete_ids(MODELS[key].__table__, "id", ids)
    recycle = [i for i in created if i in changed]
    removed = [i for i in created if i not in changed]
    bulk.delete_ids(CUSTOMERS, "id", removed)
    for cid in recycle:
        s.execute(CUSTOMERS.update().where(CUSTOMERS.c.id == cid).values(deleted_at=now, deleted_by=actor))
        audit(s, "delete", "customer", cid, cid, f"撤销导入：客户卡 {changed[cid]} 导入后修改过，移入回收站")
    restored = _restore(s, bulk, images.get("customers") or {})
    bulk.delete_ids(GradeChange.__table__, "id", images.get("grade_changes") or [])
    _drop_unused_tags(s, bulk, images.get("created_tags") or [])
    batch.undone_at = now
    audit(s, "undo", "import_batch", batch.id, None,
          f"撤销导入“{batch.source}”：删除 {len(removed)} 张新卡，恢复 {len(restored)} 张被修改的卡"
          + (f"，{len(recycle)} 张移入回收站" if recycle else ""))
    return UndoResult(batch.id, batch.source, len(removed), len(restored), len(recycle))


def _restore(s: Session, bulk: Bulk, images: dict[str, dict[str, Any]]) -> list[int]:
    rows = [{k: v for k, v in image.items() if k != "_tags"} for image in images.values()]
    ids = [int(k) for k in images]
    if not ids:
        return []
    bulk.restore(CUSTOMERS, rows)
    bulk.delete_ids(CustomerTag.__table__, "customer_id", ids)
    tag_ids = dict(s.execute(select(Tag.name, Tag.id)).all())
    pairs = []
    for key, image in images.items():
        for name in image.get("_tags", []):
            if name not in tag_ids:  # a tag removed since: bring it back rather than lose it from the card
                tag_ids[name] = bulk.next_id(Tag.__table__)
                bulk.insert(Tag.__table__, [{"id": tag_ids[name], "name": name}])
            pairs.append({"customer_id": int(key), "tag_id": tag_ids[name]})
    bulk.insert(CustomerTag.__table__, pairs)
    bulk.refresh_search(ids)
    return ids


def _drop_unused_tags(s: Session, bulk: Bulk, tag_ids: list[int]) -> None:
    if not tag_ids:
        return
    used = set(s.scalars(select(CustomerTag.tag_id).where(CustomerTag.tag_id.in_(tag_ids)).distinct()))
    bulk.delete_ids(Tag.__table__, "id", [t for t in tag_ids if t not in used])


def count_batches(s: Session) -> int:
    """How many imports are recorded."""
    return s.scalar(select(func.count(ImportBatch.id))) or 0
