"""The calendar loader (app/services/touchpoint_load.py): what it keeps, how it shares, and the page cache it leaves.

The engine's results over the loaded dates are held equal to the rules elsewhere (test_touchpoints*.py);
these tests pin the loader's own promises: customers in id order, equal texts and days as one object,
the connection's page cache size given back after the scan, nothing from the recycle bin, and a patch after
the service's own writes that equals a fresh load.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import text

from app.rows import Birthday, ContactInput, CustomerInput, DealInput
from app.services import touchpoint_load


def _add(svc, name: str, **kw) -> int:
    return svc.customers.create(CustomerInput(name=name, grade="B", grade_manual=True, **kw))


def test_customers_in_id_order_with_texts_days_and_birthdays_shared(svc) -> None:
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
    assert [c.customer_id for c in loaded.customers] == sorted(ids)
    assert deleted not in loaded.by_id
    a, b, c = loaded.customers
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


def test_the_services_own_writes_patch_the_loaded_dates_to_what_a_fresh_load_gives(svc, monkeypatch) -> None:
    """complete / skip / snooze / reopen read again only the customers they changed and the marks."""
    import random
    from datetime import datetime, timedelta

    from app.rows import VisitInput
    from app.services import touchpoint_inputs

    today = date(2026, 11, 22)  # the clock of tests/conftest.py
    ids = []
    for i, name in enumerate(("王建国", "李娜", "张伟", "陈静", "刘洋", "王芳")):
        cid = _add(svc, name, birthday=Birthday("lunar" if i % 2 else "solar", 10 if i % 2 else 11, 20 + i, year=1980 + i),
                   wedding_date=date(2001, 11, 25 + i))
        svc.contacts.add(cid, ContactInput(name=f"{name}家属", role="家属", relation="配偶",
                                           birthday=Birthday("solar", 12, 1 + i, year=1982)))
        svc.deals.add(cid, DealInput(product="平安福", start_date=date(2024, 12, 1 + i),
                                     renewal_date=date(2026, 12, 1 + i), renewal_kind="续期"))
        # An appointment already past (yesterday): any later visit keeps it, with no mark stored.
        svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 9, 10 + i, 10), method="电话",
                                  next_at=datetime(2026, 11, 21, 15), next_place="公司"))
        ids.append(cid)
    tps = svc.touchpoints
    window = (today - timedelta(days=40), today + timedelta(days=40))
    tps.between(*window)
    loads = []
    real_load = touchpoint_inputs.load
    monkeypatch.setattr(touchpoint_inputs, "load", lambda *a, **k: loads.append(1) or real_load(*a, **k))

    def same_as_fresh() -> None:
        with tps.read() as s:
            fresh, fp = touchpoint_load.load(s), touchpoint_load.fingerprint(s)
        held_fp, held = tps._cache
        assert held_fp == fp
        assert held.customers == fresh.customers and dict(held.by_id) == dict(fresh.by_id)
        assert dict(held.marks) == dict(fresh.marks) and dict(held.implicit) == dict(fresh.implicit)
        if tps._by_name_of is not None and tps._by_name_of[0] is held:  # the engine's order, kept across patches
            assert list(tps._by_name_of[1]) == sorted(fresh.customers, key=lambda c: (c.name, c.customer_id))

    # Completing a customer's 定期拜访 logs a visit today, which also keeps yesterday's appointment.
    (cadence,) = [t for t in tps.between(*window, kinds=("cadence",)) if t.customer_id == ids[0]]
    tps.complete(cadence, "电话")
    same_as_fresh()
    assert [t.status for t in tps.between(*window, kinds=("appointment",)) if t.customer_id == ids[0]] == ["done"]
    # A mark alone keeps the per-load tables (the month's counts are built from the dates only) …
    counts = (tps.month(2026, 12), tps._counts_of[1])[1]
    tps.skip(next(t for t in tps.between(*window) if t.status == "due"), "客户出差")
    kept_view = tps.month(2026, 12)
    assert tps._counts_of[1] is counts
    tps.invalidate()
    assert tps.month(2026, 12) == kept_view  # … and they give what tables built afresh give
    loads.clear()
    rng = random.Random(4)
    for _ in range(25):
        found = tps.between(*window)
        open_ = [t for t in found if t.status in ("due", "overdue", "snoozed")]
        marked = [t for t in found if t.status in ("skipped", "snoozed")]
        action = rng.choice(("complete", "skip", "snooze", "reopen"))
        if action == "complete":
            tps.complete_many(rng.sample(open_, 2), "微信", "批量")
        elif action == "skip":
            tps.skip(rng.choice(open_), "客户出差")
        elif action == "snooze":
            tps.snooze(rng.choice(open_), today + timedelta(days=rng.randint(0, 30)))
        elif marked:
            tps.reopen(rng.choice(marked))
        same_as_fresh()
    assert loads == []  # every write was followed by a patch, never by reading everything again


def test_a_failing_patch_never_fails_the_write(svc, monkeypatch) -> None:
    """Reading the changed dates back is a cache's business: if it fails, the skip is kept and the cache dropped."""
    from app.services import touchpoint_inputs

    cid = _add(svc, "跳过客户", birthday=Birthday("solar", 11, 25, year=1980))
    tps = svc.touchpoints
    (tp,) = [t for t in tps.between(date(2026, 11, 22), date(2026, 11, 30)) if t.customer_id == cid]

    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk hiccup")

    monkeypatch.setattr(touchpoint_inputs, "reload_customers", broken)
    tps.skip(tp, "客户出差")
    assert tps._cache is None  # forgotten: the next read loads everything again
    assert tps.mark_of(tp.key).status == "skipped"
