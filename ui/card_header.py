"""The band at the top of a card: name, number, grade, status, contact dates, open complaints, actions."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.rows import CustomerCard, CustomerInput
from ui.card_form import ERROR_COLOR, MUTED_COLOR, fmt_date, fmt_datetime, muted_label
from ui.style import GRADE_COLOURS

_BADGE = "border-radius: 9px; padding: 2px 10px; font-weight: bold;"


class CardHeader(QFrame):
    """Read-only summary of the stored card plus 记一笔 and 保存."""

    complaints_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cardHeader")
        self._build_widgets()
        self._build_layout()
        self.complaint_button.clicked.connect(self.complaints_clicked)

    def _build_widgets(self) -> None:
        self.name_label = QLabel()
        self.name_label.setProperty("role", "title")
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.Window, QColor("#eef2f7"))
        self.setPalette(palette)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.grade_label = QLabel()
        self.meta_label = muted_label()
        self.dates_label = QLabel()
        self.complaint_button = QPushButton()
        self.complaint_button.setFlat(True)
        self.complaint_button.setStyleSheet(f"color: white; background: {ERROR_COLOR}; {_BADGE}")
        self.deleted_label = QLabel(self.tr("此客户卡在回收站中（只读）"))
        self.deleted_label.setStyleSheet(f"color: white; background: {MUTED_COLOR}; {_BADGE}")
        self.print_button = QPushButton(self.tr("打印"))
        self.print_button.setToolTip(self.tr("打印或导出这位客户的拜访单、资料卡或年度服务计划书"))
        self.visit_button = QPushButton(self.tr("记一笔"))
        self.visit_button.setToolTip(self.tr("记录一次拜访或服务（Ctrl+J）"))
        self.save_button = QPushButton(self.tr("保存"))
        self.save_button.setToolTip(self.tr("保存客户卡（Ctrl+S）"))
        self.save_button.setDefault(True)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.name_label)
        top.addWidget(self.grade_label)
        top.addWidget(self.complaint_button)
        top.addWidget(self.deleted_label)
        top.addStretch(1)
        top.addWidget(self.print_button)
        top.addWidget(self.visit_button)
        top.addWidget(self.save_button)
        column = QVBoxLayout(self)
        column.setContentsMargins(18, 10, 18, 10)
        column.setSpacing(4)
        column.addLayout(top)
        column.addWidget(self.meta_label)
        column.addWidget(self.dates_label)

    def show_card(self, card: CustomerCard | None, kind: str) -> None:
        """Show the stored card (None: a new card)."""
        self.visit_button.setEnabled(card is None or card.deleted_at is None)
        self.deleted_label.setVisible(card is not None and card.deleted_at is not None)
        if card is None:
            self.name_label.setText(self.tr("新客户卡（{0}）").format(kind))
            for w in (self.grade_label, self.complaint_button):
                w.hide()
            self.meta_label.setText(self.tr("填好后按 Ctrl+S 保存；编号自动生成"))
            self.dates_label.clear()
            return
        d = self._show_grade(card)
        stage = d.stage if d.stage != d.deal_status else ""  # 成交 · 成交 says nothing twice
        parts = [card.card_no, d.kind, d.deal_status, stage, card.asset_tier,
                 self.tr("影响力中心") if d.influence_center else "",
                 self.tr("建卡 {0} {1}").format(fmt_date(d.created_on), d.created_by).strip()]
        self.name_label.setText(card.name)
        self.meta_label.setText("  ·  ".join(p for p in parts if p))
        self.dates_label.setText("　　".join((
            self.tr("上次联系：{0}").format(fmt_datetime(card.last_contact_at) or self.tr("还没有")),
            self.tr("下次约见：{0}").format(fmt_datetime(card.next_appointment_at) or self.tr("未约")),
        )))
        open_count = len(card.open_complaints)
        self.complaint_button.setText(self.tr("{0} 条投诉未处理").format(open_count))
        self.complaint_button.setVisible(open_count > 0)

    def _show_grade(self, card: CustomerCard) -> CustomerInput:
        d = card.data
        self.grade_label.setVisible(bool(d.grade))
        color = GRADE_COLOURS.get(d.grade, MUTED_COLOR)
        self.grade_label.setText(self.tr("{0} 级").format(d.grade) + (self.tr("（手动）") if d.grade_manual else ""))
        self.grade_label.setStyleSheet(f"color: white; background: {color}; {_BADGE}")
        return d
