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
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from itertools import chain

from app.calendar.engine import CalendarSettings, CustomerDates, Mark
from app.calendar.festivals import festivals_between
from app.calendar.rules import lunar_occurrence_map, solar_occurrence_map
from app.gcpause import gc_paused

MAX_INDEXED_DAYS = 70  # beyond about two months nearly everyone has something: give the engine everyone
_CADENCE_GROUPS = ("A", "B", "C", "D", "")
_TOKEN = re.compile(r"(?:^|:)([cdve])(\d+)(?=:|$)")
_SHIFT = 32  # (ordinal << _SHIFT) | position: one int per entry sorts in C several times faster than pairs


class _Sorted:
    """Sorted ordinals with the customer positions beside them, as compact arrays, for range look-ups."""

    __slots__ = ("ordinals", "positions")

    def __init__(self, packed: list[int]) -> None:
        packed.sort()
        mask = (1 << _SHIFT) - 1
        self.ordinals = array("i", [v >> _SHIFT for v in packed])
        self.positions = array("i", [v & mask for v in packed])

    def between(self, lo: int, hi: int) -> Sequence[int]:
        """Positions whose ordinal is in [lo, hi]."""
        return self.positions[bisect_left(self.ordinals, lo):bisect_right(self.ordinals, hi)]

    def before(self, lo: int) -> Sequence[int]:
        """Positions whose ordinal is < lo."""
        return self.positions[:bisect_left(self.ordinals, lo)]


def effective_grade(grade: str) -> str:
    """The grade festivals and greetings go by: blank or unknown counts as D (as in the engine)."""
    return grade if grade in ("A", "B", "C", "D") else "D"


def _grouped(pairs: Iterable[tuple[tuple, int]]) -> dict[tuple, list[int]]:
    """(key, position) pairs → key → positions."""
    out: dict[tuple, list[int]] = {}
    for key, pos in pairs:
        found = out.get(key)
        if found is None:
            out[key] = [pos]
        else:
            found.append(pos)
    return out


class CandidateIndex:
    """Date keys of every loaded customer → their positions in the loaded tuple.

    Built with comprehensions (C-level loops) and kept compact: at 100k customers ~10⁶ entries, where
    one Python loop step per date cost ~1 s and a sorted (ordinal, position) tuple pair ~90 bytes.
    """

    def __init__(self, customers: Sequence[CustomerDates]) -> None:
        self.customers = customers
        with gc_paused():  # ~10⁶ short-lived tuples without cycles
            self._build(customers)

    def _build(self, customers: Sequence[CustomerDates]) -> None:
        at = list(enumerate(customers))
        born = [(b, pos) for pos, c in at for p in c.persons if (b := p.birthday) is not None]
        deals = [(d, pos) for pos, c in at for d in c.deals]
        self.solar = _grouped(chain(
            (((b.month, b.day), pos) for b, pos in born if b.calendar != "lunar"),
            (((w.month, w.day), pos) for pos, c in at if (w := c.wedding) is not None),
            (((r.month, r.day), pos) for d, pos in deals if (r := d.renewal) is not None and d.renewal_kind == "周年"),
        ))
        self.lunar = _grouped(((b.month, b.leap, b.day), pos) for b, pos in born if b.calendar == "lunar")
        self.by_grade = _grouped((effective_grade(c.grade), pos) for pos, c in at)
        # Entity id → position, one table per token letter ('c12', 'd7', 'v3', 'e5' name customer 12, deal 7 …).
        self.owner: dict[str, dict[int, int]] = {
            "c": {c.customer_id: pos for pos, c in at},
            "d": {d.deal_id: pos for d, pos in deals},
            "v": {a[0]: pos for pos, c in at for a in c.appointments},
            "e": {e[0]: pos for pos, c in at for e in c.life_events},
        }
        singles = [r.toordinal() << _SHIFT | pos for d, pos in deals if (r := d.renewal) is not None]
        singles += [e.toordinal() << _SHIFT | pos for pos, c in at if (e := c.competitor_end) is not None]
        singles += [a[1].toordinal() << _SHIFT | pos for pos, c in at for a in c.appointments]
        singles += [e[2].toordinal() << _SHIFT | pos for pos, c in at for e in c.life_events]
        self.singles = _Sorted(singles)
        self.starts = _Sorted([d.start.toordinal() << _SHIFT | pos for d, pos in deals if d.start is not None])
        bases: dict[str, list[int]] = {g: [] for g in _CADENCE_GROUPS}
        for pos, c in at:
            base = c.last_contact or c.created_on
            if base is not None:
                bases[c.grade if c.grade in _CADENCE_GROUPS else "D"].append(base.toordinal() << _SHIFT | pos)
        self.bases = {g: _Sorted(packed) for g, packed in bases.items()}

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
        return [pos for letter, number in _TOKEN.findall(key) if (pos := owner[letter].get(int(number))) is not None]

    def _snoozed(self, found: set[int], lo: int, hi: int, marks: Mapping[str, Mark]) -> None:
        for key, mark in marks.items():
            if mark.status == "snoozed" and mark.snooze_to is not None and lo <= mark.snooze_to.toordinal() <= hi:
                found.update(self.positions_named(key))
