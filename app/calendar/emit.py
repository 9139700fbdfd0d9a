"""The engine's machinery: per-call state, the output buckets and the festival fast path.

Everything that does not depend on the customer — which birthdays fall on which day, the festivals,
date objects and ISO strings — is computed once per call, so the per-customer work is dictionary
lookups and string joins.  Output goes into buckets keyed by (day, kind order); customers are visited
in name order, so every bucket comes out sorted without sorting a million touchpoints.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from operator import itemgetter

from app.calendar.festivals import Festival, festivals_between
from app.calendar.lunar import LunarDate, solar_to_lunar
from app.calendar.model import (
    GREETING_SERVICE,
    KIND_ORDER,
    MAJOR_FESTIVALS,
    MINOR_FESTIVAL_SERVICE,
    CalendarSettings,
    CustomerDates,
    Mark,
    Touchpoint,
)
from app.calendar.occasions import emit_customer
from app.calendar.rules import lunar_occurrence_map, solar_occurrence_map

new_touchpoint = tuple.__new__  # Touchpoint's generated __new__ is a Python function; this skips it.
GRADES = "ABCD"
EFFECTIVE_GRADE = {g: g for g in GRADES}  # blank or unknown grade counts as D
_KIND_ORDER = dict(KIND_ORDER)
_FEST = _KIND_ORDER["festival"]
_BY_NAME = itemgetter(5, 3)  # (customer_name, customer_id)
Extra = tuple[str, datetime | None, str, bool]  # (festival key, appointment time, place, carry if overdue)


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
    """What falls in one date range: yearly-date maps and the festivals."""

    lo: int
    hi: int
    solar: Mapping[tuple[int, int], tuple[int, ...]]
    lunar: Mapping[tuple[int, bool, int], tuple[int, ...]]
    festivals: tuple[Festival, ...]

    @classmethod
    def build(cls, start: date, end: date, settings: CalendarSettings) -> Window:
        """The window for [start, end] under `settings`."""
        return cls(start.toordinal(), end.toordinal(), solar_occurrence_map(start, end, settings.feb29_policy),
                   lunar_occurrence_map(start, end), tuple(festivals_between(start, end)))


def cadence_days_of(settings: CalendarSettings) -> dict[str, int]:
    """Grade ('A'–'D', '' = 未定级) → 定期拜访 days; look up other grades with .get(grade, result['D'])."""
    days = settings.cadence_days
    out = {g: days.get(g, days.get("D", 365)) for g in GRADES}
    out[""] = days.get("", out["D"])
    return out


def festival_text(f: Festival, grade: str) -> tuple[str, str, str, str]:
    """(title, method, gift, source) of a festival touchpoint for a customer of `grade`."""
    title = f"{f.name}问候" if f.greets else f"{f.name}提醒（不发节日祝福）"
    source = f"节日：{f.name}" + ("（农历）" if f.lunar else "")
    if not f.greets:
        return title, "", "", source
    method, gift = (GREETING_SERVICE if f.key in MAJOR_FESTIVALS else MINOR_FESTIVAL_SERVICE)[grade]
    return title, method, gift, source


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
        self.unsorted: set[int] = set()  # buckets filled out of customer order (marked festivals)
        self.cadence = cadence_days_of(settings)
        self.people: list[tuple[str, int, str, str, str, CustomerDates]] = []  # (cs, id, card, name, grade, c)
        self._by_grades: dict[str, list[tuple[str, int, str, str, str, CustomerDates]]] = {}
        self._late: list[tuple[CustomerDates, str, str, Window]] = []  # festivals snoozed in from after the range

    def add(self, c: CustomerDates, key: str, o: int, lead: int, kind: str, person: tuple[int | None, str],
            text: tuple[str, str, str, str], extra: Extra = ("", None, "", False)) -> None:
        """Resolve marks and file one touchpoint; text = (title, method, gift, source).

        extra = (festival key, appointment datetime, place, carry overdue into the range?).
        """
        today = self.today
        mark = self.marks.get(key) if self.marks else None
        fo, status, overdue = o, "due", 0
        if mark is not None and mark.status != "snoozed":
            status = mark.status
        else:
            if mark is not None and mark.snooze_to is not None:  # Mark guarantees a date when snoozed
                fo = lead = mark.snooze_to.toordinal()
                status = "snoozed"
            if fo < today:  # not done, or snoozed to a day that has passed
                status, overdue = "overdue", today - fo
        if not self.lo <= fo <= self.hi and not (extra[3] and fo < self.lo <= today and status == "overdue"):
            return
        k = (fo << 4) | _KIND_ORDER[kind]
        bucket = self.buckets.get(k)
        if bucket is None:
            bucket = self.buckets[k] = []
        if kind == "festival":
            self.unsorted.add(k)
        dates = self.dates
        bucket.append(new_touchpoint(Touchpoint, (
            key, dates[fo], dates[lead], c.customer_id, c.card_no, c.name, person[0], person[1],
            kind, text[0], text[1], text[2], status, text[3], extra[0], extra[1], extra[2], overdue)))

    def customers(self, customers: Iterable[CustomerDates], extended: tuple[Window, frozenset[str]] | None) -> None:
        """Emit every non-festival touchpoint, customer by customer in name order.

        `extended` = (a wider window, the tokens of entities with a touchpoint snoozed into the range
        from outside it); only the customers it names are looked at beyond the range.
        """
        people = self.people
        for c in customers:
            grade = EFFECTIVE_GRADE.get(c.grade, "D")
            cs = f"c{c.customer_id}"
            if extended is not None and _touched(c, extended[1]):
                self._festivals_outside(c, cs, grade, extended[0], before=True)
                self._late.append((c, cs, grade, extended[0]))
                emit_customer(self, extended[0], c, cs, grade, True)
            else:
                emit_customer(self, self.window, c, cs, grade, False)
            people.append((cs, c.customer_id, c.card_no, c.name, grade, c))

    def festivals(self) -> None:
        """Emit the festivals in range for every customer whose grade they are set for.

        One customer's festival touchpoints on one day come in the order of the festivals' own dates (then
        the FESTIVALS order): snoozed in from before the range, in range, snoozed in from after it.
        """
        marked = _festival_marks(self.marks)
        for f in self.window.festivals:
            grades = "".join(g for g in GRADES if g in self.settings.festival_grades.get(f.key, ""))
            if grades:
                self._festival(f, grades, marked.get((f.key, f.date.isoformat()), set()))
        for c, cs, grade, window in self._late:
            self._festivals_outside(c, cs, grade, window, before=False)

    def _festival(self, f: Festival, grades: str, marked: set[str]) -> None:
        o = f.date.toordinal()
        status, overdue = ("overdue", self.today - o) if o < self.today else ("due", 0)
        d, ld = self.dates[o], self.dates[o - self.settings.birthday_lead_days if f.greets else o]
        pre, suf, key = f"fest:{f.key}:", f":{f.date.isoformat()}", f.key
        texts = {g: festival_text(f, g) for g in grades}
        title, _, _, source = texts[grades[0]]
        method = {g: t[1] for g, t in texts.items()}
        gift = {g: t[2] for g, t in texts.items()}
        people = self._people_in(grades)
        # The hot path: with default settings every customer gets 春节 and 中秋, A/B ones 17 more.
        made = [new_touchpoint(Touchpoint, (pre + cs + suf, d, ld, cid, card, name, None, name, "festival", title,
                                            method[g], gift[g], status, source, key, None, "", overdue))
                for cs, cid, card, name, g, _ in people if cs not in marked]
        self.buckets.setdefault((o << 4) | _FEST, []).extend(made)
        if marked:
            for cs, _, _, name, g, c in people:
                if cs in marked:
                    self.add(c, pre + cs + suf, o, ld.toordinal(), "festival", (None, name), texts[g],
                             (key, None, "", False))

    def _people_in(self, grades: str) -> list[tuple[str, int, str, str, str, CustomerDates]]:
        """The customers (in name order) whose grade is one of `grades`, filtered once per grade set."""
        found = self._by_grades.get(grades)
        if found is None:
            wanted = set(grades)
            found = self._by_grades[grades] = [p for p in self.people if p[4] in wanted]
        return found

    def _festivals_outside(self, c: CustomerDates, cs: str, grade: str, window: Window, *, before: bool) -> None:
        """Festivals dated before (or after) the range but snoozed into it (only for customers with such marks)."""
        for f in window.festivals:
            o = f.date.toordinal()
            if (o >= self.lo if before else o <= self.hi) or grade not in self.settings.festival_grades.get(f.key, ""):
                continue
            key = f"fest:{f.key}:{cs}:{f.date.isoformat()}"
            if key in self.marks:
                lead = o - self.settings.birthday_lead_days if f.greets else o
                self.add(c, key, o, lead, "festival", (None, c.name), festival_text(f, grade), (f.key, None, "", False))

    def result(self) -> list[Touchpoint]:
        """All touchpoints in agenda order."""
        out: list[Touchpoint] = []
        for k in sorted(self.buckets):
            bucket = self.buckets[k]
            if k in self.unsorted:
                bucket.sort(key=_BY_NAME)
            out += bucket
        return out


def _festival_marks(marks: Mapping[str, Mark]) -> dict[tuple[str, str], set[str]]:
    """(festival key, ISO day) → customer tokens ('c12') that have a mark for it."""
    found: dict[tuple[str, str], set[str]] = {}
    for key in marks:
        parts = key.split(":")
        if len(parts) == 4 and parts[0] == "fest":
            found.setdefault((parts[1], parts[3]), set()).add(parts[2])
    return found


def _touched(c: CustomerDates, tokens: frozenset[str]) -> bool:
    """Whether any token names this customer, one of their deals, life events or appointments."""
    return (f"c{c.customer_id}" in tokens or any(f"d{d.deal_id}" in tokens for d in c.deals)
            or any(f"e{e[0]}" in tokens for e in c.life_events) or any(f"v{a[0]}" in tokens for a in c.appointments))
