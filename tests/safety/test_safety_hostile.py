"""Hostile input: the xlsx, csv, vcf and backup readers get random and mutated files (valid ones made by the
app's own exporter, template and backup, with bytes flipped, inserted, deleted, cut; zip members and lines
mutated; plain random bytes). Always a clear AppError (Chinese, naming the file, row or part) or a correct
import — never another exception — and the archive never changes without confirmation: its digest is the
same after preview and dry run (the CLI's `import --dry-run` too), and a confirmed import does what the
dry run said it would."""
from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from app import archive as af
from app.backup import check_backup_key, create_backup, examine, list_backups, read_manifest
from app.backup_digest import data_digest
from app.backup_restore import restore_backup
from app.cli import main as cli
from app.db import open_archive
from app.errors import AppError
from app.excel import source
from app.excel.exporter import export_all
from app.excel.importer import OnDuplicate
from app.excel.template import write_template
from app.services import Services
from tests.conftest import PASSWORD
from tests.safety._safety_support import db_digest, state

pytestmark = pytest.mark.slow
FAST = settings(derandomize=True, deadline=None, max_examples=40, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])
CJK = re.compile(r"[\u4e00-\u9fff]")
WHERE = re.compile(r"第 ?\d+ ?(行|列|张|页|帧)|部件|工作表|“")

VCF = """BEGIN:VCARD
VERSION:3.0
N:张;三;;;
FN:张三
TEL;TYPE=CELL:138 0013 8000
TEL;TYPE=WORK:010-62345678
EMAIL:zhangsan@example.cn
ORG:某某科技有限公司
TITLE:经理
ADR;TYPE=HOME:;;建国路88号;北京;北京;100022;中国
BDAY:1985-03-08
NOTE:老客户，喜欢喝茶
CATEGORIES:VIP,朋友
END:VCARD
BEGIN:VCARD
VERSION:2.1
N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E6=9D=8E;=E5=9B=9B;;;
FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E6=9D=8E=E5=9B=9B
TEL;CELL:13912345678
NOTE;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=A4=87=E6=B3=A8=
=E7=AC=AC=E4=BA=8C=E8=A1=8C
END:VCARD
BEGIN:VCARD
VERSION:4.0
FN:王五
TEL;VALUE=uri;TYPE=cell:tel:+86-137-0000-1111
BDAY;X-APPLE-OMIT-YEAR=1604:1604-07-23
END:VCARD
"""


# ----- an archive per module, the seeds ----------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_svc(tmp_path_factory: pytest.TempPathFactory, _template_archive: Path) -> Iterator[Services]:
    """One archive for all examples (hypothesis runs many per test): 30 sample cards."""
    from app.demo import generate

    path = tmp_path_factory.mktemp("hostile") / "客户档案.cfdb"
    shutil.copyfile(_template_archive, path)
    archive = open_archive(path, PASSWORD)
    svc = Services.build(archive)
    generate(svc, n=30, seed=3, today=date(2026, 11, 22))
    yield svc
    archive.close()


@pytest.fixture(scope="module")
def seeds(hostile_svc: Services, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Valid files made by the app itself: full export, template, a CSV of the export, a vCard file, a backup."""
    folder = tmp_path_factory.mktemp("seeds")
    export_all(hostile_svc, folder / "全部.xlsx")
    write_template(folder / "模板.xlsx")
    sheet = openpyxl.load_workbook(folder / "全部.xlsx", read_only=True)["客户"]
    text = io.StringIO()
    writer = csv.writer(text)
    for row in list(sheet.iter_rows(values_only=True))[:12]:
        writer.writerow(["" if c is None else c for c in row])
    backup = create_backup(hostile_svc.archive, folder / "b.cfbak").path
    return {"export": (folder / "全部.xlsx").read_bytes(), "template": (folder / "模板.xlsx").read_bytes(),
            "csv": text.getvalue().encode("utf-8-sig"), "csv_gbk": text.getvalue().encode("gb18030"),
            "vcf": VCF.replace("\n", "\r\n").encode("utf-8"), "backup": backup.read_bytes()}


def _digest(svc: Services) -> str:
    with svc.archive.engine.connect() as conn:
        return data_digest(conn)


# ----- mutations -------------------------------------------------------------------------------------
@st.composite
def mutated(draw: st.DrawFn, seed: bytes, max_ops: int = 4) -> bytes:
    """seed with 1–max_ops byte edits: flip, insert, delete a run, overwrite a run, or cut the tail."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, max_ops))):
        op = draw(st.sampled_from(("flip", "insert", "delete", "overwrite", "truncate")))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del data[at:at + draw(st.integers(1, 256))]
        elif op == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=64))
            data[at:at + len(chunk)] = chunk
        else:
            del data[at:]
    return bytes(data)


@st.composite
def zip_mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """An .xlsx whose parts are edited after inflating (so the XML and cell readers see the damage)."""
    with zipfile.ZipFile(io.BytesIO(seed)) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(parts)))
        op = draw(st.sampled_from(("bytes", "text", "drop")))
        if op == "drop":
            del parts[name]
        elif op == "bytes":
            parts[name] = draw(mutated(parts[name], 2))
        else:  # replace a cell's text with something odd
            odd = draw(st.sampled_from(("", "-1", "1e309", "2024-02-30", "＝SUM(A1)", "\x00", "&amp;&lt;", "9" * 40,
                                        "农历闰十三月", "13800138000/13800138000/1", "🙂" * 50, "NaN")))
            text = parts[name].decode("utf-8", "replace")
            hits = [m.span(1) for m in re.finditer(r"<t[^>]*>([^<]*)</t>|<v>([^<]*)</v>", text) if m.group(1)]
            if hits:
                a, b = draw(st.sampled_from(hits))
                parts[name] = (text[:a] + odd + text[b:]).encode("utf-8")
        if not parts:
            break
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


@st.composite
def csv_rows(draw: st.DrawFn) -> bytes:
    """A CSV with real headers and hostile cells, in a random encoding and delimiter."""
    others = draw(st.lists(st.sampled_from(("手机", "电话", "生日", "性别", "邮箱", "等级", "资产规模(万元)", "结婚纪念日",
                                            "客户编号", "标签", "备注", "地址", "介绍人", "成交状态", "农历生日")),
                           min_size=1, max_size=8, unique=True))
    headers = [*others]
    if draw(st.integers(0, 9)):  # mostly with a name column, so the rows themselves get parsed
        headers.insert(draw(st.integers(0, len(headers))), "姓名")
    cell = st.one_of(st.text(max_size=30), st.sampled_from(("13800138000", "2024-02-29", "2023-02-29", "农历八月十五",
                                                            "--02-30", "1e400", "-5", "A", "Z", "男", "＋86 138",
                                                            "KH000001", "=cmd|' /C calc'!A0", "\r\n")))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=len(headers) + 2), max_size=12))
    text = io.StringIO()
    writer = csv.writer(text, delimiter=draw(st.sampled_from((",", ";", "\t"))))
    writer.writerow(headers)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(("utf-8", "utf-8-sig", "gb18030", "utf-16")))
    return text.getvalue().encode(encoding, errors="replace")


# ----- the property ------------------------------------------------------------------------------------
def _clear(error: AppError, path: Path) -> None:
    message = str(error)
    assert CJK.search(message), f"not a Chinese message: {message!r}"
    assert path.name in message or path.stem in message or WHERE.search(message), f"names nothing: {message!r}"


def _note(outcome: str) -> None:
    """Count outcomes in hypothesis' statistics (pytest --hypothesis-show-statistics)."""
    if currently_in_test_context():
        event(outcome)


def _import_or_refuse(svc: Services, path: Path) -> str:
    """Preview and dry run (nothing may change); if the file is readable, the confirmed import must do
    exactly what the dry run said. Returns 'refused' or 'imported'."""
    before = _digest(svc)
    try:
        plan = source.plan_file(path, remembered=svc.imports.remembered_mapping)
        svc.imports.preview(plan)
        dry = svc.imports.run(plan, OnDuplicate.SKIP, dry_run=True)
    except AppError as error:
        _clear(error, path)
        assert _digest(svc) == before
        _note(f"refused: {type(error).__name__}")
        return "refused"
    assert _digest(svc) == before, "a preview or dry run changed the archive"
    count = svc.customers.count()
    done = svc.imports.run(plan, OnDuplicate.SKIP)  # the user confirmed
    same = ("rows", "created", "updated", "merged", "skipped", "rejected", "unchanged", "children")
    assert {k: getattr(done, k) for k in same} == {k: getattr(dry, k) for k in same}
    assert svc.customers.count() == count + done.created
    _note("imported" + (" (some rows rejected)" if done.rejected else ""))
    return "imported"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("seed", "suffix"), [("export", ".xlsx"), ("template", ".xlsx"), ("csv", ".csv"),
                                              ("csv_gbk", ".csv"), ("vcf", ".vcf")])
def test_the_unmutated_seeds_import(hostile_svc: Services, seeds: dict[str, bytes], tmp_path: Path, seed: str,
                                    suffix: str) -> None:
    assert _import_or_refuse(hostile_svc, _write(tmp_path, f"原样{suffix}", seeds[seed])) == "imported"


@FAST
@given(data=st.data())
def test_mutated_xlsx_bytes(hostile_svc: Services, seeds: dict[str, bytes], tmp_path: Path, data: st.DataObject) -> None:
    seed = seeds[data.draw(st.sampled_from(("export", "template")))]
    _import_or_refuse(hostile_svc, _write(tmp_path, "客户名单.xlsx", data.draw(mutated(seed))))


@FAST
@given(data=st.data())
def test_mutated_xlsx_parts(hostile_svc: Services, seeds: dict[str, bytes], tmp_path: Path, data: st.DataObject) -> None:
    seed = seeds[data.draw(st.sampled_from(("export", "template")))]
    _import_or_refuse(hostile_svc, _write(tmp_path, "客户名单.xlsx", data.draw(zip_mutated(seed))))


@FAST
@given(data=st.data())
def test_mutated_csv(hostile_svc: Services, seeds: dict[str, bytes], tmp_path: Path, data: st.DataObject) -> None:
    seed = seeds[data.draw(st.sampled_from(("csv", "csv_gbk")))]
    _import_or_refuse(hostile_svc, _write(tmp_path, "客户名单.csv", data.draw(mutated(seed))))


@settings(FAST, max_examples=60)
@given(data=csv_rows())
def test_generated_csv(hostile_svc: Services, tmp_path: Path, data: bytes) -> None:
    _import_or_refuse(hostile_svc, _write(tmp_path, "手工表格.csv", data))


@settings(FAST, max_examples=50)
@given(data=st.data())
def test_mutated_vcards(hostile_svc: Services, seeds: dict[str, bytes], tmp_path: Path, data: st.DataObject) -> None:
    lines = seeds["vcf"].split(b"\r\n")
    if data.draw(st.booleans()):  # line-level: drop, repeat or swap lines
        for _ in range(data.draw(st.integers(1, 3))):
            i, j = data.draw(st.integers(0, len(lines) - 1)), data.draw(st.integers(0, len(lines) - 1))
            op = data.draw(st.sampled_from(("drop", "repeat", "swap", "junk")))
            if op == "drop" and len(lines) > 1:
                del lines[i]
            elif op == "repeat":
                lines.insert(j, lines[i])
            elif op == "swap":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines.insert(i, data.draw(st.text(max_size=40)).encode("utf-8", "replace"))
        raw = b"\r\n".join(lines)
    else:
        raw = data.draw(mutated(seeds["vcf"]))
    _import_or_refuse(hostile_svc, _write(tmp_path, "通讯录.vcf", raw))


@settings(FAST, max_examples=15)
@given(raw=st.binary(max_size=3000), suffix=st.sampled_from((".xlsx", ".csv", ".vcf", ".xls", ".txt")))
def test_random_bytes_with_every_suffix(hostile_svc: Services, tmp_path: Path, raw: bytes, suffix: str) -> None:
    _import_or_refuse(hostile_svc, _write(tmp_path, f"随机{suffix}", raw))


@settings(FAST, max_examples=30)
@given(data=st.data())
def test_mutated_backups(hostile_svc: Services, seeds: dict[str, bytes], tmp_path: Path, data: st.DataObject) -> None:
    key = hostile_svc.archive.key_for_copy()  # backups keep the archive's key: no derivation per example
    original = check_backup_key(_write(tmp_path, "good.cfbak", seeds["backup"]), key)
    folder = tmp_path / "备份"
    folder.mkdir(exist_ok=True)
    path = _write(folder, "客户档案-20261122-093000.cfbak", data.draw(mutated(seeds["backup"], 2)))
    for read in (check_backup_key, read_manifest):
        try:
            info = read(path, key)
        except AppError as error:
            _clear(error, path)
        else:
            if info.verified:  # verified means identical, never "almost"
                assert (info.digest, info.counts) == (original.digest, original.counts)
    listed = list_backups(folder, key=key, verify=True)  # marks, never raises
    assert len(listed) == 1 and (listed[0].verified or listed[0].problem)
    examine(listed[0], key, verify=True)


def test_restore_refuses_mutated_backups_and_touches_nothing(seeds: dict[str, bytes], tmp_path: Path,
                                                              archive: af.Archive) -> None:
    import random

    archive.close()
    target = archive.path
    before = state(target)
    rng = random.Random(2026)
    for n in range(4):
        data = bytearray(seeds["backup"])
        at = rng.randrange(len(data))
        data[at] ^= 1 << rng.randrange(8)
        path = _write(tmp_path, f"坏备份{n}.cfbak", bytes(data))
        with pytest.raises(AppError) as caught:
            restore_backup(path, PASSWORD, target)
        _clear(caught.value, path)
        assert state(target) == before
        assert sorted(p.name for p in target.parent.iterdir()) == sorted([target.name, target.name + ".lock"])


@settings(FAST, max_examples=8)
@given(data=st.data())
def test_cli_import_dry_run_changes_nothing(seeds: dict[str, bytes], tmp_path: Path, data: st.DataObject,
                                            fresh_archive: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CLIENTFILE_PASSWORD", PASSWORD)
    kind, suffix = data.draw(st.sampled_from((("export", ".xlsx"), ("csv", ".csv"), ("vcf", ".vcf"))))
    raw = data.draw(st.one_of(st.just(seeds[kind]), mutated(seeds[kind])))
    path = _write(tmp_path, f"导入{suffix}", raw)
    before = (state(fresh_archive), db_digest(fresh_archive, PASSWORD))
    code = cli(["--archive", str(fresh_archive), "import", str(path), "--dry-run"])
    out, err = capsys.readouterr()
    assert code in (0, 1)
    if code:
        assert err.startswith("错误：") and CJK.search(err) and "Traceback" not in err
    else:
        assert "试运行（未写入档案）" in out
    assert (state(fresh_archive), db_digest(fresh_archive, PASSWORD)) == before
