"""Benchmark of the touchpoint calendar: month view, year agenda and .ics export on synthetic customers.

Run: python tests/perf/bench_calendar.py [--n 10000 100000]   (not collected by pytest)

Each row is timed against a "floor" measured in the same run on the same inputs:
- month/year: a bare loop over the customers doing only the date look-ups with the precomputed
  tables, plus allocating as many Touchpoint rows (one formatted key each) as the engine returned —
  what any engine in CPython must at least spend;
- 农历: lunar-python per customer (Lunar.fromYmd(...).getSolar() for each 农历 birthday), timed on
  a 1k sample and extrapolated — what the per-lunar-year tables save;
- 全年议程（分组）: the path TouchpointService.grouped takes (bulk tables for unmarked customers, the
  engine for marked ones, festivals as groups); its per-load tables get their own row, and a run with
  1% of the customers fully marked shows what marks cost;
- .ics: the touchpoints() call it starts from;
- 月视图计数: the path the 日历 grid takes (DayCounts tables, built once per load): its floor is the
  look-up loop over every customer, which the tables beat (ratio < 1).
Wall and CPU time are both shown: on a shared machine wall time includes waiting for a core.
Targets (wall): month ≤ 100 ms and year ≤ 1 s at 100k; .ics for 10k ≤ 5 s (scaled linearly for other n),
checked on the paths the app takes (月视图计数, 全年议程 grouped); the engine's flat rows are shown for scale.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from app.calendar.emit import Window
from app.calendar.engine import (
    CalendarSettings,
    CustomerDates,
    DateSpec,
    DealDates,
    Mark,
    PersonDates,
    Touchpoint,
    touchpoints,
)
from app.calendar.ics import write_ics
from app.calendar.lunar import solar_to_lunar
from app.calendar.rules import lunar_occurrence_map
from app.services.touchpoint_counts import DayCounts
from app.services.touchpoint_groups import NameOrder, grouped_agenda

TODAY = date(2026, 3, 15)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国丽娜伟芳敏静强磊军洋勇艳杰娟涛明超秀英华平刚桂兰"
KINDS = ("周年", "续期", "续保", "到期")


def _birthday(rng: random.Random, year: int) -> DateSpec:
    d = date(year, 1, 1) + timedelta(days=rng.randrange(365))
    if rng.random() < 0.3:  # a real 农历 birthday, leap months and day 30 at their natural rate
        ld = solar_to_lunar(d)
        return DateSpec("lunar", ld.year, ld.month, ld.day, ld.leap)
    return DateSpec("solar", year if rng.random() < 0.9 else None, d.month, d.day)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def synthetic_customers(n: int, seed: int = 1) -> list[CustomerDates]:
    """n customers: ~30% 农历 birthdays, families, deals, some organisations, appointments, life events."""
    rng = random.Random(seed)
    out = []
    for cid in range(1, n + 1):
        name, is_org = _name(rng), rng.random() < 0.15
        persons = [] if is_org else [PersonDates(None, name, "", _birthday(rng, rng.randint(1950, 2000)))]
        pid = cid * 10
        relations = ("决策人", "业务联系人") if is_org else ("配偶",) * (rng.random() < 0.6) + ("儿子",) * (
            rng.random() < 0.4)
        for rel in relations:
            pid += 1
            persons.append(PersonDates(pid, _name(rng), rel, _birthday(rng, rng.randint(1960, 2020))))
        deals = tuple(
            DealDates(cid * 10 + k, rng.choice(("平安福", "车险", "加油卡", "理财")),
                      start := date(2018, 1, 1) + timedelta(days=rng.randrange(3000)),
                      start + timedelta(days=365 * rng.randint(1, 3)), rng.choice(KINDS))
            for k in range(rng.choice((0, 1, 1, 2, 3)))
        )
        out.append(CustomerDates(
            cid, f"K{cid:06d}", name if not is_org else name + "商贸公司", rng.choice("ABBCCCDDD") if
            rng.random() < 0.9 else "", is_org, tuple(persons),
            date(1990, 1, 1) + timedelta(days=rng.randrange(10000)) if rng.random() < 0.4 else None, deals,
            TODAY + timedelta(days=rng.randrange(400)) if rng.random() < 0.1 else None,
            TODAY - timedelta(days=rng.randrange(400)) if rng.random() < 0.8 else None,
            date(2015, 1, 1) + timedelta(days=rng.randrange(4000)),
            ((cid, datetime(2026, 3, 1, 9) + timedelta(hours=rng.randrange(24 * 60)), "客户公司", "讲解方案"),)
            if rng.random() < 0.05 else (),
            ((cid, rng.choice(("乔迁", "晋升", "生子")), TODAY + timedelta(days=rng.randrange(-100, 200))),)
            if rng.random() < 0.05 else (),
        ))
    return out


def floor_loop(customers: list[CustomerDates], start: date, end: date, settings: CalendarSettings) -> int:
    """The bare minimum: the same date look-ups with the same precomputed tables, counting hits only."""
    w = Window.build(start, end, settings)
    lo, hi, hits = w.lo, w.hi, 0
    fest = {g: sum(g in settings.festival_grades.get(f.key, "") for f in w.festivals) for g in "ABCD"}
    for c in customers:
        for p in c.persons:
            b = p.birthday
            if b is not None:
                found = w.lunar.get((b.month, b.leap, b.day)) if b.calendar == "lunar" else w.solar.get(
                    (b.month, b.day))
                hits += len(found) if found else 0
        for deal in c.deals:
            if deal.renewal is not None and lo <= deal.renewal.toordinal() <= hi:
                hits += 1
        base = c.last_contact or c.created_on
        if base is not None and base.toordinal() + 90 <= hi:
            hits += 1
        hits += fest.get(c.grade, fest["D"])
    return hits


def naive_lunar(customers: list[CustomerDates], year: int) -> None:
    """Per-customer lunar-python: what converting 农历 birthdays costs without the year tables."""
    from lunar_python import Lunar

    for c in customers:
        for p in c.persons:
            b = p.birthday
            if b is not None and b.calendar == "lunar":
                for y in (year - 1, year):
                    try:
                        Lunar.fromYmd(y, -b.month if b.leap else b.month, min(b.day, 29)).getSolar()
                    except Exception:  # the leap month is missing that year; the naive code would retry
                        Lunar.fromYmd(y, b.month, min(b.day, 29)).getSolar()


def alloc_floor(customers: list[CustomerDates], count: int) -> int:
    """Allocating `count` Touchpoint rows with one formatted key each: the least any engine must build."""
    d = TODAY
    rows = [tuple.__new__(Touchpoint, (f"k:c{i}", d, d, i, "", "", None, "", "festival", "", "", "", "due", "", "",
                                       None, "", 0)) for i in range(count)]
    return len(rows)


def month_counts(counts: DayCounts, start: date, end: date, settings: CalendarSettings) -> int:
    """What the 日历 grid asks for: per-day counts by kind plus festival counts (no marks)."""
    own = counts.between(start, end, settings)
    festivals = counts.festivals(start, end, settings, {}, {})
    return sum(sum(k.values()) for k in own.values()) + sum(festivals.values())


def lunar_ours(customers: list[CustomerDates], start: date, end: date) -> int:
    """Our 农历 birthday conversion for a range: one lookup in the per-range map per birthday."""
    table = lunar_occurrence_map(start, end)
    return sum(len(table.get((p.birthday.month, p.birthday.leap, p.birthday.day), ())) for c in customers
               for p in c.persons if p.birthday is not None and p.birthday.calendar == "lunar")


def _name_order(customers: list[CustomerDates]) -> NameOrder:
    """What the service builds once per load for the year agenda: the name order and the bulk tables."""
    order = NameOrder(customers)
    order.occasions()
    return order


def _some_marks(customers: list[CustomerDates], settings: CalendarSettings) -> dict[str, Mark]:
    """Marks on every touchpoint of 1% of the customers (a salesperson's year of ticking things off)."""
    picked = customers[::100]
    marks: dict[str, Mark] = {}
    for i, tp in enumerate(touchpoints(picked, date(2026, 1, 1), date(2026, 12, 31), TODAY, settings, {})):
        status = ("done", "skipped", "snoozed")[i % 3]
        marks[tp.key] = Mark(tp.key, status, tp.date + timedelta(days=10) if status == "snoozed" else None)
    return marks


def timed(fn: Callable[[], object], repeat: int = 3) -> tuple[float, float, object]:
    """Best of `repeat` runs: (wall seconds, CPU seconds, last result)."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        cpu, wall = min(cpu, time.process_time() - c), min(wall, time.perf_counter() - t)
    return wall, cpu, result


def _clear_caches() -> None:
    from app.calendar import festivals, rules
    from app.calendar.lunar import LunarYearTable

    LunarYearTable.for_year.cache_clear()
    rules.lunar_occurrence_map.cache_clear()
    rules.solar_occurrence_map.cache_clear()
    festivals._festivals_between.cache_clear()


Row = tuple[str, float, float, float, float, str]  # what, wall, cpu, floor cpu, target, note


def bench(n: int) -> list[Row]:
    """The rows for n customers."""
    customers = synthetic_customers(n)
    s = CalendarSettings()
    rows: list[Row] = []
    for label, a, b in (("月视图 2026-03", date(2026, 3, 1), date(2026, 3, 31)),
                        ("月视图 2026-02（春节）", date(2026, 2, 1), date(2026, 2, 28)),
                        ("全年议程 2026", date(2026, 1, 1), date(2026, 12, 31))):
        _clear_caches()
        cold, _, result = timed(lambda a=a, b=b: touchpoints(customers, a, b, TODAY, s, {}), repeat=1)
        count = len(result)  # type: ignore[arg-type]
        del result
        wall, cpu, _ = timed(lambda a=a, b=b: touchpoints(customers, a, b, TODAY, s, {}))
        _, look, _ = timed(lambda a=a, b=b: floor_loop(customers, a, b, s))
        _, alloc, _ = timed(lambda count=count: alloc_floor(customers, count))
        rows.append((f"{label}（引擎平铺）", wall, cpu, look + alloc, float("nan"),
                     f"{count} touchpoints, every one built; floor = look-ups {look:.3f} + rows {alloc:.3f}; "
                     f"first call, empty caches {cold:.3f}s wall. The app's month grid counts (DayCounts) and its "
                     "year groups festival days: the targets are checked on those rows"))
    year = (date(2026, 1, 1), date(2026, 12, 31))
    by_id = {c.customer_id: c for c in customers}
    build_wall, build_cpu, order = timed(lambda: _name_order(customers), repeat=1)
    quiet = CalendarSettings(festival_grades={})

    def grouped() -> list:
        return grouped_agenda(order, by_id, s, {}, *year, TODAY)  # type: ignore[arg-type]

    wall, cpu, result = timed(grouped)
    count = len(result)  # type: ignore[arg-type]
    singles = sum(1 for r in result if r.kind != "festival")  # type: ignore[union-attr]
    del result
    _, look, _ = timed(lambda: floor_loop(customers, *year, quiet))
    _, alloc, _ = timed(lambda: alloc_floor(customers, singles))
    rows.append(("全年议程 2026（节日按天分组，应用的路径）", wall, cpu, look + alloc, 1.0 * n / 100_000,
                 f"{count} rows ({count - singles} festival groups); floor = look-ups without festivals {look:.3f} "
                 f"+ rows {alloc:.3f}; per-load tables built apart (next row)"))
    rows.append(("全年议程的读档后表（NameOrder + Occasions，读档后建一次）", build_wall, build_cpu, look, float("nan"),
                 "name order and the bulk path's per-kind tables; floor = the look-up loop for one year"))
    marks = _some_marks(customers, s)
    wall, cpu, result = timed(lambda: grouped_agenda(order, by_id, s, marks, *year, TODAY))
    rows.append(("全年议程 2026 分组，1% 客户有处理标记", wall, cpu, look + alloc, 1.0 * n / 100_000,
                 f"{len(result)} rows; {len(marks)} marks (done/skipped/snoozed) on {n // 100} customers: "
                 "those go through the engine"))  # type: ignore[arg-type]
    del result
    counts = DayCounts(customers)
    for label, a, b in (("月视图计数 2026-03（应用的路径）", date(2026, 2, 23), date(2026, 4, 5)),
                        ("月视图计数 2026-02（春节）（应用的路径）", date(2026, 1, 26), date(2026, 3, 8))):
        wall, cpu, total = timed(lambda a=a, b=b: month_counts(counts, a, b, s))
        _, look, _ = timed(lambda a=a, b=b: floor_loop(customers, a, b, s))
        rows.append((label, wall, cpu, look, 0.1 * n / 100_000,
                     f"{total} touchpoints counted over the 6-week grid, none built; floor = the look-up loop "
                     "over every customer (ratio < 1: the tables beat one pass)"))
    build_wall, build_cpu, _ = timed(lambda: DayCounts(customers), repeat=1)
    rows.append(("月视图计数表（读档后建一次）", build_wall, build_cpu, look, float("nan"),
                 "DayCounts over every customer; floor = the look-up loop for one month"))
    lunar_n = lunar_ours(customers, *year)
    _, naive, _ = timed(lambda: naive_lunar(customers[:1000], 2026), repeat=1)
    _clear_caches()
    wall, cpu, _ = timed(lambda: lunar_ours(customers, *year), repeat=1)
    rows.append(("农历生日换算（一年）", wall, cpu, naive * n / 1000, float("nan"),
                 f"{lunar_n} occurrences incl. building the year tables; 'floor' here = naive lunar-python per "
                 "customer, 1k sample extrapolated (ratio < 1 = faster than naive)"))
    if n <= 10_000:
        stream = io.BytesIO()
        wall, cpu, _ = timed(lambda: write_ics(customers, 3, TODAY, stream, s), repeat=1)
        quiet = CalendarSettings(festival_grades={})
        _, floor, _ = timed(lambda: touchpoints(customers, TODAY, date(2029, 3, 14), TODAY, quiet, {}), repeat=1)
        rows.append((".ics 3 年", wall, cpu, floor, 5.0 * n / 10_000,
                     f"{stream.getvalue().count(b'BEGIN:VEVENT')} events, {len(stream.getvalue()) >> 10} KiB; "
                     "floor = the 3-year touchpoints() it starts from"))
    return rows


def main() -> None:
    """Parse --n and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall time suffers when it is high)")
    print("| customers | what | wall s | CPU s | floor CPU s | CPU/floor | target s (wall) | verdict | note |")
    print("|---:|---|---:|---:|---:|---:|---:|---|---|")
    for n in args.n:
        for what, wall, cpu, floor, target, note in bench(n):
            verdict = "" if target != target else ("OK" if wall <= target else "OVER")
            target_text = "" if target != target else f"{target:.2f}"
            print(f"| {n} | {what} | {wall:.3f} | {cpu:.3f} | {floor:.3f} | {cpu / floor:.1f} | {target_text} | "
                  f"{verdict} | {note} |", flush=True)


if __name__ == "__main__":
    main()
