"""Checking and normalising what people type: phones, dates, amounts. Errors name the field in Chinese."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from app.errors import ValidationError

_SPACES = re.compile(r"[\s\-－—()（）.·]+")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SERVICE = re.compile(r"^(400|800)\d{7}$")
_STORED_LANDLINE = re.compile(r"^(?:0(?:10|2\d|[3-9]\d{2})-\d{7,8}|400-\d{3}-\d{4}|800-\d{3}-\d{4})(?:-\d{1,6})?$")


def _strip_country(raw: str) -> str:
    text = raw.strip().replace("＋", "+")
    text = _SPACES.sub("", text)
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def normalise_mobile(raw: str, field: str = "手机") -> str:
    """'+86 138-1234-5678' → '13812345678'; '' stays ''; anything else is a ValidationError."""
    if not raw or not raw.strip():
        return ""
    text = _strip_country(raw)
    if len(text) == 13 and text.startswith("86"):
        text = text[2:]
    if not text.isdigit():
        raise ValidationError(field, f"“{raw.strip()}”含有数字以外的字符")
    if not _MOBILE.match(text):
        raise ValidationError(field, f"“{raw.strip()}”不是有效的手机号（应为 1 开头的 11 位数字）")
    return text


def _area_code_len(digits: str) -> int:
    """Chinese area codes: 010 and 02x are three digits with the 0, all others four."""
    if digits.startswith("010") or digits.startswith("02"):
        return 3
    return 4


def normalise_landline(raw: str, field: str = "电话") -> str:
    """'(0755) 1234 5678 转 123' → '0755-12345678-123'; also 400/800 numbers and 7–8 digit locals."""
    if not raw or not raw.strip():
        return ""
    text = raw.strip()
    if _STORED_LANDLINE.match(text):  # our own stored form must survive being saved again
        return text
    ext = ""
    m = re.search(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})\s*$", text, re.IGNORECASE)
    if m:
        ext, text = m.group(1), text[: m.start()]
    was_international = text.strip().replace("＋", "+").startswith(("+86", "0086"))
    body = _strip_country(text)
    if not body.isdigit():
        raise ValidationError(field, f"“{raw.strip()}”含有数字以外的字符")
    if was_international and not body.startswith("0"):
        body = "0" + body
    if _MOBILE.match(body):
        return body + (f"-{ext}" if ext else "")
    if _SERVICE.match(body):
        number = f"{body[:3]}-{body[3:6]}-{body[6:]}"
    elif body.startswith("0"):
        area = _area_code_len(body)
        local = body[area:]
        if not 7 <= len(local) <= 8:
            raise ValidationError(field, f"“{raw.strip()}”不是有效的固定电话（区号后应为 7–8 位）")
        number = f"{body[:area]}-{local}"
    elif 7 <= len(body) <= 8:
        number = body
    else:
        raise ValidationError(field, f"“{raw.strip()}”不是有效的电话号码（例：010-12345678）")
    return number + (f"-{ext}" if ext else "")


def check_email(raw: str, field: str = "邮箱") -> str:
    """A plausible e-mail address or ''."""
    text = (raw or "").strip()
    if text and not _EMAIL.match(text):
        raise ValidationError(field, f"“{text}”不是有效的邮箱地址")
    return text


def check_postcode(raw: str, field: str = "邮编") -> str:
    """Six digits or ''."""
    text = (raw or "").strip()
    if text and not re.fullmatch(r"\d{6}", text):
        raise ValidationError(field, f"“{text}”不是有效的邮编（应为 6 位数字）")
    return text


def make_date(year: int, month: int, day: int, field: str) -> date:
    """A real date, or a message such as '2月30日不存在'."""
    if not 1 <= month <= 12:
        raise ValidationError(field, f"{month}月不存在")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(field, f"{year}年{month}月{day}日不存在") from None


def check_solar_month_day(month: int, day: int, year: int | None, field: str) -> None:
    """A 公历 month/day, with or without year (2月29日 is fine when the year is unknown)."""
    make_date(year if year else 2000, month, day, field)
    if year is not None and not 1900 <= year <= date.today().year + 1:
        raise ValidationError(field, f"年份 {year} 不合理")


def check_range(value: int | None, low: int, high: int, field: str) -> int | None:
    """An optional integer within [low, high]."""
    if value is None:
        return None
    if not low <= value <= high:
        raise ValidationError(field, f"应在 {low} 到 {high} 之间")
    return value


def parse_amount(raw: object, field: str = "金额") -> Decimal | None:
    """'12,000.50', '1.2万', '¥3000' → Decimal; '' → None."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, (int, float, Decimal)) and not isinstance(raw, bool):
        value = Decimal(str(raw))
    else:
        text = str(raw).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        text = text.removesuffix("元")
        factor = Decimal(1)
        if text.endswith("万"):
            factor, text = Decimal(10000), text[:-1]
        try:
            value = Decimal(text) * factor
        except InvalidOperation:
            raise ValidationError(field, f"“{raw}”不是数字") from None
    if value < 0:
        raise ValidationError(field, "不能为负数")
    return value.quantize(Decimal("0.01"))


def not_future(at: datetime | date, field: str, *, now: datetime | None = None) -> None:
    """Records of what happened cannot be dated more than a day ahead."""
    now = now or datetime.now()
    limit = now.date() if isinstance(at, date) and not isinstance(at, datetime) else now
    if isinstance(at, datetime):
        if (at - now).days >= 1:
            raise ValidationError(field, "不能晚于今天")
    elif at > limit:
        raise ValidationError(field, "不能晚于今天")
