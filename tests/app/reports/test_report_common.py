"""The shared frame: mixed CJK/Latin text, header and footer, atomic output, batch card loading."""
from __future__ import annotations

import io
import os
from datetime import date, datetime
from pathlib import Path

import pytest
from _report_pdf import PROFILE, all_text, page_texts, rich_customer
from reportlab.platypus import PageBreak, Paragraph

from app.errors import AppError, NotFound
from app.reports import fontmix
from app.reports.common import DocInfo, Section, SectionStart, build_pdf, ellipsize, profile_line
from app.reports.style import esc, styles
from app.rows import CustomerInput, VisitInput
from app.services.printing import PrintDataService
from app.services.settings import SalesProfile


def test_latin_runs_go_to_the_latin_font_and_markup_is_escaped() -> None:
    cjk, latin = fontmix.fonts()
    assert fontmix.runs("电话 138-0013 8000，微信 li_ming") == [
        (cjk, "电话 "), (latin, "138-0013 8000"), (cjk, "，微信 "), (latin, "li_ming")]
    assert esc("A<b>&“引号”\n第二行") == (
        f'<font face="{latin}">A&lt;b&gt;&amp;“</font>引号<font face="{latin}">”</font><br/>第二行')
    assert fontmix.width("2026年", 10) > fontmix.width("年", 10) > 0


def test_digits_and_latin_come_back_out_of_the_pdf(outdir: Path) -> None:
    text = "电话 13800138000 · 邮箱 a.b@example.com · 金额 ¥1,234.50 · “引号” — 完"
    out = outdir / "mixed.pdf"
    info = DocInfo("测试文档", PROFILE, date(2026, 11, 22))
    build_pdf(out, [Paragraph(esc(text), styles().body)], info)
    got = all_text(out)
    for piece in ("13800138000", "a.b@example.com", "¥1,234.50", "“引号”", "测试文档", "李明 · 资深业务经理"):
        assert piece in got, piece


def test_sections_number_their_own_pages_and_name_the_header(outdir: Path) -> None:
    story = [SectionStart(Section("a", "甲（KH1）")), Paragraph("一", styles().body), PageBreak(),
             Paragraph("二", styles().body), PageBreak(), SectionStart(Section("b", "乙（KH2）")),
             Paragraph("三", styles().body)]
    out = outdir / "s.pdf"
    build_pdf(out, story, DocInfo("文档", SalesProfile(), date(2026, 1, 2), confidential=False))
    pages = page_texts(out)
    assert "文档 · 甲（KH1）" in pages[0] and "第 1 页 / 共 2 页" in pages[0]
    assert "文档 · 甲（KH1）" in pages[1] and "第 2 页 / 共 2 页" in pages[1]
    assert "文档 · 乙（KH2）" in pages[2] and "第 1 页 / 共 1 页" in pages[2]
    assert "打印日期：2026年1月2日" in pages[2] and "内部资料" not in pages[2]


def test_header_line_shrinks_then_shortens() -> None:
    assert profile_line(PROFILE) == "李明 · 资深业务经理 · 平安人寿北京分公司 · 电话 13800138000 · 微信 liming_pa"
    assert profile_line(SalesProfile()) == ""
    long = "很长" * 100
    short = ellipsize(long, 100, 8)
    assert short.endswith("…") and fontmix.width(short, 8) <= 100


def test_existing_file_is_replaced_only_on_success(psvc: object, outdir: Path) -> None:
    from app.reports.card import render_card

    out = outdir / "card.pdf"
    out.write_bytes(b"old contents")
    with pytest.raises(NotFound):
        render_card(psvc, 777, out)
    assert out.read_bytes() == b"old contents" and sorted(outdir.iterdir()) == [out]
    cid = psvc.customers.create(CustomerInput(name="替换客户"))  # type: ignore[attr-defined]
    render_card(psvc, cid, out)
    assert "替换客户" in all_text(out) and sorted(outdir.iterdir()) == [out]
    if os.name == "posix":
        assert out.stat().st_mode & 0o777 == 0o600  # customer data: private to the user


def test_missing_folder_is_a_clear_error(psvc: object, outdir: Path) -> None:
    from app.reports.card import render_card

    cid = psvc.customers.create(CustomerInput(name="某客户"))  # type: ignore[attr-defined]
    with pytest.raises(AppError) as err:
        render_card(psvc, cid, outdir / "no such folder" / "x.pdf")
    assert "保存位置不存在" in str(err.value)


def test_writing_to_a_file_object(psvc: object) -> None:
    from app.reports.card import render_card

    cid = psvc.customers.create(CustomerInput(name="内存客户"))  # type: ignore[attr-defined]
    buffer = io.BytesIO()
    render_card(psvc, cid, buffer)
    assert "内存客户" in all_text(buffer.getvalue())


def test_batch_cards_equal_one_by_one_reads(psvc: object) -> None:
    ids = [rich_customer(psvc, "批量甲"), rich_customer(psvc, "批量乙")]
    ids.append(psvc.customers.create(CustomerInput(name="空白丙", referrer_id=ids[0])))  # type: ignore[attr-defined]
    psvc.customers.delete([ids[1]])  # type: ignore[attr-defined]
    reader = PrintDataService.of(psvc)
    assert reader.cards(ids[::-1]) == [psvc.customers.get(i) for i in ids[::-1]]  # type: ignore[attr-defined]
    short = reader.cards(ids, last_visits=2)
    assert [len(c.visits) for c in short] == [2, 2, 0]
    assert short[0].visits == psvc.customers.get(ids[0]).visits[:2]  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        reader.cards([ids[0], 987654])


def test_batch_reader_handles_more_ids_than_one_chunk(psvc: object, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.services.printing as printing

    monkeypatch.setattr(printing, "CHUNK", 3)
    ids = [psvc.customers.create(CustomerInput(name=f"分块{i}")) for i in range(8)]  # type: ignore[attr-defined]
    for cid in ids:
        psvc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 1, 1), method="电话"))  # type: ignore[attr-defined]
    cards = PrintDataService.of(psvc).cards(ids)
    assert [c.name for c in cards] == [f"分块{i}" for i in range(8)] and all(len(c.visits) == 1 for c in cards)


def test_font_tables_come_from_the_cache_the_second_time(monkeypatch: pytest.MonkeyPatch) -> None:
    from reportlab.pdfbase import pdfmetrics

    from app.fonts import cjk_font_path
    from app.reports import fontcache

    path = cjk_font_path()
    cache = fontcache.cache_file(path)
    cache.unlink(missing_ok=True)
    parsed = fontcache.load_ttfont("CacheTestA", path)
    assert cache.exists() and cache.stat().st_size > 100_000
    from reportlab.pdfbase.ttfonts import TTFontFile

    monkeypatch.setattr(TTFontFile, "extractInfo", lambda *a, **k: pytest.fail("parsed although cached"))
    cached = fontcache.load_ttfont("CacheTestB", path)
    assert cached.face.charWidths == parsed.face.charWidths and cached.face.name == parsed.face.name
    assert cached.stringWidth("客户档案 ABC 123", 10) == parsed.stringWidth("客户档案 ABC 123", 10)
    pdfmetrics.registerFont(cached)
    out = io.BytesIO()
    from reportlab.pdfgen.canvas import Canvas

    c = Canvas(out)
    c.setFont("CacheTestB", 12)
    c.drawString(50, 700, "缓存的字体也能嵌入子集")
    c.save()
    assert "缓存的字体也能嵌入子集" in all_text(out.getvalue())


def test_a_damaged_font_cache_is_ignored_and_rewritten() -> None:
    from app.fonts import cjk_font_path
    from app.reports import fontcache

    path = cjk_font_path()
    cache = fontcache.cache_file(path)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"not marshal data at all")
    font = fontcache.load_ttfont("CacheTestC", path)
    assert font.stringWidth("客户", 10) > 0
    assert cache.read_bytes() != b"not marshal data at all"  # replaced by good tables
