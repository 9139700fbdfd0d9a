"""Grade suggestion from the three factors (经济条件, 需求意识, 影响力) and the action for each grade.

The source table (DOMAIN.md) names four of the eight combinations. Our rule covers all eight and
agrees with those four: count the favourable factors (经济好, 意识强, 影响力广) —
3 → A, 2 → B, 1 → C, 0 → D. The salesperson may always override the suggestion.
"""
from __future__ import annotations

from dataclasses import dataclass

FAVOURABLE = {"economy": "好", "awareness": "强", "influence": "广"}
FACTOR_CHOICES = {"economy": ("好", "一般"), "awareness": ("强", "一般"), "influence": ("广", "一般")}
FACTOR_LABELS = {"economy": "经济条件", "awareness": "需求意识", "influence": "影响力"}
_BY_COUNT = {3: "A", 2: "B", 1: "C", 0: "D"}

ACTIONS: dict[str, tuple[str, str]] = {
    # grade: (成交客户, 未成交客户)
    "A": ("加强售后服务、加保、增员、转介绍来源", "积极拜访、促成；转介绍来源；紧盯不放、步步跟随，电话短信常联系"),
    "B": ("加强售后服务、新产品加保、增员、转介绍来源", "注重培养、准客户，相关信息告知"),
    "C": ("增员、转介绍来源", "注重培养、准客户，增员、转介绍来源"),
    "D": ("保持基本服务，每年至少见面一次", "慢慢培养、增员"),
}


@dataclass(frozen=True)
class GradeSuggestion:
    """The suggested grade, how it was reached, and what to do."""

    grade: str
    reason: str
    action: str


def suggest_grade(economy: str, awareness: str, influence: str, *, closed: bool) -> GradeSuggestion | None:
    """Suggest A–D once all three factors are filled in; None while any is blank."""
    values = {"economy": economy, "awareness": awareness, "influence": influence}
    if not all(values.values()):
        return None
    favourable = [FACTOR_LABELS[k] for k, v in values.items() if v == FAVOURABLE[k]]
    grade = _BY_COUNT[len(favourable)]
    reason = (f"{len(favourable)} 项有利（{'、'.join(favourable)}）" if favourable else "三项均一般")
    return GradeSuggestion(grade=grade, reason=reason, action=action_for(grade, closed=closed))


def action_for(grade: str, *, closed: bool) -> str:
    """The DOMAIN.md action text for a grade, for 成交 or 未成交 customers."""
    if grade not in ACTIONS:
        return ""
    return ACTIONS[grade][0 if closed else 1]
