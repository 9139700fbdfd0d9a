"""客户资料卡: the whole card as the paper card would be — every field (blank ones stay as space to
fill in), contacts, deals, every visit, complaints, life events, referrals and remarks.
"""
from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, Spacer

from app.progress import ProgressFn
from app.reports.blocks import TitleLine, data_table, field_grid, heading, para
from app.reports.common import DocInfo, Output, Section, SectionStart, build_pdf, fmt_date, run_sections
from app.reports.texts import birthday_text, dt_text, money, yes_no
from app.rows import CustomerCard
from app.services.printing import PrintDataService


def render_card(svc: object, customer_id: int, out: Output) -> None:
    """One customer's whole card into out (a path, written atomically, or a binary file)."""
    render_cards(svc, [customer_id], out)


def render_cards(svc: object, customer_ids: Sequence[int], out: Output, progress: ProgressFn | None = None) -> None:
    """Several cards in one PDF, each starting on a new page and numbered on its own."""

    cards = PrintDataService.of(svc).cards(list(dict.fromkeys(customer_ids)))
    story = run_sections(cards, progress, lambda index, card: card_story(card, index))
    info = DocInfo(title="客户资料卡", profile=svc.settings.profile(),  # type: ignore[attr-defined]
                   printed_on=svc.settings.clock().date())  # type: ignore[attr-defined]
    build_pdf(out, story, info, progress=progress, sections=len(cards))


def card_story(card: CustomerCard, index: int = 0) -> list[Flowable]:
    """The flowables of one whole card."""
    d = card.data
    story: list[Flowable] = [
        SectionStart(Section(f"{index}:c{card.id}", f"{card.name}（{card.card_no}）")),
        TitleLine(f"客户资料卡　{card.name}", f"统一编号 {card.card_no}"),
        *heading("基本信息"), field_grid(_basic(card)),
    ]
    if d.kind == "单位" or any(_org(card).values()):
        story += [*heading("单位情况"), field_grid(list(_org(card).items()))]
    story += [
        *heading("等级与来源"), field_grid(_classification(card)),
        *heading("需求与状况"), field_grid(_status(card), columns=1),
        *heading("购买决策人、业务联系人与家属"), _contacts(card),
        *heading("成交记录"), _deals(card),
        *heading(f"拜访与服务记录（共 {len(card.visits)} 次）"), _visits(card),
        *heading("投诉记录"), _complaints(card),
        *heading("人生大事"), _life_events(card),
        *heading("转介绍的客户"), _referrals(card),
        *heading("备注及其他"), field_grid([("备注", d.remarks)], columns=1),
        Spacer(1, 6),
        para(f"建卡人：{d.created_by or '—'}　建卡日期：{fmt_date(d.created_on) or '—'}　"
             f"最后修改：{dt_text(card.updated_at)}", "muted"),
    ]
    return story


def _basic(card: CustomerCard) -> list[tuple[str, str]]:
    d = card.data
    return [
        ("顾客名称", d.name), ("客户类型", d.kind), ("性别", d.gender), ("生日", birthday_text(d.birthday)),
        ("手机", d.mobile), ("电话", d.phone), ("微信", d.wechat), ("邮箱", d.email),
        ("地址", d.address), ("邮编", d.postcode), ("首选联系", d.preferred_channel), ("单位", d.company),
        ("职务", d.title), ("职业", d.occupation), ("结婚纪念日", fmt_date(d.wedding_date)),
        ("标签", "、".join(d.tags)),
    ]


def _org(card: CustomerCard) -> dict[str, str]:
    d = card.data
    return {
        "企业性质": d.org_nature, "员工数量": "" if d.employee_count is None else str(d.employee_count),
        "分支机构": yes_no(d.has_branches) if d.kind == "单位" or d.has_branches else "",
        "上级主管部门": d.parent_org, "经营范围": d.business_scope, "关联上下游": d.related_parties,
        "主要需求": d.main_needs, "目前消费": d.current_spend,
    }


def _classification(card: CustomerCard) -> list[tuple[str, str]]:
    d = card.data
    grade = f"{d.grade}（手动定级）" if d.grade and d.grade_manual else d.grade
    asset = f"{d.asset_wan} 万元" if d.asset_wan is not None else ""
    return [
        ("顾客等级", grade), ("成交状态", d.deal_status), ("经济条件", d.economy), ("需求意识", d.awareness),
        ("影响力", d.influence), ("影响力中心", yes_no(d.influence_center)), ("阶段", d.stage),
        ("流失原因", d.loss_reason), ("资产规模", asset), ("资产层级", card.asset_tier), ("来源", d.source),
        ("介绍人", card.referrer_name), ("竞争对手", d.competitor), ("对手合同到期", fmt_date(d.competitor_end)),
    ]


def _status(card: CustomerCard) -> list[tuple[str, str]]:
    d = card.data
    return [("需求状况", d.needs), ("财务状况", d.finance), ("经营状况", d.operations), ("采购状况", d.purchasing),
            ("信用状况", d.credit), ("对外关系", d.relations), ("性格习惯", d.personality), ("爱好", d.hobbies)]


def _contacts(card: CustomerCard) -> Flowable:
    rows = [(f"{c.name}（{c.gender}）" if c.gender else c.name, " · ".join(x for x in (c.role, c.relation) if x),
             birthday_text(c.birthday), "\n".join(x for x in (c.mobile, c.phone) if x),
             "\n".join(x for x in (c.wechat, c.email) if x), c.title,
             "\n".join(x for x in (c.profile, c.personality, c.hobbies, c.notes) if x))
            for c in card.contacts]
    return data_table(("姓名", "角色/关系", "生日", "手机/电话", "微信/邮箱", "职务", "履历、性格、爱好、备注"),
                      rows, (0.11, 0.11, 0.17, 0.14, 0.16, 0.09, 0.22), empty="（未记录）")


def _deals(card: CustomerCard) -> Flowable:
    rows = [(d.product, money(d.amount), fmt_date(d.start_date),
             f"{d.renewal_kind}\n{fmt_date(d.renewal_date)}" if d.renewal_date else d.renewal_kind,
             d.status, d.contract_no, d.notes) for d in card.deals]
    return data_table(("产品", "金额", "起始日期", "续期/周年", "状态", "合同/保单号", "备注"), rows,
                      (0.18, 0.12, 0.12, 0.12, 0.07, 0.17, 0.22), empty="（尚无成交）")


def _visits(card: CustomerCard) -> Flowable:
    rows = []
    for v in card.visits:
        content = "\n".join(x for x in (v.purpose and f"目的：{v.purpose}", v.content) if x)
        outcome = "\n".join(x for x in (v.result, v.learned and f"了解到：{v.learned}") if x)
        nxt = " ".join(x for x in (dt_text(v.next_at), v.next_place, v.next_agenda, v.next_method) if x)
        rows.append((dt_text(v.at), v.method, content, outcome,
                     "" if v.satisfaction is None else str(v.satisfaction), nxt))
    return data_table(("时间", "方式", "目的与内容", "结果与了解到的", "满意度", "下次约见"), rows,
                      (0.13, 0.09, 0.34, 0.2, 0.07, 0.17), empty="（尚无拜访记录）")


def _complaints(card: CustomerCard) -> Flowable:
    rows = [(dt_text(c.received_at), c.content, c.status, c.resolution, dt_text(c.resolved_at),
             f"复查：{yes_no(c.reviewed)}\n反馈：{yes_no(c.fed_back)}") for c in card.complaints]
    return data_table(("收到时间", "投诉内容", "状态", "处理结果", "解决时间", "复查/反馈"), rows,
                      (0.13, 0.3, 0.08, 0.26, 0.13, 0.1), empty="（无投诉）")


def _life_events(card: CustomerCard) -> Flowable:
    names = {c.id: c.name for c in card.contacts}
    rows = [(fmt_date(e.on), e.kind, names.get(e.contact_id or 0, card.name), e.note) for e in card.life_events]
    return data_table(("日期", "事件", "当事人", "说明"), rows, (0.14, 0.12, 0.16, 0.58), empty="（未记录）")


def _referrals(card: CustomerCard) -> Flowable:
    rows = [(r.card_no, r.name, r.deal_status) for r in card.referrals]
    return data_table(("客户编号", "姓名", "成交状态"), rows, (0.2, 0.5, 0.3), empty="（暂无）")
