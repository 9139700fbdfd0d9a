"""A messy workbook with every case people produce gives exactly the expected cards and error report."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.excel import report, source
from app.rows import Birthday, ListQuery
from tests.app.excel._excel_support import read_sheet, write_book

MESSY_ROWS: list[list[Any]] = [
    ["2024 年客户名单（内部资料）"],  # 1: a title merged across the top
    [],  # 2: blank
    ["客户姓名", "联系电话", None, "出生日期", "农历生日", "工作单位", "客户等级", "资产(万元)", "标签", None,
     "备注 ", "性别", "邮编"],  # 3: header; 联系电话 merged over C:D; J has no header
    ["张三", "138 1234 5678", "010-12345678", date(1985, 3, 8), None, "华为", "a", "50", "VIP、老客户", "x",
     "  重要客户  ", "先生", 100020],  # 4
    ["李四", "+86 139-0000-1111", None, "1990/2/30", None, None, None, None, None, None, None, "女", None],  # 5
    ["王五", "１３７００００２２２２", None, 31114, None, None, "b", None, None, None, None, None, None],  # 6
    [],  # 7: blank row
    ["赵六", "13600003333", None, "85.3.8", "闰四月十五", "中兴", None, "80万", None, None, None, None, None],  # 8
    [None, "13500004444", None, None, None, "某公司", None, None, None, None, None, None, None],  # 9
    ["钱七", "12345", None, "1985年3月8日", None, None, "E", None, None, None, None, None, None],  # 10
    ["孙八", "13812345678", None, None, None, None, None, None, None, None, None, None, None],  # 11: dup of 4
    ["周九", None, None, "19850308", "农历正月十七", None, None, None, None, None, None, None, None],  # 12
    ["吴十", "13700005555", None, "2月30日", None, None, None, None, None, None, None, None, None],  # 13
    ["郑十一", "13300006666 / 13300007777 / 021-87654321", None, None, None, None, None, "１２０", None, None,
     None, None, "518000"],  # 14: three numbers in one cell; numbers stored as text
    ["  陈   十二 ", 13200008888.0, None, "3月8日", None, None, None, None, None, None, None, None, None],  # 15
]


def _messy(tmp_path: Path) -> Path:
    return write_book(tmp_path / "客户名单.xlsx", {"名单": MESSY_ROWS}, {"名单": ["A1:M1", "B3:C3"]})


def test_header_below_a_title_and_merged_header_cells_are_mapped(tmp_path: Path) -> None:
    src = source.load(_messy(tmp_path))
    header, mapping = source.suggest(src)
    assert header.row == 2  # the third row
    assert mapping[:9] == ("name", "mobile", "phone", "birthday", "lunar_birthday", "company", "grade",
                           "asset_wan", "tags")
    assert mapping[9:] == ("", "remarks", "gender", "postcode")


def test_messy_workbook_gives_exactly_the_expected_cards(svc: Any, tmp_path: Path, import_file: Any) -> None:
    plan, result = import_file(_messy(tmp_path))
    assert plan.customers.blank_rows == 1
    assert (result.rows, result.created, result.skipped, result.rejected) == (11, 6, 1, 4)
    cards = {c.name: c for c in (svc.customers.get(r.id).data for r in svc.customers.list(ListQuery()).rows)}
    assert set(cards) == {"张三", "王五", "赵六", "周九", "郑十一", "陈 十二"}
    zhang = cards["张三"]
    assert (zhang.mobile, zhang.phone, zhang.company, zhang.grade, zhang.gender, zhang.postcode) == \
        ("13812345678", "010-12345678", "华为", "A", "男", "100020")
    assert zhang.birthday == Birthday("solar", 3, 8, 1985)
    assert zhang.asset_wan == Decimal("50.00") and zhang.tags == ("VIP", "老客户")
    assert zhang.remarks == "重要客户"
    assert cards["王五"].mobile == "13700002222" and cards["王五"].birthday == Birthday("solar", 3, 8, 1985)
    assert cards["王五"].grade == "B"
    # 农历生日 wins over the 公历 one; 闰四月十五 in 1985 is not 85.3.8, so the year stays unknown
    assert cards["赵六"].birthday == Birthday("lunar", 4, 15, None, True)
    assert cards["赵六"].asset_wan == Decimal("80.00")
    # 19850308 is 农历正月十七 of lunar year 1985: the solar date lends the lunar birthday its year
    assert cards["周九"].birthday == Birthday("lunar", 1, 17, 1985)
    zheng = cards["郑十一"]
    assert (zheng.mobile, zheng.phone) == ("13300006666", "021-87654321")
    assert zheng.remarks == "其他电话：13300007777"
    assert zheng.asset_wan == Decimal("120.00") and zheng.postcode == "518000"
    assert cards["陈 十二"].mobile == "13200008888" and cards["陈 十二"].birthday == Birthday("solar", 3, 8, None)


def test_messy_workbook_error_report(svc: Any, tmp_path: Path, import_file: Any) -> None:
    path = _messy(tmp_path)
    plan, result = import_file(path)
    out = report.write_report(report.report_path(path), plan, result.problems)
    assert out == tmp_path / "客户名单_导入问题.xlsx"
    rows = read_sheet(out, report.PROBLEMS_SHEET)
    assert rows[0] == ["工作表", "行号", "列", "内容", "原因", "结果"]
    assert sorted(rows[1:], key=lambda r: (r[1], r[2])) == [
        ["名单", 5, "出生日期", "1990/2/30", "2月30日不存在", "未导入"],
        ["名单", 9, "客户姓名", None, "姓名/名称不能为空", "未导入"],
        ["名单", 10, "客户等级", "E", "“E”不是可选值（可选：A、B、C、D）", "未导入"],
        ["名单", 10, "联系电话", "12345", "“12345”不是有效的手机号或电话号码", "未导入"],
        ["名单", 11, "联系电话", "13812345678", "与本文件第 4 行重复（电话相同），按选择跳过", "未导入"],
        ["名单", 13, "出生日期", "2月30日", "2月30日不存在", "未导入"],
    ]
    fix = read_sheet(out, report.ROWS_SHEET)
    assert fix[0][:3] == ["原行号", "客户姓名", "联系电话"]
    assert [r[0] for r in fix[1:]] == [5, 9, 10, 13]  # the duplicate is not a row to fix
    assert fix[1][1:5] == ["李四", "+86 139-0000-1111", None, "1990/2/30"]


def test_fixed_rows_from_the_report_import_again(svc: Any, tmp_path: Path, import_file: Any) -> None:
    import openpyxl

    path = _messy(tmp_path)
    plan, result = import_file(path)
    out = report.write_report(report.report_path(path), plan, result.problems)
    wb = openpyxl.load_workbook(out)
    ws = wb[report.ROWS_SHEET]
    ws["E2"], ws["B3"], ws["C4"], ws["H4"], ws["E5"] = "1990/2/28", "冯十三", "13100009999", "C", "2月28日"
    wb.save(out)
    _, again = import_file(out, sheet=report.ROWS_SHEET)
    assert (again.created, again.rejected) == (4, 0)
    li = svc.customers.get(svc.customers.ids(ListQuery(search="李四"))[0]).data
    assert li.birthday == Birthday("solar", 2, 28, 1990) and li.gender == "女"


def test_dry_run_counts_and_changes_nothing(svc: Any, archive: Any, tmp_path: Path, import_file: Any) -> None:
    from tests.app.excel._excel_support import full_digest

    before = full_digest(archive)
    _, result = import_file(_messy(tmp_path), dry_run=True)
    assert result.dry_run and result.batch_id is None and result.created == 6
    assert full_digest(archive) == before
    assert svc.imports.last_batch() is None


def test_repeated_texts_are_parsed_once_per_column_and_reported_on_every_row() -> None:
    from app.excel.columns import Header, auto_map
    from app.excel.importer import plan_customers
    from app.excel.readers import Table

    labels = ("姓名", "性别", "成交状态", "标签", "手机")
    rows: list[list[object]] = [list(labels),
                                 ["甲", "先生", "是", "VIP、老客户", "13812345678"],
                                 ["乙", "先生", "是", "VIP、老客户", "13812345679"],
                                 ["丙", "不知道", True, "VIP", "13812345678"],
                                 ["丁", "不知道", 1, " ", "13812345678"]]
    header = Header(0, labels)
    plan = plan_customers(Table("客户", rows), header, auto_map(labels))
    a, b, c, d = plan.rows
    assert a.values == b.values | {"name": "甲", "mobile": "13812345678"}
    assert (a.values["gender"], a.values["deal_status"], a.values["tags"]) == ("男", "成交", ("VIP", "老客户"))
    assert c.values["deal_status"] == "成交" and "deal_status" not in d.values  # True is 是; 1 is no choice
    assert [(p.row, p.column, p.value) for p in c.problems] == [(4, "性别", "不知道")]
    assert [(p.row, p.column, p.value) for p in d.problems] == [(5, "性别", "不知道"), (5, "成交状态", "1")]
    assert "tags" not in d.values and d.values["mobile"] == c.values["mobile"] == "13812345678"
