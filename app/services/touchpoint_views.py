"""Shapes the 待办 and 日历 pages show: the agenda's three sections, festival groups, the month grid.

Pure functions over engine touchpoints (no database): the grid's dates, 农历 day labels and festival
names are computed here so the UI holds no date arithmetic.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType

from app.calendar.engine import KINDS, Touchpoint
from app.calendar.festivals import festivals_between
from app.calendar.lunar import day_name, ganzhi_year, month_name, solar_to_lunar, zodiac

OVERDUE_LOOKBACK_DAYS = 30  # an unmarked birthday or festival older than this has passed for good
GRID_DAYS = 42  # six weeks, Monday first

KIND_LABELS: Mapping[str, str] = MappingProxyType({
    "appointment": "约见", "followup": "新单回访", "renewal": "续期/到期", "competitor_end": "竞品合同到期",
    "birthday": "生日", "wedding": "结婚纪念日", "life_event": "人生大事", "deal_anniversary": "成交周年",
    "festival": "节日问候", "cadence": "定期拜访",
})
STATUS_LABELS: Mapping[str, str] = MappingProxyType({
    "due": "待办", "overdue": "逾期", "done": "已完成", "skipped": "已跳过", "snoozed": "已推迟",
})
assert set(KIND_LABELS) == set(KINDS)


@dataclass(frozen=True)
class Agenda:
    """待办: open touchpoints before today (overdue), today, and the next days."""

    today: date
    overdue: tuple[Touchpoint, ...]
    due_today: tuple[Touchpoint, ...]
    upcoming: tuple[Touchpoint, ...]

    @property
    def total(self) -> int:
        """How many open touchpoints in all three sections."""
        return len(self.overdue) + len(self.due_today) + len(self.upcoming)


@dataclass(frozen=True)
class FestivalGroup:
    """One festival on one day with every customer who gets it (one row in 待办, not hundreds)."""

    festival_key: str
    date: date
    title: str
    items: tuple[Touchpoint, ...]

    @property
    def customer_count(self) -> int:
        """How many distinct customers the group holds."""
        return len({t.customer_id for t in self.items})


def group_festivals(items: Iterable[Touchpoint]) -> list[Touchpoint | FestivalGroup]:
    """Agenda order kept; each (festival, day) collapses into one FestivalGroup where it first appears."""
    groups: dict[tuple[str, date], list[Touchpoint]] = {}
    order: list[Touchpoint | tuple[str, date]] = []
    for tp in items:
        if tp.kind != "festival":
            order.append(tp)
            continue
        k = (tp.festival_key, tp.date)
        if k not in groups:
            groups[k] = []
            order.append(k)
        groups[k].append(tp)
    out: list[Touchpoint | FestivalGroup] = []
    for entry in order:
        if isinstance(entry, tuple) and not isinstance(entry, Touchpoint):
            members = groups[entry]
            out.append(FestivalGroup(entry[0], entry[1], members[0].title, tuple(members)))
        else:
            out.append(entry)
    return out


@dataclass(frozen=True)
class DayCell:
    """One day of the month grid."""

    date: date
    in_month: bool
    is_today: bool
    lunar_label: str  # '初五'; on 初一 the month's name ('冬月', '闰四月')
    festivals: tuple[str, ...]
    counts: Mapping[str, int]  # kind → how many touchpoints that day

    @property
    def total(self) -> int:
        """How many touchpoints that day."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class MonthView:
    """The 日历 grid: 42 days from the Monday on or before the 1st, and their touchpoints by day."""

    year: int
    month: int
    caption: str  # '2026年11月 · 丙午年（马）'
    cells: tuple[DayCell, ...]
    by_day: Mapping[date, tuple[Touchpoint, ...]]

    def on(self, day: date) -> tuple[Touchpoint, ...]:
        """The touchpoints of one grid day (empty outside the grid)."""
        return self.by_day.get(day, ())


def month_grid_range(year: int, month: int) -> tuple[date, date]:
    """(first, last) day shown for a month: six whole weeks starting on a Monday."""
    first = date(year, month, 1)
    start = first - timedelta(days=first.weekday())
    return start, start + timedelta(days=GRID_DAYS - 1)


def lunar_label(day: date) -> str:
    """The 农历 day as a calendar cell shows it: '初五', or the month's name on 初一 ('冬月', '闰四月')."""
    ld = solar_to_lunar(day)
    if ld.day == 1:
        return ("闰" if ld.leap else "") + month_name(ld.month)
    return day_name(ld.day)


def build_month(year: int, month: int, today: date, found: Iterable[Touchpoint]) -> MonthView:
    """The month view over touchpoints already computed for the grid range."""
    start, end = month_grid_range(year, month)
    by_day: dict[date, list[Touchpoint]] = {}
    for tp in found:
        by_day.setdefault(tp.date, []).append(tp)
    names: dict[date, list[str]] = {}
    for f in festivals_between(start, end):
        names.setdefault(f.date, []).append(f.name)
    cells = []
    for i in range(GRID_DAYS):
        d = start + timedelta(days=i)
        counts = Counter(t.kind for t in by_day.get(d, ()))
        cells.append(DayCell(d, d.month == month, d == today, lunar_label(d), tuple(names.get(d, ())),
                             MappingProxyType(dict(counts))))
    lunar_year = solar_to_lunar(date(year, month, 15)).year or year
    caption = f"{year}年{month}月 · {ganzhi_year(lunar_year)}年（{zodiac(lunar_year)}）"
    return MonthView(year, month, caption, tuple(cells),
                     MappingProxyType({d: tuple(v) for d, v in by_day.items()}))
