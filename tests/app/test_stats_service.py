"""统计: every figure on a hand-built archive whose answers are worked out here, by hand.

Today is 2026-11-22; the period is November 2026 unless a test says otherwise.  The world:

| id | name | grade now  | status / stage            | 资产(万)   | source   | tags        | 建卡       | referred by |
|----|------|------------|---------------------------|-----------|----------|-------------|------------|-------------|
| c1 | 赵一 | A          | 成交 / 成交                | 400 高端   | 缘故关系 | VIP, 老客户 | 2025-06-10 | — (影响力中心) |
| c2 | 钱二 | B (B→C→B)  | 未成交 / 需求挖掘           | 20 中低端  | 转介绍   | VIP         | 2026-11-03 | c1 |
| c3 | 孙三 | B (C→B)    | 成交 / 成交 (by its deal)   | 100 中高端 | 转介绍   | —           | 2026-10-15 | c1 |
| c4 | 李四 | A (C→B→A)  | 未成交 / 主动接近           | 1 低端     | 陌生拜访 | 老客户      | 2026-02-01 | — |
| c5 | 周五 | C          | 未成交 / 流失               | —         | 活动     | —           | 2026-11-20 | c3 |
| c6 | 吴六 | D (C→D)    | 成交 / 顾客识别             | —         | —        | —           | 2024-01-01 | c4 |
| c7 | 郑七 | —          | 未成交 / 意向判断           | —         | 网络     | —           | 2026-11-10 | — |
| c8 | 冯八 | in the recycle bin: counts nowhere (VIP tag, deal, complaint, visit, grade move, referred by c3) |

Grade moves are in November unless noted; visits, deals and complaints are listed where they are added.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from app.errors import ValidationError
from app.rows import ComplaintInput, CustomerInput, DealInput, VisitInput
from app.services.stats import FIGURE_KEYS, StatsService
from app.services.stats_rows import Period
from tests.conftest import PASSWORD, Clock

TODAY = date(2026, 11, 22)
NOV = Period.this_month(TODAY)


@dataclass
class World:
    """The ids of the hand-built customers and the stats service over them."""

    ids: dict[str, int]
    stats: StatsService
    svc: object

    def __getitem__(self, name: str) -> int:
        return self.ids[name]

    def of(self, *names: str) -> set[int]:
        """The ids of several customers."""
        return {self.ids[n] for n in names}


def _at(clock, when: datetime) -> None:
    clock.value = when


def _create(svc, clock, when: datetime, **fields) -> int:
    _at(clock, when)
    return svc.customers.create(CustomerInput(grade_manual=True, **fields))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Built once for the module (about 80 committed writes); tests that change settings put them back."""
    from app.db import create_archive
    from app.services import Services

    archive = create_archive(tmp_path_factory.mktemp("stats") / "统计.cfdb", PASSWORD)
    clock = Clock(datetime(2026, 11, 22, 9, 30))
    svc = Services.build(archive, clock=clock)
    try:
        yield _build(svc, clock)
    finally:
        archive.close()


def _build(svc, clock) -> World:
    ids: dict[str, int] = {}
    ids["c6"] = _create(svc, clock, datetime(2024, 1, 1, 9), name="吴六", grade="C", deal_status="成交",
                        created_on=date(2024, 1, 1))
    ids["c1"] = _create(svc, clock, datetime(2025, 6, 10, 9), name="赵一", grade="A", deal_status="成交",
                        stage="成交", asset_wan=Decimal(400), source="缘故关系", tags=("VIP", "老客户"),
                        influence_center=True, created_on=date(2025, 6, 10))
    ids["c4"] = _create(svc, clock, datetime(2026, 2, 1, 9), name="李四", grade="C", stage="主动接近",
                        asset_wan=Decimal(1), source="陌生拜访", tags=("老客户",), created_on=date(2026, 2, 1))
    ids["c3"] = _create(svc, clock, datetime(2026, 10, 15, 9), name="孙三", grade="B", stage="业务介绍",
                        asset_wan=Decimal(100), source="转介绍", referrer_id=ids["c1"], created_on=date(2026, 10, 15))
    ids["c2"] = _create(svc, clock, datetime(2026, 11, 3, 9), name="钱二", grade="B", stage="需求挖掘",
                        asset_wan=Decimal(20), source="转介绍", tags=("VIP",), referrer_id=ids["c1"],
                        created_on=date(2026, 11, 3))
    ids["c7"] = _create(svc, clock, datetime(2026, 11, 10, 9), name="郑七", stage="意向判断", source="网络",
                        created_on=date(2026, 11, 10))
    ids["c5"] = _create(svc, clock, datetime(2026, 11, 20, 9), name="周五", grade="C", stage="流失",
                        loss_reason="价格", source="活动", referrer_id=ids["c3"], created_on=date(2026, 11, 20))
    ids["c8"] = _create(svc, clock, datetime(2026, 11, 1, 9), name="冯八", grade="A", tags=("VIP",),
                        referrer_id=ids["c3"], created_on=date(2026, 11, 1))
    # c6 was referred by c4 (set after both exist); updating keeps every other field.
    card = svc.customers.get(ids["c6"])
    _at(clock, datetime(2024, 1, 2, 9))
    svc.customers.update(ids["c6"], replace(card.data, referrer_id=ids["c4"]))

    _grade_moves(svc, clock, ids)
    _deals(svc, clock, ids)
    _visits(svc, clock, ids)
    _complaints(svc, clock, ids)
    _at(clock, datetime(2026, 11, 22, 9, 30))
    svc.customers.delete([ids["c8"]])
    return World(ids, StatsService(svc.archive, clock, lambda: "测试"), svc)


def _grade_moves(svc, clock, ids) -> None:
    for when, name, grade in (
        (datetime(2026, 10, 20, 10), "c3", "C"),   # before November: B→C
        (datetime(2026, 11, 5, 10), "c4", "B"),
        (datetime(2026, 11, 7, 10), "c3", "B"),    # November: C→B
        (datetime(2026, 11, 8, 10), "c6", "D"),    # November: C→D
        (datetime(2026, 11, 12, 10), "c4", "A"),   # November: C→B→A = C→A
        (datetime(2026, 11, 15, 10), "c2", "C"),
        (datetime(2026, 11, 18, 10), "c2", "B"),   # November: B→C→B = back to B
        (datetime(2026, 11, 2, 10), "c8", "B"),    # the deleted card's move never counts
    ):
        _at(clock, when)
        svc.customers.set_grade([ids[name]], grade)


def _deals(svc, clock, ids) -> None:
    for when, name, deal in (
        (datetime(2025, 6, 20), "c1", DealInput("平安福", Decimal(50000), start_date=date(2025, 6, 20))),
        (datetime(2026, 11, 2), "c1", DealInput("车险", Decimal(3000), start_date=date(2026, 11, 2))),
        (datetime(2026, 3, 1), "c1", DealInput("退保的", Decimal(99999), start_date=date(2026, 3, 1), status="已终止")),
        (datetime(2026, 10, 20), "c3", DealInput("e理财", Decimal(10000), start_date=date(2026, 10, 20))),
        (datetime(2026, 11, 2), "c8", DealInput("大单", Decimal(1000000), start_date=date(2026, 11, 2))),
    ):
        _at(clock, when)
        svc.deals.add(ids[name], deal)


def _visits(svc, clock, ids) -> None:
    for name, at in (
        ("c1", datetime(2026, 10, 1, 10)),      # A, 30 days: 10-31 < 11-22 → overdue
        ("c3", datetime(2026, 8, 20, 10)),      # B, 90 days: 11-18 < 11-22 → overdue
        ("c4", datetime(2026, 5, 26, 18)),      # c4 ends as A (30 days): overdue
        ("c7", datetime(2026, 10, 31, 23)),     # week of 10-26 but before November: not counted
        ("c2", datetime(2026, 11, 5, 10)),      # week of 11-02
        ("c2", datetime(2026, 11, 6, 15)),      # week of 11-02
        ("c7", datetime(2026, 11, 16, 9)),      # week of 11-16
        ("c5", datetime(2026, 11, 21, 11)),     # week of 11-16
        ("c8", datetime(2026, 11, 17, 9)),      # deleted: never counted
    ):
        _at(clock, at)
        svc.visits.log(VisitInput(customer_id=ids[name], at=at, method="电话"))


def _complaints(svc, clock, ids) -> None:
    def done(status: str, got: datetime, resolved: datetime) -> ComplaintInput:
        return ComplaintInput("服务慢", received_at=got, status=status, resolution="已处理", resolved_at=resolved)

    for name, data in (
        ("c1", done("已解决", datetime(2026, 10, 28, 9), datetime(2026, 11, 2, 16))),   # 5 days
        ("c2", ComplaintInput("没回电话", received_at=datetime(2026, 11, 10, 9))),       # open
        ("c3", ComplaintInput("理赔慢", received_at=datetime(2026, 9, 1, 9), status="处理中")),  # open
        ("c4", done("已关闭", datetime(2026, 11, 1, 9), datetime(2026, 11, 1, 17))),    # same day
        ("c7", done("已解决", datetime(2026, 10, 1, 9), datetime(2026, 10, 10, 9))),    # October: out
        ("c5", done("已解决", datetime(2026, 11, 3, 9), datetime(2026, 11, 20, 9))),    # 17 days
        ("c8", ComplaintInput("删除的", received_at=datetime(2026, 11, 11, 9))),         # deleted
    ):
        svc.complaints.add(ids[name], data)


def counts(figure) -> dict[str, int]:
    """{key: count} of a figure's rows."""
    return {r.key: r.count for r in figure.rows}


@pytest.fixture(scope="module")
def report(world):
    return world.stats.compute(NOV, TODAY)


# ----- the period ------------------------------------------------------------------------------

def test_periods_cover_month_quarter_year_and_custom() -> None:
    assert (NOV.start, NOV.end) == (date(2026, 11, 1), date(2026, 11, 30))
    q = Period.this_quarter(TODAY)
    assert (q.start, q.end) == (date(2026, 10, 1), date(2026, 12, 31))
    assert Period.this_quarter(date(2026, 2, 28)).end == date(2026, 3, 31)
    y = Period.this_year(TODAY)
    assert (y.start, y.end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert Period.this_month(date(2026, 12, 5)).end == date(2026, 12, 31)
    assert Period.this_month(date(2028, 2, 5)).end == date(2028, 2, 29)
    custom = Period.of("custom", TODAY, date(2026, 3, 1), date(2026, 3, 10))
    assert "2026-03-01 至 2026-03-10" in custom.label
    with pytest.raises(ValidationError, match="早于"):
        Period(date(2026, 3, 10), date(2026, 3, 1))
    with pytest.raises(ValidationError, match="开始和结束"):
        Period.of("custom", TODAY)


# ----- the file as it stands -------------------------------------------------------------------

def test_distributions_count_active_cards_only(report, world) -> None:
    assert report.total == 7
    assert counts(report.figure("grade")) == {"A": 2, "B": 2, "C": 1, "D": 1, "": 1}
    assert counts(report.figure("deal_status")) == {"成交": 3, "未成交": 4}
    assert counts(report.figure("stage")) == {"顾客识别": 1, "主动接近": 1, "需求挖掘": 1, "业务介绍": 0,
                                              "意向判断": 1, "成交": 2, "流失": 1}
    assert counts(report.figure("tier")) == {"低端": 1, "中低端": 1, "中高端": 1, "高端": 1, "": 3}
    assert counts(report.figure("source")) == {"转介绍": 2, "陌生拜访": 1, "缘故关系": 1, "活动": 1, "网络": 1,
                                               "上门咨询": 0, "其他": 0, "": 1}
    grade = report.figure("grade")
    assert grade.row("A").share == pytest.approx(2 / 7)
    assert grade.row("").label == "未定级"


def test_tags_with_untagged_and_shares_over_all_customers(report) -> None:
    tags = report.figure("tag")
    assert counts(tags) == {"VIP": 2, "老客户": 2, "": 4}
    assert tags.row("VIP").share == pytest.approx(2 / 7)
    assert tags.row("").label == "无标签"


def test_funnel_reached_and_conversion(report, world) -> None:
    funnel = report.figure("funnel")
    # Effective stage: c1 成交, c2 需求挖掘, c3 成交, c4 主动接近, c5 流失, c6 成交 (bought), c7 意向判断.
    assert counts(funnel) == {"顾客识别": 6, "主动接近": 6, "需求挖掘": 5, "业务介绍": 4, "意向判断": 4, "成交": 3}
    assert funnel.row("需求挖掘").values == ("1", "83.3%")
    assert funnel.row("成交").values == ("3", "75.0%")
    assert funnel.row("顾客识别").values[1] == "—"
    assert dict(funnel.summary) == {"总转化率（识别至成交）": "50.0%", "已流失": "1 人"}
    assert set(world.stats.customers_for("funnel", "业务介绍", NOV, TODAY)) == world.of("c1", "c3", "c6", "c7")


def test_overdue_by_grade_uses_cadence_and_creation_date(report, world) -> None:
    overdue = report.figure("overdue")
    # c1 (A) last 10-01 + 30; c3 (B) last 08-20 + 90; c6 (D) never contacted, created 2024.
    # c4 is A now, last contact 05-26 + 30 → overdue too.
    assert counts(overdue) == {"A": 2, "B": 1, "C": 0, "D": 1, "": 0}
    assert overdue.row("B").values == ("2", "90 天")
    assert overdue.row("B").share == pytest.approx(0.5)
    assert set(world.stats.customers_for("overdue", "A", NOV, TODAY)) == world.of("c1", "c4")
    assert world.stats.customers_for("overdue", "D", NOV, TODAY) == [world["c6"]]


@pytest.fixture
def cadence_restored(world) -> Iterator[None]:
    """Put the default cadence back after a test that changes it."""
    yield
    world.svc.settings.set_cadence({"A": 30, "B": 90, "C": 180, "D": 365})


def test_overdue_boundary_and_changed_cadence(world, cadence_restored) -> None:
    # c3 (B) last contact 2026-08-20 10:00: with 94 days it is due exactly today — not yet overdue.
    world.svc.settings.set_cadence({"B": 94})
    assert world.stats.customers_for("overdue", "B", NOV, TODAY) == []
    world.svc.settings.set_cadence({"B": 93})
    assert world.stats.customers_for("overdue", "B", NOV, TODAY) == [world["c3"]]
    # c7 (no grade → D's 365 days) was contacted 11-16: a one-day D cadence makes it overdue.
    world.svc.settings.set_cadence({"D": 1})
    report = world.stats.compute(NOV, TODAY)
    assert counts(report.figure("overdue"))[""] == 1
    assert report.figure("overdue").row("").values == ("1", "1 天")


# ----- what happened in the period -------------------------------------------------------------

def test_grade_moves_net_per_customer(report, world) -> None:
    moves = report.figure("grade_moves")
    assert counts(moves) == {"B>B": 1, "C>A": 1, "C>B": 1, "C>D": 1}
    assert moves.row("C>A").values == ("升级",)
    assert moves.row("C>D").values == ("降级",)
    assert dict(moves.summary) == {"升级": "2 人", "降级": "1 人", "变动后回到原级": "1 人"}
    assert world.stats.customers_for("grade_moves", "C>B", NOV, TODAY) == [world["c3"]]
    # Over the year c3 went B→C (October) and back C→B (November): net B→B.
    year = world.stats.compute(Period.this_year(TODAY), TODAY).figure("grade_moves")
    assert counts(year) == {"B>B": 2, "C>A": 1, "C>D": 1}
    assert set(world.stats.customers_for("grade_moves", "B>B", Period.this_year(TODAY), TODAY)) == world.of("c2", "c3")


def test_visits_per_week_inside_the_period(report, world) -> None:
    weeks = report.figure("visits_weekly")
    assert [r.key for r in weeks.rows] == ["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23",
                                           "2026-11-30"]
    assert counts(weeks) == {"2026-10-26": 0, "2026-11-02": 2, "2026-11-09": 0, "2026-11-16": 2, "2026-11-23": 0,
                             "2026-11-30": 0}
    assert weeks.row("2026-10-26").label == "11-01～11-01"  # clipped to the period
    assert dict(weeks.summary)["见到的客户"] == "3 人"
    assert set(world.stats.customers_for("visits_weekly", "2026-11-16", NOV, TODAY)) == world.of("c5", "c7")
    # c7's 10-31 visit is in that week but not in November.
    assert world.stats.customers_for("visits_weekly", "2026-10-26", NOV, TODAY) == []


def test_new_cards_per_month_twelve_months(report, world) -> None:
    cards = report.figure("new_cards")
    assert (cards.rows[0].key, cards.rows[-1].key, len(cards.rows)) == ("2025-12", "2026-11", 12)
    assert {k: v for k, v in counts(cards).items() if v} == {"2026-02": 1, "2026-10": 1, "2026-11": 3}
    assert dict(cards.summary)["本期新建"] == "3 张"
    ids = world.stats.customers_for("new_cards", "2026-11", NOV, TODAY)
    assert ids == [world["c2"], world["c7"], world["c5"]]  # list order: qian, zheng, zhou


def test_top_customers_by_deal_amount(report, world) -> None:
    top = report.figure("top_deals")
    # c1: 50000 + 3000 (the 已终止 99999 left out); c3: 10000; the deleted card's million counts nowhere.
    assert [r.key for r in top.rows] == [str(world["c1"]), str(world["c3"])]
    first = top.rows[0]
    assert (first.count, first.weight, first.values) == (2, 53000.0, ("53,000.00", "3,000.00"))
    assert first.share == pytest.approx(53000 / 63000)
    assert dict(top.summary)["全部客户累计金额"] == "63,000.00 元"
    assert world.stats.customers_for("top_deals", str(world["c3"]), NOV, TODAY) == [world["c3"]]


def test_referrals_and_influence_centre_candidates(report, world) -> None:
    refs = report.figure("referrals")
    # c1 referred c2 and c3 (c3 bought); c4 referred c6 (bought); c3 referred c5 (and the deleted c8).
    assert [(r.key, r.count, r.values) for r in refs.rows] == [
        (str(world["c1"]), 2, ("1", "已标记")), (str(world["c4"]), 1, ("1", "候选")), (str(world["c3"]), 1, ("0", "—"))]
    assert refs.rows[0].share == pytest.approx(2 / 4)
    assert set(world.stats.customers_for("referrals", str(world["c1"]), NOV, TODAY)) == world.of("c2", "c3")
    influence = report.figure("influence")
    assert counts(influence) == {"candidate": 1, "marked": 1, "marked_idle": 0}
    assert world.stats.customers_for("influence", "candidate", NOV, TODAY) == [world["c4"]]


def test_complaints_open_and_resolved_in_period(report, world) -> None:
    complaints = report.figure("complaints")
    assert counts(complaints) == {"待处理": 1, "处理中": 1, "已解决": 2, "已关闭": 1}
    assert dict(complaints.summary) == {"未结投诉": "2 件", "本期收到": "3 件"}
    assert world.stats.customers_for("complaints", "处理中", NOV, TODAY) == [world["c3"]]
    assert set(world.stats.customers_for("complaints", "已解决", NOV, TODAY)) == world.of("c1", "c5")


def test_days_to_resolve(report, world) -> None:
    days = report.figure("resolve_days")
    assert counts(days) == {"0": 1, "1-3": 0, "4-7": 1, "8-30": 1, "31+": 0}
    # 0, 5 and 17 days: mean 7.3, median 5, two of three within a week.
    assert dict(days.summary) == {"本期办结": "3 件", "平均用时": "7.3 天", "中位数": "5 天", "7 天内办结": "66.7%"}
    assert world.stats.customers_for("resolve_days", "8-30", NOV, TODAY) == [world["c5"]]


def test_headline(report, world) -> None:
    assert counts(report.headline) == {"all": 7, "closed": 3, "new": 3, "visited": 3, "overdue": 4,
                                       "open_complaints": 2}
    assert set(world.stats.customers_for("headline", "open_complaints", NOV, TODAY)) == world.of("c2", "c3")
    assert len(world.stats.customers_for("headline", "all", NOV, TODAY)) == 7


# ----- drilling down ---------------------------------------------------------------------------

@pytest.mark.parametrize("figure", [k for k in FIGURE_KEYS if k != "touchpoints"])
def test_every_row_lists_exactly_its_count(report, world, figure) -> None:
    """For figures whose count is customers, the drill-down lists exactly that many."""
    fig = report.figure(figure)
    for row in fig.rows:
        ids = world.stats.customers_for(figure, row.key, NOV, TODAY)
        assert world["c8"] not in ids
        assert len(ids) == len(set(ids))
        if fig.count_label in ("客户数", "超期人数", "到达此步", "介绍客户数"):
            assert len(ids) == row.count, (figure, row.key)


def test_unknown_figure_or_key_is_a_clear_error(world) -> None:
    with pytest.raises(ValidationError, match="统计项"):
        world.stats.customers_for("nonsense", "x", NOV, TODAY)
    with pytest.raises(ValidationError, match="统计项"):
        world.stats.customers_for("new_cards", "not-a-month", NOV, TODAY)
    with pytest.raises(ValidationError, match="统计项"):
        world.stats.customers_for("influence", "nobody", NOV, TODAY)


def test_empty_archive_gives_zero_figures(svc) -> None:
    stats = StatsService(svc.archive, lambda: datetime(2026, 11, 22), lambda: "")
    report = stats.compute(NOV, TODAY)
    assert report.total == 0
    assert all(r.share == 0 for f in report.figures for r in f.rows)
    assert dict(report.figure("resolve_days").summary)["平均用时"] == "—"
