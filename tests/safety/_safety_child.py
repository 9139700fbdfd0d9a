"""The child process the safety tests kill with SIGKILL: `python _safety_child.py MODE ARCHIVE [ARG]`.

Passwords come from the environment (CF_OLD_PASSWORD, CF_NEW_PASSWORD), never from argv. Every line it
prints is flushed at once, so what the parent read is what really happened before the kill. "READY"
comes once the archive is open; then:
  import ARCHIVE BATCH TOTAL  create_many in batches (one transaction each), "COMMITTED <n>" after each
  write ARCHIVE N             log N marked cards with a visit each, "COMMITTED <n>" after each card
  backup ARCHIVE DEST         create_backup(archive, DEST), "DONE <seconds>"
  rekey ARCHIVE               archive.change_password(old, new), "DONE <seconds>"
  export ARCHIVE OUT          export_all(OUT), printing "PROGRESS <text>" as the exporter reports it
  importfile ARCHIVE FILE     plan FILE, "PLANNED", then import it in its one transaction, "DONE <seconds>"
  hold ARCHIVE                keep the archive open until killed
"""
from __future__ import annotations

import logging
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.cli import configure_logging  # noqa: E402
from app.db import open_archive  # noqa: E402

GRADES = "ABCD"


def say(text: str) -> None:
    """One flushed line to the parent."""
    print(text, flush=True)


def import_batches(services: Any, batch: int, total: int) -> None:
    """Thousands of cards, batch by batch; each batch is one transaction."""
    from app.rows import CustomerInput

    for start in range(0, total, batch):
        services.customers.create_many([
            CustomerInput(name=f"崩溃导入{start + i}", mobile=f"139{start + i:08d}", grade=GRADES[i % 4],
                          remarks="每季度回访一次，关注养老规划。" * 3, tags=("导入",))
            for i in range(batch)
        ])
        say(f"COMMITTED {start + batch}")


def write_marked(services: Any, n: int) -> None:
    """Cards carrying the crash markers, one transaction each (the parent scans files after the kill)."""
    from app.rows import CustomerInput, VisitInput
    from tests.safety._safety_support import CRASH_MARKERS

    for i in range(n):
        cid = services.customers.create(CustomerInput(name=f"{CRASH_MARKERS[0]}{i}", remarks=CRASH_MARKERS[1] * 20))
        services.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 11, 20, 10, 0), method="电话",
                                       content=CRASH_MARKERS[2] * 10))
        say(f"COMMITTED {i + 1}")


def main() -> int:
    """Run one mode (see the module docstring)."""
    mode, path = sys.argv[1], Path(sys.argv[2])
    configure_logging()
    logging.getLogger().setLevel(logging.DEBUG)  # the strictest logging the program can be put in
    writes = mode in ("import", "write", "export", "importfile")
    if writes:
        from app.services import Services  # the services (and their imports) only where they are used
    else:
        from app.backup import create_backup
    # The archive is already at the newest schema: skipping the migration check only saves importing alembic.
    archive = open_archive(path, os.environ["CF_OLD_PASSWORD"], upgrade=writes)
    services = Services.build(archive) if writes else None
    if mode == "importfile":
        from app.excel import source

        plan = source.plan_file(Path(sys.argv[3]))
        say("PLANNED")
    say("READY")
    started = time.perf_counter()
    if mode == "importfile":
        services.imports.run(plan)
    elif mode == "import":
        import_batches(services, int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "write":
        write_marked(services, int(sys.argv[3]))
    elif mode == "backup":
        create_backup(archive, Path(sys.argv[3]))
    elif mode == "export":
        from app.excel.exporter import export_all

        export_all(services, Path(sys.argv[3]), progress=lambda done, total, text: say(f"PROGRESS {text}") or True)
    elif mode == "rekey":
        archive.change_password(os.environ["CF_OLD_PASSWORD"], os.environ["CF_NEW_PASSWORD"])
    elif mode == "hold":
        while True:
            time.sleep(1)
    say(f"DONE {time.perf_counter() - started:.3f}")
    archive.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
