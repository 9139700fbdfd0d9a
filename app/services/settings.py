"""Settings kept in the archive, with the customer data: profile, cadence, festivals, templates."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from app.models import Setting
from app.services.base import ServiceBase

DEFAULT_CADENCE = {"A": 30, "B": 90, "C": 180, "D": 365}


@dataclass(frozen=True)
class SalesProfile:
    """The salesperson, as printed on documents."""

    name: str = ""
    company: str = ""
    title: str = ""
    phone: str = ""
    wechat: str = ""
    email: str = ""
    address: str = ""


class SettingsService(ServiceBase):
    """Typed access to the settings table."""

    _profile_cache: SalesProfile | None = None

    def get(self, key: str, default: Any = None) -> Any:
        """A stored value or the default."""
        with self.read() as s:
            row = s.get(Setting, key)
            return default if row is None else row.value

    def set(self, key: str, value: Any) -> None:
        """Store a JSON-able value (audited)."""
        with self.write() as s:
            row = s.get(Setting, key)
            before = None if row is None else row.value
            if row is None:
                s.add(Setting(key=key, value=value))
            else:
                row.value = value
            if before != value:
                self.audit(s, "update", "setting", None, None, f"修改设置 {key}")
        if key == "profile":
            self._profile_cache = None

    def profile(self) -> SalesProfile:
        """The salesperson's profile."""
        if self._profile_cache is None:
            raw = self.get("profile", {}) or {}
            known = {f.name for f in fields(SalesProfile)}
            self._profile_cache = SalesProfile(**{k: v for k, v in raw.items() if k in known})
        return self._profile_cache

    def set_profile(self, profile: SalesProfile) -> None:
        """Save the salesperson's profile."""
        self.set("profile", asdict(profile))

    def cadence(self) -> dict[str, int]:
        """Keep-in-touch days per grade (A 30, B 90, C 180, D 365 unless changed)."""
        stored = self.get("cadence", {}) or {}
        return {g: int(stored.get(g, d)) for g, d in DEFAULT_CADENCE.items()}

    def set_cadence(self, cadence: dict[str, int]) -> None:
        """Save keep-in-touch days per grade (1–730 each)."""
        from app.errors import ValidationError

        for grade, days in cadence.items():
            if grade not in DEFAULT_CADENCE or not 1 <= int(days) <= 730:
                raise ValidationError(f"{grade} 类客户联系周期", "应为 1 到 730 天")
        self.set("cadence", {g: int(d) for g, d in cadence.items()})
