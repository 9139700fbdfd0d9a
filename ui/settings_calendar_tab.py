"""设置 → 日历与问候: which grades get which festival, how early to remind, and the greeting texts.

(联系周期 per grade has its own tab in the settings dialog.)
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.calendar.festivals import FESTIVALS
from app.calendar.greetings import DEFAULT_TEMPLATES, PLACEHOLDERS
from app.services.touchpoint_inputs import TEMPLATE_LABELS
from app.services.touchpoints import CalendarOptions
from ui.context import AppContext

GRADES = "ABCD"
LEAD_FIELDS = (("birthday_lead_days", "生日、纪念日、节日提前"), ("renewal_lead_days", "续期、周年提前"),
               ("competitor_lead_days", "竞争对手合同到期提前"), ("new_deal_followup_days", "成交后回访"))
FEB29_CHOICES = (("feb28", "平年过 2月28日"), ("mar1", "平年过 3月1日"))


class CalendarSettingsTab(QWidget):
    """Festival choices per grade, lead days, the 2月29日 rule and the greeting templates."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.templates: dict[str, str] = {}
        self._current_key = ""
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    # ----- building ---------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.festival_table = QTableWidget(len(FESTIVALS), len(GRADES))
        self.festival_table.setHorizontalHeaderLabels([self.tr("{g} 类").format(g=g) for g in GRADES])
        self.festival_table.setVerticalHeaderLabels([self.tr(name) for _key, name, _greets in FESTIVALS])
        self.festival_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.festival_table.setMinimumHeight(260)
        for row in range(len(FESTIVALS)):
            for col in range(len(GRADES)):
                item = QTableWidgetItem()
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.festival_table.setItem(row, col, item)
        self.lead_spins = {name: QSpinBox() for name, _label in LEAD_FIELDS}
        for spin in self.lead_spins.values():
            spin.setRange(0, 366)
            spin.setSuffix(self.tr(" 天"))
        self.feb29_combo = QComboBox()
        for value, label in FEB29_CHOICES:
            self.feb29_combo.addItem(self.tr(label), value)
        self.template_combo = QComboBox()
        for key, label in TEMPLATE_LABELS.items():
            self.template_combo.addItem(self.tr(label), key)
        self.template_edit = QPlainTextEdit()
        self.template_edit.setFixedHeight(96)
        self.placeholder_label = QLabel(self.tr("可用占位符：") + " ".join("{" + p + "}" for p in PLACEHOLDERS)
                                        + self.tr("（{销售姓名}、{公司} 取自“个人资料”）"))
        self.placeholder_label.setProperty("role", "hint")
        self.placeholder_label.setWordWrap(True)
        self.reset_button = QPushButton(self.tr("恢复默认问候语"))

    def _build_layout(self) -> None:
        festivals = QGroupBox(self.tr("节日问候：哪些等级的客户要问候（清明只提醒，不发祝福）"))
        QVBoxLayout(festivals).addWidget(self.festival_table)
        leads = QGroupBox(self.tr("提前提醒"))
        form = QFormLayout(leads)
        for name, label in LEAD_FIELDS:
            form.addRow(self.tr(label) + "：", self.lead_spins[name])
        form.addRow(self.tr("2月29日的生日、纪念日："), self.feb29_combo)
        greetings = QGroupBox(self.tr("问候语模板（复制到微信、短信前可再改）"))
        box = QVBoxLayout(greetings)
        row = QHBoxLayout()
        row.addWidget(self.template_combo, 1)
        row.addWidget(self.reset_button)
        box.addLayout(row)
        box.addWidget(self.template_edit)
        box.addWidget(self.placeholder_label)
        content = QWidget()
        inner = QVBoxLayout(content)
        inner.addWidget(festivals)
        inner.addWidget(leads)
        inner.addWidget(greetings)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)

    def _connect_signals(self) -> None:
        self.template_combo.currentIndexChanged.connect(self._show_template)
        self.reset_button.clicked.connect(self._reset_template)

    # ----- load / save ------------------------------------------------------------------
    def load(self) -> None:
        """Fill from the archive."""
        tps = self.ctx.svc.touchpoints
        grades = tps.festival_grades()
        for row, (key, _name, _greets) in enumerate(FESTIVALS):
            for col, grade in enumerate(GRADES):
                state = Qt.CheckState.Checked if grade in grades.get(key, "") else Qt.CheckState.Unchecked
                self.festival_table.item(row, col).setCheckState(state)
        options = tps.options()
        for name, spin in self.lead_spins.items():
            spin.setValue(getattr(options, name))
        self.feb29_combo.setCurrentIndex(max(0, self.feb29_combo.findData(options.feb29_policy)))
        self.templates = tps.greeting_templates()
        self._current_key = ""
        self._show_template()

    def save(self) -> None:
        """Validate and store (the service refuses unknown placeholders, naming the template)."""
        tps = self.ctx.svc.touchpoints
        self._keep_current()
        chosen = self.festival_choices()
        if chosen != tps.festival_grades():
            tps.set_festival_grades(chosen)
        options = CalendarOptions(**{name: spin.value() for name, spin in self.lead_spins.items()},
                                  feb29_policy=self.feb29_combo.currentData())
        if options != tps.options():
            tps.set_options(options)
        stored = tps.greeting_templates()
        for key, text in self.templates.items():
            if text.strip() != stored.get(key, ""):
                tps.set_greeting_template(key, text)

    def festival_choices(self) -> dict[str, str]:
        """Festival key → the ticked grades."""
        out = {}
        for row, (key, _name, _greets) in enumerate(FESTIVALS):
            out[key] = "".join(g for col, g in enumerate(GRADES)
                               if self.festival_table.item(row, col).checkState() == Qt.CheckState.Checked)
        return out

    # ----- templates --------------------------------------------------------------------
    def _keep_current(self) -> None:
        if self._current_key:
            self.templates[self._current_key] = self.template_edit.toPlainText()

    def _show_template(self) -> None:
        self._keep_current()
        key = self.template_combo.currentData()
        self._current_key = key or ""
        self.template_edit.setPlainText(self.templates.get(self._current_key, ""))

    def _reset_template(self) -> None:
        if self._current_key:
            self.template_edit.setPlainText(DEFAULT_TEMPLATES[self._current_key])
