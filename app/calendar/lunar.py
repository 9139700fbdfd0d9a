"""农历 (Chinese lunar calendar) dates: conversion, formatting, parsing, 生肖 and 干支.

All conversions go through `LunarYearTable.for_year`, a cached per-lunar-year month table built once
from lunar-python.  lunar-python itself caches only the *last* year it computed, so converting many
dates that hop between years recomputes the astronomy every call (≈18 ms each); one table per year
makes a conversion a few integer comparisons.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from lunar_python import LunarYear

from app.errors import ValidationError

FIELD = "农历日期"
MIN_YEAR = 1800
MAX_YEAR = 2300
# lunar-python counts Julian days at noon; date.toordinal() counts proleptic Gregorian days from 0001-01-01.
_JD_TO_ORDINAL = 1721425

MONTH_NAMES = ("正", "二", "三", "四", "五", "六", "七", "八", "九", "十", "冬", "腊")
_DIGITS = "〇一二三四五六七八九"
_GAN = "甲乙丙丁戊己庚辛壬癸"
_ZHI = "子丑寅卯辰巳午未申酉戌亥"
_ZODIAC = "鼠牛虎兔龙蛇马羊猴鸡狗猪"


@dataclass(frozen=True)
class LunarDate:
    """A 农历 date; `year` None means the year is unknown (e.g. a birthday told without a year)."""

    year: int | None
    month: int
    day: int
    leap: bool = False


@dataclass(frozen=True, slots=True)
class LunarMonthInfo:
    """One month of a lunar year: number, leap flag, ordinal of its 初一 and its length (29/30)."""

    month: int
    leap: bool
    first: int
    days: int


@dataclass(frozen=True)
class LunarYearTable:
    """Month table of one lunar year, plus the 清明 and 冬至 of the Gregorian year of the same number."""

    year: int
    months: tuple[LunarMonthInfo, ...]
    leap_month: int
    first: int  # ordinal of 正月初一
    end: int  # ordinal of next year's 正月初一 (exclusive)
    qingming: int  # ordinal of 清明 in Gregorian year `year`
    dongzhi: int  # ordinal of 冬至 in Gregorian year `year`
    firsts: tuple[int, ...]  # ordinal of each month's 初一, for bisecting

    @classmethod
    @lru_cache(maxsize=1024)
    def for_year(cls, year: int) -> LunarYearTable:
        """The table of lunar year `year` (computed once, then cached)."""
        _check_year(year)
        ly = LunarYear.fromYear(year)
        months = tuple(
            LunarMonthInfo(abs(m.getMonth()), m.isLeap(), int(m.getFirstJulianDay()) - _JD_TO_ORDINAL,
                           m.getDayCount())
            for m in ly.getMonthsInYear()
        )
        terms = dict(zip(_JIE_QI_NAMES, ly.getJieQiJulianDays(), strict=False))
        return cls(
            year=year, months=months, leap_month=ly.getLeapMonth(), first=months[0].first,
            end=months[-1].first + months[-1].days,
            qingming=_jd_to_ordinal(terms["清明"]), dongzhi=_jd_to_ordinal(terms["DONG_ZHI"]),
            firsts=tuple(m.first for m in months),
        )

    def month(self, month: int, leap: bool = False) -> LunarMonthInfo | None:
        """The month (leap or ordinary) if this year has it, else None."""
        for info in self.months:
            if info.month == month and info.leap == leap:
                return info
        return None



def _jie_qi_names() -> tuple[str, ...]:
    from lunar_python import Lunar

    return tuple(Lunar.JIE_QI_IN_USE)


_JIE_QI_NAMES = _jie_qi_names()


def _jd_to_ordinal(jd: float) -> int:
    """Day (Beijing time, as lunar-python computes) of a fractional Julian day."""
    return int(jd + 0.5) - _JD_TO_ORDINAL


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(FIELD, f"年份 {year} 超出支持范围（{MIN_YEAR}–{MAX_YEAR}）")


def solar_to_lunar(d: date) -> LunarDate:
    """The 农历 date of a 公历 date."""
    o = d.toordinal()
    table = LunarYearTable.for_year(d.year)
    if o < table.first:
        table = LunarYearTable.for_year(d.year - 1)
    info = table.months[bisect_right(table.firsts, o) - 1]
    return LunarDate(table.year, info.month, o - info.first + 1, info.leap)


def lunar_to_solar(year: int, month: int, day: int, leap: bool = False) -> date:
    """The 公历 date of a 农历 date; ValidationError if that date does not exist."""
    return date.fromordinal(lunar_ordinal(year, month, day, leap))


def lunar_ordinal(year: int, month: int, day: int, leap: bool = False) -> int:
    """Like `lunar_to_solar` but returns the proleptic ordinal (the engine works in ordinals)."""
    _check_month_day(month, day)
    table = LunarYearTable.for_year(year)
    info = table.month(month, leap)
    if info is None:
        raise ValidationError(FIELD, f"{year}年没有闰{month_name(month)}（{_leap_text(table)}）")
    if day > info.days:
        prefix = "闰" if leap else ""
        raise ValidationError(FIELD, f"{year}年{prefix}{month_name(month)}只有{info.days}天，没有{day_name(day)}")
    return info.first + day - 1


def _leap_text(table: LunarYearTable) -> str:
    if table.leap_month:
        return f"这一年闰{month_name(table.leap_month)}"
    return "这一年没有闰月"


def _check_month_day(month: int, day: int) -> None:
    if not 1 <= month <= 12:
        raise ValidationError(FIELD, f"没有{month}月：农历月份只有正月到腊月（1–12）")
    if not 1 <= day <= 30:
        raise ValidationError(FIELD, f"没有{day}日：农历每月最多三十天")


def month_name(month: int) -> str:
    """'正月' … '十月', '冬月', '腊月'."""
    return MONTH_NAMES[month - 1] + "月"


def day_name(day: int) -> str:
    """'初一' … '初十', '十一' … '二十', '廿一' … '廿九', '三十'."""
    if day <= 10:
        return "初" + ("十" if day == 10 else _DIGITS[day])
    if day < 20:
        return "十" + _DIGITS[day - 10]
    if day == 20:
        return "二十"
    if day < 30:
        return "廿" + _DIGITS[day - 20]
    return "三十"


def format_lunar(ld: LunarDate, with_year: bool = False) -> str:
    """'十月初四', '闰四月十五'; with_year and a known year → '1985年三月初八' (digits, the lunar year)."""
    text = ("闰" if ld.leap else "") + month_name(ld.month) + day_name(ld.day)
    if with_year and ld.year is not None:
        return f"{ld.year}年{text}"
    return text


# 春节 (正月初一) of 1900–2100 as days after 1 January, from lunar-python (a test holds them equal): the
# 生肖 of every 公历 birthday needs its birth year's 春节, and building ~70 year tables just for that
# costs half a second on the first agenda after start-up.
_SPRING_FESTIVAL_FROM_1900 = (
    30, 49, 38, 28, 46, 34, 24, 43, 32, 21, 40, 29, 48, 36, 25, 44, 33, 22, 41, 31, 50, 38, 27, 46, 35, 23, 43,
    32, 22, 40, 29, 47, 36, 25, 44, 34, 23, 41, 30, 49, 38, 26, 45, 35, 24, 43, 32, 21, 40, 28, 47, 36, 26, 44,
    33, 23, 42, 30, 48, 38, 27, 45, 35, 24, 43, 32, 20, 39, 29, 47, 36, 26, 45, 33, 22, 41, 30, 48, 37, 27, 46,
    35, 24, 43, 32, 50, 39, 28, 47, 36, 26, 45, 34, 22, 40, 30, 49, 37, 27, 46, 35, 23, 42, 31, 21, 39, 28, 48,
    37, 25, 44, 33, 22, 40, 30, 49, 38, 27, 46, 35, 24, 42, 31, 21, 40, 28, 47, 36, 25, 43, 33, 22, 41, 30, 49,
    38, 27, 45, 34, 23, 42, 31, 21, 40, 29, 47, 36, 25, 44, 32, 22, 41, 31, 49, 38, 27, 45, 34, 23, 42, 32, 20,
    39, 28, 47, 35, 25, 44, 33, 22, 41, 30, 49, 37, 26, 45, 35, 23, 42, 32, 21, 39, 28, 47, 36, 25, 44, 33, 23,
    40, 29, 48, 37, 26, 45, 35, 24, 42, 31, 20, 39,
)


def spring_festival(year: int) -> date:
    """春节 (正月初一) of a lunar year."""
    if 1900 <= year <= 2100:
        return date(year, 1, 1) + timedelta(days=_SPRING_FESTIVAL_FROM_1900[year - 1900])
    return date.fromordinal(LunarYearTable.for_year(year).first)


def lunar_year_of(d: date) -> int:
    """The lunar year a 公历 date falls in (the year changes at 春节), without building year tables."""
    return d.year if d >= spring_festival(d.year) else d.year - 1


def zodiac(year: int) -> str:
    """生肖 of a lunar year, e.g. 2026 → '马' (the folk change of 生肖 is at 春节, not 立春)."""
    return _ZODIAC[(year - 4) % 12]


def ganzhi_year(year: int) -> str:
    """干支 of a lunar year, e.g. 2025 → '乙巳'."""
    return _GAN[(year - 4) % 10] + _ZHI[(year - 4) % 12]


# ---- parsing what people type -------------------------------------------------------------------

_PREFIX = re.compile(r"^(农历|阴历|旧历)")
_CN_NUM = "〇零一二三四五六七八九十廿卅"
_NUMERIC = re.compile(r"^(?:(\d{4})[年\-/.])?(闰)?(\d{1,2})[月\-/.](\d{1,2})[日号]?$")
_CHINESE = re.compile(
    rf"^(?:(\d{{4}}|[{_CN_NUM}]{{4}})年)?(闰)?([正元冬腊]|[{_CN_NUM}]{{1,3}})月"
    rf"(初[{_CN_NUM}]{{1,2}}|[{_CN_NUM}]{{1,3}}|\d{{1,2}})[日号]?$"
)
_HINT = "请写成“农历三月初八”“闰四月十五”“农历1985年三月初八”或“农历1985-3-8”"


def parse_lunar(text: str) -> LunarDate:
    """Read a 农历 date as people type it ('农历三月初八', '闰四月十五', '农历1985-3-8', '腊月廿九' …)."""
    raw = text.strip()
    s = re.sub(r"\s+", "", raw)
    s = _PREFIX.sub("", s)
    m = _NUMERIC.match(s)
    if m:
        year = int(m.group(1)) if m.group(1) else None
        return _validated(year, int(m.group(3)), int(m.group(4)), bool(m.group(2)))
    m = _CHINESE.match(s)
    if not m:
        raise ValidationError(FIELD, f"看不懂“{raw}”，{_HINT}")
    year = _parse_year(m.group(1)) if m.group(1) else None
    month = _parse_month(m.group(3), raw)
    day = _parse_day(m.group(4), raw)
    return _validated(year, month, day, bool(m.group(2)))


def _validated(year: int | None, month: int, day: int, leap: bool) -> LunarDate:
    _check_month_day(month, day)
    if year is not None:
        lunar_ordinal(year, month, day, leap)  # raises when the date does not exist in that year
    return LunarDate(year, month, day, leap)


def _parse_year(s: str) -> int:
    if s.isdigit() and s.isascii():
        return int(s)
    return int("".join(str(_DIGITS.index("〇" if ch == "零" else ch)) for ch in s))


def _parse_month(s: str, raw: str) -> int:
    special = {"正": 1, "元": 1, "冬": 11, "腊": 12}
    if s in special:
        return special[s]
    value = _cn_number(s)
    if value is None:
        raise ValidationError(FIELD, f"看不懂“{raw}”里的月份，{_HINT}")
    return value


def _parse_day(s: str, raw: str) -> int:
    if s.isdigit() and s.isascii():
        return int(s)
    value = _cn_number(s[1:] if s.startswith("初") else s)
    if value is None or (s.startswith("初") and value > 10):
        raise ValidationError(FIELD, f"看不懂“{raw}”里的日子，{_HINT}")
    return value


def _cn_number(s: str) -> int | None:
    """'三'→3, '十一'→11, '二十'→20, '廿九'→29, '三十一'→31; None for anything else."""
    tens = {"十": 10, "廿": 20, "卅": 30}
    digits = {ch: i for i, ch in enumerate(_DIGITS)} | {"零": 0}
    if len(s) == 1:
        return tens.get(s, digits.get(s))
    if s[0] in tens and len(s) == 2 and s[1] in digits:
        return tens[s[0]] + digits[s[1]]
    if len(s) >= 2 and s[0] in digits and s[1] == "十" and len(s) <= 3:
        rest = s[2:]
        if rest and rest not in digits:
            return None
        return digits[s[0]] * 10 + (digits[rest] if rest else 0)
    return None
