"""农历 conversion, formatting and parsing (dates worked out by hand and checked against an almanac)."""
from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.calendar.lunar import (
    LunarDate,
    LunarYearTable,
    format_lunar,
    ganzhi_year,
    lunar_to_solar,
    lunar_year_of,
    parse_lunar,
    solar_to_lunar,
    spring_festival,
    zodiac,
)
from app.errors import ValidationError


@pytest.mark.parametrize(("solar", "lunar"), [
    (date(2025, 1, 28), LunarDate(2024, 12, 29)),  # 除夕 2025 is 腊月廿九 (腊月 of 甲辰 has 29 days)
    (date(2025, 1, 29), LunarDate(2025, 1, 1)),  # 春节 2025
    (date(2026, 2, 17), LunarDate(2026, 1, 1)),  # 春节 2026
    (date(2020, 6, 6), LunarDate(2020, 4, 15, True)),  # 闰四月十五 2020
    (date(2020, 5, 7), LunarDate(2020, 4, 15)),  # the ordinary 四月十五 the same year
    (date(2025, 7, 25), LunarDate(2025, 6, 1, True)),  # 2025 has 闰六月
    (date(1985, 4, 27), LunarDate(1985, 3, 8)),
    (date(2026, 11, 22), LunarDate(2026, 10, 14)),
])
def test_solar_to_lunar_known_dates(solar: date, lunar: LunarDate) -> None:
    assert solar_to_lunar(solar) == lunar
    assert lunar_to_solar(lunar.year or 0, lunar.month, lunar.day, lunar.leap) == solar


def test_year_table_is_built_once_and_describes_the_year() -> None:
    table = LunarYearTable.for_year(2025)
    assert LunarYearTable.for_year(2025) is table
    assert table.leap_month == 6
    assert [(m.month, m.leap) for m in table.months][5:8] == [(6, False), (6, True), (7, False)]
    assert sum(m.days for m in table.months) == table.end - table.first == 384
    assert date.fromordinal(table.first) == date(2025, 1, 29)
    assert LunarYearTable.for_year(2026).leap_month == 0
    assert len(LunarYearTable.for_year(2026).months) == 12


@pytest.mark.parametrize(("args", "words"), [
    ((2023, 4, 1, True), "2023年没有闰四月（这一年闰二月）"),
    ((2026, 5, 1, True), "这一年没有闰月"),
    ((2025, 12, 30, False), "2025年腊月只有29天，没有三十"),
    ((2020, 4, 30, True), "闰四月只有29天"),
    ((2025, 13, 1, False), "没有13月"),
    ((2025, 2, 31, False), "最多三十天"),
    ((1700, 1, 1, False), "超出支持范围"),
])
def test_impossible_lunar_dates_say_why(args: tuple[int, int, int, bool], words: str) -> None:
    with pytest.raises(ValidationError) as err:
        lunar_to_solar(*args)
    assert err.value.field == "农历日期"
    assert words in str(err.value)


@pytest.mark.parametrize(("ld", "text"), [
    (LunarDate(None, 10, 4), "十月初四"),
    (LunarDate(None, 4, 15, True), "闰四月十五"),
    (LunarDate(None, 1, 1), "正月初一"),
    (LunarDate(None, 12, 29), "腊月廿九"),
    (LunarDate(None, 11, 30), "冬月三十"),
    (LunarDate(None, 3, 10), "三月初十"),
    (LunarDate(None, 3, 20), "三月二十"),
    (LunarDate(None, 3, 11), "三月十一"),
])
def test_format_lunar(ld: LunarDate, text: str) -> None:
    assert format_lunar(ld) == text


def test_format_lunar_with_year_uses_digits_and_skips_unknown_year() -> None:
    assert format_lunar(LunarDate(1985, 3, 8), with_year=True) == "1985年三月初八"
    assert format_lunar(LunarDate(None, 3, 8), with_year=True) == "三月初八"


@pytest.mark.parametrize(("text", "expected"), [
    ("农历三月初八", LunarDate(None, 3, 8)),
    ("闰四月十五", LunarDate(None, 4, 15, True)),
    ("农历1985年三月初八", LunarDate(1985, 3, 8)),
    ("三月初八", LunarDate(None, 3, 8)),
    ("腊月廿九", LunarDate(None, 12, 29)),
    ("正月十五", LunarDate(None, 1, 15)),
    ("十一月初二", LunarDate(None, 11, 2)),
    ("冬月初二", LunarDate(None, 11, 2)),
    ("农历 3月8日", LunarDate(None, 3, 8)),
    ("农历1985-3-8", LunarDate(1985, 3, 8)),
    ("阴历八月十五", LunarDate(None, 8, 15)),
    ("阴历 二〇二〇年 闰四月 初一", LunarDate(2020, 4, 1, True)),
    ("农历十二月二十一", LunarDate(None, 12, 21)),
    ("农历三月8号", LunarDate(None, 3, 8)),
    ("  农历2020/闰4/15 ", LunarDate(2020, 4, 15, True)),
])
def test_parse_lunar_accepts_what_people_type(text: str, expected: LunarDate) -> None:
    assert parse_lunar(text) == expected


@pytest.mark.parametrize(("text", "words"), [
    ("农历十三月初一", "没有13月"),
    ("农历二月三十一", "没有31日"),
    ("农历三月初十一", "日子"),
    ("生日是三月", "看不懂"),
    ("", "看不懂"),
    ("农历2023年闰四月初一", "2023年没有闰四月"),
    ("农历2025年腊月三十", "只有29天"),
])
def test_parse_lunar_rejects_nonsense_clearly(text: str, words: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_lunar(text)
    assert words in err.value.message


def test_zodiac_and_ganzhi_follow_the_lunar_year() -> None:
    assert [zodiac(y) for y in (2020, 2024, 2025, 2026, 1974)] == ["鼠", "龙", "蛇", "马", "虎"]
    assert [ganzhi_year(y) for y in (1984, 2024, 2025, 2026)] == ["甲子", "甲辰", "乙巳", "丙午"]
    # Someone born on 2026-02-10 (before 春节 2026-02-17) was born in lunar 2025: 属蛇.
    assert zodiac(solar_to_lunar(date(2026, 2, 10)).year or 0) == "蛇"


@st.composite
def valid_lunar_dates(draw: st.DrawFn) -> LunarDate:
    """Any existing 农历 date of lunar years 1950–2100."""
    table = LunarYearTable.for_year(draw(st.integers(1950, 2100)))
    month = draw(st.sampled_from(table.months))
    return LunarDate(table.year, month.month, draw(st.integers(1, month.days)), month.leap)


@settings(max_examples=400, deadline=None)
@given(valid_lunar_dates())
def test_format_then_parse_round_trips(ld: LunarDate) -> None:
    assert parse_lunar(format_lunar(ld, with_year=True)) == ld
    assert parse_lunar("农历" + format_lunar(ld)) == LunarDate(None, ld.month, ld.day, ld.leap)


@settings(max_examples=400, deadline=None)
@given(valid_lunar_dates())
def test_lunar_solar_round_trips(ld: LunarDate) -> None:
    assert solar_to_lunar(lunar_to_solar(ld.year or 0, ld.month, ld.day, ld.leap)) == ld


def test_spring_festival_table_matches_the_year_tables_1900_2100() -> None:
    for year in range(1900, 2101):
        assert spring_festival(year) == date.fromordinal(LunarYearTable.for_year(year).first), year
    assert spring_festival(2200) == date.fromordinal(LunarYearTable.for_year(2200).first)
    assert lunar_year_of(date(2026, 2, 16)) == 2025
    assert lunar_year_of(date(2026, 2, 17)) == 2026
