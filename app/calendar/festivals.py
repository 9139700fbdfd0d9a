"""The holidays salespeople greet customers on, with their 公历 dates for any range.

农历 holidays come from the cached lunar year tables, 清明 and 冬至 from lunar-python's solar terms
(they move between two or three days, so they are never fixed dates).  腊八 (腊月初八) can fall
twice in one 公历 year, or not at all; 除夕 is the day before 正月初一 (腊月廿九 or 三十).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from app.calendar.lunar import LunarYearTable
from app.calendar.rules import lunar_years_overlapping

# (key, name, greets) in the order a settings page lists them; greets=False: a reminder, no greeting.
FESTIVALS: tuple[tuple[str, str, bool], ...] = (
    ("yuandan", "元旦", True),
    ("chuxi", "除夕", True),
    ("chunjie", "春节", True),
    ("yuanxiao", "元宵", True),
    ("funv", "妇女节", True),
    ("qingming", "清明", False),
    ("laodong", "劳动节", True),
    ("muqin", "母亲节", True),
    ("duanwu", "端午", True),
    ("ertong", "儿童节", True),
    ("fuqin", "父亲节", True),
    ("qixi", "七夕", True),
    ("jiaoshi", "教师节", True),
    ("zhongqiu", "中秋", True),
    ("guoqing", "国庆", True),
    ("chongyang", "重阳", True),
    ("dongzhi", "冬至", True),
    ("laba", "腊八", True),
    ("shengdan", "圣诞", True),
)
FESTIVAL_NAMES = {key: name for key, name, _ in FESTIVALS}
_ORDER = {key: i for i, (key, _, _) in enumerate(FESTIVALS)}
_GREETS = {key: greets for key, _, greets in FESTIVALS}

# Which customer grades get a touchpoint for each festival ('' grade counts as D).
DEFAULT_FESTIVAL_GRADES: dict[str, str] = {
    key: ("ABCD" if key in ("chunjie", "zhongqiu") else "AB") for key, _, _ in FESTIVALS
}

_SOLAR_FIXED = (("yuandan", 1, 1), ("funv", 3, 8), ("laodong", 5, 1), ("ertong", 6, 1),
                ("jiaoshi", 9, 10), ("guoqing", 10, 1), ("shengdan", 12, 25))
_LUNAR_FIXED = (("chunjie", 1, 1), ("yuanxiao", 1, 15), ("duanwu", 5, 5), ("qixi", 7, 7),
                ("zhongqiu", 8, 15), ("chongyang", 9, 9), ("laba", 12, 8))


@dataclass(frozen=True)
class Festival:
    """One holiday on one day; lunar says its date follows the 农历."""

    date: date
    key: str
    name: str
    greets: bool
    lunar: bool


def festivals_between(start: date, end: date) -> list[Festival]:
    """Every festival whose date is in [start, end], by date then the FESTIVALS order."""
    return list(_festivals_between(start, end))


@lru_cache(maxsize=64)
def _festivals_between(start: date, end: date) -> tuple[Festival, ...]:
    found = [*_solar_festivals(start.year, end.year), *_lunar_festivals(start, end)]
    inside = [f for f in found if start <= f.date <= end]
    return tuple(sorted(inside, key=lambda f: (f.date, _ORDER[f.key])))


def _make(key: str, day: date, lunar: bool) -> Festival:
    return Festival(day, key, FESTIVAL_NAMES[key], _GREETS[key], lunar)


def _solar_festivals(first_year: int, last_year: int) -> list[Festival]:
    found = []
    for year in range(first_year, last_year + 1):
        found += [_make(key, date(year, m, d), False) for key, m, d in _SOLAR_FIXED]
        found.append(_make("muqin", nth_weekday(year, 5, 6, 2), False))
        found.append(_make("fuqin", nth_weekday(year, 6, 6, 3), False))
        table = LunarYearTable.for_year(year)
        found.append(_make("qingming", date.fromordinal(table.qingming), False))
        found.append(_make("dongzhi", date.fromordinal(table.dongzhi), False))
    return found


def _lunar_festivals(start: date, end: date) -> list[Festival]:
    found = []
    # One lunar year before the range too: its 腊八 and 除夕 fall in the range's January.
    years = lunar_years_overlapping(start, end)
    for year in range(years.start - 1, years.stop):
        table = LunarYearTable.for_year(year)
        for key, month, day in _LUNAR_FIXED:
            info = table.month(month, False)
            assert info is not None
            found.append(_make(key, date.fromordinal(info.first + day - 1), True))
        found.append(_make("chuxi", date.fromordinal(table.end - 1), True))
    return found


def nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (Monday=0 … Sunday=6) of a month, e.g. 母亲节 = nth_weekday(y, 5, 6, 2)."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
