"""The child sheets of an import (联系人, 成交, 拜访记录, 投诉, 生活事件): each row joins its customer by
客户编号 — a card of this import or of the archive — and is written set-based, keeping the rules the
record services keep (a deal makes the customer 成交; visits move 上次联系/下次约见)."""
from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from app.excel.children import CHILD_SHEETS
from app.excel.dedupe import ExistingCard
from app.excel.importer import PlannedRow, Problem
from app.models import Complaint, Contact, Deal, LifeEventRecord, Visit
from app.services.base import to_columns
from app.services.bulk import column_defaults

if TYPE_CHECKING:
    from app.services.import_job import ImportJob

MODELS = {"contacts": Contact, "deals": Deal, "visits": Visit, "complaints": Complaint,
          "life_events": LifeEventRecord}
TITLES = {c.key: c.title for c in CHILD_SHEETS}
_ORDER = [c.key for c in CHILD_SHEETS]  # contacts first: visits and life events refer to them by name


class ChildWriter:
    """Resolves and writes the child rows of one import."""

    def __init__(self, job: ImportJob, existing: list[ExistingCard]) -> None:
        self.job = job
        self.by_card = {c.card_no: c.id for c in existing if not c.deleted}
        self.pending: dict[str, list[tuple[PlannedRow, int]]] = {k: [] for k in _ORDER}
        self.touched_existing: set[int] = set()
        self.created_ids: dict[str, list[int]] = {}

    def resolve(self) -> None:
        """Find every good row's customer; rows without one become problems."""
        new_ids = {c.id for c in self.job.new}
        for key in _ORDER:
            plan = self.job.plan.children.get(key)
            if plan is None:
                continue
            for row in plan.rows:
                self.job.problems.extend(row.problems)
                if not row.ok:
                    continue
                customer_id = self._customer_of(row, plan.column_label("card_no"), plan.table.name)
                if customer_id is None:
                    continue
                self.pending[key].append((row, customer_id))
                if customer_id not in new_ids:
                    self.touched_existing.add(customer_id)

    def _customer_of(self, row: PlannedRow, column: str, sheet: str) -> int | None:
        number = row.values["card_no"]
        if number in self.job.card_target:
            found = self.job.card_target[number]
            if found is None:
                self.job.problems.append(Problem(row.number, column, number, "所属客户按重复跳过，此行也未导入",
                                                 sheet=sheet))
            return found
        if number in self.by_card:
            return self.by_card[number]
        self.job.problems.append(Problem(row.number, column, number, "找不到这个客户编号的客户", sheet=sheet))
        return None

    # ----- writing -----------------------------------------------------------------------------
    def write(self) -> dict[str, int]:
        """Insert every pending row (exact copies of records a card already has are left out)."""
        counts: dict[str, int] = {}
        self._contact_ids: dict[tuple[int, str], int] = {}
        added: dict[int, dict[str, int]] = {}
        for key in _ORDER:
            rows = self._rows(key)
            if not rows:
                continue
            table = MODELS[key].__table__
            first = self.job.bulk.next_id(table)
            for i, row in enumerate(rows):
                row["id"] = first + i
                added.setdefault(row["customer_id"], {}).setdefault(key, 0)
                added[row["customer_id"]][key] += 1
                if key == "contacts":
                    self._contact_ids.setdefault((row["customer_id"], row["name"]), row["id"])
            self.job.bulk.insert(table, rows, [c.name for c in table.columns])
            self.created_ids[key] = [r["id"] for r in rows]
            counts[TITLES[key]] = len(rows)
        self._after(added)
        return counts

    def _rows(self, key: str) -> list[dict[str, Any]]:
        model = MODELS[key]
        defaults = column_defaults(model.__table__)
        seen = self._existing_records(key)
        out = []
        for row, customer_id in self.pending[key]:
            columns = {**defaults, **self._columns(key, row, customer_id), "customer_id": customer_id}
            fingerprint = self._fingerprint(model.__table__, columns)
            if fingerprint in seen:
                continue  # the card already has exactly this record (re-importing the same export)
            seen.add(fingerprint)
            out.append(columns)
        return out

    def _columns(self, key: str, row: PlannedRow, customer_id: int) -> dict[str, Any]:
        data = row.values["input"]
        now = self.job.now
        if key == "visits":
            columns = asdict(data)
            columns.pop("customer_id")
        else:
            columns = to_columns(data)
        if key in ("visits", "life_events"):
            name = row.values.get("contact_name", "")
            columns["contact_id"] = self._contact_ids.get((customer_id, name)) if name else None
        if key in ("deals", "visits"):
            columns["created_at"] = now
        if key == "complaints":
            columns["received_at"] = data.received_at or now
            if data.status in ("已解决", "已关闭") and data.resolved_at is None:
                columns["resolved_at"] = now
        return columns

    def _existing_records(self, key: str) -> set[tuple]:
        table = MODELS[key].__table__
        ids = sorted(self.touched_existing)
        rows = self.job.bulk.stored(table, "customer_id", ids) if ids else []
        if key == "contacts":
            for r in rows:
                self._contact_ids.setdefault((r["customer_id"], r["name"]), r["id"])
        return {self._stored_fingerprint(r) for r in rows}

    @staticmethod
    def _stored_fingerprint(row: dict[str, Any]) -> tuple:
        return tuple(sorted((k, v) for k, v in row.items() if k not in ("id", "created_at")))

    def _fingerprint(self, table: Any, columns: dict[str, Any]) -> tuple:
        stored = self.job.bulk.stored_form(table, columns)
        return self._stored_fingerprint(stored)

    def _after(self, added: dict[int, dict[str, int]]) -> None:
        """The record services' side effects, set-based; one audit line per existing card."""
        bulk = self.job.bulk
        visited = sorted(cid for cid, kinds in added.items() if "visits" in kinds)
        if visited:
            bulk.refresh_contact_dates(visited)
        with_deals = sorted(cid for cid, kinds in added.items() if "deals" in kinds)
        for cid, old_status, old_stage, _card_no in bulk.not_closed(with_deals):
            bulk.mark_closed(cid)
            if cid in self.touched_existing:
                self.job.audit(self.job.s, "update", "customer", cid, cid, "有了成交记录，自动改为成交客户",
                               {"成交状态": [old_status, "成交"], "阶段": [old_stage, "成交"]})
        for cid in sorted(self.touched_existing & set(added)):
            parts = "、".join(f"{n} 条{TITLES[k]}" for k, n in added[cid].items())
            self.job.audit(self.job.s, "create", "customer", cid, cid,
                           f"从“{self.job.plan.source}”导入：新增 {parts}")

