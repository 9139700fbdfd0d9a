"""Desktop-shell benchmarks at 10k and 100k customers: the app's figure next to a floor from the same run.

    .venv/bin/python tests/perf/bench_ui.py [--sizes 10000 100000] [--repeat 5] [--start-only]

Rows:
- start: process start → unlocked main window with its first page painted: 待办, whose rows are worked out
  in a background thread (the next two rows: when they are in, and the 客户 list painted after that). A fresh
  process, key derivation and page checks included, the password given at once: no typing time for anything
  to hide in. The key and the checks run in a worker thread while the main window's modules load, as in the
  app's unlock dialog. Floor: a bare Qt window process. Also: process start → the unlock dialog painted
  (what a later start shows first), and Enter → first page painted when the password is typed 2 s after
  the dialog appears (the database layers load in the background meanwhile, as in the app).
  A phase-by-phase split follows the table.
- keystroke: text typed → the list repainted, for 1-, 2- and 3-character queries (the 150 ms debounce,
  a deliberate pause, is left out). Floor: the same page SQL on a bare sqlcipher3 connection, plus
  repainting the same rows in a QTableView over Qt's own C++ QStandardItemModel. The total ("找到 N 位")
  is counted right after the repaint: its own row follows, next to the same count SQL.
- sort: header click → the list repainted. Floor: the same SQL and repaint.
- scroll: the next 200 rows fetched and painted. Floor: the same SQL and repaint.
- memory: resident set of the process with 待办's rows in and the 客户 list open (psutil). pypinyin's
  dictionaries (~50 MB) load only when a card or the import wizard opens. Floor: the bare Qt window process.
Archives are the foundation benchmark's cached sample archives (perf-results/, generated once by app.demo).
The machine is shared: CPU time is printed beside wall time so a busy machine can be told from slow code.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGETS = {  # (measure, size) → ms (memory: MB)
    ("start", 10_000): 1000, ("start", 100_000): 1200,
    ("keystroke", 10_000): 50, ("keystroke", 100_000): 100,
    ("sort", 100_000): 300,
    ("memory", 10_000): 200, ("memory", 100_000): 400,
}
QUERIES = ("z", "zh", "zha")  # typed one key after another, as a salesperson looks for 张…
SORTS = (("mobile", False), ("grade", False), ("last_contact_at", True), ("company", False))

TAGS_SQL = ("(SELECT group_concat(t.name, '、') FROM tags t JOIN customer_tags ct ON ct.tag_id = t.id "
            "WHERE ct.customer_id = c.id)")
PAGE_SQL = ("SELECT c.id, c.card_no, c.name, c.kind, c.grade, c.deal_status, c.stage, c.mobile, c.company, "
            "c.last_contact_at, c.next_appointment_at, " + TAGS_SQL + ", c.asset_tier, c.deleted_at "
            "FROM customers c WHERE c.deleted_at IS NULL {where} ORDER BY {order} LIMIT 200 OFFSET {offset}")
COUNT_SQL = "SELECT count(*) FROM customers c WHERE c.deleted_at IS NULL {where}"


# ----- child processes -----------------------------------------------------------------------------
def _wait_painted(app: object, widget: object) -> None:
    from PySide6.QtCore import QEvent, QObject

    class Watch(QObject):
        painted = False

        def eventFilter(self, obj: object, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.painted = True
            return False

    watch = Watch()
    widget.installEventFilter(watch)  # type: ignore[attr-defined]
    while not watch.painted:
        app.processEvents()  # type: ignore[attr-defined]
    app.processEvents()  # type: ignore[attr-defined]  # the paint itself


def child_app(path: str, password: str) -> dict:
    """What `clientfile --archive PATH` does once the password is typed, up to the first painted page."""
    marks = {"python": time.time()}
    from app.config import MachineSettings
    from app.db import OpeningArchive
    from ui.main import build_context, create_application, preload_main_window, show_main_window, use_archive

    marks["imports (qt, unlock)"] = time.time()
    app = create_application()
    marks["qt application, font"] = time.time()
    # As UnlockDialog.try_unlock: key and page checks in a worker thread, the main window's modules meanwhile.
    opening = OpeningArchive(Path(path), password)
    preload_main_window()
    marks["imports (services, window) ‖ key, checks"] = time.time()
    archive = opening.result()
    marks["rest of key, checks"] = time.time()
    ctx = build_context(MachineSettings())
    use_archive(ctx, archive)
    marks["services (build)"] = time.time()
    window = show_main_window(app, ctx)
    start_page = window.current_page()  # 待办: its rows are worked out in a background thread
    marks["main window, first page"] = time.time()
    _wait_painted(app, start_page)
    marks["painted"] = time.time()
    cpu = time.process_time()
    assert start_page.wait_loaded(300)  # type: ignore[union-attr]
    agenda_in = time.time()
    window.show_page(0)  # the user clicks 客户
    page = window.customer_list()
    _wait_painted(app, page.table.viewport())
    list_in = time.time()
    assert page.model.rowCount() > 0 and start_page.model.section_count() == 3  # type: ignore[union-attr]
    deadline = time.time() + 1.0  # let the event loop settle before reading the memory
    while time.time() < deadline:
        app.processEvents()  # type: ignore[attr-defined]
        time.sleep(0.01)
    return {"painted": marks["painted"], "agenda_in": agenda_in, "list_in": list_in, "rss": _rss(), "cpu": cpu,
            "marks": marks, "full_check": archive.fully_verified}


def child_typed(path: str, password: str) -> dict:
    """A later start as the user lives it: the unlock dialog, 2 s of typing, Enter → first page painted."""
    from PySide6.QtCore import QTimer

    from app.config import MachineSettings
    from app.db import OpeningArchive
    from ui.main import (
        PRELOAD_DELAY_MS,
        build_context,
        create_application,
        preload_core_in_background,
        preload_main_window,
        show_main_window,
        use_archive,
    )
    from ui.unlock_dialog import UnlockDialog

    app = create_application()
    dialog = UnlockDialog(None, MachineSettings(), Path(path))
    QTimer.singleShot(PRELOAD_DELAY_MS, preload_core_in_background)  # as ui.main.first_archive does
    dialog.show()
    typing_ends = time.time() + 2.0
    while time.time() < typing_ends:
        app.processEvents()
        time.sleep(0.005)
    enter = time.time()
    cpu0 = time.process_time()
    opening = OpeningArchive(Path(path), password)
    preload_main_window()
    archive = opening.result()
    dialog.close()
    ctx = build_context(MachineSettings())
    use_archive(ctx, archive)
    window = show_main_window(app, ctx)
    _wait_painted(app, window.current_page())
    painted = time.time()
    return {"painted": painted, "enter_ms": 1000 * (painted - enter), "cpu_ms": 1000 * (time.process_time() - cpu0),
            "rss": _rss(), "cpu": time.process_time()}


def child_unlock(path: str) -> dict:
    """What a later start shows first: the unlock dialog for the last archive."""
    from app.config import MachineSettings
    from ui.main import create_application
    from ui.unlock_dialog import UnlockDialog

    app = create_application()
    dialog = UnlockDialog(None, MachineSettings(), Path(path))
    dialog.show()
    _wait_painted(app, dialog)
    return {"painted": time.time(), "rss": _rss(), "cpu": time.process_time()}


def child_bare() -> dict:
    """The floor: a bare Qt window with a label, shown and painted."""
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    label = QLabel("客户档案")
    window.setCentralWidget(label)
    window.resize(1200, 760)
    window.show()
    _wait_painted(app, label)
    return {"painted": time.time(), "rss": _rss(), "cpu": time.process_time()}


def _rss() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def run_child(args: list[str], home: Path) -> dict:
    """Start a child process and time it from just before the spawn to its first paint."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", CLIENTFILE_HOME=str(home))
    start = time.time()
    done = subprocess.run([sys.executable, __file__, "--child", *args], env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("CHILD ")]
    if not lines:
        raise RuntimeError(done.stderr[-3000:])
    result = json.loads(lines[-1][6:])
    result["ms"] = (result["painted"] - start) * 1000
    for key in ("agenda_in", "list_in"):
        if key in result:
            result[key + "_ms"] = (result[key] - start) * 1000
    return result


# ----- in-process measurements ---------------------------------------------------------------------
def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """Median and worst wall ms, and median CPU ms."""
    wall, cpu = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(wall), max(wall), statistics.median(cpu)


def like(term: str) -> str:
    return f"AND c.id IN (SELECT customer_id FROM search_index WHERE text LIKE '%{term}%' ESCAPE '\\')"


def raw_page(conn: object, where: str = "", order: str = "c.name_pinyin, c.id", offset: int = 0) -> None:
    conn.execute(PAGE_SQL.format(where=where, order=order, offset=offset)).fetchall()  # type: ignore[attr-defined]


def in_process(n: int, path: Path, password: str, repeat: int, rows: list[tuple]) -> None:
    """Keystroke, sort and scroll in the real window, next to the same SQL on a bare connection."""
    from bench_core import raw
    from PySide6.QtCore import Qt

    from app.config import MachineSettings
    from app.db import open_archive
    from ui.customer_list_model import COLUMN_INDEX
    from ui.main import build_context, create_application, use_archive
    from ui.main_window import MainWindow

    app = create_application()
    ctx = build_context(MachineSettings())
    use_archive(ctx, open_archive(path, password))
    window = MainWindow(ctx)
    window.resize(1200, 760)
    window.show()
    window.current_page().wait_loaded(300)  # type: ignore[union-attr]  # 待办, the start page, settles first
    window.show_page(0)  # then the 客户 list, where the typing happens
    page = window.customer_list()
    viewport = page.table.viewport()
    _wait_painted(app, viewport)
    conn = raw(path)
    header = page.table.horizontalHeader()
    floor_view = _floor_view(page)

    def type_query(text: str) -> None:
        page.search_edit.setText(text)  # what a key press does (starts the debounce timer) …
        page.requery()  # … and what the timer then does
        viewport.repaint()

    for length in (1, 2, 3):
        text = QUERIES[length - 1]

        def keystroke(text: str = text, length: int = length) -> tuple[float, float]:
            page.search_edit.setText(QUERIES[length - 2] if length > 1 else "")
            page.requery()
            with Clock() as clock:
                type_query(text)
            return clock.result

        wall = _timed_inner(keystroke, repeat)
        floor = timed(lambda t=text: (raw_page(conn, like(t)), floor_view.viewport().repaint()), repeat)
        rows.append((n, f"keystroke '{text}' ({length} char)", *wall, *floor, "keystroke"))

        def count_after(text: str = text) -> tuple[float, float]:
            type_query(text)
            with Clock() as clock:
                page.model.count_total()  # runs from a zero timer right after the repaint
            return clock.result

        wall = _timed_inner(count_after, repeat)
        floor = timed(lambda t=text: conn.execute(COUNT_SQL.format(where=like(t))).fetchone(), repeat)
        rows.append((n, f"  then its count '{text}' (after paint)", *wall, *floor, "count"))
    type_query("")

    for sort, descending in SORTS:
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder

        def click(sort: str = sort, order: Qt.SortOrder = order) -> tuple[float, float]:
            header.setSortIndicator(COLUMN_INDEX["name"], Qt.SortOrder.AscendingOrder)
            with Clock() as clock:
                header.setSortIndicator(COLUMN_INDEX[sort], order)  # what a header click does
                viewport.repaint()
            return clock.result

        wall = _timed_inner(click, repeat)
        direction = "DESC" if descending else "ASC"
        floor = timed(lambda s=sort, d=direction: (raw_page(conn, order=f"c.{s} {d}, c.id {d}"),
                                                   floor_view.viewport().repaint()), repeat)
        label = f"sort by {sort}{' (descending)' if descending else ''}"
        rows.append((n, label, *wall, *floor, "sort"))
    header.setSortIndicator(COLUMN_INDEX["name"], Qt.SortOrder.AscendingOrder)

    def scroll() -> tuple[float, float]:
        page.model.reload()
        with Clock() as clock:
            page.model.fetchMore()  # what reaching the end of the scroll bar does
            viewport.repaint()
        return clock.result

    wall = _timed_inner(scroll, repeat)
    floor = timed(lambda: (conn.execute(PAGE_SQL.format(where="", order="c.name_pinyin, c.id", offset=200))
                           .fetchall(), floor_view.viewport().repaint()), repeat)
    rows.append((n, "scroll: next 200 rows", *wall, *floor, "scroll"))
    conn.close()
    floor_view.close()
    window.ctx.bus.archive_locked.emit()
    services, ctx.services = ctx.services, None
    services.close()  # type: ignore[union-attr]
    window.close()


def _floor_view(page: object) -> object:
    """The painting floor: the same first page in a QTableView over Qt's own C++ QStandardItemModel."""
    from PySide6.QtGui import QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QTableView

    source = page.model  # type: ignore[attr-defined]
    model = QStandardItemModel(source.rowCount(), source.columnCount())
    for r in range(source.rowCount()):
        for c in range(source.columnCount()):
            model.setItem(r, c, QStandardItem(source.index(r, c).data()))
    view = QTableView()
    view.setModel(model)
    view.setParent(None)
    view.resize(page.table.size())  # type: ignore[attr-defined]
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(page.table.verticalHeader().defaultSectionSize())  # type: ignore[attr-defined]
    for c in range(source.columnCount()):
        view.horizontalHeader().resizeSection(c, page.table.horizontalHeader().sectionSize(c))  # type: ignore[attr-defined]
    view.show()
    view.model_keepalive = model  # type: ignore[attr-defined]
    from PySide6.QtWidgets import QApplication

    _wait_painted(QApplication.instance(), view.viewport())  # exposed: its repaints really paint
    return view


class Clock:
    """Wall and CPU time of a with-block, in seconds."""

    def __enter__(self) -> Clock:
        self.c0, self.t0 = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.result = (time.perf_counter() - self.t0, time.process_time() - self.c0)


def _timed_inner(fn: Callable[[], tuple[float, float]], repeat: int) -> tuple[float, float, float]:
    """Like timed(), for steps that time only their critical part (their set-up is left out)."""
    results = [fn() for _ in range(repeat)]
    wall = [w * 1000 for w, _ in results]
    return statistics.median(wall), max(wall), statistics.median(c * 1000 for _, c in results)


# ----- the table ------------------------------------------------------------------------------------
def bench_size(n: int, repeat: int, rows: list[tuple], phases: list[tuple[int, dict]], *,
               start_only: bool = False) -> None:
    from bench_core import PASSWORD, archive_for

    path = archive_for(n)
    with tempfile.TemporaryDirectory(prefix="cf-bench-ui-") as home:
        apps = [run_child(["app", str(path), PASSWORD], Path(home)) for _ in range(max(3, repeat // 2))]
        bares = [run_child(["bare"], Path(home)) for _ in range(max(3, repeat // 2))]
        unlocks = [run_child(["unlock", str(path)], Path(home)) for _ in range(max(3, repeat // 2))]
        typed = [run_child(["typed", str(path), PASSWORD], Path(home)) for _ in range(max(3, repeat // 2))]
    med = lambda xs, k: statistics.median(x[k] for x in xs)  # noqa: E731
    rows.append((n, "start → first page painted", med(apps, "ms"), max(a["ms"] for a in apps),
                 med(apps, "cpu") * 1000, med(bares, "ms"), max(b["ms"] for b in bares), med(bares, "cpu") * 1000,
                 "start"))
    rows.append((n, "  then 待办 rows in (background)", med(apps, "agenda_in_ms"), max(a["agenda_in_ms"] for a in apps),
                 0.0, med(bares, "ms"), max(b["ms"] for b in bares), 0.0, "agenda"))
    rows.append((n, "  then 客户 clicked → list painted", med(apps, "list_in_ms"), max(a["list_in_ms"] for a in apps),
                 0.0, med(bares, "ms"), max(b["ms"] for b in bares), 0.0, "list"))
    rows.append((n, "start → unlock dialog shown", med(unlocks, "ms"), max(u["ms"] for u in unlocks),
                 med(unlocks, "cpu") * 1000, med(bares, "ms"), max(b["ms"] for b in bares), med(bares, "cpu") * 1000,
                 "unlock"))
    rows.append((n, "Enter → first page (typed after 2 s)", med(typed, "enter_ms"), max(t["enter_ms"] for t in typed),
                 med(typed, "cpu_ms"), med(bares, "ms"), max(b["ms"] for b in bares), med(bares, "cpu") * 1000,
                 "enter"))
    phases.append((n, sorted(apps, key=lambda a: a["ms"])[len(apps) // 2]))
    rows.append((n, "memory, 待办 + list open (MB)", med(apps, "rss"), max(a["rss"] for a in apps), 0.0,
                 med(bares, "rss"), max(b["rss"] for b in bares), 0.0, "memory"))
    if not start_only:
        in_process(n, path, PASSWORD, repeat, rows)


def print_table(rows: list[tuple]) -> None:
    head = (f"{'customers':>9}  {'measure':<34}{'app med':>9}{'worst':>8}{'cpu':>8}{'floor':>8}{'worst':>8}"
            f"{'ratio':>7}{'target':>8}  ok")
    print(head)
    print("-" * len(head))
    for n, label, a_med, a_max, a_cpu, f_med, f_max, _f_cpu, kind in rows:
        target = TARGETS.get((kind, n))
        ok = "" if target is None else ("yes" if a_med <= target else "NO")
        print(f"{n:>9}  {label:<34}{a_med:>9.1f}{a_max:>8.1f}{a_cpu:>8.1f}{f_med:>8.1f}{f_max:>8.1f}"
              f"{a_med / max(f_med, 1e-6):>7.2f}{'' if target is None else target:>8}  {ok}")
    print("\nms unless noted; 'cpu' is this process's CPU time for the same step (start: the child's).")


def print_phases(phases: list[tuple[int, dict]]) -> None:
    """Where the start time goes (one median child run per size)."""
    print("\nstart, phase by phase (ms from the previous mark; 'python' = interpreter start until the child's first line):")
    for n, child in phases:
        marks = child["marks"]
        names = list(marks)
        steps = [f"{name} {1000 * (marks[name] - marks[prev]):.0f}" for prev, name in itertools.pairwise(names)]
        check = "every page checked at open" if child["full_check"] else "cheap checks at open, full check in the background"
        print(f"{n:>9}  python {child['ms'] - 1000 * (marks['painted'] - marks['python']):.0f} · " + " · ".join(steps)
              + f"  ({check})")


def main() -> None:
    """Run the benchmark and print the table."""
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        kind = sys.argv[2]
        result = (child_app(sys.argv[3], sys.argv[4]) if kind == "app"
                  else child_typed(sys.argv[3], sys.argv[4]) if kind == "typed"
                  else child_unlock(sys.argv[3]) if kind == "unlock" else child_bare())
        print("CHILD " + json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--start-only", action="store_true", help="only the start and memory rows")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("CLIENTFILE_HOME", tempfile.mkdtemp(prefix="cf-bench-ui-home-"))
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    print(f"load average at start: {load:.2f} on {os.cpu_count()} CPUs\n")
    rows: list[tuple] = []
    phases: list[tuple[int, dict]] = []
    for n in args.sizes:
        bench_size(n, args.repeat, rows, phases, start_only=args.start_only)
    print_table(rows)
    print_phases(phases)


if __name__ == "__main__":
    main()
