"""Every non-festival touchpoint of many unmarked customers over a long range, built kind by kind.

The engine (emit.py, occasions.py) visits one customer at a time and files each touchpoint through
`Run.add`, which also resolves marks: ~6 µs a row, ~2.4 s for a year at 100k customers.  Here the
dates are laid out once per loaded archive and a range costs one pass per kind: for yearly dates
(birthdays, weddings, 成交周年) tables by date key, each key's entries in agenda (name, id) order and
ranked, walked day by day (a day's keys merge by rank); for 定期拜访 a flat loop in agenda order; for
one-off dates (新单回访, 续期/到期, 竞品合同到期, 约见, 人生大事) a bisect into day-sorted arrays.  Each
day's date objects, lead date, ISO text, status and output bucket are computed once per range
(bulk_rows.Slots), so every (day, kind) bucket comes out in agenda order, as the engine's do.

The tables hold references to the loaded objects and shared texts, plus per-entry key prefixes,
定期拜访 titles and (on first use) the texts of one-off dates, so that a row makes at most two new
strings: ~120 MB at 100k synthetic customers (the 86 MB of the first layout plus ~33 MB bought for
~0.1 s a year's agenda); only `grouped` (a long range: the command line's agenda) builds them.
Marks are not looked at: a caller sends the customers a mark names (`named`) to the engine and skips
them here.  tests/app/calendar/test_cal_bulk.py holds this equal to the engine.
"""
from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import date
from itertools import count
from operator import itemgetter
from typing import Any

from app.calendar import bulk_rows as rows
from app.calendar.emit import EFFECTIVE_GRADE, Run, cadence_days_of
from app.calendar.lunar import lunar_year_of
from app.calendar.model import BUSINESS_METHOD, GREETING_SERVICE, CalendarSettings, CustomerDates
from app.calendar.occasions import CADENCE_SOURCE, LUNAR_TEXT, ZODIAC, cadence_source
from app.calendar.rules import lunar_occurrence_map, solar_occurrence_map
from app.gcpause import gc_paused

Buckets = rows.Buckets
_TOKEN = re.compile(r"(?:^|:)([cdve])(\d+)(?=:|$)")
_DAY = itemgetter(0)
_TAILS = {animal: f"岁，属{animal}）" for animal in ZODIAC.values()}


class Dated:
    """One one-off kind: day ordinals sorted (agenda order within a day), with each entry's customer and item."""

    def __init__(self, entries: list[tuple[int, CustomerDates, object]], text: Callable[[CustomerDates, Any, str],
                 rows.Text]) -> None:
        """entries: (day ordinal, customer, item) in agenda order; text: an entry's texts given its row's ISO day."""
        entries.sort(key=_DAY)  # stable: agenda order within a day
        self.days = array("q", map(_DAY, entries))
        self.customers = [e[1] for e in entries]
        self.items = [e[2] for e in entries]
        self._text = text
        self._texts: dict[int, list[rows.Text]] = {}

    def between(self, lo: int, hi: int) -> range:
        """Positions of the entries dated in [lo, hi]."""
        return range(bisect_left(self.days, lo), bisect_right(self.days, hi))

    def texts(self, shift: int) -> list[rows.Text]:
        """Every entry's texts (key, title …) for rows dated `shift` days after the stored day; made once per shift."""
        found = self._texts.get(shift)
        if found is None:
            iso = {o: date.fromordinal(o + shift).isoformat() for o in set(self.days)}
            text = self._text
            found = self._texts[shift] = [text(c, item, iso[o])
                                          for o, c, item in zip(self.days, self.customers, self.items, strict=True)]
        return found


class Occasions:
    """Every loaded customer's own dates, laid out for the passes (layouts in bulk_rows); built once per load."""

    def __init__(self, ordered: Sequence[CustomerDates]) -> None:
        """`ordered`: the customers in agenda order (name, then id)."""
        self.ordered = ordered
        self._owners: dict[str, dict[int, int]] | None = None  # built when marks first ask
        self.births: rows.Yearly = {}
        self.weddings: rows.Yearly = {}
        self.anniversaries: rows.Yearly = {}
        self.cadences: list[tuple] = []
        self._rank = count()  # the yearly tables' entries in agenda order: each day's rows merge by it
        once: dict[str, list[tuple[int, CustomerDates, object]]] = {
            "followup": [], "renewal": [], "competitor_end": [], "appointment": [], "life_event": []}
        with gc_paused():  # ~10⁶ small tuples without cycles
            births = _Births(self.births, self._rank)
            for c in ordered:  # one pass: each customer's scattered objects are read once
                grade = EFFECTIVE_GRADE.get(c.grade, "D")
                if c.persons:
                    births.add(c, grade)
                self._add(c, grade, once)
        self.followups, self.renewals, self.competitors, self.appointments, self.events = (
            Dated(once[k], text) for k, text in (
                ("followup", rows.followup_text), ("renewal", rows.renewal_text),
                ("competitor_end", rows.competitor_text), ("appointment", rows.appointment_text),
                ("life_event", rows.event_text)))

    def _add(self, c: CustomerDates, grade: str, once: dict[str, list[tuple[int, CustomerDates, object]]]) -> None:
        """Everything of one customer but the birthdays."""
        w = c.wedding
        if w is not None:
            wed = self.weddings.setdefault(_SOLAR_KEYS[(w.month, w.day)], [])
            wed.append((next(self._rank), w.year, c.customer_id, c.card_no, c.name, *GREETING_SERVICE[grade],
                        f"wedding:c{c.customer_id}:"))
        for d in c.deals:
            if d.start is not None:
                once["followup"].append((d.start.toordinal(), c, d))
            r = d.renewal
            if r is None:
                continue
            if d.renewal_kind != "周年":
                once["renewal"].append((r.toordinal(), c, d))
            else:
                ann = self.anniversaries.setdefault(_SOLAR_KEYS[(r.month, r.day)], [])
                ann.append((next(self._rank), r.toordinal(), d.start.year if d.start is not None else None, c.customer_id,
                            c.card_no, c.name, f"anniv:d{d.deal_id}:", d.product, BUSINESS_METHOD[grade],
                            f"成交记录：{d.product}"))
        if c.competitor_end is not None:
            once["competitor_end"].append((c.competitor_end.toordinal(), c, None))
        base = c.last_contact or c.created_on
        if base is not None:
            contacted = c.last_contact is not None
            self.cadences.append((base.toordinal(), c.grade, c.customer_id, c.card_no, c.name, BUSINESS_METHOD[grade],
                                  CADENCE_SOURCE.get((c.grade, contacted)) or cadence_source(c.grade, contacted),
                                  f"cadence:c{c.customer_id}:", f"定期拜访 {c.name}"))
        for a in c.appointments:
            once["appointment"].append((a[1].toordinal(), c, a))
        for e in c.life_events:
            once["life_event"].append((e[2].toordinal(), c, e))

    def named(self, marks: Iterable[str]) -> set[int]:
        """Ids of the loaded customers the mark keys name (through their c/d/e/v tokens)."""
        if self._owners is None:
            self._owners = _owner_tables(self.ordered)
        found: set[int] = set()
        for key in marks:
            for letter, number in _TOKEN.findall(key):
                owner = self._owners[letter].get(int(number))
                if owner is not None:
                    found.add(owner)
        return found

    def emit(self, buckets: Buckets, start: date, end: date, today: date, settings: CalendarSettings,
             kinds: Collection[str], skip: Collection[int]) -> None:
        """File every non-festival touchpoint in [start, end] (and overdue 定期拜访 when start <= today) into
        `buckets`, as the engine would without marks; kinds: only these (empty: all); skip: customer ids left out."""
        run, s = Run(start, end, today, settings, {}), settings

        def want(kind: str) -> bool:
            return not kinds or kind in kinds

        def slots(kind: str, lead: int) -> rows.Slots:
            return rows.Slots(run, kind, lead, buckets)

        solar = solar_occurrence_map(start, end, s.feb29_policy)
        if want("birthday"):
            days = slots("birthday", s.birthday_lead_days)
            occ = rows.yearly(solar, days, run, rows.solar_note)
            occ.update(rows.yearly(lunar_occurrence_map(start, end), days, run, rows.lunar_note))
            rows.file_yearly(self.births, occ, skip, rows.birthday_rows)
        if want("wedding"):
            rows.file_yearly(self.weddings, rows.yearly(solar, slots("wedding", s.birthday_lead_days), run,
                                                        rows.solar_note), skip, rows.wedding_rows)
        if want("deal_anniversary"):
            rows.file_yearly(self.anniversaries, rows.yearly(solar, slots("deal_anniversary", s.renewal_lead_days), run,
                                                             rows.solar_note), skip, rows.anniversary_rows)
        if want("cadence"):
            rows.cadences(self.cadences, slots("cadence", 0), run.lo, run.hi, run.today, cadence_days_of(s), skip)
        for kind, table, lead, shift in (
                ("followup", self.followups, s.new_deal_followup_days, s.new_deal_followup_days),
                ("renewal", self.renewals, s.renewal_lead_days, 0),
                ("competitor_end", self.competitors, s.competitor_lead_days, 0),
                ("appointment", self.appointments, 0, 0),
                ("life_event", self.events, 0, 0)):
            if want(kind):
                positions = table.between(run.lo - shift, run.hi - shift)
                if positions:
                    rows.once(kind, table, positions, slots(kind, lead), shift, skip, table.texts(shift))


_SOLAR_KEYS = {(d.month, d.day): (d.month, d.day) for d in map(date.fromordinal, range(
    date(2000, 1, 1).toordinal(), date(2000, 12, 31).toordinal() + 1))}  # one tuple per key, shared
_LUNAR_KEYS = {(m, leap, d): (m, leap, d) for m in range(1, 13) for leap in (False, True) for d in range(1, 31)}
# " 生日（农历十月初四，" before the age, " 生日（农历十月初四）" without it; 公历: " 生日（" and " 生日"
_LUNAR_MIDS = {k: (f" 生日（农历{LUNAR_TEXT[k]}，", f" 生日（农历{LUNAR_TEXT[k]}）") for k in _LUNAR_KEYS}
_SOLAR_MIDS = (" 生日（", " 生日")


def _owner_tables(ordered: Sequence[CustomerDates]) -> dict[str, dict[int, int]]:
    """Token letter → {id: its customer's id}: customers, deals, life events, visits (~12 MB at 100k)."""
    customers: dict[int, int] = {}
    deals: dict[int, int] = {}
    events: dict[int, int] = {}
    visits: dict[int, int] = {}
    with gc_paused():
        for c in ordered:
            cid = customers[c.customer_id] = c.customer_id
            for d in c.deals:
                deals[d.deal_id] = cid
            for e in c.life_events:
                events[e[0]] = cid
            for a in c.appointments:
                visits[a[0]] = cid
    return {"c": customers, "d": deals, "e": events, "v": visits}


class _Births:
    """Builds the births table (layout in bulk_rows.birthday_rows), with the texts many entries share."""

    def __init__(self, out: rows.Yearly, rank: Iterator[int]) -> None:
        self.out, self.rank = out, rank
        self.specs: dict[tuple, tuple] = {}  # (calendar, year, month, day, leap) → (date key, year, middle, tail)
        self.sources: dict[tuple[str, bool], tuple[str, str]] = {}  # (whose, 农历?) → (source, source head)

    def add(self, c: CustomerDates, grade: str) -> None:
        """One customer's persons with a birthday."""
        method, gift = GREETING_SERVICE[grade]
        cid, card, name, out, specs, sources = c.customer_id, c.card_no, c.name, self.out, self.specs, self.sources
        for p in c.persons:
            b = p.birthday
            if b is None:
                continue
            fields = (b.calendar, b.year, b.month, b.day, b.leap)
            spec = specs.get(fields) or self._spec(fields)
            pid, relation = p.person_id, p.relation
            whose = ("客户" if pid is None else (relation or "联系人"), fields[0] == "lunar")
            source = sources.get(whose) or self._source(whose)
            key, year, mid, tail = spec
            entries = out.get(key)
            if entries is None:
                entries = out[key] = []
            entries.append((next(self.rank), year, mid, tail, cid, card, name, pid, p.name,
                            relation if pid is not None and relation else None, *source, method, gift,
                            f"bday:c{cid}:p{pid or 0}:"))

    def _spec(self, fields: tuple) -> tuple:
        """(date key, birth year, title middle, title tail) of one stored birthday."""
        calendar, year, month, day, leap = fields
        if calendar == "lunar":
            key = _LUNAR_KEYS[(month, leap, day)]
            mid, tail = _LUNAR_MIDS[key][year is None], "" if year is None else _TAILS[ZODIAC[year % 12]]
        else:  # 生肖 of a 公历 birth: the lunar year it falls in
            key = _SOLAR_KEYS[(month, day)]
            mid = _SOLAR_MIDS[year is None]
            tail = "" if year is None else _TAILS[ZODIAC[lunar_year_of(date(year, month, day)) % 12]]
        found = self.specs[fields] = (key, year, mid, tail)
        return found

    def _source(self, whose: tuple[str, bool]) -> tuple[str, str]:
        """(source, source head): '配偶生日（公历）' and '配偶生日（公历' (a moved date goes before the bracket)."""
        head = f"{whose[0]}生日（{'农历' if whose[1] else '公历'}"
        found = self.sources[whose] = (head + "）", head)
        return found
