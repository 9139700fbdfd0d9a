"""Cells as people type them: each parser's result, and the message of each bad cell."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from app.errors import ValidationError
from app.excel import values as v
from app.rows import Birthday


@pytest.mark.parametrize("cell, expected", [
    ("138 1234 5678", [("mobile", "13812345678")]),
    ("138-1234-5678", [("mobile", "13812345678")]),
    ("+86 138 1234 5678", [("mobile", "13812345678")]),
    ("１３８１２３４５６７８", [("mobile", "13812345678")]),  # full-width digits
    (13812345678.0, [("mobile", "13812345678")]),  # a number cell
    ("  13812345678  ", [("mobile", "13812345678")]),
    ("010-12345678", [("phone", "010-12345678")]),
    ("(0755) 1234 5678 转 123", [("phone", "0755-12345678-123")]),
    ("0755-12345678-123", [("phone", "0755-12345678-123")]),  # our stored form, read back
    ("400-123-4567-8", [("phone", "400-123-4567-8")]),
    ("13812345678 / 010-12345678", [("mobile", "13812345678"), ("phone", "010-12345678")]),
    ("13812345678，13987654321", [("mobile", "13812345678"), ("mobile", "13987654321")]),
    ("13812345678 13987654321", [("mobile", "13812345678"), ("mobile", "13987654321")]),
    ("", []),
])
def test_phone_numbers(cell: object, expected: list) -> None:
    assert v.phone_numbers(cell, "手机") == expected


def test_a_bad_phone_names_the_cell_value() -> None:
    with pytest.raises(ValidationError) as err:
        v.phone_numbers("13812", "手机")
    assert err.value.field == "手机" and "“13812”不是有效的手机号或电话号码" in err.value.message


@pytest.mark.parametrize("cell, expected", [
    (date(1985, 3, 8), date(1985, 3, 8)),
    (datetime(1985, 3, 8, 0, 0), date(1985, 3, 8)),
    (31114.0, date(1985, 3, 8)),  # Excel serial
    ("31114", date(1985, 3, 8)),  # a serial stored as text
    ("1985/3/8", date(1985, 3, 8)),
    ("1985-03-08", date(1985, 3, 8)),
    ("1985.3.8", date(1985, 3, 8)),
    ("1985年3月8日", date(1985, 3, 8)),
    ("1985 年 3 月 8 日", date(1985, 3, 8)),
    ("85.3.8", date(1985, 3, 8)),
    ("19850308", date(1985, 3, 8)),
    (19850308.0, date(1985, 3, 8)),
    ("１９８５－０３－０８", date(1985, 3, 8)),
    ("1985-03-08 00:00:00", date(1985, 3, 8)),
    ("", None),
])
def test_dates(cell: object, expected: date | None) -> None:
    assert v.parse_date(cell, "结婚纪念日") == expected


@pytest.mark.parametrize("cell, message", [
    ("2月30日", "2月30日不存在"),
    ("1985/2/30", "2月30日不存在"),
    ("1985-13-01", "没有13月"),
    ("1985-02-29", "1985年2月29日不存在（1985年不是闰年）"),
    ("明年春天", "不是日期"),
])
def test_impossible_dates_say_why(cell: str, message: str) -> None:
    with pytest.raises(ValidationError) as err:
        v.parse_birthday(cell, "生日")
    assert err.value.field == "生日" and message in err.value.message


def test_date_without_year_is_only_fine_for_birthdays() -> None:
    assert v.parse_birthday("3月8日", "生日") == Birthday("solar", 3, 8, None)
    assert v.parse_birthday("2月29日", "生日") == Birthday("solar", 2, 29, None)
    with pytest.raises(ValidationError, match="缺少年份"):
        v.parse_date("3月8日", "结婚纪念日")


@pytest.mark.parametrize("cell, expected", [
    ("农历三月初八", Birthday("lunar", 3, 8, None)),
    ("闰四月十五", Birthday("lunar", 4, 15, None, True)),
    ("农历1985年三月初八", Birthday("lunar", 3, 8, 1985)),
    ("农历1985-3-8", Birthday("lunar", 3, 8, 1985)),
    ("腊月廿九", Birthday("lunar", 12, 29, None)),
    ("公历1985-3-8", Birthday("solar", 3, 8, 1985)),
])
def test_birthday_reads_lunar_and_solar(cell: str, expected: Birthday) -> None:
    assert v.parse_birthday(cell, "生日") == expected


def test_lunar_column_reads_dates_as_lunar() -> None:
    assert v.parse_lunar_birthday("三月初八", "农历生日") == Birthday("lunar", 3, 8, None)
    assert v.parse_lunar_birthday(date(1985, 3, 8), "农历生日") == Birthday("lunar", 3, 8, 1985)
    assert v.parse_lunar_birthday("1985/3/8", "农历生日") == Birthday("lunar", 3, 8, 1985)
    with pytest.raises(ValidationError) as err:
        v.parse_lunar_birthday("1985年闰三月初八", "农历生日")  # 1985 has no leap third month
    assert err.value.field == "农历生日" and "没有闰三月" in err.value.message


def test_datetimes_round_excel_fractions() -> None:
    assert v.parse_datetime(datetime(2024, 5, 6, 14, 29, 59, 999_600), "时间") == datetime(2024, 5, 6, 14, 30)
    assert v.parse_datetime("2024-05-06 14:30", "时间") == datetime(2024, 5, 6, 14, 30)
    assert v.parse_datetime("2024/5/6", "时间") == datetime(2024, 5, 6)
    with pytest.raises(ValidationError, match="时间不存在"):
        v.parse_datetime("2024-05-06 25:10", "时间")


@pytest.mark.parametrize("cell, expected", [
    ("50", Decimal("50.00")), ("50万", Decimal("50.00")), ("1.2亿", Decimal("12000.00")),
    ("300000元", Decimal("30.00")), ("１２０", Decimal("120.00")), (55.5, Decimal("55.50")),
    ("1,234.5", Decimal("1234.50")), ("", None),
])
def test_assets_in_wan(cell: object, expected: Decimal | None) -> None:
    assert v.parse_wan(cell, "资产规模(万元)") == expected


def test_bad_numbers() -> None:
    with pytest.raises(ValidationError, match="不是数字"):
        v.parse_wan("很多", "资产")
    with pytest.raises(ValidationError, match="不能为负数"):
        v.parse_amount("-5", "金额")
    assert v.parse_amount("1.2万", "金额") == Decimal("12000.00")
    assert v.parse_count("120人", "员工数量") == 120
    assert v.parse_count(" 120.0 ", "员工数量") == 120
    with pytest.raises(ValidationError, match="不是整数"):
        v.parse_count("一百", "员工数量")


@pytest.mark.parametrize("cell, expected", [
    ("是", True), ("否", False), ("Y", True), ("no", False), (True, True), ("√", True), ("有", True), ("", None),
])
def test_yes_no(cell: object, expected: bool | None) -> None:
    assert v.parse_bool(cell, "影响力中心") is expected


def test_choices_forgive_case_width_and_aliases() -> None:
    assert v.parse_choice("ａ", "等级", ("A", "B"), {}) == "A"
    assert v.parse_choice("先生", "性别", ("男", "女"), {"先生": "男"}) == "男"
    with pytest.raises(ValidationError) as err:
        v.parse_choice("X", "等级", ("A", "B"), {})
    assert "可选：A、B" in err.value.message


def test_tags_and_text() -> None:
    assert v.parse_tags("VIP、老客户, 车险；VIP", "标签") == ("VIP", "老客户", "车险")
    assert v.text(" \u200b张三\u3000") == "张三"
    assert v.text(100020.0) == "100020"
    assert v.parse_postcode(100020.0, "邮编") == "100020"
    assert v.parse_email("ｚｓ＠ｅｘａｍｐｌｅ．ｃｏｍ", "邮箱") == "zs@example.com"
    assert v.parse_card_no(" kh000012 ", "客户编号") == "KH000012"
