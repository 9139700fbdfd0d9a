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

from app.calendar.festivals import festivals_between
from app.calendar.lunar import day_name, ganzhi_year, month_name, solar_to_lunar, zodiac
from app.calendar.model import KINDS, Touchpoint

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
    """One festival on one day with every customer who gets it (one row in 待办, not hundreds).

    Also used for the overdue 定期拜访 of 待办 (kind 'cadence', festival_key ''), which can run to
    thousands for a large book and would otherwise bury today's work.
    """

    festival_key: str
    date: date
    title: str
    items: tuple[Touchpoint, ...]
    kind: str = "festival"

    @property
    def customer_count(self) -> int:
        """How many distinct customers the group holds."""
        return len({t.customer_id for t in self.items})

    @property
    def most_overdue(self) -> int:
        """The largest overdue_days among the members."""
        return max((t.overdue_days for t in self.items), default=0)


def group_festivals(items: Iterable[Touchpoint], *, cadence: bool = False) -> list[Touchpoint | FestivalGroup]:
    """Agenda order kept; each (festival, day) collapses into one FestivalGroup where it first appears.

    cadence=True also collapses every 定期拜访 into one group (for the overdue section of 待办).
    """
    groups: dict[tuple[str, date | None], list[Touchpoint]] = {}
    order: list[Touchpoint | tuple[str, date | None]] = []
    for tp in items:
        if tp.kind == "festival":
            k: tuple[str, date | None] = (tp.festival_key, tp.date)
        elif cadence and tp.kind == "cadence":
            k = ("", None)
        else:
            order.append(tp)
            continue
        if k not in groups:
            groups[k] = []
            order.append(k)
        groups[k].append(tp)
    out: list[Touchpoint | FestivalGroup] = []
    for entry in order:
        if isinstance(entry, Touchpoint):
            out.append(entry)
            continue
        members = groups[entry]
        if entry[1] is None:
            out.append(FestivalGroup("", members[0].date, "定期拜访：已超过联系周期", tuple(members), "cadence"))
        else:
            out.append(FestivalGroup(entry[0], entry[1], members[0].title, tuple(members)))
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
    """The 日历 grid: 42 days from the Monday on or before the 1st, with per-day counts by kind.

    It holds counts, not touchpoints: a festival month for 100k customers would otherwise build
    hundreds of thousands of rows only to count them.  The day list asks `TouchpointService.day`.
    """

    year: int
    month: int
    caption: str  # '2026年11月 · 丙午年（马）'
    cells: tuple[DayCell, ...]

    def cell(self, day: date) -> DayCell | None:
        """The cell of one grid day (None outside the grid)."""
        for c in self.cells:
            if c.date == day:
                return c
        return None


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


def build_month(year: int, month: int, today: date, kind_counts: Mapping[date, Mapping[str, int]],
                festival_counts: Mapping[date, int] | None = None) -> MonthView:
    """The month view from per-day counts by kind for the grid range, plus festival counts counted apart."""
    start, _end = month_grid_range(year, month)
    counts: dict[date, Counter[str]] = {day: Counter(found) for day, found in kind_counts.items()}
    for day, n in (festival_counts or {}).items():
        if n:
            counts.setdefault(day, Counter())["festival"] += n
    names: dict[date, list[str]] = {}
    for f in festivals_between(start, _end):
        names.setdefault(f.date, []).append(f.name)
    cells = []
    for i in range(GRID_DAYS):
        d = start + timedelta(days=i)
        cells.append(DayCell(d, d.month == month, d == today, lunar_label(d), tuple(names.get(d, ())),
                             MappingProxyType({k: n for k, n in counts.get(d, {}).items() if n})))
    lunar_year = solar_to_lunar(date(year, month, 15)).year or year
    caption = f"{year}年{month}月 · {ganzhi_year(lunar_year)}年（{zodiac(lunar_year)}）"
    return MonthView(year, month, caption, tuple(cells))


_WEEKDAYS = "一二三四五六日"


def weekday_name(day: date) -> str:
    """'周一' … '周日'."""
    return "周" + _WEEKDAYS[day.weekday()]


def day_caption(day: date) -> str:
    """'2026年11月22日 周日 · 农历十月十四' for the 待办 header and the 日历 day list."""
    ld = solar_to_lunar(day)
    lunar = ("闰" if ld.leap else "") + month_name(ld.month) + day_name(ld.day)
    return f"{day.year}年{day.month}月{day.day}日 {weekday_name(day)} · 农历{lunar}"


def snooze_choices(today: date) -> list[tuple[str, date]]:
    """Quick choices for 推迟到: tomorrow, in three days, next Monday, in a week, in a month."""
    next_monday = today + timedelta(days=7 - today.weekday())
    return [("明天", today + timedelta(days=1)), ("三天后", today + timedelta(days=3)),
            ("下周一", next_monday), ("一周后", today + timedelta(days=7)), ("一个月后", today + timedelta(days=30))]


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) moved by delta months (the 日历 page's ◀ ▶)."""
    index = year * 12 + month - 1 + delta
    return index // 12, index % 12 + 1


def status_text(tp: Touchpoint, today: date) -> str:
    """'逾期 22 天', '今天', '3 天后', '已推迟', '已完成' … as the lists show a touchpoint's state."""
    if tp.status == "overdue":
        return f"逾期 {tp.overdue_days} 天"
    if tp.status in ("done", "skipped"):
        return STATUS_LABELS[tp.status]
    prefix = "已推迟 · " if tp.status == "snoozed" else ""
    days = (tp.date - today).days
    return prefix + ("今天" if days == 0 else "明天" if days == 1 else f"{days} 天后")
