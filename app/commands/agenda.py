"""`clientfile agenda` (touchpoints in a date range as a table, CSV or JSON) and `clientfile ics` (.ics export)."""
from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import islice, repeat
from json.encoder import encode_basestring
from operator import add, sub
from pathlib import Path
from typing import Any, TextIO

from app.calendar.engine import Touchpoint
from app.errors import ValidationError
from app.services.touchpoint_views import KIND_LABELS, STATUS_LABELS

COLUMNS = ("date", "card_no", "customer", "person", "kind", "title", "status")
HEADERS = ("日期", "客户编号", "客户", "对象", "类型", "事项", "状态")
MAX_DAYS = 3 * 366
# Up to a quarter the engine's flat list is quicker from a cold start (one command, one call) than building
# the grouped tables, measured at 100k customers: a week 0.9 vs 2.3 s, a quarter 1.9 vs 3.0 s before expanding.
# Longer ranges stream from the groups, so a year's 1.2 million lines are never held at once.
FLAT_DAYS = 92
_KINDS, _STATUSES = dict(KIND_LABELS), dict(STATUS_LABELS)  # plain dicts: a million look-ups


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

    Past FLAT_DAYS the service hands a festival day as one group (a year for 100k customers is over a
    million lines, most of them festival greetings); the groups are expanded one day at a time while
    writing, so the whole flat list is never held.
    """
    from app.cli import opened_services

    start, end = parse_day(args.start, "--from"), parse_day(args.end, "--to")
    if end < start:
        raise ValidationError("--to", "结束日期不能早于开始日期")
    if (end - start).days > MAX_DAYS:
        raise ValidationError("--to", "一次最多列出三年")
    with opened_services(args) as svc:
        tps = svc.touchpoints  # type: ignore[attr-defined]
        if (end - start).days < FLAT_DAYS:
            flat = tps.between(start, end)
            write_rows(lambda: map(Values(), flat), args.format, sys.stdout)
        else:
            grouped = tps.grouped(start, end)
            write_rows(lambda: map(Values(), tps.expand(grouped)), args.format, sys.stdout)
    return 0


Row = tuple[str, str, str, str, str, str, str]  # the COLUMNS of one output line


class Values:
    """Touchpoint → its output values in COLUMNS order (Chinese labels for kind and status); the ISO text of
    each day is made once, not once per line (a year at 100k customers is over a million lines)."""

    def __init__(self) -> None:
        self._iso: dict[date, str] = {}

    def __call__(self, tp: Touchpoint) -> Row:
        d = tp.date
        iso = self._iso.get(d)
        if iso is None:
            iso = self._iso[d] = d.isoformat()
        name, person = tp.customer_name, tp.person_name
        return (iso, tp.card_no, name, person if person != name else "", _KINDS.get(tp.kind, tp.kind), tp.title,
                _STATUSES.get(tp.status, tp.status))


def row_of(tp: Touchpoint) -> dict[str, str]:
    """One output row as a mapping (column → text)."""
    return dict(zip(COLUMNS, Values()(tp), strict=True))


def render(rows: list[dict[str, str]], fmt: str) -> str:
    """The rows as an aligned table, CSV (with header, UTF-8) or a JSON array."""
    buf = io.StringIO()
    write_rows(lambda: (tuple(r[c] for c in COLUMNS) for r in rows), fmt, buf)  # type: ignore[misc]
    return buf.getvalue()


def write_rows(rows: Callable[[], Iterable[Row]], fmt: str, out: TextIO) -> None:
    """Write the rows (value tuples in COLUMNS order) streaming: `rows()` is iterated once (twice for the table's
    column widths)."""
    if fmt == "json":
        _write_json(rows(), out)
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for chunk in _chunks(rows()):
            writer.writerows(chunk)
    else:
        _write_table(rows, out)


def _chunks(rows: Iterable[Row], size: int = 4096) -> Iterator[list[Row]]:
    it = iter(rows)
    while chunk := list(islice(it, size)):
        yield chunk


# One row of json.dumps(rows, ensure_ascii=False, indent=1): the keys at two spaces, each value a JSON string.
_JSON_ROW = " {{\n" + ",\n".join(f'  "{c}": {{}}' for c in COLUMNS) + "\n }}"


def _write_json(rows: Iterable[Row], out: TextIO) -> None:
    """Byte for byte json.dumps(rows as objects, ensure_ascii=False, indent=1) + newline, a chunk at a time."""
    first, row, quote = True, _JSON_ROW.format, encode_basestring
    for chunk in _chunks(rows):
        text = ",\n".join([row(*map(quote, r)) for r in chunk])
        out.write(("[\n" if first else ",\n") + text)
        first = False
    out.write("[]\n" if first else "\n]\n")


# Characters outside ASCII and the three blocks that are all wide (CJK symbols 〈、〉, ideographs, full-width
# forms （，）); a text without any is ASCII plus wide characters, which are three bytes in UTF-8.
_OTHER = re.compile("[^\x00-\x7f\u3000-\u303e\u4e00-\u9fff\uff01-\uff60]")


class _Extra(dict[str, int]):
    """How many terminal columns a text takes beyond its length (CJK characters take two), remembered per text."""

    def __missing__(self, text: str) -> int:
        if text.isascii():
            n = 0
        elif _OTHER.search(text) is None:
            n = (len(text.encode()) - len(text)) >> 1
        else:
            n = sum(unicodedata.east_asian_width(ch) in "WF" for ch in text)
        self[text] = n
        return n


def _write_table(rows: Callable[[], Iterable[Row]], out: TextIO) -> None:
    """Aligned columns: one pass for the widths, one to write; a chunk's column at a time."""
    extra = _Extra()
    widths = [len(h) + extra[h] for h in HEADERS]
    count = 0
    for chunk in _chunks(rows()):
        count += len(chunk)
        for i, column in enumerate(zip(*chunk, strict=True)):
            if max(map(len, column)) * 2 > widths[i]:  # else nothing here can be wider (at most two columns a char)
                distinct = set(column)
                widths[i] = max(widths[i], max(map(add, map(len, distinct), map(extra.__getitem__, distinct))))

    def lines(chunk: list[Row] | list[tuple[str, ...]]) -> str:
        """Each column left-aligned to its width (ljust counts characters: a wide one needs one space less)."""
        padded = [map(str.ljust, column, map(sub, repeat(w), map(extra.__getitem__, column)))
                  for column, w in zip(zip(*chunk, strict=True), widths, strict=True)]
        return "".join(map(_line_end, map("  ".join, zip(*padded, strict=True))))

    out.write(lines([HEADERS]))
    for chunk in _chunks(rows()):
        out.write(lines(chunk))
    out.write(f"共 {count} 项\n")


def _line_end(text: str) -> str:
    return text.rstrip() + "\n"


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
