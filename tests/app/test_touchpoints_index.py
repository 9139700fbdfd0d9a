"""The candidate index never hides a touchpoint: the service equals the engine run over every customer."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.calendar.engine import touchpoints
from app.rows import Birthday, CustomerInput, DealInput
from app.services.touchpoint_index import MAX_INDEXED_DAYS


@pytest.fixture
def sample(svc):
    """A sample book plus edge cases: 2月29日, 腊月 lunar birthday, marks that move touchpoints."""
    from app import demo

    demo.generate(svc, 120, seed=7, today=date(2026, 11, 22))
    leap = svc.customers.create(CustomerInput(name="闰日客户", grade="C", grade_manual=True,
                                              birthday=Birthday("solar", 2, 29, year=1988)))
    svc.deals.add(leap, DealInput(product="周年险", start_date=date(2024, 2, 29), renewal_kind="周年",
                                  renewal_date=date(2025, 2, 28)))
    svc.customers.create(CustomerInput(name="腊八客户", grade="", birthday=Birthday("lunar", 12, 8)))
    tps = svc.touchpoints
    found = tps.between(date(2026, 10, 1), date(2026, 11, 21))
    births = [t for t in found if t.kind == "birthday"]
    tps.snooze(births[0], date(2026, 12, 24))  # from October into the December window
    tps.skip(births[1], "出差")
    tps.complete(births[2], "电话", "")
    winter = [t for t in tps.between(date(2026, 12, 22), date(2026, 12, 22), kinds=("festival",))]
    tps.snooze(winter[0], date(2027, 1, 5))  # a festival greeting moved into the next month
    tps.snooze(winter[1], date(2026, 12, 23))  # and one moved within the month
    tps.skip(winter[2], "出国")
    return svc


def windows() -> list[tuple[date, date]]:
    out = []
    day = date(2026, 9, 1)
    while day < date(2027, 12, 31):
        out.append((day, day + timedelta(days=30)))
        out.append((day, day + timedelta(days=6)))
        day += timedelta(days=11)
    return out


@pytest.mark.slow
def test_indexed_ranges_equal_the_engine_over_everyone(sample) -> None:
    tps = sample.touchpoints
    loaded, settings = tps._loaded(), tps.calendar_settings()
    for today in (date(2026, 11, 22), date(2027, 3, 1)):
        for start, end in windows():
            expected = touchpoints(loaded.customers, start, end, today, settings, loaded.marks)
            assert tps.between(start, end, today) == expected, (start, end, today)
    agenda_range = (date(2026, 10, 23), date(2026, 11, 29))
    assert (agenda_range[1] - agenda_range[0]).days <= MAX_INDEXED_DAYS
    assert tps.between(*agenda_range) == touchpoints(loaded.customers, *agenda_range, date(2026, 11, 22), settings,
                                                     loaded.marks)


def test_index_really_narrows_a_quiet_month(sample) -> None:
    tps = sample.touchpoints
    loaded, settings = tps._loaded(), tps.calendar_settings()
    picked = tps._index(loaded).candidates(date(2027, 4, 1), date(2027, 4, 30), date(2027, 4, 1), settings,
                                           loaded.marks)
    assert picked is not None and 0 < len(picked) < len(loaded.customers)
    assert tps._index(loaded).candidates(date(2027, 1, 1), date(2027, 12, 31), date(2027, 1, 1), settings,
                                         loaded.marks) is None


def test_month_view_equals_the_engine_over_everyone(sample) -> None:
    from collections import Counter

    from app.services.touchpoint_views import month_grid_range

    tps = sample.touchpoints
    loaded, settings = tps._loaded(), tps.calendar_settings()
    for year, month in ((2026, 10), (2026, 11), (2026, 12), (2027, 1), (2027, 2), (2027, 5)):
        first, last = month_grid_range(year, month)
        for grades in ((), ("A",), ("",)):
            everyone = [t for t in touchpoints(loaded.customers, first, last, date(2026, 11, 22), settings,
                                               loaded.marks) if first <= t.date <= last]
            if grades:
                everyone = [t for t in everyone if loaded.by_id[t.customer_id].grade in grades]
            expected: dict[date, Counter] = {}
            for t in everyone:
                expected.setdefault(t.date, Counter())[t.kind] += 1
            view = tps.month(year, month, grades=grades)
            assert {c.date: Counter(c.counts) for c in view.cells if c.counts} == expected, (year, month, grades)
            for day in {t.date for t in everyone}:
                assert tps.day(day, grades=grades) == [t for t in everyone if t.date == day], (day, grades)
