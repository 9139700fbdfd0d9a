"""Touchpoints over the archive: what is due (待办), the month (日历), and completing, skipping, snoozing.

The engine (app.calendar.engine) is pure; this service feeds it every active customer's dates, the
marks and the settings, and writes what the salesperson did.  Completing a touchpoint is ONE
transaction: the service record (a Visit carrying the touchpoint key) and the 'done' mark linked to it —
and because the visit moves 上次联系, the customer's 定期拜访 starts over.
"""
from __future__ import annotations

import io
import logging
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from operator import attrgetter
from pathlib import Path
from types import MappingProxyType

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.calendar.engine import CalendarSettings, CustomerDates, Mark, Touchpoint, touchpoints
from app.calendar.festivals import FESTIVAL_NAMES
from app.calendar.greetings import DEFAULT_TEMPLATES, render_greeting, salutation
from app.calendar.ics import write_ics
from app.errors import NotFound, ValidationError
from app.fileutil import atomic_write_bytes
from app.models import Contact, Customer, Deal, LifeEventRecord, Setting, TouchpointMark, Visit
from app.progress import Cancelled
from app.rows import VisitInput
from app.services import checks
from app.services import touchpoint_inputs as inputs
from app.services.base import ServiceBase, get_or_404
from app.services.customers import touch
from app.services.records import refresh_contact_dates
from app.services.settings import DEFAULT_CADENCE
from app.services.touchpoint_counts import DayCounts, SpanTally, mark_may_touch, span_tally
from app.services.touchpoint_groups import AgendaRow, NameOrder, expand, grouped_agenda
from app.services.touchpoint_index import CandidateIndex
from app.services.touchpoint_views import (
    OVERDUE_LOOKBACK_DAYS,
    Agenda,
    MonthView,
    build_month,
    month_grid_range,
)

logger = logging.getLogger(__name__)

_ISO_TAIL = re.compile(r":(\d{4}-\d{2}-\d{2})$")
_TOKEN = re.compile(r"(?:^|:)([cdve])(\d+)(?=:|$)")
_AGENDA_ORDER = attrgetter("name", "customer_id")  # the engine's customer order
# The engine suggests how to greet in words ("上门拜访", "电话问候", "微信/短信"); a service record needs one
# of the visit methods, so the completion dialog starts from this one.
_METHOD_FOR_SUGGESTION = {"上门拜访": "亲自拜访", "上门回访": "亲自拜访", "面谈": "亲自拜访",
                          "电话问候": "电话", "电话": "电话", "微信/短信": "微信"}


@dataclass(frozen=True)
class CalendarOptions:
    """The editable calendar options (lead days and the 2月29日 policy) as the settings page shows them."""

    renewal_lead_days: int = 30
    competitor_lead_days: int = 30
    birthday_lead_days: int = 7
    new_deal_followup_days: int = 3
    feb29_policy: str = "feb28"


def suggested_method(tp: Touchpoint) -> str:
    """The visit method a completion dialog should preselect for this touchpoint."""
    return _METHOD_FOR_SUGGESTION.get(tp.method, "电话")


class TouchpointService(ServiceBase):
    """Every touchpoint of every active customer, with marks; caches the loaded dates until anything changes."""

    _cache: tuple[tuple, inputs.LoadedDates] | None = None
    _index_of: tuple[inputs.LoadedDates, CandidateIndex] | None = None
    _counts_of: tuple[inputs.LoadedDates, DayCounts] | None = None
    _order_of: tuple[inputs.LoadedDates, NameOrder] | None = None
    _by_name_of: tuple[inputs.LoadedDates, tuple[CustomerDates, ...]] | None = None

    # ----- reading ---------------------------------------------------------------------------
    def between(self, start: date, end: date, today: date | None = None, kinds: Iterable[str] = (),
                grades: Iterable[str] = ()) -> list[Touchpoint]:
        """Every touchpoint in [start, end] in agenda order, optionally only some kinds and grades.

        Grade '' means 未定级; overdue 定期拜访 from before `start` is included when start <= today.
        """
        return self._run(start, end, today or self.today(), kinds, grades, carry=True)

    def _run(self, start: date, end: date, today: date, kinds: Iterable[str], grades: Iterable[str], *,
             carry: bool, festivals: bool = True) -> list[Touchpoint]:
        """The engine over the customers that can have something in the range (carry: see between).

        festivals=False leaves festival touchpoints out (the month grid counts them apart).
        """
        loaded, settings = self._loaded(), self.calendar_settings()
        if not festivals:
            settings = replace(settings, festival_grades=MappingProxyType({}))
        customers: Sequence[CustomerDates] | None = None
        # A range that carries overdue 定期拜访 (the 待办 window) has nearly everyone as a candidate (all 100k
        # customers of the benchmark archive): there the index is only asked when already built, not built
        # (1.4 s CPU, ~30 MB at 100k) to filter nothing.  The engine over everyone gives the same list.
        if end >= start and (not (carry and start <= today) or self._index_built(loaded)):
            customers = self._index(loaded).candidates(start, end, today, settings, loaded.marks, carry=carry)
        if customers is None:
            customers = self._by_name(loaded)  # the engine sorts by name: already sorted is one pass
        wanted_grades = set(grades)
        if wanted_grades:
            customers = [c for c in customers if c.grade in wanted_grades]
        found = touchpoints(customers, start, end, today, settings, loaded.marks)
        wanted_kinds = set(kinds)
        return [t for t in found if t.kind in wanted_kinds] if wanted_kinds else found

    def grouped(self, start: date, end: date, today: date | None = None, kinds: Iterable[str] = (),
                grades: Iterable[str] = ()) -> list[AgendaRow]:
        """`between`, with each festival day as one FestivalOccurrence holding its unmarked customers (long ranges).

        Every other touchpoint (and every marked festival one) is a single row, in agenda order;
        `expand` gives back exactly `between`'s list.
        """
        loaded = self._loaded()
        return grouped_agenda(self._order(loaded), loaded.by_id, self.calendar_settings(), loaded.marks, start, end,
                              today or self.today(), kinds, grades)

    def expand(self, rows: Iterable[AgendaRow]) -> Iterator[Touchpoint]:
        """The per-customer touchpoints of `grouped` rows, built one festival day at a time."""
        return expand(rows, self._loaded().by_id)

    def for_customer(self, customer_id: int, start: date, end: date, today: date | None = None) -> list[Touchpoint]:
        """One customer's touchpoints in [start, end] (empty for a card in the recycle bin)."""
        loaded = self._loaded()
        customer = loaded.by_id.get(customer_id)
        if customer is None:
            return []
        return touchpoints([customer], start, end, today or self.today(), self.calendar_settings(), loaded.marks)

    def agenda(self, today: date | None = None, kinds: Iterable[str] = (), grades: Iterable[str] = (),
               days_ahead: int = 7) -> Agenda:
        """待办: open touchpoints overdue (last 30 days, and every overdue 定期拜访), today, and the next days."""
        today = today or self.today()
        found = self.between(today - timedelta(days=OVERDUE_LOOKBACK_DAYS), today + timedelta(days=days_ahead),
                             today, kinds, grades)
        open_ = [t for t in found if t.status in ("due", "overdue", "snoozed")]
        return Agenda(
            today=today,
            overdue=tuple(t for t in open_ if t.date < today),
            due_today=tuple(t for t in open_ if t.date == today),
            upcoming=tuple(t for t in open_ if t.date > today),
        )

    def month(self, year: int, month: int, today: date | None = None, kinds: Iterable[str] = (),
              grades: Iterable[str] = ()) -> MonthView:
        """The 日历 month grid (6 weeks from Monday): each day's 农历, festivals and counts by kind.

        Counted, not built (DayCounts); only customers with a snoozed mark go through the engine (a snooze moves a touchpoint).
        Overdue 定期拜访 from before the grid are not shown on it.  The day list asks `day`.
        """
        today = today or self.today()
        first, last = month_grid_range(year, month)
        kinds, grades = tuple(kinds), tuple(grades)
        loaded, settings = self._loaded(), self.calendar_settings()
        counts = self._counts(loaded).between(first, last, settings, kinds, grades)
        self._apply_snoozes(counts, loaded, first, last, today, settings, kinds, grades)
        festivals = None
        if not kinds or "festival" in kinds:
            festivals = self._counts(loaded).festivals(first, last, settings, loaded.marks, loaded.by_id, grades)
        return build_month(year, month, today, counts, festivals)

    def _apply_snoozes(self, counts: dict[date, Counter[str]], loaded: inputs.LoadedDates, first: date, last: date,
                       today: date, settings: CalendarSettings, kinds: tuple[str, ...], grades: tuple[str, ...]) -> None:
        """Correct unmarked counts for snoozed marks: the engine with and without the marks, for those customers."""
        lo, hi = first.toordinal(), last.toordinal()
        snoozed = [key for key, m in loaded.marks.items() if m.status == "snoozed" and mark_may_touch(key, m, lo, hi)]
        if not snoozed:
            return
        index = self._index(loaded)
        moved = sorted({pos for key in snoozed for pos in index.positions_named(key)})
        customers = [loaded.customers[pos] for pos in moved]
        if grades:
            customers = [c for c in customers if c.grade in grades]
        quiet = replace(settings, festival_grades=MappingProxyType({}))  # festivals are counted apart
        for marks, sign in ((loaded.marks, 1), ({}, -1)):
            for tp in touchpoints(customers, first, last, today, quiet, marks):
                if first <= tp.date <= last and (not kinds or tp.kind in kinds):
                    counts.setdefault(tp.date, Counter())[tp.kind] += sign

    def day(self, day: date, today: date | None = None, kinds: Iterable[str] = (),
            grades: Iterable[str] = ()) -> list[Touchpoint]:
        """The touchpoints on one day (the 日历 day list), without overdue items carried from before."""
        found = self._run(day, day, today or self.today(), kinds, grades, carry=False)
        return [t for t in found if t.date == day]

    def tally(self, start: date, end: date, today: date | None = None,
              cancelled: Callable[[], bool] | None = None) -> SpanTally:
        """Touchpoints dated in [start, end] by status, and who has one still open — counted, not built.

        Equal to counting `between(start, end, today)` restricted to that range (test_stats_touchpoints).
        `cancelled` is asked between the steps (each query of the load, each table): when it answers True
        the count stops with Cancelled (统计 abandons a running count when the archive is locked).
        """
        def check() -> None:
            if cancelled is not None and cancelled():
                raise Cancelled()

        loaded = self._loaded(check)
        check()
        counts = self._counts(loaded)
        check()
        index = self._index(loaded)
        check()
        return span_tally(loaded.customers, loaded.marks, counts, index, self.calendar_settings(), start, end,
                          today or self.today())

    def find(self, key: str, today: date | None = None) -> Touchpoint:
        """The touchpoint with this key, as it stands now (NotFound if it no longer exists)."""
        loaded = self._loaded()
        customer_id, occurrence = self._locate(key)
        customer = loaded.by_id.get(customer_id)
        if customer is not None:
            marks = {key: loaded.marks[key]} if key in loaded.marks else {}
            window_end = max(occurrence, marks[key].snooze_to or occurrence) if marks else occurrence
            for tp in touchpoints([customer], occurrence, window_end, today or self.today(),
                                  self.calendar_settings(), marks):
                if tp.key == key:
                    return tp
        raise NotFound("找不到这条待办：客户或相关记录可能已被修改或删除，请刷新后再试。")

    def mark_of(self, key: str) -> Mark | None:
        """The mark stored for a key (or implied by a later visit), if any."""
        return self._loaded().marks.get(key)

    def today(self) -> date:
        """Today by the services' clock."""
        return self.clock().date()

    def greeting(self, tp: Touchpoint) -> str:
        """The greeting for a birthday, anniversary, life event or festival, ready to paste ('' for other kinds)."""
        template = self.greeting_templates().get(inputs.greeting_key(tp), "")
        if not template:
            return ""
        with self.read() as s:
            who = inputs.addressee(s, tp)
            profile = inputs.stored(s, "profile")
        profile = profile if isinstance(profile, dict) else {}
        festival = FESTIVAL_NAMES.get(tp.festival_key, "")
        return render_greeting(template, 称呼=salutation(*who), 姓名=tp.person_name, 节日=festival,
                               销售姓名=str(profile.get("name") or ""), 公司=str(profile.get("company") or ""))

    def export_ics(self, path: Path, years: int = 10) -> int:
        """Write every active customer's dates as .ics (PLAINTEXT, for phone calendars); returns its size in bytes."""
        if not 1 <= years <= 50:
            raise ValidationError("年数", "应为 1 到 50 年")
        stream = io.BytesIO()
        write_ics(self._loaded().customers, years, self.today(), stream, self.calendar_settings())
        data = stream.getvalue()
        atomic_write_bytes(path, data)
        return len(data)

    # ----- writing ---------------------------------------------------------------------------
    def complete(self, target: Touchpoint | str, method: str, note: str = "", at: datetime | None = None) -> int:
        """Record the service (a visit) and mark the touchpoint done, in one transaction; returns the visit id."""
        return self.complete_many([target], method, note, at)[0]

    def complete_many(self, targets: Sequence[Touchpoint | str], method: str, note: str = "",
                      at: datetime | None = None) -> list[int]:
        """Complete several touchpoints with one method and note — all or nothing; returns the visit ids."""
        found = self._resolve_all(targets)
        when = (at or self.now()).replace(microsecond=0)
        with self._writing({tp.customer_id for tp in found}) as s:
            return [self._complete_one(s, tp, method, note, when) for tp in found]

    def skip(self, target: Touchpoint | str, reason: str) -> None:
        """Skip a touchpoint, recording why (the reason is required)."""
        reason = reason.strip()
        if not reason:
            raise ValidationError("跳过原因", "请写明为什么跳过（例如：客户在国外、已电话问候过）")
        self.skip_many([target], reason)

    def skip_many(self, targets: Sequence[Touchpoint | str], reason: str) -> None:
        """Skip several touchpoints with one reason, in one transaction."""
        reason = reason.strip()
        if not reason:
            raise ValidationError("跳过原因", "请写明为什么跳过")
        found = self._resolve_all(targets)
        with self._writing(()) as s:  # marks only: every customer's dates stay as loaded
            for tp in found:
                self._put_mark(s, tp, "skipped", reason=reason)
                self.audit(s, "update", "touchpoint", None, tp.customer_id, f"跳过待办：{tp.title}（{reason}）")

    def snooze(self, target: Touchpoint | str, to_date: date) -> None:
        """Move a touchpoint to a later day (today or after)."""
        self.snooze_many([target], to_date)

    def snooze_many(self, targets: Sequence[Touchpoint | str], to_date: date) -> None:
        """Move several touchpoints to one later day, in one transaction."""
        if to_date < self.today():
            raise ValidationError("推迟到", f"不能早于今天（{self.today():%Y-%m-%d}）")
        found = self._resolve_all(targets)
        with self._writing(()) as s:
            for tp in found:
                self._put_mark(s, tp, "snoozed", snooze_to=to_date)
                self.audit(s, "update", "touchpoint", None, tp.customer_id, f"推迟待办：{tp.title} → {to_date:%Y-%m-%d}")

    def reopen(self, target: Touchpoint | str) -> None:
        """Undo a skip or snooze (a done touchpoint keeps its service record: edit that on the card)."""
        key = target if isinstance(target, str) else target.key
        with self._writing(()) as s:
            mark = s.scalar(select(TouchpointMark).where(TouchpointMark.key == key))
            if mark is None:
                return
            if mark.status == "done":
                raise ValidationError("待办", "已完成的待办有对应的服务记录，请在客户卡上修改或删除该记录")
            self.audit(s, "update", "touchpoint", None, mark.customer_id, "恢复待办（撤销跳过/推迟）")
            s.delete(mark)

    def invalidate(self) -> None:
        """Forget the cached dates (the next read reloads them)."""
        self._cache = self._index_of = self._counts_of = self._order_of = self._by_name_of = None

    @contextmanager
    def _writing(self, customer_ids: Collection[int]) -> Iterator[Session]:
        """A write transaction after which the cached dates are patched, not reloaded.

        Inside the transaction (which holds the write lock) the cache is checked against the archive first;
        after the caller's changes these customers (none: the write changed marks only) and every mark are
        read again (touchpoint_load.reload_customers): at 100k customers a few look-ups instead of ~2 s of
        reading everything.  A stale cache or a failed write forgets the cache instead.  The per-load tables
        (month counts, candidate index, name order) are built from the customers' dates alone: they are
        kept when only marks changed; the engine's name-ordered customers are merged with the changed ones.
        """
        cached, patched = self._cache, None
        try:
            with self.write() as s:
                current = cached is not None and inputs.fingerprint(s) == cached[0]
                yield s
                if current:
                    assert cached is not None
                    s.flush()
                    patched = self._patched(s, cached[1], customer_ids)
        except BaseException:
            self.invalidate()
            raise
        if cached is None or patched is None:
            self.invalidate()
            return
        old, new = cached[1], patched[1]
        self._cache = patched
        if new.customers is old.customers:
            for name in ("_index_of", "_counts_of", "_order_of", "_by_name_of"):
                held = getattr(self, name)
                if held is not None and held[0] is old:
                    setattr(self, name, (new, held[1]))
        else:
            self._index_of = self._counts_of = self._order_of = None
            held_names = self._by_name_of
            if held_names is not None and held_names[0] is old:  # the rest keep their order: one merge
                ids = set(customer_ids)
                rest = [c for c in held_names[1] if c.customer_id not in ids]
                fresh = [new.by_id[i] for i in ids if i in new.by_id]
                self._by_name_of = (new, tuple(sorted(rest + fresh, key=_AGENDA_ORDER)))
            else:
                self._by_name_of = None

    # ----- settings --------------------------------------------------------------------------
    def calendar_settings(self) -> CalendarSettings:
        """The engine's settings: cadence per grade, festival choices, lead days, 2月29日 policy."""
        with self.read() as s:
            cadence_raw = inputs.stored(s, "cadence") or {}
            cadence = {g: int(cadence_raw.get(g, d)) if isinstance(cadence_raw, dict) else d
                       for g, d in DEFAULT_CADENCE.items()}
            return inputs.calendar_settings_of(inputs.stored(s, inputs.CALENDAR_KEY),
                                               inputs.stored(s, inputs.FESTIVALS_KEY), cadence)

    def options(self) -> CalendarOptions:
        """Lead days and the 2月29日 policy as stored (defaults where unset)."""
        cs = self.calendar_settings()
        return CalendarOptions(cs.renewal_lead_days, cs.competitor_lead_days, cs.birthday_lead_days,
                               cs.new_deal_followup_days, cs.feb29_policy)

    def set_options(self, options: CalendarOptions) -> None:
        """Save lead days (0–366) and the 2月29日 policy ('feb28' or 'mar1')."""
        self._set(inputs.CALENDAR_KEY, inputs.check_calendar_options(asdict(options)))

    def festival_grades(self) -> dict[str, str]:
        """Festival key → the grades that get it ('ABCD', 'AB', '' for nobody)."""
        with self.read() as s:
            return inputs.festival_grades_of(inputs.stored(s, inputs.FESTIVALS_KEY))

    def set_festival_grades(self, choices: dict[str, str]) -> None:
        """Save which grades get which festival (festivals not named keep their current choice)."""
        current = self.festival_grades()
        current.update(inputs.check_festival_grades(choices))
        self._set(inputs.FESTIVALS_KEY, current)

    def greeting_templates(self) -> dict[str, str]:
        """Template key ('birthday', 'wedding', 'life_event' or a festival key) → text, defaults filled in."""
        with self.read() as s:
            return inputs.templates_of(inputs.stored(s, inputs.GREETINGS_KEY))

    def set_greeting_template(self, key: str, text: str) -> None:
        """Save one greeting template; blank restores the default (unknown {占位符} are refused)."""
        current = self.greeting_templates()
        current[key] = inputs.check_template(key, text)
        self._set(inputs.GREETINGS_KEY, {k: v for k, v in current.items() if v != DEFAULT_TEMPLATES.get(k)})

    def _set(self, key: str, value: object) -> None:
        with self.write() as s:
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=value))
            elif row.value != value:
                row.value = value
            else:
                return
            self.audit(s, "update", "setting", None, None, f"修改设置 {key}")

    # ----- internals -------------------------------------------------------------------------
    def _loaded(self, check: Callable[[], None] = lambda: None) -> inputs.LoadedDates:
        with self.read() as s:
            fp = inputs.fingerprint(s)
            cached = self._cache
            if cached is not None and cached[0] == fp:
                return cached[1]
            loaded = inputs.load(s, check)
        self._cache = (fp, loaded)
        return loaded

    def _counts(self, loaded: inputs.LoadedDates) -> DayCounts:
        """The per-day count tables of the loaded dates (built on first use, dropped with them)."""
        held = self._counts_of
        if held is None or held[0] is not loaded:
            held = self._counts_of = (loaded, DayCounts(loaded.customers))
        return held[1]

    def _order(self, loaded: inputs.LoadedDates) -> NameOrder:
        """Every loaded customer in agenda order (built on first use, dropped with them)."""
        held = self._order_of
        if held is None or held[0] is not loaded:
            held = self._order_of = (loaded, NameOrder(loaded.customers))
        return held[1]

    def _patched(self, s: Session, loaded: inputs.LoadedDates,
                 customer_ids: Collection[int]) -> tuple[tuple, inputs.LoadedDates] | None:
        """(fingerprint, patched dates) inside a write; None if reading them fails — the write itself must not."""
        try:
            return inputs.fingerprint(s), inputs.reload_customers(s, loaded, customer_ids)
        except Exception:
            logger.exception("could not patch the loaded calendar dates; they will be read again")
            return None

    def _by_name(self, loaded: inputs.LoadedDates) -> tuple[CustomerDates, ...]:
        """Every loaded customer in agenda order (name, then id), sorted once per load (0.15 s at 100k) rather than
        in each engine call; the loaded tuple itself stays in id order, the order they lie in memory, which the
        per-load tables walk faster (measured: ~0.25 s each at 100k)."""
        held = self._by_name_of
        if held is None or held[0] is not loaded:
            held = self._by_name_of = (loaded, tuple(sorted(loaded.customers, key=_AGENDA_ORDER)))
        return held[1]

    def _index_built(self, loaded: inputs.LoadedDates) -> bool:
        """Whether the candidate index of these loaded dates already exists."""
        return self._index_of is not None and self._index_of[0] is loaded

    def _index(self, loaded: inputs.LoadedDates) -> CandidateIndex:
        """The candidate index of the loaded dates (built on first use, dropped with them)."""
        held = self._index_of
        if held is None or held[0] is not loaded:
            held = self._index_of = (loaded, CandidateIndex(loaded.customers))
        return held[1]

    def _resolve_all(self, targets: Sequence[Touchpoint | str]) -> list[Touchpoint]:
        if not targets:
            raise ValidationError("待办", "没有选中任何待办")
        return [self.find(t) if isinstance(t, str) else t for t in targets]

    def _locate(self, key: str) -> tuple[int, date]:
        """(customer id, occurrence date) named by a touchpoint key."""
        with self.read() as s:
            customer_id: int | None = None
            occurrence: date | None = None
            for letter, number in _TOKEN.findall(key):
                ident = int(number)
                if letter == "c":
                    customer_id = ident
                elif letter == "d":
                    customer_id = s.scalar(select(Deal.customer_id).where(Deal.id == ident))
                elif letter == "e":
                    customer_id = s.scalar(select(LifeEventRecord.customer_id).where(LifeEventRecord.id == ident))
                elif letter == "v":
                    row = s.execute(select(Visit.customer_id, Visit.next_at).where(Visit.id == ident)).first()
                    if row is not None and row.next_at is not None:
                        customer_id, occurrence = row.customer_id, row.next_at.date()
                if customer_id is not None:
                    break
        tail = _ISO_TAIL.search(key)
        if tail is not None:
            occurrence = date.fromisoformat(tail.group(1))
        if customer_id is None or occurrence is None:
            raise NotFound("找不到这条待办：客户或相关记录可能已被删除。")
        return customer_id, occurrence

    def _complete_one(self, s: Session, tp: Touchpoint, method: str, note: str, at: datetime) -> int:
        existing = s.scalar(select(TouchpointMark).where(TouchpointMark.key == tp.key))
        if existing is not None and existing.status == "done":
            raise ValidationError("待办", f"“{tp.title}”已经完成过了")
        customer = get_or_404(s, Customer, tp.customer_id, "客户")
        if customer.deleted_at is not None:
            raise ValidationError("客户", f"{customer.name} 的客户卡在回收站里，请先恢复")
        # The family member or contact may have been removed since the list was shown: record it on the customer.
        contact_id = tp.person_id if tp.person_id is not None and s.get(Contact, tp.person_id) else None
        data = checks.check_visit(VisitInput(
            customer_id=tp.customer_id, at=at, method=method, purpose=tp.title[:200], content=note.strip(),
            contact_id=contact_id, touchpoint_key=tp.key))
        columns = asdict(data)
        columns.pop("customer_id")
        visit = Visit(customer_id=tp.customer_id, created_at=self.now(), **columns)
        s.add(visit)
        s.flush()
        refresh_contact_dates(s, tp.customer_id)
        touch(s, tp.customer_id, self.now())
        self._put_mark(s, tp, "done", visit_id=visit.id, mark=existing)
        self.audit(s, "create", "visit", visit.id, tp.customer_id, f"完成待办：{tp.title}（{data.method}）")
        return visit.id

    def _put_mark(self, s: Session, tp: Touchpoint, status: str, *, snooze_to: date | None = None,
                  reason: str = "", visit_id: int | None = None, mark: TouchpointMark | None = None) -> None:
        if mark is None:
            mark = s.scalar(select(TouchpointMark).where(TouchpointMark.key == tp.key))
        if mark is not None and mark.status == "done":
            raise ValidationError("待办", f"“{tp.title}”已经完成过了")
        if mark is None:
            mark = TouchpointMark(key=tp.key, customer_id=tp.customer_id, occurrence=_occurrence(tp))
            s.add(mark)
        mark.status, mark.snooze_to, mark.reason, mark.visit_id, mark.at = status, snooze_to, reason, visit_id, self.now()
        s.flush()


def _occurrence(tp: Touchpoint) -> date:
    """The touchpoint's own date (before any snooze): the date in its key, else its date."""
    tail = _ISO_TAIL.search(tp.key)
    return date.fromisoformat(tail.group(1)) if tail else tp.date

