"""What the touchpoint engine reads from the archive: every active customer's dates, the marks, the settings.

Loading is a handful of set-based queries (customers, contacts with birthdays, deals, appointments,
life events, marks) grouped in Python — never one query per customer — so 100k cards load in a
fraction of a second.  `fingerprint()` is a few index look-ups that change whenever any of those
tables change, which lets the service cache the loaded dates between calls.
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.calendar.engine import (
    CalendarSettings,
    CustomerDates,
    DateSpec,
    DealDates,
    Mark,
    PersonDates,
    Touchpoint,
)
from app.calendar.festivals import DEFAULT_FESTIVAL_GRADES, FESTIVAL_NAMES, FESTIVALS
from app.calendar.greetings import DEFAULT_TEMPLATES, PLACEHOLDERS
from app.errors import AppError, ValidationError
from app.models import (
    AuditEntry,
    Contact,
    Customer,
    Deal,
    LifeEventRecord,
    Setting,
    TouchpointMark,
    Visit,
)
from app.services.base import get_or_404

logger = logging.getLogger(__name__)

CALENDAR_KEY = "calendar"  # lead days and the 2月29日 policy
FESTIVALS_KEY = "festival_grades"  # festival key → grades that get it, e.g. {"chunjie": "ABCD"}
GREETINGS_KEY = "greetings"  # template key → text
# Deals whose dates still call for action: a cancelled (已终止) or lapsed (已到期) deal has no renewal to chase.
LIVE_DEAL_STATES = ("有效", "待续")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# What each greeting template is for, in the order the settings page lists them.
TEMPLATE_LABELS: Mapping[str, str] = MappingProxyType({
    "birthday": "生日", "wedding": "结婚纪念日", "life_event": "人生大事",
    **{key: FESTIVAL_NAMES[key] for key in DEFAULT_TEMPLATES if key in FESTIVAL_NAMES},
})
_LEAD_FIELDS = {
    "renewal_lead_days": "续期/周年提前天数",
    "competitor_lead_days": "竞争对手合同到期提前天数",
    "birthday_lead_days": "生日/节日提前天数",
    "new_deal_followup_days": "新单回访天数",
}


@dataclass(frozen=True)
class LoadedDates:
    """Everything loaded in one read: customers (with grades for filtering) and marks by key."""

    customers: tuple[CustomerDates, ...]
    by_id: Mapping[int, CustomerDates]
    marks: Mapping[str, Mark]


def fingerprint(s: Session) -> tuple:
    """Changes whenever a card, record, mark or audited edit changes (each term is one index look-up)."""
    terms = [select(func.max(m.id)) for m in (AuditEntry, Customer, Contact, Deal, Visit, LifeEventRecord,
                                               TouchpointMark)]
    return tuple(s.scalar(t) for t in terms)


def load(s: Session, check: Callable[[], None] = lambda: None) -> LoadedDates:
    """Every active customer's dates and every mark, in a few set-based queries.

    `check` runs between the queries; it raises (app.progress.Cancelled) to abandon the load.
    """
    persons = _contact_persons(s)
    check()
    deals = _deals(s)
    check()
    appointments, implicit = _appointments(s)
    check()
    events = _life_events(s)
    check()
    specs: dict[tuple, DateSpec | None] = {}
    out: list[CustomerDates] = []
    stmt = select(Customer.id, Customer.card_no, Customer.name, Customer.grade, Customer.kind, Customer.birth_cal,
                  Customer.birth_year, Customer.birth_month, Customer.birth_day, Customer.birth_leap,
                  Customer.wedding_date, Customer.competitor_end, Customer.last_contact_at,
                  Customer.created_on).where(Customer.deleted_at.is_(None))
    for (cid, card_no, name, grade, kind, cal, year, month, day, leap, wedding, comp_end, last,
         created) in _rows(s, stmt):
        own = new_tuple(PersonDates, (None, name, "", _spec(specs, cal, year, month, day, leap)))
        out.append(new_tuple(CustomerDates, (
            cid, card_no, name, grade or "", kind == "单位", (own, *persons.get(cid, ())), _day(wedding),
            deals.get(cid, ()), _day(comp_end), _day(last), _day(created),
            appointments.get(cid, ()), events.get(cid, ()),
        )))
    check()
    marks = _marks(s)
    for key, visit_id in implicit.items():
        marks.setdefault(key, Mark(key, "done", visit_id=visit_id))
    return LoadedDates(tuple(out), MappingProxyType({c.customer_id: c for c in out}), MappingProxyType(marks))


def _rows(s: Session, stmt: Select) -> list[tuple]:
    """Plain tuples straight from the driver, in the session's transaction.

    The queries carry no ORDER BY on purpose: a plain table scan returns rows in id order, while sorting
    by customer walks the customer index and fetches every row out of order (five times slower here).

    Several times faster than SQLAlchemy's typed rows for a few hundred thousand rows; the price is that
    dates come back as the ISO text SQLAlchemy stored (see _day and _moment).
    """
    sql = str(stmt.compile(dialect=s.get_bind().dialect, compile_kwargs={"literal_binds": True}))
    cursor = s.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _day(text: str | None) -> date | None:
    """A stored Date (or the day of a stored DateTime) from its ISO text."""
    return date.fromisoformat(text[:10]) if text else None


def _moment(text: str | None) -> datetime | None:
    """A stored DateTime from its ISO text."""
    return datetime.fromisoformat(text) if text else None


new_tuple = tuple.__new__  # a NamedTuple's generated __new__ is a Python function; this skips it.


def _spec(cache: dict[tuple, DateSpec | None], cal: str, year: int | None, month: int | None, day: int | None,
          leap: bool) -> DateSpec | None:
    """A DateSpec for stored birth_* columns, shared between equal birthdays; None if blank or impossible.

    A 农历 date that does not exist in its stated year (e.g. a 闰月 that year lacks, typed before the
    checks were strict) still counts every year without its year: the greeting matters more than the age.
    """
    if not cal or not month or not day:
        return None
    k = (cal, year, month, day, bool(leap))
    if k not in cache:
        leap = bool(leap) if cal == "lunar" else False
        try:
            cache[k] = DateSpec(cal, year, month, day, leap)
        except ValidationError:
            try:
                cache[k] = DateSpec(cal, None, month, day, leap)
            except ValidationError:
                cache[k] = None
    return cache[k]


def _contact_persons(s: Session) -> dict[int, tuple[PersonDates, ...]]:
    specs: dict[tuple, DateSpec | None] = {}
    grouped: dict[int, list[PersonDates]] = defaultdict(list)
    stmt = (select(Contact.customer_id, Contact.id, Contact.name, Contact.relation, Contact.role, Contact.birth_cal,
                   Contact.birth_year, Contact.birth_month, Contact.birth_day, Contact.birth_leap)
            .where(Contact.birth_cal != "", Contact.birth_month.is_not(None), Contact.birth_day.is_not(None)))
    for cid, pid, name, relation, role, cal, year, month, day, leap in _rows(s, stmt):
        spec = _spec(specs, cal, year, month, day, leap)
        if spec is not None:
            grouped[cid].append(new_tuple(PersonDates, (pid, name, relation or (role if role != "其他" else ""), spec)))
    return {cid: tuple(v) for cid, v in grouped.items()}


def _deals(s: Session) -> dict[int, tuple[DealDates, ...]]:
    grouped: dict[int, list[DealDates]] = defaultdict(list)
    stmt = (select(Deal.customer_id, Deal.id, Deal.product, Deal.start_date, Deal.renewal_date, Deal.renewal_kind)
            .where(Deal.status.in_(LIVE_DEAL_STATES)))
    for cid, deal_id, product, start, renewal, kind in _rows(s, stmt):
        if start is not None or renewal is not None:
            grouped[cid].append(new_tuple(DealDates, (deal_id, product, _day(start), _day(renewal), kind or "周年")))
    return {cid: tuple(v) for cid, v in grouped.items()}


def _appointments(s: Session) -> tuple[dict[int, tuple], dict[str, int | None]]:
    """Appointments agreed at visits, and the keys of those a later visit has already kept (implicitly done).

    An appointment counts as kept when the customer was contacted again after the visit that set it, on
    or after the appointment's day: the salesperson logged the meeting without going through 待办.
    """
    latest = dict(_rows(s, select(Visit.customer_id, func.max(Visit.at)).group_by(Visit.customer_id)))
    grouped: dict[int, list[tuple[int, datetime, str, str]]] = defaultdict(list)
    kept: dict[str, int | None] = {}
    stmt = (select(Visit.customer_id, Visit.id, Visit.at, Visit.next_at, Visit.next_place, Visit.next_agenda)
            .where(Visit.next_at.is_not(None)))
    for cid, visit_id, at, next_at, place, agenda in _rows(s, stmt):
        when = _moment(next_at)
        assert when is not None
        grouped[cid].append((visit_id, when, place or "", agenda or ""))
        last = latest.get(cid)
        # ISO text compares like the moments it stands for; the first 10 characters are the day.
        if last is not None and last > at and last[:10] >= next_at[:10]:
            kept[f"appt:v{visit_id}"] = None
    return {cid: tuple(v) for cid, v in grouped.items()}, kept


def _life_events(s: Session) -> dict[int, tuple[tuple[int, str, date], ...]]:
    grouped: dict[int, list[tuple[int, str, date]]] = defaultdict(list)
    stmt = select(LifeEventRecord.customer_id, LifeEventRecord.id, LifeEventRecord.kind, LifeEventRecord.on)
    for cid, event_id, kind, on in _rows(s, stmt):
        day = _day(on)
        assert day is not None
        grouped[cid].append((event_id, kind, day))
    return {cid: tuple(v) for cid, v in grouped.items()}


def _marks(s: Session) -> dict[str, Mark]:
    stmt = select(TouchpointMark.key, TouchpointMark.status, TouchpointMark.snooze_to, TouchpointMark.reason,
                  TouchpointMark.visit_id)
    out = {}
    for key, status, snooze_to, reason, visit_id in _rows(s, stmt):
        try:
            out[key] = Mark(key, status, _day(snooze_to), reason or "", visit_id)
        except AppError:
            logger.warning("ignoring a touchpoint mark with status %s", status)
    return out


# ----- settings kept in the archive ------------------------------------------------------------

def stored(s: Session, key: str) -> object:
    """A raw stored setting (None when absent)."""
    row = s.get(Setting, key)
    return None if row is None else row.value


def festival_grades_of(raw: object) -> dict[str, str]:
    """Festival key → grades, defaults filled in for anything not stored or not understood."""
    stored_map = raw if isinstance(raw, dict) else {}
    out = {}
    for key, _name, _greets in FESTIVALS:
        value = stored_map.get(key)
        out[key] = _grades_text(value) if isinstance(value, str) else DEFAULT_FESTIVAL_GRADES[key]
    return out


def check_festival_grades(choices: Mapping[str, str]) -> dict[str, str]:
    """Validate festival → grades ('ABCD', 'AB', '' for nobody); unknown festivals are refused."""
    known = {key: name for key, name, _ in FESTIVALS}
    out = {}
    for key, grades in choices.items():
        if key not in known:
            raise ValidationError("节日", f"不认识的节日“{key}”")
        bad = set(grades.upper()) - set("ABCD")
        if bad:
            raise ValidationError(f"{known[key]}问候的客户等级", f"只能是 A、B、C、D，不能是“{''.join(sorted(bad))}”")
        out[key] = _grades_text(grades)
    return out


def _grades_text(value: str) -> str:
    return "".join(g for g in "ABCD" if g in value.upper())


def calendar_settings_of(raw_calendar: object, raw_festivals: object, cadence: Mapping[str, int]) -> CalendarSettings:
    """CalendarSettings from the stored values (anything missing or unusable falls back to the default)."""
    options = raw_calendar if isinstance(raw_calendar, dict) else {}
    values: dict[str, object] = {}
    for name in _LEAD_FIELDS:
        if isinstance(options.get(name), int):
            values[name] = options[name]
    if options.get("feb29_policy") in ("feb28", "mar1"):
        values["feb29_policy"] = options["feb29_policy"]
    days = dict(cadence)
    days[""] = days.get("D", 365)  # a customer without a grade is seen like a D
    try:
        return CalendarSettings(cadence_days=MappingProxyType(days),
                                festival_grades=MappingProxyType(festival_grades_of(raw_festivals)), **values)
    except ValidationError:
        logger.warning("stored calendar options are out of range; using the defaults")
        return CalendarSettings(cadence_days=MappingProxyType(days),
                                festival_grades=MappingProxyType(festival_grades_of(raw_festivals)))


def check_calendar_options(options: Mapping[str, object]) -> dict[str, object]:
    """Validate lead days (0–366 each) and the 2月29日 policy; returns the JSON to store."""
    out: dict[str, object] = {}
    for name, value in options.items():
        if name == "feb29_policy":
            if value not in ("feb28", "mar1"):
                raise ValidationError("2月29日生日在平年", "只能是 2月28日 或 3月1日")
            out[name] = value
        elif name in _LEAD_FIELDS:
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 366:
                raise ValidationError(_LEAD_FIELDS[name], "应为 0 到 366 之间的整数")
            out[name] = value
        else:
            raise ValidationError("日历设置", f"不认识的选项“{name}”")
    return out


def templates_of(raw: object) -> dict[str, str]:
    """Every greeting template: the stored text where there is one, else the default."""
    stored_map = raw if isinstance(raw, dict) else {}
    return {key: str(stored_map.get(key) or text) for key, text in DEFAULT_TEMPLATES.items()}


def check_template(key: str, text: str) -> str:
    """Validate a greeting template: a known key, at most 500 characters, only known {占位符}."""
    label = TEMPLATE_LABELS.get(key)
    if label is None:
        raise ValidationError("问候模板", f"没有“{key}”这个模板")
    text = text.strip()
    if not text:
        return DEFAULT_TEMPLATES[key]
    if len(text) > 500:
        raise ValidationError(f"{label}问候语", "最多 500 个字")
    unknown = [name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]
    if unknown:
        allowed = "、".join("{" + p + "}" for p in PLACEHOLDERS)
        raise ValidationError(f"{label}问候语", f"不认识的占位符 {{{unknown[0]}}}，可用的有 {allowed}")
    return text


def greeting_key(tp: Touchpoint) -> str:
    """Which greeting template a touchpoint uses ('' when its kind has none)."""
    if tp.kind == "festival":
        return tp.festival_key
    return tp.kind if tp.kind in ("birthday", "wedding", "life_event") else ""


def addressee(s: Session, tp: Touchpoint) -> tuple[str, str, bool, str]:
    """(name, gender, is_org, title) of whom the greeting is for: the contact or family member, else the customer."""
    customer = get_or_404(s, Customer, tp.customer_id, "客户")
    is_org = customer.kind == "单位"
    if tp.person_id is not None:
        contact = s.get(Contact, tp.person_id)
        if contact is not None:
            return contact.name, contact.gender, is_org, contact.title
    if is_org:
        return "", "", True, ""  # a greeting to a company: no personal 称呼
    return customer.name, customer.gender, False, customer.title
