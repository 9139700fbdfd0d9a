"""Dialogs for what grows on a card: 联系人/家属, 成交记录, 投诉, 生活事件.

Each `XDialog.ask(parent, ctx, ..., row=None)` returns an input checked by app.services.checks (the
same check the service runs), or None when cancelled; the caller saves it through the service.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QDateTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QWidget,
)

from app.enums import ComplaintStatus, ContactRole, DealState, LifeEvent, RenewalKind
from app.errors import ValidationError
from app.rows import (
    ComplaintInput,
    ComplaintRow,
    ContactInput,
    ContactRow,
    DealInput,
    DealRow,
    LifeEventInput,
    LifeEventRow,
)
from app.services.checks import check_complaint, check_contact, check_deal, check_life_event
from app.validate import parse_amount
from ui.card_dialog import FormDialog
from ui.card_form import choice_combo, fmt_amount, plain_text, read_widget, write_widget
from ui.context import AppContext
from ui.date_input import BirthdayInput, DateInput

RELATIONS = ("配偶", "儿子", "女儿", "父亲", "母亲", "岳父", "岳母", "公公", "婆婆", "兄弟", "姐妹",
             "总经理", "董事长", "采购负责人", "财务负责人", "秘书", "朋友")


def datetime_edit(value: datetime) -> QDateTimeEdit:
    """A date-time field shown as 2026-11-22 09:30, with a calendar popup."""
    edit = QDateTimeEdit(QDateTime(value))
    edit.setDisplayFormat("yyyy-MM-dd HH:mm")
    edit.setCalendarPopup(True)
    return edit


def today_of(ctx: AppContext) -> datetime:
    """Now, by the services' clock (tests set it)."""
    return ctx.svc.customers.now()


class ContactDialog(FormDialog[ContactInput]):
    """A contact person (决策人/业务联系人) or family member, with relation, birthday and profile."""

    def __init__(self, parent: QWidget | None, ctx: AppContext, row: ContactRow | None, kind: str) -> None:
        self._row, self._kind = row, kind
        title = self.tr("编辑联系人") if row else self.tr("添加联系人")
        super().__init__(parent, ctx, title)
        self.resize(560, 640)
        if row is not None:
            self._load(row)

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: AppContext, row: ContactRow | None = None, *,
            kind: str = "个人") -> ContactInput | None:
        """The contact entered, or None."""
        return cls(parent, ctx, row, kind).run()

    def _build_fields(self, form: QFormLayout) -> None:
        self.name_edit = self.field("联系人姓名", self.tr("姓名"), QLineEdit(), "姓名")
        self.role_combo = self.field("联系人角色", self.tr("角色"), choice_combo([r.value for r in ContactRole],
                                                                             blank=False))
        self.role_combo.setCurrentText(ContactRole.FAMILY if self._kind == "个人" else ContactRole.BUSINESS)
        self.relation_combo = self.field("关系", self.tr("关系"), choice_combo(RELATIONS, editable=True))
        self.gender_combo = self.field("性别", self.tr("性别"), choice_combo(("男", "女")))
        today = lambda: today_of(self.ctx).date()  # noqa: E731
        self.birthday_input = self.field("联系人生日", self.tr("生日"), BirthdayInput("联系人生日", today))
        self.mobile_edit = self.field("联系人手机", self.tr("手机"), QLineEdit())
        self.phone_edit = self.field("联系人电话", self.tr("电话"), QLineEdit())
        self.wechat_edit = self.field("微信", self.tr("微信"), QLineEdit())
        self.email_edit = self.field("联系人邮箱", self.tr("邮箱"), QLineEdit())
        self.title_edit = self.field("职务", self.tr("职务"), QLineEdit())
        self.profile_edit = self.field("履历", self.tr("履历"), plain_text(2))
        self.personality_edit = self.field("性格", self.tr("性格习惯"), plain_text(2))
        self.hobbies_edit = self.field("爱好", self.tr("爱好"), QLineEdit())
        self.notes_edit = self.field("备注", self.tr("备注"), plain_text(2))

    def _editors(self) -> dict[str, QWidget]:
        return {"name": self.name_edit, "role": self.role_combo, "relation": self.relation_combo,
                "gender": self.gender_combo, "birthday": self.birthday_input, "mobile": self.mobile_edit,
                "phone": self.phone_edit, "wechat": self.wechat_edit, "email": self.email_edit,
                "title": self.title_edit, "profile": self.profile_edit, "personality": self.personality_edit,
                "hobbies": self.hobbies_edit, "notes": self.notes_edit}

    def _load(self, row: ContactRow) -> None:
        for name, widget in self._editors().items():
            write_widget(widget, getattr(row, name))

    def _read(self) -> ContactInput:
        values = {name: read_widget(widget) for name, widget in self._editors().items()}
        return check_contact(ContactInput(**values))


class DealDialog(FormDialog[DealInput]):
    """A deal or policy: product, amount, start, the recurring date (周年/续期/续保/到期) and status."""

    def __init__(self, parent: QWidget | None, ctx: AppContext, row: DealRow | None) -> None:
        self._row = row
        super().__init__(parent, ctx, self.tr("编辑成交记录") if row else self.tr("添加成交记录"))
        self.resize(620, 420)
        if row is not None:
            self._load(row)
        else:
            self.start_input.set_value(today_of(ctx).date())

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: AppContext, row: DealRow | None = None) -> DealInput | None:
        """The deal entered, or None."""
        return cls(parent, ctx, row).run()

    def _build_fields(self, form: QFormLayout) -> None:
        today = lambda: today_of(self.ctx).date()  # noqa: E731
        self.product_edit = self.field("产品", self.tr("产品"), QLineEdit())
        self.product_edit.setPlaceholderText(self.tr("如：终身寿险、定期存款、加油卡充值"))
        self.amount_edit = self.field("金额", self.tr("金额(元)"), QLineEdit())
        self.amount_edit.setPlaceholderText(self.tr("如 12000 或 1.2万"))
        self.start_input = self.field("起始日期", self.tr("起始日期"), DateInput("起始日期", today))
        self.renewal_kind_combo = self.field("日期类型", self.tr("日期类型"),
                                             choice_combo([k.value for k in RenewalKind], blank=False))
        self.renewal_input = self.field("续期/周年日", self.tr("续期/周年日"), DateInput("续期/周年日", today))
        self.status_combo = self.field("状态", self.tr("状态"), choice_combo([s.value for s in DealState],
                                                                          blank=False))
        self.contract_edit = self.field("合同/保单号", self.tr("合同/保单号"), QLineEdit())
        self.notes_edit = self.field("备注", self.tr("备注"), plain_text(2))

    def _load(self, row: DealRow) -> None:
        self.product_edit.setText(row.product)
        self.amount_edit.setText(fmt_amount(row.amount).replace(",", ""))
        self.start_input.set_value(row.start_date)
        self.renewal_kind_combo.setCurrentText(row.renewal_kind)
        self.renewal_input.set_value(row.renewal_date)
        self.status_combo.setCurrentText(row.status)
        self.contract_edit.setText(row.contract_no)
        self.notes_edit.setPlainText(row.notes)

    def _read(self) -> DealInput:
        return check_deal(DealInput(
            product=self.product_edit.text().strip(), amount=parse_amount(self.amount_edit.text(), "金额"),
            start_date=self.start_input.value(), renewal_kind=self.renewal_kind_combo.currentText(),
            renewal_date=self.renewal_input.value(), status=self.status_combo.currentText(),
            contract_no=self.contract_edit.text().strip(), notes=self.notes_edit.toPlainText().strip(),
        ))


class ComplaintDialog(FormDialog[ComplaintInput]):
    """A complaint and its handling: 记录、处理、复查、反馈."""

    def __init__(self, parent: QWidget | None, ctx: AppContext, row: ComplaintRow | None) -> None:
        self._row = row
        super().__init__(parent, ctx, self.tr("处理投诉") if row else self.tr("记录投诉"))
        self.resize(560, 460)
        if row is not None:
            self._load(row)

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: AppContext,
            row: ComplaintRow | None = None) -> ComplaintInput | None:
        """The complaint entered, or None."""
        return cls(parent, ctx, row).run()

    def _build_fields(self, form: QFormLayout) -> None:
        self.received_edit = self.field("收到时间", self.tr("收到时间"), datetime_edit(today_of(self.ctx)))
        self.content_edit = self.field("投诉内容", self.tr("投诉内容"), plain_text(3))
        self.status_combo = self.field("处理状态", self.tr("处理状态"),
                                       choice_combo([s.value for s in ComplaintStatus], blank=False))
        self.resolution_edit = self.field("处理结果", self.tr("处理结果"), plain_text(3))
        checks = QWidget()
        row = QHBoxLayout(checks)
        row.setContentsMargins(0, 0, 0, 0)
        self.reviewed_check = QCheckBox(self.tr("已复查"))
        self.fed_back_check = QCheckBox(self.tr("已反馈给客户"))
        row.addWidget(self.reviewed_check)
        row.addWidget(self.fed_back_check)
        row.addStretch(1)
        self.field("复查与反馈", self.tr("复查与反馈"), checks)

    def _load(self, row: ComplaintRow) -> None:
        if row.received_at is not None:
            self.received_edit.setDateTime(QDateTime(row.received_at))
        self.content_edit.setPlainText(row.content)
        self.status_combo.setCurrentText(row.status)
        self.resolution_edit.setPlainText(row.resolution)
        self.reviewed_check.setChecked(row.reviewed)
        self.fed_back_check.setChecked(row.fed_back)

    def _read(self) -> ComplaintInput:
        status = self.status_combo.currentText()
        # keep the recorded resolution time while the complaint stays resolved; the service stamps new ones
        resolved_at = self._row.resolved_at if self._row and status in ("已解决", "已关闭") else None
        return check_complaint(ComplaintInput(
            content=self.content_edit.toPlainText().strip(), received_at=self.received_edit.dateTime().toPython(),
            status=status, resolution=self.resolution_edit.toPlainText().strip(), resolved_at=resolved_at,
            reviewed=self.reviewed_check.isChecked(), fed_back=self.fed_back_check.isChecked(),
        ))


class LifeEventDialog(FormDialog[LifeEventInput]):
    """A life event of the customer or a family member (乔迁、晋升、结婚、生子 …)."""

    def __init__(self, parent: QWidget | None, ctx: AppContext, row: LifeEventRow | None,
                 contacts: Sequence[ContactRow]) -> None:
        self._row, self._contacts = row, tuple(contacts)
        super().__init__(parent, ctx, self.tr("编辑生活事件") if row else self.tr("添加生活事件"))
        self.resize(560, 320)
        if row is not None:
            self._load(row)
        else:
            self.on_input.set_value(today_of(ctx).date())

    @classmethod
    def ask(cls, parent: QWidget | None, ctx: AppContext, row: LifeEventRow | None = None,
            contacts: Sequence[ContactRow] = ()) -> LifeEventInput | None:
        """The life event entered, or None."""
        return cls(parent, ctx, row, contacts).run()

    def _build_fields(self, form: QFormLayout) -> None:
        today = lambda: today_of(self.ctx).date()  # noqa: E731
        self.kind_combo = self.field("事件类型", self.tr("事件"), choice_combo([e.value for e in LifeEvent],
                                                                           blank=False))
        self.on_input = self.field("日期", self.tr("日期"), DateInput("日期", today))
        self.person_combo = QComboBox()
        self.person_combo.addItem(self.tr("客户本人"), None)
        for c in self._contacts:
            self.person_combo.addItem(f"{c.name}（{c.relation or c.role}）", c.id)
        self.field("涉及的人", self.tr("涉及的人"), self.person_combo)
        self.note_edit = self.field("说明", self.tr("说明"), plain_text(2))

    def _load(self, row: LifeEventRow) -> None:
        self.kind_combo.setCurrentText(row.kind)
        self.on_input.set_value(row.on)
        self.person_combo.setCurrentIndex(max(self.person_combo.findData(row.contact_id), 0))
        self.note_edit.setPlainText(row.note)

    def _read(self) -> LifeEventInput:
        on = self.on_input.value()
        if on is None:
            raise ValidationError("日期", self.tr("请填写日期"))
        return check_life_event(LifeEventInput(kind=self.kind_combo.currentText(), on=on,
                                               note=self.note_edit.toPlainText().strip(),
                                               contact_id=self.person_combo.currentData()))
