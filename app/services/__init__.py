"""The services over one open archive, built in one place (the composition root calls Services.build)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.archive import Archive
from app.services.audit import AuditService
from app.services.customers import CustomerService
from app.services.imports import ImportService
from app.services.info import InfoService
from app.services.records import ComplaintService, ContactService, DealService, LifeEventService, VisitService
from app.services.settings import SettingsService
from app.services.stats import StatsService
from app.services.touchpoints import TouchpointService


@dataclass
class Services:
    """Every service over one archive. Build with Services.build(archive)."""

    archive: Archive
    settings: SettingsService
    customers: CustomerService
    contacts: ContactService
    deals: DealService
    visits: VisitService
    complaints: ComplaintService
    life_events: LifeEventService
    audit: AuditService
    info: InfoService
    imports: ImportService
    touchpoints: TouchpointService
    stats: StatsService

    @classmethod
    def build(cls, archive: Archive, clock: Callable[[], datetime] = datetime.now) -> Services:
        """Wire the services; the actor in the audit log is the salesperson's profile name."""
        settings = SettingsService(archive, clock, lambda: "")
        actor = lambda: settings.profile().name  # noqa: E731 - read lazily: the profile can change
        settings.actor = actor
        make = lambda cls_: cls_(archive, clock, actor)  # noqa: E731
        return cls(
            archive=archive, settings=settings, customers=make(CustomerService), contacts=make(ContactService),
            deals=make(DealService), visits=make(VisitService), complaints=make(ComplaintService),
            life_events=make(LifeEventService), audit=make(AuditService), info=make(InfoService),
            imports=make(ImportService),
            touchpoints=make(TouchpointService),
            stats=make(StatsService),
        )

    def close(self) -> None:
        """Close the archive (idle lock, quit)."""
        self.archive.close()
