"""The candidate index never hides a touchpoint: the service equals the engine run over every customer."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from app.calendar.engine import touchpoints
from app.rows import Birthday, ContactInput, CustomerInput, DealInput, VisitInput
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
    # Firsts that are not yet touchpoints: married this December, a child born this year (公历 and 农历).
    family = svc.customers.create(CustomerInput(name="新婚客户", grade="A", grade_manual=True,
                                                wedding_date=date(2026, 12, 10)))
    svc.contacts.add(family, ContactInput(name="小宝", role="家属", relation="儿子",
                                          birthday=Birthday("solar", 12, 5, year=2026)))
    svc.contacts.add(family, ContactInput(name="小贝", role="家属", relation="女儿",
                                          birthday=Birthday("lunar", 11, 3, year=2026)))
    svc.visits.add(family, VisitInput(customer_id=family, at=datetime(2026, 11, 20, 10), method="电话",
                                      next_at=datetime(2026, 12, 28, 10)))
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
    appointment = [t for t in tps.day(date(2026, 12, 28)) if t.kind == "appointment"]
    tps.snooze(appointment[0], date(2027, 1, 8))  # a key without a date, moved into the next month
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
    tps._index(loaded)  # built first, so every range below goes through it (待办 windows only ask a built one)
    for today in (date(2026, 11, 22), date(2027, 3, 1)):
        for start, end in windows():
            expected = touchpoints(loaded.customers, start, end, today, settings, loaded.marks)
            assert tps.between(start, end, today) == expected, (start, end, today)
    agenda_range = (date(2026, 10, 23), date(2026, 11, 29))
    assert (agenda_range[1] - agenda_range[0]).days <= MAX_INDEXED_DAYS
    assert tps.between(*agenda_range) == touchpoints(loaded.customers, *agenda_range, date(2026, 11, 22), settings,
                                                     loaded.marks)


def test_agenda_on_a_fresh_load_does_not_build_the_index_and_lists_the_same(sample) -> None:
    tps = sample.touchpoints
    today, agenda_range = date(2026, 11, 22), (date(2026, 10, 23), date(2026, 11, 29))
    tps.invalidate()
    fresh = tps.between(*agenda_range, today)
    assert tps._index_of is None  # a range carrying overdue 定期拜访: nearly everyone is a candidate
    loaded, settings = tps._loaded(), tps.calendar_settings()
    assert fresh == touchpoints(loaded.customers, *agenda_range, today, settings, loaded.marks)
    assert tps.agenda(today).total > 0 and tps._index_of is None
    tps.day(today)  # the 日历 day list builds it; from then on the 待办 window asks it too
    assert tps._index_of is not None and tps.between(*agenda_range, today) == fresh


def test_index_really_narrows_a_quiet_month(sample) -> None:
    tps = sample.touchpoints
    loaded, settings = tps._loaded(), tps.calendar_settings()
    picked = tps._index(loaded).candidates(date(2027, 4, 1), date(2027, 4, 30), date(2027, 4, 1), settings,
                                           loaded.marks)
    assert picked is not None and 0 < len(picked) < len(loaded.customers)
    assert tps._index(loaded).candidates(date(2027, 1, 1), date(2027, 12, 31), date(2027, 1, 1), settings,
                                         loaded.marks) is None


@pytest.mark.parametrize("feb29_policy", ["feb28", "mar1"])
def test_month_view_equals_the_engine_over_everyone(sample, feb29_policy) -> None:
    from collections import Counter

    from app.services.touchpoint_views import month_grid_range

    tps = sample.touchpoints
    tps.set_options(replace(tps.options(), feb29_policy=feb29_policy))
    loaded, settings = tps._loaded(), tps.calendar_settings()
    months = ((2026, 10), (2026, 11), (2026, 12), (2027, 1), (2027, 2), (2027, 5), (2027, 12), (2028, 2))
    for year, month in months:
        first, last = month_grid_range(year, month)
        everyone = [t for t in touchpoints(loaded.customers, first, last, date(2026, 11, 22), settings,
                                           loaded.marks) if first <= t.date <= last]
        for grades, kinds in (((), ()), (("A",), ()), (("",), ()), ((), ("birthday", "wedding")),
                              (("A", "C"), ("cadence", "festival", "appointment", "deal_anniversary"))):
            wanted = [t for t in everyone if (not grades or loaded.by_id[t.customer_id].grade in grades)
                      and (not kinds or t.kind in kinds)]
            expected: dict[date, Counter] = {}
            for t in wanted:
                expected.setdefault(t.date, Counter())[t.kind] += 1
            view = tps.month(year, month, grades=grades, kinds=kinds)
            assert {c.date: Counter(c.counts) for c in view.cells if c.counts} == expected, (year, month, grades, kinds)
            if kinds:
                continue
            for day in {t.date for t in wanted}:
                assert tps.day(day, grades=grades) == [t for t in wanted if t.date == day], (day, grades)


def test_month_counts_leave_out_firsts(sample) -> None:
    """No 0th birthday or 0th wedding anniversary: the counts follow the engine's first-year rule."""
    view = sample.touchpoints.month(2026, 12, kinds=("birthday", "wedding"), grades=("A",))
    december = {c.date: dict(c.counts) for c in view.cells if c.counts}
    next_year = sample.touchpoints.month(2027, 12, kinds=("birthday", "wedding"), grades=("A",))
    later = {c.date: dict(c.counts) for c in next_year.cells if c.counts}
    assert december.get(date(2026, 12, 10), {}).get("wedding", 0) + 1 == later[date(2027, 12, 10)]["wedding"]
    assert december.get(date(2026, 12, 5), {}).get("birthday", 0) + 1 == later[date(2027, 12, 5)]["birthday"]


def test_tally_equals_counting_the_engine_over_everyone(sample) -> None:
    """统计's counted figure: statuses and open customers as if every touchpoint had been built."""
    from collections import Counter

    tps = sample.touchpoints
    loaded, settings = tps._loaded(), tps.calendar_settings()
    spans = ((date(2026, 1, 1), date(2026, 12, 31)), (date(2026, 11, 1), date(2026, 11, 30)),
             (date(2026, 12, 1), date(2026, 12, 31)), (date(2027, 4, 1), date(2027, 6, 30)),
             (date(2026, 10, 5), date(2026, 10, 5)), (date(2027, 1, 1), date(2027, 12, 31)))
    for today in (date(2026, 11, 22), date(2027, 3, 1)):
        for start, end in spans:
            inside = [t for t in touchpoints(loaded.customers, start, end, today, settings, loaded.marks)
                      if start <= t.date <= end]
            got = tps.tally(start, end, today)
            assert dict(got.status) == dict(Counter(t.status for t in inside)), (start, end, today)
            assert got.open_customers == {t.customer_id for t in inside if t.status in ("due", "overdue", "snoozed")}
    assert {"done", "skipped", "snoozed"} <= set(tps.tally(date(2026, 1, 1), date(2027, 12, 31),
                                                           date(2026, 11, 22)).status)
