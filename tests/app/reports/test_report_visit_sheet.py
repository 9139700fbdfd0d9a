"""拜访单: one customer per page in a batch, open complaints visible, the last five visits, dates due."""
from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pytest
from _report_pdf import all_text, embedded_subsets, flat_text, page_texts, rich_customer

from app.errors import NotFound
from app.progress import Cancelled
from app.reports.visit_sheet import customers_with_appointments_on, render_visit_sheets
from app.rows import Birthday, ComplaintInput, ContactInput, CustomerInput, DealInput, VisitInput

# Twenty names, none inside another, so "exactly one customer's name per page" is a sharp test.
NAMES = ("赵一鸣", "钱二娃", "孙三丰", "李四海", "周五洲", "吴六奇", "郑七星", "王八方", "冯九龄", "陈十全",
         "褚百川", "卫千里", "蒋万山", "沈亿达", "韩兆丰", "杨京华", "朱垓亮", "秦秭归", "尤穰穰", "许沟渠")


def _twenty(svc: object) -> list[int]:
    ids = []
    for i, name in enumerate(NAMES):
        cid = svc.customers.create(CustomerInput(  # type: ignore[attr-defined]
            name=name, gender="男" if i % 2 else "女", mobile=f"139{i:08d}", grade="ABCD"[i % 4], grade_manual=True,
            address=f"上海市黄浦区南京东路{i + 1}号", needs=f"需求{i}", birthday=Birthday("solar", 12, 1 + i, 1980)))
        svc.contacts.add(cid, ContactInput(name=f"联系人{i}号", role="决策人", mobile=f"137{i:08d}"))  # type: ignore[attr-defined]
        svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 11, 1, 10), method="电话",  # type: ignore[attr-defined]
                                  content=f"沟通记录{i}"))
        ids.append(cid)
    return ids


def test_batch_of_twenty_has_one_customer_per_page(psvc: object, outdir: Path) -> None:
    ids = _twenty(psvc)
    out = outdir / "sheets.pdf"
    render_visit_sheets(psvc, ids, out)
    pages = page_texts(out)
    assert len(pages) == 20
    for number, text in enumerate(pages):
        present = [n for n in NAMES if n in text]
        assert present == [NAMES[number]], (number, present)
        assert "第 1 页 / 共 1 页" in text
        assert f"139{number:08d}" in text and f"联系人{number}号" in text and f"沟通记录{number}" in text
        assert "本次拜访记录（手写）" in text and "下次约见" in text and "客户满意度" in text


def test_sheet_shows_contacts_deals_complaints_visits_and_due_dates(psvc: object, outdir: Path) -> None:
    cid = rich_customer(psvc)
    out = outdir / "one.pdf"
    render_visit_sheets(psvc, [cid], out, today=date(2026, 11, 22))
    pages = page_texts(out)
    assert len(pages) == 2  # everything filled in: the handwriting form goes over (more pages when needed)
    assert "第 2 页 / 共 2 页" in pages[1] and "本次拜访记录（手写）" in pages[1]
    text = flat_text(out)
    for heading in ("拜访单", "决策人与联系人", "成交记录", "最近五次拜访", "未结投诉（1 条）", "30 天内的重要日子",
                    "需求与谈话要点", "本次拜访记录（手写）", "内部资料，请妥善保管"):
        assert heading in text, heading
    assert "拜访单　欧阳明珠" in text and "KH000001 · 个人 · A类 · 成交" in text
    assert "高建国" in text and "13700001111" in text  # contact with phone
    assert "鑫享年金保险" in text and "周年 2026-12-10" in text  # the deal's next date
    assert "理赔进度太慢未结" in text and "早已解决的旧投诉" not in text
    assert "先说明投诉处理进展：理赔进度太慢未结" in text  # a talking point
    # the last five visits only: the newest (V6, V5, V4, V3 and the phone call), not V0-V2
    assert "电话沟通" in text and all(f"拜访内容标记V{i}" in text for i in (3, 4, 5, 6))
    assert all(f"拜访内容标记V{i}" not in text for i in (0, 1, 2))
    assert "2026-11-24 14:30 星光科技会议室 讲解教育金方案" in text  # 下次约见
    assert "上次约定：讲解教育金方案" in text
    # due within 30 days: the husband's birthday (12-08), the wedding (12-06), the anniversary (12-10)
    assert "12月8日 周二" in text and "高建国 丈夫 生日（48岁，属马）" in text
    assert "结婚18周年纪念日" in text and "鑫享年金保险 3周年" in text
    assert "高小雨" not in text.split("30 天内的重要日子")[1].split("需求与谈话要点")[0]  # May is too far
    assert "生日（农历十月二十，46岁，属猴）就在11月28日，当面送上祝福" in text  # her birthday this week
    assert "子女教育金规划" in text and "年收入约60万" in text and "某友商保险 合同到期 2027-03-31" in text
    assert "做事细致" in text  # personality is for the salesperson's eyes: it is on the sheet


def test_no_open_complaint_says_so(psvc: object, outdir: Path) -> None:
    cid = psvc.customers.create(CustomerInput(name="无诉客户"))  # type: ignore[attr-defined]
    psvc.complaints.add(cid, ComplaintInput(content="已经处理好了", status="已关闭", resolution="已道歉"))  # type: ignore[attr-defined]
    out = outdir / "x.pdf"
    render_visit_sheets(psvc, [cid], out)
    text = all_text(out)
    assert "无未结投诉。" in text and "已经处理好了" not in text
    assert "（尚无成交）" in text and "（未记录联系人）" in text


def test_long_sheet_continues_on_a_page_naming_the_customer(psvc: object, outdir: Path) -> None:
    cid = psvc.customers.create(CustomerInput(name="长篇客户", needs="很长的需求。" * 150))  # type: ignore[attr-defined]
    for i in range(12):
        psvc.contacts.add(cid, ContactInput(name=f"联系人甲{i}", role="其他", notes="备注" * 40))  # type: ignore[attr-defined]
        psvc.complaints.add(cid, ComplaintInput(content=f"投诉{i}号" + "详情" * 60))  # type: ignore[attr-defined]
    psvc.deals.add(cid, DealInput(product="产品甲"))  # type: ignore[attr-defined]
    out = outdir / "long.pdf"
    render_visit_sheets(psvc, [cid], out)
    pages = page_texts(out)
    assert len(pages) >= 2
    for n, text in enumerate(pages, 1):
        assert f"拜访单 · 长篇客户（{psvc.customers.get(cid).card_no}）" in text  # type: ignore[attr-defined]
        assert f"第 {n} 页 / 共 {len(pages)} 页" in text
    text = flat_text(out)
    assert all(f"投诉{i}号" in text for i in range(12)) and all(f"联系人甲{i}" in text for i in range(12))
    assert text.count("很长的需求。") == 150


def test_appointments_on_a_day(psvc: object) -> None:
    first = psvc.customers.create(CustomerInput(name="上午客户"))  # type: ignore[attr-defined]
    second = psvc.customers.create(CustomerInput(name="下午客户"))  # type: ignore[attr-defined]
    other = psvc.customers.create(CustomerInput(name="明天客户"))  # type: ignore[attr-defined]
    for cid, at in ((second, datetime(2026, 11, 25, 15)), (first, datetime(2026, 11, 25, 9)),
                    (other, datetime(2026, 11, 26, 9))):
        psvc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 11, 20, 10), method="电话", next_at=at))  # type: ignore[attr-defined]
    assert customers_with_appointments_on(psvc, date(2026, 11, 25)) == [first, second]
    assert customers_with_appointments_on(psvc, date(2026, 11, 27)) == []


def test_batch_into_memory_and_progress_then_cancel(psvc: object, outdir: Path) -> None:
    ids = _twenty(psvc)[:4]
    seen: list[tuple[int, int]] = []
    buffer = io.BytesIO()
    render_visit_sheets(psvc, ids, buffer, progress=lambda d, t, _: seen.append((d, t)) or True)
    assert buffer.getvalue().startswith(b"%PDF") and len(page_texts(buffer.getvalue())) == 4
    assert seen[0] == (0, 8) and max(d for d, _ in seen) == 7  # reading 0-3, laying out 4-7
    out = outdir / "cancelled.pdf"
    with pytest.raises(Cancelled):
        render_visit_sheets(psvc, ids, out, progress=lambda d, t, _: d < 5)  # cancel while laying out
    assert list(outdir.iterdir()) == []  # no PDF, no temporary file


def test_one_page_sheet_is_small_with_embedded_subset_fonts(psvc: object, outdir: Path) -> None:
    cid = _twenty(psvc)[0]
    psvc.deals.add(cid, DealInput(product="常青树重疾险", start_date=date(2024, 3, 1), renewal_date=date(2025, 3, 1)))  # type: ignore[attr-defined]
    psvc.complaints.add(cid, ComplaintInput(content="回访电话太多"))  # type: ignore[attr-defined]
    out = outdir / "small.pdf"
    render_visit_sheets(psvc, [cid], out)
    assert len(page_texts(out)) == 1
    assert out.stat().st_size <= 100 * 1024
    assert all(has_file and subset for _, has_file, subset in embedded_subsets(out))


def test_unknown_id_raises_not_found(psvc: object, outdir: Path) -> None:
    with pytest.raises(NotFound):
        render_visit_sheets(psvc, [424242], outdir / "x.pdf")
