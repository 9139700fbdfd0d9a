"""Reading cells as people really type them: phones, dates, 农历, amounts, yes/no, choices and tags.

Every parser takes the raw cell (str, int, float, bool, date, datetime or None, as the readers hand
them over) and the Chinese label of the field, and returns the parsed value or raises
ValidationError(label, message) whose message says what is wrong with *this* cell.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from app.calendar.lunar import lunar_ordinal, parse_lunar
from app.errors import ValidationError
from app.rows import Birthday
from app.validate import check_email, check_postcode, normalise_landline, normalise_mobile

_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 counting Excel's phantom 1900-02-29
_MAX_SERIAL = 2958465  # 9999-12-31
DATE_HINT = "例：1985-03-08、1985/3/8、1985年3月8日、85.3.8"

_YMD = re.compile(r"^(\d{2}|\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?"
                  r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MD = re.compile(r"^(?:--)?(\d{1,2})\s*[-/.月]?\s*(\d{1,2})\s*[日号]?$")
_LUNAR_HINT = re.compile(r"^(农历|阴历|旧历)|闰|[正腊冬]月|初[一二三四五六七八九十]|廿|[一二三四五六七八九十]月")
_SOLAR_PREFIX = re.compile(r"^(公历|阳历|新历)")
_MOBILE_FAST = re.compile(r"^1[3-9]\d{9}$")
_PHONE_SPLIT = re.compile(r"\s*(?:[/,，;；、|\n]|或)\s*")


# ---- text ---------------------------------------------------------------------------------------

def clean(s: str) -> str:
    """Text without zero-width characters and surrounding spaces."""
    # isascii() is O(1) in CPython: most cells never pay for the zero-width scan
    if not s.isascii() and ("\u200b" in s or "\ufeff" in s or "\u200c" in s or "\u200d" in s or "\u2060" in s):
        s = _ZERO_WIDTH_RE.sub("", s)
    return s.strip()


def is_blank(value: object) -> bool:
    """True for an empty cell (None, '' or only spaces)."""
    if value is None:
        return True
    return type(value) is str and not clean(value)


def text(value: object) -> str:
    """The cell as text, stripped; numbers as typed (13812345678.0 → '13812345678')."""
    if type(value) is str:
        return clean(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != datetime.min.time() else value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return clean(str(value))


def half_width(value: object) -> str:
    """Text with full-width digits, letters and signs made ASCII ('１３８' → '138', '＋' → '+')."""
    return unicodedata.normalize("NFKC", text(value)).strip()


def single_line(value: object) -> str:
    """Text for one-line fields: inner runs of spaces and line breaks become one space."""
    return " ".join(text(value).split())


# ---- dates --------------------------------------------------------------------------------------

def from_serial(serial: float, label: str) -> date:
    """An Excel serial day number (1900 date system) as a date."""
    if not 1 <= serial <= _MAX_SERIAL:
        raise ValidationError(label, f"“{text(serial)}”不是日期（{DATE_HINT}）")
    return EXCEL_EPOCH + timedelta(days=int(serial))


def _full_year(two_digits: str) -> int:
    """'85' → 1985, '05' → 2005: a two-digit year is in the past century window ending this year."""
    year = int(two_digits)
    return 2000 + year if year <= date.today().year % 100 else 1900 + year


def _check_month_day(month: int, day: int, label: str) -> None:
    if not 1 <= month <= 12:
        raise ValidationError(label, f"没有{month}月")
    if not 1 <= day <= (29 if month == 2 else 30 if month in (4, 6, 9, 11) else 31):
        raise ValidationError(label, f"{month}月{day}日不存在")


def _real(year: int, month: int, day: int, label: str) -> date:
    _check_month_day(month, day, label)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(label, f"{year}年{month}月{day}日不存在（{year}年不是闰年）") from None


def year_month_day(value: object, label: str, *, year_optional: bool = False) -> tuple[int | None, int, int]:
    """(year or None, month, day) from a date cell, an Excel serial or text as people type dates."""
    if isinstance(value, datetime):
        return value.year, value.month, value.day
    if isinstance(value, date):
        return value.year, value.month, value.day
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and 19000101 <= value <= 21001231:
            value = str(int(value))  # 19850308 typed as a number
        elif year_optional and 1 <= value < 13 and not float(value).is_integer():
            value = repr(float(value))  # Excel turned '3.8' (3月8日) into the number 3.8
        else:
            d = from_serial(float(value), label)
            return d.year, d.month, d.day
    s = half_width(value)
    s = _SOLAR_PREFIX.sub("", s).strip()
    m = _YMD.match(s) or _COMPACT.match(s)
    if m:
        y = m.group(1)
        year = int(y) if len(y) == 4 else _full_year(y)
        month, day = int(m.group(2)), int(m.group(3))
        _real(year, month, day, label)
        return year, month, day
    m = _MD.match(s)
    if m and not s.isdigit():
        month, day = int(m.group(1)), int(m.group(2))
        _check_month_day(month, day, label)
        if not year_optional:
            raise ValidationError(label, f"“{s}”缺少年份（{DATE_HINT}）")
        return None, month, day
    if s.replace(".", "", 1).isdigit() and 3650 <= float(s) <= _MAX_SERIAL:
        d = from_serial(float(s), label)  # a serial number stored as text
        return d.year, d.month, d.day
    raise ValidationError(label, f"“{text(value)}”不是日期（{DATE_HINT}）")


def parse_date(value: object, label: str) -> date | None:
    """A full date (with year), or None for an empty cell."""
    if is_blank(value):
        return None
    year, month, day = year_month_day(value, label)
    assert year is not None
    return date(year, month, day)


def parse_datetime(value: object, label: str) -> datetime | None:
    """A date and time ('2024-05-06 14:30', a datetime cell, or a date → midnight), or None."""
    if is_blank(value):
        return None
    if isinstance(value, datetime):
        # Excel keeps times as fractions of a day; round, so 14:29:59.9999 reads back as 14:30:00
        return (value + timedelta(microseconds=500_000)).replace(microsecond=0)
    s = half_width(value)
    m = re.match(r"^(.*?)[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?$", s)
    if isinstance(value, str) and m:
        d = parse_date(m.group(1), label)
        hour, minute, second = int(m.group(2)), int(m.group(3)), int(m.group(4) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise ValidationError(label, f"“{s}”的时间不存在")
        assert d is not None
        return datetime(d.year, d.month, d.day, hour, minute, second)
    if isinstance(value, float) and not value.is_integer() and 1 <= value <= _MAX_SERIAL:
        seconds = round((value - int(value)) * 86400)
        return datetime.combine(from_serial(value, label), datetime.min.time()) + timedelta(seconds=seconds)
    d = parse_date(value, label)
    assert d is not None
    return datetime(d.year, d.month, d.day)


def parse_birthday(value: object, label: str) -> Birthday | None:
    """A birthday: 公历 (a date, '3月8日' without year) or 农历 ('农历三月初八', '闰四月十五')."""
    if is_blank(value):
        return None
    if isinstance(value, str) and _LUNAR_HINT.search(half_width(value)):
        return parse_lunar_birthday(value, label)
    year, month, day = year_month_day(value, label, year_optional=True)
    return _checked(Birthday("solar", month, day, year), label)


def parse_lunar_birthday(value: object, label: str) -> Birthday | None:
    """A birthday in a 农历 column: '三月初八', '农历1985-3-8', or a date cell whose numbers are 农历."""
    if is_blank(value):
        return None
    if isinstance(value, (date, int, float)) and not isinstance(value, bool):
        year, month, day = year_month_day(value, label, year_optional=True)
        leap = False
    else:
        try:
            ld = parse_lunar(half_width(value).replace(" ", ""))
        except ValidationError as exc:
            raise ValidationError(label, exc.message) from None
        year, month, day, leap = ld.year, ld.month, ld.day, ld.leap
    if year is not None:
        try:
            lunar_ordinal(year, month, day, leap)
        except ValidationError as exc:
            raise ValidationError(label, exc.message) from None
    return _checked(Birthday("lunar", month, day, year, leap), label)


def _checked(b: Birthday, label: str) -> Birthday:
    from app.services.checks import check_birthday  # lazy: app.services imports this package

    try:
        return check_birthday(b, label)  # type: ignore[return-value]
    except ValidationError as exc:
        raise ValidationError(label, exc.message) from None


# ---- phones -------------------------------------------------------------------------------------

def phone_numbers(value: object, label: str) -> list[tuple[str, str]]:
    """Every number in a cell as ('mobile'|'phone', normalised); several may be split by / , ; 、."""
    if is_blank(value):
        return []
    if type(value) is str and len(value) == 11 and value.isascii() and value.isdigit() and _MOBILE_FAST.match(value):
        return [("mobile", value)]  # the common case, exactly what normalise_mobile returns
    raw = text(value) if isinstance(value, float) else half_width(value)
    pieces = [p for p in _PHONE_SPLIT.split(raw) if p.strip()]
    numbers: list[tuple[str, str]] = []
    for piece in pieces:
        try:
            numbers.append(_one_number(piece, label))
        except ValidationError:
            words = piece.split()
            if len(words) < 2 or not all(sum(ch.isdigit() for ch in w) >= 7 for w in words):
                raise
            numbers.extend(_one_number(w, label) for w in words)  # '13812345678 13987654321'
    return numbers


_STORED_EXTENSION = re.compile(r"^(0\d{2,3}-\d{7,8}|\d{3}-\d{3}-\d{4})-(\d{1,6})$")


def _one_number(piece: str, label: str) -> tuple[str, str]:
    # Our own stored form '0755-12345678-123' (an export read back) means 转 123.
    piece = _STORED_EXTENSION.sub(r"\1 转 \2", piece.strip())
    try:
        return "mobile", normalise_mobile(piece, label)
    except ValidationError:
        pass
    try:
        return "phone", normalise_landline(piece, label)
    except ValidationError:
        raise ValidationError(label, f"“{piece.strip()}”不是有效的手机号或电话号码") from None


# ---- numbers, choices, tags ----------------------------------------------------------------------

def _decimal(s: str, raw: object, label: str) -> Decimal:
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise ValidationError(label, f"“{text(raw)}”不是数字") from None
    if not value.is_finite():
        raise ValidationError(label, f"“{text(raw)}”不是数字")
    return value


def parse_wan(value: object, label: str) -> Decimal | None:
    """An amount in 万元: '50' → 50, '50万' → 50, '1.2亿' → 12000, '300000元' → 30."""
    if is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = _decimal(repr(value) if isinstance(value, float) else str(value), value, label)
    else:
        s = half_width(value).replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        s = s.replace(" ", "").removesuffix("人民币")
        factor = Decimal(1)
        for suffix, f in (("万元", 1), ("万", 1), ("亿元", 10000), ("亿", 10000), ("元", Decimal("0.0001"))):
            if s.endswith(suffix):
                s, factor = s[: -len(suffix)], Decimal(f)
                break
        amount = _decimal(s, value, label) * factor
    if amount < 0:
        raise ValidationError(label, "不能为负数")
    return amount.quantize(Decimal("0.01"))


def parse_amount(value: object, label: str) -> Decimal | None:
    """An amount in 元: '12,000.50', '1.2万', '¥3000'."""
    if is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = _decimal(repr(value) if isinstance(value, float) else str(value), value, label)
    else:
        s = half_width(value).replace(",", "").replace("¥", "").replace("￥", "").replace(" ", "")
        s = s.removesuffix("元")
        factor = Decimal(1)
        if s.endswith("万"):
            s, factor = s[:-1], Decimal(10000)
        amount = _decimal(s, value, label) * factor
    if amount < 0:
        raise ValidationError(label, "不能为负数")
    return amount.quantize(Decimal("0.01"))


def parse_count(value: object, label: str, low: int = 0, high: int = 10_000_000) -> int | None:
    """A whole number ('120', '120人', 120.0), or None."""
    if is_blank(value):
        return None
    s = text(value) if isinstance(value, (int, float)) else half_width(value)
    s = s.replace(",", "").rstrip("人名个家次分").strip()
    if not re.fullmatch(r"-?\d+(\.0+)?", s):
        raise ValidationError(label, f"“{text(value)}”不是整数")
    number = int(float(s))
    if not low <= number <= high:
        raise ValidationError(label, f"应在 {low} 到 {high} 之间")
    return number


_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓", "✔", "对", "是的", "t"}
_FALSE = {"否", "无", "没有", "n", "no", "false", "0", "×", "✗", "不是", "f", "不"}


def parse_bool(value: object, label: str) -> bool | None:
    """是/否, 有/无, Y/N, TRUE/FALSE, √; None for an empty cell."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    s = half_width(value).lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValidationError(label, f"“{text(value)}”应为 是 或 否")


def parse_choice(value: object, label: str, allowed: tuple[str, ...],
                 aliases: dict[str, str] | None = None) -> str:
    """One of the allowed words (with common aliases, case and full width forgiven), or ''."""
    if type(value) is str and value in allowed:
        return value
    if is_blank(value):
        return ""
    s = half_width(value)
    if s in allowed:
        return s
    key = s.lower().replace(" ", "")
    for word in allowed:
        if key == word.lower():
            return word
    if aliases and key in aliases:
        return aliases[key]
    raise ValidationError(label, f"“{text(value)}”不是可选值（可选：{'、'.join(allowed)}）")


def parse_tags(value: object, label: str) -> tuple[str, ...]:
    """'VIP、老客户, 车险' → ('VIP', '老客户', '车险'); each tag at most 40 characters."""
    if is_blank(value):
        return ()
    parts = re.split(r"[,，、;；/|\n]+", text(value))
    tags = tuple(dict.fromkeys(" ".join(p.split()) for p in parts if p.strip()))
    for tag in tags:
        if len(tag) > 40:
            raise ValidationError(label, f"标签“{tag[:12]}…”太长（每个最多 40 字）")
    return tags


def parse_email(value: object, label: str) -> str:
    """A plausible e-mail address ('' when empty)."""
    return check_email(half_width(value), label)


def parse_postcode(value: object, label: str) -> str:
    """Six digits ('' when empty); 100020.0 from Excel reads as '100020'."""
    return check_postcode(half_width(value), label)


def parse_card_no(value: object, label: str) -> str:
    """A card number, upper case ('kh000012' → 'KH000012')."""
    s = half_width(value).upper().replace(" ", "")
    if len(s) > 20:
        raise ValidationError(label, f"“{s[:24]}”太长（最多 20 个字符）")
    return s
