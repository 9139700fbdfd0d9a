"""Festival dates, worked out by hand for several years."""
from __future__ import annotations

from datetime import date

import pytest

from app.calendar.festivals import DEFAULT_FESTIVAL_GRADES, FESTIVALS, festivals_between, nth_weekday
from app.calendar.lunar import solar_to_lunar


def _dates(key: str, year: int) -> list[date]:
    return [f.date for f in festivals_between(date(year, 1, 1), date(year, 12, 31)) if f.key == key]


def test_the_table_lists_every_festival_once_in_settings_order() -> None:
    keys = [k for k, _, _ in FESTIVALS]
    assert keys == ["yuandan", "chuxi", "chunjie", "yuanxiao", "funv", "qingming", "laodong", "muqin", "duanwu",
                    "ertong", "fuqin", "qixi", "jiaoshi", "zhongqiu", "guoqing", "chongyang", "dongzhi", "laba",
                    "shengdan"]
    assert [k for k, _, greets in FESTIVALS if not greets] == ["qingming"]
    assert DEFAULT_FESTIVAL_GRADES["chunjie"] == DEFAULT_FESTIVAL_GRADES["zhongqiu"] == "ABCD"
    assert {v for k, v in DEFAULT_FESTIVAL_GRADES.items() if k not in ("chunjie", "zhongqiu")} == {"AB"}


@pytest.mark.parametrize(("year", "chuxi", "chunjie"), [
    (2024, date(2024, 2, 9), date(2024, 2, 10)),
    (2025, date(2025, 1, 28), date(2025, 1, 29)),
    (2026, date(2026, 2, 16), date(2026, 2, 17)),
    (2027, date(2027, 2, 5), date(2027, 2, 6)),
])
def test_chuxi_is_the_day_before_chunjie(year: int, chuxi: date, chunjie: date) -> None:
    assert _dates("chuxi", year) == [chuxi]
    assert _dates("chunjie", year) == [chunjie]


def test_chuxi_2025_is_layue_29() -> None:
    ld = solar_to_lunar(date(2025, 1, 28))
    assert (ld.month, ld.day) == (12, 29)
    assert solar_to_lunar(date(2024, 2, 9)).day == 30  # 除夕 2024 was 腊月三十


def test_laba_twice_in_2022_and_never_in_2023() -> None:
    assert _dates("laba", 2022) == [date(2022, 1, 10), date(2022, 12, 30)]
    assert _dates("laba", 2023) == []
    assert _dates("laba", 2024) == [date(2024, 1, 18)]


@pytest.mark.parametrize(("year", "muqin", "fuqin"), [
    (2024, date(2024, 5, 12), date(2024, 6, 16)),
    (2025, date(2025, 5, 11), date(2025, 6, 15)),
    (2026, date(2026, 5, 10), date(2026, 6, 21)),
    (2027, date(2027, 5, 9), date(2027, 6, 20)),
    (2028, date(2028, 5, 14), date(2028, 6, 18)),
])
def test_mothers_and_fathers_day(year: int, muqin: date, fuqin: date) -> None:
    assert _dates("muqin", year) == [muqin]
    assert _dates("fuqin", year) == [fuqin]
    assert muqin.weekday() == fuqin.weekday() == 6


@pytest.mark.parametrize(("year", "qingming", "dongzhi"), [
    (2024, date(2024, 4, 4), date(2024, 12, 21)),
    (2025, date(2025, 4, 4), date(2025, 12, 21)),
    (2026, date(2026, 4, 5), date(2026, 12, 22)),
    (2027, date(2027, 4, 5), date(2027, 12, 22)),
    (2028, date(2028, 4, 4), date(2028, 12, 21)),
])
def test_qingming_and_dongzhi_come_from_the_solar_terms(year: int, qingming: date, dongzhi: date) -> None:
    assert _dates("qingming", year) == [qingming]
    assert _dates("dongzhi", year) == [dongzhi]


def test_lunar_festivals_2026() -> None:
    got = {f.key: f.date for f in festivals_between(date(2026, 1, 1), date(2026, 12, 31)) if f.lunar}
    assert got == {"laba": date(2026, 1, 26), "chuxi": date(2026, 2, 16), "chunjie": date(2026, 2, 17),
                   "yuanxiao": date(2026, 3, 3), "duanwu": date(2026, 6, 19), "qixi": date(2026, 8, 19),
                   "zhongqiu": date(2026, 9, 25), "chongyang": date(2026, 10, 18)}


def test_range_is_inclusive_sorted_and_flags_are_right() -> None:
    fs = festivals_between(date(2026, 2, 16), date(2026, 2, 17))
    assert [(f.key, f.name, f.greets, f.lunar) for f in fs] == [
        ("chuxi", "除夕", True, True), ("chunjie", "春节", True, True)]
    year = festivals_between(date(2026, 1, 1), date(2026, 12, 31))
    assert [f.date for f in year] == sorted(f.date for f in year)
    assert len(year) == 19
    qm = next(f for f in year if f.key == "qingming")
    assert (qm.greets, qm.lunar) == (False, False)


def test_nth_weekday() -> None:
    assert nth_weekday(2026, 11, 3, 4) == date(2026, 11, 26)  # Thanksgiving-style: 4th Thursday
    assert nth_weekday(2026, 3, 6, 1) == date(2026, 3, 1)  # a month that starts on a Sunday
