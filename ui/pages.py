"""The pages of the main window, in navigation order.

Each entry names a module and a class, imported only when the page is first shown. A page class is
constructed as `Page(ctx, parent)` and has `clear()` (called on lock: forget every row) and `reload()`
(fetch again: after unlock, F5, or when first shown). Swapping a "coming" page for the real one is a
one-line change here.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtWidgets import QWidget

from ui.context import AppContext


@dataclass(frozen=True)
class PageSpec:
    """One navigation entry: its title, module and class, and the tooltip of its entry."""

    title: str
    module: str
    cls: str
    hint: str = ""


PAGES: tuple[PageSpec, ...] = (
    PageSpec("客户", "ui.customer_list", "CustomerListPage", "全部客户卡：搜索、筛选、排序、批量操作"),
    PageSpec("待办", "ui.agenda_page", "AgendaPage", "今天和本周要联系的客户"),
    PageSpec("日历", "ui.calendar_page", "CalendarPage", "生日、节日、保单周年与约见"),
    PageSpec("统计", "ui.stats_page", "StatsPage", "客户结构与业绩来源"),
    PageSpec("回收站", "ui.recycle_bin", "RecycleBinPage", "删除的客户卡：恢复或彻底删除"),
)


class Page(Protocol):
    """What the main window needs from a page (it is also a QWidget)."""

    def clear(self) -> None:
        """Forget every row and typed word: the archive is being locked."""

    def reload(self) -> None:
        """Fetch again from the open archive."""


def build_page(spec: PageSpec, ctx: AppContext, parent: QWidget | None) -> QWidget:
    """Import the page's module and construct it as Page(ctx, parent)."""
    module = importlib.import_module(spec.module)
    page: QWidget = getattr(module, spec.cls)(ctx, parent)
    page.setObjectName(f"page_{spec.cls}")
    return page
