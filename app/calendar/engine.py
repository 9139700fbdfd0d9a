"""The touchpoint engine: every birthday, anniversary, renewal, festival and visit due in a date range.

Rules (the README quotes these):
- Yearly kinds (生日, 结婚纪念日, 成交周年, 节日) give every occurrence whose date is in [start, end].
- Status: a mark 'done'/'skipped' shows as such; 'snoozed' moves the touchpoint (date and lead date) to
  `snooze_to`, and it is 'overdue' again once that day has passed; no mark: 'overdue' if the date is
  before today (with overdue_days), else 'due'.  A touchpoint is listed when its (possibly moved) date
  is in range, whatever its original date.
- 定期拜访 (cadence): due = last contact (or the card's creation date if never contacted) + the grade's
  cadence days; one per customer, listed when due in range, and — when the range starts on or before
  today — also when already overdue.  Its key holds the due date, so a new visit starts a new one.
- 新单回访 (followup): a visit within `new_deal_followup_days` of a deal's start (date = start + days).
- Renewals: date = the deal's renewal date, lead = date − renewal_lead_days; kind '周年' repeats yearly
  (成交周年, from the stored date on); '续期'/'续保'/'到期' happen once.
- 竞品合同到期: lead competitor_lead_days.  Birthdays, weddings and greeting festivals: lead
  birthday_lead_days (time to send a card); everything else: lead = the date itself.
- Life events: one touchpoint on the event day — a congratulation for 乔迁、晋升、结婚、生子、升学、开业、
  获奖, a 关心问候 for any other kind (e.g. 住院, 换工作).
- Festivals: one per customer whose grade (blank counts as D) is in festival_grades[key]; 清明 is a
  reminder, never a greeting.
- Suggested method and gift by grade (model.py tables): birthdays, weddings, 春节, 中秋 and happy life
  events — A 上门拜访 + 礼品, B 电话问候 + 贺卡, C/D 微信/短信; other festivals — A 电话问候, B–D 微信/短信,
  no gift; renewals, anniversaries, contract ends, 定期拜访 — A 上门拜访, B–D 电话; 新单回访 always
  上门回访; appointments 面谈.
- Order: date, then kind (KINDS order), then customer name and id.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from operator import attrgetter

from app.calendar.emit import Run, Window
from app.calendar.model import (
    BUSINESS_METHOD,
    DEFAULT_CADENCE_DAYS,
    GREETING_SERVICE,
    KIND_ORDER,
    KINDS,
    CalendarSettings,
    CustomerDates,
    DateSpec,
    DealDates,
    Mark,
    PersonDates,
    Touchpoint,
)
from app.errors import ValidationError
from app.gcpause import gc_paused

__all__ = [
    "BUSINESS_METHOD", "DEFAULT_CADENCE_DAYS", "GREETING_SERVICE", "KINDS", "KIND_ORDER", "CalendarSettings",
    "CustomerDates", "DateSpec", "DealDates", "Mark", "PersonDates", "Touchpoint", "check_range",
    "touchpoints",
]

_ISO_TAIL = re.compile(r":(\d{4}-\d{2}-\d{2})$")
_TOKEN = re.compile(r"^[cdev]\d+$")
_CUSTOMER_ORDER = attrgetter("name", "customer_id")


def touchpoints(customers: Iterable[CustomerDates], start: date, end: date, today: date,
                settings: CalendarSettings, marks: Mapping[str, Mark]) -> list[Touchpoint]:
    """Every touchpoint in [start, end] (plus overdue 定期拜访 when start <= today), in agenda order."""
    check_range(start, end)
    run = Run(start, end, today, settings, marks)
    with gc_paused():
        run.customers(sorted(customers, key=_CUSTOMER_ORDER), _snooze_window(start, end, settings, marks))
        run.festivals()
        return run.result()


def check_range(start: date, end: date) -> None:
    """ValidationError when the range ends before it starts."""
    if end < start:
        raise ValidationError("日期范围", f"结束日期 {end} 早于开始日期 {start}")


def _snooze_window(start: date, end: date, settings: CalendarSettings,
                   marks: Mapping[str, Mark]) -> tuple[Window, frozenset[str]] | None:
    """The window and entity tokens ('c12', 'd7', 'e5', 'v99') of touchpoints snoozed into the range from outside.

    Occurrences are only generated inside the range; one dated last month but snoozed to this month
    must be generated from its own date, so the customers those tokens name get a window reaching it.
    """
    lo, hi = start.toordinal(), end.toordinal()
    first, last, tokens = lo, hi, set[str]()
    for key, mark in marks.items():
        if mark.status != "snoozed" or mark.snooze_to is None or not lo <= mark.snooze_to.toordinal() <= hi:
            continue
        tail = _ISO_TAIL.search(key)
        if tail is not None:
            o = date.fromisoformat(tail.group(1)).toordinal()
            if lo <= o <= hi:
                continue
            first, last = min(first, o), max(last, o)
        tokens.update(part for part in key.split(":")[1:] if _TOKEN.match(part))
    if not tokens:
        return None
    return Window.build(date.fromordinal(first), date.fromordinal(last), settings), frozenset(tokens)
