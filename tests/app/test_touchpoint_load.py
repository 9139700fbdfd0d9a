"""The calendar loader (app/services/touchpoint_load.py): what it keeps, how it shares, and the page cache it leaves.

The engine's results over the loaded dates are held equal to the rules elsewhere (test_touchpoints*.py);
these tests pin the loader's own promises: customers in id order, equal texts and days as one object,
the connection's page cache size given back after the scan, nothing from the recycle bin.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import text

from app.rows import Birthday, ContactInput, CustomerInput, DealInput
from app.services import touchpoint_load


def _add(svc, name: str, **kw) -> int:
    return svc.customers.create(CustomerInput(name=name, grade="B", grade_manual=True, **kw))


def test_customers_in_agenda_order_with_texts_days_and_birthdays_shared(svc) -> None:
    ids = [_add(svc, name, birthday=Birthday("solar", 5, 20, year=1980), wedding_date=date(2001, 10, 1))
           for name in ("张伟", "王芳", "张伟")]
    for cid in ids:
        svc.contacts.add(cid, ContactInput(name="李丽", role="家属", relation="配偶",
                                           birthday=Birthday("lunar", 8, 15, year=1982)))
        svc.deals.add(cid, DealInput(product="平安福", start_date=date(2024, 3, 1),
                                     renewal_date=date(2025, 3, 1), renewal_kind="周年"))
    deleted = _add(svc, "回收站客户", birthday=Birthday("solar", 1, 1))
    svc.customers.delete([deleted], reason="测试")

    with svc.touchpoints.read() as s:
        loaded = touchpoint_load.load(s)
    assert [c.customer_id for c in loaded.customers] == [ids[0], ids[2], ids[1]]  # by name (张 < 王), then id
    assert deleted not in loaded.by_id
    a, c, b = loaded.customers
    assert a.name == c.name == "张伟" and a.name is c.name
    assert a.persons[0].birthday is b.persons[0].birthday  # one DateSpec per distinct birthday
    assert a.persons[1].name is b.persons[1].name and a.persons[1].relation is b.persons[1].relation
    assert a.persons[1].birthday is b.persons[1].birthday
    assert a.wedding is b.wedding == date(2001, 10, 1)
    assert a.deals[0].product is b.deals[0].product and a.deals[0].renewal is b.deals[0].renewal


def test_persons_are_those_with_a_birthday(svc) -> None:
    plain = _add(svc, "没生日")
    child = svc.contacts.add(plain, ContactInput(name="小宝", role="家属", relation="儿子",
                                                 birthday=Birthday("solar", 6, 1, year=2020)))
    svc.contacts.add(plain, ContactInput(name="老李", role="家属", relation="父亲"))
    with svc.touchpoints.read() as s:
        loaded = touchpoint_load.load(s)
    assert [(p.person_id, p.name) for p in loaded.by_id[plain].persons] == [(child, "小宝")]


def test_the_scan_gives_the_connection_back_its_page_cache_size(svc) -> None:
    _add(svc, "张伟", birthday=Birthday("solar", 5, 20))
    with svc.touchpoints.read() as s:
        before = s.execute(text("PRAGMA cache_size")).scalar()
        seen: list[int] = []
        touchpoint_load.load(s, check=lambda: seen.append(s.execute(text("PRAGMA cache_size")).scalar()))
        after = s.execute(text("PRAGMA cache_size")).scalar()
    assert before == after < -touchpoint_load.SCAN_CACHE_KIB  # the archive's own (large) cache
    assert seen and set(seen) == {-touchpoint_load.SCAN_CACHE_KIB}  # small while scanning
