"""What each exported sheet holds: columns (with the importer's own header words), widths, the query
that feeds it and how a database row becomes cells. Kept apart from the writer so the import side can
be checked against it (every exported header must map back to its field)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from app.excel.children import CHILD_SHEETS, ChildSheet
from app.excel.columns import FIELD_BY_KEY
from app.models import Complaint, Contact, Customer, Deal, LifeEventRecord, Visit
from app.rows import Birthday

CUSTOMER_SHEET = "客户"
TODO_SHEET = "待办"
BirthdayText = Callable[[Birthday | None], Any]


@dataclass(frozen=True)
class Column:
    """One exported column: its header and width (in Excel character units)."""

    key: str
    label: str
    width: float

    @property
    def number_format(self) -> str:
        """Excel number format of the column's cells: dates, date-times and money ('' for the rest)."""
        return _number_format(self.key)


_WIDE = {"address": 30, "remarks": 40, "business_scope": 30, "related_parties": 30, "main_needs": 24,
         "needs": 24, "finance": 20, "operations": 20, "purchasing": 20, "credit": 20, "relations": 20,
         "hobbies": 20, "personality": 20, "company": 24, "content": 40, "result": 30, "resolution": 30,
         "tags": 18, "title": 14, "product": 20, "profile": 24, "notes": 30, "learned": 24, "next_agenda": 24}
_NARROW = {"gender": 6, "kind": 8, "grade": 6, "grade_manual": 8, "economy": 8, "awareness": 8, "influence": 8,
           "has_branches": 10, "influence_center": 10, "satisfaction": 8, "reviewed": 8, "fed_back": 8}


_MONEY = frozenset({"amount", "asset_wan"})  # Numeric(14, 2) columns


def _is_moment(key: str) -> bool:
    return key.endswith("_at") or key == "at"


def _is_day(key: str) -> bool:
    return key.endswith(("_date", "_on", "_end")) or key in ("birthday", "on", "date")


def _number_format(key: str) -> str:
    if _is_moment(key):
        return "yyyy-mm-dd hh:mm"
    if _is_day(key):
        return "yyyy-mm-dd"
    return "#,##0.00" if key in _MONEY else ""


def _width(key: str, label: str) -> float:
    if key in _WIDE:
        return _WIDE[key]
    if key in _NARROW:
        return _NARROW[key]
    if _is_moment(key) or _is_day(key):
        return 17 if _is_moment(key) else 12
    return max(10.0, min(24.0, len(label) * 2 + 2))


# The customer sheet: every field a card has (in the card's order), then three read-only columns.
_CUSTOMER_KEYS = (
    "card_no", "name", "kind", "gender", "birthday", "mobile", "phone", "wechat", "email", "address", "postcode",
    "preferred_channel", "company", "title", "occupation", "org_nature", "business_scope", "has_branches",
    "parent_org", "employee_count", "related_parties", "main_needs", "current_spend", "needs", "finance",
    "operations", "purchasing", "credit", "relations", "hobbies", "personality", "wedding_date", "grade",
    "grade_manual", "economy", "awareness", "influence", "deal_status", "stage", "loss_reason", "asset_wan",
    "source", "referrer_card_no", "referrer_name", "influence_center", "competitor", "competitor_end", "remarks",
    "created_by", "created_on", "tags",
)
_INFO = (("asset_tier", "资产层级"), ("last_contact_at", "上次联系"), ("next_appointment_at", "下次约见"))
CUSTOMER_COLUMNS: tuple[Column, ...] = (
    *(Column(k, FIELD_BY_KEY[k].label, _width(k, FIELD_BY_KEY[k].label)) for k in _CUSTOMER_KEYS),
    *(Column(k, label, _width(k, label)) for k, label in _INFO),
)
_COMPUTED = ("birthday", "referrer_card_no", "referrer_name", "tags")
CUSTOMER_DB_COLUMNS: tuple[str, ...] = (
    *(k for k in _CUSTOMER_KEYS if k not in _COMPUTED),
    "birth_cal", "birth_year", "birth_month", "birth_day", "birth_leap",
    *(k for k, _ in _INFO),
)


def birthday_from(values: dict[str, Any]) -> Birthday | None:
    """The birth_* columns of a row as a Birthday (None when not set)."""
    if not values.get("birth_cal") or not values.get("birth_month") or not values.get("birth_day"):
        return None
    return Birthday(values["birth_cal"], values["birth_month"], values["birth_day"], values["birth_year"],
                    bool(values["birth_leap"]))


# Where each exported cell comes from in a query row (id, *CUSTOMER_DB_COLUMNS, referrer card_no, name);
# computed columns are filled in afterwards. Index arithmetic, not a dict per row: 100k rows per export.
_ROW_INDEX = {name: i + 1 for i, name in enumerate(CUSTOMER_DB_COLUMNS)}
_N = len(CUSTOMER_DB_COLUMNS)
_ROW_INDEX.update(referrer_card_no=_N + 1, referrer_name=_N + 2)
_PICK = itemgetter(*(_ROW_INDEX.get(c.key, 0) for c in CUSTOMER_COLUMNS))  # 0: filled in below
_BIRTHDAY_AT = next(i for i, c in enumerate(CUSTOMER_COLUMNS) if c.key == "birthday")
_TAGS_AT = next(i for i, c in enumerate(CUSTOMER_COLUMNS) if c.key == "tags")
_BIRTH = itemgetter(*(_ROW_INDEX[k] for k in ("birth_cal", "birth_month", "birth_day", "birth_year", "birth_leap")))


def customer_cells(row: Sequence[Any], tags: str, birthday_text: BirthdayText) -> list[Any]:
    """One export row: (id, *CUSTOMER_DB_COLUMNS, referrer card_no, referrer name) → cells in column order."""
    cells = list(_PICK(row))
    cal, month, day, year, leap = _BIRTH(row)
    cells[_BIRTHDAY_AT] = birthday_text(Birthday(cal, month, day, year, bool(leap))) if cal and month and day else ""
    cells[_TAGS_AT] = tags
    return cells


@dataclass(frozen=True)
class ChildExport:
    """A child sheet: the import sheet it mirrors, its model and extra selected values."""

    sheet: ChildSheet
    model: type
    with_contact: bool = False

    @property
    def title(self) -> str:
        """Sheet title (联系人, 成交, …)."""
        return self.sheet.title

    @property
    def columns(self) -> tuple[Column, ...]:
        """The columns, with the import side's header words."""
        return tuple(Column(f.key, f.label, _width(f.key, f.label)) for f in self.sheet.fields)

    def _model_keys(self) -> list[str]:
        names = set(self.model.__table__.c.keys())
        keys = [f.key for f in self.sheet.fields if f.key in names and f.key not in ("card_no",)]
        if any(f.key == "birthday" for f in self.sheet.fields):
            keys += ["birth_cal", "birth_year", "birth_month", "birth_day", "birth_leap"]
        return keys

    def query(self) -> Select:
        """Rows of this kind for every card not in the recycle bin, grouped by customer."""
        m = self.model
        cols = [Customer.card_no, Customer.name, *(getattr(m, k) for k in self._model_keys())]
        if self.with_contact:
            person = aliased(Contact)
            return (select(*cols, person.name).join(Customer, Customer.id == m.customer_id)
                    .outerjoin(person, person.id == m.contact_id)
                    .where(Customer.deleted_at.is_(None)).order_by(Customer.name_pinyin, Customer.id, m.id))
        return (select(*cols).join(Customer, Customer.id == m.customer_id)
                .where(Customer.deleted_at.is_(None)).order_by(Customer.name_pinyin, Customer.id, m.id))

    def cells(self, row: Sequence[Any], birthday_text: BirthdayText) -> list[Any]:
        """A database row → cells in column order."""
        keys = self._model_keys()
        values = dict(zip(keys, row[2:2 + len(keys)], strict=True))
        values.update(card_no=row[0], customer_name=row[1])
        if self.with_contact:
            values["contact_name"] = row[2 + len(keys)] or ""
        if "birth_cal" in values:
            values["birthday"] = birthday_text(birthday_from(values))
        return [values.get(f.key, "") for f in self.sheet.fields]


_BY_KEY = {s.key: s for s in CHILD_SHEETS}
CHILD_EXPORTS: tuple[ChildExport, ...] = (
    ChildExport(_BY_KEY["contacts"], Contact),
    ChildExport(_BY_KEY["deals"], Deal),
    ChildExport(_BY_KEY["visits"], Visit, with_contact=True),
    ChildExport(_BY_KEY["complaints"], Complaint),
    ChildExport(_BY_KEY["life_events"], LifeEventRecord, with_contact=True),
)
TODO_COLUMNS: tuple[Column, ...] = tuple(Column(k, label, w) for k, label, w in (
    ("date", "日期", 12), ("status", "状态", 8), ("card_no", "客户编号", 11), ("customer", "客户", 12),
    ("person", "对象", 12), ("kind", "类型", 10), ("title", "事项", 30), ("method", "建议方式", 12),
    ("gift", "礼品建议", 20), ("overdue", "逾期天数", 9)))
