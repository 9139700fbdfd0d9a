"""Undo last import: removes exactly what it created and restores exactly what it changed."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.rows import Birthday, CustomerInput, ListQuery, VisitInput
from app.services.imports import NothingToUndo, UndoConflict
from tests.app.excel._excel_support import full_digest, write_book


def _existing(svc: Any) -> dict[str, int]:
    return {
        "张三": svc.customers.create(CustomerInput(name="张三", mobile="13812345678", tags=("VIP",),
                                                   awareness="强")),
        "李四": svc.customers.create(CustomerInput(name="李四", company="华为")),
    }


def _workbook(tmp_path: Path) -> Path:
    """A full-export-shaped workbook: cards (new and matching), and deals/visits for an existing card."""
    return write_book(tmp_path / "导入.xlsx", {
        "客户": [["客户编号", "姓名", "手机", "单位", "经济条件", "影响力", "标签", "介绍人"],
                 [None, "张三", "13812345678", "平安", "好", "广", "新标签、VIP", None],
                 ["KH000100", "王五", "13700001111", None, "好", "广", "另一个新标签", "张三"],
                 [None, "赵六", None, None, None, None, None, "王五"]],
        "成交": [["客户编号", "客户姓名", "产品", "金额", "起始日期"],
                 ["KH000002", "李四", "车险", "3000", date(2024, 1, 5)],
                 ["KH000100", "王五", "寿险", "12000", date(2024, 2, 1)]],
        "拜访记录": [["客户编号", "时间", "方式", "内容"], ["KH000002", "2024-03-01 10:00", "电话", "问候"]],
    })


def test_undo_restores_the_archive_exactly(svc: Any, archive: Any, tmp_path: Path, import_file: Any) -> None:
    ids = _existing(svc)
    svc.visits.log(VisitInput(customer_id=ids["李四"], at=datetime(2023, 1, 1), method="电话"))
    before = full_digest(archive)
    _, result = import_file(_workbook(tmp_path), "fill")
    assert (result.created, result.updated) == (2, 1)
    assert result.children == {"成交": 2, "拜访记录": 1}
    zhang = svc.customers.get(ids["张三"]).data
    assert (zhang.company, zhang.grade, zhang.tags) == ("平安", "A", ("VIP", "新标签"))  # grade now suggested
    li = svc.customers.get(ids["李四"])
    assert li.data.deal_status == "成交" and li.last_contact_at.date() == date(2024, 3, 1)
    wang = svc.customers.get(svc.customers.find_by_card_no("KH000100"))
    assert wang.referrer_name == "张三" and wang.data.deal_status == "成交"
    assert [r.name for r in wang.referrals] == ["赵六"]
    assert full_digest(archive) != before

    info = svc.imports.last_batch()
    assert (info.source, info.created, info.changed) == ("导入.xlsx", 2, 2)
    undone = svc.imports.undo_last()
    assert (undone.removed, undone.restored, undone.recycled) == (2, 2, 0)
    assert full_digest(archive) == before
    assert svc.imports.last_batch() is None
    with pytest.raises(NothingToUndo):
        svc.imports.undo_last()
    assert svc.audit.recent(1)[0].action == "撤销"


def test_undo_takes_the_newest_import_first(svc: Any, archive: Any, tmp_path: Path, import_file: Any) -> None:
    empty = full_digest(archive)
    import_file(write_book(tmp_path / "a.xlsx", {"S": [["姓名"], ["甲"]]}))
    after_first = full_digest(archive)
    import_file(write_book(tmp_path / "b.xlsx", {"S": [["姓名", "标签"], ["乙", "x"]]}))
    assert svc.imports.undo_last().source == "b.xlsx"
    assert full_digest(archive) == after_first
    assert svc.imports.undo_last().source == "a.xlsx"
    assert full_digest(archive) == empty


def test_undo_refuses_to_lose_later_edits(svc: Any, archive: Any, tmp_path: Path, import_file: Any) -> None:
    ids = _existing(svc)
    import_file(_workbook(tmp_path), "fill")
    new_id = svc.customers.find_by_card_no("KH000100")
    svc.visits.log(VisitInput(customer_id=new_id, at=datetime(2025, 1, 1), method="电话"))
    snapshot = full_digest(archive)
    with pytest.raises(UndoConflict) as err:
        svc.imports.undo_last()
    assert "KH000100 王五" in str(err.value) and err.value.cards == ("KH000100 王五",)
    assert full_digest(archive) == snapshot  # refused: nothing changed
    result = svc.imports.undo_last(force=True)
    assert (result.removed, result.recycled) == (1, 1)
    assert [r.card_no for r in svc.customers.recycle_bin()] == ["KH000100"]
    assert svc.customers.get(ids["张三"]).data.company == ""  # the changed card is restored anyway


def test_undo_refuses_when_a_changed_card_was_edited_again(svc: Any, tmp_path: Path, import_file: Any) -> None:
    ids = _existing(svc)
    import_file(_workbook(tmp_path), "fill")
    card = svc.customers.get(ids["李四"]).data
    from dataclasses import replace

    svc.customers.update(ids["李四"], replace(card, remarks="导入后手改"))
    with pytest.raises(UndoConflict, match="KH000002 李四"):
        svc.imports.undo_last()


def test_undo_refuses_when_a_new_card_became_someones_referrer(svc: Any, tmp_path: Path,
                                                               import_file: Any) -> None:
    import_file(write_book(tmp_path / "a.xlsx", {"S": [["姓名"], ["甲"]]}))
    (new_id,) = svc.customers.ids(ListQuery(search="甲"))
    svc.customers.create(CustomerInput(name="乙", referrer_id=new_id, birthday=Birthday("solar", 1, 2)))
    with pytest.raises(UndoConflict, match="甲"):
        svc.imports.undo_last()
