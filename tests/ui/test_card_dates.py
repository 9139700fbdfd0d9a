"""公历/农历 date inputs: the other calendar beside the field, leap months, birthdays without a year."""
from __future__ import annotations

from datetime import date

import pytest
from _card_fixtures import card_ctx_fixture, make_customer, open_card_fixture, press, type_text  # noqa: F401
from PySide6.QtCore import Qt

from app.calendar.lunar import lunar_to_solar
from app.errors import ValidationError
from app.rows import Birthday
from ui.date_input import BirthdayInput, DateInput, birthday_text

TODAY = date(2026, 11, 22)


def _choose(widget: BirthdayInput | DateInput, *, lunar: bool, year: str, month: int, day: int,
            leap: bool = False, qtbot=None) -> None:
    widget.calendar_combo.setCurrentIndex(1 if lunar else 0)
    if year:
        qtbot.keyClicks(widget.year_edit, year)
    if leap:
        qtbot.mouseClick(widget.leap_check, Qt.MouseButton.LeftButton)
    widget.month_combo.setCurrentIndex(month)
    widget.day_combo.setCurrentIndex(day)


@pytest.fixture
def birthday(qtbot) -> BirthdayInput:
    widget = BirthdayInput("生日", lambda: TODAY)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def test_lunar_birthday_in_a_leap_month_shows_the_solar_date(qtbot, birthday):
    assert not birthday.leap_check.isVisible()  # 公历 has no leap months
    _choose(birthday, lunar=True, year="2020", month=4, day=15, leap=True, qtbot=qtbot)
    assert birthday.leap_check.isVisible()
    assert birthday.month_combo.currentText() == "四月" and birthday.day_combo.currentText() == "十五"
    assert birthday.other_label.text() == "公历 2020-06-06"
    assert lunar_to_solar(2020, 4, 15, True) == date(2020, 6, 6)
    assert birthday.value() == Birthday("lunar", 4, 15, 2020, leap=True)
    assert birthday_text(birthday.value()) == "农历 2020年闰四月十五"


def test_a_leap_month_that_year_does_not_have_is_refused(qtbot, birthday):
    _choose(birthday, lunar=True, year="2021", month=4, day=15, leap=True, qtbot=qtbot)
    assert "2021年没有闰四月" in birthday.other_label.text()
    with pytest.raises(ValidationError) as err:
        birthday.value()
    assert err.value.field == "生日"  # relabelled to the field the user sees


def test_lunar_birthday_without_a_year_shows_this_years_date(qtbot, birthday):
    _choose(birthday, lunar=True, year="", month=4, day=15, leap=True, qtbot=qtbot)
    # 2026 has no 闰四月: the birthday is kept in the ordinary 四月 that year
    assert birthday.other_label.text() == "今年在公历 2026-05-31"
    assert birthday.value() == Birthday("lunar", 4, 15, None, leap=True)


def test_solar_date_shows_the_lunar_date(qtbot):
    widget = DateInput("结婚纪念日", lambda: TODAY)
    qtbot.addWidget(widget)
    widget.set_value(TODAY)
    assert widget.other_label.text() == "农历 2026年十月十四"
    assert widget.value() == TODAY


def test_a_date_typed_in_lunar_is_stored_as_solar(qtbot):
    widget = DateInput("结婚纪念日", lambda: TODAY)
    qtbot.addWidget(widget)
    _choose(widget, lunar=True, year="1990", month=12, day=8, qtbot=qtbot)
    assert widget.day_combo.currentText() == "初八" and widget.month_combo.currentText() == "腊月"
    assert widget.other_label.text() == "公历 1991-01-23"
    assert widget.value() == date(1991, 1, 23)


def test_impossible_and_incomplete_dates(qtbot):
    widget = DateInput("起始日期", lambda: TODAY)
    qtbot.addWidget(widget)
    assert widget.value() is None
    _choose(widget, lunar=False, year="2025", month=2, day=30, qtbot=qtbot)
    assert "2月30日不存在" in widget.other_label.text()
    with pytest.raises(ValidationError, match="2月30日不存在"):
        widget.value()
    widget.day_combo.setCurrentIndex(0)
    with pytest.raises(ValidationError, match="请选择月和日"):
        widget.value()
    widget.clear()
    widget.month_combo.setCurrentIndex(3)
    widget.day_combo.setCurrentIndex(3)
    with pytest.raises(ValidationError, match="请填写年份"):
        widget.value()


def test_lunar_leap_birthday_saved_on_a_card_and_shown_again(qtbot, card_ctx, open_card):
    cid = make_customer(card_ctx, "林妈妈")
    window = open_card(cid)
    bday = window.basic_page.birthday_input
    _choose(bday, lunar=True, year="", month=6, day=15, leap=True, qtbot=qtbot)
    assert bday.other_label.text().startswith("今年在公历")
    press(qtbot, window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert card_ctx.svc.customers.get(cid).data.birthday == Birthday("lunar", 6, 15, None, leap=True)
    window.close()
    window = open_card(cid)
    bday = window.basic_page.birthday_input
    assert bday.is_lunar and bday.leap_check.isChecked() and bday.month_combo.currentText() == "六月"
    assert not window.isWindowModified()


def test_an_unfinished_birthday_is_flagged_on_the_card(qtbot, card_ctx, open_card):
    window = open_card()
    type_text(qtbot, window.basic_page.name_edit, "高先生")
    window.basic_page.birthday_input.month_combo.setCurrentIndex(5)
    press(qtbot, window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert card_ctx.svc.customers.count() == 0
    assert window.basic_page.birthday_input.month_combo.property("invalid") is True
