"""Schema migrations: a first-revision archive is upgraded at open, after a verified copy, keeping its data."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from app import archive as af
from app import migrate
from app.db import open_archive, schema_revision
from app.fileutil import ProcessLock
from app.rows import ListQuery
from app.services import Services
from tests.conftest import PASSWORD


def _first_revision_archive(path: Path) -> None:
    af.create_file(path, PASSWORD)
    lock = ProcessLock(path)
    lock.acquire()
    arc = af.Archive(af.unlock(path, PASSWORD), lock)
    migrate.upgrade(arc.engine, "0001")
    with arc.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO customers (id, card_no, kind, name, name_pinyin, name_initials, gender, mobile, phone, "
            "wechat, email, address, postcode, preferred_channel, company, title, occupation, org_nature, "
            "business_scope, has_branches, parent_org, related_parties, main_needs, current_spend, needs, finance, "
            "operations, purchasing, credit, relations, hobbies, personality, grade, grade_manual, economy, "
            "awareness, influence, deal_status, stage, loss_reason, asset_tier, source, influence_center, "
            "competitor, remarks, created_by, created_on, created_at, updated_at, deleted_by, birth_cal, birth_leap) "
            "VALUES (1, 'KH000001', '个人', '曾小贤', 'zeng xiao xian', 'zxx', '男', '13812345678', '', '', '', '', "
            "'', '', '电台', '', '', '', '', 0, '', '', '', '', '', '', '', '', '', '', '', '', 'B', 0, '', '', '', "
            "'未成交', '顾客识别', '', '', '', 0, '', '老数据', '', '2020-01-01', '2020-01-01 00:00:00', "
            "'2020-01-01 00:00:00', '', '', 0)"
        ))
    arc.close()


def test_migration_from_first_revision_keeps_the_data(archive_path: Path) -> None:
    _first_revision_archive(archive_path)
    arc = open_archive(archive_path, PASSWORD)
    try:
        assert schema_revision(arc) == migrate.head_revision() != "0001"
        svc = Services.build(arc)
        card = svc.customers.get(1)
        assert (card.data.name, card.data.remarks, card.data.grade) == ("曾小贤", "老数据", "B")
        # The new search index was filled from the old cards by the migration itself.
        assert [r.name for r in svc.customers.list(ListQuery(search="zxx")).rows] == ["曾小贤"]
        assert [r.name for r in svc.customers.list(ListQuery(search="电台")).rows] == ["曾小贤"]
    finally:
        arc.close()
    copies = [p for p in archive_path.parent.iterdir() if "升级前" in p.name]
    assert len(copies) == 1, "a verified copy is kept before migrating"
    old = open_archive(copies[0], PASSWORD, upgrade=False)  # the copy opens with the same password
    try:
        assert schema_revision(old) == "0001"
    finally:
        old.close()


def test_new_archive_is_at_head(archive: af.Archive) -> None:
    assert schema_revision(archive) == migrate.head_revision()


def test_models_and_migrations_describe_the_same_schema() -> None:
    """An autogenerate diff between the migrated schema and app/models.py must be empty."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import create_engine

    from app.models import Base

    engine = create_engine("sqlite://")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_head_and_known_revisions_match_the_scripts() -> None:
    """Opening compares revisions without Alembic: the written-down list must match Alembic's scripts."""
    head, every = migrate.script_revisions()
    assert migrate.head_revision() == head
    assert ",".join(sorted(migrate.known_revisions())) == every


def test_current_revision_reads_what_alembic_reads(archive: af.Archive) -> None:
    from alembic.runtime.migration import MigrationContext

    with archive.engine.connect() as conn:
        assert migrate.current_revision(conn) == MigrationContext.configure(conn).get_current_revision()


def test_opening_does_not_import_alembic(archive_path: Path) -> None:
    """Alembic (and the Mako/Pygments behind it) costs start-up time: it loads only to upgrade."""
    import subprocess
    import sys

    af.create_file(archive_path, PASSWORD)  # an empty file at revision '' would upgrade: make it current first
    arc = open_archive(archive_path, PASSWORD)
    arc.close()
    code = (
        "import sys; from pathlib import Path; from app.db import open_archive; "
        f"a = open_archive(Path({str(archive_path)!r}), {PASSWORD!r}); a.close(); "
        "print('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
