"""统计: the questions a salesperson asks of the file, answered with GROUP BY queries (no per-customer loops).

`compute(period, today)` gives every figure of the page; `customers_for(figure, key, period, today)` lists
exactly the customers behind one row or bar, in list order, so the page can open them.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, func, select, true
from sqlalchemy.orm import Session

from app.errors import ValidationError
from app.models import Complaint, Customer, Visit
from app.services import stats_activity as act
from app.services import stats_snapshot as snap
from app.services.base import ServiceBase
from app.services.stats_rows import Figure, Period, StatRow, StatsReport, ratio
from app.services.stats_touchpoints import TouchpointTallies, spans, touchpoint_figure
from app.services.touchpoint_inputs import fingerprint

if TYPE_CHECKING:
    from app.services.touchpoints import TouchpointService

__all__ = ["FIGURE_KEYS", "Figure", "Period", "StatRow", "StatsReport", "StatsService"]

# Page order: the file as it stands, then what happened in the period, then who brings the business.
FIGURE_KEYS = ("grade", "deal_status", "stage", "funnel", "tier", "source", "tag", "overdue", "grade_moves",
               "touchpoints", "visits_weekly", "new_cards", "top_deals", "referrals", "influence", "complaints",
               "resolve_days")
ID_CHUNK = 10_000  # ids per IN (…): SQLite allows 32766 bound parameters per statement
HEADLINE = (("all", "客户总数"), ("closed", "成交客户"), ("new", "本期新建卡"), ("visited", "本期见过的客户"),
            ("overdue", "超期未联系"), ("open_complaints", "有未结投诉的客户"))


class StatsService(ServiceBase):
    """Figures of the 统计 page over the open archive.

    The touchpoint figure needs the calendar: pass `touchpoints=svc.touchpoints` (it shares that service's
    cache of loaded dates); without it the figure is left out.  At 100k customers the calendar takes
    seconds, so the page asks for it separately (`touchpoint_figure`) after the rest is on screen.
    """

    _tallies: TouchpointTallies | None = None

    def compute(self, period: Period, today: date, touchpoints: TouchpointService | None = None) -> StatsReport:
        """Every figure for the period, counted as of `today` (one read transaction, then the calendar)."""
        cadence = self._cadence()
        with self.read() as s:
            cube = snap.load_cube(s, cadence, today)
            figures = {f.key: f for f in snap.distributions(cube)}
            figures["funnel"] = snap.funnel(cube)
            figures["overdue"] = snap.overdue(cube, cadence)
            figures["tag"] = snap.tags(s, cube.total)
            figures["grade_moves"] = act.grade_moves(s, period)
            visited, new = act.visited_count(s, period), act.new_count(s, period)
            figures["visits_weekly"] = act.visits_weekly(s, period, visited)
            figures["new_cards"] = act.new_cards(s, period, new)
            figures["top_deals"] = act.top_deals(s, period)
            figures["referrals"] = act.referrals(s)
            figures["influence"] = act.influence(s, cube.total)
            figures["complaints"] = act.complaints(s, period)
            figures["resolve_days"] = act.resolve_days(s, period)
            headline = self._headline(s, cube, {"new": new, "visited": visited})
        if touchpoints is not None:
            figures["touchpoints"] = self.touchpoint_figure(touchpoints, period, today)
        ordered = tuple(figures[k] for k in FIGURE_KEYS if k in figures)
        return StatsReport(period=period, today=today, total=cube.total, headline=headline, figures=ordered)

    def customers_for(self, figure: str, key: str, period: Period, today: date,
                      touchpoints: TouchpointService | None = None) -> list[int]:
        """Ids of exactly the customers behind row `key` of `figure`, sorted like the customer list."""
        if figure == "touchpoints":
            wanted = [span for span in spans(period, today) if span.key == key]
            if touchpoints is None or not wanted:
                raise _unknown(figure, key)
            return self._in_list_order(self._tally(touchpoints, today)(wanted)[key].open_customers)
        with self.read() as s:
            clause = self._clause(s, figure, key, period, today)
            stmt = (select(Customer.id).where(snap.active(), clause)
                    .order_by(Customer.name_pinyin, Customer.id))
            return list(s.scalars(stmt))

    def _in_list_order(self, ids: Iterable[int]) -> list[int]:
        """Active ids among `ids`, sorted like the customer list (in chunks: SQLite caps bound parameters)."""
        wanted, keyed = sorted(ids), []
        with self.read() as s:
            for first in range(0, len(wanted), ID_CHUNK):
                chunk = wanted[first:first + ID_CHUNK]
                keyed += s.execute(select(Customer.name_pinyin, Customer.id)
                                   .where(snap.active(), Customer.id.in_(chunk))).all()
        # Python's str order is code-point order, the same as SQLite's BINARY collation of UTF-8 text.
        return [cid for _pinyin, cid in sorted((p or "", cid) for p, cid in keyed)]

    def touchpoint_figure(self, touchpoints: TouchpointService, period: Period, today: date,
                          cancelled: Callable[[], bool] | None = None) -> Figure:
        """Touchpoints done against due this month, this year and in the period (kept until anything changes).

        `cancelled` is asked between the steps of the count; True abandons it (app.progress.Cancelled).
        """
        return touchpoint_figure(self._tally(touchpoints, today, cancelled), period, today)

    # ----- internals ---------------------------------------------------------------------------
    def _tally(self, touchpoints: TouchpointService, today: date,
               cancelled: Callable[[], bool] | None = None) -> Callable[[list], dict]:
        if self._tallies is None:
            self._tallies = TouchpointTallies()
        with self.read() as s:
            stamp = fingerprint(s)
        tallies = self._tallies
        return lambda wanted: tallies.get(touchpoints, stamp, wanted, today, cancelled)

    def _cadence(self) -> dict[str, int]:
        from app.services.settings import SettingsService

        return SettingsService(self.archive, self.clock, self.actor).cadence()

    @staticmethod
    def _headline(s: Session, cube: snap.Cube, known: dict[str, int]) -> Figure:
        counts = {
            **known,
            "all": cube.total,
            "closed": cube.by(1).get("成交", 0),
            "overdue": sum(cube.by(0, only_overdue=True).values()),
        }
        counts["open_complaints"] = s.scalar(select(func.count(func.distinct(Complaint.customer_id))).where(
            snap.live(Complaint.customer_id), Complaint.status.in_(act.OPEN))) or 0
        rows = tuple(StatRow(k, label, counts[k], ratio(counts[k], cube.total)) for k, label in HEADLINE)
        return Figure("headline", "概览", "table", "人数", rows, share_label="占全部客户", scoped=True)

    @staticmethod
    def _headline_clause(key: str, period: Period, today: date, cadence: dict[str, int]) -> ColumnElement[bool]:
        if key == "all":
            return true()
        if key == "closed":
            return Customer.deal_status == "成交"
        if key == "new":
            return act.new_clause(period)
        if key == "visited":
            return Customer.id.in_(select(Visit.customer_id).where(Visit.at >= period.since,
                                                                   Visit.at < period.until))
        if key == "overdue":
            return snap.overdue_clause(cadence, today)
        if key == "open_complaints":
            return Customer.id.in_(select(Complaint.customer_id).where(Complaint.status.in_(act.OPEN)))
        raise _unknown("headline", key)

    def _clause(self, s: Session, figure: str, key: str, period: Period, today: date) -> ColumnElement[bool]:
        cadence = self._cadence()
        clause = snap.snapshot_clause(figure, key, cadence, today)
        if clause is not None:
            return clause
        builders: dict[str, Callable[[], ColumnElement[bool]]] = {
            "headline": lambda: self._headline_clause(key, period, today, cadence),
            "grade_moves": lambda: act.move_clause(key, period),
            "visits_weekly": lambda: act.week_clause(key, period),
            "new_cards": lambda: act.month_clause(key),
            "top_deals": lambda: Customer.id == int(key),
            "referrals": lambda: act.referral_clause(key),
            "influence": lambda: act.influence_clause(key),
            "complaints": lambda: act.complaint_clause(key, period),
            "resolve_days": lambda: act.resolve_clause(s, key, period),
        }
        if figure not in builders:
            raise _unknown(figure, key)
        try:
            return builders[figure]()
        except (KeyError, ValueError) as exc:
            raise _unknown(figure, key) from exc


def _unknown(figure: str, key: str) -> ValidationError:
    return ValidationError("统计项", f"没有这一项（{figure}:{key}）")
