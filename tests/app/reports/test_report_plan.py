"""年度服务计划书: read back with pypdf — headings, the customer's dates, templates, what stays internal."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from _report_pdf import all_text, embedded_subsets, page_texts, rich_customer

from app.errors import NotFound, ValidationError
from app.reports.plan import default_plan_year, render_plan, render_plans, visit_months
from app.reports.templates import (
    DEFAULTS,
    SETTINGS_KEY,
    PlanTemplate,
    check_template,
    plan_template,
    reset_plan_template,
    save_plan_template,
)
from app.rows import CustomerInput

HEADINGS = ("2027 年度服务计划书", "一、客户概况", "二、全年服务安排", "三、服务承诺", "四、增值服务", "持有产品与服务",
            "家庭重要日子", "客户签名", "服务人员签名")


@pytest.fixture
def plan_pdf(psvc: object, outdir: Path) -> tuple[object, int, Path]:
    cid = rich_customer(psvc)
    out = outdir / "plan.pdf"
    render_plan(psvc, cid, 2027, out)
    return psvc, cid, out


def test_plan_has_cover_headings_name_and_the_salesperson(plan_pdf: tuple[object, int, Path]) -> None:
    _, _, out = plan_pdf
    pages = page_texts(out)
    text = "\n".join(pages)
    for heading in HEADINGS:
        assert heading in text, heading
    assert "欧阳明珠" in pages[0] and "为 欧阳总 专属定制" in pages[0]  # 财务总监: greetings.salutation
    assert "A 类客户" in pages[0] and "中高端（一般附加值服务）" in pages[0]
    assert "李明 资深业务经理" in pages[0] and "13800138000" in pages[0]
    assert "2027年1月1日 — 2027年12月31日" in pages[0]
    assert "尊敬的欧阳总" in pages[0]  # the template's {称呼} filled in
    assert "第 1 页 / 共" in pages[0] and f"第 {len(pages)} 页 / 共 {len(pages)} 页" in pages[-1]
    assert "打印日期：2026年11月22日" in pages[-1]


def test_plan_lists_the_years_touchpoints_month_by_month(plan_pdf: tuple[object, int, Path]) -> None:
    _, _, out = plan_pdf
    text = all_text(out)
    assert "12月6日" in text and "结婚19周年纪念日" in text  # wedding 2008-12-06
    assert "12月8日" in text and "高建国 丈夫 生日" in text  # the husband's 公历 birthday
    assert "5月20日" in text and "高小雨 女儿 生日" in text
    assert "鑫享年金保险 4周年" in text  # deal anniversary (2023 → 2027)
    assert "农历十月二十" in text  # her 农历 birthday, placed on its 公历 day of 2027
    assert "春节问候" in text and "中秋问候" in text and "礼品（鲜花、蛋糕或伴手礼）" in text
    for month in range(1, 13):
        assert f"{month}月\n" in text or f"{month}月 " in text
    assert text.count("定期拜访：保障与资产检视、家庭需求沟通") == 12  # A: cadence 30 days → monthly


def test_plan_keeps_internal_notes_off_the_customers_copy(plan_pdf: tuple[object, int, Path]) -> None:
    _, _, out = plan_pdf
    text = all_text(out)
    for internal in ("做事细致", "年收入约60万", "某友商保险", "竞争对手", "清明", "内部资料", "理赔进度太慢未结"):
        assert internal not in text, internal


def test_plan_commitments_come_from_grade_tier_and_template(plan_pdf: tuple[object, int, Path]) -> None:
    _, _, out = plan_pdf
    text = all_text(out)
    assert "服务等级：A 类客户（全年定期拜访 12 次）" in text
    assert DEFAULTS["A"].commitments[0] in text
    assert "资产层级：中高端 · 一般附加值服务" in text
    assert "本年度服务重点：加强售后服务、加保、增员、转介绍来源" in text  # app.grading.action_for('A', closed)
    assert "客户答谢酒会" in text and "每年年底，诚邀您与家人出席" in text


def test_font_is_embedded_as_a_subset(plan_pdf: tuple[object, int, Path]) -> None:
    _, _, out = plan_pdf
    found = list(embedded_subsets(out))
    assert any("DroidSansFallback" in name for name, _, _ in found)
    assert any("Vera" in name for name, _, _ in found)  # digits and Latin letters
    for name, has_file, subset in found:
        assert has_file, f"{name} is not embedded"
        assert subset, f"{name} has no subset prefix"
    assert out.stat().st_size < 200_000


def test_edited_template_is_printed_and_placeholders_filled(psvc: object, outdir: Path) -> None:
    cid = rich_customer(psvc)
    psvc.customers.set_grade([cid], "B")  # type: ignore[attr-defined]
    custom = replace(DEFAULTS["B"], intro="{称呼}您好！{年份}年我（{服务人员}）会一直在。", closing="谢谢{客户}。",
                     commitments=("专属承诺甲", "专属承诺乙"), value_added=("茶话会：每季度一次",), show_focus=False)
    save_plan_template(psvc, custom)
    out = outdir / "b.pdf"
    render_plan(psvc, cid, 2027, out)
    text = all_text(out)
    assert "欧阳总您好！2027年我（李明）会一直在。" in text
    assert "谢谢欧阳明珠。" in text
    assert "专属承诺甲" in text and "专属承诺乙" in text and "茶话会" in text and "每季度一次" in text
    assert "本年度服务重点" not in text
    assert text.count("定期拜访：") == 4  # B: 90 days → four visits
    assert plan_template(psvc, "A") == DEFAULTS["A"]
    assert reset_plan_template(psvc, "B") == DEFAULTS["B"]
    assert plan_template(psvc, "B") == DEFAULTS["B"]


def test_template_validation_names_the_part(psvc: object) -> None:
    with pytest.raises(ValidationError) as err:
        save_plan_template(psvc, replace(DEFAULTS["C"], commitments=("  ", "")))
    assert err.value.field == "C 类计划书模板·服务承诺"
    with pytest.raises(ValidationError) as err:
        check_template(replace(DEFAULTS["A"], intro="字" * 801))
    assert "致客户的话" in err.value.field and "800" in err.value.message
    with pytest.raises(ValidationError) as err:
        check_template(replace(DEFAULTS["A"], value_added=tuple(f"活动{i}" for i in range(21))))
    assert "增值服务" in err.value.field
    with pytest.raises(ValidationError):
        check_template(PlanTemplate("E", "", ("x",), "a", "b", (), ""))
    assert psvc.settings.get(SETTINGS_KEY) is None  # nothing stored after refusals


def test_malformed_stored_templates_fall_back_field_by_field(psvc: object) -> None:
    psvc.settings.set(SETTINGS_KEY, {"A": {"intro": "自定义开头", "commitments": "not a list", "show_focus": "yes"},
                                     "B": "garbage"})
    a = plan_template(psvc, "A")
    assert a.intro == "自定义开头"
    assert a.commitments == DEFAULTS["A"].commitments and a.show_focus is True
    assert plan_template(psvc, "B") == DEFAULTS["B"]


def test_ungraded_prospect_gets_the_d_template_and_no_focus_gaps(psvc: object, outdir: Path) -> None:
    cid = psvc.customers.create(CustomerInput(name="单纯客户"))  # type: ignore[attr-defined]
    out = outdir / "d.pdf"
    render_plan(psvc, cid, 2027, out)
    text = all_text(out)
    assert "单纯客户" in text and "服务等级：客户（全年定期拜访 1 次）" in text
    assert DEFAULTS["D"].commitments[0] in text
    assert "（暂无）" in text and "（暂无记录）" in text


def test_batch_of_plans_numbers_each_customer_on_its_own(psvc: object, outdir: Path) -> None:
    a = rich_customer(psvc, "甲客户")
    b = psvc.customers.create(CustomerInput(name="乙客户"))  # type: ignore[attr-defined]
    out = outdir / "plans.pdf"
    render_plans(psvc, [a, b, a], 2027, out)  # a repeated id prints once
    pages = page_texts(out)
    first_b = next(i for i, t in enumerate(pages) if "乙客户" in t)
    assert all("乙客户" not in t for t in pages[:first_b]) and all("甲客户" not in t for t in pages[first_b:])
    assert f"第 1 页 / 共 {len(pages) - first_b} 页" in pages[first_b]


def test_unknown_customer_raises_and_writes_nothing(psvc: object, outdir: Path) -> None:
    out = outdir / "none.pdf"
    with pytest.raises(NotFound):
        render_plan(psvc, 999_999, 2027, out)
    assert list(outdir.iterdir()) == []


@pytest.mark.parametrize("cadence,months", [(30, list(range(1, 13))), (90, [2, 5, 8, 11]), (180, [3, 9]),
                                            (365, [6]), (730, [6]), (7, list(range(1, 13))), (120, [2, 6, 10])])
def test_regular_visits_spread_over_the_year(cadence: int, months: list[int]) -> None:
    assert visit_months(cadence) == months


def test_default_plan_year_turns_in_november() -> None:
    assert default_plan_year(date(2026, 10, 31)) == 2026
    assert default_plan_year(date(2026, 11, 1)) == 2027
