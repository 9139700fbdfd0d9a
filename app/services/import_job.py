"""One import, inside one write transaction: decide duplicates, build rows, write them set-based, record
an exact before-image of everything it changes (for undo), and audit it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from app.excel.dedupe import Decision, ExistingCard, decide
from app.excel.importer import ImportPlan, OnDuplicate, PlannedRow, Problem
from app.models import AuditEntry, Customer, CustomerTag, GradeChange, ImportBatch, Setting, Tag
from app.progress import ProgressFn, step
from app.rows import CUSTOMER_LABELS
from app.services.base import diff
from app.services.bulk import Bulk, column_defaults
from app.services.import_children import ChildWriter
from app.services.import_rows import COLUMN_LABELS, audited, customer_columns, derived, merge

CUSTOMERS = Customer.__table__
DEFAULTS = column_defaults(CUSTOMERS)
SEQ_KEY = "next_card_seq"
CARD_PREFIX = "KH"
_READ_COLUMNS = [c for c in CUSTOMERS.columns]


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    batch_id: int | None
    source: str
    rows: int
    created: int
    updated: int
    merged: int
    skipped: int
    rejected: int
    unchanged: int
    children: dict[str, int]
    problems: tuple[Problem, ...]
    dry_run: bool = False

    @property
    def notes(self) -> tuple[Problem, ...]:
        """Problems that did not stop their row."""
        return tuple(p for p in self.problems if not p.fatal)


@dataclass
class _NewCard:
    row: PlannedRow
    columns: dict[str, Any]
    tags: list[str]
    refs: list[dict[str, Any]] = field(default_factory=list)  # referrer cells, last one wins
    id: int = 0


def existing_cards(s: Session) -> list[ExistingCard]:
    """Every card's duplicate-relevant columns, in one query (recycle-bin cards only hold their numbers)."""
    stmt = select(Customer.id, Customer.card_no, Customer.name, Customer.company, Customer.mobile,
                  Customer.phone, Customer.birth_cal, Customer.birth_month, Customer.birth_day,
                  Customer.deleted_at.is_not(None))
    return [ExistingCard(*r) for r in s.execute(stmt)]


class ImportJob:
    """Everything one import writes, in the caller's write transaction."""

    def __init__(self, session: Session, plan: ImportPlan, policy: OnDuplicate, *, now: datetime, actor: str,
                 progress: ProgressFn, audit: Callable[..., None]) -> None:
        self.s, self.plan, self.policy, self.now, self.actor = session, plan, policy, now, actor
        self.progress, self.audit = progress, audit
        self.bulk = Bulk(session)
        self.problems: list[Problem] = [p for r in plan.customers.rows for p in r.problems]
        self.new: list[_NewCard] = []
        self.updates: dict[int, list[PlannedRow]] = {}
        self.skipped = self.merged = 0
        self.card_target: dict[str, int | None] = {}  # file card number → final customer id (None: skipped)
        self.grade_change_ids: list[int] = []
        self.sheet = plan.customers.table.name

    # ----- the steps ---------------------------------------------------------------------------
    def execute(self) -> ImportResult:
        """Run every step; raises Cancelled (rolled back by the caller) when the user stops it."""
        rows = self.plan.customers.rows
        # Referrers may point at cards later in the same batch: check foreign keys at commit instead.
        self.bulk.conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        step(self.progress, 0, 100, "正在查找重复客户…")
        existing = existing_cards(self.s)
        decisions = decide([r for r in rows if r.ok], existing, self.policy)
        self._apply_decisions(decisions.items)
        batch = ImportBatch(at=self.now, source=self.plan.source[:300], created_ids=[], before_images={})
        self.s.add(batch)
        self.s.flush()
        self._number_new_cards(decisions.taken_card_nos, existing)
        self._resolve_referrers(existing)
        children = ChildWriter(self, existing)
        children.resolve()
        touched = sorted(set(self.updates) | children.touched_existing)
        before = self._before_images(touched)
        step(self.progress, 20, 100, "正在写入客户卡…")
        tag_ids, created_tags = self._tag_ids()
        self._insert_new(batch.id, tag_ids)
        updated, unchanged = self._write_updates(touched, tag_ids)
        counts = children.write()
        step(self.progress, 85, 100, "正在更新搜索索引…")
        affected = [c.id for c in self.new] + touched
        self.bulk.refresh_search(affected)
        created_ids = [c.id for c in self.new]
        summary = (f"从“{self.plan.source}”导入：新建 {len(created_ids)} 张，更新 {updated} 张，"
                   f"跳过重复 {self.skipped} 行，{sum(1 for r in rows if not r.ok)} 行有问题未导入")
        self.audit(self.s, "import", "import_batch", batch.id, None, summary)
        self.s.flush()
        batch.created_ids = created_ids
        batch.before_images = {
            "customers": before, "created_tags": created_tags, "grade_changes": self.grade_change_ids,
            "children": children.created_ids,
            "audit_mark": self.s.scalar(select(func.max(AuditEntry.id))) or 0,
        }
        step(self.progress, 100, 100, "正在提交…")
        return ImportResult(
            batch_id=batch.id, source=self.plan.source, rows=len(rows), created=len(created_ids),
            updated=updated, merged=self.merged, skipped=self.skipped, rejected=sum(1 for r in rows if not r.ok),
            unchanged=unchanged, children=counts, problems=tuple(self.problems),
        )

    def _apply_decisions(self, decisions: list[Decision]) -> None:
        plan = self.plan.customers
        for d in decisions:
            if d.action == "create":
                columns = {**DEFAULTS, **customer_columns(d.row.values)}
                self.new.append(_NewCard(d.row, columns, list(d.row.values.get("tags", ())),
                                         [self._ref(d.row)] if self._ref(d.row) else []))
                if d.reason:
                    self._note(d, f"与{d.other}重复（{d.reason}），按选择仍然新建")
            elif d.action == "skip":
                self.skipped += 1
                self.problems.append(Problem(d.row.number, plan.column_label(d.matched_key),
                                             d.row.cell(d.matched_key),
                                             f"与{d.other}重复（{d.reason}），按选择跳过",
                                             sheet=self.sheet, duplicate=True))
            elif d.action == "merge":
                card = self.new[d.target[1]]  # type: ignore[index]
                merge(card.columns, card.tags, d.row.values, self.policy)
                if self._ref(d.row):
                    card.refs.append(self._ref(d.row))
                self.merged += 1
                self._note(d, f"与{d.other}重复（{d.reason}），已{self.policy.label}合并")
            else:
                self.updates.setdefault(d.target[1], []).append(d.row)  # type: ignore[index]
                self._note(d, f"与{d.other}重复（{d.reason}），已{self.policy.label}")
        self._decisions = decisions

    def _note(self, d: Decision, reason: str) -> None:
        label = self.plan.customers.column_label(d.matched_key)
        self.problems.append(Problem(d.row.number, label, d.row.cell(d.matched_key), reason, fatal=False,
                                     sheet=self.sheet))

    @staticmethod
    def _ref(row: PlannedRow) -> dict[str, Any]:
        return {k: row.values[k] for k in ("referrer_card_no", "referrer_name") if row.values.get(k)}

    def _number_new_cards(self, taken: set[str], existing: list[ExistingCard]) -> None:
        first = self.bulk.next_id(CUSTOMERS)
        used = set(taken)
        wanted = [c.columns.get("card_no") or "" for c in self.new]
        missing = 0
        for i, card in enumerate(self.new):
            card.id = first + i
            number = wanted[i]
            if number and number not in used:
                used.add(number)
            else:
                if number:
                    card.columns["card_no"] = ""
                    self._card_note(card, number)
                missing += 1
        fresh = iter(self._allocate(missing, used, len(existing)))
        for card in self.new:
            if not card.columns.get("card_no"):
                card.columns["card_no"] = next(fresh)
        self._map_file_cards()

    def _card_note(self, card: _NewCard, number: str) -> None:
        card.columns["_renumbered_from"] = number

    def _allocate(self, count: int, used: set[str], existing_count: int) -> list[str]:
        """Fresh card numbers KH000123…, continuing the archive's own sequence, skipping taken ones."""
        setting = self.s.get(Setting, SEQ_KEY)
        seq = int(setting.value) if setting is not None else existing_count + 1  # type: ignore[arg-type]
        out: list[str] = []
        while len(out) < count:
            number = f"{CARD_PREFIX}{seq:06d}"
            seq += 1
            if number not in used:
                out.append(number)
                used.add(number)
        if count:
            if setting is None:
                self.s.add(Setting(key=SEQ_KEY, value=seq))
            else:
                setting.value = seq
        return out

    def _map_file_cards(self) -> None:
        for d in self._decisions:
            number = d.row.values.get("card_no", "")
            if not number:
                continue
            if d.action in ("create", "merge"):
                target = self.new[d.target[1]].id  # type: ignore[index]
            elif d.action == "update":
                target = d.target[1]  # type: ignore[index]
            else:
                target = None
            if self.card_target.get(number) is None:
                self.card_target[number] = target
        for card in self.new:
            old = card.columns.pop("_renumbered_from", "")
            if old:
                self.problems.append(Problem(card.row.number, self.plan.customers.column_label("card_no"), old,
                                             f"客户编号已被使用，已改用 {card.columns['card_no']}", fatal=False,
                                             sheet=self.sheet))

    def _resolve_referrers(self, existing: list[ExistingCard]) -> None:
        by_card = {c.card_no: c.id for c in existing if not c.deleted}
        by_name: dict[str, set[int]] = {}
        for c in existing:
            if not c.deleted:
                by_name.setdefault(c.name, set()).add(c.id)
        for card in self.new:
            by_name.setdefault(card.columns["name"], set()).add(card.id)
        self._by_card, self._by_name = by_card, by_name
        for card in self.new:
            for ref in card.refs:
                card.columns["referrer_id"] = self.referrer_id(card.row, ref, card.id)

    def referrer_id(self, row: PlannedRow, ref: dict[str, Any], own: int) -> int | None:
        """The id a referrer cell names (by card number, else by a unique name), or None with a note."""
        label = self.plan.customers.column_label
        number, name = ref.get("referrer_card_no", ""), ref.get("referrer_name", "")
        if number:
            found = self.card_target.get(number) or self._by_card.get(number)
            if found and found != own:
                return found
            self.problems.append(Problem(row.number, label("referrer_card_no"), number,
                                         "找不到这个介绍人编号，介绍人未设置", fatal=False, sheet=self.sheet))
            return None
        ids = self._by_name.get(name, set()) - {own}
        if len(ids) == 1:
            return next(iter(ids))
        reason = "找不到这位介绍人" if not ids else f"有 {len(ids)} 位同名客户，无法确定是哪一位"
        self.problems.append(Problem(row.number, label("referrer_name"), name, f"{reason}，介绍人未设置",
                                     fatal=False, sheet=self.sheet))
        return None

    def _before_images(self, ids: list[int]) -> dict[str, Any]:
        images = {str(r["id"]): r for r in self.bulk.stored(CUSTOMERS, "id", ids)}
        for cid, name in self._tag_rows(ids):
            images[str(cid)].setdefault("_tags", []).append(name)
        return images

    def _tag_rows(self, ids: list[int]) -> list[tuple[int, str]]:
        out: list[tuple[int, str]] = []
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            out += list(self.s.execute(select(CustomerTag.customer_id, Tag.name).join(Tag, Tag.id == CustomerTag.tag_id)
                                       .where(CustomerTag.customer_id.in_(chunk))
                                       .order_by(literal_column("customer_tags.rowid"))))
        return out

    def _tag_ids(self) -> tuple[dict[str, int], list[int]]:
        wanted = {t for c in self.new for t in c.tags}
        for rows in self.updates.values():
            wanted.update(t for r in rows for t in r.values.get("tags", ()))
        have = dict(self.s.execute(select(Tag.name, Tag.id)).all()) if wanted else {}
        missing = sorted(wanted - set(have))
        first = self.bulk.next_id(Tag.__table__)
        rows = [{"id": first + i, "name": n} for i, n in enumerate(missing)]
        self.bulk.insert(Tag.__table__, rows)
        have.update({r["name"]: r["id"] for r in rows})
        return have, [r["id"] for r in rows]

    def _insert_new(self, batch_id: int, tag_ids: dict[str, int]) -> None:
        rows = []
        for card in self.new:
            columns = card.columns
            columns.update(derived(columns), id=card.id, created_at=self.now, updated_at=self.now,
                           import_batch_id=batch_id)
            columns["created_on"] = columns.get("created_on") or self.now.date()
            columns["created_by"] = columns.get("created_by") or self.actor
            rows.append(columns)
        total = len(rows)
        self.bulk.insert(CUSTOMERS, rows, [c.name for c in CUSTOMERS.columns],
                         on_chunk=lambda done: step(self.progress, 20 + 50 * done // max(total, 1), 100,
                                                    f"已写入 {done}/{total} 张客户卡…"))
        self.bulk.insert(CustomerTag.__table__, [{"customer_id": c.id, "tag_id": tag_ids[t]}
                                                 for c in self.new for t in c.tags])
        self._grade_changes([(c.id, "", c.columns["grade"]) for c in self.new if c.columns["grade"]])

    def _grade_changes(self, changes: list[tuple[int, str, str]]) -> None:
        first = self.bulk.next_id(GradeChange.__table__)
        rows = [{"id": first + i, "customer_id": cid, "at": self.now, "old": old, "new": new}
                for i, (cid, old, new) in enumerate(changes)]
        self.bulk.insert(GradeChange.__table__, rows)
        self.grade_change_ids += [r["id"] for r in rows]

    def _write_updates(self, touched: list[int], tag_ids: dict[str, int]) -> tuple[int, int]:
        """Apply duplicate rows to existing cards; returns (cards changed, duplicate rows that changed nothing)."""
        if not self.updates:
            return 0, 0
        ids = sorted(self.updates)
        current = self._typed(ids)
        tags_of: dict[int, list[str]] = {}
        for cid, name in self._tag_rows(ids):
            tags_of.setdefault(cid, []).append(name)
        changed_rows, unchanged, grade_changes = [], 0, []
        editable = [c.name for c in CUSTOMERS.columns if c.name not in ("id", "created_at", "import_batch_id")]
        for cid in ids:
            before = dict(current[cid])
            tags = list(tags_of.get(cid, []))
            old_tags = list(tags)
            for row in self.updates[cid]:
                merge(current[cid], tags, row.values, self.policy)
                keep = self.policy is OnDuplicate.FILL and current[cid]["referrer_id"] is not None
                if self._ref(row) and not keep:
                    current[cid]["referrer_id"] = (self.referrer_id(row, self._ref(row), cid)
                                                   or current[cid]["referrer_id"])
            after = current[cid]
            after.update(derived(after))
            changes = diff(audited(before, old_tags), audited(after, tags), {**CUSTOMER_LABELS, **COLUMN_LABELS})
            if not changes:
                unchanged += len(self.updates[cid])
                continue
            after["updated_at"] = self.now
            changed_rows.append(after)
            if after["grade"] != before["grade"]:
                grade_changes.append((cid, before["grade"], after["grade"]))
            if tags != old_tags:
                self._retag(cid, tags, tag_ids)
            lines = "、".join(str(r.number) for r in self.updates[cid])
            self.audit(self.s, "update", "customer", cid, cid,
                       f"导入时{self.policy.label}：客户卡 {after['card_no']}（来自“{self.plan.source}”第 {lines} 行）",
                       changes)
        self.bulk.update(CUSTOMERS, changed_rows, editable)
        self._grade_changes(grade_changes)
        return len(changed_rows), unchanged

    def _retag(self, cid: int, tags: list[str], tag_ids: dict[str, int]) -> None:
        self.bulk.delete_ids(CustomerTag.__table__, "customer_id", [cid])
        self.bulk.insert(CustomerTag.__table__, [{"customer_id": cid, "tag_id": tag_ids[t]} for t in tags])

    def _typed(self, ids: list[int]) -> dict[int, dict[str, Any]]:
        out: dict[int, dict[str, Any]] = {}
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            for row in self.s.execute(select(*_READ_COLUMNS).where(Customer.id.in_(chunk))).mappings():
                out[row["id"]] = dict(row)
        return out
