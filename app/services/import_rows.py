"""Customer rows of an import as column dicts: from parsed cells, derived columns, merging a duplicate
row into a card (补全 / 覆盖), and the fields an update's audit entry lists."""
from __future__ import annotations

from typing import Any

from app.enums import tier_for
from app.excel.importer import OnDuplicate
from app.grading import suggest_grade
from app.models import Customer
from app.pinyin import initials, sort_key
from app.services.base import birthday_columns

CUSTOMERS = Customer.__table__
# Fields whose default value means "not filled in yet" for the 补全空白字段 choice.
_EMPTY_DEFAULTS = {"deal_status": "未成交", "stage": "顾客识别"}
_NOT_COLUMNS = ("tags", "referrer_card_no", "referrer_name")


def customer_columns(values: dict[str, Any]) -> dict[str, Any]:
    """A row's parsed values as customers-table columns (birthday → birth_*; tags/referrer kept apart)."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == "birthday":
            out.update(birthday_columns(value))
        elif key not in _NOT_COLUMNS:
            out[key] = value
    return out


def derived(columns: dict[str, Any]) -> dict[str, Any]:
    """The computed columns, as CustomerService derives them: pinyin, initials, asset tier, grade."""
    person = columns["kind"] == "个人"
    suggestion = suggest_grade(columns["economy"], columns["awareness"], columns["influence"],
                               closed=columns["deal_status"] == "成交")
    grade = suggestion.grade if (suggestion is not None and not columns["grade_manual"]) else columns["grade"]
    asset = columns["asset_wan"]
    return {"name_pinyin": sort_key(columns["name"], person=person),
            "name_initials": initials(columns["name"], person=person),
            "asset_tier": tier_for(float(asset) if asset is not None else None), "grade": grade}


def _is_empty(key: str, value: Any) -> bool:
    return value in (None, "", False) or _EMPTY_DEFAULTS.get(key) == value


def merge(current: dict[str, Any], tags: list[str], values: dict[str, Any], policy: OnDuplicate) -> None:
    """Apply a duplicate row to a card's columns and tags in place (补全 fills blanks; 覆盖 overwrites)."""
    incoming = customer_columns(values)
    if "birth_cal" in incoming and policy is OnDuplicate.FILL and current.get("birth_cal"):
        incoming = {k: v for k, v in incoming.items() if not k.startswith("birth_")}
    for key, value in incoming.items():
        if key == "card_no" or (policy is OnDuplicate.FILL and not _is_empty(key, current.get(key))):
            continue
        current[key] = value
    new_tags = list(values.get("tags", ()))
    if policy is OnDuplicate.OVERWRITE and new_tags:
        tags[:] = new_tags
    else:
        tags.extend(t for t in new_tags if t not in tags)


# Labels of the birth_* columns in an update's audit entry.
COLUMN_LABELS = {"birth_cal": "生日历法", "birth_year": "生日年", "birth_month": "生日月", "birth_day": "生日日",
                  "birth_leap": "生日闰月", "referrer_id": "介绍人", "name_pinyin": "拼音", "name_initials": "拼音首字母",
                  "updated_at": "修改时间", "deleted_at": "删除时间", "asset_tier": "资产层级"}
_AUDITED = [c.name for c in CUSTOMERS.columns if c.name not in (
    "id", "name_pinyin", "name_initials", "created_at", "updated_at", "last_contact_at", "next_appointment_at",
    "deleted_at", "deleted_by", "import_batch_id", "asset_tier")]


def audited(columns: dict[str, Any], tags: list[str]) -> dict[str, Any]:
    """The user-visible fields of a card, for an update's field-level audit entry."""
    return {**{k: columns[k] for k in _AUDITED}, "tags": "、".join(tags)}
