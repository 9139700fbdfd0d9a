"""What people type: phones, dates, amounts — normalised or refused with a message naming the field."""
from __future__ import annotations

from decimal import Decimal

import pytest

from app.errors import ValidationError
from app.validate import check_email, check_postcode, normalise_landline, normalise_mobile, parse_amount


@pytest.mark.parametrize("raw,expected", [
    ("13812345678", "13812345678"), ("138 1234 5678", "13812345678"), ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"), ("+8613812345678", "13812345678"), ("008613812345678", "13812345678"),
    ("8613812345678", "13812345678"), ("（138）12345678", "13812345678"), ("", ""),
])
def test_mobile_formats(raw: str, expected: str) -> None:
    assert normalise_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["1381234", "23812345678", "138123456789", "138-1234-567a", "12012345678"])
def test_bad_mobiles_name_the_field(raw: str) -> None:
    with pytest.raises(ValidationError) as err:
        normalise_mobile(raw)
    assert err.value.field == "手机"
    assert raw.strip() in str(err.value)


@pytest.mark.parametrize("raw,expected", [
    ("010-12345678", "010-12345678"), ("(0755) 1234 5678", "0755-12345678"), ("0755-12345678转123", "0755-12345678-123"),
    ("+86 10 12345678", "010-12345678"), ("021 6123 4567", "021-61234567"), ("12345678", "12345678"),
    ("400-820-8820", "400-820-8820"), ("0571-8888888", "0571-8888888"),
    ("0755-12345678-123", "0755-12345678-123"), ("010-12345678-8", "010-12345678-8"),
])
def test_landline_formats_with_area_codes(raw: str, expected: str) -> None:
    assert normalise_landline(raw) == expected


@pytest.mark.parametrize("raw", ["010-123", "abc", "0755-123456789"])
def test_bad_landlines(raw: str) -> None:
    with pytest.raises(ValidationError, match="电话"):
        normalise_landline(raw)


def test_amounts_as_typed() -> None:
    assert parse_amount("12,000.50") == Decimal("12000.50")
    assert parse_amount("1.2万") == Decimal("12000.00")
    assert parse_amount("¥3000元") == Decimal("3000.00")
    assert parse_amount("") is None
    with pytest.raises(ValidationError, match="金额"):
        parse_amount("很多")
    with pytest.raises(ValidationError, match="负数"):
        parse_amount("-5")


def test_email_and_postcode() -> None:
    assert check_email(" a@b.cn ") == "a@b.cn"
    with pytest.raises(ValidationError, match="邮箱"):
        check_email("a@b")
    with pytest.raises(ValidationError, match="邮编"):
        check_postcode("10001")
