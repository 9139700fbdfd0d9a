"""Cross-check our 农历 (lunar-python) against two independent libraries, 1950–2100.

- sxtwl: a C++ port of 寿星万年历 (same school of astronomy, separate code): every day 1950–2100 and
  the solar terms 清明 and 冬至.
- lunardate: a table-driven Python library (its own month-length data, lunar years 1900–2099): every
  lunar month's 初一 and length, which fixes every day of the calendar.
Where they disagree it is always a new moon (合朔) within minutes of midnight Beijing time, so the
day of 初一 depends on the ephemeris; each such month is listed below with the new-moon time that
lunar-python computes.  Any other disagreement fails the test.
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from app.calendar.festivals import festivals_between
from app.calendar.lunar import LunarYearTable, solar_to_lunar

sxtwl = pytest.importorskip("sxtwl")
lunardate = pytest.importorskip("lunardate")

FIRST, LAST = date(1950, 1, 1), date(2100, 12, 31)

# (lunar year, month, leap) whose 初一 (and so the month before's length) differ; ours first, theirs second.
KNOWN_SXTWL_MONTHS = {
    # 九月初一: new moon 2057-09-29 00:00:25 (UTC+8), 25 s after midnight; sxtwl puts it before midnight.
    (2057, 9, False): (date(2057, 9, 29), date(2057, 9, 28)),
}
KNOWN_LUNARDATE_MONTHS = {
    # 冬月初一: new moon 1954-11-25 20:31 (UTC+8); lunardate's table starts 冬月 a day later.
    (1954, 11, False): (date(1954, 11, 25), date(1954, 11, 26)),
    # 八月初一: new moon 1978-09-03 00:08:53 (UTC+8), 9 minutes after midnight; lunardate has 09-02.
    (1978, 8, False): (date(1978, 9, 3), date(1978, 9, 2)),
    (2057, 9, False): (date(2057, 9, 29), date(2057, 9, 28)),  # as for sxtwl above
}
# Festival dates that follow from those months: key → {our date: their date}.
KNOWN_FESTIVALS = {
    "sxtwl": {"chongyang": {date(2057, 10, 7): date(2057, 10, 6)}},  # 重阳 = 九月初九
    "lunardate": {"zhongqiu": {date(1978, 9, 17): date(1978, 9, 16)},  # 中秋 = 八月十五
                  "chongyang": {date(2057, 10, 7): date(2057, 10, 6)}},
}
LUNAR_FESTIVALS = {"chunjie": (1, 1), "yuanxiao": (1, 15), "duanwu": (5, 5), "qixi": (7, 7),
                   "zhongqiu": (8, 15), "chongyang": (9, 9), "laba": (12, 8)}


def _known_days(months: dict[tuple[int, int, bool], tuple[date, date]]) -> set[date]:
    """Days whose lunar date differs because of the listed months (from either 初一 to the next 初一)."""
    days = set()
    for (year, month, leap), (ours, theirs) in months.items():
        info = LunarYearTable.for_year(year).month(month, leap)
        assert info is not None
        end = date.fromordinal(info.first + info.days)
        start = min(ours, theirs)
        days |= {start + timedelta(days=i) for i in range((end - start).days)}
    return days


def test_every_day_1950_2100_agrees_with_sxtwl() -> None:
    disagree = set()
    d = FIRST
    while d <= LAST:
        ours = solar_to_lunar(d)
        s = sxtwl.fromSolar(d.year, d.month, d.day)
        if (s.getLunarYear(), s.getLunarMonth(), s.getLunarDay(), bool(s.isLunarLeap())) != (
                ours.year, ours.month, ours.day, ours.leap):
            disagree.add(d)
        d += timedelta(days=1)
    known = _known_days(KNOWN_SXTWL_MONTHS)
    assert disagree == known, f"new: {sorted(disagree - known)[:10]}, gone: {sorted(known - disagree)[:10]}"


def _lunardate_months(year: int) -> dict[tuple[int, int, bool], tuple[date, int]]:
    """lunardate's months of one lunar year: (year, month, leap) → (初一, length)."""
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for month in range(1, 13):
            for leap in (False, True):
                try:
                    first = lunardate.LunarDate(year, month, 1, leap).to_solar_date()
                except ValueError:
                    continue
                length = 30
                try:
                    lunardate.LunarDate(year, month, 30, leap).to_solar_date()
                except ValueError:
                    length = 29
                out[(year, month, leap)] = (first, length)
    return out


def test_every_lunar_month_1950_2099_agrees_with_lunardate() -> None:
    disagree = {}
    for year in range(1950, 2100):
        theirs = _lunardate_months(year)
        ours = {(year, m.month, m.leap): (date.fromordinal(m.first), m.days)
                for m in LunarYearTable.for_year(year).months}
        assert set(ours) == set(theirs), f"{year}: leap months differ"
        for key in ours:
            if ours[key][0] != theirs[key][0]:
                disagree[key] = (ours[key][0], theirs[key][0])
    assert disagree == KNOWN_LUNARDATE_MONTHS


def _our_festivals() -> dict[str, set[date]]:
    found: dict[str, set[date]] = {}
    for f in festivals_between(FIRST, LAST):
        found.setdefault(f.key, set()).add(f.date)
    return found


def _their_lunar_festivals(to_solar: Callable[[int, int, int], date], last_year: int) -> dict[str, set[date]]:
    found: dict[str, set[date]] = {key: set() for key in [*LUNAR_FESTIVALS, "chuxi"]}
    for year in range(1949, last_year + 1):
        for key, (month, day) in LUNAR_FESTIVALS.items():
            found[key].add(to_solar(year, month, day))
        if year < last_year:
            found["chuxi"].add(to_solar(year + 1, 1, 1) - timedelta(days=1))
    return found


@pytest.mark.parametrize("library", ["sxtwl", "lunardate"])
def test_lunar_festivals_agree(library: str) -> None:
    if library == "sxtwl":
        def to_solar(y: int, m: int, d: int) -> date:
            s = sxtwl.fromLunar(y, m, d, False)
            return date(s.getSolarYear(), s.getSolarMonth(), s.getSolarDay())
        last = LAST
    else:
        def to_solar(y: int, m: int, d: int) -> date:
            return lunardate.LunarDate(y, m, d).to_solar_date()
        last = date(2099, 12, 31)  # lunardate ends with lunar year 2099
    theirs = _their_lunar_festivals(to_solar, last.year)
    ours = _our_festivals()
    # 除夕 of the last lunar year needs the next 春节, which the library may not have; stop a year early.
    window = (FIRST, date(last.year - 1, 12, 31))
    for key in theirs:
        mine = {d for d in ours[key] if window[0] <= d <= window[1]}
        other = {d for d in theirs[key] if window[0] <= d <= window[1]}
        known = KNOWN_FESTIVALS[library].get(key, {})
        assert mine - other == set(known), key
        assert other - mine == set(known.values()), key


def _sxtwl_terms(year: int) -> dict[int, date]:
    """Solar term index → its day (Beijing time) in a Gregorian year; 0 = 冬至, 7 = 清明."""
    out = {}
    for info in sxtwl.getJieQiByYear(year):
        t = sxtwl.JD2DD(info.jd)
        day = date(t.Y, t.M, t.D)
        if day.year == year:
            out[info.jqIndex] = day
    return out


def test_qingming_and_dongzhi_agree_with_sxtwl_1950_2100() -> None:
    ours = {(f.key, f.date.year): f.date for f in festivals_between(FIRST, LAST) if f.key in ("qingming", "dongzhi")}
    for year in range(FIRST.year, LAST.year + 1):
        terms = _sxtwl_terms(year)
        assert (ours[("qingming", year)], ours[("dongzhi", year)]) == (terms[7], terms[0]), year
