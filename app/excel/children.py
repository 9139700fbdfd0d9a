"""The other sheets of a full export — 联系人, 成交, 拜访记录, 投诉, 生活事件 — read back for a round trip.

Each row names its customer by 客户编号; it is parsed cell by cell like a customer row, then validated
by the same check functions the services use (app.services.checks), so an imported deal is exactly as
valid as one typed on the card.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.enums import ComplaintStatus, ContactRole, DealState, LifeEvent, Method, RenewalKind
from app.errors import ValidationError
from app.excel import values as v
from app.excel.columns import Field, Header, Vocabulary, column_name, detect_header
from app.excel.importer import PlannedRow, Problem, SheetPlan
from app.excel.readers import Table
from app.rows import ComplaintInput, ContactInput, DealInput, LifeEventInput, VisitInput


def _checked(name: str) -> Callable[[Any], Any]:
    """The service check function `name`, imported on first use (app.services imports this package)."""
    def check(data: Any) -> Any:
        from app.services import checks

        return getattr(checks, name)(data)
    return check


def _words(enum: type) -> tuple[str, ...]:
    return tuple(m.value for m in enum)  # type: ignore[attr-defined]


def _choice(enum: type) -> Callable[[object, str], str]:
    return lambda value, label: v.parse_choice(value, label, _words(enum))


def _text(value: object, label: str) -> str:
    return v.text(value)


def _phone(value: object, label: str) -> str:
    numbers = v.phone_numbers(value, label)
    if len(numbers) > 1:
        raise ValidationError(label, "一格只能填一个号码")
    return numbers[0][1] if numbers else ""


def _mobile(value: object, label: str) -> str:
    number = _phone(value, label)
    if number and not (len(number) == 11 and number.startswith("1")):
        raise ValidationError(label, f"“{v.text(value)}”不是有效的手机号")
    return number


def _satisfaction(value: object, label: str) -> int | None:
    return v.parse_count(value, label, 1, 5)


CARD = Field("card_no", "客户编号", v.parse_card_no, ("编号", "客户卡号"))
CUSTOMER_NAME = Field("customer_name", "客户姓名", _text, ("客户名称", "客户"))


@dataclass(frozen=True)
class ChildSheet:
    """One kind of child sheet: its title, columns, and how a parsed row becomes a checked input."""

    key: str
    title: str
    fields: tuple[Field, ...]
    build: Callable[[dict[str, Any]], Any]
    check: Callable[[Any], Any]

    @property
    def vocabulary(self) -> Vocabulary:
        """Synonym index of this sheet's columns."""
        return Vocabulary.of(self.fields)

    @property
    def labels(self) -> tuple[str, ...]:
        """The headers an export writes for this sheet, in order."""
        return tuple(f.label for f in self.fields)


def _pick(values: dict[str, Any], cls: type, drop: Sequence[str] = ()) -> dict[str, Any]:
    names = set(cls.__dataclass_fields__) - set(drop)  # type: ignore[attr-defined]
    return {k: val for k, val in values.items() if k in names and val not in (None, "")}


CONTACTS = ChildSheet("contacts", "联系人", (
    CARD, CUSTOMER_NAME,
    Field("name", "姓名", _text, ("联系人", "联系人姓名")),
    Field("role", "角色", _choice(ContactRole)),
    Field("relation", "关系", _text, ("与客户关系",)),
    Field("gender", "性别", lambda value, label: v.parse_choice(value, label, ("男", "女"))),
    Field("birthday", "生日", v.parse_birthday, ("出生日期",)),
    Field("mobile", "手机", _mobile),
    Field("phone", "电话", _phone),
    Field("wechat", "微信", _text),
    Field("email", "邮箱", v.parse_email),
    Field("title", "职务", _text),
    Field("profile", "履历", _text),
    Field("personality", "性格", _text),
    Field("hobbies", "爱好", _text),
    Field("notes", "备注", _text),
), lambda d: ContactInput(**_pick(d, ContactInput)), _checked("check_contact"))

DEALS = ChildSheet("deals", "成交", (
    CARD, CUSTOMER_NAME,
    Field("product", "产品", _text, ("产品名称", "险种")),
    Field("contract_no", "合同/保单号", _text, ("保单号", "合同号")),
    Field("amount", "金额", v.parse_amount, ("保费", "金额(元)")),
    Field("start_date", "起始日期", v.parse_date, ("生效日期", "开始日期")),
    Field("renewal_kind", "日期类型", _choice(RenewalKind)),
    Field("renewal_date", "续期/周年日", v.parse_date, ("续期日", "周年日", "到期日")),
    Field("status", "状态", _choice(DealState)),
    Field("notes", "备注", _text),
), lambda d: DealInput(**_pick(d, DealInput)), _checked("check_deal"))

VISITS = ChildSheet("visits", "拜访记录", (
    CARD, CUSTOMER_NAME,
    Field("at", "时间", v.parse_datetime, ("拜访时间", "日期")),
    Field("method", "方式", _choice(Method), ("拜访方式",)),
    Field("contact_name", "联系人", _text, ("见到的人",)),
    Field("purpose", "目的", _text),
    Field("content", "内容", _text, ("访问情况",)),
    Field("result", "结果", _text, ("洽谈结果",)),
    Field("learned", "了解到的情况", _text),
    Field("satisfaction", "满意度", _satisfaction),
    Field("next_at", "下次约见时间", v.parse_datetime),
    Field("next_place", "下次约见地点", _text),
    Field("next_agenda", "下次约见内容", _text),
    Field("next_method", "下次方式", _choice(Method)),
    Field("touchpoint_key", "提醒标识", _text),
), lambda d: VisitInput(customer_id=0, **_pick(d, VisitInput, ("customer_id",))), _checked("check_visit"))

COMPLAINTS = ChildSheet("complaints", "投诉", (
    CARD, CUSTOMER_NAME,
    Field("received_at", "收到时间", v.parse_datetime),
    Field("content", "投诉内容", _text, ("内容",)),
    Field("status", "处理状态", _choice(ComplaintStatus), ("状态",)),
    Field("resolution", "处理结果", _text),
    Field("resolved_at", "解决时间", v.parse_datetime),
    Field("reviewed", "已复查", v.parse_bool),
    Field("fed_back", "已反馈", v.parse_bool),
), lambda d: ComplaintInput(**_pick(d, ComplaintInput)), _checked("check_complaint"))

LIFE_EVENTS = ChildSheet("life_events", "生活事件", (
    CARD, CUSTOMER_NAME,
    Field("kind", "事件", _choice(LifeEvent), ("事件类型",)),
    Field("on", "日期", v.parse_date),
    Field("contact_name", "联系人", _text),
    Field("note", "说明", _text),
), lambda d: LifeEventInput(**_pick(d, LifeEventInput, ("on",)), on=d.get("on")),  # type: ignore[arg-type]
   _checked("check_life_event"))

CHILD_SHEETS: tuple[ChildSheet, ...] = (CONTACTS, DEALS, VISITS, COMPLAINTS, LIFE_EVENTS)
CHILD_BY_TITLE = {c.title: c for c in CHILD_SHEETS}
# The fields without which a row of each sheet means nothing.
_REQUIRED = {"contacts": ("name",), "deals": ("product",), "visits": ("at", "method"),
             "complaints": ("content",), "life_events": ("kind", "on")}


def plan_child(sheet: ChildSheet, table: Table) -> SheetPlan | None:
    """Parse a child sheet; None when its header cannot be found (the sheet is then left alone)."""
    vocabulary = sheet.vocabulary
    header = detect_header(table.rows, vocabulary, table.merged)
    if header is None:
        return None
    from app.excel.columns import auto_map

    mapping = auto_map(header.labels, vocabulary)
    if "card_no" not in mapping:
        return None
    by_key = {f.key: f for f in sheet.fields}
    columns = [(i, key, header.labels[i] or f"{column_name(i)}列") for i, key in enumerate(mapping) if key]
    plan = SheetPlan(table=table, header=Header(header.row, header.labels), mapping=mapping, rows=[])
    for index in range(header.row + 1, len(table.rows)):
        cells = table.rows[index]
        if all(v.is_blank(c) for c in cells):
            plan.blank_rows += 1
            continue
        plan.rows.append(_child_row(sheet, by_key, table, index, cells, columns))
    return plan


def _child_row(sheet: ChildSheet, by_key: dict[str, Field], table: Table, index: int,
               cells: Sequence[object], columns: Sequence[tuple[int, str, str]]) -> PlannedRow:
    number = table.number(index)
    row = PlannedRow(index=index, number=number, values={}, raw=cells,
                     col_of={key: i for i, key, _ in columns})
    label_of = {key: label for _, key, label in columns}
    for col, key, label in columns:
        cell = cells[col] if col < len(cells) else None
        if v.is_blank(cell):
            continue
        try:
            row.values[key] = by_key[key].parse(cell, by_key[key].label)
        except ValidationError as exc:
            row.problems.append(Problem(number, label, v.text(cell), exc.message))
    where = f"{table.name}"
    for key in ("card_no", *_REQUIRED[sheet.key]):
        if key not in row.values and not any(p.column == label_of.get(key) for p in row.problems):
            label = label_of.get(key, by_key[key].label)
            row.problems.append(Problem(number, label, "", f"{where}：{by_key[key].label}不能为空"))
    if row.ok:
        try:
            row.values["input"] = sheet.check(sheet.build(row.values))
        except ValidationError as exc:
            row.problems.append(Problem(number, exc.field, "", exc.message))
    row.problems = [replace(p, sheet=table.name) for p in row.problems]
    return row
