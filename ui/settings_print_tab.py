"""设置 → 打印: the 年度服务计划书 template of each grade (words to the customer, promises, activities)."""
from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.reports.templates import DEFAULTS, GRADES, PlanTemplate, plan_templates, save_plan_template
from ui.context import AppContext


class PrintSettingsTab(QWidget):
    """One grade's plan template at a time; every grade's edits are kept until OK saves them."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.edited: dict[str, PlanTemplate] = {}
        self.stored: dict[str, PlanTemplate] = {}
        self._grade = "A"
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    # ----- building ---------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.intro_label = QLabel(self.tr(
            "年度服务计划书按客户等级使用不同的模板。“致客户的话”和“结束语”里可以写 {客户} {称呼} {年份} "
            "{服务人员}，打印时自动换成实际内容。全年定期拜访的次数按“联系周期”自动安排。"))
        self.intro_label.setWordWrap(True)
        self.intro_label.setProperty("role", "hint")
        self.grade_combo = QComboBox()
        for grade in GRADES:
            self.grade_combo.addItem(self.tr("{g} 类客户").format(g=grade), grade)
        self.reset_button = QPushButton(self.tr("恢复本等级默认内容"))
        self.intro_edit = QPlainTextEdit()
        self.commitments_edit = QPlainTextEdit()
        self.commitments_edit.setPlaceholderText(self.tr("每行一条服务承诺"))
        self.topic_edit = QLineEdit()
        self.method_edit = QLineEdit()
        self.value_added_edit = QPlainTextEdit()
        self.value_added_edit.setPlaceholderText(self.tr("每行一项，写成“项目：安排”，如“客户答谢酒会：每年年底”"))
        self.closing_edit = QPlainTextEdit()
        self.focus_check = QCheckBox(self.tr("列出本等级的“服务重点”（如“加强售后服务、加保、转介绍来源”）"))
        for edit in (self.intro_edit, self.closing_edit):
            edit.setMaximumHeight(80)
        for edit in (self.commitments_edit, self.value_added_edit):
            edit.setMaximumHeight(110)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("模板：")))
        top.addWidget(self.grade_combo)
        top.addStretch(1)
        top.addWidget(self.reset_button)
        form = QFormLayout()
        form.addRow(self.tr("致客户的话："), self.intro_edit)
        form.addRow(self.tr("服务承诺："), self.commitments_edit)
        form.addRow(self.tr("定期拜访内容："), self.topic_edit)
        form.addRow(self.tr("定期拜访方式："), self.method_edit)
        form.addRow(self.tr("增值服务："), self.value_added_edit)
        form.addRow(self.tr("结束语："), self.closing_edit)
        form.addRow("", self.focus_check)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addLayout(top)
        layout.addLayout(form)

    def _connect_signals(self) -> None:
        self.grade_combo.currentIndexChanged.connect(self._switch_grade)
        self.reset_button.clicked.connect(self.reset_current)

    # ----- the settings-tab protocol -------------------------------------------------------
    def load(self) -> None:
        """Fill from the archive (stored templates, defaults elsewhere)."""
        self.stored = plan_templates(self.ctx.svc)
        self.edited = dict(self.stored)
        self._grade = self.grade_combo.currentData()
        self._show(self.edited[self._grade])

    def save(self) -> None:
        """Store every grade whose template was changed (ValidationError names grade and part)."""
        self.edited[self._grade] = self._read()
        for grade in GRADES:
            if self.edited[grade] != self.stored[grade]:
                self.grade_combo.setCurrentIndex(GRADES.index(grade))  # an error shows on its own grade
                self.stored[grade] = save_plan_template(self.ctx.svc, self.edited[grade])
                self.edited[grade] = self.stored[grade]

    # ----- editing ---------------------------------------------------------------------------
    def reset_current(self) -> None:
        """Put the shown grade's default wording back (stored when the dialog is saved)."""
        self._show(DEFAULTS[self._grade])

    def _switch_grade(self) -> None:
        self.edited[self._grade] = self._read()
        self._grade = self.grade_combo.currentData()
        self._show(self.edited[self._grade])

    def _show(self, t: PlanTemplate) -> None:
        self.intro_edit.setPlainText(t.intro)
        self.commitments_edit.setPlainText("\n".join(t.commitments))
        self.topic_edit.setText(t.visit_topic)
        self.method_edit.setText(t.visit_method)
        self.value_added_edit.setPlainText("\n".join(t.value_added))
        self.closing_edit.setPlainText(t.closing)
        self.focus_check.setChecked(t.show_focus)

    def _read(self) -> PlanTemplate:
        base = self.edited.get(self._grade, DEFAULTS[self._grade])
        return replace(
            base, intro=self.intro_edit.toPlainText().strip(),
            commitments=_lines(self.commitments_edit.toPlainText()), visit_topic=self.topic_edit.text().strip(),
            visit_method=self.method_edit.text().strip(), value_added=_lines(self.value_added_edit.toPlainText()),
            closing=self.closing_edit.toPlainText().strip(), show_focus=self.focus_check.isChecked(),
        )


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())
