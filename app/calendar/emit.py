"""The engine's inner loop: turn one customer's dates into touchpoints (see engine.py for the rules).

Everything that does not depend on the customer — which birthdays fall on which day, the festivals
and their titles, date objects and ISO strings — is computed once per call in `Run` and `Window`, so
the per-customer work is dictionary lookups and string joins.  This is what keeps a year for 100k
customers near a second.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from app.calendar.festivals import festivals_between
from app.calendar.lunar import LunarDate, LunarYearTable, format_lunar, solar_to_lunar, zodiac
from app.calendar.model import (
    APPOINTMENT_METHOD,
    BUSINESS_METHOD,
    FOLLOWUP_METHOD,
    GREETING_SERVICE,
    KIND_ORDER,
    CalendarSettings,
    CustomerDates,
    DateSpec,
    Mark,
    PersonDates,
    Touchpoint,
)
from app.calendar.rules import lunar_occurrence_map, solar_occurrence_map

_new = tuple.__new__  # Touchpoint's generated __new__ is a Python function; this skips it.
_GRADES = "ABCD"
_EFFECTIVE_GRADE = {g: g for g in _GRADES}  # blank or unknown grade counts as D
_LUNAR_TEXT = {(m, leap, d): format_lunar(LunarDate(None, m, d, leap))
               for m in range(1, 13) for leap in (False, True) for d in range(1, 31)}
CONGRATULATE = ("乔迁", "晋升", "结婚", "生子", "升学", "开业", "获奖")
_KIND_ORDER = dict(KIND_ORDER)
_FEST = _KIND_ORDER["festival"]


class _Dates(dict[int, date]):
    """ordinal → date, filled on first use."""

    def __missing__(self, o: int) -> date:
        d = self[o] = date.fromordinal(o)
        return d


class _Iso(dict[int, str]):
    """ordinal → 'YYYY-MM-DD', filled on first use."""

    def __missing__(self, o: int) -> str:
        s = self[o] = date.fromordinal(o).isoformat()
        return s


class _Lunar(dict[int, LunarDate]):
    """ordinal → its 农历 date, filled on first use."""

    def __missing__(self, o: int) -> LunarDate:
        ld = self[o] = solar_to_lunar(date.fromordinal(o))
        return ld


@dataclass(frozen=True)
class Window:
    """What falls in one date range: yearly-date maps and each grade's festivals (prepared rows)."""

    lo: int
    hi: int
    solar: Mapping[tuple[int, int], tuple[int, ...]]
    lunar: Mapping[tuple[int, bool, int], tuple[int, ...]]
    festivals: Mapping[str, tuple[tuple, ...]]  # effective grade → festival rows (see _festival_rows)

    @classmethod
    def build(cls, start: date, end: date, settings: CalendarSettings) -> Window:
        """The window for [start, end] under `settings`."""
        return cls(start.toordinal(), end.toordinal(), solar_occurrence_map(start, end, settings.feb29_policy),
                   lunar_occurrence_map(start, end), _festival_rows(start, end, settings))


def _festival_rows(start: date, end: date, settings: CalendarSettings) -> dict[str, tuple[tuple, ...]]:
    rows: dict[str, list[tuple]] = {g: [] for g in _GRADES}
    for f in festivals_between(start, end):
        o, iso = f.date.toordinal(), f.date.isoformat()
        title = f"{f.name}问候" if f.greets else f"{f.name}提醒（不发节日祝福）"
        source = f"节日：{f.name}" + ("（农历）" if f.lunar else "")
        lead = o - settings.birthday_lead_days if f.greets else o
        for g in settings.festival_grades.get(f.key, ""):
            if g in rows:
                method, gift = GREETING_SERVICE[g] if f.greets else ("", "")
                rows[g].append((f"fest:{f.key}:", f":{iso}", o, lead, title, source, f.key, method, gift))
    return {g: tuple(r) for g, r in rows.items()}


class Run:
    """Per-call state: the window, marks, caches and the output buckets keyed by (day, kind order)."""

    def __init__(self, start: date, end: date, today: date, settings: CalendarSettings,
                 marks: Mapping[str, Mark]) -> None:
        self.window = Window.build(start, end, settings)
        self.lo, self.hi, self.today = self.window.lo, self.window.hi, today.toordinal()
        self.settings = settings
        self.marks = marks
        self.dates, self.iso, self.lunar = _Dates(), _Iso(), _Lunar()
        self.buckets: dict[int, list[Touchpoint]] = {}
        self.cadence = {g: settings.cadence_days.get(g, settings.cadence_days.get("D", 365)) for g in "ABCD"}
        self.cadence[""] = settings.cadence_days.get("", self.cadence["D"])
        self._festival_rows: dict[int, dict[str, tuple[tuple, ...]]] = {}

    def festival_rows(self, w: Window) -> dict[str, tuple[tuple, ...]]:
        """w's festival rows with this run's status, date objects and output bucket added (once per window)."""
        rows = self._festival_rows.get(id(w))
        if rows is None:
            rows = self._festival_rows[id(w)] = {g: tuple(map(self._festival_row, w.festivals[g])) for g in _GRADES}
        return rows

    def _festival_row(self, row: tuple) -> tuple:
        o, lead = row[2], row[3]
        status, overdue = ("overdue", self.today - o) if o < self.today else ("due", 0)
        append = None
        if self.lo <= o <= self.hi:
            append = self.buckets.setdefault((o << 4) | _FEST, []).append
        return (*row, self.dates[o], self.dates[lead], status, overdue, append)

    def wanted(self, o: int) -> bool:
        """Whether a single-date occurrence on o could be listed (in range, or movable by some mark)."""
        return bool(self.marks) or self.lo <= o <= self.hi

    def resolve(self, key: str, o: int) -> tuple[int, str, int]:
        """(final ordinal, status, overdue days) of an occurrence on ordinal o."""
        mark = self.marks.get(key) if self.marks else None
        if mark is not None:
            if mark.status != "snoozed" or mark.snooze_to is None:
                return o, mark.status, 0
            o = mark.snooze_to.toordinal()
            if o >= self.today:
                return o, "snoozed", 0
        if o < self.today:
            return o, "overdue", self.today - o
        return o, "due", 0

    def add(self, c: CustomerDates, key: str, o: int, lead: int, kind: str, person: tuple[int | None, str],
            text: tuple[str, str, str, str], extra: tuple = ("", None, "", False)) -> None:
        """Resolve marks and file one touchpoint; text = (title, method, gift, source)."""
        fo, status, overdue = self.resolve(key, o)
        if not self.lo <= fo <= self.hi:
            carry = extra[3] and fo < self.lo <= self.today and status == "overdue"
            if not carry:
                return
        if fo != o:
            lead = fo
        k = (fo << 4) | _KIND_ORDER[kind]
        bucket = self.buckets.get(k)
        if bucket is None:
            bucket = self.buckets[k] = []
        bucket.append(_new(Touchpoint, (
            key, self.dates[fo], self.dates[lead], c.customer_id, c.card_no, c.name, person[0], person[1],
            kind, text[0], text[1], text[2], status, text[3], extra[0], extra[1], extra[2], overdue)))


def emit_customer(run: Run, w: Window, c: CustomerDates) -> None:
    """File every touchpoint of one customer that falls in the run's range."""
    grade = _EFFECTIVE_GRADE.get(c.grade, "D")
    cs = f"c{c.customer_id}"
    for p in c.persons:
        b = p.birthday
        if b is None:
            continue
        hits = w.lunar.get((b.month, b.leap, b.day)) if b.calendar == "lunar" else w.solar.get((b.month, b.day))
        if hits:
            for o in hits:
                _birthday(run, c, cs, grade, p, b, o)
    if c.wedding is not None:
        _wedding(run, w, c, cs, grade)
    if c.deals:
        _deals(run, w, c, grade)
    if c.competitor_end is not None:
        o = c.competitor_end.toordinal()
        if run.wanted(o):
            run.add(c, f"competitor:{cs}:{run.iso[o]}", o, o - run.settings.competitor_lead_days,
                    "competitor_end", (None, c.name),
                    (f"{c.name} 竞争对手合同到期", BUSINESS_METHOD[grade], "", "客户档案：竞争对手合同到期日"))
    _cadence(run, c, cs, grade)
    for visit_id, at, place, agenda in c.appointments:
        o = at.toordinal()
        if not run.wanted(o):
            continue
        title = f"约见{c.name}：{agenda}" if agenda else f"约见{c.name}"
        run.add(c, f"appt:v{visit_id}", o, o, "appointment", (None, c.name),
                (title, APPOINTMENT_METHOD, "", "访问记录：下次约见"), ("", at, place, False))
    for event_id, kind, day in c.life_events:
        _life_event(run, c, grade, event_id, kind, day)
    _festivals(run, w, c, cs, grade)


def _festivals(run: Run, w: Window, c: CustomerDates, cs: str, grade: str) -> None:
    # The hot path: with default settings every customer gets 春节 and 中秋, A/B ones 17 more.
    marks, cid, card, name = run.marks, c.customer_id, c.card_no, c.name
    for pre, suf, o, lead, title, source, fkey, method, gift, d, ld, status, overdue, append in \
            run.festival_rows(w)[grade]:
        key = pre + cs + suf
        if marks and key in marks:
            run.add(c, key, o, lead, "festival", (None, name), (title, method, gift, source), (fkey, None, "", False))
        elif append is not None:
            append(_new(Touchpoint, (key, d, ld, cid, card, name, None, name, "festival", title, method, gift,
                                     status, source, fkey, None, "", overdue)))


def _birthday(run: Run, c: CustomerDates, cs: str, grade: str, p: PersonDates, b: DateSpec, o: int) -> None:
    lunar = b.calendar == "lunar"
    parts = ["农历" + _LUNAR_TEXT[(b.month, b.leap, b.day)]] if lunar else []
    if b.year is not None:
        age = (run.lunar[o].year or 0) - b.year if lunar else run.dates[o].year - b.year
        if age < 1:
            return  # not born yet, or the day of birth itself
        parts += [f"{age}岁", "属" + zodiac(b.year if lunar else _lunar_birth_year(b))]
    detail = f"（{'，'.join(parts)}）" if parts else ""
    who = p.name if p.person_id is None or not p.relation else f"{p.name} {p.relation}"
    whose = "客户" if p.person_id is None else (p.relation or "联系人")
    source = f"{whose}生日（{'农历' if lunar else '公历'}{_moved_note(run, b, o)}）"
    method, gift = GREETING_SERVICE[grade]
    run.add(c, f"bday:{cs}:p{p.person_id or 0}:{run.iso[o]}", o, o - run.settings.birthday_lead_days,
            "birthday", (p.person_id, p.name), (f"{who} 生日{detail}", method, gift, source))


def _moved_note(run: Run, b: DateSpec, o: int) -> str:
    """'，今年按四月十五过' when a leap-month or day-30 rule (or 2月29日 policy) moved the birthday."""
    if b.calendar == "lunar":
        ld = run.lunar[o]
        if (ld.month, ld.leap, ld.day) != (b.month, b.leap, b.day):
            return f"，今年按{format_lunar(ld)}过"
        return ""
    d = run.dates[o]
    return f"，平年按{d.month}月{d.day}日过" if (d.month, d.day) != (b.month, b.day) else ""


@lru_cache(maxsize=512)
def _spring_festival(year: int) -> tuple[int, int]:
    d = date.fromordinal(LunarYearTable.for_year(year).first)
    return d.month, d.day


def _lunar_birth_year(b: DateSpec) -> int:
    """The lunar year a 公历 birthday falls in (for 生肖): born before 春节 → the previous one."""
    assert b.year is not None
    return b.year if (b.month, b.day) >= _spring_festival(b.year) else b.year - 1


def _wedding(run: Run, w: Window, c: CustomerDates, cs: str, grade: str) -> None:
    wedding = c.wedding
    assert wedding is not None
    method, gift = GREETING_SERVICE[grade]
    for o in w.solar.get((wedding.month, wedding.day), ()):
        years = run.dates[o].year - wedding.year
        if years >= 1:
            run.add(c, f"wedding:{cs}:{run.iso[o]}", o, o - run.settings.birthday_lead_days, "wedding",
                    (None, c.name), (f"{c.name} 结婚{years}周年纪念日", method, gift, "客户档案：结婚纪念日"))


def _deals(run: Run, w: Window, c: CustomerDates, grade: str) -> None:
    s = run.settings
    for deal in c.deals:
        source = f"成交记录：{deal.product}"
        if deal.start is not None:
            o = deal.start.toordinal() + s.new_deal_followup_days
            if run.wanted(o):
                run.add(c, f"followup:d{deal.deal_id}:{run.iso[o]}", o, o - s.new_deal_followup_days, "followup",
                        (None, c.name), (f"{deal.product} 新单回访", FOLLOWUP_METHOD, "", source))
        if deal.renewal is None:
            continue
        r = deal.renewal.toordinal()
        if deal.renewal_kind != "周年":
            if run.wanted(r):
                run.add(c, f"renew:d{deal.deal_id}:{run.iso[r]}", r, r - s.renewal_lead_days, "renewal",
                        (None, c.name), (f"{deal.product} {deal.renewal_kind or '到期'}",
                                         BUSINESS_METHOD[grade], "", source))
            continue
        for o in w.solar.get((deal.renewal.month, deal.renewal.day), ()):
            if o < r:
                continue
            n = run.dates[o].year - deal.start.year if deal.start is not None else 0
            title = f"{deal.product} {n}周年" if n > 0 else f"{deal.product} 周年"
            run.add(c, f"anniv:d{deal.deal_id}:{run.iso[o]}", o, o - s.renewal_lead_days, "deal_anniversary",
                    (None, c.name), (title, BUSINESS_METHOD[grade], "", source))


def _cadence(run: Run, c: CustomerDates, cs: str, grade: str) -> None:
    base = c.last_contact or c.created_on
    if base is None:
        return
    o = base.toordinal() + run.cadence[c.grade if c.grade in run.cadence else "D"]
    if o > run.hi and not run.marks:
        return  # not due yet in this range (a snooze could only move it later still)
    since = "上次联系" if c.last_contact is not None else "建卡"
    level = f"{c.grade}级" if c.grade else "未定级"
    run.add(c, f"cadence:{cs}:{run.iso[o]}", o, o, "cadence", (None, c.name),
            (f"定期拜访 {c.name}", BUSINESS_METHOD[grade], "", f"拜访周期：{level}，自{since}起算"),
            ("", None, "", True))


def _life_event(run: Run, c: CustomerDates, grade: str, event_id: int, kind: str, day: date) -> None:
    o = day.toordinal()
    if not run.wanted(o):
        return
    if kind in CONGRATULATE:
        title, (method, gift) = f"祝贺{c.name}{kind}", GREETING_SERVICE[grade]
    else:
        title, method, gift = f"{c.name} {kind}：关心问候", GREETING_SERVICE[grade][0], ""
    run.add(c, f"event:e{event_id}:{run.iso[o]}", o, o, "life_event", (None, c.name),
            (title, method, gift, f"人生大事：{kind}"))
