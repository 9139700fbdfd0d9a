"""Printing commands: plan, visit-sheet, card, labels — each writes one PDF atomically (-o OUT.pdf)."""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from app.errors import AppError, ValidationError

GRADES = ("A", "B", "C", "D")


def register(sub: Any) -> None:
    """Add plan / visit-sheet / card / labels."""
    p = sub.add_parser("plan", help="年度服务计划书（PDF）")
    p.add_argument("card_no", metavar="CARD_NO", help="客户编号，如 KH000123")
    p.add_argument("--year", type=int, metavar="YYYY", help="计划年份（默认今年；11、12 月默认明年）")
    _output(p)
    p.set_defaults(handler=cmd_plan)
    p = sub.add_parser("visit-sheet", help="拜访单（PDF，一位客户一页）")
    p.add_argument("card_nos", nargs="*", metavar="CARD_NO", help="一个或多个客户编号")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="改为打印这一天有约见的全部客户")
    _output(p)
    p.set_defaults(handler=cmd_visit_sheet)
    p = sub.add_parser("card", help="客户资料卡（PDF，整张卡）")
    p.add_argument("card_no", metavar="CARD_NO", help="客户编号")
    _output(p)
    p.set_defaults(handler=cmd_card)
    p = sub.add_parser("labels", help="邮寄标签（PDF，A4 标签纸）")
    p.add_argument("--grade", metavar="A,B", help="只打印这些等级的客户（默认全部）")
    p.add_argument("--layout", default="3x8", choices=("2x7", "3x8"),
                   help="标签纸：2x7 = 14 格 99.1×38.1 mm；3x8 = 24 格 63.5×33.9 mm（默认）")
    p.add_argument("--skip", type=int, default=0, metavar="N", help="第一张标签纸已用掉的格数（默认 0）")
    _output(p)
    p.set_defaults(handler=cmd_labels)


def _output(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--output", required=True, metavar="OUT.pdf", help="保存到的 PDF 文件")


def cmd_plan(args: argparse.Namespace) -> int:
    """Print one customer's 年度服务计划书."""
    from app.cli import opened_services
    from app.reports.plan import default_plan_year, render_plan

    out = _output_path(args.output)
    with opened_services(args) as svc:
        (customer_id,) = _resolve(svc, [args.card_no])
        year = args.year or default_plan_year(svc.settings.clock().date())  # type: ignore[attr-defined]
        render_plan(svc, customer_id, _check_year(year), out)
    print(f"已保存 {year} 年度服务计划书：{out}")
    return 0


def cmd_visit_sheet(args: argparse.Namespace) -> int:
    """Print visit sheets for the card numbers given, or for the day's appointments."""
    from app.cli import opened_services
    from app.reports.visit_sheet import customers_with_appointments_on, render_visit_sheets

    if bool(args.card_nos) == bool(args.date):
        raise AppError("请给出客户编号，或用 --date 指定日期（二选一）。")
    out = _output_path(args.output)
    with opened_services(args) as svc:
        if args.date:
            day = _parse_day(args.date)
            ids = customers_with_appointments_on(svc, day)
            if not ids:
                raise AppError(f"{day.isoformat()} 没有约见的客户。")
        else:
            ids = _resolve(svc, args.card_nos)
        render_visit_sheets(svc, ids, out)
    print(f"已保存 {len(ids)} 位客户的拜访单：{out}")
    return 0


def cmd_card(args: argparse.Namespace) -> int:
    """Print one whole customer card."""
    from app.cli import opened_services
    from app.reports.card import render_card

    out = _output_path(args.output)
    with opened_services(args) as svc:
        (customer_id,) = _resolve(svc, [args.card_no])
        render_card(svc, customer_id, out)
    print(f"已保存客户资料卡：{out}")
    return 0


def cmd_labels(args: argparse.Namespace) -> int:
    """Print address labels for every customer (or those of some grades)."""
    from app.cli import opened_services
    from app.reports.labels import render_labels
    from app.rows import ListQuery

    grades = _grades(args.grade)
    out = _output_path(args.output)
    with opened_services(args) as svc:
        ids = svc.customers.ids(ListQuery(grades=grades))  # type: ignore[attr-defined]
        if not ids:
            raise AppError("没有符合条件的客户。")
        result = render_labels(svc, ids, out, args.layout, skip=args.skip)
    print(f"已保存 {result.printed} 张标签（{result.sheets} 张标签纸）：{out}")
    if result.missing:
        names = "、".join(f"{m.name}（{m.card_no}）" for m in result.missing[:20])
        more = f" 等 {len(result.missing)} 位" if len(result.missing) > 20 else ""
        print(f"没有打印标签（缺地址）：{names}{more}；名单在 PDF 最后一页。")
    if result.no_postcode:
        print(f"{len(result.no_postcode)} 张标签缺邮编，名单在 PDF 最后一页。")
    return 0


def _resolve(svc: Any, card_nos: Sequence[str]) -> list[int]:
    """Card numbers → customer ids; unknown or recycled numbers are a clear error."""
    ids = []
    for card_no in card_nos:
        customer_id = svc.customers.find_by_card_no(card_no)
        if customer_id is None:
            raise AppError(f"找不到客户编号“{card_no}”。")
        if svc.customers.get(customer_id).deleted_at is not None:
            raise AppError(f"客户编号“{card_no}”在回收站中，请先恢复再打印。")
        ids.append(customer_id)
    return ids


def _output_path(value: str) -> Path:
    path = Path(value).expanduser()
    if path.is_dir():
        raise AppError(f"“{path}”是一个文件夹，请给出 PDF 文件名，如 {path / '拜访单.pdf'}")
    if path.suffix.lower() != ".pdf":
        raise AppError(f"输出文件应以 .pdf 结尾：{path}")
    if not path.parent.is_dir():
        raise AppError(f"保存位置不存在：{path.parent}")
    return path


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError("日期", f"“{text}”不是有效日期，请写成 YYYY-MM-DD，如 2026-11-24") from None


def _check_year(year: int) -> int:
    if not 1900 <= year <= 2200:
        raise ValidationError("年份", f"{year} 不在 1900 到 2200 之间")
    return year


def _grades(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    grades = tuple(dict.fromkeys(g.strip().upper() for g in text.replace("，", ",").split(",") if g.strip()))
    bad = [g for g in grades if g not in GRADES]
    if bad:
        raise ValidationError("等级", f"“{'、'.join(bad)}”无效，应为 A、B、C、D，用逗号分隔，如 A,B")
    return grades
