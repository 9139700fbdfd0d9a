"""Service-plan templates per grade, kept in the archive's settings and editable in 设置 → 打印.

The intro and closing may use {客户} {称呼} {年份} {服务人员}; they are replaced when the plan is printed.
How often the regular visits happen comes from the grade's 联系周期 (settings.cadence), not from here.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from app.errors import ValidationError

SETTINGS_KEY = "print_plan_templates"
GRADES = ("A", "B", "C", "D")
PLACEHOLDERS = ("{客户}", "{称呼}", "{年份}", "{服务人员}")
MAX_TEXT = 800
MAX_ITEMS = 20
MAX_ITEM = 120


@dataclass(frozen=True)
class PlanTemplate:
    """What a grade's 年度服务计划书 promises, in the salesperson's words."""

    grade: str
    intro: str
    commitments: tuple[str, ...]
    visit_topic: str
    visit_method: str
    value_added: tuple[str, ...]  # "活动：安排" lines
    closing: str
    show_focus: bool = True  # print the grade's 服务重点 (app.grading.action_for)


_INTRO = ("尊敬的{称呼}：\n感谢您一直以来的信任与支持！新的一年，我为您准备了这份专属服务计划，"
          "列出{年份}年的拜访、问候与增值服务安排。{intro_extra}如有任何需要，请随时与我联系。")
_CLOSING = "以上安排将根据您的需要随时调整，重要变动会提前与您沟通。感谢您的信任，祝您和家人{年份}年平安顺遂！"

DEFAULTS: dict[str, PlanTemplate] = {
    "A": PlanTemplate(
        "A", _INTRO.replace("{intro_extra}", "我会定期上门拜访，为您和家人检视保障与资产配置，重要日子必定到场祝福。"),
        ("每月至少一次上门拜访或面谈，定期检视保障与资产配置", "生日、结婚纪念日等重要日子登门送上祝福与心意",
         "重要节日电话或上门问候", "保单/合同周年、续期提前提醒并协助办理", "理赔、保全等服务需求当天响应、全程协助",
         "公司重大消息和新产品第一时间告知"),
        "保障与资产检视、家庭需求沟通", "上门拜访",
        ("客户答谢酒会：每年年底，诚邀您与家人出席", "免费体检：每年一次，合作机构健康体检",
         "客户联谊会：每季度主题活动（茶艺、读书、运动等）", "亲子活动：暑期亲子课堂与户外活动",
         "专题讲座：健康养生、财富规划、子女教育", "客户旅游：年度客户旅游活动（名额有限，另行通知）"),
        _CLOSING),
    "B": PlanTemplate(
        "B", _INTRO.replace("{intro_extra}", "我会定期与您见面沟通，及时为您检视保障，节日和生日送上问候。"),
        ("每季度至少一次拜访或面谈", "生日、重要节日电话问候并寄送贺卡", "保单/合同周年、续期提前提醒",
         "服务需求 24 小时内响应", "新产品与重要资讯及时告知"),
        "保障检视与需求沟通", "上门拜访或面谈",
        ("客户联谊会：每半年一次主题活动", "专题讲座：健康养生、财富规划", "亲子活动：暑期亲子课堂",
         "免费体检：合作机构体检优惠名额"),
        _CLOSING),
    "C": PlanTemplate(
        "C", _INTRO.replace("{intro_extra}", "我会定期与您联系，了解您的近况与需要。"),
        ("每半年至少一次拜访或电话沟通", "生日、春节、中秋送上问候", "保单/合同周年、续期提前提醒", "服务需求及时响应"),
        "了解近况与需求", "电话或面谈",
        ("专题讲座：健康养生、财富规划", "客户联谊会：年度联谊活动"),
        _CLOSING),
    "D": PlanTemplate(
        "D", _INTRO.replace("{intro_extra}", "我会每年至少与您见面一次，节日送上问候。"),
        ("每年至少见面一次", "春节、中秋送上问候", "服务需求及时响应"),
        "近况了解与需求沟通", "面谈",
        ("专题讲座：欢迎参加公开讲座",),
        _CLOSING),
}


def plan_templates(svc: Any) -> dict[str, PlanTemplate]:
    """Every grade's template: the stored one, or the default where none is stored (or it is unreadable)."""
    stored = svc.settings.get(SETTINGS_KEY, {}) or {}
    return {g: _from_stored(g, stored.get(g)) for g in GRADES}


def plan_template(svc: Any, grade: str) -> PlanTemplate:
    """The template for a grade; a customer without a grade gets D's."""
    return plan_templates(svc)[grade if grade in GRADES else "D"]


def save_plan_template(svc: Any, template: PlanTemplate) -> PlanTemplate:
    """Validate and store one grade's template; returns what was stored."""
    template = check_template(template)
    stored = dict(svc.settings.get(SETTINGS_KEY, {}) or {})
    stored[template.grade] = _to_stored(template)
    svc.settings.set(SETTINGS_KEY, stored)
    return template


def reset_plan_template(svc: Any, grade: str) -> PlanTemplate:
    """Forget a grade's edited template; returns the default now in force."""
    stored = dict(svc.settings.get(SETTINGS_KEY, {}) or {})
    if stored.pop(grade, None) is not None:
        svc.settings.set(SETTINGS_KEY, stored)
    return DEFAULTS[grade]


def check_template(t: PlanTemplate) -> PlanTemplate:
    """Trim and validate; ValidationError names the part of the template in Chinese."""
    if t.grade not in GRADES:
        raise ValidationError("计划书模板", f"等级应为 A、B、C 或 D，不是“{t.grade}”")
    where = f"{t.grade} 类计划书模板"
    intro, closing = t.intro.strip(), t.closing.strip()
    for label, text in (("致客户的话", intro), ("结束语", closing)):
        if len(text) > MAX_TEXT:
            raise ValidationError(f"{where}·{label}", f"最多 {MAX_TEXT} 字（现在 {len(text)} 字）")
    commitments = _items(t.commitments, f"{where}·服务承诺")
    value_added = _items(t.value_added, f"{where}·增值服务")
    if not commitments:
        raise ValidationError(f"{where}·服务承诺", "至少写一条")
    topic, method = t.visit_topic.strip(), t.visit_method.strip()
    for label, text in (("定期拜访内容", topic), ("定期拜访方式", method)):
        if not text:
            raise ValidationError(f"{where}·{label}", "不能为空")
        if len(text) > MAX_ITEM:
            raise ValidationError(f"{where}·{label}", f"最多 {MAX_ITEM} 字")
    return replace(t, intro=intro, closing=closing, commitments=commitments, value_added=value_added,
                   visit_topic=topic, visit_method=method)


def fill(text: str, *, customer: str, salutation: str, year: int, salesperson: str) -> str:
    """Replace the placeholders of an intro or closing."""
    values = {"{客户}": customer, "{称呼}": salutation, "{年份}": str(year), "{服务人员}": salesperson or "我"}
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def split_item(line: str) -> tuple[str, str]:
    """'活动：安排' → ('活动', '安排'); a line without a colon is all name."""
    for sep in ("：", ":"):
        if sep in line:
            name, _, rest = line.partition(sep)
            return name.strip(), rest.strip()
    return line.strip(), ""


def _same_kind(base: object, value: object) -> bool:
    if isinstance(base, bool):
        return isinstance(value, bool)
    return isinstance(base, str) and isinstance(value, str) and bool(value.strip())


def _items(lines: tuple[str, ...], where: str) -> tuple[str, ...]:
    items = tuple(line.strip() for line in lines if line.strip())
    if len(items) > MAX_ITEMS:
        raise ValidationError(where, f"最多 {MAX_ITEMS} 条（现在 {len(items)} 条）")
    for number, item in enumerate(items, 1):
        if len(item) > MAX_ITEM:
            raise ValidationError(where, f"第 {number} 条太长：最多 {MAX_ITEM} 字")
    return items


def _to_stored(t: PlanTemplate) -> dict[str, Any]:
    data = asdict(t)
    data.pop("grade")
    data["commitments"], data["value_added"] = list(t.commitments), list(t.value_added)
    return data


def _from_stored(grade: str, raw: object) -> PlanTemplate:
    """A stored template; anything missing or malformed falls back to the default, field by field."""
    default = DEFAULTS[grade]
    if not isinstance(raw, dict):
        return default
    values: dict[str, Any] = {}
    for f in fields(PlanTemplate):
        value = raw.get(f.name)
        base = getattr(default, f.name)
        if f.name == "grade":
            continue
        if isinstance(base, tuple) and isinstance(value, list) and all(isinstance(v, str) for v in value):
            values[f.name] = tuple(value)
        elif _same_kind(base, value):
            values[f.name] = value
    return replace(default, **values)
