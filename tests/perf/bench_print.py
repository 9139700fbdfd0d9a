"""Benchmark of printing: one service plan, 500 visit sheets, the size of a one-page visit sheet.

Run: python tests/perf/bench_print.py [--customers 600] [--archive PATH]   (not collected by pytest)
     python tests/perf/bench_print.py --pages docs/pages   (page images of each document, ~70 dpi)

Each figure stands next to a floor measured in the same run: raw reportlab drawing the same text
(every line the app's PDF holds, read back with pypdf) with canvas.drawString in the same embedded
subset fonts, no layout — what any reportlab PDF of that text costs at least.
- plan (warm): median of 5 after 2 warm-ups, into memory;                target ≤ 0.3 s
- plan (first import): a fresh process, archive already open; from `import app.reports.plan`
  to the PDF written (reportlab import + font load + layout);          target ≤ 0.5 s
  shown with the touchpoint service's dates loaded before (as after 待办) and without (its first load
  reads every customer's dates and builds 农历 year tables: the calendar's cost, not printing's)
- 500 visit sheets: one PDF, into memory;                               target ≤ 30 s
- one-page visit sheet: bytes of the file;                              target ≤ 100 KB
Wall and CPU time are shown: on a shared machine wall time includes waiting for a core.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from datetime import datetime
from itertools import groupby
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

PASSWORD = "bench-print-123"
NOW = datetime(2026, 11, 22, 9, 30)


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """(wall s, cpu s, result)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def page_lines(pdf: bytes) -> list[list[str]]:
    """Each page's text lines, as pypdf reads them back."""
    from pypdf import PdfReader

    return [(p.extract_text() or "").splitlines() for p in PdfReader(io.BytesIO(pdf)).pages]


def raw_reportlab(pages: list[list[str]]) -> bytes:
    """The floor: the same lines drawn on a bare canvas, each character in the font that has it
    (the bundled CJK font, else reportlab's Vera), both embedded as subsets — no layout, no platypus."""
    import reportlab
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import getFont, getRegisteredFontNames, registerFont
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    if "RawCJK" not in getRegisteredFontNames():  # parsed once per process, as the app does
        registerFont(TTFont("RawCJK", str(ROOT / "resources" / "fonts" / "DroidSansFallbackFull.ttf")))
        registerFont(TTFont("RawLatin", str(Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")))
    has = getFont("RawCJK").face.charToGlyph
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, initialFontName="RawLatin")
    for lines in pages:
        y = 800.0
        for line in lines:
            t = c.beginText(40, y)
            for cjk, chars in groupby(line, key=lambda ch: ord(ch) in has):
                t.setFont("RawCJK" if cjk else "RawLatin", 9)
                t.textOut("".join(chars))
            c.drawText(t)
            y = y - 11 if y > 60 else 800.0
        c.showPage()
    c.save()
    return out.getvalue()


def open_sample(path: Path | None, customers: int, folder: Path) -> tuple[object, Path]:
    """The benchmark archive (made with app.demo the first time) and its services."""
    from app.db import create_archive, open_archive
    from app.demo import generate
    from app.services import Services

    if path is not None and path.exists():
        archive = open_archive(path, PASSWORD)
        return Services.build(archive, clock=lambda: NOW), path
    path = path or folder / "bench_print.cfdb"
    archive = create_archive(path, PASSWORD)
    svc = Services.build(archive, clock=lambda: NOW)
    print(f"生成 {customers} 位示例客户…", file=sys.stderr)
    generate(svc, customers, seed=7, today=NOW.date())
    return svc, path


def bench_plan(svc: object, customer_id: int) -> tuple[list[float], bytes]:
    from app.reports.plan import render_plan

    def once() -> bytes:
        buffer = io.BytesIO()
        render_plan(svc, customer_id, 2027, buffer)
        return buffer.getvalue()

    for _ in range(2):
        data = once()
    runs_ = [timed(once) for _ in range(5)]
    wall = statistics.median(r[0] for r in runs_)
    cpu = statistics.median(r[1] for r in runs_)
    return [wall, cpu], data


def first_import(archive: Path, warm_calendar: bool) -> tuple[float, float]:
    """A fresh interpreter: open the archive (not timed), then import the printing code and print one plan.

    warm_calendar: load the touchpoint service's dates first (not timed) — the calendar's own first load
    (every customer's dates and 农历 year tables) is then left out, as when 待办 has been shown already.
    """
    warm = "svc.touchpoints.for_customer(customer_id, datetime(2027, 1, 1).date(), datetime(2027, 1, 2).date())"
    script = textwrap.dedent(f"""
        import io, sys, time
        from datetime import datetime
        sys.path.insert(0, {str(ROOT)!r})
        from app.db import open_archive
        from app.rows import ListQuery
        from app.services import Services
        svc = Services.build(open_archive({str(archive)!r}, {PASSWORD!r}), clock=lambda: datetime(2026, 11, 22, 9, 30))
        customer_id = svc.customers.ids(ListQuery(grades=("A",)))[0]
        {warm if warm_calendar else ""}
        wall, cpu = time.perf_counter(), time.process_time()
        from app.reports.plan import render_plan
        render_plan(svc, customer_id, 2027, io.BytesIO())
        print(time.perf_counter() - wall, time.process_time() - cpu)
        svc.close()
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    wall, cpu = (float(x) for x in out.stdout.split())
    return wall, cpu


def first_import_floor(lines: list[list[str]]) -> tuple[float, float]:
    """A fresh interpreter importing reportlab and drawing the same lines with both fonts."""
    script = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        wall, cpu = time.perf_counter(), time.process_time()
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from bench_print import raw_reportlab
        raw_reportlab({lines!r})
        print(time.perf_counter() - wall, time.process_time() - cpu)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    wall, cpu = (float(x) for x in out.stdout.split())
    return wall, cpu


def row(name: str, app: tuple[float, float], floor: tuple[float, float], target: str) -> str:
    return (f"| {name} | {app[0]:.3f} s (cpu {app[1]:.3f}) | {floor[0]:.3f} s (cpu {floor[1]:.3f}) | "
            f"{app[0] / floor[0]:.1f}× | {target} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=600)
    parser.add_argument("--archive", type=Path, help="reuse (or create) this benchmark archive")
    parser.add_argument("--pages", type=Path, metavar="DIR", help="only write page images of each document")
    args = parser.parse_args()
    os.environ.setdefault("CLIENTFILE_HOME", tempfile.mkdtemp(prefix="bench_print_home_"))
    with tempfile.TemporaryDirectory() as tmp:
        svc, path = open_sample(args.archive, args.customers, Path(tmp))
        if args.pages:
            try:
                return write_pages(svc, args.pages)
            finally:
                svc.close()  # type: ignore[attr-defined]
        svc.close()  # type: ignore[attr-defined]  # one process at a time may hold an archive
        from app.reports.fontmix import fonts

        fonts()  # the font-table cache exists after the first print ever; time the first print of a session
        cold = first_import(path, warm_calendar=True), first_import(path, warm_calendar=False)
        svc, path = open_sample(path, args.customers, Path(tmp))
        try:
            return report(svc, cold)
        finally:
            svc.close()  # type: ignore[attr-defined]


def report(svc: object, cold: tuple[tuple[float, float], tuple[float, float]]) -> int:
    from app.reports.visit_sheet import render_visit_sheets
    from app.rows import ListQuery

    a_grade = svc.customers.ids(ListQuery(grades=("A",)))  # type: ignore[attr-defined]
    everyone = svc.customers.ids(ListQuery())  # type: ignore[attr-defined]
    plan, plan_pdf = bench_plan(svc, a_grade[0])
    plan_lines = page_lines(plan_pdf)
    raw_runs = [timed(lambda: raw_reportlab(plan_lines)) for _ in range(5)]
    plan_floor = (statistics.median(r[0] for r in raw_runs), statistics.median(r[1] for r in raw_runs))
    cold_floor = first_import_floor(plan_lines)
    ids = everyone[:500]
    buffer = io.BytesIO()
    wall, cpu, _ = timed(lambda: render_visit_sheets(svc, ids, buffer))
    sheets_lines = page_lines(buffer.getvalue())
    f_wall, f_cpu, _ = timed(lambda: raw_reportlab(sheets_lines))
    one_page, one_page_ids = _one_page_sheet(svc, everyone)
    one_floor = raw_reportlab(page_lines(one_page))
    print(f"\n档案：{len(everyone)} 位客户；计划书 {len(plan_lines)} 页；拜访单 {len(ids)} 位客户 {len(sheets_lines)} 页\n")
    print("| 项目 | ClientFile | 同样文字的 reportlab 下限 | 倍数 | 目标 |")
    print("|---|---|---|---|---|")
    print(row("一份年度服务计划书（预热后）", plan, plan_floor, "≤ 0.3 s"))
    print(row("一份年度服务计划书（新进程，含首次 import；日历数据已载入）", cold[0], cold_floor, "≤ 0.5 s"))
    print(row("同上，另含日历数据的首次载入（touchpoints 服务）", cold[1], cold_floor, "—"))
    print(row(f"{len(ids)} 份拜访单（一个 PDF）", (wall, cpu), (f_wall, f_cpu), "≤ 30 s"))
    print(f"| 一页拜访单的文件大小（{one_page_ids}） | {len(one_page) / 1024:.1f} KB | {len(one_floor) / 1024:.1f} KB | "
          f"{len(one_page) / len(one_floor):.1f}× | ≤ 100 KB |")
    return 0


def write_pages(svc: object, folder: Path) -> int:
    """PNG images (about 70 dpi) of every document, from the sample archive, for the README."""
    import pypdfium2

    from app.reports.card import render_card
    from app.reports.labels import render_labels
    from app.reports.plan import render_plan
    from app.reports.visit_sheet import render_visit_sheets
    from app.rows import ListQuery

    a_and_b = svc.customers.ids(ListQuery(grades=("A", "B")))  # type: ignore[attr-defined]
    cards = [svc.customers.get(i) for i in a_and_b]  # type: ignore[attr-defined]
    family = next(c for c in cards if c.data.grade == "A" and c.deals and len(c.contacts) >= 2)
    complaint = max(cards, key=lambda c: (bool(c.open_complaints), bool(c.deals), min(len(c.visits), 5), len(c.contacts)))
    busiest = max(cards, key=lambda c: len(c.visits) + 3 * len(c.complaints))
    documents = {
        "plan": lambda out: render_plan(svc, family.id, 2027, out),
        "sheet": lambda out: render_visit_sheets(svc, [complaint.id], out),
        "card": lambda out: render_card(svc, busiest.id, out),
        "labels": lambda out: render_labels(svc, a_and_b, out, "3x8"),
        "labels-2x7": lambda out: render_labels(svc, a_and_b, out, "2x7"),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, render in documents.items():
        buffer = io.BytesIO()
        render(buffer)
        pdf = pypdfium2.PdfDocument(buffer.getvalue())
        pages = range(min(len(pdf), 1 if name.startswith("labels") else 4))
        for index in pages:
            target = folder / f"{name}-{index + 1}.png"
            pdf[index].render(scale=70 / 72).to_pil().save(target, optimize=True)
            print(target)
    return 0


def _one_page_sheet(svc: object, ids: list[int]) -> tuple[bytes, str]:
    """The first customer whose visit sheet is one page."""
    from app.reports.visit_sheet import render_visit_sheets

    for customer_id in ids[:50]:
        buffer = io.BytesIO()
        render_visit_sheets(svc, [customer_id], buffer)
        if len(page_lines(buffer.getvalue())) == 1:
            return buffer.getvalue(), svc.customers.get(customer_id).card_no  # type: ignore[attr-defined]
    raise SystemExit("no one-page visit sheet among the first 50 customers")


if __name__ == "__main__":
    sys.exit(main())
