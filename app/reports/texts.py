"""How card values read on paper: dates, 农历 birthdays, amounts, 称呼, a deal's next date."""
from __future__ import annotations

import calendar
from datetime import date, datetime
from decimal import Decimal

from app.calendar.greetings import salutation as greeting_salutation
from app.calendar.greetings import surname
from app.calendar.lunar import LunarDate, format_lunar
from app.rows import Birthday, ContactRow, CustomerCard, DealRow


def dt_text(value: datetime | None) -> str:
    """2026-11-22 09:30 (00:00 reads as the date alone), or ''."""
    if value is None:
        return ""
    if value.hour == 0 and value.minute == 0:
        return value.date().isoformat()
    return f"{value:%Y-%m-%d %H:%M}"


def md_text(d: date) -> str:
    """11月22日."""
    return f"{d.month}月{d.day}日"


def birthday_text(b: Birthday | None) -> str:
    """'1980年8月15日', '8月15日', '农历八月十五（1980年）', '农历闰四月初一'."""
    if b is None:
        return ""
    if b.is_lunar:
        text = "农历" + format_lunar(LunarDate(None, b.month, b.day, b.leap))
        return f"{text}（{b.year}年）" if b.year else text
    return f"{b.year}年{b.month}月{b.day}日" if b.year else f"{b.month}月{b.day}日"


def money(amount: Decimal | None) -> str:
    """12,000 元 / 1,234.50 元, or ''."""
    if amount is None:
        return ""
    if amount == amount.to_integral_value():
        return f"{int(amount):,} 元"
    return f"{amount:,.2f} 元"


def yes_no(value: bool) -> str:
    """是 / 否."""
    return "是" if value else "否"


def honorific(name: str, gender: str = "", title: str = "") -> str:
    """The word after a name on an envelope: 先生 / 女士, the title for a boss (总经理), else ''."""
    said = greeting_salutation(name, gender, title=title)
    if not said or said == name.strip():
        return ""
    word = said[len(surname(name)):]
    return title.strip() if word == "总" and title.strip() else word


def salutation(card: CustomerCard) -> str:
    """How a letter opens (称呼): '王先生', '李女士', '张总'; a company by its contact, else its name."""
    data = card.data
    if data.kind == "单位":
        contact = attention_contact(card)
        if contact is None:
            return data.name
        return greeting_salutation(contact.name, contact.gender, True, contact.title)
    return greeting_salutation(data.name, data.gender, False, data.title)


def attention_contact(card: CustomerCard) -> ContactRow | None:
    """A company's business contact (else its decision maker), or None."""
    for role in ("业务联系人", "决策人"):
        for contact in card.contacts:
            if contact.role == role:
                return contact
    return None


def attention_of(card: CustomerCard) -> str:
    """For a company: '杨伟杰 行政主管' (or 先生/女士) to address mail to; '' for a person or no contact."""
    contact = attention_contact(card) if card.data.kind == "单位" else None
    if contact is None:
        return ""
    word = contact.title or honorific(contact.name, contact.gender)
    return f"{contact.name} {word}".strip()


def next_deal_date(deal: DealRow, today: date) -> date | None:
    """A deal's next 周年 on or after today (2月29日 → 2月28日 in common years), or its one-off date."""
    day = deal.renewal_date
    if day is None:
        return None
    if deal.renewal_kind != "周年":
        return day
    if day >= today:
        return day
    for year in (today.year, today.year + 1):
        candidate = _same_day_in(year, day)
        if candidate >= today:
            return candidate
    return None  # pragma: no cover - the loop always finds next year's date


def _same_day_in(year: int, day: date) -> date:
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)
