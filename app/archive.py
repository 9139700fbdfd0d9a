"""The encrypted archive file: create, open (telling a wrong password from damage), verify, copy, re-key.

SQLCipher 4 derives the page key with PBKDF2-HMAC-SHA512 (256,000 rounds, 32 bytes) from the password
and the random salt in the file's first 16 bytes. We derive it once with hashlib and hand every pooled
connection the raw key, so the slow derivation is paid once per unlock, not once per connection — and
the password itself never reaches SQLAlchemy (no URL, no echo log, no exception text).
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import sqlcipher3

if TYPE_CHECKING:  # SQLAlchemy loads when the engine is built: unlocking (KDF, page checks) needs only sqlcipher3
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

from app.errors import ArchiveDamaged, ArchiveExists, ArchiveNotFound, ValidationError, WrongPassword
from app.fileutil import ProcessLock, atomic_replace, make_private, make_private_dir, temp_path_beside
from app.walcheck import check_wal, missing_pages

logger = logging.getLogger(__name__)

PAGE_SIZE = 4096
KDF_ITER = 256_000
SALT_SIZE = 16
PLAIN_HEADER = b"SQLite format 3\x00"
APPLICATION_ID = 0x43464442  # "CFDB"
_RAW_KEY_SHAPE = re.compile(r"^\s*x'[0-9a-f]*'\s*$", re.IGNORECASE)  # SQLCipher reads X'…' as a raw key too
MIN_PASSWORD_LEN = 6


def check_new_password(password: str) -> None:
    """Refuse passwords SQLCipher would misread, or that are too weak to protect personal data."""
    if not password:
        raise ValidationError("密码", "不能为空")
    if len(password) < MIN_PASSWORD_LEN:
        raise ValidationError("密码", f"至少需要 {MIN_PASSWORD_LEN} 个字符")
    if _RAW_KEY_SHAPE.match(password):
        raise ValidationError("密码", "不能写成 x'…' 的形式（会被当作原始密钥），请换一个")
    if password != password.strip():
        raise ValidationError("密码", "开头或结尾不能是空格")


def password_strength(password: str) -> tuple[int, str]:
    """A 0–4 score and a Chinese hint for the strength meter of the create dialog."""
    kinds = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z\d]"))
    score = min(4, (len(password) >= 8) + (len(password) >= 12) + max(0, kinds - 1))
    hints = ("太弱：至少 8 位，混合字母、数字和符号", "弱", "一般", "较强", "强")
    return score, hints[score]


def derive_key(password: str, salt: bytes) -> bytes:
    """SQLCipher 4's default page key: PBKDF2-HMAC-SHA512(password, salt, 256000) → 32 bytes."""
    return hashlib.pbkdf2_hmac("sha512", password.encode("utf-8"), salt, KDF_ITER, 32)


def _uri(path: Path, mode: str) -> str:
    return f"file:{quote(str(path.resolve()))}?mode={mode}"


def _apply_key(conn: sqlcipher3.Connection, key: bytes) -> None:
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def raw_connect(path: Path, key: bytes, *, readonly: bool = False) -> sqlcipher3.Connection:
    """A driver connection with the raw key applied; the file must exist (mode=ro/rw, never create)."""
    conn = sqlcipher3.connect(
        _uri(path, "ro" if readonly else "rw"), uri=True, check_same_thread=False, isolation_level=None
    )
    _apply_key(conn, key)
    return conn


def _error_code(exc: BaseException) -> int | None:
    return getattr(exc, "sqlite_errorcode", None)


@dataclass(frozen=True)
class Check:
    """The outcome of verifying an archive or backup file."""

    ok: bool
    problems: tuple[str, ...]
    pages: int
    full: bool = True


def precheck_file(path: Path) -> None:
    """Cheap checks before any key is tried: existence, size, page alignment, not plaintext."""
    if not path.exists():
        raise ArchiveNotFound(f"找不到档案文件：{path}")
    size = path.stat().st_size
    if size == 0:
        raise ArchiveDamaged(f"档案文件是空的（0 字节）：{path.name}", ("文件长度为 0",))
    if size < PAGE_SIZE:
        raise ArchiveDamaged(f"档案文件不完整（只有 {size} 字节）：{path.name}", (f"文件长度 {size} 字节",))
    with open(path, "rb") as fh:
        head = fh.read(SALT_SIZE)
    if head == PLAIN_HEADER:
        raise ArchiveDamaged(f"这不是加密的 ClientFile 档案（是未加密的 SQLite 文件）：{path.name}")
    if size % PAGE_SIZE:
        raise ArchiveDamaged(
            f"档案文件长度不是整页（{size} 字节），可能被截断或末尾被附加了数据：{path.name}",
            (f"文件长度 {size} 字节，不是 {PAGE_SIZE} 的整数倍",),
        )


def read_salt(path: Path) -> bytes:
    """The file's first 16 bytes: SQLCipher's per-file random salt."""
    with open(path, "rb") as fh:
        return fh.read(SALT_SIZE)


def verify_connection(conn: sqlcipher3.Connection, path: Path) -> Check:
    """Run both HMAC (cipher_integrity_check) and b-tree (integrity_check) checks on a keyed connection."""
    problems = [row[0] for row in conn.execute("PRAGMA cipher_integrity_check")]
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    file_pages = path.stat().st_size // PAGE_SIZE
    if pages > file_pages and missing_pages(path, pages, PAGE_SIZE):  # after a crash, new pages sit in -wal
        problems.append(f"文件只有 {file_pages} 页，档案记录应有 {pages} 页（文件被截断）")
    if not problems:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
    return Check(ok=not problems, problems=tuple(problems[:20]), pages=pages)


# Full verification reads and authenticates every page (~5–20 ms per MB on this hardware). Up to this
# size it runs at every open; above it, open does the cheap checks and the GUI runs the full check in
# the background right after (Archive.verify), so a 100k-customer archive still opens in well under 1 s.
FULL_VERIFY_BYTES = 48 * 1024 * 1024


def quick_check_connection(conn: sqlcipher3.Connection, path: Path) -> Check:
    """Cheap checks: page 1 and the schema decrypt, and the file is as long as the header says."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    file_pages = path.stat().st_size // PAGE_SIZE
    problems = []
    if pages > file_pages and missing_pages(path, pages, PAGE_SIZE):
        problems.append(f"文件只有 {file_pages} 页，档案记录应有 {pages} 页（文件被截断）")
    return Check(ok=not problems, problems=tuple(problems), pages=pages, full=False)


def diagnose(path: Path, key: bytes, known_salt: bytes | None = None, *, full: bool | None = None) -> Check:
    """Open read-only with the key, tell a wrong password from damage, and check the pages.

    full=None verifies every page for files up to FULL_VERIFY_BYTES, else only the cheap checks.
    Raises WrongPassword or ArchiveDamaged; returns the passing Check otherwise. Writes nothing.
    """
    if full is None:
        full = path.stat().st_size <= FULL_VERIFY_BYTES
    precheck_file(path)
    conn = raw_connect(path, key, readonly=True)
    try:
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher3.DatabaseError as exc:
            if _error_code(exc) != 26 and "not a database" not in str(exc):
                raise ArchiveDamaged(f"档案文件已损坏，无法读取：{path.name}", (str(exc),)) from None
            _raise_unreadable(conn, path, known_salt)
        try:
            check = verify_connection(conn, path) if full else quick_check_connection(conn, path)
        except sqlcipher3.DatabaseError as exc:
            raise ArchiveDamaged(f"档案文件已损坏：{path.name}", (str(exc),)) from None
    finally:
        conn.close()
    if not check.ok:
        raise ArchiveDamaged(f"档案文件已损坏：{path.name}", check.problems)
    return check


def _raise_unreadable(conn: sqlcipher3.Connection, path: Path, known_salt: bytes | None) -> None:
    failed = [row[0] for row in conn.execute("PRAGMA cipher_integrity_check")]
    total = max(1, path.stat().st_size // PAGE_SIZE)
    if len(failed) < total:
        raise ArchiveDamaged(f"档案文件已损坏（{len(failed)} 页校验失败）：{path.name}", tuple(failed[:20]))
    if known_salt is not None and known_salt != read_salt(path):
        raise ArchiveDamaged(
            f"档案文件已损坏：开头的加密盐值被改动（{path.name}）", ("前 16 字节与上次打开时记录的不同",)
        )
    raise WrongPassword("密码不正确，请重新输入。（密码区分大小写，注意输入法和大写锁定）")


def _cache_kib(path: Path) -> int:
    """Page cache sized for the data: the whole file plus room, between 32 MiB and 512 MiB."""
    size_kib = path.stat().st_size // 1024
    return max(32 * 1024, min(512 * 1024, int(size_kib * 1.5)))


def make_engine(path: Path, key: bytes, *, echo: bool = False) -> Engine:
    """The SQLAlchemy engine: an explicit QueuePool of raw-keyed connections with our pragmas."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.pool import QueuePool

    cache = _cache_kib(path)

    def creator() -> sqlcipher3.Connection:
        conn = raw_connect(path, key)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute(f"PRAGMA cache_size = -{cache}")
        return conn

    engine = create_engine(
        "sqlite://", creator=creator, module=sqlcipher3, poolclass=QueuePool,
        pool_size=3, max_overflow=5, pool_timeout=30, echo=echo,
    )

    # pysqlite's own transaction handling is off (isolation_level=None); SQLAlchemy emits BEGIN itself.
    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        write = conn.get_execution_options().get("cf_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


@dataclass
class OpenedFile:
    """The result of unlocking a file: its key material and the check it passed."""

    path: Path
    key: bytes
    salt: bytes
    check: Check


def unlock(path: Path, password: str, known_salt: bytes | None = None, *, full: bool | None = None) -> OpenedFile:
    """Derive the key (the full, deliberate cost) and verify the file read-only."""
    precheck_file(path)
    check_wal(path)  # before SQLite replays the log: a damaged one would silently drop saved work
    salt = read_salt(path)
    key = derive_key(password, salt)
    check = diagnose(path, key, known_salt, full=full)
    return OpenedFile(path=path, key=key, salt=salt, check=check)


def create_file(path: Path, password: str) -> bytes:
    """Create a new empty encrypted file (refusing to overwrite); returns its salt."""
    check_new_password(password)
    if path.exists():
        raise ArchiveExists(f"文件已存在，不会覆盖：{path}")
    make_private_dir(path.parent)
    conn = sqlcipher3.connect(_uri(path, "rwc"), uri=True, isolation_level=None)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = {_quote(password)}")
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    make_private(path)
    return read_salt(path)


def same_key_spec(key: bytes, salt: bytes) -> str:
    """A raw key spec that keeps the salt, so a copy opens with the same password as its source."""
    return f"x'{key.hex()}{salt.hex()}'"


def export_copy(conn: sqlcipher3.Connection, dest: Path, key_spec: str) -> None:
    """Write an encrypted copy of the open database to dest (sqlcipher_export into a keyed file).

    key_spec is a password, or same_key_spec(...) to keep the source's password. Never an empty key:
    that would write plaintext.
    """
    if not key_spec:
        raise ValueError("refusing to export without a key")
    if dest.exists():
        raise ArchiveExists(f"文件已存在，不会覆盖：{dest}")
    conn.execute("ATTACH DATABASE ? AS cf_copy KEY ?", (str(dest), key_spec))
    try:
        conn.execute("SELECT sqlcipher_export('cf_copy')")
        version = conn.execute("PRAGMA main.user_version").fetchone()[0]
        conn.execute(f"PRAGMA cf_copy.user_version = {int(version)}")
        conn.execute(f"PRAGMA cf_copy.application_id = {APPLICATION_ID}")
    finally:
        conn.execute("DETACH DATABASE cf_copy")
    make_private(dest)
    with open(dest, "rb") as fh:
        if fh.read(len(PLAIN_HEADER)) == PLAIN_HEADER:  # belt and braces: never leave plaintext behind
            dest.unlink()
            raise ArchiveDamaged("导出的副本未加密，已删除。")


@contextlib.contextmanager
def exported_copy(src: Path, key: bytes, dest: Path, key_spec: str) -> Iterator[Path]:
    """Export src to a temp file beside dest, yield it for verification, then atomically rename."""
    tmp = temp_path_beside(dest)
    try:
        conn = raw_connect(src, key)
        try:
            export_copy(conn, tmp, key_spec)
        finally:
            conn.close()
        yield tmp
        _remove_side_files(tmp)
        atomic_replace(tmp, dest)
    finally:
        for leftover in (tmp, *_side_files(tmp)):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _side_files(path: Path) -> tuple[Path, ...]:
    return tuple(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))


def _remove_side_files(path: Path) -> None:
    """Drop a closed copy's empty journal files before renaming it (they would be orphaned)."""
    for side in _side_files(path):
        if side.exists() and side.name.endswith("-wal") and side.stat().st_size:
            raise ArchiveDamaged("副本的日志文件未写回，已中止。")
        with contextlib.suppress(FileNotFoundError):
            side.unlink()


def rekey_file(path: Path, key: bytes, new_password: str) -> bytes:
    """Change the password by exporting to a new key and atomically replacing the file.

    Every other connection must be closed. Proves the result: the new password opens it and
    verifies, and the old key no longer does. Returns the new salt.
    """
    check_new_password(new_password)
    with exported_copy(path, key, path, new_password) as tmp:
        unlock(tmp, new_password, full=True)
    new_salt = read_salt(path)
    unlock(path, new_password, full=False)
    try:
        diagnose(path, key, full=False)
    except WrongPassword:
        return new_salt
    raise ArchiveDamaged("修改密码后旧密码仍能打开档案，已中止。")


class Archive:
    """An open, verified, locked archive: the engine, the session factory and the file's identity."""

    def __init__(self, opened: OpenedFile, lock: ProcessLock, *, echo: bool = False) -> None:
        self.path = opened.path
        self.salt = opened.salt
        self._key = opened.key
        self._lock = lock
        self._echo = echo
        self._fully_verified = opened.check.full
        self._build_engine()
        self.opened_at = time.time()

    def _build_engine(self) -> None:
        from sqlalchemy.orm import sessionmaker

        self.engine = make_engine(self.path, self._require_key(), echo=self._echo)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(
            self.engine.execution_options(cf_write=True), expire_on_commit=False
        )

    @property
    def fully_verified(self) -> bool:
        """True when every page was checked at open; else the caller should run verify() soon."""
        return self._fully_verified

    @property
    def is_open(self) -> bool:
        """False after close()."""
        return self._key is not None

    def session(self, *, write: bool = False) -> Session:
        """A new session; write sessions take the write lock at BEGIN so they never deadlock mid-way."""
        return self._write_sessions() if write else self.sessions()

    def raw(self) -> sqlcipher3.Connection:
        """A fresh keyed driver connection (for backup/export); the caller closes it."""
        return raw_connect(self.path, self._require_key())

    def key_for_copy(self) -> bytes:
        """The raw key, for services that copy this archive (backup). Never log it."""
        return self._require_key()

    def _require_key(self) -> bytes:
        if self._key is None:
            raise RuntimeError("archive is closed")
        return self._key

    def verify(self) -> Check:
        """Full HMAC and b-tree check of the file as it is now (safe from a worker thread)."""
        conn = self.raw()
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            check = verify_connection(conn, self.path)
        except sqlcipher3.DatabaseError as exc:
            check = Check(ok=False, problems=(str(exc),), pages=0)
        finally:
            conn.close()
        if check.ok:
            self._fully_verified = True
        return check

    def change_password(self, old_password: str, new_password: str) -> None:
        """Re-key with every connection closed, prove it, then rebuild the engine."""
        if derive_key(old_password, self.salt) != self._key:
            raise WrongPassword("原密码不正确。")
        self.engine.dispose()
        new_salt = rekey_file(self.path, self._require_key(), new_password)
        self.salt = new_salt
        self._key = derive_key(new_password, new_salt)
        self._build_engine()

    def close(self) -> None:
        """Checkpoint the WAL, close every connection, release the lock, forget the key."""
        if self._key is None:
            return
        with contextlib.suppress(Exception), self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        self.engine.dispose()
        self._key = None
        self._lock.release()
        logger.info("archive closed")

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def file_size(path: Path) -> int:
    """Archive size including its write-ahead log."""
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def remove_archive_files(path: Path) -> None:
    """Delete an archive and its journal side files (used only for temporary archives)."""
    for suffix in ("", "-wal", "-shm", ".lock"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path.with_name(path.name + suffix))
