"""Validation and normalisation of inputs before they reach the archive."""
from __future__ import annotations

from dataclasses import replace

from app.enums import (
    Channel,
    ComplaintStatus,
    ContactRole,
    DealState,
    DealStatus,
    Kind,
    LifeEvent,
    Method,
    RenewalKind,
    Stage,
)
from app.errors import ValidationError
from app.grading import FACTOR_CHOICES, FACTOR_LABELS
from app.rows import (
    Birthday,
    ComplaintInput,
    ContactInput,
    CustomerInput,
    DealInput,
    LifeEventInput,
    VisitInput,
)
from app.validate import (
    check_email,
    check_postcode,
    check_range,
    check_solar_month_day,
    normalise_landline,
    normalise_mobile,
)


def _choice(value: str, allowed: type, field: str, *, blank_ok: bool = True) -> str:
    value = (value or "").strip()
    if not value and blank_ok:
        return ""
    if value not in {m.value for m in allowed}:
        options = "、".join(m.value for m in allowed)
        raise ValidationError(field, f"“{value}”不是可选值（可选：{options}）")
    return value


def check_birthday(b: Birthday | None, field: str = "生日") -> Birthday | None:
    """A 公历 birthday must exist (no 2月30日); a 农历 one must exist in its lunar year when given."""
    if b is None:
        return None
    if b.calendar == "solar":
        check_solar_month_day(b.month, b.day, b.year, field)
        if b.leap:
            raise ValidationError(field, "公历日期没有闰月")
        return b
    if b.calendar != "lunar":
        raise ValidationError(field, "请选择公历或农历")
    if not 1 <= b.month <= 12:
        raise ValidationError(field, f"农历没有{b.month}月")
    if not 1 <= b.day <= 30:
        raise ValidationError(field, f"农历没有{b.day}日（每月最多三十日）")
    if b.year is not None:
        from app.calendar.lunar import lunar_to_solar  # lazy: the calendar package is heavier

        lunar_to_solar(b.year, b.month, b.day, b.leap)
    return b


def _gender(value: str) -> str:
    value = (value or "").strip()
    if value in ("", "男", "女"):
        return value
    raise ValidationError("性别", f"“{value}”应为 男 或 女")


def check_customer(data: CustomerInput) -> CustomerInput:
    """Normalise and validate a card; raises ValidationError naming the field."""
    name = " ".join((data.name or "").split())
    if not name:
        raise ValidationError("姓名/名称", "不能为空")
    if len(name) > 100:
        raise ValidationError("姓名/名称", "太长（最多 100 字）")
    for key, choices in FACTOR_CHOICES.items():
        value = getattr(data, key)
        if value and value not in choices:
            raise ValidationError(FACTOR_LABELS[key], f"“{value}”应为 {' 或 '.join(choices)}")
    stage = _choice(data.stage, Stage, "阶段") or Stage.IDENTIFY
    if stage == Stage.LOST and not data.loss_reason.strip():
        raise ValidationError("流失原因", "阶段为“流失”时请写明原因")
    deal_status = _choice(data.deal_status, DealStatus, "成交状态") or DealStatus.PROSPECT
    if stage == Stage.WON:
        deal_status = DealStatus.CLOSED
    grade = (data.grade or "").strip().upper()
    if grade and grade not in "ABCD":
        raise ValidationError("等级", f"“{data.grade}”应为 A、B、C 或 D")
    if data.asset_wan is not None and data.asset_wan < 0:
        raise ValidationError("资产规模(万元)", "不能为负数")
    tags = tuple(dict.fromkeys(t.strip() for t in data.tags if t and t.strip()))
    if any(len(t) > 40 for t in tags):
        raise ValidationError("标签", "每个标签最多 40 字")
    return replace(
        data,
        name=name,
        kind=_choice(data.kind, Kind, "客户类型", blank_ok=False),
        card_no=(data.card_no or "").strip().upper(),
        gender=_gender(data.gender),
        birthday=check_birthday(data.birthday),
        mobile=normalise_mobile(data.mobile),
        phone=normalise_landline(data.phone),
        email=check_email(data.email),
        postcode=check_postcode(data.postcode),
        preferred_channel=_choice(data.preferred_channel, Channel, "首选联系方式"),
        employee_count=check_range(data.employee_count, 0, 10_000_000, "员工数量"),
        grade=grade,
        stage=stage,
        deal_status=deal_status,
        tags=tags,
        wechat=data.wechat.strip(),
        address=data.address.strip(),
        company=data.company.strip(),
    )


def check_contact(data: ContactInput) -> ContactInput:
    """Validate a contact person."""
    name = " ".join((data.name or "").split())
    if not name:
        raise ValidationError("联系人姓名", "不能为空")
    return replace(
        data,
        name=name,
        role=_choice(data.role, ContactRole, "联系人角色", blank_ok=False),
        gender=_gender(data.gender),
        birthday=check_birthday(data.birthday, "联系人生日"),
        mobile=normalise_mobile(data.mobile, "联系人手机"),
        phone=normalise_landline(data.phone, "联系人电话"),
        email=check_email(data.email, "联系人邮箱"),
    )


def check_deal(data: DealInput) -> DealInput:
    """Validate a deal."""
    if not data.product.strip():
        raise ValidationError("产品", "不能为空")
    if data.amount is not None and data.amount < 0:
        raise ValidationError("金额", "不能为负数")
    if data.start_date and data.renewal_date and data.renewal_date < data.start_date:
        raise ValidationError("续期/周年日", "不能早于起始日期")
    return replace(
        data,
        product=data.product.strip(),
        renewal_kind=_choice(data.renewal_kind, RenewalKind, "日期类型") or RenewalKind.ANNIVERSARY,
        status=_choice(data.status, DealState, "状态") or DealState.ACTIVE,
    )


def check_visit(data: VisitInput) -> VisitInput:
    """Validate a visit or service record."""
    method = _choice(data.method, Method, "方式", blank_ok=False)
    check_range(data.satisfaction, 1, 5, "满意度")
    if data.next_at is not None and data.next_at < data.at:
        raise ValidationError("下次约见时间", "不能早于本次拜访时间")
    next_method = _choice(data.next_method, Method, "下次方式")
    return replace(data, method=method, next_method=next_method)


def check_complaint(data: ComplaintInput) -> ComplaintInput:
    """Validate a complaint."""
    if not data.content.strip():
        raise ValidationError("投诉内容", "不能为空")
    status = _choice(data.status, ComplaintStatus, "处理状态") or ComplaintStatus.OPEN
    if status in (ComplaintStatus.RESOLVED, ComplaintStatus.CLOSED) and not data.resolution.strip():
        raise ValidationError("处理结果", "已解决或关闭的投诉请写明处理结果")
    return replace(data, status=status)


def check_life_event(data: LifeEventInput) -> LifeEventInput:
    """Validate a life event."""
    return replace(data, kind=_choice(data.kind, LifeEvent, "事件类型", blank_ok=False))
