"""One customer's own occasions as touchpoints: birthdays, wedding, deals, contract end, visits, life events.

Festivals are not here: they are the same for every customer and go through the batch path in emit.py.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from app.calendar.lunar import LunarDate, format_lunar, lunar_year_of, zodiac
from app.calendar.model import (
    APPOINTMENT_METHOD,
    BUSINESS_METHOD,
    FOLLOWUP_METHOD,
    GREETING_SERVICE,
    CustomerDates,
    DateSpec,
    DealDates,
    PersonDates,
)

if TYPE_CHECKING:
    from app.calendar.emit import Run, Window

CONGRATULATE = ("乔迁", "晋升", "结婚", "生子", "升学", "开业", "获奖")
_GREETING = dict(GREETING_SERVICE)
_BUSINESS = dict(BUSINESS_METHOD)
_CARRY = ("", None, "", True)  # add()'s extra: an overdue 定期拜访 is listed even before the range
ZODIAC = {y % 12: zodiac(y) for y in range(2000, 2012)}  # year % 12 → 生肖, for the hot path
LUNAR_TEXT = {(m, leap, d): format_lunar(LunarDate(None, m, d, leap))
               for m in range(1, 13) for leap in (False, True) for d in range(1, 31)}


def emit_customer(run: Run, w: Window, c: CustomerDates, cs: str, grade: str, any_date: bool) -> None:
    """File every non-festival touchpoint of one customer that falls in the run's range.

    any_date: this customer has a touchpoint snoozed into the range, so one-off dates outside it count.
    """
    # Runs once per customer: only cheap look-ups here, the helpers are called on a hit.
    lunar, solar, lo, hi = w.lunar, w.solar, run.lo, run.hi
    for p in c.persons:
        b = p.birthday
        if b is not None:
            hits = lunar.get((b.month, b.leap, b.day)) if b.calendar == "lunar" else solar.get((b.month, b.day))
            if hits:
                for o in hits:
                    _birthday(run, c, cs, grade, p, b, o)
    wedding = c.wedding
    if wedding is not None:
        hits = solar.get((wedding.month, wedding.day))
        if hits:
            _wedding(run, c, cs, grade, hits)
    for deal in c.deals:
        _deal(run, w, c, grade, deal, any_date)
    end = c.competitor_end
    if end is not None and (lo <= end.toordinal() <= hi or any_date):
        _competitor(run, c, cs, grade)
    base = c.last_contact or c.created_on
    if base is not None:
        o = base.toordinal() + run.cadence.get(c.grade, run.cadence["D"])
        # Listed when due in range, or overdue in a range that starts on or before today.
        if lo <= o <= hi or (o < lo <= run.today) or any_date:
            _cadence(run, c, cs, grade, o)
    for visit_id, at, place, agenda in c.appointments:
        o = at.toordinal()
        if lo <= o <= hi or any_date:
            title = f"约见{c.name}：{agenda}" if agenda else f"约见{c.name}"
            run.add(c, f"appt:v{visit_id}", o, o, "appointment", (None, c.name),
                    (title, APPOINTMENT_METHOD, "", "访问记录：下次约见"), ("", at, place, False))
    for event_id, kind, day in c.life_events:
        if lo <= day.toordinal() <= hi or any_date:
            _life_event(run, c, grade, event_id, kind, day)


def _birthday(run: Run, c: CustomerDates, cs: str, grade: str, p: PersonDates, b: DateSpec, o: int) -> None:
    # One f-string per shape of title: this runs for every birthday in the range.
    lunar = b.calendar == "lunar"
    who = p.name if p.person_id is None or not p.relation else f"{p.name} {p.relation}"
    if b.year is None:
        title = f"{who} 生日（农历{LUNAR_TEXT[(b.month, b.leap, b.day)]}）" if lunar else f"{who} 生日"
    else:
        age = (run.lunar[o].year or 0) - b.year if lunar else run.dates[o].year - b.year
        if age < 1:
            return  # not born yet, or the day of birth itself
        animal = ZODIAC[(b.year if lunar else _lunar_birth_year(b)) % 12]
        if lunar:
            title = f"{who} 生日（农历{LUNAR_TEXT[(b.month, b.leap, b.day)]}，{age}岁，属{animal}）"
        else:
            title = f"{who} 生日（{age}岁，属{animal}）"
    whose = "客户" if p.person_id is None else (p.relation or "联系人")
    moved = _moved_note(run, b, o) if lunar or (b.month, b.day) == (2, 29) else ""
    method, gift = _GREETING[grade]
    run.add(c, f"bday:{cs}:p{p.person_id or 0}:{run.iso[o]}", o, o - run.settings.birthday_lead_days,
            "birthday", (p.person_id, p.name),
            (title, method, gift, f"{whose}生日（{'农历' if lunar else '公历'}{moved}）"))


def _moved_note(run: Run, b: DateSpec, o: int) -> str:
    """'，今年按四月十五过' when a leap-month or day-30 rule (or the 2月29日 policy) moved the birthday."""
    if b.calendar == "lunar":
        ld = run.lunar[o]
        if (ld.month, ld.leap, ld.day) != (b.month, b.leap, b.day):
            return f"，今年按{format_lunar(ld)}过"
        return ""
    d = run.dates[o]
    return f"，平年按{d.month}月{d.day}日过" if (d.month, d.day) != (b.month, b.day) else ""


def _lunar_birth_year(b: DateSpec) -> int:
    """The lunar year a 公历 birthday falls in (for 生肖): born before 春节 → the previous one."""
    assert b.year is not None
    return lunar_year_of(date(b.year, b.month, b.day))


def _wedding(run: Run, c: CustomerDates, cs: str, grade: str, hits: tuple[int, ...]) -> None:
    assert c.wedding is not None
    method, gift = GREETING_SERVICE[grade]
    for o in hits:
        years = run.dates[o].year - c.wedding.year
        if years >= 1:
            run.add(c, f"wedding:{cs}:{run.iso[o]}", o, o - run.settings.birthday_lead_days, "wedding",
                    (None, c.name), (f"{c.name} 结婚{years}周年纪念日", method, gift, "客户档案：结婚纪念日"))


def _deal(run: Run, w: Window, c: CustomerDates, grade: str, deal: DealDates, any_date: bool) -> None:
    s, lo, hi = run.settings, run.lo, run.hi
    if deal.start is not None:
        o = deal.start.toordinal() + s.new_deal_followup_days
        if lo <= o <= hi or any_date:
            run.add(c, f"followup:d{deal.deal_id}:{run.iso[o]}", o, o - s.new_deal_followup_days, "followup",
                    (None, c.name), (f"{deal.product} 新单回访", FOLLOWUP_METHOD, "", f"成交记录：{deal.product}"))
    renewal = deal.renewal
    if renewal is None:
        return
    r = renewal.toordinal()
    if deal.renewal_kind != "周年":
        if lo <= r <= hi or any_date:
            run.add(c, f"renew:d{deal.deal_id}:{run.iso[r]}", r, r - s.renewal_lead_days, "renewal", (None, c.name),
                    (f"{deal.product} {deal.renewal_kind or '到期'}", BUSINESS_METHOD[grade], "",
                     f"成交记录：{deal.product}"))
        return
    for o in w.solar.get((renewal.month, renewal.day), ()):
        if o >= r:
            n = run.dates[o].year - deal.start.year if deal.start is not None else 0
            title = f"{deal.product} {n}周年" if n > 0 else f"{deal.product} 周年"
            run.add(c, f"anniv:d{deal.deal_id}:{run.iso[o]}", o, o - s.renewal_lead_days, "deal_anniversary",
                    (None, c.name), (title, BUSINESS_METHOD[grade], "", f"成交记录：{deal.product}"))


def _competitor(run: Run, c: CustomerDates, cs: str, grade: str) -> None:
    assert c.competitor_end is not None
    o = c.competitor_end.toordinal()
    run.add(c, f"competitor:{cs}:{run.iso[o]}", o, o - run.settings.competitor_lead_days, "competitor_end",
            (None, c.name), (f"{c.name} 竞争对手合同到期", BUSINESS_METHOD[grade], "", "客户档案：竞争对手合同到期日"))


def _cadence(run: Run, c: CustomerDates, cs: str, grade: str, o: int) -> None:
    # In a view that includes today most customers have an overdue visit: keep this path lean.
    contacted = c.last_contact is not None
    source = CADENCE_SOURCE.get((c.grade, contacted)) or cadence_source(c.grade, contacted)
    run.add(c, f"cadence:{cs}:{run.iso[o]}", o, o, "cadence", (None, c.name),
            (f"定期拜访 {c.name}", _BUSINESS[grade], "", source), _CARRY)


def cadence_source(raw_grade: str, contacted: bool) -> str:
    level = f"{raw_grade}级" if raw_grade else "未定级"
    return f"拜访周期：{level}，自{'上次联系' if contacted else '建卡'}起算"


CADENCE_SOURCE = {(g, contacted): cadence_source(g, contacted) for g in ("A", "B", "C", "D", "")
                   for contacted in (False, True)}


def _life_event(run: Run, c: CustomerDates, grade: str, event_id: int, kind: str, day: date) -> None:
    o = day.toordinal()
    if kind in CONGRATULATE:
        title, (method, gift) = f"祝贺{c.name}{kind}", GREETING_SERVICE[grade]
    else:
        title, method, gift = f"{c.name} {kind}：关心问候", GREETING_SERVICE[grade][0], ""
    run.add(c, f"event:e{event_id}:{run.iso[o]}", o, o, "life_event", (None, c.name),
            (title, method, gift, f"人生大事：{kind}"))
