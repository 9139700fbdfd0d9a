"""`clientfile agenda` and `clientfile ics` on a real archive: output parses back, errors are clear."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest

from app.cli import main
from app.rows import Birthday, CustomerInput, VisitInput
from tests.conftest import PASSWORD


@pytest.fixture
def filled(svc, archive_path, monkeypatch) -> int:
    """One customer with a 公历 birthday, a 农历 birthday and an appointment; the archive is then closed."""
    cid = svc.customers.create(CustomerInput(name="王建国", grade="A", grade_manual=True, card_no="KH000777",
                                             birthday=Birthday("solar", 12, 1, year=1980)))
    svc.customers.create(CustomerInput(name="李梅", grade="C", grade_manual=True,
                                       birthday=Birthday("lunar", 10, 15)))
    svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 11, 20, 10), method="电话",
                              next_at=datetime(2026, 12, 2, 15), next_place="客户公司"))
    svc.archive.close()
    monkeypatch.setenv("CLIENTFILE_PASSWORD", PASSWORD)
    return cid


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_agenda_csv_parses_back(filled, archive_path, capsys) -> None:
    code, out, _ = run(capsys, "--archive", str(archive_path), "agenda", "--from", "2026-11-23", "--to",
                       "2026-12-02", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["date", "card_no", "customer", "person", "kind", "title", "status"]
    birthday = [r for r in rows if r["customer"] == "王建国" and r["kind"] == "生日"]
    assert birthday == [{"date": "2026-12-01", "card_no": "KH000777", "customer": "王建国", "person": "",
                         "kind": "生日", "title": birthday[0]["title"], "status": "待办"}]
    assert any(r["customer"] == "李梅" and r["date"] == "2026-11-23" for r in rows)  # 农历十月十五
    assert any(r["kind"] == "约见" and r["date"] == "2026-12-02" for r in rows)
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)


def test_agenda_json_and_table(filled, archive_path, capsys) -> None:
    code, out, _ = run(capsys, "--archive", str(archive_path), "agenda", "--from", "2026-12-01", "--to",
                       "2026-12-01", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert {r["title"].split(" ")[0] for r in rows if r["kind"] == "生日"} == {"王建国"}
    code, out, _ = run(capsys, "--archive", str(archive_path), "agenda", "--from", "2026-12-01", "--to",
                       "2026-12-01")
    assert code == 0 and out.splitlines()[0].split() == ["日期", "客户编号", "客户", "对象", "类型", "事项", "状态"]
    assert "KH000777" in out and out.rstrip().endswith(f"共 {len(rows)} 项")


def test_agenda_bad_dates_are_clear(filled, archive_path, capsys) -> None:
    code, _, err = run(capsys, "--archive", str(archive_path), "agenda", "--from", "2026-13-01", "--to",
                       "2026-12-01")
    assert code == 1 and "--from" in err and "YYYY-MM-DD" in err
    code, _, err = run(capsys, "--archive", str(archive_path), "agenda", "--from", "2026-12-02", "--to",
                       "2026-12-01")
    assert code == 1 and "结束日期不能早于开始日期" in err


def test_ics_parses_back_and_warns_plaintext(filled, archive_path, tmp_path, capsys) -> None:
    from icalendar import Calendar

    out_path = tmp_path / "导出" / "客户.ics"
    out_path.parent.mkdir()
    code, out, _ = run(capsys, "--archive", str(archive_path), "ics", str(out_path), "--years", "2")
    assert code == 0 and "明文" in out
    cal = Calendar.from_ical(out_path.read_bytes())
    events = list(cal.walk("VEVENT"))
    summaries = [str(e.get("summary")) for e in events]
    assert any("王建国" in s and "生日" in s for s in summaries)
    lunar = [e for e in events if "李梅" in str(e.get("summary"))]
    assert len(lunar) == 2 and all("rrule" not in e for e in lunar)  # 农历: explicit events, one per year
    assert {e.get("dtstart").dt for e in lunar} >= {date(2026, 11, 23)}
    uids = [str(e.get("uid")) for e in events]
    assert len(uids) == len(set(uids))
    # Exporting again gives the same UIDs (re-import updates instead of duplicating).
    run(capsys, "--archive", str(archive_path), "ics", str(out_path), "--years", "2")
    again = [str(e.get("uid")) for e in Calendar.from_ical(out_path.read_bytes()).walk("VEVENT")]
    assert sorted(again) == sorted(uids)


def test_ics_refuses_a_wrong_name(filled, archive_path, tmp_path, capsys) -> None:
    code, _, err = run(capsys, "--archive", str(archive_path), "ics", str(tmp_path / "x.txt"))
    assert code == 1 and ".ics" in err
    assert not (tmp_path / "x.txt").exists()


def test_agenda_expands_festival_groups_to_one_line_per_customer(filled, archive_path, capsys) -> None:
    """The service groups a festival day; the command line still prints every customer's line, as before."""
    from app.commands.agenda import render, row_of
    from app.db import open_archive
    from app.services import Services

    code, out, _ = run(capsys, "--archive", str(archive_path), "agenda", "--from", "2026-01-01", "--to",
                       "2026-12-31", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    mid_autumn = [r for r in rows if r["title"].startswith("中秋")]
    assert sorted(r["customer"] for r in mid_autumn) == ["李梅", "王建国"]  # 中秋 goes to every grade
    assert [r["customer"] for r in rows if r["title"].startswith("端午")] == ["王建国"]  # A/B only by default
    with open_archive(archive_path, PASSWORD) as archive:
        flat = Services.build(archive).touchpoints.between(date(2026, 1, 1), date(2026, 12, 31))
    expected = [row_of(tp) for tp in flat]
    assert rows == expected
    for fmt in ("json", "csv", "table"):
        code, out, _ = run(capsys, "--archive", str(archive_path), "agenda", "--from", "2026-01-01", "--to",
                           "2026-12-31", "--format", fmt)
        assert code == 0 and out == render(expected, fmt), fmt
    assert render([], "json") == json.dumps([]) + "\n"
    assert render(expected, "json") == json.dumps(expected, ensure_ascii=False, indent=1) + "\n"


@pytest.mark.parametrize("text", ["", "KH000777", "王建国", "中秋问候（农历）", "Zoë 生日", "…续保", "한국 고객", "😀 喜事",
                                  "ＡＢＣ１２３", "〈重要〉、。", "〿半角空", "张三 配偶 生日（农历四月十五，36岁，属马）"])
def test_the_table_counts_terminal_columns_as_unicodedata_does(text: str) -> None:
    import unicodedata

    from app.commands.agenda import _Extra

    wide = sum(unicodedata.east_asian_width(ch) in "WF" for ch in text)
    assert _Extra()[text] == wide


def test_the_table_aligns_wide_and_narrow_texts() -> None:
    from app.commands.agenda import COLUMNS, render

    rows = [dict(zip(COLUMNS, ("2026-01-01", "KH1", "王建国", "", "生日", "王建国 生日", "待办"), strict=True)),
            dict(zip(COLUMNS, ("2026-01-02", "KH000002", "Zoë", "李梅", "节日", "中秋问候", "逾期"), strict=True))]
    lines = render(rows, "table").splitlines()
    starts = {line.index(status) for line, status in zip(lines, ("状态", "待办", "逾期"), strict=False)}
    assert len(lines) == 4 and lines[-1] == "共 2 项"
    cells = [line[:line.index(s)] for line, s in zip(lines, ("状态", "待办", "逾期"), strict=False)]
    widths = {sum(2 if "\u4e00" <= ch <= "\u9fff" else 1 for ch in c) for c in cells}
    assert len(widths) == 1, (cells, starts)  # the status column starts at the same terminal column
