"""基本信息: who the customer is, how to reach them, personal or organisation facts, and our relation.

Every editor is bound (by CustomerInput field name) to the card window's Binder, and registered with
its FieldErrors under the core's Chinese label (CUSTOMER_LABELS) so a ValidationError lands beside it.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QStringListModel, Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.enums import SERVICE_LEVEL, Channel, DealStatus, Kind, Source, Stage, tier_for
from app.errors import ValidationError
from app.rows import CUSTOMER_LABELS, ReferralRow
from app.validate import parse_amount
from ui.card_form import Binder, FieldErrors, add_field, choice_combo, muted_label, new_form, plain_text
from ui.context import AppContext
from ui.customer_picker import ReferrerField
from ui.date_input import BirthdayInput, DateInput

ORG_NATURES = ("国有企业", "民营企业", "外资企业", "合资企业", "集体企业", "事业单位", "政府机关", "社会团体",
               "个体工商户", "合作社", "其他")
_TAG_SPLIT = re.compile(r"[,，、;；\s]+")


def parse_int(widget: QWidget) -> int | None:
    """员工数量: digits or blank."""
    text = widget.text().strip().replace(",", "")  # type: ignore[attr-defined]
    if not text:
        return None
    if not text.isdigit():
        raise ValidationError(CUSTOMER_LABELS["employee_count"], f"“{text}”应为整数")
    return int(text)


def parse_asset(widget: QWidget) -> Any:
    """资产规模(万元) → Decimal or None."""
    return parse_amount(widget.text(), CUSTOMER_LABELS["asset_wan"])  # type: ignore[attr-defined]


def show_number(widget: QWidget, value: Any) -> None:
    """A number without a pointless '.00'."""
    text = "" if value is None else format(value, "f")
    widget.setText(text[:-3] if text.endswith(".00") else text)  # type: ignore[attr-defined]


def parse_tags(widget: QWidget) -> tuple[str, ...]:
    """'老客户、车险, 2025' → ('老客户', '车险', '2025')."""
    return tuple(t for t in _TAG_SPLIT.split(widget.text()) if t)  # type: ignore[attr-defined]


def show_tags(widget: QWidget, value: Sequence[str]) -> None:
    """Tags joined with 、."""
    widget.setText("、".join(value))  # type: ignore[attr-defined]


class TagCompleter(QCompleter):
    """Completes the tag being typed (the last one) from the tags already in the archive."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setModel(QStringListModel(self))
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_tags(self, tags: Sequence[str]) -> None:
        """The tags to offer."""
        self.model().setStringList(list(tags))  # type: ignore[attr-defined]

    def splitPath(self, path: str) -> list[str]:
        """Complete only the last tag."""
        return [_TAG_SPLIT.split(path)[-1]]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        """Keep the tags typed before and replace the last one with the completion."""
        text = self.widget().text()  # type: ignore[attr-defined]
        head = text[: len(text) - len(_TAG_SPLIT.split(text)[-1])]
        return head + str(index.data())


class BasicPage(QScrollArea):
    """The 基本信息 page: two calm columns of grouped fields."""

    referral_opened = Signal(int)  # a customer this one referred was double-clicked

    def __init__(self, ctx: AppContext, binder: Binder, errors: FieldErrors, today: Callable[[], date],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.binder, self.errors, self._today = ctx, binder, errors, today
        self._inner = QWidget()
        self.setWidget(self._inner)  # before it has children: groups are then built in place
        self.setWidgetResizable(True)
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    def _add(self, form: QFormLayout, name: str, text: str, widget: QWidget, parse: Any = None,
             show: Any = None, *aliases: str) -> Any:
        self.binder.bind(name, widget, parse, show)
        add_field(form, self.errors, CUSTOMER_LABELS[name], text, widget, *aliases)
        return widget

    def _build_widgets(self) -> None:
        self.identity_box = self._identity_group()
        self.person_box = self._person_group()
        self.org_box = self._org_group()
        self.relation_box = self._relation_group()
        self.card_box = self._card_group()
        self.referrals_box = QGroupBox(self.tr("由他/她介绍来的客户"), self._inner)
        self.referrals_list = QListWidget()
        self.referrals_list.setMaximumHeight(96)
        self.referrals_hint = muted_label(self.tr("单击打开客户卡"))
        box = QVBoxLayout(self.referrals_box)
        box.addWidget(self.referrals_list)
        box.addWidget(self.referrals_hint)

    def _group(self, title: str) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox(title, self._inner)
        form = new_form()
        box.setLayout(form)  # before the rows: each field is placed once, not moved again
        return box, form

    def _identity_group(self) -> QGroupBox:
        box, form = self._group(self.tr("身份与联系方式"))
        self.name_edit = self._add(form, "name", self.tr("姓名/名称"), QLineEdit())
        self.kind_combo = self._add(form, "kind", self.tr("客户类型"), choice_combo([k.value for k in Kind],
                                                                               blank=False))
        self.mobile_edit = self._add(form, "mobile", self.tr("手机"), QLineEdit())
        self.phone_edit = self._add(form, "phone", self.tr("电话"), QLineEdit())
        self.phone_edit.setPlaceholderText(self.tr("如 010-12345678"))
        self.wechat_edit = self._add(form, "wechat", self.tr("微信"), QLineEdit())
        self.email_edit = self._add(form, "email", self.tr("邮箱"), QLineEdit())
        self.address_edit = self._add(form, "address", self.tr("地址"), QLineEdit())
        self.postcode_edit = self._add(form, "postcode", self.tr("邮编"), QLineEdit())
        self.channel_combo = self._add(form, "preferred_channel", self.tr("首选联系方式"),
                                       choice_combo([c.value for c in Channel]))
        return box

    def _person_group(self) -> QGroupBox:
        box, form = self._group(self.tr("个人信息"))
        self.gender_combo = self._add(form, "gender", self.tr("性别"), choice_combo(("男", "女")))
        self.birthday_input = self._add(form, "birthday", self.tr("生日"), BirthdayInput("生日", self._today))
        self.occupation_edit = self._add(form, "occupation", self.tr("职业"), QLineEdit())
        self.company_edit = self._add(form, "company", self.tr("工作单位"), QLineEdit())
        self.title_edit = self._add(form, "title", self.tr("职务"), QLineEdit())
        self.wedding_input = self._add(form, "wedding_date", self.tr("结婚纪念日"),
                                       DateInput("结婚纪念日", self._today))
        self.hobbies_edit = self._add(form, "hobbies", self.tr("爱好"), QLineEdit())
        self.personality_edit = self._add(form, "personality", self.tr("性格习惯"), plain_text(2))
        self.personality_edit.setPlaceholderText(self.tr("性格、习惯、行事风格"))
        return box

    def _org_group(self) -> QGroupBox:
        box, form = self._group(self.tr("单位信息"))
        self.org_nature_combo = self._add(form, "org_nature", self.tr("企业性质"),
                                          choice_combo(ORG_NATURES, editable=True))
        self.scope_edit = self._add(form, "business_scope", self.tr("经营范围"), QLineEdit())
        self.branches_check = self._add(form, "has_branches", self.tr("分支机构"), QCheckBox(self.tr("有分支机构")))
        self.parent_org_edit = self._add(form, "parent_org", self.tr("上级主管部门"), QLineEdit())
        self.related_edit = self._add(form, "related_parties", self.tr("关联上下游"), plain_text(2))
        self.related_edit.setPlaceholderText(self.tr("供应商、经销商、代理商"))
        self.employees_edit = self._add(form, "employee_count", self.tr("员工数量"), QLineEdit(), parse_int,
                                        show_number)
        self.employees_edit.setValidator(QIntValidator(0, 10_000_000, self))
        self.main_needs_edit = self._add(form, "main_needs", self.tr("主要需求"), plain_text(2))
        self.spend_edit = self._add(form, "current_spend", self.tr("目前消费"), QLineEdit())
        return box

    def _relation_group(self) -> QGroupBox:
        box, form = self._group(self.tr("客户关系"))
        self.deal_status_combo = self._add(form, "deal_status", self.tr("成交状态"),
                                           choice_combo([s.value for s in DealStatus], blank=False))
        self.stage_combo = self._add(form, "stage", self.tr("阶段"), choice_combo([s.value for s in Stage],
                                                                               blank=False))
        self.loss_edit = self._add(form, "loss_reason", self.tr("流失原因"), QLineEdit())
        self.loss_edit.setPlaceholderText(self.tr("产品不称心、价格、区位、竞争对手合同未到期…"))
        self.source_combo = self._add(form, "source", self.tr("来源"), choice_combo([s.value for s in Source]))
        self.referrer_field = self._add(form, "referrer_id", self.tr("介绍人"), ReferrerField(self.ctx))
        self.influence_check = self._add(form, "influence_center", self.tr("影响力中心"),
                                         QCheckBox(self.tr("受人尊重、乐于介绍他人")))
        self.asset_edit = self.binder.bind("asset_wan", QLineEdit(), parse_asset, show_number)
        self.asset_edit.setPlaceholderText(self.tr("如 80 或 2.5"))
        self.tier_label = muted_label()
        asset_row = QWidget()
        row = QHBoxLayout(asset_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.asset_edit, 1)
        row.addWidget(self.tier_label, 1)
        add_field(form, self.errors, CUSTOMER_LABELS["asset_wan"], self.tr("资产规模(万元)"), asset_row)
        self.competitor_edit = self._add(form, "competitor", self.tr("竞争对手"), QLineEdit())
        self.competitor_edit.setPlaceholderText(self.tr("目前为其服务的同行"))
        self.competitor_end_input = self._add(form, "competitor_end", self.tr("对手合同到期"),
                                              DateInput(CUSTOMER_LABELS["competitor_end"], self._today))
        self.tags_edit = self._add(form, "tags", self.tr("标签"), QLineEdit(), parse_tags, show_tags)
        self.tags_edit.setPlaceholderText(self.tr("用顿号或逗号分开，如：老客户、车险"))
        self.tag_completer = TagCompleter(self)
        self.tags_edit.setCompleter(self.tag_completer)
        return box

    def _card_group(self) -> QGroupBox:
        box, form = self._group(self.tr("建卡信息"))
        self.card_no_edit = self._add(form, "card_no", self.tr("客户编号"), QLineEdit())
        self.card_no_edit.setPlaceholderText(self.tr("留空则保存时自动编号"))
        self.created_by_edit = self._add(form, "created_by", self.tr("建卡人"), QLineEdit())
        self.created_on_input = self._add(form, "created_on", self.tr("建卡日期"),
                                          DateInput(CUSTOMER_LABELS["created_on"], self._today))
        return box

    def _build_layout(self) -> None:
        grid = QGridLayout(self._inner)
        grid.setContentsMargins(16, 12, 16, 16)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(14)
        left, right = QVBoxLayout(), QVBoxLayout()
        for w in (self.identity_box, self.person_box, self.org_box):
            left.addWidget(w)
        for w in (self.relation_box, self.card_box, self.referrals_box):
            right.addWidget(w)
        left.addStretch(1)
        right.addStretch(1)
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.setFrameShape(QScrollArea.Shape.NoFrame)

    def _connect_signals(self) -> None:
        self.referrals_list.itemClicked.connect(self._open_referral)
        self.referrals_list.itemActivated.connect(self._open_referral)  # Enter from the keyboard
        self.referrer_field.picked.connect(self._on_referrer_picked)
        self.binder.changed.connect(self.refresh_derived)

    # ----- reacting ---------------------------------------------------------------------
    def refresh_derived(self) -> None:
        """Show the groups for the customer type, the asset tier, and whether 流失原因 applies."""
        person = self.kind_combo.currentText() != Kind.ORG
        self.person_box.setVisible(person)
        self.org_box.setVisible(not person)
        self.loss_edit.setEnabled(self.stage_combo.currentText() == Stage.LOST or bool(self.loss_edit.text()))
        try:
            asset = parse_amount(self.asset_edit.text(), CUSTOMER_LABELS["asset_wan"])
        except ValidationError:
            asset = None
        tier = tier_for(float(asset) if asset is not None else None)
        self.tier_label.setText(self.tr("{0} · {1}").format(tier, SERVICE_LEVEL[tier]) if tier else "")

    def _on_referrer_picked(self) -> None:
        if not self.source_combo.currentText():
            self.source_combo.setCurrentText(Source.REFERRAL)

    def set_own_id(self, customer_id: int | None) -> None:
        """The card's own id (a customer cannot be their own referrer); refreshes the tag choices."""
        self.referrer_field.own_id = customer_id
        self.tag_completer.set_tags([name for name, _count in self.ctx.svc.customers.tags()])

    def set_referrals(self, rows: Sequence[ReferralRow]) -> None:
        """The customers this one referred."""
        self.referrals_list.clear()
        for r in rows:
            item = QListWidgetItem(f"{r.name}　{r.card_no} · {r.deal_status}")
            item.setData(Qt.ItemDataRole.UserRole, r.id)
            self.referrals_list.addItem(item)
        self.referrals_box.setTitle(self.tr("由他/她介绍来的客户（{0}）").format(len(rows)))
        self.referrals_hint.setText(self.tr("单击打开客户卡") if rows else self.tr("还没有"))

    def _open_referral(self, item: QListWidgetItem) -> None:
        self.referral_opened.emit(int(item.data(Qt.ItemDataRole.UserRole)))
