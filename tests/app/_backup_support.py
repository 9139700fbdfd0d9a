"""Shared helpers of the backup tests: filled archives with planted markers, damage, file states, scans."""
from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path

from app import archive as af
from app.rows import ContactInput, CustomerInput, VisitInput

# Unique strings planted in the data; none may ever be found in plaintext in a file the program writes.
MARKERS = ("标记客户甲乙丙丁", "MARKER-7f3a9c-备注", "拜访内容标记壬癸", "联系人标记子丑寅")
BACKUP_PASSWORD = "备份 专用;%'密码🙂"


def fill(svc: object, n: int = 40, seed: int = 7) -> int:
    """Realistic sample customers plus one card carrying every marker; returns the marked card's id."""
    from app.demo import generate

    generate(svc, n=n, seed=seed, today=date(2026, 11, 22))  # type: ignore[arg-type]
    cid = svc.customers.create(CustomerInput(  # type: ignore[attr-defined]
        name=MARKERS[0], mobile="13912345678", remarks=MARKERS[1], address="北京市海淀区中关村大街1号"))
    svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 11, 20, 15, 0), method="亲自拜访",  # type: ignore[attr-defined]
                              content=MARKERS[2]))
    svc.contacts.add(cid, ContactInput(name=MARKERS[3], role="家属", relation="配偶"))  # type: ignore[attr-defined]
    return cid


def state(path: Path) -> tuple[str, int]:
    """A file's content hash and mtime: proves a file was not touched."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def folder_state(folder: Path) -> dict[str, tuple[str, int]]:
    """state() of every file in a folder (lock files excluded: opening takes the lock)."""
    return {p.name: state(p) for p in sorted(folder.iterdir()) if p.is_file() and not p.name.endswith(".lock")}


def damage(path: Path, kind: str) -> None:
    """Damage a file the ways disks, copies and people do."""
    data = bytearray(path.read_bytes())
    page = af.PAGE_SIZE
    if kind == "salt":
        data[3] ^= 0xFF
    elif kind == "page1":
        data[200] ^= 0xFF
    elif kind == "middle":
        data[(len(data) // page // 2) * page + 500] ^= 0xFF
    elif kind == "last":
        data[-100] ^= 0xFF
    elif kind == "truncated_half_page":
        data = data[: len(data) - page // 2]
    elif kind == "truncated_pages":
        data = data[: len(data) - 2 * page]
    elif kind == "zero":
        data = bytearray()
    elif kind == "junk_appended":
        data += os.urandom(page)
    elif kind == "junk_file":
        data = bytearray(os.urandom(len(data)))
    elif kind == "text_file":
        data = bytearray("客户名单\n张三,13800138000\n".encode())
    else:
        raise ValueError(kind)
    path.write_bytes(bytes(data))


def plaintext_hits(files: Iterable[Path], markers: Iterable[str] = MARKERS) -> list[str]:
    """Files (and which marker) containing a marker as UTF-8, UTF-16-LE or UTF-16-BE bytes."""
    needles = [(m, m.encode(enc)) for m in markers for enc in ("utf-8", "utf-16-le", "utf-16-be")]
    hits = []
    for path in files:
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path.name}: {m}" for m, needle in needles if needle in data]
    return hits


def all_files(root: Path) -> list[Path]:
    """Every file under root."""
    return [p for p in root.rglob("*") if p.is_file()]
