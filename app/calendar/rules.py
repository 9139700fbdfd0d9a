"""Occurrence rules: on which 公历 days a yearly date (birthday, anniversary) falls in a range.

The rules, as the README quotes them:

农历生日 (`lunar_birthday_dates`)
  1. 生在闰月的人，在有这个闰月的年份过闰月那天；没有这个闰月的年份，过同一数字的普通月（生于闰四月十五，
     没有闰四月的年份过四月十五）。
  2. 生在普通月的人，永远过普通月（有闰月的年份也不过闰月那次）。
  3. 生在三十、而那年那个月只有二十九天（小月），就提前到二十九过。
  4. 一个公历区间要看与它重叠的每一个农历年：冬月、腊月的生日在同一个公历年里可能出现两次，也可能一次都没有。

公历生日、纪念日 (`solar_yearly_dates`)
  2月29日出生（或结婚）的，平年默认在2月28日过（feb29_policy='feb28'），也可以设置为3月1日（'mar1'）。

年龄 (`age_on`)
  公历生日：当天满的周岁 = 公历年 − 出生年。
  农历生日：该次生日所在的农历年 − 出生的农历年（不算虚岁）。
"""
from __future__ import annotations

import calendar as _gregorian
from datetime import date
from functools import lru_cache

from app.calendar.lunar import LunarYearTable, solar_to_lunar
from app.errors import ValidationError

FEB29_POLICIES = ("feb28", "mar1")
LunarKey = tuple[int, bool, int]  # (month, leap, day)


def lunar_occurrence(year: int, month: int, day: int, leap: bool) -> tuple[int, bool, int]:
    """(ordinal, moved, day kept) of a lunar birthday in lunar year `year` by rules 1–3; moved: rule 1 or 3 applied."""
    table = LunarYearTable.for_year(year)
    info = table.month(month, True) if leap and table.leap_month == month else None
    if info is None:
        info = table.month(month, False)
    assert info is not None  # every lunar year has all twelve ordinary months
    real_day = min(day, info.days)
    moved = (leap and not info.leap) or real_day != day
    return info.first + real_day - 1, moved, real_day


def lunar_birthday_dates(month: int, day: int, leap: bool, start: date, end: date) -> list[date]:
    """Every 公历 date in [start, end] on which a 农历 (month, day, leap) birthday falls (rules 1–4)."""
    _check_lunar_md(month, day)
    return [date.fromordinal(o) for o in lunar_occurrence_map(start, end).get((month, leap, day), ())]


@lru_cache(maxsize=64)
def lunar_occurrence_map(start: date, end: date) -> dict[LunarKey, tuple[int, ...]]:
    """For every possible (month, leap, day) birthday: the ordinals in [start, end] it falls on.

    Built once per range (720 keys × the lunar years overlapping it) so that a hundred thousand
    customers cost one dict lookup each instead of a lunar conversion each.  Callers must not mutate it.
    """
    lo, hi = start.toordinal(), end.toordinal()
    found: dict[LunarKey, list[int]] = {}
    for year in lunar_years_overlapping(start, end):
        for month in range(1, 13):
            for leap in (False, True):
                for day in range(1, 31):
                    o = lunar_occurrence(year, month, day, leap)[0]
                    if lo <= o <= hi:
                        found.setdefault((month, leap, day), []).append(o)
    return {k: tuple(v) for k, v in found.items()}


def lunar_years_overlapping(start: date, end: date) -> range:
    """The lunar years that have at least one day in [start, end]."""
    return range(solar_to_lunar(start).year or 0, (solar_to_lunar(end).year or 0) + 1)


def _check_lunar_md(month: int, day: int) -> None:
    if not 1 <= month <= 12 or not 1 <= day <= 30:
        raise ValidationError("农历日期", f"没有{month}月{day}日：农历是正月到腊月、每月初一到三十")


def solar_yearly_dates(month: int, day: int, start: date, end: date, feb29_policy: str = "feb28") -> list[date]:
    """Every 公历 date in [start, end] of a yearly (month, day); 2月29日 follows `feb29_policy` in 平年."""
    check_solar_md(month, day)
    check_feb29_policy(feb29_policy)
    return [date.fromordinal(o) for o in solar_occurrence_map(start, end, feb29_policy).get((month, day), ())]


@lru_cache(maxsize=64)
def solar_occurrence_map(start: date, end: date, feb29_policy: str) -> dict[tuple[int, int], tuple[int, ...]]:
    """For every (month, day) of the year: the ordinals in [start, end] it falls on (callers must not mutate)."""
    lo, hi = start.toordinal(), end.toordinal()
    found: dict[tuple[int, int], list[int]] = {}
    for year in range(start.year, end.year + 1):
        for o in range(max(lo, date(year, 1, 1).toordinal()), min(hi, date(year, 12, 31).toordinal()) + 1):
            d = date.fromordinal(o)
            found.setdefault((d.month, d.day), []).append(o)
        if not _gregorian.isleap(year):
            stand_in = date(year, 2, 28) if feb29_policy == "feb28" else date(year, 3, 1)
            if lo <= stand_in.toordinal() <= hi:
                found.setdefault((2, 29), []).append(stand_in.toordinal())
    return {k: tuple(v) for k, v in found.items()}


def check_solar_md(month: int, day: int) -> None:
    """ValidationError unless (month, day) exists in some year (2月29日 does)."""
    try:
        date(2000, month, day)
    except ValueError:
        raise ValidationError("公历日期", f"没有{month}月{day}日") from None


def check_feb29_policy(policy: str) -> None:
    """ValidationError unless policy is 'feb28' or 'mar1'."""
    if policy not in FEB29_POLICIES:
        raise ValidationError("2月29日规则", f"只能是 feb28（平年过2月28日）或 mar1（平年过3月1日），不是“{policy}”")


def age_on(birth_year: int | None, occurrence: date, lunar: bool) -> int | None:
    """Age reached on a birthday occurrence: 周岁 for 公历, lunar-year difference for 农历; None if unknown."""
    if birth_year is None:
        return None
    year = solar_to_lunar(occurrence).year if lunar else occurrence.year
    age = (year or 0) - birth_year
    return age if age >= 0 else None
