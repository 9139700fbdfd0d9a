"""The grouped agenda of a long range: one row per festival occurrence carrying its customers.

A year's agenda for 100k customers is about 1.2 million touchpoints, most of them festival rows (one
per customer per festival their grade gets).  `grouped` gives every other touchpoint as the engine
builds it, and each festival on each day as one `FestivalOccurrence` holding the ids of the customers
who get it (in the engine's name order) and how many of each grade — built from a name-ordered list
kept per loaded archive, not one row per customer.  Festival touchpoints with a mark (done, skipped,
snoozed) stay single rows: their status or date differs from the group's.  `expand` turns the grouped
rows back into exactly the flat list `TouchpointService.between` gives (tests/app/test_touchpoint_groups.py),
one day at a time, for the command line's per-customer output.
"""
from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import compress
from operator import attrgetter
from types import MappingProxyType

from app.calendar.emit import EFFECTIVE_GRADE, festival_text, new_touchpoint
from app.calendar.engine import KIND_ORDER, CalendarSettings, CustomerDates, Mark, Touchpoint, touchpoints
from app.calendar.festivals import Festival, festivals_between

_FEST = KIND_ORDER["festival"]
_BY_NAME = attrgetter("customer_name", "customer_id")


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
        self._members: dict[tuple[str, frozenset[str]], tuple[tuple[int, ...], tuple[str, ...]]] = {}

    def members(self, festival_grades: str, wanted: frozenset[str]) -> tuple[tuple[int, ...], tuple[str, ...]]:
        """(ids, effective grades) of the customers whose grade gets a festival, stored grade in `wanted` (empty: all)."""
        key = (festival_grades, wanted)
        found = self._members.get(key)
        if found is None:
            gets = set(festival_grades)
            keep = [e in gets and (not wanted or s in wanted) for s, e in zip(self.stored, self.effective, strict=True)]
            found = self._members[key] = (tuple(compress(self.ids, keep)), tuple(compress(self.effective, keep)))
        return found


def festival_groups(order: NameOrder, customers: Sequence[CustomerDates], by_id: Mapping[int, CustomerDates],
                    settings: CalendarSettings, marks: Mapping[str, Mark], start: date, end: date, today: date,
                    grades: Iterable[str] = ()) -> tuple[list[FestivalOccurrence], list[Touchpoint]]:
    """(the festival occurrences in [start, end] as groups, the marked festival touchpoints as single rows)."""
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
        ids, effective = order.members(chosen, wanted)
        skip = marked.get((f.key, f.date.isoformat()))
        if skip:
            keep = [cid not in skip for cid in ids]
            ids, effective = tuple(compress(ids, keep)), tuple(compress(effective, keep))
        if not ids:
            continue
        o = f.date.toordinal()
        title = festival_text(f, chosen[0])[0]
        lead = date.fromordinal(o - settings.birthday_lead_days) if f.greets else f.date
        status, overdue = ("overdue", t - o) if o < t else ("due", 0)
        groups.append(FestivalOccurrence(f, lead, title, status, overdue, ids, MappingProxyType(Counter(effective))))
    named = sorted({cid for ids in marked.values() for cid in ids if cid in by_id})
    people = [by_id[cid] for cid in named if not wanted or by_id[cid].grade in wanted]
    singles = [tp for tp in touchpoints(people, start, end, today, settings, marks)
               if tp.kind == "festival" and tp.key in marks] if people else []
    return groups, singles


def merge(own: Iterable[Touchpoint], groups: Sequence[FestivalOccurrence],
          singles: Sequence[Touchpoint]) -> list[AgendaRow]:
    """Agenda order: (day, kind order); on a day's festival place the groups come first, then the single rows."""
    extras: list[AgendaRow] = [*groups, *singles]  # groups in festival order, singles in the engine's order
    extras.sort(key=_day_of)  # stable: keeps that order within a day
    return list(heapq.merge(own, extras, key=_place))


def expand(rows: Iterable[AgendaRow], by_id: Mapping[int, CustomerDates]) -> Iterator[Touchpoint]:
    """The flat touchpoints of grouped rows, in `between`'s order (a day's festival rows re-sorted by name)."""
    slot: list[Touchpoint] = []
    slot_day = None
    for row in rows:
        if row.kind != "festival":
            if slot:
                yield from _sorted_slot(slot)
                slot = []
            yield row  # type: ignore[misc]
            continue
        if slot and row.date != slot_day:
            yield from _sorted_slot(slot)
            slot = []
        slot_day = row.date
        if isinstance(row, FestivalOccurrence):
            slot.extend(_members(row, by_id))
        else:
            slot.append(row)
    if slot:
        yield from _sorted_slot(slot)


def _sorted_slot(slot: list[Touchpoint]) -> list[Touchpoint]:
    slot.sort(key=_BY_NAME)
    return slot


def _members(group: FestivalOccurrence, by_id: Mapping[int, CustomerDates]) -> list[Touchpoint]:
    """One festival touchpoint per customer of the group, as the engine builds it."""
    f = group.festival
    texts = {g: festival_text(f, g) for g in group.grades}
    pre, suf, d, lead = f"fest:{f.key}:c", f":{f.date.isoformat()}", f.date, group.lead_date
    status, overdue, key = group.status, group.overdue_days, f.key
    out = []
    for cid in group.customer_ids:
        c = by_id[cid]
        _title, method, gift, source = texts[EFFECTIVE_GRADE.get(c.grade, "D")]
        out.append(new_touchpoint(Touchpoint, (pre + str(cid) + suf, d, lead, cid, c.card_no, c.name, None, c.name,
                                               "festival", group.title, method, gift, status, source, key, None, "",
                                               overdue)))
    return out


def _day_of(row: AgendaRow) -> date:
    return row.date


def _place(row: AgendaRow) -> tuple[date, int]:
    return row.date, (_FEST if row.kind == "festival" else KIND_ORDER[row.kind])
