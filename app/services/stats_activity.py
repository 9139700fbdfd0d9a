"""Figures about what happened: grade moves, visits per week, new cards per month, complaints, and who
brings the business (deal amounts, referrals, influence-centre candidates).

Weeks and months are cut in Python (their first instants) and counted in SQL with plain range
comparisons, which stay portable where date functions differ between databases and let an index
answer each range: no GROUP BY over a computed bucket, so nothing is sorted.
"""
from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from app.models import Complaint, Customer, Deal, GradeChange, Visit
from app.services.stats_rows import Figure, Period, StatRow, month_starts, next_month, percent, ratio
from app.services.stats_snapshot import GRADES, active, live

TOP = 10
OPEN = ("待处理", "处理中")
DONE = ("已解决", "已关闭")
COMPLAINT_STATUSES = OPEN + DONE
RESOLVE_BUCKETS = (("0", "当天", 0, 0), ("1-3", "1–3 天", 1, 3), ("4-7", "4–7 天", 4, 7),
                   ("8-30", "8–30 天", 8, 30), ("31+", "30 天以上", 31, None))
MIN_MONTHS = 12  # a month or a quarter alone says little about the trend of new cards


UNION_CHUNK = 100  # SQLite allows 500 terms in one compound SELECT; ten years of weeks is 523
# Aliases built once: SQLAlchemy memoises their column adaptation on the alias object.
REFERRER = aliased(Customer, name="referrer")
REFERRED = aliased(Customer, name="referred")


def _range_sources() -> dict[str, tuple[ColumnElement, ColumnElement[bool]]]:
    return {"visits": (Visit.at, live(Visit.customer_id)), "cards": (Customer.created_on, active())}


@lru_cache(maxsize=64)
def _range_union(source: str, first: int, count: int) -> CompoundSelect:
    """UNION ALL of `count` range counts over a source, bounds as bind parameters lo{i}/hi{i}.

    Built once per shape and reused: building a 53-term statement each time costs more than running it.
    """
    column, where = _range_sources()[source]
    parts = [select(literal(i).label("i"), func.count().label("n")).where(
                 and_(where, column >= bindparam(f"lo{i}", type_=column.type),
                      column < bindparam(f"hi{i}", type_=column.type)))
             for i in range(first, first + count)]
    return union_all(*parts)


def range_counts(s: Session, source: str, bounds: Sequence[date | datetime]) -> list[int]:
    """Rows of a source ('visits' by time, 'cards' by 建卡日期) in each [bounds[i], bounds[i+1]).

    One index range count per bucket, UNION ALL-ed: nothing is grouped or sorted.
    """
    out = [0] * (len(bounds) - 1)
    for first in range(0, len(bounds) - 1, UNION_CHUNK):
        count = min(UNION_CHUNK, len(bounds) - 1 - first)
        params = {}
        for i in range(first, first + count):
            params[f"lo{i}"], params[f"hi{i}"] = bounds[i], bounds[i + 1]
        for i, n in s.execute(_range_union(source, first, count), params):
            out[int(i)] = int(n)
    return out


def _instant(day: date) -> datetime:
    return datetime.combine(day, time.min)


# ----- grade movement ------------------------------------------------------------------------------

def _moves(period: Period) -> Select:
    """Per customer with grade changes in the period: the grade before the first and after the last.

    Only changes between graded states count: a new card's first grade is not a move.
    """
    first = func.row_number().over(partition_by=GradeChange.customer_id, order_by=(GradeChange.at, GradeChange.id))
    last = func.row_number().over(partition_by=GradeChange.customer_id,
                                  order_by=(GradeChange.at.desc(), GradeChange.id.desc()))
    ranked = (select(GradeChange.customer_id, GradeChange.old, GradeChange.new, first.label("rf"), last.label("rl"))
              .where(live(GradeChange.customer_id), GradeChange.at >= period.since, GradeChange.at < period.until,
                     GradeChange.old.in_(GRADES), GradeChange.new.in_(GRADES))
              .subquery())
    a, b = aliased(ranked), aliased(ranked)
    return (select(a.c.customer_id, a.c.old, b.c.new).join(b, b.c.customer_id == a.c.customer_id)
            .where(a.c.rf == 1, b.c.rl == 1))


def grade_moves(s: Session, period: Period) -> Figure:
    """From→to of each customer whose grade changed in the period (C→B→A counts once, as C→A)."""
    moves = _moves(period).subquery()
    stmt = select(moves.c.old, moves.c.new, func.count()).group_by(moves.c.old, moves.c.new)
    counts = {(old, new): n for old, new, n in s.execute(stmt)}
    total = sum(counts.values())
    rows, ups, downs, back = [], 0, 0, 0
    for old in GRADES:
        for new in GRADES:
            n = counts.get((old, new), 0)
            if not n:
                continue
            direction = "升级" if new < old else "降级" if new > old else "变动后回到原级"
            ups += n if new < old else 0
            downs += n if new > old else 0
            back += n if new == old else 0
            rows.append(StatRow(f"{old}>{new}", f"{old} 至 {new}", n, ratio(n, total), (direction,)))
    return Figure(
        "grade_moves", "等级变动（期初至期末）", "matrix", "客户数", tuple(rows), share_label="占变动客户",
        extra_columns=("方向",), scoped=True,
        note="每位客户按本期第一次变动前的等级和最后一次变动后的等级计一次；新建卡的首次定级不算变动。",
        summary=(("升级", f"{ups} 人"), ("降级", f"{downs} 人"), ("变动后回到原级", f"{back} 人")),
    )


def move_clause(key: str, period: Period) -> ColumnElement[bool]:
    """Customers whose net grade move in the period is key ('C>B')."""
    old, _, new = key.partition(">")
    moves = _moves(period).subquery()
    return Customer.id.in_(select(moves.c.customer_id).where(moves.c.old == old, moves.c.new == new))


# ----- visits per week, new cards per month ----------------------------------------------------------

def week_starts(period: Period) -> list[date]:
    """Mondays of every week that touches the period."""
    monday = period.start - timedelta(days=period.start.weekday())
    return [monday + timedelta(weeks=i) for i in range((period.end - monday).days // 7 + 1)]


def _in_period(column: ColumnElement, period: Period) -> ColumnElement[bool]:
    return and_(column >= period.since, column < period.until)


def visits_weekly(s: Session, period: Period, reached: int) -> Figure:
    """Visits and service records per week of the period; `reached` is visited_count(s, period)."""
    weeks = week_starts(period)
    bounds = [period.since, *(_instant(w) for w in weeks[1:]), period.until]
    counts = range_counts(s, "visits", bounds)
    total = sum(counts)
    rows = []
    for monday, n in zip(weeks, counts, strict=True):
        first, last = max(monday, period.start), min(monday + timedelta(days=6), period.end)
        rows.append(StatRow(monday.isoformat(), f"{first:%m-%d}～{last:%m-%d}", n, ratio(n, total)))
    return Figure(
        "visits_weekly", "每周拜访与服务", "column", "记录数", tuple(rows), share_label="占本期", scoped=True, note="本期内每周（周一至周日）记下的拜访/服务记录。",
        summary=(("本期记录", f"{total} 条"), ("见到的客户", f"{reached} 人"),
                 ("平均每周", f"{ratio(total, len(weeks)):.1f} 条")),
    )


def visited_count(s: Session, period: Period) -> int:
    """How many customers have a visit or service record in the period."""
    return s.scalar(select(func.count(func.distinct(Visit.customer_id)))
                    .where(live(Visit.customer_id), _in_period(Visit.at, period))) or 0


def week_clause(key: str, period: Period) -> ColumnElement[bool]:
    """Customers with a visit in the week starting on key (clipped to the period)."""
    monday = date.fromisoformat(key)
    first, stop = max(monday, period.start), min(monday + timedelta(days=7), period.end + timedelta(days=1))
    visited = select(Visit.customer_id).where(Visit.at >= _instant(first), Visit.at < _instant(stop))
    return Customer.id.in_(visited)


def card_months(period: Period) -> list[date]:
    """The months of the period, at least the twelve ending with the period's last month."""
    last = period.end.replace(day=1)
    back = last
    for _ in range(MIN_MONTHS - 1):
        back = (back - timedelta(days=1)).replace(day=1)
    return month_starts(min(back, period.start), last)


def new_count(s: Session, period: Period) -> int:
    """How many cards were created (建卡日期) in the period."""
    return s.scalar(select(func.count(Customer.id)).where(active(), new_clause(period))) or 0


def new_clause(period: Period) -> ColumnElement[bool]:
    """Cards created in the period."""
    return and_(Customer.created_on >= period.start, Customer.created_on <= period.end)


def new_cards(s: Session, period: Period, in_period: int) -> Figure:
    """New cards per month (by 建卡日期); `in_period` is new_count(s, period)."""
    months = card_months(period)
    counts = range_counts(s, "cards", [*months, next_month(months[-1])])
    total = sum(counts)
    rows = tuple(StatRow(f"{m:%Y-%m}", f"{m:%Y-%m}", n, ratio(n, total)) for m, n in zip(months, counts, strict=True))
    return Figure(
        "new_cards", "每月新建客户卡", "column", "新建卡", rows, share_label="占图中合计", scoped=True,
        note="按建卡日期；期间不足 12 个月时显示截至期末的 12 个月。",
        summary=(("本期新建", f"{in_period} 张"), ("图中合计", f"{total} 张")),
    )


def month_clause(key: str) -> ColumnElement[bool]:
    """Customers whose card was created in month key ('2026-11')."""
    first = date.fromisoformat(f"{key}-01")
    return and_(Customer.created_on >= first, Customer.created_on < next_month(first))


# ----- who brings the business -------------------------------------------------------------------------

def top_deals(s: Session, period: Period) -> Figure:
    """The customers with the largest total deal amount (terminated deals left out)."""
    live_deal = and_(Deal.status != "已终止", live(Deal.customer_id))
    amount = func.coalesce(func.sum(Deal.amount), 0)
    recent = func.coalesce(func.sum(case((and_(Deal.start_date >= period.start, Deal.start_date <= period.end),
                                          Deal.amount), else_=0)), 0)
    # Rank on the deals table alone; only the top rows fetch a name from the (wide) customers table.
    top = (select(Deal.customer_id.label("cid"), amount.label("amount"), func.count().label("n"),
                  recent.label("recent"))
           .where(live_deal).group_by(Deal.customer_id).order_by(amount.desc(), Deal.customer_id).limit(TOP)
           .subquery())
    stmt = (select(top.c.cid, Customer.name, Customer.card_no, top.c.amount, top.c.n, top.c.recent)
            .join(Customer, Customer.id == top.c.cid).order_by(top.c.amount.desc(), top.c.cid))
    grand = float(s.scalar(select(func.coalesce(func.sum(Deal.amount), 0)).where(live_deal)) or 0)
    rows = tuple(StatRow(str(cid), f"{name}（{card}）", int(n), ratio(float(total), grand),
                         (money(total), money(in_period)), weight=float(total))
                 for cid, name, card, total, n, in_period in s.execute(stmt))
    return Figure(
        "top_deals", f"成交金额前 {TOP} 名客户", "bar", "成交笔数", rows, share_label="占总金额",
        extra_columns=("累计金额(元)", "本期起始金额(元)"),
        note="累计全部未终止的成交记录；“本期起始”只算起始日期在本期的。条形长度为累计金额。",
        summary=(("全部客户累计金额", f"{money(grand)} 元"),),
    )


def money(value: object) -> str:
    """12345.6 → '12,345.60'."""
    return f"{float(value or 0):,.2f}"


def _referred_where() -> ColumnElement[bool]:
    """Active customers introduced by an active customer."""
    return and_(active(), Customer.referrer_id.is_not(None), live(Customer.referrer_id))


def referrals(s: Session) -> Figure:
    """Top referrers: how many customers each introduced, and how many of those bought."""
    n = func.count()
    won = func.sum(case((Customer.deal_status == "成交", 1), else_=0))
    top = (select(Customer.referrer_id.label("rid"), n.label("n"), won.label("won")).where(_referred_where())
           .group_by(Customer.referrer_id).order_by(n.desc(), won.desc(), Customer.referrer_id).limit(TOP)
           .subquery())
    referrer = REFERRER
    stmt = (select(top.c.rid, referrer.name, referrer.card_no, referrer.influence_center, top.c.n, top.c.won)
            .join(referrer, referrer.id == top.c.rid).order_by(top.c.n.desc(), top.c.won.desc(), top.c.rid))
    total = s.scalar(select(func.count()).where(_referred_where())) or 0
    rows = []
    for cid, name, card, marked, count, converted in s.execute(stmt):
        flag = "已标记" if marked else ("候选" if converted else "—")
        rows.append(StatRow(str(cid), f"{name}（{card}）", count, ratio(count, total),
                            (str(int(converted or 0)), flag)))
    return Figure(
        "referrals", f"转介绍前 {TOP} 名", "bar", "介绍客户数", tuple(rows), share_label="占全部转介绍",
        extra_columns=("其中已成交", "影响力中心"),
        note="点开一行列出此人介绍来的客户。介绍来的客户已成交、本人尚未标记的，是影响力中心候选。",
        summary=(("转介绍来的客户合计", f"{total} 人"),),
    )


def referral_clause(key: str) -> ColumnElement[bool]:
    """The customers referred by customer id key."""
    return Customer.referrer_id == int(key)


def _converted_referrers() -> Select:
    referred = REFERRED
    return select(referred.referrer_id).where(referred.deal_status == "成交", referred.deleted_at.is_(None),
                                              referred.referrer_id.is_not(None))


INFLUENCE_ROWS = (("candidate", "候选（介绍已成交、未标记）"), ("marked", "已标记影响力中心"),
                  ("marked_idle", "已标记、介绍尚无成交"))


def influence_clause(key: str) -> ColumnElement[bool]:
    """Influence-centre candidates, those marked, and those marked without a converted referral."""
    won = Customer.id.in_(_converted_referrers())
    marked = Customer.influence_center.is_(True)
    clauses = {"candidate": and_(won, Customer.influence_center.is_(False)), "marked": marked,
               "marked_idle": and_(marked, ~won)}
    return clauses[key]


def influence(s: Session, total: int) -> Figure:
    """How many influence-centre candidates the file holds, next to those already marked."""
    sums = [func.sum(case((influence_clause(key), 1), else_=0)) for key, _label in INFLUENCE_ROWS]
    counts = [int(n or 0) for n in s.execute(select(*sums).where(active())).one()]
    rows = [StatRow(key, label, n, ratio(n, total)) for (key, label), n in zip(INFLUENCE_ROWS, counts, strict=True)]
    return Figure("influence", "影响力中心", "bar", "客户数", tuple(rows), note="占全部客户。")


# ----- complaints ------------------------------------------------------------------------------------

def _complaint_scope(period: Period) -> ColumnElement[bool]:
    """Open now (whenever received), or resolved/closed within the period."""
    return or_(Complaint.status.in_(OPEN),
               and_(Complaint.status.in_(DONE), _in_period(Complaint.resolved_at, period)))


def complaints(s: Session, period: Period) -> Figure:
    """Complaints open now and those resolved or closed in the period."""
    stmt = (select(Complaint.status, func.count(Complaint.id), func.count(func.distinct(Complaint.customer_id)))
            .where(live(Complaint.customer_id), _complaint_scope(period)).group_by(Complaint.status))
    counts = {status: (n, people) for status, n, people in s.execute(stmt)}
    total = sum(n for n, _ in counts.values())
    rows = tuple(StatRow(st, st, counts.get(st, (0, 0))[0], ratio(counts.get(st, (0, 0))[0], total),
                         (str(counts.get(st, (0, 0))[1]), "当前" if st in OPEN else "本期"))
                 for st in COMPLAINT_STATUSES)
    received = s.scalar(select(func.count(Complaint.id))
                        .where(live(Complaint.customer_id), _in_period(Complaint.received_at, period))) or 0
    still_open = sum(counts.get(st, (0, 0))[0] for st in OPEN)
    return Figure(
        "complaints", "投诉：未结与本期办结", "bar", "件数", rows, extra_columns=("客户数", "口径"), scoped=True,
        note="待处理、处理中为当前仍未办结的全部投诉；已解决、已关闭为本期办结的。",
        summary=(("未结投诉", f"{still_open} 件"), ("本期收到", f"{received} 件")),
    )


def complaint_clause(key: str, period: Period) -> ColumnElement[bool]:
    """Customers with a complaint counted in row `key` of the complaints figure."""
    ids = select(Complaint.customer_id).where(Complaint.status == key, _complaint_scope(period))
    return Customer.id.in_(ids)


def _resolved(s: Session, period: Period) -> list[tuple[int, int]]:
    """(customer id, whole days from received to resolved) of complaints resolved in the period.

    Complaints are few (tens to hundreds), so the day difference is taken in Python, not with a
    database-specific date function.
    """
    stmt = (select(Complaint.customer_id, Complaint.received_at, Complaint.resolved_at)
            .where(live(Complaint.customer_id), Complaint.status.in_(DONE), _in_period(Complaint.resolved_at, period)))
    return [(cid, max(0, (done.date() - got.date()).days)) for cid, got, done in s.execute(stmt)]


def _bucket_of(days: int) -> str:
    for key, _label, lo, hi in RESOLVE_BUCKETS:
        if days >= lo and (hi is None or days <= hi):
            return key
    return RESOLVE_BUCKETS[-1][0]


def resolve_days(s: Session, period: Period) -> Figure:
    """How long complaints resolved in the period took: buckets, average and median days."""
    resolved = _resolved(s, period)
    days = [d for _, d in resolved]
    counts = Counter(_bucket_of(d) for d in days)
    rows = tuple(StatRow(key, label, counts.get(key, 0), ratio(counts.get(key, 0), len(days)))
                 for key, label, _lo, _hi in RESOLVE_BUCKETS)
    quick = sum(1 for d in days if d <= 7)
    summary = (("本期办结", f"{len(days)} 件"),
               ("平均用时", f"{statistics.fmean(days):.1f} 天" if days else "—"),
               ("中位数", f"{statistics.median(days):g} 天" if days else "—"),
               ("7 天内办结", percent(ratio(quick, len(days))) if days else "—"))
    return Figure("resolve_days", "投诉办结用时", "bar", "件数", rows, share_label="占本期办结", scoped=True,
                  note="从收到到办结的天数（按日历日）。办结越快，客户回头越多（82% 对 54%）。", summary=summary)


def resolve_clause(s: Session, key: str, period: Period) -> ColumnElement[bool]:
    """Customers with a complaint resolved in the period within bucket key."""
    return Customer.id.in_(sorted({cid for cid, d in _resolved(s, period) if _bucket_of(d) == key}))
