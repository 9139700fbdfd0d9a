"""Benchmark: opening a customer card window, and one keystroke in it.

    QT_QPA_PLATFORM=offscreen /tmp/v312/bin/python tests/perf/bench_card.py

Rows: a card with few records and one with many (visits, contacts, deals), in an archive of
`--customers` cards. The floor, measured in the same run, is the raw work underneath: loading the same
card through the service plus a bare QMainWindow with one QTableWidget holding its visits, shown and
painted. The keystroke row is typing one character into a field (dirty check, grade suggestion, title)
against a bare QLineEdit receiving the same key.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QMainWindow, QTableWidget, QTableWidgetItem

from app.config import MachineSettings
from app.db import create_archive
from app.rows import ContactInput, CustomerInput, DealInput, VisitInput
from app.services import Services
from ui.context import AppContext
from ui.customer_card import CustomerCardWindow
from ui.events import Bus
from ui.main import create_application

NOW = datetime(2026, 11, 22, 9, 30)
CLOCK = time.process_time


def _fill(svc: Services, customers: int, visits: int) -> int:
    """`customers` plain cards, then one card with `visits` visits, 6 contacts and 12 deals; its id."""
    svc.customers.create_many([CustomerInput(name=f"客户{i:05d}", mobile=f"139{i:08d}") for i in range(customers)])
    cid = svc.customers.create(CustomerInput(name="李秀英", mobile="13812345678", economy="好", awareness="强",
                                             influence="一般", tags=("老客户",)))
    for i in range(6):
        svc.contacts.add(cid, ContactInput(name=f"家人{i}", role="家属", relation="子女"))
    for i in range(12):
        svc.deals.add(cid, DealInput(product=f"保单{i}", amount=Decimal(1000 + i), start_date=date(2020 + i % 6, 1, 1)))
    for i in range(visits):
        svc.visits.log(VisitInput(customer_id=cid, at=NOW - timedelta(days=i), method="电话",
                                  content=f"第 {i} 次回访，聊了家庭近况和保障需求", result="约下次"))
    return cid


def _median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    """Median CPU time of this process (the build machine is shared: wall time measures the neighbours)."""
    times = []
    for _ in range(runs):
        t0 = CLOCK()
        fn()
        times.append((CLOCK() - t0) * 1000)
    return statistics.median(times)


def _open_card(app: QApplication, ctx: AppContext, cid: int) -> None:
    window = CustomerCardWindow.open(None, ctx, cid)
    app.processEvents()
    window.repaint()
    window._closing_for_lock = True
    window.close()
    app.processEvents()


def _floor_open(app: QApplication, svc: Services, cid: int) -> None:
    card = svc.customers.get(cid)
    window = QMainWindow()
    table = QTableWidget(len(card.visits), 3)
    for row, v in enumerate(card.visits):
        for col, text in enumerate((v.at.isoformat(" "), v.method, v.content)):
            table.setItem(row, col, QTableWidgetItem(text))
    window.setCentralWidget(table)
    window.resize(1180, 740)
    window.show()
    app.processEvents()
    window.repaint()
    window.close()
    window.deleteLater()
    app.processEvents()


def _keystroke(app: QApplication, edit: QLineEdit) -> None:
    QTest.keyClick(edit, Qt.Key.Key_A)
    app.processEvents()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--wall", action="store_true", help="wall-clock time instead of CPU time")
    args = parser.parse_args()
    global CLOCK
    if args.wall:
        CLOCK = time.perf_counter
    app = create_application([])  # font, style sheet and palette exactly as the desktop app has them
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CLIENTFILE_HOME"] = tmp
        archive = create_archive(Path(tmp) / "bench.cfdb", "bench-password")
        svc = Services.build(archive, clock=lambda: NOW)
        ctx = AppContext(bus=Bus(), machine=MachineSettings(), archive_path=archive.path, services=svc)
        small = _fill(svc, args.customers, 3)
        large = _fill(svc, 0, 500)
        rows = []
        for label, cid in (("open card, 3 visits", small), ("open card, 500 visits", large)):
            _open_card(app, ctx, cid)  # warm-up: imports, font, first query plans
            app_ms = _median_ms(lambda c=cid: _open_card(app, ctx, c), args.runs)
            floor_ms = _median_ms(lambda c=cid: _floor_open(app, svc, c), args.runs)
            rows.append((label, app_ms, floor_ms))
        window = CustomerCardWindow.open(None, ctx, small)
        app.processEvents()
        bare = QLineEdit()
        bare.show()
        app_ms = _median_ms(lambda: _keystroke(app, window.basic_page.hobbies_edit), args.runs * 5)
        floor_ms = _median_ms(lambda: _keystroke(app, bare), args.runs * 5)
        rows.append(("one keystroke in a field", app_ms, floor_ms))
        window._closing_for_lock = True
        window.close()
        archive.close()
    kind = "wall-clock" if args.wall else "CPU"
    print(f"customers in archive: {args.customers + 2}, median {kind} time of {args.runs} runs")
    print(f"{'case':<28}{'ClientFile ms':>15}{'floor ms':>12}{'ratio':>8}")
    for label, app_ms, floor_ms in rows:
        print(f"{label:<28}{app_ms:>15.1f}{floor_ms:>12.1f}{app_ms / floor_ms:>8.1f}")


if __name__ == "__main__":
    main()
