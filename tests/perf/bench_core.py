"""Foundation benchmarks: open, insert, search, list — the app next to the raw sqlcipher3 floor.

Run:  python tests/perf/bench_core.py [--sizes 10000 100000] [--repeat 15]
Archives are generated once (app.demo, realistic Chinese names) and cached under perf-results/.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import sqlcipher3  # noqa: E402

from app import archive as af  # noqa: E402
from app.db import create_archive, open_archive  # noqa: E402
from app.demo import customer_input, generate  # noqa: E402
from app.rows import ListQuery  # noqa: E402
from app.services import Services  # noqa: E402

PASSWORD = "bench-password"
CACHE = ROOT / "perf-results"


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and worst wall time in ms."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def archive_for(n: int) -> Path:
    """A cached archive of n sample customers (generated on first use)."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"bench-{n}.cfdb"
    if not path.exists():
        print(f"generating {n} customers (once)…", file=sys.stderr)
        arc = create_archive(path, PASSWORD)
        try:
            generate(Services.build(arc), n=n, seed=7)
        finally:
            arc.close()
    return path


def raw(path: Path) -> sqlcipher3.Connection:
    """The floor: a bare sqlcipher3 connection with the passphrase."""
    conn = sqlcipher3.connect(f"file:{path}?mode=ro", uri=True)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute("PRAGMA key = '" + PASSWORD + "'")
    conn.execute("PRAGMA cache_size = -200000")
    return conn


RAW_PAGE = ("SELECT id, card_no, name, kind, grade, deal_status, stage, mobile, company, last_contact_at, "
            "next_appointment_at FROM customers WHERE deleted_at IS NULL {where} ORDER BY name_pinyin {desc}, id "
            "LIMIT 100")


def bench_size(n: int, repeat: int, rows: list[tuple]) -> None:
    path = archive_for(n)
    # open: unlock + verify + schema check, next to a bare keyed connection doing its first read
    def app_open() -> None:
        open_archive(path, PASSWORD).close()

    def raw_open() -> None:
        conn = raw(path)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.close()

    rows.append((n, "open archive", *timed(app_open, 3), *timed(raw_open, 3)))
    arc = open_archive(path, PASSWORD)
    svc = Services.build(arc)
    conn = raw(path)
    queries = {"search 2-char name": "王芳", "search pinyin initials": "wf", "search phone digits": "1381",
               "search company": "华信"}
    for label, q in queries.items():
        app = lambda q=q: svc.customers.list(ListQuery(search=q, limit=100))  # noqa: E731
        like = f"%{q.lower()}%"
        floor = lambda like=like: (  # noqa: E731
            conn.execute(RAW_PAGE.format(where="AND id IN (SELECT customer_id FROM search_index WHERE text LIKE ?)",
                                         desc=""), (like,)).fetchall(),
            conn.execute("SELECT count(*) FROM customers WHERE deleted_at IS NULL AND id IN "
                         "(SELECT customer_id FROM search_index WHERE text LIKE ?)", (like,)).fetchone())
        app(), floor()  # warm the page cache for both
        rows.append((n, label, *timed(app, repeat), *timed(floor, repeat)))
    first = lambda: svc.customers.list(ListQuery(limit=100))  # noqa: E731
    first_raw = lambda: (conn.execute(RAW_PAGE.format(where="", desc="")).fetchall(),  # noqa: E731
                         conn.execute("SELECT count(*) FROM customers WHERE deleted_at IS NULL").fetchone())
    first(), first_raw()
    rows.append((n, "first list page", *timed(first, repeat), *timed(first_raw, repeat)))
    by_name = lambda: svc.customers.list(ListQuery(limit=100, descending=True))  # noqa: E731
    by_name_raw = lambda: conn.execute(RAW_PAGE.format(where="", desc="DESC")).fetchall()  # noqa: E731
    rows.append((n, "sort by name (desc)", *timed(by_name, repeat), *timed(by_name_raw, repeat)))
    conn.close()
    arc.close()


def bench_insert(n: int, rows: list[tuple]) -> None:
    """Insert n cards through the service, next to a raw executemany of the same rows."""
    import random
    from datetime import date

    from app import demo
    from app.services.base import to_columns

    ctx = demo._Ctx(random.Random(3), date.today(), [s for s, _ in demo.W.SURNAMES], [w for _, w in demo.W.SURNAMES])
    inputs = [customer_input(ctx, i) for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        arc = create_archive(Path(tmp) / "a.cfdb", PASSWORD)
        svc = Services.build(arc)
        start = time.perf_counter()
        for i in range(0, n, 5000):
            svc.customers.create_many(inputs[i:i + 5000])
        app_ms = (time.perf_counter() - start) * 1000
        arc.close()
        conn = sqlcipher3.connect(str(Path(tmp) / "raw.db"))
        conn.execute("PRAGMA key = 'x'")
        cols = list(to_columns(inputs[0]))
        conn.execute(f"CREATE TABLE c (id INTEGER PRIMARY KEY, {', '.join(cols)})")
        start = time.perf_counter()
        values = [tuple(str(v) if v is not None else None for v in to_columns(d).values()) for d in inputs]
        conn.executemany(f"INSERT INTO c ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", values)
        conn.commit()
        raw_ms = (time.perf_counter() - start) * 1000
        conn.close()
    rows.append((n, f"insert {n} cards", app_ms, app_ms, raw_ms, raw_ms))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--no-insert", action="store_true")
    args = parser.parse_args()
    rows: list[tuple] = []
    for n in args.sizes:
        if not args.no_insert:
            bench_insert(n, rows)
        bench_size(n, args.repeat, rows)
    print(f"{'customers':>9} | {'what':<24} | {'app median':>10} | {'app worst':>9} | {'raw median':>10} | "
          f"{'ratio':>5}")
    print("-" * 84)
    for n, what, med, worst, rmed, _rworst in rows:
        print(f"{n:>9} | {what:<24} | {med:>8.1f}ms | {worst:>7.1f}ms | {rmed:>8.1f}ms | {med / rmed:>5.1f}")
    print(f"\nkey derivation alone: {timed(lambda: af.derive_key(PASSWORD, b'0' * 16), 3)[0]:.0f} ms")


if __name__ == "__main__":
    main()
