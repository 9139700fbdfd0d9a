"""Schema migrations (Alembic), shipped inside the package and run on an open connection."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def head_revision() -> str:
    """The newest schema revision this program knows."""
    return ScriptDirectory.from_config(_config()).get_current_head() or ""


def current_revision(conn: Connection) -> str:
    """The schema revision stored in the archive ('' for a brand-new file)."""
    return MigrationContext.configure(conn).get_current_revision() or ""


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the archive's schema to target (head by default)."""
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
