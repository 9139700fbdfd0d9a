"""The archive's tables (SQLAlchemy 2 ORM). Portable SQL: SQLite-only features live in app/search.py."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of every table."""


class BirthdayMixin:
    """A birthday as the person states it: 公历 or 农历 (with leap month), year optional."""

    birth_cal: Mapped[str] = mapped_column(String(8), default="")  # '' | 'solar' | 'lunar'
    birth_year: Mapped[int | None] = mapped_column(Integer)
    birth_month: Mapped[int | None] = mapped_column(Integer)
    birth_day: Mapped[int | None] = mapped_column(Integer)
    birth_leap: Mapped[bool] = mapped_column(Boolean, default=False)


class Customer(BirthdayMixin, Base):
    """One customer card (客户卡), individual or organisation."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    card_no: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(4), default="个人")
    name: Mapped[str] = mapped_column(String(100))
    name_pinyin: Mapped[str] = mapped_column(String(400), default="")
    name_initials: Mapped[str] = mapped_column(String(100), default="")
    gender: Mapped[str] = mapped_column(String(2), default="")
    # Contact details
    mobile: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    wechat: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    preferred_channel: Mapped[str] = mapped_column(String(8), default="")
    # Work (individual) / organisation profile
    company: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(100), default="")
    occupation: Mapped[str] = mapped_column(String(100), default="")
    org_nature: Mapped[str] = mapped_column(String(50), default="")
    business_scope: Mapped[str] = mapped_column(Text, default="")
    has_branches: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_org: Mapped[str] = mapped_column(String(200), default="")
    employee_count: Mapped[int | None] = mapped_column(Integer)
    related_parties: Mapped[str] = mapped_column(Text, default="")
    main_needs: Mapped[str] = mapped_column(Text, default="")
    current_spend: Mapped[str] = mapped_column(Text, default="")
    # 需求与状况 — the paper card's status fields
    needs: Mapped[str] = mapped_column(Text, default="")
    finance: Mapped[str] = mapped_column(Text, default="")
    operations: Mapped[str] = mapped_column(Text, default="")
    purchasing: Mapped[str] = mapped_column(Text, default="")
    credit: Mapped[str] = mapped_column(Text, default="")
    relations: Mapped[str] = mapped_column(Text, default="")
    # Person profile
    hobbies: Mapped[str] = mapped_column(Text, default="")
    personality: Mapped[str] = mapped_column(Text, default="")
    wedding_date: Mapped[date | None] = mapped_column(Date)
    # Classification
    grade: Mapped[str] = mapped_column(String(1), default="")
    grade_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    economy: Mapped[str] = mapped_column(String(4), default="")
    awareness: Mapped[str] = mapped_column(String(4), default="")
    influence: Mapped[str] = mapped_column(String(4), default="")
    deal_status: Mapped[str] = mapped_column(String(4), default="未成交")
    stage: Mapped[str] = mapped_column(String(8), default="顾客识别")
    loss_reason: Mapped[str] = mapped_column(String(200), default="")
    asset_wan: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    asset_tier: Mapped[str] = mapped_column(String(4), default="")
    source: Mapped[str] = mapped_column(String(10), default="")
    referrer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    influence_center: Mapped[bool] = mapped_column(Boolean, default=False)
    competitor: Mapped[str] = mapped_column(String(200), default="")
    competitor_end: Mapped[date | None] = mapped_column(Date)
    remarks: Mapped[str] = mapped_column(Text, default="")
    # Bookkeeping
    created_by: Mapped[str] = mapped_column(String(50), default="")
    created_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    last_contact_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_appointment_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)
    deleted_by: Mapped[str] = mapped_column(String(50), default="")
    import_batch_id: Mapped[int | None] = mapped_column(Integer)

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", passive_deletes=True
    )
    tags: Mapped[list[Tag]] = relationship(secondary="customer_tags", lazy="selectin")

    __table_args__ = (
        Index("ix_customers_sort", "deleted_at", "name_pinyin"),
        Index("ix_customers_grade", "grade"),
        Index("ix_customers_stage", "stage"),
        Index("ix_customers_deal_status", "deal_status"),
        Index("ix_customers_referrer", "referrer_id"),
        Index("ix_customers_last_contact", "last_contact_at"),
        Index("ix_customers_next_appt", "next_appointment_at"),
        Index("ix_customers_mobile", "mobile"),
        # Covering indexes of the 统计 page (migration 0003).
        Index("ix_customers_stats", "deleted_at", "grade", "deal_status", "stage", "asset_tier", "source",
              "last_contact_at", "created_on", "referrer_id", "influence_center"),
        Index("ix_customers_created", "deleted_at", "created_on"),
    )


class Contact(BirthdayMixin, Base):
    """A contact person or family member of a customer."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(8), default="其他")
    name: Mapped[str] = mapped_column(String(100))
    relation: Mapped[str] = mapped_column(String(30), default="")
    gender: Mapped[str] = mapped_column(String(2), default="")
    mobile: Mapped[str] = mapped_column(String(40), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    wechat: Mapped[str] = mapped_column(String(60), default="")
    email: Mapped[str] = mapped_column(String(120), default="")
    title: Mapped[str] = mapped_column(String(100), default="")
    profile: Mapped[str] = mapped_column(Text, default="")
    personality: Mapped[str] = mapped_column(Text, default="")
    hobbies: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    customer: Mapped[Customer] = relationship(back_populates="contacts")


class Tag(Base):
    """A tag or group name."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)


class CustomerTag(Base):
    """Which customer carries which tag."""

    __tablename__ = "customer_tags"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)


class Deal(Base):
    """A deal or service held (成交记录): product, amount, dates."""

    __tablename__ = "deals"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    product: Mapped[str] = mapped_column(String(200))
    contract_no: Mapped[str] = mapped_column(String(60), default="")
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    start_date: Mapped[date | None] = mapped_column(Date)
    renewal_kind: Mapped[str] = mapped_column(String(4), default="周年")
    renewal_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(4), default="有效")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Visit(Base):
    """A visit or service record, with the next appointment agreed."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime)
    method: Mapped[str] = mapped_column(String(8))
    purpose: Mapped[str] = mapped_column(String(200), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[str] = mapped_column(Text, default="")
    learned: Mapped[str] = mapped_column(Text, default="")
    satisfaction: Mapped[int | None] = mapped_column(Integer)
    next_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_place: Mapped[str] = mapped_column(String(200), default="")
    next_agenda: Mapped[str] = mapped_column(Text, default="")
    next_method: Mapped[str] = mapped_column(String(8), default="")
    touchpoint_key: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_visits_customer_at", "customer_id", "at"),
        Index("ix_visits_next_at", "next_at"),
        Index("ix_visits_at", "at"),
        Index("ix_visits_at_customer", "at", "customer_id"),  # migration 0003
    )


class Complaint(Base):
    """A complaint: 记录、处理、复查、反馈."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    received_at: Mapped[datetime] = mapped_column(DateTime)
    content: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(4), default="待处理")
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)
    fed_back: Mapped[bool] = mapped_column(Boolean, default=False)


class LifeEventRecord(Base):
    """A life event (乔迁, 晋升, 结婚, 生子, …)."""

    __tablename__ = "life_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(8))
    on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class TouchpointMark(Base):
    """What happened to one touchpoint occurrence: done (with its service record), skipped, snoozed."""

    __tablename__ = "touchpoint_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    occurrence: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8))
    snooze_to: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime)


class GradeChange(Base):
    """A grade change: C→B→A is the history worth keeping."""

    __tablename__ = "grade_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    old: Mapped[str] = mapped_column(String(1))
    new: Mapped[str] = mapped_column(String(1))


class AuditEntry(Base):
    """The audit trail: who did what, when, with field-level before/after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(50), default="")
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[dict | None] = mapped_column(JSON)


class Setting(Base):
    """Settings that belong with the customer data (profile, cadence, festivals, templates)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[object] = mapped_column(JSON)


class ImportBatch(Base):
    """One Excel/vCard import, kept so the last import can be undone exactly."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(300), default="")
    created_ids: Mapped[list | None] = mapped_column(JSON)
    before_images: Mapped[dict | None] = mapped_column(JSON)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime)


class SearchEntry(Base):
    """One narrow row per customer holding everything searchable (see app/search.py)."""

    __tablename__ = "search_index"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
