"""Customer cards through the services, on a real encrypted archive."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from app.errors import NotFound, ValidationError
from app.grading import suggest_grade
from app.rows import Birthday, ContactInput, CustomerInput, DealInput, ListQuery, VisitInput


def names(page: object) -> list[str]:
    return [r.name for r in page.rows]  # type: ignore[attr-defined]


@pytest.mark.parametrize("data,field,fragment", [
    (CustomerInput(name="  "), "姓名/名称", "不能为空"),
    (CustomerInput(name="王五", mobile="1381234"), "手机", "不是有效的手机号"),
    (CustomerInput(name="王五", phone="010-12"), "电话", "区号后应为"),
    (CustomerInput(name="王五", birthday=Birthday("solar", 2, 30, 1990)), "生日", "2月30日不存在"),
    (CustomerInput(name="王五", birthday=Birthday("solar", 2, 29, 1991)), "生日", "1991年2月29日不存在"),
    (CustomerInput(name="王五", birthday=Birthday("lunar", 13, 1)), "生日", "农历没有13月"),
    (CustomerInput(name="王五", email="wang@"), "邮箱", "不是有效"),
    (CustomerInput(name="王五", stage="流失"), "流失原因", "请写明原因"),
    (CustomerInput(name="王五", grade="E"), "等级", "A、B、C 或 D"),
    (CustomerInput(name="王五", kind="公司"), "客户类型", "不是可选值"),
    (CustomerInput(name="王五", economy="很好"), "经济条件", "好 或 一般"),
])
def test_validation_names_the_field_in_chinese(svc: object, data: CustomerInput, field: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as err:
        svc.customers.create(data)
    assert err.value.field == field
    assert fragment in err.value.message
    assert svc.customers.count() == 0


def test_leap_month_lunar_birthday_that_does_not_exist_is_refused(svc: object) -> None:
    # 2023 has 闰二月, not 闰三月.
    with pytest.raises(ValidationError, match="农历"):
        svc.customers.create(CustomerInput(name="王五", birthday=Birthday("lunar", 3, 1, 2023, leap=True)))
    svc.customers.create(CustomerInput(name="王五", birthday=Birthday("lunar", 2, 1, 2023, leap=True)))


def test_card_numbers_are_assigned_and_unique(svc: object) -> None:
    a = svc.customers.create(CustomerInput(name="甲"))
    b = svc.customers.create(CustomerInput(name="乙", card_no="KH000002"))
    c = svc.customers.create(CustomerInput(name="丙"))
    numbers = [svc.customers.get(i).card_no for i in (a, b, c)]
    assert numbers[0] == "KH000001" and numbers[1] == "KH000002"
    assert numbers[2] not in numbers[:2] and numbers[2].startswith("KH")
    with pytest.raises(ValidationError, match="已被“甲”使用"):
        svc.customers.create(CustomerInput(name="丁", card_no="kh000001"))


def test_creator_and_dates_are_recorded(svc: object, clock: object) -> None:
    from app.services.settings import SalesProfile

    svc.settings.set_profile(SalesProfile(name="李明"))
    card = svc.customers.get(svc.customers.create(CustomerInput(name="甲")))
    assert card.data.created_by == "李明" and card.data.created_on == date(2026, 11, 22)
    assert svc.audit.history(card.id)[0].actor == "李明"


def test_pinyin_search_with_surname_readings(svc: object) -> None:
    for name in ("张三丰", "单田芳", "曾国藩", "张珊", "欧阳娜娜", "赵四"):
        svc.customers.create(CustomerInput(name=name))
    assert names(svc.customers.list(ListQuery(search="zsf"))) == ["张三丰"]
    assert names(svc.customers.list(ListQuery(search="stf"))) == ["单田芳"]  # 单 as a surname is shan
    assert names(svc.customers.list(ListQuery(search="zengguo"))) == ["曾国藩"]  # 曾 is zeng
    assert names(svc.customers.list(ListQuery(search="oynn"))) == ["欧阳娜娜"]
    assert set(names(svc.customers.list(ListQuery(search="张")))) == {"张三丰", "张珊"}
    assert names(svc.customers.list(ListQuery(search="ZSF"))) == ["张三丰"]  # case does not matter


def test_phone_company_card_number_and_contact_search(svc: object) -> None:
    a = svc.customers.create(CustomerInput(name="王建国", mobile="13812345678", company="华信科技有限公司"))
    b = svc.customers.create(CustomerInput(name="李红", phone="0755-88776655"))
    svc.contacts.add(b, ContactInput(name="李小明", role="家属", relation="儿子", mobile="13999998888"))
    assert names(svc.customers.list(ListQuery(search="1234 5678"))) == ["王建国"]
    assert names(svc.customers.list(ListQuery(search="138-1234"))) == ["王建国"]
    assert names(svc.customers.list(ListQuery(search="88776655"))) == ["李红"]
    assert names(svc.customers.list(ListQuery(search="华信"))) == ["王建国"]
    assert names(svc.customers.list(ListQuery(search=svc.customers.get(a).card_no.lower()))) == ["王建国"]
    assert names(svc.customers.list(ListQuery(search="李小明"))) == ["李红"]  # family member's name
    assert names(svc.customers.list(ListQuery(search="1399999"))) == ["李红"]  # family member's phone
    assert names(svc.customers.list(ListQuery(search="100%"))) == []  # LIKE wildcards are literal


def test_list_filters_sort_and_pages(svc: object) -> None:
    for i, (name, grade) in enumerate([("赵", "A"), ("钱", "B"), ("孙", "A"), ("李", "C"), ("周", "A")]):
        svc.customers.create(CustomerInput(name=name, grade=grade, grade_manual=True, tags=("VIP",) if i % 2 else ()))
    assert names(svc.customers.list(ListQuery())) == ["李", "钱", "孙", "赵", "周"]  # pinyin order
    assert names(svc.customers.list(ListQuery(descending=True))) == ["周", "赵", "孙", "钱", "李"]
    assert names(svc.customers.list(ListQuery(grades=("A",)))) == ["孙", "赵", "周"]
    assert names(svc.customers.list(ListQuery(tag="VIP"))) == ["李", "钱"]
    page = svc.customers.list(ListQuery(offset=2, limit=2))
    assert names(page) == ["孙", "赵"] and page.total == 5
    assert svc.customers.list(ListQuery(tag="VIP")).rows[0].tags == "VIP"


def test_duplicate_candidates(svc: object) -> None:
    a = svc.customers.create(CustomerInput(name="王建国", mobile="13812345678", company="华信",
                                           birthday=Birthday("solar", 3, 8, 1985)))
    dup = svc.customers.duplicates
    assert [d.reason for d in dup(CustomerInput(name="别人", mobile="+86 138 1234 5678"))] == ["电话相同"]
    assert [d.reason for d in dup(CustomerInput(name="王建国", company="华信"))] == ["姓名和单位相同"]
    assert [d.reason for d in dup(CustomerInput(name="王建国", birthday=Birthday("solar", 3, 8)))] == ["姓名和生日相同"]
    assert dup(CustomerInput(name="王建国")) == []  # a name alone is not enough
    assert dup(CustomerInput(name="王建国", company="华信"), exclude_id=a) == []


def test_soft_delete_restore_and_purge_are_audited(svc: object) -> None:
    a = svc.customers.create(CustomerInput(name="王建国"))
    svc.visits.log(VisitInput(customer_id=a, at=datetime(2026, 11, 1, 10), method="电话"))
    assert svc.customers.delete([a], "重复录入") == 1
    assert svc.customers.count() == 0 and names(svc.customers.list(ListQuery())) == []
    assert [r.name for r in svc.customers.recycle_bin()] == ["王建国"]
    assert svc.customers.get(a).visits  # nothing destroyed
    assert svc.customers.restore([a]) == 1
    assert svc.customers.count() == 1
    assert svc.customers.purge([a]) == 0, "purge only takes cards already in the recycle bin"
    svc.customers.delete([a])
    assert svc.customers.purge([a]) == 1
    with pytest.raises(NotFound):
        svc.customers.get(a)
    actions = [e.action for e in svc.audit.history(a)]
    assert actions[:4] == ["彻底删除", "删除", "恢复", "删除"]
    assert "重复录入" in svc.audit.history(a)[3].summary


def test_update_audits_field_level_changes_and_grade_history(svc: object) -> None:
    a = svc.customers.create(CustomerInput(name="王建国", economy="一般", awareness="强", influence="一般"))
    card = svc.customers.get(a)
    assert card.data.grade == "C"
    svc.customers.update(a, replace(card.data, economy="好", mobile="13812345678"))
    card = svc.customers.get(a)
    assert card.data.grade == "B"
    entry = svc.audit.history(a)[0]
    assert entry.changes["经济条件"] == ("一般", "好")
    assert entry.changes["手机"] == ("", "13812345678")
    assert entry.changes["等级"] == ("C", "B")
    svc.customers.update(a, replace(card.data, grade="A", grade_manual=True))
    assert svc.customers.get(a).data.grade == "A"  # the salesperson's override sticks


@pytest.mark.parametrize("economy,awareness,influence,grade", [
    ("好", "强", "广", "A"), ("好", "一般", "广", "B"), ("一般", "强", "一般", "C"), ("一般", "一般", "一般", "D"),
    ("好", "强", "一般", "B"), ("一般", "强", "广", "B"), ("好", "一般", "一般", "C"), ("一般", "一般", "广", "C"),
])
def test_grade_suggestion_covers_all_eight_combinations(economy: str, awareness: str, influence: str,
                                                        grade: str) -> None:
    suggestion = suggest_grade(economy, awareness, influence, closed=False)
    assert suggestion is not None and suggestion.grade == grade and suggestion.action


def test_grade_actions_follow_the_source_table() -> None:
    assert "加保" in suggest_grade("好", "强", "广", closed=True).action
    assert "积极拜访" in suggest_grade("好", "强", "广", closed=False).action
    assert "慢慢培养" in suggest_grade("一般", "一般", "一般", closed=False).action
    assert suggest_grade("好", "", "广", closed=False) is None


def test_deals_visits_and_contact_dates(svc: object) -> None:
    a = svc.customers.create(CustomerInput(name="王建国"))
    svc.deals.add(a, DealInput(product="平安福", amount=Decimal("12000"), start_date=date(2025, 3, 1)))
    card = svc.customers.get(a)
    assert (card.data.deal_status, card.data.stage) == ("成交", "成交")
    svc.visits.log(VisitInput(customer_id=a, at=datetime(2026, 10, 1, 10), method="亲自拜访",
                              next_at=datetime(2026, 12, 1, 15), next_place="客户家"))
    v2 = svc.visits.log(VisitInput(customer_id=a, at=datetime(2026, 11, 1, 10), method="电话"))
    card = svc.customers.get(a)
    assert card.last_contact_at == datetime(2026, 11, 1, 10)
    assert card.next_appointment_at == datetime(2026, 12, 1, 15)
    assert [v.method for v in card.visits] == ["电话", "亲自拜访"]  # newest first
    svc.visits.delete(v2)
    assert svc.customers.get(a).last_contact_at == datetime(2026, 10, 1, 10)
    with pytest.raises(ValidationError, match="满意度"):
        svc.visits.log(VisitInput(customer_id=a, at=datetime(2026, 11, 2), method="电话", satisfaction=9))


def test_referrals_and_referral_counts(svc: object) -> None:
    boss = svc.customers.create(CustomerInput(name="王总", influence_center=True))
    a = svc.customers.create(CustomerInput(name="甲", referrer_id=boss, source="转介绍"))
    svc.customers.create(CustomerInput(name="乙", referrer_id=boss, deal_status="成交"))
    card = svc.customers.get(boss)
    assert sorted(r.name for r in card.referrals) == ["乙", "甲"]
    assert svc.customers.get(a).referrer_name == "王总"
    assert svc.customers.referral_counts() == [(boss, "王总", 2, 1)]
    with pytest.raises(ValidationError, match="介绍人"):
        svc.customers.update(boss, replace(card.data, referrer_id=boss))


def test_batch_grade_and_tag(svc: object) -> None:
    ids = [svc.customers.create(CustomerInput(name=n)) for n in ("甲", "乙")]
    assert svc.customers.set_grade(ids, "b") == 2
    assert svc.customers.add_tag(ids, "春节送礼") == 2
    assert svc.customers.add_tag(ids, "春节送礼") == 0
    assert svc.customers.tags() == [("春节送礼", 2)]
    assert {r.grade for r in svc.customers.list(ListQuery()).rows} == {"B"}


def test_pinyin_dictionaries_load_on_first_conversion_not_at_import() -> None:
    """pypinyin costs ~0.4 s at import: searching and browsing never need it (the index holds the pinyin)."""
    import subprocess
    import sys
    from pathlib import Path

    code = ("import sys; import app.services, app.search; before = 'pypinyin' in sys.modules; "
            "from app.pinyin import initials; print(before, initials('单田芳'), 'pypinyin' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "stf", "True"]


def test_remembered_word_readings_are_exactly_pypinyins() -> None:
    """app.pinyin remembers each segmented word's reading: the result must stay lazy_pinyin's, twice over."""
    from pypinyin import lazy_pinyin
    from pypinyin.constants import PHRASES_DICT

    from app.pinyin import _syllables

    phrases = sorted(p for p in PHRASES_DICT if len(p) <= 3)[::40]  # polyphones read by their phrase
    texts = [*phrases, *(f"张{p}" for p in phrases), *(f"{p}明" for p in phrases), "重庆长安", "银行行长",
             "ABC公司", "1号店", "张三 Tom", "朝阳区会计"]
    expected = [[s.lower() for s in lazy_pinyin(t, errors=lambda c: list(c.lower())) if s.strip()] for t in texts]
    assert [_syllables(t) for t in texts] == expected
    assert [_syllables(t) for t in texts] == expected  # now from the remembered words
