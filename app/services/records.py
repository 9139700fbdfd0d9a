"""What grows on a card: contacts, deals, visits, complaints and life events (each audited)."""
from __future__ import annotations

from dataclasses import asdict
from typing import Any, ClassVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import search
from app.models import Complaint, Contact, Customer, Deal, LifeEventRecord, Visit
from app.rows import (
    ComplaintInput,
    ComplaintRow,
    ContactInput,
    ContactRow,
    DealInput,
    DealRow,
    LifeEventInput,
    LifeEventRow,
    VisitInput,
    VisitRow,
)
from app.services import checks
from app.services.base import ServiceBase, diff, get_or_404, row_of, to_columns
from app.services.customers import touch


class ChildService[In, R](ServiceBase):
    """Add / update / delete / list one kind of record that belongs to a customer."""

    model: ClassVar[type]
    row: ClassVar[type]
    what: ClassVar[str]
    entity: ClassVar[str]
    labels: ClassVar[dict[str, str]] = {}

    def check(self, data: In) -> In:
        """Validate an input (each kind overrides)."""
        return data

    def describe(self, obj: Any) -> str:
        """A short Chinese description for the audit log."""
        return self.what

    def after_change(self, s: Session, customer_id: int) -> None:
        """Keep derived customer fields right (each kind may override)."""

    def add(self, customer_id: int, data: In) -> int:
        """Add a record to a customer's card; returns its id."""
        data = self.check(data)
        with self.write() as s:
            get_or_404(s, Customer, customer_id, "客户")
            obj = self.model(customer_id=customer_id, **self._columns(data))
            self._stamp(obj)
            s.add(obj)
            s.flush()
            self.after_change(s, customer_id)
            touch(s, customer_id, self.now())
            self.audit(s, "create", self.entity, obj.id, customer_id, f"新增{self.what}：{self.describe(obj)}")
            return obj.id

    def update(self, record_id: int, data: In) -> None:
        """Save an edited record (changes audited field by field)."""
        data = self.check(data)
        with self.write() as s:
            obj = get_or_404(s, self.model, record_id, self.what)
            columns = self._columns(data)
            before = {k: getattr(obj, k) for k in columns}
            for key, value in columns.items():
                setattr(obj, key, value)
            self.after_change(s, obj.customer_id)
            touch(s, obj.customer_id, self.now())
            changes = diff(before, columns, self.labels)
            if changes:
                self.audit(s, "update", self.entity, obj.id, obj.customer_id,
                           f"修改{self.what}：{self.describe(obj)}", changes)

    def delete(self, record_id: int) -> None:
        """Delete one record (kept in the audit log with its content)."""
        with self.write() as s:
            obj = get_or_404(s, self.model, record_id, self.what)
            customer_id = obj.customer_id
            snapshot = {self.labels.get(k, k): [v, ""] for k, v in self._snapshot(obj).items()}
            self.audit(s, "delete", self.entity, obj.id, customer_id, f"删除{self.what}：{self.describe(obj)}",
                       snapshot)
            s.delete(obj)
            s.flush()
            self.after_change(s, customer_id)
            touch(s, customer_id, self.now())

    def list(self, customer_id: int) -> list[R]:
        """Every record of this kind on a card, newest first."""
        with self.read() as s:
            stmt = select(self.model).where(self.model.customer_id == customer_id).order_by(self.model.id.desc())
            return [row_of(self.row, x) for x in s.scalars(stmt)]

    def _columns(self, data: In) -> dict[str, Any]:
        return to_columns(data)

    def _stamp(self, obj: Any) -> None:
        if hasattr(obj, "created_at"):
            obj.created_at = self.now()

    @staticmethod
    def _snapshot(obj: Any) -> dict[str, Any]:
        return {k: str(v) for k, v in vars(obj).items() if not k.startswith("_") and v not in (None, "")}


class ContactService(ChildService[ContactInput, ContactRow]):
    """Contact people and family members."""

    model, row, what, entity = Contact, ContactRow, "联系人", "contact"
    labels: ClassVar[dict[str, str]] = {"name": "姓名", "role": "角色", "relation": "关系", "mobile": "手机", "phone": "电话",
              "birth_month": "生日月", "birth_day": "生日日", "birth_year": "生日年", "birth_cal": "历法"}

    def check(self, data: ContactInput) -> ContactInput:
        return checks.check_contact(data)

    def describe(self, obj: Contact) -> str:
        return f"{obj.name}（{obj.relation or obj.role}）"

    def after_change(self, s: Session, customer_id: int) -> None:
        search.refresh(s, [customer_id])


class DealService(ChildService[DealInput, DealRow]):
    """Deals and policies held; the first deal makes the customer 成交."""

    model, row, what, entity = Deal, DealRow, "成交记录", "deal"
    labels: ClassVar[dict[str, str]] = {"product": "产品", "amount": "金额", "start_date": "起始日期", "renewal_date": "续期/周年日",
              "renewal_kind": "日期类型", "status": "状态", "contract_no": "合同/保单号", "notes": "备注"}

    def check(self, data: DealInput) -> DealInput:
        return checks.check_deal(data)

    def describe(self, obj: Deal) -> str:
        return f"{obj.product} {obj.amount or ''}".strip()

    def after_change(self, s: Session, customer_id: int) -> None:
        customer = s.get(Customer, customer_id)
        has_deal = s.scalar(select(func.count(Deal.id)).where(Deal.customer_id == customer_id)) or 0
        if customer is not None and has_deal and customer.deal_status != "成交":
            self.audit(s, "update", "customer", customer_id, customer_id, "有了成交记录，自动改为成交客户",
                       {"成交状态": [customer.deal_status, "成交"], "阶段": [customer.stage, "成交"]})
            customer.deal_status, customer.stage = "成交", "成交"


class VisitService(ChildService[VisitInput, VisitRow]):
    """Visit and service records (记一笔); they move 上次联系 and 下次约见 on the card."""

    model, row, what, entity = Visit, VisitRow, "拜访/服务记录", "visit"
    labels: ClassVar[dict[str, str]] = {"at": "时间", "method": "方式", "purpose": "目的", "content": "内容", "result": "结果",
              "satisfaction": "满意度", "next_at": "下次约见时间", "next_place": "下次约见地点",
              "next_agenda": "下次约见内容", "learned": "了解到的关系"}

    def log(self, data: VisitInput) -> int:
        """Record a visit or service for data.customer_id; returns its id."""
        return self.add(data.customer_id, data)

    def check(self, data: VisitInput) -> VisitInput:
        return checks.check_visit(data)

    def describe(self, obj: Visit) -> str:
        return f"{obj.at:%Y-%m-%d %H:%M} {obj.method}"

    def _columns(self, data: VisitInput) -> dict[str, Any]:
        columns = asdict(data)
        columns.pop("customer_id")
        return columns

    def after_change(self, s: Session, customer_id: int) -> None:
        refresh_contact_dates(s, customer_id)

    def recent(self, limit: int = 50) -> list[VisitRow]:
        """The latest visits across all customers."""
        with self.read() as s:
            rows = s.execute(select(Visit, Customer.name).join(Customer, Customer.id == Visit.customer_id)
                             .where(Customer.deleted_at.is_(None)).order_by(Visit.at.desc()).limit(limit))
            return [row_of(VisitRow, v, customer_name=n) for v, n in rows]


def refresh_contact_dates(s: Session, customer_id: int) -> None:
    """上次联系 = the latest visit; 下次约见 = the appointment agreed at the latest visit that set one."""
    customer = s.get(Customer, customer_id)
    if customer is None:
        return
    s.flush()
    customer.last_contact_at = s.scalar(select(func.max(Visit.at)).where(Visit.customer_id == customer_id))
    customer.next_appointment_at = s.scalar(
        select(Visit.next_at).where(Visit.customer_id == customer_id, Visit.next_at.is_not(None))
        .order_by(Visit.at.desc(), Visit.id.desc()).limit(1)
    )


class ComplaintService(ChildService[ComplaintInput, ComplaintRow]):
    """Complaints: 记录、处理、复查、反馈."""

    model, row, what, entity = Complaint, ComplaintRow, "投诉", "complaint"
    labels: ClassVar[dict[str, str]] = {"content": "投诉内容", "status": "处理状态", "resolution": "处理结果", "resolved_at": "解决时间",
              "reviewed": "已复查", "fed_back": "已反馈", "received_at": "收到时间"}

    def check(self, data: ComplaintInput) -> ComplaintInput:
        return checks.check_complaint(data)

    def describe(self, obj: Complaint) -> str:
        return obj.content[:30]

    def _columns(self, data: ComplaintInput) -> dict[str, Any]:
        columns = to_columns(data)
        columns["received_at"] = data.received_at or self.now()
        if data.status in ("已解决", "已关闭") and data.resolved_at is None:
            columns["resolved_at"] = self.now()
        return columns

    def open_count(self) -> int:
        """Complaints not yet resolved, across active customers."""
        with self.read() as s:
            return s.scalar(select(func.count(Complaint.id)).join(Customer, Customer.id == Complaint.customer_id)
                            .where(Complaint.status.in_(("待处理", "处理中")), Customer.deleted_at.is_(None))) or 0


class LifeEventService(ChildService[LifeEventInput, LifeEventRow]):
    """Life events (乔迁, 晋升, 结婚, 生子 …)."""

    model, row, what, entity = LifeEventRecord, LifeEventRow, "生活事件", "life_event"
    labels: ClassVar[dict[str, str]] = {"kind": "事件", "on": "日期", "note": "说明"}

    def check(self, data: LifeEventInput) -> LifeEventInput:
        return checks.check_life_event(data)

    def describe(self, obj: LifeEventRecord) -> str:
        return f"{obj.on} {obj.kind}"
