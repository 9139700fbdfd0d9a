"""The import wizard driven as a user would: file → mapping → preview → duplicates → import → undo."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.progress import Cancelled
from app.rows import CustomerInput
from tests.app.excel._excel_support import full_digest, write_book

ROWS = [
    ["客户名单"],
    [],
    ["姓名", "手机", "生日", "单位", "杂项"],
    ["张三", "138 1234 5678", date(1985, 3, 8), "华为", "喜欢茶"],
    ["李四", "13900001111", "1990/2/30", None, None],
    ["王五", "13700002222", "农历三月初八", "中兴", None],
]


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return write_book(tmp_path / "名单.xlsx", {"名单": ROWS}, {"名单": ["A1:E1"]})


@pytest.fixture
def wizard(shell_ctx: Any, workbook: Path, qtbot: Any) -> Any:
    from ui.import_wizard import ImportWizard

    w = ImportWizard(shell_ctx, None, workbook)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def _to_duplicates(wizard: Any) -> None:
    assert wizard.file_page.sheet_combo.currentText() == "名单"
    wizard.next()
    mapping = wizard.mapping_page
    assert wizard.currentPage() is mapping and mapping.header_spin.value() == 3
    assert mapping.mapping() == ("name", "mobile", "birthday", "company", "")
    mapping.set_field(4, "hobbies")
    wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    wizard.next()
    assert wizard.currentPage() is wizard.duplicate_page


def test_wizard_imports_marks_bad_cells_and_undoes(wizard: Any, svc: Any, archive: Any, workbook: Path,
                                                   answer_modal: Any, qtbot: Any) -> None:
    existing = svc.customers.create(CustomerInput(name="王老板", mobile="13700002222"))
    before = full_digest(archive)
    wizard.next()
    wizard.mapping_page.set_field(4, "hobbies")
    wizard.next()
    preview = wizard.preview_page
    assert "共 3 行：可以导入 2 行，有问题 1 行" in preview.summary_label.text()
    assert preview.only_bad_check.isChecked() and preview.model.rowCount() == 1
    bad = preview.model.index(0, 3)  # 行号, 姓名, 手机, 生日
    assert preview.model.data(preview.model.index(0, 0)) == 5
    assert preview.model.data(bad) == "1990/2/30"
    assert preview.model.data(bad, Qt.ItemDataRole.ToolTipRole) == "2月30日不存在"
    assert preview.model.data(bad, Qt.ItemDataRole.BackgroundRole) is not None
    assert preview.model.data(preview.model.index(0, 1), Qt.ItemDataRole.BackgroundRole) is None
    preview.only_bad_check.setChecked(False)
    assert preview.model.rowCount() == 3

    wizard.next()
    page = wizard.duplicate_page
    assert "与档案中已有客户重复 1 行" in page.count_label.text()
    assert page.examples_table.item(0, 0).text() == "6" and "王老板" in page.examples_table.item(0, 1).text()
    page.choice_buttons[page.CHOICES[1][0]].click()  # 补全空白字段
    wizard.next()
    result = wizard.result_page
    assert wizard.currentPage() is result
    text = result.summary_label.text()
    assert "新建 1 位客户，更新 1 位已有客户" in text and "有问题、未导入 1 行" in text
    assert result.report_button.isVisibleTo(wizard) and wizard.session.report == workbook.with_name("名单_导入问题.xlsx")
    assert wizard.session.report.exists()
    assert svc.customers.get(existing).data.company == "中兴"  # filled
    zhang = svc.customers.get(svc.customers.find_by_card_no("KH000002")).data
    assert (zhang.name, zhang.hobbies) == ("张三", "喜欢茶")
    assert svc.imports.remembered_mapping(wizard.mapping_page.labels)[4] == "hobbies"

    answerer = answer_modal(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    result.undo_button.click()
    assert len(answerer.check()) == 1
    qtbot.waitUntil(lambda: "已撤销" in result.summary_label.text())
    assert full_digest(archive) == before and not result.undo_button.isEnabled()


def test_cancelled_import_stays_on_the_duplicate_page(wizard: Any, svc: Any, archive: Any, answer_modal: Any,
                                                      monkeypatch: Any) -> None:
    before = full_digest(archive)
    _to_duplicates(wizard)

    def cancelled(*args: Any, **kwargs: Any) -> None:
        raise Cancelled()

    monkeypatch.setattr(svc.imports, "run", cancelled)
    said: list[str] = []
    answerer = answer_modal(QMessageBox, lambda box: (said.append(box.text()), box.accept()))
    wizard.next()
    assert len(answerer.check()) == 1
    assert said == ["已取消，档案没有任何改变。"]
    assert wizard.currentPage() is wizard.duplicate_page
    assert full_digest(archive) == before


def test_a_broken_file_is_explained_on_the_first_page(shell_ctx: Any, tmp_path: Path, qtbot: Any) -> None:
    from ui.import_wizard import ImportWizard

    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"PK\x03\x04junk")
    wizard = ImportWizard(shell_ctx, None, bad)
    qtbot.addWidget(wizard)
    assert "不完整" in wizard.file_page.error_label.text()
    assert not wizard.file_page.isComplete()


def test_mapping_without_a_name_is_flagged(wizard: Any) -> None:
    wizard.next()
    mapping = wizard.mapping_page
    mapping.set_field(0, "")
    assert "请指定哪一列是“姓名/名称”" in mapping.warning_label.text()
    mapping.set_field(0, "name")
    assert mapping.warning_label.text() == ""
    mapping.header_spin.setValue(2)  # a blank row as header: nothing maps
    assert mapping.mapping() == ("", "", "", "", "")


def test_file_menu_exports_the_list_after_the_plaintext_notice(main_window: Any, svc: Any, tmp_path: Path,
                                                              answer_modal: Any, monkeypatch: Any,
                                                              qtbot: Any) -> None:
    import openpyxl

    import ui.export_actions as actions

    for name in ("甲", "乙", "丙"):
        svc.customers.create(CustomerInput(name=name))
    main_window.ctx.bus.customers_changed.emit()
    file_menu = main_window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert {"导入 Excel/CSV/vCard…", "导出当前列表到 Excel…", "导出全部数据到 Excel…", "撤销上次导入…"} <= set(texts)
    page = main_window.customer_list()
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)
    page.table.selectRow(0)
    page.table.selectionModel().select(page.model.index(2, 0), page.table.selectionModel().SelectionFlag.Select
                                       | page.table.selectionModel().SelectionFlag.Rows)
    target = tmp_path / "选中.xlsx"
    monkeypatch.setattr(actions, "ask_target", lambda parent, suggested: target)
    said: list[str] = []

    def answer(box: QMessageBox) -> None:
        said.append(box.text())
        box.button(QMessageBox.StandardButton.Ok).click()
        answer_modal(QMessageBox, lambda done: (said.append(done.text()), done.accept()))

    answerer = answer_modal(QMessageBox, answer)
    main_window.actions.transfer.export_list.trigger()
    answerer.check()
    assert "没有加密" in said[0] and "已导出到" in said[1]
    names = [r[1] for r in openpyxl.load_workbook(target)["客户"].iter_rows(min_row=2, values_only=True)]
    assert sorted(names) == sorted(page.model.row_at(r).name for r in (0, 2))


def test_wizard_imports_a_phone_vcard(shell_ctx: Any, svc: Any, tmp_path: Path, qtbot: Any) -> None:
    from tests.app.excel.test_vcard_import import ANDROID, V4
    from ui.import_wizard import ImportWizard

    path = tmp_path / "通讯录.vcf"
    path.write_text(ANDROID + V4, encoding="utf-8")
    wizard = ImportWizard(shell_ctx, None, path)
    qtbot.addWidget(wizard)
    wizard.show()
    assert [wizard.file_page.sheet_combo.itemText(i) for i in range(wizard.file_page.sheet_combo.count())] == ["通讯录"]
    wizard.next()
    assert wizard.mapping_page.mapping()[:3] == ("name", "mobile", "email")
    wizard.next()
    assert "可以导入 2 行" in wizard.preview_page.summary_label.text()
    wizard.next()
    wizard.next()
    assert wizard.session.result is not None and wizard.session.result.created == 2
    assert sorted(svc.customers.get(i).data.name for i in (1, 2)) == ["李四", "钱七"]
