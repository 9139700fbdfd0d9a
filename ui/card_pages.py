"""The simpler card pages: 分级 (three factors → suggested grade), 需求与状况, 备注 and 历史 (audit trail)."""
from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.grading import FACTOR_CHOICES, action_for, suggest_grade
from app.rows import CUSTOMER_LABELS, AuditRow
from ui.card_form import (
    Binder,
    FieldErrors,
    add_field,
    choice_combo,
    emphasise,
    fmt_datetime,
    muted_label,
    new_form,
    plain_text,
)

GRADES = ("A", "B", "C", "D")


class GradePage(QWidget):
    """经济条件 / 需求意识 / 影响力 → the suggested grade and what to do; a manual override that sticks."""

    def __init__(self, binder: Binder, errors: FieldErrors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.binder, self.errors = binder, errors
        self._updating = False
        self._build_widgets()
        self._build_layout()

    def _build_widgets(self) -> None:
        self.factors_box = QGroupBox(self.tr("三项因素"), self)
        form = new_form()
        self.factors_box.setLayout(form)  # before the rows (see BasicPage._group)
        self.economy_combo = self._bound(form, "economy", self.tr("经济条件"), choice_combo(FACTOR_CHOICES["economy"]))
        self.awareness_combo = self._bound(form, "awareness", self.tr("需求意识"),
                                           choice_combo(FACTOR_CHOICES["awareness"]))
        self.influence_combo = self._bound(form, "influence", self.tr("影响力"),
                                           choice_combo(FACTOR_CHOICES["influence"]))
        self.result_box = QGroupBox(self.tr("等级"), self)
        result = new_form()
        self.result_box.setLayout(result)
        self.suggestion_label = emphasise(QLabel(), 15)
        self.reason_label = muted_label()
        result.addRow(self.tr("建议等级"), self.suggestion_label)
        result.addRow("", self.reason_label)
        self.manual_check = self._bound(result, "grade_manual", self.tr("手动定级"),
                                        QCheckBox(self.tr("自己指定等级（不再随三项因素变化）")))
        self.grade_combo = self._bound(result, "grade", self.tr("当前等级"), choice_combo(GRADES))
        self.action_label = QLabel()
        self.action_label.setWordWrap(True)
        self.action_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        emphasise(self.action_label, 11, bold=False)
        result.addRow(self.tr("建议做法"), self.action_label)
        self.note_label = muted_label(self.tr("定期做 ABC 清分：目标是让客户从 C 升到 B、从 B 升到 A。等级的每次变化都记在“历史”里。"))
        self.note_label.setWordWrap(True)

    def _bound(self, form: object, name: str, text: str, widget: QWidget) -> QWidget:
        self.binder.bind(name, widget)
        add_field(form, self.errors, CUSTOMER_LABELS[name], text, widget)  # type: ignore[arg-type]
        return widget

    def _build_layout(self) -> None:
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 16, 24, 16)
        column.setSpacing(14)
        column.addWidget(self.factors_box)
        column.addWidget(self.result_box)
        column.addWidget(self.note_label)
        column.addStretch(1)

    def update_suggestion(self, closed: bool) -> None:
        """Recompute after any edit: the suggestion, the grade (unless overridden) and the action."""
        if self._updating:
            return
        self._updating = True
        try:
            suggestion = suggest_grade(self.economy_combo.currentText(), self.awareness_combo.currentText(),
                                       self.influence_combo.currentText(), closed=closed)
            manual = self.manual_check.isChecked()
            self.grade_combo.setEnabled(manual)
            if suggestion is None:
                self.suggestion_label.setText("—")
                self.reason_label.setText(self.tr("三项都选好后给出建议"))
            else:
                self.suggestion_label.setText(self.tr("{0} 级").format(suggestion.grade))
                self.reason_label.setText(suggestion.reason)
                if not manual and self.grade_combo.currentText() != suggestion.grade:
                    self.grade_combo.setCurrentText(suggestion.grade)
            grade = self.grade_combo.currentText()
            self.action_label.setText(action_for(grade, closed=closed) or "—")
        finally:
            self._updating = False


NEEDS_FIELDS = ("needs", "finance", "operations", "purchasing", "credit", "relations")


def _note(binder: Binder, errors: FieldErrors, name: str, title: str, hint: str, lines: int) -> QVBoxLayout:
    """A titled free-text note bound to `name`, with its error line under it."""
    edit = plain_text(lines)
    edit.setMaximumHeight(16777215)
    edit.setPlaceholderText(hint)
    binder.bind(name, edit)
    column = QVBoxLayout()
    column.setSpacing(4)
    column.addWidget(QLabel(title))
    column.addWidget(edit, 1)
    errors.register(CUSTOMER_LABELS[name], edit, column)
    return column


class NeedsPage(QWidget):
    """需求、财务、经营、采购、信用、对外关系 — six notes side by side."""

    def __init__(self, binder: Binder, errors: FieldErrors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        notes = {
            "needs": (self.tr("需求状况"), self.tr("想解决什么、关心什么、预算和时间")),
            "finance": (self.tr("财务状况"), self.tr("收入、资产、负债、支付能力")),
            "operations": (self.tr("经营状况"), self.tr("所在行业、经营规模、效益与发展")),
            "purchasing": (self.tr("采购状况"), self.tr("买过什么、怎么买、谁来决定")),
            "credit": (self.tr("信用状况"), self.tr("付款是否及时、有无纠纷")),
            "relations": (self.tr("对外关系状况"), self.tr("与同行、上下游、社区的关系")),
        }
        grid = QGridLayout(self)
        grid.setContentsMargins(24, 16, 24, 16)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(12)
        for i, name in enumerate(NEEDS_FIELDS):
            title, hint = notes[name]
            grid.addLayout(_note(binder, errors, name, title, hint, 4), i // 2, i % 2)


class RemarksPage(QWidget):
    """备注 and anything else worth keeping."""

    def __init__(self, binder: Binder, errors: FieldErrors, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 16, 24, 16)
        column.addLayout(_note(binder, errors, "remarks", self.tr("备注及其他有关事项"), "", 12))
        self.remarks_edit = binder.widget("remarks")


class HistoryPage(QWidget):
    """Everything done to the card, newest first; field changes shown as before → after."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([self.tr("时间"), self.tr("操作人"), self.tr("操作"), self.tr("内容")])
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        header = self.tree.header()
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(0, 150)
        header.resizeSection(1, 90)
        header.resizeSection(2, 70)
        self.hint_label = muted_label(self.tr("单击 ▸ 展开看每个字段改前改后的值"))
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 12, 16, 12)
        column.addWidget(self.tree, 1)
        column.addWidget(self.hint_label)

    def set_rows(self, rows: Sequence[AuditRow]) -> None:
        """Show the audit trail."""
        self.tree.clear()
        for r in rows:
            item = QTreeWidgetItem([fmt_datetime(r.at), r.actor, r.action, r.summary])
            for label, (before, after) in r.changes.items():
                child = QTreeWidgetItem(["", "", label, self.tr("{0} → {1}").format(before or "（空）", after or "（空）")])
                child.setToolTip(3, child.text(3))
                item.addChild(child)
            self.tree.addTopLevelItem(item)
