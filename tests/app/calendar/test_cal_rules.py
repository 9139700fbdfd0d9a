"""Occurrence rules for yearly dates, with the dates worked out in the comments."""
from __future__ import annotations

from datetime import date

import pytest

from app.calendar.lunar import LunarYearTable, lunar_to_solar
from app.calendar.rules import age_on, lunar_birthday_dates, solar_yearly_dates
from app.errors import ValidationError


def _year(y: int) -> tuple[date, date]:
    return date(y, 1, 1), date(y, 12, 31)


def test_leap_month_birthday_uses_the_leap_month_only_when_the_year_has_it() -> None:
    # Born 2020 闰四月十五 (2020-06-06).  Leap months: 2023 闰二月, 2025 闰六月, 2028 闰五月, next 闰四月 2058.
    assert [LunarYearTable.for_year(y).leap_month for y in (2020, 2023, 2025, 2028, 2058)] == [4, 2, 6, 5, 4]
    assert lunar_birthday_dates(4, 15, True, *_year(2020)) == [date(2020, 6, 6)]
    assert lunar_birthday_dates(4, 15, True, *_year(2023)) == [date(2023, 6, 2)]  # ordinary 四月十五
    assert lunar_birthday_dates(4, 15, True, *_year(2028)) == [date(2028, 5, 9)]  # ordinary 四月十五
    # 2058 has 闰四月 again: the leap one (06-05), not the ordinary 四月十五 (05-07).
    assert lunar_birthday_dates(4, 15, True, *_year(2058)) == [date(2058, 6, 5)]
    assert lunar_to_solar(2058, 4, 15) == date(2058, 5, 7)


def test_ordinary_month_birthday_never_moves_to_the_leap_month() -> None:
    # Born 四月十五 (ordinary): in 2020, which has 闰四月, only 2020-05-07 — not 06-06 as well.
    assert lunar_birthday_dates(4, 15, False, *_year(2020)) == [date(2020, 5, 7)]
    # 2025 闰六月: 六月初十 only once, 2025-07-04 (闰六月初十 would be 08-03).
    assert lunar_birthday_dates(6, 10, False, *_year(2025)) == [date(2025, 7, 4)]


def test_day_thirty_in_a_short_month_is_kept_on_the_29th() -> None:
    # 腊月 of lunar 2024, 2025 and 2026 has 29 days: a 腊月三十 birthday falls on 腊月廿九 = 除夕.
    assert [LunarYearTable.for_year(y).month(12).days for y in (2024, 2025, 2026)] == [29, 29, 29]
    got = lunar_birthday_dates(12, 30, False, date(2025, 1, 1), date(2027, 12, 31))
    assert got == [date(2025, 1, 28), date(2026, 2, 16), date(2027, 2, 5)]
    # 2020 闰四月 has 29 days too: 闰四月三十 is kept on 闰四月廿九 (2020-06-20).
    assert lunar_birthday_dates(4, 30, True, *_year(2020)) == [date(2020, 6, 20)]


def test_winter_birthdays_can_fall_twice_or_never_in_one_gregorian_year() -> None:
    # 冬月十五: lunar 2025's falls on 2026-01-03, lunar 2026's on 2026-12-23 → twice in 2026, never in 2025.
    assert lunar_birthday_dates(11, 15, False, *_year(2026)) == [date(2026, 1, 3), date(2026, 12, 23)]
    assert lunar_birthday_dates(11, 15, False, *_year(2025)) == []
    # 腊月初八: 2022-01-10 and 2022-12-30; none in 2023 (the next is 2024-01-18).
    assert lunar_birthday_dates(12, 8, False, *_year(2022)) == [date(2022, 1, 10), date(2022, 12, 30)]
    assert lunar_birthday_dates(12, 8, False, *_year(2023)) == []
    assert lunar_birthday_dates(12, 8, False, *_year(2024)) == [date(2024, 1, 18)]


def test_range_edges_are_inclusive_and_multi_year() -> None:
    assert lunar_birthday_dates(1, 1, False, date(2026, 2, 17), date(2026, 2, 17)) == [date(2026, 2, 17)]
    assert lunar_birthday_dates(1, 1, False, date(2026, 2, 18), date(2027, 2, 5)) == []
    assert len(lunar_birthday_dates(8, 15, False, date(2000, 1, 1), date(2009, 12, 31))) == 10


def test_feb29_policy_both_ways() -> None:
    start, end = date(2027, 1, 1), date(2028, 12, 31)
    assert solar_yearly_dates(2, 29, start, end) == [date(2027, 2, 28), date(2028, 2, 29)]
    assert solar_yearly_dates(2, 29, start, end, "feb28") == [date(2027, 2, 28), date(2028, 2, 29)]
    assert solar_yearly_dates(2, 29, start, end, "mar1") == [date(2027, 3, 1), date(2028, 2, 29)]
    # The stand-in day is not a second occurrence for the people really born on it.
    assert solar_yearly_dates(2, 28, start, end, "feb28") == [date(2027, 2, 28), date(2028, 2, 28)]
    assert solar_yearly_dates(3, 1, start, end, "mar1") == [date(2027, 3, 1), date(2028, 3, 1)]


def test_solar_yearly_dates_edges_and_errors() -> None:
    assert solar_yearly_dates(12, 31, date(2025, 12, 31), date(2026, 1, 1)) == [date(2025, 12, 31)]
    assert solar_yearly_dates(1, 1, date(2025, 12, 31), date(2026, 1, 1)) == [date(2026, 1, 1)]
    with pytest.raises(ValidationError, match="没有2月30日"):
        solar_yearly_dates(2, 30, date(2025, 1, 1), date(2025, 12, 31))
    with pytest.raises(ValidationError, match="2月29日规则"):
        solar_yearly_dates(2, 29, date(2025, 1, 1), date(2025, 12, 31), "mar2")


def test_lunar_birthday_dates_rejects_impossible_days() -> None:
    with pytest.raises(ValidationError, match="农历"):
        lunar_birthday_dates(13, 1, False, date(2025, 1, 1), date(2025, 12, 31))
    with pytest.raises(ValidationError, match="农历"):
        lunar_birthday_dates(2, 31, False, date(2025, 1, 1), date(2025, 12, 31))


def test_age_on() -> None:
    assert age_on(1974, date(2026, 6, 1), lunar=False) == 52
    # 农历 birthday 腊月初八 of lunar 2025 falls on 2026-01-26: lunar year 2025 − 1974 = 51, not 52.
    assert age_on(1974, date(2026, 1, 26), lunar=True) == 51
    assert age_on(1974, date(2026, 12, 23), lunar=True) == 52
    assert age_on(None, date(2026, 1, 1), lunar=True) is None
    assert age_on(2030, date(2026, 1, 1), lunar=False) is None
