"""Schema migrations (Alembic), shipped inside the package and run on an open connection.

Opening an archive only needs to know whether its schema is current, which is one SELECT; Alembic (and
the Mako/Pygments it loads, ~0.2 s) is imported only when an upgrade actually runs. The newest revision is
written down here as HEAD_REVISION — tests/app/test_migrations.py proves it equals Alembic's own head and
that KNOWN_REVISIONS lists every script, so adding a migration without updating them fails the suite.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
KNOWN_REVISIONS: tuple[str, ...] = ("0001", "0002", "0003")  # oldest first
HEAD_REVISION = KNOWN_REVISIONS[-1]


def _config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest schema revision this program knows."""
    return HEAD_REVISION


def known_revisions() -> set[str]:
    """Every schema revision this program can open (and upgrade from)."""
    return set(KNOWN_REVISIONS)


def script_revisions() -> tuple[str, str]:
    """(head, all revisions joined by ',') as Alembic reads them from the scripts (for the tests)."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_config())
    return scripts.get_current_head() or "", ",".join(sorted(s.revision for s in scripts.walk_revisions()))


def current_revision(conn: Connection) -> str:
    """The schema revision stored in the archive ('' for a brand-new file)."""
    has_table = conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).first()
    if has_table is None:
        return ""
    rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").fetchall()
    if len(rows) > 1:  # Alembic's own reader refuses a branched history too
        raise RuntimeError(f"archive has {len(rows)} schema heads")
    return rows[0][0] if rows else ""


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the archive's schema to target (head by default)."""
    from alembic import command

    cfg = _config()
    with engine.connect() as conn:
        # Table rebuilds in SQLite batch mode must not fire ON DELETE CASCADE: keys off, checked after.
        driver = conn.connection.driver_connection  # outside any transaction: PRAGMA is a no-op inside one
        driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, target)
                bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if bad:
                    raise RuntimeError(f"migration left {len(bad)} broken references")
        finally:
            driver.execute("PRAGMA foreign_keys = ON")
