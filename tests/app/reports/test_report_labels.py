"""邮寄标签: labels per sheet for 2×7 and 3×8, each inside its label, customers without an address listed."""
from __future__ import annotations

from pathlib import Path

import pytest
from _report_pdf import embedded_subsets, page_texts, reader

from app.errors import AppError, ValidationError
from app.reports.labels import LAYOUTS, render_labels
from app.rows import ContactInput, CustomerInput

MM = 72 / 25.4


def name(i: int) -> str:
    """All-CJK names (one font run each, so a text visitor sees each name whole): 标签甲子, 标签甲丑 …"""
    return "标签" + "甲乙丙丁戊己庚辛壬癸"[i // 10] + "子丑寅卯辰巳午未申酉"[i % 10]


def _customers(svc: object, n: int) -> list[int]:
    ids = []
    for i in range(n):
        ids.append(svc.customers.create(CustomerInput(  # type: ignore[attr-defined]
            name=name(i), gender="男" if i % 2 else "女",
            address=f"浙江省杭州市西湖区文三路{100 + i}号", postcode=f"310{i:03d}")))
    return ids


@pytest.mark.parametrize("layout,per_page", [("2x7", 14), ("3x8", 24)])
def test_labels_per_sheet(psvc: object, outdir: Path, layout: str, per_page: int) -> None:
    ids = _customers(psvc, 30)
    out = outdir / f"{layout}.pdf"
    result = render_labels(psvc, ids, out, layout)
    pages = page_texts(out)
    counts = [sum(name(i) in p for i in range(30)) for p in pages]
    assert counts == ([14, 14, 2] if per_page == 14 else [24, 6])
    assert result.printed == 30 and result.sheets == len(pages) and result.missing == ()
    text = "\n".join(pages)
    assert f"{name(1)} 先生 收" in text and f"{name(0)} 女士 收" in text
    assert "3 1 0 0 0 5" in text and "浙江省杭州市西湖区文三路105号" in text
    assert "打印日期" not in text and "第 1 页" not in text  # nothing printed outside the labels
    assert all(has_file and subset for _, has_file, subset in embedded_subsets(out))


@pytest.mark.parametrize("layout", ["2x7", "3x8"])
def test_every_label_text_lies_inside_its_label(psvc: object, outdir: Path, layout: str) -> None:
    sheet = LAYOUTS[layout]
    ids = _customers(psvc, sheet.per_page)
    out = outdir / "pos.pdf"
    render_labels(psvc, ids, out, layout)
    boxes = [((sheet.left + c * sheet.pitch_x) * MM, (297 - sheet.top - (r + 1) * sheet.pitch_y) * MM)
             for r in range(sheet.rows) for c in range(sheet.columns)]
    where: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        if "标签" in text:  # the text matrix under the page's transformation: where the name starts
            where[text.strip()] = (tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5])

    reader(out).pages[0].extract_text(visitor_text=visit)
    assert len(where) == sheet.per_page
    for index in range(sheet.per_page):
        key = next(k for k in where if name(index) in k)
        x, y = where[key]
        left, bottom = boxes[index]
        assert left <= x <= left + sheet.width * MM and bottom <= y <= bottom + sheet.height * MM, (index, x, y)


def test_customers_without_address_are_listed_and_returned(psvc: object, outdir: Path) -> None:
    ids = _customers(psvc, 3)
    bare = psvc.customers.create(CustomerInput(name="无地址客户", mobile="13600000000"))  # type: ignore[attr-defined]
    no_code = psvc.customers.create(CustomerInput(name="缺邮编客户", address="南京市鼓楼区中山路1号"))  # type: ignore[attr-defined]
    too_long = psvc.customers.create(CustomerInput(name="超长地址客户", address="很长的地址" * 60))  # type: ignore[attr-defined]
    out = outdir / "mixed.pdf"
    result = render_labels(psvc, [*ids, bare, no_code, too_long], out, "3x8")
    assert [m.name for m in result.missing] == ["无地址客户", "超长地址客户"]
    assert result.missing[0].reason == "没有地址" and "放不下" in result.missing[1].reason
    assert [m.name for m in result.no_postcode] == ["缺邮编客户"] and result.printed == 4
    pages = page_texts(out)
    assert len(pages) == 2
    assert "无地址客户" not in pages[0] and "缺邮编客户" in pages[0]
    assert "未打印标签的客户（2 位）" in pages[1] and "无地址客户" in pages[1] and "13600000000" in pages[1]
    assert "标签缺少邮编的客户（1 位）" in pages[1] and "第 1 页 / 共 1 页" in pages[1]


def test_only_customers_without_address_gives_just_the_list(psvc: object, outdir: Path) -> None:
    bare = psvc.customers.create(CustomerInput(name="无地址甲"))  # type: ignore[attr-defined]
    out = outdir / "none.pdf"
    result = render_labels(psvc, [bare], out, "2x7")
    assert result.printed == 0 and result.sheets == 0
    pages = page_texts(out)
    assert len(pages) == 1 and "未打印标签的客户（1 位）" in pages[0]


def test_company_labels_go_to_the_business_contact(psvc: object, outdir: Path) -> None:
    org = psvc.customers.create(CustomerInput(name="星辰贸易有限公司", kind="单位", address="广州市天河路1号",  # type: ignore[attr-defined]
                                              postcode="510000"))
    psvc.contacts.add(org, ContactInput(name="周采购", role="业务联系人", title="采购经理"))  # type: ignore[attr-defined]
    boss = psvc.customers.create(CustomerInput(name="钱大富", gender="男", title="总经理", address="深圳市福田区1号"))  # type: ignore[attr-defined]
    out = outdir / "org.pdf"
    render_labels(psvc, [org, boss], out, "2x7")
    text = page_texts(out)[0]
    assert "星辰贸易有限公司" in text and "周采购 采购经理 收" in text
    assert "钱大富 总经理 收" in text


def test_skip_used_labels_on_the_first_sheet(psvc: object, outdir: Path) -> None:
    ids = _customers(psvc, 24)
    out = outdir / "skip.pdf"
    result = render_labels(psvc, ids, out, "3x8", skip=5)
    pages = page_texts(out)
    assert [sum(name(i) in p for i in range(24)) for p in pages] == [19, 5] and result.sheets == 2
    with pytest.raises(ValidationError):
        render_labels(psvc, ids, out, "3x8", skip=24)


def test_bad_layout_and_empty_selection(psvc: object, outdir: Path) -> None:
    with pytest.raises(ValidationError) as err:
        render_labels(psvc, [1], outdir / "x.pdf", "4x10")
    assert err.value.field == "标签规格"
    with pytest.raises(AppError):
        render_labels(psvc, [], outdir / "x.pdf")
    assert list(outdir.iterdir()) == []
