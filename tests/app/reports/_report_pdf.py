"""Helpers for the printing tests: read PDFs back (text, fonts) and build rich customers."""
from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from app.rows import (
    Birthday,
    ComplaintInput,
    ContactInput,
    CustomerInput,
    DealInput,
    LifeEventInput,
    VisitInput,
)
from app.services.settings import SalesProfile

SUBSET = re.compile(r"^/?[A-Z]{6}\+")
PROFILE = SalesProfile(name="李明", company="平安人寿北京分公司", title="资深业务经理", phone="13800138000",
                       wechat="liming_pa", email="liming@example.com")


def reader(source: Path | bytes) -> PdfReader:
    """A pypdf reader over a file or bytes."""
    return PdfReader(io.BytesIO(source) if isinstance(source, bytes) else str(source))


def page_texts(source: Path | bytes) -> list[str]:
    """Each page's extracted text."""
    return [page.extract_text() or "" for page in reader(source).pages]


def all_text(source: Path | bytes) -> str:
    """The whole document's text, pages joined."""
    return "\n".join(page_texts(source))


def flat_text(source: Path | bytes) -> str:
    """The whole text with line breaks removed (a long value may wrap inside its cell)."""
    return all_text(source).replace("\n", "")


def body_text(source: Path | bytes) -> str:
    """The pages' text without header and footer (drawn last, so the last two lines), breaks removed:
    a paragraph split over a page break reads as one again."""
    return "".join("".join(text.split("\n")[:-2]) for text in page_texts(source))


def fonts(source: Path | bytes) -> dict[str, DictionaryObject]:
    """Every font used on any page, by BaseFont."""
    found: dict[str, DictionaryObject] = {}
    for page in reader(source).pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for ref in (resources.get_object().get("/Font") or {}).values():
            font = ref.get_object()
            found[str(font["/BaseFont"])] = font
    return found


def embedded_subsets(source: Path | bytes) -> Iterator[tuple[str, bool, bool]]:
    """(BaseFont, has /FontFile2, has a 6-letter subset prefix) for every font."""
    for name, font in fonts(source).items():
        descriptor = font.get("/FontDescriptor")
        has_file = descriptor is not None and "/FontFile2" in descriptor.get_object()
        yield name, has_file, bool(SUBSET.match(name))


def rich_customer(svc: object, name: str = "欧阳明珠", *, today: date = date(2026, 11, 22)) -> int:
    """A card with every field filled with a findable value, and something of every record kind."""
    cid = svc.customers.create(CustomerInput(  # type: ignore[attr-defined]
        name=name, kind="个人", gender="女", birthday=Birthday("lunar", 10, 20, 1980), mobile="13912345678",
        phone="010-88886666", wechat="wx_oumz", email="oumz@example.com", address="北京市朝阳区建国路88号SOHO现代城A座1201",
        postcode="100022", preferred_channel="微信", company="星光科技有限公司", title="财务总监", occupation="会计师",
        needs="子女教育金规划", finance="年收入约60万", operations="公司经营稳定", purchasing="年底集中采购",
        credit="信用良好", relations="与同业关系密切", hobbies="瑜伽、读书", personality="做事细致，喜欢提前约时间",
        wedding_date=date(2008, 12, 6), economy="好", awareness="强", influence="广", deal_status="成交", stage="成交",
        asset_wan=Decimal("120"), source="转介绍", influence_center=True, competitor="某友商保险",
        competitor_end=date(2027, 3, 31), remarks="周三下午不方便", created_by="李明", tags=("老客户", "高净值"),
    ))
    svc.contacts.add(cid, ContactInput(name="高建国", role="家属", relation="丈夫", gender="男",  # type: ignore[attr-defined]
                                       birthday=Birthday("solar", 12, 8, 1978), mobile="13700001111"))
    svc.contacts.add(cid, ContactInput(name="高小雨", role="家属", relation="女儿",  # type: ignore[attr-defined]
                                       birthday=Birthday("solar", 5, 20, 2012)))
    svc.deals.add(cid, DealInput(product="鑫享年金保险", amount=Decimal("50000"), start_date=date(2023, 12, 10),  # type: ignore[attr-defined]
                                 renewal_kind="周年", renewal_date=date(2023, 12, 10), contract_no="P20231210001"))
    for i in range(7):
        svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 4 + i, 3, 10, 0), method="亲自拜访",  # type: ignore[attr-defined]
                                  content=f"拜访内容标记V{i}", result=f"结果R{i}"))
    svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 11, 10, 15, 0), method="电话",  # type: ignore[attr-defined]
                              content="电话沟通", next_at=datetime(2026, 11, 24, 14, 30), next_place="星光科技会议室",
                              next_agenda="讲解教育金方案"))
    svc.complaints.add(cid, ComplaintInput(content="理赔进度太慢未结", received_at=datetime(2026, 10, 8, 9, 0)))  # type: ignore[attr-defined]
    svc.complaints.add(cid, ComplaintInput(content="早已解决的旧投诉", received_at=datetime(2025, 3, 1, 9, 0),  # type: ignore[attr-defined]
                                           status="已解决", resolution="已致歉"))
    svc.life_events.add(cid, LifeEventInput(kind="晋升", on=date(2026, 6, 1), note="升任财务总监"))  # type: ignore[attr-defined]
    return cid
