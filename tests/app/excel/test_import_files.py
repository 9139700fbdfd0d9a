"""CSV in every encoding people have, and malformed files of every kind: a clear message naming the row or
part, never a traceback, and the archive unchanged."""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from app.errors import AppError
from app.excel import readers, source
from app.excel.importer import MappingError
from tests.app.excel._excel_support import full_digest, write_book

CSV_TEXT = "姓名,手机,生日,备注\n张三,138 1234 5678,1985/3/8,老客户\n李四,13900001111,农历三月初八,\"有逗号,的备注\"\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_csv_in_each_encoding(svc: Any, tmp_path: Path, import_file: Any, encoding: str) -> None:
    path = tmp_path / "客户.csv"
    path.write_bytes(CSV_TEXT.encode(encoding))
    _, result = import_file(path)
    assert (result.created, result.rejected) == (2, 0)
    li = svc.customers.get(svc.customers.find_by_card_no("KH000002")).data
    assert (li.name, li.remarks, li.birthday.is_lunar) == ("李四", "有逗号,的备注", True)


def test_semicolon_and_tab_separated(tmp_path: Path) -> None:
    for name, text in (("a.csv", "姓名;手机\n张三;13812345678\n"), ("b.txt", "姓名\t手机\n张三\t13812345678\n")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert readers.read_table(path).rows == [["姓名", "手机"], ["张三", "13812345678"]]


def test_gbk_with_a_title_line_and_blank_rows(svc: Any, tmp_path: Path, import_file: Any) -> None:
    path = tmp_path / "导出.csv"
    path.write_bytes("客户资料表,,\n,,\n客户名称,联系电话,单位\n王五,0755-12345678,深圳某公司\n,,\n"
                     "赵六,13600001111,\n,,\n".encode("gbk"))
    plan, result = import_file(path)
    assert plan.customers.header.row == 2 and plan.customers.blank_rows == 1
    assert result.created == 2
    assert svc.customers.get(1).data.phone == "0755-12345678"


def _garbage_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    good = write_book(tmp_path / "good.xlsx", {"S": [["姓名"], ["张三"]]})
    data = good.read_bytes()
    files = {
        "empty": (tmp_path / "empty.xlsx", "是空的"),
        "truncated": (tmp_path / "truncated.xlsx", "不完整"),
        "zip of junk": (tmp_path / "junk.xlsx", "缺少部件“[Content_Types].xml”"),
        "binary junk": (tmp_path / "random.xlsx", "不是 Excel 文件"),
        "csv binary": (tmp_path / "binary.csv", "不是文本文件"),
        "csv unknown encoding": (tmp_path / "latin.csv", "第 2 行有无法识别的字节"),
        "csv empty": (tmp_path / "blank.csv", "里没有内容"),
        "encrypted": (tmp_path / "locked.xlsx", "有打开密码"),
        "no header": (tmp_path / "numbers.xlsx", "找不到表头"),
        "missing": (tmp_path / "nowhere.xlsx", "找不到文件"),
    }
    files["empty"][0].write_bytes(b"")
    files["truncated"][0].write_bytes(data[: len(data) // 2])
    with zipfile.ZipFile(files["zip of junk"][0], "w") as zf:
        zf.writestr("hello.txt", "not a workbook")
    files["binary junk"][0].write_bytes(bytes(range(256)) * 20)
    files["csv binary"][0].write_bytes(b"\x00\x01\x02\x03" * 100)
    files["csv unknown encoding"][0].write_bytes("name,city\nJos\u00e9,S\u00e3o Paulo \u00ff\n".encode("cp1252"))
    files["csv empty"][0].write_bytes(b"  \n\n")
    files["encrypted"][0].write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 600)
    write_book(files["no header"][0], {"S": [[1, 2, 3], [4, 5, 6]]})
    return files


def test_malformed_files_give_clear_errors_and_change_nothing(svc: Any, archive: Any, tmp_path: Path) -> None:
    before = full_digest(archive)
    for what, (path, expected) in _garbage_files(tmp_path).items():
        with pytest.raises(AppError) as err:
            plan = source.plan_file(path)
            svc.imports.run(plan)
        assert expected in str(err.value), (what, str(err.value))
        assert path.name in str(err.value) or what in ("no header", "csv unknown encoding"), (what, str(err.value))
    assert full_digest(archive) == before


def test_mapping_without_a_name_column_is_refused(tmp_path: Path) -> None:
    src = source.load(write_book(tmp_path / "a.xlsx", {"S": [["手机", "地址"], ["13812345678", "x"]]}))
    header, mapping = source.suggest(src)
    with pytest.raises(MappingError, match="请指定哪一列是“姓名/名称”"):
        source.build_plan(src, header, mapping)
    with pytest.raises(MappingError, match="被指定给了多列"):
        source.build_plan(src, header, ("name", "name"))


def test_sheet_choice_and_a_missing_sheet(tmp_path: Path) -> None:
    path = write_book(tmp_path / "two.xlsx", {"说明": [["本表说明"]], "名单": [["姓名"], ["张三"]]})
    assert source.choices(path) == ["说明", "名单"]
    assert source.plan_file(path, "名单").customers.rows[0].values["name"] == "张三"
    with pytest.raises(AppError, match="没有名为“不存在”的工作表（有：说明、名单）"):
        source.load(path, "不存在")


def test_remembered_mapping_is_used_next_time(svc: Any, tmp_path: Path, import_file: Any) -> None:
    from app.excel import columns
    from app.excel.importer import OnDuplicate

    path = write_book(tmp_path / "a.xlsx", {"S": [["名字", "号码", "杂项"], ["张三", "13812345678", "喜欢茶"]]})
    src = source.load(path)
    header, mapping = source.suggest(src)
    assert mapping == ("name", "", "")
    chosen = ("name", "mobile", "hobbies")
    svc.imports.run(source.build_plan(src, header, chosen), OnDuplicate.SKIP)
    assert svc.imports.remembered_mapping(header.labels) == chosen
    assert svc.imports.remembered_mapping(["名字", "号码"]) is None
    again = source.plan_file(write_book(tmp_path / "b.xlsx", {"S": [["名字", "号码", "杂项"], ["李四", "139", ""]]}),
                             remembered=svc.imports.remembered_mapping)
    assert again.customers.mapping == chosen
    assert columns.signature(["名字 ", "号码", "杂项"]) == columns.signature(["名字", "号码", "杂项"])
