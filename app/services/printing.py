"""Whole cards for many customers at once, for batch printing (500 visit sheets, 2,000 labels).

`CustomerService.get` reads one card in eight queries; a batch of 500 would make 4,000.  Here each
table is read once per chunk of ids and grouped in Python, giving the same CustomerCard rows in the
same orders as `get` (deals by start date, visits, complaints and life events newest first).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.errors import NotFound
from app.models import Complaint, Customer, Deal, LifeEventRecord, Visit
from app.rows import ComplaintRow, ContactRow, CustomerCard, DealRow, LifeEventRow, ReferralRow, VisitRow
from app.services.base import ServiceBase, row_of
from app.services.customers import CustomerService

CHUNK = 400


class PrintDataService(ServiceBase):
    """Read-only batch access to whole cards (build it with PrintDataService.of(services))."""

    @classmethod
    def of(cls, svc: Any) -> PrintDataService:
        """The batch reader over the same archive, clock and actor as `svc` (a Services)."""
        base = svc.customers
        return cls(base.archive, base.clock, base.actor)

    def cards(self, ids: Sequence[int], *, last_visits: int | None = None) -> list[CustomerCard]:
        """The cards of `ids` in that order; last_visits keeps only each card's newest N visits."""
        found: dict[int, CustomerCard] = {}
        with self.read() as s:
            for chunk in _chunks(list(dict.fromkeys(ids))):
                found.update(_load_chunk(s, chunk, last_visits))
        missing = [i for i in ids if i not in found]
        if missing:
            raise NotFound(f"找不到该客户（编号 {missing[0]}），可能已被彻底删除。")
        return [found[i] for i in ids]


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _load_chunk(s: Session, ids: list[int], last_visits: int | None) -> dict[int, CustomerCard]:
    customers = list(s.scalars(select(Customer).where(Customer.id.in_(ids))
                               .options(selectinload(Customer.contacts), selectinload(Customer.tags))))
    referrer_ids = {c.referrer_id for c in customers if c.referrer_id}
    referrers: dict[int, str] = {}
    if referrer_ids:
        referrers = {i: n for i, n in s.execute(select(Customer.id, Customer.name)
                                                .where(Customer.id.in_(referrer_ids)))}
    deals = _grouped(s, Deal, DealRow, ids, Deal.start_date.desc(), Deal.id.desc())
    complaints = _grouped(s, Complaint, ComplaintRow, ids, Complaint.received_at.desc(), Complaint.id.desc())
    events = _grouped(s, LifeEventRecord, LifeEventRow, ids, LifeEventRecord.on.desc(), LifeEventRecord.id.desc())
    visits = _visits(s, ids, last_visits, {c.id: c.name for c in customers})
    referrals = _referrals(s, ids)
    out = {}
    for c in customers:
        out[c.id] = CustomerCard(
            id=c.id, data=CustomerService._input_of(c), asset_tier=c.asset_tier, created_at=c.created_at,
            updated_at=c.updated_at, last_contact_at=c.last_contact_at, next_appointment_at=c.next_appointment_at,
            deleted_at=c.deleted_at, referrer_name=referrers.get(c.referrer_id or 0, ""),
            contacts=tuple(row_of(ContactRow, x) for x in c.contacts), deals=tuple(deals[c.id]),
            visits=tuple(visits[c.id]), complaints=tuple(complaints[c.id]), life_events=tuple(events[c.id]),
            referrals=tuple(referrals[c.id]),
        )
    return out


def _grouped(s: Session, model: Any, row_cls: type, ids: list[int], *order: Any) -> dict[int, list]:
    grouped: dict[int, list] = defaultdict(list)
    for obj in s.scalars(select(model).where(model.customer_id.in_(ids)).order_by(*order)):
        grouped[obj.customer_id].append(row_of(row_cls, obj))
    return grouped


def _visits(s: Session, ids: list[int], last: int | None, names: dict[int, str]) -> dict[int, list[VisitRow]]:
    stmt = select(Visit).where(Visit.customer_id.in_(ids))
    if last is not None:  # the newest N per customer, in SQL: a card may carry thousands of visits
        rank = func.row_number().over(partition_by=Visit.customer_id,
                                      order_by=(Visit.at.desc(), Visit.id.desc())).label("rank")
        ranked = select(Visit.id, rank).where(Visit.customer_id.in_(ids)).subquery()
        stmt = select(Visit).join(ranked, ranked.c.id == Visit.id).where(ranked.c.rank <= last)
    grouped: dict[int, list[VisitRow]] = defaultdict(list)
    for v in s.scalars(stmt.order_by(Visit.at.desc(), Visit.id.desc())):
        grouped[v.customer_id].append(row_of(VisitRow, v, customer_name=names.get(v.customer_id, "")))
    return grouped


def _referrals(s: Session, ids: list[int]) -> dict[int, list[ReferralRow]]:
    rows = s.execute(select(Customer.referrer_id, Customer.id, Customer.card_no, Customer.name, Customer.deal_status)
                     .where(Customer.referrer_id.in_(ids), Customer.deleted_at.is_(None))
                     .order_by(Customer.name_pinyin))
    grouped: dict[int, list[ReferralRow]] = defaultdict(list)
    for referrer, *rest in rows:
        grouped[referrer].append(ReferralRow(*rest))
    return grouped
