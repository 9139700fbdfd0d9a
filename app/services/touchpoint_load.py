"""Reading every active customer's calendar dates from the archive, compactly, one table scan at a time.

At 100k customers this is ~450k small objects kept for as long as the archive is open, so what each
costs decides much of the app's memory (issue #3):
- PersonDates, DealDates and CustomerDates are NamedTuples made with tuple.__new__ (model.py);
- equal values are one object: each distinct text (names, relations, products, places), each day and
  each birthday (DateSpec) is made once per load and shared;
- rows are streamed from the cursor, never fetched all at once, with the cyclic GC paused (the load
  makes a million tuples without cycles; the collector would rescan them again and again);
- every query is a plain scan in storage order, read through a small page cache: a scan reads each page
  once, and the connection's own cache (sized for the whole file) would otherwise keep ~150 MB of pages
  after the load.  Its size is restored afterwards.
Grouping is done in Python, never one query per customer.  `fingerprint()` is a few index look-ups that
change whenever any of those tables change, which lets the service cache the loaded dates between calls.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import Session

from app.calendar.engine import CustomerDates, DateSpec, DealDates, Mark, PersonDates
from app.errors import AppError, ValidationError
from app.gcpause import gc_paused
from app.models import AuditEntry, Contact, Customer, Deal, LifeEventRecord, TouchpointMark, Visit

logger = logging.getLogger(__name__)

# Deals whose dates still call for action: a cancelled (已终止) or lapsed (已到期) deal has no renewal to chase.
LIVE_DEAL_STATES = ("有效", "待续")
SCAN_CACHE_KIB = 4096  # page cache while loading: plenty for scans (measured: no slower than 512 MiB)
new_tuple = tuple.__new__  # a NamedTuple's generated __new__ is a Python function; this skips it.
BY_ID = attrgetter("customer_id")


@dataclass(frozen=True)
class LoadedDates:
    """Everything loaded in one read: customers (with grades for filtering) and marks by key."""

    customers: tuple[CustomerDates, ...]  # in id order: the order they were read (and lie) in memory
    by_id: Mapping[int, CustomerDates]
    marks: Mapping[str, Mark]  # the stored marks, and `implicit` where no mark is stored
    implicit: Mapping[str, Mark] = MappingProxyType({})  # appointments a later visit kept: done without a mark


def fingerprint(s: Session) -> tuple:
    """Changes whenever a card, record, mark or audited edit changes (each term is one index look-up)."""
    terms = [select(func.max(m.id)) for m in (AuditEntry, Customer, Contact, Deal, Visit, LifeEventRecord,
                                               TouchpointMark)]
    return tuple(s.scalar(t) for t in terms)


def load(s: Session, check: Callable[[], None] = lambda: None) -> LoadedDates:
    """Every active customer's dates and every mark, in a few set-based queries (in the session's transaction).

    `check` runs between the queries; it raises (app.progress.Cancelled) to abandon the load.
    """
    conn = s.connection().connection.dbapi_connection
    with _small_page_cache(conn), gc_paused():
        loader = _Loader(s, conn)
        customers, implicit = loader.dated_customers(check)
        check()
        return _assemble(customers, loader.marks(), implicit)


def reload_customers(s: Session, loaded: LoadedDates, customer_ids: Collection[int]) -> LoadedDates:
    """What `load` gives after a write that changed only these customers (their cards, records, dates) and marks.

    Those customers are read again and every mark is; everyone else's dates are kept.  A write from the
    touchpoint service (complete, skip, snooze, reopen) touches one customer or a few: at 100k customers this
    is a few index look-ups instead of reading everything again (~2 s).  tests/app/test_touchpoint_load.py
    holds the result equal to a fresh load.
    """
    ids = frozenset(customer_ids)
    loader = _Loader(s, s.connection().connection.dbapi_connection, only=ids)
    explicit = loader.marks()
    if not ids:
        return _assemble(loaded.customers, explicit, loaded.implicit, loaded.by_id)
    fresh, implicit_fresh = loader.dated_customers()
    owned = {f"appt:v{a[0]}" for cid in ids if (c := loaded.by_id.get(cid)) is not None for a in c.appointments}
    implicit = {key: mark for key, mark in loaded.implicit.items() if key not in owned}
    implicit.update(implicit_fresh)
    kept = [c for c in loaded.customers if c.customer_id not in ids]
    return _assemble(tuple(sorted(kept + fresh, key=BY_ID)), explicit, implicit)  # two sorted runs: one merge


def _assemble(customers: Sequence[CustomerDates], explicit: dict[str, Mark], implicit: Mapping[str, Mark],
              by_id: Mapping[int, CustomerDates] | None = None) -> LoadedDates:
    """The loaded dates from their parts (a stored mark wins over an implicit one)."""
    marks = dict(explicit)
    for key, mark in implicit.items():
        marks.setdefault(key, mark)
    if by_id is None:
        by_id = MappingProxyType(dict(zip([c.customer_id for c in customers], customers, strict=True)))
    return LoadedDates(tuple(customers), by_id, MappingProxyType(marks), MappingProxyType(dict(implicit)))


@contextmanager
def _small_page_cache(conn: Any) -> Iterator[None]:
    """Scan through a small page cache, then give the connection back its own size (pages read are let go)."""
    (size,), = conn.execute("PRAGMA cache_size").fetchall()
    conn.execute(f"PRAGMA cache_size = -{SCAN_CACHE_KIB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(size)}")


class _Days(dict[str | None, date | None]):
    """Stored day text → its date (the day of a DateTime's text), made once per load and shared; NULL, '' → None."""

    def __init__(self) -> None:
        super().__init__({None: None, "": None})

    def __missing__(self, text: str) -> date:
        day = self[text] = date.fromisoformat(text[:10])
        return day


class _Specs(dict[tuple, DateSpec | None]):
    """Stored (birth_cal, year, month, day, leap) → one shared DateSpec; None if blank or impossible."""

    def __missing__(self, key: tuple) -> DateSpec | None:
        spec = self[key] = _spec(*key)
        return spec


def _spec(cal: str | None, year: int | None, month: int | None, day: int | None, leap: object) -> DateSpec | None:
    """A DateSpec for stored birth_* columns.

    A 农历 date that does not exist in its stated year (e.g. a 闰月 that year lacks, typed before the
    checks were strict) still counts every year without its year: the greeting matters more than the age.
    """
    if not cal or not month or not day:
        return None
    is_leap = bool(leap) if cal == "lunar" else False
    try:
        return DateSpec(cal, year, month, day, is_leap)
    except ValidationError:
        try:
            return DateSpec(cal, None, month, day, is_leap)
        except ValidationError:
            return None


class _Loader:
    """One load: the session's driver connection and the shared days, birthdays and texts."""

    def __init__(self, s: Session, conn: Any, only: frozenset[int] | None = None) -> None:
        """only: read just these customers' dates (marks are always read whole)."""
        self.dialect = s.get_bind().dialect
        self.conn = conn
        self.only = only
        self.days = _Days()
        self.specs = _Specs()
        self.texts: dict[str, str] = {}

    @contextmanager
    def rows(self, stmt: Select) -> Iterator[Any]:
        """The driver's cursor over a query: plain tuples, one at a time.

        Several times faster than SQLAlchemy's typed rows for a few hundred thousand rows; the price is
        that dates come back as the ISO text SQLAlchemy stored (DateTime columns are cut to their day in
        SQL where only the day is needed).  No ORDER BY: a table scan returns rows in rowid order.
        """
        sql = str(stmt.compile(dialect=self.dialect, compile_kwargs={"literal_binds": True}))
        cursor = self.conn.cursor()
        try:
            cursor.execute(sql)
            yield cursor
        finally:
            cursor.close()

    def dated_customers(self, check: Callable[[], None] = lambda: None) -> tuple[list[CustomerDates], dict[str, Mark]]:
        """(customers in id order, the implicit done marks of kept appointments): contacts, deals, appointments
        and life events grouped by customer, then the customers."""
        persons = self.contact_persons()
        check()
        deals = self.deals()
        check()
        appointments, kept = self.appointments()
        check()
        events = self.life_events()
        check()
        implicit = {key: Mark(key, "done", visit_id=visit_id) for key, visit_id in kept.items()}
        return self.customers(persons, deals, appointments, events), implicit

    def _of(self, stmt: Select, column: Any) -> Select:
        """stmt limited to the customers asked for (all when none were named)."""
        return stmt if self.only is None else stmt.where(column.in_(sorted(self.only)))

    def customers(self, persons: dict[int, list[PersonDates]], deals: dict[int, tuple[DealDates, ...]],
                  appointments: dict[int, tuple], events: dict[int, tuple]) -> list[CustomerDates]:
        # `+deleted_at`: a plain scan in id order; through ix_customers_created the rows come in creation
        # order, fetched out of order from a table ten times wider than these columns (3× the time).
        stmt = select(Customer.id, Customer.card_no, Customer.name, Customer.grade, Customer.kind, Customer.birth_cal,
                      Customer.birth_year, Customer.birth_month, Customer.birth_day, Customer.birth_leap,
                      Customer.wedding_date, Customer.competitor_end, func.substr(Customer.last_contact_at, 1, 10),
                      Customer.created_on).where(literal_column(f"+{Customer.__tablename__}.deleted_at").is_(None))
        stmt = self._of(stmt, Customer.id)
        days, specs, share = self.days, self.specs, self.texts.setdefault
        out: list[CustomerDates] = []
        with self.rows(stmt) as rows:
            for (cid, card_no, name, grade, kind, cal, year, month, day, leap, wedding, comp_end, last,
                 created) in rows:
                name = share(name, name)
                # Like the contacts, the customer is among the persons only with a birthday (all any reader uses).
                spec, family = specs[cal, year, month, day, leap], persons.get(cid, ())
                if spec is not None:
                    family = (new_tuple(PersonDates, (None, name, "", spec)), *family)
                out.append(new_tuple(CustomerDates, (
                    cid, card_no, name, grade or "", kind == "单位", tuple(family),
                    days[wedding], deals.get(cid, ()), days[comp_end], days[last], days[created],
                    appointments.get(cid, ()), events.get(cid, ()),
                )))
        return out

    def contact_persons(self) -> dict[int, list[PersonDates]]:
        stmt = (select(Contact.customer_id, Contact.id, Contact.name, Contact.relation, Contact.role,
                       Contact.birth_cal, Contact.birth_year, Contact.birth_month, Contact.birth_day, Contact.birth_leap)
                .where(Contact.birth_cal != "", Contact.birth_month.is_not(None), Contact.birth_day.is_not(None)))
        stmt = self._of(stmt, Contact.customer_id)
        specs, share = self.specs, self.texts.setdefault
        grouped: dict[int, list[PersonDates]] = defaultdict(list)
        with self.rows(stmt) as rows:
            for cid, pid, name, relation, role, cal, year, month, day, leap in rows:
                spec = specs[cal, year, month, day, leap]
                if spec is not None:
                    who = relation or (role if role != "其他" else "")
                    grouped[cid].append(new_tuple(PersonDates, (pid, share(name, name), share(who, who), spec)))
        return grouped

    def deals(self) -> dict[int, tuple[DealDates, ...]]:
        stmt = (select(Deal.customer_id, Deal.id, Deal.product, Deal.start_date, Deal.renewal_date, Deal.renewal_kind)
                .where(Deal.status.in_(LIVE_DEAL_STATES)))
        stmt = self._of(stmt, Deal.customer_id)
        days, share = self.days, self.texts.setdefault
        grouped: dict[int, list[DealDates]] = defaultdict(list)
        with self.rows(stmt) as rows:
            for cid, deal_id, product, start, renewal, kind in rows:
                if start is not None or renewal is not None:
                    kind = kind or "周年"
                    grouped[cid].append(new_tuple(DealDates, (deal_id, share(product, product), days[start],
                                                              days[renewal], share(kind, kind))))
        return {cid: tuple(v) for cid, v in grouped.items()}

    def appointments(self) -> tuple[dict[int, tuple], dict[str, int | None]]:
        """Appointments agreed at visits, and the keys of those a later visit has already kept (implicitly done).

        An appointment counts as kept when the customer was contacted again after the visit that set it, on
        or after the appointment's day: the salesperson logged the meeting without going through 待办.
        """
        with self.rows(self._of(select(Visit.customer_id, func.max(Visit.at)), Visit.customer_id)
                       .group_by(Visit.customer_id)) as rows:
            latest = dict(rows)
        share = self.texts.setdefault
        grouped: dict[int, list[tuple[int, datetime, str, str]]] = defaultdict(list)
        kept: dict[str, int | None] = {}
        stmt = self._of(select(Visit.customer_id, Visit.id, Visit.at, Visit.next_at, Visit.next_place,
                               Visit.next_agenda).where(Visit.next_at.is_not(None)), Visit.customer_id)
        with self.rows(stmt) as rows:
            for cid, visit_id, at, next_at, place, agenda in rows:
                place, agenda = place or "", agenda or ""
                grouped[cid].append((visit_id, datetime.fromisoformat(next_at), share(place, place),
                                     share(agenda, agenda)))
                last = latest.get(cid)
                # ISO text compares like the moments it stands for; the first 10 characters are the day.
                if last is not None and last > at and last[:10] >= next_at[:10]:
                    kept[f"appt:v{visit_id}"] = None
        return {cid: tuple(v) for cid, v in grouped.items()}, kept

    def life_events(self) -> dict[int, tuple[tuple[int, str, date], ...]]:
        days, share = self.days, self.texts.setdefault
        grouped: dict[int, list[tuple[int, str, date]]] = defaultdict(list)
        with self.rows(self._of(select(LifeEventRecord.customer_id, LifeEventRecord.id, LifeEventRecord.kind,
                                       LifeEventRecord.on), LifeEventRecord.customer_id)) as rows:
            for cid, event_id, kind, on in rows:
                day = days[on]
                assert day is not None
                grouped[cid].append((event_id, share(kind, kind), day))
        return {cid: tuple(v) for cid, v in grouped.items()}

    def marks(self) -> dict[str, Mark]:
        stmt = select(TouchpointMark.key, TouchpointMark.status, TouchpointMark.snooze_to, TouchpointMark.reason,
                      TouchpointMark.visit_id)
        out = {}
        with self.rows(stmt) as rows:
            for key, status, snooze_to, reason, visit_id in rows:
                try:
                    out[key] = Mark(key, status, self.days[snooze_to], reason or "", visit_id)
                except AppError:
                    logger.warning("ignoring a touchpoint mark with status %s", status)
        return out
