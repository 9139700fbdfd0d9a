"""`clientfile agenda` (touchpoints in a date range as a table, CSV or JSON) and `clientfile ics` (.ics export)."""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

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
    """Print the touchpoints between --from and --to, one line per customer per touchpoint.

    The service hands a festival day as one group (a year for 100k customers is over a million lines,
    most of them festival greetings); the groups are expanded one day at a time while writing, so the
    whole flat list is never held.
    """
    from app.cli import opened_services

    start, end = parse_day(args.start, "--from"), parse_day(args.end, "--to")
    if end < start:
        raise ValidationError("--to", "结束日期不能早于开始日期")
    if (end - start).days > MAX_DAYS:
        raise ValidationError("--to", "一次最多列出三年")
    with opened_services(args) as svc:
        tps = svc.touchpoints  # type: ignore[attr-defined]
        grouped = tps.grouped(start, end)
        write_rows(lambda: map(row_of, tps.expand(grouped)), args.format, sys.stdout)
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
    buf = io.StringIO()
    write_rows(lambda: rows, fmt, buf)
    return buf.getvalue()


def write_rows(rows: Callable[[], Iterable[dict[str, str]]], fmt: str, out: TextIO) -> None:
    """Write what `render` returns, streaming: `rows()` is iterated once (twice for the table's column widths)."""
    if fmt == "json":
        _write_json(rows(), out)
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for chunk in _chunks(rows()):
            writer.writerows([r[c] for c in COLUMNS] for r in chunk)
    else:
        _write_table(rows, out)


def _chunks(rows: Iterable[dict[str, str]], size: int = 4096) -> Iterator[list[dict[str, str]]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


def _write_json(rows: Iterable[dict[str, str]], out: TextIO) -> None:
    """Byte for byte json.dumps(list(rows), ensure_ascii=False, indent=1) + newline, a chunk at a time."""
    first = True
    for chunk in _chunks(rows):
        text = ",\n".join(" " + json.dumps(r, ensure_ascii=False, indent=1).replace("\n", "\n ") for r in chunk)
        out.write(("[\n" if first else ",\n") + text)
        first = False
    out.write("[]\n" if first else "\n]\n")


def _width(text: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _write_table(rows: Callable[[], Iterable[dict[str, str]]], out: TextIO) -> None:
    """Aligned columns: one pass for the widths, one to write."""
    widths = [_width(h) for h in HEADERS]
    count = 0
    for r in rows():
        count += 1
        for i, c in enumerate(COLUMNS):
            w = _width(r[c])
            if w > widths[i]:
                widths[i] = w

    def line(values: Iterable[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True)).rstrip() + "\n"

    out.write(line(HEADERS))
    for chunk in _chunks(rows()):
        out.write("".join(line([r[c] for c in COLUMNS]) for r in chunk))
    out.write(f"共 {count} 项\n")


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
