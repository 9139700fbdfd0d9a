"""The services over one open archive, built in one place (the composition root calls Services.build).

The card services are built with the container; imports, touchpoints and stats (which bring the Excel
readers, the calendar engine with its .ics writer, and the statistics queries) are imported and built on
first use, so unlocking an archive and painting the customer list never pay for them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from app.archive import Archive
from app.services.audit import AuditService
from app.services.customers import CustomerService
from app.services.info import InfoService
from app.services.records import ComplaintService, ContactService, DealService, LifeEventService, VisitService
from app.services.settings import SettingsService

if TYPE_CHECKING:
    from app.services.imports import ImportService
    from app.services.stats import StatsService
    from app.services.touchpoints import TouchpointService


@dataclass
class Services:
    """Every service over one archive. Build with Services.build(archive)."""

    archive: Archive
    clock: Callable[[], datetime]
    settings: SettingsService
    customers: CustomerService
    contacts: ContactService
    deals: DealService
    visits: VisitService
    complaints: ComplaintService
    life_events: LifeEventService
    audit: AuditService
    info: InfoService
    _lazy: dict[str, object] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, archive: Archive, clock: Callable[[], datetime] = datetime.now) -> Services:
        """Wire the services; the actor in the audit log is the salesperson's profile name."""
        settings = SettingsService(archive, clock, lambda: "")
        actor = lambda: settings.profile().name  # noqa: E731 - read lazily: the profile can change
        settings.actor = actor
        make = lambda cls_: cls_(archive, clock, actor)  # noqa: E731
        return cls(
            archive=archive, clock=clock, settings=settings, customers=make(CustomerService),
            contacts=make(ContactService), deals=make(DealService), visits=make(VisitService),
            complaints=make(ComplaintService), life_events=make(LifeEventService), audit=make(AuditService),
            info=make(InfoService),
        )

    def make(self, service_cls: type) -> object:
        """A service of this archive, with the shared clock and the audit actor."""
        return service_cls(self.archive, self.clock, self.settings.actor)

    def _once(self, name: str, build: Callable[[], object]) -> object:
        if name not in self._lazy:
            self._lazy[name] = build()
        return self._lazy[name]

    @property
    def imports(self) -> ImportService:
        """Excel/CSV/vCard import and undo (built on first use)."""
        def build() -> object:
            from app.services.imports import ImportService

            return self.make(ImportService)
        return self._once("imports", build)  # type: ignore[return-value]

    @property
    def touchpoints(self) -> TouchpointService:
        """The touchpoint calendar (built on first use; it keeps its own caches)."""
        def build() -> object:
            from app.services.touchpoints import TouchpointService

            return self.make(TouchpointService)
        return self._once("touchpoints", build)  # type: ignore[return-value]

    @property
    def stats(self) -> StatsService:
        """统计 (built on first use)."""
        def build() -> object:
            from app.services.stats import StatsService

            return self.make(StatsService)
        return self._once("stats", build)  # type: ignore[return-value]

    def close(self) -> None:
        """Close the archive (idle lock, quit)."""
        self.archive.close()
