"""年度服务计划书: the yearly service plan the salesperson hands to (and has signed by) the customer.

Cover, profile summary, the year's touchpoints month by month (from the touchpoint service) with the
regular visits of the grade's 联系周期, the grade's and asset tier's service commitments, value-added
services, and room for both signatures.  Internal notes (性格、财务、竞争对手) never appear here.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from app.calendar.engine import Touchpoint
from app.calendar.festivals import FESTIVALS
from app.enums import SERVICE_LEVEL
from app.grading import action_for
from app.progress import ProgressFn
from app.reports.blocks import cell, data_table, field_grid, heading, para, table_base
from app.reports.common import FRAME_W, DocInfo, Output, Section, SectionStart, build_pdf, run_sections
from app.reports.style import ACCENT, RULE, SHADE, esc, styles
from app.reports.templates import PlanTemplate, fill, plan_template, split_item
from app.reports.texts import birthday_text, md_text, money, salutation
from app.rows import CustomerCard
from app.services.printing import PrintDataService
from app.services.settings import SalesProfile

# What a customer-facing plan lists: no 定期拜访 due dates (replaced by the plan's regular visits), no
# competitor deadlines, no 清明 reminders.
PLAN_KINDS = frozenset({"appointment", "followup", "renewal", "birthday", "wedding", "life_event",
                        "deal_anniversary", "festival"})
_REMINDER_FESTIVALS = frozenset(key for key, _, greets in FESTIVALS if not greets)
TIER_SERVICES = {
    "基础服务": "业务咨询、账户与合同服务、定期资讯",
    "权益类服务": "基础服务之外，另享优先办理、专属活动名额等权益",
    "一般附加值服务": "权益类服务之外，另有定期检视、专题讲座、客户联谊",
    "高附加值服务": "一般附加值服务之外，另有一对一专属规划、答谢酒会、免费体检、客户旅游等",
}


@dataclass(frozen=True)
class PlanInputs:
    """Everything one plan needs besides the card."""

    year: int
    profile: SalesProfile
    template: PlanTemplate
    cadence_days: int
    touchpoints: tuple[Touchpoint, ...]


def render_plan(svc: object, customer_id: int, year: int, out: Output) -> None:
    """One customer's 年度服务计划书 for `year` into out (a path, written atomically, or a binary file)."""
    render_plans(svc, [customer_id], year, out)


def render_plans(svc: object, customer_ids: Sequence[int], year: int, out: Output,
                 progress: ProgressFn | None = None) -> None:
    """Plans for several customers in one PDF, each numbered on its own (raises NotFound for a bad id)."""
    profile = svc.settings.profile()  # type: ignore[attr-defined]
    cadence = svc.settings.cadence()  # type: ignore[attr-defined]
    cards = PrintDataService.of(svc).cards(list(dict.fromkeys(customer_ids)), last_visits=0)

    def part(index: int, card: CustomerCard) -> list[Flowable]:
        inputs = PlanInputs(year, profile, plan_template(svc, card.data.grade),
                            cadence.get(card.data.grade, cadence["D"]), tuple(plan_touchpoints(svc, card.id, year)))
        return plan_story(card, inputs, index)

    story = run_sections(cards, progress, part)
    info = DocInfo(title=f"{year}年度服务计划书", profile=profile, printed_on=svc.settings.clock().date(),  # type: ignore[attr-defined]
                   confidential=False)
    build_pdf(out, story, info, progress=progress, sections=len(cards))


def default_plan_year(today: date) -> int:
    """The year a new plan is for: this year, or next year once November starts (plans go out at year end)."""
    return today.year + 1 if today.month >= 11 else today.year


def plan_touchpoints(svc: object, customer_id: int, year: int) -> list[Touchpoint]:
    """The customer-facing touchpoints of a customer's year (greetings, anniversaries, appointments …)."""
    found = svc.touchpoints.for_customer(customer_id, date(year, 1, 1), date(year, 12, 31))  # type: ignore[attr-defined]
    return [t for t in found if t.kind in PLAN_KINDS and t.festival_key not in _REMINDER_FESTIVALS]


def visit_months(cadence_days: int) -> list[int]:
    """Months of the year's regular visits: 365 / 联系周期 visits (1 to 12), spread evenly."""
    count = max(1, min(12, round(365 / max(cadence_days, 1))))
    gap = 12 / count
    first = 1 + int((gap - 1) // 2)
    return sorted({min(12, first + int(i * gap)) for i in range(count)})


def plan_story(card: CustomerCard, inputs: PlanInputs, index: int = 0) -> list[Flowable]:
    """The flowables of one customer's plan, starting with its cover page (index: its place in a batch)."""
    section = Section(f"{index}:c{card.id}", f"{card.name}（{card.card_no}）")
    return [
        SectionStart(section, cover=True), *_cover(card, inputs), PageBreak(),
        *heading("一、客户概况"), *_profile(card),
        *heading("二、全年服务安排", "按月列出；具体时间会提前与您确认"), _months(card, inputs),
        *heading("三、服务承诺"), *_commitments(card, inputs),
        *heading("四、增值服务"), _value_added(inputs.template),
        _signatures(card, inputs),
    ]


def _cover(card: CustomerCard, inputs: PlanInputs) -> list[Flowable]:
    st, p, data = styles(), inputs.profile, card.data
    level = SERVICE_LEVEL.get(card.asset_tier, "")  # type: ignore[call-overload]
    rows = [
        ("客户", data.name), ("客户编号", card.card_no),
        ("服务等级", f"{data.grade} 类客户" if data.grade else "—"),
        ("资产层级", f"{card.asset_tier}（{level}）" if card.asset_tier else "—"),
        ("服务人员", " ".join(x for x in (p.name, p.title) if x) or "—"),
        ("联系电话", p.phone or "—"), ("微信", p.wechat or "—"),
        ("计划期间", f"{inputs.year}年1月1日 — {inputs.year}年12月31日"),
    ]
    table = Table([[para(k, "label"), para(v, "body")] for k, v in rows], colWidths=[28 * mm, 82 * mm])
    table.setStyle(TableStyle([*table_base(), ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    intro = fill(inputs.template.intro, customer=data.name, salutation=salutation(card), year=inputs.year,
                 salesperson=p.name)
    letter = Table([[Paragraph(esc(intro), _letter_style())]], colWidths=[FRAME_W - 20 * mm])
    letter.setStyle(TableStyle([*table_base(), ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                                ("LEFTPADDING", (0, 0), (-1, -1), 14),
                                ("RIGHTPADDING", (0, 0), (-1, -1), 14), ("TOPPADDING", (0, 0), (-1, -1), 12),
                                ("BOTTOMPADDING", (0, 0), (-1, -1), 12),
                                ("LINEABOVE", (0, 0), (-1, 0), 1.2, ACCENT)]))
    return [
        Spacer(1, 26 * mm), Paragraph(esc(p.company), st.cover_company) if p.company else Spacer(1, 4 * mm),
        Spacer(1, 6 * mm), Paragraph(esc(f"{inputs.year} 年度服务计划书"), st.cover_title), Spacer(1, 5 * mm),
        Paragraph(esc(f"为 {salutation(card)} 专属定制"), st.cover_line), Spacer(1, 16 * mm),
        table, Spacer(1, 14 * mm), letter,
    ]


def _letter_style() -> ParagraphStyle:
    return ParagraphStyle("letter", parent=styles().body, fontSize=10.5, leading=18)


def _profile(card: CustomerCard) -> list[Flowable]:
    data = card.data
    pairs = [("客户", data.name), ("客户编号", card.card_no), ("生日", birthday_text(data.birthday)),
             ("结婚纪念日", md_text(data.wedding_date) if data.wedding_date else ""),
             ("职业", data.occupation), ("单位/职务", " ".join(x for x in (data.company, data.title) if x))]
    needs = [(label, text) for label, text in (("需求状况", data.needs), ("主要需求", data.main_needs)) if text]
    deals = [(d.product, money(d.amount), d.start_date.isoformat() if d.start_date else "",
              f"{d.renewal_kind} {md_text(d.renewal_date)}" if d.renewal_date else "", d.status)
             for d in card.deals if d.status in ("有效", "待续")]
    return [
        field_grid([(label, text) for label, text in pairs if text]),  # the customer's copy: no empty boxes
        *([field_grid(needs, columns=1)] if needs else []), Spacer(1, 4),
        *heading("持有产品与服务", size=10), data_table(("产品", "金额", "起始日期", "周年/续期", "状态"), deals,
                                                 (0.34, 0.16, 0.16, 0.2, 0.14), empty="（暂无）"),
        *heading("家庭重要日子", size=10), data_table(("姓名", "关系", "日子", "日期"), _family_dates(card),
                                               (0.22, 0.18, 0.2, 0.4), empty="（暂无记录）"),
    ]


def _family_dates(card: CustomerCard) -> list[tuple[str, str, str, str]]:
    data = card.data
    rows = []
    if data.birthday is not None:
        rows.append((data.name, "本人", "生日", birthday_text(data.birthday)))
    if data.wedding_date is not None:
        rows.append((data.name, "本人", "结婚纪念日", md_text(data.wedding_date)))
    for contact in card.contacts:
        if contact.birthday is not None:
            rows.append((contact.name, contact.relation or contact.role, "生日", birthday_text(contact.birthday)))
    return rows


def _months(card: CustomerCard, inputs: PlanInputs) -> Flowable:
    by_month: dict[int, list[tuple[str, str, str, str]]] = {m: [] for m in range(1, 13)}
    for month in visit_months(inputs.cadence_days):
        by_month[month].append(("本月内", f"定期拜访：{inputs.template.visit_topic}", inputs.template.visit_method,
                                "—"))
    for tp in inputs.touchpoints:
        by_month[tp.date.month].append((md_text(tp.date), tp.title, tp.method or "—", tp.gift or "—"))
    widths = [w * FRAME_W for w in (0.13, 0.47, 0.16, 0.24)]
    data: list[list[object]] = [[cell(h, w, "cell_head") for h, w in zip(("日期", "服务事项", "方式", "礼品/问候"), widths,
                                                                         strict=True)]]
    month_rows = []
    for month, items in by_month.items():
        month_rows.append(len(data))
        data.append([cell(f"{month}月", FRAME_W, "month"), cell("", widths[1]), cell("", widths[2]), cell("", widths[3])])
        for row in items or [("", "电话、微信保持日常联系", "", "")]:
            data.append([cell(v, w) for v, w in zip(row, widths, strict=True)])
    table = Table(data, colWidths=widths, repeatRows=1, splitByRow=1, splitInRow=1)
    commands: list[tuple] = [
        *table_base(), ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BACKGROUND", (0, 0), (-1, 0), SHADE),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, ACCENT), ("LINEBELOW", (0, 0), (-1, -1), 0.35, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    for r in month_rows:
        commands += [("SPAN", (0, r), (-1, r)), ("LINEBELOW", (0, r), (-1, r), 0.6, ACCENT),
                     ("TOPPADDING", (0, r), (-1, r), 6)]
    table.setStyle(TableStyle(commands))
    return table


def _commitments(card: CustomerCard, inputs: PlanInputs) -> list[Flowable]:
    template, data = inputs.template, card.data
    visits = len(visit_months(inputs.cadence_days))
    grade = f"{data.grade} 类客户" if data.grade else "客户"
    out: list[Flowable] = [para(f"服务等级：{grade}（全年定期拜访 {visits} 次）", "body")]
    out += [Paragraph(esc(item), _bullet_style(), bulletText="•") for item in template.commitments]
    level = SERVICE_LEVEL.get(card.asset_tier, "")  # type: ignore[call-overload]
    if level:
        out += [Spacer(1, 4), para(f"资产层级：{card.asset_tier} · {level}", "body"),
                Paragraph(esc(TIER_SERVICES[level]), _bullet_style(), bulletText="•")]
    focus = action_for(data.grade, closed=data.deal_status == "成交") if template.show_focus else ""
    if focus:
        out += [Spacer(1, 4), para(f"本年度服务重点：{focus}", "body")]
    return out


def _bullet_style() -> ParagraphStyle:
    return ParagraphStyle("bullet", parent=styles().body, leftIndent=14, bulletIndent=3, spaceBefore=1)


def _value_added(template: PlanTemplate) -> Flowable:
    rows = [split_item(line) for line in template.value_added]
    return data_table(("项目", "安排"), rows, (0.26, 0.74), empty="（本年度暂无安排）")


def _signatures(card: CustomerCard, inputs: PlanInputs) -> Flowable:
    closing = fill(inputs.template.closing, customer=card.name, salutation=salutation(card), year=inputs.year,
                   salesperson=inputs.profile.name)
    line = "____年____月____日"
    rows = [[para("客户签名", "body"), para(""), para("服务人员签名", "body"), para("")],
            [para("日期", "body"), para(line, "body"), para("日期", "body"), para(line, "body")]]
    widths = [w * FRAME_W for w in (0.14, 0.34, 0.18, 0.34)]
    table = Table(rows, colWidths=widths, rowHeights=[16 * mm, 10 * mm])
    table.setStyle(TableStyle([*table_base(), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                               ("LINEBELOW", (1, 0), (1, 0), 0.6, ACCENT), ("LINEBELOW", (3, 0), (3, 0), 0.6, ACCENT)]))
    return KeepTogether([Spacer(1, 8 * mm), Paragraph(esc(closing), _letter_style()), Spacer(1, 6 * mm), table])
