"""拜访单: what to carry to a visit — one customer per page (more when needed), a batch in one PDF.

Card summary, decision maker and contacts with phones, deals with their next dates, the last five
visits, OPEN COMPLAINTS (set apart in red), dates due in the next 30 days, needs and talking points,
then ruled space to write the visit down by hand.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from app.calendar.engine import Touchpoint
from app.enums import Stage
from app.grading import action_for
from app.progress import ProgressFn
from app.reports.blocks import TitleLine, data_table, field_grid, heading, para
from app.reports.common import DocInfo, Output, Section, SectionStart, build_pdf, fmt_date, run_sections
from app.reports.forms import MIN_HEIGHT, VisitForm
from app.reports.style import WARN, WARN_BG, esc, styles
from app.reports.texts import attention_of, birthday_text, dt_text, md_text, money, next_deal_date
from app.rows import CustomerCard, VisitRow
from app.services.printing import PrintDataService

DUE_DAYS = 30
LAST_VISITS = 5
BATCH_AT = 20  # more customers than this: one engine run over everyone beats one run each
# Shown elsewhere on the sheet (下次约见) or the reason for the visit itself (定期拜访).
_NOT_DUE_KINDS = frozenset({"appointment", "cadence"})
_ROLE_ORDER = {"决策人": 0, "业务联系人": 1, "家属": 2}
_PIPELINE = [Stage.IDENTIFY, Stage.APPROACH, Stage.DISCOVER, Stage.PRESENT, Stage.CLOSING, Stage.WON]


@dataclass(frozen=True)
class SheetInputs:
    """One customer's card and the dates due for them."""

    card: CustomerCard
    due: tuple[Touchpoint, ...]
    today: date


def render_visit_sheets(svc: object, customer_ids: Sequence[int], out: Output, today: date | None = None,
                        progress: ProgressFn | None = None) -> None:
    """Visit sheets for the customers, in the given order, into one PDF (NotFound for a bad id)."""
    today = today or svc.settings.clock().date()  # type: ignore[attr-defined]
    cards = PrintDataService.of(svc).cards(list(dict.fromkeys(customer_ids)), last_visits=LAST_VISITS)
    due = dates_due(svc, [c.id for c in cards], today)
    story = run_sections(cards, progress, lambda i, card: sheet_story(SheetInputs(card, due.get(card.id, ()), today), i))
    info = DocInfo(title="拜访单", profile=svc.settings.profile(),  # type: ignore[attr-defined]
                   printed_on=svc.settings.clock().date())  # type: ignore[attr-defined]
    build_pdf(out, story, info, progress=progress, sections=len(cards))


def dates_due(svc: object, customer_ids: Sequence[int], today: date) -> dict[int, tuple[Touchpoint, ...]]:
    """Each customer's touchpoints in the next DUE_DAYS days (one engine run for a big batch)."""
    end = today + timedelta(days=DUE_DAYS)
    tps = svc.touchpoints  # type: ignore[attr-defined]
    if len(customer_ids) <= BATCH_AT:
        found = [t for cid in customer_ids for t in tps.for_customer(cid, today, end, today)]
    else:
        wanted = set(customer_ids)
        found = [t for t in tps.between(today, end, today) if t.customer_id in wanted]
    due: dict[int, list[Touchpoint]] = {}
    for t in found:
        if t.kind not in _NOT_DUE_KINDS and today <= t.date <= end:
            due.setdefault(t.customer_id, []).append(t)
    return {cid: tuple(items) for cid, items in due.items()}


def customers_with_appointments_on(svc: object, day: date) -> list[int]:
    """Customers with an appointment (下次约见) on `day`, in order of the time agreed."""
    found = svc.touchpoints.between(day, day, kinds=("appointment",))  # type: ignore[attr-defined]
    ordered = sorted(found, key=lambda t: (t.at or t.date, t.customer_name))
    return list(dict.fromkeys(t.customer_id for t in ordered))


def sheet_story(inputs: SheetInputs, index: int = 0) -> list[Flowable]:
    """The flowables of one customer's visit sheet (index: its place in the batch, for page numbers)."""
    card = inputs.card
    data = card.data
    grade = f"{data.grade}类" if data.grade else "未定级"
    stage = "" if data.stage == data.deal_status else f" · {data.stage}"
    details = f"{card.card_no} · {data.kind} · {grade} · {data.deal_status}{stage}"
    return [
        SectionStart(Section(f"{index}:c{card.id}", f"{card.name}（{card.card_no}）")),
        TitleLine(f"拜访单　{card.name}", details),
        *_summary(card),
        *heading("决策人与联系人"), _contacts(card),
        *heading("成交记录"), _deals(card, inputs.today),
        *heading("最近五次拜访"), _visits(card.visits[:LAST_VISITS]),
        *_complaints(card),
        *heading(f"{DUE_DAYS} 天内的重要日子", f"{fmt_date(inputs.today)} 起"), _due(inputs.due),
        *heading("需求与谈话要点"), *_needs(inputs),
        *heading("本次拜访记录（手写）", need=MIN_HEIGHT + 9 * mm), VisitForm(),
    ]


def _summary(card: CustomerCard) -> list[Flowable]:
    """The card's essentials, three to a row, long ones full width; blank fields are left out."""
    d = card.data
    short = [
        ("手机", d.mobile), ("电话", d.phone), ("微信", d.wechat), ("单位", d.company),
        ("职务/职业", " / ".join(x for x in (d.title, d.occupation) if x)), ("首选联系", d.preferred_channel),
        ("生日", birthday_text(d.birthday)), ("结婚纪念日", fmt_date(d.wedding_date)), ("资产层级", card.asset_tier),
        ("上次联系", dt_text(card.last_contact_at)), ("邮箱", d.email),
        ("来源", f"{d.source}（介绍人：{card.referrer_name}）" if card.referrer_name else d.source),
        ("联系人", attention_of(card)),
    ]
    long = [("地址", " ".join(x for x in (d.postcode, d.address) if x)), ("下次约见", _appointment_text(card)),
            ("性格习惯", "；".join(x for x in (d.personality, d.hobbies and f"爱好：{d.hobbies}") if x))]
    out: list[Flowable] = []
    short = [(label, value) for label, value in short if value]
    long = [(label, value) for label, value in long if value]
    if short:
        out.append(field_grid(short, columns=3, label_mm=18))
    if long:
        out.append(field_grid(long, columns=1, label_mm=18))
    return out


def _appointment_text(card: CustomerCard) -> str:
    for visit in card.visits:
        if visit.next_at is not None:
            parts = [dt_text(visit.next_at), visit.next_place, visit.next_agenda]
            return " ".join(p for p in parts if p)
    return ""


def _contacts(card: CustomerCard) -> Flowable:
    contacts = sorted(card.contacts, key=lambda c: (_ROLE_ORDER.get(c.role, 3), c.id))
    rows = [(c.name, " / ".join(x for x in (c.role, c.relation) if x and x != "其他") or c.role,
             c.mobile, " ".join(x for x in (c.phone, c.wechat and f"微信 {c.wechat}") if x), c.title,
             "；".join(x for x in (c.personality, c.hobbies, c.notes) if x)) for c in contacts]
    return data_table(("姓名", "角色/关系", "手机", "电话/微信", "职务", "性格爱好/备注"), rows,
                      (0.13, 0.14, 0.15, 0.19, 0.13, 0.26), empty="（未记录联系人）")


def _deals(card: CustomerCard, today: date) -> Flowable:
    rows = []
    for d in card.deals:
        nxt = next_deal_date(d, today)
        rows.append((d.product, money(d.amount), fmt_date(d.start_date),
                     f"{d.renewal_kind} {fmt_date(nxt)}" if nxt else "", d.status, d.contract_no))
    return data_table(("产品", "金额", "起始日期", "下个日期", "状态", "合同/保单号"), rows,
                      (0.27, 0.14, 0.13, 0.19, 0.09, 0.18), empty="（尚无成交）")


def _visits(visits: Sequence[VisitRow]) -> Flowable:
    rows = [(dt_text(v.at), v.method, "；".join(x for x in (v.purpose, v.content) if x), v.result,
             " ".join(x for x in (dt_text(v.next_at), v.next_agenda) if x)) for v in visits]
    return data_table(("时间", "方式", "目的与内容", "结果", "约定下次"), rows,
                      (0.17, 0.1, 0.35, 0.16, 0.22), empty="（尚无拜访记录）")


def _complaints(card: CustomerCard) -> list[Flowable]:
    open_ = card.open_complaints
    if not open_:
        return [*heading("未结投诉", need=15 * mm), para("无未结投诉。", "muted")]
    rows = [(dt_text(c.received_at), c.content, c.status, c.resolution) for c in open_]
    table = data_table(("收到时间", "投诉内容", "状态", "处理进展"), rows, (0.17, 0.43, 0.1, 0.3),
                       extra=[("BACKGROUND", (0, 1), (-1, -1), WARN_BG), ("LINEABOVE", (0, 0), (-1, 0), 1.2, WARN),
                              ("TEXTCOLOR", (0, 0), (-1, -1), WARN)])
    return [*heading(f"未结投诉（{len(open_)} 条）", "见面先说明处理进展", color=WARN, need=30 * mm), table]


def _due(due: Sequence[Touchpoint]) -> Flowable:
    rows = [(f"{md_text(t.date)} {_weekday(t.date)}", t.title, t.method, t.gift) for t in due]
    return data_table(("日期", "事项", "建议方式", "礼品"), rows, (0.16, 0.46, 0.16, 0.22),
                      empty=f"（{DUE_DAYS} 天内没有生日、纪念日、续期等日子）")


def _weekday(d: date) -> str:
    return "周" + "一二三四五六日"[d.weekday()]


def _needs(inputs: SheetInputs) -> list[Flowable]:
    d = inputs.card.data
    competitor = " ".join(x for x in (d.competitor, f"合同到期 {fmt_date(d.competitor_end)}"
                                      if d.competitor_end else "") if x)
    pairs = [("需求状况", d.needs), ("主要需求", d.main_needs), ("目前消费", d.current_spend),
             ("财务状况", d.finance), ("竞争对手", competitor)]
    pairs = [(label, value) for label, value in pairs if value]
    points = talking_points(inputs)
    out: list[Flowable] = [field_grid(pairs, columns=1)] if pairs else []
    if points:
        out.append(Spacer(1, 3))
        out += [Paragraph(esc(p), styles().small, bulletText="•") for p in points]
    return out


def talking_points(inputs: SheetInputs) -> list[str]:
    """What to bring up: complaint progress, last time's promise, the next pipeline step, a birthday this
    week, referrals from an influence centre, the grade's focus (the other dates are in their own table)."""
    card, d = inputs.card, inputs.card.data
    points = [f"先说明投诉处理进展：{c.content[:40]}" for c in card.open_complaints]
    promised = next((v.next_agenda for v in card.visits if v.next_agenda), "")
    if promised:
        points.append(f"上次约定：{promised}")
    if d.stage in _PIPELINE[:-1]:
        points.append(f"当前阶段“{d.stage}”，争取推进到“{_PIPELINE[_PIPELINE.index(d.stage) + 1]}”")  # type: ignore[arg-type]
    if d.stage == Stage.LOST and d.loss_reason:
        points.append(f"流失原因：{d.loss_reason}——了解是否有转机")
    soon = [t for t in inputs.due if t.kind in ("birthday", "wedding") and (t.date - inputs.today).days <= 7]
    points += [f"{t.title}就在{md_text(t.date)}，当面送上祝福" for t in soon[:2]]
    if d.influence_center:
        points.append("影响力中心：请求转介绍")
    focus = action_for(d.grade, closed=d.deal_status == "成交")
    if focus:
        points.append(f"服务重点：{focus}")
    return points
