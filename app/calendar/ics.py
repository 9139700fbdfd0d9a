"""Export the customers' dates as an iCalendar (.ics) file for phone and desktop calendars.

What goes in, and how (the README quotes this):
- 公历 birthdays, 结婚纪念日 and 成交周年: one all-day VEVENT each with RRULE:FREQ=YEARLY, so the phone
  keeps reminding year after year.  2月29日 with the default policy (平年过2月28日) is
  RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1 (the last day of February); for the 3月1日 policy no RRULE
  reads the same in every calendar app, so those dates become explicit events like a 农历 date.
- 农历 birthdays: one all-day event per occurrence in the next `years` years (a lunar date has no RRULE).
- Appointments: timed events (floating local time, one hour) with a VALARM 30 minutes before.
- Renewals, 竞品合同到期, 新单回访 and life events: one all-day event each; renewals and contract ends
  carry a VALARM at their lead time (renewal_lead_days / competitor_lead_days before).
- Not exported: festivals (every calendar app shows them already) and 定期拜访 (it moves with each visit).
- Past one-off events are left out; a series starts at the date it counts from.
Every UID is the touchpoint key + '@clientfile' (a series drops the date part), so importing the file
again updates the same events instead of duplicating them.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import BinaryIO

from icalendar import Alarm, Calendar, Event

from app.calendar.engine import CalendarSettings, CustomerDates, DateSpec, Touchpoint, touchpoints

PRODID = "-//ClientFile//客户档案//ZH"
UID_SUFFIX = "@clientfile"
APPOINTMENT_ALARM = timedelta(minutes=30)
APPOINTMENT_LENGTH = timedelta(hours=1)
_ONE_OFF_KINDS = frozenset({"appointment", "renewal", "competitor_end", "followup", "life_event"})
_UNKNOWN_YEAR = 2000  # a leap year, so 2月29日 series can start on a real 2月29日


def write_ics(touchpoint_sources: Iterable[CustomerDates], years: int, today: date,
              path_or_stream: str | BinaryIO, settings: CalendarSettings) -> None:
    """Write every customer's dates from today for `years` years as .ics to a path or binary stream."""
    customers = list(touchpoint_sources)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "客户档案")
    stamp = datetime.now(UTC).replace(microsecond=0)
    explicit = _explicit_prefixes(customers, settings)
    end = _years_later(today, years) - timedelta(days=1)
    no_festivals = dataclasses.replace(settings, festival_grades={})
    for tp in touchpoints(customers, today, end, today, no_festivals, {}):
        if tp.kind in _ONE_OFF_KINDS or tp.key.rpartition(":")[0] in explicit:
            cal.add_component(_one_off(tp, settings, stamp))
    for customer in customers:
        for event in _series(customer, settings, explicit, stamp):
            cal.add_component(event)
    data = cal.to_ical()
    if isinstance(path_or_stream, str):
        with open(path_or_stream, "wb") as f:
            f.write(data)
    else:
        path_or_stream.write(data)


def _years_later(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 2月29日 + years lands in a common year
        return date(d.year + years, 3, 1)


def _needs_explicit(spec_calendar: str, month: int, day: int, settings: CalendarSettings) -> bool:
    return spec_calendar == "lunar" or ((month, day) == (2, 29) and settings.feb29_policy == "mar1")


def _explicit_prefixes(customers: list[CustomerDates], settings: CalendarSettings) -> set[str]:
    """Key prefixes (key minus its date) of yearly dates that are written as one event per year."""
    out = set()
    for c in customers:
        for p in c.persons:
            b = p.birthday
            if b is not None and _needs_explicit(b.calendar, b.month, b.day, settings):
                out.add(f"bday:c{c.customer_id}:p{p.person_id or 0}")
        if c.wedding is not None and _needs_explicit("solar", c.wedding.month, c.wedding.day, settings):
            out.add(f"wedding:c{c.customer_id}")
        for deal in c.deals:
            r = deal.renewal
            if deal.renewal_kind == "周年" and r is not None and _needs_explicit("solar", r.month, r.day, settings):
                out.add(f"anniv:d{deal.deal_id}")
    return out


def _event(uid: str, summary: str, description: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid + UID_SUFFIX)
    event.add("dtstamp", stamp)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    return event


def _alarm(before: timedelta, text: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", -before)
    return alarm


def _one_off(tp: Touchpoint, settings: CalendarSettings, stamp: datetime) -> Event:
    summary = tp.title if tp.person_id is None else f"{tp.title} · {tp.customer_name}"
    advice = tp.method + (f"，{tp.gift}" if tp.gift else "")
    lines = [f"客户：{tp.customer_name}（{tp.card_no}）", f"来源：{tp.source}"]
    if advice:
        lines.insert(1, f"建议：{advice}")
    event = _event(tp.key, summary, "\n".join(lines), stamp)
    if tp.at is not None:
        event.add("dtstart", tp.at)
        event.add("dtend", tp.at + APPOINTMENT_LENGTH)
        if tp.place:
            event.add("location", tp.place)
        event.add_component(_alarm(APPOINTMENT_ALARM, summary))
        return event
    event.add("dtstart", tp.date)
    event.add("dtend", tp.date + timedelta(days=1))
    lead = {"renewal": settings.renewal_lead_days, "competitor_end": settings.competitor_lead_days}.get(tp.kind)
    if lead:
        event.add_component(_alarm(timedelta(days=lead), f"{lead}天后：{summary}"))
    return event


def _series(c: CustomerDates, settings: CalendarSettings, explicit: set[str], stamp: datetime) -> list[Event]:
    """The RRULE events of one customer: 公历 birthdays, wedding anniversary, 成交周年."""
    about = f"客户：{c.name}（{c.card_no}）"
    out = []
    for p in c.persons:
        uid = f"bday:c{c.customer_id}:p{p.person_id or 0}"
        if p.birthday is not None and uid not in explicit:
            who = p.name if p.person_id is None or not p.relation else f"{p.name}（{c.name}的{p.relation}）"
            out.append(_yearly(uid, f"{who} 生日", about, _series_start(p.birthday), stamp))
    if c.wedding is not None and f"wedding:c{c.customer_id}" not in explicit:
        out.append(_yearly(f"wedding:c{c.customer_id}", f"{c.name} 结婚纪念日", about, c.wedding, stamp))
    for deal in c.deals:
        if deal.renewal_kind == "周年" and deal.renewal is not None and f"anniv:d{deal.deal_id}" not in explicit:
            out.append(_yearly(f"anniv:d{deal.deal_id}", f"{deal.product} 周年（{c.name}）", about, deal.renewal,
                               stamp))
    return out


def _series_start(spec: DateSpec) -> date:
    return date(spec.year if spec.year is not None else _UNKNOWN_YEAR, spec.month, spec.day)


def _yearly(uid: str, summary: str, description: str, start: date, stamp: datetime) -> Event:
    event = _event(uid, summary, description, stamp)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(days=1))
    rule: dict[str, object] = {"freq": "yearly"}
    if (start.month, start.day) == (2, 29):  # only reached with the 平年过2月28日 policy
        rule |= {"bymonth": 2, "bymonthday": -1}
    event.add("rrule", rule)
    return event
