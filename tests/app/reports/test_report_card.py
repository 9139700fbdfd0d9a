"""客户资料卡: every field of the card is printed; 200 visits with long notes flow over pages, nothing lost."""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from _report_pdf import body_text, embedded_subsets, flat_text, page_texts, rich_customer

from app.reports.card import render_card, render_cards
from app.rows import CustomerInput, VisitInput

CARD_VALUES = (
    "欧阳明珠", "个人", "女", "农历十月二十（1980年）", "13912345678", "010-88886666", "wx_oumz", "oumz@example.com",
    "北京市朝阳区建国路88号SOHO现代城A座1201", "100022", "微信", "星光科技有限公司", "财务总监", "会计师",
    "2008-12-06", "老客户、高净值", "子女教育金规划", "年收入约60万", "公司经营稳定", "年底集中采购", "信用良好",
    "与同业关系密切", "瑜伽、读书", "做事细致，喜欢提前约时间", "成交", "好", "强", "广", "120.00 万元", "中高端",
    "转介绍", "某友商保险", "2027-03-31", "周三下午不方便", "建卡人：李明",
    # what has grown on the card
    "高建国", "家属 · 丈夫", "1978年12月8日", "13700001111", "高小雨", "鑫享年金保险", "50,000 元", "P20231210001",
    "理赔进度太慢未结", "早已解决的旧投诉", "已致歉", "晋升", "升任财务总监", "星光科技会议室 讲解教育金方案",
)
HEADINGS = ("客户资料卡", "基本信息", "等级与来源", "需求与状况", "购买决策人、业务联系人与家属", "成交记录",
            "拜访与服务记录（共 8 次）", "投诉记录", "人生大事", "转介绍的客户", "备注及其他")


def test_whole_card_is_printed(psvc: object, outdir: Path) -> None:
    cid = rich_customer(psvc)
    referred = psvc.customers.create(CustomerInput(name="被介绍人丙", referrer_id=cid))  # type: ignore[attr-defined]
    out = outdir / "card.pdf"
    render_card(psvc, cid, out)
    text = flat_text(out)
    for heading in HEADINGS:
        assert heading in text, heading
    for value in CARD_VALUES:
        assert value in text, value
    assert "被介绍人丙" in text and psvc.customers.get(referred).card_no in text  # type: ignore[attr-defined]
    assert all(f"拜访内容标记V{i}" in text for i in range(7))  # every visit, not just the last five
    assert "统一编号 KH" in text
    assert all(has_file and subset for _, has_file, subset in embedded_subsets(out))


@pytest.mark.slow
def test_two_hundred_visits_and_long_notes_flow_over_pages(psvc: object, outdir: Path) -> None:
    cid = psvc.customers.create(CustomerInput(name="长卡客户", remarks="备注开头" + "很长的备注。" * 400 + "备注结尾"))  # type: ignore[attr-defined]
    start = datetime(2020, 1, 1, 9, 0)
    for i in range(200):
        note = f"访问标记{i:03d}：" + "客户谈到家庭保障与子女教育的安排，" * (3 + i % 7)
        psvc.visits.log(VisitInput(customer_id=cid, at=start + timedelta(days=7 * i), method="亲自拜访",  # type: ignore[attr-defined]
                                   content=note, result=f"结果{i:03d}"))
    giant = "巨长记录开头" + "这一次谈了非常多的内容，需要完整保留。" * 300 + "巨长记录结尾"
    psvc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 11, 1, 9), method="电话", content=giant))  # type: ignore[attr-defined]
    out = outdir / "long.pdf"
    render_card(psvc, cid, out)
    pages = page_texts(out)
    text = body_text(out)
    assert len(pages) > 10
    missing = [i for i in range(200) if f"访问标记{i:03d}" not in text or f"结果{i:03d}" not in text]
    assert missing == []
    assert "巨长记录开头" in text and "巨长记录结尾" in text  # a row taller than a page is split, not cut
    # read across the page breaks: the table header repeated on each new page sits inside the split row
    joined = "".join(text.split()).replace("时间方式目的与内容结果与了解到的满意度下次约见", "")
    assert joined.count("需要完整保留。") == 300
    assert "备注开头" in text and "备注结尾" in text and text.count("很长的备注。") == 400
    assert "拜访与服务记录（共 201 次）" in text
    for n, page in enumerate(pages, 1):
        assert f"第 {n} 页 / 共 {len(pages)} 页" in page
        assert "客户资料卡 · 长卡客户" in page
    assert sum(p.count("目的与内容") for p in pages) >= 5  # the table header repeats on continued pages
    assert all(has_file and subset for _, has_file, subset in embedded_subsets(out))


def test_batch_of_cards_restarts_numbering(psvc: object, outdir: Path) -> None:
    a = psvc.customers.create(CustomerInput(name="甲卡"))  # type: ignore[attr-defined]
    b = psvc.customers.create(CustomerInput(name="乙卡"))  # type: ignore[attr-defined]
    out = outdir / "cards.pdf"
    render_cards(psvc, [a, b], out)
    pages = page_texts(out)
    first_b = next(i for i, p in enumerate(pages) if "乙卡" in p)
    assert first_b > 0 and all("乙卡" not in p for p in pages[:first_b]) and all("甲卡" not in p for p in pages[first_b:])
    assert f"第 1 页 / 共 {first_b} 页" in pages[0] and f"第 1 页 / 共 {len(pages) - first_b} 页" in pages[first_b]
