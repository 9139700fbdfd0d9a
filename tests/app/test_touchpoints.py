"""TouchpointService on a real encrypted archive: what is due, marks, cadence reset, settings, greetings.

The clock is 2026-11-22 09:30 (tests/conftest.py).  Dates used below, checked by hand against a printed
almanac: 2026-11-23 = 农历十月十五; 2026-12-09 = 冬月初一; 2026-12-22 = 冬至; 2027-01-01 元旦;
2027-02-05 除夕 (腊月廿九); 2027-02-06 春节.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from app.errors import NotFound, ValidationError
from app.rows import Birthday, ContactInput, CustomerInput, DealInput, LifeEventInput, VisitInput
from app.services.settings import SalesProfile
from app.services.touchpoint_views import group_festivals
from app.services.touchpoints import CalendarOptions

TODAY = date(2026, 11, 22)


def add(svc, name: str, grade: str = "B", **kw) -> int:
    return svc.customers.create(CustomerInput(name=name, grade=grade, grade_manual=True, **kw))


def keyed(found, kind: str, customer_id: int):
    return [t for t in found if t.kind == kind and t.customer_id == customer_id]


def test_lunar_and_family_birthdays_fall_on_their_days(svc) -> None:
    cid = add(svc, "王建国", gender="男", birthday=Birthday("lunar", 10, 15, year=1970))
    spouse = svc.contacts.add(cid, ContactInput(name="李丽", role="家属", relation="配偶", gender="女",
                                                birthday=Birthday("solar", 11, 30, year=1972)))
    found = svc.touchpoints.between(TODAY, date(2026, 12, 31))
    own = keyed(found, "birthday", cid)
    assert [(t.date, t.person_id) for t in own] == [(date(2026, 11, 23), None), (date(2026, 11, 30), spouse)]
    assert "农历十月十五" in own[0].title and "56岁" in own[0].title
    assert own[1].person_name == "李丽" and "配偶" in own[1].title


def test_festivals_follow_the_grade_setting(svc) -> None:
    a = add(svc, "甲客户", grade="A")
    d = add(svc, "丁客户", grade="D")
    window = (date(2026, 12, 20), date(2027, 2, 10))
    found = svc.touchpoints.between(*window, kinds=("festival",))
    names = lambda cid: {t.festival_key for t in found if t.customer_id == cid}  # noqa: E731
    assert {"dongzhi", "shengdan", "yuandan", "laba", "chuxi", "chunjie"} <= names(a)
    assert names(d) == {"chunjie"}
    chunjie = [t for t in found if t.festival_key == "chunjie"]
    assert {t.date for t in chunjie} == {date(2027, 2, 6)}
    assert [t.date for t in found if t.festival_key == "chuxi"] == [date(2027, 2, 5)]

    svc.touchpoints.set_festival_grades({"yuandan": "ABCD", "chunjie": "A"})
    found = svc.touchpoints.between(*window, kinds=("festival",))
    assert names(d) == {"yuandan"}
    assert svc.touchpoints.festival_grades()["zhongqiu"] == "ABCD"  # untouched festivals keep their choice
    with pytest.raises(ValidationError, match="只能是 A、B、C、D"):
        svc.touchpoints.set_festival_grades({"yuandan": "AX"})
    with pytest.raises(ValidationError):
        svc.touchpoints.set_festival_grades({"no-such-day": "A"})


def test_grade_and_kind_filters(svc) -> None:
    a = add(svc, "甲", grade="A", birthday=Birthday("solar", 12, 1))
    c = add(svc, "丙", grade="C", birthday=Birthday("solar", 12, 1))
    found = svc.touchpoints.between(date(2026, 12, 1), date(2026, 12, 1), grades=("A",), kinds=("birthday",))
    assert [t.customer_id for t in found] == [a]
    found = svc.touchpoints.between(date(2026, 12, 1), date(2026, 12, 1), kinds=("birthday",))
    assert {t.customer_id for t in found} == {a, c}


def test_renewal_lead_days_come_from_settings(svc) -> None:
    cid = add(svc, "续保客户")
    svc.deals.add(cid, DealInput(product="车险", start_date=date(2025, 12, 20), renewal_kind="续保",
                                 renewal_date=date(2026, 12, 20)))
    (renewal,) = keyed(svc.touchpoints.between(TODAY, date(2027, 1, 31)), "renewal", cid)
    assert renewal.date == date(2026, 12, 20) and renewal.lead_date == date(2026, 11, 20)
    svc.touchpoints.set_options(CalendarOptions(renewal_lead_days=10))
    (renewal,) = keyed(svc.touchpoints.between(TODAY, date(2027, 1, 31)), "renewal", cid)
    assert renewal.lead_date == date(2026, 12, 10)
    assert svc.touchpoints.options().renewal_lead_days == 10
    with pytest.raises(ValidationError, match="0 到 366"):
        svc.touchpoints.set_options(CalendarOptions(renewal_lead_days=400))
    with pytest.raises(ValidationError, match="2月29日"):
        svc.touchpoints.set_options(CalendarOptions(feb29_policy="mar2"))


def test_lapsed_deals_have_no_renewal(svc) -> None:
    cid = add(svc, "退保客户")
    svc.deals.add(cid, DealInput(product="寿险", renewal_kind="续期", renewal_date=date(2026, 12, 5), status="已终止"))
    assert keyed(svc.touchpoints.between(TODAY, date(2026, 12, 31)), "renewal", cid) == []


def test_appointment_from_a_visit_and_kept_by_a_later_visit(svc, clock) -> None:
    cid = add(svc, "约见客户")
    vid = svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 11, 20, 10), method="电话",
                                    next_at=datetime(2026, 11, 25, 15, 0), next_place="客户公司",
                                    next_agenda="讲解方案"))
    (appt,) = keyed(svc.touchpoints.between(TODAY, date(2026, 11, 30)), "appointment", cid)
    assert appt.key == f"appt:v{vid}" and appt.at == datetime(2026, 11, 25, 15) and appt.place == "客户公司"
    assert "讲解方案" in appt.title and appt.status == "due"
    # The salesperson met the customer and logged it from the card, not from 待办: the appointment is kept.
    svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 11, 25, 16), method="亲自拜访"))
    (appt,) = keyed(svc.touchpoints.between(TODAY, date(2026, 11, 30)), "appointment", cid)
    assert appt.status == "done"


def test_life_event_congratulation(svc) -> None:
    cid = add(svc, "乔迁客户")
    svc.life_events.add(cid, LifeEventInput(kind="乔迁", on=date(2026, 11, 28), note="新家在望京"))
    (tp,) = keyed(svc.touchpoints.between(TODAY, date(2026, 11, 30)), "life_event", cid)
    assert tp.date == date(2026, 11, 28) and "乔迁" in tp.title


def test_complete_creates_the_visit_and_resets_cadence(svc) -> None:
    cid = add(svc, "张三", grade="A")
    svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 10, 1, 10), method="电话"))
    agenda = svc.touchpoints.agenda()
    (cadence,) = [t for t in agenda.overdue if t.customer_id == cid and t.kind == "cadence"]
    assert cadence.date == date(2026, 10, 31) and cadence.overdue_days == 22

    visit_id = svc.touchpoints.complete(cadence, "亲自拜访", "聊了孩子升学，需求：教育金")
    card = svc.customers.get(cid)
    (visit,) = [v for v in card.visits if v.id == visit_id]
    assert visit.touchpoint_key == cadence.key and visit.method == "亲自拜访"
    assert visit.content == "聊了孩子升学，需求：教育金" and visit.purpose == cadence.title
    assert card.last_contact_at == datetime(2026, 11, 22, 9, 30)
    mark = svc.touchpoints.mark_of(cadence.key)
    assert mark is not None and mark.status == "done" and mark.visit_id == visit_id
    # The cadence starts over from today: A = 30 days.
    nxt = keyed(svc.touchpoints.between(TODAY, date(2027, 1, 31)), "cadence", cid)
    assert [t.date for t in nxt] == [date(2026, 12, 22)]
    assert not [t for t in svc.touchpoints.agenda().overdue if t.customer_id == cid]
    history = svc.audit.history(cid)
    assert any("完成待办" in h.summary for h in history)


def test_complete_many_is_all_or_nothing(svc) -> None:
    ids = [add(svc, f"客户{i}", grade="A", birthday=Birthday("solar", 11, 24)) for i in range(3)]
    found = keyed(svc.touchpoints.between(date(2026, 11, 24), date(2026, 11, 24)), "birthday", ids[0])
    svc.touchpoints.complete(found[0], "微信", "已发祝福")
    batch = [t for t in svc.touchpoints.between(date(2026, 11, 24), date(2026, 11, 24), kinds=("birthday",))]
    assert len(batch) == 3
    with pytest.raises(ValidationError, match="已经完成"):
        svc.touchpoints.complete_many(batch, "微信", "")
    assert all(not svc.customers.get(i).visits for i in ids[1:])
    open_ = [t for t in batch if t.status != "done"]
    assert len(svc.touchpoints.complete_many(open_, "微信", "群发前逐个改过")) == 2
    assert all(t.status == "done" for t in svc.touchpoints.between(date(2026, 11, 24), date(2026, 11, 24),
                                                                   kinds=("birthday",)))


def test_complete_refuses_an_unknown_method(svc) -> None:
    cid = add(svc, "方式客户", birthday=Birthday("solar", 11, 24))
    (tp,) = keyed(svc.touchpoints.between(TODAY, date(2026, 11, 30)), "birthday", cid)
    with pytest.raises(ValidationError, match="方式"):
        svc.touchpoints.complete(tp, "飞鸽传书")
    assert svc.customers.get(cid).visits == ()


def test_skip_needs_a_reason_and_can_be_undone(svc) -> None:
    cid = add(svc, "跳过客户", birthday=Birthday("solar", 11, 24))
    (tp,) = keyed(svc.touchpoints.between(TODAY, date(2026, 11, 30)), "birthday", cid)
    with pytest.raises(ValidationError, match="跳过原因"):
        svc.touchpoints.skip(tp, "  ")
    svc.touchpoints.skip(tp.key, "客户在国外")
    (again,) = keyed(svc.touchpoints.between(TODAY, date(2026, 11, 30)), "birthday", cid)
    assert again.status == "skipped" and svc.touchpoints.mark_of(tp.key).reason == "客户在国外"
    assert tp.key not in {t.key for t in svc.touchpoints.agenda().upcoming}
    svc.touchpoints.reopen(tp)
    (again,) = keyed(svc.touchpoints.between(TODAY, date(2026, 11, 30)), "birthday", cid)
    assert again.status == "due"


def test_snooze_moves_the_touchpoint(svc, clock) -> None:
    cid = add(svc, "推迟客户", birthday=Birthday("solar", 11, 24))
    (tp,) = keyed(svc.touchpoints.between(TODAY, date(2026, 11, 30)), "birthday", cid)
    with pytest.raises(ValidationError, match="不能早于今天"):
        svc.touchpoints.snooze(tp, date(2026, 11, 21))
    svc.touchpoints.snooze(tp, date(2026, 12, 3))
    assert keyed(svc.touchpoints.between(TODAY, date(2026, 11, 30)), "birthday", cid) == []
    (moved,) = keyed(svc.touchpoints.between(date(2026, 12, 1), date(2026, 12, 31)), "birthday", cid)
    assert moved.key == tp.key and moved.date == date(2026, 12, 3) and moved.status == "snoozed"
    clock.value = datetime(2026, 12, 5, 9)
    (late,) = [t for t in svc.touchpoints.agenda().overdue if t.key == tp.key]
    assert late.status == "overdue" and late.date == date(2026, 12, 3)


def test_find_by_key_and_unknown_keys(svc) -> None:
    cid = add(svc, "钥匙客户", birthday=Birthday("solar", 11, 24))
    (tp,) = keyed(svc.touchpoints.between(TODAY, date(2026, 11, 30)), "birthday", cid)
    assert svc.touchpoints.find(tp.key) == tp
    with pytest.raises(NotFound):
        svc.touchpoints.find("bday:c999999:p0:2026-11-24")
    with pytest.raises(NotFound):
        svc.touchpoints.complete("gibberish", "电话")


def test_cache_follows_writes_from_other_services(svc) -> None:
    cid = add(svc, "缓存客户")
    assert keyed(svc.touchpoints.between(TODAY, date(2026, 11, 30)), "birthday", cid) == []
    svc.contacts.add(cid, ContactInput(name="小宝", role="家属", relation="儿子",
                                       birthday=Birthday("solar", 11, 26, year=2018)))
    assert len(keyed(svc.touchpoints.between(TODAY, date(2026, 11, 30)), "birthday", cid)) == 1
    svc.customers.delete([cid])
    assert [t for t in svc.touchpoints.between(TODAY, date(2026, 11, 30)) if t.customer_id == cid] == []
    assert svc.touchpoints.for_customer(cid, TODAY, date(2026, 11, 30)) == []


def test_cadence_setting_changes_due_dates(svc) -> None:
    cid = add(svc, "周期客户", grade="C")
    svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 8, 1, 10), method="电话"))
    assert [t.date for t in svc.touchpoints.for_customer(cid, TODAY, date(2027, 3, 1)) if t.kind == "cadence"] == [
        date(2027, 1, 28)]
    svc.settings.set_cadence({"A": 30, "B": 90, "C": 60, "D": 365})
    (due,) = [t for t in svc.touchpoints.agenda().overdue if t.customer_id == cid and t.kind == "cadence"]
    assert due.date == date(2026, 9, 30)


def test_greeting_uses_salutation_template_and_profile(svc) -> None:
    svc.settings.set_profile(SalesProfile(name="李明", company="平安人寿"))
    cid = add(svc, "王建国", gender="男", birthday=Birthday("solar", 11, 24))
    (tp,) = keyed(svc.touchpoints.between(TODAY, date(2026, 11, 30)), "birthday", cid)
    text = svc.touchpoints.greeting(tp)
    assert text.startswith("王先生，生日快乐") and text.endswith("——李明")
    svc.touchpoints.set_greeting_template("birthday", "{称呼}生日快乐！{公司}{销售姓名}敬上")
    assert svc.touchpoints.greeting(tp) == "王先生生日快乐！平安人寿李明敬上"
    with pytest.raises(ValidationError, match="称乎"):
        svc.touchpoints.set_greeting_template("birthday", "{称乎}你好")
    svc.touchpoints.set_greeting_template("birthday", "")
    assert svc.touchpoints.greeting(tp).startswith("王先生，生日快乐")
    cadence = svc.touchpoints.for_customer(cid, TODAY, date(2027, 12, 31))
    assert svc.touchpoints.greeting(next(t for t in cadence if t.kind == "cadence")) == ""


def test_festival_greeting_and_grouping(svc) -> None:
    ids = [add(svc, n, grade="A", gender="女") for n in ("赵敏", "钱芳", "孙丽")]
    found = svc.touchpoints.between(date(2026, 12, 25), date(2026, 12, 25), kinds=("festival",))
    (group,) = group_festivals(found)
    assert group.customer_count == 3 and group.festival_key == "shengdan" and "圣诞" in group.title
    assert {t.customer_id for t in group.items} == set(ids)
    assert svc.touchpoints.greeting(group.items[0]).startswith(("赵女士", "钱女士", "孙女士"))


def test_month_grid_has_lunar_days_festivals_and_counts(svc) -> None:
    add(svc, "月历客户", grade="A", birthday=Birthday("solar", 12, 22))
    view = svc.touchpoints.month(2026, 12)
    assert view.cells[0].date == date(2026, 11, 30) and len(view.cells) == 42  # Monday first
    by_date = {c.date: c for c in view.cells}
    assert by_date[date(2026, 12, 9)].lunar_label == "冬月"  # 初一 shows the month's name
    assert by_date[date(2026, 12, 10)].lunar_label == "初二"
    winter = by_date[date(2026, 12, 22)]
    assert "冬至" in winter.festivals and winter.counts["birthday"] == 1 and winter.counts["festival"] == 1
    assert not by_date[date(2027, 1, 1)].in_month and by_date[date(2026, 12, 1)].in_month
    # Card created today, grade A: the first 定期拜访 is due 30 days later, the same day.
    assert [t.kind for t in svc.touchpoints.day(date(2026, 12, 22))] == ["birthday", "festival", "cadence"]
    assert view.cell(date(2026, 12, 22)) == winter and view.cell(date(2027, 1, 11)) is None
    assert view.caption.startswith("2026年12月")


def test_export_ics_writes_atomically(svc, tmp_path) -> None:
    from icalendar import Calendar

    cid = add(svc, "日历客户", birthday=Birthday("lunar", 3, 8, year=1985))
    svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 11, 20, 10), method="电话",
                              next_at=datetime(2026, 11, 25, 15)))
    folder = tmp_path / "export"
    out = folder / "客户.ics"
    size = svc.touchpoints.export_ics(out, years=3)
    assert out.stat().st_size == size
    cal = Calendar.from_ical(out.read_bytes())
    events = [e for e in cal.walk("VEVENT")]
    assert sum("日历客户" in str(e.get("summary")) and "生日" in str(e.get("summary")) for e in events) == 3
    assert any(e.get("dtstart").dt == datetime(2026, 11, 25, 15) for e in events)
    assert [p.name for p in folder.iterdir()] == ["客户.ics"]  # no temporary file left behind
    with pytest.raises(ValidationError):
        svc.touchpoints.export_ics(out, years=0)


def test_loader_keeps_a_lunar_birthday_whose_year_lacks_the_leap_month(svc, archive) -> None:
    from sqlalchemy import update

    from app.models import Customer

    cid = add(svc, "闰月客户", birthday=Birthday("lunar", 4, 15))
    with svc.customers.write() as s:  # typed before checks were strict: 1960 has no 闰四月
        s.execute(update(Customer).where(Customer.id == cid).values(birth_year=1960, birth_leap=True))
    found = svc.touchpoints.for_customer(cid, date(2027, 1, 1), date(2027, 12, 31))
    assert [t.kind for t in found].count("birthday") == 1


def test_agenda_sections(svc) -> None:
    cid = add(svc, "议程客户", grade="A", birthday=Birthday("solar", 11, 22))
    svc.contacts.add(cid, ContactInput(name="女儿", role="家属", relation="女儿",
                                       birthday=Birthday("solar", 11, 26)))
    svc.life_events.add(cid, LifeEventInput(kind="晋升", on=date(2026, 11, 10)))
    agenda = svc.touchpoints.agenda()
    assert agenda.today == TODAY
    assert [t.kind for t in agenda.due_today if t.customer_id == cid] == ["birthday"]
    assert [t.kind for t in agenda.upcoming if t.customer_id == cid] == ["birthday"]
    assert "life_event" in [t.kind for t in agenda.overdue if t.customer_id == cid]
    assert all(t.date < TODAY for t in agenda.overdue)
    assert all(TODAY < t.date <= TODAY + timedelta(days=7) for t in agenda.upcoming)
