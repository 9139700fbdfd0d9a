"""The bulk path's passes (bulk.py): one tuple per touchpoint, field order as in Touchpoint.

These are the hot loops of a year's agenda (~430k rows at 100k customers), where a row's cost is mostly
allocating it and, later, freeing it: locals only; each day's facts (date objects, lead date, ISO text,
status, bucket) looked up from a per-range table; every text that does not depend on the day (key
prefixes, 定期拜访 titles, the texts of one-off dates) worked out once per load and shared; ages as
shared strings.  The yearly kinds (birthdays, weddings, 成交周年) are built day by day, so one day's rows
lie together in memory and are freed in the order they were made (measured: freeing a year's birthdays
0.12 → 0.08 s at 100k); within a day the rows of its date keys are merged back into agenda order by
each entry's rank.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from app.calendar.emit import EFFECTIVE_GRADE, Run, new_touchpoint
from app.calendar.lunar import format_lunar
from app.calendar.model import (
    APPOINTMENT_METHOD,
    BUSINESS_METHOD,
    FOLLOWUP_METHOD,
    GREETING_SERVICE,
    KIND_ORDER,
    CustomerDates,
    DealDates,
    Touchpoint,
)
from app.calendar.occasions import CONGRATULATE

if TYPE_CHECKING:
    from app.calendar.bulk import Dated

Buckets = dict[int, list[Touchpoint]]  # (ordinal << 4) | kind order → touchpoints in agenda order
Slot = tuple  # (append to the day's bucket, date, lead date, ISO text, status, overdue days, the bucket)
Hits = dict[tuple, tuple[tuple, ...]]  # date key → ((ordinal, *slot, year, moved note), ...)
Yearly = dict[tuple, list[tuple]]  # date key → its entries in agenda order, each starting with its rank
RowsOf = Callable[[list[tuple], tuple, Collection[int]], tuple[list[int], list[Touchpoint]]]  # entries, hit, skip
AGES = tuple(str(n) for n in range(10_000))  # ages, anniversaries (any year span) as shared strings
_WEDDING = "客户档案：结婚纪念日"
_COMPETITOR = "客户档案：竞争对手合同到期日"
_APPOINTMENT = "访问记录：下次约见"


class Slots(dict[int, Slot]):
    """ordinal → its Slot for one kind, filled on first use."""

    def __init__(self, run: Run, kind: str, lead: int, buckets: Buckets) -> None:
        super().__init__()
        self.run, self.kind, self.lead, self.buckets = run, KIND_ORDER[kind], lead, buckets

    def __missing__(self, o: int) -> Slot:
        run, today = self.run, self.run.today
        bucket = self.buckets.setdefault((o << 4) | self.kind, [])
        status, overdue = ("overdue", today - o) if o < today else ("due", 0)
        slot = self[o] = (bucket.append, run.dates[o], run.dates[o - self.lead], run.iso[o], status, overdue, bucket)
        return slot


def yearly(occurrences: Mapping[tuple, tuple[int, ...]], days: Slots, run: Run,
           note: Callable[[Run, tuple, int], tuple[int, str]]) -> Hits:
    """Date key → its hits in the range as (ordinal, *slot, year, moved note)."""
    return {key: tuple((o, *days[o], *note(run, key, o)) for o in ordinals) for key, ordinals in occurrences.items()}


def solar_note(run: Run, key: tuple, o: int) -> tuple[int, str]:
    """(公历 year, '，平年按2月28日过' when 2月29日 was moved)."""
    d = run.dates[o]
    return d.year, (f"，平年按{d.month}月{d.day}日过" if key == (2, 29) and (d.month, d.day) != key else "")


def lunar_note(run: Run, key: tuple, o: int) -> tuple[int, str]:
    """(农历 year, '，今年按四月十五过' when a leap-month or day-30 rule moved it)."""
    ld = run.lunar[o]
    return ld.year or 0, (f"，今年按{format_lunar(ld)}过" if (ld.month, ld.leap, ld.day) != key else "")


def by_day(table: Yearly, hits: Hits) -> list[tuple[list[Touchpoint], list[tuple[list[tuple], tuple]]]]:
    """The hits of the date keys `table` has entries for, day by day ascending: (the day's bucket, [(entries, hit)])."""
    days: dict[int, list[tuple[list[tuple], tuple]]] = {}
    for key, found in hits.items():
        entries = table.get(key)
        if entries:
            for hit in found:
                days.setdefault(hit[0], []).append((entries, hit))
    return [(days[o][0][1][7], days[o]) for o in sorted(days)]


def file_day(bucket: list[Touchpoint], pieces: list[tuple[list[int], list[Touchpoint]]]) -> None:
    """Add one day's rows, made key by key as (ranks, rows), to its bucket in agenda (rank) order."""
    if len(pieces) == 1:
        bucket += pieces[0][1]
        return
    ranks: list[int] = []
    made: list[Touchpoint] = []
    for r, m in pieces:
        ranks += r
        made += m
    bucket += map(made.__getitem__, sorted(range(len(ranks)), key=ranks.__getitem__))  # a merge of sorted runs


def file_yearly(table: Yearly, hits: Hits, skip: Collection[int], rows_of: RowsOf) -> None:
    """Day by day: the rows of each date key hitting the day (rows_of: (ranks, rows)), merged into its bucket."""
    for bucket, day in by_day(table, hits):
        file_day(bucket, [rows_of(entries, hit, skip) for entries, hit in day])


def birthday_rows(entries: list[tuple], hit: tuple, skip: Collection[int]) -> tuple[list[int], list[Touchpoint]]:
    """Entries: (rank, birth year, title middle, title tail, id, card, name, person id, person name,
    relation shown or None, source, source head, method, gift, key prefix)."""
    _o, _append, d, ld, iso, status, overdue, _bucket, year, moved = hit
    new, tp, ages = new_touchpoint, Touchpoint, AGES
    made: list[Touchpoint] = []
    ranks: list[int] = []
    add, ranked = made.append, ranks.append
    for rank, year0, mid, tail, cid, card, name, pid, pname, rel, source0, head, method, gift, prefix in entries:
        if cid in skip:
            continue
        if year0 is None:
            title = f"{pname}{mid}" if rel is None else f"{pname} {rel}{mid}"
        elif year0 < year:
            age = ages[year - year0]
            title = f"{pname}{mid}{age}{tail}" if rel is None else f"{pname} {rel}{mid}{age}{tail}"
        else:
            continue  # not born yet, or the day of birth itself
        ranked(rank)
        add(new(tp, (prefix + iso, d, ld, cid, card, name, pid, pname, "birthday", title, method, gift, status,
                     f"{head}{moved}）" if moved else source0, "", None, "", overdue)))
    return ranks, made


def wedding_rows(entries: list[tuple], hit: tuple, skip: Collection[int]) -> tuple[list[int], list[Touchpoint]]:
    """Entries: (rank, wedding year, id, card, name, method, gift, key prefix)."""
    _o, _append, d, ld, iso, status, overdue, _bucket, year, _moved = hit
    new, tp, ages = new_touchpoint, Touchpoint, AGES
    made: list[Touchpoint] = []
    ranks: list[int] = []
    add, ranked = made.append, ranks.append
    for rank, year0, cid, card, name, method, gift, prefix in entries:
        if year0 < year and cid not in skip:
            ranked(rank)
            add(new(tp, (prefix + iso, d, ld, cid, card, name, None, name, "wedding",
                         f"{name} 结婚{ages[year - year0]}周年纪念日", method, gift, status, _WEDDING, "", None, "",
                         overdue)))
    return ranks, made


def anniversary_rows(entries: list[tuple], hit: tuple, skip: Collection[int]) -> tuple[list[int], list[Touchpoint]]:
    """Entries: (rank, stored renewal ordinal, start year or None, id, card, name, key prefix, product, method,
    source)."""
    o, _append, d, ld, iso, status, overdue, _bucket, year, _moved = hit
    new, tp, ages = new_touchpoint, Touchpoint, AGES
    made: list[Touchpoint] = []
    ranks: list[int] = []
    add, ranked = made.append, ranks.append
    for rank, first, year0, cid, card, name, prefix, product, method, source in entries:
        if o >= first and cid not in skip:
            n = year - year0 if year0 is not None else 0
            ranked(rank)
            add(new(tp, (prefix + iso, d, ld, cid, card, name, None, name, "deal_anniversary",
                         f"{product} {ages[n]}周年" if n > 0 else f"{product} 周年", method, "", status, source,
                         "", None, "", overdue)))
    return ranks, made


def cadences(entries: list[tuple], days: Slots, lo: int, hi: int, today: int, cadence: dict[str, int],
             skip: Collection[int]) -> None:
    """定期拜访 due in range, or overdue from before it when the range starts on or before today.

    Entries: (base ordinal, stored grade, id, card, name, method, source, key prefix, title).
    """
    new, tp = new_touchpoint, Touchpoint
    fallback, carry = cadence["D"], lo <= today
    for base, grade, cid, card, name, method, source, prefix, title in entries:
        o = base + cadence.get(grade, fallback)
        if (lo <= o <= hi or (carry and o < lo)) and cid not in skip:
            append, d, ld, iso, status, overdue, _bucket = days[o]
            append(new(tp, (prefix + iso, d, ld, cid, card, name, None, name, "cadence", title, method, "", status,
                            source, "", None, "", overdue)))


Text = tuple[str, str, str, str, str, datetime | None, str]  # (key, title, method, gift, source, at, place)


def once(kind: str, table: Dated, positions: range, days: Slots, shift: int, skip: Collection[int],
         texts: Sequence[Text]) -> None:
    """One-off dates in range (a bulk.Dated's positions), in day then agenda order; day = stored day + shift;
    texts: each entry's Text (Dated.texts)."""
    new, tp = new_touchpoint, Touchpoint
    ordinals, customers = table.days, table.customers
    for i in positions:
        c = customers[i]
        cid = c.customer_id
        if cid in skip:
            continue
        append, d, ld, _iso, status, overdue, _bucket = days[ordinals[i] + shift]
        key, title, method, gift, source, at, place = texts[i]
        append(new(tp, (key, d, ld, cid, c.card_no, c.name, None, c.name, kind, title, method, gift, status, source,
                        "", at, place, overdue)))


def _grade(c: CustomerDates) -> str:
    return EFFECTIVE_GRADE.get(c.grade, "D")


def followup_text(c: CustomerDates, deal: DealDates, iso: str) -> Text:
    """新单回访 a few days after a deal's start."""
    return (f"followup:d{deal.deal_id}:{iso}", f"{deal.product} 新单回访", FOLLOWUP_METHOD, "",
            f"成交记录：{deal.product}", None, "")


def renewal_text(c: CustomerDates, deal: DealDates, iso: str) -> Text:
    """续期/续保/到期 on the stored day."""
    return (f"renew:d{deal.deal_id}:{iso}", f"{deal.product} {deal.renewal_kind or '到期'}",
            BUSINESS_METHOD[_grade(c)], "", f"成交记录：{deal.product}", None, "")


def competitor_text(c: CustomerDates, _item: None, iso: str) -> Text:
    """竞品合同到期."""
    return (f"competitor:c{c.customer_id}:{iso}", f"{c.name} 竞争对手合同到期", BUSINESS_METHOD[_grade(c)], "",
            _COMPETITOR, None, "")


def appointment_text(c: CustomerDates, appointment: tuple[int, datetime, str, str], _iso: str) -> Text:
    """约见 from a visit's next appointment (its key has no date)."""
    visit_id, at, place, agenda = appointment
    return (f"appt:v{visit_id}", f"约见{c.name}：{agenda}" if agenda else f"约见{c.name}", APPOINTMENT_METHOD, "",
            _APPOINTMENT, at, place)


def event_text(c: CustomerDates, event: tuple, iso: str) -> Text:
    """人生大事: a congratulation, or a 关心问候."""
    event_id, kind, _day = event
    method, gift = GREETING_SERVICE[_grade(c)]
    if kind in CONGRATULATE:
        return f"event:e{event_id}:{iso}", f"祝贺{c.name}{kind}", method, gift, f"人生大事：{kind}", None, ""
    return f"event:e{event_id}:{iso}", f"{c.name} {kind}：关心问候", method, "", f"人生大事：{kind}", None, ""
