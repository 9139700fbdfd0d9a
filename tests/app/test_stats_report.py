"""统计 exports: the PDF report (read back with pypdf) and the .xlsx tables (read back with openpyxl)."""
from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.errors import AppError
from app.reports.stats_report import write_stats_pdf, write_stats_xlsx
from app.services.settings import SalesProfile
from app.services.stats_rows import Period, StatsReport
from tests.conftest import PASSWORD, Clock

TODAY = date(2026, 11, 22)
PROFILE = SalesProfile(name="李明", company="平安人寿北京分公司", title="资深业务经理")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> StatsReport:
    """The year's figures over 120 sample customers, with a grade review done in November."""
    from app.db import create_archive
    from app.demo import generate
    from app.services import Services

    archive = create_archive(tmp_path_factory.mktemp("report") / "示例.cfdb", PASSWORD)
    try:
        clock = Clock(datetime(2026, 11, 22, 9, 30))
        svc = Services.build(archive, clock=clock)
        ids = generate(svc, n=120, seed=3, today=TODAY)
        clock.value = datetime(2026, 11, 10, 10)
        svc.customers.set_grade(ids[:5], "A")
        return svc.stats.compute(Period.this_year(TODAY), TODAY, touchpoints=svc.touchpoints)
    finally:
        archive.close()


def _text(path: Path) -> str:
    return "".join((page.extract_text() or "").replace("\n", "") for page in PdfReader(str(path)).pages)


def test_pdf_has_every_figure_with_its_numbers(report, tmp_path) -> None:
    out = tmp_path / "统计.pdf"
    write_stats_pdf(report, out, PROFILE, TODAY)
    text = _text(out)
    assert "客户档案统计" in text and "本年（2026-01-01 至 2026-12-31）" in text
    for figure in report.figures:
        assert figure.title in text, figure.title
    grade = report.figure("grade")
    for row in grade.rows:
        assert f"{row.label}{row.count}" in text.replace(" ", "")  # the table row: label, then count
    head = report.headline.rows  # the overview boxes: numbers across, then their labels
    assert "".join(str(r.count) for r in head) + "".join(r.label for r in head) in text.replace(" ", "")
    moves = report.figure("grade_moves")
    assert sum(r.count for r in moves.rows) > 0  # the November review moved some grades
    assert "李明" in text and "第 1 页" in text


def test_pdf_is_written_atomically_and_refuses_a_missing_folder(report, tmp_path) -> None:
    with pytest.raises(AppError, match="保存位置不存在"):
        write_stats_pdf(report, tmp_path / "nope" / "x.pdf", PROFILE, TODAY)
    assert not (tmp_path / "nope").exists()
    out = tmp_path / "x.pdf"
    write_stats_pdf(report, out, PROFILE, TODAY)
    assert [p.name for p in tmp_path.iterdir()] == ["x.pdf"]  # no temporary file left behind


def test_xlsx_has_a_sheet_per_table_with_real_numbers(report, tmp_path) -> None:
    out = tmp_path / "统计.xlsx"
    write_stats_xlsx(report, out)
    book = load_workbook(out)
    assert len(book.sheetnames) == 1 + len(report.figures)
    assert book.sheetnames[0].startswith("01概览")
    for sheet, figure in zip(book.worksheets, (report.headline, *report.figures), strict=True):
        assert sheet["A1"].value == figure.title
        assert [c.value for c in sheet[4][:len(figure.columns)]] == list(figure.columns)
        for i, row in enumerate(figure.rows, start=5):
            assert sheet.cell(i, 1).value == row.label
            assert sheet.cell(i, 2).value == row.count
            assert sheet.cell(i, 3).value == pytest.approx(row.share)
            assert sheet.cell(i, 3).number_format == "0.0%"
    top = book.worksheets[1 + [f.key for f in report.figures].index("top_deals")]
    first = report.figure("top_deals").rows[0]
    assert top.cell(5, 4).value == pytest.approx(first.weight)  # '1,224,000.00' is a number in Excel
    funnel = book.worksheets[1 + [f.key for f in report.figures].index("funnel")]
    assert funnel.cell(5, 5).value == "—" and isinstance(funnel.cell(6, 5).value, float)  # conversion as a share


def test_xlsx_makes_no_temporary_files_elsewhere(report, tmp_path, monkeypatch) -> None:
    """Customer names must not pass through plaintext temp files outside the folder the user chose."""
    import tempfile

    made: list[object] = []
    real = tempfile.mkstemp

    def recording(*args: object, **kwargs: object) -> tuple[int, str]:
        made.append(kwargs.get("dir"))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(tempfile, "mkstemp", recording)
    write_stats_xlsx(report, tmp_path / "统计.xlsx")
    assert made == [tmp_path]  # only the atomic-write file beside the target
