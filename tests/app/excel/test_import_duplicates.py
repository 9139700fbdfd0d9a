"""Duplicates against the archive and within the file, and each of the four choices for the file."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.excel import source
from app.rows import Birthday, CustomerInput, ListQuery
from tests.app.excel._excel_support import full_digest, write_book

HEADER = ["姓名", "手机", "电话", "单位", "生日", "邮箱", "微信", "备注", "标签", "阶段"]
ROWS = [
    HEADER,
    ["张三丰", "13812345678", None, None, None, "zs@example.com", None, "新备注", "新客户", "需求挖掘"],  # 2: phone
    ["李四", None, "010-12345678", "华为", None, None, "lisi_new", None, None, None],  # 3: name + company
    ["王五", None, None, None, "农历三月初八", None, None, None, None, None],  # 4: name + birthday
    ["赵六", "13900000000", None, None, None, None, None, None, None, None],  # 5: new
    ["赵六", "139 0000 0000", None, None, None, "zl@example.com", None, None, None, None],  # 6: dup of row 5
]


@pytest.fixture
def existing(svc: Any) -> dict[str, int]:
    return {
        "张三": svc.customers.create(CustomerInput(name="张三", mobile="13812345678", remarks="老客户",
                                                   tags=("VIP",))),
        "李四": svc.customers.create(CustomerInput(name="李四", company="华为", wechat="lisi",
                                                   birthday=Birthday("solar", 5, 6, 1990))),
        "王五": svc.customers.create(CustomerInput(name="王五", birthday=Birthday("lunar", 3, 8))),
    }


def _book(tmp_path: Path) -> Path:
    return write_book(tmp_path / "dups.xlsx", {"Sheet1": ROWS})


def _card(svc: Any, customer_id: int) -> CustomerInput:
    return svc.customers.get(customer_id).data


def _by_name(svc: Any, name: str) -> list[CustomerInput]:
    return [_card(svc, i) for i in svc.customers.ids(ListQuery(search=name)) if _card(svc, i).name == name]


def test_preview_finds_archive_and_file_duplicates(svc: Any, existing: dict, tmp_path: Path) -> None:
    plan = source.plan_file(_book(tmp_path))
    preview = svc.imports.preview(plan)
    assert (preview.new, preview.in_archive, preview.in_file) == (1, 3, 1)
    assert preview.examples == (
        (2, "档案中的“KH000001 张三”", "电话相同"), (3, "档案中的“KH000002 李四”", "姓名和单位相同"),
        (4, "档案中的“KH000003 王五”", "姓名和生日相同"), (6, "本文件第 5 行", "电话相同"))


def test_skip(svc: Any, archive: Any, existing: dict, tmp_path: Path, import_file: Any) -> None:
    before = {k: _card(svc, v) for k, v in existing.items()}
    _, result = import_file(_book(tmp_path), "skip")
    assert (result.created, result.updated, result.skipped, result.merged) == (1, 0, 4, 0)
    assert {k: _card(svc, v) for k, v in existing.items()} == before
    assert [p.row for p in result.problems if p.duplicate] == [2, 3, 4, 6]
    assert svc.customers.count() == 4


def test_fill_only_fills_empty_fields(svc: Any, existing: dict, tmp_path: Path, import_file: Any) -> None:
    _, result = import_file(_book(tmp_path), "fill")
    assert (result.created, result.updated, result.unchanged, result.merged) == (1, 2, 1, 1)
    zhang = _card(svc, existing["张三"])
    assert (zhang.name, zhang.email, zhang.remarks, zhang.stage) == ("张三", "zs@example.com", "老客户", "需求挖掘")
    assert zhang.tags == ("VIP", "新客户")
    li = _card(svc, existing["李四"])
    assert (li.wechat, li.phone) == ("lisi", "010-12345678")
    (zhao,) = _by_name(svc, "赵六")
    assert (zhao.mobile, zhao.email) == ("13900000000", "zl@example.com")
    history = svc.audit.history(existing["张三"])
    assert history[0].action == "修改" and "补全空白字段" in history[0].summary
    assert history[0].changes["邮箱"] == ("", "zs@example.com")


def test_overwrite_lets_the_file_win_where_it_has_a_value(svc: Any, existing: dict, tmp_path: Path,
                                                          import_file: Any) -> None:
    _, result = import_file(_book(tmp_path), "overwrite")
    assert (result.created, result.updated, result.unchanged) == (1, 2, 1)
    zhang = _card(svc, existing["张三"])
    assert (zhang.name, zhang.email, zhang.remarks, zhang.tags) == ("张三丰", "zs@example.com", "新备注", ("新客户",))
    assert zhang.mobile == "13812345678"  # an empty cell never blanks a field
    li = _card(svc, existing["李四"])
    assert (li.wechat, li.phone, li.birthday) == ("lisi_new", "010-12345678", Birthday("solar", 5, 6, 1990))
    assert svc.customers.ids(ListQuery(search="张三丰")) == [existing["张三"]]


def test_create_anyway_creates_every_row_and_notes_the_duplicates(svc: Any, archive: Any, existing: dict,
                                                                  tmp_path: Path, import_file: Any) -> None:
    before = {k: _card(svc, v) for k, v in existing.items()}
    _, result = import_file(_book(tmp_path), "create")
    assert (result.created, result.updated, result.skipped) == (5, 0, 0)
    assert {k: _card(svc, v) for k, v in existing.items()} == before
    assert len(result.notes) == 4 and all("仍然新建" in p.reason for p in result.notes)
    assert len(_by_name(svc, "赵六")) == 2


def test_same_card_number_is_the_same_customer(svc: Any, existing: dict, tmp_path: Path,
                                               import_file: Any) -> None:
    book = write_book(tmp_path / "cards.xlsx", {"S": [["客户编号", "姓名", "职业"], ["kh000002", "李四", "工程师"],
                                                      ["KH000999", "新人", None]]})
    _, result = import_file(book, "fill")
    assert (result.created, result.updated) == (1, 1)
    assert _card(svc, existing["李四"]).occupation == "工程师"
    assert svc.customers.find_by_card_no("KH000999") is not None


def test_create_anyway_gives_a_taken_card_number_a_new_one(svc: Any, existing: dict, tmp_path: Path,
                                                           import_file: Any) -> None:
    book = write_book(tmp_path / "cards.xlsx", {"S": [["客户编号", "姓名"], ["KH000001", "另一个张三"]]})
    _, result = import_file(book, "create")
    assert result.created == 1
    reasons = {p.reason for p in result.notes}
    assert reasons == {"与档案中的“KH000001 张三”重复（客户编号相同），按选择仍然新建", "客户编号已被使用，已改用 KH000004"}
    assert _card(svc, svc.customers.find_by_card_no("KH000004")).name == "另一个张三"


def test_bulk_duplicate_check_does_not_query_per_row(svc: Any, archive: Any, tmp_path: Path,
                                                     import_file: Any) -> None:
    from sqlalchemy import event

    rows = [["姓名", "手机"]] + [[f"客户{i}", f"138{i:08d}"] for i in range(2000)]
    statements: list[str] = []
    event.listen(archive.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    _, result = import_file(write_book(tmp_path / "many.xlsx", {"S": rows}))
    assert result.created == 2000
    assert len(statements) < 60, len(statements)  # set-based: a few statements, not one per row


def test_import_is_one_transaction(svc: Any, archive: Any, tmp_path: Path, monkeypatch: Any) -> None:
    from app.services import import_job

    svc.customers.create(CustomerInput(name="已有"))
    before = full_digest(archive)
    plan = source.plan_file(_book(tmp_path))

    def boom(self: Any, *args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_job.ImportJob, "_write_updates", boom)
    with pytest.raises(RuntimeError):
        svc.imports.run(plan)
    assert full_digest(archive) == before and svc.imports.last_batch() is None
