"""Write the README screenshots: 待办 (the start page), 日历 and the customer list on a sample archive, a full
card, the unlock dialog.

    .venv/bin/python tools/screenshots.py [--out docs] [--customers 400]

Runs offscreen in a temporary CLIENTFILE_HOME (your own archive and settings are never touched) and
uses the bundled font, so Chinese renders the same on every machine.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TODAY = date(2026, 11, 22)
PASSWORD = "screenshot-123"


def _settle(app: object, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()  # type: ignore[attr-defined]


def _richest_customer(svc: object) -> int:
    """A person with family, deals and visits: the card worth showing."""
    from app.rows import ListQuery

    best, best_score = 0, -1
    for row in svc.customers.list(ListQuery(kind="个人", limit=120)).rows:  # type: ignore[attr-defined]
        card = svc.customers.get(row.id)  # type: ignore[attr-defined]
        score = len(card.contacts) + len(card.deals) + len(card.visits) + 3 * bool(card.data.birthday)
        if score > best_score:
            best, best_score = row.id, score
    return best


def main(argv: list[str] | None = None) -> int:
    """Build the windows on a generated archive and save the PNGs."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default=str(ROOT / "docs"))
    parser.add_argument("--customers", type=int, default=400)
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cf-shots-") as home:
        os.environ["CLIENTFILE_HOME"] = home
        return _shoot(out, Path(home), args.customers)


def _shoot(out: Path, home: Path, customers: int) -> int:
    from app import demo
    from app.config import MachineSettings
    from app.db import create_archive
    from app.services import Services
    from ui.main import create_application, use_archive
    from ui.main_window import CALENDAR, CUSTOMERS, MainWindow
    from ui.unlock_dialog import UnlockDialog

    app = create_application()
    path = home / "客户档案.cfdb"
    archive = create_archive(path, PASSWORD)
    clock = lambda: datetime(2026, 11, 22, 9, 30)  # noqa: E731 - fixed: the pictures do not change daily
    demo.generate(Services.build(archive, clock=clock), n=customers, seed=2026, today=TODAY)
    machine = MachineSettings()
    from ui.main import build_context

    ctx = build_context(machine)
    use_archive(ctx, archive)
    window = MainWindow(ctx)
    window.resize(1280, 780)
    window.show()
    _settle(app)
    start = window.current_page()  # 待办, the start page
    start.wait_loaded()  # type: ignore[union-attr]
    _settle(app)
    window.grab().save(str(out / "agenda.png"))
    print("wrote", out / "agenda.png")
    window.show_page(CALENDAR)
    window.current_page().wait_loaded()  # type: ignore[union-attr]
    _settle(app, 10)
    window.grab().save(str(out / "calendar.png"))
    print("wrote", out / "calendar.png")
    window.show_page(CUSTOMERS)
    window.customer_list().table.selectRow(2)  # type: ignore[attr-defined]
    _settle(app)
    window.grab().save(str(out / "main-window.png"))
    print("wrote", out / "main-window.png")
    _card_shot(app, window, ctx, out)
    window.close_archive()
    _settle(app)
    dialog = UnlockDialog(window, machine, path, locked=True)
    dialog.show()
    _settle(app)
    dialog.grab().save(str(out / "unlock-dialog.png"))
    print("wrote", out / "unlock-dialog.png")
    dialog.reject()
    window.close()
    return 0


def _card_shot(app: object, window: object, ctx: object, out: Path) -> None:
    try:
        from ui.customer_card import CustomerCardWindow
    except ImportError:
        print("ui/customer_card.py not there yet: no card screenshot")
        return
    card = CustomerCardWindow.open(window, ctx, _richest_customer(ctx.svc))  # type: ignore[arg-type, attr-defined]
    card.resize(1180, 760)
    _settle(app, 10)
    card.grab().save(str(out / "customer-card.png"))
    print("wrote", out / "customer-card.png")
    card.close()
    _settle(app)


if __name__ == "__main__":
    sys.exit(main())
