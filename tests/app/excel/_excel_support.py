"""Helpers for the Excel/CSV/vCard tests: digests of an archive's data and small workbook builders."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl

# Everything that is customer data. audit_log, import_batches and settings are bookkeeping: an import and
# its undo are recorded there on purpose.
DATA_TABLES = ("customers", "contacts", "deals", "visits", "complaints", "life_events", "tags",
               "customer_tags", "grade_changes", "search_index", "touchpoint_marks")


def _rows(conn: Any, sql: str) -> list[tuple]:
    return [tuple(r) for r in conn.exec_driver_sql(sql).fetchall()]


def full_digest(archive: Any) -> str:
    """Every row of every data table, exactly as stored (ids, timestamps and all)."""
    h = hashlib.sha256()
    with archive.engine.connect() as conn:
        for table in DATA_TABLES:
            h.update(table.encode())
            for row in sorted(_rows(conn, f"SELECT * FROM {table}"), key=repr):
                h.update(repr(row).encode())
    return h.hexdigest()


def content(archive: Any) -> dict[str, Any]:
    """The data by card number, without ids and creation times: what an export carries, as stored."""
    with archive.engine.connect() as conn:
        cols = [r[1] for r in _rows(conn, "PRAGMA table_info(customers)")]
        skip = {"id", "created_at", "updated_at", "import_batch_id", "referrer_id", "deleted_at", "deleted_by"}
        card = dict(_rows(conn, "SELECT id, card_no FROM customers"))
        out: dict[str, Any] = {}
        for row in _rows(conn, "SELECT * FROM customers WHERE deleted_at IS NULL"):
            values = dict(zip(cols, row, strict=True))
            item = {k: v for k, v in values.items() if k not in skip}
            item["referrer"] = card.get(values["referrer_id"], "")
            item["tags"] = sorted(r[0] for r in _rows(conn, f"SELECT t.name FROM tags t JOIN customer_tags ct "
                                                            f"ON ct.tag_id = t.id WHERE ct.customer_id = {values['id']}"))
            out[values["card_no"]] = item
        contact_name = dict(_rows(conn, "SELECT id, name FROM contacts"))
        for table, drop in (("contacts", ()), ("deals", ("created_at",)), ("visits", ("created_at",)),
                            ("complaints", ()), ("life_events", ())):
            tcols = [r[1] for r in _rows(conn, f"PRAGMA table_info({table})")]
            for row in _rows(conn, f"SELECT * FROM {table}"):
                values = dict(zip(tcols, row, strict=True))
                if card.get(values["customer_id"]) not in out:
                    continue
                if "contact_id" in values:
                    values["contact"] = contact_name.get(values.pop("contact_id"), "")
                item = {k: v for k, v in values.items() if k not in ("id", "customer_id", *drop)}
                out[card[values["customer_id"]]].setdefault(table, []).append(item)
        for item in out.values():
            for table in ("contacts", "deals", "visits", "complaints", "life_events"):
                item[table] = sorted(item.get(table, []), key=lambda d: json.dumps(d, sort_keys=True, default=str))
    return out


def content_digest(archive: Any) -> str:
    """A hash of `content`."""
    return hashlib.sha256(json.dumps(content(archive), sort_keys=True, default=str).encode()).hexdigest()


def write_book(path: Path, sheets: dict[str, Sequence[Sequence[Any]]],
               merged: dict[str, Iterable[str]] | None = None) -> Path:
    """A workbook with openpyxl: {sheet title: rows}, optional merged ranges per sheet."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(r, c, value)
        for ref in (merged or {}).get(title, ()):
            ws.merge_cells(ref)
    wb.save(path)
    return path


def read_sheet(path: Path, title: str) -> list[list[Any]]:
    """All cell values of a sheet (openpyxl, as a user's Excel would see them)."""
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        return [list(r) for r in wb[title].iter_rows(values_only=True)]
    finally:
        wb.close()
