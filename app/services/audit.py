"""Reading the audit trail."""
from __future__ import annotations

from sqlalchemy import select

from app.models import AuditEntry
from app.rows import AuditRow
from app.services.base import ServiceBase

ACTION_LABELS = {"create": "新建", "update": "修改", "delete": "删除", "restore": "恢复", "purge": "彻底删除",
                 "import": "导入", "undo": "撤销", "complete": "完成"}


class AuditService(ServiceBase):
    """History of a card, and of the whole archive."""

    def history(self, customer_id: int) -> list[AuditRow]:
        """Everything done to one card, newest first."""
        return self._rows(select(AuditEntry).where(AuditEntry.customer_id == customer_id))

    def recent(self, limit: int = 200) -> list[AuditRow]:
        """The latest entries of the whole archive."""
        return self._rows(select(AuditEntry), limit)

    def _rows(self, stmt, limit: int | None = None) -> list[AuditRow]:  # type: ignore[no-untyped-def]
        stmt = stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        if limit:
            stmt = stmt.limit(limit)
        with self.read() as s:
            return [
                AuditRow(at=e.at, actor=e.actor, action=ACTION_LABELS.get(e.action, e.action), entity=e.entity,
                         summary=e.summary, changes={k: tuple(v) for k, v in (e.changes or {}).items()})
                for e in s.scalars(stmt)
            ]
