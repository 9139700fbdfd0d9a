"""Greeting templates and the .ics export (read back with icalendar)."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from icalendar.prop import vText

from app.calendar.engine import CalendarSettings, CustomerDates, DateSpec, DealDates, PersonDates
from app.calendar.festivals import FESTIVALS
from app.calendar.greetings import DEFAULT_TEMPLATES, render_greeting, salutation, surname
from app.calendar.ics import escape_text, fold, write_ics
from app.errors import ValidationError

TODAY = date(2026, 3, 15)
DEFAULTS = CalendarSettings()


def test_every_greeting_festival_and_occasion_has_a_signed_template() -> None:
    wanted = {k for k, _, greets in FESTIVALS if greets} | {"birthday", "wedding", "life_event"}
    assert set(DEFAULT_TEMPLATES) == wanted  # and none for 清明
    for text in DEFAULT_TEMPLATES.values():
        assert text.startswith("{称呼}") and text.endswith("——{销售姓名}")


def test_render_fills_known_placeholders() -> None:
    text = render_greeting(DEFAULT_TEMPLATES["zhongqiu"], 称呼="王先生", 销售姓名="小李")
    assert text.startswith("王先生，中秋快乐！")
    assert text.endswith("——小李")
    assert render_greeting("{公司}{姓名}祝您{节日}快乐", 公司="平安", 姓名="李娜", 节日="端午") == "平安李娜祝您端午快乐"


def test_render_never_raises_and_follows_the_documented_rules() -> None:
    # Rule 2: a missing known placeholder vanishes, with the comma it leaves at the start.
    assert render_greeting("{称呼}，新年好——{销售姓名}", 销售姓名="小李") == "新年好——小李"
    # Rule 3: an empty signature is dropped.
    assert render_greeting("{称呼}，新年好——{销售姓名}", 称呼="王先生") == "王先生，新年好"
    # Rule 4: an unknown placeholder stays visible; stray braces are harmless.
    assert render_greeting("{称乎}，{节日}快乐 {", 节日="中秋", 其他="x") == "{称乎}，中秋快乐 {"
    assert render_greeting("") == ""


@pytest.mark.parametrize(("args", "expected"), [
    (("王建国", "男"), "王先生"),
    (("李娜", "女"), "李女士"),
    (("李娜", "F"), "李女士"),
    (("欧阳娜娜", "女"), "欧阳女士"),
    (("张伟", "男", True, "总经理"), "张总"),
    (("张伟", "", True, "销售总监"), "张总"),
    (("张伟", "男", True, "采购员"), "张先生"),
    (("张伟", ""), "张伟"),
    (("", "男"), ""),
])
def test_salutation(args: tuple, expected: str) -> None:
    assert salutation(*args) == expected


def test_surname_knows_compound_surnames() -> None:
    assert [surname(n) for n in ("司马光", "王建国", "欧阳")] == ["司马", "王", "欧"]


def _customers() -> list[CustomerDates]:
    return [CustomerDates(
        12, "K0012", "王建国", "A", False,
        (PersonDates(None, "王建国", "", DateSpec("lunar", 1974, 10, 4)),
         PersonDates(3, "张丽", "妻子", DateSpec("solar", 1976, 2, 29)),
         PersonDates(4, "王小明", "儿子", DateSpec("solar", None, 7, 1))),
        date(2000, 5, 20),
        (DealDates(7, "平安福", date(2025, 3, 1), date(2026, 3, 1), "周年"),
         DealDates(8, "车险", date(2025, 6, 1), date(2026, 6, 1), "续保")),
        date(2026, 9, 30), date(2026, 1, 10), date(2020, 1, 1),
        ((99, datetime(2026, 4, 2, 14, 30), "客户公司", "讲解保单"), (98, datetime(2026, 1, 2, 9), "", "过去的")),
        ((5, "乔迁", date(2026, 5, 1)),),
    )]


def _read(settings: CalendarSettings = DEFAULTS, years: int = 3) -> dict[str, object]:
    stream = io.BytesIO()
    write_ics(_customers(), years, TODAY, stream, settings)
    cal = Calendar.from_ical(stream.getvalue())
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_ics_solar_dates_are_yearly_series() -> None:
    events = _read()
    son = events["bday:c12:p4@clientfile"]
    assert son["RRULE"]["FREQ"] == ["YEARLY"]
    assert str(son["SUMMARY"]) == "王小明（王建国的儿子） 生日"
    assert son.decoded("DTSTART") == date(2000, 7, 1)
    wife = events["bday:c12:p3@clientfile"]
    assert wife.decoded("DTSTART") == date(1976, 2, 29)
    assert wife["RRULE"]["BYMONTH"] == [2] and wife["RRULE"]["BYMONTHDAY"] == [-1]
    assert events["wedding:c12@clientfile"]["RRULE"]["FREQ"] == ["YEARLY"]
    assert events["anniv:d7@clientfile"].decoded("DTSTART") == date(2026, 3, 1)
    assert "王建国" in str(events["anniv:d7@clientfile"]["SUMMARY"])


def test_ics_lunar_birthdays_are_explicit_for_each_year() -> None:
    events = _read(years=3)
    lunar = sorted(uid for uid in events if uid.startswith("bday:c12:p0:"))
    # 农历十月初四 in 2026, 2027 and 2028 (the three years from 2026-03-15).
    assert lunar == ["bday:c12:p0:2026-11-12@clientfile", "bday:c12:p0:2027-11-01@clientfile",
                     "bday:c12:p0:2028-11-19@clientfile"]
    first = events[lunar[0]]
    assert "RRULE" not in first
    assert first.decoded("DTSTART") == date(2026, 11, 12)
    assert str(first["SUMMARY"]) == "王建国 生日（农历十月初四，52岁，属虎）"


def test_ics_feb29_with_march_first_policy_is_explicit() -> None:
    events = _read(CalendarSettings(feb29_policy="mar1"))
    assert "bday:c12:p3@clientfile" not in events
    assert events["bday:c12:p3:2027-03-01@clientfile"].decoded("DTSTART") == date(2027, 3, 1)
    assert events["bday:c12:p3:2028-02-29@clientfile"].decoded("DTSTART") == date(2028, 2, 29)


def test_ics_appointments_are_timed_with_an_alarm_and_past_ones_are_left_out() -> None:
    events = _read()
    appt = events["appt:v99@clientfile"]
    assert appt.decoded("DTSTART") == datetime(2026, 4, 2, 14, 30)
    assert str(appt["LOCATION"]) == "客户公司"
    (alarm,) = appt.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(minutes=30)
    assert "appt:v98@clientfile" not in events
    renew = events["renew:d8:2026-06-01@clientfile"]
    assert renew.walk("VALARM")[0].decoded("TRIGGER") == -timedelta(days=30)
    assert not any(uid.startswith(("fest:", "cadence:")) for uid in events)
    assert "event:e5:2026-05-01@clientfile" in events


def test_ics_uids_are_stable_across_writes_and_paths_work(tmp_path: Path) -> None:
    first, second = _read(), _read()
    assert sorted(first) == sorted(second)
    path = tmp_path / "客户.ics"
    write_ics(_customers(), 3, TODAY, str(path), CalendarSettings())
    cal = Calendar.from_ical(path.read_bytes())
    assert sorted(str(e["UID"]) for e in cal.walk("VEVENT")) == sorted(first)
    assert len(first) == len(set(first))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_text_escaping_matches_icalendar_and_folding_keeps_lines_short(value: str) -> None:
    assert escape_text(value) == vText(value).to_ical().decode()
    line = "DESCRIPTION:" + escape_text(value)
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_ics_text_with_commas_semicolons_and_newlines_reads_back_exactly() -> None:
    c = _customers()[0]
    odd = c._replace(name="王,建;国\\", deals=(DealDates(8, "车险，交强险; 商业险", None, date(2026, 6, 1), "续保"),))
    stream = io.BytesIO()
    write_ics([odd], 1, TODAY, stream, DEFAULTS)
    events = {str(e["UID"]): e for e in Calendar.from_ical(stream.getvalue()).walk("VEVENT")}
    renew = events["renew:d8:2026-06-01@clientfile"]
    assert str(renew["SUMMARY"]) == "车险，交强险; 商业险 续保"
    assert str(renew["DESCRIPTION"]).startswith("客户：王,建;国\\（K0012）\n建议：上门拜访\n")


def test_ics_export_years_must_be_sensible() -> None:
    with pytest.raises(ValidationError, match="导出年数"):
        write_ics(_customers(), 0, TODAY, io.BytesIO(), DEFAULTS)
