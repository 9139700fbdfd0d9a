"""What every service shares: the archive, the clock, who is acting, and the audit trail."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.archive import Archive
from app.errors import NotFound
from app.models import AuditEntry, Base
from app.rows import Birthday


class ServiceBase:
    """Owns transactions: one write transaction per call, plain rows out."""

    def __init__(self, archive: Archive, clock: Callable[[], datetime], actor: Callable[[], str]) -> None:
        self.archive = archive
        self.clock = clock
        self.actor = actor

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read transaction."""
        with self.archive.session() as session, session.begin():
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction (takes SQLite's write lock at BEGIN)."""
        with self.archive.session(write=True) as session, session.begin():
            yield session

    def now(self) -> datetime:
        """The current time, second precision."""
        return self.clock().replace(microsecond=0)

    def audit(self, session: Session, action: str, entity: str, entity_id: int | None,
              customer_id: int | None, summary: str, changes: dict | None = None) -> None:
        """Append one audit entry in the caller's transaction."""
        session.add(AuditEntry(
            at=self.now(), actor=self.actor(), action=action, entity=entity, entity_id=entity_id,
            customer_id=customer_id, summary=summary, changes=changes or None,
        ))


def get_or_404[M: Base](session: Session, model: type[M], ident: int, what: str) -> M:
    """Load a row or raise NotFound with a Chinese message."""
    obj = session.get(model, ident)
    if obj is None:
        raise NotFound(f"找不到该{what}（编号 {ident}），可能已被删除。")
    return obj


def to_columns(data: Any) -> dict[str, Any]:
    """Flatten an input dataclass to column values (birthday → birth_* columns)."""
    out: dict[str, Any] = {}
    for f in fields(data):
        value = getattr(data, f.name)
        if f.name == "birthday":
            out.update(birthday_columns(value))
        elif f.name != "tags":
            out[f.name] = value
    return out


def birthday_columns(b: Birthday | None) -> dict[str, Any]:
    """Birthday → the five birth_* columns."""
    if b is None:
        return {"birth_cal": "", "birth_year": None, "birth_month": None, "birth_day": None, "birth_leap": False}
    return {"birth_cal": b.calendar, "birth_year": b.year, "birth_month": b.month, "birth_day": b.day,
            "birth_leap": b.leap}


def birthday_of(obj: Any) -> Birthday | None:
    """The birth_* columns of a model object → Birthday."""
    if not obj.birth_cal or not obj.birth_month or not obj.birth_day:
        return None
    return Birthday(calendar=obj.birth_cal, year=obj.birth_year, month=obj.birth_month,
                    day=obj.birth_day, leap=bool(obj.birth_leap))


def row_of[T](cls: type[T], obj: Any, **extra: Any) -> T:
    """Build a row dataclass from a model object by field name."""
    values = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name in extra:
            values[f.name] = extra[f.name]
        elif f.name == "birthday":
            values[f.name] = birthday_of(obj)
        elif hasattr(obj, f.name):
            values[f.name] = getattr(obj, f.name)
    return cls(**values)


def plain(value: Any) -> Any:
    """A JSON-safe, human-readable form of a value for the audit log."""
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, bool):
        return "是" if value else "否"
    if is_dataclass(value):
        return str(value)
    return value


def diff(before: dict[str, Any], after: dict[str, Any], labels: dict[str, str]) -> dict[str, list]:
    """Field-level changes {label: [before, after]} for the audit log."""
    changes = {}
    for key, new in after.items():
        old = before.get(key)
        if plain(old) != plain(new):
            changes[labels.get(key, key)] = [plain(old), plain(new)]
    return changes
