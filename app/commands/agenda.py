"""`clientfile agenda` (touchpoints in a date range as a table, CSV or JSON) and `clientfile ics` (.ics export)."""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

from app.calendar.engine import Touchpoint
from app.errors import ValidationError
from app.services.touchpoint_views import KIND_LABELS, STATUS_LABELS

COLUMNS = ("date", "card_no", "customer", "person", "kind", "title", "status")
HEADERS = ("日期", "客户编号", "客户", "对象", "类型", "事项", "状态")
MAX_DAYS = 3 * 366


def register(sub: Any) -> None:
    """Add agenda / ics."""
    p = sub.add_parser("agenda", help="列出一段日期内的待办（生日、节日、续期、约见、定期拜访…）")
    p.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="开始日期")
    p.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD", help="结束日期（含）")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table", help="输出格式（默认 table）")
    p.set_defaults(handler=cmd_agenda)
    p = sub.add_parser("ics", help="导出 .ics 日历文件（生日、纪念日、续期、约见），可导入手机日历")
    p.add_argument("out", metavar="OUT.ics", help="输出文件")
    p.add_argument("--years", type=int, default=10, metavar="N", help="农历日期展开的年数（默认 10）")
    p.set_defaults(handler=cmd_ics)


def parse_day(text: str, field: str) -> date:
    """A YYYY-MM-DD argument, or a ValidationError naming the option."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(field, f"“{text}”不是有效日期，请写成 YYYY-MM-DD，例如 2026-11-22") from None


def cmd_agenda(args: argparse.Namespace) -> int:
    """Print the touchpoints between --from and --to."""
    from app.cli import opened_services

    start, end = parse_day(args.start, "--from"), parse_day(args.end, "--to")
    if end < start:
        raise ValidationError("--to", "结束日期不能早于开始日期")
    if (end - start).days > MAX_DAYS:
        raise ValidationError("--to", "一次最多列出三年")
    with opened_services(args) as svc:
        found = svc.touchpoints.between(start, end)  # type: ignore[attr-defined]
    rows = [row_of(tp) for tp in found]
    sys.stdout.write(render(rows, args.format))
    return 0


def row_of(tp: Touchpoint) -> dict[str, str]:
    """One output row (Chinese labels for kind and status)."""
    return {
        "date": tp.date.isoformat(), "card_no": tp.card_no, "customer": tp.customer_name,
        "person": tp.person_name if tp.person_name != tp.customer_name else "",
        "kind": KIND_LABELS.get(tp.kind, tp.kind), "title": tp.title, "status": STATUS_LABELS.get(tp.status, tp.status),
    }


def render(rows: list[dict[str, str]], fmt: str) -> str:
    """The rows as an aligned table, CSV (with header, UTF-8) or a JSON array."""
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([r[c] for c in COLUMNS] for r in rows)
        return buf.getvalue()
    return _table(rows)


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[dict[str, str]]) -> str:
    cells = [list(HEADERS)] + [[r[c] for c in COLUMNS] for r in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(v + " " * (w - _width(v)) for v, w in zip(row, widths, strict=True)).rstrip()
             for row in cells]
    lines.append(f"共 {len(rows)} 项")
    return "\n".join(lines) + "\n"


def cmd_ics(args: argparse.Namespace) -> int:
    """Write the .ics file atomically and say that it is not encrypted."""
    from app.cli import opened_services

    out = Path(args.out).expanduser()
    if out.suffix.lower() != ".ics":
        raise ValidationError("输出文件", "文件名应以 .ics 结尾")
    if out.is_dir():
        raise ValidationError("输出文件", f"{out} 是一个文件夹")
    with opened_services(args) as svc:
        size = svc.touchpoints.export_ics(out, years=args.years)  # type: ignore[attr-defined]
    print(f"已导出 {out}（{size // 1024 + 1} KB）。")
    print("注意：.ics 文件是明文（不加密），含客户姓名和日期，请妥善保管，导入日历后可删除。")
    return 0
