"""What the 统计 page shows: the period asked about and the figures computed for it (plain frozen rows)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from app.errors import ValidationError

PERIOD_KINDS = ("month", "quarter", "year", "custom")
PERIOD_NAMES = {"month": "本月", "quarter": "本季度", "year": "本年", "custom": "自定义"}
MAX_PERIOD_DAYS = 3660  # ten years: longer ranges make week and month charts unreadable


@dataclass(frozen=True)
class Period:
    """A closed date range [start, end] with the name the salesperson picked it by."""

    start: date
    end: date
    kind: str = "custom"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError("统计期间", f"结束日期 {self.end} 早于开始日期 {self.start}")
        if (self.end - self.start).days > MAX_PERIOD_DAYS:
            raise ValidationError("统计期间", "最长十年")
        if self.kind not in PERIOD_KINDS:
            raise ValidationError("统计期间", f"不认识的期间“{self.kind}”")

    @classmethod
    def this_month(cls, today: date) -> Period:
        """The calendar month of today."""
        first = today.replace(day=1)
        return cls(first, _next_month(first) - timedelta(days=1), "month")

    @classmethod
    def this_quarter(cls, today: date) -> Period:
        """The calendar quarter of today."""
        first = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
        return cls(first, _next_month(_next_month(_next_month(first))) - timedelta(days=1), "quarter")

    @classmethod
    def this_year(cls, today: date) -> Period:
        """The calendar year of today."""
        return cls(date(today.year, 1, 1), date(today.year, 12, 31), "year")

    @classmethod
    def of(cls, kind: str, today: date, start: date | None = None, end: date | None = None) -> Period:
        """The period named by kind ('month', 'quarter', 'year' or 'custom' with start and end)."""
        if kind == "month":
            return cls.this_month(today)
        if kind == "quarter":
            return cls.this_quarter(today)
        if kind == "year":
            return cls.this_year(today)
        if start is None or end is None:
            raise ValidationError("统计期间", "自定义期间要填开始和结束日期")
        return cls(start, end, "custom" if kind == "custom" else kind)

    @property
    def label(self) -> str:
        """How the period reads on the page: '本月（2026-11-01 至 2026-11-30）'."""
        return f"{PERIOD_NAMES[self.kind]}（{self.start} 至 {self.end}）"

    @property
    def since(self) -> datetime:
        """The first instant of the period (for datetime columns)."""
        return datetime.combine(self.start, time.min)

    @property
    def until(self) -> datetime:
        """The first instant after the period (exclusive bound for datetime columns)."""
        return datetime.combine(self.end + timedelta(days=1), time.min)


def _next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from first's month to last's month."""
    out, cur = [], first.replace(day=1)
    while cur <= last:
        out.append(cur)
        cur = _next_month(cur)
    return out


def next_month(first: date) -> date:
    """The first day of the month after first's month."""
    return _next_month(first.replace(day=1))


@dataclass(frozen=True)
class StatRow:
    """One line of a figure: `key` is what customers_for(figure, key) lists, `count` the bar's length."""

    key: str
    label: str
    count: int
    share: float  # 0..1 of the figure's base (see Figure.note)
    values: tuple[str, ...] = ()  # the figure's extra columns, already formatted
    weight: float | None = None  # what the bar shows when it is not the count (an amount)

    @property
    def bar(self) -> float:
        """The length of this row's bar."""
        return self.count if self.weight is None else self.weight


@dataclass(frozen=True)
class Figure:
    """One small table (and its chart): what a salesperson asks, answered as rows."""

    key: str
    title: str
    chart: str  # 'bar' (horizontal), 'column' (over time), 'funnel', 'matrix' or 'table'
    count_label: str
    rows: tuple[StatRow, ...]
    note: str = ""
    share_label: str = "占比"
    extra_columns: tuple[str, ...] = ()
    summary: tuple[tuple[str, str], ...] = ()  # (label, value) lines under the table
    scoped: bool = False  # True when the figure depends on the chosen period

    @property
    def columns(self) -> tuple[str, ...]:
        """The table's headers: label, count, share, extras."""
        return ("项目", self.count_label, self.share_label, *self.extra_columns)

    def cells(self, row: StatRow) -> tuple[str, ...]:
        """A row as the table's text cells."""
        return (row.label, str(row.count), percent(row.share), *row.values)

    def row(self, key: str) -> StatRow | None:
        """The row with this key, if any."""
        return next((r for r in self.rows if r.key == key), None)


@dataclass(frozen=True)
class StatsReport:
    """Every figure of the 统计 page for one period, computed at `today`."""

    period: Period
    today: date
    total: int
    headline: Figure
    figures: tuple[Figure, ...]

    def figure(self, key: str) -> Figure:
        """The figure with this key (KeyError if unknown)."""
        for fig in (self.headline, *self.figures):
            if fig.key == key:
                return fig
        raise KeyError(key)


def percent(share: float) -> str:
    """0.256 → '25.6%'."""
    return f"{share * 100:.1f}%"


def ratio(part: float, whole: float) -> float:
    """part / whole, 0 when whole is 0."""
    return part / whole if whole else 0.0
