"""记一笔: log a visit or service in a few keystrokes (type the content, Ctrl+Enter).

`VisitDialog.ask(parent, ctx, customer_id) -> VisitInput | None` asks; `log_visit(parent, ctx,
customer_id) -> int | None` asks, saves through svc.visits.log, tells the bus and returns the new id.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QDateTime
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLineEdit, QMessageBox, QWidget

from app.enums import Method
from app.errors import AppError
from app.rows import VisitInput, VisitRow
from app.services.checks import check_visit
from ui.card_dialog import FormDialog
from ui.card_form import choice_combo, plain_text
from ui.context import AppContext
from ui.record_dialogs import datetime_edit, today_of

logger = logging.getLogger(__name__)

_LAST_METHOD = "visit_dialog.last_method"  # remembered for this session only (ctx.extras)
SATISFACTION = ("", QT_TRANSLATE_NOOP("VisitDialog", "1 很不满意"), QT_TRANSLATE_NOOP("VisitDialog", "2 不满意"),
                QT_TRANSLATE_NOOP("VisitDialog", "3 一般"), QT_TRANSLATE_NOOP("VisitDialog", "4 满意"),
                QT_TRANSLATE_NOOP("VisitDialog", "5 非常满意"))


class VisitDialog(FormDialog[VisitInput]):
    """Method, time, content, result, satisfaction and the next appointment."""

    def __init__(self, parent: QWidget | None, ctx: AppContext, customer_id: int,
                 visit: VisitRow | None = None) -> None:
        self._customer_id, self._visit = customer_id, visit
        card = ctx.svc.customers.get(customer_id)
        self._contacts = card.contacts
        title = self.tr("记一笔 — {0}").format(card.name) if visit is None else self.tr("修改拜访记录 — {0}").format(
            card.name)
        super().__init__(parent, ctx, title)
        self.resize(600, 620)
        if visit is not None:
            self._load(visit)
        self.content_edit.setFocus()

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: AppContext, customer_id: int,
            visit: VisitRow | None = None) -> VisitInput | None:
        """The visit entered (checked), or None when cancelled; `visit` edits an existing record."""
        return cls(parent, ctx, customer_id, visit).run()

    def _build_fields(self, form: QFormLayout) -> None:
        now = today_of(self.ctx)
        self.method_combo = self.field("方式", self.tr("方式"), choice_combo([m.value for m in Method], blank=False))
        self.method_combo.setCurrentText(str(self.ctx.extras.get(_LAST_METHOD, Method.VISIT)))
        self.at_edit = self.field("时间", self.tr("时间"), datetime_edit(now))
        self.contact_combo = QComboBox()
        self.contact_combo.addItem(self.tr("客户本人"), None)
        for c in self._contacts:
            self.contact_combo.addItem(f"{c.name}（{c.relation or c.role}）", c.id)
        self.field("接触的人", self.tr("接触的人"), self.contact_combo)
        self.purpose_edit = self.field("目的", self.tr("目的"), QLineEdit())
        self.content_edit = self.field("内容", self.tr("访问情况"), plain_text(4))
        self.content_edit.setPlaceholderText(self.tr("谈了什么、客户怎么说"))
        self.result_edit = self.field("结果", self.tr("洽谈结果"), QLineEdit())
        self.learned_edit = self.field("了解到的关系", self.tr("了解到的情况"), QLineEdit())
        self.learned_edit.setPlaceholderText(self.tr("如：购买决策由谁做主、家庭变化"))
        self.satisfaction_combo = self.field("满意度", self.tr("满意度"), choice_combo([self.tr(s) if s else "" for s in SATISFACTION], blank=False))
        self._build_next_fields(now)

    def _build_next_fields(self, now: datetime) -> None:
        self.next_check = QCheckBox(self.tr("约好了下次见面"))
        self.field("下次约见", self.tr("下次约见"), self.next_check)
        self.next_at_edit = self.field("下次约见时间", self.tr("约见时间"), datetime_edit(now + timedelta(days=7)))
        self.next_place_edit = self.field("下次约见地点", self.tr("约见地点"), QLineEdit())
        self.next_agenda_edit = self.field("下次约见内容", self.tr("约见内容"), QLineEdit())
        self.next_method_combo = self.field("下次方式", self.tr("下次方式"), choice_combo([m.value for m in Method]))
        self._on_next_toggled(False)

    def _connect_signals(self) -> None:
        super()._connect_signals()
        self.next_check.toggled.connect(self._on_next_toggled)

    def _on_next_toggled(self, on: bool) -> None:
        for w in (self.next_at_edit, self.next_place_edit, self.next_agenda_edit, self.next_method_combo):
            w.setEnabled(on)

    def _load(self, v: VisitRow) -> None:
        self.method_combo.setCurrentText(v.method)
        self.at_edit.setDateTime(QDateTime(v.at))
        self.contact_combo.setCurrentIndex(max(self.contact_combo.findData(v.contact_id), 0))
        self.purpose_edit.setText(v.purpose)
        self.content_edit.setPlainText(v.content)
        self.result_edit.setText(v.result)
        self.learned_edit.setText(v.learned)
        self.satisfaction_combo.setCurrentIndex(v.satisfaction or 0)
        self.next_check.setChecked(v.next_at is not None)
        if v.next_at is not None:
            self.next_at_edit.setDateTime(QDateTime(v.next_at))
        self.next_place_edit.setText(v.next_place)
        self.next_agenda_edit.setText(v.next_agenda)
        self.next_method_combo.setCurrentText(v.next_method)

    def _read(self) -> VisitInput:
        has_next = self.next_check.isChecked()
        data = VisitInput(
            customer_id=self._customer_id, at=self.at_edit.dateTime().toPython().replace(second=0),
            method=self.method_combo.currentText(), purpose=self.purpose_edit.text().strip(),
            content=self.content_edit.toPlainText().strip(), result=self.result_edit.text().strip(),
            learned=self.learned_edit.text().strip(),
            satisfaction=self.satisfaction_combo.currentIndex() or None,
            next_at=self.next_at_edit.dateTime().toPython().replace(second=0) if has_next else None,
            next_place=self.next_place_edit.text().strip() if has_next else "",
            next_agenda=self.next_agenda_edit.text().strip() if has_next else "",
            next_method=self.next_method_combo.currentText() if has_next else "",
            contact_id=self.contact_combo.currentData(),
            touchpoint_key=self._visit.touchpoint_key if self._visit else "",
        )
        data = check_visit(data)
        self.ctx.extras[_LAST_METHOD] = data.method
        return data


def log_visit(parent: QWidget | None, ctx: AppContext, customer_id: int) -> int | None:
    """Ask for a visit, save it, tell the bus; the new visit's id, or None when cancelled or refused."""
    try:
        data = VisitDialog.ask(parent, ctx, customer_id)
        if data is None:
            return None
        visit_id = ctx.svc.visits.log(data)
    except AppError as err:  # e.g. the card was purged meanwhile
        QMessageBox.warning(parent, QCoreApplication.translate("VisitDialog", "记一笔"), str(err))
        return None
    logger.info("visit %s logged", visit_id)
    ctx.bus.records_changed.emit(customer_id)
    ctx.bus.customer_changed.emit(customer_id)  # 上次联系 / 下次约见 moved: the list row refreshes
    return visit_id
