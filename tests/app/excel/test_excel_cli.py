"""`clientfile import / export / template / undo-import` on a real archive."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app.cli import main
from app.excel import report
from app.excel.template import NOTES_SHEET
from tests.app.excel._excel_support import full_digest, read_sheet, write_book
from tests.conftest import PASSWORD


@pytest.fixture
def closed_archive(tmp_path: Path) -> Path:
    """An empty archive, closed (the CLI opens it itself)."""
    from app.db import create_archive

    path = tmp_path / "cli.cfdb"
    create_archive(path, PASSWORD).close()
    return path


def _run(archive: Path, *args: str) -> int:
    return main(["--archive", str(archive), *args])


def _digest(path: Path) -> str:
    from app.db import open_archive

    archive = open_archive(path, PASSWORD)
    try:
        return full_digest(archive)
    finally:
        archive.close()


def test_import_dry_run_import_and_undo(closed_archive: Path, tmp_path: Path, monkeypatch: Any,
                                        capsys: Any) -> None:
    monkeypatch.setenv("CLIENTFILE_PASSWORD", PASSWORD)
    book = write_book(tmp_path / "名单.xlsx", {"S": [["姓名", "手机", "生日"], ["张三", "13812345678", "1985/3/8"],
                                                   ["李四", "13812345678", None], ["王五", "abc", None]]})
    empty = _digest(closed_archive)
    assert _run(closed_archive, "import", str(book), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "试运行（未写入档案）：读取 3 行，新建 1 位客户" in out
    assert "与已有客户重复、已跳过的行：1" in out and "有问题、未导入的行：1" in out
    assert _digest(closed_archive) == empty

    assert _run(closed_archive, "import", str(book), "--on-duplicate", "create") == 0
    out = capsys.readouterr().out
    assert "导入完成：读取 3 行，新建 2 位客户" in out
    assert f"问题清单已写入：{tmp_path / '名单_导入问题.xlsx'}" in out
    rows = read_sheet(tmp_path / "名单_导入问题.xlsx", report.PROBLEMS_SHEET)
    assert rows[1:] == [["S", 4, "手机", "abc", "“abc”不是有效的手机号或电话号码", "未导入"],
                        ["S", 3, "手机", "13812345678", "与本文件第 2 行重复（电话相同），按选择仍然新建", "已导入（见原因）"]]

    assert _run(closed_archive, "undo-import") == 0
    assert "已撤销：删除 2 位导入新建的客户" in capsys.readouterr().out
    assert _digest(closed_archive) == empty
    assert _run(closed_archive, "undo-import") == 1
    assert "没有可以撤销的导入" in capsys.readouterr().err


def test_export_says_it_is_plaintext(closed_archive: Path, tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    monkeypatch.setenv("CLIENTFILE_PASSWORD", PASSWORD)
    book = write_book(tmp_path / "in.xlsx", {"S": [["姓名", "等级"], ["甲", "A"], ["乙", "B"]]})
    assert _run(closed_archive, "import", str(book)) == 0
    capsys.readouterr()
    assert _run(closed_archive, "export", str(tmp_path / "a.xlsx"), "--grade", "a") == 0
    captured = capsys.readouterr()
    assert "没有加密" in captured.err and "已导出" in captured.out and "客户 1 行" in captured.out
    assert [r[1] for r in openpyxl.load_workbook(tmp_path / "a.xlsx")["客户"].iter_rows(values_only=True)] == \
        ["姓名/名称", "甲"]
    assert _run(closed_archive, "export", str(tmp_path / "all.xlsx"), "--what", "all") == 0
    assert {"客户", "联系人", "成交", "拜访记录", "投诉"} <= set(openpyxl.load_workbook(tmp_path / "all.xlsx").sheetnames)
    assert _run(closed_archive, "export", str(tmp_path / "x.csv")) == 1
    assert "请用 .xlsx" in capsys.readouterr().err


def test_template_reimports_its_own_example(closed_archive: Path, tmp_path: Path, monkeypatch: Any,
                                            capsys: Any) -> None:
    from app.excel import columns, source

    assert main(["template", str(tmp_path / "模板.xlsx")]) == 0
    wb = openpyxl.load_workbook(tmp_path / "模板.xlsx")
    assert wb.sheetnames == ["客户", NOTES_SHEET]
    headers = [c.value for c in wb["客户"][1]]
    assert "" not in columns.auto_map(headers)  # every header is recognised
    assert wb["客户"].freeze_panes == "B2"
    notes = {r[0]: r[1] for r in wb[NOTES_SHEET].iter_rows(min_row=2, values_only=True)}
    assert "农历三月初八" in notes["生日"] and "必填" in notes["姓名/名称"]
    plan = source.plan_file(tmp_path / "模板.xlsx")
    (row,) = plan.customers.rows
    assert row.ok, row.problems
    assert row.values["name"] == "张三" and row.values["birthday"].is_lunar
    monkeypatch.setenv("CLIENTFILE_PASSWORD", PASSWORD)
    assert _run(closed_archive, "import", str(tmp_path / "模板.xlsx")) == 0
    assert "新建 1 位客户" in capsys.readouterr().out


def test_a_broken_file_is_one_clear_line(closed_archive: Path, tmp_path: Path, monkeypatch: Any,
                                         capsys: Any) -> None:
    monkeypatch.setenv("CLIENTFILE_PASSWORD", PASSWORD)
    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really")
    assert _run(closed_archive, "import", str(bad)) == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：“坏.xlsx”") and "Traceback" not in err
