"""Export → import into an empty archive loses nothing (equal digests); exports respect filters and
selection, write real dates, freeze the header, and never leave a half-written file."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app.excel import exporter, source
from app.excel.importer import OnDuplicate
from app.progress import Cancelled
from app.rows import (
    Birthday,
    ComplaintInput,
    ContactInput,
    CustomerInput,
    DealInput,
    LifeEventInput,
    ListQuery,
    VisitInput,
)
from tests.app.excel._excel_support import content, content_digest


def _rich(svc: Any) -> dict[str, int]:
    """A few cards using every kind of value an export must carry."""
    a = svc.customers.create(CustomerInput(
        name="张三", mobile="13812345678", phone="0755 1234 5678 转 123", wechat="zs88", email="zs@example.com",
        address="深圳市南山区", postcode="518000", preferred_channel="微信", company="华为", title="经理",
        occupation="会计", birthday=Birthday("lunar", 4, 15, None, True), wedding_date=date(2010, 5, 1),
        economy="好", awareness="强", influence="广", asset_wan=Decimal("55.50"), source="转介绍",
        influence_center=True, competitor="某保险", competitor_end=date(2027, 1, 31), hobbies="茶\n羽毛球",
        remarks="=SUM(A1) 不是公式", tags=("VIP", "老客户"), created_on=date(2020, 2, 29), created_by="小王"))
    b = svc.customers.create(CustomerInput(
        name="深圳某某科技有限公司", kind="单位", company="", org_nature="民营", business_scope="软件",
        has_branches=True, parent_org="集团", employee_count=120, related_parties="上游A；下游B",
        main_needs="团险", current_spend="每年 30 万", needs="n", finance="f", operations="o", purchasing="p",
        credit="c", relations="r", grade="B", grade_manual=True, stage="流失", loss_reason="价格",
        referrer_id=a, birthday=None))
    c = svc.customers.create(CustomerInput(name="李四", birthday=Birthday("solar", 2, 29, None), referrer_id=a,
                                           stage="意向判断", personality="急性子"))
    wife = svc.contacts.add(a, ContactInput(name="王芳", role="家属", relation="妻子", gender="女",
                                            birthday=Birthday("solar", 5, 6, 1987), mobile="13900001111"))
    svc.contacts.add(b, ContactInput(name="赵总", role="决策人", title="总经理", phone="010-87654321",
                                     profile="履历", birthday=Birthday("lunar", 8, 15, 1970)))
    svc.deals.add(a, DealInput(product="平安福", amount=Decimal("12000.00"), start_date=date(2020, 1, 2),
                               renewal_kind="续期", renewal_date=date(2021, 1, 2), contract_no="P-001"))
    svc.visits.log(VisitInput(customer_id=a, at=datetime(2024, 5, 6, 14, 30), method="亲自拜访", content="谈了",
                              result="有意向", satisfaction=4, contact_id=wife,
                              next_at=datetime(2024, 6, 1, 10, 0), next_place="公司", next_method="电话"))
    svc.visits.log(VisitInput(customer_id=c, at=datetime(2025, 1, 1, 9, 0), method="电话"))
    svc.complaints.add(b, ComplaintInput(content="理赔慢", received_at=datetime(2025, 3, 1, 8, 0, 5),
                                         status="已解决", resolution="已催办", resolved_at=datetime(2025, 3, 2),
                                         reviewed=True))
    svc.life_events.add(a, LifeEventInput(kind="乔迁", on=date(2023, 3, 3), contact_id=wife, note="新家"))
    return {"a": a, "b": b, "c": c}


def _fresh(tmp_path: Path, name: str) -> Any:
    from app.db import create_archive
    from app.services import Services
    from tests.conftest import PASSWORD

    return Services.build(create_archive(tmp_path / name, PASSWORD))


def test_full_export_round_trip_loses_nothing(svc: Any, archive: Any, tmp_path: Path) -> None:
    _rich(svc)
    out = exporter.export_all(svc, tmp_path / "全部.xlsx").path
    target = _fresh(tmp_path, "empty.cfdb")
    try:
        result = target.imports.run(source.plan_file(out))
        assert (result.created, result.rejected) == (3, 0)
        assert result.children == {"联系人": 2, "成交": 1, "拜访记录": 2, "投诉": 1, "生活事件": 1}
        assert content(target.archive) == content(archive)
        assert content_digest(target.archive) == content_digest(archive)
    finally:
        target.close()


def test_demo_archive_round_trip(svc: Any, archive: Any, tmp_path: Path) -> None:
    from app.demo import generate

    generate(svc, 120, seed=11)
    out = exporter.export_all(svc, tmp_path / "demo.xlsx").path
    target = _fresh(tmp_path, "demo.cfdb")
    try:
        result = target.imports.run(source.plan_file(out))
        assert result.rejected == 0, result.problems[:3]
        assert content_digest(target.archive) == content_digest(archive)
        again = target.imports.run(source.plan_file(out), OnDuplicate.FILL)  # the same file twice: no change
        assert (again.created, again.updated, sum(again.children.values())) == (0, 0, 0)
        assert content_digest(target.archive) == content_digest(archive)
    finally:
        target.close()


def test_customer_export_respects_filters_and_selection(svc: Any, tmp_path: Path) -> None:
    ids = _rich(svc)
    out = exporter.export_customers(svc, tmp_path / "b.xlsx", ListQuery(grades=("B",))).path
    rows = list(openpyxl.load_workbook(out)["客户"].iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == ["深圳某某科技有限公司"]
    out = exporter.export_customers(svc, tmp_path / "sel.xlsx", ListQuery(ids=(ids["a"], ids["c"]))).path
    rows = list(openpyxl.load_workbook(out)["客户"].iter_rows(values_only=True))
    assert sorted(r[1] for r in rows[1:]) == ["张三", "李四"]
    out = exporter.export_customers(svc, tmp_path / "s.xlsx", ListQuery(search="zhangsan")).path
    assert [r[1] for r in openpyxl.load_workbook(out)["客户"].iter_rows(min_row=2, values_only=True)] == ["张三"]


def test_export_cells_are_real_dates_with_a_frozen_header(svc: Any, tmp_path: Path) -> None:
    _rich(svc)
    out = exporter.export_all(svc, tmp_path / "all.xlsx").path
    wb = openpyxl.load_workbook(out)
    ws = wb["客户"]
    assert ws.freeze_panes == "A2"
    headers = [c.value for c in ws[1]]
    zhang = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "张三")
    cell = zhang[headers.index("结婚纪念日")]
    assert cell.is_date and cell.value == datetime(2010, 5, 1) and cell.number_format == "yyyy-mm-dd"
    assert zhang[headers.index("生日")].value == "农历闰四月十五"
    assert zhang[headers.index("手机")].data_type == "s"  # phones stay text, never numbers
    assert zhang[headers.index("备注")].value == "=SUM(A1) 不是公式" and zhang[headers.index("备注")].data_type == "s"
    assert ws.column_dimensions["J"].width >= 20  # 地址 is wide
    visit = wb["拜访记录"]
    assert visit.freeze_panes == "A2" and visit["C2"].is_date and visit["C2"].number_format == "yyyy-mm-dd hh:mm"
    assert set(wb.sheetnames) >= {"客户", "联系人", "成交", "拜访记录", "投诉", "生活事件"}


def test_cancelled_export_leaves_no_file(svc: Any, tmp_path: Path) -> None:
    svc.customers.create_many([CustomerInput(name=f"客户{i}") for i in range(2100)])
    target = tmp_path / "out.xlsx"
    with pytest.raises(Cancelled):
        exporter.export_all(svc, target, progress=lambda done, total, text: done == 0)
    assert not target.exists() and not list(tmp_path.glob(".out.xlsx*"))


def test_export_replaces_an_existing_file_atomically(svc: Any, tmp_path: Path) -> None:
    _rich(svc)
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    exporter.export_customers(svc, target)
    assert openpyxl.load_workbook(target)["客户"].max_row == 4
    assert not list(tmp_path.glob(".out.xlsx*"))


def test_export_writes_money_formats_and_headers_of_empty_sheets(svc: Any, tmp_path: Path) -> None:
    _rich(svc)
    wb = openpyxl.load_workbook(exporter.export_all(svc, tmp_path / "all.xlsx").path)
    deals = wb["成交"]
    headers = [c.value for c in deals[1]]
    amount = deals[2][headers.index("金额")]
    assert amount.value == 12000 and amount.data_type == "n" and amount.number_format == "#,##0.00"
    ws = wb["客户"]
    headers = [c.value for c in ws[1]]
    zhang = next(r for r in ws.iter_rows(min_row=2) if r[1].value == "张三")
    assert zhang[headers.index("资产规模(万元)")].value == 55.5
    assert zhang[headers.index("影响力中心")].value == "是"
    assert ws["A1"].font.bold and ws.row_dimensions[1].height >= 20
    nobody = exporter.export_customers(svc, tmp_path / "none.xlsx", ListQuery(search="查无此人"))
    assert nobody.sheets == {"客户": 0}
    rows = list(openpyxl.load_workbook(nobody.path)["客户"].iter_rows(values_only=True))
    assert [r for r in rows if any(v is not None for v in r)] == [rows[0]] and rows[0][:2] == ("客户编号", "姓名/名称")


def test_text_longer_than_an_excel_cell_is_cut_not_refused(svc: Any, tmp_path: Path) -> None:
    svc.customers.create(CustomerInput(name="长备注", remarks="长" * 40_000))
    out = exporter.export_customers(svc, tmp_path / "long.xlsx").path
    ws = openpyxl.load_workbook(out)["客户"]
    headers = [c.value for c in ws[1]]
    assert ws[2][headers.index("备注")].value == "长" * 32767  # Excel's limit for one cell
