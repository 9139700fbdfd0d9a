"""The 客户 page as a salesperson uses it: search as you type, quick filters, sorting, lazy paging, batch actions."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from app.rows import CustomerInput, ListQuery, VisitInput
from ui.customer_list_model import COLUMN_INDEX, PAGE_SIZE


def _add(svc, *names_and_more):
    ids = []
    for item in names_and_more:
        data = item if isinstance(item, CustomerInput) else CustomerInput(name=item)
        ids.append(svc.customers.create(data))
    return ids


def _names(page) -> list[str]:
    return [page.model.row_at(r).name for r in range(page.model.rowCount())]


def _list(main_window, svc):
    main_window.reload_all()
    return main_window.customer_list()


def test_find_card_by_pinyin_initials(qtbot, main_window, svc):
    _add(svc, "张三丰", "李四", "王五", CustomerInput(name="单田芳", mobile="13812345678"))
    page = _list(main_window, svc)
    assert page.model.rowCount() == 4
    main_window.find_customer()  # Ctrl+F
    assert page.search_edit.hasFocus()
    qtbot.keyClicks(page.search_edit, "zsf")
    qtbot.waitUntil(lambda: _names(page) == ["张三丰"], timeout=3000)
    assert "找到 1 位客户" in page.count_label.text()
    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, "stf")  # 单 read as the surname shan
    qtbot.waitUntil(lambda: _names(page) == ["单田芳"], timeout=3000)
    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, "1234567")  # phone digits
    qtbot.waitUntil(lambda: _names(page) == ["单田芳"], timeout=3000)


def test_typing_is_debounced_into_one_query(qtbot, main_window, svc, monkeypatch):
    _add(svc, "张三丰", "张无忌")
    page = _list(main_window, svc)
    seen: list[str] = []
    real = svc.customers.list

    def counting(query: ListQuery, *, count: bool = True) -> object:
        seen.append(query.search)
        return real(query, count=count)

    monkeypatch.setattr(svc.customers, "list", counting)
    qtbot.keyClicks(page.search_edit, "zwj")  # three keystrokes well inside 150 ms
    qtbot.waitUntil(lambda: _names(page) == ["张无忌"], timeout=3000)
    assert seen == ["zwj"]


def test_no_match_says_so_and_empty_archive_shows_how_to_start(qtbot, main_window, svc, ime_type):
    page = _list(main_window, svc)
    assert page.stack.currentWidget() is page.empty_state
    assert "还没有客户卡" in page.empty_state.title_label.text()
    with qtbot.waitSignal(page.model.modelReset):
        svc.customers.create(CustomerInput(name="李四"))
        main_window.ctx.bus.customers_changed.emit()
    assert page.stack.currentWidget() is page.table
    ime_type(page.search_edit, "不存在的人")
    qtbot.waitUntil(lambda: "没有找到" in page.count_label.text(), timeout=3000)
    assert page.stack.currentWidget() is page.table  # a search with no hits is not an empty archive


def test_rows_are_fetched_lazily_200_at_a_time(qtbot, main_window, svc):
    svc.customers.create_many([CustomerInput(name=f"客户{i:04d}") for i in range(450)])
    page = _list(main_window, svc)
    assert page.model.total == 450
    assert page.model.rowCount() == PAGE_SIZE
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() >= 2 * PAGE_SIZE, timeout=3000)
    while page.model.canFetchMore():
        page.model.fetchMore()
    assert page.model.rowCount() == 450
    assert len(set(_names(page))) == 450  # no page fetched twice


def test_header_click_sorts_in_sql_and_dates_read_2026_11_22(qtbot, main_window, svc, clock):
    ids = _add(svc, CustomerInput(name="甲", mobile="13900000002"), CustomerInput(name="乙", mobile="13700000001"),
               CustomerInput(name="丙", mobile="13800000003"))
    svc.visits.log(VisitInput(customer_id=ids[0], at=datetime(2026, 11, 2, 15, 5), method="电话",
                              next_at=datetime(2026, 11, 22, 9, 0)))
    page = _list(main_window, svc)
    header = page.table.horizontalHeader()
    mobile = COLUMN_INDEX["mobile"]
    x = header.sectionViewportPosition(mobile) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    qtbot.waitUntil(lambda: page.model.query.sort == "mobile", timeout=2000)
    first = [page.model.row_at(r).mobile for r in range(3)]
    assert first == sorted(first)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    qtbot.waitUntil(lambda: page.model.query.descending, timeout=2000)
    assert [page.model.row_at(r).mobile for r in range(3)] == sorted(first, reverse=True)
    row = page.model.row_of_id(ids[0])
    last = page.model.index(row, COLUMN_INDEX["last_contact_at"]).data()
    nxt = page.model.index(row, COLUMN_INDEX["next_appointment_at"]).data()
    assert (last, nxt) == ("2026-11-02", "2026-11-22")


def test_tags_column_is_not_sortable(qtbot, main_window, svc):
    _add(svc, "甲", "乙")
    page = _list(main_window, svc)
    header = page.table.horizontalHeader()
    header.setSortIndicator(COLUMN_INDEX["tags"], Qt.SortOrder.AscendingOrder)
    assert header.sortIndicatorSection() == COLUMN_INDEX["name"]
    assert page.model.query.sort == "name"


def test_quick_filters(qtbot, main_window, svc):
    _add(svc, CustomerInput(name="甲", grade="A", grade_manual=True, tags=("VIP",)),
         CustomerInput(name="乙", grade="B", grade_manual=True, deal_status="成交", stage="成交"),
         CustomerInput(name="丙", kind="单位", grade="A", grade_manual=True))
    page = _list(main_window, svc)
    filters = page.filters
    filters.grade_combo.setCurrentIndex(filters.grade_combo.findData("A"))
    assert sorted(_names(page)) == sorted(["甲", "丙"])
    filters.kind_combo.setCurrentIndex(filters.kind_combo.findData("单位"))
    assert _names(page) == ["丙"]
    filters.reset_button.click()
    assert len(_names(page)) == 3
    filters.deal_combo.setCurrentIndex(filters.deal_combo.findData("成交"))
    assert _names(page) == ["乙"]
    filters.reset()
    filters.tag_combo.showPopup()  # tags are fetched only when the filter is opened
    filters.tag_combo.hidePopup()
    filters.tag_combo.setCurrentIndex(filters.tag_combo.findData("VIP"))
    assert _names(page) == ["甲"]


def test_batch_grade_tag_and_delete(qtbot, main_window, svc, answer_modal, ime_type):
    ids = _add(svc, "甲", "乙", "丙")
    page = _list(main_window, svc)
    page.table.selectAll()
    assert sorted(page.selected_customer_ids()) == sorted(ids)
    yes = answer_modal(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    page.set_grade("B")
    yes.check()
    assert {svc.customers.get(i).data.grade for i in ids} == {"B"}
    page.table.clearSelection()
    page.table.selectRow(0)
    target = page.selected_customer_ids()[0]
    from ui.customer_list_widgets import TagDialog

    def give_tag(dialog):
        ime_type(dialog.tag_combo.lineEdit(), "转介绍来源")
        dialog.accept()

    tagged = answer_modal(TagDialog, give_tag)
    page.add_tag()
    tagged.check()
    assert svc.customers.get(target).data.tags == ("转介绍来源",)
    assert "转介绍来源" in page.model.index(page.model.row_of_id(target), COLUMN_INDEX["tags"]).data()
    page.table.selectAll()
    no = answer_modal(QMessageBox, lambda box: box.button(QMessageBox.StandardButton.No).click())
    page.delete_selected()
    no.check()
    assert svc.customers.count() == 3  # refusing the confirmation changes nothing


def test_columns_can_be_hidden_and_moved_and_are_remembered(qtbot, main_window, svc, shell_ctx):
    from ui.customer_list import CustomerListPage

    page = _list(main_window, svc)
    header = page.table.horizontalHeader()
    page.columns.set_visible(COLUMN_INDEX["stage"], False)
    header.moveSection(header.visualIndex(COLUMN_INDEX["mobile"]), 0)
    qtbot.waitUntil(lambda: not page.columns.save_timer.isActive(), timeout=2000)  # written once the drag stops
    again = CustomerListPage(shell_ctx)
    qtbot.addWidget(again)
    h2 = again.table.horizontalHeader()
    assert h2.isSectionHidden(COLUMN_INDEX["stage"])
    assert h2.logicalIndex(0) == COLUMN_INDEX["mobile"]
    again.columns.reset()
    assert not h2.isSectionHidden(COLUMN_INDEX["stage"]) and h2.logicalIndex(0) == 0


def test_total_follows_the_first_page_and_a_new_sort_does_not_count_again(qtbot, main_window, svc, monkeypatch):
    svc.customers.create_many([CustomerInput(name=f"客户{i:04d}", mobile=f"1390000{i:04d}") for i in range(450)])
    page = _list(main_window, svc)
    calls: list[tuple[int, bool]] = []
    real = svc.customers.list

    def recording(query: ListQuery, *, count: bool = True) -> object:
        calls.append((query.limit, count))
        return real(query, count=count)

    monkeypatch.setattr(svc.customers, "list", recording)
    qtbot.keyClicks(page.search_edit, "kh")  # pinyin of 客户: every card matches
    qtbot.waitUntil(lambda: "找到 450 位客户" in page.count_label.text(), timeout=3000)
    assert calls == [(200, False), (0, True)]  # the page first (one index scan), then the count
    calls.clear()
    page.table.horizontalHeader().setSortIndicator(COLUMN_INDEX["mobile"], Qt.SortOrder.DescendingOrder)
    assert calls == [(200, False)] and page.model.total == 450
    assert page.model.row_at(0).mobile == "13900000449"
    calls.clear()
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() >= 400, timeout=3000)
    assert all(not count for _, count in calls)  # further pages never count again


def test_service_pages_sort_both_ways_without_gaps_and_can_skip_the_count(svc):
    """The list's SQL contract: pages of a sort with many ties join up exactly, both directions."""
    svc.customers.create_many([CustomerInput(name=f"客户{i:03d}", grade="ABCD"[i % 4], grade_manual=True)
                               for i in range(130)])

    def all_pages(descending: bool) -> list[int]:
        ids, offset = [], 0
        while True:
            page = svc.customers.list(ListQuery(sort="grade", descending=descending, offset=offset, limit=40),
                                      count=False)
            assert page.total == -1
            if not page.rows:
                return ids
            ids += [r.id for r in page.rows]
            offset += len(page.rows)

    up, down = all_pages(False), all_pages(True)
    assert len(set(up)) == 130 and down == up[::-1]
    assert svc.customers.list(ListQuery(limit=0)).total == 130


def test_enter_and_double_click_open_the_card(qtbot, main_window, svc):
    from ui.card_registry import CardRegistry

    first, second = _add(svc, "甲", "乙")
    page = _list(main_window, svc)
    page.table.setFocus()
    page.table.selectRow(page.model.row_of_id(first))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    registry = CardRegistry.of(main_window.ctx)
    qtbot.waitUntil(lambda: registry.find(first) is not None, timeout=5000)
    row = page.model.row_of_id(second)
    rect = page.table.visualRect(page.model.index(row, 1))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # a double-click
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())  # starts as a click
    qtbot.waitUntil(lambda: registry.find(second) is not None, timeout=5000)
    assert registry.find(second).customer_id == second
