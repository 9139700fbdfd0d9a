"""`clientfile stats`: the same figures as the service, as JSON that parses back and as aligned tables."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app.cli import main
from app.commands.stats import render_table, report_dict, width
from app.services.stats_rows import Period
from tests.conftest import PASSWORD


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed sample archive of 80 demo customers (the CLI opens it itself)."""
    from app.db import create_archive
    from app.demo import generate
    from app.services import Services

    path = tmp_path_factory.mktemp("cli") / "示例.cfdb"
    archive = create_archive(path, PASSWORD)
    try:
        generate(Services.build(archive), n=80, seed=7)
    finally:
        archive.close()
    return path


def _expected(path: Path, period: Period) -> dict:
    from app.db import open_archive
    from app.services import Services

    archive = open_archive(path, PASSWORD)
    try:
        svc = Services.build(archive)
        report = svc.stats.compute(period, date.today(), touchpoints=svc.touchpoints)
        return json.loads(json.dumps(report_dict(report), ensure_ascii=False))
    finally:
        archive.close()


def test_json_parses_back_to_the_service_figures(sample, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CLIENTFILE_PASSWORD", PASSWORD)
    code = main(["--archive", str(sample), "stats", "--from", "2026-01-01", "--to", "2026-06-30", "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out)
    assert data["period"] == {"kind": "custom", "start": "2026-01-01", "end": "2026-06-30",
                              "label": "自定义（2026-01-01 至 2026-06-30）"}
    assert data["total"] == 80
    assert data == _expected(sample, Period(date(2026, 1, 1), date(2026, 6, 30)))
    keys = [f["key"] for f in data["figures"]]
    assert "touchpoints" in keys and "funnel" in keys and "resolve_days" in keys
    grade = next(f for f in data["figures"] if f["key"] == "grade")
    assert sum(r["count"] for r in grade["rows"]) == 80


def test_table_lists_every_figure_aligned(sample, monkeypatch, capsys) -> None:
    monkeypatch.setenv("CLIENTFILE_PASSWORD", PASSWORD)
    assert main(["--archive", str(sample), "stats", "--period", "year"]) == 0
    out = capsys.readouterr().out
    expected = _expected(sample, Period.this_year(date.today()))
    for fig in [expected["headline"], *expected["figures"]]:
        assert f"■ {fig['title']}" in out
    assert "本年（" in out.splitlines()[0]
    # Columns line up in a terminal: every row of the grade table has the same display width.
    grade = next(f for f in expected["figures"] if f["key"] == "grade")
    block = out.split("■ 客户等级分布")[1].splitlines()[1:3 + len(grade["rows"])]  # header, rule, rows
    assert block[-1].split()[0] == grade["rows"][-1]["label"]
    assert len({width(line.rstrip()) for line in block}) == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2026-01-01"], "--from 和 --to 要一起给出"),
    (["--from", "2026-13-01", "--to", "2026-12-31"], "不是 YYYY-MM-DD"),
    (["--from", "2026-05-01", "--to", "2026-04-01"], "早于开始日期"),
])
def test_bad_dates_give_one_clear_line(sample, monkeypatch, capsys, args, message) -> None:
    monkeypatch.setenv("CLIENTFILE_PASSWORD", PASSWORD)
    assert main(["--archive", str(sample), "stats", *args]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_render_table_marks_empty_figures(svc) -> None:
    report = svc.stats.compute(Period.this_month(date(2026, 11, 22)), date(2026, 11, 22))
    text = render_table(report)
    assert "（无数据）" in text  # no deals: the top-customers table is empty
    assert "客户总数" in text
