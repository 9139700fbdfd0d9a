"""Duplicates in bulk: every row against the archive's cards and the file's earlier rows, in memory.

The rules are those of CustomerService.duplicates — same phone, or same name with the same company or
the same birthday — plus the same card number. The archive is read once (one query for 100k cards),
so a 10k-row file costs no more than that one query.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from app import search
from app.excel.importer import OnDuplicate, PlannedRow
from app.rows import Birthday


@dataclass(frozen=True)
class ExistingCard:
    """The few columns of an archive card that duplicate detection looks at."""

    id: int
    card_no: str
    name: str
    company: str
    mobile: str
    phone: str
    birth_cal: str
    birth_month: int | None
    birth_day: int | None
    deleted: bool = False

    @property
    def title(self) -> str:
        """'KH000012 张三'."""
        return f"{self.card_no} {self.name}"


Target = tuple[str, int]  # ("card", archive id) or ("new", index of the new card in this import)


@dataclass
class Decision:
    """What happens to one good row."""

    row: PlannedRow
    action: str  # "create" | "update" | "merge" | "skip"
    target: Target | None = None
    reason: str = ""
    matched_key: str = ""  # the field whose value matched (for the report's column)
    other: str = ""  # 'KH000012 张三' or '第 5 行'


@dataclass
class _Keys:
    card: dict[str, Target] = field(default_factory=dict)
    phone: dict[str, Target] = field(default_factory=dict)
    name_company: dict[tuple[str, str], Target] = field(default_factory=dict)
    name_birthday: dict[tuple[str, str, int, int], Target] = field(default_factory=dict)

    def add(self, target: Target, card_no: str, name: str, company: str, phones: Iterable[str],
            birthday: tuple[str, int, int] | None) -> None:
        # setdefault: the first card or row to claim a key stays its owner
        if card_no:
            self.card.setdefault(card_no, target)
        for p in phones:
            if p:
                self.phone.setdefault(p, target)
        if name and company:
            self.name_company.setdefault((name, company), target)
        if name and birthday is not None:
            self.name_birthday.setdefault((name, *birthday), target)

    def find(self, values: dict[str, Any]) -> tuple[Target, str, str] | None:
        """(target, reason, matched field key) of the first rule that matches, or None."""
        card_no = values.get("card_no", "")
        if card_no and card_no in self.card:
            return self.card[card_no], "客户编号相同", "card_no"
        for key in ("mobile", "phone"):
            digits = search.digits(values.get(key, ""))
            if digits and digits in self.phone:
                return self.phone[digits], "电话相同", key
        name, company = values.get("name", ""), values.get("company", "")
        if name and company and (name, company) in self.name_company:
            return self.name_company[(name, company)], "姓名和单位相同", "company"
        b = birthday_key(values.get("birthday"))
        if name and b is not None and (name, *b) in self.name_birthday:
            return self.name_birthday[(name, *b)], "姓名和生日相同", "birthday"
        return None


def birthday_key(b: Birthday | None) -> tuple[str, int, int] | None:
    """(calendar, month, day) of a birthday, as duplicates() compares them."""
    return None if b is None else (b.calendar, b.month, b.day)


def row_phones(values: dict[str, Any]) -> list[str]:
    """Digits of a row's phones."""
    return [search.digits(values.get(k, "")) for k in ("mobile", "phone")]


def card_phones(card: ExistingCard) -> list[str]:
    """The archive's phone keys: mobile as stored, landline without dashes (as duplicates() compares)."""
    return [card.mobile, card.phone.replace("-", "")]


@dataclass
class Decisions:
    """The decision for every good row, and which card numbers are taken."""

    items: list[Decision]
    new_count: int
    taken_card_nos: set[str]


def decide(rows: Iterable[PlannedRow], existing: Iterable[ExistingCard], policy: OnDuplicate) -> Decisions:
    """Match every row against the archive first, then against earlier rows of the file."""
    archive, in_file = _Keys(), _Keys()
    titles: dict[int, str] = {}
    taken: set[str] = set()
    for card in existing:
        taken.add(card.card_no)
        if card.deleted:
            continue
        titles[card.id] = card.title
        b = (card.birth_cal, card.birth_month, card.birth_day) if card.birth_cal and card.birth_month else None
        archive.add(("card", card.id), card.card_no, card.name, card.company, card_phones(card),
                    b)  # type: ignore[arg-type]
    items: list[Decision] = []
    new_numbers: dict[int, int] = {}  # new-card index → file row number
    new_count = 0
    for row in rows:
        found = archive.find(row.values) or in_file.find(row.values)
        if found is None or policy is OnDuplicate.CREATE:
            decision = Decision(row, "create", ("new", new_count))
            if found is not None:
                decision.reason, decision.matched_key = found[1], found[2]
                decision.other = _other(found[0], titles, new_numbers)
            new_numbers[new_count] = row.number
            _register(in_file, ("new", new_count), row.values)
            new_count += 1
            items.append(decision)
            continue
        target, reason, key = found
        action = "skip" if policy is OnDuplicate.SKIP else ("update" if target[0] == "card" else "merge")
        items.append(Decision(row, action, target, reason, key, _other(target, titles, new_numbers)))
        if action != "skip":
            _register(in_file, target, row.values)  # the merged card is now also known by this row's keys
    return Decisions(items, new_count, taken)


def _register(keys: _Keys, target: Target, values: dict[str, Any]) -> None:
    keys.add(target, values.get("card_no", ""), values.get("name", ""), values.get("company", ""),
             row_phones(values), birthday_key(values.get("birthday")))


def _other(target: Target, titles: dict[int, str], new_numbers: dict[int, int]) -> str:
    if target[0] == "card":
        return f"档案中的“{titles.get(target[1], target[1])}”"
    return f"本文件第 {new_numbers[target[1]]} 行"
