"""统计: touchpoints done against due — a tiny archive whose calendar is worked out by hand.

Festivals are switched off, so the only touchpoints are two birthdays and two 定期拜访 (cadence):
- 周一 (A, 30 days), card of 2026-11-01, never seen: cadence due 12-01; birthday 11-25.
- 吴二 (C, 180 days), card of 2026-01-05, never seen: cadence due 07-04 (overdue); birthday 03-10.
Today is 2026-11-22.  November: one touchpoint (周一's birthday).  2026: four.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from app.calendar.festivals import FESTIVALS
from app.errors import ValidationError
from app.rows import Birthday, CustomerInput
from app.services.stats_rows import Period

TODAY = date(2026, 11, 22)
NOV = Period.this_month(TODAY)


@pytest.fixture
def two(svc, clock) -> dict[str, int]:
    svc.touchpoints.set_festival_grades({key: "" for key, _name, _greets in FESTIVALS})
    ids = {
        "zhou": svc.customers.create(CustomerInput(name="周一", grade="A", grade_manual=True, created_on=date(2026, 11, 1),
                                                   birthday=Birthday("solar", 11, 25, 1980))),
        "wu": svc.customers.create(CustomerInput(name="吴二", grade="C", grade_manual=True, created_on=date(2026, 1, 5),
                                                 birthday=Birthday("solar", 3, 10, 1975))),
    }
    clock.value = datetime(2026, 11, 22, 9, 30)
    return ids


def _rows(svc, period: Period = NOV) -> dict[str, tuple]:
    figure = svc.stats.touchpoint_figure(svc.touchpoints, period, TODAY)
    return {r.key: (r.count, *r.values) for r in figure.rows}  # done, due, skipped, open, overdue


def test_due_and_done_by_hand(svc, two) -> None:
    assert _rows(svc) == {"month": (0, "1", "0", "1", "0"), "year": (0, "4", "0", "4", "2")}
    month = svc.touchpoints.between(NOV.start, NOV.end, TODAY)
    birthday = next(t for t in month if t.kind == "birthday")
    svc.touchpoints.complete(birthday, "电话", "生日快乐")
    wu_birthday = next(t for t in svc.touchpoints.between(date(2026, 3, 1), date(2026, 3, 31), TODAY)
                       if t.kind == "birthday")
    svc.touchpoints.skip(wu_birthday, "客户在国外")
    # 周一's visit today moves the cadence to 12-22 (still this year); 吴二's stays overdue.
    assert _rows(svc) == {"month": (1, "1", "0", "0", "0"), "year": (1, "4", "1", "2", "1")}
    figure = svc.stats.touchpoint_figure(svc.touchpoints, NOV, TODAY)
    assert figure.row("month").share == 1.0 and figure.row("year").share == 0.25
    assert figure.row("year").weight == 4


def test_open_customers_behind_each_row(svc, two) -> None:
    assert svc.stats.customers_for("touchpoints", "month", NOV, TODAY, touchpoints=svc.touchpoints) == [two["zhou"]]
    year = svc.stats.customers_for("touchpoints", "year", NOV, TODAY, touchpoints=svc.touchpoints)
    assert set(year) == {two["zhou"], two["wu"]}
    with pytest.raises(ValidationError):
        svc.stats.customers_for("touchpoints", "period", NOV, TODAY, touchpoints=svc.touchpoints)
    with pytest.raises(ValidationError):
        svc.stats.customers_for("touchpoints", "month", NOV, TODAY)


def test_a_custom_period_gets_its_own_row(svc, two) -> None:
    spring = Period(date(2026, 3, 1), date(2026, 7, 31))
    rows = _rows(svc, spring)
    assert rows["period"] == (0, "2", "0", "2", "2")  # 吴二's birthday 03-10 and cadence 07-04
    winter = Period(date(2025, 11, 1), date(2026, 2, 28))  # reaches outside this year: its own engine run
    # The engine lists 周一's 2025-11-25 birthday too (it does not look at when the card was made).
    assert _rows(svc, winter)["period"] == (0, "1", "0", "1", "1")


def test_compute_includes_the_figure_only_with_the_calendar(svc, two) -> None:
    assert "touchpoints" not in [f.key for f in svc.stats.compute(NOV, TODAY).figures]
    report = svc.stats.compute(NOV, TODAY, touchpoints=svc.touchpoints)
    assert report.figure("touchpoints").row("month").values[0] == "1"


def test_long_lists_are_read_in_chunks_in_list_order(svc, two, monkeypatch) -> None:
    """A year's open touchpoints can name every customer: ids go to SQL in chunks, order stays the list's."""
    monkeypatch.setattr("app.services.stats.ID_CHUNK", 1)
    year = svc.stats.customers_for("touchpoints", "year", NOV, TODAY, touchpoints=svc.touchpoints)
    assert year == [two["wu"], two["zhou"]]  # wu before zhou, as the customer list sorts them
    svc.customers.delete([two["wu"]])
    assert svc.stats.customers_for("touchpoints", "year", NOV, TODAY, touchpoints=svc.touchpoints) == [two["zhou"]]
