"""The import's fast path must agree with the card's own validation and storage.

The importer parses cells with the core validators and applies check_customer's cross-field rules
itself (check_customer builds two 52-field frozen dataclasses per row: too slow for 100k rows). These
tests keep the two in step: whatever the importer accepts is a fixed point of check_customer, whatever
it rejects check_customer rejects too, and an imported card is stored exactly like one created by
CustomerService.
"""
from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import ValidationError
from app.excel.columns import auto_map
from app.excel.importer import parse_row
from app.excel.readers import Table
from app.rows import CustomerInput
from app.services.checks import check_customer
from tests.app.excel._excel_support import write_book

CELLS: dict[str, list[object]] = {
    "姓名": ["张三", "  李   四 ", "", "王" * 101, "Zhang San"],
    "客户类型": ["", "个人", "单位", "企业"],
    "阶段": ["", "顾客识别", "成交", "流失", "需求挖掘", "促成"],
    "流失原因": ["", "价格", "   "],
    "成交状态": ["", "成交", "未成交", "已成交"],
    "等级": ["", "a", "B", "C类"],
    "经济条件": ["", "好", "一般"],
    "需求意识": ["", "强", "一般"],
    "影响力": ["", "广", "一般"],
    "资产规模(万元)": ["", "50", "0", "1.5亿"],
    "标签": ["", "VIP、VIP, 新", "a；b"],
    "手机": ["", "138 1234 5678", "+86 13900001111 / 010-12345678"],
    "生日": ["", "农历三月初八", "1985-03-08", "2月29日"],
    "性别": ["", "男", "女士"],
    "邮箱": ["", "ZS@Example.com "],
    "邮编": ["", 518000.0],
    "员工数量": ["", "120人"],
    "首选联系方式": ["", "微信", "邮箱"],
    "单位": ["", "  华为  "],
    "微信": ["", " wx_1 "],
}
HEADERS = list(CELLS)
MAPPING = auto_map(HEADERS)
DEFAULTS = {f.name: f.default for f in fields(CustomerInput) if f.name != "name"}


def _input(values: dict[str, Any]) -> CustomerInput:
    known = {f.name for f in fields(CustomerInput)}
    return CustomerInput(**{**DEFAULTS, "name": "", **{k: v for k, v in values.items() if k in known}})


def test_every_header_is_mapped() -> None:
    assert "" not in MAPPING


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.tuples(*(st.sampled_from(CELLS[h]) for h in HEADERS)))
def test_accepted_rows_are_fixed_points_of_check_customer(cells: tuple) -> None:
    table = Table("S", [HEADERS, list(cells)])
    columns = [(i, key, HEADERS[i]) for i, key in enumerate(MAPPING) if key]
    row = parse_row(table, 1, list(cells), columns)
    if row.ok:
        data = _input(row.values)
        assert check_customer(data) == data
    elif all(p.column in ("姓名", "阶段") for p in row.problems):
        with pytest.raises(ValidationError):  # a row rule broke: the card's own check agrees
            check_customer(_input({**row.values, "name": row.values.get("name", "")}))


@pytest.mark.parametrize("cells", [
    ["张三", "", "流失", "价格", "", "", "好", "强", "广", "50", "VIP、新", "138 1234 5678", "农历三月初八",
     "男", "zs@example.com", 518000.0, "120人", "微信", "华为", "wx"],
    ["某某公司", "单位", "成交", "", "", "B", "", "", "", "1.5亿", "", "", "1985-03-08", "", "", "", "", "",
     "", ""],
    ["李四", "", "", "", "已成交", "c", "一般", "一般", "一般", "", "a；b", "", "2月29日", "女士", "", "", "", "邮箱",
     "", ""],
])
def test_imported_card_is_stored_like_a_created_one(svc: Any, archive: Any, tmp_path: Path,
                                                     cells: list) -> None:
    path = write_book(tmp_path / "one.xlsx", {"S": [HEADERS, cells]})
    from app.excel import source

    plan = source.plan_file(path)
    assert plan.customers.rows[0].ok, plan.customers.rows[0].problems
    svc.imports.run(plan)
    created = svc.customers.create(_input(plan.customers.rows[0].values))
    with archive.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT * FROM customers ORDER BY id").mappings().all()
        tags = conn.exec_driver_sql("SELECT customer_id, tag_id FROM customer_tags ORDER BY rowid").all()
        grades = conn.exec_driver_sql("SELECT customer_id, old, new FROM grade_changes ORDER BY id").all()
        search = dict(conn.exec_driver_sql("SELECT customer_id, text FROM search_index").all())
    imported, direct = dict(rows[0]), dict(rows[1])
    assert direct["id"] == created
    for key in ("id", "card_no", "created_at", "updated_at", "import_batch_id"):
        imported.pop(key), direct.pop(key)
    assert imported == direct
    assert [t for c, t in tags if c == 1] == [t for c, t in tags if c == 2]
    assert [g[1:] for g in grades if g[0] == 1] == [g[1:] for g in grades if g[0] == 2]
    assert search[1].replace("kh000001", "") == search[2].replace("kh000002", "")

