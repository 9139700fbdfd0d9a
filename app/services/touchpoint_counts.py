"""How many touchpoints of each kind fall on each day of a short range — counted, never built.

The 日历 grid shows per-day counts by kind.  Building the touchpoints only to count them costs ~0.7 s
for a month at 100k customers; these tables, built once per loaded archive, answer the same question
in a few milliseconds.  They mirror the engine's rules for unmarked touchpoints (occasions.py):
- birthdays: every person whose (month, day) or 农历 (month, leap, day) lands on the day, when the
  age reached is at least 1 (or the birth year is unknown) — sorted birth years per day key, so the
  age test is one bisect;
- 结婚纪念日 from the first anniversary on; 成交周年 on or after the stored date (sorted ordinals);
- one-off dates (续期/到期, 竞品合同到期, 约见, 人生大事), 新单回访 (start + days) and 定期拜访 due on the
  day (last contact or creation + the grade's cadence) — counters by ordinal.
Festivals are counted per grade (`festivals`); marks are the caller's business (a 'done' or
'skipped' mark does not move a touchpoint, a snoozed one does: TouchpointService.month re-runs the
engine for the few customers that have one).  Everything is kept per stored grade ('' = 未定级) so the
grade filter is exact.  tests/app/test_touchpoints_index.py holds these counts equal to the engine's.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter
from types import MappingProxyType

from app.calendar.emit import cadence_days_of
from app.calendar.engine import CalendarSettings, CustomerDates, Mark, touchpoints
from app.calendar.festivals import festivals_between
from app.calendar.lunar import solar_to_lunar
from app.calendar.rules import lunar_occurrence_map, solar_occurrence_map
from app.gcpause import gc_paused
from app.services.touchpoint_index import CandidateIndex, effective_grade

_ByGrade = dict[str, tuple[int, ...]]  # stored grade → sorted years or ordinals
OPEN_STATUSES = ("due", "overdue", "snoozed")
_KEEP_ALL = 0  # birth year when unknown: every occurrence counts
_HEAD, _LAST = itemgetter(slice(0, -1)), itemgetter(-1)
_ISO_TAIL = re.compile(r":(\d{4}-\d{2}-\d{2})$")


def _grouped(items: list[tuple]) -> dict[tuple, _ByGrade]:
    """(*key, grade, value) tuples → key → grade → sorted values (one C-level sort, then groupby)."""
    items.sort()
    out: dict[tuple, _ByGrade] = {}
    for (*key, grade), group in groupby(items, _HEAD):
        out.setdefault(tuple(key), {})[grade] = tuple(map(_LAST, group))
    return out


class DayCounts:
    """Per-day, per-kind, per-grade tables of every loaded customer's dates (see the module docstring).

    Built with comprehensions and C-level Counter/sort: 100k customers are ~10⁶ dates, and a Python
    loop with a few dict look-ups per date costs a second here.
    """

    def __init__(self, customers: Sequence[CustomerDates]) -> None:
        with gc_paused():  # ~10⁶ small tuples without cycles: the collector would only rescan the heap
            self._build(customers)

    def _build(self, customers: Sequence[CustomerDates]) -> None:
        born = [(p.birthday, c.grade) for c in customers for p in c.persons if p.birthday is not None]
        self.solar = _grouped([(b.month, b.day, g, b.year or _KEEP_ALL) for b, g in born if b.calendar == "solar"])
        self.lunar = _grouped([(b.month, b.leap, b.day, g, b.year or _KEEP_ALL) for b, g in born
                               if b.calendar == "lunar"])
        self.wedding = _grouped([(w.month, w.day, c.grade, w.year) for c in customers if (w := c.wedding) is not None])
        deals = [(d, c.grade) for c in customers for d in c.deals]
        self.anniv = _grouped([(r.month, r.day, g, r.toordinal()) for d, g in deals
                               if (r := d.renewal) is not None and d.renewal_kind == "周年"])
        # ordinal → (kind, grade) → n for one-off dates; ordinal → grade → n for deal starts and 定期拜访 bases
        once = Counter((r.toordinal(), "renewal", g) for d, g in deals
                       if (r := d.renewal) is not None and d.renewal_kind != "周年")
        once.update((e.toordinal(), "competitor_end", c.grade) for c in customers if (e := c.competitor_end) is not None)
        once.update((a[1].toordinal(), "appointment", c.grade) for c in customers for a in c.appointments)
        once.update((e[2].toordinal(), "life_event", c.grade) for c in customers for e in c.life_events)
        self.once: dict[int, dict[tuple[str, str], int]] = {}
        for (o, kind, g), n in once.items():
            self.once.setdefault(o, {})[(kind, g)] = n
        self.starts = _by_ordinal(Counter((d.start.toordinal(), g) for d, g in deals if d.start is not None))
        self.bases = _by_ordinal(Counter((b.toordinal(), c.grade) for c in customers
                                         if (b := c.last_contact or c.created_on) is not None))
        self.raw_grades = Counter(c.grade for c in customers)  # stored grade ('' = 未定级) → how many
        self.grades = set(self.raw_grades)

    def between(self, start: date, end: date, settings: CalendarSettings, kinds: Iterable[str] = (),
                grades: Iterable[str] = ()) -> dict[date, Counter[str]]:
        """Day → kind → how many unmarked, non-festival touchpoints dated in [start, end].

        kinds and grades filter as TouchpointService.between does ('' grade = 未定级); empty = all.
        """
        wanted_kinds, wanted_grades = set(kinds), set(grades)
        grades_in = [g for g in self.grades if not wanted_grades or g in wanted_grades]
        out: dict[int, Counter[str]] = defaultdict(Counter)

        def want(kind: str) -> bool:
            return not wanted_kinds or kind in wanted_kinds

        solar_map = solar_occurrence_map(start, end, settings.feb29_policy)
        if want("birthday"):
            self._yearly(out, "birthday", self.solar, solar_map, grades_in, _solar_year, 1)
            self._yearly(out, "birthday", self.lunar, lunar_occurrence_map(start, end), grades_in, _lunar_year, 1)
        if want("wedding"):
            self._yearly(out, "wedding", self.wedding, solar_map, grades_in, _solar_year, 1)
        if want("deal_anniversary"):
            self._yearly(out, "deal_anniversary", self.anniv, solar_map, grades_in, _same, 0)
        self._dated(out, start.toordinal(), end.toordinal(), settings, want, set(grades_in))
        return {date.fromordinal(o): kinds_ for o, kinds_ in out.items() if kinds_}

    def festivals(self, start: date, end: date, settings: CalendarSettings, marks: Mapping[str, Mark],
                  by_id: Mapping[int, CustomerDates], grades: Iterable[str] = ()) -> Counter[date]:
        """How many festival touchpoints each day of [start, end] has, without building them.

        Every customer whose (effective) grade gets a festival has one on its day; a snoozed mark moves
        one from its day to the snooze day (either may lie outside the range).  Grades filter by the
        stored grade, as `TouchpointService.between` does.
        """
        wanted = set(grades)
        per_grade: Counter[str] = Counter()
        for raw, n in self.raw_grades.items():
            if not wanted or raw in wanted:
                per_grade[effective_grade(raw)] += n
        counts: Counter[date] = Counter()
        for f in festivals_between(start, end):
            counts[f.date] += sum(per_grade[g] for g in settings.festival_grades.get(f.key, ""))
        lo, hi = start.toordinal(), end.toordinal()
        for key, mark in marks.items():
            if mark.status != "snoozed" or mark.snooze_to is None or not key.startswith("fest:"):
                continue
            _fest, fkey, token, iso = key.split(":")
            customer = by_id.get(int(token[1:])) if token[:1] == "c" and token[1:].isdigit() else None
            if customer is None:
                continue
            raw = customer.grade
            if (wanted and raw not in wanted) or effective_grade(raw) not in settings.festival_grades.get(fkey, ""):
                continue
            if lo <= date.fromisoformat(iso).toordinal() <= hi:
                counts[date.fromisoformat(iso)] -= 1
            if lo <= mark.snooze_to.toordinal() <= hi:
                counts[mark.snooze_to] += 1
        return counts

    @staticmethod
    def _yearly(out: dict[int, Counter[str]], kind: str, table: dict, occurrences: dict, grades: list[str],
                measure: Callable[[int], int], gap: int) -> None:
        """Count entries whose stored value v satisfies v <= measure(day) - gap on each occurrence day.

        Birthdays and weddings: v = the year, measure = the occurrence's (农历) year, gap 1 (at least one
        year old / married); 成交周年: v = the stored ordinal, measure = the day's ordinal, gap 0.
        """
        for key, ordinals in occurrences.items():
            by_grade = table.get(key)
            if by_grade is None:
                continue
            for o in ordinals:
                limit = measure(o) - gap
                n = sum(bisect_right(by_grade[g], limit) for g in grades if g in by_grade)
                if n:
                    out[o][kind] += n

    def _dated(self, out: dict[int, Counter[str]], lo: int, hi: int, settings: CalendarSettings,
               want: Callable[[str], bool], grades: set[str]) -> None:
        """One-off dates, 新单回访 and 定期拜访 due, day by day."""
        cadence = cadence_days_of(settings)
        shift = settings.new_deal_followup_days
        followup, due = want("followup"), want("cadence")
        for o in range(lo, hi + 1):
            day = out[o]
            for (kind, g), n in self.once.get(o, {}).items():
                if g in grades and want(kind):
                    day[kind] += n
            if followup:
                day["followup"] += sum(n for g, n in self.starts.get(o - shift, {}).items() if g in grades)
            if due:
                day["cadence"] += sum(self.bases.get(o - cadence.get(g, cadence["D"]), {}).get(g, 0) for g in grades)
            for kind in [k for k, n in day.items() if not n]:
                del day[kind]


@dataclass(frozen=True)
class SpanTally:
    """Touchpoints dated in one range: how many in each status, and who still has one open."""

    status: Mapping[str, int]
    open_customers: frozenset[int]

    @property
    def due(self) -> int:
        """Every touchpoint dated in the range."""
        return sum(self.status.values())


def span_tally(customers: Sequence[CustomerDates], marks: Mapping[str, Mark], counts: DayCounts,
               index: CandidateIndex, settings: CalendarSettings, start: date, end: date, today: date) -> SpanTally:
    """What `touchpoints` would give in [start, end] (dated inside it), tallied without building most of it.

    Unmarked touchpoints are counted (DayCounts: before today 'overdue', else 'due'); the customers a
    mark may touch go through the engine with and without the marks, which corrects both the statuses
    and the dates.  Open customers: everyone unmarked whose grade gets a festival in the range has one
    (a festival touchpoint is always there), the others are asked of the engine (candidates only).
    """
    lo, hi = start.toordinal(), end.toordinal()
    marked = {pos for key, m in marks.items() if mark_may_touch(key, m, lo, hi) for pos in index.positions_named(key)}
    status: Counter[str] = Counter()
    for day, by_kind in counts.between(start, end, settings).items():
        status["overdue" if day < today else "due"] += sum(by_kind.values())
    for day, n in counts.festivals(start, end, settings, {}, {}).items():
        status["overdue" if day < today else "due"] += n
    moved = [customers[pos] for pos in sorted(marked)]
    open_ids: set[int] = set()
    for tp in touchpoints(moved, start, end, today, settings, marks):
        if start <= tp.date <= end:
            status[tp.status] += 1
            if tp.status in OPEN_STATUSES:
                open_ids.add(tp.customer_id)
    for tp in touchpoints(moved, start, end, today, settings, {}):
        if start <= tp.date <= end:
            status[tp.status] -= 1
    festive = {g for f in festivals_between(start, end) for g in settings.festival_grades.get(f.key, "")}
    rest = []
    for pos, c in enumerate(customers):
        if pos not in marked:
            if effective_grade(c.grade) in festive:
                open_ids.add(c.customer_id)
            else:
                rest.append(c)
    if rest:
        picked = index.candidates(start, end, today, settings, {}, carry=False)
        if picked is not None:
            near = {c.customer_id for c in picked}
            rest = [c for c in rest if c.customer_id in near]
        open_ids.update(tp.customer_id for tp in touchpoints(rest, start, end, today, settings, {})
                        if start <= tp.date <= end)
    return SpanTally(MappingProxyType({k: n for k, n in status.items() if n}), frozenset(open_ids))


def _by_ordinal(counts: Counter[tuple[int, str]]) -> dict[int, dict[str, int]]:
    """(ordinal, grade) → n  as  ordinal → grade → n."""
    out: dict[int, dict[str, int]] = {}
    for (o, g), n in counts.items():
        out.setdefault(o, {})[g] = n
    return out


def _same(o: int) -> int:
    return o


def _solar_year(o: int) -> int:
    return date.fromordinal(o).year


def _lunar_year(o: int) -> int:
    return solar_to_lunar(date.fromordinal(o)).year or 0


def mark_may_touch(key: str, mark: Mark, lo: int, hi: int) -> bool:
    """Whether a mark can change a touchpoint dated in [lo, hi] or move one into it (keys without a date: maybe)."""
    if mark.snooze_to is not None and lo <= mark.snooze_to.toordinal() <= hi:
        return True
    tail = _ISO_TAIL.search(key)
    return tail is None or lo <= date.fromisoformat(tail.group(1)).toordinal() <= hi
