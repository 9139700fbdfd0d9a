"""The bulk path (app/calendar/bulk.py) gives exactly the engine's touchpoints, and the grouped agenda expands to them.

Random customers full of edge cases (农历 leap months and day 30, 2月29日 births and weddings, unknown
years, births after the range, deals without a start, unknown grades, namesakes, several family members
or deals on one day), random ranges, today, settings and marks.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest

from app.calendar.bulk import Buckets, Occasions
from app.calendar.engine import (
    CalendarSettings,
    CustomerDates,
    DateSpec,
    DealDates,
    Mark,
    PersonDates,
    touchpoints,
)
from app.calendar.lunar import solar_to_lunar
from app.errors import ValidationError
from app.services.touchpoint_groups import NameOrder, expand, grouped_agenda

NAMES = ("王建国", "李娜", "张伟", "王建国", "陈静")  # namesakes: the id breaks the tie
KINDS = ("周年", "续期", "续保", "到期", "")


def _day(rng: random.Random, first: int, last: int) -> date:
    return date(first, 1, 1) + timedelta(days=rng.randrange((date(last, 12, 31) - date(first, 1, 1)).days))


def _birthday(rng: random.Random) -> DateSpec | None:
    roll = rng.random()
    if roll < 0.1:
        return None
    if roll < 0.2:
        return DateSpec("solar", rng.choice((None, 1996, 2000, 2024)), 2, 29)
    d = _day(rng, 1950, 2027)  # some born after the range: no birthday before the first
    if roll < 0.55:
        ld = solar_to_lunar(d)
        if ld.day == 29 and rng.random() < 0.3:  # day 30, which short months move to 29 (year unknown: it may lack it)
            return DateSpec("lunar", None, ld.month, 30, ld.leap)
        return DateSpec("lunar", None if rng.random() < 0.2 else ld.year, ld.month, ld.day, ld.leap)
    return DateSpec("solar", None if rng.random() < 0.2 else d.year, d.month, d.day)


def _customer(rng: random.Random, cid: int) -> CustomerDates:
    name = rng.choice(NAMES)
    persons = [PersonDates(None, name, "", _birthday(rng))]
    for k in range(rng.choice((0, 1, 2, 3))):
        persons.append(PersonDates(cid * 10 + k, rng.choice(NAMES), rng.choice(("配偶", "儿子", "")), _birthday(rng)))
    if len(persons) > 1 and rng.random() < 0.3:  # two people of one family on the same day
        persons.append(PersonDates(cid * 10 + 9, "双胞胎", "女儿", persons[-1].birthday))
    deals = []
    for k in range(rng.choice((0, 1, 2, 3))):
        start = _day(rng, 2015, 2027) if rng.random() < 0.85 else None
        renewal = (start or _day(rng, 2015, 2027)) + timedelta(days=365 * rng.randint(0, 3)) \
            if rng.random() < 0.9 else None
        deals.append(DealDates(cid * 10 + k, rng.choice(("平安福", "车险")), start, renewal, rng.choice(KINDS)))
    if deals and rng.random() < 0.3:  # two deals with the same dates
        deals.append(DealDates(cid * 10 + 8, "理财", deals[0].start, deals[0].renewal, deals[0].renewal_kind))
    wedding = rng.choice((None, None, _day(rng, 1980, 2027), date(2000, 2, 29)))
    return CustomerDates(
        cid, f"K{cid:04d}", name, rng.choice(("A", "B", "C", "D", "", "X")), rng.random() < 0.2, tuple(persons),
        wedding, tuple(deals), _day(rng, 2025, 2028) if rng.random() < 0.3 else None,
        _day(rng, 2020, 2027) if rng.random() < 0.7 else None, _day(rng, 2010, 2027) if rng.random() < 0.9 else None,
        tuple((cid * 100 + k, datetime(2026, 1, 1, 9) + timedelta(hours=rng.randrange(24 * 800)), "公司",
               rng.choice(("", "讲方案"))) for k in range(rng.choice((0, 0, 1, 2)))),
        tuple((cid * 100 + k, rng.choice(("乔迁", "住院", "生子")), _day(rng, 2025, 2027))
              for k in range(rng.choice((0, 0, 1, 2)))),
    )


def _settings(rng: random.Random, festivals: bool) -> CalendarSettings:
    extra = {} if festivals else {"festival_grades": {}}
    return CalendarSettings(cadence_days={"A": rng.randint(1, 60), "B": 90, "C": rng.randint(100, 400), "D": 365,
                                          "": rng.choice((30, 365))},
                            renewal_lead_days=rng.randint(0, 60), competitor_lead_days=rng.randint(0, 60),
                            birthday_lead_days=rng.randint(0, 14), feb29_policy=rng.choice(("feb28", "mar1")),
                            new_deal_followup_days=rng.randint(0, 7), **extra)  # type: ignore[arg-type]


def _marks(rng: random.Random, flat: list, n: int) -> dict[str, Mark]:
    marks = {}
    for tp in rng.sample(flat, min(n, len(flat))):
        status = rng.choice(("done", "skipped", "snoozed"))
        snooze = tp.date + timedelta(days=rng.randint(-40, 40)) if status == "snoozed" else None
        marks[tp.key] = Mark(tp.key, status, snooze)
    return marks


def _ranges(rng: random.Random) -> list[tuple[date, date]]:
    out = [(date(2026, 1, 1), date(2026, 12, 31)), (date(2026, 12, 20), date(2027, 2, 20))]
    for _ in range(3):
        a = _day(rng, 2025, 2027)
        out.append((a, a + timedelta(days=rng.choice((0, 6, 40, 400, 900)))))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_bulk_equals_the_engine_without_marks(seed: int) -> None:
    rng = random.Random(seed)
    customers = [_customer(rng, cid) for cid in range(1, 301)]
    order = NameOrder(customers)
    for start, end in _ranges(rng):
        today = start + timedelta(days=rng.randint(-100, 500))
        settings = _settings(rng, festivals=False)
        expected = touchpoints(customers, start, end, today, settings, {})
        buckets: Buckets = {}
        order.occasions().emit(buckets, start, end, today, settings, (), frozenset())
        got = [tp for k in sorted(buckets) for tp in buckets[k]]
        assert got == expected, (seed, start, end, today)


@pytest.mark.parametrize("seed", range(6))
def test_grouped_agenda_expands_to_the_engine_with_marks(seed: int) -> None:
    rng = random.Random(100 + seed)
    customers = [_customer(rng, cid) for cid in range(1, 201)]
    by_id = {c.customer_id: c for c in customers}
    order = NameOrder(customers)
    for start, end in _ranges(rng):
        today = start + timedelta(days=rng.randint(-100, 500))
        settings = _settings(rng, festivals=True)
        marks = _marks(rng, touchpoints(customers, start - timedelta(days=60), end, today, settings, {}), 40)
        for kinds, grades in (((), ()), (("birthday", "festival"), ("A", "", "X")), (("cadence",), ("B",))):
            expected = [tp for tp in touchpoints(customers, start, end, today, settings, marks)
                        if (not kinds or tp.kind in kinds) and (not grades or by_id[tp.customer_id].grade in grades)]
            rows = grouped_agenda(order, by_id, settings, marks, start, end, today, kinds, grades)
            assert list(expand(rows, by_id)) == expected, (seed, start, end, today, kinds, grades)


def test_occasions_name_the_customers_of_mark_keys() -> None:
    rng = random.Random(7)
    customers = [_customer(rng, cid) for cid in range(1, 51)]
    occasions = Occasions(sorted(customers, key=lambda c: (c.name, c.customer_id)))
    deal_owner = next(c for c in customers if c.deals)
    keys = ["cadence:c3:2026-01-01", f"renew:d{deal_owner.deals[0].deal_id}:2026-01-01", "appt:v999999",
            "fest:chunjie:c9999:2026-02-17"]
    assert occasions.named(keys) == {3, deal_owner.customer_id}


def test_grouped_agenda_refuses_a_reversed_range() -> None:
    order = NameOrder([])
    with pytest.raises(ValidationError):
        grouped_agenda(order, {}, CalendarSettings(), {}, date(2026, 2, 1), date(2026, 1, 1), date(2026, 1, 1))
