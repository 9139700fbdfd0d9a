"""The grouped agenda of a long range: one row per festival occurrence carrying its customers.

A year's agenda for 100k customers is about 1.2 million touchpoints, most of them festival rows (one
per customer per festival their grade gets).  `grouped` gives every other touchpoint as the engine
builds it, and each festival on each day as one `FestivalOccurrence` holding the ids of the customers
who get it (in the engine's name order) and how many of each grade — built from a name-ordered list
kept per loaded archive, not one row per customer.  Festival touchpoints with a mark (done, skipped,
snoozed) stay single rows: their status or date differs from the group's.  `expand` turns the grouped
rows back into exactly the flat list `TouchpointService.between` gives (tests/app/test_touchpoint_groups.py),
one day at a time, for the command line's per-customer output.

Every other touchpoint comes from the bulk path (app/calendar/bulk.py: per-load tables, one pass per
kind) for the customers no mark names, and from the engine for the few a mark names.
"""
from __future__ import annotations

from array import array
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, compress, groupby
from operator import attrgetter
from types import MappingProxyType

from app.calendar.bulk import Buckets, Occasions
from app.calendar.emit import EFFECTIVE_GRADE, festival_text, new_touchpoint
from app.calendar.engine import (
    KIND_ORDER,
    CalendarSettings,
    CustomerDates,
    Mark,
    Touchpoint,
    check_range,
    touchpoints,
)
from app.calendar.festivals import FESTIVALS, Festival, festivals_between
from app.gcpause import gc_paused

_FEST = KIND_ORDER["festival"]
_BY_NAME = attrgetter("customer_name", "customer_id")
_FESTIVAL_ORDER = {key: i for i, (key, _, _) in enumerate(FESTIVALS)}  # on a shared day, as festivals_between


@dataclass(frozen=True)
class FestivalOccurrence:
    """One festival on one day and every customer who gets it unmarked (one row instead of one per customer)."""

    festival: Festival
    lead_date: date
    title: str
    status: str  # 'due' or 'overdue' (marked ones are single touchpoints beside the group)
    overdue_days: int
    customer_ids: tuple[int, ...]  # in agenda order (customer name, then id)
    grades: Mapping[str, int]  # effective grade ('A'–'D'; blank counts as D) → how many customers
    kind: str = field(default="festival", init=False)

    @property
    def date(self) -> date:
        """The festival's day."""
        return self.festival.date

    @property
    def festival_key(self) -> str:
        """'chunjie', 'zhongqiu' …"""
        return self.festival.key

    @property
    def count(self) -> int:
        """How many customers the group holds."""
        return len(self.customer_ids)


AgendaRow = Touchpoint | FestivalOccurrence


class NameOrder:
    """Every loaded customer in agenda order (name, id), with their stored and effective grades; built once per load."""

    def __init__(self, customers: Sequence[CustomerDates]) -> None:
        ordered = sorted(customers, key=attrgetter("name", "customer_id"))
        self.ids = tuple(c.customer_id for c in ordered)
        self.stored = tuple(c.grade for c in ordered)
        self.effective = tuple(EFFECTIVE_GRADE.get(g, "D") for g in self.stored)
        self._members: dict[tuple[str, frozenset[str]], tuple[tuple[int, ...], tuple[str, ...], array]] = {}
        by_id = sorted(range(len(self.ids)), key=self.ids.__getitem__)
        self._sorted_ids, self._ranks = array("q", [self.ids[i] for i in by_id]), array("q", by_id)
        self._counts: dict[tuple[str, frozenset[str]], Mapping[str, int]] = {}
        self._outside: dict[frozenset[str], frozenset[int]] = {}
        self._ordered: Sequence[CustomerDates] | None = ordered
        self._occasions: Occasions | None = None

    def occasions(self) -> Occasions:
        """The bulk path's per-load tables (built on first use)."""
        if self._occasions is None:
            assert self._ordered is not None
            self._occasions, self._ordered = Occasions(self._ordered), None
        return self._occasions

    def outside(self, wanted: frozenset[str]) -> frozenset[int]:
        """Ids of the customers whose stored grade is not in `wanted` (empty: nobody)."""
        found = self._outside.get(wanted)
        if found is None:
            found = self._outside[wanted] = frozenset(
                cid for cid, g in zip(self.ids, self.stored, strict=True) if wanted and g not in wanted)
        return found

    def members(self, festival_grades: str, wanted: frozenset[str]) -> tuple[tuple[int, ...], tuple[str, ...], array]:
        """(ids, effective grades, places in the name order) of the customers whose grade gets a festival,
        stored grade in `wanted` (empty: all)."""
        key = (festival_grades, wanted)
        found = self._members.get(key)
        if found is None:
            gets = set(festival_grades)
            keep = [e in gets and (not wanted or s in wanted) for s, e in zip(self.stored, self.effective, strict=True)]
            found = self._members[key] = (tuple(compress(self.ids, keep)), tuple(compress(self.effective, keep)),
                                          array("q", compress(range(len(keep)), keep)))
        return found

    def without(self, festival_grades: str, wanted: frozenset[str],
                skip: set[int]) -> tuple[tuple[int, ...], Mapping[str, int]]:
        """(ids, how many of each effective grade) of `members` less the customers in `skip` (a few marked ones)."""
        key = (festival_grades, wanted)
        ids, effective, places = self.members(festival_grades, wanted)
        counts = self._counts.get(key)
        if counts is None:
            counts = self._counts[key] = MappingProxyType(Counter(effective))
        drop = []
        for cid in skip:
            i = bisect_left(self._sorted_ids, cid)
            if i < len(self._sorted_ids) and self._sorted_ids[i] == cid:
                j = bisect_left(places, self._ranks[i])
                if j < len(places) and places[j] == self._ranks[i]:
                    drop.append(j)
        if not drop:
            return ids, counts
        drop.sort()
        spans = zip([0, *(j + 1 for j in drop)], [*drop, len(ids)], strict=True)
        left = Counter(counts)
        left.subtract(effective[j] for j in drop)
        return tuple(chain.from_iterable(ids[a:b] for a, b in spans)), MappingProxyType(+left)


def festival_groups(order: NameOrder, settings: CalendarSettings, marks: Mapping[str, Mark], start: date, end: date,
                    today: date, grades: Iterable[str] = ()) -> list[FestivalOccurrence]:
    """The festival occurrences in [start, end] as groups of their unmarked customers."""
    wanted = frozenset(grades)
    marked: dict[tuple[str, str], set[int]] = {}
    for key in marks:
        parts = key.split(":")
        if len(parts) == 4 and parts[0] == "fest" and parts[2][:1] == "c" and parts[2][1:].isdigit():
            marked.setdefault((parts[1], parts[3]), set()).add(int(parts[2][1:]))
    groups = []
    t = today.toordinal()
    for f in festivals_between(start, end):
        chosen = "".join(g for g in "ABCD" if g in settings.festival_grades.get(f.key, ""))
        if not chosen:
            continue
        ids, counts = order.without(chosen, wanted, marked.get((f.key, f.date.isoformat()), set()))
        if not ids:
            continue
        o = f.date.toordinal()
        title = festival_text(f, chosen[0])[0]
        lead = date.fromordinal(o - settings.birthday_lead_days) if f.greets else f.date
        status, overdue = ("overdue", t - o) if o < t else ("due", 0)
        groups.append(FestivalOccurrence(f, lead, title, status, overdue, ids, counts))
    return groups


def grouped_agenda(order: NameOrder, by_id: Mapping[int, CustomerDates], settings: CalendarSettings,
                   marks: Mapping[str, Mark], start: date, end: date, today: date, kinds: Iterable[str] = (),
                   grades: Iterable[str] = ()) -> list[AgendaRow]:
    """`TouchpointService.grouped`: `between`'s rows with each festival day's unmarked customers as one group.

    Customers a mark names go through the engine (their marked festival touchpoints stay single rows);
    everyone else through the bulk tables.
    """
    check_range(start, end)
    wanted_kinds, wanted = frozenset(kinds), frozenset(grades)
    festive = not wanted_kinds or "festival" in wanted_kinds
    buckets: Buckets = {}
    with gc_paused():
        occasions = order.occasions()
        named = occasions.named(marks)
        occasions.emit(buckets, start, end, today, settings, wanted_kinds, named | order.outside(wanted))
        people = [by_id[cid] for cid in sorted(named) if not wanted or by_id[cid].grade in wanted]
        singles: list[AgendaRow] = []
        for tp in touchpoints(people, start, end, today, settings, marks) if people else ():
            if tp.kind == "festival":
                if festive and tp.key in marks:  # unmarked ones are in the groups
                    singles.append(tp)
            elif not wanted_kinds or tp.kind in wanted_kinds:
                bucket = buckets.setdefault((tp.date.toordinal() << 4) | KIND_ORDER[tp.kind], [])
                insort(bucket, tp, key=_BY_NAME)  # after equal keys: one customer's rows keep their order
        groups = festival_groups(order, settings, marks, start, end, today, grades) if festive else []
        return _in_order(buckets, [*groups, *singles])


def _in_order(buckets: Buckets, extras: list[AgendaRow]) -> list[AgendaRow]:
    """Agenda order: (day, kind order); on a day's festival place its groups first, then the single rows."""
    slots: dict[int, list[AgendaRow]] = dict(buckets)  # type: ignore[arg-type]
    for row in extras:  # groups in festival order, singles in the engine's order
        slots.setdefault((row.date.toordinal() << 4) | _FEST, []).append(row)
    out: list[AgendaRow] = []
    for k in sorted(slots):
        out += slots[k]
    return out


def expand(rows: Iterable[AgendaRow], by_id: Mapping[int, CustomerDates]) -> Iterator[Touchpoint]:
    """The flat touchpoints of grouped rows, in `between`'s order (a day's festival rows re-sorted by name)."""
    slot: list[AgendaRow] = []  # one day's festival rows, as grouped
    for row in rows:
        if slot and (row.kind != "festival" or row.date != slot[0].date):
            yield from _expand_slot(slot, by_id)
            slot = []
        if row.kind == "festival":
            slot.append(row)
        else:
            yield row  # type: ignore[misc]
    if slot:
        yield from _expand_slot(slot, by_id)


def _expand_slot(slot: list[AgendaRow], by_id: Mapping[int, CustomerDates]) -> list[Touchpoint]:
    """One day's festival touchpoints in agenda order.

    A day with one festival and no marked rows (nearly every one) is its group's members, already in name
    order; otherwise everything is re-sorted by customer.
    """
    if len(slot) == 1 and isinstance(slot[0], FestivalOccurrence):
        return _members(slot[0], by_id)
    flat: list[Touchpoint] = []
    mixed: set[int] = set()  # customers with a single festival row in the slot
    for row in slot:
        if isinstance(row, FestivalOccurrence):
            flat += _members(row, by_id)
        else:
            flat.append(row)
            mixed.add(row.customer_id)
    return _sorted_slot(flat, mixed)


def _sorted_slot(slot: list[Touchpoint], mixed: set[int]) -> list[Touchpoint]:
    """By customer; one customer's rows by the festivals' own dates, then FESTIVALS order (as the engine files them)."""
    slot.sort(key=_BY_NAME)
    if mixed:  # only a customer with a marked row can have group and single rows on one day
        at = [i for i, tp in enumerate(slot) if tp.customer_id in mixed]
        for _cid, run in groupby(at, key=lambda i: slot[i].customer_id):
            places = list(run)
            if len(places) > 1:
                slot[places[0]:places[-1] + 1] = sorted(slot[places[0]:places[-1] + 1], key=_origin)
    return slot


def _origin(tp: Touchpoint) -> tuple[str, int]:
    """(the festival's own day as in its key, its FESTIVALS position)."""
    return tp.key[-10:], _FESTIVAL_ORDER[tp.festival_key]


def _members(group: FestivalOccurrence, by_id: Mapping[int, CustomerDates]) -> list[Touchpoint]:
    """One festival touchpoint per customer of the group, as the engine builds it."""
    f = group.festival
    texts = {g: festival_text(f, g) for g in group.grades}
    pre, suf, d, lead = f"fest:{f.key}:c", f":{f.date.isoformat()}", f.date, group.lead_date
    status, overdue, key, title = group.status, group.overdue_days, f.key, group.title
    new, tp, effective = new_touchpoint, Touchpoint, EFFECTIVE_GRADE
    out: list[Touchpoint] = []
    append = out.append
    with gc_paused():  # a big festival is ~10⁵ rows without cycles
        for cid in group.customer_ids:
            c = by_id[cid]
            _title, method, gift, source = texts[effective.get(c.grade, "D")]
            append(new(tp, (f"{pre}{cid}{suf}", d, lead, cid, c.card_no, c.name, None, c.name, "festival", title, method,
                            gift, status, source, key, None, "", overdue)))
    return out
