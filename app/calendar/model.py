"""Plain inputs and outputs of the touchpoint engine (the DB service builds the inputs).

`engine.py` re-exports every name here; import them from `app.calendar.engine`.
"""
from __future__ import annotations

import datetime as dt
from calendar import isleap
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import NamedTuple

from app.calendar.festivals import DEFAULT_FESTIVAL_GRADES
from app.calendar.lunar import lunar_ordinal
from app.calendar.rules import check_feb29_policy, check_solar_md
from app.errors import ValidationError

KINDS = ("appointment", "followup", "renewal", "competitor_end", "birthday", "wedding", "life_event",
         "deal_anniversary", "festival", "cadence")
# Same-day order in the agenda: fixed meetings first, then deadlines, then greetings, routine last.
KIND_ORDER: Mapping[str, int] = MappingProxyType({kind: i for i, kind in enumerate(KINDS)})
STATUSES = ("due", "overdue", "done", "skipped", "snoozed")
MARK_STATUSES = ("done", "skipped", "snoozed")
DEFAULT_CADENCE_DAYS: Mapping[str, int] = MappingProxyType({"A": 30, "B": 90, "C": 180, "D": 365, "": 365})

# Suggested way to greet by grade (birthday, wedding, 春节, 中秋, happy life event): (method, gift).
GREETING_SERVICE: Mapping[str, tuple[str, str]] = MappingProxyType({
    "A": ("上门拜访", "礼品（鲜花、蛋糕或伴手礼）"),
    "B": ("电话问候", "贺卡"),
    "C": ("微信/短信", ""),
    "D": ("微信/短信", ""),
})
# Festivals other than 春节 and 中秋 get a lighter touch: nobody wants a gift nineteen times a year.
MAJOR_FESTIVALS = ("chunjie", "zhongqiu")
MINOR_FESTIVAL_SERVICE: Mapping[str, tuple[str, str]] = MappingProxyType({
    "A": ("电话问候", ""),
    "B": ("微信/短信", ""),
    "C": ("微信/短信", ""),
    "D": ("微信/短信", ""),
})
# Suggested way for business touchpoints (renewal, anniversary, competitor end, cadence) by grade.
BUSINESS_METHOD: Mapping[str, str] = MappingProxyType({"A": "上门拜访", "B": "电话", "C": "电话", "D": "电话"})
FOLLOWUP_METHOD = "上门回访"  # 五个100%: visit right after every new deal, whatever the grade
APPOINTMENT_METHOD = "面谈"


@dataclass(frozen=True)
class DateSpec:
    """A stored birthday: 'solar' or 'lunar', year None when unknown, leap only for 农历."""

    calendar: str
    year: int | None
    month: int
    day: int
    leap: bool = False

    def __post_init__(self) -> None:
        if self.calendar == "lunar":
            if not 1 <= self.month <= 12 or not 1 <= self.day <= 30:
                raise ValidationError("生日", f"农历没有{self.month}月{self.day}日")
            if self.year is not None:
                lunar_ordinal(self.year, self.month, self.day, self.leap)  # that year must have this date
        elif self.calendar == "solar":
            check_solar_md(self.month, self.day)
            if self.leap:
                raise ValidationError("生日", "公历没有闰月")
            if self.year is not None and (self.month, self.day) == (2, 29) and not isleap(self.year):
                raise ValidationError("生日", f"{self.year}年不是闰年，没有2月29日")
        else:
            raise ValidationError("生日", f"历法只能是 solar（公历）或 lunar（农历），不是“{self.calendar}”")


class PersonDates(NamedTuple):
    """The customer themself (person_id None, relation '') or one of their contacts or family.

    PersonDates, DealDates and CustomerDates are NamedTuples, not frozen dataclasses: the loader builds
    about four of them per customer (~450k at 100k customers), and a tuple costs ~150 bytes and one
    C-level allocation (`tuple.__new__`) against ~350 bytes with its own __dict__ and ~2–4 µs through a
    frozen dataclass's __init__.  Just as immutable; derive a changed copy with `_replace`.
    """

    person_id: int | None
    name: str
    relation: str
    birthday: DateSpec | None


class DealDates(NamedTuple):
    """A deal's dates; renewal_kind is '周年', '续期', '续保' or '到期'."""

    deal_id: int
    product: str
    start: date | None
    renewal: date | None
    renewal_kind: str


class CustomerDates(NamedTuple):
    """Everything about one customer the calendar needs; appointments are (visit_id, at, place, agenda).

    persons: whoever has a birthday — the customer themself first, then contacts and family.
    """

    customer_id: int
    card_no: str
    name: str
    grade: str
    is_org: bool
    persons: tuple[PersonDates, ...]
    wedding: date | None
    deals: tuple[DealDates, ...]
    competitor_end: date | None
    last_contact: date | None
    created_on: date | None
    appointments: tuple[tuple[int, datetime, str, str], ...] = ()
    life_events: tuple[tuple[int, str, date], ...] = ()  # (event_id, kind 乔迁/晋升/结婚/生子/…, date)


@dataclass(frozen=True)
class Mark:
    """What the salesperson did about one touchpoint key: 'done', 'skipped' or 'snoozed' (to snooze_to)."""

    key: str
    status: str
    snooze_to: date | None = None
    reason: str = ""
    visit_id: int | None = None

    def __post_init__(self) -> None:
        if self.status not in MARK_STATUSES:
            raise ValidationError("处理状态", f"只能是 done、skipped 或 snoozed，不是“{self.status}”")
        if self.status == "snoozed" and self.snooze_to is None:
            raise ValidationError("推迟到", "推迟时要选一个日期")


@dataclass(frozen=True)
class CalendarSettings:
    """How often to see each grade, who gets which festival greeting, and how early to remind."""

    cadence_days: Mapping[str, int] = field(default_factory=lambda: DEFAULT_CADENCE_DAYS)
    festival_grades: Mapping[str, str] = field(default_factory=lambda: MappingProxyType(DEFAULT_FESTIVAL_GRADES))
    renewal_lead_days: int = 30
    competitor_lead_days: int = 30
    birthday_lead_days: int = 7
    feb29_policy: str = "feb28"
    new_deal_followup_days: int = 3

    def __post_init__(self) -> None:
        check_feb29_policy(self.feb29_policy)
        leads = (self.renewal_lead_days, self.competitor_lead_days, self.birthday_lead_days,
                 self.new_deal_followup_days)
        if min(leads) < 0 or max(leads) > 366:
            raise ValidationError("提前天数", "提前提醒的天数要在 0 到 366 之间")
        if any(days <= 0 for days in self.cadence_days.values()):
            raise ValidationError("拜访周期", "每个等级的拜访周期至少 1 天")


class Touchpoint(NamedTuple):
    """One thing to do for one customer on one day; `key` is stable across runs (marks refer to it).

    A NamedTuple, not a frozen dataclass: a year's agenda for 100k customers has about a million of
    these, and a frozen dataclass's __init__ (one object.__setattr__ per field) costs ~7 µs each on
    the reference machine against ~0.3 µs here.  It is just as immutable; use `_replace` to derive one.
    """

    key: str
    date: dt.date
    lead_date: dt.date  # (the field `date` shadows the type inside this class body)
    customer_id: int
    card_no: str
    customer_name: str
    person_id: int | None
    person_name: str
    kind: str
    title: str
    method: str
    gift: str
    status: str
    source: str
    festival_key: str = ""
    at: datetime | None = None
    place: str = ""
    overdue_days: int = 0
