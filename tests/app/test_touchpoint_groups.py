"""The grouped agenda (one row per festival day) holds the same customers as the flat list, and expands back to it."""
from __future__ import annotations

from collections import Counter
from datetime import date

from app.calendar.engine import touchpoints
from app.services.touchpoint_groups import FestivalOccurrence
from tests.app.test_touchpoints_index import sample  # noqa: F401  (the fixture: a demo book with marks)

SPANS = ((date(2026, 1, 1), date(2026, 12, 31)), (date(2026, 12, 1), date(2027, 1, 31)),
         (date(2026, 12, 22), date(2026, 12, 23)), (date(2027, 1, 1), date(2027, 12, 31)))


def test_grouped_rows_hold_the_flat_lists_customers(sample) -> None:  # noqa: F811
    tps = sample.touchpoints
    loaded, settings = tps._loaded(), tps.calendar_settings()
    for today in (date(2026, 11, 22), date(2027, 3, 1)):
        for start, end in SPANS:
            flat = touchpoints(loaded.customers, start, end, today, settings, loaded.marks)
            rows = tps.grouped(start, end, today)
            groups = [r for r in rows if isinstance(r, FestivalOccurrence)]
            assert groups, (start, end)
            assert len(rows) < len(flat)
            # Each group: exactly the unmarked customers the flat list has for that festival on that day.
            for g in groups:
                members = [t for t in flat if t.kind == "festival" and t.festival_key == g.festival_key
                           and t.date == g.date and t.key not in loaded.marks]
                assert list(g.customer_ids) == [t.customer_id for t in members], (g.festival_key, g.date)
                assert g.count == len(members) and sum(g.grades.values()) == g.count
                assert {t.status for t in members} == {g.status}
                grades = Counter("D" if loaded.by_id[t.customer_id].grade not in "ABCD" or
                                 not loaded.by_id[t.customer_id].grade else loaded.by_id[t.customer_id].grade
                                 for t in members)
                assert dict(g.grades) == dict(grades)
            singles = [r for r in rows if not isinstance(r, FestivalOccurrence)]
            assert singles == [t for t in flat if t.kind != "festival" or t.key in loaded.marks], (start, end)
            assert list(tps.expand(rows)) == flat == tps.between(start, end, today), (start, end, today)


def test_marked_festival_touchpoints_stay_single_rows(sample) -> None:  # noqa: F811
    tps = sample.touchpoints
    rows = tps.grouped(date(2026, 12, 1), date(2027, 1, 31), date(2026, 11, 22))
    marked = [r for r in rows if not isinstance(r, FestivalOccurrence) and r.kind == "festival"]
    assert {r.status for r in marked} == {"snoozed", "skipped"}
    dongzhi = [r for r in rows if isinstance(r, FestivalOccurrence) and r.festival_key == "dongzhi"]
    assert len(dongzhi) == 1 and not {r.customer_id for r in marked if r.festival_key == "dongzhi"} & set(
        dongzhi[0].customer_ids)


def test_grouped_filters_by_kind_and_grade(sample) -> None:  # noqa: F811
    tps = sample.touchpoints
    start, end, today = date(2026, 1, 1), date(2026, 12, 31), date(2026, 11, 22)
    for kinds, grades in (((), ("A",)), (("festival",), ("", "C")), (("birthday", "cadence"), ()),
                          (("festival",), ())):
        rows = tps.grouped(start, end, today, kinds, grades)
        assert list(tps.expand(rows)) == tps.between(start, end, today, kinds, grades), (kinds, grades)
    assert not any(isinstance(r, FestivalOccurrence) for r in tps.grouped(start, end, today, ("birthday",)))
