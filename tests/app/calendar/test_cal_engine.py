"""The touchpoint engine over plain inputs."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime

import pytest

from app.calendar.engine import (
    KINDS,
    CalendarSettings,
    CustomerDates,
    DateSpec,
    DealDates,
    Mark,
    PersonDates,
    Touchpoint,
    touchpoints,
)
from app.errors import ValidationError

TODAY = date(2026, 3, 15)
NO_FESTIVALS = CalendarSettings(festival_grades={})


def customer(cid: int = 12, name: str = "王建国", grade: str = "A", **kw: object) -> CustomerDates:
    """A customer with nothing on the calendar unless given."""
    base: dict[str, object] = dict(
        customer_id=cid, card_no=f"K{cid:04d}", name=name, grade=grade, is_org=False, persons=(), wedding=None,
        deals=(), competitor_end=None, last_contact=None, created_on=None, appointments=(), life_events=())
    base.update(kw)
    return CustomerDates(**base)  # type: ignore[arg-type]


def me(spec: DateSpec, name: str = "王建国") -> PersonDates:
    return PersonDates(None, name, "", spec)


def run(customers: list[CustomerDates], start: date = date(2026, 1, 1), end: date = date(2026, 12, 31),
        today: date = TODAY, settings: CalendarSettings = NO_FESTIVALS,
        marks: dict[str, Mark] | None = None) -> list[Touchpoint]:
    return touchpoints(customers, start, end, today, settings, marks or {})


def test_lunar_birthday_title_has_name_lunar_text_age_and_zodiac() -> None:
    c = customer(persons=(me(DateSpec("lunar", 1974, 10, 4)),))
    (tp,) = run([c])
    assert tp.kind == "birthday"
    assert tp.date == date(2026, 11, 12)  # 农历 2026 十月初四
    assert tp.lead_date == date(2026, 11, 5)  # birthday_lead_days = 7
    assert tp.title == "王建国 生日（农历十月初四，52岁，属虎）"
    assert tp.key == "bday:c12:p0:2026-11-12"
    assert (tp.person_id, tp.person_name, tp.customer_name, tp.card_no) == (None, "王建国", "王建国", "K0012")
    assert tp.source == "客户生日（农历）"
    assert (tp.method, tp.gift) == ("上门拜访", "礼品（鲜花、蛋糕或伴手礼）")
    assert tp.status == "due"


def test_family_birthday_names_the_relation_and_moved_dates_say_so() -> None:
    wife = PersonDates(3, "张丽", "妻子", DateSpec("solar", 1976, 2, 29))
    son = PersonDates(4, "王小明", "儿子", DateSpec("lunar", 2020, 4, 15, leap=True))
    tps = run([customer(grade="C", persons=(wife, son))])
    by_person = {tp.person_id: tp for tp in tps}
    assert by_person[3].date == date(2026, 2, 28)
    assert by_person[3].title == "张丽 妻子 生日（50岁，属龙）"
    assert by_person[3].source == "妻子生日（公历，平年按2月28日过）"
    assert by_person[3].key == "bday:c12:p3:2026-02-28"
    assert by_person[4].date == date(2026, 5, 31)  # 2026 has no 闰四月: 四月十五
    assert by_person[4].title == "王小明 儿子 生日（农历闰四月十五，6岁，属鼠）"
    assert by_person[4].source == "儿子生日（农历，今年按四月十五过）"
    assert (by_person[4].method, by_person[4].gift) == ("微信/短信", "")


def test_birthday_without_year_has_no_age_and_unborn_people_have_none() -> None:
    c = customer(persons=(me(DateSpec("solar", None, 7, 1)), PersonDates(5, "宝宝", "孙子", DateSpec("solar", 2026, 8, 1))))
    (tp,) = run([c])
    assert tp.title == "王建国 生日"
    assert run([customer(persons=(PersonDates(5, "宝宝", "孙子", DateSpec("solar", 2027, 8, 1)),))],
               end=date(2027, 12, 31)) == []


def test_statuses_overdue_due_and_marks() -> None:
    c = customer(persons=(me(DateSpec("solar", 1980, 3, 1)),), wedding=date(2000, 3, 20))
    tps = run([c], start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert [(tp.kind, tp.status, tp.overdue_days) for tp in tps] == [("birthday", "overdue", 14), ("wedding", "due", 0)]
    assert tps[1].title == "王建国 结婚26周年纪念日"
    marks = {tps[0].key: Mark(tps[0].key, "done", None, "", 7), tps[1].key: Mark(tps[1].key, "skipped", None, "出差")}
    again = run([c], start=date(2026, 3, 1), end=date(2026, 3, 31), marks=marks)
    assert [(tp.key, tp.status, tp.overdue_days) for tp in again] == [
        (tps[0].key, "done", 0), (tps[1].key, "skipped", 0)]


def test_snooze_moves_the_date_in_out_and_into_the_range() -> None:
    c = customer(persons=(me(DateSpec("solar", 1980, 3, 20)),))
    key = "bday:c12:p0:2026-03-20"
    later = {key: Mark(key, "snoozed", date(2026, 3, 25))}
    (tp,) = run([c], start=date(2026, 3, 1), end=date(2026, 3, 31), marks=later)
    assert (tp.key, tp.date, tp.status) == (key, date(2026, 3, 25), "snoozed")
    # Snoozed out of the range: gone from March, shown in April under the same key.
    out = {key: Mark(key, "snoozed", date(2026, 4, 2))}
    assert run([c], start=date(2026, 3, 1), end=date(2026, 3, 31), marks=out) == []
    (moved,) = run([c], start=date(2026, 4, 1), end=date(2026, 4, 30), marks=out)
    assert (moved.key, moved.date, moved.status) == (key, date(2026, 4, 2), "snoozed")
    # A snooze whose day has passed unmarked is overdue again.
    (lapsed,) = run([c], start=date(2026, 3, 1), end=date(2026, 3, 31), today=date(2026, 3, 28), marks=later)
    assert (lapsed.status, lapsed.overdue_days) == ("overdue", 3)


def test_cadence_counts_from_last_contact_and_restarts_with_a_new_visit() -> None:
    c = customer(grade="B", last_contact=date(2026, 1, 10), created_on=date(2020, 1, 1))
    (tp,) = run([c], start=date(2026, 4, 1), end=date(2026, 4, 30))
    assert (tp.kind, tp.date, tp.key) == ("cadence", date(2026, 4, 10), "cadence:c12:2026-04-10")  # +90 days
    assert tp.source == "拜访周期：B级，自上次联系起算"
    visited = c._replace(last_contact=date(2026, 4, 5))
    assert run([visited], start=date(2026, 4, 1), end=date(2026, 4, 30)) == []
    (nxt,) = run([visited], start=date(2026, 7, 1), end=date(2026, 7, 31))
    assert nxt.key == "cadence:c12:2026-07-04"


def test_cadence_uses_created_on_and_overdue_ones_carry_into_current_views() -> None:
    never = customer(grade="", created_on=date(2024, 1, 1))  # blank grade: cadence_days[''] = 365
    (tp,) = run([never], start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert (tp.date, tp.status, tp.overdue_days) == (date(2024, 12, 31), "overdue", 439)
    assert tp.source == "拜访周期：未定级，自建卡起算"
    assert run([never], start=date(2026, 4, 1), end=date(2026, 4, 30)) == []  # a future range: not carried
    done = {tp.key: Mark(tp.key, "done")}
    assert run([never], start=date(2026, 3, 1), end=date(2026, 3, 31), marks=done) == []
    assert run([customer()], start=date(2026, 3, 1), end=date(2026, 3, 31)) == []  # no dates at all


def test_custom_cadence_days() -> None:
    s = dataclasses.replace(NO_FESTIVALS, cadence_days={"A": 10, "B": 20, "C": 30, "D": 40, "": 50})
    tps = run([customer(cid=1, grade="A", last_contact=TODAY), customer(cid=2, grade="", last_contact=TODAY)],
              start=TODAY, end=date(2026, 12, 31), settings=s)
    assert [(tp.customer_id, tp.date) for tp in tps] == [(1, date(2026, 3, 25)), (2, date(2026, 5, 4))]


def test_festivals_follow_grades_and_qingming_is_only_a_reminder() -> None:
    people = [customer(1, "甲", "A"), customer(2, "乙", "C"), customer(3, "丙", ""), customer(4, "丁", "B")]
    tps = run(people, settings=CalendarSettings())
    per = {cid: {tp.festival_key for tp in tps if tp.customer_id == cid} for cid in (1, 2, 3, 4)}
    assert len(per[1]) == len(per[4]) == 19
    assert per[2] == per[3] == {"chunjie", "zhongqiu"}
    spring = next(tp for tp in tps if tp.customer_id == 2 and tp.festival_key == "chunjie")
    assert (spring.date, spring.title, spring.key, spring.kind) == (
        date(2026, 2, 17), "春节问候", "fest:chunjie:c2:2026-02-17", "festival")
    assert spring.source == "节日：春节（农历）"
    qm = next(tp for tp in tps if tp.customer_id == 1 and tp.festival_key == "qingming")
    assert "提醒" in qm.title and "问候" not in qm.title
    assert (qm.method, qm.gift) == ("", "")
    only_a = CalendarSettings(festival_grades={"zhongqiu": "A"})
    assert {(tp.customer_id, tp.festival_key) for tp in run(people, settings=only_a)} == {(1, "zhongqiu")}


def test_renewals_anniversaries_and_follow_up_after_a_new_deal() -> None:
    deals = (DealDates(7, "平安福", date(2025, 3, 1), date(2026, 3, 1), "周年"),
             DealDates(8, "车险", date(2025, 6, 1), date(2026, 6, 1), "续保"),
             DealDates(9, "加油卡", date(2026, 3, 20), None, ""))
    tps = run([customer(deals=deals)], end=date(2027, 12, 31))
    got = [(tp.kind, tp.key, tp.date, tp.lead_date, tp.title) for tp in tps]
    assert got == [
        ("deal_anniversary", "anniv:d7:2026-03-01", date(2026, 3, 1), date(2026, 1, 30), "平安福 1周年"),
        ("followup", "followup:d9:2026-03-23", date(2026, 3, 23), date(2026, 3, 20), "加油卡 新单回访"),
        ("renewal", "renew:d8:2026-06-01", date(2026, 6, 1), date(2026, 5, 2), "车险 续保"),
        ("deal_anniversary", "anniv:d7:2027-03-01", date(2027, 3, 1), date(2027, 1, 30), "平安福 2周年"),
    ]
    assert tps[1].method == "上门回访"
    assert tps[2].source == "成交记录：车险"
    short = dataclasses.replace(NO_FESTIVALS, renewal_lead_days=10, new_deal_followup_days=1)
    tps = run([customer(deals=deals)], settings=short)
    assert [(tp.key, tp.lead_date) for tp in tps if tp.kind != "deal_anniversary"] == [
        ("followup:d9:2026-03-21", date(2026, 3, 20)), ("renew:d8:2026-06-01", date(2026, 5, 22))]


def test_competitor_end_appointment_and_life_events() -> None:
    c = customer(competitor_end=date(2026, 9, 30),
                 appointments=((99, datetime(2026, 4, 2, 14, 30), "客户公司", "讲解保单"),),
                 life_events=((5, "乔迁", date(2026, 5, 1)), (6, "住院", date(2026, 5, 2))))
    tps = run([c])
    appt, moving, ill, comp = tps
    assert (appt.kind, appt.key, appt.at, appt.place, appt.title) == (
        "appointment", "appt:v99", datetime(2026, 4, 2, 14, 30), "客户公司", "约见王建国：讲解保单")
    assert (moving.kind, moving.key, moving.title) == ("life_event", "event:e5:2026-05-01", "祝贺王建国乔迁")
    assert moving.gift != ""
    assert (ill.title, ill.gift) == ("王建国 住院：关心问候", "")
    assert (comp.kind, comp.lead_date, comp.title) == ("competitor_end", date(2026, 8, 31), "王建国 竞争对手合同到期")


def test_order_is_date_then_kind_then_name_and_keys_are_stable() -> None:
    day = DateSpec("solar", 1980, 5, 1)
    people = [customer(2, "张三", "A", persons=(me(day, "张三"),)),
              customer(1, "李四", "A", persons=(me(day, "李四"),),
                       appointments=((1, datetime(2026, 5, 1, 9), "", ""),)),
              customer(3, "王五", "C", persons=(me(day, "王五"),))]
    s = CalendarSettings()
    first = run(people, start=date(2026, 5, 1), end=date(2026, 5, 1), settings=s)
    kinds = [tp.kind for tp in first]
    assert kinds == sorted(kinds, key=KINDS.index)
    assert [(tp.kind, tp.customer_name) for tp in first] == [
        ("appointment", "李四"), ("birthday", "张三"), ("birthday", "李四"), ("birthday", "王五"),
        ("festival", "张三"), ("festival", "李四")]
    again = run(list(reversed(people)), start=date(2026, 5, 1), end=date(2026, 5, 1), settings=s)
    assert [tp.key for tp in again] == [tp.key for tp in first]


def test_bad_inputs_raise_clear_errors() -> None:
    with pytest.raises(ValidationError, match="结束日期"):
        run([], start=date(2026, 2, 1), end=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="2月29日"):
        DateSpec("solar", 1985, 2, 29)
    with pytest.raises(ValidationError, match="没有闰四月"):
        DateSpec("lunar", 2023, 4, 1, leap=True)
    with pytest.raises(ValidationError, match="历法"):
        DateSpec("julian", None, 1, 1)
    with pytest.raises(ValidationError, match="推迟"):
        Mark("k", "snoozed", None)
    with pytest.raises(ValidationError, match="处理状态"):
        Mark("k", "maybe")
    with pytest.raises(ValidationError, match="2月29日规则"):
        CalendarSettings(feb29_policy="never")


def test_one_off_dates_snoozed_into_the_range_come_along_and_nothing_else_does() -> None:
    renew = DealDates(8, "车险", None, date(2026, 2, 20), "续保")
    other = DealDates(9, "寿险", None, date(2026, 2, 21), "续期")
    c = customer(deals=(renew,), appointments=((99, datetime(2026, 2, 25, 10), "", "面谈"),))
    bystander = customer(13, "李四", deals=(other,))
    marks = {"renew:d8:2026-02-20": Mark("renew:d8:2026-02-20", "snoozed", date(2026, 3, 20)),
             "appt:v99": Mark("appt:v99", "snoozed", date(2026, 3, 22))}
    tps = run([c, bystander], start=date(2026, 3, 16), end=date(2026, 3, 31), marks=marks)
    assert [(tp.key, tp.date, tp.lead_date, tp.status) for tp in tps] == [
        ("renew:d8:2026-02-20", date(2026, 3, 20), date(2026, 3, 20), "snoozed"),
        ("appt:v99", date(2026, 3, 22), date(2026, 3, 22), "snoozed")]


def test_marked_festivals_keep_their_status_and_the_agenda_order() -> None:
    people = [customer(1, "甲", "C"), customer(2, "乙", "C"), customer(3, "丙", "C")]
    key = "fest:zhongqiu:c2:2026-09-25"
    marks = {key: Mark(key, "done"), "fest:zhongqiu:c3:2026-09-25": Mark("fest:zhongqiu:c3:2026-09-25", "skipped")}
    tps = run(people, start=date(2026, 9, 25), end=date(2026, 9, 25), settings=CalendarSettings(), marks=marks)
    assert [(tp.customer_name, tp.status) for tp in tps] == [("丙", "skipped"), ("乙", "done"), ("甲", "due")]
    # A 中秋 greeting snoozed to the next day leaves the day and shows up on the next one.
    later = {key: Mark(key, "snoozed", date(2026, 9, 26))}
    assert [tp.customer_id for tp in run(people, start=date(2026, 9, 25), end=date(2026, 9, 25),
                                         settings=CalendarSettings(), marks=later)] == [3, 1]
    (moved,) = run(people, start=date(2026, 9, 26), end=date(2026, 9, 30), settings=CalendarSettings(), marks=later)
    assert (moved.key, moved.date, moved.status, moved.title) == (key, date(2026, 9, 26), "snoozed", "中秋问候")


def test_major_festivals_suggest_more_than_minor_ones() -> None:
    tps = run([customer(grade="A")], start=date(2026, 2, 17), end=date(2026, 3, 3), settings=CalendarSettings())
    by_key = {tp.festival_key: (tp.method, tp.gift) for tp in tps}
    assert by_key["chunjie"] == ("上门拜访", "礼品（鲜花、蛋糕或伴手礼）")
    assert by_key["yuanxiao"] == ("电话问候", "")
