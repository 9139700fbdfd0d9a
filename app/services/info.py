"""What `clientfile info` shows: versions, counts, size."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app import __version__, migrate
from app.archive import file_size
from app.models import Complaint, Contact, Customer, Deal, LifeEventRecord, Visit
from app.services.base import ServiceBase


@dataclass(frozen=True)
class ArchiveInfo:
    """A summary of an open archive."""

    path: str
    app_version: str
    schema_version: str
    schema_head: str
    size_bytes: int
    customers: int
    deleted: int
    contacts: int
    deals: int
    visits: int
    complaints: int
    life_events: int


class InfoService(ServiceBase):
    """Archive summary."""

    def summary(self) -> ArchiveInfo:
        """Versions, counts and size of the open archive."""
        with self.read() as s:
            count = lambda col: s.scalar(select(func.count(col))) or 0  # noqa: E731
            active = s.scalar(select(func.count(Customer.id)).where(Customer.deleted_at.is_(None))) or 0
            info = dict(
                customers=active, deleted=count(Customer.id) - active, contacts=count(Contact.id),
                deals=count(Deal.id), visits=count(Visit.id), complaints=count(Complaint.id),
                life_events=count(LifeEventRecord.id), schema_version=migrate.current_revision(s.connection()),
            )
        return ArchiveInfo(path=str(self.archive.path), app_version=__version__, schema_head=migrate.head_revision(),
                           size_bytes=file_size(self.archive.path), **info)
