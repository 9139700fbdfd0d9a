"""Customer search: one narrow row per customer with everything a salesperson types to find them.

Names, full pinyin, pinyin initials, card number, company, contact names and the digits of every phone
go into one lower-case text joined by a separator no query can contain. A LIKE scan over this small
table stays fast at 100k customers (the page cache holds it decrypted) and, unlike FTS5 trigrams,
also matches one- and two-character queries — the usual case for Chinese names.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import ColumnElement, Connection, delete, insert, select
from sqlalchemy.orm import Session

from app.models import Contact, Customer, SearchEntry
from app.pinyin import full_pinyin, initials

SEP = "\x1f"
_DIGITS = re.compile(r"\D+")
_PHONE_QUERY = re.compile(r"^[\d\s+\-()]+$")


def digits(text: str) -> str:
    """Only the digits of a phone number."""
    return _DIGITS.sub("", text or "")


def entry_text(customer: dict, contacts: Iterable[dict]) -> str:
    """The searchable text of one card (customer and contact fields as plain dicts)."""
    person = customer.get("kind", "个人") == "个人"
    name = customer["name"]
    parts = [
        name, full_pinyin(name, person=person), initials(name, person=person),
        customer.get("card_no", ""), customer.get("company", ""),
        digits(customer.get("mobile", "")), digits(customer.get("phone", "")),
        customer.get("wechat", ""),
    ]
    for contact in contacts:
        parts += [contact.get("name", ""), digits(contact.get("mobile", "")), digits(contact.get("phone", ""))]
    return SEP + SEP.join(p.lower().strip() for p in parts if p) + SEP


_CUSTOMER_COLS = (Customer.id, Customer.kind, Customer.name, Customer.card_no, Customer.company,
                  Customer.mobile, Customer.phone, Customer.wechat)
_CONTACT_COLS = (Contact.customer_id, Contact.name, Contact.mobile, Contact.phone)


def _texts(conn: Connection | Session, ids: list[int] | None) -> list[dict]:
    cq = select(*_CUSTOMER_COLS)
    kq = select(*_CONTACT_COLS)
    if ids is not None:
        cq = cq.where(Customer.id.in_(ids))
        kq = kq.where(Contact.customer_id.in_(ids))
    contacts: dict[int, list[dict]] = {}
    for row in conn.execute(kq).mappings():
        contacts.setdefault(row["customer_id"], []).append(dict(row))
    return [
        {"customer_id": row["id"], "text": entry_text(dict(row), contacts.get(row["id"], ()))}
        for row in conn.execute(cq).mappings()
    ]


def refresh(session: Session, customer_ids: Iterable[int]) -> None:
    """Rewrite the search rows of these customers (call inside the write transaction)."""
    ids = sorted(set(customer_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        session.execute(delete(SearchEntry).where(SearchEntry.customer_id.in_(chunk)))
        rows = _texts(session, chunk)
        if rows:
            session.execute(insert(SearchEntry), rows)


def rebuild_index(conn: Connection) -> None:
    """Rebuild the whole index (used by the migration that introduced it)."""
    conn.execute(delete(SearchEntry))
    rows = _texts(conn, None)
    for start in range(0, len(rows), 2000):
        conn.execute(insert(SearchEntry), rows[start:start + 2000])


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def normalise_query(query: str) -> list[str]:
    """Split a typed query into lower-case terms; phone-looking input becomes its digits."""
    query = query.strip().lower()
    if not query:
        return []
    if _PHONE_QUERY.match(query) and sum(c.isdigit() for c in query) >= 3:
        return [digits(query)]
    return [t for t in query.replace(SEP, " ").split() if t]


def matches(query: str) -> ColumnElement[bool] | None:
    """A WHERE clause on Customer.id for the query (all terms must match), or None for no query."""
    terms = normalise_query(query)
    if not terms:
        return None
    sub = select(SearchEntry.customer_id)
    for term in terms:
        sub = sub.where(SearchEntry.text.like(f"%{_like_escape(term)}%", escape="\\"))
    return Customer.id.in_(sub)
