"""`clientfile --self-test`: prove that nothing the program needs is missing (above all in the bundle).

Creates a temporary encrypted archive, writes and reads a card, computes a 农历 birthday, renders a PDF
with Chinese text (font embedded), exports and re-imports a workbook, makes and verifies a backup,
draws Chinese with Qt, removes its temporary files and exits 0 — printing what it checked.
"""
from __future__ import annotations

import importlib
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from app import __version__

PASSWORD = "self-test-密码"


class _State:
    """What the steps hand each other."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.archive: object = None
        self.svc: object = None
        self.customer_id = 0


def _archive(st: _State) -> str:
    from app.db import create_archive
    from app.services import Services

    path = st.folder / "自检.cfdb"
    st.archive = create_archive(path, PASSWORD)
    st.svc = Services.build(st.archive)  # type: ignore[arg-type]
    if path.read_bytes()[:16] == b"SQLite format 3\x00":
        raise RuntimeError("档案未加密")
    return f"SQLCipher 档案 {path.stat().st_size} 字节，已加密"


def _card(st: _State) -> str:
    from app.rows import Birthday, CustomerInput, ListQuery, VisitInput

    svc = st.svc
    st.customer_id = svc.customers.create(CustomerInput(  # type: ignore[attr-defined]
        name="曾国藩", mobile="+86 138 0013 8000", company="湘军", address="湖南省长沙市岳麓区麓山路1号",
        postcode="410000", birthday=Birthday("lunar", 10, 11, 1811), economy="好", awareness="强", influence="广"))
    svc.visits.log(VisitInput(customer_id=st.customer_id, at=datetime.now().replace(microsecond=0),  # type: ignore[attr-defined]
                              method="亲自拜访", content="自检拜访"))
    card = svc.customers.get(st.customer_id)  # type: ignore[attr-defined]
    found = svc.customers.list(ListQuery(search="zgf")).rows  # type: ignore[attr-defined]
    if card.data.grade != "A" or not card.visits or [r.id for r in found] != [st.customer_id]:
        raise RuntimeError("客户卡读写不一致")
    return f"{card.card_no} {card.name}：等级 {card.data.grade}，拼音检索 zgf 命中"


def _lunar(st: _State) -> str:
    from app.calendar.festivals import festivals_between
    from app.calendar.lunar import format_lunar, solar_to_lunar
    from app.calendar.rules import lunar_birthday_dates

    today = date.today()
    dates = lunar_birthday_dates(10, 11, False, today, date(today.year + 2, 12, 31))
    spring = next(f for f in festivals_between(date(2027, 1, 1), date(2027, 12, 31)) if f.key == "chunjie")
    if spring.date != date(2027, 2, 6):
        raise RuntimeError(f"2027 年春节计算错误：{spring.date}")
    return f"农历十月十一下一次在 {dates[0]}（{format_lunar(solar_to_lunar(dates[0]))}）；2027 春节 {spring.date}"


def _pdf(st: _State) -> str:
    from app.reports.plan import render_plan
    from app.reports.visit_sheet import render_visit_sheets

    sheet, plan = st.folder / "拜访单.pdf", st.folder / "服务计划书.pdf"
    render_visit_sheets(st.svc, [st.customer_id], sheet)
    render_plan(st.svc, st.customer_id, date.today().year + 1, plan)
    for path in (sheet, plan):
        data = path.read_bytes()
        if not data.startswith(b"%PDF") or b"/FontFile2" not in data:
            raise RuntimeError(f"{path.name} 不是嵌入了中文字体的 PDF")
    return f"拜访单 {sheet.stat().st_size} 字节、年度服务计划书 {plan.stat().st_size} 字节，中文字体已嵌入"


def _excel(st: _State) -> str:
    from app.db import create_archive
    from app.excel import source
    from app.excel.exporter import export_all
    from app.excel.importer import OnDuplicate
    from app.services import Services

    path = st.folder / "导出.xlsx"
    export_all(st.svc, path)
    other = create_archive(st.folder / "导入.cfdb", PASSWORD)
    try:
        svc = Services.build(other)
        plan = source.plan_file(path, None, remembered=svc.imports.remembered_mapping)
        result = svc.imports.run(plan, OnDuplicate.SKIP)
        card = svc.customers.get(svc.customers.list().rows[0].id)
    finally:
        other.close()
    if result.created != 1 or card.name != "曾国藩" or card.data.birthday != _card_birthday(st):
        raise RuntimeError(f"导出后重新导入不一致：新建 {result.created}，{card.name} {card.data.birthday}")
    return f"导出 {path.stat().st_size} 字节，导入新档案后姓名、农历生日一致"


def _card_birthday(st: _State) -> object:
    return st.svc.customers.get(st.customer_id).data.birthday  # type: ignore[attr-defined]


def _backup(st: _State) -> str:
    from app.backup import create_backup, verify_backup

    path = st.folder / "自检.cfbak"
    info = create_backup(st.archive, path)  # type: ignore[arg-type]
    verified = verify_backup(path, PASSWORD)
    if verified.digest != info.digest:
        raise RuntimeError("备份校验失败")
    return f"备份 {path.stat().st_size} 字节，已用密码重新打开校验"


def _qt(st: _State) -> str:
    # The core never imports Qt; the GUI package does this check (loaded by name, like the GUI itself).
    return importlib.import_module("ui.selftest_qt").check_qt_rendering()


STEPS: tuple[tuple[str, Callable[[_State], str]], ...] = (
    ("加密档案", _archive), ("客户卡读写", _card), ("农历与节日", _lunar), ("PDF 与中文字体", _pdf),
    ("Excel 导出与导入", _excel), ("备份与校验", _backup), ("Qt 界面与字体", _qt),
)


def run_self_test(out: Callable[[str], None] = print) -> int:
    """Run every step; print each result; 0 when all passed. Temporary files are always removed."""
    out(f"ClientFile {__version__} 自检（Python {sys.version.split()[0]}，{'打包版' if getattr(sys, 'frozen', False) else '源码'}）")
    folder = Path(tempfile.mkdtemp(prefix="clientfile-selftest-"))
    state = _State(folder)
    failed = 0
    started = time.perf_counter()
    try:
        for label, step in STEPS:
            t0 = time.perf_counter()
            try:
                detail = step(state)
            except Exception as exc:  # a self-test reports every failure and goes on
                failed += 1
                out(f"  ✗ {label}：{type(exc).__name__}: {exc}")
            else:
                out(f"  ✓ {label}（{(time.perf_counter() - t0) * 1000:.0f} ms）：{detail}")
    finally:
        if state.archive is not None:
            state.archive.close()  # type: ignore[attr-defined]
        shutil.rmtree(folder, ignore_errors=True)
    left = folder.exists()
    out(f"{len(STEPS) - failed} 项通过，{failed} 项失败；用时 {time.perf_counter() - started:.1f} 秒；"
        f"临时文件{'未能' if left else '已'}删除")
    return 1 if failed or left else 0
