"""The widgets around the customer list: search box, quick filters (grade, 成交状态, 阶段, 标签, 资产层级, 类型),
the empty-archive state and the tag dialog."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.enums import DealStatus, Grade, Kind, Stage, Tier
from app.rows import ListQuery
from ui import state
from ui.customer_list_model import COLUMN_INDEX, COLUMNS


class SearchEdit(QLineEdit):
    """The search box; Down moves into the table, Enter opens the only/first match."""

    down_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Hand Down to the table."""
        if event.key() == Qt.Key.Key_Down:
            self.down_pressed.emit()
            return
        super().keyPressEvent(event)


class EmptyState(QWidget):
    """What an empty archive shows: how to start."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = QLabel(self.tr("还没有客户卡"))
        self.title_label.setProperty("role", "title")
        self.hint_label = QLabel(self.tr("把第一位客户记下来，或者把现有的 Excel 客户名单导入进来。\n"
                                         "每次拜访后记一笔，档案会越记越有用。"))
        self.hint_label.setProperty("role", "hint")
        self.new_person_button = QPushButton(self.tr("新建第一张客户卡"))
        self.new_person_button.setProperty("role", "primary")
        self.new_org_button = QPushButton(self.tr("新建单位客户"))
        self.import_button = QPushButton(self.tr("导入Excel…"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.new_person_button, self.new_org_button, self.import_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for label in (self.title_label, self.hint_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(2)


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


class ColumnLayout(QObject):
    """The list header: fixed starting widths, movable columns, a hide/show menu, remembered (ui.state)."""

    def __init__(self, header: QHeaderView, key: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.header, self.key = header, key
        header.setSectionsMovable(True)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        for i, column in enumerate(COLUMNS):
            header.resizeSection(i, column.width)  # fixed widths: never measure 100k rows
        header.setSortIndicator(COLUMN_INDEX["name"], Qt.SortOrder.AscendingOrder)
        state.restore_header(key, header)
        self.save_timer = QTimer(self)  # a drag resizes a column pixel by pixel: write once it stops
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(400)
        self.save_timer.timeout.connect(self.save)
        header.customContextMenuRequested.connect(self.show_menu)
        header.sectionMoved.connect(self.save_timer.start)
        header.sectionResized.connect(self.save_timer.start)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.flush)

    def flush(self) -> None:
        """Write a pending change now (quitting)."""
        if self.save_timer.isActive():
            self.save()

    def save(self, *_: object) -> None:
        """Remember order, widths, hidden columns and the sort indicator."""
        self.save_timer.stop()
        state.save_header(self.key, self.header)

    def show_menu(self, pos: QPoint) -> None:
        """Tick columns to show or hide them; 恢复默认列 puts everything back."""
        menu = QMenu(self.header)
        for i, column in enumerate(COLUMNS):
            action = menu.addAction(self.tr(column.title))
            action.setCheckable(True)
            action.setChecked(not self.header.isSectionHidden(i))
            action.setEnabled(column.field != "name")  # the name always stays visible
            action.setData(i)
        menu.addSeparator()
        menu.addAction(self.tr("恢复默认列")).setData(-1)
        chosen = menu.exec(self.header.mapToGlobal(pos))
        menu.deleteLater()
        if chosen is None:
            return
        if chosen.data() == -1:
            self.reset()
        else:
            self.set_visible(int(chosen.data()), chosen.isChecked())

    def set_visible(self, section: int, visible: bool) -> None:
        """Show or hide one column."""
        self.header.setSectionHidden(section, not visible)
        self.save()

    def reset(self) -> None:
        """Every column shown, in the original order and widths."""
        for i, column in enumerate(COLUMNS):
            self.header.setSectionHidden(i, False)
            self.header.moveSection(self.header.visualIndex(i), i)
            self.header.resizeSection(i, column.width)
        self.save()
