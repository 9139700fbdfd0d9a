"""Figures about the file as it stands today: grades, deal status, stages, tiers, sources, tags, the funnel
and who is past their keep-in-touch cadence.

One GROUP BY over the customers table gives a small cube (grade × status × stage × tier × source, a
few hundred rows at most, each with its count and how many of those are overdue); every distribution
is a fold of that cube, so 100k cards cost one scan instead of seven.  The grouping columns lead the
covering index ix_customers_stats (migration 0003), so SQLite groups in index order without sorting.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import ColumnElement, DateTime, and_, case, false, func, literal, or_, select
from sqlalchemy.orm import Session

from app.enums import Grade, Source, Stage, Tier
from app.models import Customer, CustomerTag, Tag
from app.services.stats_rows import Figure, StatRow, percent, ratio

GRADES = tuple(g.value for g in Grade)
FUNNEL = tuple(s.value for s in (Stage.IDENTIFY, Stage.APPROACH, Stage.DISCOVER, Stage.PRESENT, Stage.CLOSING,
                                 Stage.WON))
BLANK = {"grade": "未定级", "tier": "未填", "source": "未填", "tag": "无标签"}


@dataclass(frozen=True)
class Cube:
    """Active customers by (grade, deal_status, stage, tier, source): (…, count, overdue count)."""

    cells: tuple[tuple[str, str, str, str, str, int, int], ...]
    total: int

    def by(self, index: int, *, only_overdue: bool = False) -> Counter[str]:
        """Counts by one dimension (0 grade, 1 deal status, 2 stage, 3 tier, 4 source)."""
        out: Counter[str] = Counter()
        for cell in self.cells:
            out[cell[index]] += cell[6] if only_overdue else cell[5]
        return out


def active() -> ColumnElement[bool]:
    """Cards not in the recycle bin."""
    return Customer.deleted_at.is_(None)


def live(customer_id: ColumnElement[int]) -> ColumnElement[bool]:
    """A child row (visit, deal, tag, …) of a card not in the recycle bin.

    Written as NOT IN the few deleted ids rather than a join: the join would read every customer's wide
    row just to look at deleted_at, while this reads one small index.
    """
    return customer_id.not_in(select(Customer.id).where(Customer.deleted_at.is_not(None)))


def effective_stage() -> ColumnElement[str]:
    """The funnel stage: a customer who has bought counts as 成交 whatever stage the card still says."""
    return case((Customer.deal_status == "成交", "成交"), else_=Customer.stage)


def overdue_clause(cadence: Mapping[str, int], today: date) -> ColumnElement[bool]:
    """Last contact (or, never contacted, the card's creation) + the grade's cadence days < today.

    The cutoff day is computed per grade in Python and compared in SQL, which keeps the SQL portable:
    last + days < today  ⇔  last's day < today − days  ⇔  last < cutoff at 00:00.
    """
    def cutoff(grade: str) -> date:
        return today - timedelta(days=int(cadence.get(grade, cadence.get("D", 365))))

    day = case({g: literal(cutoff(g)) for g in "ABC"}, value=Customer.grade, else_=literal(cutoff("D")))
    instant = case({g: literal(datetime.combine(cutoff(g), time.min), DateTime()) for g in "ABC"},
                   value=Customer.grade, else_=literal(datetime.combine(cutoff("D"), time.min), DateTime()))
    return or_(and_(Customer.last_contact_at.is_not(None), Customer.last_contact_at < instant),
               and_(Customer.last_contact_at.is_(None), Customer.created_on < day))


def load_cube(s: Session, cadence: Mapping[str, int], today: date) -> Cube:
    """The one scan of the customers table."""
    # Overdue is summed, not grouped on: grouping on it would force SQLite to sort instead of walking the index.
    late = func.sum(case((overdue_clause(cadence, today), 1), else_=0))
    dims = (Customer.grade, Customer.deal_status, Customer.stage, Customer.asset_tier, Customer.source)
    stmt = select(*dims, func.count(), late).where(active()).group_by(*dims)
    cells = tuple((g or "", d or "", st or "", t or "", src or "", int(n), int(o or 0))
                  for g, d, st, t, src, n, o in s.execute(stmt))
    return Cube(cells, sum(c[5] for c in cells))


def _rows(counts: Counter[str], order: tuple[str, ...], total: int, blank: str, *, keep_zero: bool) -> tuple:
    """Rows in vocabulary order, then unknown values, then the blank value (only when present)."""
    keys = [k for k in order if keep_zero or counts.get(k)]
    keys += sorted(k for k in counts if k and k not in order and counts[k])
    if counts.get(""):
        keys.append("")
    return tuple(StatRow(k, k or blank, counts.get(k, 0), ratio(counts.get(k, 0), total)) for k in keys)


def distributions(cube: Cube) -> list[Figure]:
    """Customers by grade, deal status, stage, asset tier and source."""
    base = "占全部客户（不含回收站）"
    specs = (
        ("grade", "客户等级分布", 0, GRADES, BLANK["grade"], "bar"),
        ("deal_status", "成交与未成交", 1, ("成交", "未成交"), "未填", "bar"),
        ("stage", "客户阶段分布", 2, tuple(s.value for s in Stage), "未填", "bar"),
        ("tier", "资产层级分布", 3, tuple(t.value for t in Tier), BLANK["tier"], "bar"),
        ("source", "客户来源", 4, tuple(s.value for s in Source), BLANK["source"], "bar"),
    )
    return [Figure(key, title, chart, "客户数", _rows(cube.by(i), order, cube.total, blank, keep_zero=True),
                   note=base)
            for key, title, i, order, blank, chart in specs]


def funnel(cube: Cube) -> Figure:
    """The prospect funnel: how many reached each step, and the conversion from the step before."""
    at: Counter[str] = Counter()
    for _grade, status, stage, _tier, _source, n, _late in cube.cells:
        at["成交" if status == "成交" else stage] += n
    reached, running = [], 0
    for stage in reversed(FUNNEL):
        running += at.get(stage, 0)
        reached.append(running)
    reached.reverse()
    rows = []
    for i, stage in enumerate(FUNNEL):
        step = "—" if i == 0 else percent(ratio(reached[i], reached[i - 1]))
        rows.append(StatRow(stage, stage, reached[i], ratio(reached[i], reached[0]), (str(at.get(stage, 0)), step)))
    lost = at.get(Stage.LOST, 0)
    return Figure(
        "funnel", "准客户漏斗（名单制营销五步）", "funnel", "到达此步", tuple(rows), share_label="占识别",
        extra_columns=("停在此步", "上一步转化"),
        note="“到达此步”= 现处此步或更后的客户；已成交的客户算作到达“成交”。流失客户不计入（卡上不再记录他们流失前到了哪一步）。",
        summary=(("总转化率（识别至成交）", percent(ratio(reached[-1], reached[0]))), ("已流失", f"{lost} 人")),
    )


def overdue(cube: Cube, cadence: Mapping[str, int]) -> Figure:
    """Customers past their keep-in-touch cadence, by grade."""
    totals, late = cube.by(0), cube.by(0, only_overdue=True)
    keys = [g for g in GRADES if totals.get(g)] + ([""] if totals.get("") else [])
    rows = tuple(StatRow(g, g or BLANK["grade"], late.get(g, 0), ratio(late.get(g, 0), totals[g]),
                         (str(totals[g]), f"{cadence.get(g or 'D', 365)} 天")) for g in keys)
    return Figure(
        "overdue", "超期未联系（按等级）", "bar", "超期人数", rows, share_label="占该等级",
        extra_columns=("该等级人数", "联系周期"),
        note="上次联系（从未联系则按建卡日期）加上该等级的联系周期早于今天；未定级按 D 级周期。",
        summary=(("超期未联系合计", f"{sum(late.values())} 人"),),
    )


def tags(s: Session, total: int) -> Figure:
    """Customers by tag (a customer may carry several, so shares add up to more than 100%)."""
    # Count by tag id first (walks the tag index in order), then name the few groups.
    counted = (select(CustomerTag.tag_id.label("tag_id"), func.count().label("n"))
               .where(live(CustomerTag.customer_id)).group_by(CustomerTag.tag_id).subquery())
    stmt = (select(Tag.name, counted.c.n).join(counted, counted.c.tag_id == Tag.id)
            .order_by(counted.c.n.desc(), Tag.name))
    rows = [StatRow(name, name, n, ratio(n, total)) for name, n in s.execute(stmt)]
    tagged = s.scalar(select(func.count(func.distinct(CustomerTag.customer_id)))
                      .where(live(CustomerTag.customer_id))) or 0
    if total - tagged:
        rows.append(StatRow("", BLANK["tag"], total - tagged, ratio(total - tagged, total)))
    return Figure("tag", "标签分组", "bar", "客户数", tuple(rows),
                  note="占全部客户；一位客户可有多个标签，合计可超过 100%。")


def tag_clause(key: str) -> ColumnElement[bool]:
    """Customers carrying tag `key` ('' → no tag at all)."""
    tagged = select(CustomerTag.customer_id)
    if not key:
        return Customer.id.not_in(tagged)
    return Customer.id.in_(tagged.join(Tag, Tag.id == CustomerTag.tag_id).where(Tag.name == key))


def snapshot_clause(figure: str, key: str, cadence: Mapping[str, int], today: date) -> ColumnElement[bool] | None:
    """The customers behind one row of a snapshot figure (None when the figure is not one of these)."""
    columns = {"grade": Customer.grade, "deal_status": Customer.deal_status, "stage": Customer.stage,
               "tier": Customer.asset_tier, "source": Customer.source}
    if figure in columns:
        return columns[figure] == key
    if figure == "tag":
        return tag_clause(key)
    if figure == "funnel":
        if key not in FUNNEL:
            return false()
        return effective_stage().in_(FUNNEL[FUNNEL.index(key):])
    if figure == "overdue":
        return and_(Customer.grade == key, overdue_clause(cadence, today))
    return None
