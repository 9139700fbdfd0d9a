"""The quick filters above the customer list (grade, 成交状态, 阶段, 标签, 资产层级, 类型) and the tag dialog."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.enums import DealStatus, Grade, Kind, Stage, Tier
from app.rows import ListQuery


class LazyComboBox(QComboBox):
    """A combo box that asks for its items only when it is opened (tags need a query)."""

    about_to_popup = Signal()

    def showPopup(self) -> None:
        """Let the owner fill the items, then open."""
        self.about_to_popup.emit()
        super().showPopup()


def _combo(all_text: str, values: list[str], combo: QComboBox | None = None) -> QComboBox:
    combo = combo or QComboBox()
    combo.addItem(all_text, "")
    for value in values:
        combo.addItem(value, value)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


class FilterBar(QWidget):
    """Quick filters; `changed` fires whenever one of them changes."""

    changed = Signal()
    tags_wanted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tags_loaded = False
        self._build_widgets()
        self._build_layout()
        self._connect_signals()

    def _build_widgets(self) -> None:
        self.grade_combo = _combo(self.tr("全部等级"), [g.value for g in Grade])
        for i in range(1, self.grade_combo.count()):
            self.grade_combo.setItemText(i, self.tr("{g} 类").format(g=self.grade_combo.itemData(i)))
        self.deal_combo = _combo(self.tr("成交与否"), [s.value for s in DealStatus])
        self.stage_combo = _combo(self.tr("全部阶段"), [s.value for s in Stage])
        self.tag_combo = _combo(self.tr("全部标签"), [], LazyComboBox())
        self.tag_combo.setMinimumContentsLength(6)
        self.tier_combo = _combo(self.tr("资产层级"), [t.value for t in Tier])
        self.kind_combo = _combo(self.tr("个人和单位"), [k.value for k in Kind])
        self.reset_button = QPushButton(self.tr("清除筛选"))
        self.reset_button.setEnabled(False)
        self.combos = (self.grade_combo, self.deal_combo, self.stage_combo, self.tag_combo,
                       self.tier_combo, self.kind_combo)

    def _build_layout(self) -> None:
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("筛选：")))
        for combo in self.combos:
            layout.addWidget(combo)
        layout.addWidget(self.reset_button)
        layout.addStretch(1)

    def _connect_signals(self) -> None:
        for combo in self.combos:
            combo.currentIndexChanged.connect(self._on_changed)
        self.tag_combo.about_to_popup.connect(self._want_tags)
        self.reset_button.clicked.connect(self.reset)

    def _on_changed(self) -> None:
        self.reset_button.setEnabled(any(c.currentIndex() > 0 for c in self.combos))
        self.changed.emit()

    def _want_tags(self) -> None:
        if not self._tags_loaded:
            self.tags_wanted.emit()

    # ----- state -------------------------------------------------------------------------------
    def query(self, search: str = "") -> ListQuery:
        """The filters as a ListQuery."""
        grade = self.grade_combo.currentData() or ""
        return ListQuery(
            search=search, grades=(grade,) if grade else (), deal_status=self.deal_combo.currentData() or "",
            stage=self.stage_combo.currentData() or "", tag=self.tag_combo.currentData() or "",
            tier=self.tier_combo.currentData() or "", kind=self.kind_combo.currentData() or "",
        )

    def set_query(self, query: ListQuery) -> None:
        """Show a query's filters (without firing `changed`)."""
        values = ((self.grade_combo, query.grades[0] if query.grades else ""), (self.deal_combo, query.deal_status),
                  (self.stage_combo, query.stage), (self.tier_combo, query.tier), (self.kind_combo, query.kind))
        if query.tag:
            self._ensure_tag(query.tag)
        values += ((self.tag_combo, query.tag),)
        for combo, value in values:
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(False)
        self.reset_button.setEnabled(any(c.currentIndex() > 0 for c in self.combos))

    def set_tags(self, names: list[str]) -> None:
        """Fill the tag filter (keeps the chosen tag)."""
        current = self.tag_combo.currentData() or ""
        self.tag_combo.blockSignals(True)
        self.tag_combo.clear()
        _combo(self.tr("全部标签"), names, self.tag_combo)
        self.tag_combo.setCurrentIndex(max(0, self.tag_combo.findData(current)))
        self.tag_combo.blockSignals(False)
        self._tags_loaded = True

    def clear_tags(self) -> None:
        """Forget the tag names (locking): they are loaded again when the filter is next opened."""
        self.set_tags([])
        self._tags_loaded = False

    def _ensure_tag(self, tag: str) -> None:
        if self.tag_combo.findData(tag) < 0:
            self.tag_combo.addItem(tag, tag)

    def reset(self) -> None:
        """Show everyone again."""
        for combo in self.combos:
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self._on_changed()


class TagDialog(QDialog):
    """Ask for a tag to add to the selected customers (an existing one or a new one)."""

    def __init__(self, parent: QWidget | None, known: list[str], count: int) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("添加标签"))
        self.tag_combo = QComboBox()
        self.tag_combo.setEditable(True)
        self.tag_combo.addItems(known)
        self.tag_combo.setCurrentText("")
        self.tag_combo.lineEdit().setPlaceholderText(self.tr("选择已有标签，或输入新标签"))
        self.tag_combo.setMinimumWidth(260)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("给选中的 {n} 位客户添加标签：").format(n=count)))
        layout.addWidget(self.tag_combo)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, parent: QWidget | None, known: list[str], count: int) -> str | None:
        """The tag to add, or None when cancelled or blank."""
        dialog = cls(parent, known, count)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.tag_combo.currentText().strip() or None
