"""`clientfile stats`: the figures of the 统计 page, as aligned tables or JSON."""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from dataclasses import asdict
from datetime import date
from typing import Any

from app.errors import ValidationError
from app.services.stats_rows import Figure, Period, StatsReport


def register(sub: Any) -> None:
    """Add `stats`."""
    p = sub.add_parser("stats", help="统计：等级、阶段、漏斗、超期未联系、拜访、转介绍、投诉……")
    p.add_argument("--period", choices=("month", "quarter", "year"), default="month",
                   help="统计期间：本月 month（默认）、本季度 quarter、本年 year")
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="自定义期间的开始日期（与 --to 一起用）")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="自定义期间的结束日期（含当天）")
    p.add_argument("--format", choices=("table", "json"), default="table", help="输出格式（默认 table）")
    p.set_defaults(handler=cmd_stats)


def _day(text: str | None, field: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(field, f"“{text}”不是 YYYY-MM-DD 格式的日期") from None


def period_of(args: argparse.Namespace, today: date) -> Period:
    """The period asked for: --from/--to (both), else --period."""
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    if (start is None) != (end is None):
        raise ValidationError("统计期间", "--from 和 --to 要一起给出")
    if start is not None:
        return Period.of("custom", today, start, end)
    return Period.of(args.period, today)


def cmd_stats(args: argparse.Namespace) -> int:
    """Print the figures for the period."""
    from app.cli import opened_services

    with opened_services(args) as svc:
        today = svc.stats.clock().date()  # type: ignore[attr-defined]
        period = period_of(args, today)
        report = svc.stats.compute(period, today, touchpoints=svc.touchpoints)  # type: ignore[attr-defined]
    if args.format == "json":
        json.dump(report_dict(report), sys.stdout, ensure_ascii=False, indent=2)
        print()
    else:
        print(render_table(report))
    return 0


def report_dict(report: StatsReport) -> dict[str, Any]:
    """The report as JSON-able data: period, today, total, headline and figures with their rows."""
    def figure(f: Figure) -> dict[str, Any]:
        data = asdict(f)
        data["summary"] = dict(f.summary)
        data["columns"] = list(f.columns)
        return data

    return {
        "period": {"kind": report.period.kind, "start": report.period.start.isoformat(),
                   "end": report.period.end.isoformat(), "label": report.period.label},
        "today": report.today.isoformat(),
        "total": report.total,
        "headline": figure(report.headline),
        "figures": [figure(f) for f in report.figures],
    }


def width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, cols: int, right: bool) -> str:
    space = " " * max(0, cols - width(text))
    return space + text if right else text + space


def table_lines(figure: Figure) -> list[str]:
    """One figure as aligned text lines: title, header, rows, summary and note."""
    grid = [figure.columns, *(figure.cells(r) for r in figure.rows)]
    cols = [max(width(row[i]) for row in grid) for i in range(len(figure.columns))]
    lines = [f"■ {figure.title}"]
    for n, row in enumerate(grid):
        lines.append("  " + "  ".join(_pad(cell, cols[i], right=i > 0) for i, cell in enumerate(row)))
        if n == 0:
            lines.append("  " + "  ".join("-" * c for c in cols))
    if not figure.rows:
        lines.append("  （无数据）")
    lines += [f"  {label}：{value}" for label, value in figure.summary]
    if figure.note:
        lines.append(f"  注：{figure.note}")
    return lines


def render_table(report: StatsReport) -> str:
    """The whole report as text."""
    lines = [f"客户档案统计 · {report.period.label} · 截至 {report.today}", ""]
    for fig in (report.headline, *report.figures):
        lines += [*table_lines(fig), ""]
    return "\n".join(lines).rstrip()
