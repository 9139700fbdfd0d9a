"""Which customers can have a touchpoint in a short date range — so a month runs the engine on those only.

The engine visits every customer it is given.  For a month or the 待办 window most customers have
nothing then (no birthday, no renewal, not due), so the service first asks this index, built once per
loaded archive, for the candidates: customers with a yearly date (birthday, wedding, 周年) whose
month-day falls in the range, a one-off date in it (renewal, contract end, appointment, life event,
new-deal follow-up), a 定期拜访 due in it (or overdue, when the range starts by today), a festival
their grade gets in it, or a snoozed mark landing in it.  A superset is harmless (the engine decides);
missing one would hide a touchpoint, which tests/app/test_touchpoints_index.py guards against by
comparing with the engine over every customer.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from app.calendar.engine import CalendarSettings, CustomerDates, Mark
from app.calendar.festivals import festivals_between
from app.calendar.rules import lunar_occurrence_map, solar_occurrence_map

MAX_INDEXED_DAYS = 70  # beyond about two months nearly everyone has something: give the engine everyone
_CADENCE_GROUPS = ("A", "B", "C", "D", "")
_TOKEN = re.compile(r"(?:^|:)([cdve])(\d+)(?=:|$)")


@dataclass(frozen=True)
class _Sorted:
    """Parallel sorted ordinals and customer positions, for range look-ups."""

    ordinals: tuple[int, ...]
    positions: tuple[int, ...]

    @classmethod
    def of(cls, pairs: list[tuple[int, int]]) -> _Sorted:
        pairs.sort()
        return cls(tuple(o for o, _ in pairs), tuple(p for _, p in pairs))

    def between(self, lo: int, hi: int) -> Sequence[int]:
        """Positions whose ordinal is in [lo, hi]."""
        return self.positions[bisect_left(self.ordinals, lo):bisect_right(self.ordinals, hi)]

    def before(self, lo: int) -> Sequence[int]:
        """Positions whose ordinal is < lo."""
        return self.positions[:bisect_left(self.ordinals, lo)]


def effective_grade(grade: str) -> str:
    """The grade festivals and greetings go by: blank or unknown counts as D (as in the engine)."""
    return grade if grade in ("A", "B", "C", "D") else "D"


class CandidateIndex:
    """Date keys of every loaded customer → their positions in the loaded tuple."""

    def __init__(self, customers: Sequence[CustomerDates]) -> None:
        self.customers = customers
        self.solar: dict[tuple[int, int], list[int]] = defaultdict(list)
        self.lunar: dict[tuple[int, bool, int], list[int]] = defaultdict(list)
        self.by_grade: dict[str, list[int]] = defaultdict(list)
        self.owner: dict[str, int] = {}  # 'c12', 'd7', 'v3', 'e5' → position
        singles: list[tuple[int, int]] = []
        starts: list[tuple[int, int]] = []
        bases: dict[str, list[tuple[int, int]]] = {g: [] for g in _CADENCE_GROUPS}
        for pos, c in enumerate(customers):
            self._add(pos, c, singles, starts, bases)
        self.singles = _Sorted.of(singles)
        self.starts = _Sorted.of(starts)
        self.bases = {g: _Sorted.of(pairs) for g, pairs in bases.items()}

    def _add(self, pos: int, c: CustomerDates, singles: list, starts: list, bases: dict) -> None:
        self.owner[f"c{c.customer_id}"] = pos
        self.by_grade[effective_grade(c.grade)].append(pos)
        for p in c.persons:
            b = p.birthday
            if b is not None:
                if b.calendar == "lunar":
                    self.lunar[(b.month, b.leap, b.day)].append(pos)
                else:
                    self.solar[(b.month, b.day)].append(pos)
        if c.wedding is not None:
            self.solar[(c.wedding.month, c.wedding.day)].append(pos)
        for deal in c.deals:
            self.owner[f"d{deal.deal_id}"] = pos
            if deal.start is not None:
                starts.append((deal.start.toordinal(), pos))
            if deal.renewal is not None:
                singles.append((deal.renewal.toordinal(), pos))
                if deal.renewal_kind == "周年":
                    self.solar[(deal.renewal.month, deal.renewal.day)].append(pos)
        if c.competitor_end is not None:
            singles.append((c.competitor_end.toordinal(), pos))
        for visit_id, at, _place, _agenda in c.appointments:
            self.owner[f"v{visit_id}"] = pos
            singles.append((at.toordinal(), pos))
        for event_id, _kind, day in c.life_events:
            self.owner[f"e{event_id}"] = pos
            singles.append((day.toordinal(), pos))
        base = c.last_contact or c.created_on
        if base is not None:
            bases[c.grade if c.grade in _CADENCE_GROUPS else "D"].append((base.toordinal(), pos))

    def candidates(self, start: date, end: date, today: date, settings: CalendarSettings,
                   marks: Mapping[str, Mark], *, carry: bool = True) -> list[CustomerDates] | None:
        """The customers that may have a touchpoint in [start, end]; None: the range is too long to bother.

        carry=False leaves out customers whose only touchpoint would be a 定期拜访 overdue from before the
        range (the month grid does not show those).
        """
        lo, hi = start.toordinal(), end.toordinal()
        if hi - lo > MAX_INDEXED_DAYS:
            return None
        found: set[int] = set()
        for key in solar_occurrence_map(start, end, settings.feb29_policy):
            found.update(self.solar.get(key, ()))
        for lkey in lunar_occurrence_map(start, end):
            found.update(self.lunar.get(lkey, ()))
        found.update(self.singles.between(lo, hi))
        shift = settings.new_deal_followup_days
        found.update(self.starts.between(lo - shift, hi - shift))
        self._cadence(found, lo, hi, today.toordinal() if carry else lo - 1, settings)
        self._festivals(found, start, end, settings)
        self._snoozed(found, lo, hi, marks)
        return [self.customers[pos] for pos in sorted(found)]

    def _cadence(self, found: set[int], lo: int, hi: int, today: int, settings: CalendarSettings) -> None:
        days = settings.cadence_days
        for group, table in self.bases.items():
            cadence = days.get(group, days.get("D", 365))
            found.update(table.between(lo - cadence, hi - cadence))
            if lo <= today:  # the engine carries overdue 定期拜访 into a range that starts by today
                found.update(table.before(lo - cadence))

    def _festivals(self, found: set[int], start: date, end: date, settings: CalendarSettings) -> None:
        grades = {g for f in festivals_between(start, end) for g in settings.festival_grades.get(f.key, "")}
        for grade in grades:
            found.update(self.by_grade.get(grade, ()))

    def positions_named(self, key: str) -> list[int]:
        """The positions of the customers a touchpoint key names (through its c/d/v/e tokens)."""
        owner = self.owner
        return [owner[token] for token in (f"{letter}{number}" for letter, number in _TOKEN.findall(key))
                if token in owner]

    def _snoozed(self, found: set[int], lo: int, hi: int, marks: Mapping[str, Mark]) -> None:
        for key, mark in marks.items():
            if mark.status == "snoozed" and mark.snooze_to is not None and lo <= mark.snooze_to.toordinal() <= hi:
                found.update(self.positions_named(key))
