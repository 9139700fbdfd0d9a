"""Excel/CSV/vCard commands: import, export, template, undo-import."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.excel.importer import OnDuplicate

GRADES = ("A", "B", "C", "D")


def register(sub: Any) -> None:
    """Add import / export / template / undo-import."""
    p = sub.add_parser("import", help="从 Excel（.xlsx/.xls）、CSV 或 vCard（.vcf）导入客户")
    p.add_argument("file", metavar="FILE", help="要导入的文件")
    p.add_argument("--on-duplicate", default="skip", choices=[o.value for o in OnDuplicate],
                   help="遇到重复客户：skip 跳过（默认）、fill 补全空白字段、overwrite 覆盖、create 仍然新建")
    p.add_argument("--dry-run", action="store_true", help="只检查并统计，不写入档案")
    p.add_argument("--sheet", metavar="NAME", help="要导入的工作表（默认第一个；完整导出文件默认全部）")
    p.set_defaults(handler=cmd_import)
    p = sub.add_parser("export", help="导出到 Excel（.xlsx，明文）")
    p.add_argument("output", metavar="OUT.xlsx", help="保存到的文件")
    p.add_argument("--what", default="customers", choices=("customers", "all"),
                   help="customers：客户列表（默认）；all：全部数据，每类一个工作表")
    p.add_argument("--search", default="", metavar="TEXT", help="只导出搜索到的客户（姓名、拼音、电话、单位…）")
    p.add_argument("--grade", metavar="A,B", help="只导出这些等级的客户")
    p.add_argument("--tag", default="", metavar="TAG", help="只导出带这个标签的客户")
    p.set_defaults(handler=cmd_export)
    p = sub.add_parser("template", help="生成导入模板（.xlsx，含示例和填写说明）")
    p.add_argument("output", metavar="OUT.xlsx", help="保存到的文件")
    p.set_defaults(handler=cmd_template)
    p = sub.add_parser("undo-import", help="撤销最近一次导入（删除它新建的客户，恢复它改过的客户）")
    p.add_argument("--force", action="store_true", help="导入后又改过的新客户移入回收站，仍然撤销")
    p.set_defaults(handler=cmd_undo_import)


def _progress(done: int, total: int, text: str) -> bool:
    if sys.stderr.isatty():
        shown = f"{text} {done}/{total}" if total else text
        print(f"\r{shown:<60}", end="", file=sys.stderr)
    return True


def _end_progress() -> None:
    if sys.stderr.isatty():
        print("\r" + " " * 70 + "\r", end="", file=sys.stderr)


def _xlsx(path_text: str) -> Path:
    from app.errors import AppError

    path = Path(path_text).expanduser()
    if path.suffix.lower() != ".xlsx":
        raise AppError(f"请用 .xlsx 作为文件扩展名：{path.name}")
    return path


def cmd_import(args: argparse.Namespace) -> int:
    """Import a file; print the counts; write the error report beside the file when rows were left out."""
    from app.cli import opened_services
    from app.excel import report, source

    path = Path(args.file).expanduser()
    with opened_services(args) as svc:
        plan = source.plan_file(path, args.sheet, remembered=svc.imports.remembered_mapping,  # type: ignore[attr-defined]
                                progress=_progress)
        result = svc.imports.run(plan, OnDuplicate(args.on_duplicate), dry_run=args.dry_run,  # type: ignore[attr-defined]
                                 progress=_progress)
    _end_progress()
    for line in summary_lines(result):
        print(line)
    if result.problems:
        out = report.write_report(report.report_path(path), plan, result.problems)
        print(f"问题清单已写入：{out}")
        print("（这份清单与原文件一样是明文，请妥善保管。）")
    return 0


def summary_lines(result: Any) -> list[str]:
    """The counts of an import, one per line, as the CLI and the wizard's summary say them."""
    head = "试运行（未写入档案）：" if result.dry_run else "导入完成："
    lines = [f"{head}读取 {result.rows} 行，新建 {result.created} 位客户，更新 {result.updated} 位已有客户。"]
    if result.merged:
        lines.append(f"文件内重复、已合并的行：{result.merged}")
    if result.skipped:
        lines.append(f"与已有客户重复、已跳过的行：{result.skipped}")
    if result.unchanged:
        lines.append(f"重复但没有可补充内容的行：{result.unchanged}")
    if result.rejected:
        lines.append(f"有问题、未导入的行：{result.rejected}")
    for title, count in result.children.items():
        lines.append(f"{title}：新增 {count} 条")
    if result.notes:
        lines.append(f"提示：{len(result.notes)} 处（已导入，详见问题清单）")
    return lines


def _query(args: argparse.Namespace) -> Any:
    from app.errors import AppError
    from app.rows import ListQuery

    grades: tuple[str, ...] = ()
    if args.grade:
        grades = tuple(g.strip().upper() for g in args.grade.replace("，", ",").split(",") if g.strip())
        bad = [g for g in grades if g not in GRADES]
        if bad:
            raise AppError(f"--grade 只能是 A、B、C、D（不是 {'、'.join(bad)}）")
    return ListQuery(search=args.search, grades=grades, tag=args.tag.strip())


def cmd_export(args: argparse.Namespace) -> int:
    """Export the customers (optionally filtered) or everything to .xlsx."""
    from app.cli import opened_services
    from app.excel import exporter

    out = _xlsx(args.output)
    query = _query(args)
    if args.what == "all" and (args.search or args.grade or args.tag):
        from app.errors import AppError

        raise AppError("--what all 导出全部数据，不能同时使用 --search、--grade 或 --tag。")
    print(exporter.PLAINTEXT_NOTICE, file=sys.stderr)
    with opened_services(args) as svc:
        if args.what == "all":
            result = exporter.export_all(svc, out, progress=_progress)
        else:
            result = exporter.export_customers(svc, out, query, progress=_progress)
    _end_progress()
    counts = "，".join(f"{title} {n} 行" for title, n in result.sheets.items())
    print(f"已导出：{result.path}（{counts}）")
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    """Write the import template."""
    from app.excel.template import write_template

    out = write_template(_xlsx(args.output))
    print(f"已生成导入模板：{out}")
    return 0


def cmd_undo_import(args: argparse.Namespace) -> int:
    """Undo the newest import."""
    from app.cli import EXIT_ERROR, opened_services
    from app.services.imports import UndoConflict

    with opened_services(args) as svc:
        batch = svc.imports.last_batch()  # type: ignore[attr-defined]
        if batch is not None:
            print(f"撤销 {batch.at:%Y-%m-%d %H:%M} 从“{batch.source}”的导入…")
        try:
            result = svc.imports.undo_last(force=args.force)  # type: ignore[attr-defined]
        except UndoConflict as exc:
            print(f"错误：{exc}（确认后加上 --force 再运行一次）", file=sys.stderr)
            return EXIT_ERROR
    line = f"已撤销：删除 {result.removed} 位导入新建的客户，恢复 {result.restored} 位被导入修改的客户"
    if result.recycled:
        line += f"，{result.recycled} 位导入后改过的客户已移入回收站"
    print(line + "。")
    return 0
