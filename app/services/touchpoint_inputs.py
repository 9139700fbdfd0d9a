"""What the touchpoint engine reads from the archive: every active customer's dates, the marks, the settings.

Loading the dates lives in touchpoint_load (re-exported here: `load`, `fingerprint`, `LoadedDates`);
this module keeps the calendar settings, greeting templates and the greeting's addressee.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from types import MappingProxyType

from sqlalchemy.orm import Session

from app.calendar.engine import CalendarSettings, Touchpoint
from app.calendar.festivals import DEFAULT_FESTIVAL_GRADES, FESTIVAL_NAMES, FESTIVALS
from app.calendar.greetings import DEFAULT_TEMPLATES, PLACEHOLDERS
from app.errors import ValidationError
from app.models import Contact, Customer, Setting
from app.services.base import get_or_404

# The loader's names, re-exported (they lived here before touchpoint_load).
from app.services.touchpoint_load import LIVE_DEAL_STATES as LIVE_DEAL_STATES
from app.services.touchpoint_load import LoadedDates as LoadedDates
from app.services.touchpoint_load import fingerprint as fingerprint
from app.services.touchpoint_load import load as load
from app.services.touchpoint_load import reload_customers as reload_customers

logger = logging.getLogger(__name__)

CALENDAR_KEY = "calendar"  # lead days and the 2月29日 policy
FESTIVALS_KEY = "festival_grades"  # festival key → grades that get it, e.g. {"chunjie": "ABCD"}
GREETINGS_KEY = "greetings"  # template key → text
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# What each greeting template is for, in the order the settings page lists them.
TEMPLATE_LABELS: Mapping[str, str] = MappingProxyType({
    "birthday": "生日", "wedding": "结婚纪念日", "life_event": "人生大事",
    **{key: FESTIVAL_NAMES[key] for key in DEFAULT_TEMPLATES if key in FESTIVAL_NAMES},
})
_LEAD_FIELDS = {
    "renewal_lead_days": "续期/周年提前天数",
    "competitor_lead_days": "竞争对手合同到期提前天数",
    "birthday_lead_days": "生日/节日提前天数",
    "new_deal_followup_days": "新单回访天数",
}


# ----- settings kept in the archive ------------------------------------------------------------

def stored(s: Session, key: str) -> object:
    """A raw stored setting (None when absent)."""
    row = s.get(Setting, key)
    return None if row is None else row.value


def festival_grades_of(raw: object) -> dict[str, str]:
    """Festival key → grades, defaults filled in for anything not stored or not understood."""
    stored_map = raw if isinstance(raw, dict) else {}
    out = {}
    for key, _name, _greets in FESTIVALS:
        value = stored_map.get(key)
        out[key] = _grades_text(value) if isinstance(value, str) else DEFAULT_FESTIVAL_GRADES[key]
    return out


def check_festival_grades(choices: Mapping[str, str]) -> dict[str, str]:
    """Validate festival → grades ('ABCD', 'AB', '' for nobody); unknown festivals are refused."""
    known = {key: name for key, name, _ in FESTIVALS}
    out = {}
    for key, grades in choices.items():
        if key not in known:
            raise ValidationError("节日", f"不认识的节日“{key}”")
        bad = set(grades.upper()) - set("ABCD")
        if bad:
            raise ValidationError(f"{known[key]}问候的客户等级", f"只能是 A、B、C、D，不能是“{''.join(sorted(bad))}”")
        out[key] = _grades_text(grades)
    return out


def _grades_text(value: str) -> str:
    return "".join(g for g in "ABCD" if g in value.upper())


def calendar_settings_of(raw_calendar: object, raw_festivals: object, cadence: Mapping[str, int]) -> CalendarSettings:
    """CalendarSettings from the stored values (anything missing or unusable falls back to the default)."""
    options = raw_calendar if isinstance(raw_calendar, dict) else {}
    values: dict[str, object] = {}
    for name in _LEAD_FIELDS:
        if isinstance(options.get(name), int):
            values[name] = options[name]
    if options.get("feb29_policy") in ("feb28", "mar1"):
        values["feb29_policy"] = options["feb29_policy"]
    days = dict(cadence)
    days[""] = days.get("D", 365)  # a customer without a grade is seen like a D
    try:
        return CalendarSettings(cadence_days=MappingProxyType(days),
                                festival_grades=MappingProxyType(festival_grades_of(raw_festivals)), **values)
    except ValidationError:
        logger.warning("stored calendar options are out of range; using the defaults")
        return CalendarSettings(cadence_days=MappingProxyType(days),
                                festival_grades=MappingProxyType(festival_grades_of(raw_festivals)))


def check_calendar_options(options: Mapping[str, object]) -> dict[str, object]:
    """Validate lead days (0–366 each) and the 2月29日 policy; returns the JSON to store."""
    out: dict[str, object] = {}
    for name, value in options.items():
        if name == "feb29_policy":
            if value not in ("feb28", "mar1"):
                raise ValidationError("2月29日生日在平年", "只能是 2月28日 或 3月1日")
            out[name] = value
        elif name in _LEAD_FIELDS:
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 366:
                raise ValidationError(_LEAD_FIELDS[name], "应为 0 到 366 之间的整数")
            out[name] = value
        else:
            raise ValidationError("日历设置", f"不认识的选项“{name}”")
    return out


def templates_of(raw: object) -> dict[str, str]:
    """Every greeting template: the stored text where there is one, else the default."""
    stored_map = raw if isinstance(raw, dict) else {}
    return {key: str(stored_map.get(key) or text) for key, text in DEFAULT_TEMPLATES.items()}


def check_template(key: str, text: str) -> str:
    """Validate a greeting template: a known key, at most 500 characters, only known {占位符}."""
    label = TEMPLATE_LABELS.get(key)
    if label is None:
        raise ValidationError("问候模板", f"没有“{key}”这个模板")
    text = text.strip()
    if not text:
        return DEFAULT_TEMPLATES[key]
    if len(text) > 500:
        raise ValidationError(f"{label}问候语", "最多 500 个字")
    unknown = [name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]
    if unknown:
        allowed = "、".join("{" + p + "}" for p in PLACEHOLDERS)
        raise ValidationError(f"{label}问候语", f"不认识的占位符 {{{unknown[0]}}}，可用的有 {allowed}")
    return text


def greeting_key(tp: Touchpoint) -> str:
    """Which greeting template a touchpoint uses ('' when its kind has none)."""
    if tp.kind == "festival":
        return tp.festival_key
    return tp.kind if tp.kind in ("birthday", "wedding", "life_event") else ""


def addressee(s: Session, tp: Touchpoint) -> tuple[str, str, bool, str]:
    """(name, gender, is_org, title) of whom the greeting is for: the contact or family member, else the customer."""
    customer = get_or_404(s, Customer, tp.customer_id, "客户")
    is_org = customer.kind == "单位"
    if tp.person_id is not None:
        contact = s.get(Contact, tp.person_id)
        if contact is not None:
            return contact.name, contact.gender, is_org, contact.title
    if is_org:
        return "", "", True, ""  # a greeting to a company: no personal 称呼
    return customer.name, customer.gender, False, customer.title
