"""Plain frozen dataclasses the services take (…Input) and hand out (…Row, CustomerCard). No ORM objects."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Birthday:
    """A birthday as stated: 公历 ('solar') or 农历 ('lunar', leap = 闰月); the year may be unknown."""

    calendar: str
    month: int
    day: int
    year: int | None = None
    leap: bool = False

    @property
    def is_lunar(self) -> bool:
        """True for a 农历 birthday."""
        return self.calendar == "lunar"


@dataclass(frozen=True)
class CustomerInput:
    """Everything the salesperson can edit on a card. Field names match the archive's columns."""

    name: str
    kind: str = "个人"
    card_no: str = ""  # '' → assigned automatically (KH000123)
    gender: str = ""
    birthday: Birthday | None = None
    mobile: str = ""
    phone: str = ""
    wechat: str = ""
    email: str = ""
    address: str = ""
    postcode: str = ""
    preferred_channel: str = ""
    company: str = ""
    title: str = ""
    occupation: str = ""
    org_nature: str = ""
    business_scope: str = ""
    has_branches: bool = False
    parent_org: str = ""
    employee_count: int | None = None
    related_parties: str = ""
    main_needs: str = ""
    current_spend: str = ""
    needs: str = ""
    finance: str = ""
    operations: str = ""
    purchasing: str = ""
    credit: str = ""
    relations: str = ""
    hobbies: str = ""
    personality: str = ""
    wedding_date: date | None = None
    grade: str = ""
    grade_manual: bool = False
    economy: str = ""
    awareness: str = ""
    influence: str = ""
    deal_status: str = "未成交"
    stage: str = "顾客识别"
    loss_reason: str = ""
    asset_wan: Decimal | None = None
    source: str = ""
    referrer_id: int | None = None
    influence_center: bool = False
    competitor: str = ""
    competitor_end: date | None = None
    remarks: str = ""
    created_by: str = ""
    created_on: date | None = None  # None → today
    tags: tuple[str, ...] = ()


CUSTOMER_LABELS: dict[str, str] = {
    "name": "姓名/名称", "kind": "客户类型", "card_no": "客户编号", "gender": "性别", "birthday": "生日",
    "mobile": "手机", "phone": "电话", "wechat": "微信", "email": "邮箱", "address": "地址", "postcode": "邮编",
    "preferred_channel": "首选联系方式", "company": "单位", "title": "职务", "occupation": "职业",
    "org_nature": "企业性质", "business_scope": "经营范围", "has_branches": "有分支机构",
    "parent_org": "上级主管部门", "employee_count": "员工数量", "related_parties": "关联上下游客户",
    "main_needs": "主要需求", "current_spend": "目前消费", "needs": "需求状况", "finance": "财务状况",
    "operations": "经营状况", "purchasing": "采购状况", "credit": "信用状况", "relations": "对外关系状况",
    "hobbies": "爱好", "personality": "性格习惯", "wedding_date": "结婚纪念日", "grade": "等级",
    "grade_manual": "手动定级", "economy": "经济条件", "awareness": "需求意识", "influence": "影响力",
    "deal_status": "成交状态", "stage": "阶段", "loss_reason": "流失原因", "asset_wan": "资产规模(万元)",
    "asset_tier": "资产层级", "source": "来源", "referrer_id": "介绍人", "influence_center": "影响力中心",
    "competitor": "竞争对手", "competitor_end": "竞争对手合同到期", "remarks": "备注",
    "created_by": "建卡人", "created_on": "建卡日期", "tags": "标签",
}


@dataclass(frozen=True)
class ContactInput:
    """A contact person or family member."""

    name: str
    role: str = "其他"
    relation: str = ""
    gender: str = ""
    birthday: Birthday | None = None
    mobile: str = ""
    phone: str = ""
    wechat: str = ""
    email: str = ""
    title: str = ""
    profile: str = ""
    personality: str = ""
    hobbies: str = ""
    notes: str = ""


@dataclass(frozen=True)
class ContactRow(ContactInput):
    """A stored contact."""

    id: int = 0
    customer_id: int = 0


@dataclass(frozen=True)
class DealInput:
    """A deal or policy held."""

    product: str
    amount: Decimal | None = None
    start_date: date | None = None
    renewal_kind: str = "周年"
    renewal_date: date | None = None
    status: str = "有效"
    contract_no: str = ""
    notes: str = ""


@dataclass(frozen=True)
class DealRow(DealInput):
    """A stored deal."""

    id: int = 0
    customer_id: int = 0


@dataclass(frozen=True)
class VisitInput:
    """A visit or service record (记一笔)."""

    customer_id: int
    at: datetime
    method: str
    purpose: str = ""
    content: str = ""
    result: str = ""
    learned: str = ""
    satisfaction: int | None = None
    next_at: datetime | None = None
    next_place: str = ""
    next_agenda: str = ""
    next_method: str = ""
    contact_id: int | None = None
    touchpoint_key: str = ""


@dataclass(frozen=True)
class VisitRow(VisitInput):
    """A stored visit."""

    id: int = 0
    customer_name: str = ""


@dataclass(frozen=True)
class ComplaintInput:
    """A complaint and how it was handled."""

    content: str
    received_at: datetime | None = None  # None → now
    status: str = "待处理"
    resolution: str = ""
    resolved_at: datetime | None = None
    reviewed: bool = False
    fed_back: bool = False


@dataclass(frozen=True)
class ComplaintRow(ComplaintInput):
    """A stored complaint."""

    id: int = 0
    customer_id: int = 0


@dataclass(frozen=True)
class LifeEventInput:
    """A life event."""

    kind: str
    on: date
    note: str = ""
    contact_id: int | None = None


@dataclass(frozen=True)
class LifeEventRow(LifeEventInput):
    """A stored life event."""

    id: int = 0
    customer_id: int = 0


@dataclass(frozen=True)
class CustomerRow:
    """One line of the customer list."""

    id: int
    card_no: str
    name: str
    kind: str
    grade: str
    deal_status: str
    stage: str
    mobile: str
    company: str
    last_contact_at: datetime | None
    next_appointment_at: datetime | None
    tags: str
    asset_tier: str = ""
    deleted_at: datetime | None = None


@dataclass(frozen=True)
class Page:
    """A page of list rows and the total matching."""

    rows: tuple[CustomerRow, ...]
    total: int
    offset: int


LIST_SORTS = ("name", "card_no", "grade", "deal_status", "stage", "mobile", "company",
              "last_contact_at", "next_appointment_at", "created_at", "asset_wan")


@dataclass(frozen=True)
class ListQuery:
    """Search, filters, sort and page of the customer list (all done in SQL)."""

    search: str = ""
    grades: tuple[str, ...] = ()
    deal_status: str = ""
    stage: str = ""
    tag: str = ""
    tier: str = ""
    kind: str = ""
    ids: tuple[int, ...] | None = None
    sort: str = "name"
    descending: bool = False
    offset: int = 0
    limit: int = 100


@dataclass(frozen=True)
class ReferralRow:
    """A customer this customer referred."""

    id: int
    card_no: str
    name: str
    deal_status: str


@dataclass(frozen=True)
class AuditRow:
    """One audit entry, with field-level changes {label: (before, after)}."""

    at: datetime
    actor: str
    action: str
    entity: str
    summary: str
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class CustomerCard:
    """A whole card: the editable data plus what has grown on it."""

    id: int
    data: CustomerInput
    asset_tier: str
    created_at: datetime
    updated_at: datetime
    last_contact_at: datetime | None
    next_appointment_at: datetime | None
    deleted_at: datetime | None
    referrer_name: str
    contacts: tuple[ContactRow, ...]
    deals: tuple[DealRow, ...]
    visits: tuple[VisitRow, ...]
    complaints: tuple[ComplaintRow, ...]
    life_events: tuple[LifeEventRow, ...]
    referrals: tuple[ReferralRow, ...]

    @property
    def card_no(self) -> str:
        """The card number."""
        return self.data.card_no

    @property
    def name(self) -> str:
        """The customer's name."""
        return self.data.name

    @property
    def open_complaints(self) -> tuple[ComplaintRow, ...]:
        """Complaints not yet resolved or closed."""
        return tuple(c for c in self.complaints if c.status in ("待处理", "处理中"))


@dataclass(frozen=True)
class DuplicateCandidate:
    """An existing card that may be the same customer, and why."""

    id: int
    card_no: str
    name: str
    company: str
    mobile: str
    reason: str


@dataclass(frozen=True)
class DeletedRow:
    """A card in the recycle bin."""

    id: int
    card_no: str
    name: str
    deleted_at: datetime
    deleted_by: str
