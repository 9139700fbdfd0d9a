"""The printing commands end to end: a real archive file, CLIENTFILE_PASSWORD, PDFs read back."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from _report_pdf import PROFILE, all_text, page_texts, rich_customer

from app.cli import main
from app.rows import CustomerInput, VisitInput
from tests.conftest import PASSWORD


@pytest.fixture
def cli(archive_path: Path, svc: object, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An archive with three customers (closed again so the command line can open it)."""
    svc.settings.set_profile(PROFILE)  # type: ignore[attr-defined]
    rich = rich_customer(svc)
    plain = svc.customers.create(CustomerInput(name="普通客户", grade="B", grade_manual=True,  # type: ignore[attr-defined]
                                               address="成都市锦江区春熙路2号", postcode="610000"))
    svc.visits.log(VisitInput(customer_id=plain, at=datetime(2026, 11, 20, 9), method="电话",  # type: ignore[attr-defined]
                              next_at=datetime(2026, 11, 24, 10)))
    gone = svc.customers.create(CustomerInput(name="已删客户"))  # type: ignore[attr-defined]
    svc.customers.delete([gone])  # type: ignore[attr-defined]
    numbers = {n: svc.customers.get(i).card_no for n, i in (("rich", rich), ("plain", plain), ("gone", gone))}  # type: ignore[attr-defined]
    svc.archive.close()  # type: ignore[attr-defined]
    monkeypatch.setenv("CLIENTFILE_PASSWORD", PASSWORD)
    return numbers


def run(archive_path: Path, *args: str) -> int:
    return main(["--archive", str(archive_path), *args])


def test_plan_card_and_visit_sheets(cli: dict[str, str], archive_path: Path, outdir: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = outdir / "plan.pdf"
    assert run(archive_path, "plan", cli["rich"], "--year", "2028", "-o", str(out)) == 0
    assert "2028 年度服务计划书" in all_text(out) and "欧阳明珠" in all_text(out)
    assert "已保存 2028 年度服务计划书" in capsys.readouterr().out
    out = outdir / "card.pdf"
    assert run(archive_path, "card", cli["rich"].lower(), "-o", str(out)) == 0
    assert "客户资料卡" in all_text(out) and "理赔进度太慢未结" in all_text(out)
    out = outdir / "sheets.pdf"
    assert run(archive_path, "visit-sheet", cli["rich"], cli["plain"], "-o", str(out)) == 0
    pages = page_texts(out)
    assert len(pages) == 3 and "欧阳明珠" in pages[0] + pages[1] and "普通客户" in pages[2]


def test_visit_sheets_for_a_days_appointments(cli: dict[str, str], archive_path: Path, outdir: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = outdir / "day.pdf"
    assert run(archive_path, "visit-sheet", "--date", "2026-11-24", "-o", str(out)) == 0
    pages = page_texts(out)  # in the order of the appointments: 10:00, then 14:30 (two pages)
    assert [("欧阳明珠" in p, "普通客户" in p) for p in pages] == [(False, True), (True, False), (True, False)]
    assert "2 位客户" in capsys.readouterr().out
    assert run(archive_path, "visit-sheet", "--date", "2026-11-30", "-o", str(out)) == 1
    assert "2026-11-30 没有约见的客户" in capsys.readouterr().err


def test_labels_by_grade(cli: dict[str, str], archive_path: Path, outdir: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    out = outdir / "labels.pdf"
    assert run(archive_path, "labels", "--grade", "A,B", "--layout", "2x7", "-o", str(out)) == 0
    text = page_texts(out)[0]
    assert "普通客户 收" in text and "欧阳明珠 财务总监 收" in text
    assert "已保存 2 张标签（1 张标签纸）" in capsys.readouterr().out
    assert run(archive_path, "labels", "--grade", "B", "-o", str(out)) == 0
    assert "欧阳明珠" not in all_text(out)


@pytest.mark.parametrize("args,message", [
    (("plan", "KH999999", "-o", "{tmp}/x.pdf"), "找不到客户编号“KH999999”"),
    (("card", "{gone}", "-o", "{tmp}/x.pdf"), "在回收站中"),
    (("visit-sheet", "-o", "{tmp}/x.pdf"), "二选一"),
    (("visit-sheet", "{rich}", "--date", "2026-11-24", "-o", "{tmp}/x.pdf"), "二选一"),
    (("visit-sheet", "--date", "2026-13-01", "-o", "{tmp}/x.pdf"), "不是有效日期"),
    (("labels", "--grade", "A,E", "-o", "{tmp}/x.pdf"), "“E”无效"),
    (("card", "{rich}", "-o", "{tmp}/missing/x.pdf"), "保存位置不存在"),
    (("card", "{rich}", "-o", "{tmp}/x.txt"), "应以 .pdf 结尾"),
    (("plan", "{rich}", "--year", "1800", "-o", "{tmp}/x.pdf"), "不在 1900 到 2200 之间"),
])
def test_clear_errors(cli: dict[str, str], archive_path: Path, outdir: Path, capsys: pytest.CaptureFixture[str],
                      args: tuple[str, ...], message: str) -> None:
    filled = [a.format(tmp=outdir, **cli) for a in args]
    assert run(archive_path, *filled) == 1
    assert message in capsys.readouterr().err
    assert not (outdir / "x.pdf").exists()
