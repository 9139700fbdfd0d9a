"""The fixed vocabularies of a customer card, stored as the Chinese words salespeople use."""
from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """Individual or organisation customer."""

    PERSON = "个人"
    ORG = "单位"


class Grade(StrEnum):
    """Customer grade (ABC 清分)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class DealStatus(StrEnum):
    """Has the customer bought?"""

    CLOSED = "成交"
    PROSPECT = "未成交"


class Stage(StrEnum):
    """名单制营销五步, then the outcome."""

    IDENTIFY = "顾客识别"
    APPROACH = "主动接近"
    DISCOVER = "需求挖掘"
    PRESENT = "业务介绍"
    CLOSING = "意向判断"
    WON = "成交"
    LOST = "流失"


class Channel(StrEnum):
    """Preferred contact channel."""

    PHONE = "电话"
    SMS = "短信"
    WECHAT = "微信"
    EMAIL = "邮件"
    VISIT = "上门"


class Method(StrEnum):
    """How a visit or service was done."""

    VISIT = "亲自拜访"
    PHONE = "电话"
    SMS = "短信"
    WECHAT = "微信"
    EMAIL = "邮件"
    LETTER = "书信贺卡"
    GIFT = "礼仪专送"
    EVENT = "附加值服务"
    OTHER = "其他"


class ContactRole(StrEnum):
    """What a contact person is to the customer."""

    DECISION_MAKER = "决策人"
    BUSINESS = "业务联系人"
    FAMILY = "家属"
    OTHER = "其他"


class ComplaintStatus(StrEnum):
    """记录、处理、复查、反馈."""

    OPEN = "待处理"
    HANDLING = "处理中"
    RESOLVED = "已解决"
    CLOSED = "已关闭"


class DealState(StrEnum):
    """The state of a deal or policy held."""

    ACTIVE = "有效"
    PENDING = "待续"
    EXPIRED = "已到期"
    CANCELLED = "已终止"


class RenewalKind(StrEnum):
    """What the recurring date of a deal means."""

    ANNIVERSARY = "周年"
    PREMIUM = "续期"
    RENEWAL = "续保"
    EXPIRY = "到期"


class LifeEvent(StrEnum):
    """Life events: moments to congratulate and for repeat sales."""

    MOVE = "乔迁"
    PROMOTION = "晋升"
    MARRIAGE = "结婚"
    BIRTH = "生子"
    JOB = "换工作"
    RETIRE = "退休"
    OTHER = "其他"


class Tier(StrEnum):
    """Asset tiers (securities), by 万元 of assets."""

    LOW = "低端"
    MID_LOW = "中低端"
    MID_HIGH = "中高端"
    HIGH = "高端"


class Source(StrEnum):
    """Where the customer came from."""

    REFERRAL = "转介绍"
    COLD = "陌生拜访"
    NETWORK = "缘故关系"
    EVENT = "活动"
    ONLINE = "网络"
    WALK_IN = "上门咨询"
    OTHER = "其他"


def tier_for(asset_wan: float | None) -> str:
    """Asset tier: 低端 <5万 · 中低端 5–50万 · 中高端 50–300万 · 高端 ≥300万."""
    if asset_wan is None:
        return ""
    if asset_wan < 5:
        return Tier.LOW
    if asset_wan < 50:
        return Tier.MID_LOW
    if asset_wan < 300:
        return Tier.MID_HIGH
    return Tier.HIGH


SERVICE_LEVEL = {
    Tier.LOW: "基础服务",
    Tier.MID_LOW: "权益类服务",
    Tier.MID_HIGH: "一般附加值服务",
    Tier.HIGH: "高附加值服务",
}
