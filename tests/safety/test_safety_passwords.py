"""Passwords and keys: raw-key-shaped input is a wrong password at open and refused at creation; every wrong
attempt pays the full key derivation; passwords with quotes, spaces, %, ;, Chinese and emoji work everywhere;
and no password or key ever reaches a log (DEBUG, SQL echo), an exception's text or a crash report."""
from __future__ import annotations

import io
import logging
import shutil
import time
import traceback
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import text

from app import archive as af
from app.backup import create_backup, verify_backup
from app.backup_restore import restore_backup
from app.db import create_archive, open_archive
from app.errors import ValidationError, WrongPassword
from app.rows import CustomerInput
from app.services import Services
from tests.conftest import PASSWORD
from tests.safety._safety_support import state

RAW_KEY_REFUSED = "原始密钥"


def _kdf_seconds() -> float:
    """The key derivation's CPU time here (best of three). CPU time, not wall time: other engineers' test
    runs share this machine, and what must be shown is the work each attempt does, not how long it waited."""
    times = []
    for _ in range(3):
        started = time.process_time()
        af.derive_key("measure", b"\x00" * 16)
        times.append(time.process_time() - started)
    return min(times)


def test_raw_key_shaped_input_at_open_is_a_wrong_password_at_full_cost(fresh_archive: Path) -> None:
    archive = open_archive(fresh_archive, PASSWORD)
    Services.build(archive).customers.create(CustomerInput(name="张三"))
    key, salt = archive.key_for_copy(), archive.salt
    archive.close()
    before = state(fresh_archive)
    kdf = _kdf_seconds()
    attempts = [
        "x'" + "00" * 32 + "'",  # a raw 256-bit key
        "x'" + "00" * 48 + "'",  # raw key + salt
        f"x'{key.hex()}'",  # the archive's REAL key, typed as a raw key: must still not open it
        f"X'{key.hex()}{salt.hex()}'",  # ... with its salt, upper-case X
        af.same_key_spec(key, salt),
        "x''", " x'00' ", "x'zz'",
    ]
    for attempt in attempts:
        started = time.process_time()
        with pytest.raises(WrongPassword, match="密码不正确"):
            open_archive(fresh_archive, attempt)
        took = time.process_time() - started
        assert took >= 0.8 * kdf, f"{took:.3f}s < 0.8 × {kdf:.3f}s: the key derivation was skipped"
    assert state(fresh_archive) == before  # byte-identical, same mtime
    assert sorted(p.name for p in fresh_archive.parent.iterdir()) == [fresh_archive.name, fresh_archive.name + ".lock"]


@pytest.mark.parametrize("password", ["x'00112233'", "X'" + "ab" * 32 + "'", "x'" + "AB" * 48 + "'", "x'0a1B'"])
def test_raw_key_shaped_passwords_are_refused_everywhere_with_a_clear_message(
        password: str, tmp_path: Path, archive: af.Archive) -> None:
    target = tmp_path / "新档案.cfdb"
    with pytest.raises(ValidationError, match=RAW_KEY_REFUSED):
        create_archive(target, password)
    assert not target.exists()
    with pytest.raises(ValidationError, match=RAW_KEY_REFUSED):
        create_backup(archive, tmp_path / "b.cfbak", password=password)
    assert not (tmp_path / "b.cfbak").exists()
    with pytest.raises(ValidationError, match=RAW_KEY_REFUSED):
        archive.change_password(PASSWORD, password)
    assert Services.build(archive).customers.count() == 0  # still open, still the old key


SPECIAL = [
    "it's \"quoted\" 密码",
    "with  two  spaces",
    "100% sure; DROP TABLE customers;--",
    "客户档案的密码甲乙丙",
    "🙂🔐 emoji 密码",
    "pre x'00' post \\ back%27%3B",
]


def test_special_passwords_work_for_create_reopen_change_and_backup(tmp_path: Path) -> None:
    path = tmp_path / "特殊 密码's;%.cfdb"
    archive = create_archive(path, SPECIAL[0])
    Services.build(archive).customers.create(CustomerInput(name="李四", remarks="备注"))
    archive.close()
    current = SPECIAL[0]
    for new in SPECIAL[1:4]:
        archive = open_archive(path, current)
        archive.change_password(current, new)
        archive.close()
        with pytest.raises(WrongPassword):
            open_archive(path, current)
        current = new
    archive = open_archive(path, current)
    try:
        backup = create_backup(archive, tmp_path / "备份 's;%.cfbak", password=SPECIAL[4]).path
        same_key = create_backup(archive, tmp_path / "same.cfbak").path
    finally:
        archive.close()
    assert verify_backup(backup, SPECIAL[4]).customers == 1
    assert verify_backup(same_key, current).customers == 1
    with pytest.raises(WrongPassword):
        verify_backup(backup, current)
    restored = restore_backup(backup, SPECIAL[4], tmp_path / "恢复的.cfdb")
    archive = open_archive(restored, SPECIAL[4])
    try:
        archive.change_password(SPECIAL[4], SPECIAL[5])
        assert Services.build(archive).customers.count() == 1
    finally:
        archive.close()
    open_archive(restored, SPECIAL[5]).close()


# ----- nothing secret in logs, exceptions or crash reports ---------------------------------------------
SECRET_PASSWORDS = ("泄露 检查's;%🙂密码", "第二个 \"新\" 密码;%", "备份 专用's;%🔐", "错误的 猜测's;%")


def _forms(secret: str) -> set[str]:
    """The ways a password could be written into text: as is, SQL-quoted, URL-quoted, hex of its bytes."""
    raw = secret.encode("utf-8")
    return {secret, secret.replace("'", "''"), quote(secret), quote(secret, safe=""), raw.hex(), raw.hex().upper(),
            repr(secret)[1:-1], secret.encode("unicode_escape").decode("ascii")}


def _key_forms(key: bytes) -> set[str]:
    return {key.hex(), key.hex().upper(), repr(key)[2:-1]}


def _exception_texts(action: object) -> str:
    """Run action; return its exception as traceback.format_exception writes it (chained ones too)."""
    try:
        action()  # type: ignore[operator]
    except Exception as error:  # every failure path is collected, AppError or not
        return "".join(traceback.format_exception(error))
    return ""


def test_passwords_and_keys_never_reach_logs_exceptions_or_crash_reports(
        tmp_path: Path, app_logging: Path, capfd: pytest.CaptureFixture[str], qapp: object) -> None:
    first, second, own, wrong = SECRET_PASSWORDS
    buffer = io.StringIO()
    capture = logging.StreamHandler(buffer)
    capture.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(capture)
    texts: list[str] = []
    keys: list[bytes] = []
    path = tmp_path / "泄露检查.cfdb"
    try:
        create_archive(path, first).close()
        archive = open_archive(path, first, echo=True)  # SQLAlchemy echo: every statement and parameter
        keys.append(archive.key_for_copy())
        svc = Services.build(archive)
        svc.customers.create(CustomerInput(name="王五", remarks="泄露检查"))
        texts.append(_exception_texts(lambda: archive.change_password(wrong, second)))  # wrong old password
        texts.append(_exception_texts(lambda: archive.change_password(first, "x'" + "00" * 32 + "'")))
        texts.append(_exception_texts(lambda: archive.change_password(first, "short")))
        archive.change_password(first, second)
        keys.append(archive.key_for_copy())
        svc.customers.create(CustomerInput(name="赵六"))
        backup = create_backup(archive, tmp_path / "备份.cfbak", password=own).path
        keys.append(af.derive_key(own, af.read_salt(backup)))
        texts.append(_exception_texts(lambda: verify_backup(backup, wrong)))
        texts.append(_exception_texts(lambda: open_archive(path, second)))  # locked: a second instance
        texts.append(_exception_texts(lambda: archive.session().execute(text("SELECT nope FROM customers"))))
        archive.close()
        texts.append(_exception_texts(lambda: open_archive(path, wrong, echo=True)))
        texts.append(_exception_texts(lambda: open_archive(path, first, echo=True)))  # the old one
        damaged = tmp_path / "坏.cfdb"
        shutil.copyfile(path, damaged)
        data = bytearray(damaged.read_bytes())
        data[af.PAGE_SIZE + 300] ^= 0xFF
        damaged.write_bytes(bytes(data))
        texts.append(_exception_texts(lambda: open_archive(damaged, second, echo=True)))
        texts.append(_exception_texts(lambda: restore_backup(backup, wrong, tmp_path / "r.cfdb")))
        texts.append(_crash_report(second, own))
        assert any("密码不正确" in t for t in texts) and any("损坏" in t for t in texts)  # the failures happened
        assert "SELECT" in buffer.getvalue()  # echo and DEBUG logging were really on
    finally:
        logging.getLogger().removeHandler(capture)
    out, err = capfd.readouterr()
    haystacks = {"log records": buffer.getvalue(), "log file": app_logging.read_text("utf-8"),
                 "exceptions": "\n".join(texts), "stdout": out, "stderr": err}
    needles = {form for secret in SECRET_PASSWORDS for form in _forms(secret)}
    needles |= {form for key in keys for form in _key_forms(key)}
    leaks = [(where, needle) for where, text in haystacks.items() for needle in needles if needle in text]
    assert not leaks, f"secrets found: {leaks[:5]}"


def _crash_report(*secrets: str) -> str:
    """What the GUI's crash hook writes for an uncaught error that carries secrets in its text and locals."""
    from ui.error_dialog import CrashHandler

    closed = []
    handler = CrashHandler(lambda: closed.append(True))
    handler.show_dialog = lambda: None  # type: ignore[method-assign]
    log = io.StringIO()
    capture = logging.StreamHandler(log)
    logging.getLogger().addHandler(capture)
    try:
        try:
            password = secrets[0]  # a local holding a password: never printed
            raise RuntimeError(f"unexpected while handling {password} and {secrets[1]}")
        except RuntimeError as error:
            handler(type(error), error, error.__traceback__)
    finally:
        logging.getLogger().removeHandler(capture)
    assert closed and "uncaught RuntimeError" in log.getvalue()  # the report was written, the archive closed
    return log.getvalue()


def test_app_errors_for_wrong_passwords_are_clear_and_name_no_secret(fresh_archive: Path) -> None:
    for guess in ("", PASSWORD.upper(), PASSWORD + " ", PASSWORD[:-1]):
        with pytest.raises(WrongPassword) as caught:
            open_archive(fresh_archive, guess)
        message = str(caught.value)
        assert "密码不正确" in message and "区分大小写" in message
        assert not guess or guess not in message
