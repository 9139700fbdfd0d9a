"""Customer cards: create, update, list/search, duplicates, recycle bin, batch actions."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields, replace
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, case, delete, func, insert, null, or_, select
from sqlalchemy.orm import Session

from app import search
from app.enums import tier_for
from app.errors import ValidationError
from app.grading import suggest_grade
from app.models import (
    Complaint,
    Customer,
    CustomerTag,
    Deal,
    GradeChange,
    LifeEventRecord,
    Setting,
    Tag,
    Visit,
)
from app.pinyin import full_pinyin, initials, sort_key
from app.rows import (
    CUSTOMER_LABELS,
    ComplaintRow,
    ContactRow,
    CustomerCard,
    CustomerInput,
    CustomerRow,
    DealRow,
    DeletedRow,
    DuplicateCandidate,
    LifeEventRow,
    ListQuery,
    Page,
    ReferralRow,
    VisitRow,
)
from app.services.base import ServiceBase, birthday_of, diff, get_or_404, row_of, to_columns
from app.services.checks import check_customer
from app.validate import normalise_landline, normalise_mobile

CARD_PREFIX = "KH"
_SEQ_KEY = "next_card_seq"


def _tags_column() -> ColumnElement[str]:
    return (
        select(func.aggregate_strings(Tag.name, "、"))
        .join(CustomerTag, CustomerTag.tag_id == Tag.id)
        .where(CustomerTag.customer_id == Customer.id)
        .scalar_subquery()
    )


_SORT_COLUMNS = {
    "name": Customer.name_pinyin, "card_no": Customer.card_no, "grade": Customer.grade,
    "deal_status": Customer.deal_status, "stage": Customer.stage, "mobile": Customer.mobile,
    "company": Customer.company, "last_contact_at": Customer.last_contact_at,
    "next_appointment_at": Customer.next_appointment_at, "created_at": Customer.created_at,
    "asset_wan": Customer.asset_wan,
}


def apply_filters(stmt: Select, query: ListQuery, *, deleted: bool = False, walk_sort_index: bool = False) -> Select:
    """The WHERE clauses of a list query (shared by the page, the count and exports).

    walk_sort_index: keep the 'not deleted' test out of SQLite's index choice. It matches nearly every card,
    but taken as an indexed equality it makes SQLite fetch and sort all of them instead of walking the sort
    column's own index (sorting 100k cards by 手机: 300 ms → under 1 ms).
    """
    if deleted:
        stmt = stmt.where(Customer.deleted_at.is_not(None))
    elif walk_sort_index:
        stmt = stmt.where(func.coalesce(Customer.deleted_at, null()).is_(None))
    else:
        stmt = stmt.where(Customer.deleted_at.is_(None))
    if query.grades:
        stmt = stmt.where(Customer.grade.in_(query.grades))
    for column, value in ((Customer.deal_status, query.deal_status), (Customer.stage, query.stage),
                          (Customer.asset_tier, query.tier), (Customer.kind, query.kind)):
        if value:
            stmt = stmt.where(column == value)
    if query.tag:
        stmt = stmt.where(Customer.id.in_(
            select(CustomerTag.customer_id).join(Tag, Tag.id == CustomerTag.tag_id).where(Tag.name == query.tag)
        ))
    if query.ids is not None:
        stmt = stmt.where(Customer.id.in_(query.ids))
    clause = search.matches(query.search)
    if clause is not None:
        stmt = stmt.where(clause)
    return stmt


class CustomerService(ServiceBase):
    """Everything done to whole cards."""

    # ----- writing -------------------------------------------------------------------------
    def create(self, data: CustomerInput, *, import_batch_id: int | None = None) -> int:
        """Validate and store a new card; returns its id (the card number is assigned if blank)."""
        data = check_customer(data)
        with self.write() as s:
            (customer_id,) = self._insert_many(s, [data], import_batch_id)
            self.audit(s, "create", "customer", customer_id, customer_id, f"新建客户卡 {data.name}")
            return customer_id

    def create_many(self, items: Sequence[CustomerInput], *, import_batch_id: int | None = None,
                    session: Session | None = None) -> list[int]:
        """Store many cards in ONE transaction (all or nothing), set-based: a few statements per batch.

        Pass `session` to join a caller's write transaction (imports); otherwise one is opened.
        """
        checked = [check_customer(d) for d in items]
        if session is not None:
            return self._insert_many(session, checked, import_batch_id)
        with self.write() as s:
            ids = self._insert_many(s, checked, import_batch_id)
            self.audit(s, "create", "customer", None, None, f"批量新建 {len(ids)} 张客户卡")
            return ids

    def _insert_many(self, s: Session, items: list[CustomerInput], batch: int | None) -> list[int]:
        if not items:
            return []
        now = self.now()
        card_nos = self._card_numbers(s, items)
        self._check_referrers(s, {d.referrer_id for d in items if d.referrer_id is not None})
        # Ids assigned here (we hold SQLite's write lock since BEGIN IMMEDIATE): a plain executemany is
        # far faster than RETURNING, whose result splicing is quadratic in SQLAlchemy for big batches.
        first = (s.scalar(select(func.max(Customer.id))) or 0) + 1
        ids = list(range(first, first + len(items)))
        rows = [dict(self._row(d, card_no, now, batch), id=i)
                for i, d, card_no in zip(ids, items, card_nos, strict=True)]
        s.execute(insert(Customer.__table__), rows)
        grades = [dict(customer_id=i, at=now, old="", new=r["grade"]) for i, r in zip(ids, rows, strict=True)
                  if r["grade"]]
        if grades:
            s.execute(insert(GradeChange), grades)
        self._insert_tags(s, ids, [d.tags for d in items])
        search.refresh(s, ids)
        return ids

    def _row(self, data: CustomerInput, card_no: str, now: datetime, batch: int | None) -> dict:
        row = to_columns(replace(data, card_no=card_no, created_on=data.created_on or now.date(),
                                 created_by=data.created_by or self.actor()))
        row.update(self._derived(data), created_at=now, updated_at=now, import_batch_id=batch)
        return row

    @staticmethod
    def _derived(data: CustomerInput) -> dict:
        """Columns computed from the input: pinyin sort key and initials, asset tier, suggested grade."""
        person = data.kind == "个人"
        suggestion = suggest_grade(data.economy, data.awareness, data.influence, closed=data.deal_status == "成交")
        grade = suggestion.grade if (suggestion is not None and not data.grade_manual) else data.grade
        return {"name_pinyin": sort_key(data.name, person=person), "name_initials": initials(data.name, person=person),
                "asset_tier": tier_for(float(data.asset_wan) if data.asset_wan is not None else None), "grade": grade}

    def _card_numbers(self, s: Session, items: list[CustomerInput]) -> list[str]:
        given = [d.card_no for d in items if d.card_no]
        if len(given) != len(set(given)):
            dup = next(c for c in given if given.count(c) > 1)
            raise ValidationError("客户编号", f"{dup} 在本批数据中出现了不止一次")
        taken = self._existing_card_nos(s, given)
        if taken:
            self._check_card_no(s, sorted(taken)[0], None)  # raises, naming who has it
        need = sum(1 for d in items if not d.card_no)
        fresh = self._allocate(s, need) if need else []
        it = iter(fresh)
        return [d.card_no or next(it) for d in items]

    def _allocate(self, s: Session, count: int) -> list[str]:
        setting = s.get(Setting, _SEQ_KEY)
        seq = int(setting.value) if setting is not None else (s.scalar(select(func.count(Customer.id))) or 0) + 1
        out: list[str] = []
        while len(out) < count:
            candidates = [f"{CARD_PREFIX}{n:06d}" for n in range(seq, seq + (count - len(out)))]
            seq += len(candidates)
            taken = self._existing_card_nos(s, candidates)
            out += [c for c in candidates if c not in taken]
        if setting is None:
            s.add(Setting(key=_SEQ_KEY, value=seq))
        else:
            setting.value = seq
        return out

    @staticmethod
    def _existing_card_nos(s: Session, card_nos: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(card_nos), 500):
            chunk = card_nos[start:start + 500]
            found.update(s.scalars(select(Customer.card_no).where(Customer.card_no.in_(chunk))))
        return found

    def _check_referrers(self, s: Session, referrer_ids: set[int]) -> None:
        if not referrer_ids:
            return
        found = set(s.scalars(select(Customer.id).where(Customer.id.in_(list(referrer_ids)))))
        if referrer_ids - found:
            raise ValidationError("介绍人", "所选介绍人不存在")

    def _insert_tags(self, s: Session, ids: list[int], tag_lists: list[tuple[str, ...]]) -> None:
        names = sorted({t for tags in tag_lists for t in tags})
        if not names:
            return
        tags = self._tags(s, names)
        s.flush()  # new tags get their ids
        by_name = {t.name: t.id for t in tags}
        pairs = [dict(customer_id=i, tag_id=by_name[t]) for i, tags in zip(ids, tag_lists, strict=True) for t in tags]
        s.execute(insert(CustomerTag), pairs)

    def update(self, customer_id: int, data: CustomerInput) -> None:
        """Save an edited card; every changed field goes to the audit log, grade changes to history."""
        data = check_customer(data)
        with self.write() as s:
            customer = get_or_404(s, Customer, customer_id, "客户")
            before = self._input_of(customer)
            self._check_card_no(s, data.card_no or customer.card_no, customer_id)
            self._check_referrer(s, data.referrer_id, customer_id)
            data = replace(data, card_no=data.card_no or customer.card_no,
                           created_on=data.created_on or customer.created_on)
            old_grade = customer.grade
            self._assign(s, customer, data)
            customer.updated_at = self.now()
            s.flush()
            changes = diff(_comparable(before), _comparable(self._input_of(customer)), CUSTOMER_LABELS)
            if customer.grade != old_grade:
                s.add(GradeChange(customer_id=customer_id, at=self.now(), old=old_grade, new=customer.grade))
            if changes:
                self.audit(s, "update", "customer", customer_id, customer_id,
                           f"修改客户卡 {customer.card_no}", changes)
            search.refresh(s, [customer_id])

    def _assign(self, s: Session, customer: Customer, data: CustomerInput) -> None:
        for key, value in {**to_columns(data), **self._derived(data)}.items():
            setattr(customer, key, value)
        customer.tags = self._tags(s, data.tags)

    def _tags(self, s: Session, names: Iterable[str]) -> list[Tag]:
        names = list(names)
        if not names:
            return []
        existing = {t.name: t for t in s.scalars(select(Tag).where(Tag.name.in_(names)))}
        for name in names:
            if name not in existing:
                existing[name] = Tag(name=name)
                s.add(existing[name])
        return [existing[n] for n in names]

    def _check_card_no(self, s: Session, card_no: str, own_id: int | None) -> None:
        row = s.execute(select(Customer.id, Customer.name).where(Customer.card_no == card_no)).first()
        if row is not None and row.id != own_id:
            raise ValidationError("客户编号", f"{card_no} 已被“{row.name}”使用")

    def _check_referrer(self, s: Session, referrer_id: int | None, own_id: int | None) -> None:
        if referrer_id is None:
            return
        if referrer_id == own_id:
            raise ValidationError("介绍人", "不能是客户本人")
        if s.get(Customer, referrer_id) is None:
            raise ValidationError("介绍人", "所选介绍人不存在")

    # ----- batch actions -------------------------------------------------------------------
    def set_grade(self, ids: Iterable[int], grade: str) -> int:
        """Give several customers one grade (a manual override); returns how many changed."""
        grade = grade.strip().upper()
        if grade not in ("A", "B", "C", "D"):
            raise ValidationError("等级", "应为 A、B、C 或 D")
        changed = 0
        with self.write() as s:
            for customer in s.scalars(select(Customer).where(Customer.id.in_(list(ids)))):
                if customer.grade != grade:
                    s.add(GradeChange(customer_id=customer.id, at=self.now(), old=customer.grade, new=grade))
                    self.audit(s, "update", "customer", customer.id, customer.id, "批量修改等级",
                               {"等级": [customer.grade, grade]})
                    customer.grade, customer.grade_manual, changed = grade, True, changed + 1
        return changed

    def add_tag(self, ids: Iterable[int], tag: str) -> int:
        """Add a tag to several customers; returns how many got it."""
        tag = tag.strip()
        if not tag:
            raise ValidationError("标签", "不能为空")
        added = 0
        with self.write() as s:
            (tag_obj,) = self._tags(s, [tag])
            for customer in s.scalars(select(Customer).where(Customer.id.in_(list(ids)))):
                if tag_obj not in customer.tags:
                    customer.tags.append(tag_obj)
                    self.audit(s, "update", "customer", customer.id, customer.id, f"添加标签“{tag}”")
                    added += 1
        return added

    # ----- recycle bin ---------------------------------------------------------------------
    def delete(self, ids: Iterable[int], reason: str = "") -> int:
        """Move cards to the recycle bin (recoverable); returns how many moved."""
        moved = 0
        with self.write() as s:
            for customer in s.scalars(select(Customer).where(Customer.id.in_(list(ids)),
                                                           Customer.deleted_at.is_(None))):
                customer.deleted_at, customer.deleted_by = self.now(), self.actor()
                self.audit(s, "delete", "customer", customer.id, customer.id,
                           f"删除客户卡 {customer.card_no} {customer.name}（移入回收站）" + (f"：{reason}" if reason else ""))
                moved += 1
        return moved

    def restore(self, ids: Iterable[int]) -> int:
        """Bring cards back from the recycle bin."""
        restored = 0
        with self.write() as s:
            for customer in s.scalars(select(Customer).where(Customer.id.in_(list(ids)),
                                                           Customer.deleted_at.is_not(None))):
                customer.deleted_at, customer.deleted_by = None, ""
                self.audit(s, "restore", "customer", customer.id, customer.id,
                           f"从回收站恢复客户卡 {customer.card_no} {customer.name}")
                restored += 1
        return restored

    def purge(self, ids: Iterable[int]) -> int:
        """Destroy cards that are already in the recycle bin (the caller has asked for confirmation)."""
        purged = 0
        with self.write() as s:
            for customer in s.scalars(select(Customer).where(Customer.id.in_(list(ids)),
                                                           Customer.deleted_at.is_not(None))):
                self.audit(s, "purge", "customer", customer.id, customer.id,
                           f"彻底删除客户卡 {customer.card_no} {customer.name}")
                s.execute(delete(CustomerTag).where(CustomerTag.customer_id == customer.id))
                s.delete(customer)
                purged += 1
        return purged

    def recycle_bin(self) -> list[DeletedRow]:
        """Cards in the recycle bin, most recently deleted first."""
        with self.read() as s:
            rows = s.execute(select(Customer.id, Customer.card_no, Customer.name, Customer.deleted_at,
                                    Customer.deleted_by).where(Customer.deleted_at.is_not(None))
                             .order_by(Customer.deleted_at.desc()))
            return [DeletedRow(*r) for r in rows]

    # ----- reading -------------------------------------------------------------------------
    def list(self, query: ListQuery | None = None, *, count: bool = True) -> Page:
        """One page of the customer list; filtering, search and sorting happen in SQL.

        count=False leaves out the total (Page.total is then -1): a search scans the index once, not twice,
        when the caller already knows the total or fetches it later (the list's next pages, a new sort).
        """
        query = query or ListQuery()
        column = _SORT_COLUMNS.get(query.sort, Customer.name_pinyin)
        order = column.desc().nulls_last() if query.descending else column.asc().nulls_last()
        tiebreak = Customer.id.desc() if query.descending else Customer.id  # index order both ways
        stmt = select(Customer.id, Customer.card_no, Customer.name, Customer.kind, Customer.grade,
                      Customer.deal_status, Customer.stage, Customer.mobile, Customer.company,
                      Customer.last_contact_at, Customer.next_appointment_at, _tags_column(),
                      Customer.asset_tier, Customer.deleted_at)
        stmt = (apply_filters(stmt, query, walk_sort_index=column is not Customer.name_pinyin)
                .order_by(order, tiebreak).offset(query.offset).limit(query.limit))
        with self.read() as s:
            rows = tuple(CustomerRow(*r[:11], r[11] or "", *r[12:]) for r in s.execute(stmt)) if query.limit else ()
            total = (s.scalar(apply_filters(select(func.count(Customer.id)), query)) or 0) if count else -1
        return Page(rows=rows, total=total, offset=query.offset)

    def ids(self, query: ListQuery) -> list[int]:
        """Every id matching a query, in list order (for batch actions and exports)."""
        stmt = apply_filters(select(Customer.id), query).order_by(Customer.name_pinyin, Customer.id)
        with self.read() as s:
            return list(s.scalars(stmt))

    def count(self) -> int:
        """How many cards there are (not counting the recycle bin)."""
        with self.read() as s:
            return s.scalar(select(func.count(Customer.id)).where(Customer.deleted_at.is_(None))) or 0

    def get(self, customer_id: int) -> CustomerCard:
        """The whole card."""
        with self.read() as s:
            c = get_or_404(s, Customer, customer_id, "客户")
            return CustomerCard(
                id=c.id, data=self._input_of(c), asset_tier=c.asset_tier, created_at=c.created_at,
                updated_at=c.updated_at, last_contact_at=c.last_contact_at,
                next_appointment_at=c.next_appointment_at, deleted_at=c.deleted_at,
                referrer_name=(s.get(Customer, c.referrer_id).name if c.referrer_id else ""),
                contacts=tuple(row_of(ContactRow, x) for x in c.contacts),
                deals=self._children(s, Deal, DealRow, customer_id, Deal.start_date.desc()),
                visits=tuple(row_of(VisitRow, v, customer_name=c.name) for v in s.scalars(
                    select(Visit).where(Visit.customer_id == customer_id).order_by(Visit.at.desc(), Visit.id.desc()))),
                complaints=self._children(s, Complaint, ComplaintRow, customer_id, Complaint.received_at.desc()),
                life_events=self._children(s, LifeEventRecord, LifeEventRow, customer_id,
                                           LifeEventRecord.on.desc()),
                referrals=self._referrals(s, customer_id),
            )

    def find_by_card_no(self, card_no: str) -> int | None:
        """The id of a card number (active or in the recycle bin), or None."""
        with self.read() as s:
            return s.scalar(select(Customer.id).where(Customer.card_no == card_no.strip().upper()))

    @staticmethod
    def _children(s: Session, model: type, row_cls: type, customer_id: int, order: object) -> tuple:
        stmt = select(model).where(model.customer_id == customer_id).order_by(order, model.id.desc())
        return tuple(row_of(row_cls, x) for x in s.scalars(stmt))

    @staticmethod
    def _referrals(s: Session, customer_id: int) -> tuple[ReferralRow, ...]:
        rows = s.execute(select(Customer.id, Customer.card_no, Customer.name, Customer.deal_status)
                         .where(Customer.referrer_id == customer_id, Customer.deleted_at.is_(None))
                         .order_by(Customer.name_pinyin))
        return tuple(ReferralRow(*r) for r in rows)

    @staticmethod
    def _input_of(c: Customer) -> CustomerInput:
        values = {f.name: getattr(c, f.name) for f in fields(CustomerInput)
                  if f.name not in ("birthday", "tags")}
        return CustomerInput(**values, birthday=birthday_of(c), tags=tuple(t.name for t in c.tags))

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with how many active customers carry it."""
        with self.read() as s:
            stmt = (select(Tag.name, func.count(Customer.id))
                    .join(CustomerTag, CustomerTag.tag_id == Tag.id)
                    .join(Customer, and_(Customer.id == CustomerTag.customer_id, Customer.deleted_at.is_(None)))
                    .group_by(Tag.name).order_by(func.count(Customer.id).desc()))
            return [(n, c) for n, c in s.execute(stmt)]

    def referral_counts(self, limit: int = 20) -> list[tuple[int, str, int, int]]:
        """Top referrers: (id, name, referred, of whom became customers)."""
        referred = Customer.__table__.alias("referred")
        stmt = (select(Customer.id, Customer.name, func.count(referred.c.id),
                       func.sum(case((referred.c.deal_status == "成交", 1), else_=0)))
                .join(referred, referred.c.referrer_id == Customer.id)
                .where(Customer.deleted_at.is_(None), referred.c.deleted_at.is_(None))
                .group_by(Customer.id, Customer.name).order_by(func.count(referred.c.id).desc()).limit(limit))
        with self.read() as s:
            return [(i, n, c, int(w or 0)) for i, n, c, w in s.execute(stmt)]

    def duplicates(self, data: CustomerInput, exclude_id: int | None = None) -> list[DuplicateCandidate]:
        """Existing cards that may be this customer: same phone, or same name with company or birthday."""
        phones = _phone_keys(data)
        name = " ".join(data.name.split())
        conditions = []
        if phones:
            conditions.append(or_(Customer.mobile.in_(phones),
                                  func.replace(Customer.phone, "-", "").in_(phones)))
        if name and data.company.strip():
            conditions.append(and_(Customer.name == name, Customer.company == data.company.strip()))
        if name and data.birthday is not None:
            b = data.birthday
            conditions.append(and_(Customer.name == name, Customer.birth_month == b.month,
                                   Customer.birth_day == b.day, Customer.birth_cal == b.calendar))
        if not conditions:
            return []
        stmt = select(Customer).where(or_(*conditions), Customer.deleted_at.is_(None))
        if exclude_id is not None:
            stmt = stmt.where(Customer.id != exclude_id)
        with self.read() as s:
            return [DuplicateCandidate(c.id, c.card_no, c.name, c.company, c.mobile, _dup_reason(c, phones, data))
                    for c in s.scalars(stmt.limit(20))]

    def pinyin_of(self, name: str, person: bool = True) -> tuple[str, str]:
        """(full pinyin, initials) of a name, as search sees it."""
        return full_pinyin(name, person=person), initials(name, person=person)


def _phone_keys(data: CustomerInput) -> set[str]:
    """The phones of an input as stored (normalised), for matching; unparseable ones by their digits."""
    keys = set()
    for raw, normalise in ((data.mobile, normalise_mobile), (data.phone, normalise_landline)):
        try:
            value = normalise(raw)
        except ValidationError:
            value = raw
        if search.digits(value):
            keys.add(search.digits(value))
    return keys


def _dup_reason(c: Customer, phones: set[str], data: CustomerInput) -> str:
    if c.mobile in phones or c.phone.replace("-", "") in phones:
        return "电话相同"
    if c.company and c.company == data.company.strip():
        return "姓名和单位相同"
    return "姓名和生日相同"


def _comparable(data: CustomerInput) -> dict:
    values = {f.name: getattr(data, f.name) for f in fields(CustomerInput)}
    values["tags"] = "、".join(data.tags)
    values["birthday"] = _birthday_text(data)
    return values


def _birthday_text(data: CustomerInput) -> str:
    b = data.birthday
    if b is None:
        return ""
    prefix = "农历" if b.is_lunar else ""
    leap = "闰" if b.leap else ""
    year = f"{b.year}年" if b.year else ""
    return f"{prefix}{year}{leap}{b.month}月{b.day}日"


def touch(s: Session, customer_id: int, now: datetime) -> None:
    """Mark a card as updated (child records changed)."""
    customer = s.get(Customer, customer_id)
    if customer is not None:
        customer.updated_at = now

