"""A realistic, deterministic sample archive: Chinese names by real surname frequency, companies,
families, 农历 birthdays, deals, visits, complaints, referrals. Used by `clientfile demo`, the sample
archive of the welcome dialog, screenshots and benchmarks.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert, update

from app import demo_data as W
from app import search
from app.config import data_dir
from app.models import Complaint, Contact, Customer, Deal, LifeEventRecord, Visit
from app.progress import ProgressFn, no_progress, step
from app.rows import Birthday, CustomerInput
from app.services import Services
from app.services.settings import SalesProfile

SAMPLE_PASSWORD = "sample123"
CHUNK = 2000


def sample_archive_path() -> Path:
    """Where the ready-to-try sample archive lives."""
    return data_dir() / "示例档案.cfdb"


@dataclass
class _Ctx:
    rng: random.Random
    today: date
    surnames: list[str]
    weights: list[float]


def person_name(rng: random.Random, surnames: list[str], weights: list[float], female: bool) -> str:
    """A realistic Chinese name: a surname by frequency and a one- or two-character given name."""
    pool = W.FEMALE_CHARS if female else W.MALE_CHARS
    given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
    return rng.choices(surnames, weights)[0] + given


def mobile(rng: random.Random) -> str:
    """A plausible mobile number."""
    prefix = rng.choice(("130", "131", "135", "136", "138", "139", "150", "152", "158", "159", "177",
                         "180", "186", "187", "188", "189", "198", "199"))
    return prefix + f"{rng.randrange(10**8):08d}"


def _address(rng: random.Random) -> tuple[str, str, str]:
    province, city, post, districts = rng.choice(W.CITIES)
    district = rng.choice(districts)
    head = city if province == city else province + city
    text = f"{head}{district}{rng.choice(W.ROADS)}{rng.randint(1, 999)}号"
    if rng.random() < 0.5:
        text += f"{rng.randint(1, 30)}栋{rng.randint(1, 30)}0{rng.randint(1, 4)}室"
    return text, f"{post}{rng.randint(0, 999):03d}", city


def _birthday(rng: random.Random, year_from: int, year_to: int, lunar_share: float = 0.3) -> Birthday:
    year = rng.randint(year_from, year_to)
    if rng.random() < lunar_share:
        return Birthday("lunar", rng.randint(1, 12), rng.randint(1, 29), year, False)
    start = date(year, 1, 1)
    d = start + timedelta(days=rng.randrange(365))
    return Birthday("solar", d.month, d.day, d.year)


def _factors(rng: random.Random) -> tuple[str, str, str]:
    return (rng.choice(("好", "一般", "一般")), rng.choice(("强", "一般")), rng.choice(("广", "一般", "一般")))


def customer_input(c: _Ctx, index: int) -> CustomerInput:
    """One sample card (individual or, one in eight, an organisation)."""
    rng = c.rng
    address, postcode, city = _address(rng)
    economy, awareness, influence = _factors(rng)
    stage = rng.choice(("顾客识别", "主动接近", "需求挖掘", "业务介绍", "意向判断", "成交", "成交", "成交", "流失"))
    common = dict(
        address=address, postcode=postcode, economy=economy, awareness=awareness, influence=influence,
        stage=stage, loss_reason=rng.choice(W.LOSS_REASONS) if stage == "流失" else "",
        deal_status="成交" if stage == "成交" else "未成交",
        asset_wan=Decimal(int(rng.lognormvariate(3.2, 1.3))), source=rng.choice(("转介绍", "缘故关系", "陌生拜访", "活动", "网络")),
        tags=tuple(rng.sample(W.TAGS, rng.choice((0, 0, 1, 1, 2)))),
        needs=rng.choice(("子女教育", "养老规划", "健康保障", "资产保值", "车辆保障", "")),
        created_on=c.today - timedelta(days=rng.randint(0, 5 * 365)),
        remarks=rng.choice(("", "", "喜欢周末上午联系", "不要太早打电话", "对理财类产品比较感兴趣")),
        competitor=rng.choice(W.COMPETITORS) if rng.random() < 0.15 else "",
    )
    if common["competitor"]:
        common["competitor_end"] = c.today + timedelta(days=rng.randint(10, 400))
    if index % 8 == 7:
        name = f"{city[:-1]}{rng.choice(W.COMPANY_WORDS)}{rng.choice(W.INDUSTRIES)}有限公司"
        return CustomerInput(
            name=name, kind="单位", phone=f"0{rng.randint(20, 29)}-{rng.randint(60000000, 89999999)}",
            org_nature=rng.choice(W.ORG_NATURES), business_scope=rng.choice(W.INDUSTRIES) + "相关业务",
            employee_count=rng.randint(5, 2000), main_needs="团体保险、员工福利", has_branches=rng.random() < 0.3,
            **common,
        )
    female = rng.random() < 0.5
    return CustomerInput(
        name=person_name(rng, c.surnames, c.weights, female), gender="女" if female else "男",
        birthday=_birthday(rng, 1950, 2000), mobile=mobile(rng),
        company=f"{city[:-1]}{rng.choice(W.COMPANY_WORDS)}{rng.choice(W.INDUSTRIES)}有限公司" if rng.random() < 0.6 else "",
        occupation=rng.choice(W.OCCUPATIONS), title=rng.choice(W.TITLES) if rng.random() < 0.4 else "",
        hobbies="、".join(rng.sample(W.HOBBIES, 2)), personality=rng.choice(W.PERSONALITY),
        preferred_channel=rng.choice(("电话", "微信", "微信", "短信", "上门")),
        wedding_date=date(rng.randint(1980, 2022), rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.6 else None,
        influence_center=rng.random() < 0.05, **common,
    )


def generate(svc: Services, n: int = 200, seed: int = 1, today: date | None = None,
             progress: ProgressFn = no_progress) -> list[int]:
    """Fill an archive with n sample customers (deterministic for a seed and a today); returns their ids."""
    rng = random.Random(seed)
    ctx = _Ctx(rng, today or date.today(), [s for s, _ in W.SURNAMES], [w for _, w in W.SURNAMES])
    if not svc.settings.profile().name:
        svc.settings.set_profile(SalesProfile(name="李明", company="平安人寿北京分公司", title="资深业务经理",
                                              phone="13800138000", wechat="liming_pa"))
    ids: list[int] = []
    for start in range(0, n, CHUNK):
        step(progress, start, n, "正在生成示例客户…")
        inputs = [customer_input(ctx, i) for i in range(start, min(n, start + CHUNK))]
        chunk_ids = svc.customers.create_many(inputs)
        _children(svc, ctx, chunk_ids, inputs, ids)
        ids += chunk_ids
    step(progress, n, n, "完成")
    return ids


def _children(svc: Services, c: _Ctx, ids: list[int], inputs: list[CustomerInput], earlier: list[int]) -> None:
    rows: dict[type, list[dict]] = {Contact: [], Deal: [], Visit: [], Complaint: [], LifeEventRecord: []}
    referrals: list[tuple[int, int]] = []
    for cid, data in zip(ids, inputs, strict=True):
        _family(c, cid, data, rows[Contact])
        _deals(c, cid, data, rows[Deal])
        _visits(c, cid, data, rows[Visit])
        if c.rng.random() < 0.04:
            rows[Complaint].append(_complaint(c, cid))
        if data.kind == "个人" and c.rng.random() < 0.06:
            rows[LifeEventRecord].append(dict(customer_id=cid, kind=c.rng.choice(("乔迁", "晋升", "结婚", "生子")),
                                              on=c.today - timedelta(days=c.rng.randint(-20, 200)), note=""))
        pool = earlier or ids
        if c.rng.random() < 0.12 and pool and pool[0] != cid:
            referrals.append((cid, c.rng.choice(pool[: max(1, len(pool) // 3)])))
    with svc.archive.session(write=True) as s, s.begin():
        for model, items in rows.items():
            if items:
                s.execute(insert(model), items)
        for cid, ref in referrals:
            if ref != cid:
                s.execute(update(Customer).where(Customer.id == cid).values(referrer_id=ref, source="转介绍"))
        _contact_dates(s, ids)
        search.refresh(s, ids)


def _family(c: _Ctx, cid: int, data: CustomerInput, out: list[dict]) -> None:
    rng = c.rng
    if data.kind == "单位":
        for role, title in (("决策人", "总经理"), ("业务联系人", rng.choice(("行政主管", "人事经理", "财务经理")))):
            female = rng.random() < 0.4
            out.append(_person(c, cid, role, "", person_name(rng, c.surnames, c.weights, female), female,
                               title=title, birthday=_birthday(rng, 1960, 1995)))
        return
    surname = data.name[:2] if data.name[:2] in ("欧阳",) else data.name[0]
    if data.wedding_date or rng.random() < 0.3:
        female = data.gender == "男"
        out.append(_person(c, cid, "家属", "妻子" if female else "丈夫",
                           person_name(rng, c.surnames, c.weights, female), female,
                           birthday=_birthday(rng, 1955, 2000)))
    for _ in range(rng.choice((0, 1, 1, 2))):
        female = rng.random() < 0.5
        given = rng.choice(W.FEMALE_CHARS if female else W.MALE_CHARS) * rng.choice((1, 2))
        out.append(_person(c, cid, "家属", "女儿" if female else "儿子", surname + given, female,
                           birthday=_birthday(rng, 1985, 2022, 0.2)))


def _person(c: _Ctx, cid: int, role: str, relation: str, name: str, female: bool, *, title: str = "",
            birthday: Birthday | None = None) -> dict:
    b = birthday
    return dict(customer_id=cid, role=role, relation=relation, name=name, gender="女" if female else "男",
                mobile=mobile(c.rng) if c.rng.random() < 0.7 else "", title=title,
                birth_cal=b.calendar if b else "", birth_year=b.year if b else None, birth_month=b.month if b else None,
                birth_day=b.day if b else None, birth_leap=False,
                hobbies=c.rng.choice(W.HOBBIES) if role != "家属" else "", profile="", personality="", notes="",
                phone="", wechat="", email="")


def _deals(c: _Ctx, cid: int, data: CustomerInput, out: list[dict]) -> None:
    if data.deal_status != "成交":
        return
    for _ in range(c.rng.choice((1, 1, 2, 3))):
        product, low, high = c.rng.choice(W.PRODUCTS)
        start = c.today - timedelta(days=c.rng.randint(3, 6 * 365))
        kind = c.rng.choice(("周年", "续期", "续保"))
        renewal = date(c.today.year + (1 if (start.month, start.day) < (c.today.month, c.today.day) else 0),
                       start.month, min(start.day, 28))
        out.append(dict(customer_id=cid, product=product, amount=Decimal(c.rng.randrange(low, high, 100)),
                        start_date=start, renewal_kind=kind, renewal_date=renewal, status="有效",
                        contract_no=f"P{c.rng.randrange(10**11):011d}", notes="", created_at=datetime.now()))


def _visits(c: _Ctx, cid: int, data: CustomerInput, out: list[dict]) -> None:
    rng = c.rng
    count = rng.choice((0, 1, 2, 3, 4, 6, 8))
    for i in range(count):
        at = datetime.combine(c.today - timedelta(days=rng.randint(1, 700)), datetime.min.time()) + timedelta(
            hours=rng.randint(9, 19), minutes=rng.choice((0, 15, 30, 45)))
        nxt = None
        if i == count - 1 and rng.random() < 0.4:
            nxt = datetime.combine(c.today + timedelta(days=rng.randint(-5, 30)), datetime.min.time()) + timedelta(
                hours=rng.randint(9, 18))
        out.append(dict(customer_id=cid, at=at, method=rng.choice(("亲自拜访", "电话", "微信", "亲自拜访", "短信")),
                        purpose=rng.choice(W.PURPOSES), content=rng.choice(W.CONTENTS), result=rng.choice(W.RESULTS),
                        learned="", satisfaction=rng.choice((3, 4, 4, 5, 5, None)), next_at=nxt,
                        next_place="客户单位" if nxt else "", next_agenda="带产品资料再谈" if nxt else "",
                        next_method="亲自拜访" if nxt else "", touchpoint_key="", created_at=at, contact_id=None))


def _complaint(c: _Ctx, cid: int) -> dict:
    received = datetime.combine(c.today - timedelta(days=c.rng.randint(1, 300)), datetime.min.time())
    done = c.rng.random() < 0.6
    return dict(customer_id=cid, received_at=received, content=c.rng.choice(W.COMPLAINTS),
                status="已解决" if done else "处理中", resolution="已协调处理并回复客户" if done else "",
                resolved_at=received + timedelta(days=c.rng.randint(1, 20)) if done else None,
                reviewed=done, fed_back=done)


def _contact_dates(s: object, ids: list[int]) -> None:
    from sqlalchemy import func, select

    last = select(func.max(Visit.at)).where(Visit.customer_id == Customer.id).scalar_subquery()
    nxt = (select(Visit.next_at).where(Visit.customer_id == Customer.id, Visit.next_at.is_not(None))
           .order_by(Visit.at.desc()).limit(1).scalar_subquery())
    s.execute(update(Customer).where(Customer.id.in_(ids)).values(last_contact_at=last, next_appointment_at=nxt))  # type: ignore[attr-defined]


def ensure_sample_archive(n: int = 300, seed: int = 2026) -> Path:
    """Create the sample archive (password SAMPLE_PASSWORD) if it does not exist; returns its path."""
    from app.db import create_archive

    path = sample_archive_path()
    if path.exists():
        return path
    archive = create_archive(path, SAMPLE_PASSWORD)
    try:
        generate(Services.build(archive), n=n, seed=seed)
    finally:
        archive.close()
    return path
