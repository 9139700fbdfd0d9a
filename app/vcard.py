"""vCard (.vcf 2.1, 3.0, 4.0 — what iPhone, Android, Huawei and Xiaomi phones export) read as a table.

Each card becomes one row under fixed headers that the importer maps by itself, so vCards go through
the same preview, duplicate handling, undo and error report as a spreadsheet. A card that cannot be
parsed stops the import with a message naming the card's number and its line in the file.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vobject

from app.excel import values as v
from app.excel.readers import FileReadError, Table, decode_text
from app.progress import ProgressFn, no_progress, step

logger = logging.getLogger(__name__)

HEADERS = ("姓名", "手机", "邮箱", "单位", "职务", "地址", "邮编", "生日", "备注", "标签")
_QP = re.compile(r"ENCODING=QUOTED-PRINTABLE|;QUOTED-PRINTABLE", re.IGNORECASE)
_BEGIN = re.compile(r"^BEGIN:VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^END:VCARD\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class _Card:
    number: int
    line: int
    text: str


def read_vcards(path: Path, *, progress: ProgressFn = no_progress) -> Table:
    """Every card of a .vcf file as a row; FileReadError names the card and line of a broken one."""
    path = Path(path)
    if not path.exists():
        raise FileReadError(f"找不到文件：{path}")
    data = path.read_bytes()
    if not data.strip():
        raise FileReadError(f"文件“{path.name}”是空的。")
    cards = split_cards(decode_text(data, path.name), path.name)
    rows: list[list[object]] = [list(HEADERS)]
    for card in cards:
        if card.number % 500 == 0:
            step(progress, card.number, len(cards), f"正在读取第 {card.number} 张名片…")
        rows.append(_row(_parse(card, path.name)))
    return Table(name=path.stem, rows=rows, offset=0, unit="张名片")


def split_cards(text: str, name: str) -> list[_Card]:
    """The cards of a file, with quoted-printable soft line breaks joined (vobject cannot read them)."""
    lines = _join_soft_breaks(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    cards: list[_Card] = []
    start: int | None = None
    body: list[str] = []
    for number, line in lines:
        if _BEGIN.match(line.strip()):
            if start is not None:
                raise FileReadError(f"“{name}”第 {len(cards) + 1} 张名片（第 {start} 行起）缺少 END:VCARD。")
            start, body = number, [line.strip()]
        elif _END.match(line.strip()):
            if start is None:
                raise FileReadError(f"“{name}”第 {number} 行有 END:VCARD，但前面没有对应的 BEGIN:VCARD。")
            body.append("END:VCARD")
            cards.append(_Card(len(cards) + 1, start, "\r\n".join(body) + "\r\n"))
            start = None
        elif start is not None:
            body.append(line)
        elif line.strip():
            raise FileReadError(f"“{name}”第 {number} 行不在任何名片（BEGIN:VCARD … END:VCARD）之内，"
                                "这不是有效的 vCard 文件。")
    if start is not None:
        raise FileReadError(f"“{name}”第 {len(cards) + 1} 张名片（第 {start} 行起）缺少 END:VCARD，文件可能不完整。")
    if not cards:
        raise FileReadError(f"“{name}”里没有名片（找不到 BEGIN:VCARD）。")
    return cards


def _join_soft_breaks(lines: list[str]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        number, line = i + 1, lines[i]
        head = line.split(":", 1)[0]
        if ":" in line and _QP.search(head):
            while line.endswith("=") and i + 1 < len(lines):
                i += 1
                line = line[:-1] + lines[i].lstrip(" \t")
        out.append((number, line))
        i += 1
    return out


def _parse(card: _Card, name: str) -> Any:
    try:
        return vobject.readOne(card.text, ignoreUnreadable=False)
    except Exception as exc:  # vobject raises several kinds; each becomes one clear sentence
        detail = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else type(exc).__name__
        logger.info("vCard %s could not be parsed (%s)", card.number, type(exc).__name__)
        raise FileReadError(f"“{name}”第 {card.number} 张名片（第 {card.line} 行起）格式有误，无法读取：{detail}") from None


def _all(component: Any, key: str) -> list[Any]:
    return list(component.contents.get(key, []))


def _types(prop: Any) -> set[str]:
    types = {t.upper() for t in prop.singletonparams}
    for value in prop.params.get("TYPE", []):
        types.update(t.strip().upper() for t in value.split(","))
    return types


def _name(card: Any) -> str:
    for fn in _all(card, "fn"):
        if str(fn.value).strip():
            return str(fn.value).strip()
    for n in _all(card, "n"):
        family, given = str(n.value.family or "").strip(), str(n.value.given or "").strip()
        if re.search(r"[\u4e00-\u9fff]", family + given):
            return family + given
        if family or given:
            return f"{given} {family}".strip()
    return ""


def _numbers(card: Any) -> tuple[list[str], list[str]]:
    """(good numbers, unreadable ones): mobiles (CELL) first, so the first mobile becomes 手机."""
    tels = sorted(_all(card, "tel"), key=lambda t: 0 if ({"CELL", "MOBILE"} & _types(t)) else 1)
    good, odd = [], []
    for tel in tels:
        raw = re.sub(r"^tel:", "", str(tel.value).strip(), flags=re.IGNORECASE)
        if not raw:
            continue
        try:
            v.phone_numbers(raw, "电话")
            good.append(raw)
        except Exception:  # a service number or a foreign one: kept in 备注 rather than losing the card
            odd.append(raw)
    return good, odd


def _address(card: Any) -> tuple[str, str]:
    for adr in _all(card, "adr"):
        a = adr.value
        parts = [a.country, a.region, a.city, a.street, a.extended, a.box]
        text = "".join(str(p).strip() for p in parts if p and str(p).strip() not in ("中国", "China", "CN"))
        if text or a.code:
            return text, str(a.code or "").strip()
    return "", ""


def _birthday(card: Any) -> str:
    for bday in _all(card, "bday"):
        raw = str(bday.value).strip()
        raw = raw.split("T")[0] if re.match(r"^\d{4}-?\d{2}-?\d{2}T", raw) else raw
        omitted = bday.params.get("X-APPLE-OMIT-YEAR")
        m = re.match(r"^(\d{4})-?(\d{2})-?(\d{2})$", raw)
        if m and (omitted or m.group(1) == "1604"):  # iPhone stores a birthday without year as 1604-MM-DD
            return f"--{m.group(2)}-{m.group(3)}"
        return raw
    return ""


def _row(card: Any) -> list[object]:
    good, odd = _numbers(card)
    emails = [str(e.value).strip() for e in _all(card, "email") if str(e.value).strip()]
    address, postcode = _address(card)
    orgs = [o.value for o in _all(card, "org")]
    org = next((str(x[0] if isinstance(x, list) else x).strip() for x in orgs if x), "")
    notes = [str(n.value).strip() for n in _all(card, "note") if str(n.value).strip()]
    if odd:
        notes.append("其他号码：" + "、".join(odd))
    if len(emails) > 1:
        notes.append("其他邮箱：" + "、".join(emails[1:]))
    tags = [t for c in _all(card, "categories") for t in (c.value if isinstance(c.value, list) else [c.value])]
    title = next((str(t.value).strip() for t in _all(card, "title") if str(t.value).strip()), "")
    return [_name(card), " / ".join(good), emails[0] if emails else "", org, title, address, postcode,
            _birthday(card), "\n".join(notes), "、".join(str(t).strip() for t in tags if str(t).strip())]
