"""Helpers of the data-safety suite: planted markers, file states, a deep plaintext scanner, the child runner."""
from __future__ import annotations

import hashlib
import io
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from app import archive as af
from app.backup_digest import data_digest
from app.rows import (
    Birthday,
    ComplaintInput,
    ContactInput,
    CustomerInput,
    DealInput,
    LifeEventInput,
    VisitInput,
)

ROOT = Path(__file__).resolve().parents[2]
CHILD = Path(__file__).with_name("_safety_child.py")

# field → a string found nowhere else; amounts and dates are unusual numbers in their text form.
MARKERS: dict[str, str] = {
    "name": "甲乙标记客户名",
    "mobile": "13987654321",
    "phone": "010-87654329",
    "wechat": "wxmark_qz7731",
    "email": "qz7731@marker.cn",
    "address": "标记路九十九号院",
    "company": "标记单位有限公司",
    "remarks": "备注标记ZQX-5521",
    "hobbies": "爱好标记钓鲟鱼",
    "contact_name": "联系人标记子丑",
    "contact_mobile": "13712349876",
    "visit_content": "拜访内容标记寅卯",
    "complaint_content": "投诉内容标记辰巳",
    "deal_product": "产品标记金葵花",
    "deal_amount": "987654.3",  # 987654.321: stored as 987654.32, written by xlsxwriter as 987654.3199999999
    "asset_wan": "4321.98",
    "wedding_date": "1903-02-17",
    "life_event_note": "大事记标记午未",
    "tag": "标签标记申酉",
}
LUNAR_BIRTHDAY = Birthday("lunar", 7, 23, 1911)  # its text form is a marker too (see birthday_marker)
CRASH_MARKERS = ("崩溃标记客户戌亥", "崩溃备注标记", "崩溃拜访标记")


def birthday_marker() -> str:
    """The text the exports use for the planted 农历 birthday."""
    from app.excel.exporter import birthday_text

    return str(birthday_text(LUNAR_BIRTHDAY))


def plant(svc: object) -> int:
    """One card with a marker in every kind of field and record; returns its id."""
    m = MARKERS
    cid = svc.customers.create(CustomerInput(  # type: ignore[attr-defined]
        name=m["name"], mobile=m["mobile"], phone=m["phone"], wechat=m["wechat"], email=m["email"],
        address=m["address"], company=m["company"], remarks=m["remarks"], hobbies=m["hobbies"],
        birthday=LUNAR_BIRTHDAY, wedding_date=date(1903, 2, 17), asset_wan=Decimal("4321.98"),
        grade="A", tags=(m["tag"],)))
    svc.contacts.add(cid, ContactInput(name=m["contact_name"], role="家属", relation="配偶",  # type: ignore[attr-defined]
                                       mobile=m["contact_mobile"]))
    svc.visits.log(VisitInput(customer_id=cid, at=datetime(2026, 11, 20, 15, 0), method="亲自拜访",  # type: ignore[attr-defined]
                              content=m["visit_content"]))
    svc.complaints.add(cid, ComplaintInput(content=m["complaint_content"],  # type: ignore[attr-defined]
                                           received_at=datetime(2026, 11, 1, 9, 0)))
    svc.deals.add(cid, DealInput(product=m["deal_product"], amount=Decimal("987654.321"),  # type: ignore[attr-defined]
                                 start_date=date(2025, 3, 1), renewal_date=date(2027, 3, 1)))
    svc.life_events.add(cid, LifeEventInput(kind="乔迁", on=date(2026, 5, 1), note=m["life_event_note"]))  # type: ignore[attr-defined]
    return cid


def all_markers() -> dict[str, str]:
    """MARKERS plus the birthday's text form and the crash markers."""
    out = dict(MARKERS, birthday=birthday_marker())
    out.update({f"crash{i}": text for i, text in enumerate(CRASH_MARKERS)})
    return out


# ----- files ----------------------------------------------------------------------------------------
def state(path: Path) -> tuple[str, int]:
    """Content hash and mtime: proves a file was not written."""
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns


def files_under(*roots: Path) -> list[Path]:
    """Every regular file under the roots (each once)."""
    seen: dict[Path, None] = {}
    for root in roots:
        if root.is_file():
            seen[root.resolve()] = None
        elif root.is_dir():
            for p in root.rglob("*"):
                if p.is_file():
                    seen[p.resolve()] = None
    return list(seen)


def _needles(markers: dict[str, str]) -> list[tuple[str, bytes]]:
    return [(k, text.encode(enc)) for k, text in markers.items() for enc in ("utf-8", "utf-16-le", "utf-16-be")]


def _views(path: Path, data: bytes) -> Iterable[bytes]:
    """The raw bytes, every inflated zip member (xlsx), and a PDF's extracted text."""
    yield data
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for name in zf.namelist():
                    yield zf.read(name)
        except (zipfile.BadZipFile, OSError, ValueError):
            pass
    if data[:5] == b"%PDF-":
        from pypdf import PdfReader

        text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
        yield text.encode("utf-8")


def scan(files: Iterable[Path], markers: dict[str, str]) -> dict[Path, set[str]]:
    """Which markers each file holds in plaintext (UTF-8, UTF-16-LE/BE; inside zips and PDFs too)."""
    needles = _needles(markers)
    hits: dict[Path, set[str]] = {}
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue  # removed while we looked (a temp file)
        found = {k for view in _views(path, data) for k, needle in needles if needle in view}
        if found:
            hits[path] = found
    return hits


def db_digest(path: Path, password: str) -> str:
    """Digest of every table, read through a read-only keyed connection (writes nothing)."""
    conn = af.raw_connect(path, af.derive_key(password, af.read_salt(path)), readonly=True)
    try:
        conn.execute("BEGIN")
        return data_digest(conn)
    finally:
        conn.close()


# ----- child processes ---------------------------------------------------------------------------------
@dataclass
class Child:
    """A running _safety_child.py whose output lines are collected as they come."""

    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = None

    def __post_init__(self) -> None:
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    def wait_for(self, prefix: str, count: int = 1, timeout: float = 120) -> None:
        """Until `count` lines starting with prefix were printed (or the child ended: then fail)."""
        deadline = time.monotonic() + timeout
        while sum(1 for line in self.lines if line.startswith(prefix)) < count:
            if self.proc.poll() is not None:
                self._reader.join(5)  # type: ignore[union-attr]
                if sum(1 for line in self.lines if line.startswith(prefix)) >= count:
                    return
                raise AssertionError(f"child ended before {prefix!r} x{count}: {self.lines} {self.stderr()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"child too slow: {self.lines}")
            time.sleep(0.005)

    def kill(self) -> bool:
        """SIGKILL now; True if it was still running (really killed mid-work)."""
        alive = self.proc.poll() is None
        if alive:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(60)
        self._reader.join(10)  # type: ignore[union-attr]
        return alive and self.proc.returncode == -signal.SIGKILL

    def finish(self, timeout: float = 300) -> None:
        """Wait for a normal end; fail with its stderr otherwise."""
        self.proc.wait(timeout)
        self._reader.join(10)  # type: ignore[union-attr]
        assert self.proc.returncode == 0, self.stderr()

    def stderr(self) -> str:
        """What it wrote to stderr (after it ended)."""
        if self.proc.poll() is None or self.proc.stderr is None:
            return ""
        return self.proc.stderr.read()

    def numbers(self, prefix: str) -> list[float]:
        """The numbers printed after prefix."""
        return [float(line.split()[1]) for line in self.lines if line.startswith(prefix)]


def start_child(mode: str, archive: Path, *args: object, old: str, new: str = "",
                env: dict[str, str] | None = None) -> Child:
    """Start _safety_child.py (passwords through the environment, CLIENTFILE_HOME inherited)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CF_OLD_PASSWORD": old, "CF_NEW_PASSWORD": new,
           "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    proc = subprocess.Popen([sys.executable, str(CHILD), mode, str(archive), *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    return Child(proc)
