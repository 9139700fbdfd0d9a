"""Touchpoints done against due, this month, this year and in the chosen period.

"Due" is what the touchpoint engine (through TouchpointService) puts on a day inside the range —
birthdays, festivals, renewals, 定期拜访 … — and "done" is what carries a 'done' mark.  A year for 100k
customers is about a million touchpoints, so they are counted, not built (`TouchpointService.tally`,
held equal to the engine by the tests), and kept until the archive changes (its fingerprint).
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from app.services.stats_rows import Figure, Period, StatRow, ratio
from app.services.touchpoint_counts import OPEN_STATUSES, SpanTally

if TYPE_CHECKING:
    from app.services.touchpoints import TouchpointService

Tally = SpanTally


@dataclass(frozen=True)
class Span:
    """One row of the figure: a date range with its key and label."""

    key: str
    label: str
    start: date
    end: date


def spans(period: Period, today: date) -> list[Span]:
    """This month, this year and — when it is neither — the chosen period."""
    month, year = Period.this_month(today), Period.this_year(today)
    out = [Span("month", f"本月（{today.month} 月）", month.start, month.end),
           Span("year", f"本年（{today.year} 年）", year.start, year.end)]
    if (period.start, period.end) not in ((month.start, month.end), (year.start, year.end)):
        out.append(Span("period", f"所选期间（{period.start:%m-%d}～{period.end:%m-%d}）", period.start, period.end))
    return out


class TouchpointTallies:
    """Per-span tallies (TouchpointService.tally), kept until the archive changes."""

    def __init__(self) -> None:
        self._stamp: Hashable = None
        self._kept: dict[tuple[date, date, date], Tally] = {}

    def get(self, tps: TouchpointService, stamp: Hashable, wanted: list[Span], today: date,
            cancelled: Callable[[], bool] | None = None) -> dict[str, Tally]:
        """Tallies for each wanted span (by key); `stamp` changes whenever anything in the archive does.

        `cancelled`: asked between steps; True stops the count with app.progress.Cancelled.
        """
        if stamp != self._stamp:
            self._stamp, self._kept = stamp, {}
        missing = [s for s in wanted if (s.start, s.end, today) not in self._kept]
        for s in missing:
            self._kept[(s.start, s.end, today)] = tps.tally(s.start, s.end, today, cancelled)
        return {s.key: self._kept[(s.start, s.end, today)] for s in wanted}


def touchpoint_figure(tallies: Callable[[list[Span]], dict[str, Tally]], period: Period, today: date) -> Figure:
    """Due, done, skipped and still open touchpoints per span; the bar is due, filled to done."""
    wanted = spans(period, today)
    got = tallies(wanted)
    rows = []
    for span in wanted:
        t = got[span.key]
        done, still = t.status.get("done", 0), sum(t.status.get(s, 0) for s in OPEN_STATUSES)
        rows.append(StatRow(span.key, span.label, done, ratio(done, t.due),
                            (str(t.due), str(t.status.get("skipped", 0)), str(still), str(t.status.get("overdue", 0))),
                            weight=t.due))
    return Figure(
        "touchpoints", "服务节点：已完成 / 应办", "progress", "已完成", tuple(rows), share_label="完成率",
        extra_columns=("应办", "已跳过", "未办", "其中已逾期"), scoped=True,
        note="应办 = 生日、节日、续期、定期拜访等日期落在该范围内的服务节点；点开一行列出还有未办节点的客户。",
    )
